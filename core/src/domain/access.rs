//! Who may act on whom: one value, [`Access`], made once where a request comes in (the
//! session, an API key, the command line) and handed to every server function that reads
//! or changes an organization's data; and the rules that depend on who acts, as pure
//! functions the pages call to explain and the server calls to decide.

use super::Permission;
use serde::{Deserialize, Serialize};

/// Who acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Who {
    /// A signed-in member (or one acting on their own invitation or reset link).
    Member { member_id: i64 },
    /// An organization's API key.
    ApiKey { key_id: i64, scopes: Vec<KeyScope> },
    /// The organization's identity provider, by its provisioning token (an API key with
    /// the provisioning scope alone), through SCIM.
    IdentityProvider { key_id: i64 },
    /// The operator's command line or the demo seed, on behalf of the organization.
    Operator,
    /// The vendor who sells seats, through the operator's command line.
    Vendor,
}

/// What an API key may do. Keys made before scopes existed hold `Progress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KeyScope {
    /// `POST /api/v1/progress`: report a member's progress in a program.
    Progress,
    /// The REST API's reads: members, teams and regions, programs and progress, seats.
    MembersRead,
    /// The REST API's writes: invite, change, deactivate and reactivate members; ask
    /// the vendor for seats.
    MembersWrite,
    /// SCIM provisioning by the organization's identity provider (`/scim/v2`).
    Provisioning,
    /// The activity log: read, filtered, and exported.
    Activity,
}

impl KeyScope {
    pub const ALL: [KeyScope; 5] = [
        KeyScope::MembersRead,
        KeyScope::MembersWrite,
        KeyScope::Progress,
        KeyScope::Activity,
        KeyScope::Provisioning,
    ];

    /// How the database stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyScope::Progress => "progress",
            KeyScope::MembersRead => "members:read",
            KeyScope::MembersWrite => "members:write",
            KeyScope::Provisioning => "provisioning",
            KeyScope::Activity => "activity",
        }
    }

    /// How the REST API's reference names it (`read`, `write`, `progress`, `activity`).
    pub fn api_name(self) -> &'static str {
        match self {
            KeyScope::Progress => "progress",
            KeyScope::MembersRead => "read",
            KeyScope::MembersWrite => "write",
            KeyScope::Provisioning => "provisioning",
            KeyScope::Activity => "activity",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// How the API keys page names it.
    pub fn label(self) -> &'static str {
        match self {
            KeyScope::Progress => "Report progress",
            KeyScope::MembersRead => "Read (members, teams, programs, progress, seats)",
            KeyScope::MembersWrite => "Write (invite, change, deactivate members; ask for seats)",
            KeyScope::Activity => "Activity (read and export the log)",
            KeyScope::Provisioning => "Provisioning (SCIM, for your identity provider)",
        }
    }
}

/// The part of the organization someone may see and change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// All of it: administrators, the operator, the vendor, API keys.
    Organization,
    /// The members of these teams (a managed region counts as each of its teams, resolved
    /// when the access is made). Empty for a member, who sees no one else.
    Teams(Vec<i64>),
}

impl Scope {
    /// The teams to narrow queries to: `None` is the whole organization. This is what the
    /// SQL function `scoped_members` takes.
    pub fn teams(&self) -> Option<Vec<i64>> {
        match self {
            Scope::Organization => None,
            Scope::Teams(teams) => Some(teams.clone()),
        }
    }

    /// `teams` (`None`: the organization) narrowed to this scope: what a report of a
    /// region, a team or the organization covers for who asks.
    pub fn narrow(&self, teams: Option<Vec<i64>>) -> Option<Vec<i64>> {
        match (self, teams) {
            (Scope::Organization, teams) => teams,
            (Scope::Teams(mine), None) => Some(mine.clone()),
            (Scope::Teams(mine), Some(teams)) => {
                Some(teams.into_iter().filter(|t| mine.contains(t)).collect())
            }
        }
    }

    /// Whether a member of team `team` is inside.
    pub fn holds(&self, team: Option<i64>) -> bool {
        match self {
            Scope::Organization => true,
            Scope::Teams(teams) => team.is_some_and(|t| teams.contains(&t)),
        }
    }
}

/// What someone asks to do, in the words of the rules below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// My Organization, a member's page, their progress (within the scope).
    SeeMembers,
    /// Reports (within the scope; SPEC rule 7 also asks for an Enable seat).
    SeeReports,
    /// A new invitation mail for invited members (within the scope).
    ResendInvitations,
    /// Seats, programs, billing status, team and permission of members; imports and
    /// change sets; password reset mails for others.
    ChangeMembers,
    /// Seats bought, teams and regions, API keys, settings, the activity log, the
    /// development mailbox.
    ManageOrganization,
    /// Report progress through the API.
    ReportProgress,
    /// Create, change and deactivate members and map groups to teams, as the
    /// organization's identity provider (SCIM).
    Provision,
    /// The activity log and its export.
    SeeActivity,
    /// Ask the vendor for more seats.
    RequestSeats,
    /// Webhook endpoints: add, test, remove, read their deliveries.
    ManageWebhooks,
}

/// Why an action was refused for who acts; `NotFound` is for what lies outside their
/// scope, so that its existence is not told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Forbidden,
    NotFound,
    Rule(String),
}

/// One organization, who acts in it, their role, and the part they may see and change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub organization_id: i64,
    pub organization_name: String,
    pub who: Who,
    /// The role that decides: a member's permission; administrators' for the operator,
    /// the vendor and API keys (whose own scopes narrow what they reach).
    pub role: Permission,
    pub scope: Scope,
    /// Whether who acts holds an Enable seat (SPEC rule 7).
    pub enable_seat: bool,
    /// The organization's setting: managers may invite into their teams.
    pub managers_may_invite: bool,
    /// How the activity log names them: an email address, "command line", a key's name.
    pub label: String,
    /// How an invitation email names who invited.
    pub name: String,
}

impl Access {
    /// The operator acting for an organization (`label`: "command line", "demo seed").
    pub fn operator(organization_id: i64, organization_name: &str, label: &str) -> Self {
        Self {
            organization_id,
            organization_name: organization_name.to_owned(),
            who: Who::Operator,
            role: Permission::Admin,
            scope: Scope::Organization,
            enable_seat: true,
            managers_may_invite: false,
            label: label.to_owned(),
            name: format!("The administrators of {organization_name}"),
        }
    }

    /// The vendor, who sells the seats, acting through the operator's command line.
    pub fn vendor(organization_id: i64) -> Self {
        Self {
            who: Who::Vendor,
            label: "the vendor (command line)".to_owned(),
            name: "Roster".to_owned(),
            ..Self::operator(organization_id, "", "")
        }
    }

    /// A member acting for themself without a session yet (accepting an invitation,
    /// setting a new password from a reset link): they reach only themself.
    pub fn member_self(organization_id: i64, member_id: i64, email: &str) -> Self {
        Self {
            organization_id,
            organization_name: String::new(),
            who: Who::Member { member_id },
            role: Permission::Member,
            scope: Scope::Teams(Vec::new()),
            enable_seat: false,
            managers_may_invite: false,
            label: email.to_owned(),
            name: email.to_owned(),
        }
    }

    /// The member who acts, if a member does.
    pub fn member_id(&self) -> Option<i64> {
        match self.who {
            Who::Member { member_id } => Some(member_id),
            _ => None,
        }
    }

    /// The member who acts, for what only a member does (their own programs, password,
    /// a seat request that names them): anyone else is refused.
    pub fn acting_member(&self) -> Result<i64, Refusal> {
        self.member_id().ok_or(Refusal::Forbidden)
    }

    /// Whether who acts may do `what` at all (before looking at which member).
    pub fn may(&self, what: Capability) -> Result<(), Refusal> {
        if let Who::IdentityProvider { .. } = &self.who {
            return if what == Capability::Provision {
                Ok(())
            } else {
                Err(Refusal::Forbidden)
            };
        }
        if let Who::ApiKey { scopes, .. } = &self.who {
            let needed = match what {
                Capability::ReportProgress => KeyScope::Progress,
                Capability::SeeMembers => KeyScope::MembersRead,
                Capability::ChangeMembers | Capability::RequestSeats => KeyScope::MembersWrite,
                Capability::SeeActivity => KeyScope::Activity,
                _ => return Err(Refusal::Forbidden),
            };
            return if scopes.contains(&needed) {
                Ok(())
            } else {
                Err(Refusal::Forbidden)
            };
        }
        may(self.role, what)?;
        if what == Capability::SeeReports {
            may_see_reports(self.role, self.enable_seat).map_err(Refusal::Rule)?;
        }
        Ok(())
    }

    /// Whether who acts may see or act on a member of team `team` (after [`Access::may`]):
    /// outside the scope is "not found".
    pub fn reaches(&self, team: Option<i64>) -> Result<(), Refusal> {
        if self.scope.holds(team) {
            Ok(())
        } else {
            Err(Refusal::NotFound)
        }
    }

    /// Whether who acts may invite members into `team`: administrators anywhere; managers
    /// into a team they manage, when the organization allows it.
    pub fn may_invite_into(&self, team: Option<i64>) -> Result<(), Refusal> {
        match self.role {
            // A key invites with the write scope, anywhere in the organization.
            Permission::Admin if matches!(self.who, Who::ApiKey { .. }) => {
                self.may(Capability::ChangeMembers)
            }
            Permission::Admin if !matches!(self.who, Who::IdentityProvider { .. }) => Ok(()),
            Permission::Manager if self.managers_may_invite => match team {
                Some(_) if self.scope.holds(team) => Ok(()),
                Some(_) => Err(Refusal::NotFound),
                None => Err(Refusal::Rule(
                    "Choose one of your teams for the people you invite.".into(),
                )),
            },
            Permission::Manager => Err(Refusal::Rule(
                "Your organization lets only administrators invite members: ask one of them."
                    .into(),
            )),
            _ => Err(Refusal::Forbidden),
        }
    }
}

/// Whether `role` may give someone `permission` (inviting them with it, or changing theirs):
/// only administrators make administrators and managers.
pub fn may_give_permission(role: Permission, permission: Permission) -> Result<(), Refusal> {
    match (role, permission) {
        (Permission::Admin, _) | (_, Permission::Member) => Ok(()),
        _ => Err(Refusal::Rule(
            "Team managers invite members only: an administrator makes someone an administrator or a team manager."
                .into(),
        )),
    }
}

/// What each role may do. API keys are judged by their scopes instead ([`Access::may`]).
pub fn may(role: Permission, what: Capability) -> Result<(), Refusal> {
    use Capability::*;
    let allowed = match role {
        // Progress and provisioning come from other programs, with keys made for them.
        Permission::Admin => !matches!(what, ReportProgress | Provision),
        Permission::Manager => matches!(what, SeeMembers | SeeReports | ResendInvitations),
        Permission::Member => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Refusal::Forbidden)
    }
}

/// SPEC rule 7: reports need an administrator or a manager who holds an Enable seat.
pub fn may_see_reports(role: Permission, has_enable_seat: bool) -> Result<(), String> {
    match (role, has_enable_seat) {
        (Permission::Admin | Permission::Manager, true) => Ok(()),
        (Permission::Admin | Permission::Manager, false) => Err(
            "Reports need an Enable seat: ask an administrator for one (administrators can give themselves one on their member page)."
                .into(),
        ),
        (Permission::Member, _) => {
            Err("Reports are for administrators and team managers.".into())
        }
    }
}

/// The most teams and regions one manager manages (a bound on what a form can send).
pub const MAX_MANAGED: usize = 50;

#[cfg(test)]
mod tests {
    use super::*;

    fn manager(teams: Vec<i64>, invite: bool) -> Access {
        Access {
            role: Permission::Manager,
            scope: Scope::Teams(teams),
            managers_may_invite: invite,
            enable_seat: false,
            who: Who::Member { member_id: 9 },
            ..Access::operator(1, "Acme", "x")
        }
    }

    #[test]
    fn each_role_may_what_it_may() {
        use Capability::*;
        for what in [
            SeeMembers,
            SeeReports,
            ResendInvitations,
            ChangeMembers,
            ManageOrganization,
        ] {
            assert!(may(Permission::Admin, what).is_ok(), "{what:?}");
            assert_eq!(may(Permission::Member, what), Err(Refusal::Forbidden));
        }
        assert!(may(Permission::Manager, SeeMembers).is_ok());
        assert!(may(Permission::Manager, ResendInvitations).is_ok());
        assert_eq!(
            may(Permission::Manager, ChangeMembers),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            may(Permission::Manager, ManageOrganization),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            may(Permission::Admin, ReportProgress),
            Err(Refusal::Forbidden)
        );
        assert_eq!(may(Permission::Admin, Provision), Err(Refusal::Forbidden));
    }

    #[test]
    fn reports_need_an_enable_seat_for_managers_too() {
        let mut m = manager(vec![1], false);
        assert!(matches!(
            m.may(Capability::SeeReports),
            Err(Refusal::Rule(_))
        ));
        m.enable_seat = true;
        assert!(m.may(Capability::SeeReports).is_ok());
        assert!(may_see_reports(Permission::Member, true).is_err());
    }

    #[test]
    fn a_manager_reaches_only_their_teams() {
        let m = manager(vec![1, 2], false);
        assert!(m.reaches(Some(1)).is_ok());
        assert_eq!(m.reaches(Some(3)), Err(Refusal::NotFound));
        assert_eq!(m.reaches(None), Err(Refusal::NotFound));
        assert!(Access::operator(1, "Acme", "x").reaches(None).is_ok());
    }

    #[test]
    fn a_report_covers_what_both_the_choice_and_the_scope_hold() {
        let mine = Scope::Teams(vec![1, 2]);
        assert_eq!(mine.narrow(None), Some(vec![1, 2]));
        assert_eq!(mine.narrow(Some(vec![2, 3])), Some(vec![2]));
        assert_eq!(mine.narrow(Some(vec![3])), Some(vec![]));
        assert_eq!(Scope::Organization.narrow(None), None);
        assert_eq!(Scope::Organization.narrow(Some(vec![3])), Some(vec![3]));
    }

    #[test]
    fn managers_invite_into_their_teams_when_allowed() {
        assert!(matches!(
            manager(vec![1], false).may_invite_into(Some(1)),
            Err(Refusal::Rule(_))
        ));
        let m = manager(vec![1], true);
        assert!(m.may_invite_into(Some(1)).is_ok());
        assert_eq!(m.may_invite_into(Some(2)), Err(Refusal::NotFound));
        assert!(matches!(m.may_invite_into(None), Err(Refusal::Rule(_))));
    }

    #[test]
    fn only_administrators_make_administrators_and_managers() {
        assert!(may_give_permission(Permission::Admin, Permission::Manager).is_ok());
        assert!(may_give_permission(Permission::Manager, Permission::Member).is_ok());
        assert!(may_give_permission(Permission::Manager, Permission::Admin).is_err());
        assert!(may_give_permission(Permission::Manager, Permission::Manager).is_err());
    }

    #[test]
    fn api_keys_do_what_their_scopes_say() {
        let key = |scopes: Vec<KeyScope>| Access {
            who: Who::ApiKey { key_id: 1, scopes },
            ..Access::operator(1, "Acme", "key")
        };
        let progress = key(vec![KeyScope::Progress]);
        assert!(progress.may(Capability::ReportProgress).is_ok());
        assert_eq!(
            progress.may(Capability::SeeMembers),
            Err(Refusal::Forbidden)
        );
        assert!(key(vec![KeyScope::MembersRead])
            .may(Capability::SeeMembers)
            .is_ok());
        assert_eq!(
            key(KeyScope::ALL.to_vec()).may(Capability::ManageOrganization),
            Err(Refusal::Forbidden)
        );
        assert_eq!(progress.may_invite_into(None), Err(Refusal::Forbidden));
        assert_eq!(progress.may(Capability::Provision), Err(Refusal::Forbidden));
        assert_eq!(
            key(KeyScope::ALL.to_vec()).may(Capability::Provision),
            Err(Refusal::Forbidden)
        );
        let provider = Access {
            who: Who::IdentityProvider { key_id: 2 },
            ..Access::operator(1, "Acme", "token")
        };
        assert!(provider.may(Capability::Provision).is_ok());
        for what in [
            Capability::ChangeMembers,
            Capability::ManageOrganization,
            Capability::SeeMembers,
        ] {
            assert_eq!(provider.may(what), Err(Refusal::Forbidden));
        }
        assert_eq!(provider.may_invite_into(None), Err(Refusal::Forbidden));
        for scope in KeyScope::ALL {
            assert_eq!(KeyScope::parse(scope.as_str()), Some(scope));
        }
    }
}
