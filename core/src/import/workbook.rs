//! What a dropped file is, and workbooks read into the text the CSV reader takes.
//!
//! People have `.xlsx` from HR, `.ods` from LibreOffice, old Excel 97 `.xls`, "Unicode
//! Text" (UTF-16) and CSV. `identify` tells them apart by their first bytes (never by the
//! file name, which lies); a workbook's sheet becomes CSV text here, so that the page, the
//! server and the command line check it with the one CSV reader. Workbooks are read with
//! calamine: the browser loads this code only when a workbook is dropped (see the Import
//! page's `#[lazy]` reader).

use std::borrow::Cow;
use std::io::Cursor;

/// A workbook format calamine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkbookFormat {
    /// Excel 2007 and later (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel's binary workbook (`.xlsb`).
    Xlsb,
    /// OpenDocument spreadsheet (`.ods`, LibreOffice's own).
    Ods,
    /// Excel 97–2003 (`.xls`).
    Xls,
}

impl WorkbookFormat {
    pub fn describe(self) -> &'static str {
        match self {
            WorkbookFormat::Xlsx => "Excel workbook (.xlsx)",
            WorkbookFormat::Xlsb => "Excel binary workbook (.xlsb)",
            WorkbookFormat::Ods => "OpenDocument spreadsheet (.ods)",
            WorkbookFormat::Xls => "Excel 97–2003 workbook (.xls)",
        }
    }
}

/// What a file is, from its first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// Text: UTF-8 or Windows-1252 CSV, tab-separated text (the CSV reader decides).
    Text,
    /// UTF-16 text with a byte-order mark (Excel's "Unicode Text", tab-separated).
    Utf16 {
        big_endian: bool,
    },
    Workbook(WorkbookFormat),
    /// Not a list Roster can read; the message names what it is and what to do.
    Unreadable(String),
}

const SAVE_AS: &str =
    "save your list as an Excel workbook (.xlsx), an OpenDocument spreadsheet (.ods) or CSV, and drop that file";

/// What `bytes` are (see [`FileKind`]).
pub fn identify(bytes: &[u8]) -> FileKind {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"\xFF\xFE") || starts(b"\xFE\xFF") {
        return FileKind::Utf16 {
            big_endian: starts(b"\xFE\xFF"),
        };
    }
    if starts(b"PK\x03\x04") {
        return identify_zip(bytes);
    }
    if starts(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return identify_compound(bytes);
    }
    let unreadable = |what: &str, todo: &str| FileKind::Unreadable(format!("{what}: {todo}."));
    if starts(b"%PDF") {
        return unreadable(
            "This is a PDF document, which holds no table Roster can read",
            &format!("open the spreadsheet it was made from, {SAVE_AS}"),
        );
    }
    for (magic, name) in [
        (&b"\x89PNG"[..], "PNG"),
        (b"\xFF\xD8\xFF", "JPEG"),
        (b"GIF8", "GIF"),
        (b"RIFF", "WebP"),
    ] {
        if starts(magic) {
            return unreadable(
                &format!("This is an image ({name}), not a list of members"),
                SAVE_AS,
            );
        }
    }
    if starts(b"\x1F\x8B") || starts(b"7z\xBC\xAF") || starts(b"Rar!") {
        return unreadable(
            "This is a compressed archive",
            "extract the spreadsheet inside it and drop that file",
        );
    }
    // Text never holds NUL bytes; UTF-16 without its mark does (every other byte).
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return unreadable(
            "This file is not text or a spreadsheet Roster knows (it holds binary data)",
            SAVE_AS,
        );
    }
    FileKind::Text
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `needle` as UTF-16LE, as compound files name their streams.
fn utf16le(needle: &str) -> Vec<u8> {
    needle.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// A zip archive: the OpenDocument and Office Open XML formats are zips of XML files.
fn identify_zip(bytes: &[u8]) -> FileKind {
    // An OpenDocument file starts with its `mimetype` entry, stored uncompressed.
    let head = &bytes[..bytes.len().min(200)];
    if contains(head, b"application/vnd.oasis.opendocument.spreadsheet") {
        return FileKind::Workbook(WorkbookFormat::Ods);
    }
    if contains(head, b"application/vnd.oasis.opendocument.") {
        return FileKind::Unreadable(format!(
            "This is an OpenDocument file that is not a spreadsheet (a text or a presentation): {SAVE_AS}."
        ));
    }
    // Office Open XML: the entry names say which application made it.
    if contains(bytes, b"xl/workbook.bin") {
        return FileKind::Workbook(WorkbookFormat::Xlsb);
    }
    if contains(bytes, b"xl/") {
        return FileKind::Workbook(WorkbookFormat::Xlsx);
    }
    if contains(bytes, b"word/") {
        return FileKind::Unreadable(format!(
            "This is a Word document, not a spreadsheet: {SAVE_AS}."
        ));
    }
    if contains(bytes, b"ppt/") {
        return FileKind::Unreadable(format!(
            "This is a PowerPoint presentation, not a spreadsheet: {SAVE_AS}."
        ));
    }
    FileKind::Unreadable(
        "This is a zip archive: extract the spreadsheet inside it and drop that file.".into(),
    )
}

/// A compound file (OLE): Excel 97 workbooks, Word 97 documents, and any Office file
/// protected with a password (its encrypted package inside one).
fn identify_compound(bytes: &[u8]) -> FileKind {
    if contains(bytes, &utf16le("EncryptedPackage")) {
        return FileKind::Unreadable(
            "This workbook is protected with a password, so it cannot be read: open it in Excel or LibreOffice, save a copy without the password, and drop that copy."
                .into(),
        );
    }
    if contains(bytes, &utf16le("WordDocument")) {
        return FileKind::Unreadable(format!(
            "This is a Word document, not a spreadsheet: {SAVE_AS}."
        ));
    }
    FileKind::Workbook(WorkbookFormat::Xls)
}

/// UTF-16 text (with its byte-order mark) as UTF-8; unpaired surrogates become U+FFFD.
pub fn utf16_to_utf8(bytes: &[u8], big_endian: bool) -> String {
    let units = bytes[2..].chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// One sheet of a workbook as CSV text, and what the workbook holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetText {
    pub format: WorkbookFormat,
    /// Every sheet's name, in the workbook's order.
    pub sheets: Vec<String>,
    /// The sheet read (an index into `sheets`).
    pub sheet: usize,
    /// The sheet as CSV (UTF-8, commas, quoted where needed).
    pub csv: String,
}

/// Reads sheet `sheet` (the first when `None`) of a workbook as CSV text. Every cell
/// becomes the text a person sees in it (see [`cell_text`]).
pub fn read_sheet(
    bytes: &[u8],
    format: WorkbookFormat,
    sheet: Option<usize>,
) -> Result<SheetText, String> {
    use calamine::Reader;
    let cursor = Cursor::new(bytes);
    let problem = |e: &dyn std::fmt::Display| {
        format!(
            "This {} could not be read ({e}). Open it in Excel or LibreOffice, save it again, and drop the new file.",
            format.describe()
        )
    };
    let mut workbook: calamine::Sheets<Cursor<&[u8]>> = match format {
        WorkbookFormat::Xlsx => {
            calamine::Sheets::Xlsx(calamine::Xlsx::new(cursor).map_err(|e| problem(&e))?)
        }
        WorkbookFormat::Xlsb => {
            calamine::Sheets::Xlsb(calamine::Xlsb::new(cursor).map_err(|e| problem(&e))?)
        }
        WorkbookFormat::Ods => {
            calamine::Sheets::Ods(calamine::Ods::new(cursor).map_err(|e| problem(&e))?)
        }
        WorkbookFormat::Xls => {
            calamine::Sheets::Xls(calamine::Xls::new(cursor).map_err(|e| problem(&e))?)
        }
    };
    let sheets = workbook.sheet_names();
    if sheets.is_empty() {
        return Err(
            "This workbook has no sheet: add the list of members to a sheet and save it again."
                .into(),
        );
    }
    let index = sheet.unwrap_or(0).min(sheets.len() - 1);
    let missing = || problem(&"the sheet is missing");
    // Excel's formats are read with their shared strings borrowed (calamine's `_ref`
    // reader): 100,000 rows of four text cells are not 400,000 copied strings. The other
    // formats have no such reader.
    let csv = match format {
        WorkbookFormat::Xlsx | WorkbookFormat::Xlsb => {
            use calamine::ReaderRef;
            let range = workbook
                .worksheet_range_at_ref(index)
                .ok_or_else(missing)?
                .map_err(|e| problem(&e))?;
            sheet_csv(&range, shared_cell_text)
        }
        WorkbookFormat::Ods | WorkbookFormat::Xls => {
            let range = workbook
                .worksheet_range_at(index)
                .ok_or_else(missing)?
                .map_err(|e| problem(&e))?;
            sheet_csv(&range, cell_text)
        }
    }
    .map_err(|e| problem(&e))?;
    Ok(SheetText {
        format,
        sheets,
        sheet: index,
        csv,
    })
}

/// A sheet's cells as CSV text, each written as `text` says, with no copy of its own.
fn sheet_csv<T>(
    range: &calamine::Range<T>,
    text: for<'c> fn(&'c T) -> Cow<'c, str>,
) -> Result<String, csv::Error>
where
    T: calamine::CellType + calamine::DataType,
{
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::with_capacity(range.get_size().0 * 64));
    for row in range.rows() {
        // Trailing empty cells are not written: a row is as long as its last value.
        let len = row
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |last| last + 1);
        for cell in &row[..len] {
            writer.write_field(text(cell).as_bytes())?;
        }
        writer.write_record(std::iter::empty::<&[u8]>())?;
    }
    let csv = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    // Every cell was UTF-8 text: the CSV is too.
    Ok(String::from_utf8(csv)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// [`cell_text`] of a cell read with its text borrowed.
fn shared_cell_text<'c>(cell: &'c calamine::DataRef<'_>) -> Cow<'c, str> {
    use calamine::DataRef;
    match cell {
        DataRef::SharedString(text) => Cow::Borrowed(text),
        DataRef::String(text) => Cow::Borrowed(text),
        other => Cow::Owned(cell_text(&calamine::Data::from(other.clone())).into_owned()),
    }
}

/// A cell as the text the template expects: text as it is; whole numbers without a
/// decimal point (a user_id typed as 1001 is "1001", never "1001.0"); other numbers in
/// their shortest exact form; TRUE/FALSE for booleans; dates as YYYY-MM-DD (with the time
/// when there is one); an error cell as its code (#N/A), which the check then names.
pub fn cell_text(cell: &calamine::Data) -> Cow<'_, str> {
    use calamine::Data;
    match cell {
        Data::Empty => Cow::Borrowed(""),
        Data::String(text) => Cow::Borrowed(text),
        Data::Int(n) => Cow::Owned(n.to_string()),
        Data::Float(f) => Cow::Owned(number_text(*f)),
        Data::Bool(true) => Cow::Borrowed("TRUE"),
        Data::Bool(false) => Cow::Borrowed("FALSE"),
        Data::DateTime(date) if date.is_datetime() => Cow::Owned(date_text(date.as_f64())),
        Data::DateTime(duration) => Cow::Owned(number_text(duration.as_f64())),
        Data::DateTimeIso(text) | Data::DurationIso(text) => Cow::Borrowed(text),
        Data::Error(error) => Cow::Owned(error.to_string()),
    }
}

fn number_text(f: f64) -> String {
    // Within ±2^53 a whole f64 is an exact integer.
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A spreadsheet date serial (days since 1899-12-30, the fraction the time of day).
fn date_text(serial: f64) -> String {
    // 1899-12-30 is Julian day 2,415,019.
    let days = serial.floor();
    let Ok(date) = time::Date::from_julian_day(2_415_019 + days as i32) else {
        return number_text(serial);
    };
    let seconds = ((serial - days) * 86_400.0).round() as u32;
    let date = format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    );
    if seconds == 0 {
        date
    } else {
        format!(
            "{date} {:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_apart_by_their_bytes() {
        assert_eq!(identify(b"user_id,email\n"), FileKind::Text);
        assert_eq!(
            identify(b"\xFF\xFEu\0"),
            FileKind::Utf16 { big_endian: false }
        );
        assert_eq!(
            identify(b"\xFE\xFF\0u"),
            FileKind::Utf16 { big_endian: true }
        );
        let pdf = identify(b"%PDF-1.7\n...");
        assert!(matches!(pdf, FileKind::Unreadable(m) if m.contains("PDF")));
        let png = identify(b"\x89PNG\r\n\x1a\n");
        assert!(matches!(png, FileKind::Unreadable(m) if m.contains("image (PNG)")));
        let zip = identify(b"PK\x03\x04....photos/cat.jpg");
        assert!(matches!(zip, FileKind::Unreadable(m) if m.contains("zip archive")));
        let binary = identify(b"ab\0cd");
        assert!(matches!(binary, FileKind::Unreadable(m) if m.contains("binary")));
    }

    #[test]
    fn cells_become_the_text_people_see() {
        use calamine::Data;
        assert_eq!(cell_text(&Data::Float(1001.0)), "1001");
        assert_eq!(cell_text(&Data::Float(0.1)), "0.1");
        assert_eq!(cell_text(&Data::Float(-3.0)), "-3");
        assert_eq!(cell_text(&Data::Int(42)), "42");
        assert_eq!(cell_text(&Data::Bool(true)), "TRUE");
        assert_eq!(cell_text(&Data::Bool(false)), "FALSE");
        assert_eq!(cell_text(&Data::String("García".into())), "García");
        assert_eq!(cell_text(&Data::Empty), "");
        assert_eq!(date_text(45_292.0), "2024-01-01");
        assert_eq!(date_text(45_292.5), "2024-01-01 12:00:00");
    }

    #[test]
    fn utf16_is_decoded_both_ways() {
        let text = "Weiß\tØdegård";
        let le: Vec<u8> = b"\xFF\xFE"
            .iter()
            .copied()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = b"\xFE\xFF"
            .iter()
            .copied()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(utf16_to_utf8(&le, false), text);
        assert_eq!(utf16_to_utf8(&be, true), text);
    }
}
