use super::FieldError;

/// A password someone chose when accepting an invitation. Long passphrases are welcome;
/// length is what makes a password strong, so that is what is asked for.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(password: &str, confirmation: &str) -> Result<Self, FieldError> {
        let count = password.chars().count();
        if count < Self::MIN_CHARS {
            return Err(FieldError::new(format!(
                "Choose a password of at least {} characters (this one has {count}).",
                Self::MIN_CHARS
            )));
        }
        if count > Self::MAX_CHARS {
            return Err(FieldError::new(format!(
                "Choose a password of at most {} characters.",
                Self::MAX_CHARS
            )));
        }
        let mut chars = password.chars();
        let first = chars.next();
        if chars.all(|c| Some(c) == first) {
            return Err(FieldError::new(
                "Choose a password that is not one character repeated.",
            ));
        }
        if password != confirmation {
            return Err(FieldError::new(
                "The two passwords differ: type the same password twice.",
            ));
        }
        Ok(Self(password.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

// Never print a password, not even in a debug log.
impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_and_confirmation() {
        assert!(NewPassword::parse("correct horse", "correct horse").is_ok());
        assert!(NewPassword::parse("short", "short")
            .unwrap_err()
            .0
            .contains("at least 10"));
        assert!(NewPassword::parse("aaaaaaaaaaaa", "aaaaaaaaaaaa").is_err());
        assert!(NewPassword::parse("correct horse", "correct h0rse")
            .unwrap_err()
            .0
            .contains("differ"));
        let long = "ab".repeat(65);
        assert!(NewPassword::parse(&long, &long).is_err());
        assert_eq!(
            format!(
                "{:?}",
                NewPassword::parse("correct horse", "correct horse").unwrap()
            ),
            "NewPassword(…)"
        );
    }
}
