//! One member: details, their seats and their programs. Every control a rule forbids is
//! disabled and says why, using the rule functions the server applies again on submit.

use crate::api::enrollments::{assign_program, load_member, unassign_program};
use crate::api::licenses::{member_license_history, schedule_deactivation};
use crate::api::members::{deactivation_preview, set_manager_scope};
use crate::api::passwords::send_password_reset;
use crate::api::seats::set_member_seat;
use crate::components::{confirmed, interactive, Changes, Flash, Guarded, Loaded, Need};
use crate::components::{load, load_blocking};
use crate::domain::Capability;
use crate::domain::{rules, Permission, Program, SeatKind};
use crate::error::AppError;
use crate::model::enrollments::MemberDetail;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn MemberPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::SeeMembers) title="Member" page=|viewer| view! { <MemberBody may_change=viewer.may(Capability::ChangeMembers)/> }.into_any()/> }
}

#[component]
fn MemberBody(may_change: bool) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let reload = Changes::new();
    let member = load_blocking(
        move || (id(), reload.version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_member(id).await,
                None => Err(AppError::NotFound("There is no such member.".into())),
            }
        },
    );
    view! {
        <p><a href="/organization">"← Back to My Organization"</a></p>
        <Flash changes=reload/>
        <Loaded resource=member ready=move |m| view! { <Member m reload may_change/> }.into_any()/>
    }
}

#[component]
fn Member(m: MemberDetail, reload: Changes, may_change: bool) -> impl IntoView {
    let ready = interactive();
    let status_class = match m.status {
        crate::domain::MemberStatus::Active => "badge ok",
        crate::domain::MemberStatus::Invited => "badge pending",
        crate::domain::MemberStatus::Deactivated => "badge off",
    };
    view! {
        <h1>{m.name.clone()}</h1>
        <p class="subtitle">
            {m.email.clone()}
            {(!m.job_title.is_empty()).then(|| format!(" · {}", m.job_title))}
            {m.external_id.clone().map(|x| format!(" · {x}"))}
        </p>
        <section class="stats" aria-label="About this member">
            <div class="stat"><span class="stat-label">"Billing status"</span><span class=status_class data-testid="member-status">{m.status.billing_label()}</span>
                {m.invitation_expired.then(|| view! { <span class="badge off" data-testid="invitation-expired">"Invitation expired"</span> })}
                {m.deactivate_on.clone().map(|on| view! { <span class="hint" data-testid="deactivates-on">{format!("Deactivates on {on}")}</span> })}
            </div>
            <div class="stat"><span class="stat-label">"Permission"</span><span>{m.permission.label()}</span></div>
            <div class="stat"><span class="stat-label">"Team"</span><span>{m.team.clone().unwrap_or_else(|| "No team".into())}</span></div>
        </section>
        <div data-interactive=move || ready.get().to_string()>
            {if may_change {
                view! {
                    {(m.permission == Permission::Manager).then(|| view! { <ManagesCard m=m.clone() reload/> })}
                    <SeatsCard m=m.clone() reload/>
                    <ProgramsCard m=m.clone() reload/>
                    <ScheduleCard m=m.clone() reload/>
                    <PasswordCard m=m.clone() reload/>
                }.into_any()
            } else {
                view! { <Following m=m.clone()/> }.into_any()
            }}
            <HistoryCard id=m.id version=reload.version/>
        </div>
    }
}

#[component]
fn SeatsCard(m: MemberDetail, reload: Changes) -> impl IntoView {
    let id = m.id;
    let seat = move |kind: SeatKind| {
        let holds = match kind {
            SeatKind::Enable => m.enable_seat,
            SeatKind::Opportunity => m.opportunity_seat,
        };
        let refused = m.seat_change_refused(kind).map(|r| r.0);
        let free = match kind {
            SeatKind::Enable => m.enable_free,
            SeatKind::Opportunity => m.opportunity_free,
        };
        let label = kind.label();
        let (action, note) = if holds {
            (
                format!("Remove {label} seat"),
                match kind {
                    SeatKind::Enable if !m.programs.is_empty() => {
                        "Removing it unassigns every program.".to_owned()
                    }
                    _ => String::new(),
                },
            )
        } else {
            (format!("Give {label} seat"), format!("{free} free"))
        };
        let reason_id = format!("seat-{}-reason", label.to_lowercase());
        let disabled = refused.is_some();
        let act = move |_| {
            let question = if holds {
                format!("Remove this member's {label} seat? It returns to the pool.")
            } else {
                String::new()
            };
            if holds && !confirmed(&question) {
                return;
            }
            reload.run(set_member_seat(id, kind, !holds), move |()| {
                if holds {
                    format!("{label} seat removed: it is back in the pool.")
                } else {
                    format!("{label} seat given.")
                }
            });
        };
        view! {
            <li>
                <span class="seat-name">{format!("{label} seat")}</span>
                <span class=if holds { "badge ok" } else { "badge off" } data-testid=format!("holds-{}", label.to_lowercase())>
                    {if holds { "Held" } else { "Not held" }}
                </span>
                <button type="button" disabled=disabled aria-describedby=reason_id.clone() on:click=act>{action}</button>
                <span class="hint" id=reason_id data-testid=format!("seat-{}-reason", label.to_lowercase())>
                    {refused.unwrap_or(note)}
                </span>
            </li>
        }
    };
    view! {
        <section class="card" aria-labelledby="seats-title">
            <h2 id="seats-title">"Seats"</h2>
            <ul class="seat-list">
                {seat(SeatKind::Enable)}
                {seat(SeatKind::Opportunity)}
            </ul>
        </section>
    }
}

#[component]
fn ProgramsCard(m: MemberDetail, reload: Changes) -> impl IntoView {
    let id = m.id;
    let frozen = m.programs_frozen().map(|r| r.0);
    let assignable = m.assignable();
    let choice = RwSignal::new(
        assignable
            .first()
            .map(|p| p.slug().to_owned())
            .unwrap_or_default(),
    );
    let assign = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(program) = Program::from_slug(&choice.get_untracked()) else {
            return;
        };
        reload.run(assign_program(id, program), move |()| {
            format!("{} assigned.", program.name())
        });
    };
    let rows = m
        .programs
        .iter()
        .map(|e| {
            let program = e.program;
            // The program's own rule first; if programs are frozen altogether, that reason.
            let refused = frozen
                .clone()
                .or_else(|| rules::may_unassign_program(e.progress).err().map(|r| r.0));
            let name = e.name.clone();
            let reason_id = format!("unassign-{}-reason", program.slug());
            let unassign = move |_| {
                let question = format!("Unassign {}? Its progress is discarded.", program.name());
                if !confirmed(&question) {
                    return;
                }
                reload.run(unassign_program(id, program), move |()| {
                    format!("{} unassigned.", program.name())
                });
            };
            view! {
                <tr>
                    <th scope="row">{name.clone()}</th>
                    <td>
                        <progress max="100" value=e.progress.percent() aria-label=format!("Progress in {name}")>{e.progress.to_string()}</progress>
                        " " <span data-testid=format!("progress-{}", program.slug())>{e.progress.to_string()}</span>
                    </td>
                    <td>{e.enrolled_on.clone()}</td>
                    <td class="unassign">
                        <button type="button" disabled=refused.is_some() aria-label=format!("Unassign {name}")
                            aria-describedby=reason_id.clone() on:click=unassign>"Unassign"</button>
                        <span class="hint" id=reason_id>{refused.clone().unwrap_or_default()}</span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="programs-title">
            <h2 id="programs-title">"Programs"</h2>
            {if m.programs.is_empty() {
                view! { <p class="hint" data-testid="no-programs">"No programs assigned."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0">
                        <table data-testid="member-programs">
                            <thead><tr><th scope="col">"Program"</th><th scope="col">"Progress"</th><th scope="col">"Assigned"</th><th scope="col">"Unassign"</th></tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {match (frozen, assignable.is_empty()) {
                (Some(reason), _) => view! { <p class="hint" data-testid="programs-frozen">{reason}</p> }.into_any(),
                (None, true) => view! { <p class="hint">"Every program is assigned."</p> }.into_any(),
                (None, false) => view! {
                    <form class="inline-form" on:submit=assign>
                        <label for="assign-program">"Assign a program"</label>
                        <select id="assign-program" prop:value=move || choice.get() on:change=move |ev| choice.set(event_target_value(&ev))>
                            {assignable.into_iter().map(|p| view! { <option value=p.slug()>{p.name()}</option> }).collect_view()}
                        </select>
                        <button type="submit" class="primary">"Assign"</button>
                    </form>
                }.into_any(),
            }}
        </section>
    }
}

/// An administrator sends the member a link to choose a new password (a forgotten or
/// locked-out password); only active members can get one.
#[component]
fn PasswordCard(m: MemberDetail, reload: Changes) -> impl IntoView {
    let id = m.id;
    let refused = rules::may_send_password_reset(m.status).err().map(|r| r.0);
    let email = m.email.clone();
    let send = move |_| {
        if !confirmed(&format!(
            "Email {email} a link to choose a new password? Their current password keeps working until they use it."
        )) {
            return;
        }
        let email = email.clone();
        reload.run(send_password_reset(id), move |()| {
            format!("A password reset link was emailed to {email}. It works once, for 60 minutes.")
        });
    };
    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <p>
                <button type="button" disabled=refused.is_some() aria-describedby="password-reason" on:click=send>
                    "Send password reset link"
                </button>
                <span class="hint" id="password-reason">{refused.unwrap_or_else(|| "For a member who forgot their password or is locked out.".into())}</span>
            </p>
        </section>
    }
}

/// What a team manager sees of a member of their teams: seats and progress, no controls
/// (only administrators change seats and programs).
#[component]
fn Following(m: MemberDetail) -> impl IntoView {
    let seats: Vec<&str> = [
        m.enable_seat.then_some("Enable"),
        m.opportunity_seat.then_some("Opportunity"),
    ]
    .into_iter()
    .flatten()
    .collect();
    view! {
        <section class="card" aria-labelledby="following-title">
            <h2 id="following-title">"Seats and programs"</h2>
            <p data-testid="member-seats">{if seats.is_empty() { "No seat".to_owned() } else { format!("Seats: {}", seats.join(", ")) }}</p>
            {if m.programs.is_empty() {
                view! { <p class="hint">"No program assigned."</p> }.into_any()
            } else {
                view! {
                    <ul class="program-list">
                        {m.programs.iter().map(|e| view! {
                            <li>
                                <span>{e.name.clone()}</span>
                                <progress max="100" value=e.progress.percent() aria-label=format!("Progress in {}", e.name)></progress>
                                <span class="hint">{e.progress.to_string()}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p class="hint">"Only administrators change seats and programs."</p>
        </section>
    }
}

/// What a team manager manages: an administrator ticks regions (every team in them,
/// today's and later ones) and single teams.
#[component]
fn ManagesCard(m: MemberDetail, reload: Changes) -> impl IntoView {
    let id = m.id;
    let chosen = RwSignal::new(
        m.manages
            .iter()
            .filter(|c| c.managed)
            .map(|c| (c.kind.clone(), c.id))
            .collect::<Vec<_>>(),
    );
    let save = move |_| {
        let picked = chosen.get_untracked();
        let ids = |kind: &str| {
            picked
                .iter()
                .filter(|(k, _)| k == kind)
                .map(|(_, id)| *id)
                .collect::<Vec<_>>()
        };
        reload.run(set_manager_scope(id, ids("team"), ids("region")), |()| {
            "Saved: the manager sees the members of what is ticked.".to_owned()
        });
    };
    let empty = m.manages.is_empty();
    view! {
        <section class="card" aria-labelledby="manages-title">
            <h2 id="manages-title">"Manages"</h2>
            {(!m.enable_seat).then(|| view! {
                <p class="hint" data-testid="manager-needs-seat">"Without an Enable seat this manager cannot see reports (SPEC rule 7): give them one under Seats below."</p>
            })}
            {if empty {
                view! { <p class="hint">"Your organization has no regions or teams yet: add them on " <a href="/organization/teams">"Teams & Regions"</a> "."</p> }.into_any()
            } else {
                view! {
                    <fieldset class="manages">
                        <legend>"Regions and teams this manager sees"</legend>
                        {m.manages.iter().map(|c| {
                            let key = (c.kind.clone(), c.id);
                            let on = chosen.with_untracked(|v| v.contains(&key));
                            let label = if c.kind == "region" { format!("Region {} (all its teams)", c.label) } else { format!("Team {}", c.label) };
                            view! {
                                <label>
                                    <input type="checkbox" checked=on
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            let key = key.clone();
                                            chosen.update(|v| { v.retain(|k| *k != key); if on { v.push(key); } });
                                        }/>
                                    {label}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <p><button type="button" on:click=save>"Save what they manage"</button></p>
                }.into_any()
            }}
        </section>
    }
}

/// "Deactivate on" a date: carried out on that day with the rules of a deactivation by
/// hand; says beforehand what happens to the seats (the 10 % rule).
#[component]
fn ScheduleCard(m: MemberDetail, reload: Changes) -> impl IntoView {
    if m.status == crate::domain::MemberStatus::Deactivated {
        return ().into_any();
    }
    let id = m.id;
    let preview = load(move || id, deactivation_preview);
    let day = RwSignal::new(m.deactivate_on.clone().unwrap_or_default());
    let scheduled = m.deactivate_on.clone();
    let schedule = move |_| {
        let on = day.get_untracked();
        reload.run(
            schedule_deactivation(vec![id], None, on.clone()),
            move |_| format!("Deactivation scheduled for {on}."),
        );
    };
    let cancel = move |_| {
        reload.run(schedule_deactivation(vec![id], None, String::new()), |_| {
            "The scheduled deactivation was cancelled.".to_owned()
        });
    };
    view! {
        <section class="card" aria-labelledby="schedule-title">
            <h2 id="schedule-title">"Deactivate on a date"</h2>
            <p class="hint">"On that day Roster deactivates them as you would by hand: sign-in stops. "
                <Suspense fallback=|| "…">{move || Suspend::new(async move {
                    preview.await.unwrap_or_else(|e| e.to_string())
                })}</Suspense>
            </p>
            <div class="inline-form">
                <div class="field">
                    <label for="deactivate-on">"Deactivate on"</label>
                    <input id="deactivate-on" type="date" prop:value=move || day.get()
                        on:input=move |ev| day.set(event_target_value(&ev))/>
                </div>
                <button type="button" on:click=schedule disabled=move || day.get().is_empty()>"Schedule"</button>
                {scheduled.map(|on| view! {
                    <button type="button" on:click=cancel>{format!("Cancel the deactivation on {on}")}</button>
                })}
            </div>
        </section>
    }
    .into_any()
}

/// The member's license history: each seat event, newest first.
#[component]
fn HistoryCard(id: i64, version: RwSignal<u32>) -> impl IntoView {
    let history = load(
        move || (id, version.get()),
        |(id, _)| member_license_history(id),
    );
    view! {
        <section class="card" aria-labelledby="history-title">
            <h2 id="history-title">"License history"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(lines) if lines.is_empty() => view! { <p class="hint">"No seat event yet."</p> }.into_any(),
                        Ok(lines) => view! {
                            <div class="table-wrap" tabindex="0">
                                <table data-testid="license-history">
                                    <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Seat"</th><th scope="col">"What happened"</th><th scope="col">"By"</th><th scope="col">"Detail"</th></tr></thead>
                                    <tbody>{lines.into_iter().map(|l| view! {
                                        <tr>
                                            <td>{l.at}</td>
                                            <td>{SeatKind::parse(&l.seat).map(|k| k.label()).unwrap_or("")}</td>
                                            <td>{l.words}</td>
                                            <td>{l.by}</td>
                                            <td>{l.detail}</td>
                                        </tr>
                                    }).collect_view()}</tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
