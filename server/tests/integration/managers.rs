//! Team managers: what they see, what they may invite, and how an administrator (the page
//! or the command line) says what they manage.

use crate::common::{browser, database_url, processes::roster, spawn_app, TestApp};
use app::api::invite::InviteMembers;
use app::api::member_list::{ListMembers, OrganizationOverview};
use app::api::members::SetManagerScope;
use app::error::AppError;
use serde_json::json;
use sqlx::PgPool;

const PASSWORD: &str = "a long passphrase";

async fn id(pool: &PgPool, query: &str) -> i64 {
    sqlx::query_scalar(query).fetch_one(pool).await.unwrap()
}

/// Acme with regions R (teams A, B) and S (team C), a member in each team, and Morgan, an
/// active member about to manage. Returns (organization, team A, region R, Morgan).
async fn acme(app: &TestApp) -> (i64, i64, i64, i64) {
    let (org, _) = app
        .organization_with_admin("Acme", "admin@acme.example", PASSWORD)
        .await;
    let pool = &app.pool;
    let region = |name: &str| {
        format!("INSERT INTO regions (organization_id, name) VALUES ({org}, '{name}') RETURNING id")
    };
    let r = id(pool, &region("R")).await;
    let s = id(pool, &region("S")).await;
    let team = |region: i64, name: &str| {
        format!("INSERT INTO teams (organization_id, region_id, name) VALUES ({org}, {region}, '{name}') RETURNING id")
    };
    let a = id(pool, &team(r, "A")).await;
    let b = id(pool, &team(r, "B")).await;
    let c = id(pool, &team(s, "C")).await;
    for (email, team) in [
        ("ann@acme.example", a),
        ("ben@acme.example", b),
        ("cy@acme.example", c),
    ] {
        let member = app.member(org, email, "member", None).await;
        sqlx::query("UPDATE members SET team_id = $2 WHERE id = $1")
            .bind(member)
            .bind(team)
            .execute(pool)
            .await
            .unwrap();
    }
    let morgan = app
        .member(org, "morgan@acme.example", "member", Some(PASSWORD))
        .await;
    (org, a, r, morgan)
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_manager_sees_their_teams_and_invites_only_members_into_them(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, team_a, region_r, morgan) = acme(&app).await;
    let admin = browser();
    app.sign_in(&admin, "admin@acme.example", PASSWORD)
        .await
        .unwrap();
    app.call::<app::api::members::SetMemberPermission>(
        &admin,
        &[
            ("member_id", &morgan.to_string()),
            ("permission", "manager"),
        ],
    )
    .await
    .unwrap();
    // Another organization's team is refused whole, nothing written.
    let (other, _) = app
        .organization_with_admin("Globex", "admin@globex.example", PASSWORD)
        .await;
    let foreign_region = id(
        &pool,
        &format!("INSERT INTO regions (organization_id, name) VALUES ({other}, 'X') RETURNING id"),
    )
    .await;
    let refused = app
        .call_json::<SetManagerScope>(
            &admin,
            json!({ "member_id": morgan, "teams": [team_a], "regions": [foreign_region] }),
        )
        .await;
    assert!(matches!(refused, Err(AppError::NotFound(_))), "{refused:?}");
    // At most 50 teams and regions in one scope: a longer list is refused before any query.
    let too_many = app
        .call_json::<SetManagerScope>(
            &admin,
            json!({ "member_id": morgan, "teams": (1..=51).collect::<Vec<i64>>(), "regions": [] }),
        )
        .await;
    assert!(
        matches!(&too_many, Err(AppError::Invalid(m)) if m.contains("at most 50")),
        "{too_many:?}"
    );
    let scopes: i64 = id(&pool, "SELECT count(*) FROM manager_scopes").await;
    assert_eq!(scopes, 0);
    app.call_json::<SetManagerScope>(
        &admin,
        json!({ "member_id": morgan, "teams": [], "regions": [region_r] }),
    )
    .await
    .unwrap();

    // Morgan sees teams A and B (region R), not C, and counts only them.
    let manager = browser();
    app.sign_in(&manager, "morgan@acme.example", PASSWORD)
        .await
        .unwrap();
    let filter =
        json!({ "q": "", "status": "", "permission": "", "seat": "", "team": "", "sort": "" });
    let page = app
        .call_json::<ListMembers>(&manager, json!({ "filter": filter }))
        .await
        .unwrap();
    let emails: Vec<&str> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ann@acme.example", "ben@acme.example"]);
    let overview = app
        .call::<OrganizationOverview>(&manager, &[])
        .await
        .unwrap();
    assert_eq!(overview["invited"], 2);
    assert_eq!(overview["teams"].as_array().unwrap().len(), 2);

    // Inviting: refused while the organization does not allow it; then members only, into
    // one of their teams.
    let invitee = |n: u32, permission: &str| {
        json!({ "first_name": "New", "last_name": format!("P{n}"), "email": format!("new{n}@acme.example"),
                "job_title": "", "permission": permission, "enable_seat": false, "opportunity_seat": false })
    };
    let not_yet = app
        .call_json::<InviteMembers>(
            &manager,
            json!({ "members": [invitee(1, "member")], "team": team_a }),
        )
        .await;
    assert!(
        matches!(&not_yet, Err(AppError::Refused(m)) if m.contains("only administrators invite")),
        "{not_yet:?}"
    );
    sqlx::query("UPDATE organizations SET managers_may_invite = true WHERE id = $1")
        .bind(org)
        .execute(&pool)
        .await
        .unwrap();
    let admin_invite = app
        .call_json::<InviteMembers>(
            &manager,
            json!({ "members": [invitee(2, "admin")], "team": team_a }),
        )
        .await;
    assert!(
        matches!(admin_invite, Err(AppError::Refused(_))),
        "{admin_invite:?}"
    );
    let no_team = app
        .call_json::<InviteMembers>(&manager, json!({ "members": [invitee(3, "member")] }))
        .await;
    assert!(matches!(no_team, Err(AppError::Refused(_))), "{no_team:?}");
    app.call_json::<InviteMembers>(
        &manager,
        json!({ "members": [invitee(4, "member")], "team": team_a }),
    )
    .await
    .unwrap();
    let (team, permission): (Option<i64>, String) =
        sqlx::query_as("SELECT team_id, permission FROM members WHERE email = 'new4@acme.example'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((team, permission.as_str()), (Some(team_a), "member"));
    // The Activity names who invited.
    let actor: String = sqlx::query_scalar(
        "SELECT actor_label FROM audit_log WHERE action = 'member.invited' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(actor, "morgan@acme.example (team manager)");

    // No longer a manager: nothing managed is kept.
    app.call::<app::api::members::SetMemberPermission>(
        &admin,
        &[("member_id", &morgan.to_string()), ("permission", "member")],
    )
    .await
    .unwrap();
    assert_eq!(id(&pool, "SELECT count(*) FROM manager_scopes").await, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_command_line_makes_a_manager_of_named_teams_and_regions(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (_, _, region_r, morgan) = acme(&app).await;
    let url = database_url(&pool).await;
    let out = roster(
        &url,
        &[
            "members",
            "manage",
            "--org",
            "Acme",
            "--email",
            "MORGAN@acme.example",
            "--team",
            "S / C",
            "--region",
            "r",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let permission: String = sqlx::query_scalar("SELECT permission FROM members WHERE id = $1")
        .bind(morgan)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(permission, "manager");
    let regions: Vec<Option<i64>> =
        sqlx::query_scalar("SELECT region_id FROM manager_scopes WHERE region_id IS NOT NULL")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(regions, [Some(region_r)]);
    // An unknown team changes nothing and says so.
    let out = roster(
        &url,
        &[
            "members",
            "manage",
            "--org",
            "Acme",
            "--email",
            "morgan@acme.example",
            "--team",
            "R / Nope",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("There is no team"));
    assert_eq!(id(&pool, "SELECT count(*) FROM manager_scopes").await, 2);
}
