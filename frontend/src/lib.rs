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
pub fn check_csv_for_benchmark(bytes: Vec<u8>) -> Vec<u32> {
    let parsed = app::import::parse(bytes);
    let report = app::import::check_file(&parsed.rows, None);
    vec![parsed.rows.len() as u32, report.rows_with_problems() as u32]
}

/// The Import CSV page's way: read and check a slice of rows at a time, pausing between
/// slices (see `app::import::slices`), for the benchmark's "longest task" figure. Resolves
/// to `[rows, rows with problems]`.
#[wasm_bindgen]
pub fn check_csv_in_slices_for_benchmark(bytes: js_sys::Uint8Array) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        // As the page does: the file's bytes come in a piece at a time.
        let bytes = app::components::bytes_in_pieces(bytes).await;
        let checked = app::import::read_and_check(bytes, None, None, |_| async {
            app::components::next_tick().await;
            true
        })
        .await
        .unwrap_or_default();
        let counts = js_sys::Array::of2(
            &(checked.rows.len() as u32).into(),
            &(checked.report.rows_with_problems() as u32).into(),
        );
        Ok(counts.into())
    })
}

/// The size of the program's memory in bytes, for the benchmark's memory figure (it only
/// grows: after a check it is the most the check needed, with everything else the page
/// holds).
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length() as f64
        })
        .unwrap_or(0.0)
}
