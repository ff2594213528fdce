//! Import CSV: drop a file, every row is checked at once in the browser by the same code
//! the server runs, fix what is wrong in place, import with a progress bar.

mod changes;
mod matching;
mod preview;
mod reading;
pub use reading::read_workbook_for_benchmark;
mod upload;

use crate::api::import::{import_history, load_import_context};
use crate::components::{download, interactive, Guarded, Loaded, Need};
use crate::components::{load, load_blocking};
use crate::domain::Capability;
use crate::domain::Program;
use crate::import::{problems_csv, template, CellProblem, RowCells};
use crate::model::import::ImportContext;
use changes::ChangeSet;
use leptos::prelude::*;
use leptos::task::spawn_local;
use matching::ColumnMatching;
use preview::Preview;
use reading::{Checking, DropZone};
use upload::upload;

#[component]
pub fn ImportPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::ChangeMembers) title="Import CSV" page=|_viewer| view! { <ImportBody/> }.into_any()/> }
}

#[component]
fn ImportBody() -> impl IntoView {
    let context = load_blocking(|| (), |_| load_import_context());
    let history_version = RwSignal::new(0u32);
    let history = load(move || history_version.get(), |_| import_history());
    view! {
        <h1>"Import CSV"</h1>
        <p class="subtitle">"Invite many members at once: drop a spreadsheet (Excel, OpenDocument or CSV) — your own columns are matched to the template's — or start from the sample file. Every row is checked the moment you drop it."</p>
        <Loaded resource=context ready=move |ctx| view! { <Importer ctx history_version/> }.into_any()/>
        <section aria-labelledby="history-heading">
            <h2 id="history-heading">"Import history"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(list) if list.is_empty() => view! { <p class="hint">"No imports yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap" tabindex="0"><table data-testid="import-history">
                                <thead><tr><th scope="col">"When"</th><th scope="col">"File"</th><th scope="col">"By"</th><th scope="col">"Rows"</th><th scope="col">"Imported"</th><th scope="col">"Skipped"</th><th scope="col">"State"</th></tr></thead>
                                <tbody>{list.into_iter().map(|i| view! {
                                    <tr><td class="when">{i.at}</td><td>{i.file_name}</td><td>{i.by}</td><td class="num">{i.rows_total}</td><td class="num">{i.imported}</td><td class="num">{i.skipped}</td><td>{i.state.label()}</td></tr>
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
    let free = RwSignal::new((ctx.enable_free, ctx.opportunity_free));
    let checking = Checking::new(ctx.org_context(), ctx.remembered_columns());
    let Checking {
        loaded,
        rows,
        report,
        done,
        org,
        matching,
        sheets,
        ..
    } = checking;
    let reload_context = move || {
        spawn_local(async move {
            if let Ok(ctx) = load_import_context().await {
                next_user_id.set(ctx.next_user_id);
                free.set((ctx.enable_free, ctx.opportunity_free));
                org.set(ctx.org_context());
            }
        });
    };
    // A fix in place bumps `edited`; an import reloads `org`: both mean a new check.
    let edited = RwSignal::new(0u32);
    Effect::new(move |first: Option<()>| {
        edited.track();
        org.track();
        if first.is_some() {
            checking.recheck();
        }
    });
    // Rows that are members already (by address or user_id), as the check counted them.
    let matched = Memo::new(move |_| {
        if loaded.with(Option::is_none) {
            return 0;
        }
        report.with(|r| r.matched)
    });
    // Such a file is a change set (see `changes`): at once when it is a roster export (it
    // has the roster's own columns), or when the person asks to review what it changes
    // (a list of new members dropped again stays an import, which skips them).
    let review = RwSignal::new(false);
    Effect::new(move |_| {
        loaded.track();
        review.set(false);
    });
    let change_mode = Memo::new(move |_| {
        let roster_file = loaded.with(|l| {
            l.as_ref().is_some_and(|l| {
                crate::import::ROSTER_COLUMNS
                    .iter()
                    .any(|c| l.present[c.index()])
            })
        });
        matched.get() > 0 && (roster_file || review.get())
    });
    let on_changed = Callback::new(move |_: ()| reload_context());
    let only_problems = RwSignal::new(false);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let skipped = RwSignal::new(Vec::<CellProblem>::new());

    let on_file = Callback::new(move |(name, bytes): (String, Vec<u8>)| {
        outcome.set(None);
        skipped.set(Vec::new());
        progress.set(None);
        checking.read(name, bytes);
    });
    let on_error = Callback::new(move |message: String| outcome.set(Some(Err(message))));

    let import = move |_| {
        let Some(file) = loaded.get_untracked() else {
            return;
        };
        // The rows without problems; rows imported before (a continued import) stay here.
        let valid_rows: Vec<RowCells> = rows.with_untracked(|all| {
            report.with_untracked(|r| r.valid.iter().map(|&i| all[i].clone()).collect())
        });
        let already_before = report.with_untracked(|r| r.already.len());
        progress.set(Some((0, valid_rows.len())));
        outcome.set(None);
        skipped.set(Vec::new());
        spawn_local(async move {
            let on_batch = |sent: usize, not_imported: Vec<CellProblem>| {
                skipped.update(|s| s.extend(not_imported));
                progress.update(|p| {
                    if let Some((done, _)) = p {
                        *done += sent
                    }
                });
            };
            let uploaded = match upload(file.name, file.digest, valid_rows, on_batch).await {
                Ok(uploaded) => uploaded,
                Err(refused) => {
                    progress.set(None);
                    return outcome.set(Some(Err(refused)));
                }
            };
            let imported = uploaded.imported;
            let already = already_before + uploaded.already;
            let continued = uploaded
                .continues
                .map(|c| format!("{c} "))
                .unwrap_or_default();
            outcome.set(Some(match uploaded.stopped {
                Some(e) => Err(format!(
                    "{continued}Imported {imported} members, then stopped: {e} Drop the same file again to continue."
                )),
                None => Ok(format!(
                    "{continued}{}",
                    imported_message(imported, already, skipped.with_untracked(|s| rows_in(s)))
                )),
            }));
            history_version.update(|v| *v += 1);
            reload_context();
        });
    };

    let summary = move || {
        if let Some(done) = done.get() {
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
                {format!("Checked {total} rows in {}: {} ready to import, {} with problems.", took(file.check_ms), r.valid.len(), r.rows_with_problems())}
                {(!r.already.is_empty()).then(|| format!(" {} imported already (members with the same address and user_id): they are skipped.", r.already.len()))}
                {move || { let (e, o) = free.get(); format!(" Enable seats asked: {} of {e} free; Opportunity: {} of {o} free.", r.enable_asked, r.opportunity_asked) }}
            </p>
        }.into_any())
    };
    let can_import = move || {
        loaded.with(Option::is_some)
            && done.with(Option::is_none)
            && checking.blocking().is_empty()
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
        <DropZone loaded on_file on_error/>
        <Show when=move || sheets.with(|s| s.names.len() > 1)>
            <p class="sheet-picker">
                <label for="sheet">"Sheet "</label>
                <select id="sheet" data-testid="sheet"
                    prop:value=move || sheets.with(|s| s.chosen.to_string())
                    on:change=move |ev| checking.read_sheet(event_target_value(&ev).parse().ok())>
                    {move || sheets.with(|s| s.names.iter().enumerate().map(|(i, name)| view! { <option value=i.to_string()>{name.clone()}</option> }).collect_view())}
                </select>
                <span class="hint">" The members are read from this sheet of the workbook."</span>
            </p>
        </Show>
        {move || matching.get().map(|step| view! { <ColumnMatching checking step/> })}
        <ul class="notices" data-testid="notices">
            {move || loaded.get().map(|l| l.notices.into_iter().map(|n| view! { <li>{n}</li> }).collect_view())}
        </ul>
        <ul class="warnings" data-testid="warnings">
            {move || report.with(|r| r.warnings.iter().take(50).map(|w| view! { <li>{w.to_string()}</li> }).collect_view())}
        </ul>
        <ul class="file-problems error" role="alert" data-testid="file-problems">
            {move || checking.blocking().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
        </ul>
        {move || change_mode.get().then(|| loaded.get().map(|loaded| view! { <ChangeSet loaded rows on_changed/> }))}
        <Show when=move || !change_mode.get()>
        {summary}
        {move || (matched.get() > 0 && done.with(Option::is_none)).then(|| view! {
            <p class="hint" data-testid="matched-members">
                {format!("{} row{} of this file {} members already. ", matched.get(), if matched.get() == 1 { "" } else { "s" }, if matched.get() == 1 { "is" } else { "are" })}
                <button type="button" on:click=move |_| review.set(true)>"Review what this file changes for them"</button>
            </p>
        })}
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

/// How many rows `problems` are about (problems come in row order).
fn rows_in(problems: &[CellProblem]) -> usize {
    let mut rows: Vec<u32> = problems.iter().map(|p| p.row).collect();
    rows.dedup();
    rows.len()
}

fn imported_message(imported: usize, already: usize, not_imported: usize) -> String {
    format!(
        "Imported {imported} member{}: their invitations are on their way.{}{}",
        if imported == 1 { "" } else { "s" },
        match already {
            0 => String::new(),
            1 => " 1 row was imported already and was skipped.".to_owned(),
            n => format!(" {n} rows were imported already and were skipped."),
        },
        match not_imported {
            0 => String::new(),
            n => format!(
                " {n} row{} not imported (see below).",
                if n == 1 { " was" } else { "s were" }
            ),
        }
    )
}

/// How long something took, as the summary says it: milliseconds below a second (a check
/// of 100,000 rows takes a fraction of one, and "0.1 s" hid how much), seconds above.
fn took(ms: f64) -> String {
    if ms < 999.5 {
        format!("{} ms", ms.max(0.0).round())
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::took;

    #[test]
    fn milliseconds_below_a_second_seconds_above() {
        assert_eq!(took(0.4), "0 ms");
        assert_eq!(took(86.6), "87 ms");
        assert_eq!(took(999.4), "999 ms");
        assert_eq!(took(999.6), "1.0 s");
        assert_eq!(took(2_468.0), "2.5 s");
    }
}
