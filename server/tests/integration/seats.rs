//! Seats, programs and the 10 % rule through the real server and database, including the
//! races of issue 5: concurrent grants, unassign against progress, free against grant.

use crate::common;

use app::api::api_keys::CreateApiKey;
use app::api::enrollments::{AssignProgram, UnassignProgram};
use app::api::learning::CompleteLesson;
use app::api::seats::{FreeUnusedLicenses, RequestSeats, SetMemberSeat};
use app::domain::Access;
use app::error::AppError;
use common::{browser, spawn_app, TestApp};
use serde_json::json;
use sqlx::PgPool;
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery";
const MASTERCLASS: &str = "meddpicc-masterclass";
const VALUE: &str = "meddicc-value-program";

/// An organization (10 Enable, 5 Opportunity seats) and its administrator's signed-in client.
async fn admin(app: &TestApp) -> (i64, reqwest::Client) {
    let (org, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let client = browser();
    app.sign_in(&client, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    (org, client)
}

/// An active member holding an Enable seat, enrolled with the given progress (basis points).
async fn learner(app: &TestApp, org: i64, email: &str, enrollments: &[(&str, i32)]) -> i64 {
    let id = app.member(org, email, "member", Some(PASSWORD)).await;
    sqlx::query("UPDATE members SET enable_seat = true WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    for (slug, bp) in enrollments {
        sqlx::query(
            "INSERT INTO enrollments (member_id, program_id, progress_basis_points)
             SELECT $1, id, $3 FROM programs WHERE slug = $2",
        )
        .bind(id)
        .bind(slug)
        .bind(bp)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    id
}

async fn held(pool: &PgPool, org: i64) -> (i32, i32, i64) {
    sqlx::query_as(
        "SELECT o.enable_seats, o.enable_seats_held,
                (SELECT count(*) FROM members WHERE organization_id = o.id AND enable_seat)
           FROM organizations o WHERE id = $1",
    )
    .bind(org)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn progress_of(pool: &PgPool, member: i64, slug: &str) -> Option<i32> {
    sqlx::query_scalar(
        "SELECT e.progress_basis_points FROM enrollments e JOIN programs p ON p.id = e.program_id
          WHERE e.member_id = $1 AND p.slug = $2",
    )
    .bind(member)
    .bind(slug)
    .fetch_optional(pool)
    .await
    .unwrap()
}

async fn api_key(app: &TestApp, admin: &reqwest::Client) -> String {
    app.call_json::<CreateApiKey>(
        admin,
        serde_json::json!({ "name": "Course player", "scopes": ["Progress"] }),
    )
    .await
    .unwrap()
    .as_str()
    .unwrap()
    .to_owned()
}

async fn post_progress(app: &TestApp, key: Option<&str>, body: &str) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .post(app.url("/api/v1/progress"))
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn thirty_simultaneous_grants_of_the_last_ten_enable_seats_give_exactly_ten(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, admin) = admin(&app).await;
    let mut members = Vec::new();
    for n in 0..30 {
        members.push(
            app.member(org, &format!("m{n}@acme.example"), "member", None)
                .await,
        );
    }
    let app = Arc::new(app);
    let tasks: Vec<_> = members
        .iter()
        .map(|&id| {
            let (app, admin) = (app.clone(), admin.clone());
            tokio::spawn(async move {
                app.call_json::<SetMemberSeat>(
                    &admin,
                    json!({ "member_id": id, "kind": "Enable", "hold": true }),
                )
                .await
            })
        })
        .collect();
    let mut granted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => granted += 1,
            Err(AppError::Invalid(message)) => {
                assert!(message.starts_with("No free Enable seat"), "{message}")
            }
            Err(other) => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!(granted, 10);
    assert_eq!(held(&pool, org).await, (10, 10, 10));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_unassign_racing_a_progress_update_never_frees_a_used_license(pool: PgPool) {
    let app = Arc::new(spawn_app(pool.clone()).await);
    let (org, admin) = admin(&app).await;
    let key = api_key(&app, &admin).await;
    for round in 0..8 {
        let email = format!("racer{round}@acme.example");
        // 9.99 %: free to unassign — until the update to 10 % lands.
        let member = learner(&app, org, &email, &[(MASTERCLASS, 999)]).await;
        let body = json!({ "email": email, "program": MASTERCLASS, "progress": 10 }).to_string();
        let (unassigned, (status, answer)) = tokio::join!(
            app.call_json::<UnassignProgram>(
                &admin,
                json!({ "member_id": member, "program": MASTERCLASS })
            ),
            post_progress(&app, Some(&key), &body),
        );
        let now = progress_of(&pool, member, MASTERCLASS).await;
        let used: bool = sqlx::query_scalar("SELECT license_used FROM members WHERE id = $1")
            .bind(member)
            .fetch_one(&pool)
            .await
            .unwrap();
        // The license is recorded as used exactly when the update to 10 % landed.
        assert_eq!(used, now == Some(1000));
        match unassigned {
            // Unassigned first: the update found no enrollment, nothing was recorded.
            Ok(_) => {
                assert_eq!(status, 404, "{answer}");
                assert_eq!(now, None);
            }
            // The update first: the license is used and the unassign was refused.
            Err(AppError::Invalid(message)) => {
                assert!(message.starts_with("Progress is 10 %"), "{message}");
                assert_eq!(status, 200, "{answer}");
                assert_eq!(now, Some(1000));
            }
            Err(other) => panic!("unexpected: {other:?}"),
        }
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn two_admins_freeing_and_granting_at_once_never_exceed_seats_bought(pool: PgPool) {
    let app = Arc::new(spawn_app(pool.clone()).await);
    let (org, ada) = admin(&app).await;
    app.member(org, "bob@acme.example", "admin", Some(PASSWORD))
        .await;
    let bob = browser();
    app.sign_in(&bob, "bob@acme.example", PASSWORD)
        .await
        .unwrap();
    // All ten seats held by members who never started; ten others wait for a seat.
    let mut holders = Vec::new();
    for n in 0..10 {
        holders.push(learner(&app, org, &format!("h{n}@acme.example"), &[(VALUE, 0)]).await);
    }
    let mut waiting = Vec::new();
    for n in 0..10 {
        waiting.push(
            app.member(org, &format!("w{n}@acme.example"), "member", None)
                .await,
        );
    }
    assert_eq!(held(&pool, org).await, (10, 10, 10));
    let grants: Vec<_> = waiting
        .iter()
        .map(|&id| {
            let (app, bob) = (app.clone(), bob.clone());
            tokio::spawn(async move {
                app.call_json::<SetMemberSeat>(
                    &bob,
                    json!({ "member_id": id, "kind": "Enable", "hold": true }),
                )
                .await
            })
        })
        .collect();
    let freed = app
        .call_json::<FreeUnusedLicenses>(
            &ada,
            json!({ "member_ids": holders, "all_matching": null }),
        )
        .await
        .unwrap();
    assert_eq!(freed["freed"].as_array().unwrap().len(), 10);
    let mut granted = 0;
    for grant in grants {
        if grant.await.unwrap().is_ok() {
            granted += 1;
        }
    }
    let (bought, held_now, counted) = held(&pool, org).await;
    assert!(held_now <= bought);
    assert_eq!(i64::from(held_now), counted);
    assert_eq!(held_now, granted);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_ten_percent_rule_holds_on_the_server_whatever_the_page_showed(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, admin) = admin(&app).await;
    let used = learner(
        &app,
        org,
        "used@acme.example",
        &[(MASTERCLASS, 1400), (VALUE, 500)],
    )
    .await;
    let invited = app.member(org, "new@acme.example", "member", None).await;
    let call = |member: i64, program: &str| json!({ "member_id": member, "program": program });

    // The used program stays; the other one goes.
    assert_eq!(
        app.call_json::<UnassignProgram>(&admin, call(used, MASTERCLASS))
            .await,
        Err(AppError::invalid(
            "Progress is 14 %: this license is used and cannot be freed. (MEDDPICC Masterclass)"
        ))
    );
    app.call_json::<UnassignProgram>(&admin, call(used, VALUE))
        .await
        .unwrap();
    assert_eq!(progress_of(&pool, used, VALUE).await, None);
    // Removing the Enable seat would unassign a used program: refused.
    let refused = app
        .call_json::<SetMemberSeat>(
            &admin,
            json!({ "member_id": used, "kind": "Enable", "hold": false }),
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("license is used"), "{refused}");
    // Invited members are frozen; programs need an Enable seat.
    let frozen = app
        .call_json::<AssignProgram>(&admin, call(invited, VALUE))
        .await
        .unwrap_err();
    assert!(
        frozen.to_string().contains("not completed account setup"),
        "{frozen}"
    );
    // Seats bought (set by the vendor) never go below seats held.
    let below = app::server::seats::set_bought(&pool, &Access::vendor(org), Some(0), Some(5))
        .await
        .unwrap_err();
    assert_eq!(
        below.for_field("enable").unwrap(),
        "1 Enable seat is held by a member, so you cannot go below 1. Free seats first (Free unused licenses on the member list)."
    );
    // Another organization's member is out of reach.
    let other = common::create_organization(&pool, "Other", "root@other.example", 3, 3).await;
    let stranger = app
        .member(other.organization_id, "s@other.example", "member", None)
        .await;
    assert!(matches!(
        app.call_json::<SetMemberSeat>(
            &admin,
            json!({ "member_id": stranger, "kind": "Enable", "hold": true })
        )
        .await,
        Err(AppError::NotFound(_))
    ));
    // A plain member cannot call any of it.
    let member = browser();
    app.sign_in(&member, "used@acme.example", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        app.call_json::<AssignProgram>(&member, call(used, VALUE))
            .await,
        Err(AppError::Forbidden)
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn completing_lessons_raises_progress_once_and_never_lowers_it(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, _admin) = admin(&app).await;
    let member = learner(&app, org, "lea@acme.example", &[(MASTERCLASS, 0)]).await;
    let client = browser();
    app.sign_in(&client, "lea@acme.example", PASSWORD)
        .await
        .unwrap();
    let lessons: Vec<i16> = sqlx::query_scalar(
        "SELECT l.id FROM lessons l JOIN programs p ON p.id = l.program_id WHERE p.slug = $1 ORDER BY l.position",
    )
    .bind(MASTERCLASS)
    .fetch_all(&pool)
    .await
    .unwrap();
    let complete = |lesson: i16| json!({ "program": MASTERCLASS, "lesson_id": lesson });
    assert_eq!(
        app.call_json::<CompleteLesson>(&client, complete(lessons[0]))
            .await
            .unwrap(),
        833
    );
    // Twice the same lesson: no change.
    assert_eq!(
        app.call_json::<CompleteLesson>(&client, complete(lessons[0]))
            .await
            .unwrap(),
        833
    );
    assert_eq!(
        app.call_json::<CompleteLesson>(&client, complete(lessons[1]))
            .await
            .unwrap(),
        1666
    );
    // Progress reported higher elsewhere is never lowered by a lesson.
    sqlx::query("UPDATE enrollments SET progress_basis_points = 5000 WHERE member_id = $1")
        .bind(member)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        app.call_json::<CompleteLesson>(&client, complete(lessons[2]))
            .await
            .unwrap(),
        5000
    );
    // A program not assigned is refused.
    let value_lesson: i16 = sqlx::query_scalar(
        "SELECT l.id FROM lessons l JOIN programs p ON p.id = l.program_id WHERE p.slug = $1 LIMIT 1",
    )
    .bind(VALUE)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(matches!(
        app.call_json::<CompleteLesson>(
            &client,
            json!({ "program": VALUE, "lesson_id": value_lesson })
        )
        .await,
        Err(AppError::NotFound(_))
    ));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_progress_endpoint_checks_its_key_its_input_and_its_tenant(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, admin) = admin(&app).await;
    let key = api_key(&app, &admin).await;
    assert!(key.starts_with("rst_") && key.len() == 68, "{key}");
    let member = learner(&app, org, "lea@acme.example", &[(MASTERCLASS, 0)]).await;
    sqlx::query("UPDATE members SET external_id = 'EXT00042' WHERE id = $1")
        .bind(member)
        .execute(&pool)
        .await
        .unwrap();
    let body = |progress: serde_json::Value| {
        json!({ "email": "LEA@acme.example", "program": MASTERCLASS, "progress": progress })
            .to_string()
    };

    // Keys: missing, wrong, revoked → 401 with a JSON error.
    let (status, answer) = post_progress(&app, None, &body(json!(20))).await;
    assert_eq!(status, 401, "{answer}");
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .contains("Authorization: Bearer"));
    assert_eq!(
        post_progress(&app, Some("rst_0000"), &body(json!(20)))
            .await
            .0,
        401
    );

    // Bad input → 400, and nothing changes.
    for bad in [
        "not json".to_owned(),
        body(json!(101)),
        body(json!(-1)),
        body(json!("20")),
        json!({ "program": MASTERCLASS, "progress": 20 }).to_string(),
        json!({ "email": "lea@acme.example", "user_id": "EXT00042", "program": MASTERCLASS, "progress": 20 }).to_string(),
        json!({ "email": "lea@acme.example", "program": "meddpicc-masterclas", "progress": 20 }).to_string(),
        json!({ "email": "lea@acme.example", "program": MASTERCLASS, "progress": 20, "extra": 1 }).to_string(),
    ] {
        let (status, answer) = post_progress(&app, Some(&key), &bad).await;
        assert_eq!(status, 400, "{bad} → {answer}");
        assert!(answer["error"].is_string(), "{answer}");
    }
    assert_eq!(progress_of(&pool, member, MASTERCLASS).await, Some(0));

    // Recorded, idempotent, never lowered; by email or user_id.
    let (status, answer) = post_progress(&app, Some(&key), &body(json!(42.5))).await;
    assert_eq!(
        (
            status,
            answer["progress"].as_f64(),
            answer["ignored"].as_bool()
        ),
        (200, Some(42.5), Some(false))
    );
    assert_eq!(
        post_progress(&app, Some(&key), &body(json!(42.5))).await.0,
        200
    );
    let (status, answer) = post_progress(&app, Some(&key), &body(json!(12))).await;
    assert_eq!(
        (
            status,
            answer["progress"].as_f64(),
            answer["ignored"].as_bool()
        ),
        (200, Some(42.5), Some(true))
    );
    let by_id =
        json!({ "user_id": "ext00042", "program": MASTERCLASS, "progress": 50 }).to_string();
    assert_eq!(post_progress(&app, Some(&key), &by_id).await.0, 200);
    assert_eq!(progress_of(&pool, member, MASTERCLASS).await, Some(5000));

    // Not enrolled, or another organization's member → 404.
    let value = json!({ "email": "lea@acme.example", "program": VALUE, "progress": 5 }).to_string();
    assert_eq!(post_progress(&app, Some(&key), &value).await.0, 404);
    let other = common::create_organization(&pool, "Other", "root@other.example", 3, 3).await;
    let stranger = learner(
        &app,
        other.organization_id,
        "s@other.example",
        &[(MASTERCLASS, 0)],
    )
    .await;
    let theirs =
        json!({ "email": "s@other.example", "program": MASTERCLASS, "progress": 30 }).to_string();
    assert_eq!(post_progress(&app, Some(&key), &theirs).await.0, 404);
    assert_eq!(progress_of(&pool, stranger, MASTERCLASS).await, Some(0));

    // A revoked key stops working at once.
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_keys WHERE organization_id = $1")
        .bind(org)
        .fetch_one(&pool)
        .await
        .unwrap();
    app.call::<app::api::api_keys::RevokeApiKey>(&admin, &[("id", &id.to_string())])
        .await
        .unwrap();
    assert_eq!(
        post_progress(&app, Some(&key), &body(json!(60))).await.0,
        401
    );
    let stored: Vec<u8> = sqlx::query_scalar("SELECT key_hash FROM api_keys WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_ne!(stored, key.as_bytes(), "only a hash is stored");
}

/// Seats bought are the vendor's: no server function lets an administrator change them;
/// an administrator asks, the request reaches the vendor's address through the outbox,
/// and the operator's change marks it granted and shows in Activity as the vendor's.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn seats_bought_are_the_vendors_and_administrators_ask_for_more(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, admin) = admin(&app).await;
    let bought = || async {
        sqlx::query_as::<_, (i32, i32)>(
            "SELECT enable_seats, opportunity_seats FROM organizations WHERE id = $1",
        )
        .bind(org)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let before = bought().await;
    // The old server function is gone: calling it changes nothing.
    let old = browser()
        .post(app.url("/api/set_seats_bought"))
        .form(&[
            ("enable_seats", "1000000"),
            ("opportunity_seats", "1000000"),
        ])
        .send()
        .await
        .unwrap();
    assert!(!old.status().is_success(), "{}", old.status());
    let with_session = admin
        .post(app.url("/api/set_seats_bought"))
        .form(&[
            ("enable_seats", "1000000"),
            ("opportunity_seats", "1000000"),
        ])
        .send()
        .await
        .unwrap();
    assert!(!with_session.status().is_success());
    assert_eq!(bought().await, before);

    // A request: checked, recorded, mailed to the vendor.
    let bad = app
        .call::<RequestSeats>(&admin, &[("kind", "enable"), ("seats", "0"), ("note", "")])
        .await
        .unwrap_err();
    assert!(bad.for_field("seats").is_some(), "{bad}");
    app.call::<RequestSeats>(
        &admin,
        &[
            ("kind", "enable"),
            ("seats", "10"),
            ("note", "New EMEA team"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(bought().await, before);
    let (to, kind): (String, String) = sqlx::query_as(
        "SELECT to_address, kind FROM email_outbox WHERE organization_id = $1 AND kind = 'seat_request'",
    )
    .bind(org)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (to.as_str(), kind.as_str()),
        (common::VENDOR_EMAIL, "seat_request")
    );
    let open: Option<String> =
        sqlx::query_scalar("SELECT granted_at::text FROM seat_requests WHERE organization_id = $1")
            .bind(org)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(open, None);

    // The vendor raises Enable seats: the request is granted, Activity names the vendor.
    app::server::seats::set_bought(
        &pool,
        &Access::vendor(org),
        Some(i64::from(before.0) + 10),
        None,
    )
    .await
    .unwrap();
    assert_eq!(bought().await, (before.0 + 10, before.1));
    let granted: Option<String> =
        sqlx::query_scalar("SELECT granted_at::text FROM seat_requests WHERE organization_id = $1")
            .bind(org)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(granted.is_some());
    let (actor, action): (String, String) = sqlx::query_as(
        "SELECT actor_label, action FROM audit_log WHERE organization_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(org)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(action, "seats.bought_changed");
    assert!(actor.contains("vendor"), "{actor}");
}
