//! Property tests of the CSV contract (proptest): files as spreadsheets really write them
//! — any column order and header spelling, `,` or `;`, LF or CRLF, with or without BOM,
//! UTF-8 or Windows-1252, any quoting, trailing blank lines — read back to the very cells
//! that were written, with right spreadsheet row numbers; and no input makes them panic.

use super::{check_file, parse, Column, OrgContext, COLUMNS};
use crate::domain::Program;
use proptest::prelude::*;

/// One row of the contract's eight columns, valid except where a test spoils it.
#[derive(Debug, Clone)]
struct Row([String; 8]);

/// A name with letters from Windows-1252's range, spaces and the characters that force
/// quoting (`,` `;` `"`), never blank at either end.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-zéüßÅçñ][A-Za-zéüßÅçñ ,;\"'-]{0,16}[A-Za-zé]"
}

fn row(index: usize) -> impl Strategy<Value = Row> {
    (
        name(),
        name(),
        prop_oneof![Just(String::new()), name()],
        any::<bool>(),
        any::<bool>(),
        proptest::sample::subsequence(Program::ALL.to_vec(), 0..=3),
        "[a-z]{1,8}",
    )
        .prop_map(
            move |(first, last, job, enable, opportunity, programs, local)| {
                let programs = if enable {
                    programs
                        .iter()
                        .map(|p| p.slug())
                        .collect::<Vec<_>>()
                        .join(",")
                } else {
                    String::new()
                };
                let flag = |b: bool| if b { "TRUE" } else { "false" }.to_owned();
                Row([
                    format!("EXT{:05}", index + 1),
                    first,
                    last,
                    format!("{local}.{index}@example.com"),
                    job,
                    flag(enable),
                    flag(opportunity),
                    programs,
                ])
            },
        )
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    (1usize..30).prop_flat_map(|n| (0..n).map(row).collect::<Vec<_>>())
}

/// How a spreadsheet writes the file.
#[derive(Debug, Clone)]
struct Style {
    order: Vec<usize>,
    semicolons: bool,
    crlf: bool,
    bom: bool,
    windows_1252: bool,
    always_quote: bool,
    shout_headers: bool,
    trailing_blank_lines: usize,
}

fn style() -> impl Strategy<Value = Style> {
    (
        // The template's order half the time: those rows are kept as places in the file's
        // text (`RowCells`), the others as copies.
        prop_oneof![
            Just((0..8).collect::<Vec<usize>>()),
            Just((0..8).collect::<Vec<usize>>()).prop_shuffle(),
        ],
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0usize..3,
    )
        .prop_map(
            |(order, semicolons, crlf, bom, windows_1252, always_quote, shout_headers, blank)| {
                Style {
                    order,
                    semicolons,
                    crlf,
                    bom: bom && !windows_1252,
                    windows_1252,
                    always_quote,
                    shout_headers,
                    trailing_blank_lines: blank,
                }
            },
        )
}

fn write(rows: &[Row], style: &Style) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(if style.semicolons { b';' } else { b',' })
        .terminator(if style.crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .quote_style(if style.always_quote {
            csv::QuoteStyle::Always
        } else {
            csv::QuoteStyle::Necessary
        })
        .from_writer(Vec::new());
    let header: Vec<String> = style
        .order
        .iter()
        .map(|&i| {
            let name = COLUMNS[i].name();
            if style.shout_headers {
                name.replace('_', " ").to_uppercase()
            } else {
                name.to_owned()
            }
        })
        .collect();
    writer.write_record(&header).unwrap();
    for row in rows {
        writer
            .write_record(style.order.iter().map(|&i| row.0[i].as_str()))
            .unwrap();
    }
    let text = String::from_utf8(writer.into_inner().unwrap()).unwrap()
        + &(if style.crlf { "\r\n" } else { "\n" }).repeat(style.trailing_blank_lines);
    let mut bytes = if style.bom {
        vec![0xEF, 0xBB, 0xBF]
    } else {
        Vec::new()
    };
    if style.windows_1252 {
        // Every generated character is below U+0100, where Windows-1252 is Latin-1.
        bytes.extend(text.chars().map(|c| u8::try_from(u32::from(c)).unwrap()));
    } else {
        bytes.extend(text.as_bytes());
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn files_as_spreadsheets_write_them_read_back_cell_for_cell(rows in rows(), style in style()) {
        let bytes = write(&rows, &style);
        let parsed = parse(bytes.as_slice());
        prop_assert!(parsed.file_problems.is_empty(), "{:?}", parsed.file_problems);
        prop_assert_eq!(parsed.rows.len(), rows.len());
        for (i, (read, written)) in parsed.rows.iter().zip(&rows).enumerate() {
            prop_assert_eq!(read.row as usize, i + 2, "the header is row 1");
            for column in COLUMNS {
                prop_assert_eq!(read.get(column), written.0[column.index()].as_str());
            }
            // However it is kept, the row travels as the same cells.
            let sent: super::RowCells = serde_json::from_str(&serde_json::to_string(read).unwrap()).unwrap();
            prop_assert_eq!(&sent, read);
        }
        let non_ascii = rows.iter().any(|r| r.0.iter().any(|c| !c.is_ascii()));
        if style.windows_1252 && non_ascii {
            prop_assert!(parsed.notices.iter().any(|n| n.contains("Windows-1252")), "{:?}", parsed.notices);
        }
        let report = check_file(&parsed.rows, None);
        prop_assert!(report.problems.is_empty(), "{:?}", report.problems);
        prop_assert_eq!(report.valid.len(), rows.len());
    }

    #[test]
    fn a_bad_cell_is_named_at_its_spreadsheet_row_even_after_multi_line_cells(
        rows in rows(),
        style in style(),
        spoil in any::<prop::sample::Index>(),
        multi_line in any::<prop::sample::Index>(),
    ) {
        let mut rows = rows;
        let spoiled = spoil.index(rows.len());
        rows[spoiled].0[Column::Email.index()] = "not-an-address".into();
        // A quoted cell over two lines before it is still one spreadsheet row.
        let tall = multi_line.index(rows.len());
        rows[tall].0[Column::JobTitle.index()] = "Account\nExecutive".into();
        let parsed = parse(write(&rows, &style));
        let report = check_file(&parsed.rows, None);
        let at = |column: Column| report
            .problems
            .iter()
            .filter(|p| p.column == Some(column))
            .map(|p| p.row as usize)
            .collect::<Vec<_>>();
        prop_assert_eq!(at(Column::Email), vec![spoiled + 2]);
        prop_assert_eq!(at(Column::JobTitle), vec![tall + 2]);
    }

    #[test]
    fn no_input_makes_the_reader_or_the_checker_panic(bytes in prop::collection::vec(any::<u8>(), 0..1500)) {
        let parsed = parse(bytes.as_slice());
        let report = check_file(&parsed.rows, Some(&OrgContext::default()));
        let rows: Vec<u32> = parsed.rows.iter().map(|r| r.row).collect();
        for problem in &report.problems {
            prop_assert!(rows.contains(&problem.row), "{problem} is not at a row of the file");
        }
    }
}
