//! The Licenses page, a member's license history, and what the seats page adds (about to
//! use a license, the runway, the alert banner).

use crate::domain::licenses::{Counts, MonthPeak};
use serde::{Deserialize, Serialize};

/// One line of the ledger, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerLine {
    pub id: i64,
    /// `YYYY-MM-DD HH:MM` UTC.
    pub at: String,
    pub member_id: Option<i64>,
    /// The member's address (empty for seats bought).
    pub member: String,
    /// `enable` or `opportunity`.
    pub seat: String,
    /// The event's key (`granted`, `used`, …).
    pub event: String,
    /// The event, why and how, in words: "Seat freed (deactivated) on a page".
    pub words: String,
    pub by: String,
    /// The program and progress that crossed 10 %, a file's name, a lesson, seats bought.
    pub detail: String,
}

/// What the ledger's lines are narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerFilter {
    /// `enable`, `opportunity`, or empty for both.
    pub seat: String,
    /// An event key, or empty for all.
    pub event: String,
    /// `YYYY-MM-DD`, inclusive; empty: from the start.
    pub from: String,
    /// `YYYY-MM-DD`, inclusive; empty: up to now.
    pub to: String,
}

/// The Licenses page: counts on a date, the monthly peaks, and the ledger's lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicensesOverview {
    /// The date answered for (`YYYY-MM-DD`, the end of that day, UTC).
    pub as_of: String,
    pub enable: Counts,
    pub opportunity: Counts,
    /// The last twelve months up to `as_of`.
    pub enable_peaks: Vec<MonthPeak>,
    pub opportunity_peaks: Vec<MonthPeak>,
    /// Newest first, at most `lines_limit`.
    pub lines: Vec<LedgerLine>,
    pub lines_limit: i64,
    /// Lines the filter matches in all.
    pub lines_total: i64,
}

/// A member between 5 % and 10 % on a program: their license is about to be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AboutToUse {
    pub member_id: i64,
    pub name: String,
    pub email: String,
    pub program: String,
    /// Percent, to two decimals.
    pub progress: String,
}

/// What the seats page shows of the time ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatOutlook {
    pub about_to_use: Vec<AboutToUse>,
    /// Enable seats taken in the last 30 days (new used licenses and invitations).
    pub taken_last_30_days: i64,
    /// Days until free Enable seats reach zero at that rate, and that date.
    pub runway_days: Option<i64>,
    pub runway_date: Option<String>,
}

/// A seat alert shown as a banner to administrators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatBanner {
    pub words: String,
    pub out: bool,
}
