use crate::api::mailbox::mailbox;
use crate::components::load_blocking;
use crate::components::{Guarded, Loaded, Need};
use crate::domain::Capability;
use leptos::prelude::*;

/// The development mailbox: every email the organization's actions wrote to the outbox,
/// with its delivery status. Without SMTP configured, this is where invitations are read.
#[component]
pub fn MailboxPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::ManageOrganization) title="Mailbox" page=|_viewer| view! { <Mailbox/> }.into_any()/> }
}

#[component]
fn Mailbox() -> impl IntoView {
    let messages = load_blocking(|| (), |_| mailbox());
    view! {
        <h1>"Mailbox"</h1>
        <p class="subtitle">"Emails sent on behalf of your organization, newest first. When no mail server is configured (a development set-up), they are kept here instead of being sent."</p>
        <Loaded resource=messages ready=move |value| match value {
                    list if list.is_empty() => view! { <section class="card notice"><p>"No emails yet."</p></section> }.into_any(),
                    list => view! {
                        <ul class="mailbox" data-testid="mailbox">
                            {list.into_iter().map(|m| view! {
                                <li class="card">
                                    <details>
                                        <summary>
                                            <strong>{m.subject}</strong>
                                            <span class="hint">{format!(" to {} · {} · {}", m.to, m.created_at, match m.status.as_str() {
                                                "sent" => "delivered", "pending" => "queued", _ => "kept (no SMTP)",
                                            })}</span>
                                        </summary>
                                        <pre class="mail-text">{m.body_text}</pre>
                                    </details>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
        }/>
        <p><a href="/organization">"← Back to My Organization"</a></p>
    }
}
