use crate::components::set_status;
use leptos::prelude::*;

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
