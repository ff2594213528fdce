//! The transactional outbox (SPEC §5): emails are rows written in the transaction of the
//! change that causes them, so an invitation is never lost and never sent for a member
//! that was rolled back. The outbox stores a [`Mail`] (its kind and data), and the server's
//! mail worker claims and delivers `pending` rows; without SMTP configured they are `kept`
//! for the development mailbox. What a mail says is the mail kind's business, not this one's.
//! Nothing here logs a mail's content: links in it are secrets.

use super::mail::Mail;
use super::RuntimeConfig;
use crate::error::AppError;
use sqlx::PgConnection;

/// A mail to write, and to whom.
pub struct Letter {
    /// The member it is about, when there is one (a note: nothing follows it).
    pub member_id: Option<i64>,
    pub to: String,
    pub mail: Mail,
}

/// Writes the letters in the caller's transaction, in one statement.
pub async fn enqueue(
    conn: &mut PgConnection,
    config: &RuntimeConfig,
    organization_id: i64,
    letters: &[Letter],
) -> Result<(), AppError> {
    let deliver = config.smtp_configured;
    let n = letters.len();
    let (mut members, mut kinds, mut to, mut payloads) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for letter in letters {
        members.push(letter.member_id);
        kinds.push(letter.mail.kind().to_owned());
        to.push(letter.to.clone());
        payloads.push(letter.mail.payload());
    }
    // Never the links: a log is read by more people than the mail is meant for.
    if !deliver {
        tracing::info!(
            count = n,
            "mail kept in the development mailbox (no SMTP configured)"
        );
    }
    sqlx::query!(
        r#"INSERT INTO email_outbox (organization_id, member_id, kind, to_address, payload, status)
           SELECT $1, member_id, kind, to_address, payload, $6
             FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::jsonb[]) AS t(member_id, kind, to_address, payload)"#,
        organization_id,
        &members as &[Option<i64>],
        &kinds,
        &to,
        &payloads,
        if deliver { "pending" } else { "kept" },
    )
    .execute(conn)
    .await?;
    Ok(())
}
