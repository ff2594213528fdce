//! The rules of SPEC §2 as pure functions. The page calls them to explain a disabled
//! control; the server calls the same functions, with the rows locked, to decide.

use super::{MemberStatus, Permission, Progress, SeatKind, SeatPool};

/// A rule said no. The message is meant for the administrator, as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleViolation(pub String);

/// SPEC rule 3: a program may be unassigned only while its progress is below 10 %.
pub fn may_unassign_program(progress: Progress) -> Result<(), RuleViolation> {
    if progress.uses_license() {
        Err(RuleViolation(format!(
            "Progress is {progress}: this license is used and cannot be freed."
        )))
    } else {
        Ok(())
    }
}

/// SPEC rule 3: removing the Enable seat unassigns every program, so every one of
/// them must still be below 10 %.
pub fn may_remove_enable_seat(progress: &[Progress]) -> Result<(), RuleViolation> {
    match progress.iter().max() {
        Some(top) if top.uses_license() => Err(RuleViolation(format!(
            "Progress reached {top} on a program: this license is used and the Enable seat cannot be freed."
        ))),
        _ => Ok(()),
    }
}

/// A password reset link goes to active members only: an invited member sets a password
/// from their invitation, and an inactive one cannot sign in at all.
pub fn may_send_password_reset(status: MemberStatus) -> Result<(), RuleViolation> {
    match status {
        MemberStatus::Active => Ok(()),
        MemberStatus::Invited => Err(RuleViolation(
            "This member has not set a password yet: resend their invitation instead.".into(),
        )),
        MemberStatus::Deactivated => Err(RuleViolation(
            "This member is inactive and cannot sign in: reactivate them first.".into(),
        )),
    }
}

/// SPEC rules 2 and 4: programs change one by one only for active members with an
/// Enable seat. (The CSV import sets programs at invitation time, outside this rule.)
pub fn may_change_programs(
    status: MemberStatus,
    has_enable_seat: bool,
) -> Result<(), RuleViolation> {
    match status {
        MemberStatus::Invited => Err(RuleViolation(
            "This member has not completed account setup yet: programs can be changed once they accept the invitation.".into(),
        )),
        MemberStatus::Deactivated => Err(RuleViolation(
            "This member is inactive: reactivate them before changing programs.".into(),
        )),
        MemberStatus::Active if !has_enable_seat => Err(RuleViolation(
            "Programs need an Enable seat: give this member one first.".into(),
        )),
        MemberStatus::Active => Ok(()),
    }
}

/// What deactivating a member does to their seats (SPEC rule 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeactivationOutcome {
    pub releases_opportunity: bool,
    pub releases_enable: bool,
    /// The Enable seat stays counted because its license is used (rule 3).
    pub keeps_used_enable: bool,
}

pub fn deactivation_outcome(
    has_enable_seat: bool,
    has_opportunity_seat: bool,
    program_progress: &[Progress],
) -> DeactivationOutcome {
    let used = program_progress.iter().any(|p| p.uses_license());
    DeactivationOutcome {
        releases_opportunity: has_opportunity_seat,
        releases_enable: has_enable_seat && !used,
        keeps_used_enable: has_enable_seat && used,
    }
}

impl DeactivationOutcome {
    /// The sentence the confirmation dialog shows before the administrator confirms.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.releases_enable {
            parts.push(
                "their Enable seat returns to the pool (their programs are unassigned)".to_owned(),
            );
        }
        if self.keeps_used_enable {
            parts.push("their Enable seat stays counted because the license is used (progress reached 10 %)".to_owned());
        }
        if self.releases_opportunity {
            parts.push("their Opportunity seat returns to the pool".to_owned());
        }
        if parts.is_empty() {
            "They hold no seat, so no seat changes.".to_owned()
        } else {
            let mut sentence = parts.join("; ");
            sentence[..1].make_ascii_uppercase();
            sentence + "."
        }
    }
}

/// SPEC rule 7: an organization always keeps at least one active administrator.
/// `active_admins` counts the organization's active administrators, including this member.
pub fn may_stop_being_active_admin(
    status: MemberStatus,
    permission: Permission,
    active_admins: i64,
) -> Result<(), RuleViolation> {
    if status == MemberStatus::Active && permission == Permission::Admin && active_admins <= 1 {
        Err(RuleViolation(
            "This is the organization's last active administrator: make someone else an administrator first.".into(),
        ))
    } else {
        Ok(())
    }
}

/// How long an invitation link works, from when its mail is sent.
pub const INVITATION_VALID_DAYS: i32 = 7;

/// How long a password reset link works, from when its mail is sent.
pub const RESET_VALID_MINUTES: i32 = 60;

/// How long an applied file can be undone, from when it was applied. Its undo record (a
/// row per member it touched) is kept that long and no longer.
pub const UNDO_HOURS: i32 = 24;

/// SPEC rule 1: a seat is granted only to a member who is not inactive, and only while
/// one is free. `free` is what the pool has left (read under the organization lock).
pub fn may_grant_seat(
    status: MemberStatus,
    kind: SeatKind,
    free: i64,
) -> Result<(), RuleViolation> {
    if status == MemberStatus::Deactivated {
        return Err(RuleViolation(
            "This member is inactive: reactivate them before giving them a seat.".into(),
        ));
    }
    if free <= 0 {
        return Err(RuleViolation(format!(
            "No free {} seat: all are in use. Free one on the Seats page or buy more.",
            kind.label()
        )));
    }
    Ok(())
}

/// Seats bought are edited on the seats page: never below what members hold (SPEC rule 1).
pub fn may_set_seats_bought(pool: SeatPool, wanted: i64) -> Result<(), RuleViolation> {
    let kind = pool.kind.label();
    if wanted < 0 {
        return Err(RuleViolation(format!(
            "{kind} seats bought cannot be negative."
        )));
    }
    if wanted > MAX_SEATS_BOUGHT {
        return Err(RuleViolation(format!(
            "{kind} seats bought can be at most {MAX_SEATS_BOUGHT}."
        )));
    }
    if wanted < pool.held {
        let held = pool.held;
        let holders = if held == 1 {
            format!("1 {kind} seat is held by a member")
        } else {
            format!("{held} {kind} seats are held by members")
        };
        return Err(RuleViolation(format!(
            "{holders}, so you cannot go below {held}. Free seats first (Free unused licenses on the member list)."
        )));
    }
    Ok(())
}

/// The largest seat count an organization can buy here.
pub const MAX_SEATS_BOUGHT: i64 = 1_000_000;

/// "Free unused licenses": the member's Enable seat may go back to the pool only if they
/// hold one and every program is below 10 % (SPEC rule 3).
pub fn may_free_enable_seat(
    has_enable_seat: bool,
    progress: &[Progress],
) -> Result<(), RuleViolation> {
    if !has_enable_seat {
        return Err(RuleViolation("Holds no Enable seat.".into()));
    }
    may_remove_enable_seat(progress)
}

/// A program's progress once `completed` of its `total` lessons are done: rounded down,
/// so that only the last lesson makes 100 %.
pub fn progress_after_lessons(completed: usize, total: usize) -> Progress {
    if total == 0 {
        return Progress::ZERO;
    }
    let bp = (completed.min(total) as u64 * 10_000 / total as u64) as i64;
    Progress::from_basis_points(bp).unwrap_or(Progress::COMPLETE)
}

/// The best progress a member reached, and in which program: what makes a license used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TopProgress {
    pub program: String,
    pub progress: Progress,
}

/// The answer to "why does this seat count?" on the Seats page (SPEC rules 1, 3, 5).
pub fn seat_reason(kind: SeatKind, status: MemberStatus, top: Option<&TopProgress>) -> String {
    let used = top.filter(|t| t.progress.uses_license());
    match (kind, status, used) {
        (SeatKind::Enable, MemberStatus::Deactivated, Some(t)) => format!(
            "Kept by a deactivated member because the license was used: progress reached {} in {}.",
            t.progress, t.program
        ),
        (SeatKind::Enable, MemberStatus::Active, Some(t)) => format!(
            "Held by an active member; the license is used since progress reached {} in {}.",
            t.progress, t.program
        ),
        (SeatKind::Enable, MemberStatus::Invited, Some(t)) => format!(
            "Reserved for an invited member; the license is used (progress {} in {}).",
            t.progress, t.program
        ),
        (SeatKind::Enable, MemberStatus::Active, None) => {
            "Held by an active member (not used yet: every program is below 10 %).".into()
        }
        (SeatKind::Opportunity, MemberStatus::Active, _) => "Held by an active member.".into(),
        (_, MemberStatus::Invited, _) => {
            "Reserved for an invited member who has not set a password yet.".into()
        }
        (_, MemberStatus::Deactivated, _) => "Held by a deactivated member.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(percent: f64) -> Progress {
        Progress::from_percent(percent).unwrap()
    }

    #[test]
    fn unassign_boundary_is_ten_percent() {
        assert!(may_unassign_program(p(0.0)).is_ok());
        assert!(may_unassign_program(p(9.99)).is_ok());
        let err = may_unassign_program(p(10.0)).unwrap_err();
        assert!(err.0.contains("10 %"), "{err}");
        assert_eq!(
            may_unassign_program(p(14.0)).unwrap_err().0,
            "Progress is 14 %: this license is used and cannot be freed."
        );
    }

    #[test]
    fn enable_seat_removal_looks_at_every_program() {
        assert!(may_remove_enable_seat(&[]).is_ok());
        assert!(may_remove_enable_seat(&[p(9.99), p(0.0)]).is_ok());
        assert!(may_remove_enable_seat(&[p(0.0), p(10.0)]).is_err());
        assert!(may_remove_enable_seat(&[p(100.0)]).is_err());
    }

    #[test]
    fn invited_members_are_frozen() {
        assert!(may_change_programs(MemberStatus::Invited, true).is_err());
        assert!(may_change_programs(MemberStatus::Deactivated, true).is_err());
        assert!(may_change_programs(MemberStatus::Active, false).is_err());
        assert!(may_change_programs(MemberStatus::Active, true).is_ok());
    }

    #[test]
    fn deactivation_keeps_a_used_license() {
        let used = deactivation_outcome(true, true, &[p(3.0), p(10.0)]);
        assert_eq!(
            used,
            DeactivationOutcome {
                releases_opportunity: true,
                releases_enable: false,
                keeps_used_enable: true
            }
        );
        assert!(
            used.describe().contains("stays counted"),
            "{}",
            used.describe()
        );
        let unused = deactivation_outcome(true, false, &[p(9.99)]);
        assert!(
            unused.releases_enable && !unused.keeps_used_enable && !unused.releases_opportunity
        );
        assert!(
            unused.describe().starts_with("Their Enable seat returns"),
            "{}",
            unused.describe()
        );
        let none = deactivation_outcome(false, false, &[]);
        assert_eq!(none.describe(), "They hold no seat, so no seat changes.");
    }

    #[test]
    fn last_active_admin_stays() {
        use MemberStatus::*;
        assert!(may_stop_being_active_admin(Active, Permission::Admin, 1).is_err());
        assert!(may_stop_being_active_admin(Active, Permission::Admin, 2).is_ok());
        assert!(may_stop_being_active_admin(Invited, Permission::Admin, 1).is_ok());
        assert!(may_stop_being_active_admin(Active, Permission::Member, 1).is_ok());
    }

    #[test]
    fn seats_are_granted_while_free_and_not_to_inactive_members() {
        use MemberStatus::*;
        assert!(may_grant_seat(Active, SeatKind::Enable, 1).is_ok());
        assert!(may_grant_seat(Invited, SeatKind::Opportunity, 3).is_ok());
        assert!(may_grant_seat(Active, SeatKind::Enable, 0)
            .unwrap_err()
            .0
            .contains("No free Enable seat"));
        assert!(may_grant_seat(Deactivated, SeatKind::Enable, 5)
            .unwrap_err()
            .0
            .contains("reactivate"));
    }

    #[test]
    fn seats_bought_never_go_below_seats_held() {
        let pool = SeatPool::new(SeatKind::Enable, 10, 4);
        assert!(may_set_seats_bought(pool, 4).is_ok());
        assert!(may_set_seats_bought(pool, 25).is_ok());
        assert!(may_set_seats_bought(pool, 3)
            .unwrap_err()
            .0
            .starts_with("4 Enable seats are held by members, so you cannot go below 4."));
        assert!(may_set_seats_bought(pool, -1).is_err());
        assert!(may_set_seats_bought(pool, MAX_SEATS_BOUGHT + 1).is_err());
    }

    #[test]
    fn freeing_needs_a_seat_and_every_program_below_ten_percent() {
        assert!(may_free_enable_seat(true, &[]).is_ok());
        assert!(may_free_enable_seat(true, &[p(9.99), p(0.0)]).is_ok());
        assert!(may_free_enable_seat(true, &[p(9.99), p(10.0)]).is_err());
        assert_eq!(
            may_free_enable_seat(false, &[]).unwrap_err().0,
            "Holds no Enable seat."
        );
    }

    #[test]
    fn lessons_move_progress_and_only_the_last_one_completes() {
        assert_eq!(progress_after_lessons(0, 12), Progress::ZERO);
        assert_eq!(progress_after_lessons(1, 12).basis_points(), 833);
        assert!(!progress_after_lessons(1, 12).uses_license());
        assert!(progress_after_lessons(2, 12).uses_license());
        assert_eq!(progress_after_lessons(11, 12).basis_points(), 9166);
        assert_eq!(progress_after_lessons(12, 12), Progress::COMPLETE);
        assert_eq!(progress_after_lessons(13, 12), Progress::COMPLETE);
        assert_eq!(progress_after_lessons(1, 10), p(10.0));
        assert_eq!(progress_after_lessons(3, 0), Progress::ZERO);
    }

    #[test]
    fn every_held_seat_says_why_it_counts() {
        use MemberStatus::*;
        let used = TopProgress {
            program: "MEDDPICC Masterclass".into(),
            progress: p(14.0),
        };
        let unused = TopProgress {
            program: "MEDDPICC Masterclass".into(),
            progress: p(9.99),
        };
        assert_eq!(
            seat_reason(SeatKind::Enable, Deactivated, Some(&used)),
            "Kept by a deactivated member because the license was used: progress reached 14 % in MEDDPICC Masterclass."
        );
        assert!(seat_reason(SeatKind::Enable, Active, Some(&used)).contains("used since"));
        assert!(seat_reason(SeatKind::Enable, Active, Some(&unused)).contains("not used yet"));
        assert!(seat_reason(SeatKind::Enable, Active, None).contains("not used yet"));
        assert!(seat_reason(SeatKind::Opportunity, Invited, None).contains("invited"));
        // An Opportunity seat is never "used" by progress.
        assert!(!seat_reason(SeatKind::Opportunity, Active, Some(&used)).contains("used since"));
    }

    #[test]
    fn password_reset_links_go_to_active_members_only() {
        assert!(may_send_password_reset(MemberStatus::Active).is_ok());
        assert!(may_send_password_reset(MemberStatus::Invited)
            .unwrap_err()
            .0
            .contains("resend their invitation"));
        assert!(may_send_password_reset(MemberStatus::Deactivated).is_err());
    }
}
