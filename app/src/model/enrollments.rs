//! One member's page: details, seats and programs, and what the rules allow.

use crate::domain::rules::{self, RuleViolation};
use crate::domain::{MemberStatus, Permission, Program, Progress, SeatKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    pub program: Program,
    pub name: String,
    pub progress: Progress,
    pub enrolled_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub id: i64,
    pub external_id: Option<String>,
    pub name: String,
    pub email: String,
    pub job_title: String,
    pub permission: Permission,
    pub status: MemberStatus,
    pub enable_seat: bool,
    pub opportunity_seat: bool,
    pub team: Option<String>,
    pub programs: Vec<Enrollment>,
    pub enable_free: i64,
    pub opportunity_free: i64,
    /// For a team manager, to an administrator: each region and team of the organization
    /// with whether they manage it (the choices to tick); empty for anyone else.
    pub manages: Vec<Managed>,
    /// The day a deactivation is scheduled for (`YYYY-MM-DD`).
    #[serde(default)]
    pub deactivate_on: Option<String>,
    /// Invited, and the invitation expired.
    #[serde(default)]
    pub invitation_expired: bool,
}

/// A region or team a manager may manage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Managed {
    /// `region` or `team`.
    pub kind: String,
    pub id: i64,
    /// "EMEA" for a region, "EMEA / Enterprise" for a team.
    pub label: String,
    pub managed: bool,
}

impl MemberDetail {
    fn progress(&self) -> Vec<Progress> {
        self.programs.iter().map(|e| e.progress).collect()
    }

    /// Why the seat of `kind` may not be granted (if it is not held) or removed (if it is),
    /// by the same rules the server applies.
    pub fn seat_change_refused(&self, kind: SeatKind) -> Option<RuleViolation> {
        let (holds, free) = match kind {
            SeatKind::Enable => (self.enable_seat, self.enable_free),
            SeatKind::Opportunity => (self.opportunity_seat, self.opportunity_free),
        };
        match (holds, kind) {
            (false, _) => rules::may_grant_seat(self.status, kind, free).err(),
            (true, SeatKind::Enable) => rules::may_remove_enable_seat(&self.progress()).err(),
            (true, SeatKind::Opportunity) => None,
        }
    }

    /// Why programs cannot be assigned or unassigned at all, if they cannot.
    pub fn programs_frozen(&self) -> Option<RuleViolation> {
        rules::may_change_programs(self.status, self.enable_seat).err()
    }

    /// The programs not assigned yet.
    pub fn assignable(&self) -> Vec<Program> {
        Program::ALL
            .into_iter()
            .filter(|p| !self.programs.iter().any(|e| e.program == *p))
            .collect()
    }
}
