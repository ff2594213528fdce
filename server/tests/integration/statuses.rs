//! Each kind of refusal answers with its own HTTP status (the body is the same JSON the
//! page reads); only a real fault is a 500. And text PostgreSQL cannot hold gets a message.

use crate::common;

use app::api::enrollments::LoadMember;
use app::api::import::StartImport;
use app::api::invite::InviteMembers;
use app::api::member_list::ListMembers;
use app::error::AppError;
use common::{browser, spawn_app, TestApp};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

const PASSWORD: &str = "a long passphrase";

async fn status_of<F: ServerFn>(
    app: &TestApp,
    client: &reqwest::Client,
    form: &[(&str, &str)],
) -> (StatusCode, AppError) {
    let response = client
        .post(app.url(F::PATH))
        .header("Accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_kind_of_refusal_has_its_status(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    app.member(org, "max@acme.example", "member", Some(PASSWORD))
        .await;
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    let member = browser();
    app.sign_in(&member, "max@acme.example", PASSWORD)
        .await
        .unwrap();

    let list = |client: reqwest::Client| {
        let url = app.url(ListMembers::PATH);
        async move {
            let response = client
                .post(url)
                .header("Accept", "application/json")
                .json(&json!({ "filter": {}, "after": null, "before": null }))
                .send()
                .await
                .unwrap();
            (
                response.status(),
                response.json::<AppError>().await.unwrap(),
            )
        }
    };
    assert_eq!(
        list(browser()).await,
        (StatusCode::UNAUTHORIZED, AppError::Unauthenticated)
    );
    assert_eq!(
        list(member.clone()).await,
        (StatusCode::FORBIDDEN, AppError::Forbidden)
    );
    let (status, _) = status_of::<LoadMember>(&app, &admin, &[("member_id", "999999")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A file imported to its end before: a conflict.
    sqlx::query(
        "INSERT INTO imports (organization_id, file_name, digest, rows_total, imported, actor_label, completed_at)
         VALUES ($1, 'a.csv', 'feedfacecafebeef', 1, 1, 'test', now())",
    )
    .bind(org)
    .execute(&pool)
    .await
    .unwrap();
    let (status, error) = status_of::<StartImport>(
        &app,
        &admin,
        &[
            ("file_name", "a.csv"),
            ("digest", "feedfacecafebeef"),
            ("rows_total", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");

    // Invalid input: 422, with the problems of each member.
    let response = admin
        .post(app.url(InviteMembers::PATH))
        .header("Accept", "application/json")
        .json(&json!({ "members": [{ "first_name": "", "last_name": "X", "email": "nope",
            "job_title": "", "permission": "member", "enable_seat": false, "opportunity_seat": false }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(matches!(
        response.json::<AppError>().await.unwrap(),
        AppError::Problems(_)
    ));

    // Too many failed sign-ins: 429.
    let guesser = browser();
    for _ in 0..5 {
        let _ = app.sign_in(&guesser, "max@acme.example", "wrong").await;
    }
    let (status, error) = status_of::<app::api::auth::SignIn>(
        &app,
        &guesser,
        &[("email", "max@acme.example"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{error}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_nul_character_gets_a_message_not_a_fault(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    let response = admin
        .post(app.url(ListMembers::PATH))
        .header("Accept", "application/json")
        .json(&json!({ "filter": { "q": "ana\u{0}" }, "after": null, "before": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: AppError = response.json().await.unwrap();
    assert!(error.to_string().contains("control character"), "{error}");
    // A search as long as a body may be is refused before it reaches every member's row.
    let response = admin
        .post(app.url(ListMembers::PATH))
        .header("Accept", "application/json")
        .json(&json!({ "filter": { "q": "a".repeat(200_000) }, "after": null, "before": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: AppError = response.json().await.unwrap();
    assert!(error.to_string().contains("at most 200"), "{error}");
    // Anywhere else text reaches the database, the same: a message, never a 500.
    let response = admin
        .post(app.url(app::api::teams::CreateRegion::PATH))
        .header("Accept", "application/json")
        .form(&[("name", "EM\u{0}EA")])
        .send()
        .await
        .unwrap();
    assert_ne!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
