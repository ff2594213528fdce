//! Webhooks: endpoints that receive the organization's events, each delivery's fate, and
//! a test event to try a receiver.

use crate::api::webhooks::{add_webhook, remove_webhook, send_test_webhook, webhooks};
use crate::components::load_blocking;
use crate::components::{interactive, Guarded, Loaded, Need};
use crate::domain::webhooks::EventType;
use crate::domain::Capability;
use crate::model::webhooks::{DeliveryView, EndpointView};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::ManageWebhooks) title="Webhooks" page=|_viewer| view! { <WebhooksBody/> }.into_any()/> }
}

#[component]
fn WebhooksBody() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let endpoints = load_blocking(move || version.get(), |_| webhooks());
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let events = RwSignal::new(
        EventType::SUBSCRIBABLE
            .iter()
            .map(|e| e.key().to_owned())
            .collect::<Vec<_>>(),
    );
    let secret = RwSignal::new(None::<String>);
    let message = RwSignal::new(None::<Result<String, String>>);
    let ready = interactive();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (u, e, d) = (
            url.get_untracked(),
            events.get_untracked(),
            description.get_untracked(),
        );
        spawn_local(async move {
            match add_webhook(u, e, d).await {
                Ok(s) => {
                    secret.set(Some(s));
                    message.set(None);
                    url.set(String::new());
                    description.set(String::new());
                }
                Err(e) => message.set(Some(Err(e.to_string()))),
            }
            version.update(|v| *v += 1);
        });
    };
    // Newly sent test events are tried within a second: look again shortly after.
    let refresh_soon = move || {
        spawn_local(async move {
            crate::components::sleep_ms(1500).await;
            version.update(|v| *v += 1);
        });
    };
    let test = move |id: i64| {
        spawn_local(async move {
            match send_test_webhook(id).await {
                Ok(()) => message.set(Some(
                    Ok("Test event sent: its delivery shows below.".into()),
                )),
                Err(e) => message.set(Some(Err(e.to_string()))),
            }
            version.update(|v| *v += 1);
            refresh_soon();
        });
    };
    let remove = move |endpoint: EndpointView| {
        let question = format!(
            "Remove the endpoint {}? Events waiting for it are dropped, and it receives nothing more.",
            endpoint.url
        );
        if !window().confirm_with_message(&question).unwrap_or(false) {
            return;
        }
        spawn_local(async move {
            match remove_webhook(endpoint.id).await {
                Ok(()) => message.set(Some(Ok("Endpoint removed.".into()))),
                Err(e) => message.set(Some(Err(e.to_string()))),
            }
            version.update(|v| *v += 1);
        });
    };
    view! {
        <p><a href="/organization">"← Back to My Organization"</a></p>
        <h1>"Webhooks"</h1>
        <p class="subtitle">"Roster tells your other systems what happens as it happens: each event is sent as JSON with a POST to your endpoints, signed as "<a href="https://www.standardwebhooks.com/">"Standard Webhooks"</a>" says ("<code>"webhook-id"</code>", "<code>"webhook-timestamp"</code>", "<code>"webhook-signature"</code>"). An endpoint that does not answer 2xx is tried again for about a day; the same event keeps its "<code>"webhook-id"</code>", so your receiver can drop one it has already handled."</p>
        <section class="card" aria-labelledby="new-endpoint-title" data-interactive=move || ready.get().to_string()>
            <h2 id="new-endpoint-title">"Add an endpoint"</h2>
            <form on:submit=add>
                <div class="field">
                    <label for="webhook-url">"URL"</label>
                    <input id="webhook-url" type="url" required maxlength="2000" placeholder="https://hooks.example.com/roster"
                        prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="webhook-description">"Description (optional)"</label>
                    <input id="webhook-description" maxlength="200" placeholder="HR system"
                        prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))/>
                </div>
                <fieldset class="scopes">
                    <legend>"Send these events"</legend>
                    {EventType::SUBSCRIBABLE.map(|event| view! {
                        <label class="check">
                            <input type="checkbox" name="events" value=event.key()
                                prop:checked=move || events.with(|e| e.iter().any(|k| k == event.key()))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    events.update(|e| {
                                        e.retain(|k| k != event.key());
                                        if on { e.push(event.key().to_owned()); }
                                    });
                                }/>
                            " " {event.label()} " " <code>{event.key()}</code>
                        </label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="primary">"Add endpoint"</button>
            </form>
            {move || secret.get().map(|s| view! {
                <div class="notice-box" role="status">
                    <p><strong>"Copy the signing secret now: it is shown only once."</strong>" Your receiver checks each delivery's signature with it."</p>
                    <code data-testid="webhook-secret">{s}</code>
                </div>
            })}
        </section>
        <p class="flash" role="status" data-testid="webhook-message">{move || message.get().map(|m| match m {
            Ok(text) => view! { <span class="success">{text}</span> }.into_any(),
            Err(text) => view! { <span class="error">{text}</span> }.into_any(),
        })}</p>
        <Loaded resource=endpoints ready=move |list| match list {
            list if list.is_empty() => view! { <section class="card notice"><p>"No endpoints yet: add one above to send events to another system."</p></section> }.into_any(),
            list => list.into_iter().map(|e| {
                let (row, id) = (e.clone(), e.id);
                view! {
                    <section class="card" data-testid="webhook-endpoint">
                        <h2><code>{e.url.clone()}</code></h2>
                        {(!e.description.is_empty()).then(|| view! { <p>{e.description.clone()}</p> })}
                        <p class="hint">"Events: " {e.events.join(", ")} ". Added " {e.created_at.clone()} "."</p>
                        <p class="actions">
                            <button type="button" on:click=move |_| test(id)>"Send test event"</button>
                            " "
                            <button type="button" class="danger" on:click=move |_| remove(row.clone())>"Remove"</button>
                            " "
                            <button type="button" on:click=move |_| version.update(|v| *v += 1)>"Refresh"</button>
                        </p>
                        <Deliveries deliveries=e.deliveries/>
                    </section>
                }
            }).collect_view().into_any(),
        }/>
    }
}

#[component]
fn Deliveries(deliveries: Vec<DeliveryView>) -> impl IntoView {
    if deliveries.is_empty() {
        return view! { <p class="hint">"Nothing sent yet."</p> }.into_any();
    }
    view! {
        <div class="table-wrap" tabindex="0">
            <table data-testid="webhook-deliveries">
                <caption>"Latest deliveries"</caption>
                <thead><tr><th scope="col">"Event"</th><th scope="col">"Status"</th><th scope="col">"Tries"</th><th scope="col">"Last answer"</th><th scope="col">"Last try"</th><th scope="col">"Next try"</th></tr></thead>
                <tbody>
                    {deliveries.into_iter().map(|d| {
                        let answer = match (d.last_status, d.last_answer.as_deref()) {
                            (Some(status), Some(text)) if !text.is_empty() => format!("{status}: {text}"),
                            (Some(status), _) => status.to_string(),
                            (None, Some(text)) => text.to_owned(),
                            (None, None) => "—".to_owned(),
                        };
                        let badge = match d.status.as_str() {
                            "delivered" => "badge on",
                            "failed" => "badge off",
                            _ => "badge",
                        };
                        view! {
                            <tr>
                                <td><code>{d.event_type}</code><br/><small>{d.event_id}</small></td>
                                <td><span class=badge>{d.status}</span></td>
                                <td>{d.attempts}</td>
                                <td>{answer}</td>
                                <td>{d.last_attempt_at.unwrap_or_else(|| "—".into())}</td>
                                <td>{d.next_attempt_at.unwrap_or_else(|| "—".into())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }.into_any()
}
