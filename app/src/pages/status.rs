use crate::components::set_status;
use crate::model::Viewer;
use leptos::prelude::*;

/// Shown (with status 403) to a signed-in member who opens an administrator's page.
#[component]
pub fn Forbidden(viewer: Viewer) -> impl IntoView {
    view! {
        <section class="card notice" data-testid="forbidden">
            <h1>"This page is for administrators"</h1>
            <p>
                "You are signed in as " <strong>{viewer.email.clone()}</strong>
                ", a member of " {viewer.organization_name.clone()}
                ". Only administrators can manage the organization. If you need access, ask one of your administrators."
            </p>
            <p><a href=viewer.home_path()>"Go to my programs"</a></p>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <leptos_meta::Title text="Page not found · Roster"/>
        <section class="card notice">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. Check the link, or go back to the " <a href="/">"start page"</a> "."</p>
        </section>
    }
}
