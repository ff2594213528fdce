//! The browser's defenses on every response, and bodies limited per route.

use crate::common;

use app::api::auth::SignIn;
use common::{browser, spawn_app};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_response_carries_the_security_headers(pool: PgPool) {
    let app = spawn_app(pool).await;
    for (path, referrer) in [
        ("/sign-in", "same-origin"),
        ("/organization", "same-origin"),
        ("/invite/0123", "no-referrer"),
        ("/reset-password/0123", "no-referrer"),
        ("/no-such-page", "same-origin"),
        ("/healthz", "same-origin"),
    ] {
        let response = browser()
            .get(app.url(path))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        let scripts = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(
            scripts.contains("'self'") && scripts.contains("'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
        assert!(!scripts.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], referrer, "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        // Plain HTTP here: no HSTS.
        assert!(!headers.contains_key("strict-transport-security"), "{path}");
    }

    // A page's policy allows exactly its own inline hydration script, by nonce — the
    // "not found" page's too (it is rendered by another handler).
    page_nonce(&app, "/no-such-page").await;
    let nonce = page_nonce(&app, "/sign-in").await;
    let again = browser().get(app.url("/sign-in")).send().await.unwrap();
    assert!(
        !again.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(&nonce),
        "a new nonce per response"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bodies_larger_than_their_route_takes_are_refused_with_413(pool: PgPool) {
    let app = spawn_app(pool).await;
    // 50 MB to a server function: refused by its declared length, with a message.
    let response = browser()
        .post(app.url(SignIn::PATH))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(vec![b'a'; 50 * 1024 * 1024])
        .send()
        .await;
    match response {
        Ok(response) => {
            assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
            let error: app::error::AppError = response.json().await.unwrap();
            assert!(error.to_string().contains("too large"), "{error}");
        }
        // The server may close the connection before all 50 MB are written.
        Err(error) => panic!("no answer to a large body: {error}"),
    }
    // The progress API takes a few KB.
    let response = browser()
        .post(app.url("/api/v1/progress"))
        .header("Content-Type", "application/json")
        .body(vec![b' '; 100 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("too large"));
    // An ordinary form still works.
    let response = browser()
        .post(app.url(SignIn::PATH))
        .form(&[("email", "x@example.com"), ("password", "nope")])
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_ne!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// The nonce of the page at `path`'s policy, checked to be the one its scripts carry.
async fn page_nonce(app: &common::TestApp, path: &str) -> String {
    let page = browser()
        .get(app.url(path))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("no nonce in the policy of {path}: {csp}"))
        .to_owned();
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "{path}: {html}"
    );
    nonce
}
