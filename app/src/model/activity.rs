//! The Activity page.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub details: String,
}

/// One page of the log, and the actions the page's filter offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityLog {
    pub entries: Vec<ActivityEntry>,
    /// `(key, words)` of every action, for the filter's menu.
    pub actions: Vec<(String, String)>,
}

/// The Activity page's filter, in its URL (`?who=ana&what=member.invited&from=2026-12-01`)
/// so a filtered log can be bookmarked, exported and read before the page is interactive.
/// Empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityFilter {
    /// Part of who acted: an address, "command line", a key's name.
    pub who: String,
    /// An action's key (`member.invited`).
    pub what: String,
    /// Part of the member's address or name.
    pub member: String,
    /// The first day (`YYYY-MM-DD`, UTC).
    pub from: String,
    /// The last day, included.
    pub to: String,
}

impl ActivityFilter {
    pub const KEYS: [&'static str; 5] = ["who", "what", "member", "from", "to"];

    pub fn get(&self, key: &str) -> &str {
        match key {
            "who" => &self.who,
            "what" => &self.what,
            "member" => &self.member,
            "from" => &self.from,
            _ => &self.to,
        }
    }

    pub fn from_pairs(get: impl Fn(&str) -> Option<String>) -> Self {
        let v = |k: &str| get(k).unwrap_or_default().trim().to_owned();
        Self {
            who: v("who"),
            what: v("what"),
            member: v("member"),
            from: v("from"),
            to: v("to"),
        }
    }

    /// The query string of this filter plus `extra` pairs (`?who=…&format=csv`).
    pub fn query_string(&self, extra: &[(&str, &str)]) -> String {
        let pairs: Vec<String> = Self::KEYS
            .iter()
            .map(|k| (*k, self.get(k)))
            .chain(extra.iter().copied())
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::url::encode(v)))
            .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }

    /// What is wrong with the filter, as `(field, message)`: texts of at most 200
    /// characters without control characters, days as `YYYY-MM-DD` that exist, `from`
    /// not after `to`. (Whether `what` names an action is the server's to say.)
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        for (field, text) in [
            ("who", &self.who),
            ("member", &self.member),
            ("what", &self.what),
        ] {
            if text.chars().count() > 200 || text.chars().any(char::is_control) {
                return Err((
                    field,
                    "A filter is at most 200 characters, without control characters.".into(),
                ));
            }
        }
        for (field, day) in [("from", &self.from), ("to", &self.to)] {
            if !day.is_empty() && day_number(day).is_none() {
                return Err((
                    field,
                    format!("“{day}” is not a day: write it as YYYY-MM-DD, such as 2026-12-01."),
                ));
            }
        }
        if let (Some(from), Some(to)) = (day_number(&self.from), day_number(&self.to)) {
            if from > to {
                return Err((
                    "to",
                    "The last day comes before the first: swap them.".into(),
                ));
            }
        }
        Ok(())
    }
}

/// `YYYY-MM-DD` as a number that sorts as days do, if it is a day of the calendar.
fn day_number(day: &str) -> Option<u32> {
    let b = day.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |s: &str| s.parse::<u32>().ok();
    let (y, m, d) = (num(&day[..4])?, num(&day[5..7])?, num(&day[8..])?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (y >= 1970 && (1..=days).contains(&d)).then_some(y * 10_000 + m * 100 + d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_says_what_is_wrong() {
        let ok = ActivityFilter {
            from: "2024-02-29".into(),
            to: "2024-03-01".into(),
            ..Default::default()
        };
        assert!(ok.check().is_ok());
        let bad_day = ActivityFilter {
            from: "2023-02-29".into(),
            ..Default::default()
        };
        assert_eq!(bad_day.check().unwrap_err().0, "from");
        let swapped = ActivityFilter {
            from: "2024-03-02".into(),
            to: "2024-03-01".into(),
            ..Default::default()
        };
        assert_eq!(swapped.check().unwrap_err().0, "to");
        let control = ActivityFilter {
            who: "a\u{0}".into(),
            ..Default::default()
        };
        assert_eq!(control.check().unwrap_err().0, "who");
        assert_eq!(
            ActivityFilter {
                who: "ana b".into(),
                ..Default::default()
            }
            .query_string(&[("format", "csv")]),
            "?who=ana%20b&format=csv"
        );
    }
}
