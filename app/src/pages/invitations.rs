use crate::api::invitations::pending_invitations;
use crate::api::licenses::{load_invitation_settings, SaveInvitationSettings};
use crate::api::members::{deactivate_member, resend_invitation};
use crate::components::load_blocking;
use crate::components::{interactive, Guarded, Loaded, Need};
use crate::domain::Capability;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Pending invitations: when each was sent, whether the email went out; resend or revoke.
#[component]
pub fn InvitationsPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::ManageOrganization) title="Pending invitations" page=|_viewer| view! { <Invitations/> }.into_any()/> }
}

#[component]
fn Invitations() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let flash = RwSignal::new(None::<Result<String, String>>);
    let invitations = load_blocking(move || version.get(), |_| pending_invitations());
    let act = move |id: i64, name: String, revoke: bool| {
        if revoke {
            let question = format!("Revoke the invitation of {name}? The link stops working and their seats return to the pool.");
            if !window().confirm_with_message(&question).unwrap_or(false) {
                return;
            }
        }
        spawn_local(async move {
            let result = if revoke {
                deactivate_member(id)
                    .await
                    .map(|seats| format!("Invitation of {name} revoked. {seats}"))
            } else {
                resend_invitation(id).await.map(|()| {
                    format!(
                        "A new invitation is on its way to {name}; the old link no longer works."
                    )
                })
            };
            flash.set(Some(result.map_err(|e| e.to_string())));
            version.update(|v| *v += 1);
        });
    };
    view! {
        <h1>"Pending invitations"</h1>
        <p class="subtitle">"Members who have not set their password yet. Links expire 7 days after they are sent."</p>
        <Settings/>
        <p class="flash" role="status" data-testid="flash">
            {move || flash.get().map(|r| match r {
                Ok(t) => view! { <span class="success">{t}</span> }.into_any(),
                Err(t) => view! { <span class="error">{t}</span> }.into_any(),
            })}
        </p>
        <Loaded resource=invitations ready=move |value| match value {
                    list if list.is_empty() => view! {
                        <section class="card notice"><p>"No pending invitations: everyone invited has set their password."</p>
                        <p><a href="/organization/invite">"Invite members"</a></p></section>
                    }.into_any(),
                    list => view! {
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="invitations-table">
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Sent"</th>
                                    <th scope="col">"Expires"</th><th scope="col">"Email delivery"</th><th scope="col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|i| {
                                        let ready = interactive();
                                        let (n1, n2) = (i.name.clone(), i.name.clone());
                                        view! {
                                            <tr>
                                                <td>{i.name.clone()}</td>
                                                <td>{i.email}</td>
                                                <td>{i.sent_at}</td>
                                                <td>{if i.expired { format!("Expired {}", i.expires_at) } else { i.expires_at }}</td>
                                                <td>{i.delivery}</td>
                                                <td class="actions" data-interactive=move || ready.get().to_string()>
                                                    <button type="button" on:click=move |_| act(i.member_id, n1.clone(), false)>{format!("Resend to {}", i.name)}</button>
                                                    <button type="button" class="danger" on:click=move |_| act(i.member_id, n2.clone(), true)>"Revoke"</button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
        }/>
        <p><a href="/organization">"← Back to My Organization"</a></p>
    }
}

/// Reminders and what an expired invitation does with its seats: a plain form (works
/// before the page is interactive).
#[component]
fn Settings() -> impl IntoView {
    let action = ServerAction::<SaveInvitationSettings>::new();
    let settings = load_blocking(
        move || action.version().get(),
        |_| load_invitation_settings(),
    );
    let saved = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("saved")
        .is_some();
    let initial_error = StoredValue::new(crate::components::url_error());
    let error = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| initial_error.get_value())
    };
    view! {
        <Loaded resource=settings ready=move |s| {
            let days = s.reminder_days.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(",");
            view! {
                <section class="card" aria-labelledby="settings-title">
                    <h2 id="settings-title">"Reminders and expiry"</h2>
                    <leptos::form::ActionForm action=action attr:class="inline-form">
                        <div class="field">
                            <label for="reminder-days">"Remind after (days)"</label>
                            <input id="reminder-days" name="reminder_days" type="text" value=days
                                placeholder="3,6" aria-describedby="reminder-days-hint reminder-days-error"/>
                            <span class="hint" id="reminder-days-hint">"Days after the invitation, up to three, from 1 to 6; empty or off: no reminders. Each reminder has a new link; earlier links keep working."</span>
                            <span class="error" id="reminder-days-error" role="alert">{move || error().and_then(|e| e.for_field("reminder_days"))}</span>
                        </div>
                        <div class="field">
                            <label for="expired-seats">"When an invitation expires"</label>
                            <select id="expired-seats" name="expired_seats">
                                <option value="release" selected=s.release_seats>"Return its seats to the pool"</option>
                                <option value="keep" selected=!s.release_seats>"Keep its seats"</option>
                            </select>
                        </div>
                        <button type="submit">"Save"</button>
                    </leptos::form::ActionForm>
                    <p role="status">
                        {move || (saved || matches!(action.value().get(), Some(Ok(())))).then(|| view! { <span class="success">"Settings saved."</span> })}
                    </p>
                </section>
            }.into_any()
        }/>
    }
}
