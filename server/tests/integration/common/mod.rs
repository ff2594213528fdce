//! `spawn_app`: the real server on port 0 against the test's own database, and a
//! cookie-keeping HTTP client that calls pages and server functions as a browser would.
#![allow(dead_code)]

pub mod processes;
pub mod smtp;

use app::domain::{Email, OrganizationName, PersonName};
use app::error::AppError;
use app::server::organizations::{self, NewOrganization};
use app::server::{RuntimeConfig, ServerState};
use leptos::prelude::LeptosOptions;
use leptos::server_fn::ServerFn;
use reqwest::redirect::Policy;
use server::http::{self, AppState};
use server::mailer::{Mailer, MailerConfig};
use sqlx::PgPool;
use std::sync::Arc;

/// The bearer token of the test server's `/metrics`.
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789";

/// Where the test server sends requests for more seats.
pub const VENDOR_EMAIL: &str = "licenses@vendor.example";

pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
    /// The TXT records the app sees (domain proofs), published by the test.
    pub dns: Arc<app::server::dns::StaticResolver>,
}

pub async fn spawn_app(pool: PgPool) -> TestApp {
    spawn_app_with_smtp(pool, None).await
}

/// The app with its mail worker delivering to `smtp_url` (retrying quickly, for tests).
pub async fn spawn_app_with_smtp(pool: PgPool, smtp_url: Option<String>) -> TestApp {
    spawn_app_with_mailer(pool, smtp_url.map(|url| test_mailer(&url))).await
}

/// A mail worker's settings for tests: quick polls and retries, a short timeout.
pub fn test_mailer(smtp_url: &str) -> MailerConfig {
    let mut config = MailerConfig::new(smtp_url.to_owned(), "Roster <no-reply@roster.test>".into());
    config.poll_interval = std::time::Duration::from_millis(50);
    config.base_backoff = std::time::Duration::from_millis(100);
    config.timeout = std::time::Duration::from_secs(2);
    config
}

/// The app with a mail worker of the given settings (or none: mail is kept).
pub async fn spawn_app_with_mailer(pool: PgPool, mailer: Option<MailerConfig>) -> TestApp {
    let options = LeptosOptions::builder().output_name("roster").build();
    spawn_app_with(pool, mailer, options).await
}

/// The runtime configuration of a test app at `public_url`, with or without SMTP.
pub fn runtime_config(public_url: &str, smtp: bool) -> RuntimeConfig {
    RuntimeConfig {
        public_url: public_url.to_owned(),
        secure_cookies: false,
        smtp_configured: smtp,
        vendor_email: VENDOR_EMAIL.into(),
        dev_mailbox: !smtp,
        trusted_proxies: Vec::new(),
        development: true,
    }
}

/// An app serving the built site in `site_root` (`pkg/` and the hash file), as
/// `cargo leptos build --release --precompress` leaves it.
pub async fn spawn_app_serving(pool: PgPool, site_root: &std::path::Path) -> TestApp {
    let options = LeptosOptions::builder()
        .output_name("roster")
        .site_root(site_root.to_string_lossy().into_owned())
        .hash_files(true)
        .build();
    spawn_app_with(pool, None, options).await
}

async fn spawn_app_with(
    pool: PgPool,
    mailer: Option<MailerConfig>,
    leptos_options: LeptosOptions,
) -> TestApp {
    let smtp_url = mailer.as_ref().map(|m| m.smtp_url.clone());
    let dns = Arc::new(app::server::dns::StaticResolver::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    if let Some(mut config) = mailer {
        config.public_url = base.clone();
        // Nobody stops it: the sender is dropped, the worker keeps going.
        let (_, never) = tokio::sync::watch::channel(false);
        Mailer::new(config).unwrap().spawn(pool.clone(), never);
    }
    let state = AppState {
        leptos_options,
        server: ServerState {
            pool: pool.clone(),
            config: Arc::new(runtime_config(&base, smtp_url.is_some())),
            dns: dns.clone(),
        },
        metrics: Some(server::metrics::MetricsToken(METRICS_TOKEN.into())),
    };
    tokio::spawn(http::serve(listener, http::router(state)));
    TestApp { base, pool, dns }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them),
/// and says, as a browser does for a page's own requests, that they are same-origin.
pub fn browser() -> reqwest::Client {
    browser_builder().build().unwrap()
}

/// A browser whose connections come from client address `from` (any 127.x.y.z).
pub fn browser_from(from: &str) -> reqwest::Client {
    browser_builder()
        .local_address(from.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

fn browser_builder() -> reqwest::ClientBuilder {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "sec-fetch-site",
        reqwest::header::HeaderValue::from_static("same-origin"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .cookie_store(true)
        .redirect(Policy::none())
        // A request that never gets an answer fails its test with the request named,
        // instead of holding the whole suite (one such stall was seen once in a full run).
        .timeout(std::time::Duration::from_secs(120))
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Calls server function `F` with form fields, as the hydrated page does.
    pub async fn call<F: ServerFn>(
        &self,
        client: &reqwest::Client,
        form: &[(&str, &str)],
    ) -> Result<serde_json::Value, AppError> {
        let response = client
            .post(self.url(F::PATH))
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .unwrap();
        let ok = response.status().is_success();
        let body = response.text().await.unwrap();
        if ok {
            Ok(serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
        } else {
            Err(serde_json::from_str(&body).unwrap_or_else(|_| panic!("not an AppError: {body}")))
        }
    }

    /// Calls server function `F` whose input is JSON (lists, nested values).
    pub async fn call_json<F: ServerFn>(
        &self,
        client: &reqwest::Client,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, AppError> {
        let response = client
            .post(self.url(F::PATH))
            .header("Accept", "application/json")
            .json(&body)
            .send()
            .await
            .unwrap();
        let ok = response.status().is_success();
        let text = response.text().await.unwrap();
        if ok {
            Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
        } else {
            Err(serde_json::from_str(&text).unwrap_or_else(|_| panic!("not an AppError: {text}")))
        }
    }

    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> Result<serde_json::Value, AppError> {
        self.call::<app::api::auth::SignIn>(client, &[("email", email), ("password", password)])
            .await
    }

    /// An organization whose first administrator accepted the invitation with `password`.
    /// Returns (organization id, admin member id).
    pub async fn organization_with_admin(
        &self,
        name: &str,
        admin_email: &str,
        password: &str,
    ) -> (i64, i64) {
        let created = create_organization(&self.pool, name, admin_email, 10, 5).await;
        let result = self
            .call::<app::api::invitations::AcceptInvitation>(
                &browser(),
                &[
                    ("token", &created.invitation_token),
                    ("password", password),
                    ("password_confirmation", password),
                ],
            )
            .await;
        assert!(result.is_ok(), "{result:?}");
        (created.organization_id, created.admin_member_id)
    }

    /// A member in the organization; with a password they are active, otherwise invited.
    pub async fn member(
        &self,
        organization_id: i64,
        email: &str,
        permission: &str,
        password: Option<&str>,
    ) -> i64 {
        let hash = match password {
            Some(p) => Some(
                app::server::crypto::hash_password(p.to_owned())
                    .await
                    .unwrap(),
            ),
            None => None,
        };
        sqlx::query_scalar!(
            "INSERT INTO members (organization_id, first_name, last_name, email, permission, status, password_hash)
             VALUES ($1, 'Test', 'Member', $2, $3, CASE WHEN $4::text IS NULL THEN 'invited' ELSE 'active' END, $4)
             RETURNING id",
            organization_id,
            email,
            permission,
            hash,
        )
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }
}

pub async fn create_organization(
    pool: &PgPool,
    name: &str,
    admin_email: &str,
    enable_seats: i32,
    opportunity_seats: i32,
) -> organizations::CreatedOrganization {
    organizations::create(
        pool,
        &NewOrganization {
            name: OrganizationName::parse(name).unwrap(),
            enable_seats,
            opportunity_seats,
            admin_first_name: PersonName::parse("Ada", "first name").unwrap(),
            admin_last_name: PersonName::parse("Admin", "last name").unwrap(),
            admin_email: Email::parse(admin_email).unwrap(),
            admin_enable_seat: false,
        },
        "test",
    )
    .await
    .unwrap()
}

/// A team "London" in a new region "EMEA" of `organization`; its id.
pub async fn team_in_new_region(pool: &PgPool, organization: i64) -> i64 {
    let region: i64 = sqlx::query_scalar(
        "INSERT INTO regions (organization_id, name) VALUES ($1, 'EMEA') RETURNING id",
    )
    .bind(organization)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query_scalar(
        "INSERT INTO teams (organization_id, region_id, name) VALUES ($1, $2, 'London') RETURNING id",
    )
    .bind(organization)
    .bind(region)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The URL of the test's own database (on the server of DATABASE_URL).
pub async fn database_url(pool: &PgPool) -> String {
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .unwrap();
    server::db::with_database(&std::env::var("DATABASE_URL").unwrap(), &name)
}

/// A file of the roster's columns with `rows`, read as the page and the command line read
/// files.
pub fn roster_file(name: &str, rows: Vec<Vec<String>>) -> app::model::roster::RosterFile {
    let header: Vec<&str> = app::import::ALL_COLUMNS.iter().map(|c| c.name()).collect();
    let parsed = app::import::parse(app::export::safe_csv(&header, rows));
    app::model::roster::RosterFile {
        file_name: name.into(),
        digest: name.into(),
        rows: parsed.rows,
        present: parsed.present,
        deactivate_missing: false,
    }
}

/// The organization's roster as a file named `name`, with `column` of member `member` set
/// to `value` (a change set of one change).
pub async fn roster_changing(
    pool: &PgPool,
    organization_id: i64,
    name: &str,
    member: i64,
    column: app::import::Column,
    value: &str,
) -> app::model::roster::RosterFile {
    let mut conn = pool.acquire().await.unwrap();
    let roster = app::server::roster::load(&mut conn, &operator(organization_id), None)
        .await
        .unwrap();
    let rows = roster
        .members
        .iter()
        .map(|m| {
            let mut cells = app::import::roster::member_cells(m);
            if m.id == member {
                cells[column.index()] = value.to_owned();
            }
            cells.to_vec()
        })
        .collect();
    roster_file(name, rows)
}

/// The operator acting for organization `organization_id` (the command line's access).
pub fn operator(organization_id: i64) -> app::domain::Access {
    app::domain::Access::operator(organization_id, "Acme", "test")
}
