//! Cells and CSV documents as people open them in a spreadsheet program: formula-safe.
//! Below both the export and the import (which writes its problem files the same way).

use std::borrow::Cow;

/// A cell for a CSV that people open in a spreadsheet: one that starts like a formula
/// (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading apostrophe, so it stays text.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// A whole CSV document (CRLF line ends, as spreadsheets write them) with every cell made
/// spreadsheet-safe, header included.
pub fn safe_csv<R, C>(header: &[&str], rows: R) -> String
where
    R: IntoIterator<Item = Vec<C>>,
    C: AsRef<str>,
{
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = writer.write_record(header.iter().map(|h| spreadsheet_safe(h).into_owned()));
    for row in rows {
        let _ = writer.write_record(
            row.iter()
                .map(|c| spreadsheet_safe(c.as_ref()).into_owned()),
        );
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_everything_else_stays() {
        for risky in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(risky), format!("'{risky}"));
        }
        assert_eq!(spreadsheet_safe("Ada"), "Ada");
        assert_eq!(spreadsheet_safe(""), "");
        let csv = safe_csv(&["name", "n"], vec![vec!["=HYPERLINK(\"x\")", "3"]]);
        assert_eq!(csv, "name,n\r\n\"'=HYPERLINK(\"\"x\"\")\",3\r\n");
    }
}
