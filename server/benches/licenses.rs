//! The license ledger of a 100,000-member organization with a year of history: the counts
//! on a past date and the twelve months' peaks (what the Licenses page asks), against a
//! reference in the same run, a plain count of the live tables.
//!
//! Run: `scripts/bench.sh licenses` (or `cargo bench -p server --bench licenses` with
//! DATABASE_URL pointing at a server where a database may be created).

mod support;

use support::{measure, report, seed};
use time::{Duration, OffsetDateTime};

const MEMBERS: i64 = 100_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = server::db::scratch_database(&base, "roster_bench_licenses").await?;
    let org = seed(&pool, MEMBERS, false).await?;
    // A year of history, generated: each member granted an Enable seat on a day of the
    // year, 40 % of them used a few weeks later, 30 % freed later still (half of those by
    // deactivation of a used license: kept), and the seats bought raised every month.
    sqlx::query(
        "INSERT INTO license_events (organization_id, member_id, seat, event, held_delta, used_delta,
                                     bought_delta, reason, via, actor_label, at)
         SELECT $1, m.id, 'enable', e.event, e.held, e.used, 0, e.reason, 'page', 'bench',
                now() - interval '365 days' + (m.id % 330) * interval '1 day' + e.after
           FROM members m
          CROSS JOIN LATERAL (VALUES
                ('granted', 1, 0, NULL, interval '0'),
                ('used', 0, 1, NULL, interval '20 days'),
                ('freed', -1, 0, 'deactivated', interval '30 days'),
                ('kept', 0, 0, NULL, interval '31 days')) e(event, held, used, reason, after)
          WHERE m.organization_id = $1
            AND (e.event = 'granted'
                 OR (e.event = 'used' AND m.id % 10 < 4)
                 OR (e.event = 'freed' AND m.id % 10 BETWEEN 7 AND 9)
                 OR (e.event = 'kept' AND m.id % 10 < 2))
         UNION ALL
         SELECT $1, NULL, 'enable', 'bought', 0, 0, 10000, NULL, 'command line', 'bench',
                now() - interval '365 days' + n * interval '30 days'
           FROM generate_series(0, 11) n",
    )
    .bind(org)
    .execute(&pool)
    .await?;
    sqlx::query("ANALYZE license_events").execute(&pool).await?;
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM license_events WHERE organization_id = $1")
            .bind(org)
            .fetch_one(&pool)
            .await?;
    let access = app::domain::Access::operator(org, "Bench", "bench");
    println!(
        "licenses, {MEMBERS} members, {events} ledger lines over a year, {} runs each (median / p95)",
        support::RUNS
    );
    let live = measure(|| async {
        sqlx::query_as::<_, (i64, i64, i64)>(
            "SELECT count(*) FILTER (WHERE enable_seat), count(*) FILTER (WHERE opportunity_seat),
                    count(*) FILTER (WHERE enable_seat AND license_used)
               FROM members WHERE organization_id = $1",
        )
        .bind(org)
        .fetch_one(&pool)
        .await
        .map(|_| ())
    })
    .await;
    report("reference: count the live tables", live, None);
    let past = OffsetDateTime::now_utc() - Duration::days(180);
    let as_of = measure(|| async {
        let mut conn = pool.acquire().await?;
        app::server::ledger::counts_before(&mut conn, org, past)
            .await
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await;
    report("counts on a date 180 days ago", as_of, None);
    let now_counts = measure(|| async {
        let mut conn = pool.acquire().await?;
        app::server::ledger::counts_before(&mut conn, org, OffsetDateTime::now_utc())
            .await
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await;
    report("counts now (every line summed)", now_counts, None);
    let peaks = measure(|| async {
        let mut conn = pool.acquire().await?;
        app::server::ledger::peaks(&mut conn, org, OffsetDateTime::now_utc())
            .await
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await;
    report("monthly peaks, twelve months", peaks, None);
    let filter = app::model::licenses::LedgerFilter::default();
    let page = measure(|| async {
        app::server::ledger::overview(&pool, &access, "", &filter)
            .await
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await;
    report(
        "the Licenses page (all of the above + 200 lines)",
        page,
        None,
    );
    Ok(())
}
