//! The matching step: a file with its own column names ("E-mail Address", "Vorname") shows
//! each column with its first values and the template column suggested for it, which the
//! person can change or ignore. Confirmed, the choice is remembered for the
//! organization's next file, and the file is checked as usual.

use super::reading::{Checking, MatchStep};
use crate::api::import::remember_columns;
use crate::import::columns::{missing_required, ColumnMap};
use crate::import::{Column, ALL_COLUMNS};
use leptos::prelude::*;
use leptos::task::spawn_local;

const IGNORE: &str = "";

#[component]
pub(super) fn ColumnMatching(checking: Checking, step: MatchStep) -> impl IntoView {
    let MatchStep {
        header_row,
        above,
        headers,
        samples,
        suggested,
    } = step;
    let map = RwSignal::new(suggested);
    let missing = move || map.with(missing_required);
    let taken_twice = move || {
        map.with(|m| {
            ALL_COLUMNS
                .into_iter()
                .filter(|c| m.iter().filter(|chosen| **chosen == Some(*c)).count() > 1)
                .collect::<Vec<Column>>()
        })
    };
    let can_continue = move || missing().is_empty() && taken_twice().is_empty();
    // Columns that carry values but are set to Ignore: said above the button, so that
    // nothing the file holds is dropped unnoticed.
    let with_values: Vec<bool> = (0..headers.len())
        .map(|i| {
            samples
                .iter()
                .any(|row| row.get(i).is_some_and(|v| !v.is_empty()))
        })
        .collect();
    let ignored_with_values = {
        let (headers, with_values) = (headers.clone(), with_values.clone());
        move || {
            map.with(|m| {
                headers
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| with_values[*i] && m.get(*i).copied().flatten().is_none())
                    .map(|(i, h)| {
                        if h.is_empty() {
                            format!("Column {}", i + 1)
                        } else {
                            h.clone()
                        }
                    })
                    .collect::<Vec<String>>()
            })
        }
    };
    let confirm = {
        let headers = headers.clone();
        move |_| {
            let chosen: ColumnMap = map.get_untracked();
            let choices: Vec<(String, Option<Column>)> = headers
                .iter()
                .cloned()
                .zip(chosen.iter().copied())
                .collect();
            // Remembering is a convenience: the import does not wait for it.
            spawn_local(async move {
                let _ = remember_columns(choices).await;
            });
            checking
                .remembered
                .update(|r| r.extend(remembered_keys(&headers, &chosen)));
            checking.confirm_columns(chosen, header_row);
        }
    };
    let rows = headers
        .iter()
        .enumerate()
        // An empty column beside the data (a styled cell in a workbook) is no column.
        .filter(|(i, header)| !header.is_empty() || with_values[*i])
        .map(|(i, header)| {
            let values: Vec<String> = samples
                .iter()
                .filter_map(|row| row.get(i).filter(|v| !v.is_empty()).cloned())
                .take(3)
                .collect();
            let id = format!("match-{i}");
            let label = if header.is_empty() {
                format!("Column {}", i + 1)
            } else {
                header.clone()
            };
            view! {
                <tr data-testid="match-row">
                    <th scope="row"><label for=id.clone()>{label}</label></th>
                    <td class="sample">{values.join(" · ")}</td>
                    <td>
                        <select id=id
                            prop:value=move || map.with(|m| m[i].map_or(IGNORE, Column::name).to_owned())
                            on:change=move |ev| {
                                let value = event_target_value(&ev);
                                map.update(|m| m[i] = Column::from_header(&value));
                            }>
                            <option value=IGNORE>"Ignore this column"</option>
                            {ALL_COLUMNS.into_iter().map(|c| view! { <option value=c.name()>{c.name()}</option> }).collect_view()}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="matching" aria-labelledby="matching-heading" data-testid="column-matching">
            <h2 id="matching-heading">"Match your columns"</h2>
            <p class="hint">"This file has its own column names or rows above its header. Check which template column each one fills; columns set to “Ignore” are not imported. Your choice is remembered for the next file."</p>
            <div class="field header-row">
                <label for="header-row">"Column names are on row"</label>
                <select id="header-row" data-testid="header-row"
                    prop:value=header_row.to_string()
                    on:change=move |ev| {
                        if let Ok(row) = event_target_value(&ev).parse::<u32>() {
                            checking.choose_header(row);
                        }
                    }>
                    {(1..=crate::import::HEADER_SEARCH_ROWS.max(header_row)).map(|row| {
                        view! { <option value=row.to_string() selected=row == header_row>{row.to_string()}</option> }
                    }).collect_view()}
                </select>
                <span class="hint" data-testid="header-row-note">{header_note(header_row, &above)}</span>
            </div>
            <div class="table-wrap" tabindex="0">
                <table>
                    <thead><tr><th scope="col">"Column in your file"</th><th scope="col">"First values"</th><th scope="col">"Template column"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="error" role="alert" data-testid="matching-problem">
                {move || {
                    let missing = missing();
                    let twice = taken_twice();
                    if !missing.is_empty() {
                        let names: Vec<&str> = missing.iter().map(|c| c.name()).collect();
                        format!("Choose a column of your file for {}: every member needs one.", names.join(", "))
                    } else if !twice.is_empty() {
                        let names: Vec<&str> = twice.iter().map(|c| c.name()).collect();
                        format!("{} is chosen for two columns: keep one.", names.join(", "))
                    } else {
                        String::new()
                    }
                }}
            </p>
            <p class="warning" role="status" data-testid="ignored-with-values">
                {move || {
                    let ignored = ignored_with_values();
                    match ignored.len() {
                        0 => String::new(),
                        1 => format!("1 column with values will not be imported: {}. Choose a template column for it if it should be.", ignored[0]),
                        n => format!("{n} columns with values will not be imported: {}. Choose a template column for each that should be.", ignored.join(", ")),
                    }
                }}
            </p>
            <button type="button" class="primary" disabled=move || !can_continue() on:click=confirm>
                "Continue with these columns"
            </button>
        </section>
    }
}

/// The choices as the organization's memory keeps them (by `header_key`).
fn remembered_keys(headers: &[String], chosen: &ColumnMap) -> Vec<(String, Option<Column>)> {
    headers
        .iter()
        .zip(chosen)
        .map(|(h, c)| (crate::import::columns::header_key(h), *c))
        .filter(|(key, _)| !key.is_empty())
        .collect()
}

/// What the header row picker says: which row holds the names, and what was skipped.
fn header_note(row: u32, above: &[String]) -> String {
    if row <= 1 {
        return "The first row holds the column names.".into();
    }
    let skipped: Vec<String> = above
        .iter()
        .filter(|cell| !cell.is_empty())
        .map(|cell| {
            format!(
                "\u{201c}{}\u{201d}",
                cell.chars().take(60).collect::<String>()
            )
        })
        .collect();
    let what = if skipped.is_empty() {
        "blank".to_owned()
    } else {
        skipped.join(", ")
    };
    format!(
        "Rows 1–{} above it ({what}) are not members and are skipped. Choose another row if the names are elsewhere.",
        row - 1
    )
}
