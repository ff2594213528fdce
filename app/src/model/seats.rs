//! The Seats page and Free unused licenses.

use crate::domain::{MemberStatus, SeatKind, SeatPool};
use serde::{Deserialize, Serialize};

/// A member who holds a seat, with the answer to "why does this seat count?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatHolder {
    pub member_id: i64,
    pub name: String,
    pub email: String,
    pub status: MemberStatus,
    pub enable_reason: Option<String>,
    pub opportunity_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatOverview {
    pub enable: SeatPool,
    pub opportunity: SeatPool,
    /// Enable licenses used: held by a member whose progress reached 10 % somewhere.
    pub enable_used: i64,
    pub holders: Vec<SeatHolder>,
    /// At most this many holders are listed.
    pub holders_limit: i64,
    /// Requests for more seats, newest first.
    pub requests: Vec<SeatRequestRow>,
    /// Who is about to use a license, and when free Enable seats run out.
    pub outlook: crate::model::licenses::SeatOutlook,
}

/// A request for more seats sent to the vendor, and whether it was granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatRequestRow {
    pub id: i64,
    pub kind: SeatKind,
    pub seats: i32,
    pub note: String,
    pub by: String,
    pub at: String,
    /// When the vendor raised seats of this kind after the request.
    pub granted_at: Option<String>,
}

/// Whose Enable seat the "Free unused licenses" action would free, and whose not (why).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeLicensesPreview {
    pub freeable: Vec<String>,
    pub kept: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeLicensesOutcome {
    pub freed: Vec<String>,
    pub kept: Vec<(String, String)>,
}
