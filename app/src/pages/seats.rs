//! The Seats page: each pool bought, held, used and free; who holds each seat and why it
//! counts; the seat counts bought, edited with a plain form (works before hydration).

use crate::api::seats::{load_seats, SetSeatsBought};
use crate::components::{url_error, Access, Guarded};
use crate::domain::SeatPool;
use crate::model::seats::{SeatHolder, SeatOverview};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SeatsPage() -> impl IntoView {
    view! { <Guarded access=Access::Admin page=|_viewer| view! { <SeatsBody/> }.into_any()/> }
}

#[component]
fn SeatsBody() -> impl IntoView {
    let action = ServerAction::<SetSeatsBought>::new();
    let seats = Resource::new_blocking(move || action.version().get(), |_| load_seats());
    view! {
        <p><a href="/organization">"← Back to My Organization"</a></p>
        <h1>"Seats"</h1>
        <p class="subtitle">"Licenses bought, who holds them, and why each one counts."</p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match seats.await {
                    Ok(overview) => view! { <Overview overview action/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(overview: SeatOverview, action: ServerAction<SetSeatsBought>) -> impl IntoView {
    let shown = overview.holders.len() as i64;
    let limited = shown >= overview.holders_limit;
    view! {
        <div class="table-wrap">
            <table data-testid="seat-counts">
                <caption>"Seats by kind"</caption>
                <thead><tr><th scope="col">"Seat"</th><th scope="col">"Bought"</th><th scope="col">"Held"</th><th scope="col">"Used (progress ≥ 10 %)"</th><th scope="col">"Free"</th></tr></thead>
                <tbody>
                    <PoolRow pool=overview.enable used=Some(overview.enable_used)/>
                    <PoolRow pool=overview.opportunity used=None/>
                </tbody>
            </table>
        </div>
        <BoughtForm enable=overview.enable opportunity=overview.opportunity action/>
        <h2 id="holders-title">"Who holds a seat"</h2>
        {if overview.holders.is_empty() {
            view! { <section class="card notice"><p>"Nobody holds a seat yet. Give seats when you invite members, or on a member's page."</p></section> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table aria-labelledby="holders-title" data-testid="seat-holders">
                        <thead><tr><th scope="col">"Member"</th><th scope="col">"Billing status"</th><th scope="col">"Enable seat: why it counts"</th><th scope="col">"Opportunity seat: why it counts"</th></tr></thead>
                        <tbody>{overview.holders.into_iter().map(|h| view! { <HolderRow h/> }).collect_view()}</tbody>
                    </table>
                </div>
                {limited.then(|| view! { <p class="hint">{format!("Showing the first {shown} holders by name; the counts above cover everyone.")}</p> })}
            }.into_any()
        }}
    }
}

#[component]
fn PoolRow(pool: SeatPool, used: Option<i64>) -> impl IntoView {
    let kind = pool.kind.label();
    let key = kind.to_lowercase();
    view! {
        <tr>
            <th scope="row">{kind}</th>
            <td data-testid=format!("{key}-bought")>{pool.bought}</td>
            <td data-testid=format!("{key}-held")>{pool.held}</td>
            <td data-testid=format!("{key}-used")>{used.map_or_else(|| "—".to_owned(), |u| u.to_string())}</td>
            <td data-testid=format!("{key}-free")>{pool.free()}</td>
        </tr>
    }
}

#[component]
fn HolderRow(h: SeatHolder) -> impl IntoView {
    view! {
        <tr>
            <th scope="row"><a href=format!("/organization/members/{}", h.member_id)>{h.name}</a><br/><span class="hint">{h.email}</span></th>
            <td>{h.status.billing_label()}</td>
            <td>{h.enable_reason.unwrap_or_else(|| "—".into())}</td>
            <td>{h.opportunity_reason.unwrap_or_else(|| "—".into())}</td>
        </tr>
    }
}

/// Seats bought: a plain form posted to the server function, so it works before the
/// page is interactive; a refusal comes back in the address and shows by its field.
#[component]
fn BoughtForm(
    enable: SeatPool,
    opportunity: SeatPool,
    action: ServerAction<SetSeatsBought>,
) -> impl IntoView {
    let query = use_query_map();
    let saved = query.read_untracked().get("saved").is_some();
    let initial_error = StoredValue::new(url_error());
    let error = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| initial_error.get_value())
    };
    let field_error = move |name: &'static str| move || error().and_then(|e| e.for_field(name));
    let done = move || saved || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card" aria-labelledby="bought-title">
            <h2 id="bought-title">"Seats bought"</h2>
            <ActionForm action=action attr:class="inline-form">
                <div class="field">
                    <label for="enable_seats">"Enable seats"</label>
                    <input id="enable_seats" name="enable_seats" type="number" min="0" step="1" required value=enable.bought
                        aria-describedby="enable_seats-error"/>
                    <span class="error" id="enable_seats-error" role="alert">{field_error("enable_seats")}</span>
                </div>
                <div class="field">
                    <label for="opportunity_seats">"Opportunity seats"</label>
                    <input id="opportunity_seats" name="opportunity_seats" type="number" min="0" step="1" required value=opportunity.bought
                        aria-describedby="opportunity_seats-error"/>
                    <span class="error" id="opportunity_seats-error" role="alert">{field_error("opportunity_seats")}</span>
                </div>
                <button type="submit" class="primary">"Save seat counts"</button>
            </ActionForm>
            <p class="hint">"Never below the seats members hold. To go lower, free seats first (Free unused licenses on the member list)."</p>
            <p role="status" data-testid="bought-status">
                {move || done().then(|| view! { <span class="success">"Seat counts saved."</span> })}
                {move || error().filter(|e| e.for_field("enable_seats").is_none() && e.for_field("opportunity_seats").is_none())
                    .map(|e| view! { <span class="error">{e.to_string()}</span> })}
            </p>
        </section>
    }
}
