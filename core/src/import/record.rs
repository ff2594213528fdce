//! Records read by csv-core straight from a file's decoded text.
//!
//! The `csv` crate's reader copies its input through a buffer of its own before its
//! state machine (csv-core) copies each cell again into the record: csv-core given the
//! text itself reads each byte once, and where a record starts and ends in the text is
//! simply how far it has read (which the line counting and the usual row's placement
//! need). Same reader, same rules: delimiter, quotes and doubled quotes, `\r`, `\n` and
//! `\r\n` ending a record, blank lines skipped.

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};
use std::ops::Range;

/// The most cells of a record kept apart (Roster reads at most 250 columns): the cells
/// after them are kept as one, so that a row of millions of separators costs no more than
/// its text.
const KEPT_CELLS: usize = 1024;

/// One record's cells, one after the other in `bytes`, each ending at its `ends`.
pub(super) struct Records {
    reader: Reader,
    /// How far through the text the reader is.
    position: usize,
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// The current record's cells kept apart (at most [`KEPT_CELLS`]), all its cells,
    /// and its bytes (the vectors above only grow).
    fields: usize,
    cells: usize,
    written: usize,
}

impl Records {
    /// Reads from `position` of a text cut by `delimiter`.
    pub(super) fn new(delimiter: u8, position: usize) -> Self {
        Self {
            reader: ReaderBuilder::new().delimiter(delimiter).build(),
            position,
            bytes: vec![0; 1024],
            ends: vec![0; 32],
            fields: 0,
            cells: 0,
            written: 0,
        }
    }

    /// How far through the text the reader is: the end of the record just read.
    pub(super) fn position(&self) -> usize {
        self.position
    }

    /// Reads the next record of `text` (the whole text, the same on every call); `false`
    /// at its end.
    pub(super) fn next(&mut self, text: &[u8]) -> bool {
        let (mut written, mut fields, mut cells) = (0, 0, 0);
        loop {
            let input = text.get(self.position..).unwrap_or_default();
            let (result, read, out, ends) = self.reader.read_record(
                input,
                &mut self.bytes[written..],
                &mut self.ends[fields..],
            );
            self.position += read;
            written += out;
            fields += ends;
            cells += ends;
            match result {
                // The end of the text inside a record: an empty input next says so, and
                // the reader hands over the record it holds.
                ReadRecordResult::InputEmpty if !input.is_empty() => {}
                ReadRecordResult::OutputFull => {
                    let len = self.bytes.len() * 2;
                    self.bytes.resize(len, 0);
                }
                // The last cell kept takes in the next.
                ReadRecordResult::OutputEndsFull if self.ends.len() >= KEPT_CELLS => fields -= 1,
                ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len() * 2;
                    self.ends.resize(len, 0);
                }
                ReadRecordResult::Record => {
                    (self.fields, self.cells, self.written) = (fields, cells, written);
                    return true;
                }
                ReadRecordResult::InputEmpty | ReadRecordResult::End => {
                    (self.fields, self.cells, self.written) = (0, 0, 0);
                    return false;
                }
            }
        }
    }

    /// How many cells the record has.
    pub(super) fn len(&self) -> usize {
        self.cells
    }

    /// Where cell `i` lies in [`Records::as_slice`].
    pub(super) fn range(&self, i: usize) -> Option<Range<usize>> {
        let end = *self.ends[..self.fields].get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(start..end)
    }

    /// Cell `i`'s bytes.
    pub(super) fn get(&self, i: usize) -> Option<&[u8]> {
        self.range(i).and_then(|r| self.bytes.get(r))
    }

    /// Every cell's bytes, in order (those after [`KEPT_CELLS`] as one).
    pub(super) fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.fields).filter_map(|i| self.get(i))
    }

    /// The record's cells together.
    pub(super) fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.written]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, delimiter: u8) -> Vec<Vec<String>> {
        let mut records = Records::new(delimiter, 0);
        let mut found = Vec::new();
        while records.next(text.as_bytes()) {
            found.push(
                records
                    .iter()
                    .map(|c| String::from_utf8(c.to_vec()).unwrap())
                    .collect(),
            );
        }
        found
    }

    #[test]
    fn reads_as_the_csv_crate_reads() {
        let long = "y".repeat(5000);
        let text = format!(
            "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\n\r\nd;e,{long}\n\"line\nbreak\",,\n{}\nlast,\"unclosed",
            vec!["f"; 100].join(",")
        );
        let mut expected = Vec::new();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for record in reader.records() {
            expected.push(
                record
                    .unwrap()
                    .iter()
                    .map(str::to_owned)
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(all(&text, b','), expected);
        assert_eq!(expected.len(), 5);
        assert_eq!(all("a;b\n", b';'), [["a", "b"]]);
        assert!(all("", b',').is_empty());
        assert!(all("\r\n\n", b',').is_empty());
    }

    #[test]
    fn position_is_where_the_record_ends() {
        let text = b"a,b\r\nc\nd";
        let mut records = Records::new(b',', 0);
        assert!(records.next(text));
        assert_eq!(records.as_slice(), b"ab");
        assert_eq!(records.range(1), Some(1..2));
        assert_eq!(records.range(2), None);
        assert!(records.next(text));
        assert_eq!(records.get(0), Some(&b"c"[..]));
        assert!(records.next(text));
        assert_eq!(records.position(), text.len());
        assert!(!records.next(text));
        assert!(!records.next(text));
        assert_eq!(records.len(), 0);
    }

    #[test]
    fn a_record_of_a_million_cells_keeps_a_thousand_apart() {
        let text = format!("{}\nnext", "a,".repeat(1_000_000));
        let mut records = Records::new(b',', 0);
        assert!(records.next(text.as_bytes()));
        assert_eq!(records.len(), 1_000_001);
        assert_eq!(records.iter().count(), KEPT_CELLS);
        assert!(records.ends.len() <= KEPT_CELLS);
        assert_eq!(records.get(0), Some(&b"a"[..]));
        assert_eq!(records.get(KEPT_CELLS - 2), Some(&b"a"[..]));
        // The rest, run together: the text of every cell after the first 1,023.
        assert_eq!(
            records.get(KEPT_CELLS - 1).map(<[u8]>::len),
            Some(1_000_000 - 1023)
        );
        assert!(records.next(text.as_bytes()));
        assert_eq!(records.as_slice(), b"next");
    }
}
