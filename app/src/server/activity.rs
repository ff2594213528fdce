//! The activity log: who did what to whom, written in the transaction of the change, and
//! read back in words for the Activity page.

use crate::domain::Access;
use crate::domain::Capability;
use crate::error::AppError;
use crate::model::activity::ActivityEntry;
use sqlx::{PgConnection, PgPool};

/// What was done. Stored by [`Action::key`]; [`Action::words`] is how the Activity page
/// says it (followed by the member it was done to, if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    OrganizationCreated,
    MemberInvited,
    InvitationAccepted,
    InvitationResent,
    InvitationRevoked,
    MemberDeactivated,
    MemberReactivated,
    PermissionChanged,
    MembersImported,
    SeatGranted,
    SeatRemoved,
    SeatsBoughtChanged,
    SeatsRequested,
    ProgramAssigned,
    ProgramUnassigned,
    ApiKeyCreated,
    ApiKeyRevoked,
    RegionCreated,
    RegionRenamed,
    RegionDeleted,
    TeamCreated,
    TeamRenamed,
    TeamDeleted,
    TeamChanged,
    PasswordResetSent,
    PasswordReset,
    PasswordChanged,
    ChangedByFile,
    ScopeChanged,
    SettingChanged,
    InvitationReminded,
    InvitationExpired,
    DeactivationScheduled,
    DeactivationUnscheduled,
    ScheduledDeactivationSkipped,
    SeatAlertSent,
    SeatWaitlisted,
    ProvisionedChanged,
    WayBackInUsed,
}

impl Action {
    pub const ALL: [Action; 39] = [
        Action::OrganizationCreated,
        Action::MemberInvited,
        Action::InvitationAccepted,
        Action::InvitationResent,
        Action::InvitationRevoked,
        Action::MemberDeactivated,
        Action::MemberReactivated,
        Action::PermissionChanged,
        Action::MembersImported,
        Action::SeatGranted,
        Action::SeatRemoved,
        Action::SeatsBoughtChanged,
        Action::SeatsRequested,
        Action::ProgramAssigned,
        Action::ProgramUnassigned,
        Action::ApiKeyCreated,
        Action::ApiKeyRevoked,
        Action::RegionCreated,
        Action::RegionRenamed,
        Action::RegionDeleted,
        Action::TeamCreated,
        Action::TeamRenamed,
        Action::TeamDeleted,
        Action::TeamChanged,
        Action::PasswordResetSent,
        Action::PasswordReset,
        Action::PasswordChanged,
        Action::ChangedByFile,
        Action::ScopeChanged,
        Action::SettingChanged,
        Action::InvitationReminded,
        Action::InvitationExpired,
        Action::DeactivationScheduled,
        Action::DeactivationUnscheduled,
        Action::ScheduledDeactivationSkipped,
        Action::SeatAlertSent,
        Action::SeatWaitlisted,
        Action::ProvisionedChanged,
        Action::WayBackInUsed,
    ];

    /// The key stored in `audit_log.action`.
    pub fn key(self) -> &'static str {
        self.parts().0
    }

    /// The words of the Activity page.
    pub fn words(self) -> &'static str {
        self.parts().1
    }

    fn parts(self) -> (&'static str, &'static str) {
        match self {
            Action::OrganizationCreated => ("organization.created", "Created the organization"),
            Action::MemberInvited => ("member.invited", "Invited"),
            Action::InvitationAccepted => ("invitation.accepted", "Accepted the invitation"),
            Action::InvitationResent => ("invitation.resent", "Resent the invitation to"),
            Action::InvitationRevoked => ("invitation.revoked", "Revoked the invitation of"),
            Action::MemberDeactivated => ("member.deactivated", "Deactivated"),
            Action::MemberReactivated => ("member.reactivated", "Reactivated"),
            Action::PermissionChanged => ("member.permission_changed", "Changed the permission of"),
            Action::MembersImported => ("members.imported", "Imported members from a CSV file"),
            Action::SeatGranted => ("seat.granted", "Gave a seat to"),
            Action::SeatRemoved => ("seat.removed", "Removed a seat from"),
            Action::SeatsBoughtChanged => ("seats.bought_changed", "Changed the seats bought"),
            Action::SeatsRequested => ("seats.requested", "Asked the vendor for more seats"),
            Action::ProgramAssigned => ("program.assigned", "Assigned a program to"),
            Action::ProgramUnassigned => ("program.unassigned", "Unassigned a program from"),
            Action::ApiKeyCreated => ("api_key.created", "Created an API key"),
            Action::ApiKeyRevoked => ("api_key.revoked", "Revoked an API key"),
            Action::RegionCreated => ("region.created", "Added a region"),
            Action::RegionRenamed => ("region.renamed", "Renamed a region"),
            Action::RegionDeleted => ("region.deleted", "Deleted a region"),
            Action::TeamCreated => ("team.created", "Added a team"),
            Action::TeamRenamed => ("team.renamed", "Renamed a team"),
            Action::TeamDeleted => ("team.deleted", "Deleted a team"),
            Action::TeamChanged => ("member.team_changed", "Changed the team of"),
            Action::PasswordResetSent => ("password.reset_sent", "Sent a password reset link to"),
            Action::PasswordReset => ("password.reset", "Set a new password from a reset link:"),
            Action::PasswordChanged => ("password.changed", "Changed the password of"),
            Action::ChangedByFile => ("member.changed_by_file", "Changed from a file:"),
            Action::ScopeChanged => (
                "manager.scope_changed",
                "Changed the teams and regions managed by",
            ),
            Action::SettingChanged => (
                "organization.setting_changed",
                "Changed a setting of the organization",
            ),
            Action::InvitationReminded => (
                "invitation.reminded",
                "Sent a reminder of the invitation to",
            ),
            Action::InvitationExpired => ("invitation.expired", "Expired the invitation of"),
            Action::DeactivationScheduled => (
                "member.deactivation_scheduled",
                "Scheduled the deactivation of",
            ),
            Action::DeactivationUnscheduled => (
                "member.deactivation_unscheduled",
                "Cancelled the scheduled deactivation of",
            ),
            Action::ScheduledDeactivationSkipped => (
                "member.scheduled_deactivation_skipped",
                "Could not carry out the scheduled deactivation of",
            ),
            Action::SeatAlertSent => (
                "seats.alert_sent",
                "Warned the administrators that seats run low",
            ),
            Action::SeatWaitlisted => ("seat.waitlisted", "Put on the seat waitlist:"),
            Action::ProvisionedChanged => (
                "member.provisioned_changed",
                "Changed from the identity provider:",
            ),
            Action::WayBackInUsed => (
                "sso.way_back_in_used",
                "Signed in with a password while SSO is required (the way back in):",
            ),
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }
}

/// One entry, in the caller's transaction.
pub async fn record(
    conn: &mut PgConnection,
    actor: &Access,
    action: Action,
    subject_member_id: Option<i64>,
    details: serde_json::Value,
) -> Result<(), AppError> {
    sqlx::query!(
        r#"INSERT INTO audit_log (organization_id, actor_member_id, actor_label, action, subject_member_id, details)
           VALUES ($1, $2, $3, $4, $5, $6)"#,
        actor.organization_id,
        actor.member_id(),
        actor.label,
        action.key(),
        subject_member_id,
        details,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One entry per subject, with its own details, in one statement.
pub async fn record_many(
    conn: &mut PgConnection,
    actor: &Access,
    action: Action,
    subject_member_ids: &[i64],
    details: &[serde_json::Value],
) -> Result<(), AppError> {
    sqlx::query!(
        r#"INSERT INTO audit_log (organization_id, actor_member_id, actor_label, action, subject_member_id, details)
           SELECT $1, $2, $3, $4, subject, detail FROM UNNEST($5::bigint[], $6::jsonb[]) AS t(subject, detail)"#,
        actor.organization_id,
        actor.member_id(),
        actor.label,
        action.key(),
        subject_member_ids,
        details,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The organization's log, newest first: 50 entries before the entry `before`.
pub async fn entries(
    pool: &PgPool,
    access: &Access,
    before: Option<i64>,
) -> Result<Vec<ActivityEntry>, AppError> {
    access.may(Capability::ManageOrganization)?;
    let organization_id = access.organization_id;
    let rows = sqlx::query!(
        r#"SELECT a.id, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"') AS "at!",
                  a.actor_label, a.action, s.email AS "subject?", a.details
             FROM audit_log a LEFT JOIN members s ON s.id = a.subject_member_id
            WHERE a.organization_id = $1 AND ($2::bigint IS NULL OR a.id < $2)
            ORDER BY a.id DESC LIMIT 50"#,
        organization_id,
        before
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ActivityEntry {
            id: r.id,
            at: r.at,
            actor: r.actor_label,
            action: Action::from_key(&r.action).map_or(r.action, |a| a.words().to_owned()),
            subject: r.subject,
            details: describe_details(&r.details),
        })
        .collect())
}

/// `{"enable_seat": true}` as "enable seat: true".
fn describe_details(details: &serde_json::Value) -> String {
    details
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .filter(|(_, v)| !v.is_null() && *v != &serde_json::Value::Bool(false))
                .map(|(k, v)| match (k.as_str(), v.as_array()) {
                    // A file's changes: `job_title “A” → “B”; team “…” → “…”`.
                    ("changes", Some(changes)) => changes
                        .iter()
                        .map(|c| {
                            let text = |key: &str| c[key].as_str().unwrap_or_default().to_owned();
                            format!(
                                "{} \u{201c}{}\u{201d} → \u{201c}{}\u{201d}",
                                text("field"),
                                text("from"),
                                text("to")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    _ => format!(
                        "{}: {}",
                        k.replace('_', " "),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                    ),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn every_action_has_its_own_key_and_reads_back() {
        for action in Action::ALL {
            assert_eq!(Action::from_key(action.key()), Some(action));
        }
        let mut keys: Vec<_> = Action::ALL.iter().map(|a| a.key()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), Action::ALL.len());
    }
}
