//! One member's row: permission, team and billing status menus.

use super::{ChangeKind, MemberActions, PendingChange};
use crate::api::members::deactivation_preview;
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
    let (id, status, expired) = (row.id, row.status, row.invitation_expired);
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
                    ChangeKind::Resend if expired => (
                        format!("Re-invite {name}?"),
                        "Their invitation expired and its seats went back to the pool: the new invitation asks for those seats again, and a new email with a new link goes out.".to_owned(),
                    ),
                    ChangeKind::Resend => (
                        format!("Send {name} a new invitation?"),
                        "A new email with a new link goes out; the previous link stops working.".to_owned(),
                    ),
                    // Asked from their own menus (below).
                    ChangeKind::Permission(_) | ChangeKind::Team(_) => return,
                };
                actions.pending.set(Some(PendingChange {
                    member_id: id,
                    kind,
                    title,
                    text,
                    done: String::new(),
                }));
            });
        }
    };
    // Permission and team change nothing until confirmed: the menu goes back to the
    // member's value and the dialog says what the change does.
    let permission = row.permission;
    let ask_permission = {
        let name = name.clone();
        move |ev: leptos::ev::Event| {
            let Ok(wanted) = Permission::parse(&event_target_value(&ev)) else {
                return;
            };
            reset(&ev, permission.as_str());
            if wanted == permission {
                return;
            }
            let (title, text) = match wanted {
                Permission::Admin => (
                    format!("Make {name} an administrator?"),
                    format!("{name} will manage the whole organization: invite and deactivate members, give seats and programs, change teams, see reports and the activity log, and make other administrators."),
                ),
                Permission::Manager => (
                    format!("Make {name} a team manager?"),
                    format!("{name} will see the members, progress and reports of the teams and regions you choose on their member page (none until you do), and resend their invitations. They will not change seats, permissions or settings. Like administrators, they need an Enable seat to see reports. The last active administrator cannot be made a manager."),
                ),
                Permission::Member => (
                    format!("Make {name} a member?"),
                    format!("{name} will no longer manage the organization: only their own programs. The last active administrator cannot be made a member."),
                ),
            };
            actions.pending.set(Some(PendingChange {
                member_id: id,
                kind: ChangeKind::Permission(wanted),
                title,
                text,
                done: String::new(),
            }));
        }
    };
    let current_team = row.team_id;
    let ask_team = {
        let name = name.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            reset(
                &ev,
                &current_team.map(|t| t.to_string()).unwrap_or_default(),
            );
            let team = value.parse::<i64>().ok();
            if team == current_team {
                return;
            }
            let labels = teams.get_value();
            let (from, to) = (team_label(&labels, current_team), team_label(&labels, team));
            actions.pending.set(Some(PendingChange {
                member_id: id,
                kind: ChangeKind::Team(team),
                title: format!("Move {name} to {to}?"),
                text: format!("{name} leaves {from}: reports for {from} no longer count them, reports for {to} do."),
                done: format!("{name} moved to {to}."),
            }));
        }
    };
    let may_change = actions.may_change;
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
            // Name, address and job title in one cell: the table fits a laptop's width.
            <td class="member">
                <a href=format!("/organization/members/{id}")>{name.clone()}</a>
                <span class="email">{row.email}</span>
                {(!row.job_title.is_empty()).then(|| view! { <span class="job">{row.job_title.clone()}</span> })}
            </td>
            <td>
                // `selected` on the options (not `prop:value` on the select): right in the
                // server's HTML too, before the page is interactive; `prop:selected` as
                // well, so a re-rendered row shows its new value after a confirmed change.
                {if may_change {
                    view! {
                        <select aria-label=format!("Permission of {name}") on:change=ask_permission>
                            {Permission::ALL.map(|p| view! {
                                <option value=p.as_str() selected=permission == p prop:selected=permission == p>{p.label()}</option>
                            }).collect_view()}
                        </select>
                    }.into_any()
                } else {
                    permission.label().into_any()
                }}
            </td>
            <td class="billing">
                <span class=status_class>{row.status.billing_label()}</span>
                {row.invitation_expired.then(|| view! {
                    <span class="badge off" title="The invitation expired: re-invite to send a new one">"Expired"</span>
                })}
                {row.deactivate_on.clone().map(|on| view! {
                    <span class="hint scheduled">{format!("Deactivates on {on}")}</span>
                })}
                // A manager's only change is a new invitation for an invited member.
                {(may_change || status == MemberStatus::Invited).then(|| view! {
                    <select class="status-actions" aria-label=format!("Billing status of {name}") prop:value=""
                        on:change=move |ev| { let v = event_target_value(&ev); choose(v); }>
                        <option value="">"Change…"</option>
                        {match status {
                            MemberStatus::Active => view! { <option value="deactivate">"Deactivate"</option> }.into_any(),
                            MemberStatus::Invited => view! {
                                <option value="resend">{if expired { "Re-invite" } else { "Resend invitation" }}</option>
                                {may_change.then(|| view! { <option value="revoke">"Revoke invitation"</option> })}
                            }.into_any(),
                            MemberStatus::Deactivated => view! { <option value="reactivate">"Reactivate"</option> }.into_any(),
                        }}
                    </select>
                })}
            </td>
            <td class="seats">{if seats.is_empty() { "—".to_owned() } else { seats }}</td>
            <td>
                {if may_change {
                    view! {
                        <select aria-label=format!("Team of {name}") on:change=ask_team>
                            <option value="" selected=current_team.is_none() prop:selected=current_team.is_none()>"No team"</option>
                            {teams.get_value().into_iter().map(|t| {
                                let selected = Some(t.id) == current_team;
                                view! { <option value=t.id.to_string() selected=selected prop:selected=selected>{t.label}</option> }
                            }).collect_view()}
                        </select>
                    }.into_any()
                } else {
                    team_label(&teams.get_value(), current_team).into_any()
                }}
            </td>
        </tr>
    }
}

/// Puts a menu back on `value`: a change waits for its confirmation.
fn reset(ev: &leptos::ev::Event, value: &str) {
    event_target::<leptos::web_sys::HtmlSelectElement>(ev).set_value(value);
}

/// "EMEA / Enterprise", or "no team".
pub(super) fn team_label(teams: &[TeamOption], team: Option<i64>) -> String {
    team.and_then(|id| teams.iter().find(|t| t.id == id))
        .map_or_else(|| "no team".to_owned(), |t| t.label.clone())
}
