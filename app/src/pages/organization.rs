use crate::api::organization::{
    list_members, organization_overview, MemberPage, MemberRow, OrganizationSummary,
};
use crate::components::{Access, Guarded};
use crate::domain::{MemberStatus, SeatPool};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// My Organization: who is in the organization, and how its seats are used.
#[component]
pub fn OrganizationPage() -> impl IntoView {
    view! { <Guarded access=Access::Admin page=|_viewer| view! { <OrganizationBody/> }.into_any()/> }
}

#[component]
fn OrganizationBody() -> impl IntoView {
    let query = use_query_map();
    let cursor = move || {
        let q = query.read();
        let number = |key: &str| q.get(key).and_then(|v| v.parse::<i64>().ok());
        (number("after"), number("before"))
    };
    let overview = Resource::new_blocking(|| (), |_| organization_overview());
    let members = Resource::new_blocking(cursor, |(after, before)| list_members(after, before));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <Header overview/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p class="loading">"Loading members…"</p> }>
            {move || Suspend::new(async move {
                match members.await {
                    Ok(page) => view! { <MemberTable page/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Header(overview: OrganizationSummary) -> impl IntoView {
    view! {
        <h1>"My Organization"</h1>
        <p class="subtitle">{overview.name.clone()}</p>
        <section class="stats" aria-label="Members by billing status">
            <Stat label="Active" value=overview.active testid="count-active"/>
            <Stat label="Invited" value=overview.invited testid="count-invited"/>
            <Stat label="Inactive" value=overview.inactive testid="count-inactive"/>
        </section>
        <section class="stats" aria-label="Seats">
            <Seats pool=overview.enable testid="seats-enable"/>
            <Seats pool=overview.opportunity testid="seats-opportunity"/>
        </section>
    }
}

#[component]
fn Stat(label: &'static str, value: i64, testid: &'static str) -> impl IntoView {
    view! {
        <div class="stat">
            <span class="stat-value" data-testid=testid>{value}</span>
            <span class="stat-label">{label}</span>
        </div>
    }
}

#[component]
fn Seats(pool: SeatPool, testid: &'static str) -> impl IntoView {
    let percent = if pool.bought > 0 {
        pool.held * 100 / pool.bought
    } else {
        0
    };
    let label = format!("{} seats", pool.kind.label());
    view! {
        <div class="stat seats" data-testid=testid>
            <span class="stat-label">{label.clone()}</span>
            <span class="stat-value">
                <span data-testid=format!("{testid}-used")>{pool.held}</span>
                " used · "
                <span data-testid=format!("{testid}-free")>{pool.free()}</span>
                " free"
            </span>
            <progress max=pool.bought.max(1) value=pool.held aria-label=format!("{label} in use")>
                {format!("{percent} %")}
            </progress>
            <span class="hint">{format!("{} bought", pool.bought)}</span>
        </div>
    }
}

#[component]
fn MemberTable(page: MemberPage) -> impl IntoView {
    if page.rows.is_empty() {
        return view! {
            <section class="card notice" data-testid="members-empty">
                <h2>"No members yet"</h2>
                <p>"Invite your team to get started: each member gets an email with a link to set their password."</p>
            </section>
        }
        .into_any();
    }
    let before = page.before.map(|id| format!("?before={id}"));
    let after = page.after.map(|id| format!("?after={id}"));
    view! {
        <section aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            <div class="table-wrap">
                <table class="members" data-testid="members-table">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Job title"</th>
                            <th scope="col">"Permission"</th>
                            <th scope="col">"Billing status"</th>
                            <th scope="col">"Seats"</th>
                            <th scope="col">"Team"</th>
                        </tr>
                    </thead>
                    <tbody>{page.rows.into_iter().map(|row| view! { <Row row/> }).collect_view()}</tbody>
                </table>
            </div>
            <nav class="pager" aria-label="Member pages">
                {before.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
                {after.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
            </nav>
        </section>
    }
    .into_any()
}

#[component]
fn Row(row: MemberRow) -> impl IntoView {
    let status_class = match row.status {
        MemberStatus::Active => "badge ok",
        MemberStatus::Invited => "badge pending",
        MemberStatus::Deactivated => "badge off",
    };
    let seats = [
        (row.enable_seat, "Enable"),
        (row.opportunity_seat, "Opportunity"),
    ]
    .into_iter()
    .filter(|(held, _)| *held)
    .map(|(_, name)| name)
    .collect::<Vec<_>>()
    .join(", ");
    view! {
        <tr>
            <td>{format!("{} {}", row.first_name, row.last_name)}</td>
            <td>{row.email}</td>
            <td>{row.job_title}</td>
            <td>{row.permission.label()}</td>
            <td><span class=status_class>{row.status.billing_label()}</span></td>
            <td>{if seats.is_empty() { "—".to_owned() } else { seats }}</td>
            <td>{row.team.unwrap_or_else(|| "—".to_owned())}</td>
        </tr>
    }
}
