//! The transactional outbox (SPEC §5): emails are rows written in the transaction of the
//! change that causes them, so an invitation is never lost and never sent for a member
//! that was rolled back. The server's mail worker delivers `pending` rows; without SMTP
//! configured they are `kept` for the development mailbox and their links are logged.

use super::invitations::accept_url;
use super::mail;
use crate::error::AppError;
use sqlx::PgConnection;

/// Writes one invitation email per recipient, with the token issued for them.
async fn enqueue_invitations(
    conn: &mut PgConnection,
    config: &super::RuntimeConfig,
    organization_id: i64,
    organization_name: &str,
    inviter_name: &str,
    recipients: &[Recipient<'_>],
    tokens: &[String],
) -> Result<(), AppError> {
    let deliver = config.smtp_configured;
    let n = recipients.len();
    let (mut ids, mut to, mut payloads) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for (m, token) in recipients.iter().zip(tokens) {
        let link = accept_url(&config.public_url, token);
        // Without SMTP the links are logged, so a developer can follow them; a bulk import
        // logs a count instead of thousands of lines.
        if !deliver && recipients.len() <= 20 {
            tracing::info!(to = m.email, %link, "invitation kept (no SMTP configured): accept link");
        }
        let data = mail::InvitationData {
            organization: organization_name.to_owned(),
            inviter: inviter_name.to_owned(),
            first_name: m.first_name.to_owned(),
            link,
        };
        ids.push(m.member_id);
        to.push(m.email.to_owned());
        payloads.push(serde_json::to_value(data).map_err(|_| AppError::Internal)?);
    }
    if !deliver && recipients.len() > 20 {
        tracing::info!(
            count = recipients.len(),
            "invitations kept in the development mailbox (no SMTP configured)"
        );
    }
    sqlx::query!(
        r#"INSERT INTO email_outbox (organization_id, member_id, kind, to_address, payload, status)
           SELECT $1, member_id, 'invitation', to_address, payload, $5
             FROM UNNEST($2::bigint[], $3::text[], $4::jsonb[]) AS t(member_id, to_address, payload)"#,
        organization_id,
        &ids,
        &to,
        &payloads,
        if deliver { "pending" } else { "kept" },
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Someone to (re)invite: a member of the organization.
pub struct Recipient<'a> {
    pub member_id: i64,
    pub email: &'a str,
    pub first_name: &'a str,
}

/// Issues (or replaces) each recipient's invitation token and writes their email, in the
/// caller's transaction.
pub async fn invite(
    conn: &mut PgConnection,
    config: &super::RuntimeConfig,
    organization_id: i64,
    organization_name: &str,
    inviter_name: &str,
    invited_by: Option<i64>,
    recipients: &[Recipient<'_>],
) -> Result<(), AppError> {
    let ids: Vec<i64> = recipients.iter().map(|r| r.member_id).collect();
    let tokens = super::invitations::issue_many(conn, &ids, invited_by).await?;
    enqueue_invitations(
        conn,
        config,
        organization_id,
        organization_name,
        inviter_name,
        recipients,
        &tokens,
    )
    .await
}
