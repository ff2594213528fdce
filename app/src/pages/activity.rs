use crate::api::activity::activity;
use crate::components::load_blocking;
use crate::components::{Guarded, Loaded, Need};
use crate::domain::Capability;
use crate::model::activity::ActivityFilter;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The activity log: every administrator change, who made it and when; filtered, and
/// exported as the filter shows it.
#[component]
pub fn ActivityPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::SeeActivity) title="Activity" page=|_viewer| view! { <Activity/> }.into_any()/> }
}

#[component]
fn Activity() -> impl IntoView {
    let query = use_query_map();
    let filter = move || ActivityFilter::from_pairs(|k| query.read().get(k));
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|v| v.parse::<i64>().ok())
    };
    let log = load_blocking(
        move || (filter(), before()),
        |(filter, before)| activity(filter, before),
    );
    view! {
        <h1>"Activity"</h1>
        <p class="subtitle">"Every change made by administrators, newest first."</p>
        <Loaded resource=log ready=move |value| {
            let filter = filter();
            let filtered = filter != ActivityFilter::default();
            let export = |format: &str| format!("/organization/activity/export{}", filter.query_string(&[("format", format)]));
            let (csv, jsonl) = (export("csv"), export("jsonl"));
            let older = (value.entries.len() == 50)
                .then(|| value.entries.last().map(|e| filter.query_string(&[("before", &e.id.to_string())])))
                .flatten();
            view! {
                <Filters filter=filter.clone() actions=value.actions/>
                <p class="actions">
                    <a class="button secondary" href=csv download="" data-testid="export-csv">"Export CSV"</a>
                    " "
                    <a class="button secondary" href=jsonl download="" data-testid="export-jsonl">"Export JSON Lines"</a>
                    <span class="hint">{if filtered { " Exports what the filter shows, all of it." } else { " Exports the whole log." }}</span>
                </p>
                {match value.entries {
                    list if list.is_empty() => view! {
                        <section class="card notice"><p>{if filtered { "Nothing matches this filter: widen it or clear it." } else { "Nothing has happened yet." }}</p></section>
                    }.into_any(),
                    list => view! {
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="activity-table">
                                <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"Member"</th><th scope="col">"Details"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|e| view! {
                                        <tr><td>{e.at}</td><td>{e.actor}</td><td>{e.action}</td><td>{e.subject.unwrap_or_default()}</td><td>{e.details}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }}
                {older.map(|q| view! { <nav class="pager"><a href=format!("/organization/activity{q}")>"Older →"</a></nav> })}
            }.into_any()
        }/>
        <p><a href="/organization">"← Back to My Organization"</a></p>
    }
}

#[component]
fn Filters(filter: ActivityFilter, actions: Vec<(String, String)>) -> impl IntoView {
    view! {
        <form method="get" action="/organization/activity" class="inline-form" role="search" aria-label="Filter the activity">
            <div class="field">
                <label for="activity-who">"Who"</label>
                <input id="activity-who" name="who" type="search" maxlength="200" placeholder="Address or key name" value=filter.who/>
            </div>
            <div class="field">
                <label for="activity-what">"What"</label>
                <select id="activity-what" name="what">
                    <option value="" selected=filter.what.is_empty()>"Anything"</option>
                    {actions.into_iter().map(|(key, words)| {
                        let selected = filter.what == key;
                        view! { <option value=key selected=selected>{words}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="activity-member">"Member"</label>
                <input id="activity-member" name="member" type="search" maxlength="200" placeholder="Name or address" value=filter.member/>
            </div>
            <div class="field">
                <label for="activity-from">"From"</label>
                <input id="activity-from" name="from" type="date" value=filter.from/>
            </div>
            <div class="field">
                <label for="activity-to">"To"</label>
                <input id="activity-to" name="to" type="date" value=filter.to/>
            </div>
            <button type="submit">"Filter"</button>
            " "
            <a href="/organization/activity">"Clear"</a>
        </form>
    }
}
