//! Reading and checking a file in the browser: a slice of rows at a time, with pauses, so
//! the page shows how far it is and stays responsive; every edit checks the whole file
//! again (duplicates and seats depend on all rows).

use crate::components::{next_tick, now_ms};
use crate::import::{check_again, read_and_check, CheckReport, FileChecker, OrgContext, RowCells};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The file being worked on.
#[derive(Clone, Default)]
pub(super) struct Loaded {
    pub name: String,
    pub digest: String,
    pub notices: Vec<String>,
    pub file_problems: Vec<String>,
    pub check_ms: f64,
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
    // Runs: a new file stops an older file's reading and any re-check; a re-check stops
    // an older re-check (a file being read is checked against what it was read with).
    load_run: StoredValue<u64>,
    check_run: StoredValue<u64>,
}

impl Checking {
    pub fn new(org: OrgContext) -> Self {
        Self {
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

    /// Reads and checks a new file, replacing the one before.
    pub fn read(self, name: String, bytes: Vec<u8>) {
        self.load_run.update_value(|r| *r += 1);
        self.check_run.update_value(|r| *r += 1);
        let mine = self.load_run.get_value();
        spawn_local(async move {
            let started = now_ms();
            let org_now = self.org.get_untracked();
            let pause = self.pause(self.load_run, mine);
            let Some(checked) = read_and_check(bytes, Some(&org_now), pause).await else {
                return; // a newer file replaced this one
            };
            let elapsed = now_ms() - started;
            self.rows.set(checked.rows);
            self.report.set(checked.report);
            self.done.set(None);
            self.loaded.set(Some(Loaded {
                name,
                digest: checked.digest,
                notices: checked.notices,
                file_problems: checked.file_problems,
                check_ms: elapsed,
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
            match gloo_file::futures::read_as_array_buffer(&gloo_file::Blob::from(file)).await {
                Ok(buffer) => {
                    let bytes =
                        crate::components::bytes_in_pieces(js_sys::Uint8Array::new(&buffer));
                    on_file.run((name, bytes.await))
                }
                Err(e) => on_error.run(format!(
                    "The file could not be read ({e}). Try saving it again."
                )),
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
            <p><strong>"Drop your CSV file here"</strong>" or "</p>
            <label for="csv-file" class="button">"Choose a file"</label>
            <input id="csv-file" class="visually-hidden" type="file" accept=".csv,text/csv,text/plain" on:change=on_pick/>
            <p class="hint">{move || loaded.get().map(|l| format!("File: {}", l.name)).unwrap_or_else(|| "UTF-8 or Excel CSV, commas or semicolons.".into())}</p>
        </div>
    }
}
