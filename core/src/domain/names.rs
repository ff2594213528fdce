use super::FieldError;
use serde::{Deserialize, Serialize};

/// Checks a trimmed free-text value against a length limit counted in characters
/// (not bytes: "Zoë" is three). Control characters are refused: they come from broken
/// exports and would break the CSV we write back.
fn checked_text(raw: &str, label: &str, max: usize, required: bool) -> Result<String, FieldError> {
    checked_str(raw, label, max, required).map(str::to_owned)
}

/// The checks of [`checked_text`] without allocating: the trimmed value, borrowed.
/// Whether `value` holds a control character (`char::is_control`: U+0000–U+001F and
/// U+007F–U+009F), by its bytes: the names of a 100,000-row file are checked in the browser.
fn has_control(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        // U+0080–U+009F are encoded C2 80 – C2 9F.
        b < 0x20 || b == 0x7F || (b == 0xC2 && bytes.get(i + 1).is_some_and(|n| *n < 0xA0))
    })
}

fn checked_str<'a>(
    raw: &'a str,
    label: &str,
    max: usize,
    required: bool,
) -> Result<&'a str, FieldError> {
    let value = super::trim(raw);
    if value.is_empty() {
        return if required {
            Err(FieldError::new(format!("Enter a {label}.")))
        } else {
            Ok(value)
        };
    }
    // Bytes bound characters: only a long value needs its characters counted.
    if value.len() > max {
        let count = value.chars().count();
        if count > max {
            return Err(FieldError::new(format!(
                "The {label} is {count} characters long: shorten it to at most {max}."
            )));
        }
    }
    if has_control(value) {
        return Err(FieldError::new(format!(
            "The {label} contains a control character (such as a tab or line break): remove it."
        )));
    }
    Ok(value)
}

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $max:expr, $label:expr, $required:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                checked_text(&value, $label, $max, $required).map(Self)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_newtype!(
    /// A first or last name: required, trimmed, at most 100 characters (SPEC §4).
    PersonName,
    100,
    "name",
    true
);
text_newtype!(
    /// A job title: optional (empty is allowed), at most 150 characters.
    JobTitle,
    150,
    "job title",
    false
);
text_newtype!(
    /// An organization's display name.
    OrganizationName,
    200,
    "organization name",
    true
);

text_newtype!(
    /// The name of a region or a team: required, trimmed, at most 100 characters.
    GroupName,
    100,
    "name",
    true
);

impl GroupName {
    /// `label` says what is named ("region name", "team name").
    pub fn parse(raw: &str, label: &str) -> Result<Self, FieldError> {
        checked_text(raw, label, Self::MAX_CHARS, true).map(Self)
    }
}

impl PersonName {
    /// `label` names the field in the message ("first name", "last name").
    pub fn parse(raw: &str, label: &str) -> Result<Self, FieldError> {
        checked_text(raw, label, Self::MAX_CHARS, true).map(Self)
    }

    /// The checks of `parse`, without keeping the value (no allocation when valid).
    pub fn check(raw: &str, label: &str) -> Result<(), FieldError> {
        checked_str(raw, label, Self::MAX_CHARS, true).map(|_| ())
    }
}

impl JobTitle {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        checked_text(raw, "job title", Self::MAX_CHARS, false).map(Self)
    }

    /// The checks of `parse`, without keeping the value (no allocation when valid).
    pub fn check(raw: &str) -> Result<(), FieldError> {
        checked_str(raw, "job title", Self::MAX_CHARS, false).map(|_| ())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl OrganizationName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        checked_text(raw, "organization name", Self::MAX_CHARS, true).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_by_their_bytes() {
        for c in (0..=0x2FFu32).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            assert_eq!(has_control(&text), c.is_control(), "{c:?}");
        }
    }

    #[test]
    fn region_and_team_names_are_trimmed_required_and_short() {
        assert_eq!(
            GroupName::parse(" EMEA ", "region name").unwrap().as_str(),
            "EMEA"
        );
        assert_eq!(
            GroupName::parse("  ", "team name").unwrap_err().0,
            "Enter a team name."
        );
        assert!(GroupName::parse(&"x".repeat(101), "team name").is_err());
    }

    #[test]
    fn names_are_trimmed_and_required() {
        assert_eq!(
            PersonName::parse("  Zoë ", "first name").unwrap().as_str(),
            "Zoë"
        );
        let err = PersonName::parse("   ", "first name").unwrap_err();
        assert_eq!(err.0, "Enter a first name.");
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        assert!(PersonName::parse(&"é".repeat(100), "last name").is_ok());
        let err = PersonName::parse(&"é".repeat(101), "last name").unwrap_err();
        assert!(err.0.contains("101 characters"), "{err}");
        assert!(JobTitle::parse(&"x".repeat(150)).is_ok());
        assert!(JobTitle::parse(&"x".repeat(151)).is_err());
    }

    #[test]
    fn job_title_may_be_empty_and_control_characters_are_refused() {
        assert!(JobTitle::parse("  ").unwrap().is_empty());
        assert!(PersonName::parse("Ana\tMaria", "first name").is_err());
        assert!(OrganizationName::parse("").is_err());
    }
}
