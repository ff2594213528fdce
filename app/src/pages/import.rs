//! Import CSV: drop a file, every row is checked at once in the browser by the same code
//! the server runs, fix what is wrong in place, import with a progress bar.

use crate::api::import::{import_batch, import_history, load_import_context, start_import};
use crate::components::{download, interactive, next_tick, now_ms, Access, Guarded};
use crate::domain::Program;
use crate::import::{
    check_again, positions_with_problems, problems_csv, problems_of, read_and_check, template,
    with_problems, CellProblem, CheckReport, Column, FileChecker, RowCells, COLUMNS,
};
use crate::model::import::ImportContext;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Rows sent per request: each is one transaction on the server, and one step of the bar.
const BATCH: usize = 2_000;
/// Height of a preview row in pixels: only the rows in view are in the DOM.
const ROW_HEIGHT: f64 = 52.0;
const VIEW_HEIGHT: f64 = 440.0;

#[component]
pub fn ImportPage() -> impl IntoView {
    view! { <Guarded access=Access::Admin page=|_viewer| view! { <ImportBody/> }.into_any()/> }
}

/// The file being worked on.
#[derive(Clone, Default)]
struct Loaded {
    name: String,
    digest: String,
    notices: Vec<String>,
    file_problems: Vec<String>,
    check_ms: f64,
}

#[component]
fn ImportBody() -> impl IntoView {
    let context = Resource::new_blocking(|| (), |_| load_import_context());
    let history_version = RwSignal::new(0u32);
    let history = Resource::new(move || history_version.get(), |_| import_history());
    view! {
        <h1>"Import CSV"</h1>
        <p class="subtitle">"Invite many members at once: download the sample file, fill it in a spreadsheet, save it as CSV and drop it here. Every row is checked the moment you drop it."</p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match context.await {
                    Ok(ctx) => view! { <Importer ctx history_version/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <section aria-labelledby="history-heading">
            <h2 id="history-heading">"Import history"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(list) if list.is_empty() => view! { <p class="hint">"No imports yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap"><table data-testid="import-history">
                                <thead><tr><th scope="col">"When"</th><th scope="col">"File"</th><th scope="col">"By"</th><th scope="col">"Rows"</th><th scope="col">"Imported"</th><th scope="col">"Skipped"</th></tr></thead>
                                <tbody>{list.into_iter().map(|i| view! {
                                    <tr><td>{i.at}</td><td>{i.file_name}</td><td>{i.by}</td><td>{i.rows_total}</td><td>{i.imported}</td><td>{i.skipped}</td></tr>
                                }).collect_view()}</tbody>
                            </table></div>
                        }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <p><a href="/organization">"← Back to My Organization"</a></p>
    }
}

#[component]
fn Importer(ctx: ImportContext, history_version: RwSignal<u32>) -> impl IntoView {
    // What the organization has; reloaded after each import, so checking the same file
    // again shows its rows as members already.
    let next_user_id = RwSignal::new(ctx.next_user_id);
    let org = RwSignal::new(ctx.org_context());
    let free = RwSignal::new((ctx.enable_free, ctx.opportunity_free));
    let reload_context = move || {
        spawn_local(async move {
            if let Ok(ctx) = load_import_context().await {
                next_user_id.set(ctx.next_user_id);
                free.set((ctx.enable_free, ctx.opportunity_free));
                org.set(ctx.org_context());
            }
        });
    };
    let loaded = RwSignal::new(None::<Loaded>);
    let rows = RwSignal::new(Vec::<RowCells>::new());
    let report = RwSignal::new(CheckReport::default());
    // Reading and checking go a slice of rows at a time (see `import::slices`): while a
    // large file is checked the page shows how far it is and stays responsive. Each new
    // file or edit starts a new run; an older run stops at its next pause.
    let checking = RwSignal::new(None::<f64>);
    // Runs: a new file stops an older file's reading and any re-check; a re-check stops an
    // older re-check (a file being read is checked against what it was read with).
    let (load_run, check_run) = (StoredValue::new(0u64), StoredValue::new(0u64));
    let pause = move |counter: StoredValue<u64>, mine: u64| {
        move |done: f64| async move {
            checking.set(Some(done));
            next_tick().await;
            counter.get_value() == mine
        }
    };
    // Every edit re-checks the whole file: duplicates and seats depend on all rows.
    let recheck = move || {
        check_run.update_value(|r| *r += 1);
        let mine = check_run.get_value();
        spawn_local(async move {
            let org_now = org.get_untracked();
            let len = rows.with_untracked(Vec::len);
            let check = move |checker: &mut FileChecker<'_>, range| {
                rows.with_untracked(|all| checker.check(all, range))
            };
            let fresh = check_again(len, Some(&org_now), check, pause(check_run, mine)).await;
            if let Some(fresh) = fresh.filter(|_| check_run.get_value() == mine) {
                report.set(fresh);
                checking.set(None);
            }
        });
    };
    // A fix in place bumps `edited`; an import reloads `org`: both mean a new check.
    let edited = RwSignal::new(0u32);
    Effect::new(move |first: Option<()>| {
        edited.track();
        org.track();
        if first.is_some() {
            recheck();
        }
    });
    let only_problems = RwSignal::new(false);
    let dragging = RwSignal::new(false);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let skipped = RwSignal::new(Vec::<CellProblem>::new());

    let take_bytes = move |name: String, bytes: Vec<u8>| {
        load_run.update_value(|r| *r += 1);
        check_run.update_value(|r| *r += 1);
        let mine = load_run.get_value();
        outcome.set(None);
        skipped.set(Vec::new());
        progress.set(None);
        spawn_local(async move {
            let started = now_ms();
            let org_now = org.get_untracked();
            let Some(checked) = read_and_check(bytes, Some(&org_now), pause(load_run, mine)).await
            else {
                return; // a newer file replaced this one
            };
            let elapsed = now_ms() - started;
            rows.set(checked.rows);
            report.set(checked.report);
            checking.set(None);
            loaded.set(Some(Loaded {
                name,
                digest: checked.digest,
                notices: checked.notices,
                file_problems: checked.file_problems,
                check_ms: elapsed,
            }));
        });
    };
    #[cfg(feature = "hydrate")]
    let read_file = move |file: web_sys::File| {
        let name = file.name();
        spawn_local(async move {
            match gloo_file::futures::read_as_array_buffer(&gloo_file::Blob::from(file)).await {
                Ok(buffer) => {
                    let bytes =
                        crate::components::bytes_in_pieces(js_sys::Uint8Array::new(&buffer));
                    take_bytes(name, bytes.await)
                }
                Err(e) => outcome.set(Some(Err(format!(
                    "The file could not be read ({e}). Try saving it again."
                )))),
            }
        });
    };
    #[cfg(not(feature = "hydrate"))]
    let read_file = move |_: ()| {
        let _ = take_bytes;
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

    let import = move |_| {
        let Some(file) = loaded.get_untracked() else {
            return;
        };
        let valid_rows: Vec<RowCells> = rows.with_untracked(|all| {
            report.with_untracked(|r| {
                all.iter()
                    .zip(with_problems(all, &r.problems))
                    .filter(|(_, bad)| !bad)
                    .map(|(cells, _)| cells.clone())
                    .collect()
            })
        });
        let total = valid_rows.len();
        progress.set(Some((0, total)));
        outcome.set(None);
        skipped.set(Vec::new());
        spawn_local(async move {
            let import_id = match start_import(file.name.clone(), file.digest.clone(), total).await
            {
                Ok(id) => id,
                Err(e) => {
                    progress.set(None);
                    return outcome.set(Some(Err(e.to_string())));
                }
            };
            let mut imported = 0;
            for batch in valid_rows.chunks(BATCH) {
                match import_batch(import_id, batch.to_vec()).await {
                    Ok(done) => {
                        imported += done.imported;
                        skipped.update(|s| s.extend(done.skipped));
                        progress.update(|p| {
                            if let Some((sent, _)) = p {
                                *sent += batch.len()
                            }
                        });
                    }
                    Err(e) => {
                        outcome.set(Some(Err(format!(
                            "Imported {imported} members, then stopped: {e}"
                        ))));
                        history_version.update(|v| *v += 1);
                        reload_context();
                        return;
                    }
                }
            }
            let not_imported = skipped.with_untracked(|s| {
                let mut r: Vec<u32> = s.iter().map(|p| p.row).collect();
                r.dedup();
                r.len()
            });
            outcome.set(Some(Ok(format!(
                "Imported {imported} member{}: their invitations are on their way.{}",
                if imported == 1 { "" } else { "s" },
                match not_imported {
                    0 => String::new(),
                    n => format!(
                        " {n} row{} not imported (see below).",
                        if n == 1 { " was" } else { "s were" }
                    ),
                }
            ))));
            history_version.update(|v| *v += 1);
            reload_context();
        });
    };

    let summary = move || {
        if let Some(done) = checking.get() {
            let percent = (done * 100.0).round();
            return Some(
                view! {
                    <div class="import-progress" data-testid="checking">
                        <progress max="100" value=percent aria-label="Checking the file"></progress>
                        <span>{format!("Checking the file… {percent} %")}</span>
                    </div>
                }
                .into_any(),
            );
        }
        let r = report.get();
        let file = loaded.get()?;
        let total = rows.with(Vec::len);
        Some(view! {
            <p class="check-summary" data-testid="check-summary">
                {format!("Checked {total} rows in {:.1} s: {} ready to import, {} with problems.", file.check_ms / 1000.0, r.valid.len(), r.rows_with_problems())}
                {move || { let (e, o) = free.get(); format!(" Enable seats asked: {} of {e} free; Opportunity: {} of {o} free.", r.enable_asked, r.opportunity_asked) }}
            </p>
        }.into_any())
    };
    let blocking = move || {
        let mut all = loaded.with(|l| {
            l.as_ref()
                .map(|l| l.file_problems.clone())
                .unwrap_or_default()
        });
        all.extend(report.with(|r| r.file_problems.clone()));
        all
    };
    let can_import = move || {
        loaded.with(Option::is_some)
            && checking.with(Option::is_none)
            && blocking().is_empty()
            && report.with(|r| !r.valid.is_empty())
            && progress.with(|p| p.is_none_or(|(s, t)| s >= t))
    };

    let ready = interactive();
    view! {
        <div class="import-tools" data-interactive=move || ready.get().to_string()>
            <button type="button" on:click=move |_| download("roster-members-template.csv", "text/csv", &template(next_user_id.get_untracked()))>
                "Download Sample File"
            </button>
            <details class="slugs">
                <summary>"Program slugs for course_enrollments"</summary>
                <table><tbody>{Program::ALL.iter().map(|p| view! { <tr><td>{p.name()}</td><td><code>{p.slug()}</code></td></tr> }).collect_view()}</tbody></table>
            </details>
        </div>
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
        <ul class="notices" data-testid="notices">
            {move || loaded.get().map(|l| l.notices.into_iter().map(|n| view! { <li>{n}</li> }).collect_view())}
        </ul>
        <ul class="file-problems error" role="alert" data-testid="file-problems">
            {move || blocking().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
        </ul>
        {summary}
        <Show when=move || loaded.with(Option::is_some)>
            <div class="preview-tools">
                <label class="check"><input type="checkbox" prop:checked=move || only_problems.get()
                    on:change=move |ev| only_problems.set(event_target_checked(&ev))/>" Show only rows with problems"</label>
                <button type="button" disabled=move || report.with(|r| r.problems.is_empty())
                    on:click=move |_| rows.with_untracked(|r| report.with_untracked(|rep| download("rows-with-problems.csv", "text/csv", &problems_csv(r, &rep.problems))))>
                    "Download rows with problems"
                </button>
                <button type="button" class="primary" disabled=move || !can_import() on:click=import>
                    {move || format!("Import {} members", report.with(|r| r.valid.len()))}
                </button>
            </div>
            <Preview rows report only_problems edited/>
        </Show>
        {move || progress.get().map(|(sent, total)| view! {
            <div class="import-progress">
                <label for="import-progress">{format!("Importing: {sent} of {total} rows sent")}</label>
                <progress id="import-progress" max=total.max(1) value=sent></progress>
            </div>
        })}
        <p role="status" data-testid="import-outcome">
            {move || outcome.get().map(|r| match r {
                Ok(t) => view! { <span class="success">{t}</span> }.into_any(),
                Err(t) => view! { <span class="error">{t}</span> }.into_any(),
            })}
        </p>
        <ul class="error" data-testid="import-skipped">
            {move || skipped.get().into_iter().map(|p| view! { <li>{p.to_string()}</li> }).collect_view()}
        </ul>
    }
}

/// The rows, virtualised: a fixed-height scroller holds only the rows in view (and a few
/// around them), between two spacers, so 100,000 rows scroll as smoothly as 10.
#[component]
fn Preview(
    rows: RwSignal<Vec<RowCells>>,
    report: RwSignal<CheckReport>,
    only_problems: RwSignal<bool>,
    edited: RwSignal<u32>,
) -> impl IntoView {
    let scroll_top = RwSignal::new(0.0f64);
    let shown = Memo::new(move |_| {
        if only_problems.get() {
            report.with(|report| rows.with(|r| positions_with_problems(r, &report.problems)))
        } else {
            (0..rows.with(Vec::len)).collect::<Vec<usize>>()
        }
    });
    let window = move || {
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(5);
        let count = (VIEW_HEIGHT / ROW_HEIGHT) as usize + 10;
        shown.with(|s| {
            let end = (first + count).min(s.len());
            (first.min(end), end, s.len())
        })
    };
    view! {
        <div class="preview" style=format!("height: {VIEW_HEIGHT}px") data-testid="preview"
            on:scroll=move |ev| {
                let target = event_target::<leptos::web_sys::Element>(&ev);
                scroll_top.set(f64::from(target.scroll_top()));
            }>
            <table>
                <thead><tr>
                    <th scope="col">"Row"</th>
                    <th scope="col">"Status"</th>
                    {COLUMNS.iter().map(|c| view! { <th scope="col">{c.name()}</th> }).collect_view()}
                    <th scope="col"><span class="visually-hidden">"Remove"</span></th>
                </tr></thead>
                <tbody>
                    {move || {
                        // A re-check or an edit changes the rows in view even when which
                        // rows are shown stays the same.
                        report.track();
                        rows.track();
                        let (first, end, total) = window();
                        let top = first as f64 * ROW_HEIGHT;
                        let bottom = (total - end) as f64 * ROW_HEIGHT;
                        let visible: Vec<usize> = shown.with(|s| s[first..end].to_vec());
                        view! {
                            <tr class="spacer" style=format!("height: {top}px")></tr>
                            {visible.into_iter().map(|index| view! { <PreviewRow index rows report edited/> }).collect_view()}
                            <tr class="spacer" style=format!("height: {bottom}px")></tr>
                        }
                    }}
                </tbody>
            </table>
            {move || shown.with(Vec::is_empty).then(|| view! { <p class="hint empty">"No rows with problems: everything can be imported."</p> })}
        </div>
    }
}

#[component]
fn PreviewRow(
    index: usize,
    rows: RwSignal<Vec<RowCells>>,
    report: RwSignal<CheckReport>,
    edited: RwSignal<u32>,
) -> impl IntoView {
    let Some(cells) = rows.with_untracked(|r| r.get(index).cloned()) else {
        return ().into_any();
    };
    let row = cells.row;
    let problems = report.with_untracked(|r| problems_of(&r.problems, row).to_vec());
    let problem_for = |column: Column| {
        problems
            .iter()
            .filter(|p| p.column == Some(column))
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let status = if problems.is_empty() {
        view! { <span class="badge ok">"Ready"</span> }.into_any()
    } else {
        let text = problems
            .iter()
            .map(|p| match p.column {
                Some(c) => format!("{}: {}", c.name(), p.message),
                None => p.message.clone(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        view! { <span class="badge off" title=text.clone()>{format!("{} problem{}", problems.len(), if problems.len() == 1 { "" } else { "s" })}</span> }.into_any()
    };
    view! {
        <tr class:has-problems=!problems.is_empty() data-row=row>
            <th scope="row">{row}</th>
            <td>{status}</td>
            {COLUMNS.iter().map(|&column| {
                let value = cells.get(column).to_owned();
                let message = problem_for(column);
                if message.is_empty() {
                    view! { <td>{value}</td> }.into_any()
                } else {
                    let label = format!("Row {row}, {}", column.name());
                    view! {
                        <td class="bad-cell">
                            <input type="text" value=value aria-label=label aria-invalid="true" title=message.clone()
                                on:change=move |ev| {
                                    let v = event_target_value(&ev).trim().to_owned();
                                    rows.update(|r| if let Some(cells) = r.get_mut(index) { cells.set(column, &v); });
                                    edited.update(|e| *e += 1);
                                }/>
                            <span class="cell-problem">{message}</span>
                        </td>
                    }.into_any()
                }
            }).collect_view()}
            <td><button type="button" class="link-button" aria-label=format!("Remove row {row}")
                on:click=move |_| { rows.update(|r| { if index < r.len() { r.remove(index); } }); edited.update(|e| *e += 1); }>"Remove"</button></td>
        </tr>
    }
    .into_any()
}
