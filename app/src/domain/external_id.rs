use super::FieldError;
use serde::{Deserialize, Serialize};

/// The organization's own identifier for a member: `EXT` followed by five digits
/// (SPEC §4). Stored uppercase; `ext00042` is read as `EXT00042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExternalId(u32);

impl ExternalId {
    pub const MAX: u32 = 99_999;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = super::trim(raw);
        let bytes = value.as_bytes();
        let well_formed = bytes.len() == 8
            && bytes[..3].eq_ignore_ascii_case(b"EXT")
            && bytes[3..].iter().all(u8::is_ascii_digit);
        if !well_formed {
            return Err(FieldError::new(format!(
                "\u{201c}{value}\u{201d} is not a valid user_id: write EXT and five digits, like EXT00001."
            )));
        }
        let number = bytes[3..]
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
        assert_eq!(ExternalId::parse("EXT99999").unwrap().next(), None);
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "",
            "EXT",
            "EXT0001",
            "EXT000001",
            "EXTABCDE",
            "XYZ00001",
            "EXT-0001",
            "EXT0000١",
        ] {
            assert!(ExternalId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
