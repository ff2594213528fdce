//! The license ledger of a 100,000-member organization (or `BENCH_MEMBERS`) with a year
//! of history: the Licenses page (counts on a date, the twelve months' peaks, the newest
//! lines) from the ledger's daily sums, against references in the same run: a plain
//! count of the live tables, and every line before the date summed.
//!
//! Run: `scripts/bench.sh licenses` (or `cargo bench -p server --bench licenses` with
//! DATABASE_URL pointing at a server where a database may be created).

mod support;

use support::{measure, report, seed};
use time::{Duration, OffsetDateTime};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = server::db::scratch_database(&base, "roster_bench_licenses").await?;
    let members = support::members();
    let org = seed(&pool, members, false).await?;
    support::seed_ledger(&pool, org, members).await?;
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM license_events WHERE organization_id = $1")
            .bind(org)
            .fetch_one(&pool)
            .await?;
    let access = app::domain::Access::operator(org, "Bench", "bench");
    println!(
        "licenses, {members} members, {events} ledger lines over a year, {} runs each (median / p95)",
        support::RUNS
    );
    let live = support::live_seats_counted(&pool, org).await;
    report("reference: count the live tables", live, None);
    let past = OffsetDateTime::now_utc() - Duration::days(180);
    let summed = measure(|| async {
        let mut conn = pool.acquire().await?;
        app::server::ledger::counts_before(&mut conn, org, past)
            .await
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await;
    report(
        "reference: every line before 180 days ago summed",
        summed,
        None,
    );
    // The worker's daily sums, from nothing (as after the upgrade), a month per pass.
    support::summarize_ledger(&pool, org).await?;
    let date = past.date().to_string();
    report(
        "the Licenses page as of 180 days ago",
        support::licenses_page(&pool, &access, &date).await,
        None,
    );
    report(
        "the Licenses page today (counts, peaks, 200 lines)",
        support::licenses_page(&pool, &access, "").await,
        None,
    );
    Ok(())
}
