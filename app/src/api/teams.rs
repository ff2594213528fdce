//! Regions and teams: the Teams & Regions page and assigning members to teams.

use crate::error::AppError;
use crate::model::teams::TeamsOverview;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server]
pub async fn load_teams() -> Result<TeamsOverview, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::teams::overview(&pool, &access).await
}

#[server]
pub async fn create_region(name: String) -> Result<i64, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::teams::create_region(&pool, &access, &name).await
}

#[server]
pub async fn rename_region(id: i64, name: String) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::teams::rename_region(&pool, &access, id, &name).await
}

#[server]
pub async fn delete_region(id: i64) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::teams::delete_region(&pool, &access, id).await
}

#[server]
pub async fn create_team(region_id: i64, name: String) -> Result<i64, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::teams::create_team(&pool, &access, region_id, &name).await
}

#[server]
pub async fn rename_team(id: i64, name: String) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::teams::rename_team(&pool, &access, id, &name).await
}

/// Deletes a team; returns how many members it had (now without a team).
#[server]
pub async fn delete_team(id: i64) -> Result<i64, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::teams::delete_team(&pool, &access, id).await
}

/// Puts the selected members (the ids, or all matching the list's filter) in a team, or
/// in none. Returns how many members changed team.
#[server(input = Json)]
pub async fn assign_team(
    member_ids: Vec<i64>,
    all_matching: Option<crate::model::member_list::MemberFilter>,
    team_id: Option<i64>,
) -> Result<usize, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::roster::assign_team(&pool, &access, &member_ids, all_matching.as_ref(), team_id)
        .await
}

/// Whether team managers may invite members into the teams they manage.
#[server]
pub async fn set_managers_may_invite(allowed: bool) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::teams::set_managers_may_invite(&pool, &access, allowed).await
}
