//! Running it for real: probes, metrics behind a token, and configuration that fails early.

use crate::common;

use app::api::activity::Activity;
use app::error::AppError;
use common::{browser, spawn_app, spawn_app_serving, METRICS_TOKEN};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::process::Command;

const PASSWORD: &str = "a long passphrase";

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn probes_and_metrics(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    for probe in ["/livez", "/readyz", "/healthz"] {
        let response = browser().get(app.url(probe)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{probe}");
    }
    // Not public.
    let anonymous = browser().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = browser()
        .get(app.url("/metrics"))
        .bearer_auth("not-the-token-at-all-000000")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let scraped = browser()
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    let text = scraped.text().await.unwrap();
    for metric in [
        "roster_http_requests_total{route=\"/livez\",status=\"200\"}",
        "roster_http_request_duration_seconds_bucket",
        "roster_outbox_pending",
        "roster_outbox_oldest_pending_age_seconds",
        "roster_mail_failed",
        "roster_import_rows_imported",
        "roster_db_pool_connections",
    ] {
        assert!(text.contains(metric), "{metric} missing from:\n{text}");
    }
}

/// A fault names its request: the message the person sees carries the id of the
/// response's `x-request-id` header (and of the request's log lines), whether the fault
/// comes back to the hydrated page or is rendered on the server.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_fault_shows_the_request_id(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    app.organization_with_admin("Faulty", "admin@faulty.example", PASSWORD)
        .await;
    let client = browser();
    app.sign_in(&client, "admin@faulty.example", PASSWORD)
        .await
        .unwrap();
    // A fault: the table the Activity page reads is gone.
    sqlx::query("ALTER TABLE audit_log RENAME TO audit_log_elsewhere")
        .execute(&pool)
        .await
        .unwrap();

    let response = client
        .post(app.url(Activity::PATH))
        .header("Accept", "application/json")
        .json(&serde_json::json!({ "filter": {}, "before": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let error: AppError = response.json().await.unwrap();
    assert_eq!(
        error,
        AppError::Internal {
            reference: Some(id.clone())
        }
    );
    assert!(error.to_string().contains(&format!("(reference {id})")));

    let page = client
        .get(app.url("/organization/activity"))
        .send()
        .await
        .unwrap();
    let id = page.headers()["x-request-id"].to_str().unwrap().to_owned();
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("(reference {id})")), "{html}");
}

/// The built site's files: precompressed copies for browsers that take them, content-
/// hashed names cached for good, misses never cached; pages compressed on the fly.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn assets_are_precompressed_and_cached_for_good(pool: PgPool) {
    let site = std::env::temp_dir().join(format!("roster-site-{}", std::process::id()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("roster.0123abcd.wasm"), vec![b'w'; 4096]).unwrap();
    std::fs::write(pkg.join("roster.0123abcd.wasm.br"), b"brotli copy").unwrap();
    std::fs::write(pkg.join("roster.0123abcd.wasm.gz"), b"gzip copy").unwrap();
    let app = spawn_app_serving(pool.clone(), &site).await;
    // No automatic decompression: the test reads the bytes as sent.
    let client = reqwest::Client::builder().build().unwrap();
    let get = |accept: &'static str, path: &'static str| {
        client
            .get(app.url(path))
            .header("Accept-Encoding", accept)
            .send()
    };

    let br = get("gzip, deflate, br", "/pkg/roster.0123abcd.wasm")
        .await
        .unwrap();
    assert_eq!(br.status(), StatusCode::OK);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(
        br.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli copy");
    let gzip = get("gzip", "/pkg/roster.0123abcd.wasm").await.unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_eq!(gzip.bytes().await.unwrap().as_ref(), b"gzip copy");
    let plain = get("identity", "/pkg/roster.0123abcd.wasm").await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().len(), 4096);

    // A name this build does not have (a newer build's, mid-deploy): not cached.
    let missing = get("br", "/pkg/roster.fedcba98.wasm").await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().get("cache-control").is_none());

    let _ = std::fs::remove_dir_all(&site);

    // Pages are compressed as they are sent (an app without a hash file: the pages of
    // one with link the names the hash file gives, which this test has none of).
    let app = spawn_app(pool).await;
    let page = client
        .get(app.url("/sign-in"))
        .header("Accept-Encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-encoding"], "br");
}

/// `roster serve` with `env`, expected to stop at once with a message naming `variable`.
fn refuses_to_start(database_url: &str, env: &[(&str, &str)], variable: &str) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    command
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("SITE_ADDR", "127.0.0.1:0")
        .env_remove("PUBLIC_URL")
        .env_remove("SMTP_URL")
        .env_remove("ROSTER_ENV");
    for (name, value) in env {
        command.env(name, value);
    }
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{env:?} started");
    assert!(stderr.contains(variable), "{env:?}: {stderr}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn production_refuses_to_start_without_what_it_needs(pool: PgPool) {
    let url = common::database_url(&pool).await;
    refuses_to_start(&url, &[("ROSTER_ENV", "production")], "PUBLIC_URL");
    refuses_to_start(
        &url,
        &[
            ("ROSTER_ENV", "production"),
            ("PUBLIC_URL", "https://roster.example"),
        ],
        "SMTP_URL",
    );
    refuses_to_start(
        &url,
        &[
            ("PUBLIC_URL", "roster.example"),
            ("SMTP_URL", "smtp://127.0.0.1:2525"),
        ],
        "PUBLIC_URL",
    );
    refuses_to_start(
        &url,
        &[
            ("PUBLIC_URL", "https://roster.example"),
            ("SMTP_URL", "mail.example:25"),
        ],
        "SMTP_URL",
    );
    refuses_to_start(
        &url,
        &[("ROSTER_ENV", "development"), ("DATABASE_POOL_SIZE", "0")],
        "DATABASE_POOL_SIZE",
    );
    refuses_to_start(
        &url,
        &[
            ("ROSTER_ENV", "development"),
            ("TRUSTED_PROXIES", "10.0.0.0/33"),
        ],
        "TRUSTED_PROXIES",
    );
}
