//! A dropped file's bytes turned into the text the CSV reader takes: CSV as it is, UTF-16
//! decoded, a workbook's sheet written out as CSV; anything else refused with a message
//! naming what it is. The browser reads workbooks through a lazily loaded function (the
//! workbook reader is most of a megabyte), so the two steps are apart: [`prepare`] knows
//! no workbook code, [`workbook_source`] is the workbook step, [`to_source`] does both
//! (the server and the command line).

use super::workbook::{identify, read_sheet, utf16_to_utf8, FileKind, WorkbookFormat};

/// Text for the CSV reader, and what was done to get it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    /// UTF-8, or the file's own bytes when it is plain text (the CSV reader decodes
    /// Windows-1252 itself).
    pub text: Vec<u8>,
    /// Said to the person: "read from the sheet …", "UTF-16 text …".
    pub notices: Vec<String>,
    /// A workbook's sheet names (empty for text), and the one read.
    pub sheets: Vec<String>,
    pub sheet: usize,
}

/// A file, before any workbook code runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepared {
    Ready(Source),
    /// A workbook: [`workbook_source`] reads it.
    Workbook(WorkbookFormat, Vec<u8>),
    /// Not something Roster reads; the message says what it is and what to do.
    Unreadable(String),
}

/// Text files ready for the reader, workbooks set aside, the rest refused.
pub fn prepare(bytes: Vec<u8>) -> Prepared {
    match identify(&bytes) {
        FileKind::Text => Prepared::Ready(Source {
            text: bytes,
            ..Source::default()
        }),
        FileKind::Utf16 { big_endian } => Prepared::Ready(Source {
            text: utf16_to_utf8(&bytes, big_endian).into_bytes(),
            notices: vec![
                "This file is UTF-16 text (what Excel saves as “Unicode Text”): read that way."
                    .into(),
            ],
            ..Source::default()
        }),
        FileKind::Workbook(format) => Prepared::Workbook(format, bytes),
        FileKind::Unreadable(message) => Prepared::Unreadable(message),
    }
}

/// Sheet `sheet` (the first when `None`) of a workbook, as CSV text.
pub fn workbook_source(
    bytes: &[u8],
    format: WorkbookFormat,
    sheet: Option<usize>,
) -> Result<Source, String> {
    let read = read_sheet(bytes, format, sheet)?;
    let name = &read.sheets[read.sheet];
    let mut notice = format!("Read from the sheet “{name}” of this {}", format.describe());
    if read.sheets.len() > 1 {
        notice.push_str(&format!(
            " (it has {} sheets: choose another if the members are elsewhere)",
            read.sheets.len()
        ));
    }
    notice.push('.');
    Ok(Source {
        text: read.csv.into_bytes(),
        notices: vec![notice],
        sheets: read.sheets,
        sheet: read.sheet,
    })
}

/// Any file to text, workbooks included (the server and the command line).
pub fn to_source(bytes: Vec<u8>, sheet: Option<usize>) -> Result<Source, String> {
    match prepare(bytes) {
        Prepared::Ready(source) => Ok(source),
        Prepared::Workbook(format, bytes) => workbook_source(&bytes, format, sheet),
        Prepared::Unreadable(message) => Err(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parse;

    /// The fixtures LibreOffice wrote (fixtures/spreadsheets/make.sh), read the way the
    /// command line reads them.
    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../fixtures/spreadsheets/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn rows_of(name: &str) -> (Vec<[String; 8]>, Vec<String>) {
        let source = to_source(fixture(name), None).unwrap_or_else(|e| panic!("{name}: {e}"));
        let parsed = parse(source.text);
        assert!(
            parsed.file_problems.is_empty(),
            "{name}: {:?}",
            parsed.file_problems
        );
        let mut notices = source.notices;
        notices.extend(parsed.notices);
        let rows = parsed
            .rows
            .iter()
            .map(|r| r.cells().map(str::to_owned))
            .collect();
        (rows, notices)
    }

    #[test]
    fn hr_exports_with_titles_and_foreign_names_read_whole() {
        // (fixture, the header's row, a last name, Enable and Opportunity seats asked)
        for (name, header_row, last_name) in [
            ("title-row.xlsx", 3, "Ødegård"),
            ("title-row.ods", 3, "Ødegård"),
            ("french.xlsx", 3, "Lefèvre"),
            ("french.ods", 3, "Lefèvre"),
            ("spanish.xlsx", 2, "Ibáñez"),
            ("spanish.ods", 2, "Ibáñez"),
            ("german.xlsx", 4, "Schäfer"),
            ("german.ods", 4, "Schäfer"),
        ] {
            let (rows, notices) = rows_of(name);
            assert_eq!(rows.len(), 3, "{name}");
            assert!(
                notices
                    .iter()
                    .any(|n| n.starts_with(&format!("The header is row {header_row}"))),
                "{name}: {notices:?}"
            );
            assert!(rows.iter().any(|r| r[2] == last_name), "{name}: {rows:?}");
            assert!(
                rows.iter()
                    .all(|r| r[0].starts_with("EXT2") && r[3].contains('@') && !r[4].is_empty()),
                "{name}: {rows:?}"
            );
            let seats = |column: usize| rows.iter().filter(|r| r[column] == "TRUE").count();
            assert_eq!((seats(5), seats(6)), (2, 1), "{name}: {rows:?}");
        }
    }

    #[test]
    fn every_format_libreoffice_saves_reads_the_same() {
        let (expected, _) = rows_of("source/template.csv");
        assert_eq!(expected.len(), 4);
        for name in [
            "template.xlsx",
            "template.ods",
            "template.xls",
            "template.utf16.txt",
            "template.cp1252.csv",
            "template.semicolon.csv",
        ] {
            let (rows, notices) = rows_of(name);
            assert_eq!(rows, expected, "{name} ({notices:?})");
        }
        // Accents arrive intact.
        assert_eq!(expected[0][0], "EXT01001");
        assert_eq!(expected[1][2], "Weiß");
        assert_eq!(expected[2][2], "L'Œuvre");
        assert_eq!(expected[3][1], "Øystein");
    }

    #[test]
    fn numbers_are_written_as_typed() {
        // "Personnel number" holds number cells (40017): never "40017.0".
        for name in ["hr-export.xlsx", "hr-export.ods", "hr-export.xls"] {
            let source = to_source(fixture(name), None).unwrap();
            let text = String::from_utf8(source.text).unwrap();
            let second = text.lines().nth(1).unwrap();
            assert!(second.contains(",40017,"), "{name}: {second}");
            assert!(!text.contains(".0,"), "{name}: {text}");
        }
    }

    #[test]
    fn what_was_done_is_said() {
        let (_, notices) = rows_of("template.xlsx");
        assert!(
            notices[0].contains("sheet") && notices[0].contains(".xlsx"),
            "{notices:?}"
        );
        let (_, notices) = rows_of("template.utf16.txt");
        assert!(notices.iter().any(|n| n.contains("UTF-16")), "{notices:?}");
        assert!(notices.iter().any(|n| n.contains("tabs")), "{notices:?}");
        let (_, notices) = rows_of("template.cp1252.csv");
        assert!(
            notices.iter().any(|n| n.contains("Windows-1252")),
            "{notices:?}"
        );
    }

    #[test]
    fn any_sheet_of_a_workbook_can_be_read() {
        // LibreOffice saved these from source/two-sheets.fods: a cover sheet, then members.
        for name in ["two-sheets.xlsx", "two-sheets.ods"] {
            let first = to_source(fixture(name), None).unwrap();
            assert_eq!(first.sheets, ["Read me", "Members"], "{name}");
            assert_eq!(first.sheet, 0);
            assert!(first.notices[0].contains("2 sheets"), "{:?}", first.notices);
            let second = to_source(fixture(name), Some(1)).unwrap();
            let parsed = parse(second.text);
            assert!(
                parsed.file_problems.is_empty(),
                "{name}: {:?}",
                parsed.file_problems
            );
            assert_eq!(parsed.rows.len(), 4, "{name}");
            assert_eq!(parsed.rows[1].get(crate::import::Column::LastName), "Weiß");
            assert_eq!(parsed.rows[0].get(crate::import::Column::MosEnable), "TRUE");
        }
    }

    #[test]
    fn files_that_are_not_lists_are_named() {
        let protected = to_source(fixture("protected.xlsx"), None).unwrap_err();
        assert!(protected.contains("password"), "{protected}");
        let pdf = to_source(fixture("template.pdf"), None).unwrap_err();
        assert!(pdf.contains("PDF"), "{pdf}");
    }
}
