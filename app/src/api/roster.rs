//! The roster as a file: the export, the organization as a plan needs it, applying a
//! file as a change set, and undoing it.

use crate::error::AppError;
use crate::import::roster::Roster;
use crate::model::member_list::MemberFilter;
use crate::model::roster::{Applied, ApplyProgress, ExportFile, RosterFile, Undone};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The members `filter` matches, as CSV or an Excel workbook (`format`: `csv`, `xlsx`).
#[server(input = Json)]
pub async fn export_members(filter: MemberFilter, format: String) -> Result<ExportFile, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    crate::server::roster::export_file(&pool, viewer.organization_id, &filter, &format).await
}

/// The organization as a plan needs it (the page plans in the browser).
#[server]
pub async fn load_roster() -> Result<Roster, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let mut conn = pool.acquire().await?;
    crate::server::roster::load(&mut conn, viewer.organization_id, None).await
}

/// A key for the next apply's progress, which the page polls while it runs.
#[server]
pub async fn start_roster_apply() -> Result<String, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let key = crate::server::roster_progress::start(&pool, viewer.organization_id).await?;
    Ok(key.to_string())
}

/// Applies a file as a change set: all of it or nothing. Its progress goes under
/// `progress_key` (from [`start_roster_apply`]; empty for none).
#[server(input = Json)]
pub async fn apply_roster(file: RosterFile, progress_key: String) -> Result<Applied, AppError> {
    use crate::server::roster_progress::Reporter;
    let viewer = crate::server::session::require_admin().await?;
    let state = crate::server::state()?;
    let progress = match progress_key.parse::<uuid::Uuid>() {
        Ok(key) => Reporter::to(&state.pool, viewer.organization_id, key),
        Err(_) => Reporter::quiet(),
    };
    let actor = (&viewer).into();
    crate::server::roster::apply(&state.pool, &state.config, &actor, &file, progress).await
}

/// How far the apply under `progress_key` has got; `None` once it has ended.
#[server]
pub async fn roster_apply_progress(
    progress_key: String,
) -> Result<Option<ApplyProgress>, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let Ok(key) = progress_key.parse::<uuid::Uuid>() else {
        return Ok(None);
    };
    crate::server::roster_progress::read(&pool, viewer.organization_id, key).await
}

/// Undoes an applied file (within 24 hours, when nothing since depends on it).
#[server]
pub async fn undo_roster(change_id: i64) -> Result<Undone, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let state = crate::server::state()?;
    crate::server::roster::undo(&state.pool, &state.config, &(&viewer).into(), change_id).await
}
