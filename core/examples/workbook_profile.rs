//! Profiling aid: read a workbook's first sheet natively, five times (for `perf`).
//! `cargo run --release -p roster-core --example workbook_profile -- /tmp/roster-100k-rows.xlsx`
//! (the file `scripts/bench.sh workbook` has LibreOffice save).
use roster_core::import::workbook::{read_sheet, WorkbookFormat};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("the path of an .xlsx file to read");
    let bytes = std::fs::read(path).expect("the file can be read");
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let sheet = read_sheet(&bytes, WorkbookFormat::Xlsx, None).expect("a workbook");
        println!(
            "read in {:?}: {} bytes of CSV",
            started.elapsed(),
            sheet.csv.len()
        );
    }
}
