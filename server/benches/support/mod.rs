//! What the server benchmarks share: seeding a large organization and timing a query.
#![allow(dead_code)]

use sqlx::PgPool;
use std::time::{Duration, Instant};

/// Timed runs per case (after five warm-up runs).
pub const RUNS: usize = 60;

/// One organization with `members` members in every status, seats, 20 teams in one
/// region; with `enrollments`, every Enable seat holder is enrolled in two or three
/// programs with progress spread from 0 to 100 %.
pub async fn seed(pool: &PgPool, members: i64, enrollments: bool) -> anyhow::Result<i64> {
    let started = Instant::now();
    let org: i64 = sqlx::query_scalar(
        "INSERT INTO organizations (name, enable_seats, opportunity_seats) VALUES ('Bench', $1, $1) RETURNING id",
    )
    .bind(members.max(100_000) as i32)
    .fetch_one(pool)
    .await?;
    let region: i64 = sqlx::query_scalar(
        "INSERT INTO regions (organization_id, name) VALUES ($1, 'EMEA') RETURNING id",
    )
    .bind(org)
    .fetch_one(pool)
    .await?;
    sqlx::query("INSERT INTO teams (organization_id, region_id, name) SELECT $1, $2, 'Team ' || n FROM generate_series(1, 20) n")
        .bind(org)
        .bind(region)
        .execute(pool)
        .await?;
    sqlx::query(
        "INSERT INTO members (organization_id, first_name, last_name, email, permission, status, password_hash,
                              enable_seat, opportunity_seat, team_id, created_at)
         SELECT $1,
                (ARRAY['Ana','Ben','Chloé','Dev','Eli','Fay','Gus','Hana','Ivo','Jun'])[n % 10 + 1] || n,
                (ARRAY['Zimmermann','Adams','Baker','O''Neil','Nguyen','Schmidt','Rossi','Kowalski'])[n % 8 + 1],
                'member' || n || '@bench.example',
                CASE WHEN n % 100 = 0 THEN 'admin' ELSE 'member' END,
                (ARRAY['active','active','invited','deactivated'])[n % 4 + 1],
                CASE WHEN n % 4 = 2 THEN NULL ELSE 'x' END,
                n % 3 = 0, n % 7 = 0,
                (SELECT id FROM teams WHERE organization_id = $1 ORDER BY id OFFSET (n % 21) LIMIT 1),
                now() - n * interval '1 second'
           FROM generate_series(1, $2) n",
    )
    .bind(org)
    .bind(members)
    .execute(pool)
    .await?;
    if enrollments {
        sqlx::query(
            "INSERT INTO enrollments (member_id, program_id, progress_basis_points)
             SELECT m.id, p.id, ((m.id * 7919 + p.id * 104729) % 10001)::int
               FROM members m CROSS JOIN programs p
              WHERE m.organization_id = $1 AND m.enable_seat AND (m.id + p.id) % 3 <> 0",
        )
        .bind(org)
        .execute(pool)
        .await?;
        sqlx::query("VACUUM ANALYZE enrollments")
            .execute(pool)
            .await?;
    }
    sqlx::query("VACUUM ANALYZE members").execute(pool).await?;
    println!(
        "seeded {members} members in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(org)
}

/// 100,000 members, or `BENCH_MEMBERS` (`scripts/bench.sh member_list_million` and
/// `scripts/bench.sh million` set 1,000,000).
pub fn members() -> i64 {
    std::env::var("BENCH_MEMBERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

/// A year of license history for the organization's `members` members (the Licenses page's
/// ledger), and the organization's seats raised every month.
pub async fn seed_ledger(pool: &PgPool, org: i64, members: i64) -> anyhow::Result<()> {
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
         SELECT $1, NULL, 'enable', 'bought', 0, 0, $2::int, NULL, 'command line', 'bench',
                now() - interval '365 days' + n * interval '30 days'
           FROM generate_series(0, 11) n",
    )
    .bind(org)
    .bind((members / 10) as i32)
    .execute(pool)
    .await?;
    // As autovacuum leaves a table that has settled: statistics, and the visibility map
    // that lets the ledger's index answer alone.
    sqlx::query("VACUUM ANALYZE license_events")
        .execute(pool)
        .await?;
    Ok(())
}

/// The license worker's daily sums of `org`'s ledger made from nothing (as after the
/// upgrade, or a database kept from an earlier run), pass after pass as the worker would (a
/// month per pass), timed and printed. Summed up to now, as the worker has them a minute
/// after the last write: the seed has just written its lines, and the worker's minute of
/// margin would leave tens of thousands of them to each page in the timings.
pub async fn summarize_ledger(pool: &PgPool, org: i64) -> anyhow::Result<()> {
    for table in ["license_summaries", "license_days"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE organization_id = $1"))
            .bind(org)
            .execute(pool)
            .await?;
    }
    let started = std::time::Instant::now();
    let mut written = 0;
    loop {
        let (days, caught_up) = app::server::license_days::summarize_organization(pool, org, 0.0)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        written += days;
        if caught_up {
            break;
        }
    }
    println!(
        "ledger summed by day from nothing: {written} day rows in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The Licenses page's answer (counts, peaks, the newest lines) as of `date` (`""`:
/// today), timed.
pub async fn licenses_page(
    pool: &PgPool,
    access: &app::domain::Access,
    date: &str,
) -> (Duration, Duration) {
    let filter = app::model::licenses::LedgerFilter::default();
    measure(|| async {
        app::server::ledger::overview(pool, access, date, &filter)
            .await
            .map(|_| ())
    })
    .await
}

/// The server on a loopback port, as `roster serve` runs it (in a release build: `cargo
/// bench` builds with the bench profile, which inherits release).
pub async fn serve(pool: PgPool) -> String {
    use app::server::{RuntimeConfig, ServerState};
    use leptos::prelude::LeptosOptions;
    use server::http::{self, AppState};
    use std::sync::Arc;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState {
        leptos_options: LeptosOptions::builder().output_name("roster").build(),
        server: ServerState {
            pool,
            config: Arc::new(RuntimeConfig {
                public_url: base.clone(),
                secure_cookies: false,
                smtp_configured: false,
                vendor_email: "licenses@vendor.example".into(),
                dev_mailbox: true,
                trusted_proxies: Vec::new(),
                development: false,
            }),
            dns: Arc::new(app::server::dns::StaticResolver::default()),
        },
        metrics: None,
    };
    tokio::spawn(http::serve(listener, http::router(state)));
    base
}

/// The reports' reference: the cheapest aggregate over the same rows, counting the
/// organization's enrollments.
pub async fn enrollments_counted(pool: &PgPool, org: i64) -> (Duration, Duration) {
    measure(|| async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM enrollments e JOIN members m ON m.id = e.member_id WHERE m.organization_id = $1",
        )
        .bind(org)
        .fetch_one(pool)
        .await
        .map(|_| ())
    })
    .await
}

/// The ledger's reference: the live tables counted (seats held, licenses used).
pub async fn live_seats_counted(pool: &PgPool, org: i64) -> (Duration, Duration) {
    measure(|| async {
        sqlx::query_as::<_, (i64, i64, i64)>(
            "SELECT count(*) FILTER (WHERE enable_seat), count(*) FILTER (WHERE opportunity_seat),
                    count(*) FILTER (WHERE enable_seat AND license_used)
               FROM members WHERE organization_id = $1",
        )
        .bind(org)
        .fetch_one(pool)
        .await
        .map(|_| ())
    })
    .await
}

pub async fn measure<F, Fut, E>(run: F) -> (Duration, Duration)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), E>>,
    E: std::fmt::Debug,
{
    for _ in 0..5 {
        run().await.unwrap(); // warm the caches
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        run().await.unwrap();
        times.push(started.elapsed());
    }
    times.sort();
    (times[RUNS / 2], times[RUNS * 95 / 100])
}

pub fn report(label: &str, timing: (Duration, Duration), total: Option<i64>) {
    report_matches(label, timing, total.map(|t| t.to_string()));
}

/// As [`report`], the matches as the list says them ("10,000+").
pub fn report_matches(label: &str, (median, p95): (Duration, Duration), total: Option<String>) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let matches = total.map(|t| format!("  ({t} match)")).unwrap_or_default();
    println!(
        "{label:<42} {:>7.2} ms / {:>7.2} ms{matches}",
        ms(median),
        ms(p95)
    );
}
