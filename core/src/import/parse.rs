//! Reading a decoded CSV file into rows of the contract's eight columns, and of the three
//! an exported roster adds (permission, region, team), which a re-imported export
//! changes.

use super::columns::{localized_boolean, needs_matching, suggest, ColumnMap};
use super::decode::{decode, Decoded, Encoding};
use super::header::{find_header, too_many_columns};
use super::record::Records;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use super::template::{Column, CELLS, COLUMNS};

/// The template's columns: a row that has exactly these, in this order, is the usual row.
const TEMPLATE: usize = COLUMNS.len();

/// One data row: its spreadsheet row number and its cells (see [`COLUMNS`] and
/// [`super::ALL_COLUMNS`]; a column the file lacks is empty).
#[derive(Clone, Default)]
pub struct RowCells {
    pub row: u32,
    cells: Cells,
}

/// Where a row's cells are. The page keeps every row of a file (a million rows are 100 MB
/// of text): the usual row points into the file's text instead of copying it.
#[derive(Clone)]
enum Cells {
    /// The usual row: the template's columns in its order, each cell exactly as written
    /// (nothing trimmed or rewritten), lying in the file's text one separator apart, within
    /// its quotes when quoted. `ends[i]`: where cell i ends, counted from `start`; bit i of
    /// `quoted`: whether it was quoted. 32 bytes beside the text the file already takes.
    InFile {
        text: Arc<String>,
        start: u32,
        ends: [u16; TEMPLATE],
        quoted: u8,
    },
    /// Any other row (other columns, cells trimmed, a fix made in the preview, a row sent
    /// to the server): its cells one after the other in a string of its own.
    Own(Box<OwnCells>),
}

#[derive(Clone, Default)]
struct OwnCells {
    text: String,
    /// Where each cell ends in `text` (byte offsets).
    ends: [u32; CELLS],
}

impl Cells {
    /// The text the row's cells are cut from: its part of the file's text, or its copy.
    fn text(&self) -> &str {
        match self {
            Cells::InFile {
                text, start, ends, ..
            } => {
                let start = *start as usize;
                text.get(start..start + usize::from(ends[TEMPLATE - 1]))
                    .unwrap_or("")
            }
            Cells::Own(own) => &own.text,
        }
    }

    /// Cell `i`, cut from [`Cells::text`]; "" for a column the row lacks or offsets that
    /// do not fit (a row from a request).
    fn cell<'a>(&self, text: &'a str, i: usize) -> &'a str {
        let range = match self {
            Cells::InFile { ends, quoted, .. } => ends.get(i).map(|&end| {
                let quote = |k: usize| usize::from(quoted >> k & 1);
                let from = match i.checked_sub(1) {
                    None => quote(0),
                    // After the cell before, its closing quote, the separator, an opening quote.
                    Some(before) => usize::from(ends[before]) + quote(before) + 1 + quote(i),
                };
                from..usize::from(end)
            }),
            Cells::Own(own) => own.ends.get(i).map(|&end| {
                let from = i
                    .checked_sub(1)
                    .map_or(0, |before| own.ends[before] as usize);
                from..end as usize
            }),
        };
        range.and_then(|range| text.get(range)).unwrap_or("")
    }
}

impl Default for Cells {
    fn default() -> Self {
        Cells::Own(Box::default())
    }
}

impl RowCells {
    /// A row of the template's eight cells.
    pub fn new(row: u32, cells: [&str; 8]) -> Self {
        Self::with_all(
            row,
            std::array::from_fn(|i| cells.get(i).copied().unwrap_or("")),
        )
    }

    /// A row of every column's cell (see [`super::ALL_COLUMNS`]).
    pub fn with_all(row: u32, cells: [&str; CELLS]) -> Self {
        let mut text = String::with_capacity(cells.iter().map(|c| c.len()).sum());
        let mut ends = [0u32; CELLS];
        for (i, cell) in cells.iter().enumerate() {
            text.push_str(cell);
            ends[i] = text.len() as u32;
        }
        Self {
            row,
            cells: Cells::Own(Box::new(OwnCells { text, ends })),
        }
    }

    /// A cell's text. Offsets that came from elsewhere (a request) and do not fit give "".
    pub fn get(&self, column: Column) -> &str {
        self.cells.cell(self.cells.text(), column.index())
    }

    /// Replaces one cell (a fix made in the preview).
    pub fn set(&mut self, column: Column, value: &str) {
        let mut cells = self.all_cells();
        cells[column.index()] = value;
        *self = Self::with_all(self.row, cells);
    }

    /// The template's eight cells.
    pub fn cells(&self) -> [&str; 8] {
        COLUMNS.map(|c| self.get(c))
    }

    /// Every column's cell, the row's text found once (the check reads each cell of every
    /// row, several of them more than once: one look-up a cell, as [`RowCells::get`] does,
    /// cost the browser's check a tenth of its time).
    pub fn all_cells(&self) -> [&str; CELLS] {
        let text = self.cells.text();
        std::array::from_fn(|i| self.cells.cell(text, i))
    }

    /// At least as many bytes as the row takes as JSON, as it is sent (`serde_json`): its
    /// cells with each byte that JSON escapes counted at its longest escape (`\"`, `\u001f`),
    /// and room for its number and its cells' ends. What the page counts to keep a batch
    /// under the request's limit.
    pub fn wire_len(&self) -> usize {
        let cells: usize = self
            .all_cells()
            .iter()
            .flat_map(|cell| cell.bytes())
            .map(|b| match b {
                b'"' | b'\\' => 2,
                0..=0x1f => 6,
                _ => 1,
            })
            .sum();
        // {"row":4294967295,"text":"…","ends":[4294967295,…]}
        cells + 40 + 11 * CELLS
    }
}

/// `rows` in the batches the page sends them in, in order: each at most
/// [`MAX_BATCH_ROWS`](super::MAX_BATCH_ROWS) rows and, but for a single row longer than
/// that, at most [`MAX_BATCH_BYTES`](super::MAX_BATCH_BYTES) of JSON.
pub fn batches(rows: &[RowCells]) -> Vec<&[RowCells]> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        let len = row.wire_len();
        if i > start && (i - start == super::MAX_BATCH_ROWS || bytes + len > super::MAX_BATCH_BYTES)
        {
            batches.push(&rows[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += len;
    }
    if start < rows.len() {
        batches.push(&rows[start..]);
    }
    batches
}

/// Two rows are equal when their numbers and cells are, wherever the cells are kept.
impl PartialEq for RowCells {
    fn eq(&self, other: &Self) -> bool {
        self.row == other.row && self.all_cells() == other.all_cells()
    }
}

impl Eq for RowCells {}

impl std::fmt::Debug for RowCells {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowCells")
            .field("row", &self.row)
            .field("cells", &self.all_cells())
            .finish()
    }
}

/// A row as it travels (to the server, in a saved change set): its cells one after the
/// other, and where each ends. The same form whichever way the row is kept.
#[derive(Serialize, Deserialize)]
#[serde(rename = "RowCells")]
struct RowWire<T> {
    row: u32,
    text: T,
    ends: [u32; CELLS],
}

impl Serialize for RowCells {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.cells {
            Cells::Own(own) => RowWire {
                row: self.row,
                text: own.text.as_str(),
                ends: own.ends,
            }
            .serialize(serializer),
            // Sent as the copy it would be.
            Cells::InFile { .. } => {
                Self::with_all(self.row, self.all_cells()).serialize(serializer)
            }
        }
    }
}

impl<'de> Deserialize<'de> for RowCells {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = RowWire::<String>::deserialize(deserializer)?;
        Ok(Self {
            row: wire.row,
            cells: Cells::Own(Box::new(OwnCells {
                text: wire.text,
                ends: wire.ends,
            })),
        })
    }
}

/// Where the template's cells of a record lie in the file's text, when each is there as
/// the reader read it: from `start`, cells one `delimiter` apart, a quoted one within its
/// quotes and free of doubled quotes, with where the record's text ends (after the last
/// cell's closing quote). `None` for anything else (a row longer than 64 KB too): such a
/// row keeps its own copy.
fn in_text(
    text: &[u8],
    start: usize,
    record: &Records,
    delimiter: u8,
) -> Option<([u16; TEMPLATE], u8, usize)> {
    if record.len() != TEMPLATE {
        return None;
    }
    let (mut ends, mut quoted, mut at) = ([0u16; TEMPLATE], 0u8, start);
    for (i, field) in record.iter().enumerate() {
        let quote = text.get(at) == Some(&b'"');
        let from = at + usize::from(quote);
        let end = from + field.len();
        // The cell is exactly these bytes of the text (a doubled quote, or text after a
        // closing quote, makes the reader's cell differ from them).
        if text.get(from..end) != Some(field)
            || (quote && text.get(end) != Some(&b'"'))
            || (i + 1 < TEMPLATE && text.get(end + usize::from(quote)) != Some(&delimiter))
        {
            return None;
        }
        ends[i] = u16::try_from(end - start).ok()?;
        quoted |= u8::from(quote) << i;
        at = end + usize::from(quote) + 1;
    }
    Some((ends, quoted, at - 1))
}

/// How many line breaks `bytes` has: a search for one (a word at a time) first, as most
/// records have none.
fn newlines(bytes: &[u8]) -> u64 {
    if bytes.contains(&b'\n') {
        bytes.iter().filter(|&&b| b == b'\n').count() as u64
    } else {
        0
    }
}

/// Whether [`clean`] certainly leaves the template's cell `i` as it is: it begins and ends
/// with a visible ASCII character (nothing to trim) and begins with no apostrophe, and a
/// seat cell is empty, TRUE or FALSE. `false` says only that `clean` must look.
fn unchanged(i: usize, cell: &[u8]) -> bool {
    let ends_plain = match (cell.first(), cell.last()) {
        (Some(&first), Some(&last)) => {
            first.is_ascii_graphic() && first != b'\'' && last.is_ascii_graphic()
        }
        _ => true,
    };
    let seat = i == Column::MosEnable.index() || i == Column::MosOpportunity.index();
    ends_plain
        && (!seat
            || cell.is_empty()
            || cell.eq_ignore_ascii_case(b"true")
            || cell.eq_ignore_ascii_case(b"false"))
}

/// A row's cells as Roster reads them: trimmed, the apostrophe of a formula-safe download
/// taken off, booleans in other words (WAHR, VRAI, yes, 1 …) as the template's (each
/// word noted in `booleans_read`, up to 20, for the notice). Says whether a cell was
/// rewritten (beyond trimming).
fn clean<'a>(
    cells: [&'a str; CELLS],
    booleans_read: &mut std::collections::BTreeSet<String>,
) -> ([&'a str; CELLS], bool) {
    let mut cells = cells.map(crate::domain::trim);
    let mut rewritten = false;
    // Roster's own downloads put an apostrophe before a cell that starts like a
    // formula (`export::spreadsheet_safe`); reading one back takes it off.
    for cell in cells.iter_mut() {
        if let Some(rest) = cell.strip_prefix('\'') {
            if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                *cell = rest;
                rewritten = true;
            }
        }
    }
    for column in [Column::MosEnable, Column::MosOpportunity] {
        let cell = cells[column.index()];
        if cell.is_empty()
            || cell.eq_ignore_ascii_case("true")
            || cell.eq_ignore_ascii_case("false")
        {
            continue;
        }
        if let Some(value) = localized_boolean(cell) {
            if booleans_read.len() < 20 {
                booleans_read.insert(cell.to_owned());
            }
            cells[column.index()] = if value { "TRUE" } else { "FALSE" };
            rewritten = true;
        }
    }
    (cells, rewritten)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedFile {
    pub rows: Vec<RowCells>,
    /// Said to the person, not wrong: encoding, separator, ignored columns.
    pub notices: Vec<String>,
    /// Wrong with the file as a whole: nothing can be imported until they are fixed.
    pub file_problems: Vec<String>,
    /// Which columns the file has (by [`Column::index`]): a column it lacks changes nothing.
    pub present: [bool; CELLS],
}

/// Reads a whole file at once (the server, the command line, the tests).
pub fn parse(bytes: impl Into<Vec<u8>>) -> ParsedFile {
    let mut parser = Parser::new(decode(bytes.into()));
    let mut rows = Vec::new();
    if parser.read_rows(super::slices::SLICE_ROWS, &mut rows) {
        rows.reserve(parser.expected_rows(rows.len()).saturating_sub(rows.len()));
        while parser.read_rows(usize::MAX, &mut rows) {}
    }
    let present = parser.present();
    let (notices, file_problems) = parser.finish();
    ParsedFile {
        rows,
        notices,
        file_problems,
        present,
    }
}

/// Reads a file a slice of rows at a time, so that the page can read a million rows
/// without freezing: between two slices the browser paints and answers clicks.
pub struct Parser {
    /// The decoded text, which the reader walks through from the header on, and which the
    /// usual rows point into.
    text: Arc<String>,
    delimiter: u8,
    /// Whether the header has exactly the template's columns in the template's order.
    in_order: bool,
    /// The CSV reader, and the record it read last.
    record: Records,
    /// Where each of the contract's columns is in the file (`None`: absent).
    positions: [Option<usize>; CELLS],
    /// Where (in the decoded text) the record just read starts.
    record_start: usize,
    /// Line counting (see `next_record`): how far '\n's were counted, and the line there.
    counted_to: usize,
    line: u64,
    /// Line breaks inside quoted cells so far: spreadsheet rows count records, not lines.
    embedded_newlines: u64,
    notices: Vec<String>,
    file_problems: Vec<String>,
    done: bool,
    /// How the file's columns are read, when the person chose (the matching step).
    columns: Option<ColumnMap>,
    /// Booleans written in other words (WAHR, 1 …) read as TRUE/FALSE, for the notice.
    booleans_read: std::collections::BTreeSet<String>,
    /// The header's spreadsheet row (rows above it are a title, not members).
    header_row: u32,
}

impl Parser {
    /// Reads the header of a decoded file (see [`decode`]); nothing more is read when the
    /// header is unusable (the problem is in `finish`).
    pub fn new(decoded: Decoded) -> Self {
        Self::with_columns(decoded, None, None)
    }

    /// [`Parser::new`], the file's columns read as `columns` says (one entry per column of
    /// the header: the template column it fills, or `None` to ignore it). Without it,
    /// columns are read by their names: the template's, or failing those the names
    /// [`super::columns::suggest`] recognizes, each said in a notice. `header_row`: the
    /// header's spreadsheet row when the person chose it; otherwise it is found
    /// ([`find_header`]) and rows above it are skipped, with a notice.
    pub fn with_columns(
        decoded: Decoded,
        columns: Option<ColumnMap>,
        header_row: Option<u32>,
    ) -> Self {
        let mut notices = Vec::new();
        match decoded.encoding {
            Encoding::Windows1252 => notices.push(
                "This file is not UTF-8: it was read as Windows-1252 (what Excel on Windows saves). Check that accented names look right below."
                    .into(),
            ),
            Encoding::Utf8WithBom | Encoding::Utf8 => {}
        }
        if decoded.delimiter == b';' {
            notices.push("Cells are separated by semicolons (;), as Excel saves in many countries: read that way.".into());
        }
        if decoded.delimiter == b'\t' {
            notices.push("Cells are separated by tabs (tab-separated text): read that way.".into());
        }
        let header = find_header(
            decoded.text.as_bytes(),
            decoded.start,
            decoded.delimiter,
            header_row,
        );
        if header.row > 1 {
            notices.push(format!(
                "The header is row {}: the row{} above it {} not members and {} skipped.",
                header.row,
                if header.row == 2 { "" } else { "s" },
                if header.row == 2 { "is" } else { "are" },
                if header.row == 2 { "was" } else { "were" },
            ));
        }
        let start = header.offset;
        let text = Arc::new(decoded.text);
        let mut parser = Self {
            text,
            delimiter: decoded.delimiter,
            in_order: false,
            record: Records::new(decoded.delimiter, start),
            positions: [None; CELLS],
            record_start: 0,
            counted_to: 0,
            line: 1,
            embedded_newlines: header.embedded_newlines,
            notices,
            file_problems: Vec::new(),
            done: false,
            columns,
            booleans_read: Default::default(),
            header_row: header.row,
        };
        parser.read_header();
        parser
    }

    /// Reads the next record; returns the line it starts on. The reader's own line counter
    /// depends on the line ending (it lags with CRLF), so lines are counted here: from where
    /// the reader stood before the record, skip the line breaks of earlier lines, and count
    /// '\n' up to there.
    fn next_record(&mut self) -> Option<u64> {
        let mut start = self.record.position();
        let bytes = self.text.as_bytes();
        if !self.record.next(bytes) {
            return None;
        }
        while start < bytes.len() && (bytes[start] == b'\n' || bytes[start] == b'\r') {
            start += 1;
        }
        self.line += bytes[self.counted_to.min(start)..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.counted_to = self.counted_to.max(start);
        self.record_start = start;
        Some(self.line)
    }

    /// Whether the record just read ran to the end of the file inside a quoted cell: it
    /// reaches the end, and from its start to there the quotes do not pair up.
    fn quote_never_closed(&self) -> bool {
        let bytes = self.text.as_bytes();
        let at_end = self.record.position() >= bytes.len();
        at_end
            && bytes[self.record_start.min(bytes.len())..]
                .iter()
                .filter(|&&b| b == b'"')
                .count()
                % 2
                == 1
    }

    /// Whether the record is blank (nothing but spaces): stops at the usual row's first
    /// byte.
    fn blank(&self) -> bool {
        self.record.as_slice().iter().all(u8::is_ascii_whitespace)
    }

    /// The header: the first line that is not blank.
    fn read_header(&mut self) {
        loop {
            match self.next_record() {
                None => {
                    self.file_problems.push(
                        "The file is empty: start from the sample file, fill it in, and drop it again."
                            .into(),
                    );
                    self.done = true;
                    return;
                }
                Some(_) if self.blank() => continue,
                Some(_) => break,
            }
        }
        self.embedded_newlines += newlines(self.record.as_slice());
        if let Some(problem) = too_many_columns(self.record.len()) {
            self.file_problems.push(problem);
            self.done = true;
            return;
        }
        let names: Vec<String> = self
            .record
            .iter()
            .map(|field| String::from_utf8_lossy(field).trim().to_owned())
            .collect();
        let chosen = self.columns.take();
        let map = match chosen {
            Some(map) => map,
            None if needs_matching(&names) => {
                let map = suggest(&names, &[], &Default::default());
                for (name, column) in names.iter().zip(&map) {
                    if let Some(column) = column.filter(|c| Column::from_header(name) != Some(*c)) {
                        self.notices.push(format!(
                            "The column \u{201c}{name}\u{201d} is read as {}.",
                            column.name()
                        ));
                    }
                }
                map
            }
            None => names.iter().map(|name| Column::from_header(name)).collect(),
        };
        let mut ignored = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match map.get(i).copied().flatten() {
                Some(column) if self.positions[column.index()].is_none() => {
                    self.positions[column.index()] = Some(i)
                }
                Some(column) => self.file_problems.push(format!(
                    "The column {} appears twice in the header: keep one.",
                    column.name()
                )),
                None if name.is_empty() => {}
                None => ignored.push(name.clone()),
            }
        }
        self.in_order = self.record.len() == COLUMNS.len()
            && (0..COLUMNS.len()).all(|i| self.positions[i] == Some(i))
            && self.positions[COLUMNS.len()..].iter().all(Option::is_none);
        if !ignored.is_empty() {
            self.notices.push(format!(
                "Ignored column{} not in the template: {}.",
                if ignored.len() == 1 { "" } else { "s" },
                ignored.join(", ")
            ));
        }
        let missing: Vec<&str> = COLUMNS
            .iter()
            .filter(|c| c.required() && self.positions[c.index()].is_none())
            .map(|c| c.name())
            .collect();
        if !missing.is_empty() {
            self.file_problems.push(format!(
                "The header (row {}) lacks the column{} {}: start from the sample file, which has every column.",
                self.header_row,
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ));
            self.done = true;
        }
    }

    /// Reads up to `max` more data rows into `rows`. Returns whether rows remain.
    pub fn read_rows(&mut self, max: usize, rows: &mut Vec<RowCells>) -> bool {
        let mut read = 0;
        while !self.done && read < max {
            let Some(start_line) = self.next_record() else {
                self.done = true;
                break;
            };
            let blank = self.blank();
            // The usual row (the template's columns in its order, each cell in the file's
            // text as the reader read it) is tried first: its cells are then slices of
            // the text, UTF-8 already.
            let placed = (self.in_order && !blank)
                .then(|| {
                    let start = u32::try_from(self.record_start).ok()?;
                    let placed = in_text(
                        self.text.as_bytes(),
                        self.record_start,
                        &self.record,
                        self.delimiter,
                    )?;
                    Some((start, placed))
                })
                .flatten();
            // The line breaks inside the record's cells. Only a quoted cell has any (one
            // outside quotes ends the record): a placed row looks in its quoted cells.
            let own = match &placed {
                Some((_, (_, quoted, _))) => (0..TEMPLATE)
                    .filter(|i| quoted >> i & 1 == 1)
                    .filter_map(|i| self.record.get(i))
                    .map(newlines)
                    .sum(),
                None => newlines(self.record.as_slice()),
            };
            let row = (start_line - self.embedded_newlines) as u32;
            if own > 0 && self.quote_never_closed() {
                // The reader took everything to the end of the file as one cell: say
                // where the quote opened rather than check a swallowed row.
                self.file_problems.push(format!(
                    "Row {row}: a quote (\") opened on this row is never closed, so the rest of the file would be read as one cell. Close the quote, or remove it, and drop the file again."
                ));
                self.done = true;
                break;
            }
            self.embedded_newlines += own;
            if blank {
                continue; // blank lines, trailing ones included
            }
            if let Some((start, (ends, quoted, end))) = placed {
                // The record's line breaks are its cells' (`own`): the next record's line
                // is counted from its end, not over its text again.
                self.counted_to = end;
                self.line += own;
                let in_file = RowCells {
                    row,
                    cells: Cells::InFile {
                        text: Arc::clone(&self.text),
                        start,
                        ends,
                        quoted,
                    },
                };
                // Kept as it is unless a cell is trimmed or rewritten. Most rows have no
                // cell `clean` could change, which a look at each cell's ends tells.
                let untouched = self
                    .record
                    .iter()
                    .enumerate()
                    .all(|(i, cell)| unchanged(i, cell));
                let copy = (!untouched).then(|| {
                    let written = in_file.all_cells();
                    let (cells, rewritten) = clean(written, &mut self.booleans_read);
                    let trimmed = cells.iter().zip(&written).any(|(c, w)| c.len() != w.len());
                    (rewritten || trimmed).then(|| RowCells::with_all(row, cells))
                });
                rows.push(copy.flatten().unwrap_or(in_file));
            } else {
                // The text was decoded to UTF-8 and cells are cut at ASCII bytes, so the
                // cells together are valid UTF-8: one check per row rather than one per cell.
                let record = &self.record;
                let text = std::str::from_utf8(record.as_slice()).unwrap_or("");
                let field = |position: Option<usize>| {
                    position
                        .and_then(|p| record.range(p))
                        .and_then(|range| text.get(range))
                        .unwrap_or("")
                };
                let (cells, _) = clean(self.positions.map(field), &mut self.booleans_read);
                rows.push(RowCells::with_all(row, cells));
            }
            read += 1;
        }
        !self.done
    }

    /// Which columns the file has.
    pub fn present(&self) -> [bool; CELLS] {
        self.positions.map(|p| p.is_some())
    }

    /// About how many rows the file has, from the `read` read so far (at most a million):
    /// the rows, and the checker's maps, are then made once at their size rather than
    /// grown by copying themselves, which also leaves the old copies in the page's memory
    /// (a million rows: 16 MB for the rows alone).
    pub fn expected_rows(&self, read: usize) -> usize {
        let expected = (read as f64 / self.fraction_read().max(1e-6) * 1.02) as usize;
        expected.min(super::MAX_EXPECTED_ROWS)
    }

    /// How far through the decoded text the reader is, from 0 to 1 (for a progress bar).
    pub fn fraction_read(&self) -> f64 {
        let total = self.text.len().max(1);
        (self.record.position() as f64 / total as f64).min(1.0)
    }

    /// The notices and the problems of the file as a whole.
    pub fn finish(mut self) -> (Vec<String>, Vec<String>) {
        if !self.booleans_read.is_empty() {
            let words: Vec<String> = self
                .booleans_read
                .iter()
                .map(|w| format!("\u{201c}{w}\u{201d}"))
                .collect();
            self.notices.push(format!(
                "Read {} as TRUE or FALSE in the seat columns.",
                words.join(", ")
            ));
        }
        (self.notices, self.file_problems)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_header_is_found_under_a_title_and_rows_keep_their_numbers() {
        let text = "Employee roster \u{2014} exported 30 November 2026,,\n,,\n\
                    user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments\n\
                    EXT00001,Ana,Ruiz,ana@example.com,,TRUE,FALSE,\n\
                    EXT00002,Bo,Li,not an address,,TRUE,FALSE,\n";
        let parsed = parse(text.as_bytes().to_vec());
        assert!(
            parsed.file_problems.is_empty(),
            "{:?}",
            parsed.file_problems
        );
        assert_eq!(parsed.rows.len(), 2);
        // Spreadsheet rows: the title is 1, the blank row 2, the header 3.
        assert_eq!(parsed.rows[0].row, 4);
        assert_eq!(parsed.rows[1].row, 5);
        assert!(
            parsed
                .notices
                .iter()
                .any(|n| n.starts_with("The header is row 3")),
            "{:?}",
            parsed.notices
        );
        let peeked = peek(text.as_bytes(), 5, None);
        assert_eq!(peeked.header_row, 3);
        assert_eq!(peeked.headers[0], "user_id");
        assert_eq!(peeked.samples.len(), 2);
        assert_eq!(
            peeked.above,
            vec![
                "Employee roster \u{2014} exported 30 November 2026".to_owned(),
                String::new()
            ]
        );
        // The person may say the names are elsewhere: the title row, then.
        let chosen = peek(text.as_bytes(), 5, Some(1));
        assert_eq!(chosen.header_row, 1);
        assert!(chosen.headers[0].starts_with("Employee roster"));
        // A file whose header is its first row is read as before.
        let plain = peek(
            b"user_id,first_name,last_name,email\nEXT00001,A,B,a@b.example\n",
            5,
            None,
        );
        assert_eq!((plain.header_row, plain.above.len()), (1, 0));
        // A quoted title over two lines still counts as one row.
        let quoted =
            "\"Roster\nNovember\"\nuser_id,first_name,last_name,email\nEXT00001,A,B,a@b.example\n";
        let parsed = parse(quoted.as_bytes().to_vec());
        assert_eq!(parsed.rows[0].row, 3, "{:?}", parsed.file_problems);
    }

    #[test]
    fn a_file_of_thousands_of_columns_is_refused_before_any_step() {
        let header: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
        let text = format!("{}\n{}\n", header.join(","), header.join(","));
        let parsed = parse(text.into_bytes());
        assert!(parsed.rows.is_empty());
        assert_eq!(parsed.file_problems.len(), 1);
        assert!(
            parsed.file_problems[0].contains("10000 columns"),
            "{:?}",
            parsed.file_problems
        );
        assert_eq!(too_many_columns(MAX_COLUMNS), None);
        assert!(too_many_columns(MAX_COLUMNS + 1).is_some());
    }

    use super::*;
    use crate::import::header::{peek, MAX_COLUMNS};
    use crate::import::{ALL_COLUMNS, ROSTER_COLUMNS};

    impl RowCells {
        fn in_file(&self) -> bool {
            matches!(self.cells, Cells::InFile { .. })
        }
    }

    #[test]
    fn usual_rows_point_into_the_file_and_read_as_written() {
        let header = "user_id;first_name;last_name;email;job_title;mos_enable;mos_opportunity;course_enrollments";
        let long = "x".repeat(70_000);
        let text = format!(
            "\u{feff}{header}\r\n\
             EXT00001;\"Zoë\";Müller;zoe@example.com;;TRUE;FALSE;\"a,b\"\r\n\
             EXT00002;\"Say \"\"hi\"\"\";Li;li@example.com;;;;\r\n\
             EXT00003;\"Bo\"x;Li;bo@example.com;;;;\r\n\
             EXT00004; Ana ;Li;ana@example.com;;;;\r\n\
             EXT00005;\"\";\"\";\"\";\"\";\"\";\"\";\"\"\r\n\
             EXT00006;{long};Li;x@example.com;;;;\r\n\
             EXT00007;Cy;Ng;cy@example.com;;ja;;\r\n\
             \r\n\
             EXT00008;Di;\"N\r\ng\";di@example.com;;;;\r\n\
             EXT00009;Ed;Ng;ed@example.com;;;;"
        );
        let parsed = parse(text.as_bytes());
        assert!(
            parsed.file_problems.is_empty(),
            "{:?}",
            parsed.file_problems
        );
        let rows = &parsed.rows;
        assert_eq!(rows.len(), 9);
        let expected: [[&str; 8]; 9] = [
            [
                "EXT00001",
                "Zoë",
                "Müller",
                "zoe@example.com",
                "",
                "TRUE",
                "FALSE",
                "a,b",
            ],
            [
                "EXT00002",
                "Say \"hi\"",
                "Li",
                "li@example.com",
                "",
                "",
                "",
                "",
            ],
            ["EXT00003", "Box", "Li", "bo@example.com", "", "", "", ""],
            ["EXT00004", "Ana", "Li", "ana@example.com", "", "", "", ""],
            ["EXT00005", "", "", "", "", "", "", ""],
            ["EXT00006", &long, "Li", "x@example.com", "", "", "", ""],
            ["EXT00007", "Cy", "Ng", "cy@example.com", "", "TRUE", "", ""],
            ["EXT00008", "Di", "N\r\ng", "di@example.com", "", "", "", ""],
            ["EXT00009", "Ed", "Ng", "ed@example.com", "", "", "", ""],
        ];
        for (row, cells) in rows.iter().zip(expected) {
            assert_eq!(row.cells(), cells, "row {}", row.row);
            // Found in one pass or a cell at a time, the same cells.
            assert_eq!(row.all_cells(), ALL_COLUMNS.map(|c| row.get(c)));
            // The roster's columns, which this file lacks, are empty.
            assert!(ROSTER_COLUMNS.iter().all(|c| row.get(*c).is_empty()));
            assert_eq!(row, &RowCells::new(row.row, cells));
        }
        // In the file: quoted cells, empty quoted cells, the last row without a line end.
        // Copied: a doubled quote, text after a closing quote, a trimmed cell, a row over
        // 64 KB, a boolean rewritten.
        let kept: Vec<bool> = rows.iter().map(RowCells::in_file).collect();
        assert_eq!(
            kept,
            [true, false, false, false, true, false, false, true, true]
        );
        // Spreadsheet rows: a blank line is a row, a cell over two lines is one.
        let numbers: Vec<u32> = rows.iter().map(|r| r.row).collect();
        assert_eq!(numbers, [2, 3, 4, 5, 6, 7, 8, 10, 11]);
        // A fix turns the row into its own copy, the other cells unchanged.
        let mut fixed = rows[0].clone();
        fixed.set(Column::Email, "zoe@example.org");
        assert!(!fixed.in_file());
        assert_eq!(fixed.get(Column::Email), "zoe@example.org");
        assert_eq!(fixed.get(Column::CourseEnrollments), "a,b");
        // Either way a row travels as the same cells.
        for row in [&rows[0], &fixed] {
            let wire = serde_json::to_string(row).unwrap();
            let copy: RowCells = serde_json::from_str(&wire).unwrap();
            assert_eq!(&copy, row);
            assert_eq!(
                wire,
                serde_json::to_string(&RowCells::with_all(row.row, row.all_cells())).unwrap()
            );
        }
    }

    proptest::proptest! {
        /// A cell said to be `unchanged` is one `clean` leaves as it is, in every column.
        #[test]
        fn unchanged_cells_are_left_as_they_are(
            cell in "[ \t'=+a-zA-Z0-9é\u{a0}\u{3000}]{0,6}|WAHR|ja|1|TRUE|false",
            column in 0..COLUMNS.len(),
        ) {
            if unchanged(column, cell.as_bytes()) {
                let mut cells = [""; CELLS];
                cells[column] = &cell;
                let (cleaned, rewritten) = clean(cells, &mut Default::default());
                proptest::prop_assert!(!rewritten);
                proptest::prop_assert_eq!(cleaned[column], cell.as_str());
            }
        }
    }

    #[test]
    fn every_column_sits_at_its_index() {
        for (i, column) in ALL_COLUMNS.iter().enumerate() {
            assert_eq!(column.index(), i, "{column:?}");
        }
        assert_eq!(&ALL_COLUMNS[..8], &COLUMNS);
        assert_eq!(&ALL_COLUMNS[8..], &ROSTER_COLUMNS);
    }

    #[test]
    fn headers_match_in_any_case_order_and_spacing() {
        assert_eq!(Column::from_header(" First Name "), Some(Column::FirstName));
        assert_eq!(Column::from_header("MOS_ENABLE"), Some(Column::MosEnable));
        assert_eq!(Column::from_header("User-ID"), Some(Column::UserId));
        assert_eq!(Column::from_header("salary"), None);
    }

    #[test]
    fn reads_excel_style_files() {
        let file = "\u{feff}Email;User_ID;first name;LAST_NAME;Notes\r\nana@example.com;EXT00001;Ana;López;x\r\n\r\n\"bo@example.com\";EXT00002;\"Bo, Jr\";\"Multi\nLine\";y\r\nzed@example.com;EXT00003;Zed;Z;\r\n\r\n\r\n";
        let parsed = parse(file.as_bytes());
        assert!(
            parsed.file_problems.is_empty(),
            "{:?}",
            parsed.file_problems
        );
        assert_eq!(parsed.rows.len(), 3);
        assert_eq!(parsed.rows[0].get(Column::LastName), "López");
        assert_eq!(parsed.rows[0].row, 2);
        assert_eq!(parsed.rows[1].get(Column::FirstName), "Bo, Jr");
        assert_eq!(parsed.rows[1].row, 4, "the blank line is row 3");
        assert_eq!(
            parsed.rows[2].row, 5,
            "a cell spanning two lines is still one row"
        );
        assert!(parsed.notices.iter().any(|n| n.contains("semicolons")));
        assert!(parsed.notices.iter().any(|n| n.contains("Notes")));
    }

    #[test]
    fn a_missing_required_column_is_a_file_problem() {
        let parsed = parse(b"user_id,first_name,email\nEXT00001,Ana,a@example.com\n");
        assert!(
            parsed.file_problems[0].contains("last_name"),
            "{:?}",
            parsed.file_problems
        );
        assert!(parse(b"").file_problems[0].contains("empty"));
        assert!(parse(b"\n\n").file_problems[0].contains("empty"));
    }

    #[test]
    fn an_unclosed_quote_is_named_with_its_row() {
        let parsed = parse(
            "user_id,first_name,last_name,email\nEXT00001,Ana,Lopez,ana@example.com\nEXT00002,\"Bo,Berg,bo@example.com\nEXT00003,Cy,Case,cy@example.com\n"
                .as_bytes(),
        );
        assert_eq!(
            parsed.rows.len(),
            1,
            "the row before is read; nothing is swallowed"
        );
        assert_eq!(parsed.file_problems.len(), 1, "{:?}", parsed.file_problems);
        assert!(
            parsed.file_problems[0]
                .starts_with("Row 3: a quote (\") opened on this row is never closed"),
            "{:?}",
            parsed.file_problems
        );
        // Quoted cells with line breaks that do close are fine.
        let fine = parse(
            "user_id,first_name,last_name,email\nEXT00001,\"Ana\nMaria\",Lopez,ana@example.com\n"
                .as_bytes(),
        );
        assert!(fine.file_problems.is_empty(), "{:?}", fine.file_problems);
        assert_eq!(fine.rows.len(), 1);
    }

    /// What the page counts of a row is never less than the JSON it sends: escapes,
    /// control characters, letters beyond ASCII, the longest numbers.
    #[test]
    fn a_rows_wire_length_is_at_least_its_json() {
        let rows = [
            super::RowCells::new(
                2,
                [
                    "EXT00001",
                    "Ana",
                    "Ruiz",
                    "ana@example.com",
                    "",
                    "TRUE",
                    "FALSE",
                    "",
                ],
            ),
            super::RowCells::new(u32::MAX, ["", "", "", "", "", "", "", ""]),
            super::RowCells::new(
                7,
                [
                    "\"\"\"",
                    "\\\\",
                    "\u{1}\u{1f}\n\t",
                    "Zoë 🦀",
                    "a\"b",
                    "\r",
                    "\u{7f}",
                    "x",
                ],
            ),
            super::RowCells::with_all(9, [&*"\"".repeat(300); super::CELLS]),
        ];
        for row in &rows {
            let json = serde_json::to_string(row).unwrap().len();
            assert!(row.wire_len() >= json, "{} < {json}", row.wire_len());
            // and not far above it for a usual row
            assert!(row.wire_len() <= json + 40 + 11 * super::CELLS);
        }
    }

    /// Batches keep the rows' order, hold at most MAX_BATCH_ROWS rows and MAX_BATCH_BYTES
    /// of JSON, and a row longer than a batch goes alone.
    #[test]
    fn batches_are_bounded_by_rows_and_bytes() {
        use super::super::{MAX_BATCH_BYTES, MAX_BATCH_ROWS};
        let small: Vec<super::RowCells> = (0..12_001)
            .map(|n| super::RowCells::new(n + 2, ["EXT1", "A", "B", "a@b.example", "", "", "", ""]))
            .collect();
        let sizes: Vec<usize> = super::batches(&small).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [MAX_BATCH_ROWS, MAX_BATCH_ROWS, 2_001]);
        let long = "x".repeat(60_000);
        let large: Vec<super::RowCells> = (0..200)
            .map(|n| super::RowCells::new(n + 2, ["", &long, "", "", "", "", "", ""]))
            .collect();
        let batches = super::batches(&large);
        assert!(batches.len() > 1);
        for batch in &batches {
            assert!(serde_json::to_string(batch).unwrap().len() <= MAX_BATCH_BYTES);
        }
        let rows: Vec<u32> = batches
            .iter()
            .flat_map(|b| b.iter().map(|r| r.row))
            .collect();
        assert_eq!(rows, (2..202).collect::<Vec<_>>());
        let huge = [
            super::RowCells::new(
                2,
                ["", &"y".repeat(MAX_BATCH_BYTES), "", "", "", "", "", ""],
            ),
            super::RowCells::new(3, ["", "", "", "", "", "", "", ""]),
        ];
        let sizes: Vec<usize> = super::batches(&huge).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [1, 1]);
        assert!(super::batches(&[]).is_empty());
    }
}
