//! Organization API keys for the progress endpoint. A key is 256 random bits shown once;
//! the database keeps its SHA-256 and the first characters, to tell keys apart.

use super::activity::{self, Action};
use super::crypto::{new_token, token_digest};
use crate::domain::{Access, Capability, KeyScope, Who};
use crate::error::AppError;
use crate::model::api_keys::ApiKeyRow;
use sqlx::PgPool;

/// Keys read `rst_` followed by 64 hex digits.
const KEY_PREFIX: &str = "rst_";

pub async fn create(
    pool: &PgPool,
    access: &Access,
    name: &str,
    scopes: &[KeyScope],
) -> Result<String, AppError> {
    access.may(Capability::ManageOrganization)?;
    let mut scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(AppError::field(
            "scopes",
            "Choose what the key may do (at least one).",
        ));
    }
    // A provisioning token is the identity provider's own: it does nothing else, and
    // nothing else is done with it.
    if scopes.len() > 1 && scopes.contains(&KeyScope::Provisioning.as_str()) {
        return Err(AppError::field(
            "scopes",
            "A provisioning token is for your identity provider alone: create it with only the Provisioning scope, and another key for the rest.",
        ));
    }
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
        "INSERT INTO api_keys (organization_id, name, prefix, key_hash, created_by, scopes)
         VALUES ($1, $2, $3, $4, $5, $6)",
        access.organization_id,
        name,
        shown,
        token_digest(&key),
        access.member_id(),
        &scopes as &[&str],
    )
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::ApiKeyCreated,
        None,
        serde_json::json!({ "key": format!("{name} ({shown}…)"), "scopes": scopes }),
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
                  revoked_at IS NOT NULL AS "revoked!", scopes
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

/// What a live key may reach, noting its use: its organization, as the key (its scopes
/// say what it may do), named in the activity log by its name and first characters.
/// The use is noted at most once a minute: an identity provider's sync sends thousands of
/// requests at once, which would otherwise queue on the key's row.
pub async fn authenticate(pool: &PgPool, key: &str) -> Result<Option<Access>, AppError> {
    if !key.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    let Some(row) = sqlx::query!(
        r#"WITH live AS (
               SELECT k.id, k.organization_id, o.name AS organization_name, k.name, k.prefix,
                      k.scopes, k.last_used_at
                 FROM api_keys k JOIN organizations o ON o.id = k.organization_id
                WHERE k.key_hash = $1 AND k.revoked_at IS NULL),
           noted AS (
               UPDATE api_keys SET last_used_at = now()
                WHERE id = (SELECT id FROM live)
                  AND coalesce((SELECT last_used_at FROM live) < now() - interval '1 minute', true))
           SELECT id AS "id!", organization_id AS "organization_id!",
                  organization_name AS "organization_name!", name AS "name!",
                  prefix AS "prefix!", scopes AS "scopes!" FROM live"#,
        token_digest(key)
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let scopes = row
        .scopes
        .iter()
        .filter_map(|s| KeyScope::parse(s))
        .collect();
    let provisioning = scopes == [KeyScope::Provisioning];
    let (who, label) = if provisioning {
        (
            Who::IdentityProvider { key_id: row.id },
            format!("identity provider (token {}, {}…)", row.name, row.prefix),
        )
    } else {
        (
            Who::ApiKey {
                key_id: row.id,
                scopes,
            },
            format!("API key {} ({}…)", row.name, row.prefix),
        )
    };
    Ok(Some(Access {
        who,
        label: label.clone(),
        name: label,
        ..Access::operator(row.organization_id, &row.organization_name, "")
    }))
}
