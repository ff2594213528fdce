//! The member list query: filters, search, the three sort orders and keyset paging.

use crate::common;

use app::model::member_list::{MemberFilter, MEMBER_PAGE_SIZE, SEARCH_COUNT_LIMIT};
use app::server::member_list::fetch;
use sqlx::PgPool;

/// An organization with 80 members: names, statuses, seats and teams vary.
async fn organization(pool: &PgPool) -> (i64, i64) {
    let org = common::create_organization(pool, "Acme", "ada@acme.example", 100, 100)
        .await
        .organization_id;
    let team = common::team_in_new_region(pool, org).await;
    sqlx::query(
        "INSERT INTO members (organization_id, first_name, last_name, email, permission, status, password_hash,
                              enable_seat, opportunity_seat, team_id, created_at)
         SELECT $1, 'First' || n, (ARRAY['Zimmer', 'adams', 'Baker', 'O''Neil'])[n % 4 + 1], 'p' || n || '@acme.example',
                CASE WHEN n % 10 = 0 THEN 'admin' ELSE 'member' END,
                (ARRAY['active', 'invited', 'deactivated'])[n % 3 + 1],
                CASE WHEN n % 3 = 1 THEN NULL ELSE 'x' END,
                n % 2 = 0, n % 5 = 0, CASE WHEN n % 4 = 0 THEN $2 END,
                now() - n * interval '1 minute'
           FROM generate_series(1, 80) n",
    )
    .bind(org)
    .bind(team)
    .execute(pool)
    .await
    .unwrap();
    (org, team)
}

fn filter(pairs: &[(&str, &str)]) -> MemberFilter {
    MemberFilter::from_pairs(|k| {
        pairs
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.to_string())
    })
}

/// Walks every page forward, then back from the end, and returns the ids in order.
async fn walk(pool: &PgPool, org: i64, f: &MemberFilter) -> Vec<i64> {
    walk_as(pool, &common::operator(org), f).await
}

/// [`walk`] as `access` sees the list.
async fn walk_as(pool: &PgPool, access: &app::domain::Access, f: &MemberFilter) -> Vec<i64> {
    let mut forward = Vec::new();
    let mut after = None;
    let last_page = loop {
        let page = fetch(pool, access, f, after, None).await.unwrap();
        assert!(page.rows.len() as i64 <= MEMBER_PAGE_SIZE);
        forward.extend(page.rows.iter().map(|r| r.id));
        match page.after {
            Some(next) => after = Some(next),
            None => break page,
        }
    };
    assert_eq!(forward.len() as i64, last_page.total);
    // Back from the last page, through `before` cursors, gives the same order.
    let mut backward: Vec<i64> = last_page.rows.iter().map(|r| r.id).collect();
    let mut before = last_page.before;
    while let Some(cursor) = before {
        let page = fetch(pool, access, f, None, Some(cursor)).await.unwrap();
        let mut ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
        ids.extend(backward);
        backward = ids;
        before = page.before;
    }
    assert_eq!(forward, backward, "paging back gives the same rows");
    forward
}

async fn expected(pool: &PgPool, org: i64, order: &str, condition: &str) -> Vec<i64> {
    sqlx::query_scalar(&format!(
        "SELECT id FROM members m WHERE organization_id = $1 {condition} ORDER BY {order}"
    ))
    .bind(org)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_sort_order_pages_through_everyone_both_ways(pool: PgPool) {
    let (org, _) = organization(&pool).await;
    assert_eq!(
        walk(&pool, org, &filter(&[])).await,
        expected(&pool, org, "lower(last_name), lower(first_name), id", "").await
    );
    assert_eq!(
        walk(&pool, org, &filter(&[("sort", "newest")])).await,
        expected(&pool, org, "created_at DESC, id DESC", "").await
    );
    assert_eq!(
        walk(&pool, org, &filter(&[("sort", "status")])).await,
        expected(
            &pool,
            org,
            "CASE status WHEN 'active' THEN 0 WHEN 'invited' THEN 1 ELSE 2 END, lower(last_name), lower(first_name), id",
            ""
        )
        .await
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn filters_and_search_narrow_the_list(pool: PgPool) {
    let (org, team) = organization(&pool).await;
    let by_name = "lower(last_name), lower(first_name), id";
    let cases: Vec<(Vec<(&str, String)>, String)> = vec![
        (
            vec![("status", "invited".into())],
            "AND status = 'invited'".into(),
        ),
        (
            vec![("status", "Inactive".into())],
            "AND status = 'deactivated'".into(),
        ),
        (
            vec![("permission", "admin".into())],
            "AND permission = 'admin'".into(),
        ),
        (vec![("seat", "enable".into())], "AND enable_seat".into()),
        (
            vec![("seat", "none".into())],
            "AND NOT enable_seat AND NOT opportunity_seat".into(),
        ),
        (
            vec![("team", team.to_string())],
            format!("AND team_id = {team}"),
        ),
        (vec![("team", "none".into())], "AND team_id IS NULL".into()),
        (
            vec![("q", "ZIMMER".into())],
            "AND last_name = 'Zimmer'".into(),
        ),
        (
            vec![("q", "p7@".into())],
            "AND email = 'p7@acme.example'".into(),
        ),
        (
            vec![("q", "o'neil".into()), ("status", "active".into())],
            "AND last_name = 'O''Neil' AND status = 'active'".into(),
        ),
        // LIKE wildcards typed by a person are taken literally.
        (vec![("q", "%".into())], "AND false".into()),
    ];
    for (pairs, condition) in cases {
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            walk(&pool, org, &filter(&pairs)).await,
            expected(&pool, org, by_name, &condition).await,
            "{pairs:?}"
        );
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_filters_are_refused_and_foreign_cursors_yield_nothing(pool: PgPool) {
    let (org, _) = organization(&pool).await;
    for pairs in [
        [("sort", "salary")],
        [("status", "archived")],
        [("seat", "gold")],
        [("team", "x")],
    ] {
        let error = fetch(&pool, &common::operator(org), &filter(&pairs), None, None)
            .await
            .unwrap_err();
        assert!(error.to_string().contains("choose"), "{error}");
    }
    let other = common::create_organization(&pool, "Globex", "gus@globex.example", 1, 1).await;
    let page = fetch(
        &pool,
        &common::operator(org),
        &filter(&[]),
        Some(other.admin_member_id),
        None,
    )
    .await
    .unwrap();
    assert!(page.rows.is_empty());
}

/// `members` invited members named so that searches match densely ("first"), thinly
/// ("p77", one in a thousand), or only late in the name order ("zz", the last 600 by
/// name): a search reads the first members in order, then asks the trigram index, and
/// both ways must page alike.
async fn large_organization(pool: &PgPool, members: i64) -> i64 {
    let org = common::create_organization(pool, "Acme", "ada@acme.example", 1, 1)
        .await
        .organization_id;
    sqlx::query(
        "INSERT INTO members (organization_id, first_name, last_name, email, permission, status, created_at)
         SELECT $1, 'First' || n,
                CASE WHEN n > $2 - 600 THEN 'Zzyzx' ELSE (ARRAY['Adams', 'Baker', 'Nguyen'])[n % 3 + 1] END,
                'p' || n || '@acme.example', 'member', 'invited', now() - (n % 97) * interval '1 minute'
           FROM generate_series(1, $2) n",
    )
    .bind(org)
    .bind(members)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE members").execute(pool).await.unwrap();
    org
}

type SearchCase<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_search_pages_alike_whether_found_in_order_or_by_the_trigram_index(pool: PgPool) {
    // More members than a search reads in order before it asks the trigram index.
    let org = large_organization(&pool, 3_000).await;
    let by_name = "lower(last_name), lower(first_name), id";
    let by_status = "CASE status WHEN 'active' THEN 0 WHEN 'invited' THEN 1 ELSE 2 END, lower(last_name), lower(first_name), id";
    // (the search and filters, the order, the condition on members that match)
    let cases: [SearchCase; 7] = [
        (&[("q", "zz")], by_name, "AND last_name = 'Zzyzx'"),
        (&[("q", "p77")], by_name, "AND email LIKE 'p77%'"),
        (
            &[("q", "9@acme")],
            by_name,
            "AND email LIKE '%9@acme.example'",
        ),
        (
            &[("q", "zz"), ("sort", "newest")],
            "created_at DESC, id DESC",
            "AND last_name = 'Zzyzx'",
        ),
        (
            &[("q", "zz"), ("sort", "status")],
            by_status,
            "AND last_name = 'Zzyzx'",
        ),
        (
            &[("q", "ZZ"), ("status", "invited"), ("seat", "none")],
            by_name,
            "AND last_name = 'Zzyzx'",
        ),
        (&[("q", "zz"), ("status", "active")], by_name, "AND false"),
    ];
    for (pairs, order, condition) in cases {
        assert_eq!(
            walk(&pool, org, &filter(pairs)).await,
            expected(&pool, org, order, condition).await,
            "{pairs:?}"
        );
    }
    // A manager of one member in four: the same searches see only their team.
    let team = common::team_in_new_region(&pool, org).await;
    sqlx::query("UPDATE members SET team_id = $2 WHERE organization_id = $1 AND id % 4 = 0")
        .bind(org)
        .bind(team)
        .execute(&pool)
        .await
        .unwrap();
    let manager = app::domain::Access {
        role: app::domain::Permission::Manager,
        scope: app::domain::Scope::Teams(vec![team]),
        ..common::operator(org)
    };
    for (pairs, condition) in [
        (&[("q", "9@acme")][..], "AND email LIKE '%9@acme.example'"),
        (&[("q", "zz")][..], "AND last_name = 'Zzyzx'"),
        (&[("q", "first")][..], "AND first_name LIKE 'First%'"),
    ] {
        let in_team = format!("{condition} AND team_id = {team}");
        assert_eq!(
            walk_as(&pool, &manager, &filter(pairs)).await,
            expected(&pool, org, by_name, &in_team).await,
            "{pairs:?}"
        );
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_broad_search_counts_to_ten_thousand_and_says_more(pool: PgPool) {
    let org = large_organization(&pool, SEARCH_COUNT_LIMIT).await;
    let operator = common::operator(org);
    let search = |q: &'static str| {
        let (pool, operator) = (pool.clone(), operator.clone());
        async move {
            fetch(&pool, &operator, &filter(&[("q", q)]), None, None)
                .await
                .unwrap()
        }
    };
    // Up to the limit the count is exact.
    let at_limit = search("first").await;
    assert_eq!(
        (at_limit.total, at_limit.total_capped),
        (SEARCH_COUNT_LIMIT, false)
    );
    assert_eq!(at_limit.total_text(), "10,000");
    // One more, and it stops counting: "10,000+".
    sqlx::query(
        "INSERT INTO members (organization_id, first_name, last_name, email, permission)
         VALUES ($1, 'First', 'Aaron', 'aaron@acme.example', 'member')",
    )
    .bind(org)
    .execute(&pool)
    .await
    .unwrap();
    let broad = search("first").await;
    assert_eq!(
        (broad.total, broad.total_capped),
        (SEARCH_COUNT_LIMIT, true)
    );
    assert_eq!(broad.total_text(), "10,000+");
    let everyone = expected(
        &pool,
        org,
        "lower(last_name), lower(first_name), id",
        "AND first_name LIKE 'First%'",
    )
    .await;
    let first: Vec<i64> = broad.rows.iter().map(|r| r.id).collect();
    assert_eq!(first, everyone[..MEMBER_PAGE_SIZE as usize]);
    // Without a search the kept counts are exact at any size; a narrow search is exact.
    let all = fetch(&pool, &operator, &filter(&[]), None, None)
        .await
        .unwrap();
    assert_eq!(
        (all.total, all.total_capped),
        (SEARCH_COUNT_LIMIT + 2, false)
    );
    let few = search("p77").await;
    assert_eq!((few.total, few.total_capped), (111, false));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_search_stopped_by_its_time_limit_asks_for_a_narrower_one(pool: PgPool) {
    // The limit is PostgreSQL's statement timeout; what it raises is what is mapped.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL statement_timeout = '10ms'")
        .execute(&mut *tx)
        .await
        .unwrap();
    let error = sqlx::query("SELECT pg_sleep(1)")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    let error = app::server::member_list::search_took_too_long(error);
    assert!(
        matches!(&error, app::error::AppError::Field { field, message } if field == "q" && message.contains("add to it")),
        "{error:?}"
    );
}

/// What `member_counts` says for `org`, beside a count of its members.
async fn counts_and_recount(pool: &PgPool, org: i64) -> ((i64, i64, i64), (i64, i64, i64)) {
    let kept = app::server::member_counts::of(pool, org, None)
        .await
        .unwrap();
    let counted: (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'invited'),
                count(*) FILTER (WHERE status = 'deactivated') FROM members WHERE organization_id = $1",
    )
    .bind(org)
    .fetch_one(pool)
    .await
    .unwrap();
    ((kept.active, kept.invited, kept.deactivated), counted)
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn member_counts_are_maintained_through_every_kind_of_write(pool: PgPool) {
    let (org, _) = organization(&pool).await;
    let (other, _) = {
        let o = common::create_organization(&pool, "Other", "ola@other.example", 5, 5).await;
        (o.organization_id, ())
    };
    let (kept, counted) = counts_and_recount(&pool, org).await;
    assert_eq!(kept, counted);
    assert_eq!(kept.0 + kept.1 + kept.2, 81, "80 and the administrator");

    // Status changes in bulk, changes that keep the status, deletions, a rollback.
    sqlx::query("UPDATE members SET status = 'deactivated' WHERE organization_id = $1 AND status = 'active' AND id % 2 = 0 AND permission = 'member'")
        .bind(org).execute(&pool).await.unwrap();
    sqlx::query("UPDATE members SET job_title = 'AE' WHERE organization_id = $1")
        .bind(org)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "DELETE FROM members WHERE organization_id = $1 AND status = 'invited' AND id % 3 = 0",
    )
    .bind(org)
    .execute(&pool)
    .await
    .unwrap();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("DELETE FROM members WHERE organization_id = $1 AND permission = 'member'")
        .bind(org)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let (kept, counted) = counts_and_recount(&pool, org).await;
    assert_eq!(kept, counted);

    // Writers at once, each in its own transaction: no one waits, every one counts.
    let writers: Vec<_> = (0..8).map(|w| {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query(
                "INSERT INTO members (organization_id, first_name, last_name, email, permission)
                 SELECT $1, 'W', 'Riter', 'w' || $2 || '-' || n || '@acme.example', 'member' FROM generate_series(1, 25) n",
            )
            .bind(org)
            .bind(w)
            .execute(&mut *tx)
            .await
            .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            tx.commit().await.unwrap();
        })
    }).collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let (kept, counted) = counts_and_recount(&pool, org).await;
    assert_eq!(kept, counted);

    // Folded into one row per key, the same counts.
    app::server::member_counts::fold(&pool).await.unwrap();
    let repeated: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM member_counts WHERE organization_id = $1
          GROUP BY team_id, status, permission, enable_seat, opportunity_seat HAVING count(*) > 1) d",
    )
    .bind(org)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(repeated, 0);
    let (kept, counted) = counts_and_recount(&pool, org).await;
    assert_eq!(kept, counted);
    // The list's totals come from them: the whole list and a status of it.
    let page = fetch(&pool, &common::operator(org), &filter(&[]), None, None)
        .await
        .unwrap();
    assert_eq!(page.total, counted.0 + counted.1 + counted.2);
    let page = fetch(
        &pool,
        &common::operator(org),
        &filter(&[("status", "invited")]),
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(page.total, counted.1);
    for (pairs, condition) in [
        (
            vec![("seat", "enable"), ("status", "active")],
            "enable_seat AND status = 'active'",
        ),
        (
            vec![("seat", "none")],
            "NOT enable_seat AND NOT opportunity_seat",
        ),
        (vec![("permission", "admin")], "permission = 'admin'"),
        (vec![("team", "none")], "team_id IS NULL"),
    ] {
        let page = fetch(&pool, &common::operator(org), &filter(&pairs), None, None)
            .await
            .unwrap();
        let expected: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM members WHERE organization_id = $1 AND {condition}"
        ))
        .bind(org)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(page.total, expected, "{pairs:?}");
    }

    // An organization deleted takes its members; its counts go at the next fold.
    sqlx::query("DELETE FROM organizations WHERE id = $1")
        .bind(other)
        .execute(&pool)
        .await
        .unwrap();
    app::server::member_counts::fold(&pool).await.unwrap();
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM member_counts WHERE organization_id = $1")
            .bind(other)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(left, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn user_ids_go_on_past_five_digits_in_one_spelling(pool: PgPool) {
    let (org, _) = organization(&pool).await;
    let insert = |id: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query(
                "INSERT INTO members (organization_id, external_id, first_name, last_name, email, permission)
                         VALUES ($1, $2, 'Ext', 'Id', lower($2) || '@acme.example', 'member')",
            )
            .bind(org)
            .bind(id)
            .execute(&pool)
            .await
        }
    };
    for good in ["EXT99999", "EXT100000", "EXT1000000", "EXT999999999"] {
        insert(good).await.unwrap_or_else(|e| panic!("{good}: {e}"));
    }
    for bad in ["EXT000001", "EXT0100000", "EXT1234567890", "EXT1234"] {
        assert!(
            insert(bad).await.is_err(),
            "{bad} is refused by the database too"
        );
    }
}

/// The organization's list, unfiltered, is planned once per connection and its plan
/// reused (`Page::planned_once`): its page size is written into the statement, so that
/// PostgreSQL's generic plan costs what the plans for the values do. On one connection,
/// after the five plans PostgreSQL makes for the values before it compares, the next
/// calls use the generic plan.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_organizations_list_is_planned_once_per_connection(pool: PgPool) {
    let (org, _) = organization(&pool).await;
    let one = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let access = common::operator(org);
    let everyone = filter(&[]);
    let first = fetch(&one, &access, &everyone, None, None).await.unwrap();
    for _ in 0..7 {
        let again = fetch(&one, &access, &everyone, None, None).await.unwrap();
        assert_eq!(
            again.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            first.rows.iter().map(|r| r.id).collect::<Vec<_>>()
        );
    }
    let (generic, custom): (i64, i64) = sqlx::query_as(&format!(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements
          WHERE statement LIKE '%ORDER BY%LIMIT {}'",
        MEMBER_PAGE_SIZE + 1
    ))
    .fetch_one(&one)
    .await
    .unwrap();
    assert!(
        generic >= 2 && custom <= 5,
        "generic plans {generic}, custom plans {custom}"
    );
}
