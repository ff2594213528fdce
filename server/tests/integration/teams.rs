//! Regions, teams and reports through the real server and database: the rules of SPEC
//! rule 8, the race of deleting a team while members are assigned to it, report figures
//! computed by SQL, and downloads that a spreadsheet cannot turn into formulas.

use crate::common;

use app::api::reports::{LoadReport, ReportCsv};
use app::api::teams::{AssignTeam, CreateRegion, CreateTeam, DeleteRegion, DeleteTeam, RenameTeam};
use app::error::AppError;
use common::{browser, spawn_app, TestApp};
use serde_json::json;
use sqlx::PgPool;
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery";

async fn admin(app: &TestApp) -> (i64, i64, reqwest::Client) {
    let (org, admin_id) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let client = browser();
    app.sign_in(&client, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    (org, admin_id, client)
}

async fn region(app: &TestApp, client: &reqwest::Client, name: &str) -> i64 {
    app.call::<CreateRegion>(client, &[("name", name)])
        .await
        .unwrap()
        .as_i64()
        .unwrap()
}

async fn team(app: &TestApp, client: &reqwest::Client, region: i64, name: &str) -> i64 {
    app.call::<CreateTeam>(
        client,
        &[("region_id", &region.to_string()), ("name", name)],
    )
    .await
    .unwrap()
    .as_i64()
    .unwrap()
}

async fn team_of(pool: &PgPool, member: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT team_id FROM members WHERE id = $1")
        .bind(member)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn regions_and_teams_follow_the_rules(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, _, admin) = admin(&app).await;
    let emea = region(&app, &admin, " EMEA ").await;
    // Names: unique per organization (regions) and per region (teams), case-insensitively.
    let twice = app
        .call::<CreateRegion>(&admin, &[("name", "emea")])
        .await
        .unwrap_err();
    assert!(
        twice.for_field("name").unwrap().contains("already exists"),
        "{twice:?}"
    );
    let blank = app
        .call::<CreateRegion>(&admin, &[("name", "  ")])
        .await
        .unwrap_err();
    assert_eq!(blank.for_field("name").unwrap(), "Enter a region name.");
    let enterprise = team(&app, &admin, emea, "Enterprise").await;
    let smb = team(&app, &admin, emea, "SMB").await;
    let clash = app
        .call::<RenameTeam>(&admin, &[("id", &smb.to_string()), ("name", "ENTERPRISE")])
        .await
        .unwrap_err();
    assert!(
        clash
            .for_field("name")
            .unwrap()
            .contains("already has a team"),
        "{clash:?}"
    );

    // A region with teams cannot be deleted, with a clear message.
    let refused = app
        .call::<DeleteRegion>(&admin, &[("id", &emea.to_string())])
        .await
        .unwrap_err();
    assert_eq!(
        refused,
        AppError::invalid("EMEA has 2 teams: delete them first, then the region.")
    );

    // Deleting a team unassigns its members.
    let member = app.member(org, "m@acme.example", "member", None).await;
    app.call_json::<AssignTeam>(
        &admin,
        json!({ "member_ids": [member], "all_matching": null, "team_id": enterprise }),
    )
    .await
    .unwrap();
    assert_eq!(team_of(&pool, member).await, Some(enterprise));
    let had = app
        .call::<DeleteTeam>(&admin, &[("id", &enterprise.to_string())])
        .await
        .unwrap();
    assert_eq!(had, 1);
    assert_eq!(team_of(&pool, member).await, None);

    // Another organization's team is out of reach, for assigning and for deleting.
    let other = common::create_organization(&pool, "Other", "root@other.example", 3, 3).await;
    let their_region: i64 = sqlx::query_scalar(
        "INSERT INTO regions (organization_id, name) VALUES ($1, 'Theirs') RETURNING id",
    )
    .bind(other.organization_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let their_team: i64 = sqlx::query_scalar(
        "INSERT INTO teams (organization_id, region_id, name) VALUES ($1, $2, 'Theirs') RETURNING id",
    )
    .bind(other.organization_id)
    .bind(their_region)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(matches!(
        app.call_json::<AssignTeam>(
            &admin,
            json!({ "member_ids": [member], "all_matching": null, "team_id": their_team })
        )
        .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.call::<DeleteTeam>(&admin, &[("id", &their_team.to_string())])
            .await,
        Err(AppError::NotFound(_))
    ));
    let activity: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE organization_id = $1 AND action = 'member.team_changed'",
    )
    .bind(org)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(activity, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn deleting_a_team_while_members_are_bulk_assigned_to_it_leaves_no_one_in_a_deleted_team(
    pool: PgPool,
) {
    let app = Arc::new(spawn_app(pool.clone()).await);
    let (org, _, ada) = admin(&app).await;
    app.member(org, "bob@acme.example", "admin", Some(PASSWORD))
        .await;
    let bob = browser();
    app.sign_in(&bob, "bob@acme.example", PASSWORD)
        .await
        .unwrap();
    let mut members = Vec::new();
    for n in 0..200 {
        members.push(
            app.member(org, &format!("m{n}@acme.example"), "member", None)
                .await,
        );
    }
    let emea = region(&app, &ada, "EMEA").await;
    for round in 0..6 {
        let target = team(&app, &ada, emea, &format!("Team {round}")).await;
        let target_id = target.to_string();
        let form = [("id", target_id.as_str())];
        let body = json!({ "member_ids": members, "all_matching": null, "team_id": target });
        let (assigned, deleted) = tokio::join!(
            app.call_json::<AssignTeam>(&ada, body),
            app.call::<DeleteTeam>(&bob, &form),
        );
        assert!(deleted.is_ok(), "{deleted:?}");
        match assigned {
            // Assigned first: the delete then unassigned all of them.
            Ok(n) => assert_eq!(n.as_u64(), Some(200)),
            // Deleted first: the assignment says the team is gone.
            Err(AppError::NotFound(message)) => assert!(message.contains("no longer exists")),
            Err(other) => panic!("unexpected: {other:?}"),
        }
        let in_teams: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM members WHERE organization_id = $1 AND team_id IS NOT NULL",
        )
        .bind(org)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(in_teams, 0, "round {round}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn reports_count_with_sql_and_downloads_are_formula_safe(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, admin_id, admin) = admin(&app).await;
    let emea = region(&app, &admin, "EMEA").await;
    let enterprise = team(&app, &admin, emea, "Enterprise").await;
    // Progress at the bucket boundaries: 0, 9.99, 10, 50, 100 % (basis points).
    let progress = [0, 999, 1000, 5000, 10000];
    let mut ids = Vec::new();
    for (n, bp) in progress.iter().enumerate() {
        let id = app
            .member(org, &format!("p{n}@acme.example"), "member", Some(PASSWORD))
            .await;
        sqlx::query("UPDATE members SET enable_seat = true, team_id = $2 WHERE id = $1")
            .bind(id)
            .bind(enterprise)
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO enrollments (member_id, program_id, progress_basis_points) VALUES ($1, 4, $2)")
            .bind(id)
            .bind(bp)
            .execute(&pool)
            .await
            .unwrap();
        ids.push(id);
    }
    sqlx::query("UPDATE members SET first_name = '=HYPERLINK(\"x\")' WHERE id = $1")
        .bind(ids[0])
        .execute(&pool)
        .await
        .unwrap();

    // Without an Enable seat the administrator is told what reports need.
    let answer = app
        .call::<LoadReport>(&admin, &[("scope", "organization")])
        .await
        .unwrap();
    assert!(
        answer["NeedsEnableSeat"]
            .as_str()
            .unwrap()
            .contains("Enable seat"),
        "{answer}"
    );
    assert!(app
        .call::<ReportCsv>(&admin, &[("scope", "organization"), ("kind", "members")])
        .await
        .is_err());
    sqlx::query("UPDATE members SET enable_seat = true WHERE id = $1")
        .bind(admin_id)
        .execute(&pool)
        .await
        .unwrap();

    let scope = format!("team:{enterprise}");
    let answer = app
        .call::<LoadReport>(&admin, &[("scope", &scope)])
        .await
        .unwrap();
    let report = &answer["Ready"]["report"];
    assert_eq!(report["title"], "Team EMEA / Enterprise");
    assert_eq!(report["active"], 5);
    assert_eq!(report["enable_held"], 5);
    assert_eq!(report["enable_used"], 3);
    assert_eq!(report["enrollments"], 5);
    assert_eq!(report["completions"], 1);
    assert_eq!(report["distribution"], json!([1, 1, 1, 1, 1]));
    // (0 + 999 + 1000 + 5000 + 10000) / 5 = 3399.8 → 3400 basis points.
    assert_eq!(report["average"], 3400);
    assert_eq!(report["members"].as_array().unwrap().len(), 5);
    // The organization report also counts the administrator (no team, no programs).
    let whole = app
        .call::<LoadReport>(&admin, &[("scope", "organization")])
        .await
        .unwrap();
    assert_eq!(whole["Ready"]["report"]["active"], 6);
    // A region or team of another organization is not found.
    assert!(matches!(
        app.call::<LoadReport>(&admin, &[("scope", "team:999999")])
            .await,
        Err(AppError::NotFound(_))
    ));

    for kind in ["members", "summary"] {
        let csv = app
            .call::<ReportCsv>(&admin, &[("scope", &scope), ("kind", kind)])
            .await
            .unwrap();
        let csv = csv.as_str().unwrap();
        for line in csv.lines() {
            for cell in line.split(',') {
                let cell = cell.trim_start_matches('"');
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{kind}: {line}"
                );
            }
        }
        if kind == "members" {
            assert!(csv.contains("'=HYPERLINK"), "{csv}");
            assert!(csv.contains("p4@acme.example"), "{csv}");
            assert_eq!(csv.lines().count(), 6);
        } else {
            assert!(csv.contains("progress distribution,10–49 %,1"), "{csv}");
        }
    }
}

/// The organization report's figures: members by status, seats, and per program its
/// enrollments, distribution and average.
type Figures = (Vec<i64>, Vec<(i64, [i64; 5], i64)>);

/// The organization report (from the kept sums) beside the same figures counted by SQL
/// from the members and enrollments.
async fn report_and_recount(pool: &PgPool, org: i64) -> (Figures, Figures) {
    use app::domain::report::ReportScope;
    let r =
        app::server::reports::report(pool, &common::operator(org), ReportScope::Organization, 0)
            .await
            .unwrap();
    let kept = (
        vec![
            r.active,
            r.invited,
            r.inactive,
            r.enable_held,
            r.enable_used,
            r.opportunity_held,
            r.average.basis_points().into(),
        ],
        r.programs
            .iter()
            .map(|p| {
                (
                    p.enrolled,
                    p.distribution.0,
                    i64::from(p.average.basis_points()),
                )
            })
            .collect(),
    );
    let members: (i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'invited'),
                count(*) FILTER (WHERE status = 'deactivated'), count(*) FILTER (WHERE enable_seat),
                count(*) FILTER (WHERE enable_seat AND license_used), count(*) FILTER (WHERE opportunity_seat),
                (SELECT coalesce(round(avg(e.progress_basis_points)), 0)::bigint FROM enrollments e
                   JOIN members m ON m.id = e.member_id WHERE m.organization_id = $1)
           FROM members WHERE organization_id = $1",
    )
    .bind(org)
    .fetch_one(pool)
    .await
    .unwrap();
    let programs: Vec<(i64, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT count(e.member_id), count(*) FILTER (WHERE e.progress_basis_points = 0),
                count(*) FILTER (WHERE e.progress_basis_points BETWEEN 1 AND 999),
                count(*) FILTER (WHERE e.progress_basis_points BETWEEN 1000 AND 4999),
                count(*) FILTER (WHERE e.progress_basis_points BETWEEN 5000 AND 9999),
                count(*) FILTER (WHERE e.progress_basis_points = 10000),
                coalesce(round(avg(e.progress_basis_points)), 0)::bigint
           FROM programs p
           LEFT JOIN (enrollments e JOIN members m ON m.id = e.member_id AND m.organization_id = $1)
                  ON e.program_id = p.id
          GROUP BY p.id ORDER BY p.id",
    )
    .bind(org)
    .fetch_all(pool)
    .await
    .unwrap();
    let counted = (
        vec![
            members.0, members.1, members.2, members.3, members.4, members.5, members.6,
        ],
        programs
            .into_iter()
            .map(|p| (p.0, [p.1, p.2, p.3, p.4, p.5], p.6))
            .collect(),
    );
    (kept, counted)
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_organization_report_from_kept_sums_equals_a_recount_through_every_kind_of_write(
    pool: PgPool,
) {
    // The SQL bucket of the kept sums is the domain's.
    let buckets: Vec<i16> =
        sqlx::query_scalar("SELECT progress_bucket(n) FROM generate_series(0, 10000) n ORDER BY n")
            .fetch_all(&pool)
            .await
            .unwrap();
    for (bp, bucket) in buckets.iter().enumerate() {
        let progress = app::domain::Progress::from_basis_points(bp as i64).unwrap();
        assert_eq!(
            *bucket as usize,
            app::domain::report::bucket_of(progress),
            "{bp}"
        );
    }

    let org = common::create_organization(&pool, "Acme", "ada@acme.example", 1000, 1000)
        .await
        .organization_id;
    let other = common::create_organization(&pool, "Other", "ola@other.example", 50, 50)
        .await
        .organization_id;
    let add = |org: i64, from: i32, to: i32| {
        format!(
            "WITH m AS (
                 INSERT INTO members (organization_id, first_name, last_name, email, permission, status,
                                      password_hash, enable_seat, opportunity_seat)
                 SELECT {org}, 'P', 'Q', 'p' || n || '-{org}@acme.example', 'member',
                        (ARRAY['active', 'invited', 'deactivated'])[n % 3 + 1],
                        CASE WHEN n % 3 = 1 THEN NULL ELSE 'x' END, n % 3 <> 2, n % 5 = 0
                   FROM generate_series({from}, {to}) n
                 RETURNING id, enable_seat)
             INSERT INTO enrollments (member_id, program_id, progress_basis_points)
             SELECT m.id, p, ((m.id * 7919 + p * 104729) % 10001)::int
               FROM m CROSS JOIN generate_series(1, 3) p WHERE m.enable_seat"
        )
    };
    let exec = |sql: String| {
        let pool = pool.clone();
        async move { sqlx::query(&sql).execute(&pool).await.unwrap() }
    };
    // Members with an Enable seat are enrolled in three programs (SPEC rule 2).
    exec(add(org, 1, 120)).await;
    exec(add(other, 1, 30)).await;
    let (kept, counted) = report_and_recount(&pool, org).await;
    assert_eq!(kept, counted);
    assert!(counted.1.iter().any(|p| p.0 > 0), "{counted:?}");

    // Progress in bulk (across buckets, and to where the license counts as used), programs
    // dropped, a member deleted by hand, a rollback.
    exec(format!(
        "UPDATE enrollments e SET progress_basis_points = least(10000, e.progress_basis_points + 2500)
           FROM members m WHERE m.id = e.member_id AND m.organization_id = {org} AND e.program_id = 2"
    ))
    .await;
    exec(format!(
        "DELETE FROM enrollments e USING members m
          WHERE m.id = e.member_id AND m.organization_id = {org} AND e.program_id = 3 AND m.id % 2 = 0"
    ))
    .await;
    exec(format!(
        "DELETE FROM members WHERE id IN (SELECT m.id FROM members m JOIN enrollments e ON e.member_id = m.id
                                            WHERE m.organization_id = {org} LIMIT 3)"
    ))
    .await;
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("DELETE FROM enrollments WHERE program_id = 1")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let (kept, counted) = report_and_recount(&pool, org).await;
    assert_eq!(kept, counted);

    // Writers at once, each in its own transaction: every one counts.
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (pool, sql) = (pool.clone(), add(org, 1000 + w * 25, 1024 + w * 25));
            tokio::spawn(async move {
                let mut tx = pool.begin().await.unwrap();
                sqlx::query(&sql).execute(&mut *tx).await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                tx.commit().await.unwrap();
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let (kept, counted) = report_and_recount(&pool, org).await;
    assert_eq!(kept, counted);

    // Folded into one row per key: the same figures, and an organization deleted leaves
    // nothing behind.
    sqlx::query("DELETE FROM organizations WHERE id = $1")
        .bind(other)
        .execute(&pool)
        .await
        .unwrap();
    app::server::enrollment_counts::fold(&pool).await.unwrap();
    app::server::member_counts::fold(&pool).await.unwrap();
    let repeated: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM enrollment_counts
          GROUP BY organization_id, program_id, bucket HAVING count(*) > 1) d",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(repeated, 0);
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM enrollment_counts WHERE organization_id = $1")
            .bind(other)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(left, 0);
    let (kept, counted) = report_and_recount(&pool, org).await;
    assert_eq!(kept, counted);
}
