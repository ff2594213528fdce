//! The Identity page: provisioning from the identity provider (SCIM) and its seat policy.

use crate::error::AppError;
use crate::model::identity::IdentityOverview;
use leptos::prelude::*;

#[server]
pub async fn load_identity() -> Result<IdentityOverview, AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    crate::server::identity::overview(&state.pool, &state.config, &access).await
}

/// Saves the seat policy; works as a plain form before the page is interactive.
#[server]
pub async fn save_seat_policy(policy: String) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let policy = crate::domain::provisioning::SeatPolicy::parse(&policy)
        .ok_or_else(|| AppError::field("policy", "Choose one of the seat policies listed."))?;
    let pool = crate::server::pool()?;
    crate::server::identity::set_seat_policy(&pool, &access, policy).await?;
    leptos_axum::redirect("/organization/identity?saved=policy");
    Ok(())
}

/// Sets the seats a team grants its group's members (a checkbox left out is "no").
#[server]
pub async fn set_group_grants(
    team_id: i64,
    enable: Option<String>,
    opportunity: Option<String>,
) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::identity::set_group_grants(
        &pool,
        &access,
        team_id,
        enable.is_some(),
        opportunity.is_some(),
    )
    .await?;
    leptos_axum::redirect("/organization/identity?saved=groups");
    Ok(())
}
