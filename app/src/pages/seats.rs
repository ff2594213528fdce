//! The Seats page: each pool bought, held, used and free; who holds each seat and why it
//! counts. Seats bought are the vendor's to set: administrators ask for more with a plain
//! form (works before hydration) and see each request's state.

use crate::api::seats::{load_seats, RequestSeats};
use crate::components::load_blocking;
use crate::components::{url_error, Guarded, Loaded, Need};
use crate::domain::Capability;
use crate::domain::{SeatKind, SeatPool};
use crate::model::licenses::SeatOutlook;
use crate::model::seats::{SeatHolder, SeatOverview, SeatRequestRow};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SeatsPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::ManageOrganization) title="Seats" page=|_viewer| view! { <SeatsBody/> }.into_any()/> }
}

#[component]
fn SeatsBody() -> impl IntoView {
    let action = ServerAction::<RequestSeats>::new();
    let seats = load_blocking(move || action.version().get(), |_| load_seats());
    view! {
        <p><a href="/organization">"← Back to My Organization"</a></p>
        <h1>"Seats"</h1>
        <p class="subtitle">"Licenses bought, who holds them, and why each one counts."</p>
        <crate::components::SeatBanner version=RwSignal::new(0)/>
        <p><a href="/organization/licenses">"Licenses over time: any date, monthly peaks, every seat event →"</a></p>
        <Loaded resource=seats ready=move |overview| view! { <Overview overview action/> }.into_any()/>
    }
}

#[component]
fn Overview(overview: SeatOverview, action: ServerAction<RequestSeats>) -> impl IntoView {
    let shown = overview.holders.len() as i64;
    let limited = shown >= overview.holders_limit;
    view! {
        <div class="table-wrap" tabindex="0">
            <table data-testid="seat-counts">
                <caption>"Seats by kind"</caption>
                <thead><tr><th scope="col">"Seat"</th><th scope="col">"Bought"</th><th scope="col">"Held"</th><th scope="col">"Used (progress ≥ 10 %)"</th><th scope="col">"Free"</th></tr></thead>
                <tbody>
                    <PoolRow pool=overview.enable used=Some(overview.enable_used)/>
                    <PoolRow pool=overview.opportunity used=None/>
                </tbody>
            </table>
        </div>
        <p class="hint">"Seats bought are set by your Roster vendor, as per your contract. Need more? Ask below: the request goes to the vendor and shows here as granted once your seats rise."</p>
        <Outlook outlook=overview.outlook free=overview.enable.free()/>
        <RequestForm action/>
        <Requests requests=overview.requests/>
        <h2 id="holders-title">"Who holds a seat"</h2>
        {if overview.holders.is_empty() {
            view! { <section class="card notice"><p>"Nobody holds a seat yet. Give seats when you invite members, or on a member's page."</p></section> }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0">
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

/// Request more seats: a plain form posted to the server function, so it works before the
/// page is interactive; a refusal comes back in the address and shows by its field.
#[component]
fn RequestForm(action: ServerAction<RequestSeats>) -> impl IntoView {
    let query = use_query_map();
    let requested = query.read_untracked().get("requested").is_some();
    let initial_error = StoredValue::new(url_error());
    let error = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| initial_error.get_value())
    };
    let field_error = move |name: &'static str| move || error().and_then(|e| e.for_field(name));
    let done = move || requested || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card" aria-labelledby="request-title">
            <h2 id="request-title">"Request more seats"</h2>
            <ActionForm action=action attr:class="inline-form">
                <div class="field">
                    <label for="request-kind">"Seat"</label>
                    <select id="request-kind" name="kind">
                        {SeatKind::ALL.into_iter().map(|k| view! { <option value=k.key()>{k.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="request-seats">"How many more"</label>
                    <input id="request-seats" name="seats" type="number" min="1" max="100000" step="1" required
                        aria-describedby="seats-error"/>
                    <span class="error" id="seats-error" role="alert">{field_error("seats")}</span>
                </div>
                <div class="field grow">
                    <label for="request-note">"Note for the vendor (optional)"</label>
                    <input id="request-note" name="note" type="text" maxlength="1000" placeholder="For the new EMEA team, from March"
                        aria-describedby="note-error"/>
                    <span class="error" id="note-error" role="alert">{field_error("note")}</span>
                </div>
                <button type="submit" class="primary">"Send request"</button>
            </ActionForm>
            <p role="status" data-testid="request-status">
                {move || done().then(|| view! { <span class="success">"Request sent to the vendor."</span> })}
                {move || error().filter(|e| e.for_field("seats").is_none() && e.for_field("note").is_none())
                    .map(|e| view! { <span class="error">{e.to_string()}</span> })}
            </p>
        </section>
    }
}

/// Requests sent, with their state.
#[component]
fn Requests(requests: Vec<SeatRequestRow>) -> impl IntoView {
    (!requests.is_empty()).then(|| view! {
        <div class="table-wrap" tabindex="0">
            <table data-testid="seat-requests">
                <caption>"Requests for more seats"</caption>
                <thead><tr><th scope="col">"Sent"</th><th scope="col">"Seats"</th><th scope="col">"By"</th><th scope="col">"Note"</th><th scope="col">"State"</th></tr></thead>
                <tbody>{requests.into_iter().map(|r| view! {
                    <tr>
                        <td>{r.at}</td>
                        <td>{format!("{} {}", r.seats, r.kind.label())}</td>
                        <td>{r.by}</td>
                        <td>{r.note}</td>
                        <td>{match r.granted_at {
                            Some(at) => format!("Granted {at}"),
                            None => "Requested".to_owned(),
                        }}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    })
}

/// Who is about to use a license, and when free Enable seats run out at the recent rate.
#[component]
fn Outlook(outlook: SeatOutlook, free: i64) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="outlook-title" data-testid="seat-outlook">
            <h2 id="outlook-title">"Coming up"</h2>
            <p data-testid="runway">{match (&outlook.runway_days, &outlook.runway_date) {
                (Some(days), Some(date)) => format!(
                    "Runway: at the last 30 days' rate ({} Enable seat{} taken by invitations and grants or licenses used), the {free} free Enable seat{} last about {days} day{}, until {date}.",
                    outlook.taken_last_30_days,
                    if outlook.taken_last_30_days == 1 { "" } else { "s" },
                    if free == 1 { "" } else { "s" },
                    if *days == 1 { "" } else { "s" },
                ),
                _ => format!("Runway: no Enable seat was taken in the last 30 days, so the {free} free seat{} are not running out.", if free == 1 { "" } else { "s" }),
            }}</p>
            <h3>"About to use a license"</h3>
            {if outlook.about_to_use.is_empty() {
                view! { <p class="hint">"Nobody is between 5 % and 10 % on a program: no license is about to become used."</p> }.into_any()
            } else {
                view! {
                    <p class="hint">"Between 5 % and 10 % on a program: at 10 % their license is used and their Enable seat can no longer be freed."</p>
                    <div class="table-wrap" tabindex="0">
                        <table data-testid="about-to-use">
                            <thead><tr><th scope="col">"Member"</th><th scope="col">"Program"</th><th scope="col">"Progress"</th></tr></thead>
                            <tbody>{outlook.about_to_use.into_iter().map(|a| view! {
                                <tr>
                                    <th scope="row"><a href=format!("/organization/members/{}", a.member_id)>{a.name}</a><br/><span class="hint">{a.email}</span></th>
                                    <td>{a.program}</td>
                                    <td>{a.progress}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
