//! + Invite: add one member, or several one after the other, and invite them in one go.

use crate::api::invite::InviteMembers;
use crate::api::member_list::organization_overview;
use crate::components::load;
use crate::components::{interactive, Guarded, Need};
use crate::domain::invitee::{field, parse_batch};
use crate::domain::{InviteeDraft, Problem, SeatPool};
use crate::error::AppError;
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Single,
    Multiple,
}

#[component]
pub fn InvitePage() -> impl IntoView {
    view! { <Guarded need=Need::Inviting title="Invite members" page=|viewer| view! { <InviteForm admin=viewer.is_admin()/> }.into_any()/> }
}

fn blank() -> InviteeDraft {
    InviteeDraft {
        permission: "member".into(),
        ..InviteeDraft::default()
    }
}

/// `admin`: the permission can be chosen and the team is optional; a team manager invites
/// members into one of their teams.
#[component]
fn InviteForm(admin: bool) -> impl IntoView {
    let team = RwSignal::new(String::new());
    let summary = load(|| (), |_| organization_overview());
    let mode = RwSignal::new(Mode::Single);
    let form = RwSignal::new(blank());
    let list = RwSignal::new(Vec::<InviteeDraft>::new());
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let invite = ServerAction::<InviteMembers>::new();
    let done = RwSignal::new(None::<String>);

    // The same checks the server makes, on what is typed.
    let form_problems = move || form.with(|d| d.parse(0).err().unwrap_or_default());
    let field_error = move |name: &'static str| {
        Signal::derive(move || {
            let server = match invite.value().get() {
                Some(Err(AppError::Problems(problems))) if mode.get() == Mode::Single => problems
                    .into_iter()
                    .find(|p| p.field == name)
                    .map(|p| p.message),
                _ => None,
            };
            server.or_else(|| {
                touched
                    .with(|t| t.contains(&name))
                    .then(|| {
                        form_problems()
                            .into_iter()
                            .find(|p| p.field == name)
                            .map(|p| p.message)
                    })
                    .flatten()
            })
        })
    };
    let touch_all = move || {
        touched.set(vec![
            field::FIRST_NAME,
            field::LAST_NAME,
            field::EMAIL,
            field::JOB_TITLE,
        ])
    };

    // Seats the list (and the form) would take, against what is free.
    let batch = move || {
        let mut all = list.get();
        if mode.get() == Mode::Single {
            all = vec![form.get()];
        }
        all
    };
    let seat_note = move |pool: SeatPool, asked: usize| match pool.check_request(asked as i64) {
        Ok(()) if asked == 0 => format!("{} free", pool.free()),
        Ok(()) => format!(
            "{} of {} free after these invitations",
            pool.free() - asked as i64,
            pool.free()
        ),
        Err(shortage) => shortage.message(),
    };

    let submit = move |drafts: Vec<InviteeDraft>| {
        done.set(None);
        invite.dispatch(InviteMembers {
            members: drafts,
            team: team.get_untracked().parse().ok(),
        });
    };
    Effect::new(move |_| {
        if let Some(Ok(n)) = invite.value().get() {
            done.set(Some(if n == 1 {
                "Invitation sent: the new member gets an email with a link to set their password.".to_owned()
            } else {
                format!("{n} invitations sent: each new member gets an email with a link to set their password.")
            }));
            form.set(blank());
            list.set(Vec::new());
            touched.set(Vec::new());
            summary.refetch();
        }
    });

    let add_member = move |_| {
        touch_all();
        let draft = form.get();
        let mut next = list.get();
        next.push(draft);
        if let Err(problems) = parse_batch(&next) {
            // Only the form's own problems block adding it (duplicates included).
            if problems.iter().any(|p| p.item == next.len() - 1) {
                return;
            }
        }
        list.set(next);
        form.set(blank());
        touched.set(Vec::new());
    };

    let list_problems = move |item: usize| -> Vec<Problem> {
        match invite.value().get() {
            Some(Err(AppError::Problems(problems))) if mode.get() == Mode::Multiple => {
                problems.into_iter().filter(|p| p.item == item).collect()
            }
            _ => Vec::new(),
        }
    };
    let general_error = move || match invite.value().get() {
        Some(Err(AppError::Problems(_))) => {
            Some("Nothing was sent: fix the problems shown, then invite again.".to_owned())
        }
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };

    let ready = interactive();
    let text_input = move |label: &'static str,
                           name: &'static str,
                           kind: &'static str,
                           required: bool,
                           get: fn(&InviteeDraft) -> String,
                           set: fn(&mut InviteeDraft, String)| {
        let error = field_error(name);
        let id = format!("invite-{name}");
        let error_id = format!("{id}-error");
        view! {
            <div class="field">
                <label for=id.clone()>{label}{if required { "" } else { " (optional)" }}</label>
                <input
                    id=id
                    name=name
                    type=kind
                    required=required
                    prop:value=move || form.with(get)
                    aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby=error_id.clone()
                    on:input=move |ev| form.update(|d| set(d, event_target_value(&ev)))
                    on:blur=move |_| touched.update(|t| if !t.contains(&name) { t.push(name) })
                />
                <p class="field-error" id=error_id role="alert">{move || error.get()}</p>
            </div>
        }
    };

    view! {
        <h1>"Invite members"</h1>
        <p class="subtitle">"Each new member gets an email with a link to set their password. Invited members cannot have their programs changed until they accept."</p>
        <div class="tabs" role="tablist" aria-label="How many members">
            <button role="tab" type="button" aria-selected=move || (mode.get() == Mode::Single).to_string()
                on:click=move |_| mode.set(Mode::Single)>"Add Single Member"</button>
            <button role="tab" type="button" aria-selected=move || (mode.get() == Mode::Multiple).to_string()
                on:click=move |_| mode.set(Mode::Multiple)>"Add Multiple Members"</button>
        </div>
        <p class="success" role="status" data-testid="invite-done">{move || done.get()}</p>
        <div class="invite-layout">
            <form class="card" data-interactive=move || ready.get().to_string() on:submit=move |ev| {
                ev.prevent_default();
                touch_all();
                if mode.get_untracked() == Mode::Single && form_problems().is_empty() {
                    submit(vec![form.get_untracked()]);
                }
            }>
                {text_input("First name", field::FIRST_NAME, "text", true, |d| d.first_name.clone(), |d, v| d.first_name = v)}
                {text_input("Last name", field::LAST_NAME, "text", true, |d| d.last_name.clone(), |d, v| d.last_name = v)}
                {text_input("Email address", field::EMAIL, "email", true, |d| d.email.clone(), |d, v| d.email = v)}
                // A likely typo is a question, never a refusal: the address may be right.
                <p class="hint warnings" data-testid="email-typo" aria-live="polite">
                    {move || form.with(|d| {
                        let email = crate::domain::email::key(&d.email);
                        let (local, domain) = email.rsplit_once('@')?;
                        crate::domain::likely_domain_typo(domain, &[]).map(|meant| format!("Did you mean {local}@{meant}?"))
                    })}
                </p>
                {text_input("Job title", field::JOB_TITLE, "text", false, |d| d.job_title.clone(), |d, v| d.job_title = v)}
                {admin.then(|| view! {
                    <div class="field">
                        <label for="invite-permission">"Permission"</label>
                        <select id="invite-permission" name="permission"
                            prop:value=move || form.with(|d| d.permission.clone())
                            on:change=move |ev| form.update(|d| d.permission = event_target_value(&ev))>
                            <option value="member">"Member (learns)"</option>
                            <option value="manager">"Team manager (follows teams you choose on their member page)"</option>
                            <option value="admin">"Administrator (manages the organization)"</option>
                        </select>
                    </div>
                })}
                <div class="field">
                    <label for="invite-team">{if admin { "Team (optional)" } else { "Team" }}</label>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let teams = summary.await.map(|s| s.teams).unwrap_or_default();
                            view! {
                                <select id="invite-team" name="team" required=!admin
                                    prop:value=move || team.get()
                                    on:change=move |ev| team.set(event_target_value(&ev))>
                                    <option value="">{if admin { "No team" } else { "Choose one of your teams" }}</option>
                                    {teams.into_iter().map(|t| view! { <option value=t.id.to_string()>{t.label}</option> }).collect_view()}
                                </select>
                            }
                        })}
                    </Suspense>
                </div>
                <fieldset class="field seats-choice">
                    <legend>"Seats"</legend>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let s = StoredValue::new(summary.await.ok());
                            let note = move |enable: bool| {
                                let asked = batch().iter().filter(|d| if enable { d.enable_seat } else { d.opportunity_seat }).count();
                                s.with_value(|s| s.as_ref().map(|s| seat_note(if enable { s.enable } else { s.opportunity }, asked)).unwrap_or_default())
                            };
                            view! {
                                <label class="check">
                                    <input type="checkbox" name="enable_seat"
                                        prop:checked=move || form.with(|d| d.enable_seat)
                                        on:change=move |ev| form.update(|d| d.enable_seat = event_target_checked(&ev))/>
                                    " Enable seat (needed for programs) "
                                    <span class="hint" data-testid="enable-free">{move || note(true)}</span>
                                </label>
                                <label class="check">
                                    <input type="checkbox" name="opportunity_seat"
                                        prop:checked=move || form.with(|d| d.opportunity_seat)
                                        on:change=move |ev| form.update(|d| d.opportunity_seat = event_target_checked(&ev))/>
                                    " Opportunity seat "
                                    <span class="hint" data-testid="opportunity-free">{move || note(false)}</span>
                                </label>
                            }
                        })}
                    </Suspense>
                </fieldset>
                <p class="error" role="alert" data-testid="invite-error">{general_error}</p>
                <Show when=move || mode.get() == Mode::Single fallback=move || view! {
                    <button type="button" class="secondary" on:click=add_member>"Add Member"</button>
                }>
                    <button type="submit" class="primary" disabled=move || invite.pending().get()>"Invite Member"</button>
                </Show>
            </form>
            <Show when=move || mode.get() == Mode::Multiple>
                <section class="card invite-list" aria-labelledby="invite-list-heading">
                    <h2 id="invite-list-heading">{move || format!("Members to invite ({})", list.with(Vec::len))}</h2>
                    <Show when=move || list.with(Vec::is_empty)>
                        <p class="hint">"Fill in a member and press Add Member; they appear here. You can edit or remove them before sending."</p>
                    </Show>
                    <ol class="invitees" data-testid="invite-list">
                        <For each=move || list.get().into_iter().enumerate() key=|(i, d)| (*i, d.email.clone()) let((index, draft))>
                            <li>
                                <span class="who">{format!("{} {}", draft.first_name, draft.last_name)}</span>
                                <span class="hint">{format!(" {} · {}", draft.email, draft.permission)}</span>
                                <button type="button" class="link-button" on:click=move |_| {
                                    let taken = list.get()[index].clone();
                                    list.update(|l| { l.remove(index); });
                                    form.set(taken);
                                }>{format!("Edit {}", draft.first_name)}</button>
                                <button type="button" class="link-button" on:click=move |_| list.update(|l| { l.remove(index); })>
                                    {format!("Remove {}", draft.first_name)}
                                </button>
                                <ul class="field-error">
                                    {move || list_problems(index).into_iter().map(|p| view! { <li>{format!("{}: {}", p.field.replace('_', " "), p.message)}</li> }).collect_view()}
                                </ul>
                            </li>
                        </For>
                    </ol>
                    <button type="button" class="primary"
                        disabled=move || list.with(Vec::is_empty) || invite.pending().get()
                        on:click=move |_| submit(list.get())>
                        {move || match list.with(Vec::len) { 1 => "Invite 1 Member".to_owned(), n => format!("Invite {n} Members") }}
                    </button>
                </section>
            </Show>
        </div>
        <p><a href="/organization">"← Back to My Organization"</a></p>
    }
}
