use super::FieldError;
use serde::{Deserialize, Serialize};

/// The organization's own identifier for a member: `EXT` and five digits (SPEC §4), and
/// past EXT99999 as many more as the number needs (EXT100000 …, up to nine digits), so
/// an organization can hold a million members and more. Stored uppercase, always in
/// this one form: `ext00042` is read as `EXT00042`, but `EXT000042` (a padded six-digit
/// form) is refused, so one number has one spelling. Ordered by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExternalId(u32);

impl ExternalId {
    /// The largest: nine digits.
    pub const MAX: u32 = 999_999_999;
    /// The numbers written with five digits (padded with zeros); above, no zero leads.
    pub const FIVE_DIGITS: u32 = 99_999;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = super::trim(raw);
        let bytes = value.as_bytes();
        let digits = bytes.get(3..).unwrap_or_default();
        let well_formed = (8..=12).contains(&bytes.len())
            && bytes[..3].eq_ignore_ascii_case(b"EXT")
            && digits.iter().all(u8::is_ascii_digit)
            // Six digits and more only for numbers that need them: no leading zero.
            && (digits.len() == 5 || digits[0] != b'0');
        if !well_formed {
            return Err(FieldError::new(format!(
                "\u{201c}{value}\u{201d} is not a valid user_id: write EXT and five digits, like EXT00001 (from EXT100000 on, the number as it is)."
            )));
        }
        let number = digits
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        Ok(Self(number))
    }

    pub fn from_number(number: u32) -> Option<Self> {
        (number <= Self::MAX).then_some(Self(number))
    }

    pub fn number(self) -> u32 {
        self.0
    }

    /// The identifier after this one, for the template's "next free number".
    pub fn next(self) -> Option<Self> {
        Self::from_number(self.0 + 1)
    }
}

impl std::fmt::Display for ExternalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EXT{:05}", self.0)
    }
}

impl TryFrom<String> for ExternalId {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ExternalId> for String {
    fn from(value: ExternalId) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_the_ext_form() {
        let id = ExternalId::parse(" ext00042 ").unwrap();
        assert_eq!(id.number(), 42);
        assert_eq!(id.to_string(), "EXT00042");
        assert_eq!(
            ExternalId::parse("EXT00001")
                .unwrap()
                .next()
                .unwrap()
                .to_string(),
            "EXT00002"
        );
        assert_eq!(
            ExternalId::parse("EXT99999")
                .unwrap()
                .next()
                .unwrap()
                .to_string(),
            "EXT100000"
        );
        assert_eq!(ExternalId::parse("EXT999999999").unwrap().next(), None);
    }

    #[test]
    fn goes_on_past_five_digits_in_one_spelling_ordered_by_number() {
        let big = ExternalId::parse("ext1000000").unwrap();
        assert_eq!(big.number(), 1_000_000);
        assert_eq!(big.to_string(), "EXT1000000");
        let mut ids: Vec<ExternalId> = ["EXT100000", "EXT99999", "EXT20000", "EXT1000000"]
            .iter()
            .map(|r| ExternalId::parse(r).unwrap())
            .collect();
        ids.sort();
        let sorted: Vec<String> = ids.iter().map(ToString::to_string).collect();
        assert_eq!(sorted, ["EXT20000", "EXT99999", "EXT100000", "EXT1000000"]);
        // Every number round-trips through its one spelling.
        for n in [0, 1, 99_999, 100_000, 123_456_789, ExternalId::MAX] {
            let id = ExternalId::from_number(n).unwrap();
            assert_eq!(ExternalId::parse(&id.to_string()).unwrap(), id);
        }
        assert_eq!(ExternalId::from_number(ExternalId::MAX + 1), None);
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "",
            "EXT",
            "EXT0001",
            "EXT000001",
            "EXT012345",
            "EXT1234567890",
            "EXTABCDE",
            "XYZ00001",
            "EXT-0001",
            "EXT0000١",
        ] {
            assert!(ExternalId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
