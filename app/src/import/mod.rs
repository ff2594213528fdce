//! The CSV import contract of SPEC §4, shared by the browser (which checks a file the
//! moment it is dropped), the server (which checks every row again before importing) and
//! the command line (`roster csv check`). One implementation, so the three never disagree.

mod check;
mod decode;
mod parse;

pub use check::{check_file, check_row, CheckReport, OrgContext, ValidRow};
pub use decode::{decode, Decoded, Encoding};
pub use parse::{parse, Column, ParsedFile, RowCells, COLUMNS};

use serde::{Deserialize, Serialize};

/// The most rows one file may import (SPEC §4: at least 200,000).
pub const MAX_ROWS: usize = 200_000;

/// One problem: the spreadsheet row (the header is row 1), the column, what to do.
/// `column` is `None` for a problem with the whole row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellProblem {
    pub row: u32,
    pub column: Option<Column>,
    pub message: String,
}

impl std::fmt::Display for CellProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.column {
            Some(column) => write!(f, "Row {}, {}: {}", self.row, column.name(), self.message),
            None => write!(f, "Row {}: {}", self.row, self.message),
        }
    }
}

/// A 64-bit FNV-1a digest of a file's bytes: the same file imported twice is recognised.
pub fn digest(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}
