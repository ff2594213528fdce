//! A file whose rows are members already (an export changed in a spreadsheet, HR's new
//! list) is a change set: the plan, computed here in the browser by the code the server
//! decides with, shows before anything is saved — new members, changes field by field,
//! unchanged rows, and, only when ticked, who would be deactivated — with the seat impact
//! and each refused change with its reason, which the person fixes in the file or leaves
//! out. Apply is all or nothing; Undo takes it back within 24 hours.

use super::reading::Loaded;
use crate::api::roster::{
    apply_roster, load_roster, roster_apply_progress, send_roster_rows, start_roster_apply,
    undo_roster,
};
use crate::import::plan::plan;
use crate::import::roster::{Action, Plan, Roster};
use crate::import::{Column, RowCells, ALL_COLUMNS};
use crate::model::roster::{Applied, ApplyProgress, RosterFile, ROWS_PER_PART};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

/// Entries listed at most: a plan of 100,000 rows is summed up, not drawn.
const SHOWN: usize = 500;

#[component]
pub(super) fn ChangeSet(
    loaded: Loaded,
    rows: RwSignal<Vec<RowCells>>,
    /// Called after an apply or an undo: the organization changed.
    on_changed: Callback<()>,
) -> impl IntoView {
    let roster = RwSignal::new(None::<Result<Roster, String>>);
    let version = RwSignal::new(0u32);
    Effect::new(move |_| {
        version.track();
        spawn_local(async move {
            roster.set(Some(load_roster().await.map_err(|e| e.to_string())));
        });
    });
    let deactivate = RwSignal::new(false);
    let excluded = RwSignal::new(HashSet::<u32>::new());
    let present = loaded.present;
    let kept_rows = move || {
        excluded.with(|out| {
            rows.with(|all| {
                all.iter()
                    .filter(|r| !out.contains(&r.row))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    };
    // Planned again on every change (a tick, a row left out or fixed): the rows are read
    // where they are, copied only when some are left out.
    let the_plan = Memo::new(move |_| {
        let deactivate = deactivate.get();
        roster.with(|r| match r {
            Some(Ok(roster)) => Some(excluded.with(|out| {
                if out.is_empty() {
                    rows.with(|all| plan(all, &present, roster, deactivate))
                } else {
                    plan(&kept_rows(), &present, roster, deactivate)
                }
            })),
            _ => None,
        })
    });
    let work = RwSignal::new(Work::Idle);
    let busy = move || work.with(|w| *w != Work::Idle);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let applied = RwSignal::new(None::<i64>);

    let apply = {
        let loaded = loaded.clone();
        move |_| {
            let rows = kept_rows();
            let file = RosterFile {
                file_name: loaded.name.clone(),
                digest: loaded.digest.clone(),
                rows: Vec::new(),
                present,
                deactivate_missing: deactivate.get_untracked(),
            };
            work.set(Work::Applying(None));
            outcome.set(None);
            spawn_local(async move {
                let result = send_and_apply(file, rows, work).await;
                match result {
                    Ok(done) => {
                        applied.set(done.change_id);
                        outcome.set(Some(Ok(done.message())));
                        version.update(|v| *v += 1);
                        on_changed.run(());
                    }
                    Err(e) => outcome.set(Some(Err(e))),
                }
                work.set(Work::Idle);
            });
        }
    };
    let undo = move |_| {
        let Some(change_id) = applied.get_untracked() else {
            return;
        };
        work.set(Work::Undoing);
        outcome.set(None);
        spawn_local(async move {
            match undo_roster(change_id).await {
                Ok(undone) => {
                    applied.set(None);
                    outcome.set(Some(Ok(undone.message())));
                    version.update(|v| *v += 1);
                    on_changed.run(());
                }
                Err(e) => outcome.set(Some(Err(e.to_string()))),
            }
            work.set(Work::Idle);
        });
    };
    let can_apply = move || {
        !busy()
            && the_plan.with(|p| {
                p.as_ref()
                    .is_some_and(|p| p.changes_anything() && p.count(Action::Refused) == 0)
            })
    };

    view! {
        <section class="change-set" aria-labelledby="changes-heading" data-testid="change-set">
            <h2 id="changes-heading">"Changes this file makes"</h2>
            <p class="hint">"Rows are matched to members by user_id, else by email. Nothing is saved until you apply."</p>
            <label class="check">
                <input type="checkbox" prop:checked=move || deactivate.get()
                    on:change=move |ev| deactivate.set(event_target_checked(&ev))/>
                " Deactivate members who are not in this file"
            </label>
            {move || match roster.get() {
                None => view! { <p class="loading">"Reading your organization…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(_)) => view! { <PlanView the_plan excluded rows/> }.into_any(),
            }}
            <div class="preview-tools">
                <button type="button" class="primary" disabled=move || !can_apply() on:click=apply>
                    "Apply changes"
                </button>
                <Show when=move || applied.get().is_some()>
                    <button type="button" disabled=busy on:click=undo>"Undo"</button>
                </Show>
            </div>
            <Show when=busy>
                <div class="import-progress" data-testid="applying">
                    {move || match work.get() {
                        Work::Undoing => view! {
                            <progress aria-label="Undoing the changes"></progress>
                            <span>"Undoing… (all of it or nothing)"</span>
                        }
                        .into_any(),
                        Work::Applying(Some(p)) if p.total > 0 => {
                            let percent = u64::from(p.done) * 100 / u64::from(p.total);
                            view! {
                                <progress aria-label="Applying the changes" max=p.total value=p.done></progress>
                                <span>{format!("{}… {percent} % (all of it or nothing)", p.stage)}</span>
                            }
                            .into_any()
                        }
                        _ => view! {
                            <progress aria-label="Applying the changes"></progress>
                            <span>"Starting… (all of it or nothing)"</span>
                        }
                        .into_any(),
                    }}
                </div>
            </Show>
            <p role="status" data-testid="change-outcome">
                {move || outcome.get().map(|r| match r {
                    Ok(t) => view! { <span class="success">{t}</span> }.into_any(),
                    Err(t) => view! { <span class="error">{t}</span> }.into_any(),
                })}
            </p>
        </section>
    }
}

/// What the change set is busy with, for its progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Work {
    Idle,
    /// How far it has got: the rows sent, then the server's steps (polled while it
    /// applies); `None` until the first part goes.
    Applying(Option<ApplyProgress>),
    Undoing,
}

/// Sends the file's rows in parts (the bar shows how much has gone), then applies it
/// while the server's steps are polled into `work`.
async fn send_and_apply(
    file: RosterFile,
    rows: Vec<RowCells>,
    work: RwSignal<Work>,
) -> Result<Applied, String> {
    let key = start_roster_apply().await.map_err(|e| e.to_string())?;
    let total = rows.len() as u32;
    let sending = |done: u32| ApplyProgress {
        done,
        total,
        stage: "Sending the file".into(),
    };
    let mut sent = 0;
    for (part, rows) in rows.chunks(ROWS_PER_PART).enumerate() {
        work.set(Work::Applying(Some(sending(sent))));
        send_roster_rows(key.clone(), part as u32, rows.to_vec())
            .await
            .map_err(|e| e.to_string())?;
        sent += rows.len() as u32;
    }
    work.set(Work::Applying(Some(sending(sent))));
    // One poll at a time: a slow answer is not overtaken by the next tick's.
    let polling = Rc::new(Cell::new(false));
    let poll = {
        let key = key.clone();
        move || {
            if polling.replace(true) {
                return;
            }
            let (key, polling) = (key.clone(), polling.clone());
            spawn_local(async move {
                if let Ok(Some(now)) = roster_apply_progress(key).await {
                    // Not once the apply has answered.
                    if work.with_untracked(|w| matches!(w, Work::Applying(_))) {
                        work.set(Work::Applying(Some(now)));
                    }
                }
                polling.set(false);
            });
        }
    };
    let ticker = set_interval_with_handle(poll, Duration::from_millis(300)).ok();
    let result = apply_roster(file, key, total).await;
    if let Some(ticker) = ticker {
        ticker.clear();
    }
    result.map_err(|e| e.to_string())
}

#[component]
fn PlanView(
    the_plan: Memo<Option<Plan>>,
    excluded: RwSignal<HashSet<u32>>,
    rows: RwSignal<Vec<RowCells>>,
) -> impl IntoView {
    let summary = move || the_plan.with(|p| p.as_ref().map(Plan::summary));
    let left_out = move || {
        let n = excluded.with(HashSet::len);
        (n > 0).then(|| {
            view! {
                <p class="hint">
                    {format!("{n} row{} left out. ", if n == 1 { "" } else { "s" })}
                    <button type="button" class="link" on:click=move |_| excluded.set(HashSet::new())>"Put them back"</button>
                </p>
            }
        })
    };
    let entries = move || {
        the_plan.with(|p| {
            let Some(p) = p else { return Vec::new() };
            p.entries
                .iter()
                .filter(|e| e.action != Action::Unchanged)
                .take(SHOWN)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <p class="check-summary" data-testid="plan-summary">{summary}</p>
        {left_out}
        <div class="table-wrap" tabindex="0">
            <table data-testid="plan">
                <thead><tr><th scope="col">"Row"</th><th scope="col">"Action"</th><th scope="col">"Member"</th><th scope="col">"What changes"</th></tr></thead>
                <tbody>
                    <For each=entries key=|e| (e.row, e.member, e.action, e.message.clone(), e.changes.len()) let:entry>
                        <tr data-action=entry.action.as_str() data-testid="plan-entry">
                            <td>{entry.row.map(|r| r.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td><span class=format!("badge {}", entry.action.as_str())>{entry.action.as_str()}</span></td>
                            <td>{entry.who.clone()}</td>
                            <td>
                                <ul class="changes">
                                    {entry.changes.iter().map(|c| view! {
                                        <li><code>{c.field.clone()}</code>": “"{c.from.clone()}"” → “"{c.to.clone()}"”"</li>
                                    }).collect_view()}
                                </ul>
                                {(!entry.message.is_empty()).then(|| view! { <p class="message">{entry.message.clone()}</p> })}
                                {(entry.action == Action::Refused).then(|| entry.row.map(|row| view! {
                                    <FixRow row rows/>
                                    <button type="button" on:click=move |_| excluded.update(|out| { out.insert(row); })>"Leave this row out"</button>
                                }))}
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// A refused row's cells, editable in place: the plan is made again as you type.
#[component]
fn FixRow(row: u32, rows: RwSignal<Vec<RowCells>>) -> impl IntoView {
    let editable = ALL_COLUMNS
        .into_iter()
        .filter(|c| *c != Column::Status)
        .map(|column| {
            let id = format!("fix-{row}-{}", column.name());
            let value = move || {
                rows.with(|all| {
                    all.iter()
                        .find(|r| r.row == row)
                        .map(|r| r.get(column).to_owned())
                        .unwrap_or_default()
                })
            };
            view! {
                <div class="field">
                    <label for=id.clone()>{format!("Row {row}, {}", column.name())}</label>
                    <input id=id type="text" prop:value=value
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            rows.update(|all| {
                                if let Some(r) = all.iter_mut().find(|r| r.row == row) {
                                    r.set(column, &text);
                                }
                            });
                        }/>
                </div>
            }
        })
        .collect_view();
    view! {
        <details class="fix-row">
            <summary>"Fix this row here"</summary>
            <div class="fix-fields">{editable}</div>
        </details>
    }
}
