//! The confirmations: a status change, and freeing unused licenses.

use super::{ChangeKind, MemberActions};
use crate::api::members::{
    deactivate_member, reactivate_member, resend_invitation, set_member_permission,
};
use crate::api::seats::free_unused_licenses;
use crate::api::teams::assign_team;
use crate::domain::MemberStatus;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The confirmation every change of a row goes through (billing status, permission, team),
/// stating what it does: to seats, to what the member may do.
#[component]
pub(super) fn ConfirmDialog() -> impl IntoView {
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
                ChangeKind::Permission(permission) => {
                    set_member_permission(id, permission.as_str().to_owned())
                        .await
                        .map(|()| format!("Permission changed to {}.", permission.label()))
                }
                ChangeKind::Team(team) => assign_team(vec![id], None, team)
                    .await
                    .map(|_| change.done.clone()),
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

/// Before freeing: whose Enable seat goes back to the pool and whose stays (and why).
#[component]
pub(super) fn FreeLicensesDialog() -> impl IntoView {
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
