//! The CSV import contract of SPEC §4, shared by the browser (which checks a file the
//! moment it is dropped), the server (which checks every row again before importing) and
//! the command line (`roster csv check`). One implementation, so the three never disagree.

mod check;
pub mod columns;
mod decode;
pub mod desired;
mod header;
mod parse;
pub mod plan;
#[cfg(test)]
mod properties;
mod record;
pub mod roster;
mod slices;
mod source;
pub mod template;
pub mod workbook;

pub use check::{check_file, check_row, CheckReport, FileChecker, OrgContext, ValidRow};
pub use decode::decode;
pub use header::{
    find_header, peek, too_many_columns, HeaderAt, Peeked, HEADER_SEARCH_ROWS, MAX_COLUMNS,
};
pub use parse::{batches, parse, Parser, RowCells};
pub use slices::{check_again, read_and_check, Checked};
pub use source::{prepare, to_source, workbook_source, Prepared, Source};
pub use template::{Column, ALL_COLUMNS, CELLS, COLUMNS, ROSTER_COLUMNS};

use serde::{Deserialize, Serialize};

/// The most rows one file may import (SPEC §4: at least 200,000).
pub const MAX_ROWS: usize = 200_000;

/// The most rows room is made for ahead, from a file's first rows (see
/// [`FileChecker::expect_rows`] and [`Parser::expected_rows`]): a million.
pub const MAX_EXPECTED_ROWS: usize = MAX_ROWS * 5;

/// The most rows one request of an import carries (one transaction on the server, one
/// step of the page's progress bar): the server refuses more. 5,000 rows of a usual file
/// are about 0.5 MB of JSON; fewer, larger requests mean fewer look-ups, locks and commits
/// (2,000 a request before: 50 requests for 100,000 rows instead of 20).
pub const MAX_BATCH_ROWS: usize = 5_000;

/// The most JSON the page puts in one request of an import, counted by
/// [`RowCells::wire_len`]: below the 4 MiB the server reads (`server::http::body_limit`).
pub const MAX_BATCH_BYTES: usize = 3 * 1024 * 1024;

/// The most characters of a file's name that are kept (import history, activity entries):
/// a name is a label, and anyone can send a long one.
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// A file's name as it is stored and shown: at most [`MAX_FILE_NAME_CHARS`] characters,
/// control characters (a line feed in a crafted name) as spaces.
pub fn bounded_file_name(name: &str) -> String {
    name.chars()
        .take(MAX_FILE_NAME_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

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

/// What one imported batch did (the server's answer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchOutcome {
    pub import_id: i64,
    pub imported: usize,
    /// Rows that were members already (imported before by this file's stopped import).
    pub already: usize,
    /// Rows not imported, each with why.
    pub skipped: Vec<CellProblem>,
}

/// A 64-bit digest of a file's bytes (XXH3): the same file imported twice is recognised.
pub fn digest(bytes: &[u8]) -> String {
    let mut digest = Digest::default();
    digest.update(bytes);
    digest.finish()
}

/// [`digest`] fed a piece at a time (XXH3, 64 bits, as hex). XXH3 rather than FNV-1a,
/// which read a byte per multiplication: the fingerprint is taken of every file the page
/// checks, and at a million rows FNV's pass was a tenth of the check.
#[derive(Clone, Default)]
pub struct Digest(Box<xxhash_rust::xxh3::Xxh3Default>);

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Digest")
    }
}

impl Digest {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(self) -> String {
        format!("{:016x}", self.0.digest())
    }
}

/// The sample file: the header and two example rows whose user_ids continue from
/// `next_user_id`.
pub fn template(next_user_id: u32) -> String {
    let id = |n: u32| {
        crate::domain::ExternalId::from_number(n)
            .map(|i| i.to_string())
            .unwrap_or_default()
    };
    format!(
        "user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments\r\n\
         {},Jane,Doe,jane.doe@yourcompany.com,Account Executive,TRUE,FALSE,\"meddpicc-masterclass,meddicc-value-program\"\r\n\
         {},John,Smith,john.smith@yourcompany.com,Sales Engineer,FALSE,FALSE,\r\n",
        id(next_user_id),
        id(next_user_id + 1)
    )
}

use crate::spreadsheet::spreadsheet_safe;

/// The problems of spreadsheet row `row`, found by halving: `problems` are in row order
/// (as a check reports them), and a million-row file can have a million problems.
pub fn problems_of(problems: &[CellProblem], row: u32) -> &[CellProblem] {
    let start = problems.partition_point(|p| p.row < row);
    let len = problems[start..].partition_point(|p| p.row == row);
    &problems[start..start + len]
}

/// For each of `rows`, whether it has problems (rows and problems both in row order, as a
/// check gives them): one walk over both.
pub fn with_problems<'a>(
    rows: &'a [RowCells],
    problems: &'a [CellProblem],
) -> impl Iterator<Item = bool> + 'a {
    let mut next = problems.iter().map(|p| p.row).peekable();
    rows.iter().map(move |cells| {
        while next.next_if(|&row| row < cells.row).is_some() {}
        next.peek() == Some(&cells.row)
    })
}

/// The positions in `rows` of the rows with problems (see [`with_problems`]).
pub fn positions_with_problems(rows: &[RowCells], problems: &[CellProblem]) -> Vec<usize> {
    with_problems(rows, problems)
        .enumerate()
        .filter_map(|(position, bad)| bad.then_some(position))
        .collect()
}

/// The rows that have problems, as a CSV to fix in a spreadsheet: the template's columns
/// plus a `problems` column.
pub fn problems_csv(rows: &[RowCells], problems: &[CellProblem]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut header: Vec<&str> = COLUMNS.iter().map(|c| c.name()).collect();
    header.push("problems");
    let _ = writer.write_record(&header);
    for row in rows {
        let mine: Vec<String> = problems_of(problems, row.row)
            .iter()
            .map(|p| match p.column {
                Some(c) => format!("{}: {}", c.name(), p.message),
                None => p.message.clone(),
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        let mut record: Vec<std::borrow::Cow<'_, str>> =
            row.cells().into_iter().map(spreadsheet_safe).collect();
        record.push(std::borrow::Cow::Owned(mine.join(" | ")));
        let _ = writer.write_record(record.iter().map(|c| c.as_ref()));
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_passes_its_own_checks() {
        let parsed = parse(template(42).as_bytes());
        assert!(parsed.file_problems.is_empty());
        let report = check_file(&parsed.rows, None);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let valid = report.valid_rows(&parsed.rows).unwrap();
        assert_eq!(
            valid[0].invitee.external_id.unwrap().to_string(),
            "EXT00042"
        );
        assert_eq!(
            valid[1].invitee.external_id.unwrap().to_string(),
            "EXT00043"
        );
        assert_eq!(
            valid[0].invitee.programs,
            [
                crate::domain::Program::Masterclass,
                crate::domain::Program::ValueProgram
            ]
        );
    }

    #[test]
    fn problem_rows_download_inert_with_their_problems() {
        let parsed = parse(
            b"user_id,first_name,last_name,email\nEXT00001,=HYPERLINK(\"x\"),Doe,bad\nEXT00002,Ok,Row,ok@example.com\n",
        );
        let report = check_file(&parsed.rows, None);
        let csv = problems_csv(&parsed.rows, &report.problems);
        let with_problems = positions_with_problems(&parsed.rows, &report.problems);
        assert_eq!(with_problems.len(), report.rows_with_problems());
        for (position, cells) in parsed.rows.iter().enumerate() {
            let mine = problems_of(&report.problems, cells.row);
            assert_eq!(
                mine,
                report
                    .problems
                    .iter()
                    .filter(|p| p.row == cells.row)
                    .cloned()
                    .collect::<Vec<_>>()
            );
            assert_eq!(with_problems.contains(&position), !mine.is_empty());
        }
        assert!(csv.contains("'=HYPERLINK"), "{csv}");
        assert!(csv.contains("email: "), "{csv}");
        assert!(
            !csv.contains("Ok,Row"),
            "rows without problems stay out: {csv}"
        );
        assert_eq!(spreadsheet_safe("-1"), "'-1");
        assert_eq!(spreadsheet_safe("Ana"), "Ana");
    }
}
