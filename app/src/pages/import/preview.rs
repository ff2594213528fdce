//! The preview of a checked file: its rows, virtualised, each with its problems and
//! editable in place.

use crate::import::{positions_with_problems, problems_of, CheckReport, Column, RowCells, COLUMNS};
use leptos::prelude::*;

/// Height of a preview row in pixels: only the rows in view are in the DOM.
const ROW_HEIGHT: f64 = 52.0;
const VIEW_HEIGHT: f64 = 440.0;

/// The rows, virtualised: a fixed-height scroller holds only the rows in view (and a few
/// around them), between two spacers, so 100,000 rows scroll as smoothly as 10.
#[component]
pub(super) fn Preview(
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
