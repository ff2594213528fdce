//! Progress reports for the organization, a region or a team.

use crate::domain::report::{Distribution, ReportScope};
use crate::domain::{MemberStatus, Program, Progress};
use serde::{Deserialize, Serialize};

/// One program's line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramLine {
    pub program: Program,
    pub enrolled: i64,
    pub average: Progress,
    pub completions: i64,
    pub distribution: Distribution,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberLine {
    pub member_id: i64,
    pub external_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub team: Option<String>,
    pub status: MemberStatus,
    /// Progress per program of the catalog, in catalog order; `None` when not enrolled.
    pub progress: Vec<Option<Progress>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub scope: ReportScope,
    /// "Northwind Traders", "Region EMEA", "Team EMEA / Enterprise".
    pub title: String,
    pub active: i64,
    pub invited: i64,
    pub inactive: i64,
    pub enable_held: i64,
    pub enable_used: i64,
    pub opportunity_held: i64,
    pub programs: Vec<ProgramLine>,
    pub enrollments: i64,
    pub average: Progress,
    pub completions: i64,
    pub distribution: Distribution,
    /// The first members by name; `members_total` counts all of them.
    pub members: Vec<MemberLine>,
    pub members_total: i64,
}

/// A choice in the report picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeOption {
    pub scope: ReportScope,
    pub label: String,
}

/// The report, or why the viewer may not see reports; and the scopes to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportAnswer {
    NeedsEnableSeat(String),
    Ready {
        report: Box<Report>,
        scopes: Vec<ScopeOption>,
    },
}
