//! Webhooks (issue 24): events written with the change, delivered signed, retried until
//! the receiver acknowledges (and then never again), kept while it is down and sent when it
//! is back, shared by several workers without a double send; endpoints bounded and refused
//! in words. The receiver is an HTTP server started by the test that checks each
//! signature as Standard Webhooks describes it (HMAC-SHA256 of `id.timestamp.body`, keyed
//! with the base64 secret after `whsec_`), written here from the specification.

use crate::common::{create_organization, operator, spawn_app, TestApp};
use app::domain::KeyScope;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What the receiver saw: each try's webhook-id and event type, in order.
#[derive(Clone, Default)]
struct Received {
    tries: Arc<Mutex<Vec<(String, String)>>>,
    /// Answers to give, first to last; then 200.
    script: Arc<Mutex<Vec<u16>>>,
}

impl Received {
    fn tries(&self) -> Vec<(String, String)> {
        self.tries.lock().unwrap().clone()
    }
}

/// Starts a receiver on `listener` that checks signatures with `secret` (a bad one is
/// a test failure, answered 401).
fn receive(listener: tokio::net::TcpListener, secret: String, received: Received) {
    let handler = move |headers: HeaderMap, body: axum::body::Bytes| {
        let (secret, received) = (secret.clone(), received.clone());
        async move {
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            let (id, timestamp, signature) = (
                header("webhook-id"),
                header("webhook-timestamp"),
                header("webhook-signature"),
            );
            let engine = base64::engine::general_purpose::STANDARD;
            let key = engine.decode(secret.trim_start_matches("whsec_")).unwrap();
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(&body);
            let expected = format!("v1,{}", engine.encode(mac.finalize().into_bytes()));
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let fresh = timestamp
                .parse::<i64>()
                .is_ok_and(|t| (now - t).abs() < 300);
            if !signature.split(' ').any(|s| s == expected) || !fresh {
                return (StatusCode::UNAUTHORIZED, "bad signature".to_owned());
            }
            let event: Value = serde_json::from_slice(&body).unwrap();
            received
                .tries
                .lock()
                .unwrap()
                .push((id, event["type"].as_str().unwrap().to_owned()));
            let next = {
                let mut script = received.script.lock().unwrap();
                if script.is_empty() {
                    200
                } else {
                    script.remove(0)
                }
            };
            (
                StatusCode::from_u16(next).unwrap(),
                format!("answered {next}"),
            )
        }
    };
    let router = axum::Router::new().route("/hook", axum::routing::post(handler));
    tokio::spawn(async move { axum::serve(listener, router).await });
}

async fn endpoint(app: &TestApp, organization_id: i64, port: u16, events: &[&str]) -> String {
    let config = crate::common::runtime_config(&app.base, false);
    app::server::webhooks::add(
        &app.pool,
        &config,
        &operator(organization_id),
        &format!("http://127.0.0.1:{port}/hook"),
        &events.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        "test receiver",
    )
    .await
    .unwrap()
}

async fn invite(app: &TestApp, organization_id: i64, emails: &[String]) {
    let drafts: Vec<app::domain::InviteeDraft> = emails
        .iter()
        .map(|email| app::domain::InviteeDraft {
            first_name: "Ana".into(),
            last_name: "Lima".into(),
            email: email.clone(),
            job_title: String::new(),
            permission: "member".into(),
            enable_seat: false,
            opportunity_seat: false,
        })
        .collect();
    let key = app::server::api_keys::create(
        &app.pool,
        &operator(organization_id),
        "sync",
        &[KeyScope::MembersWrite],
    )
    .await
    .unwrap();
    let access = app::server::api_keys::authenticate(&app.pool, &key)
        .await
        .unwrap()
        .unwrap();
    app::server::invite::from_form(
        &app.pool,
        &crate::common::runtime_config(&app.base, false),
        &access,
        &drafts,
        None,
    )
    .await
    .unwrap();
}

/// One round of the worker, then every pending delivery made due at once (the clock
/// moved past its wait).
async fn round(pool: &PgPool, client: &reqwest::Client) -> usize {
    let tried = app::server::webhooks::deliver_due(pool, client, true, 100)
        .await
        .unwrap();
    sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = now() WHERE status = 'pending'")
        .execute(pool)
        .await
        .unwrap();
    tried
}

fn client() -> reqwest::Client {
    app::server::webhooks::client(&crate::common::runtime_config("http://x", false)).unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn an_event_is_retried_until_acknowledged_then_never_again(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let secret = endpoint(&app, org.organization_id, port, &["member.invited"]).await;
    assert!(secret.starts_with("whsec_"));
    let received = Received::default();
    *received.script.lock().unwrap() = vec![500, 500];
    receive(listener, secret, received.clone());

    invite(&app, org.organization_id, &["ana@acme.test".to_owned()]).await;
    let client = client();
    for _ in 0..6 {
        round(&app.pool, &client).await;
    }
    let tries = received.tries();
    assert_eq!(tries.len(), 3, "two 500s, then the 200: {tries:?}");
    assert!(
        tries.iter().all(|t| t == &tries[0]),
        "the same webhook-id each time: {tries:?}"
    );
    assert_eq!(tries[0].1, "member.invited");
    let row: (String, i32, Option<i16>, Option<String>) =
        sqlx::query_as("SELECT status, attempts, last_status, last_answer FROM webhook_deliveries")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        row,
        (
            "delivered".into(),
            3,
            Some(200),
            Some("answered 200".into())
        )
    );
    // The delivery log shows it as the page does.
    let list = app::server::webhooks::list(&app.pool, &operator(org.organization_id))
        .await
        .unwrap();
    assert_eq!(list[0].deliveries[0].status, "delivered");

    // An event no endpoint asked for is not written; a deactivation is (when asked).
    let other: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_deliveries")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(other, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_receiver_down_for_a_while_gets_everything_later_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    // A port nobody listens on yet.
    let port = crate::common::processes::free_port();
    let secret = endpoint(
        &app,
        org.organization_id,
        port,
        &["member.invited", "member.deactivated"],
    )
    .await;
    let emails: Vec<String> = (0..20).map(|i| format!("m{i}@acme.test")).collect();
    invite(&app, org.organization_id, &emails).await;
    let client = client();
    for _ in 0..3 {
        round(&app.pool, &client).await;
    }
    let waiting: Vec<(String, i32, Option<String>)> =
        sqlx::query_as("SELECT status, attempts, last_answer FROM webhook_deliveries")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(waiting.len(), 20);
    assert!(
        waiting.iter().all(|(s, a, why)| s == "pending"
            && *a == 3
            && why.as_deref() == Some("could not connect")),
        "{waiting:?}"
    );

    // Back up: everything arrives, each event once.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let received = Received::default();
    receive(listener, secret, received.clone());
    for _ in 0..3 {
        round(&app.pool, &client).await;
    }
    let tries = received.tries();
    let mut ids: Vec<&String> = tries.iter().map(|t| &t.0).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((tries.len(), ids.len()), (20, 20), "{tries:?}");

    // After the schedule (about a day), a delivery is given up as failed.
    sqlx::query("UPDATE webhook_deliveries SET status = 'pending', attempts = 10, next_attempt_at = now(), endpoint_id = endpoint_id WHERE id = (SELECT min(id) FROM webhook_deliveries)")
        .execute(&app.pool)
        .await
        .unwrap();
    *received.script.lock().unwrap() = vec![503];
    round(&app.pool, &client).await;
    let status: String = sqlx::query_scalar(
        "SELECT status FROM webhook_deliveries WHERE id = (SELECT min(id) FROM webhook_deliveries)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(status, "failed");
}

#[sqlx::test(migrations = "../migrations")]
async fn two_workers_on_two_pools_deliver_each_event_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let secret = endpoint(&app, org.organization_id, port, &["member.invited"]).await;
    let received = Received::default();
    receive(listener, secret, received.clone());
    for part in 0..3 {
        let emails: Vec<String> = (0..100).map(|i| format!("w{part}-{i}@acme.test")).collect();
        invite(&app, org.organization_id, &emails).await;
    }
    // A second instance: its own connections to the same database.
    let url = crate::common::database_url(&app.pool).await;
    let second = PgPool::connect(&url).await.unwrap();
    let work = |pool: PgPool| async move {
        let client = client();
        let mut tried = 0;
        loop {
            let n = app::server::webhooks::deliver_due(&pool, &client, true, 7)
                .await
                .unwrap();
            if n == 0 {
                break tried;
            }
            tried += n;
        }
    };
    let (a, b) = tokio::join!(work(app.pool.clone()), work(second));
    assert_eq!(a + b, 300, "{a} + {b}");
    assert!(a > 0 && b > 0, "both took a share: {a} + {b}");
    let tries = received.tries();
    let mut counts: HashMap<&String, usize> = HashMap::new();
    for (id, _) in &tries {
        *counts.entry(id).or_default() += 1;
    }
    assert_eq!(counts.len(), 300);
    assert!(counts.values().all(|n| *n == 1), "an event was sent twice");
}

#[sqlx::test(migrations = "../migrations")]
async fn endpoints_are_bounded_checked_and_kept_to_their_organization(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let globex = create_organization(&app.pool, "Globex", "admin@globex.test", 5, 5).await;
    let production = app::server::RuntimeConfig {
        development: false,
        ..crate::common::runtime_config("https://roster.example", false)
    };
    let add = |url: &'static str, events: Vec<&'static str>| {
        let (pool, config) = (app.pool.clone(), production.clone());
        async move {
            app::server::webhooks::add(
                &pool,
                &config,
                &operator(org.organization_id),
                url,
                &events.into_iter().map(String::from).collect::<Vec<_>>(),
                "",
            )
            .await
        }
    };
    for (url, field) in [
        ("http://hooks.example.com/x", "url"),
        ("https://127.0.0.1/x", "url"),
        ("https://10.1.2.3/x", "url"),
        ("https://[fd00::1]/x", "url"),
        ("https://user:pw@hooks.example.com/x", "url"),
    ] {
        let error = add(url, vec!["member.invited"]).await.unwrap_err();
        assert!(error.for_field(field).is_some(), "{url}: {error:?}");
    }
    let error = add("https://hooks.example.com/x", vec!["member.exploded"])
        .await
        .unwrap_err();
    assert!(error.for_field("events").is_some(), "{error:?}");
    let error = add("https://hooks.example.com/x", vec![])
        .await
        .unwrap_err();
    assert!(error.for_field("events").is_some());
    for _ in 0..10 {
        add("https://hooks.example.com/x", vec!["member.invited"])
            .await
            .unwrap();
    }
    assert!(
        add("https://hooks.example.com/y", vec!["member.invited"])
            .await
            .is_err(),
        "at most 10"
    );

    // A name that points at a private address is not called, whatever the URL said.
    let id: i64 = sqlx::query_scalar("SELECT min(id) FROM webhook_endpoints")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE webhook_endpoints SET url = 'https://localhost:9/x' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    app::server::webhooks::send_test(&app.pool, &operator(org.organization_id), id)
        .await
        .unwrap();
    let production_client = app::server::webhooks::client(&production).unwrap();
    app::server::webhooks::deliver_due(&app.pool, &production_client, false, 10)
        .await
        .unwrap();
    let (status, answer): (String, Option<String>) =
        sqlx::query_as("SELECT status, last_answer FROM webhook_deliveries WHERE endpoint_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(status, "pending");
    assert_eq!(answer.as_deref(), Some("could not connect"));

    // Another organization's administrator can neither test nor remove it.
    let theirs = operator(globex.organization_id);
    assert!(app::server::webhooks::send_test(&app.pool, &theirs, id)
        .await
        .is_err());
    assert!(app::server::webhooks::remove(&app.pool, &theirs, id)
        .await
        .is_err());
    assert!(app::server::webhooks::list(&app.pool, &theirs)
        .await
        .unwrap()
        .is_empty());
    // A test event is bounded: five waiting, the sixth refused.
    for _ in 0..4 {
        app::server::webhooks::send_test(&app.pool, &operator(org.organization_id), id)
            .await
            .unwrap();
    }
    assert!(
        app::server::webhooks::send_test(&app.pool, &operator(org.organization_id), id)
            .await
            .is_err()
    );
    // An API key does not manage webhooks.
    let key = app::server::api_keys::create(
        &app.pool,
        &operator(org.organization_id),
        "k",
        &KeyScope::ALL[..4],
    )
    .await
    .unwrap();
    let access = app::server::api_keys::authenticate(&app.pool, &key)
        .await
        .unwrap()
        .unwrap();
    assert!(app::server::webhooks::list(&app.pool, &access)
        .await
        .is_err());
}

#[sqlx::test(migrations = "../migrations")]
async fn each_event_is_written_by_its_change(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let config = crate::common::runtime_config(&app.base, false);
    let all: Vec<&str> = app::domain::webhooks::EventType::SUBSCRIBABLE
        .iter()
        .map(|e| e.key())
        .collect();
    endpoint(&app, org.organization_id, 9, &all).await;
    let admin = operator(org.organization_id);
    invite(&app, org.organization_id, &["ana@acme.test".to_owned()]).await;
    let ana: i64 = sqlx::query_scalar("SELECT id FROM members WHERE email = 'ana@acme.test'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Activated: Ana accepts.
    let token: String = {
        let (token, _) = app::server::crypto::new_token();
        sqlx::query("UPDATE invitations SET token_hash = $2 WHERE member_id = $1")
            .bind(ana)
            .bind(app::server::crypto::token_digest(&token))
            .execute(&app.pool)
            .await
            .unwrap();
        token
    };
    let password =
        app::domain::NewPassword::parse("a long passphrase 1", "a long passphrase 1").unwrap();
    let accepted =
        app::server::invitations::accept(&app.pool, &token, &password, "127.0.0.1").await;
    assert!(accepted.is_ok(), "{accepted:?}");
    // License used and program completed: progress from 0 to 10 % to 100 %.
    app::server::roster::set_seat(&app.pool, &admin, ana, app::domain::SeatKind::Enable, true)
        .await
        .unwrap();
    let program = app::domain::Program::ALL[0];
    app::server::roster::set_program(&app.pool, &admin, ana, program, true)
        .await
        .unwrap();
    let reporter =
        app::server::api_keys::create(&app.pool, &admin, "player", &[KeyScope::Progress])
            .await
            .unwrap();
    for percent in [5.0, 12.0, 50.0, 100.0, 100.0] {
        let answer = app::server::progress_api::post(
            &app.pool,
            Some(&format!("Bearer {reporter}")),
            json!({ "email": "ana@acme.test", "program": program.slug(), "progress": percent })
                .to_string()
                .as_bytes(),
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    app::server::members::deactivate(&app.pool, &admin, ana)
        .await
        .unwrap();
    let types: Vec<String> =
        sqlx::query_scalar("SELECT event_type FROM webhook_deliveries ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        types,
        [
            "member.invited",
            "member.activated",
            "license.used",
            "program.completed",
            "member.deactivated"
        ]
    );
    let payload: Value = sqlx::query_scalar(
        "SELECT payload FROM webhook_deliveries WHERE event_type = 'program.completed'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(payload["data"]["member"]["email"], "ana@acme.test");
    assert_eq!(payload["data"]["program"], program.slug());
    let _ = config;
}
