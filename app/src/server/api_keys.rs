//! Organization API keys for the progress endpoint. A key is 256 random bits shown once;
//! the database keeps its SHA-256 and the first characters, to tell keys apart.

use super::activity::{self, Action};
use super::crypto::{new_token, token_digest};
use crate::domain::Access;
use crate::domain::Capability;
use crate::error::AppError;
use crate::model::api_keys::ApiKeyRow;
use sqlx::PgPool;

/// Keys read `rst_` followed by 64 hex digits.
const KEY_PREFIX: &str = "rst_";

pub async fn create(pool: &PgPool, access: &Access, name: &str) -> Result<String, AppError> {
    access.may(Capability::ManageOrganization)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field(
            "name",
            "Name the key (1 to 100 characters), for example after the course player that uses it.",
        ));
    }
    let (token, _) = new_token();
    let key = format!("{KEY_PREFIX}{token}");
    let shown = key[..KEY_PREFIX.len() + 6].to_owned();
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "INSERT INTO api_keys (organization_id, name, prefix, key_hash, created_by) VALUES ($1, $2, $3, $4, $5)",
        access.organization_id,
        name,
        shown,
        token_digest(&key),
        access.acting_member()?
    )
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::ApiKeyCreated,
        None,
        serde_json::json!({ "key": format!("{name} ({shown}…)") }),
    )
    .await?;
    tx.commit().await?;
    Ok(key)
}

pub async fn list(pool: &PgPool, access: &Access) -> Result<Vec<ApiKeyRow>, AppError> {
    access.may(Capability::ManageOrganization)?;
    Ok(sqlx::query_as!(
        ApiKeyRow,
        r#"SELECT id, name, prefix,
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS "created_at!",
                  to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS last_used_at,
                  revoked_at IS NOT NULL AS "revoked!"
             FROM api_keys WHERE organization_id = $1 ORDER BY created_at DESC, id DESC"#,
        access.organization_id
    )
    .fetch_all(pool)
    .await?)
}

pub async fn revoke(pool: &PgPool, access: &Access, id: i64) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        "UPDATE api_keys SET revoked_at = now()
          WHERE id = $1 AND organization_id = $2 AND revoked_at IS NULL
        RETURNING name, prefix",
        id,
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::NotFound("This key does not exist or is already revoked.".into()))?;
    activity::record(
        &mut tx,
        access,
        Action::ApiKeyRevoked,
        None,
        serde_json::json!({ "key": format!("{} ({}…)", row.name, row.prefix) }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The organization a live key belongs to, noting its use.
pub async fn authenticate(pool: &PgPool, key: &str) -> Result<Option<i64>, AppError> {
    if !key.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    Ok(sqlx::query_scalar!(
        "UPDATE api_keys SET last_used_at = now()
          WHERE key_hash = $1 AND revoked_at IS NULL
        RETURNING organization_id",
        token_digest(key)
    )
    .fetch_optional(pool)
    .await?)
}
