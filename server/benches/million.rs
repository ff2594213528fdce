//! A million members (issue 25, target 4), besides the member list (`member_list` with
//! `BENCH_MEMBERS=1000000`): the organization report, the Licenses page's answer on a past
//! date, and an identity provider's `GET /Users?filter=userName eq …` over HTTP — each
//! beside a reference in the same run.
//!
//! Run: `scripts/bench.sh million` (or `cargo bench -p server --bench million` with
//! DATABASE_URL pointing at a server where a database may be created; `BENCH_MEMBERS`
//! changes the size).

mod support;

use app::domain::report::ReportScope;
use app::domain::{Access, KeyScope};
use app::server::reports::{report as build_report, MEMBERS_SHOWN};
use std::time::{Duration, Instant};
use support::{measure, report, seed};
use time::OffsetDateTime;

/// Look-ups timed for the SCIM percentiles (one at a time, after 50 to warm up).
const LOOKUPS: usize = 2_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let members = support::members().max(1_000_000);
    // Seeding a million members with their enrollments and ledger takes about five
    // minutes here: a database left by an earlier run of the same size is used again.
    let (pool, org) = match seeded_before(&base, members).await {
        Some(seeded) => seeded,
        None => {
            let pool = server::db::scratch_database(&base, "roster_bench_million").await?;
            let org = seed(&pool, members, true).await?;
            let started = Instant::now();
            support::seed_ledger(&pool, org, members).await?;
            println!("ledger seeded in {:.1} s", started.elapsed().as_secs_f64());
            (pool, org)
        }
    };
    let (enrollments, events): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM enrollments), (SELECT count(*) FROM license_events)",
    )
    .fetch_one(&pool)
    .await?;
    println!("{members} members, {enrollments} enrollments, {events} ledger lines");
    let access = Access::operator(org, "Bench", "bench");
    println!("{} runs each (median / p95)", support::RUNS);

    // The organization report, against counting the organization's enrollments.
    let floor = support::enrollments_counted(&pool, org).await;
    report("reference: count the org's enrollments", floor, None);
    let first = build_report(&pool, &access, ReportScope::Organization, MEMBERS_SHOWN).await?;
    let timing = measure(|| async {
        build_report(&pool, &access, ReportScope::Organization, MEMBERS_SHOWN)
            .await
            .map(|_| ())
    })
    .await;
    report("organization report", timing, Some(first.members_total));

    // The Licenses page on a date 180 days ago, against counting the live tables.
    let live = support::live_seats_counted(&pool, org).await;
    report("reference: count the live tables", live, None);
    let date = (OffsetDateTime::now_utc() - time::Duration::days(180))
        .date()
        .to_string();
    // The license worker's daily sums, from nothing (as after the upgrade).
    support::summarize_ledger(&pool, org).await?;
    report(
        "Licenses page as of 180 days ago",
        support::licenses_page(&pool, &access, &date).await,
        None,
    );
    let today = support::licenses_page(&pool, &access, "").await;
    report("Licenses page today", today, None);

    // SCIM: a provider looks a user up by userName before it creates or updates one.
    let url = support::serve(pool.clone()).await;
    let token = app::server::api_keys::create(&pool, &access, "bench", &[KeyScope::Provisioning])
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let client = reqwest::Client::new();
    let health = percentiles(LOOKUPS, |_| {
        let request = client.get(format!("{url}/healthz"));
        async move {
            let response = request.send().await?;
            assert!(response.status().is_success());
            response.bytes().await.map(|_| ())
        }
    })
    .await?;
    print_percentiles("reference: GET /healthz (the HTTP round trip)", health);
    let lookups = percentiles(LOOKUPS, |n| {
        // Members spread over the whole organization, found by their address.
        let user = format!("member{}@bench.example", (n * 7_919) % members as usize + 1);
        let request = client
            .get(format!("{url}/scim/v2/Users"))
            .query(&[("filter", format!("userName eq \"{user}\""))])
            .bearer_auth(&token);
        async move {
            let response = request.send().await?;
            assert!(response.status().is_success());
            let body: serde_json::Value = response.json().await?;
            assert_eq!(body["totalResults"], 1, "{user}");
            Ok(())
        }
    })
    .await?;
    print_percentiles("SCIM GET /Users?filter=userName eq", lookups);
    Ok(())
}

/// The database and organization an earlier run seeded with `members` members and their
/// ledger, if it is there (migrated to this build's schema).
async fn seeded_before(base: &str, members: i64) -> Option<(sqlx::PgPool, i64)> {
    let url = server::db::with_database(base, "roster_bench_million");
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(&url)
        .await
        .ok()?;
    server::db::migrate(&pool).await.ok()?;
    let org: i64 = sqlx::query_scalar(
        "SELECT organization_id FROM members GROUP BY 1 HAVING count(*) = $1
          AND EXISTS (SELECT 1 FROM license_events) LIMIT 1",
    )
    .bind(members)
    .fetch_optional(&pool)
    .await
    .ok()??;
    println!("using the {members} members seeded by an earlier run (drop roster_bench_million to seed anew)");
    Some((pool, org))
}

/// The median, p99 and slowest of `runs` requests made one after another (at most one
/// every 3 ms).
async fn percentiles<F, Fut>(runs: usize, request: F) -> anyhow::Result<[Duration; 3]>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(), reqwest::Error>>,
{
    for n in 0..50 {
        request(n).await?;
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let mut times = Vec::with_capacity(runs);
    for n in 0..runs {
        let started = Instant::now();
        request(n + 50).await?;
        let took = started.elapsed();
        times.push(took);
        // Under the provisioning token's 500 requests a second: paced, never refused.
        tokio::time::sleep(Duration::from_millis(3).saturating_sub(took)).await;
    }
    times.sort();
    Ok([times[runs / 2], times[runs * 99 / 100], times[runs - 1]])
}

fn print_percentiles(label: &str, [p50, p99, max]: [Duration; 3]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<42} {:>7.2} ms / {:>7.2} ms p99 / {:>7.2} ms max ({LOOKUPS} requests)",
        ms(p50),
        ms(p99),
        ms(max)
    );
}
