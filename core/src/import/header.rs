//! Where a file's header is: the first of its first rows whose cells name template
//! columns (an export's title, date and blank rows above it are skipped), or the row the
//! person picked; and a first look at a file's top rows for the matching step.

use super::decode::decode;

/// The most columns a file may have. HR exports carry a few dozen; a file of thousands is
/// not a list of people, and every step after (matching, checking) would work through
/// each of them.
pub const MAX_COLUMNS: usize = 250;

/// Why a header of `count` columns is refused, if it is.
pub fn too_many_columns(count: usize) -> Option<String> {
    (count > MAX_COLUMNS).then(|| {
        format!(
            "This file has {count} columns; Roster reads at most {MAX_COLUMNS}. Delete the columns you do not need (keep names, email and the ones you want imported), save, and drop it again."
        )
    })
}

/// Rows looked through for the header: an export's title, its date and blank rows come
/// before it, rarely more. The person may pick any of them (the matching step).
pub const HEADER_SEARCH_ROWS: u32 = 10;

/// Where a file's header is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderAt {
    /// Its spreadsheet row (the file's first row is 1).
    pub row: u32,
    /// Where it starts in the text.
    pub(super) offset: usize,
    /// Line breaks inside quoted cells of the rows above it.
    pub(super) embedded_newlines: u64,
}

/// Whether a row's cells look like a header: two or more name a column of the template
/// (by its name, a synonym or the words in it). A title ("Employee roster — exported
/// 30 November") names none; a row of people names none either.
fn looks_like_header(record: &csv::ByteRecord) -> bool {
    record
        .iter()
        .filter(|cell| {
            std::str::from_utf8(cell).is_ok_and(|c| super::columns::column_named(c).is_some())
        })
        .take(2)
        .count()
        >= 2
}

/// The header of a file whose text starts at `start`: the row `chosen` when the person
/// picked one (its spreadsheet row; a blank row there means the next one), else the first
/// of the first [`HEADER_SEARCH_ROWS`] rows that looks like a header, else the first row
/// that is not blank.
pub fn find_header(text: &[u8], start: usize, delimiter: u8, chosen: Option<u32>) -> HeaderAt {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text[start..]);
    let mut record = csv::ByteRecord::new();
    let mut first = None;
    let mut embedded = 0u64;
    loop {
        let mut at = start + reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            _ => break,
        }
        while at < text.len() && (text[at] == b'\n' || text[at] == b'\r') {
            at += 1;
        }
        let lines = text[start..at].iter().filter(|&&b| b == b'\n').count() as u64;
        let row = (1 + lines - embedded) as u32;
        let here = HeaderAt {
            row,
            offset: at,
            embedded_newlines: embedded,
        };
        embedded += record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
        if record.as_slice().iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let first = *first.get_or_insert(here);
        match chosen {
            Some(wanted) if row >= wanted.min(HEADER_SEARCH_ROWS) => return here,
            Some(_) => {}
            None if looks_like_header(&record) => return here,
            None if row >= HEADER_SEARCH_ROWS => return first,
            None => {}
        }
    }
    first.unwrap_or(HeaderAt {
        row: 1,
        offset: start,
        embedded_newlines: 0,
    })
}

/// A file's start, as the matching step shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Peeked {
    /// The header's spreadsheet row.
    pub header_row: u32,
    pub headers: Vec<String>,
    /// The first data rows, as written.
    pub samples: Vec<Vec<String>>,
    /// The first cell of each row above the header (a title, a date), for the step to
    /// say what was skipped; blank rows as "".
    pub above: Vec<String>,
}

/// A file's header (found, or the row `chosen`) and its first `rows` data rows, as
/// written. Only the file's start is read.
pub fn peek(text: &[u8], rows: usize, chosen: Option<u32>) -> Peeked {
    let end = super::decode::piece_end(text, 0, 64 << 10);
    let decoded = decode(text[..end].to_vec());
    let text = decoded.text.as_bytes();
    let header = find_header(text, decoded.start, decoded.delimiter, chosen);
    let cells = |r: csv::StringRecord| {
        r.iter()
            .map(|cell| cell.trim().to_owned())
            .collect::<Vec<_>>()
    };
    let above = csv::ReaderBuilder::new()
        .delimiter(decoded.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text[decoded.start..header.offset])
        .records()
        .filter_map(Result::ok)
        .map(|r| {
            r.iter()
                .map(str::trim)
                .find(|c| !c.is_empty())
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    let mut records = csv::ReaderBuilder::new()
        .delimiter(decoded.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text[header.offset..])
        .into_records()
        .filter_map(Result::ok)
        .filter(|r| r.iter().any(|cell| !cell.trim().is_empty()))
        .map(cells);
    let headers = records.next().unwrap_or_default();
    Peeked {
        header_row: header.row,
        headers,
        samples: records.take(rows).collect(),
        above,
    }
}
