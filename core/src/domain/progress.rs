use super::FieldError;
use serde::{Deserialize, Serialize};

/// Progress on a program, held exactly in hundredths of a percent (0..=10,000), so
/// that 9.99 % and 10 % never blur through floating point. The database column
/// `enrollments.progress_basis_points` holds the same number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u16", into = "u16")]
pub struct Progress(u16);

impl Progress {
    pub const ZERO: Progress = Progress(0);
    pub const COMPLETE: Progress = Progress(10_000);
    /// SPEC rule 3: from 10 % on, a license counts as used.
    pub const LICENSE_USED_AT: Progress = Progress(1_000);

    pub fn from_basis_points(bp: i64) -> Result<Self, FieldError> {
        u16::try_from(bp)
            .ok()
            .filter(|bp| *bp <= 10_000)
            .map(Self)
            .ok_or_else(|| FieldError::new("Progress must be between 0 and 100 %."))
    }

    /// Reads a percentage such as `12.5`, rounded to the nearest hundredth.
    pub fn from_percent(percent: f64) -> Result<Self, FieldError> {
        if !percent.is_finite() || !(0.0..=100.0).contains(&percent) {
            return Err(FieldError::new("Progress must be between 0 and 100 %."));
        }
        Ok(Self((percent * 100.0).round() as u16))
    }

    pub fn basis_points(self) -> u16 {
        self.0
    }

    pub fn percent(self) -> f64 {
        f64::from(self.0) / 100.0
    }

    /// SPEC rule 3: the license is used once any program reaches 10 %.
    pub fn uses_license(self) -> bool {
        self >= Self::LICENSE_USED_AT
    }

    pub fn is_complete(self) -> bool {
        self == Self::COMPLETE
    }
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_multiple_of(100) {
            write!(f, "{} %", self.0 / 100)
        } else {
            write!(f, "{:.2} %", self.percent())
        }
    }
}

impl TryFrom<u16> for Progress {
    type Error = FieldError;
    fn try_from(value: u16) -> Result<Self, Self::Error> {
        Self::from_basis_points(i64::from(value))
    }
}

impl From<Progress> for u16 {
    fn from(value: Progress) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_percent_is_the_boundary() {
        assert!(!Progress::from_percent(9.99).unwrap().uses_license());
        assert!(Progress::from_percent(10.0).unwrap().uses_license());
        assert!(!Progress::ZERO.uses_license());
        assert!(Progress::COMPLETE.uses_license());
    }

    #[test]
    fn out_of_range_is_refused() {
        assert!(Progress::from_percent(-0.01).is_err());
        assert!(Progress::from_percent(100.01).is_err());
        assert!(Progress::from_percent(f64::NAN).is_err());
        assert!(Progress::from_basis_points(10_001).is_err());
        assert!(Progress::from_basis_points(-1).is_err());
    }

    #[test]
    fn displays_as_a_percentage() {
        assert_eq!(Progress::from_percent(14.0).unwrap().to_string(), "14 %");
        assert_eq!(Progress::from_percent(9.99).unwrap().to_string(), "9.99 %");
    }
}
