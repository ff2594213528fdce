//! Roster's shared crate: the domain and its rules, the server functions, and the pages.
//! Built with `ssr` into the server and with `hydrate` into the browser's wasm.

#![recursion_limit = "256"]

pub mod api;
// The rules and the file reading live in their own crate (see core/Cargo.toml), under the
// same paths.
pub use roster_core::{domain, export, import, spreadsheet};
pub mod components;
pub mod error;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
pub mod url;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};
use pages::{
    activity::ActivityPage,
    api_keys::ApiKeysPage,
    home::Home,
    identity::IdentityPage,
    import::ImportPage,
    invitations::InvitationsPage,
    invite::AcceptInvitationPage,
    invite_members::InvitePage,
    licenses::LicensesPage,
    mailbox::MailboxPage,
    member::MemberPage,
    my_programs::{MyProgramsPage, ProgramPage},
    organization::OrganizationPage,
    passwords::{ChangePasswordPage, ForgotPasswordPage, ResetPasswordPage},
    reports::ReportsPage,
    seats::SeatsPage,
    sign_in::SignInPage,
    status::NotFound,
    teams::TeamsPage,
    webhooks::WebhooksPage,
};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                // The stylesheet, the script and the wasm under content-hashed names
                // (target/<profile>/hash.txt), so browsers may cache them for good.
                <HashedStylesheet id="leptos" options=options.clone()/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects only run in the browser: this marks the page as hydrated, which tests wait
    // for before using anything that needs the wasm.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Title text="Roster"/>
        <Router>
            <main>
                // Async rendering: guarded pages decide on a redirect or a 403 before the
                // first byte is sent, so the status code is right for every visitor.
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Home ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/invite/:token") view=AcceptInvitationPage ssr=SsrMode::Async/>
                    <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/reset-password/:token") view=ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/password") view=ChangePasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization") view=OrganizationPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/invite") view=InvitePage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/import") view=ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/invitations") view=InvitationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/activity") view=ActivityPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/mailbox") view=MailboxPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/members/:id") view=MemberPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/seats") view=SeatsPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/licenses") view=LicensesPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/api-keys") view=ApiKeysPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/identity") view=IdentityPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/webhooks") view=WebhooksPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/reports") view=ReportsPage ssr=SsrMode::Async/>
                    <Route path=path!("/organization/teams") view=TeamsPage ssr=SsrMode::Async/>
                    <Route path=path!("/my-programs") view=MyProgramsPage ssr=SsrMode::Async/>
                    <Route path=path!("/my-programs/:slug") view=ProgramPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
