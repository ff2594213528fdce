//! API keys for the REST API, the progress endpoint and SCIM: create (shown once), list, revoke.

use crate::api::api_keys::{api_keys, create_api_key, revoke_api_key};
use crate::components::load_blocking;
use crate::components::{interactive, Guarded, Loaded, Need};
use crate::domain::{Capability, KeyScope};
use crate::model::api_keys::ApiKeyRow;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::ManageOrganization) title="API keys" page=|_viewer| view! { <ApiKeysBody/> }.into_any()/> }
}

#[component]
fn ApiKeysBody() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let keys = load_blocking(move || version.get(), |_| api_keys());
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec![KeyScope::Progress]);
    let new_key = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let ready = interactive();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wanted = name.get_untracked();
        let may = scopes.get_untracked();
        spawn_local(async move {
            match create_api_key(wanted, may).await {
                Ok(key) => {
                    new_key.set(Some(key));
                    error.set(None);
                    name.set(String::new());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            version.update(|v| *v += 1);
        });
    };
    let revoke = move |key: ApiKeyRow| {
        let question = format!(
            "Revoke the key “{}”? Course players using it will be refused at once.",
            key.name
        );
        if !window().confirm_with_message(&question).unwrap_or(false) {
            return;
        }
        spawn_local(async move {
            if let Err(e) = revoke_api_key(key.id).await {
                error.set(Some(e.to_string()));
            }
            version.update(|v| *v += 1);
        });
    };
    view! {
        <p><a href="/organization">"← Back to My Organization"</a></p>
        <h1>"API keys"</h1>
        <p class="subtitle">"Programs your company connects to Roster use a key with the REST API ("<a href="/api/v1/docs">"its reference"</a>", "<a href="/api/v1/openapi.json">"OpenAPI document"</a>"); a course player reports progress with one to "<code>"POST /api/v1/progress"</code>". A key does only what its scopes allow; keys made before scopes existed report progress."</p>
        <section class="card" aria-labelledby="new-key-title" data-interactive=move || ready.get().to_string()>
            <h2 id="new-key-title">"Create a key"</h2>
            <form class="inline-form" on:submit=create>
                <label for="key-name">"Name"</label>
                <input id="key-name" required maxlength="100" placeholder="Course player" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/>
                <fieldset class="scopes">
                    <legend>"The key may"</legend>
                    {KeyScope::ALL.map(|scope| view! {
                        <label class="check">
                            <input type="checkbox" name="scopes" value=scope.as_str()
                                prop:checked=move || scopes.with(|s| s.contains(&scope))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    scopes.update(|s| {
                                        s.retain(|x| *x != scope);
                                        if on {
                                            // A provisioning token does nothing else, and nothing
                                            // else provisions: ticking one clears the other.
                                            let provisioning = KeyScope::Provisioning;
                                            s.retain(|x| (*x == provisioning) == (scope == provisioning));
                                            s.push(scope);
                                        }
                                    });
                                }/>
                            " " {scope.label()}
                        </label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="primary">"Create key"</button>
            </form>
            <p class="error" role="alert">{move || error.get()}</p>
            {move || new_key.get().map(|key| view! {
                <div class="notice-box" role="status">
                    <p><strong>"Copy this key now: it is shown only once."</strong></p>
                    <code data-testid="new-key">{key}</code>
                </div>
            })}
        </section>
        <Loaded resource=keys ready=move |value| match value {
                    list if list.is_empty() => view! { <p class="hint">"No keys yet."</p> }.into_any(),
                    list => view! {
                        <div class="table-wrap" tabindex="0">
                            <table data-testid="api-keys">
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Key"</th><th scope="col">"May"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col">"Status"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|k| {
                                        let row = k.clone();
                                        view! {
                                            <tr>
                                                <td>{k.name.clone()}</td>
                                                <td><code>{format!("{}…", k.prefix)}</code></td>
                                                <td>{k.scopes.iter().filter_map(|s| KeyScope::parse(s)).map(KeyScope::label).collect::<Vec<_>>().join(", ")}</td>
                                                <td>{k.created_at}</td>
                                                <td>{k.last_used_at.unwrap_or_else(|| "Never".into())}</td>
                                                <td>{if k.revoked {
                                                    view! { <span class="badge off">"Revoked"</span> }.into_any()
                                                } else {
                                                    view! { <button type="button" class="danger" aria-label=format!("Revoke {}", k.name) on:click=move |_| revoke(row.clone())>"Revoke"</button> }.into_any()
                                                }}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
        }/>
    }
}
