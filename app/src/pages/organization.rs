use crate::api::member_list::{list_members, organization_overview};
use crate::api::members::{
    deactivate_member, deactivation_preview, reactivate_member, resend_invitation,
    resend_invitations, set_member_permission,
};
use crate::api::seats::{free_unused_licenses, preview_free_licenses};
use crate::api::teams::assign_team;
use crate::components::{interactive, Access, Guarded};
use crate::domain::{MemberStatus, Permission, SeatPool};
use crate::error::AppError;
use crate::model::member_list::{
    MemberFilter, MemberPage, MemberRow, OrganizationSummary, TeamOption,
};
use crate::model::seats::FreeLicensesPreview;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

/// A change the administrator asked for, waiting for their confirmation.
#[derive(Debug, Clone, PartialEq)]
struct PendingChange {
    member_id: i64,
    kind: ChangeKind,
    title: String,
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChangeKind {
    Deactivate,
    Revoke,
    Reactivate,
    Resend,
}

/// What the member rows share: the dialog, the message line, and a way to reload.
#[derive(Clone, Copy)]
struct MemberActions {
    pending: RwSignal<Option<PendingChange>>,
    flash: RwSignal<Option<Result<String, String>>>,
    version: RwSignal<u32>,
    /// Rows ticked on this page, or every member matching the filter.
    selected: RwSignal<Vec<i64>>,
    all_matching: RwSignal<bool>,
    /// "Free unused licenses": the preview, and the selection it was made for.
    free_preview: RwSignal<Option<(FreeLicensesPreview, Selection)>>,
}

/// Selected members as the bulk actions send them: ids, or the list's filter.
type Selection = (Vec<i64>, Option<MemberFilter>);

impl MemberActions {
    fn done(&self, result: Result<String, AppError>) {
        self.flash.set(Some(result.map_err(|e| e.to_string())));
        self.version.update(|v| *v += 1);
    }
}

/// My Organization: who is in the organization, and how its seats are used.
#[component]
pub fn OrganizationPage() -> impl IntoView {
    view! { <Guarded access=Access::Admin page=|_viewer| view! { <OrganizationBody/> }.into_any()/> }
}

#[component]
fn OrganizationBody() -> impl IntoView {
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
    };
    provide_context(actions);
    let overview =
        Resource::new_blocking(move || actions.version.get(), |_| organization_overview());
    let filter = move || query.with(|q| MemberFilter::from_pairs(|k| q.get(k)));
    let members = Resource::new_blocking(
        move || (filter(), cursor(), actions.version.get()),
        |(filter, (after, before), _)| list_members(filter, after, before),
    );
    view! {
        <div class="page-actions">
            <a class="button primary" href="/organization/invite">"+ Invite"</a>
            <a class="button" href="/organization/import">"Import CSV"</a>
            <a class="button" href="/organization/invitations">"Pending invitations"</a>
            <a class="button" href="/organization/seats">"Seats"</a>
            <a class="button" href="/organization/teams">"Teams & Regions"</a>
            <a class="button" href="/organization/reports">"Reports"</a>
            <a class="button" href="/organization/api-keys">"API keys"</a>
            <a class="button" href="/organization/activity">"Activity"</a>
            <a class="button" href="/organization/mailbox">"Mailbox"</a>
        </div>
        <p class="flash" role="status" data-testid="flash">
            {move || actions.flash.get().map(|r| match r {
                Ok(text) => view! { <span class="success">{text}</span> }.into_any(),
                Err(text) => view! { <span class="error">{text}</span> }.into_any(),
            })}
        </p>
        <ConfirmDialog/>
        <FreeLicensesDialog/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => {
                        let teams = overview.teams.clone();
                        view! {
                            <Header overview/>
                            <h2 id="members-heading">"Members"</h2>
                            <Filters filter=filter() teams/>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
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
fn Header(overview: OrganizationSummary) -> impl IntoView {
    view! {
        <h1>"My Organization"</h1>
        <p class="subtitle">{overview.name.clone()}</p>
        <section class="stats" aria-label="Members by billing status">
            <Stat label="Active" value=overview.active testid="count-active"/>
            <Stat label="Invited" value=overview.invited testid="count-invited"/>
            <Stat label="Inactive" value=overview.inactive testid="count-inactive"/>
        </section>
        <section class="stats" aria-label="Seats">
            <Seats pool=overview.enable testid="seats-enable"/>
            <Seats pool=overview.opportunity testid="seats-opportunity"/>
        </section>
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

#[component]
fn MemberTable(page: MemberPage, filter: MemberFilter, teams: Vec<TeamOption>) -> impl IntoView {
    if page.rows.is_empty() {
        return if filter.is_filtered() {
            view! {
                <section class="card notice" data-testid="members-empty">
                    <h2>"No member matches"</h2>
                    <p>"Nobody matches this search and these filters. " <a href="/organization">"Clear the filters"</a> " to see everyone."</p>
                </section>
            }
            .into_any()
        } else {
            view! {
                <section class="card notice" data-testid="members-empty">
                    <h2>"No members yet"</h2>
                    <p>"Invite your team to get started: each member gets an email with a link to set their password. "
                    <a href="/organization/invite">"Invite members"</a></p>
                </section>
            }
            .into_any()
        };
    }
    let before = page
        .before
        .map(|id| filter.query_string(&[("before", id.to_string())]));
    let after = page
        .after
        .map(|id| filter.query_string(&[("after", id.to_string())]));
    let total = page.total;
    let shown = page.rows.len();
    let actions = expect_context::<MemberActions>();
    let page_ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    // A new page or filter starts with nothing selected.
    actions.selected.set(Vec::new());
    actions.all_matching.set(false);
    let whole_page = {
        let ids = page_ids.clone();
        move || {
            actions
                .selected
                .with(|s| ids.iter().all(|id| s.contains(id)))
        }
    };
    let toggle_page = {
        let ids = page_ids.clone();
        move |on: bool| {
            actions.all_matching.set(false);
            actions
                .selected
                .set(if on { ids.clone() } else { Vec::new() });
        }
    };
    let count = move || {
        if actions.all_matching.get() {
            total as usize
        } else {
            actions.selected.with(Vec::len)
        }
    };
    let bulk_filter = StoredValue::new(filter.clone());
    let resend = move |_| {
        let (ids, all) = (
            actions.selected.get_untracked(),
            actions.all_matching.get_untracked(),
        );
        let filter = all.then(|| bulk_filter.get_value());
        spawn_local(async move {
            let result = resend_invitations(ids, filter).await.map(|n| match n {
                0 => "Nobody in the selection is waiting for an invitation.".to_owned(),
                1 => "1 new invitation sent.".to_owned(),
                n => format!("{n} new invitations sent."),
            });
            actions.done(result);
        });
    };
    let preview_free = move |_| {
        let (ids, all) = (
            actions.selected.get_untracked(),
            actions.all_matching.get_untracked(),
        );
        let selection: Selection = (ids, all.then(|| bulk_filter.get_value()));
        spawn_local(async move {
            match preview_free_licenses(selection.0.clone(), selection.1.clone()).await {
                Ok(preview) => actions.free_preview.set(Some((preview, selection))),
                Err(e) => actions.flash.set(Some(Err(e.to_string()))),
            }
        });
    };
    let bulk_team = RwSignal::new(String::new());
    let team_labels = StoredValue::new(teams.clone());
    let assign_bulk = move |_| {
        let (ids, all) = (
            actions.selected.get_untracked(),
            actions.all_matching.get_untracked(),
        );
        let filter = all.then(|| bulk_filter.get_value());
        let team = bulk_team.get_untracked().parse::<i64>().ok();
        let label = team_label(&team_labels.get_value(), team);
        spawn_local(async move {
            let result = assign_team(ids, filter, team).await.map(|n| match n {
                0 => format!("Everyone selected is already in {label}."),
                1 => format!("1 member moved to {label}."),
                n => format!("{n} members moved to {label}."),
            });
            actions.done(result);
        });
    };
    let whole_page_for_offer = whole_page.clone();
    let ready = interactive();
    view! {
        <Show when=move || { count() > 0 }>
            <div class="bulk-bar" role="region" aria-label="Selected members" data-testid="bulk-bar">
                <span>{move || if actions.all_matching.get() { format!("All {total} matching members selected") } else { format!("{} selected", count()) }}</span>
                {
                    let offer = whole_page_for_offer.clone();
                    move || (offer() && !actions.all_matching.get() && total as usize > shown).then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| actions.all_matching.set(true)>
                            {format!("Select all {total} matching")}
                        </button>
                    })
                }
                <button type="button" on:click=resend>"Resend invitations"</button>
                <button type="button" on:click=preview_free>"Free unused licenses"</button>
                <span class="bulk-team">
                    <label for="bulk-team">"Team for the selected members"</label>
                    <select id="bulk-team" prop:value=move || bulk_team.get() on:change=move |ev| bulk_team.set(event_target_value(&ev))>
                        <option value="">"No team"</option>
                        {teams.iter().map(|t| view! { <option value=t.id.to_string()>{t.label.clone()}</option> }).collect_view()}
                    </select>
                    <button type="button" on:click=assign_bulk>"Bulk Team Assign"</button>
                </span>
                <button type="button" class="link-button" on:click=move |_| { actions.all_matching.set(false); actions.selected.set(Vec::new()); }>"Clear selection"</button>
            </div>
        </Show>
        <section aria-labelledby="members-heading">
            <p class="hint" data-testid="members-total">
                {match total { 1 => "1 member".to_owned(), n => format!("{n} members") }}
                {if filter.is_filtered() { " match" } else { "" }}
                {format!(" · showing {shown}")}
            </p>
            <div class="table-wrap">
                <table class="members" data-testid="members-table" data-interactive=move || ready.get().to_string()>
                    <thead>
                        <tr>
                            <th scope="col">
                                <input type="checkbox" aria-label="Select all members on this page"
                                    prop:checked=whole_page
                                    on:change=move |ev| toggle_page(event_target_checked(&ev))/>
                            </th>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Job title"</th>
                            <th scope="col">"Permission"</th>
                            <th scope="col">"Billing status"</th>
                            <th scope="col">"Seats"</th>
                            <th scope="col">"Team"</th>
                        </tr>
                    </thead>
                    <tbody>{page.rows.into_iter().map(|row| view! { <Row row teams=team_labels/> }).collect_view()}</tbody>
                </table>
            </div>
            <nav class="pager" aria-label="Member pages">
                {before.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
                {after.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
            </nav>
        </section>
    }
    .into_any()
}

#[component]
fn Row(row: MemberRow, teams: StoredValue<Vec<TeamOption>>) -> impl IntoView {
    let status_class = match row.status {
        MemberStatus::Active => "badge ok",
        MemberStatus::Invited => "badge pending",
        MemberStatus::Deactivated => "badge off",
    };
    let seats = [
        (row.enable_seat, "Enable"),
        (row.opportunity_seat, "Opportunity"),
    ]
    .into_iter()
    .filter(|(held, _)| *held)
    .map(|(_, name)| name)
    .collect::<Vec<_>>()
    .join(", ");
    let actions = expect_context::<MemberActions>();
    let name = format!("{} {}", row.first_name, row.last_name);
    let (id, status) = (row.id, row.status);
    let choose = {
        let name = name.clone();
        move |choice: String| {
            let name = name.clone();
            let kind = match choice.as_str() {
                "deactivate" => ChangeKind::Deactivate,
                "revoke" => ChangeKind::Revoke,
                "reactivate" => ChangeKind::Reactivate,
                "resend" => ChangeKind::Resend,
                _ => return,
            };
            spawn_local(async move {
                let (title, text) = match kind {
                    ChangeKind::Deactivate | ChangeKind::Revoke => {
                        let seats = match deactivation_preview(id).await {
                            Ok(text) => text,
                            Err(e) => return actions.flash.set(Some(Err(e.to_string()))),
                        };
                        if kind == ChangeKind::Deactivate {
                            (format!("Deactivate {name}?"), format!("{name} can no longer sign in, and open sessions end at once. {seats} Nothing is deleted; you can reactivate them later."))
                        } else {
                            (format!("Revoke the invitation of {name}?"), format!("The invitation link stops working and {name} becomes inactive. {seats}"))
                        }
                    }
                    ChangeKind::Reactivate => (
                        format!("Reactivate {name}?"),
                        "They get back the seats they held when they were deactivated, if seats are free. A member who never set a password is sent a new invitation.".to_owned(),
                    ),
                    ChangeKind::Resend => (
                        format!("Send {name} a new invitation?"),
                        "A new email with a new link goes out; the previous link stops working.".to_owned(),
                    ),
                };
                actions.pending.set(Some(PendingChange {
                    member_id: id,
                    kind,
                    title,
                    text,
                }));
            });
        }
    };
    let permission = row.permission;
    let change_permission = move |value: String| {
        spawn_local(async move {
            let result = set_member_permission(id, value.clone()).await.map(|()| {
                format!(
                    "Permission changed to {}.",
                    Permission::parse(&value).map(|p| p.label()).unwrap_or("?")
                )
            });
            actions.done(result);
        });
    };
    let current_team = row.team_id;
    let move_to_team = {
        let name = name.clone();
        move |value: String| {
            let team = value.parse::<i64>().ok();
            let label = team_label(&teams.get_value(), team);
            let name = name.clone();
            spawn_local(async move {
                let result = assign_team(vec![id], None, team)
                    .await
                    .map(|_| format!("{name} moved to {label}."));
                actions.done(result);
            });
        }
    };
    let checked = move || actions.all_matching.get() || actions.selected.with(|s| s.contains(&id));
    let tick = move |on: bool| {
        actions.all_matching.set(false);
        actions.selected.update(|s| {
            s.retain(|x| *x != id);
            if on {
                s.push(id);
            }
        });
    };
    view! {
        <tr>
            <td><input type="checkbox" aria-label=format!("Select {name}") prop:checked=checked on:change=move |ev| tick(event_target_checked(&ev))/></td>
            <td><a href=format!("/organization/members/{id}")>{name.clone()}</a></td>
            <td>{row.email}</td>
            <td>{row.job_title}</td>
            <td>
                // `selected` on the options (not `prop:value` on the select): right in the
                // server's HTML too, before the page is interactive.
                <select aria-label=format!("Permission of {name}")
                    on:change=move |ev| change_permission(event_target_value(&ev))>
                    <option value="member" selected=permission == Permission::Member>"Member"</option>
                    <option value="admin" selected=permission == Permission::Admin>"Administrator"</option>
                </select>
            </td>
            <td>
                <span class=status_class>{row.status.billing_label()}</span>
                <select class="status-actions" aria-label=format!("Billing status of {name}") prop:value=""
                    on:change=move |ev| { let v = event_target_value(&ev); choose(v); }>
                    <option value="">"Change…"</option>
                    {match status {
                        MemberStatus::Active => view! { <option value="deactivate">"Deactivate"</option> }.into_any(),
                        MemberStatus::Invited => view! {
                            <option value="resend">"Resend invitation"</option>
                            <option value="revoke">"Revoke invitation"</option>
                        }.into_any(),
                        MemberStatus::Deactivated => view! { <option value="reactivate">"Reactivate"</option> }.into_any(),
                    }}
                </select>
            </td>
            <td>{if seats.is_empty() { "—".to_owned() } else { seats }}</td>
            <td>
                <select aria-label=format!("Team of {name}") on:change=move |ev| move_to_team(event_target_value(&ev))>
                    <option value="" selected=current_team.is_none()>"No team"</option>
                    {teams.get_value().into_iter().map(|t| {
                        let selected = Some(t.id) == current_team;
                        view! { <option value=t.id.to_string() selected=selected>{t.label}</option> }
                    }).collect_view()}
                </select>
            </td>
        </tr>
    }
}

/// The confirmation every status change goes through, stating what happens to seats.
#[component]
fn ConfirmDialog() -> impl IntoView {
    let actions = expect_context::<MemberActions>();
    let busy = RwSignal::new(false);
    let confirm = move |_| {
        let Some(change) = actions.pending.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let id = change.member_id;
            let result = match change.kind {
                ChangeKind::Deactivate => deactivate_member(id)
                    .await
                    .map(|seats| format!("Deactivated. {seats}")),
                ChangeKind::Revoke => deactivate_member(id)
                    .await
                    .map(|seats| format!("Invitation revoked. {seats}")),
                ChangeKind::Reactivate => reactivate_member(id).await.map(|status| match status {
                    MemberStatus::Invited => {
                        "Reactivated: a new invitation is on its way.".to_owned()
                    }
                    _ => "Reactivated.".to_owned(),
                }),
                ChangeKind::Resend => resend_invitation(id)
                    .await
                    .map(|()| "A new invitation is on its way.".to_owned()),
            };
            busy.set(false);
            actions.pending.set(None);
            actions.done(result);
        });
    };
    view! {
        <Show when=move || actions.pending.with(Option::is_some)>
            <div class="dialog-backdrop">
                <div class="dialog card" role="dialog" aria-modal="true" aria-labelledby="dialog-title" aria-describedby="dialog-text"
                    on:keydown=move |ev| if ev.key() == "Escape" { actions.pending.set(None) }>
                    <h2 id="dialog-title">{move || actions.pending.get().map(|p| p.title)}</h2>
                    <p id="dialog-text" data-testid="confirm-text">{move || actions.pending.get().map(|p| p.text)}</p>
                    <div class="dialog-buttons">
                        <button type="button" on:click=move |_| actions.pending.set(None)>"Cancel"</button>
                        <button type="button" class="primary danger" autofocus disabled=move || busy.get() on:click=confirm>"Confirm"</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}

/// "EMEA / Enterprise", or "no team".
fn team_label(teams: &[TeamOption], team: Option<i64>) -> String {
    team.and_then(|id| teams.iter().find(|t| t.id == id))
        .map_or_else(|| "no team".to_owned(), |t| t.label.clone())
}

/// Before freeing: whose Enable seat goes back to the pool and whose stays (and why).
#[component]
fn FreeLicensesDialog() -> impl IntoView {
    let actions = expect_context::<MemberActions>();
    let busy = RwSignal::new(false);
    let close = move || actions.free_preview.set(None);
    let confirm = move |_| {
        let Some((_, (ids, filter))) = actions.free_preview.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = free_unused_licenses(ids, filter).await.map(|outcome| {
                let freed = match outcome.freed.len() {
                    0 => "No license was freed.".to_owned(),
                    1 => format!("1 Enable seat freed ({}).", outcome.freed[0]),
                    n => format!("{n} Enable seats freed."),
                };
                match outcome.kept.len() {
                    0 => freed,
                    n => format!(
                        "{freed} {n} kept: {}",
                        outcome
                            .kept
                            .iter()
                            .map(|(name, why)| format!("{name} ({why})"))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                }
            });
            busy.set(false);
            actions.free_preview.set(None);
            actions.done(result);
        });
    };
    view! {
        {move || actions.free_preview.get().map(|(preview, _)| {
            let n = preview.freeable.len();
            view! {
                <div class="dialog-backdrop">
                    <div class="dialog card" role="dialog" aria-modal="true" aria-labelledby="free-title"
                        on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                        <h2 id="free-title">"Free unused licenses"</h2>
                        <p data-testid="free-summary">{match n {
                            0 => "No Enable seat in the selection can be freed.".to_owned(),
                            1 => "1 Enable seat can be freed: its programs are all below 10 % and are unassigned with it.".to_owned(),
                            n => format!("{n} Enable seats can be freed: their programs are all below 10 % and are unassigned with them."),
                        }}</p>
                        {(!preview.freeable.is_empty()).then(|| view! {
                            <h3>"Freed"</h3>
                            <ul data-testid="free-list">{preview.freeable.iter().map(|name| view! { <li>{name.clone()}</li> }).collect_view()}</ul>
                        })}
                        {(!preview.kept.is_empty()).then(|| view! {
                            <h3>"Kept"</h3>
                            <ul data-testid="kept-list">{preview.kept.iter().map(|(name, why)| view! { <li>{format!("{name}: {why}")}</li> }).collect_view()}</ul>
                        })}
                        <div class="dialog-buttons">
                            <button type="button" on:click=move |_| close()>"Cancel"</button>
                            <button type="button" class="primary danger" autofocus disabled=move || busy.get() || n == 0 on:click=confirm>
                                {format!("Free {n} license{}", if n == 1 { "" } else { "s" })}
                            </button>
                        </div>
                    </div>
                </div>
            }
        })}
    }
}

/// Search, filters and sort: a plain GET form, so it works before the page is interactive
/// and every filtered list has its own address.
#[component]
fn Filters(filter: MemberFilter, teams: Vec<TeamOption>) -> impl IntoView {
    let select = move |label: &'static str,
                       name: &'static str,
                       current: String,
                       options: Vec<(String, String)>| {
        let id = format!("filter-{name}");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <select id=id name=name>
                    {options.into_iter().map(|(value, text)| {
                        let selected = value == current;
                        view! { <option value=value selected=selected>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let o = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(v, t)| (v.to_string(), t.to_string()))
            .collect::<Vec<_>>()
    };
    let mut team_options = o(&[("", "Any team"), ("none", "No team")]);
    team_options.extend(teams.into_iter().map(|t| (t.id.to_string(), t.label)));
    view! {
        <form method="get" action="/organization" class="filters" role="search" aria-label="Search and filter members">
            <div class="field grow">
                <label for="filter-q">"Search"</label>
                <input id="filter-q" type="search" name="q" value=filter.q.clone() placeholder="Name or email"/>
            </div>
            {select("Billing status", "status", filter.status.clone(), o(&[("", "Any"), ("active", "Active"), ("invited", "Invited"), ("deactivated", "Inactive")]))}
            {select("Permission", "permission", filter.permission.clone(), o(&[("", "Any"), ("admin", "Administrators"), ("member", "Members")]))}
            {select("Seat", "seat", filter.seat.clone(), o(&[("", "Any"), ("enable", "Enable"), ("opportunity", "Opportunity"), ("none", "No seat")]))}
            {select("Team", "team", filter.team.clone(), team_options)}
            {select("Sort by", "sort", filter.sort.clone(), o(&[("name", "Name"), ("newest", "Newest first"), ("status", "Billing status")]))}
            <div class="filter-buttons">
                <button type="submit" class="primary">"Apply"</button>
                <a href="/organization">"Clear"</a>
            </div>
        </form>
    }
}
