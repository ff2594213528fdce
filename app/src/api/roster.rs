//! The roster as a file: the export, the organization as a plan needs it, applying a
//! file as a change set, and undoing it.

use crate::error::AppError;
use crate::import::roster::Roster;
use crate::model::member_list::MemberFilter;
use crate::model::roster::{Applied, ExportFile, RosterFile, Undone};
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

/// Applies a file as a change set: all of it or nothing.
#[server(input = Json)]
pub async fn apply_roster(file: RosterFile) -> Result<Applied, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let state = crate::server::state()?;
    crate::server::roster::apply(&state.pool, &state.config, &(&viewer).into(), &file).await
}

/// Undoes an applied file (within 24 hours, when nothing since depends on it).
#[server]
pub async fn undo_roster(change_id: i64) -> Result<Undone, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let state = crate::server::state()?;
    crate::server::roster::undo(&state.pool, &state.config, &(&viewer).into(), change_id).await
}
