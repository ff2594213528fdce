//! The roster as a file: the export, the organization as a plan needs it, applying a
//! file as a change set, and undoing it.

use crate::error::AppError;
use crate::import::roster::Roster;
use crate::import::RowCells;
use crate::model::member_list::MemberFilter;
use crate::model::roster::{Applied, ApplyProgress, ExportFile, RosterFile, Undone};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The members `filter` matches, as CSV or an Excel workbook (`format`: `csv`, `xlsx`).
#[server(input = Json)]
pub async fn export_members(filter: MemberFilter, format: String) -> Result<ExportFile, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::roster::export_file(&pool, &access, &filter, &format).await
}

/// The organization as a plan needs it (the page plans in the browser).
#[server]
pub async fn load_roster() -> Result<Roster, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::roster::for_planning(&pool, &access).await
}

/// A key for the next apply's progress, which the page polls while it runs.
#[server]
pub async fn start_roster_apply() -> Result<String, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    let key = crate::server::roster::progress::start(&pool, &access).await?;
    Ok(key.to_string())
}

/// One part of the rows of a file about to be applied under `progress_key` (at most
/// [`ROWS_PER_PART`](crate::model::roster::ROWS_PER_PART)): the page sends the file in
/// parts, showing how much has gone.
#[server(input = Json)]
pub async fn send_roster_rows(
    progress_key: String,
    part: u32,
    rows: Vec<RowCells>,
) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    let key = parse_key(&progress_key)?;
    crate::server::roster::progress::stage_rows(&pool, &access, key, part, &rows).await
}

/// Applies a file as a change set: all of it or nothing. Its rows are the `sent_rows`
/// sent under `progress_key` ([`send_roster_rows`]); its progress goes there too.
#[server(input = Json)]
pub async fn apply_roster(
    file: RosterFile,
    progress_key: String,
    sent_rows: u32,
) -> Result<Applied, AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    let key = parse_key(&progress_key)?;
    let sent = sent_rows as usize;
    crate::server::roster::apply_sent(&state.pool, &state.config, &access, file, key, sent).await
}

/// How far the apply under `progress_key` has got; `None` once it has ended.
#[server]
pub async fn roster_apply_progress(
    progress_key: String,
) -> Result<Option<ApplyProgress>, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    let key = parse_key(&progress_key)?;
    crate::server::roster::progress::read(&pool, &access, key).await
}

/// Undoes an applied file (within 24 hours, when nothing since depends on it).
#[server]
pub async fn undo_roster(change_id: i64) -> Result<Undone, AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    crate::server::roster::undo(&state.pool, &state.config, &access, change_id).await
}

#[cfg(feature = "ssr")]
fn parse_key(key: &str) -> Result<uuid::Uuid, AppError> {
    key.parse()
        .map_err(|_| AppError::invalid("This apply's key is not valid: apply the file again."))
}
