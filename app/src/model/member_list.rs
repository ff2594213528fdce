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
/// member that matches the filter — a search up to [`SEARCH_COUNT_LIMIT`] only: when
/// more match, `total` is that limit and `total_capped` is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub rows: Vec<MemberRow>,
    pub before: Option<i64>,
    pub after: Option<i64>,
    pub total: i64,
    #[serde(default)]
    pub total_capped: bool,
}

impl MemberPage {
    /// The matching count as people read it: "1,234", or "10,000+" past the search's limit.
    pub fn total_text(&self) -> String {
        let n = thousands(self.total);
        if self.total_capped {
            format!("{n}+")
        } else {
            n
        }
    }
}

/// 1234567 → "1,234,567".
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

pub const MEMBER_PAGE_SIZE: i64 = 25;

/// A search's matches are counted up to this many. Counting every match of a broad
/// search (one member in eight of a million) reads every match; "10,000+"
/// tells people as much — narrow the search — at the cost of 10,000.
pub const SEARCH_COUNT_LIMIT: i64 = 10_000;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(total: i64, total_capped: bool) -> MemberPage {
        MemberPage {
            rows: Vec::new(),
            before: None,
            after: None,
            total,
            total_capped,
        }
    }

    #[test]
    fn a_count_reads_with_thousands_separated_and_a_capped_one_says_more_than() {
        assert_eq!(page(0, false).total_text(), "0");
        assert_eq!(page(999, false).total_text(), "999");
        assert_eq!(page(1_000, false).total_text(), "1,000");
        assert_eq!(page(1_234_567, false).total_text(), "1,234,567");
        assert_eq!(page(SEARCH_COUNT_LIMIT, true).total_text(), "10,000+");
    }
}
