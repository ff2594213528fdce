//! Reports (SPEC rule 9) need an administrator with an Enable seat (rule 7).

use crate::api::auth::Viewer;
use crate::components::{Access, Guarded};
use crate::domain::rules::may_see_reports;
use leptos::prelude::*;

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! { <Guarded access=Access::Admin page=|viewer| view! { <ReportsBody viewer/> }.into_any()/> }
}

#[component]
fn ReportsBody(viewer: Viewer) -> impl IntoView {
    view! {
        <p><a href="/organization">"← Back to My Organization"</a></p>
        <h1>"Reports"</h1>
        {match may_see_reports(viewer.permission, viewer.enable_seat) {
            Err(reason) => view! {
                <section class="card notice" data-testid="reports-need-seat">
                    <h2>"Reports need an Enable seat"</h2>
                    <p>{reason.0}</p>
                    <p><a href=format!("/organization/members/{}", viewer.member_id)>"Open your member page to take an Enable seat"</a></p>
                </section>
            }.into_any(),
            Ok(()) => view! {
                <section class="card notice" data-testid="reports-available">
                    <p>"Progress reports by organization, region and team are on their way. Meanwhile, each member's page shows their programs and progress."</p>
                </section>
            }.into_any(),
        }}
    }
}
