//! My Organization: the header counts and seats, then the member list in its parts —
//! filters, the table, a row, and the dialogs.

mod dialogs;
mod export;
mod filters;
mod row;
mod table;

use crate::api::member_list::{list_members, organization_overview};
use crate::components::load_blocking;
use crate::components::{Guarded, Loaded, Need};
use crate::domain::Capability;
use crate::domain::{Permission, SeatPool};
use crate::error::AppError;
use crate::model::member_list::{MemberFilter, OrganizationSummary};
use crate::model::seats::FreeLicensesPreview;
use crate::model::Viewer;
use dialogs::{ConfirmDialog, FreeLicensesDialog};
use export::ExportButtons;
use filters::Filters;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use table::MemberTable;

/// A change the administrator asked for, waiting for their confirmation.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PendingChange {
    pub(super) member_id: i64,
    pub(super) kind: ChangeKind,
    pub(super) title: String,
    pub(super) text: String,
    /// What the message line says once it is done (where the kind alone cannot say it).
    pub(super) done: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ChangeKind {
    Deactivate,
    Revoke,
    Reactivate,
    Resend,
    /// Make the member an administrator, or a member again.
    Permission(Permission),
    /// Move the member to a team (`None`: no team).
    Team(Option<i64>),
}

/// What the member rows share: the dialog, the message line, and a way to reload.
#[derive(Clone, Copy)]
pub(super) struct MemberActions {
    pub(super) pending: RwSignal<Option<PendingChange>>,
    pub(super) flash: RwSignal<Option<Result<String, String>>>,
    pub(super) version: RwSignal<u32>,
    /// Rows ticked on this page, or every member matching the filter.
    pub(super) selected: RwSignal<Vec<i64>>,
    pub(super) all_matching: RwSignal<bool>,
    /// "Free unused licenses": the preview, and the selection it was made for.
    pub(super) free_preview: RwSignal<Option<(FreeLicensesPreview, Selection)>>,
    /// Who looks may change members (administrators), or only follow them and resend
    /// their invitations (managers): the rows show only the controls that work.
    pub(super) may_change: bool,
}

/// Selected members as the bulk actions send them: ids, or the list's filter.
pub(super) type Selection = (Vec<i64>, Option<MemberFilter>);

impl MemberActions {
    pub(super) fn done(&self, result: Result<String, AppError>) {
        self.flash.set(Some(result.map_err(|e| e.to_string())));
        self.version.update(|v| *v += 1);
    }
}

/// My Organization: who is in the organization, and how its seats are used.
#[component]
pub fn OrganizationPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::SeeMembers) title="My Organization" page=|viewer| view! { <OrganizationBody viewer/> }.into_any()/> }
}

#[component]
fn OrganizationBody(viewer: Viewer) -> impl IntoView {
    let query = use_query_map();
    let cursor = move || {
        let q = query.read();
        let number = |key: &str| q.get(key).and_then(|v| v.parse::<i64>().ok());
        (number("after"), number("before"))
    };
    let actions = MemberActions {
        pending: RwSignal::new(None),
        flash: RwSignal::new(None),
        version: RwSignal::new(0),
        selected: RwSignal::new(Vec::new()),
        all_matching: RwSignal::new(false),
        free_preview: RwSignal::new(None),
        may_change: viewer.may(Capability::ChangeMembers),
    };
    let manages = viewer.may(Capability::ManageOrganization);
    let invites = viewer.may_invite();
    provide_context(actions);
    let overview = load_blocking(move || actions.version.get(), |_| organization_overview());
    let filter = move || query.with(|q| MemberFilter::from_pairs(|k| q.get(k)));
    let members = load_blocking(
        move || (filter(), cursor(), actions.version.get()),
        |(filter, (after, before), _)| list_members(filter, after, before),
    );
    view! {
        // Only what who looks may use: a manager sees + Invite (when the organization lets
        // managers invite) and Reports.
        <div class="page-actions">
            {invites.then(|| view! { <a class="button primary" href="/organization/invite">"+ Invite"</a> })}
            {actions.may_change.then(|| view! { <a class="button" href="/organization/import">"Import CSV"</a> })}
            {manages.then(|| view! {
                <a class="button" href="/organization/invitations">"Pending invitations"</a>
                <a class="button" href="/organization/seats">"Seats"</a>
                <a class="button" href="/organization/licenses">"Licenses"</a>
                <a class="button" href="/organization/teams">"Teams & Regions"</a>
            })}
            <a class="button" href="/organization/reports">"Reports"</a>
            {manages.then(|| view! {
                <a class="button" href="/organization/api-keys">"API keys"</a>
                <a class="button" href="/organization/identity">"Identity"</a>
                <a class="button" href="/organization/webhooks">"Webhooks"</a>
                <a class="button" href="/organization/activity">"Activity"</a>
            })}
        </div>
        <p class="flash" role="status" data-testid="flash">
            {move || actions.flash.get().map(|r| match r {
                Ok(text) => view! { <span class="success">{text}</span> }.into_any(),
                Err(text) => view! { <span class="error">{text}</span> }.into_any(),
            })}
        </p>
        {manages.then(|| view! { <crate::components::SeatBanner version=actions.version/> })}
        <ConfirmDialog/>
        <FreeLicensesDialog/>
        <Loaded resource=overview ready=move |overview| {
            let teams = overview.teams.clone();
            view! {
                <Header overview seats=manages/>
                <h2 id="members-heading">"Members"</h2>
                <Filters filter=filter() teams/>
                {actions.may_change.then(|| view! { <ExportButtons filter=Signal::derive(filter)/> })}
            }
            .into_any()
        }/>
        <Suspense fallback=|| view! { <p class="loading">"Loading members…"</p> }>
            {move || Suspend::new(async move {
                let teams = overview.await.map(|o| o.teams).unwrap_or_default();
                match members.await {
                    Ok(page) => view! { <MemberTable page filter=filter() teams/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Header(overview: OrganizationSummary, seats: bool) -> impl IntoView {
    view! {
        <h1>"My Organization"</h1>
        <p class="subtitle">{overview.name.clone()}</p>
        {overview.dev_mailbox.then(|| view! {
            <p class="hint">"Development mode, no mail server: emails are kept in the "<a href="/organization/mailbox">"Mailbox"</a>" instead of being sent."</p>
        })}
        <section class="stats" aria-label="Members by billing status">
            <Stat label="Active" value=overview.active testid="count-active"/>
            <Stat label="Invited" value=overview.invited testid="count-invited"/>
            <Stat label="Inactive" value=overview.inactive testid="count-inactive"/>
        </section>
        {seats.then(|| view! {
            <section class="stats" aria-label="Seats">
                <Seats pool=overview.enable testid="seats-enable"/>
                <Seats pool=overview.opportunity testid="seats-opportunity"/>
            </section>
        })}
    }
}

#[component]
fn Stat(label: &'static str, value: i64, testid: &'static str) -> impl IntoView {
    view! {
        <div class="stat">
            <span class="stat-value" data-testid=testid>{value}</span>
            <span class="stat-label">{label}</span>
        </div>
    }
}

#[component]
fn Seats(pool: SeatPool, testid: &'static str) -> impl IntoView {
    let percent = if pool.bought > 0 {
        pool.held * 100 / pool.bought
    } else {
        0
    };
    let label = format!("{} seats", pool.kind.label());
    view! {
        <div class="stat seats" data-testid=testid>
            <span class="stat-label">{label.clone()}</span>
            <span class="stat-value">
                <span data-testid=format!("{testid}-used")>{pool.held}</span>
                " used · "
                <span data-testid=format!("{testid}-free")>{pool.free()}</span>
                " free"
            </span>
            <progress max=pool.bought.max(1) value=pool.held aria-label=format!("{label} in use")>
                {format!("{percent} %")}
            </progress>
            <span class="hint">{format!("{} bought", pool.bought)}</span>
        </div>
    }
}
