//! Reports (SPEC rule 9): what a report covers, and how progress is grouped in its chart.

use super::{FieldError, Progress};
use serde::{Deserialize, Serialize};

/// What a report covers: the whole organization, one region, or one team. In the page's
/// address as `scope=organization`, `scope=region:12` or `scope=team:34`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ReportScope {
    #[default]
    Organization,
    Region(i64),
    Team(i64),
}

impl ReportScope {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        let id = |rest: &str| rest.parse::<i64>().ok().filter(|id| *id > 0);
        match raw.split_once(':') {
            None if raw.is_empty() || raw == "organization" => Ok(Self::Organization),
            Some(("region", rest)) if id(rest).is_some() => Ok(Self::Region(id(rest).unwrap_or(0))),
            Some(("team", rest)) if id(rest).is_some() => Ok(Self::Team(id(rest).unwrap_or(0))),
            _ => Err(FieldError::new(
                "Unknown report: choose the organization, a region or a team from the list.",
            )),
        }
    }

    pub fn as_param(self) -> String {
        match self {
            Self::Organization => "organization".to_owned(),
            Self::Region(id) => format!("region:{id}"),
            Self::Team(id) => format!("team:{id}"),
        }
    }

    pub fn region_id(self) -> Option<i64> {
        match self {
            Self::Region(id) => Some(id),
            _ => None,
        }
    }

    pub fn team_id(self) -> Option<i64> {
        match self {
            Self::Team(id) => Some(id),
            _ => None,
        }
    }
}

/// The progress groups of the report's chart: 0, 1–9, 10–49, 50–99 and 100 %, as
/// (label, lowest, highest) in basis points. The report's SQL counts the same ranges.
pub const PROGRESS_BUCKETS: [(&str, u16, u16); 5] = [
    ("0 %", 0, 0),
    ("1–9 %", 1, 999),
    ("10–49 %", 1_000, 4_999),
    ("50–99 %", 5_000, 9_999),
    ("100 %", 10_000, 10_000),
];

/// Which of [`PROGRESS_BUCKETS`] a progress falls in.
pub fn bucket_of(progress: Progress) -> usize {
    let bp = progress.basis_points();
    PROGRESS_BUCKETS
        .iter()
        .position(|(_, low, high)| (*low..=*high).contains(&bp))
        .unwrap_or(0)
}

/// Enrollments per progress group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution(pub [i64; 5]);

impl Distribution {
    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }

    pub fn add(&mut self, other: &Distribution) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine += theirs;
        }
    }

    /// The largest group, for scaling the chart's bars (at least 1).
    pub fn largest(&self) -> i64 {
        self.0.iter().copied().max().unwrap_or(0).max(1)
    }
}

/// The average of `sum` basis points over `count` enrollments, rounded to the nearest.
pub fn average_progress(sum: i64, count: i64) -> Progress {
    if count <= 0 {
        return Progress::ZERO;
    }
    Progress::from_basis_points((sum + count / 2) / count).unwrap_or(Progress::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(percent: f64) -> Progress {
        Progress::from_percent(percent).unwrap()
    }

    #[test]
    fn buckets_split_at_one_ten_fifty_and_a_hundred_percent() {
        let cases = [
            (0.0, 0),
            (0.01, 1),
            (9.99, 1),
            (10.0, 2),
            (49.99, 2),
            (50.0, 3),
            (99.99, 3),
            (100.0, 4),
        ];
        for (percent, bucket) in cases {
            assert_eq!(bucket_of(p(percent)), bucket, "{percent} %");
        }
    }

    #[test]
    fn scopes_round_trip_through_the_address() {
        for scope in [
            ReportScope::Organization,
            ReportScope::Region(3),
            ReportScope::Team(42),
        ] {
            assert_eq!(ReportScope::parse(&scope.as_param()), Ok(scope));
        }
        assert_eq!(ReportScope::parse(""), Ok(ReportScope::Organization));
        assert!(ReportScope::parse("team:x").is_err());
        assert!(ReportScope::parse("team:-1").is_err());
        assert!(ReportScope::parse("galaxy:1").is_err());
    }

    #[test]
    fn averages_round_to_the_nearest_basis_point() {
        assert_eq!(average_progress(0, 0), Progress::ZERO);
        assert_eq!(average_progress(1000 + 2001, 2).basis_points(), 1501);
        assert_eq!(average_progress(10_000, 3).basis_points(), 3333);
        let mut d = Distribution([1, 0, 2, 0, 0]);
        d.add(&Distribution([0, 1, 1, 0, 4]));
        assert_eq!((d.total(), d.largest()), (9, 4));
        assert_eq!(Distribution::default().largest(), 1);
    }
}
