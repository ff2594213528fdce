//! The mail worker: delivers the outbox over SMTP, each message exactly once.
//!
//! A worker claims one due message at a time with a lease (one short statement, committed
//! at once: no transaction is held while it talks to the mail server), sends it, and marks
//! it sent on its own right after the server accepted it. A worker that dies mid-message
//! leaves only that message, which another worker (or the same one restarted) takes again
//! when the lease runs out. Several instances share the work through `FOR UPDATE SKIP
//! LOCKED`. A temporary failure (4xx, a timeout, a dropped connection, no server) is retried
//! with a growing wait, up to ten minutes between tries; a permanent refusal (5xx) ends the
//! message as `failed`, with the server's reason, for Pending invitations to show.

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Clone)]
pub struct MailerConfig {
    /// `smtp://host:port`, `smtp://user:pass@host:587?tls=required` or `smtps://host`.
    pub smtp_url: String,
    /// The sender, e.g. `Roster <no-reply@roster.example>`.
    pub from: String,
    /// Where links in mail lead (`PUBLIC_URL`): they are made when the mail is sent.
    pub public_url: String,
    /// How often to look for due messages when there were none.
    pub poll_interval: Duration,
    /// The first retry waits this long; each further failure doubles it, up to 10 minutes.
    pub base_backoff: Duration,
    /// How long the mail server may take to answer before the try counts as failed.
    pub timeout: Duration,
}

impl MailerConfig {
    pub fn new(smtp_url: String, from: String) -> Self {
        Self {
            smtp_url,
            from,
            public_url: "http://127.0.0.1:3000".into(),
            poll_interval: Duration::from_secs(1),
            base_backoff: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
        }
    }

    /// A claimed message is this worker's for this long: the whole of one try, with room.
    fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(5)
    }
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    config: MailerConfig,
    /// Who holds a lease: this process and worker.
    owner: String,
}

/// How a try ended.
enum Sent {
    Accepted {
        subject: String,
    },
    /// The server refused for good (5xx): the message is not tried again.
    Refused(String),
    /// Try again later.
    Failed(String),
}

impl Mailer {
    pub fn new(config: MailerConfig) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|e| anyhow::anyhow!("SMTP_URL is not usable: {e}"))?
            .timeout(Some(config.timeout))
            .build();
        let from = config
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM {:?} is not an address: {e}", config.from))?;
        Ok(Self {
            transport,
            from,
            config,
            owner: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
        })
    }

    /// Delivers due messages until `stop` turns true; the message being sent then is
    /// finished first (nothing else is held).
    pub fn spawn(
        self,
        pool: PgPool,
        mut stop: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            while !*stop.borrow() {
                let wait = match self.deliver_one(&pool).await {
                    Ok(true) => continue,
                    Ok(false) => self.config.poll_interval,
                    Err(error) => {
                        tracing::warn!(%error, "mail worker: could not read the outbox; will retry");
                        self.config.poll_interval
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    changed = stop.changed() => {
                        // Nobody can tell it to stop any more: keep working.
                        if changed.is_err() {
                            tokio::time::sleep(wait).await;
                        }
                    }
                }
            }
            tracing::info!("mail worker stopped");
        })
    }

    /// Claims one due message, tries it once and records how it went. Returns whether
    /// there was one.
    pub async fn deliver_one(&self, pool: &PgPool) -> Result<bool, sqlx::Error> {
        // The claim: one statement, committed at once.
        let claimed = sqlx::query!(
            "UPDATE email_outbox
                SET lease_owner = $1, lease_until = now() + make_interval(secs => $2)
              WHERE id = (SELECT id FROM email_outbox
                           WHERE status = 'pending' AND next_attempt_at <= now()
                             AND (lease_until IS NULL OR lease_until < now())
                           ORDER BY next_attempt_at, id
                           LIMIT 1
                           FOR UPDATE SKIP LOCKED)
              RETURNING id, kind, to_address, subject, body_text, body_html, payload, attempts",
            self.owner,
            self.config.lease().as_secs_f64(),
        )
        .fetch_optional(pool)
        .await?;
        let Some(row) = claimed else {
            return Ok(false);
        };
        use app::server::mail::{stored, Mail};
        let sent = match row.payload {
            // Rows written before mail had kinds: their text as stored.
            None => match stored(&row.kind, None, row.subject, row.body_text, row.body_html) {
                Some(message) => self.send(&row.to_address, message).await,
                None => Sent::Refused("the stored message could not be read".to_owned()),
            },
            Some(payload) => match Mail::from_stored(&row.kind, payload) {
                None => Sent::Refused("the stored message could not be read".to_owned()),
                // Its link, if it has one, is made now (`links`), just before it goes.
                Some(mail) => {
                    match app::server::links::ready_to_send(pool, &self.config.public_url, row.id, mail)
                        .await
                    {
                        Ok(Some(mail)) => self.send(&row.to_address, mail.render()).await,
                        Ok(None) => Sent::Refused(
                            "Not sent: a newer invitation or link replaced it, or it was revoked, used or expired first.".to_owned(),
                        ),
                        // The database did not answer: tried again later, like a mail
                        // server that did not.
                        Err(_) => Sent::Failed("its link could not be made".to_owned()),
                    }
                }
            },
        };
        match sent {
            Sent::Accepted { subject } => {
                // Sent: keep what was sent, to whom and when, and forget the rest (an
                // invitation's link must not outlive its delivery).
                sqlx::query!(
                    "UPDATE email_outbox
                        SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL,
                            subject = $2, payload = NULL, body_text = NULL, body_html = NULL,
                            lease_owner = NULL, lease_until = NULL
                      WHERE id = $1",
                    row.id,
                    subject,
                )
                .execute(pool)
                .await?;
                tracing::info!(id = row.id, "email delivered");
            }
            Sent::Refused(error) => {
                tracing::warn!(id = row.id, %error, "email refused by the mail server: not retried");
                sqlx::query!(
                    "UPDATE email_outbox
                        SET status = 'failed', attempts = attempts + 1, last_error = $2,
                            lease_owner = NULL, lease_until = NULL
                      WHERE id = $1",
                    row.id,
                    error,
                )
                .execute(pool)
                .await?;
            }
            Sent::Failed(error) => {
                let wait = backoff(self.config.base_backoff, row.attempts);
                tracing::warn!(id = row.id, attempt = row.attempts + 1, %error, retry_in = ?wait, "email not delivered");
                sqlx::query!(
                    "UPDATE email_outbox
                        SET attempts = attempts + 1, last_error = $2,
                            next_attempt_at = now() + make_interval(secs => $3),
                            lease_owner = NULL, lease_until = NULL
                      WHERE id = $1",
                    row.id,
                    error,
                    wait.as_secs_f64(),
                )
                .execute(pool)
                .await?;
            }
        }
        Ok(true)
    }

    async fn send(&self, to: &str, message: app::server::mail::Message) -> Sent {
        let to: Mailbox = match to.parse() {
            Ok(to) => to,
            Err(e) => return Sent::Refused(format!("bad recipient address: {e}")),
        };
        let built = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                message.text,
                message.html,
            ));
        let email = match built {
            Ok(email) => email,
            Err(e) => return Sent::Refused(format!("could not build the message: {e}")),
        };
        match self.transport.send(email).await {
            Ok(_) => Sent::Accepted {
                subject: message.subject,
            },
            Err(e) if e.is_permanent() => Sent::Refused(e.to_string()),
            Err(e) => Sent::Failed(e.to_string()),
        }
    }
}

/// base · 2^attempts, at most ten minutes.
fn backoff(base: Duration, attempts: i32) -> Duration {
    let factor = 2u32.saturating_pow(attempts.clamp(0, 16) as u32);
    base.saturating_mul(factor).min(Duration::from_secs(600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_ten_minutes() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff(base, 0), Duration::from_secs(5));
        assert_eq!(backoff(base, 3), Duration::from_secs(40));
        assert_eq!(backoff(base, 20), Duration::from_secs(600));
    }
}
