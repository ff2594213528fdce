//! The shape every page takes while it loads: "Loading…", then what arrived, or what went
//! wrong in words (and, on the server, with the error's HTTP status).

use crate::error::AppError;
use leptos::prelude::*;

/// Shows `ready(value)` once `resource` has answered; until then `loading`; an error as
/// an alert paragraph. Re-runs when the resource does (a reload after a change).
#[component]
pub fn Loaded<T, F>(
    resource: Resource<Result<T, AppError>>,
    ready: F,
    #[prop(default = "Loading…")] loading: &'static str,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> AnyView + Clone + Send + Sync + 'static,
{
    view! {
        <Suspense fallback=move || view! { <p class="loading">{loading}</p> }>
            {move || {
                let ready = ready.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => ready(value),
                        Err(e) => {
                            super::set_status(e.status());
                            view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}
