use serde::{Deserialize, Serialize};

/// The two kinds of license an organization buys (SPEC §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SeatKind {
    Enable,
    Opportunity,
}

impl SeatKind {
    pub const ALL: [SeatKind; 2] = [SeatKind::Enable, SeatKind::Opportunity];

    pub fn label(self) -> &'static str {
        match self {
            SeatKind::Enable => "Enable",
            SeatKind::Opportunity => "Opportunity",
        }
    }

    /// As stored and as a form sends it: `enable`, `opportunity`.
    pub fn key(self) -> &'static str {
        match self {
            SeatKind::Enable => "enable",
            SeatKind::Opportunity => "opportunity",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, super::FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.key().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| super::FieldError::new("Choose Enable or Opportunity seats."))
    }
}

/// An administrator's request to the vendor for more seats of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatRequest {
    pub kind: SeatKind,
    pub seats: i32,
    pub note: String,
}

impl SeatRequest {
    pub const MAX_SEATS: i32 = 100_000;
    pub const MAX_NOTE_CHARS: usize = 1_000;

    /// The form's fields checked; a refusal names its field (`seats` or `note`).
    pub fn parse(
        kind: SeatKind,
        seats: &str,
        note: &str,
    ) -> Result<Self, (&'static str, super::FieldError)> {
        let seats = seats
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=Self::MAX_SEATS).contains(n))
            .ok_or_else(|| {
                (
                    "seats",
                    super::FieldError::new(format!(
                        "Enter how many more seats you need: a whole number from 1 to {}.",
                        Self::MAX_SEATS
                    )),
                )
            })?;
        let note = super::trim(note);
        if note.chars().count() > Self::MAX_NOTE_CHARS {
            return Err((
                "note",
                super::FieldError::new(format!(
                    "Keep the note under {} characters.",
                    Self::MAX_NOTE_CHARS
                )),
            ));
        }
        if note
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err((
                "note",
                super::FieldError::new("The note contains a control character: remove it."),
            ));
        }
        Ok(Self {
            kind,
            seats,
            note: note.to_owned(),
        })
    }
}

/// Seats of one kind: how many were bought and how many members hold one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatPool {
    pub kind: SeatKind,
    pub bought: i64,
    pub held: i64,
}

/// Asking for more seats than are free (SPEC rule 1). The message says how many are free.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", self.message())]
pub struct SeatShortage {
    pub kind: SeatKind,
    pub requested: i64,
    pub free: i64,
}

impl SeatShortage {
    pub fn message(&self) -> String {
        let kind = self.kind.label();
        if self.requested == 1 && self.free == 0 {
            return format!("No free {kind} seat: all are in use. Free one or buy more.");
        }
        let asked = match self.requested {
            1 => format!("This asks for 1 {kind} seat"),
            n => format!("This asks for {n} {kind} seats"),
        };
        match self.free {
            0 => format!("{asked}; none is free."),
            1 => format!("{asked}; only 1 is free."),
            f => format!("{asked}; only {f} are free."),
        }
    }
}

impl SeatPool {
    /// A pool from the organization row's `*_seats` (bought) and `*_seats_held` columns.
    pub fn new(kind: SeatKind, bought: i32, held: i32) -> Self {
        Self {
            kind,
            bought: bought.into(),
            held: held.into(),
        }
    }

    pub fn free(&self) -> i64 {
        (self.bought - self.held).max(0)
    }

    /// May `requested` more seats be handed out? The server asks this with the
    /// organization row locked, so the answer holds until its transaction commits.
    pub fn check_request(&self, requested: i64) -> Result<(), SeatShortage> {
        if requested <= self.free() {
            Ok(())
        } else {
            Err(SeatShortage {
                kind: self.kind,
                requested,
                free: self.free(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(bought: i64, held: i64) -> SeatPool {
        SeatPool {
            kind: SeatKind::Enable,
            bought,
            held,
        }
    }

    #[test]
    fn free_seats_and_requests() {
        assert_eq!(pool(50, 12).free(), 38);
        assert!(pool(5, 4).check_request(1).is_ok());
        assert!(pool(5, 5).check_request(0).is_ok());
        let err = pool(5, 5).check_request(1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "No free Enable seat: all are in use. Free one or buy more."
        );
        let err = pool(49, 37).check_request(37).unwrap_err();
        assert_eq!(
            err.to_string(),
            "This asks for 37 Enable seats; only 12 are free."
        );
        assert_eq!(
            pool(3, 2).check_request(2).unwrap_err().to_string(),
            "This asks for 2 Enable seats; only 1 is free."
        );
    }

    #[test]
    fn seat_requests_are_checked() {
        let ok = SeatRequest::parse(SeatKind::Enable, " 10 ", " for the new team ").unwrap();
        assert_eq!((ok.seats, ok.note.as_str()), (10, "for the new team"));
        for bad in ["0", "-3", "2.5", "", "100001", "ten"] {
            assert_eq!(
                SeatRequest::parse(SeatKind::Enable, bad, "").unwrap_err().0,
                "seats"
            );
        }
        let long = "x".repeat(1001);
        assert_eq!(
            SeatRequest::parse(SeatKind::Opportunity, "1", &long)
                .unwrap_err()
                .0,
            "note"
        );
        assert_eq!(
            SeatRequest::parse(SeatKind::Opportunity, "1", "a\u{0}b")
                .unwrap_err()
                .0,
            "note"
        );
        assert_eq!(SeatKind::parse("Opportunity"), Ok(SeatKind::Opportunity));
        assert!(SeatKind::parse("gold").is_err());
    }

    #[test]
    fn never_reports_negative_free_seats() {
        // Seats bought lowered under what is held (not allowed, but never shown as -2).
        assert_eq!(pool(3, 5).free(), 0);
    }
}
