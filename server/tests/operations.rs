//! Running it for real: probes, metrics behind a token, and configuration that fails early.

mod common;

use common::{browser, spawn_app, METRICS_TOKEN};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::process::Command;

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
