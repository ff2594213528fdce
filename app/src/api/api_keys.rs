//! API keys for the progress endpoint, managed by administrators.

use crate::error::AppError;
use crate::model::api_keys::ApiKeyRow;
use leptos::prelude::*;

#[server]
pub async fn api_keys() -> Result<Vec<ApiKeyRow>, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::api_keys::list(&pool, &access).await
}

/// Creates a key that may do `scopes` and returns it: the only time it is ever shown.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn create_api_key(
    name: String,
    scopes: Vec<crate::domain::KeyScope>,
) -> Result<String, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::api_keys::create(&pool, &access, &name, &scopes).await
}

#[server]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::api_keys::revoke(&pool, &access, id).await
}
