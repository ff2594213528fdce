//! Throttling of failed sign-ins, per account and per client address, counted in the
//! database so that every server instance sees the same failures.

use crate::error::AppError;
use sqlx::PgPool;

/// Failed attempts allowed in the window for one account before it is locked.
pub const ACCOUNT_LIMIT: i64 = 5;
/// Failed attempts allowed in the window from one client address (many accounts).
pub const ADDRESS_LIMIT: i64 = 30;
pub const WINDOW_MINUTES: i32 = 15;

/// Refuses with a clear message when the account or the address has failed too often.
pub async fn check(pool: &PgPool, email_lower: &str, address: &str) -> Result<(), AppError> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE email_lower = $1) AS "account!",
                  count(*) FILTER (WHERE ip_address = $2) AS "address!",
                  -- Minutes until the most recent failure leaves the window.
                  ceil(extract(epoch FROM (max(failed_at) + make_interval(mins => $3) - now())) / 60)::int AS minutes_left
             FROM sign_in_failures
            WHERE failed_at > now() - make_interval(mins => $3)
              AND (email_lower = $1 OR ip_address = $2)"#,
        email_lower,
        address,
        WINDOW_MINUTES,
    )
    .fetch_one(pool)
    .await?;
    let minutes = row.minutes_left.unwrap_or(WINDOW_MINUTES).max(1);
    let wait = if minutes == 1 {
        "1 minute".to_owned()
    } else {
        format!("{minutes} minutes")
    };
    if row.account >= ACCOUNT_LIMIT {
        return Err(AppError::invalid(format!(
            "Too many failed sign-ins for this account. For your security it is locked: try again in {wait}, or choose a new password with Forgot password? below."
        )));
    }
    if row.address >= ADDRESS_LIMIT {
        return Err(AppError::invalid(format!(
            "Too many failed sign-ins from your network. Try again in {wait}."
        )));
    }
    Ok(())
}

pub async fn record_failure(
    pool: &PgPool,
    email_lower: &str,
    address: &str,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO sign_in_failures (email_lower, ip_address) VALUES ($1, $2)",
        email_lower,
        address
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A new password (from a reset link) forgives the account's failures, in the caller's
/// transaction.
pub async fn clear_account(
    conn: &mut sqlx::PgConnection,
    email_lower: &str,
) -> Result<(), AppError> {
    sqlx::query!(
        "DELETE FROM sign_in_failures WHERE email_lower = $1",
        email_lower
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A successful sign-in forgives the account's earlier failures.
pub async fn clear(pool: &PgPool, email_lower: &str) -> Result<(), AppError> {
    sqlx::query!(
        "DELETE FROM sign_in_failures WHERE email_lower = $1",
        email_lower
    )
    .execute(pool)
    .await?;
    Ok(())
}
