//! The rules of SPEC §2 as pure functions. The page calls them to explain a disabled
//! control; the server calls the same functions, with the rows locked, to decide.

use super::{MemberStatus, Permission, Progress};

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

/// SPEC rule 7: reports need an administrator who holds an Enable seat.
pub fn may_see_reports(permission: Permission, has_enable_seat: bool) -> Result<(), RuleViolation> {
    match (permission, has_enable_seat) {
        (Permission::Admin, true) => Ok(()),
        (Permission::Admin, false) => Err(RuleViolation(
            "Reports need an Enable seat: give yourself one on the Seats page to see them.".into(),
        )),
        (Permission::Member, _) => Err(RuleViolation("Reports are for administrators.".into())),
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
    fn reports_need_an_enable_seat() {
        assert!(may_see_reports(Permission::Admin, true).is_ok());
        assert!(may_see_reports(Permission::Admin, false)
            .unwrap_err()
            .0
            .contains("Enable seat"));
        assert!(may_see_reports(Permission::Member, true).is_err());
    }
}
