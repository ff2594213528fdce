//! Housekeeping that keeps the session, throttling and apply-progress tables small.

use sqlx::PgPool;
use std::time::Duration;

pub fn spawn(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(error) = sweep(&pool).await {
                tracing::warn!(%error, "maintenance sweep failed; will retry");
            }
        }
    });
}

pub async fn sweep(pool: &PgPool) -> Result<(), sqlx::Error> {
    let sessions = sqlx::query!("DELETE FROM sessions WHERE expires_at < now()")
        .execute(pool)
        .await?
        .rows_affected();
    let failures =
        sqlx::query!("DELETE FROM sign_in_failures WHERE failed_at < now() - interval '1 day'")
            .execute(pool)
            .await?
            .rows_affected();
    // Applies that never ended (a server stopped mid-way, a page closed while sending):
    // their progress rows and the parts sent under them.
    let applies = sqlx::query!(
        "DELETE FROM roster_apply_progress WHERE updated_at < now() - interval '1 day'"
    )
    .execute(pool)
    .await?
    .rows_affected();
    tracing::info!(
        sessions,
        failures,
        applies,
        "expired sessions, old sign-in failures and abandoned applies removed"
    );
    Ok(())
}
