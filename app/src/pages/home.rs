use crate::api::auth::current_viewer;
use crate::components::load_blocking;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// `/` sends each person where they belong: administrators to My Organization,
/// members to My programs, everyone else to sign-in.
#[component]
pub fn Home() -> impl IntoView {
    let viewer = load_blocking(|| (), |_| current_viewer());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let path = match viewer.await {
                    Ok(Some(v)) => v.home_path(),
                    _ => "/sign-in",
                };
                view! { <Redirect path=path/> }
            })}
        </Suspense>
    }
}
