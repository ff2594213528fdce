//! Files named on the command line, read as the Import page reads them: CSV, UTF-16 text
//! or a workbook's first sheet, by the page's own code.

use anyhow::{bail, Context};
use app::import::{parse, to_source, RowCells};

/// A file read: its text, its rows and which columns it has.
pub struct ReadFile {
    pub text: Vec<u8>,
    pub rows: Vec<RowCells>,
    pub present: [bool; app::import::CELLS],
}

/// A file's text (a workbook's first sheet as CSV) and its rows. The text is what the
/// import's fingerprint is taken of, as on the page.
pub fn read(file: &std::path::Path) -> anyhow::Result<ReadFile> {
    let bytes =
        std::fs::read(file).with_context(|| format!("could not read {}", file.display()))?;
    let source = to_source(bytes, None).map_err(|message| anyhow::anyhow!(message))?;
    let parsed = parse(source.text.as_slice());
    for notice in source.notices.iter().chain(&parsed.notices) {
        eprintln!("note: {notice}");
    }
    if !parsed.file_problems.is_empty() {
        bail!("{}", parsed.file_problems.join("\n"));
    }
    Ok(ReadFile {
        text: source.text,
        rows: parsed.rows,
        present: parsed.present,
    })
}
