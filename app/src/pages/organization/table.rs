//! The member list: the page of rows, selection, bulk actions and paging.

use super::row::{team_label, Row};
use super::{MemberActions, Selection};
use crate::api::licenses::schedule_deactivation;
use crate::api::members::resend_invitations;
use crate::api::seats::preview_free_licenses;
use crate::api::teams::assign_team;
use crate::components::{confirmed, interactive};
use crate::model::member_list::{MemberFilter, MemberPage, TeamOption};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub(super) fn MemberTable(
    page: MemberPage,
    filter: MemberFilter,
    teams: Vec<TeamOption>,
) -> impl IntoView {
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
    // "1,234", or "10,000+" for a broad search (its count stops there).
    let total_text = StoredValue::new(page.total_text());
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
        if all
            && !confirmed(&format!(
                "Send a new invitation to every invited member among all {} matching members? Their previous links stop working.", total_text.get_value()
            ))
        {
            return;
        }
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
        if all
            && !confirmed(&format!(
                "Move all {} matching members to {label}?",
                total_text.get_value()
            ))
        {
            return;
        }
        spawn_local(async move {
            let result = assign_team(ids, filter, team).await.map(|n| match n {
                0 => format!("Everyone selected is already in {label}."),
                1 => format!("1 member moved to {label}."),
                n => format!("{n} members moved to {label}."),
            });
            actions.done(result);
        });
    };
    let bulk_day = RwSignal::new(String::new());
    let schedule_bulk = move |_| {
        let (ids, all) = (
            actions.selected.get_untracked(),
            actions.all_matching.get_untracked(),
        );
        let filter = all.then(|| bulk_filter.get_value());
        let day = bulk_day.get_untracked();
        let question = if day.is_empty() {
            "Cancel the scheduled deactivation of the selected members?".to_owned()
        } else {
            format!("Deactivate the selected members on {day}? On that day each is deactivated as by hand: an Enable seat whose license is used (progress 10 % or more) stays counted, the others return to the pool.")
        };
        if !confirmed(&question) {
            return;
        }
        spawn_local(async move {
            let result = schedule_deactivation(ids, filter, day.clone()).await.map(|n| match (n, day.is_empty()) {
                (0, _) => "Nothing to change: the selected members are inactive or already scheduled so.".to_owned(),
                (n, true) => format!("Scheduled deactivation cancelled for {n} member{}.", if n == 1 { "" } else { "s" }),
                (n, false) => format!("{n} member{} will be deactivated on {day}.", if n == 1 { "" } else { "s" }),
            });
            actions.done(result);
        });
    };
    let whole_page_for_offer = whole_page.clone();
    let ready = interactive();
    view! {
        <Show when=move || { count() > 0 }>
            <div class="bulk-bar" role="region" aria-label="Selected members" data-testid="bulk-bar">
                <span>{move || if actions.all_matching.get() { format!("All {} matching members selected", total_text.get_value()) } else { format!("{} selected", count()) }}</span>
                {
                    let offer = whole_page_for_offer.clone();
                    move || (offer() && !actions.all_matching.get() && total as usize > shown).then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| actions.all_matching.set(true)>
                            {format!("Select all {} matching", total_text.get_value())}
                        </button>
                    })
                }
                <button type="button" on:click=resend>"Resend invitations"</button>
                {actions.may_change.then(|| view! {
                    <button type="button" on:click=preview_free>"Free unused licenses"</button>
                    <span class="bulk-team">
                        <label for="bulk-team">"Team for the selected members"</label>
                        <select id="bulk-team" prop:value=move || bulk_team.get() on:change=move |ev| bulk_team.set(event_target_value(&ev))>
                            <option value="">"No team"</option>
                            {teams.iter().map(|t| view! { <option value=t.id.to_string()>{t.label.clone()}</option> }).collect_view()}
                        </select>
                        <button type="button" on:click=assign_bulk>"Bulk Team Assign"</button>
                    </span>
                    <span class="bulk-schedule">
                        <label for="bulk-deactivate-on">"Deactivate on"</label>
                        <input id="bulk-deactivate-on" type="date" prop:value=move || bulk_day.get()
                            on:input=move |ev| bulk_day.set(event_target_value(&ev))/>
                        <button type="button" on:click=schedule_bulk>{move || if bulk_day.get().is_empty() { "Cancel scheduled deactivation" } else { "Schedule deactivation" }}</button>
                    </span>
                })}
                <button type="button" class="link-button" on:click=move |_| { actions.all_matching.set(false); actions.selected.set(Vec::new()); }>"Clear selection"</button>
            </div>
        </Show>
        <section aria-labelledby="members-heading">
            <p class="hint" data-testid="members-total">
                {match (total, page.total_capped) { (1, false) => "1 member".to_owned(), _ => format!("{} members", total_text.get_value()) }}
                {if filter.is_filtered() { " match" } else { "" }}
                {format!(" · showing {shown}")}
            </p>
            <div class="table-wrap" tabindex="0">
                <table class="members" data-testid="members-table" data-interactive=move || ready.get().to_string()>
                    <thead>
                        <tr>
                            <th scope="col">
                                <input type="checkbox" aria-label="Select all members on this page"
                                    prop:checked=whole_page
                                    on:change=move |ev| toggle_page(event_target_checked(&ev))/>
                            </th>
                            <th scope="col">"Member"</th>
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
