//! The development mailbox: the organization's outbox, rendered.

use crate::domain::Access;
use crate::domain::Capability;
use crate::error::AppError;
use crate::model::mailbox::MailboxMessage;
use sqlx::PgPool;

/// The organization's 200 newest messages, as they read.
pub async fn messages(pool: &PgPool, access: &Access) -> Result<Vec<MailboxMessage>, AppError> {
    access.may(Capability::ManageOrganization)?;
    let organization_id = access.organization_id;
    let rows = sqlx::query!(
        r#"SELECT id, kind, to_address, subject, body_text, body_html, payload, status,
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"') AS "created_at!"
             FROM email_outbox WHERE organization_id = $1
            ORDER BY id DESC LIMIT 200"#,
        organization_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let message = if r.status == "sent" && r.payload.is_none() && r.body_text.is_none() {
                // Delivered: only what was sent, to whom and when is kept.
                super::mail::Message {
                    subject: r.subject.unwrap_or_default(),
                    text: "(Delivered. Its content is not kept.)".to_owned(),
                    html: String::new(),
                }
            } else {
                super::mail::stored(&r.kind, r.payload, r.subject, r.body_text, r.body_html)?
            };
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
