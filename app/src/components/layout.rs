use crate::api::auth::SignOut;
use crate::model::Viewer;
use leptos::prelude::*;
use leptos_router::components::A;

/// The frame of every signed-in page: the organization, navigation and sign-out.
#[component]
pub fn Layout(viewer: Viewer, children: Children) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let sees_members = viewer.may(crate::domain::Capability::SeeMembers);
    let sees_reports = viewer.may(crate::domain::Capability::SeeReports) && !viewer.is_admin();
    view! {
        <header class="topbar">
            <a class="brand" href=viewer.home_path()>"Roster"</a>
            <span class="org-name">{viewer.organization_name.clone()}</span>
            <nav aria-label="Main">
                <Show when=move || sees_members>
                    <A href="/organization">"My Organization"</A>
                </Show>
                // Administrators reach reports from My Organization's menu; managers have
                // no menu of their own, so the link is here.
                <Show when=move || sees_reports>
                    <A href="/organization/reports">"Reports"</A>
                </Show>
                <A href="/my-programs">"My programs"</A>
            </nav>
            <a class="who" href="/account/password" title="Change password">{format!("{} {}", viewer.first_name, viewer.last_name)}</a>
            <ActionForm action=sign_out>
                <button type="submit" class="link-button">"Sign out"</button>
            </ActionForm>
        </header>
        <div class="page">{children()}</div>
    }
}
