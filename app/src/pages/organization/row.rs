//! One member's row: permission, team and billing status menus.

use super::{ChangeKind, MemberActions, PendingChange};
use crate::api::members::{deactivation_preview, set_member_permission};
use crate::api::teams::assign_team;
use crate::domain::{MemberStatus, Permission};
use crate::model::member_list::{MemberRow, TeamOption};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub(super) fn Row(row: MemberRow, teams: StoredValue<Vec<TeamOption>>) -> impl IntoView {
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

/// "EMEA / Enterprise", or "no team".
pub(super) fn team_label(teams: &[TeamOption], team: Option<i64>) -> String {
    team.and_then(|id| teams.iter().find(|t| t.id == id))
        .map_or_else(|| "no team".to_owned(), |t| t.label.clone())
}
