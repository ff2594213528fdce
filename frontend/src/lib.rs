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

/// The Import CSV page's way with `file` (a `Blob`, as a picked file is): read it a slice
/// at a time and check a slice of rows at a time, pausing between slices (see
/// `app::import::slices`), for the benchmark's "longest task" figure. Resolves to `[rows,
/// rows with problems]`.
#[wasm_bindgen]
pub fn check_csv_in_slices_for_benchmark(file: web_sys::Blob) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        // As the page reads a picked file: a slice at a time, into the program's memory.
        let bytes = app::components::read_file(file)
            .await
            .map_err(|e| wasm_bindgen::JsValue::from_str(&e))?;
        let checked = app::import::read_and_check(bytes, None, None, None, |_| async {
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

/// A change set planned as the Import page plans it: an organization of `members`
/// members, and its export with every tenth row's job title changed, read back and planned
/// (`scripts/bench.sh plan`). Returns `[ms to read the file, ms to plan, changes]`.
#[wasm_bindgen]
pub fn plan_for_benchmark(members: u32) -> Vec<f64> {
    use app::domain::{ExternalId, MemberStatus, Permission, Program, Progress};
    use app::import::plan::plan;
    use app::import::roster::{member_cells, Action, Roster, RosterMember};
    let roster = Roster {
        members: (1..=members as i64)
            .map(|id| RosterMember {
                id,
                user_id: ExternalId::from_number((id % 100_000) as u32).filter(|_| id < 100_000),
                first_name: format!("Zoë{id}"),
                last_name: "Müller".into(),
                email: format!("person{id}@example.com"),
                job_title: "Account Executive".into(),
                permission: Permission::Member,
                status: MemberStatus::Active,
                enable_seat: id % 2 == 0,
                opportunity_seat: false,
                programs: if id % 2 == 0 {
                    vec![(
                        Program::Masterclass,
                        Progress::from_basis_points(500).unwrap(),
                    )]
                } else {
                    Vec::new()
                },
                region: "EMEA".into(),
                team: "Iberia".into(),
                deactivate_on: String::new(),
            })
            .collect(),
        enable_bought: members as i64,
        enable_held: (members / 2) as i64,
        opportunity_bought: 0,
        opportunity_held: 0,
        teams: vec![("EMEA".into(), "Iberia".into())],
        active_admins: None,
        today: String::new(),
    };
    let header: Vec<&str> = app::import::ALL_COLUMNS.iter().map(|c| c.name()).collect();
    let rows = roster.members.iter().map(|m| {
        let mut cells = member_cells(m).to_vec();
        if m.id % 10 == 0 {
            cells[app::import::Column::JobTitle.index()] = "Sales Manager".into();
        }
        cells
    });
    let text = app::export::safe_csv(&header, rows);
    let started = js_sys::Date::now();
    let parsed = app::import::parse(text);
    let read = js_sys::Date::now() - started;
    let started = js_sys::Date::now();
    let planned = plan(&parsed.rows, &parsed.present, &roster, false);
    let planning = js_sys::Date::now() - started;
    vec![read, planning, planned.count(Action::Change) as f64]
}

/// Reads a workbook's first sheet through the Import page's lazily loaded reader and
/// checks it (`scripts/bench.sh workbook`). Resolves to `[ms to read, ms to check, rows]`;
/// the first call includes loading the reader's module.
#[wasm_bindgen]
pub fn read_workbook_for_benchmark(bytes: Vec<u8>) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let started = js_sys::Date::now();
        let source = app::pages::import::read_workbook_for_benchmark(bytes)
            .await
            .map_err(|e| wasm_bindgen::JsValue::from_str(&e))?;
        let read = js_sys::Date::now() - started;
        let started = js_sys::Date::now();
        let parsed = app::import::parse(source.text);
        let report = app::import::check_file(&parsed.rows, None);
        let checked = js_sys::Date::now() - started;
        let _ = report;
        Ok(js_sys::Array::of3(
            &read.into(),
            &checked.into(),
            &(parsed.rows.len() as f64).into(),
        )
        .into())
    })
}
