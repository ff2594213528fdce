//! Billing status and permission changes on the member list, and resending invitations.

use crate::domain::MemberStatus;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The sentence the confirmation shows before deactivating or revoking.
#[server]
pub async fn deactivation_preview(member_id: i64) -> Result<String, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    Ok(
        crate::server::members::deactivation_preview(&pool, &access, member_id)
            .await?
            .describe(),
    )
}

/// Billing status → Deactivate (or revoke an invitation). Returns what happened to seats.
#[server]
pub async fn deactivate_member(member_id: i64) -> Result<String, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    Ok(
        crate::server::members::deactivate(&pool, &access, member_id)
            .await?
            .describe(),
    )
}

/// Billing status → Reactivate. Returns the member's new status.
#[server]
pub async fn reactivate_member(member_id: i64) -> Result<MemberStatus, AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    crate::server::members::reactivate(&state.pool, &state.config, &access, member_id).await
}

#[server]
pub async fn resend_invitation(member_id: i64) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    crate::server::members::resend_invitation(&state.pool, &state.config, &access, member_id).await
}

#[server]
pub async fn set_member_permission(member_id: i64, permission: String) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let permission =
        crate::domain::Permission::parse(&permission).map_err(|e| AppError::Invalid(e.0))?;
    let pool = crate::server::pool()?;
    crate::server::roster::set_permission(&pool, &access, member_id, permission).await
}

/// Bulk action: a new invitation for every invited member of the selection (the given
/// ids, or everyone matching `all_matching`). Returns how many were sent.
#[server(input = Json)]
pub async fn resend_invitations(
    member_ids: Vec<i64>,
    all_matching: Option<crate::model::member_list::MemberFilter>,
) -> Result<usize, AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    crate::server::members::resend_many(
        &state.pool,
        &state.config,
        &access,
        &member_ids,
        all_matching.as_ref(),
    )
    .await
}

/// What a team manager manages: exactly these teams and regions.
#[server(input = Json)]
pub async fn set_manager_scope(
    member_id: i64,
    teams: Vec<i64>,
    regions: Vec<i64>,
) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::managers::set_scope(&pool, &access, member_id, &teams, &regions).await
}
