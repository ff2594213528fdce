//! The report of a 100,000-member organization (or `BENCH_MEMBERS`) with enrollments: the whole organization,
//! one region and one team — against a reference in the same run, the cheapest aggregate
//! over the same rows (counting the organization's enrollments).
//!
//! Run: `scripts/bench.sh reports` (or `cargo bench -p server --bench reports` with
//! DATABASE_URL pointing at a server where a database may be created).

mod support;

use app::domain::report::ReportScope;
use app::server::reports::{report as build_report, MEMBERS_SHOWN};
use support::{measure, report, seed};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = server::db::scratch_database(&base, "roster_bench_reports").await?;
    let members = support::members();
    let org = seed(&pool, members, true).await?;
    let enrollments: i64 = sqlx::query_scalar("SELECT count(*) FROM enrollments")
        .fetch_one(&pool)
        .await?;
    let (region, team): (i64, i64) = sqlx::query_as(
        "SELECT region_id, id FROM teams WHERE organization_id = $1 ORDER BY id LIMIT 1",
    )
    .bind(org)
    .fetch_one(&pool)
    .await?;
    let viewer = app::domain::Access::operator(org, "Bench", "bench");

    println!(
        "reports, {members} members, {enrollments} enrollments, {} runs each (median / p95)",
        support::RUNS
    );
    let floor = support::enrollments_counted(&pool, org).await;
    report("reference: count the org's enrollments", floor, None);
    for (label, scope) in [
        ("organization report", ReportScope::Organization),
        ("region report (all 20 teams)", ReportScope::Region(region)),
        ("team report (1 of 20 teams)", ReportScope::Team(team)),
    ] {
        let first = build_report(&pool, &viewer, scope, MEMBERS_SHOWN).await?;
        let timing = measure(|| async {
            build_report(&pool, &viewer, scope, MEMBERS_SHOWN)
                .await
                .map(|_| ())
        })
        .await;
        report(label, timing, Some(first.members_total));
    }
    Ok(())
}
