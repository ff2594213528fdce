//! What the REST API reads and writes: its own types, documented in the OpenAPI document
//! (`utoipa`), so that the pages' models can change without breaking an integration.

use crate::domain::{MemberStatus, Permission};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An error, as RFC 9457 problem details (`application/problem+json`), in the words the
/// pages use.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank`: the status says it).
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's short name, such as "Unprocessable Content".
    pub title: String,
    pub status: u16,
    /// What went wrong and what to do, for a person.
    pub detail: String,
    /// Problems with single fields of the request, when there are any.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<FieldProblem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldProblem {
    /// The field, such as `email`, or `members[2].email` in a batch.
    pub field: String,
    pub message: String,
}

/// Who a member is in the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ApiPermission {
    Admin,
    Manager,
    Member,
}

impl From<Permission> for ApiPermission {
    fn from(value: Permission) -> Self {
        match value {
            Permission::Admin => ApiPermission::Admin,
            Permission::Manager => ApiPermission::Manager,
            Permission::Member => ApiPermission::Member,
        }
    }
}

impl From<ApiPermission> for Permission {
    fn from(value: ApiPermission) -> Self {
        match value {
            ApiPermission::Admin => Permission::Admin,
            ApiPermission::Manager => Permission::Manager,
            ApiPermission::Member => Permission::Member,
        }
    }
}

/// Where a member stands: invited (has not set up an account), active, or deactivated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ApiStatus {
    Invited,
    Active,
    Deactivated,
}

impl From<MemberStatus> for ApiStatus {
    fn from(value: MemberStatus) -> Self {
        match value {
            MemberStatus::Invited => ApiStatus::Invited,
            MemberStatus::Active => ApiStatus::Active,
            MemberStatus::Deactivated => ApiStatus::Deactivated,
        }
    }
}

/// A team and its region.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamRef {
    pub id: i64,
    pub name: String,
    pub region_id: i64,
    pub region: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Member {
    pub id: i64,
    /// The organization's own id for the member (the CSV's `user_id`), if it has one.
    pub user_id: Option<String>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub job_title: String,
    pub permission: ApiPermission,
    pub status: ApiStatus,
    pub enable_seat: bool,
    pub opportunity_seat: bool,
    pub team: Option<TeamRef>,
    /// A deactivation scheduled for this day (`YYYY-MM-DD`), if one is.
    pub deactivate_on: Option<String>,
    /// Invited, and the invitation expired: invite again (reactivate) to send a new one.
    pub invitation_expired: bool,
}

/// One page of members. Pass `next` as `after` (or `previous` as `before`) for the
/// neighbouring page; `total` counts every member the filter matches — with `q`, up to
/// 10,000: when more match, `total` is 10,000 and `total_capped` is true.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberPage {
    pub members: Vec<Member>,
    pub total: i64,
    /// More members match the search than `total` says (it stops counting at 10,000).
    pub total_capped: bool,
    pub next: Option<i64>,
    pub previous: Option<i64>,
}

/// The member list's filters and keyset cursors, as My Organization has them.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct MemberQuery {
    /// Part of a name or an email address.
    pub q: Option<String>,
    /// `active`, `invited` or `deactivated`.
    pub status: Option<String>,
    /// `admin`, `manager` or `member`.
    pub permission: Option<String>,
    /// `enable`, `opportunity` or `none`.
    pub seat: Option<String>,
    /// A team id, or `none` for members without a team.
    pub team: Option<String>,
    /// `name` (the default), `newest` or `status`.
    pub sort: Option<String>,
    /// The page after this member (the `next` of a page).
    pub after: Option<i64>,
    /// The page before this member (the `previous` of a page).
    pub before: Option<i64>,
}

/// A member to invite: an invitation email goes out at once.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub job_title: Option<String>,
    /// `member` unless said.
    #[serde(default)]
    pub permission: Option<ApiPermission>,
    #[serde(default)]
    pub enable_seat: Option<bool>,
    #[serde(default)]
    pub opportunity_seat: Option<bool>,
    /// The team to put the member in.
    #[serde(default)]
    pub team_id: Option<i64>,
}

/// What to change about a member; what is left out stays as it is. `team_id: null` takes
/// the member out of their team. Seats and programs follow the same rules as the pages
/// (a program needs the Enable seat; a used license keeps it).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberUpdate {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub permission: Option<ApiPermission>,
    #[serde(default)]
    pub enable_seat: Option<bool>,
    #[serde(default)]
    pub opportunity_seat: Option<bool>,
    /// Every program the member should be assigned (slugs, see `GET /api/v1/programs`).
    #[serde(default)]
    pub programs: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub team_id: Option<Option<i64>>,
}

/// A field that is present (`Some`, its value possibly `null`), as opposed to left out.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub region_id: i64,
    pub region: String,
    pub members: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Region {
    pub id: i64,
    pub name: String,
    pub teams: Vec<Team>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgramInfo {
    /// What the API and the CSV call it.
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnrollmentInfo {
    pub program: String,
    pub name: String,
    /// From 0 to 100.
    pub progress: f64,
    pub completed: bool,
    /// Assigned on this day (`YYYY-MM-DD`).
    pub enrolled_on: String,
}

/// A member's programs and progress.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberEnrollments {
    pub member_id: i64,
    /// Whether a program reached 10 %: the Enable seat's license is used.
    pub license_used: bool,
    pub enrollments: Vec<EnrollmentInfo>,
}

/// Progress reported by a course player (the endpoint published before this API, kept
/// as it was: its errors are `{"error": …}` with 400 for a body it cannot read).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgressReport {
    /// Name the member with exactly one of `email` and `user_id`.
    pub email: Option<String>,
    pub user_id: Option<String>,
    pub program: String,
    /// From 0 to 100; lower than what was recorded is ignored.
    pub progress: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgressRecorded {
    pub email: String,
    pub program: String,
    pub progress: f64,
    pub ignored: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SeatCount {
    pub bought: i64,
    pub held: i64,
    pub free: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Seats {
    pub enable: SeatCount,
    pub opportunity: SeatCount,
    /// Enable seats whose license is used (a program reached 10 %).
    pub enable_used: i64,
}

/// A request to the vendor for more seats (at most 3 a day per organization).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSeatRequest {
    /// `enable` or `opportunity`.
    pub seat: String,
    /// How many more, from 1 to 10,000.
    pub seats: i32,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SeatRequestSent {
    pub seat: String,
    pub seats: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActivityItem {
    pub id: i64,
    /// UTC, such as `2026-12-02T21:40:00Z`.
    pub time: String,
    /// Who acted: an address, "command line", an API key's name.
    pub who: String,
    /// The action's key, such as `member.invited`.
    pub action: String,
    /// The action in words, as the Activity page says it.
    pub description: String,
    pub member_id: Option<i64>,
    pub member: Option<String>,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActivityPage {
    pub entries: Vec<ActivityItem>,
    /// Pass as `before` for older entries.
    pub next: Option<i64>,
}

/// The Activity page's filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ActivityQuery {
    /// Part of who acted.
    pub who: Option<String>,
    /// An action's key, such as `member.deactivated`.
    pub what: Option<String>,
    /// Part of the member's address or name.
    pub member: Option<String>,
    /// The first day, `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    /// The last day, included.
    pub to: Option<String>,
    /// Entries older than this one (the `next` of a page).
    pub before: Option<i64>,
    /// For the export: `csv` (the default) or `jsonl`.
    pub format: Option<String>,
}

impl ActivityQuery {
    pub fn filter(&self) -> crate::model::activity::ActivityFilter {
        let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
        crate::model::activity::ActivityFilter {
            who: text(&self.who),
            what: text(&self.what),
            member: text(&self.member),
            from: text(&self.from),
            to: text(&self.to),
        }
    }
}
