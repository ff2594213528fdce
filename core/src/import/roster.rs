//! A change set's vocabulary: the organization's members as a file sees them
//! ([`Roster`], [`RosterMember`], the cells an export writes) and what a plan says
//! ([`Plan`], its entries and field changes). The planner itself is `import::plan`.

use super::template::CELLS;
use crate::domain::{ExternalId, MemberStatus, Permission, Program, Progress};
use serde::{Deserialize, Serialize};

/// A member as a file sees them (what `roster members export` writes, and more).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterMember {
    pub id: i64,
    pub user_id: Option<ExternalId>,
    pub first_name: String,
    pub last_name: String,
    /// Lowercase.
    pub email: String,
    pub job_title: String,
    pub permission: Permission,
    pub status: MemberStatus,
    pub enable_seat: bool,
    pub opportunity_seat: bool,
    /// Enrolled programs with their progress, in catalog order.
    pub programs: Vec<(Program, Progress)>,
    /// The member's team and its region, `""` for none.
    pub region: String,
    pub team: String,
    /// The day a deactivation is scheduled for (`YYYY-MM-DD`), `""` for none.
    #[serde(default)]
    pub deactivate_on: String,
}

impl RosterMember {
    /// The programs the member is enrolled in, in catalog order.
    pub fn program_list(&self) -> Vec<Program> {
        self.programs.iter().map(|(p, _)| *p).collect()
    }

    /// "Region / Team", or "" for no team: how changes and the Activity name a team.
    pub fn team_label(&self) -> String {
        team_text(&self.region, &self.team)
    }
}

/// The organization as a plan needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub members: Vec<RosterMember>,
    pub enable_bought: i64,
    pub enable_held: i64,
    pub opportunity_bought: i64,
    pub opportunity_held: i64,
    /// Every team, as (region, team).
    pub teams: Vec<(String, String)>,
    /// The organization's active administrators, when `members` holds only some of its
    /// members (a change to a few); `None`: count them in `members`.
    #[serde(default)]
    pub active_admins: Option<i64>,
    /// Today (`YYYY-MM-DD`, UTC) where the roster was read: a scheduled deactivation must
    /// come after it.
    #[serde(default)]
    pub today: String,
}

/// The cells `roster members export` writes for a member, in [`super::ALL_COLUMNS`]
/// order: the template's columns, then permission, region, team and status.
pub fn member_cells(member: &RosterMember) -> [String; CELLS] {
    let flag = |b: bool| if b { "TRUE" } else { "FALSE" }.to_owned();
    let programs: Vec<&str> = member.programs.iter().map(|(p, _)| p.slug()).collect();
    [
        member.user_id.map(|id| id.to_string()).unwrap_or_default(),
        member.first_name.clone(),
        member.last_name.clone(),
        member.email.clone(),
        member.job_title.clone(),
        flag(member.enable_seat),
        flag(member.opportunity_seat),
        programs.join(","),
        member.permission.as_str().to_owned(),
        member.region.clone(),
        member.team.clone(),
        member.status.as_str().to_owned(),
        member.deactivate_on.clone(),
    ]
}

/// What a plan does with one row (or one member the file leaves out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    New,
    Change,
    Unchanged,
    Deactivate,
    Refused,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::New => "new",
            Action::Change => "change",
            Action::Unchanged => "unchanged",
            Action::Deactivate => "deactivate",
            Action::Refused => "refused",
        }
    }
}

/// One field of a member, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The column's name (`job_title`, `mos_enable`, `team` …).
    pub field: String,
    pub from: String,
    pub to: String,
}

/// One line of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEntry {
    /// The file's row (`None` for a member the file leaves out).
    pub row: Option<u32>,
    pub action: Action,
    /// The member changed or deactivated.
    pub member: Option<i64>,
    /// Who: the row's or the member's name and address.
    pub who: String,
    pub changes: Vec<FieldChange>,
    /// Why a row is refused (what to do), or a note.
    pub message: String,
}

/// What a file would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub entries: Vec<PlanEntry>,
    pub enable_free_before: i64,
    pub enable_free_after: i64,
    pub opportunity_free_before: i64,
    pub opportunity_free_after: i64,
}

impl Plan {
    pub fn count(&self, action: Action) -> usize {
        self.entries.iter().filter(|e| e.action == action).count()
    }

    /// Whether applying it would change anything.
    pub fn changes_anything(&self) -> bool {
        self.entries
            .iter()
            .any(|e| matches!(e.action, Action::New | Action::Change | Action::Deactivate))
    }

    /// "3 new, 12 changed, 80 unchanged, 0 to deactivate, 1 refused. Enable: …" (the page
    /// and `roster csv diff` say the same).
    pub fn summary(&self) -> String {
        format!(
            "{} new, {} changed, {} unchanged, {} to deactivate, {} refused. {}",
            self.count(Action::New),
            self.count(Action::Change),
            self.count(Action::Unchanged),
            self.count(Action::Deactivate),
            self.count(Action::Refused),
            self.seat_impact()
        )
    }

    /// "Enable: 36 free → 12 free; Opportunity: 4 free → 4 free."
    pub fn seat_impact(&self) -> String {
        format!(
            "Enable: {} free → {} free; Opportunity: {} free → {} free.",
            self.enable_free_before,
            self.enable_free_after,
            self.opportunity_free_before,
            self.opportunity_free_after
        )
    }
}

pub(crate) fn flag_text(b: bool) -> String {
    if b { "TRUE" } else { "FALSE" }.into()
}

pub(crate) fn team_text(region: &str, team: &str) -> String {
    if team.is_empty() {
        String::new()
    } else {
        format!("{region} / {team}")
    }
}
