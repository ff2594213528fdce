//! Reading and checking a file a slice of rows at a time, with a pause between slices in
//! which the page paints, moves its progress bar and answers clicks: a million rows are
//! checked without freezing the page. The pause is the caller's (a browser timer on the
//! page); this module stays free of I/O, and the result is the same as `parse` followed by
//! `check_file`.

use super::columns::ColumnMap;
use super::decode::{
    decode_not_utf8, decode_windows_1252, reads_as_windows_1252, Decoded, Encoding, Utf8Pieces,
};
use super::{CheckReport, Digest, FileChecker, OrgContext, Parser, RowCells};
use std::future::Future;

/// Rows read and checked between two pauses: about 20 ms of work in a release build.
pub const SLICE_ROWS: usize = 10_000;
/// Bytes of the file fingerprinted between two pauses.
const SLICE_BYTES: usize = 4 << 20;

/// A file read and checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    pub rows: Vec<RowCells>,
    /// The file's fingerprint (see `import::digest`): the same file is not imported twice.
    pub digest: String,
    pub notices: Vec<String>,
    pub file_problems: Vec<String>,
    pub report: CheckReport,
    /// Which columns the file has (see `ParsedFile::present`).
    pub present: [bool; crate::import::CELLS],
}

/// Reads and checks `bytes`, calling `pause(fraction done)` between slices. When `pause`
/// answers `false` (a newer file or edit replaced this one), stops and returns `None`.
/// `columns`: how the file's columns are read, when the person matched them;
/// `header_row`: the header's row, when the person chose it (otherwise it is found).
pub async fn read_and_check<P, F>(
    bytes: Vec<u8>,
    org: Option<&OrgContext>,
    columns: Option<ColumnMap>,
    header_row: Option<u32>,
    mut pause: P,
) -> Option<Checked>
where
    P: FnMut(f64) -> F,
    F: Future<Output = bool>,
{
    // First pass, a piece at a time: the fingerprint, and whether the file is UTF-8.
    let mut digest = Digest::default();
    let len = bytes.len();
    let mut pieces = Utf8Pieces::new(bytes);
    loop {
        let piece = pieces.check_next(SLICE_BYTES);
        if piece.is_empty() {
            break;
        }
        digest.update(piece);
        if pieces.checked() < len && !pause(0.1 * pieces.checked() as f64 / len as f64).await {
            return None;
        }
    }
    // UTF-8 is read where it lies; Windows-1252 is decoded a piece at a time too.
    let decoded = match pieces.finish() {
        Ok(text) => Decoded::new(text, Encoding::Utf8),
        Err(bytes) if reads_as_windows_1252(&bytes) => {
            let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
            for (i, piece) in bytes.chunks(SLICE_BYTES).enumerate() {
                if i > 0 && !pause(0.1).await {
                    return None;
                }
                decode_windows_1252(piece, &mut text);
            }
            Decoded::new(text, Encoding::Windows1252)
        }
        Err(bytes) => decode_not_utf8(bytes),
    };
    let mut parser = Parser::with_columns(decoded, columns, header_row);
    let mut rows = Vec::new();
    let mut checker = FileChecker::new(org, 0);
    loop {
        let from = rows.len();
        let more = parser.read_rows(SLICE_ROWS, &mut rows);
        if from == 0 && more {
            // The first slice tells how long a row is, and so about how many the file
            // has: room for them all at once.
            let expected = parser.expected_rows(rows.len());
            rows.reserve(expected.saturating_sub(rows.len()));
            checker.expect_rows(expected);
        }
        checker.check(&rows, from..rows.len());
        if !more {
            break;
        }
        if !pause(0.1 + 0.9 * parser.fraction_read()).await {
            return None;
        }
    }
    let present = parser.present();
    let (notices, file_problems) = parser.finish();
    Some(Checked {
        present,
        rows,
        digest: digest.finish(),
        notices,
        file_problems,
        report: checker.finish(),
    })
}

/// Checks a file's `len` rows again (after a fix in place), a slice at a time, like
/// `read_and_check`. `check` runs the checker over a range of the rows where they live
/// (the page keeps them in a signal: no copy of a million rows per edit).
pub async fn check_again<C, P, F>(
    len: usize,
    org: Option<&OrgContext>,
    mut check: C,
    mut pause: P,
) -> Option<CheckReport>
where
    C: FnMut(&mut FileChecker<'_>, std::ops::Range<usize>),
    P: FnMut(f64) -> F,
    F: Future<Output = bool>,
{
    let mut checker = FileChecker::new(org, len);
    let mut from = 0;
    while from < len {
        let to = (from + SLICE_ROWS).min(len);
        check(&mut checker, from..to);
        from = to;
        if from < len && !pause(from as f64 / len as f64).await {
            return None;
        }
    }
    Some(checker.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{check_file, parse};
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Runs a future whose pauses are always ready.
    fn run<T>(future: impl Future<Output = T>) -> T {
        let mut future = pin!(future);
        let mut context = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
                return value;
            }
        }
    }

    fn file(rows: usize) -> Vec<u8> {
        let mut text = String::from("user_id,first_name,last_name,email\r\n");
        for n in 1..=rows {
            // Every 1,000th row repeats an earlier address: duplicates across slices.
            let email = if n % 1000 == 0 { n - 999 } else { n };
            text += &format!(
                "EXT{:05},Zoë,Müller,person{email}@example.com\r\n",
                n % 100_000
            );
        }
        text.into_bytes()
    }

    #[test]
    fn slices_give_what_the_whole_file_gives() {
        let bytes = file(25_000);
        let whole = parse(bytes.as_slice());
        let whole_report = check_file(&whole.rows, None);
        let mut pauses = Vec::new();
        let sliced = run(read_and_check(bytes.clone(), None, None, None, |done| {
            pauses.push(done);
            async { true }
        }))
        .unwrap();
        assert_eq!(sliced.rows, whole.rows);
        assert_eq!(sliced.digest, crate::import::digest(&bytes));
        assert_eq!(sliced.report, whole_report);
        assert_eq!(whole_report.rows_with_problems(), 25);
        assert_eq!(pauses.len(), 2, "{pauses:?}");
        assert!(pauses.windows(2).all(|w| w[0] < w[1]) && pauses[1] < 1.0);
        let rows = &sliced.rows;
        let again = run(check_again(
            rows.len(),
            None,
            |checker, range| checker.check(rows, range),
            |_| async { true },
        ))
        .unwrap();
        assert_eq!(again, whole_report);
    }

    #[test]
    fn a_big_windows_1252_file_is_decoded_in_pieces() {
        // More than one piece of bytes, with the accented letters Excel on Windows writes.
        let utf8 = file(100_000);
        assert!(utf8.len() > SLICE_BYTES);
        let text = String::from_utf8(utf8.clone()).unwrap();
        let ansi: Vec<u8> = text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap())
            .collect();
        let sliced = run(read_and_check(ansi, None, None, None, |_| async { true })).unwrap();
        assert_eq!(sliced.rows, parse(utf8).rows);
        assert!(
            sliced.notices[0].contains("Windows-1252"),
            "{:?}",
            sliced.notices
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped_in_slices_as_in_one_go() {
        for tail in [&b""[..], b"EXT00099,Bad,\xff,bad@example.com\r\n"] {
            let mut bytes = b"\xEF\xBB\xBF".to_vec();
            bytes.extend(file(20_000));
            bytes.extend(tail);
            let sliced = run(read_and_check(bytes.clone(), None, None, None, |_| async {
                true
            }))
            .unwrap();
            let whole = parse(bytes.as_slice());
            assert_eq!(sliced.rows, whole.rows);
            assert_eq!(sliced.rows.len(), 20_000 + usize::from(!tail.is_empty()));
            assert_eq!(
                sliced.rows[0].get(crate::import::Column::UserId),
                "EXT00001"
            );
            assert_eq!(sliced.notices, whole.notices);
        }
    }

    #[test]
    fn a_newer_file_stops_the_older_one() {
        assert_eq!(
            run(read_and_check(file(25_000), None, None, None, |_| async {
                false
            })),
            None
        );
        assert_eq!(
            run(read_and_check(file(10), None, None, None, |_| async {
                false
            }))
            .unwrap()
            .rows
            .len(),
            10
        );
    }
}
