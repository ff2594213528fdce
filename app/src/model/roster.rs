//! A roster file sent to be planned or applied, and what applying did.

use crate::import::{RowCells, CELLS};
use serde::{Deserialize, Serialize};

/// Rows the page sends in one request before an apply (as JSON about 1.9 MiB at the
/// longest cells the checks allow; the route takes 4 MiB).
pub const ROWS_PER_PART: usize = 2_000;

/// A file's rows as a change set (see `import::roster`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterFile {
    pub file_name: String,
    /// The fingerprint of the file's text (`import::digest`).
    pub digest: String,
    pub rows: Vec<RowCells>,
    /// Which columns the file has: a column it lacks changes nothing.
    pub present: [bool; CELLS],
    /// Deactivate the members the file leaves out.
    pub deactivate_missing: bool,
}

/// What applying a file did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    /// The change set, to undo it; `None` when the file changed nothing.
    pub change_id: Option<i64>,
    pub invited: usize,
    pub changed: usize,
    pub deactivated: usize,
}

impl Applied {
    pub fn message(&self) -> String {
        if self.change_id.is_none() {
            return "Nothing to change: every row matches its member already.".into();
        }
        format!(
            "Applied: {} invited, {} changed, {} deactivated. You can undo it for {} hours.",
            self.invited,
            self.changed,
            self.deactivated,
            crate::domain::rules::UNDO_HOURS
        )
    }
}

/// A download made on the server: the members export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFile {
    pub file_name: String,
    pub mime: String,
    /// The file's bytes, base64 (a workbook is binary).
    pub base64: String,
}

/// What undoing a file did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undone {
    pub revoked: usize,
    pub restored: usize,
    pub reactivated: usize,
}

impl Undone {
    pub fn message(&self) -> String {
        format!(
            "Undone: {} invitation{} revoked, {} member{} restored, {} reactivated.",
            self.revoked,
            if self.revoked == 1 { "" } else { "s" },
            self.restored,
            if self.restored == 1 { "" } else { "s" },
            self.reactivated
        )
    }
}

/// How far applying a file has got (the page's progress bar).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyProgress {
    pub done: u32,
    pub total: u32,
    /// What it is doing, such as "Changing members".
    pub stage: String,
}
