//! Throttling of sign-ins, counted in the database so every server instance sees the same
//! attempts. An attempt is admitted — and counted as a failure — *before* its password is
//! checked, one at a time per client address and per account (transaction-scoped advisory
//! locks, always taken in that order), so a burst of any size gets at most the limits
//! checked. Three limits: the pair (account, client address) strictly; the account from
//! any address, so that many addresses cannot share the guessing (its owner gets past it
//! with a reset link); and the client address alone loosely, so an office behind one
//! address is not locked out by one person's guessing. On each instance one address has
//! at most [`IN_FLIGHT_PER_ADDRESS`] sign-ins being checked at once: a flood from one
//! address cannot queue ahead of everyone else's passwords.

use crate::error::AppError;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Mutex;

/// Failed attempts allowed in the window for one account from one client address.
pub const PAIR_LIMIT: i64 = 5;
/// Failed attempts allowed in the window for one account from all addresses together.
pub const ACCOUNT_LIMIT: i64 = 20;
/// Failed attempts allowed in the window from one client address, over all accounts.
pub const ADDRESS_LIMIT: i64 = 100;
pub const WINDOW_MINUTES: i32 = 15;
/// Sign-ins from one client address being checked at once on one instance (each waits
/// for Argon2, which runs as many at once as there are cores).
pub const IN_FLIGHT_PER_ADDRESS: usize = 4;

/// An admitted attempt: it counts as a failure until [`succeeded`] says otherwise.
#[must_use = "an attempt is settled with `failed` or `succeeded`"]
pub struct Attempt {
    id: i64,
    _turn: InFlight,
}

/// One of an address's sign-ins being checked on this instance; its place is given back
/// when it is dropped.
pub struct InFlight {
    address: String,
}

fn in_flight() -> &'static Mutex<HashMap<String, usize>> {
    static IN_FLIGHT: std::sync::OnceLock<Mutex<HashMap<String, usize>>> =
        std::sync::OnceLock::new();
    IN_FLIGHT.get_or_init(Default::default)
}

/// A place among the sign-ins of `address` being checked, or a refusal when it has
/// [`IN_FLIGHT_PER_ADDRESS`] already: answered at once, with no database work. The map
/// holds only addresses with sign-ins in flight.
pub fn take_turn(address: &str) -> Result<InFlight, AppError> {
    let mut counts = in_flight().lock().map_err(|_| AppError::internal())?;
    let count = counts.entry(address.to_owned()).or_insert(0);
    if *count >= IN_FLIGHT_PER_ADDRESS {
        return Err(AppError::TooManyRequests(
            "Too many sign-ins from your network at once. Wait a moment and try again.".into(),
        ));
    }
    *count += 1;
    Ok(InFlight {
        address: address.to_owned(),
    })
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut counts) = in_flight().lock() {
            if let Some(count) = counts.get_mut(&self.address) {
                *count -= 1;
                if *count == 0 {
                    counts.remove(&self.address);
                }
            }
        }
    }
}

/// Admits one attempt on `email_lower` from `address`, or refuses with a clear message
/// when too many failed before. Counted and recorded in one transaction under locks on
/// the address and on the account, so concurrent attempts are admitted one after another.
pub async fn admit(pool: &PgPool, email_lower: &str, address: &str) -> Result<Attempt, AppError> {
    let turn = take_turn(address)?;
    let id = record_attempt(pool, email_lower, address).await?;
    Ok(Attempt { id, _turn: turn })
}

/// The database's part of [`admit`], which every instance shares: the attempt counted
/// against the limits and recorded (unsettled), under the address's and the account's
/// locks. Returns its id.
pub async fn record_attempt(
    pool: &PgPool,
    email_lower: &str,
    address: &str,
) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    // The address first, then the account: every attempt takes them in this order, so
    // two attempts never wait for each other in a circle.
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('address ' || $1, 7263)),
                pg_advisory_xact_lock(hashtextextended('account ' || $2, 7263))",
        address,
        email_lower
    )
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE email_lower = $1 AND ip_address = $2) AS "pair!",
                  count(*) FILTER (WHERE email_lower = $1) AS "account!",
                  count(*) FILTER (WHERE ip_address = $2) AS "address!",
                  -- Minutes until the most recent failure leaves the window.
                  ceil(extract(epoch FROM (max(failed_at) + make_interval(mins => $3) - now())) / 60)::int AS minutes_left
             FROM sign_in_failures
            WHERE failed_at > now() - make_interval(mins => $3)
              AND (ip_address = $2 OR email_lower = $1)"#,
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
    if row.pair >= PAIR_LIMIT || row.account >= ACCOUNT_LIMIT {
        return Err(AppError::TooManyRequests(format!(
            "Too many failed sign-ins for this account. For your security it is locked: try again in {wait}, or choose a new password with Forgot password? below — the link we email you opens it at once."
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
    Ok(id)
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

/// Unusable invitation or reset links *used* (a password submitted with them) from one
/// client address allowed in the window: links are 256-bit random, so a person meets a
/// few (an old email), a guesser thousands. Viewing a page counts nothing, and a usable
/// link is never refused because of these.
pub const LINK_FAILURE_LIMIT: i64 = 20;

/// An unusable link was used from `address`: recorded, or — past the limit — refused
/// with a clear message and not recorded (so one address adds at most
/// [`LINK_FAILURE_LIMIT`] rows per window). Counted and recorded under a lock per address.
pub async fn link_failed(pool: &PgPool, address: &str) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 7264))",
        address
    )
    .execute(&mut *tx)
    .await?;
    let failures = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM link_failures
            WHERE ip_address = $1 AND failed_at > now() - make_interval(mins => $2)"#,
        address,
        WINDOW_MINUTES
    )
    .fetch_one(&mut *tx)
    .await?;
    if failures >= LINK_FAILURE_LIMIT {
        return Err(AppError::TooManyRequests(format!(
            "Too many links that cannot be used were tried from your network. Try again in {WINDOW_MINUTES} minutes, or ask for a new link."
        )));
    }
    sqlx::query!(
        "INSERT INTO link_failures (ip_address) VALUES ($1)",
        address
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
