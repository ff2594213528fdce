//! The member list of a 100,000-member organization: first page, a filtered page, a deep
//! page, a search, and the other sort orders — against a floor of the cheapest possible
//! query on the same table (primary-key order, no join, no count).
//!
//! Run: `scripts/bench.sh member_list` (or `cargo bench -p server --bench member_list`
//! with DATABASE_URL pointing at a server where a database may be created).

use app::api::organization::MemberFilter;
use app::server::member_list::fetch;
use sqlx::PgPool;
use std::time::{Duration, Instant};

const MEMBERS: i64 = 100_000;
const RUNS: usize = 60;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = server::db::scratch_database(&base, "roster_bench_members").await?;
    let org = seed(&pool).await?;

    let filter = |pairs: &[(&str, &str)]| {
        MemberFilter::from_pairs(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        })
    };
    let deep: i64 = sqlx::query_scalar(
        "SELECT id FROM members WHERE organization_id = $1 ORDER BY lower(last_name), lower(first_name), id OFFSET 90000 LIMIT 1",
    )
    .bind(org)
    .fetch_one(&pool)
    .await?;
    let deep_status: i64 = sqlx::query_scalar(
        "SELECT id FROM members WHERE organization_id = $1
          ORDER BY CASE status WHEN 'active' THEN 0 WHEN 'invited' THEN 1 ELSE 2 END, lower(last_name), lower(first_name), id
         OFFSET 80000 LIMIT 1",
    )
    .bind(org)
    .fetch_one(&pool)
    .await?;

    println!("member list, {MEMBERS} members, {RUNS} runs each (median / p95), page of 25 plus the matching count");
    let floor = measure(|| async {
        sqlx::query_scalar::<_, i64>(
            "SELECT id FROM members WHERE organization_id = $1 ORDER BY id LIMIT 26",
        )
        .bind(org)
        .fetch_all(&pool)
        .await
        .map(|_| ())
    })
    .await;
    report("reference: 26 ids in primary-key order", floor, None);
    let cases: Vec<(&str, MemberFilter, Option<i64>)> = vec![
        ("first page, by name", filter(&[]), None),
        (
            "filtered: invited with an Enable seat",
            filter(&[("status", "invited"), ("seat", "enable")]),
            None,
        ),
        ("deep page (row 90,000), by name", filter(&[]), Some(deep)),
        ("search \"zimm\"", filter(&[("q", "zimm")]), None),
        (
            "first page, newest first",
            filter(&[("sort", "newest")]),
            None,
        ),
        (
            "deep page (row 80,000), by status",
            filter(&[("sort", "status")]),
            Some(deep_status),
        ),
    ];
    for (label, f, after) in cases {
        let page = fetch(&pool, org, &f, after, None).await?;
        let timing =
            measure(|| async { fetch(&pool, org, &f, after, None).await.map(|_| ()) }).await;
        report(label, timing, Some(page.total));
    }
    Ok(())
}

/// One organization with 100,000 members in every status, seats, teams.
async fn seed(pool: &PgPool) -> anyhow::Result<i64> {
    let started = Instant::now();
    let org: i64 = sqlx::query_scalar(
        "INSERT INTO organizations (name, enable_seats, opportunity_seats) VALUES ('Bench', 100000, 100000) RETURNING id",
    )
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
    .bind(MEMBERS)
    .execute(pool)
    .await?;
    sqlx::query("VACUUM ANALYZE members").execute(pool).await?;
    println!(
        "seeded {MEMBERS} members in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(org)
}

async fn measure<F, Fut, E>(run: F) -> (Duration, Duration)
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

fn report(label: &str, (median, p95): (Duration, Duration), total: Option<i64>) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let matches = total.map(|t| format!("  ({t} match)")).unwrap_or_default();
    println!(
        "{label:<42} {:>7.2} ms / {:>7.2} ms{matches}",
        ms(median),
        ms(p95)
    );
}
