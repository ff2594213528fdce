//! The Identity page: provisioning (SCIM), the seat policy, the groups' seats and the seat
//! waitlist.

use crate::domain::provisioning::SeatPolicy;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityOverview {
    /// Where the identity provider sends SCIM requests.
    pub scim_url: String,
    /// Live provisioning tokens (their names and first characters).
    pub tokens: Vec<String>,
    pub seat_policy: SeatPolicy,
    /// Teams the provider's groups became, and any team that grants seats.
    pub groups: Vec<ProvisionedGroup>,
    /// The first of those who wait for a seat, in order.
    pub waitlist: Vec<Waiting>,
    /// How many wait in all (the list shows the first [`WAITLIST_SHOWN`]).
    pub waiting_total: i64,
}

/// The most waitlist entries the page lists.
pub const WAITLIST_SHOWN: i64 = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionedGroup {
    pub team_id: i64,
    /// "Region / Team".
    pub name: String,
    pub members: i64,
    pub grants_enable: bool,
    pub grants_opportunity: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub member_id: i64,
    pub name: String,
    pub email: String,
    /// "Enable" or "Opportunity".
    pub seat: String,
    /// `YYYY-MM-DD HH:MM UTC`.
    pub since: String,
}
