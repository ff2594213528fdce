//! Sending a checked file: the rows without problems, in batches (`import::batches`: each
//! one transaction on the server, and one step of the progress bar).

use crate::api::import::{finish_import, import_batch, start_import};
use crate::import::{batches, CellProblem, RowCells};

/// How an upload that started ended: the members imported, and why it stopped if it did.
pub(super) struct Uploaded {
    pub imported: usize,
    /// Rows the server found imported already (an import of this file that stopped).
    pub already: usize,
    /// Said when this continues an import of the file that stopped.
    pub continues: Option<String>,
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
    let start = start_import(file_name, digest, rows.len())
        .await
        .map_err(|e| e.to_string())?;
    let mut uploaded = Uploaded {
        imported: 0,
        already: 0,
        continues: start.continues,
        stopped: None,
    };
    for batch in batches(&rows) {
        match import_batch(start.import_id, batch.to_vec()).await {
            Ok(done) => {
                uploaded.imported += done.imported;
                uploaded.already += done.already;
                on_batch(batch.len(), done.skipped);
            }
            Err(e) => {
                uploaded.stopped = Some(e.to_string());
                return Ok(uploaded);
            }
        }
    }
    // Only now is the import complete: stopped before here, the same file continues it.
    if let Err(e) = finish_import(start.import_id).await {
        uploaded.stopped = Some(e.to_string());
    }
    Ok(uploaded)
}
