//! The mail worker: delivers the outbox over SMTP, with retries and backoff.
//!
//! Rows are claimed with `FOR UPDATE SKIP LOCKED` inside a transaction that lasts until
//! they are marked sent, so several server instances on one database share the work and
//! each message goes out once. A failed send stays `pending` with a later
//! `next_attempt_at`, so nothing is lost while the mail server is down.

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use std::time::Duration;

#[derive(Clone)]
pub struct MailerConfig {
    /// `smtp://host:port`, `smtp://user:pass@host:587?tls=required` or `smtps://host`.
    pub smtp_url: String,
    /// The sender, e.g. `Roster <no-reply@roster.example>`.
    pub from: String,
    /// How often to look for due messages when there were none.
    pub poll_interval: Duration,
    /// The first retry waits this long; each further failure doubles it, up to 10 minutes.
    pub base_backoff: Duration,
    /// Messages claimed per transaction.
    pub batch_size: i64,
}

impl MailerConfig {
    pub fn new(smtp_url: String, from: String) -> Self {
        Self {
            smtp_url,
            from,
            poll_interval: Duration::from_secs(1),
            base_backoff: Duration::from_secs(5),
            batch_size: 20,
        }
    }
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    config: MailerConfig,
}

impl Mailer {
    pub fn new(config: MailerConfig) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|e| anyhow::anyhow!("SMTP_URL is not usable: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = config
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM {:?} is not an address: {e}", config.from))?;
        Ok(Self {
            transport,
            from,
            config,
        })
    }

    /// Runs forever (until the process ends), delivering due messages.
    pub fn spawn(self, pool: PgPool) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.deliver_due(&pool).await {
                    Ok(0) => tokio::time::sleep(self.config.poll_interval).await,
                    Ok(_) => {}
                    Err(error) => {
                        tracing::warn!(%error, "mail worker: could not read the outbox; will retry");
                        tokio::time::sleep(self.config.poll_interval).await;
                    }
                }
            }
        })
    }

    /// Claims a batch of due messages and tries each once. Returns how many were tried.
    pub async fn deliver_due(&self, pool: &PgPool) -> Result<usize, sqlx::Error> {
        let mut tx = pool.begin().await?;
        let due = sqlx::query!(
            "SELECT id, kind, to_address, subject, body_text, body_html, payload, attempts
               FROM email_outbox
              WHERE status = 'pending' AND next_attempt_at <= now()
              ORDER BY id
              LIMIT $1
              FOR UPDATE SKIP LOCKED",
            self.config.batch_size
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in &due {
            let message = app::server::mail::stored(
                &row.kind,
                row.payload.clone(),
                row.subject.clone(),
                row.body_text.clone(),
                row.body_html.clone(),
            );
            let sent = match message {
                Some(m) => self
                    .send(&row.to_address, &m.subject, &m.text, &m.html)
                    .await
                    .map(|()| m.subject),
                None => Err("the stored message could not be read".to_owned()),
            };
            match sent {
                Ok(subject) => {
                    // Sent: keep what was sent, to whom and when, and forget the rest (an
                    // invitation's link must not outlive its delivery).
                    sqlx::query!(
                        "UPDATE email_outbox
                            SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL,
                                subject = $2, payload = NULL, body_text = NULL, body_html = NULL
                          WHERE id = $1",
                        row.id,
                        subject,
                    )
                    .execute(&mut *tx)
                    .await?;
                    tracing::info!(id = row.id, to = %row.to_address, "email delivered");
                }
                Err(error) => {
                    let wait = backoff(self.config.base_backoff, row.attempts);
                    tracing::warn!(id = row.id, attempt = row.attempts + 1, %error, retry_in = ?wait, "email not delivered");
                    sqlx::query!(
                        "UPDATE email_outbox
                            SET attempts = attempts + 1, last_error = $2,
                                next_attempt_at = now() + make_interval(secs => $3)
                          WHERE id = $1",
                        row.id,
                        error,
                        wait.as_secs_f64(),
                    )
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(due.len())
    }

    async fn send(&self, to: &str, subject: &str, text: &str, html: &str) -> Result<(), String> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| format!("bad recipient address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .multipart(MultiPart::alternative_plain_html(
                text.to_owned(),
                html.to_owned(),
            ))
            .map_err(|e| format!("could not build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
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
