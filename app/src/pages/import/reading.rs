//! Reading and checking a file in the browser: a slice of rows at a time, with pauses, so
//! the page shows how far it is and stays responsive; every edit checks the whole file
//! again (duplicates and seats depend on all rows).

use crate::components::{next_tick, now_ms};
use crate::import::columns::{needs_matching, suggest, ColumnMap};
use crate::import::workbook::WorkbookFormat;
use crate::import::{
    check_again, peek, prepare, read_and_check, CheckReport, Column, FileChecker, OrgContext,
    Prepared, RowCells, Source,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashMap;

/// A workbook's sheet as CSV text. Lazy: the workbook reader (calamine and its zip and XML
/// readers, most of a megabyte) is a separate WebAssembly module that the browser loads
/// the first time a workbook is dropped (`cargo leptos build --split`).
#[lazy]
fn read_workbook(
    bytes: Vec<u8>,
    format: WorkbookFormat,
    sheet: Option<usize>,
) -> Result<Source, String> {
    crate::import::workbook_source(&bytes, format, sheet)
}

/// A workbook's first sheet through the lazily loaded reader (the first call loads it),
/// for the browser benchmark (`scripts/bench.sh workbook`).
pub async fn read_workbook_for_benchmark(bytes: Vec<u8>) -> Result<Source, String> {
    match crate::import::prepare(bytes) {
        Prepared::Workbook(format, bytes) => read_workbook(bytes, format, None).await,
        Prepared::Ready(_) => Err("not a workbook".into()),
        Prepared::Unreadable(message) => Err(message),
    }
}

/// The matching step: a file whose columns are not the template's, or whose header is not
/// its first row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct MatchStep {
    /// The header's spreadsheet row (found, or chosen), and the first cell of each row
    /// above it (a title, a date; "" for a blank row).
    pub header_row: u32,
    pub above: Vec<String>,
    pub headers: Vec<String>,
    /// The first rows, for the person to recognize each column by its values.
    pub samples: Vec<Vec<String>>,
    /// The suggestion, which the person edits.
    pub suggested: ColumnMap,
}

/// The file being worked on.
#[derive(Clone, Default)]
pub(super) struct Loaded {
    pub name: String,
    pub digest: String,
    pub notices: Vec<String>,
    pub file_problems: Vec<String>,
    pub check_ms: f64,
    /// Which columns the file has.
    pub present: [bool; crate::import::CELLS],
}

/// A workbook's sheets and the one read (empty for text files).
#[derive(Clone, Default, PartialEq, Eq)]
pub(super) struct Sheets {
    pub names: Vec<String>,
    pub chosen: usize,
}

/// The file, its rows and their check, and the organization they are checked against.
#[derive(Clone, Copy)]
pub(super) struct Checking {
    pub loaded: RwSignal<Option<Loaded>>,
    pub rows: RwSignal<Vec<RowCells>>,
    pub report: RwSignal<CheckReport>,
    /// How far a running check is (0 to 1), or `None` when none runs.
    pub done: RwSignal<Option<f64>>,
    pub org: RwSignal<OrgContext>,
    /// Set while the person matches the file's columns.
    pub matching: RwSignal<Option<MatchStep>>,
    pub sheets: RwSignal<Sheets>,
    /// What the organization chose for headers before (by `header_key`).
    pub remembered: RwSignal<HashMap<String, Option<Column>>>,
    /// The file read, waiting for its columns to be matched: its name and text.
    held: StoredValue<Option<(String, Source)>>,
    /// A dropped workbook, kept to read another of its sheets.
    workbook: StoredValue<Option<(String, WorkbookFormat, Vec<u8>)>>,
    // Runs: a new file stops an older file's reading and any re-check; a re-check stops
    // an older re-check (a file being read is checked against what it was read with).
    load_run: StoredValue<u64>,
    check_run: StoredValue<u64>,
}

impl Checking {
    pub fn new(org: OrgContext, remembered: HashMap<String, Option<Column>>) -> Self {
        Self {
            matching: RwSignal::new(None),
            sheets: RwSignal::new(Sheets::default()),
            remembered: RwSignal::new(remembered),
            held: StoredValue::new(None),
            workbook: StoredValue::new(None),
            loaded: RwSignal::new(None),
            rows: RwSignal::new(Vec::new()),
            report: RwSignal::new(CheckReport::default()),
            done: RwSignal::new(None),
            org: RwSignal::new(org),
            load_run: StoredValue::new(0),
            check_run: StoredValue::new(0),
        }
    }

    /// A pause between slices: shows the progress, yields to the browser, and says
    /// whether run `mine` of `counter` is still the current one.
    fn pause(
        self,
        counter: StoredValue<u64>,
        mine: u64,
    ) -> impl FnMut(f64) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool>>> {
        let done = self.done;
        move |progress: f64| {
            Box::pin(async move {
                done.set(Some(progress));
                next_tick().await;
                counter.get_value() == mine
            })
        }
    }

    /// Reads a new file, replacing the one before: text at once, a workbook through the
    /// lazily loaded reader, anything else refused with what it is.
    pub fn read(self, name: String, bytes: Vec<u8>) {
        self.workbook.set_value(None);
        self.sheets.set(Sheets::default());
        match prepare(bytes) {
            Prepared::Ready(source) => self.take(name, source),
            Prepared::Workbook(format, bytes) => {
                self.workbook.set_value(Some((name, format, bytes)));
                self.read_sheet(None);
            }
            Prepared::Unreadable(message) => self.refuse(name, message),
        }
    }

    /// Reads sheet `sheet` (the first when `None`) of the workbook dropped last.
    pub fn read_sheet(self, sheet: Option<usize>) {
        let Some((name, format, bytes)) = self.workbook.get_value() else {
            return;
        };
        let mine = self.new_run();
        self.done.set(Some(0.0));
        spawn_local(async move {
            let read = read_workbook(bytes, format, sheet).await;
            if self.load_run.get_value() != mine {
                return;
            }
            match read {
                Ok(source) => {
                    self.sheets.set(Sheets {
                        names: source.sheets.clone(),
                        chosen: source.sheet,
                    });
                    self.take(name, source)
                }
                Err(message) => self.refuse(name, message),
            }
        });
    }

    /// A file that cannot be read: its message, and nothing to import.
    fn refuse(self, name: String, message: String) {
        self.new_run();
        self.matching.set(None);
        self.rows.set(Vec::new());
        self.report.set(CheckReport::default());
        self.done.set(None);
        self.loaded.set(Some(Loaded {
            name,
            file_problems: vec![message],
            ..Loaded::default()
        }));
    }

    /// A file's text: checked at once when its header is the template's and its first row,
    /// otherwise held for the matching step, with the suggestion.
    fn take(self, name: String, source: Source) {
        self.take_with_header(name, source, None)
    }

    /// [`Self::take`], the header on row `header_row` when the person chose it.
    fn take_with_header(self, name: String, source: Source, header_row: Option<u32>) {
        let peeked = peek(&source.text, 5, header_row);
        // Refused before any step works through its columns (the matching table has a
        // row per column).
        if let Some(problem) = crate::import::too_many_columns(peeked.headers.len()) {
            return self.refuse(name, problem);
        }
        let headers = peeked.headers;
        let moved = peeked.header_row > 1 || header_row.is_some();
        if !headers.is_empty() && (moved || needs_matching(&headers)) {
            self.new_run();
            let suggested = self
                .remembered
                .with_untracked(|remembered| suggest(&headers, &peeked.samples, remembered));
            self.held.set_value(Some((name, source)));
            self.done.set(None);
            self.loaded.set(None);
            self.matching.set(Some(MatchStep {
                header_row: peeked.header_row,
                above: peeked.above,
                headers,
                samples: peeked.samples,
                suggested,
            }));
        } else {
            self.check(name, source, None, None);
        }
    }

    /// The person chose another row as the header: the held file's matching step again.
    pub fn choose_header(self, row: u32) {
        if let Some((name, source)) = self.held.try_update_value(Option::take).flatten() {
            self.take_with_header(name, source, Some(row));
        }
    }

    /// The person matched the columns: the held file is checked with them, its header on
    /// `header_row`.
    pub fn confirm_columns(self, columns: ColumnMap, header_row: u32) {
        self.matching.set(None);
        if let Some((name, source)) = self.held.try_update_value(Option::take).flatten() {
            self.check(name, source, Some(columns), Some(header_row));
        }
    }

    /// Starts a new run (a newer file or sheet stops the older one's work).
    fn new_run(self) -> u64 {
        self.load_run.update_value(|r| *r += 1);
        self.check_run.update_value(|r| *r += 1);
        self.load_run.get_value()
    }

    /// Reads and checks a file's text, with its columns read as `columns` says and its
    /// header on `header_row` (found when `None`).
    fn check(
        self,
        name: String,
        source: Source,
        columns: Option<ColumnMap>,
        header_row: Option<u32>,
    ) {
        let mine = self.new_run();
        self.matching.set(None);
        spawn_local(async move {
            let started = now_ms();
            let org_now = self.org.get_untracked();
            let pause = self.pause(self.load_run, mine);
            let Source { text, notices, .. } = source;
            let Some(checked) =
                read_and_check(text, Some(&org_now), columns, header_row, pause).await
            else {
                return; // a newer file replaced this one
            };
            let elapsed = now_ms() - started;
            self.rows.set(checked.rows);
            self.report.set(checked.report);
            self.done.set(None);
            self.loaded.set(Some(Loaded {
                name,
                digest: checked.digest,
                notices: notices.into_iter().chain(checked.notices).collect(),
                file_problems: checked.file_problems,
                check_ms: elapsed,
                present: checked.present,
            }));
        });
    }

    /// Checks every row again (after an edit, or when the organization changed).
    pub fn recheck(self) {
        self.check_run.update_value(|r| *r += 1);
        let mine = self.check_run.get_value();
        spawn_local(async move {
            let org_now = self.org.get_untracked();
            let rows = self.rows;
            let len = rows.with_untracked(Vec::len);
            let check = move |checker: &mut FileChecker<'_>, range| {
                rows.with_untracked(|all| checker.check(all, range))
            };
            let pause = self.pause(self.check_run, mine);
            let fresh = check_again(len, Some(&org_now), check, pause).await;
            if let Some(fresh) = fresh.filter(|_| self.check_run.get_value() == mine) {
                self.report.set(fresh);
                self.done.set(None);
            }
        });
    }

    /// Problems that stop the whole file (its reading, its size, the seats).
    pub fn blocking(self) -> Vec<String> {
        let mut all = self.loaded.with(|l| {
            l.as_ref()
                .map(|l| l.file_problems.clone())
                .unwrap_or_default()
        });
        all.extend(self.report.with(|r| r.file_problems.clone()));
        all
    }
}

/// Where a file is dropped or picked. `on_file` gets its name and bytes; `on_error` a
/// message when the browser could not read it.
#[component]
pub(super) fn DropZone(
    loaded: RwSignal<Option<Loaded>>,
    on_file: Callback<(String, Vec<u8>)>,
    on_error: Callback<String>,
) -> impl IntoView {
    let dragging = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    let read_file = move |file: web_sys::File| {
        let name = file.name();
        spawn_local(async move {
            match crate::components::read_file(file.into()).await {
                Ok(bytes) => on_file.run((name, bytes)),
                Err(message) => on_error.run(message),
            }
        });
    };
    #[cfg(not(feature = "hydrate"))]
    let read_file = move |_: ()| {
        let _ = (on_file, on_error);
    };

    let on_pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input: web_sys::HtmlInputElement = ev.target().unwrap().unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                read_file(file);
            }
            input.set_value("");
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, read_file);
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            read_file(file);
        }
    };
    view! {
        <div class=move || if dragging.get() { "dropzone dragging" } else { "dropzone" }
            data-testid="dropzone"
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop>
            <p><strong>"Drop your file here"</strong>" or "</p>
            <label for="csv-file" class="button">"Choose a file"</label>
            <input id="csv-file" class="visually-hidden" type="file" accept=".csv,.txt,.tsv,.xlsx,.xlsm,.xlsb,.xls,.ods,text/csv,text/plain,text/tab-separated-values,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel,application/vnd.oasis.opendocument.spreadsheet" on:change=on_pick/>
            <p class="hint">{move || loaded.get().map(|l| format!("File: {}", l.name)).unwrap_or_else(|| "Excel (.xlsx, .xls), OpenDocument (.ods), CSV or tab-separated text.".into())}</p>
        </div>
    }
}
