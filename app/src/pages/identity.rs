//! The Identity page (administrators): how the company's identity provider connects —
//! the SCIM address and provisioning tokens, the seat policy for the members it creates,
//! which of its groups grant seats, and who waits on the seat waitlist. Every form works
//! before the page is interactive.

use crate::api::identity::{load_identity, SaveSeatPolicy, SetGroupGrants};
use crate::api::sso::{
    AddSsoDomain, RemoveSsoDomain, SaveSso, SetSsoPolicy, SsoTest, VerifySsoDomain,
};
use crate::components::load_blocking;
use crate::components::{Guarded, Loaded, Need};
use crate::domain::provisioning::SeatPolicy;
use crate::domain::sso::SsoRefusal;
use crate::domain::Capability;
use crate::model::identity::{IdentityOverview, ProvisionedGroup, SsoSettings};
use leptos::prelude::*;

#[component]
pub fn IdentityPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::ManageOrganization) title="Identity" page=|_viewer| view! { <IdentityBody/> }.into_any()/> }
}

#[component]
fn IdentityBody() -> impl IntoView {
    let policy = ServerAction::<SaveSeatPolicy>::new();
    let grants = ServerAction::<SetGroupGrants>::new();
    let sso = SsoActions {
        save: ServerAction::new(),
        policy: ServerAction::new(),
        add: ServerAction::new(),
        verify: ServerAction::new(),
        remove: ServerAction::new(),
    };
    let overview = load_blocking(
        move || {
            (
                policy.version().get(),
                grants.version().get(),
                sso.save.version().get(),
                sso.policy.version().get(),
                sso.add.version().get() + sso.verify.version().get() + sso.remove.version().get(),
            )
        },
        |_| load_identity(),
    );
    view! {
        <h1>"Identity"</h1>
        <p class="subtitle">"Connect your company's identity provider (Okta, Microsoft Entra ID, JumpCloud…): it creates, updates and deactivates members and maps its groups to teams."</p>
        <Loaded resource=overview ready=move |o| view! {
            <SingleSignOn s=o.sso.clone() actions=sso/>
            <Overview o policy grants/>
        }.into_any()/>
    }
}

#[component]
fn Overview(
    o: IdentityOverview,
    policy: ServerAction<SaveSeatPolicy>,
    grants: ServerAction<SetGroupGrants>,
) -> impl IntoView {
    let saved = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("saved");
    let policy_saved = saved.as_deref() == Some("policy");
    let initial_error = StoredValue::new(crate::components::url_error());
    let policy_error = move || {
        policy
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| initial_error.get_value())
            .map(|e| e.to_string())
    };
    let tokens = if o.tokens.is_empty() {
        view! { <p>"No provisioning token yet. " <a href="/organization/api-keys">"Create one on the API keys page"</a> " with the scope " <strong>"Provisioning"</strong> " alone, and paste it into your identity provider."</p> }.into_any()
    } else {
        let list = o.tokens.join(", ");
        view! { <p>"Live provisioning tokens: " {list} ". " <a href="/organization/api-keys">"Manage them on the API keys page"</a> "."</p> }.into_any()
    };
    let current = o.seat_policy;
    view! {
        <section class="card" aria-labelledby="scim-title">
            <h2 id="scim-title">"Provisioning (SCIM 2.0)"</h2>
            <div class="field">
                <label for="scim-url">"SCIM base URL (Okta: SCIM connector base URL; Entra ID: Tenant URL)"</label>
                <input id="scim-url" type="text" readonly value=o.scim_url.clone()/>
            </div>
            {tokens}
            <p class="hint">"Users become invited members (people already here are matched by userName, then by address); deactivating a user deactivates the member — a used license stays counted, an unused seat returns. Groups become teams of the region “Identity provider groups”."</p>
        </section>

        <section class="card" aria-labelledby="policy-title">
            <h2 id="policy-title">"Seat policy"</h2>
            <p>"What a member the identity provider creates or brings back gets. The provider is never refused: when no seat is free, the member is created without it and waits on the seat waitlist, first come first served; administrators get the seat alert."</p>
            <leptos::form::ActionForm action=policy>
                <fieldset>
                    <legend>"Give each provisioned member"</legend>
                    {SeatPolicy::ALL.map(|p| view! {
                        <label class="choice">
                            <input type="radio" name="policy" value=p.as_str() checked=p == current/>
                            " " {p.label()}
                        </label>
                    }).collect_view()}
                </fieldset>
                <span class="error" role="alert">{policy_error}</span>
                <button type="submit">"Save the seat policy"</button>
            </leptos::form::ActionForm>
            <p role="status">
                {move || (policy_saved || matches!(policy.value().get(), Some(Ok(())))).then(|| view! { <span class="success">"Seat policy saved."</span> })}
            </p>
        </section>

        <Groups groups=o.groups grants/>

        <section class="card" aria-labelledby="waitlist-title">
            <h2 id="waitlist-title">"Seat waitlist"</h2>
            {if o.waitlist.is_empty() {
                view! { <p class="empty">"Nobody is waiting for a seat."</p> }.into_any()
            } else {
                let more = (o.waiting_total > o.waitlist.len() as i64)
                    .then(|| format!("Showing the first {} of {}.", o.waitlist.len(), o.waiting_total));
                view! {
                    <p>{format!("{} waiting. Seats are given in this order as they free (a deactivation, seats bought); ", o.waiting_total)} <a href="/organization/seats">"Request more seats"</a> "."</p>
                    <table class="waitlist">
                        <thead><tr><th scope="col">"#"</th><th scope="col">"Member"</th><th scope="col">"Seat"</th><th scope="col">"Waiting since"</th></tr></thead>
                        <tbody>
                            {o.waitlist.into_iter().enumerate().map(|(i, w)| view! {
                                <tr>
                                    <td>{i + 1}</td>
                                    <td><a href=format!("/organization/members/{}", w.member_id)>{w.name}</a> " " <span class="muted">{w.email}</span></td>
                                    <td>{w.seat}</td>
                                    <td>{w.since}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="hint">{more}</p>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Groups(groups: Vec<ProvisionedGroup>, grants: ServerAction<SetGroupGrants>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="groups-title">
            <h2 id="groups-title">"Groups from your identity provider"</h2>
            <p>"Under the policy “The seats their groups grant”, a member of a group asks for the seats its team grants."</p>
            {if groups.is_empty() {
                view! { <p class="empty">"No group yet: push groups from your identity provider and they appear here."</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead><tr><th scope="col">"Team"</th><th scope="col">"Members in the group"</th><th scope="col">"Grants"</th></tr></thead>
                        <tbody>
                            {groups.into_iter().map(|g| {
                                let enable_id = format!("grant-enable-{}", g.team_id);
                                let opportunity_id = format!("grant-opportunity-{}", g.team_id);
                                let (enable_for, opportunity_for) = (enable_id.clone(), opportunity_id.clone());
                                view! {
                                    <tr>
                                        <td>{g.name.clone()}</td>
                                        <td>{g.members}</td>
                                        <td>
                                            <leptos::form::ActionForm action=grants attr:class="inline-form" attr:aria-label=format!("Seats {} grants", g.name)>
                                                <input type="hidden" name="team_id" value=g.team_id/>
                                                <label for=enable_for><input id=enable_id type="checkbox" name="enable" value="on" checked=g.grants_enable/>" An Enable seat"</label>
                                                <label for=opportunity_for><input id=opportunity_id type="checkbox" name="opportunity" value="on" checked=g.grants_opportunity/>" An Opportunity seat"</label>
                                                <button type="submit">"Save"</button>
                                            </leptos::form::ActionForm>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// The forms of the single sign-on card.
#[derive(Clone, Copy)]
struct SsoActions {
    save: ServerAction<SaveSso>,
    policy: ServerAction<SetSsoPolicy>,
    add: ServerAction<AddSsoDomain>,
    verify: ServerAction<VerifySsoDomain>,
    remove: ServerAction<RemoveSsoDomain>,
}

#[component]
fn SingleSignOn(s: SsoSettings, actions: SsoActions) -> impl IntoView {
    let test = ServerAction::<SsoTest>::new();
    let query = leptos_router::hooks::use_query_map().read_untracked();
    let saved = query.get("saved");
    let tested_now = query.get("tested").is_some();
    let refusal = query
        .get("sso")
        .and_then(|k| SsoRefusal::parse(&k))
        .map(SsoRefusal::message);
    let initial_error = StoredValue::new(crate::components::url_error());
    let error_of = move |e: Option<Result<(), crate::error::AppError>>| {
        e.and_then(Result::err).map(|e| e.to_string())
    };
    let settings_error = move || {
        error_of(actions.save.value().get())
            .or_else(|| error_of(actions.policy.value().get()))
            .or_else(|| initial_error.get_value().map(|e| e.to_string()))
    };
    let domain_error = move || {
        error_of(actions.add.value().get())
            .or_else(|| error_of(actions.verify.value().get()))
            .or_else(|| error_of(actions.remove.value().get()))
    };
    let status = match (s.configured, s.tested_at.clone(), s.required) {
        (false, _, _) => "Not set up: members sign in with their passwords.".to_owned(),
        (true, None, _) => "Saved, not tested yet: run Test sign-in.".to_owned(),
        (true, Some(at), false) => format!(
            "Tested {at}. Members may sign in with their company account or their password."
        ),
        (true, Some(at), true) => format!(
            "Tested {at}. Required: passwords are off except for the way-back-in administrator."
        ),
    };
    let secret_hint = if s.configured {
        "Saved, never shown again. Leave empty to keep it; paste a new one to replace it."
    } else {
        "From your identity provider's app registration."
    };
    view! {
        <section class="card" aria-labelledby="sso-title">
            <h2 id="sso-title">"Single sign-on (OpenID Connect)"</h2>
            <p data-testid="sso-status">{status}</p>
            {refusal.map(|m| view! { <p class="error" role="alert">{m}</p> })}
            {tested_now.then(|| view! { <p class="success" role="status">"Test sign-in succeeded."</p> })}
            {(saved.as_deref() == Some("sso")).then(|| view! { <p class="success" role="status">"Single sign-on settings saved."</p> })}
            <p>"Register Roster at your identity provider as a web application with this redirect URI:"</p>
            <div class="field">
                <label for="redirect-uri">"Redirect URI (sign-in redirect URI)"</label>
                <input id="redirect-uri" type="text" readonly value=s.redirect_uri.clone()/>
            </div>
            <leptos::form::ActionForm action=actions.save>
                <div class="field">
                    <label for="sso-issuer">"Issuer URL"</label>
                    <input id="sso-issuer" name="issuer" type="url" required value=s.issuer.clone()
                        placeholder="https://acme.okta.com" aria-describedby="sso-issuer-hint"/>
                    <span class="hint" id="sso-issuer-hint">"Okta: https://<your domain>.okta.com (or its authorization server). Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0."</span>
                </div>
                <div class="field">
                    <label for="sso-client-id">"Client ID"</label>
                    <input id="sso-client-id" name="client_id" type="text" required value=s.client_id.clone()/>
                </div>
                <div class="field">
                    <label for="sso-client-secret">"Client secret"</label>
                    // Emptied after each save: the secret is never shown again.
                    <input id="sso-client-secret" name="client_secret" type="password" autocomplete="off"
                        required=!s.configured aria-describedby="sso-secret-hint"
                        prop:value=move || { actions.save.version().get(); String::new() }/>
                    <span class="hint" id="sso-secret-hint">{secret_hint}</span>
                </div>
                <button type="submit">"Save single sign-on settings"</button>
            </leptos::form::ActionForm>
            <p class="error" role="alert">{settings_error}</p>
            {s.configured.then(|| view! {
                <leptos::form::ActionForm action=test>
                    <button type="submit">"Test sign-in"</button>
                    <span class="hint">" Signs you in at your identity provider and back, without changing anything here. Required before SSO can be required."</span>
                </leptos::form::ActionForm>
            })}
            {s.configured.then(|| {
                let way_back = s.way_back_in;
                view! {
                    <leptos::form::ActionForm action=actions.policy attr:aria-label="Single sign-on policy">
                        <div class="field">
                            <label for="way-back-in">"Administrator kept on a password (the way back in)"</label>
                            <select id="way-back-in" name="way_back_in">
                                {s.administrators.iter().map(|(id, name)| view! {
                                    <option value=id.to_string() selected=way_back == Some(*id)>{name.clone()}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <label class="choice"><input type="checkbox" name="required" value="on" checked=s.required/>" Require SSO (passwords off for everyone else)"</label>
                        <label class="choice"><input type="checkbox" name="create_on_first_sign_in" value="on" checked=s.create_on_first_sign_in/>" Create an account on a first sign-in (with the seat policy below)"</label>
                        <button type="submit">"Save the sign-in policy"</button>
                    </leptos::form::ActionForm>
                }
            })}
            {(saved.as_deref() == Some("sso-policy")).then(|| view! { <p class="success" role="status">"Sign-in policy saved."</p> })}
        </section>
        <section class="card" aria-labelledby="domains-title">
            <h2 id="domains-title">"Email domains"</h2>
            <p>"Addresses on a domain your organization proved are trusted from your identity provider: they link members and may create accounts. Prove a domain with a TXT record at your DNS provider."</p>
            {if s.domains.is_empty() {
                view! { <p class="empty">"No domain yet."</p> }.into_any()
            } else {
                view! {
                    <table data-testid="sso-domains">
                        <thead><tr><th scope="col">"Domain"</th><th scope="col">"TXT record to publish"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>
                            {s.domains.into_iter().map(|d| {
                                let (verify_domain, remove_domain) = (d.domain.clone(), d.domain.clone());
                                view! {
                                    <tr>
                                        <td>{d.domain.clone()}</td>
                                        <td><code>{d.record_name}</code><br/><code data-testid="proof-value">{d.record_value}</code></td>
                                        <td>{if d.verified { "Verified" } else { "Not verified yet" }}</td>
                                        <td>
                                            {(!d.verified).then(|| view! {
                                                <leptos::form::ActionForm action=actions.verify attr:class="inline-form">
                                                    <input type="hidden" name="domain" value=verify_domain/>
                                                    <button type="submit">"Verify"</button>
                                                </leptos::form::ActionForm>
                                            })}
                                            <leptos::form::ActionForm action=actions.remove attr:class="inline-form">
                                                <input type="hidden" name="domain" value=remove_domain.clone()/>
                                                <button type="submit" class="danger" aria-label=format!("Remove {remove_domain}")>"Remove"</button>
                                            </leptos::form::ActionForm>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {(saved.as_deref() == Some("domain")).then(|| view! { <p class="success" role="status">"Domain verified."</p> })}
            <leptos::form::ActionForm action=actions.add attr:class="inline-form">
                <label for="new-domain">"Domain"</label>
                <input id="new-domain" name="domain" type="text" required placeholder="acme.com"/>
                <button type="submit">"Add domain"</button>
            </leptos::form::ActionForm>
            <p class="error" role="alert">{domain_error}</p>
        </section>
    }
}
