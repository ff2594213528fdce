use crate::domain::{InviteeDraft, MemberStatus};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// Invites the members of the form in one transaction: all of them, or none and the
/// problems of each. Returns how many were invited.
#[server(input = Json)]
pub async fn invite_members(members: Vec<InviteeDraft>) -> Result<usize, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let ids = crate::server::members::invite(&pool, &viewer, &members).await?;
    tracing::info!(count = ids.len(), by = viewer.member_id, "members invited");
    Ok(ids.len())
}

/// The sentence the confirmation shows before deactivating or revoking.
#[server]
pub async fn deactivation_preview(member_id: i64) -> Result<String, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    Ok(
        crate::server::members::deactivation_preview(&pool, &viewer, member_id)
            .await?
            .describe(),
    )
}

/// Billing status → Deactivate (or revoke an invitation). Returns what happened to seats.
#[server]
pub async fn deactivate_member(member_id: i64) -> Result<String, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    Ok(
        crate::server::members::deactivate(&pool, &viewer, member_id)
            .await?
            .describe(),
    )
}

/// Billing status → Reactivate. Returns the member's new status.
#[server]
pub async fn reactivate_member(member_id: i64) -> Result<MemberStatus, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    crate::server::members::reactivate(&pool, &viewer, member_id).await
}

#[server]
pub async fn resend_invitation(member_id: i64) -> Result<(), AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    crate::server::members::resend_invitation(&pool, &viewer, member_id).await
}

#[server]
pub async fn set_member_permission(member_id: i64, permission: String) -> Result<(), AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let permission =
        crate::domain::Permission::parse(&permission).map_err(|e| AppError::Invalid(e.0))?;
    let pool = crate::server::pool()?;
    crate::server::members::set_permission(&pool, &viewer, member_id, permission).await
}

/// An invitation not yet accepted, with the delivery of its latest email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub member_id: i64,
    pub name: String,
    pub email: String,
    pub sent_at: String,
    pub expires_at: String,
    pub expired: bool,
    /// "Delivered", "Queued (attempt 3: connection refused)", "Kept in the development mailbox".
    pub delivery: String,
}

#[server]
pub async fn pending_invitations() -> Result<Vec<PendingInvitation>, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let rows = sqlx::query!(
        r#"SELECT m.id, m.first_name, m.last_name, m.email,
                  to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS "sent_at!",
                  to_char(i.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS "expires_at!",
                  i.expires_at <= now() AS "expired!",
                  o.status AS "mail_status?", o.attempts AS "attempts?", o.last_error
             FROM members m
             JOIN invitations i ON i.member_id = m.id AND i.accepted_at IS NULL
             LEFT JOIN LATERAL (SELECT status, attempts, last_error FROM email_outbox
                                 WHERE member_id = m.id AND kind = 'invitation'
                                 ORDER BY id DESC LIMIT 1) o ON true
            WHERE m.organization_id = $1 AND m.status = 'invited'
            ORDER BY i.created_at DESC, m.id DESC
            LIMIT 500"#,
        viewer.organization_id
    )
    .fetch_all(&pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PendingInvitation {
            member_id: r.id,
            name: format!("{} {}", r.first_name, r.last_name),
            email: r.email,
            sent_at: r.sent_at,
            expires_at: r.expires_at,
            expired: r.expired,
            delivery: match (r.mail_status.as_deref(), r.attempts.unwrap_or(0)) {
                (Some("sent"), _) => "Delivered".to_owned(),
                (Some("kept"), _) => {
                    "Kept in the development mailbox (no SMTP configured)".to_owned()
                }
                (Some("pending"), 0) => "Queued for delivery".to_owned(),
                (Some("pending"), n) => format!(
                    "Retrying: {n} failed attempt{} ({})",
                    if n == 1 { "" } else { "s" },
                    r.last_error.unwrap_or_default()
                ),
                _ => "No email".to_owned(),
            },
        })
        .collect())
}

/// A message of the outbox, for the development mailbox page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxMessage {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: String,
    pub created_at: String,
}

#[server]
pub async fn mailbox() -> Result<Vec<MailboxMessage>, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let rows = sqlx::query!(
        r#"SELECT id, to_address, subject, body_text, body_html, payload, status,
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"') AS "created_at!"
             FROM email_outbox WHERE organization_id = $1
            ORDER BY id DESC LIMIT 200"#,
        viewer.organization_id
    )
    .fetch_all(&pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let message =
                crate::server::mail::render(r.payload, r.subject, r.body_text, r.body_html)?;
            Some(MailboxMessage {
                id: r.id,
                to: r.to_address,
                subject: message.subject,
                body_text: message.text,
                body_html: message.html,
                status: r.status,
                created_at: r.created_at,
            })
        })
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub details: String,
}

/// The activity log, newest first, 50 entries before the entry `before`.
#[server]
pub async fn activity(before: Option<i64>) -> Result<Vec<ActivityEntry>, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let rows = sqlx::query!(
        r#"SELECT a.id, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"') AS "at!",
                  a.actor_label, a.action, s.email AS "subject?", a.details
             FROM audit_log a LEFT JOIN members s ON s.id = a.subject_member_id
            WHERE a.organization_id = $1 AND ($2::bigint IS NULL OR a.id < $2)
            ORDER BY a.id DESC LIMIT 50"#,
        viewer.organization_id,
        before
    )
    .fetch_all(&pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ActivityEntry {
            id: r.id,
            at: r.at,
            actor: r.actor_label,
            action: describe_action(&r.action).to_owned(),
            subject: r.subject,
            details: describe_details(&r.details),
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn describe_action(action: &str) -> &str {
    match action {
        "organization.created" => "Created the organization",
        "member.invited" => "Invited",
        "invitation.accepted" => "Accepted the invitation",
        "invitation.resent" => "Resent the invitation to",
        "invitation.revoked" => "Revoked the invitation of",
        "member.deactivated" => "Deactivated",
        "member.reactivated" => "Reactivated",
        "member.permission_changed" => "Changed the permission of",
        "members.imported" => "Imported members from a CSV file",
        "seat.granted" => "Gave a seat to",
        "seat.removed" => "Removed a seat from",
        "seats.bought_changed" => "Changed the seats bought",
        "program.assigned" => "Assigned a program to",
        "program.unassigned" => "Unassigned a program from",
        "api_key.created" => "Created an API key",
        "api_key.revoked" => "Revoked an API key",
        "region.created" => "Added a region",
        "region.renamed" => "Renamed a region",
        "region.deleted" => "Deleted a region",
        "team.created" => "Added a team",
        "team.renamed" => "Renamed a team",
        "team.deleted" => "Deleted a team",
        "member.team_changed" => "Changed the team of",
        other => other,
    }
}

#[cfg(feature = "ssr")]
fn describe_details(details: &serde_json::Value) -> String {
    details
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        k.replace('_', " "),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// Bulk action: a new invitation for every invited member of the selection (the given
/// ids, or everyone matching `all_matching`). Returns how many were sent.
#[server(input = Json)]
pub async fn resend_invitations(
    member_ids: Vec<i64>,
    all_matching: Option<crate::api::organization::MemberFilter>,
) -> Result<usize, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    crate::server::members::resend_many(&pool, &viewer, &member_ids, all_matching.as_ref()).await
}
