//! The Webhooks page: endpoints, their deliveries, a test event.

use crate::error::AppError;
use crate::model::webhooks::EndpointView;
use leptos::prelude::*;

#[server]
pub async fn webhooks() -> Result<Vec<EndpointView>, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::webhooks::list(&pool, &access).await
}

/// Adds an endpoint for `events` and returns its signing secret: the only time it is shown.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn add_webhook(
    url: String,
    events: Vec<String>,
    description: String,
) -> Result<String, AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    crate::server::webhooks::add(
        &state.pool,
        &state.config,
        &access,
        &url,
        &events,
        &description,
    )
    .await
}

#[server]
pub async fn remove_webhook(id: i64) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::webhooks::remove(&pool, &access, id).await
}

#[server]
pub async fn send_test_webhook(id: i64) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::webhooks::send_test(&pool, &access, id).await
}
