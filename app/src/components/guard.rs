use super::layout::Layout;
use super::load_blocking;
use super::set_status;
use crate::api::auth::current_viewer;
use crate::domain::Capability;
use crate::model::Viewer;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// Who may see a page: anyone signed in, or someone whose role may do something
/// (`domain::access::may`, the rule the server functions apply again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    SignedIn,
    To(Capability),
    /// The invite form: administrators, and managers when the organization lets them.
    Inviting,
}

impl Need {
    fn admits(self, viewer: &Viewer) -> bool {
        match self {
            Need::SignedIn => true,
            Need::To(what) => viewer.may(what),
            Need::Inviting => viewer.may_invite(),
        }
    }
}

/// Renders `page` for a viewer the page admits: anonymous visitors are redirected to
/// sign-in (302 on the server), signed-in members without access get a 403 page.
/// The same check runs again in every server function the page calls.
#[component]
pub fn Guarded<F>(need: Need, title: &'static str, page: F) -> impl IntoView
where
    F: Fn(Viewer) -> AnyView + Clone + Send + Sync + 'static,
{
    let viewer = load_blocking(|| (), |_| current_viewer());
    let here = use_location().pathname.get_untracked();
    // The page is built once, when the viewer is known. A bare `Suspend` (not inside a
    // `move ||`) never re-runs: re-running would build the page a second time on the
    // server, and the resources of the first build (disposed, without context) would be
    // serialized under ids the browser then hydrates with — a hydration mismatch.
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {Suspend::new(async move {
                match viewer.await {
                    Ok(Some(viewer)) if need.admits(&viewer) => {
                        let title = page_title(title, &viewer);
                        untrack(|| view! { <Title text=title/><Layout viewer=viewer.clone()>{page(viewer)}</Layout> }.into_any())
                    }
                    Ok(Some(viewer)) => {
                        set_status(403);
                        let title = page_title("Not allowed", &viewer);
                        view! { <Title text=title/><Layout viewer=viewer.clone()><Forbidden viewer/></Layout> }.into_any()
                    }
                    Ok(None) | Err(crate::error::AppError::Unauthenticated) => {
                        let target = format!("/sign-in?next={}", crate::url::encode(&here));
                        view! { <Redirect path=target/> }.into_any()
                    }
                    Err(error) => {
                        set_status(500);
                        view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// "Import CSV · Northwind Traders · Roster": the page, the organization, the product.
fn page_title(page: &str, viewer: &Viewer) -> String {
    format!("{page} · {} · Roster", viewer.organization_name)
}

/// Shown (with status 403) to a signed-in person who opens a page their role does not
/// open.
#[component]
fn Forbidden(viewer: Viewer) -> impl IntoView {
    view! {
        <section class="card notice" data-testid="forbidden">
            <h1>"This page is for administrators"</h1>
            <p>
                "You are signed in as " <strong>{viewer.email.clone()}</strong>
                ", " {viewer.permission.label().to_lowercase()} " in " {viewer.organization_name.clone()}
                ". If you need this page, ask one of your administrators."
            </p>
            <p><a href=viewer.home_path()>"Go to my start page"</a></p>
        </section>
    }
}
