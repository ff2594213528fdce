//! The Identity page (administrators): how the company's identity provider connects —
//! the SCIM address and provisioning tokens, the seat policy for the members it creates,
//! which of its groups grant seats, and who waits on the seat waitlist. Every form works
//! before the page is interactive.

use crate::api::identity::{load_identity, SaveSeatPolicy, SetGroupGrants};
use crate::components::{Guarded, Loaded, Need};
use crate::domain::provisioning::SeatPolicy;
use crate::domain::Capability;
use crate::model::identity::{IdentityOverview, ProvisionedGroup};
use leptos::prelude::*;

#[component]
pub fn IdentityPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::ManageOrganization) title="Identity" page=|_viewer| view! { <IdentityBody/> }.into_any()/> }
}

#[component]
fn IdentityBody() -> impl IntoView {
    let policy = ServerAction::<SaveSeatPolicy>::new();
    let grants = ServerAction::<SetGroupGrants>::new();
    let overview = Resource::new_blocking(
        move || (policy.version().get(), grants.version().get()),
        |_| load_identity(),
    );
    view! {
        <h1>"Identity"</h1>
        <p class="subtitle">"Connect your company's identity provider (Okta, Microsoft Entra ID, JumpCloud…): it creates, updates and deactivates members and maps its groups to teams."</p>
        <Loaded resource=overview ready=move |o| view! { <Overview o policy grants/> }.into_any()/>
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
