//! Links made when their mail is sent. An invitation or reset link signs its holder in,
//! so none is at rest: the invitation (or reset) row holds the hash of a token no one has
//! until its mail goes out, the outbox holds which row the link is for ([`PendingLink`])
//! and that hash, and the mail worker makes the token — storing its hash, never the token
//! — in the moment before it hands the message to the mail server. A mail whose row
//! changed since (resent, revoked, used, expired) makes nothing and is not sent. The
//! development mailbox (no SMTP) is where mail is delivered, so its mail gets its link when
//! it is written ([`for_queued_mail`]).

use super::crypto::new_token;
use super::mail::{Link, Mail, Opens, PendingLink};
use crate::domain::rules::RESET_VALID_MINUTES;
use crate::error::AppError;
use sqlx::{PgConnection, PgPool};

/// The slot a pending link fills: the hash a row holds now.
pub fn pending(opens: Opens, digest: &[u8]) -> Link {
    Link::Pending(PendingLink {
        opens,
        slot: hex::encode(digest),
    })
}

/// The link a mail about to be queued carries for the row whose new `token` (hash
/// `digest`) opens `opens`: with SMTP, pending — the token is thrown away and the worker
/// makes another when it sends; without, the development mailbox is where the mail is
/// delivered, so the link itself, at no extra cost (an import of 100,000 invitations makes
/// no second token each).
pub fn for_queued_mail(
    config: &super::RuntimeConfig,
    opens: Opens,
    token: &str,
    digest: &[u8],
) -> Link {
    if config.smtp_configured {
        return pending(opens, digest);
    }
    let url = match opens {
        Opens::Invitation { .. } | Opens::Reminder { .. } => accept_url(&config.public_url, token),
        Opens::Reset { .. } => reset_url(&config.public_url, token),
    };
    Link::Made(url)
}

/// What [`make`] did.
pub enum Made {
    /// The mail has no link to make.
    Nothing,
    /// The link is in the mail; `at_rest` is what the outbox keeps instead (the new slot).
    Link { at_rest: serde_json::Value },
    /// The row changed since the mail was written: no link, no mail.
    Superseded,
}

/// Makes `mail`'s pending link, in the caller's transaction: a fresh token whose hash
/// replaces the slot's, the address put in the mail.
pub async fn make(
    conn: &mut PgConnection,
    public_url: &str,
    mail: &mut Mail,
) -> Result<Made, AppError> {
    let Some(Link::Pending(pending)) = mail.link_mut().map(|l| l.clone()) else {
        return Ok(Made::Nothing);
    };
    let Ok(slot) = hex::decode(&pending.slot) else {
        return Ok(Made::Superseded);
    };
    let (token, digest) = new_token();
    let (filled, url) = match pending.opens {
        Opens::Invitation { member_id } => (
            sqlx::query!(
                "UPDATE invitations SET token_hash = $3
                  WHERE member_id = $1 AND token_hash = $2 AND accepted_at IS NULL",
                member_id,
                slot,
                digest
            )
            .execute(&mut *conn)
            .await?
            .rows_affected(),
            accept_url(public_url, &token),
        ),
        Opens::Reminder { member_id } => (
            sqlx::query!(
                "UPDATE invitation_links l SET token_hash = $3
                   FROM invitations i
                  WHERE l.member_id = $1 AND l.token_hash = $2 AND i.member_id = l.member_id
                    AND i.accepted_at IS NULL AND i.expired_at IS NULL",
                member_id,
                slot,
                digest
            )
            .execute(&mut *conn)
            .await?
            .rows_affected(),
            accept_url(public_url, &token),
        ),
        // The mail says the link works for 60 minutes: from now, when it is sent.
        Opens::Reset { reset_id } => (
            sqlx::query!(
                "UPDATE password_resets
                    SET token_hash = $3, expires_at = now() + make_interval(mins => $4)
                  WHERE id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > now()",
                reset_id,
                slot,
                digest,
                RESET_VALID_MINUTES
            )
            .execute(&mut *conn)
            .await?
            .rows_affected(),
            reset_url(public_url, &token),
        ),
    };
    if filled == 0 {
        return Ok(Made::Superseded);
    }
    if let Some(link) = mail.link_mut() {
        *link = self::pending(pending.opens, &digest);
    }
    let at_rest = mail.payload();
    if let Some(link) = mail.link_mut() {
        *link = Link::Made(url);
    }
    Ok(Made::Link { at_rest })
}

/// The mail of outbox row `id`, ready to send: its link made, and the row keeping the new
/// slot (never the link) — committed before the mail goes, so the link works when it
/// arrives. `None`: superseded, not to be sent.
pub async fn ready_to_send(
    pool: &PgPool,
    public_url: &str,
    id: i64,
    mut mail: Mail,
) -> Result<Option<Mail>, AppError> {
    let mut tx = pool.begin().await?;
    match make(&mut tx, public_url, &mut mail).await? {
        Made::Nothing => return Ok(Some(mail)),
        Made::Superseded => return Ok(None),
        Made::Link { at_rest } => {
            sqlx::query!(
                "UPDATE email_outbox SET payload = $2 WHERE id = $1",
                id,
                at_rest
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Some(mail))
}

/// The address of an invitation link.
pub fn accept_url(public_url: &str, token: &str) -> String {
    format!("{}/invite/{token}", public_url.trim_end_matches('/'))
}

/// The address of a password reset link.
pub fn reset_url(public_url: &str, token: &str) -> String {
    format!(
        "{}/reset-password/{token}",
        public_url.trim_end_matches('/')
    )
}
