//! Import CSV: the organization as the browser's check needs it, the import in batches,
//! and past imports.

use crate::error::AppError;
use crate::import::{BatchOutcome, Column, RowCells};
use crate::model::import::{ImportContext, ImportRecord, ImportStart};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server]
pub async fn load_import_context() -> Result<ImportContext, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::import::context(&pool, &access).await
}

#[server]
pub async fn start_import(
    file_name: String,
    digest: String,
    rows_total: usize,
) -> Result<ImportStart, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::import::start(&pool, &access, &file_name, &digest, rows_total).await
}

/// Imports one batch of rows (the page sends a file in batches, for its progress bar).
#[server(input = Json)]
pub async fn import_batch(import_id: i64, rows: Vec<RowCells>) -> Result<BatchOutcome, AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    crate::server::import::import_batch(&state.pool, &state.config, &access, import_id, &rows).await
}

/// The last batch was sent: the import is completed.
#[server]
pub async fn finish_import(import_id: i64) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::import::finish(&pool, &access, import_id).await
}

/// Remembers how a file's columns were matched, for the organization's next file.
#[server(input = Json)]
pub async fn remember_columns(choices: Vec<(String, Option<Column>)>) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::import::remember_columns(&pool, &access, &choices).await
}

#[server]
pub async fn import_history() -> Result<Vec<ImportRecord>, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::import::history(&pool, &access).await
}
