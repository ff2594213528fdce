//! The Licenses page: the license ledger answering for any date — bought, held, used and
//! free — the twelve months' peaks a renewal is sized on (drawn as a chart), every seat
//! event with filters, and the export. The filters are a plain GET form: the page works
//! before hydration and its address can be shared.

use crate::api::licenses::{export_licenses, load_licenses};
use crate::components::load_blocking;
use crate::components::{save_export, Guarded, Loaded, Need};
use crate::domain::licenses::{Counts, LicenseEvent, MonthPeak};
use crate::domain::{Capability, SeatKind};
use crate::model::licenses::{LedgerFilter, LedgerLine, LicensesOverview};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LicensesPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::ManageOrganization) title="Licenses" page=|_viewer| view! { <LicensesBody/> }.into_any()/> }
}

/// The page's question, from its address.
fn asked() -> Memo<(String, LedgerFilter)> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        (
            get("as_of"),
            LedgerFilter {
                seat: get("seat"),
                event: get("event"),
                from: get("from"),
                to: get("to"),
            },
        )
    })
}

#[component]
fn LicensesBody() -> impl IntoView {
    let asked = asked();
    let overview = load_blocking(
        move || asked.get(),
        |(as_of, filter)| load_licenses(as_of, filter),
    );
    view! {
        <p><a href="/organization/seats">"← Back to Seats"</a></p>
        <h1>"Licenses"</h1>
        <p class="subtitle">"Every seat event since your organization began: what was bought, held and used on any date, and each month's peak — what a renewal is sized on."</p>
        <Loaded resource=overview ready=move |o| view! { <Overview o asked/> }.into_any()/>
    }
}

#[component]
fn Overview(o: LicensesOverview, asked: Memo<(String, LedgerFilter)>) -> impl IntoView {
    let (_, filter) = asked.get_untracked();
    let shown = o.lines.len() as i64;
    view! {
        <form method="get" action="/organization/licenses" class="inline-form card" aria-label="Licenses on a date">
            <div class="field">
                <label for="as-of">"On the date"</label>
                <input id="as-of" name="as_of" type="date" value=o.as_of.clone()/>
            </div>
            <input type="hidden" name="seat" value=filter.seat.clone()/>
            <input type="hidden" name="event" value=filter.event.clone()/>
            <input type="hidden" name="from" value=filter.from.clone()/>
            <input type="hidden" name="to" value=filter.to.clone()/>
            <button type="submit">"Show"</button>
        </form>
        <div class="table-wrap" tabindex="0">
            <table data-testid="licenses-on-date">
                <caption>{format!("Licenses at the end of {} (UTC)", o.as_of)}</caption>
                <thead><tr><th scope="col">"Seat"</th><th scope="col">"Bought"</th><th scope="col">"Held"</th><th scope="col">"Used (progress ≥ 10 %)"</th><th scope="col">"Free"</th></tr></thead>
                <tbody>
                    <CountsRow kind=SeatKind::Enable counts=o.enable/>
                    <CountsRow kind=SeatKind::Opportunity counts=o.opportunity/>
                </tbody>
            </table>
        </div>
        <h2 id="peaks-title">"Monthly peaks"</h2>
        <p class="hint">"The most Enable seats held and licenses used at any moment of each month, against what was bought."</p>
        <PeaksChart peaks=o.enable_peaks.clone()/>
        <div class="table-wrap" tabindex="0">
            <table aria-labelledby="peaks-title" data-testid="monthly-peaks">
                <thead><tr>
                    <th scope="col">"Month"</th><th scope="col">"Enable bought"</th><th scope="col">"Enable peak held"</th>
                    <th scope="col">"Enable peak used"</th><th scope="col">"Opportunity bought"</th><th scope="col">"Opportunity peak held"</th>
                </tr></thead>
                <tbody>{o.enable_peaks.iter().zip(o.opportunity_peaks.iter()).rev().map(|(e, p)| view! {
                    <tr>
                        <th scope="row">{e.label()}</th>
                        <td>{e.bought}</td><td>{e.peak_held}</td><td>{e.peak_used}</td>
                        <td>{p.bought}</td><td>{p.peak_held}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
        </div>
        <h2 id="events-title">"Seat events"</h2>
        <Filters as_of=o.as_of.clone() filter=filter.clone()/>
        <ExportButtons as_of=o.as_of.clone() filter/>
        {if o.lines.is_empty() {
            view! { <section class="card notice"><p>"No seat event matches these filters."</p></section> }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0">
                    <table aria-labelledby="events-title" data-testid="ledger-lines">
                        <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Member"</th><th scope="col">"Seat"</th><th scope="col">"What happened"</th><th scope="col">"By"</th><th scope="col">"Detail"</th></tr></thead>
                        <tbody>{o.lines.into_iter().map(|l| view! { <Line l/> }).collect_view()}</tbody>
                    </table>
                </div>
                {(o.lines_total > shown).then(|| view! {
                    <p class="hint">{format!("Showing the newest {shown} of {} events; the export holds them all.", o.lines_total)}</p>
                })}
            }.into_any()
        }}
    }
}

#[component]
fn CountsRow(kind: SeatKind, counts: Counts) -> impl IntoView {
    let key = kind.key();
    view! {
        <tr>
            <th scope="row">{kind.label()}</th>
            <td data-testid=format!("{key}-bought")>{counts.bought}</td>
            <td data-testid=format!("{key}-held")>{counts.held}</td>
            <td data-testid=format!("{key}-used")>{if kind == SeatKind::Enable { counts.used.to_string() } else { "—".into() }}</td>
            <td data-testid=format!("{key}-free")>{counts.free()}</td>
        </tr>
    }
}

/// Bars of each month's peak held (and used, darker) under a line at what was bought.
#[component]
fn PeaksChart(peaks: Vec<MonthPeak>) -> impl IntoView {
    let top = peaks
        .iter()
        .map(|p| p.bought.max(p.peak_held))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (width, height, bar) = (600.0, 160.0, 600.0 / peaks.len().max(1) as f64);
    let y = move |n: i64| height - (n as f64 / top) * (height - 10.0);
    let summary = peaks
        .last()
        .map(|p| {
            format!(
                "Enable seats, last twelve months: in {} the peak held was {} and the peak used {}, of {} bought.",
                p.label(),
                p.peak_held,
                p.peak_used,
                p.bought
            )
        })
        .unwrap_or_default();
    view! {
        <figure class="peaks-chart">
            <svg viewBox=format!("0 0 {width} {}", height + 20.0) role="img" aria-label=summary.clone() width="100%">
                {peaks.iter().enumerate().map(|(i, p)| {
                    let x = i as f64 * bar;
                    view! {
                        <g>
                            <title>{format!("{}: peak held {}, peak used {}, bought {}", p.label(), p.peak_held, p.peak_used, p.bought)}</title>
                            <rect x=x + 4.0 y=y(p.peak_held) width=bar - 8.0 height=height - y(p.peak_held) class="bar held"/>
                            <rect x=x + 4.0 y=y(p.peak_used) width=bar - 8.0 height=height - y(p.peak_used) class="bar used"/>
                            <line x1=x x2=x + bar y1=y(p.bought) y2=y(p.bought) class="bought"/>
                            <text x=x + bar / 2.0 y=height + 15.0 text-anchor="middle" class="axis">{p.label()}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
            <figcaption class="hint">{summary}" Light bars: peak held; dark bars: peak used; line: bought."</figcaption>
        </figure>
    }
}

#[component]
fn Filters(as_of: String, filter: LedgerFilter) -> impl IntoView {
    view! {
        <form method="get" action="/organization/licenses" class="inline-form" aria-label="Filter seat events">
            <input type="hidden" name="as_of" value=as_of/>
            <div class="field">
                <label for="filter-seat">"Seat"</label>
                <select id="filter-seat" name="seat">
                    <option value="" selected=filter.seat.is_empty()>"Both"</option>
                    {SeatKind::ALL.map(|k| view! { <option value=k.key() selected=filter.seat == k.key()>{k.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-event">"Event"</label>
                <select id="filter-event" name="event">
                    <option value="" selected=filter.event.is_empty()>"All"</option>
                    {LicenseEvent::ALL.map(|e| view! { <option value=e.key() selected=filter.event == e.key()>{e.words()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-from">"From"</label>
                <input id="filter-from" name="from" type="date" value=filter.from/>
            </div>
            <div class="field">
                <label for="filter-to">"To"</label>
                <input id="filter-to" name="to" type="date" value=filter.to/>
            </div>
            <button type="submit">"Filter"</button>
        </form>
    }
}

#[component]
fn Line(l: LedgerLine) -> impl IntoView {
    view! {
        <tr>
            <td>{l.at}</td>
            <td>{match l.member_id {
                Some(id) => view! { <a href=format!("/organization/members/{id}")>{l.member}</a> }.into_any(),
                None => "—".into_any(),
            }}</td>
            <td>{SeatKind::parse(&l.seat).map(|k| k.label()).unwrap_or("")}</td>
            <td>{l.words}</td>
            <td>{l.by}</td>
            <td>{l.detail}</td>
        </tr>
    }
}

#[component]
fn ExportButtons(as_of: String, filter: LedgerFilter) -> impl IntoView {
    let busy = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let (as_of, filter) = (StoredValue::new(as_of), StoredValue::new(filter));
    let export = move |format: &'static str| {
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            let answer =
                export_licenses(as_of.get_value(), filter.get_value(), format.to_owned()).await;
            message.set(save_export(answer).err());
            busy.set(false);
        });
    };
    view! {
        <div class="export" role="group" aria-label="Export the seat events">
            <button type="button" disabled=move || busy.get() on:click=move |_| export("csv")>"Export CSV"</button>
            <button type="button" disabled=move || busy.get() on:click=move |_| export("xlsx")>"Export Excel"</button>
            <span class="hint">" The events these filters match; the Excel file adds the counts on the date and the monthly peaks."</span>
            <span class="error" role="alert">{move || message.get()}</span>
        </div>
    }
}
