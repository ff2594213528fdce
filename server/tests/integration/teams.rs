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
