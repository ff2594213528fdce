//! Sending a checked file: the rows without problems, in batches (each one transaction
//! on the server, and one step of the progress bar).

use crate::api::import::{import_batch, start_import};
use crate::import::{CellProblem, RowCells};

/// Rows sent per request.
pub(super) const BATCH: usize = 2_000;

/// How an upload that started ended: the members imported, and why it stopped if it did.
pub(super) struct Uploaded {
    pub imported: usize,
    pub stopped: Option<String>,
}

/// Imports `rows` of the file `file_name` (`digest` recognises it next time). After each
/// batch, `on_batch` gets how many rows it sent and the rows the server did not import.
/// An import the server refuses to start (a file imported before) is an `Err`.
pub(super) async fn upload(
    file_name: String,
    digest: String,
    rows: Vec<RowCells>,
    mut on_batch: impl FnMut(usize, Vec<CellProblem>),
) -> Result<Uploaded, String> {
    let import_id = start_import(file_name, digest, rows.len())
        .await
        .map_err(|e| e.to_string())?;
    let mut imported = 0;
    for batch in rows.chunks(BATCH) {
        match import_batch(import_id, batch.to_vec()).await {
            Ok(done) => {
                imported += done.imported;
                on_batch(batch.len(), done.skipped);
            }
            Err(e) => {
                return Ok(Uploaded {
                    imported,
                    stopped: Some(e.to_string()),
                })
            }
        }
    }
    Ok(Uploaded {
        imported,
        stopped: None,
    })
}
