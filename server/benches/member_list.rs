//! The member list of a 100,000-member organization: first page, a filtered page, a deep
//! page, a search, and the other sort orders — against a floor of the cheapest possible
//! query on the same table (primary-key order, no join, no count).
//!
//! Run: `scripts/bench.sh member_list` (or `cargo bench -p server --bench member_list`
//! with DATABASE_URL pointing at a server where a database may be created).

use app::model::member_list::MemberFilter;
use app::server::member_list::fetch;
mod support;

use support::{measure, report, seed};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = server::db::scratch_database(&base, "roster_bench_members").await?;
    let members = support::members();
    let org = seed(&pool, members, false).await?;

    let filter = |pairs: &[(&str, &str)]| {
        MemberFilter::from_pairs(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        })
    };
    let deep: i64 = sqlx::query_scalar(
        "SELECT id FROM members WHERE organization_id = $1 ORDER BY lower(last_name), lower(first_name), id OFFSET $2 LIMIT 1",
    )
    .bind(org)
    .bind(members * 9 / 10)
    .fetch_one(&pool)
    .await?;
    let deep_status: i64 = sqlx::query_scalar(
        "SELECT id FROM members WHERE organization_id = $1
          ORDER BY CASE status WHEN 'active' THEN 0 WHEN 'invited' THEN 1 ELSE 2 END, lower(last_name), lower(first_name), id
         OFFSET $2 LIMIT 1",
    )
    .bind(org)
    .bind(members * 8 / 10)
    .fetch_one(&pool)
    .await?;

    println!("member list, {members} members, {} runs each (median / p95), page of 25 plus the matching count", support::RUNS);
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
        ("deep page (90 % down), by name", filter(&[]), Some(deep)),
        ("search \"zimm\"", filter(&[("q", "zimm")]), None),
        // As people search: a letter, the company's domain, a first name, one address.
        ("search \"a\"", filter(&[("q", "a")]), None),
        (
            "search \"@bench.example\"",
            filter(&[("q", "@bench.example")]),
            None,
        ),
        ("search \"hana\"", filter(&[("q", "hana")]), None),
        (
            "search \"member12345@\"",
            filter(&[("q", "member12345@")]),
            None,
        ),
        (
            "first page, newest first",
            filter(&[("sort", "newest")]),
            None,
        ),
        (
            "deep page (80 % down), by status",
            filter(&[("sort", "status")]),
            Some(deep_status),
        ),
    ];
    let access = app::domain::Access::operator(org, "bench", "bench");
    for (label, f, after) in cases {
        let page = fetch(&pool, &access, &f, after, None).await?;
        let timing =
            measure(|| async { fetch(&pool, &access, &f, after, None).await.map(|_| ()) }).await;
        support::report_matches(label, timing, Some(page.total_text()));
    }
    // My Organization's header: members by status (maintained counts) and seats, beside
    // the count it used to make.
    let timing = measure(|| async {
        sqlx::query_as::<_, (i64, i64, i64)>(
            "SELECT count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'invited'),
                    count(*) FILTER (WHERE status = 'deactivated') FROM members WHERE organization_id = $1",
        )
        .bind(org)
        .fetch_one(&pool)
        .await
        .map(|_| ())
    })
    .await;
    report("reference: members counted by status", timing, None);
    let timing = measure(|| async {
        app::server::member_list::overview(&pool, &access)
            .await
            .map(|_| ())
    })
    .await;
    report("My Organization's header (overview)", timing, None);
    // A team manager of 2 of the 20 teams: the same function through the same scope helper
    // (`scoped_members` with their teams), first page by name.
    let teams: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM teams WHERE organization_id = $1 ORDER BY id LIMIT 2")
            .bind(org)
            .fetch_all(&pool)
            .await?;
    let manager = app::domain::Access {
        role: app::domain::Permission::Manager,
        scope: app::domain::Scope::Teams(teams),
        ..app::domain::Access::operator(org, "bench", "bench")
    };
    let page = fetch(&pool, &manager, &filter(&[]), None, None).await?;
    let timing = measure(|| async {
        fetch(&pool, &manager, &filter(&[]), None, None)
            .await
            .map(|_| ())
    })
    .await;
    report(
        "manager of 2 teams: first page, by name",
        timing,
        Some(page.total),
    );
    Ok(())
}
