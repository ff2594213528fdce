use serde::{Deserialize, Serialize};

/// The two kinds of license an organization buys (SPEC §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SeatKind {
    Enable,
    Opportunity,
}

impl SeatKind {
    pub fn label(self) -> &'static str {
        match self {
            SeatKind::Enable => "Enable",
            SeatKind::Opportunity => "Opportunity",
        }
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
    fn never_reports_negative_free_seats() {
        // Seats bought lowered under what is held (not allowed, but never shown as -2).
        assert_eq!(pool(3, 5).free(), 0);
    }
}
