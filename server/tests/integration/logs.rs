//! No secret in any log: the real server binary runs a flow that issues every kind of
//! secret (sessions, invitation links, a password reset, an API key, passwords), then every
//! line it wrote is searched for each of them.

use crate::common;

use app::api::api_keys::CreateApiKey;
use app::api::auth::SignIn;
use app::api::invitations::AcceptInvitation;
use app::api::invite::InviteMembers;
use app::api::passwords::{RequestPasswordReset, ResetPassword};
use leptos::server_fn::ServerFn;
use reqwest::header::SET_COOKIE;
use serde_json::json;
use sqlx::PgPool;
use std::process::{Command, Stdio};
use std::time::Duration;

const DEMO_PASSWORD: &str = "northwind-demo";
const NEW_PASSWORD: &str = "correct horse battery staple";
const RESET_PASSWORD: &str = "a reset passphrase for ava";

struct Server {
    child: std::process::Child,
    base: String,
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(database_url: &str) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::env::temp_dir().join(format!("roster-logs-test-{port}.log"));
    let file = std::fs::File::create(&log).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("ROSTER_ENV", "development")
        .env("SITE_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("SMTP_URL")
        .env_remove("RUST_LOG")
        .stdout(Stdio::from(file.try_clone().unwrap()))
        .stderr(Stdio::from(file))
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Server { child, base, log }
}

/// Calls a server function with form fields; returns the response (status checked).
async fn call<F: ServerFn>(
    server: &Server,
    client: &reqwest::Client,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let response = client
        .post(format!("{}{}", server.base, F::PATH))
        .header("Accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "{}: {}",
        F::PATH,
        response.status()
    );
    response
}

fn session_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.split(';')
                .next()?
                .split_once('=')
                .map(|(_, v)| v.to_owned())
        })
        .filter(|v| !v.is_empty())
        .expect("a session cookie")
}

/// The token of the newest `kind` mail's link to `email` (kept in the outbox: no SMTP).
async fn token_mailed(pool: &PgPool, kind: &str, email: &str) -> String {
    let link: String = sqlx::query_scalar(
        "SELECT payload->>'link' FROM email_outbox
          WHERE kind = $1 AND lower(to_address) = lower($2) ORDER BY id DESC LIMIT 1",
    )
    .bind(kind)
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap();
    link.rsplit('/').next().unwrap().to_owned()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn no_token_password_or_key_reaches_the_log(pool: PgPool) {
    let url = common::database_url(&pool).await;
    let server = start(&url).await;
    let mut secrets: Vec<(&str, String)> = vec![
        ("demo password", DEMO_PASSWORD.into()),
        ("new password", NEW_PASSWORD.into()),
        ("reset password", RESET_PASSWORD.into()),
    ];

    let admin = common::browser();
    let signed_in = call::<SignIn>(
        &server,
        &admin,
        &[
            ("email", "admin@northwind.example"),
            ("password", DEMO_PASSWORD),
        ],
    )
    .await;
    secrets.push(("admin session", session_of(&signed_in)));

    // Two invitations; one accepted, the other's page opened.
    let invite = admin
        .post(format!("{}{}", server.base, InviteMembers::PATH))
        .header("Accept", "application/json")
        .json(&json!({ "members": [
            { "first_name": "Lena", "last_name": "Log", "email": "lena@northwind.example", "job_title": "",
              "permission": "member", "enable_seat": false, "opportunity_seat": false },
            { "first_name": "Otto", "last_name": "Open", "email": "otto@northwind.example", "job_title": "",
              "permission": "member", "enable_seat": false, "opportunity_seat": false }
        ]}))
        .send()
        .await
        .unwrap();
    assert!(
        invite.status().is_success(),
        "{}",
        invite.text().await.unwrap()
    );
    let lena = token_mailed(&pool, "invitation", "lena@northwind.example").await;
    let otto = token_mailed(&pool, "invitation", "otto@northwind.example").await;
    let accepted = call::<AcceptInvitation>(
        &server,
        &common::browser(),
        &[
            ("token", &lena),
            ("password", NEW_PASSWORD),
            ("password_confirmation", NEW_PASSWORD),
        ],
    )
    .await;
    secrets.push(("accepting member's session", session_of(&accepted)));
    let page = common::browser()
        .get(format!("{}/invite/{otto}?from=mail", server.base))
        .send()
        .await
        .unwrap();
    assert!(page.status().is_success());
    secrets.push(("invitation token (accepted)", lena));
    secrets.push(("invitation token (opened)", otto));

    // A password reset, asked for and used.
    call::<RequestPasswordReset>(
        &server,
        &common::browser(),
        &[("email", "ava.hughes@northwind.example")],
    )
    .await;
    let reset = token_mailed(&pool, "password_reset", "ava.hughes@northwind.example").await;
    let page = common::browser()
        .get(format!("{}/reset-password/{reset}", server.base))
        .send()
        .await
        .unwrap();
    assert!(page.status().is_success());
    let reset_done = call::<ResetPassword>(
        &server,
        &common::browser(),
        &[
            ("token", &reset),
            ("password", RESET_PASSWORD),
            ("password_confirmation", RESET_PASSWORD),
        ],
    )
    .await;
    secrets.push(("reset member's session", session_of(&reset_done)));
    secrets.push(("reset token", reset));

    // An API key, created and used.
    let key: String = admin
        .post(format!(
            "{}{}",
            server.base,
            <CreateApiKey as leptos::server_fn::ServerFn>::PATH
        ))
        .header("Accept", "application/json")
        .json(&json!({ "name": "Course player", "scopes": ["Progress"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let used = reqwest::Client::new()
        .post(format!("{}/api/v1/progress", server.base))
        .bearer_auth(&key)
        .json(&json!({ "email": "ava.hughes@northwind.example", "program": "meddpicc-masterclass", "progress": 50 }))
        .send()
        .await
        .unwrap();
    assert!(used.status().as_u16() < 500);
    secrets.push(("API key", key));

    let log_path = server.log.clone();
    drop(server);
    let log = std::fs::read_to_string(&log_path).unwrap();
    // Requests are logged, by their route's template.
    assert!(
        log.contains("/reset-password/"),
        "the server logged requests:\n{log}"
    );
    for (what, secret) in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "the {what} appears in the server's log:\n{log}"
        );
    }
    let _ = std::fs::remove_file(log_path);
}
