use super::FieldError;
use serde::{Deserialize, Serialize};

/// The program catalog of SPEC §3: the same six programs for every organization.
/// The database seeds the same slugs (see the first migration); a test keeps them equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Program {
    LeadershipToolkit,
    LeadershipProgram,
    ValueProgram,
    Masterclass,
    GoLivePlan,
    ValuePyramid,
}

impl Program {
    pub const ALL: [Program; 6] = [
        Program::LeadershipToolkit,
        Program::LeadershipProgram,
        Program::ValueProgram,
        Program::Masterclass,
        Program::GoLivePlan,
        Program::ValuePyramid,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Program::LeadershipToolkit => "meddpicc-leadership-and-enablement-toolkit",
            Program::LeadershipProgram => "meddpicc-leadership-and-enablement-program",
            Program::ValueProgram => "meddicc-value-program",
            Program::Masterclass => "meddpicc-masterclass",
            Program::GoLivePlan => "meddicc-go-live-plan",
            Program::ValuePyramid => "value-pyramid-program",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Program::LeadershipToolkit => "MEDDPICC Leadership and Enablement Toolkit",
            Program::LeadershipProgram => "MEDDPICC Leadership and Enablement Program",
            Program::ValueProgram => "MEDDICC Value Program",
            Program::Masterclass => "MEDDPICC Masterclass",
            Program::GoLivePlan => "MEDDICC Go Live Plan",
            Program::ValuePyramid => "MEDDICC Value Pyramid Program",
        }
    }

    /// Slugs match case-insensitively: the vendor's own page prints `Meddicc-go-live-plan`.
    pub fn from_slug(raw: &str) -> Option<Self> {
        let raw = super::trim(raw);
        Self::ALL
            .into_iter()
            .find(|p| p.slug().eq_ignore_ascii_case(raw))
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::from_slug(raw).ok_or_else(|| {
            let hint = match Self::closest(raw) {
                Some(p) => format!("did you mean \u{201c}{}\u{201d}?", p.slug()),
                None => "use one of the slugs listed on the page.".to_owned(),
            };
            FieldError::new(format!(
                "\u{201c}{}\u{201d} is not a program slug: {hint}",
                raw.trim()
            ))
        })
    }

    /// The catalog entry nearest to a mistyped slug, if it is near enough to be a typo.
    pub fn closest(raw: &str) -> Option<Self> {
        let raw = raw.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .map(|p| (edit_distance(&raw, p.slug()), p))
            .min_by_key(|(d, _)| *d)
            .filter(|(d, p)| *d <= p.slug().len() / 3)
            .map(|(_, p)| p)
    }
}

/// Levenshtein distance over bytes with one reused row.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

impl TryFrom<String> for Program {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Program> for String {
    fn from(value: Program) -> Self {
        value.slug().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_match_case_insensitively() {
        assert_eq!(
            Program::from_slug("Meddicc-go-live-plan"),
            Some(Program::GoLivePlan)
        );
        assert_eq!(
            Program::from_slug(" VALUE-PYRAMID-PROGRAM "),
            Some(Program::ValuePyramid)
        );
        assert_eq!(Program::from_slug("unknown"), None);
    }

    #[test]
    fn suggests_the_nearest_slug_for_typos() {
        let err = Program::parse("meddpic-masterclass").unwrap_err();
        assert!(
            err.0
                .contains("did you mean \u{201c}meddpicc-masterclass\u{201d}"),
            "{err}"
        );
        let err = Program::parse("cooking").unwrap_err();
        assert!(err.0.contains("slugs listed"), "{err}");
    }

    #[test]
    fn the_catalog_has_six_distinct_programs() {
        let mut slugs: Vec<_> = Program::ALL.iter().map(|p| p.slug()).collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), 6);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
