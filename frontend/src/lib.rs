#![recursion_limit = "256"]
//! The browser entry: hydrates the server-rendered page with the same `App`.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

/// Parses and checks a CSV file exactly as the Import CSV page does (without an
/// organization), for the browser benchmark (`scripts/bench.sh csv`). Returns
/// `[rows, rows with problems]`.
#[wasm_bindgen]
pub fn check_csv_for_benchmark(bytes: &[u8]) -> Vec<u32> {
    let parsed = app::import::parse(bytes);
    let report = app::import::check_file(&parsed.rows, None);
    vec![parsed.rows.len() as u32, report.rows_with_problems() as u32]
}
