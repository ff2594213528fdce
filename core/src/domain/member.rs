use super::FieldError;
use serde::{Deserialize, Serialize};

/// What a member may do: administrators manage the organization, managers follow the
/// members of their teams and regions (`domain::access`), members only learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    Admin,
    Manager,
    Member,
}

impl Permission {
    pub const ALL: [Permission; 3] = [Permission::Admin, Permission::Manager, Permission::Member];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Admin => "admin",
            Permission::Manager => "manager",
            Permission::Member => "member",
        }
    }

    /// Where a member with this permission lands after signing in.
    pub fn home_path(self) -> &'static str {
        match self {
            Permission::Admin | Permission::Manager => "/organization",
            Permission::Member => "/my-programs",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Permission::Admin => "Administrator",
            Permission::Manager => "Team manager",
            Permission::Member => "Member",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "admin" | "administrator" => Ok(Permission::Admin),
            "manager" | "team manager" => Ok(Permission::Manager),
            "member" => Ok(Permission::Member),
            other => Err(FieldError::new(format!(
                "\u{201c}{other}\u{201d} is not a permission: choose admin, manager or member."
            ))),
        }
    }
}

/// A member's lifecycle (SPEC §1): `invited` → `active` ⇄ `deactivated`, and
/// `invited` → `deactivated` when an invitation is revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    Invited,
    Active,
    Deactivated,
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 3] = [
        MemberStatus::Active,
        MemberStatus::Invited,
        MemberStatus::Deactivated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Invited => "invited",
            MemberStatus::Active => "active",
            MemberStatus::Deactivated => "deactivated",
        }
    }

    /// The page calls it *Billing status*: Active, Invited or Inactive.
    pub fn billing_label(self) -> &'static str {
        match self {
            MemberStatus::Invited => "Invited",
            MemberStatus::Active => "Active",
            MemberStatus::Deactivated => "Inactive",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "invited" => Ok(MemberStatus::Invited),
            "active" => Ok(MemberStatus::Active),
            "deactivated" | "inactive" => Ok(MemberStatus::Deactivated),
            other => Err(FieldError::new(format!(
                "\u{201c}{other}\u{201d} is not a billing status: choose active, invited or inactive."
            ))),
        }
    }

    /// Whether the lifecycle allows going from `self` to `to`.
    pub fn may_become(self, to: MemberStatus) -> bool {
        use MemberStatus::*;
        matches!(
            (self, to),
            (Invited, Active)
                | (Invited, Deactivated)
                | (Active, Deactivated)
                | (Deactivated, Active)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MemberStatus::*;

    #[test]
    fn lifecycle_transitions() {
        assert!(Invited.may_become(Active));
        assert!(Invited.may_become(Deactivated));
        assert!(Active.may_become(Deactivated));
        assert!(Deactivated.may_become(Active));
        assert!(!Active.may_become(Invited));
        assert!(!Deactivated.may_become(Invited));
        assert!(!Active.may_become(Active));
    }

    #[test]
    fn round_trips_and_labels() {
        for s in MemberStatus::ALL {
            assert_eq!(MemberStatus::parse(s.as_str()).unwrap(), s);
        }
        assert_eq!(Deactivated.billing_label(), "Inactive");
        assert_eq!(Permission::parse(" Admin ").unwrap(), Permission::Admin);
        assert!(Permission::parse("owner").is_err());
    }
}
