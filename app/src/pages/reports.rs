//! Reports (SPEC rule 9) for the organization, a region or a team: counts, seats, each
//! program, a progress chart with its table, and the members; downloadable as CSV.
//! They need an administrator with an Enable seat (rule 7): others are told so.

use crate::api::licenses::{load_weekly_digest, SetWeeklyDigest};
use crate::api::reports::{load_report, report_csv};
use crate::components::load_blocking;
use crate::components::{download, interactive, Guarded, Need};
use crate::domain::report::{Distribution, ReportScope, PROGRESS_BUCKETS};
use crate::domain::Capability;
use crate::domain::Program;
use crate::model::reports::{Report, ReportAnswer, ScopeOption};
use crate::model::Viewer;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::SeeReports) title="Reports" page=|viewer| view! { <ReportsBody viewer/> }.into_any()/> }
}

#[component]
fn ReportsBody(viewer: Viewer) -> impl IntoView {
    let query = use_query_map();
    let scope = move || query.read().get("scope").unwrap_or_default();
    let report = load_blocking(scope, load_report);
    view! {
        <p><a href="/organization">"← Back to My Organization"</a></p>
        <h1>"Reports"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading the report…"</p> }>
            {move || {
                let me = viewer.member_id;
                Suspend::new(async move {
                    match report.await {
                        Ok(ReportAnswer::NeedsEnableSeat(reason)) => view! {
                            <section class="card notice" data-testid="reports-need-seat">
                                <h2>"Reports need an Enable seat"</h2>
                                <p>{reason}</p>
                                <p><a href=format!("/organization/members/{me}")>"Open your member page to take an Enable seat"</a></p>
                            </section>
                        }.into_any(),
                        Ok(ReportAnswer::Ready { report, scopes }) => view! { <ReportView report=*report scopes/> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
        <DigestSetting/>
    }
}

/// The weekly digest by email, for administrators and managers (their teams): a plain
/// form, so it works before the page is interactive.
#[component]
fn DigestSetting() -> impl IntoView {
    let action = ServerAction::<SetWeeklyDigest>::new();
    let on = load_blocking(move || action.version().get(), |_| load_weekly_digest());
    let saved = use_query_map().read_untracked().get("digest").is_some();
    view! {
        <crate::components::Loaded resource=on ready=move |on| view! {
            <section class="card" aria-labelledby="digest-title">
                <h2 id="digest-title">"Weekly digest"</h2>
                <leptos::form::ActionForm action=action attr:class="inline-form">
                    <label class="check">
                        <input type="checkbox" name="on" value="true" checked=on/>
                        " Email me a weekly digest: invitations accepted, pending and expired, members still below 10 %, completions, and (for administrators) seats left and the runway."
                    </label>
                    <button type="submit">"Save"</button>
                </leptos::form::ActionForm>
                <p role="status" data-testid="digest-status">
                    {move || (saved || matches!(action.value().get(), Some(Ok(())))).then(|| view! { <span class="success">"Saved."</span> })}
                    {move || action.value().get().and_then(Result::err).map(|e| view! { <span class="error">{e.to_string()}</span> })}
                </p>
            </section>
        }.into_any()/>
    }
}

#[component]
fn ReportView(report: Report, scopes: Vec<ScopeOption>) -> impl IntoView {
    let current = report.scope;
    let ready = interactive();
    let error = RwSignal::new(None::<String>);
    let file_stem = match current {
        ReportScope::Organization => "report-organization".to_owned(),
        ReportScope::Region(id) => format!("report-region-{id}"),
        ReportScope::Team(id) => format!("report-team-{id}"),
    };
    let fetch = move |kind: &'static str, file: String| {
        spawn_local(async move {
            match report_csv(current.as_param(), kind.to_owned()).await {
                Ok(text) => {
                    error.set(None);
                    download(&file, "text/csv;charset=utf-8", &text);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let (summary_file, members_file) = (
        format!("{file_stem}.csv"),
        format!("{file_stem}-members.csv"),
    );
    let shown = report.members.len() as i64;
    view! {
        <form method="get" action="/organization/reports" class="inline-form" aria-label="Choose a report">
            <label for="report-scope">"Report for"</label>
            <select id="report-scope" name="scope">
                {scopes.into_iter().map(|o| {
                    let selected = o.scope == current;
                    view! { <option value=o.scope.as_param() selected=selected>{o.label}</option> }
                }).collect_view()}
            </select>
            <button type="submit" class="primary">"Show report"</button>
        </form>
        <h2 data-testid="report-title">{report.title.clone()}</h2>
        <section class="stats" aria-label="Members and seats">
            <Figure label="Active" value=report.active.to_string()/>
            <Figure label="Invited" value=report.invited.to_string()/>
            <Figure label="Inactive" value=report.inactive.to_string()/>
            <Figure label="Enable seats held" value=report.enable_held.to_string()/>
            <Figure label="Enable licenses used" value=report.enable_used.to_string()/>
            <Figure label="Opportunity seats held" value=report.opportunity_held.to_string()/>
            <Figure label="Enrollments" value=report.enrollments.to_string()/>
            <Figure label="Average progress" value=report.average.to_string()/>
            <Figure label="Completions" value=report.completions.to_string()/>
        </section>
        <div class="page-actions" data-interactive=move || ready.get().to_string()>
            <button type="button" on:click=move |_| fetch("summary", summary_file.clone())>"Download report (CSV)"</button>
            <button type="button" on:click=move |_| fetch("members", members_file.clone())>"Download member table (CSV)"</button>
        </div>
        <p class="error" role="alert">{move || error.get()}</p>
        <section class="report-chart card" aria-labelledby="distribution-title">
            <h3 id="distribution-title">"Progress distribution (enrollments)"</h3>
            <div class="chart-and-table">
                <Chart distribution=report.distribution/>
                <table data-testid="distribution-table">
                    <thead><tr><th scope="col">"Progress"</th><th scope="col">"Enrollments"</th></tr></thead>
                    <tbody>
                        {PROGRESS_BUCKETS.iter().zip(report.distribution.0).map(|((label, _, _), n)| view! {
                            <tr><th scope="row">{*label}</th><td>{n}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <h3 id="programs-title">"Programs"</h3>
        <div class="table-wrap" tabindex="0">
            <table aria-labelledby="programs-title" data-testid="program-table">
                <thead><tr><th scope="col">"Program"</th><th scope="col">"Enrolled"</th><th scope="col">"Average progress"</th><th scope="col">"Completions"</th></tr></thead>
                <tbody>
                    {report.programs.iter().map(|l| view! {
                        <tr><th scope="row">{l.program.name()}</th><td>{l.enrolled}</td><td>{l.average.to_string()}</td><td>{l.completions}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h3 id="report-members-title">"Members"</h3>
        {if report.members.is_empty() {
            view! { <section class="card notice"><p>"Nobody is in this report yet. Assign members to teams on the member list."</p></section> }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0">
                    <table class="report-members" aria-labelledby="report-members-title" data-testid="report-members">
                        <thead><tr>
                            <th scope="col">"Name"</th><th scope="col">"Team"</th><th scope="col">"Billing status"</th>
                            {Program::ALL.iter().map(|p| view! { <th scope="col">{p.name()}</th> }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {report.members.iter().map(|m| view! {
                                <tr>
                                    <th scope="row"><a href=format!("/organization/members/{}", m.member_id)>{format!("{} {}", m.first_name, m.last_name)}</a></th>
                                    <td>{m.team.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td>{m.status.billing_label()}</td>
                                    {m.progress.iter().map(|p| view! { <td>{p.map_or_else(|| "—".to_owned(), |p| p.to_string())}</td> }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {(shown < report.members_total).then(|| view! {
                    <p class="hint">{format!("Showing the first {shown} of {} members by name; the member table download has them all.", report.members_total)}</p>
                })}
            }.into_any()
        }}
    }
}

#[component]
fn Figure(label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="stat">
            <span class="stat-value">{value}</span>
            <span class="stat-label">{label}</span>
        </div>
    }
}

/// A horizontal bar chart of the distribution, drawn as SVG. The table beside it carries
/// the same numbers for screen readers and for copying.
#[component]
fn Chart(distribution: Distribution) -> impl IntoView {
    const ROW: f64 = 34.0;
    const LABEL: f64 = 80.0;
    const BAR: f64 = 300.0;
    let largest = distribution.largest() as f64;
    let height = ROW * PROGRESS_BUCKETS.len() as f64;
    let summary = PROGRESS_BUCKETS
        .iter()
        .zip(distribution.0)
        .map(|((label, _, _), n)| format!("{label}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <svg class="chart" viewBox=format!("0 0 {} {height}", LABEL + BAR + 60.0) role="img"
            aria-label=format!("Enrollments by progress: {summary}") data-testid="distribution-chart">
            {PROGRESS_BUCKETS.iter().zip(distribution.0).enumerate().map(|(i, ((label, _, _), n))| {
                let y = i as f64 * ROW;
                let width = (n as f64 / largest * BAR).max(if n > 0 { 2.0 } else { 0.0 });
                view! {
                    <g class=format!("bucket bucket-{i}")>
                        <text x="0" y=y + ROW * 0.62 class="chart-label">{*label}</text>
                        <rect x=LABEL y=y + 6.0 width=width height=ROW - 12.0 rx="3"></rect>
                        <text x=LABEL + width + 6.0 y=y + ROW * 0.62 class="chart-value">{n}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}
