//! My Organization: the header counts, the member list and its filter.

use crate::domain::{MemberStatus, Permission, SeatPool};
use serde::{Deserialize, Serialize};

/// The header of My Organization: status counts and seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationSummary {
    pub name: String,
    pub active: i64,
    pub invited: i64,
    pub inactive: i64,
    pub enable: SeatPool,
    pub opportunity: SeatPool,
    /// The organization's teams, for the team filter and team pickers.
    pub teams: Vec<TeamOption>,
    /// The development mailbox exists (development mode without a mail server).
    pub dev_mailbox: bool,
}

impl OrganizationSummary {
    pub fn members(&self) -> i64 {
        self.active + self.invited + self.inactive
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub id: i64,
    pub external_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub job_title: String,
    pub permission: Permission,
    pub status: MemberStatus,
    pub enable_seat: bool,
    pub opportunity_seat: bool,
    pub team_id: Option<i64>,
    /// "Region / Team", when the member is in a team.
    pub team: Option<String>,
    /// Invited, and the invitation expired: a re-invite is needed.
    #[serde(default)]
    pub invitation_expired: bool,
    /// The date a deactivation is scheduled for (`YYYY-MM-DD`).
    #[serde(default)]
    pub deactivate_on: Option<String>,
}

/// One page of the member list. `before`/`after` are keyset cursors (a member id) for
/// the neighbouring pages, present only when such a page exists; `total` counts every
/// member that matches the filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub rows: Vec<MemberRow>,
    pub before: Option<i64>,
    pub after: Option<i64>,
    pub total: i64,
}

pub const MEMBER_PAGE_SIZE: i64 = 25;

/// How the member list is searched, filtered and sorted. It lives in the page's URL
/// (`?q=ana&status=invited&sort=newest`), so a filtered list can be bookmarked and works
/// before the page is interactive. Empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemberFilter {
    /// Part of a name or an email address.
    pub q: String,
    /// `active`, `invited` or `deactivated`.
    pub status: String,
    /// `admin` or `member`.
    pub permission: String,
    /// `enable`, `opportunity` or `none`.
    pub seat: String,
    /// A team id, or `none` for members without a team.
    pub team: String,
    /// `name` (the default), `newest` or `status`.
    pub sort: String,
}

impl MemberFilter {
    pub const KEYS: [&'static str; 6] = ["q", "status", "permission", "seat", "team", "sort"];

    pub fn get(&self, key: &str) -> &str {
        match key {
            "q" => &self.q,
            "status" => &self.status,
            "permission" => &self.permission,
            "seat" => &self.seat,
            "team" => &self.team,
            _ => &self.sort,
        }
    }

    pub fn from_pairs(get: impl Fn(&str) -> Option<String>) -> Self {
        let v = |k: &str| get(k).unwrap_or_default();
        Self {
            q: v("q"),
            status: v("status"),
            permission: v("permission"),
            seat: v("seat"),
            team: v("team"),
            sort: v("sort"),
        }
    }

    /// The query string for this filter plus extra pairs, for links.
    pub fn query_string(&self, extra: &[(&str, String)]) -> String {
        let pairs: Vec<String> = Self::KEYS
            .iter()
            .map(|k| (*k, self.get(k).to_owned()))
            .chain(extra.iter().map(|(k, v)| (*k, v.clone())))
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::url::encode(&v)))
            .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }

    pub fn is_filtered(&self) -> bool {
        [
            &self.q,
            &self.status,
            &self.permission,
            &self.seat,
            &self.team,
        ]
        .iter()
        .any(|v| !v.is_empty())
    }
}

/// A team to filter or assign by: its id and "Region / Team".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamOption {
    pub id: i64,
    pub label: String,
}
