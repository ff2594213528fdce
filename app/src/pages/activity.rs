use crate::api::activity::activity;
use crate::components::{Guarded, Loaded, Need};
use crate::domain::Capability;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The activity log: every administrator change, who made it and when.
#[component]
pub fn ActivityPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::ManageOrganization) title="Activity" page=|_viewer| view! { <Activity/> }.into_any()/> }
}

#[component]
fn Activity() -> impl IntoView {
    let query = use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|v| v.parse::<i64>().ok())
    };
    let entries = Resource::new_blocking(before, activity);
    view! {
        <h1>"Activity"</h1>
        <p class="subtitle">"Every change made by administrators, newest first."</p>
        <Loaded resource=entries ready=move |value| match value {
                    list if list.is_empty() => view! { <section class="card notice"><p>"Nothing has happened yet."</p></section> }.into_any(),
                    list => {
                        let older = (list.len() == 50).then(|| list.last().map(|e| format!("?before={}", e.id))).flatten();
                        view! {
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
                            {older.map(|href| view! { <nav class="pager"><a href=href>"Older →"</a></nav> })}
                        }.into_any()
                    }
        }/>
        <p><a href="/organization">"← Back to My Organization"</a></p>
    }
}
