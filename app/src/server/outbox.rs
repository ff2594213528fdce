//! The transactional outbox (SPEC §5): emails are rows written in the transaction of the
//! change that causes them, so an invitation is never lost and never sent for a member
//! that was rolled back. The outbox stores a [`Mail`] (its kind and data), and the server's
//! mail worker claims and delivers `pending` rows; without SMTP configured they are `kept`
//! for the development mailbox. What a mail says is the mail kind's business, not this one's.
//! Nothing here logs a mail's content. A mail with a link is stored without it: the link
//! is made when the mail is sent (`links`).

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

/// The most invitation emails (new members and resends) one organization's outbox
/// delivers in an hour: the rest wait their turn, due an hour later for each further
/// thousand. Every invitation still goes out — no member is left without one — but an
/// administrator cannot turn Roster into a bulk mailer. Other mail (a reset link someone
/// waits for, a seat request) is not held up behind them: it has limits of its own.
pub const PER_ORGANIZATION_PER_HOUR: i64 = 1_000;

/// When each of `letters`, written now for `organization_id`, is due (seconds from now):
/// an invitation after the organization's invitations already due in the past hour or
/// later, an hour per [`PER_ORGANIZATION_PER_HOUR`]; anything else at once.
async fn paced(
    conn: &mut PgConnection,
    organization_id: i64,
    letters: &[Letter],
) -> Result<Vec<f64>, AppError> {
    // Reminders are invitations again: a large import's reminders wait their turn too.
    let paced = |l: &Letter| matches!(l.mail, Mail::Invitation(_) | Mail::Reminder(_));
    if !letters.iter().any(paced) {
        return Ok(vec![0.0; letters.len()]);
    }
    let mut already = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM email_outbox
            WHERE organization_id = $1 AND kind IN ('invitation', 'reminder')
              AND next_attempt_at > now() - interval '1 hour'"#,
        organization_id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(letters
        .iter()
        .map(|letter| {
            if !paced(letter) {
                return 0.0;
            }
            let hours = already / PER_ORGANIZATION_PER_HOUR;
            already += 1;
            hours as f64 * 3600.0
        })
        .collect())
}

/// Writes the letters in the caller's transaction, in one statement, each due when the
/// organization's pace allows ([`PER_ORGANIZATION_PER_HOUR`]).
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
        // With SMTP its link is pending, made when it is sent (`links::for_queued_mail`).
        payloads.push(letter.mail.payload());
    }
    // Never the links: a log is read by more people than the mail is meant for.
    if !deliver {
        tracing::info!(
            count = n,
            "mail kept in the development mailbox (no SMTP configured)"
        );
    }
    let due = paced(&mut *conn, organization_id, letters).await?;
    sqlx::query!(
        r#"INSERT INTO email_outbox (organization_id, member_id, kind, to_address, payload, status, next_attempt_at)
           SELECT $1, member_id, kind, to_address, payload, $6, now() + make_interval(secs => due)
             FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::jsonb[], $7::float8[])
                  AS t(member_id, kind, to_address, payload, due)"#,
        organization_id,
        &members as &[Option<i64>],
        &kinds,
        &to,
        &payloads,
        if deliver { "pending" } else { "kept" },
        &due,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
