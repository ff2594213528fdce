//! Housekeeping that keeps the tables anyone can add rows to small: sessions, throttling
//! records, reset links, the parts and progress of applies that never ended, and the
//! undo records of files past their undo. Each
//! table is swept by time, through an index, every [`EVERY`]; several instances may sweep
//! at once (a DELETE of what another just deleted deletes nothing).

use sqlx::PgPool;
use std::time::Duration;

/// How often the sweep runs: often enough that an abandoned apply's parts (the largest
/// rows anyone can leave behind) go within [`ABANDONED_APPLY_MINUTES`] and ten minutes.
pub const EVERY: Duration = Duration::from_secs(600);
/// An apply whose page has sent nothing and whose server has reported nothing for this
/// long is abandoned (a closed tab, a stopped server): its parts go.
pub const ABANDONED_APPLY_MINUTES: i32 = 30;

pub fn spawn(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            if let Err(error) = sweep(&pool).await {
                tracing::warn!(%error, "maintenance sweep failed; will retry");
            }
        }
    });
}

/// What one sweep removed, table by table.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub sign_in_failures: u64,
    pub link_failures: u64,
    pub reset_requests: u64,
    pub reset_links: u64,
    pub applies: u64,
    pub reminder_links: u64,
    /// Company sign-ins never finished (the provider never sent the person back).
    pub sso_logins: u64,
    /// REST API idempotency keys older than a day.
    pub idempotency_keys: u64,
    /// Webhook deliveries done or given up more than 30 days ago.
    pub webhook_deliveries: u64,
    /// Change sets whose undo record (what the file did to each member) went, since
    /// they can no longer be undone: applied more than `UNDO_HOURS` ago, or undone.
    pub undo_records: u64,
}

pub async fn sweep(pool: &PgPool) -> Result<Swept, sqlx::Error> {
    let deleted = |query: &'static str| async move {
        sqlx::query(query)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    };
    let swept = Swept {
        sessions: deleted("DELETE FROM sessions WHERE expires_at < now()").await?,
        // The throttles look back 15 minutes; a day keeps them readable for an incident.
        sign_in_failures: deleted(
            "DELETE FROM sign_in_failures WHERE failed_at < now() - interval '1 day'",
        )
        .await?,
        link_failures: deleted(
            "DELETE FROM link_failures WHERE failed_at < now() - interval '1 hour'",
        )
        .await?,
        reset_requests: deleted(
            "DELETE FROM password_reset_requests WHERE requested_at < now() - interval '1 hour'",
        )
        .await?,
        // A reset link that expired opens nothing; its row only tells that one was sent,
        // which the Activity log says too.
        reset_links: deleted("DELETE FROM password_resets WHERE expires_at < now()").await?,
        // Applies that never ended: their progress rows and, by cascade, their parts.
        applies: sqlx::query(
            "DELETE FROM roster_apply_progress
              WHERE updated_at < now() - make_interval(mins => $1)",
        )
        .bind(ABANDONED_APPLY_MINUTES)
        .execute(pool)
        .await?
        .rows_affected(),
        // A reminder's link opens nothing once its invitation ended (accepted or expired;
        // revoked and resent ones go with their invitation).
        reminder_links: deleted(
            "DELETE FROM invitation_links l USING invitations i
              WHERE i.member_id = l.member_id
                AND (i.accepted_at IS NOT NULL OR i.expired_at IS NOT NULL)",
        )
        .await?,
        sso_logins: deleted(
            "DELETE FROM sso_logins WHERE created_at < now() - interval '10 minutes'",
        )
        .await?,
        idempotency_keys: deleted(
            "DELETE FROM api_idempotency WHERE created_at < now() - interval '1 day'",
        )
        .await?,
        webhook_deliveries: deleted(
            "DELETE FROM webhook_deliveries
              WHERE status <> 'pending' AND created_at < now() - interval '30 days'",
        )
        .await?,
        // The change set itself stays (the page lists what was applied, with its counts);
        // only what an undo would read goes (its record).
        undo_records: sqlx::query(
            "UPDATE roster_changes SET undo_record = NULL
              WHERE undo_record IS NOT NULL
                AND (applied_at < now() - make_interval(hours => $1) OR undone_at IS NOT NULL)",
        )
        .bind(app::domain::rules::UNDO_HOURS)
        .execute(pool)
        .await?
        .rows_affected(),
    };
    tracing::info!(?swept, "maintenance sweep");
    Ok(swept)
}

/// How often the webhook worker looks for due deliveries when it found none.
pub const WEBHOOKS_IDLE: Duration = Duration::from_millis(500);

/// Delivers webhooks (`app::server::webhooks::deliver_due`), 50 claimed at a time; every
/// instance runs one, and the leases share the work.
pub fn spawn_webhooks(pool: PgPool, config: app::server::RuntimeConfig) {
    tokio::spawn(async move {
        let client = match app::server::webhooks::client(&config) {
            Ok(client) => client,
            Err(error) => {
                tracing::error!(%error, "webhook worker not started");
                return;
            }
        };
        loop {
            match app::server::webhooks::deliver_due(&pool, &client, config.development, 50).await {
                Ok(0) => tokio::time::sleep(WEBHOOKS_IDLE).await,
                Ok(tried) => tracing::info!(tried, "webhook deliveries tried"),
                Err(error) => {
                    tracing::warn!(%error, "webhook worker failed; will retry");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    });
}

/// How often the licenses worker looks for reminders, expired invitations, scheduled
/// deactivations and seat alerts (each a cheap indexed query when nothing is due).
pub const LICENSES_EVERY: Duration = Duration::from_secs(15);

/// Runs `app::server::licenses::tick` every [`LICENSES_EVERY`] with the wall clock.
pub fn spawn_licenses(pool: PgPool, config: app::server::RuntimeConfig) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(LICENSES_EVERY);
        loop {
            tick.tick().await;
            let now = time::OffsetDateTime::now_utc();
            match app::server::licenses::tick(&pool, &config, now).await {
                Ok(done) if done != Default::default() => {
                    tracing::info!(?done, "licenses worker")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "licenses worker failed; will retry"),
            }
        }
    });
}
