//! `Idempotency-Key` on the REST API's creates: the first request with a key does the
//! work and its answer is kept for a day; the same key with the same request gets that
//! answer again (and nothing is done twice); the same key with another request is refused.
//! Keys are per API key. A request still at work holds its key for a minute: a retry
//! meanwhile is told to wait, and one whose first try died takes the key over after.

use crate::error::AppError;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// What the key says to do.
pub enum Claim {
    /// First use: do the work, then [`finish`].
    Fresh,
    /// Done before: answer this again.
    Replay {
        status: u16,
        body: serde_json::Value,
    },
}

/// The request's fingerprint: method, path and body.
pub fn request_hash(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut hash = Sha256::new();
    hash.update(method.as_bytes());
    hash.update([0]);
    hash.update(path.as_bytes());
    hash.update([0]);
    hash.update(body);
    hash.finalize().to_vec()
}

/// The key as sent, checked: 1 to 255 visible ASCII characters.
pub fn check_key(raw: &str) -> Result<&str, AppError> {
    if raw.is_empty() || raw.len() > 255 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::field(
            "Idempotency-Key",
            "The Idempotency-Key header is 1 to 255 visible characters, such as a UUID.",
        ));
    }
    Ok(raw)
}

pub async fn begin(
    pool: &PgPool,
    api_key_id: i64,
    key: &str,
    hash: &[u8],
) -> Result<Claim, AppError> {
    let inserted = sqlx::query_scalar!(
        "INSERT INTO api_idempotency (api_key_id, idempotency_key, request_hash)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1",
        api_key_id,
        key,
        hash
    )
    .fetch_optional(pool)
    .await?;
    if inserted.is_some() {
        return Ok(Claim::Fresh);
    }
    let Some(row) = sqlx::query!(
        r#"SELECT request_hash, answer_status, answer_body,
                  created_at < now() - interval '1 minute' AS "stale!"
             FROM api_idempotency WHERE api_key_id = $1 AND idempotency_key = $2"#,
        api_key_id,
        key
    )
    .fetch_optional(pool)
    .await?
    else {
        // Swept between the two statements: the key is free again.
        return Box::pin(begin(pool, api_key_id, key, hash)).await;
    };
    if row.request_hash != hash {
        return Err(AppError::invalid(
            "This Idempotency-Key was sent before with another request: use a new key for a new request.",
        ));
    }
    match (row.answer_status, row.answer_body) {
        (Some(status), Some(body)) => Ok(Claim::Replay {
            status: status as u16,
            body,
        }),
        _ if row.stale => {
            let taken = sqlx::query!(
                "UPDATE api_idempotency SET created_at = now()
                  WHERE api_key_id = $1 AND idempotency_key = $2 AND answer_status IS NULL
                    AND created_at < now() - interval '1 minute'",
                api_key_id,
                key
            )
            .execute(pool)
            .await?
            .rows_affected();
            if taken == 1 {
                Ok(Claim::Fresh)
            } else {
                Err(at_work())
            }
        }
        _ => Err(at_work()),
    }
}

fn at_work() -> AppError {
    AppError::Conflict(
        "A request with this Idempotency-Key is still at work: send it again in a moment for its answer.".into(),
    )
}

/// Keeps the answer of a fresh request. A fault (5xx) is not kept: the key is freed, so
/// that the client's retry does the work.
pub async fn finish(
    pool: &PgPool,
    api_key_id: i64,
    key: &str,
    status: u16,
    body: &serde_json::Value,
) -> Result<(), AppError> {
    if status >= 500 {
        sqlx::query!(
            "DELETE FROM api_idempotency WHERE api_key_id = $1 AND idempotency_key = $2",
            api_key_id,
            key
        )
        .execute(pool)
        .await?;
    } else {
        sqlx::query!(
            "UPDATE api_idempotency SET answer_status = $3, answer_body = $4
              WHERE api_key_id = $1 AND idempotency_key = $2",
            api_key_id,
            key,
            status as i16,
            body
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}
