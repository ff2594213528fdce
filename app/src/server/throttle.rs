//! Throttling of sign-ins, counted in the database so every server instance sees the same
//! attempts. An attempt is admitted — and counted as a failure — *before* its password is
//! checked, one at a time per account and client address (a transaction-scoped advisory
//! lock), so a burst of any size gets at most [`PAIR_LIMIT`] passwords checked. The pair
//! is throttled strictly and the client address alone loosely: someone guessing from
//! elsewhere cannot lock a person out, and an office behind one address is not locked out
//! by one person's guessing.

use crate::error::AppError;
use sqlx::PgPool;

/// Failed attempts allowed in the window for one account from one client address.
pub const PAIR_LIMIT: i64 = 5;
/// Failed attempts allowed in the window from one client address, over all accounts.
pub const ADDRESS_LIMIT: i64 = 100;
pub const WINDOW_MINUTES: i32 = 15;

/// An admitted attempt: it counts as a failure until [`succeeded`] says otherwise.
#[must_use = "an attempt is settled with `failed` or `succeeded`"]
pub struct Attempt {
    id: i64,
}

/// Admits one attempt on `email_lower` from `address`, or refuses with a clear message
/// when too many failed before. Counted and recorded in one transaction under a lock on
/// the pair, so concurrent attempts are admitted one after another.
pub async fn admit(pool: &PgPool, email_lower: &str, address: &str) -> Result<Attempt, AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 7263))",
        email_lower,
        address
    )
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE email_lower = $1) AS "pair!",
                  count(*) AS "address!",
                  -- Minutes until the most recent failure leaves the window.
                  ceil(extract(epoch FROM (max(failed_at) + make_interval(mins => $3) - now())) / 60)::int AS minutes_left
             FROM sign_in_failures
            WHERE failed_at > now() - make_interval(mins => $3) AND ip_address = $2"#,
        email_lower,
        address,
        WINDOW_MINUTES,
    )
    .fetch_one(&mut *tx)
    .await?;
    let minutes = row.minutes_left.unwrap_or(WINDOW_MINUTES).max(1);
    let wait = if minutes == 1 {
        "1 minute".to_owned()
    } else {
        format!("{minutes} minutes")
    };
    if row.pair >= PAIR_LIMIT {
        return Err(AppError::TooManyRequests(format!(
            "Too many failed sign-ins for this account. For your security it is locked: try again in {wait}, or choose a new password with Forgot password? below."
        )));
    }
    if row.address >= ADDRESS_LIMIT {
        return Err(AppError::TooManyRequests(format!(
            "Too many failed sign-ins from your network. Try again in {wait}."
        )));
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO sign_in_failures (email_lower, ip_address, settled) VALUES ($1, $2, false) RETURNING id",
        email_lower,
        address
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Attempt { id })
}

/// The password was wrong: the attempt stays counted.
pub async fn failed(pool: &PgPool, attempt: Attempt) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE sign_in_failures SET settled = true WHERE id = $1",
        attempt.id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The password was right: this attempt and the pair's finished failures before it are
/// forgiven — never attempts still being checked (another request's guess).
pub async fn succeeded(pool: &PgPool, attempt: Attempt) -> Result<(), AppError> {
    sqlx::query!(
        "DELETE FROM sign_in_failures f USING sign_in_failures mine
          WHERE mine.id = $1
            AND (f.id = mine.id
                 OR (f.email_lower = mine.email_lower AND f.ip_address = mine.ip_address
                     AND f.id < mine.id AND f.settled))",
        attempt.id
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
        "DELETE FROM sign_in_failures WHERE email_lower = $1 AND settled",
        email_lower
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Unusable invitation or reset links opened from one client address allowed in the
/// window: links are 256-bit random, so a person meets a few (an old email), a guesser
/// thousands.
pub const LINK_FAILURE_LIMIT: i64 = 20;

/// Refuses when `address` opened too many unusable links lately (before any look-up or
/// password hashing).
pub async fn check_links(pool: &PgPool, address: &str) -> Result<(), AppError> {
    let failures = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM link_failures
            WHERE ip_address = $1 AND failed_at > now() - make_interval(mins => $2)"#,
        address,
        WINDOW_MINUTES
    )
    .fetch_one(pool)
    .await?;
    if failures >= LINK_FAILURE_LIMIT {
        return Err(AppError::TooManyRequests(format!(
            "Too many links that cannot be used were opened from your network. Try again in {WINDOW_MINUTES} minutes, or ask for a new link."
        )));
    }
    Ok(())
}

/// An unusable link was opened from `address`.
pub async fn link_failed(pool: &PgPool, address: &str) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO link_failures (ip_address) VALUES ($1)",
        address
    )
    .execute(pool)
    .await?;
    Ok(())
}
