//! `GET /metrics` in Prometheus' text format (the `metrics` crate and its Prometheus
//! exporter): requests by route and status, their latency, the outbox's backlog and the age
//! of its oldest message, mail that failed, rows imported, and the database pool. Not
//! public: it answers only with `Authorization: Bearer $METRICS_TOKEN`, and without a token
//! configured there is no `/metrics` at all.

use app::server::ServerState;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The process's recorder, installed once (tests start many servers in one process).
fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("roster_http_request_duration_seconds".into()),
                &[
                    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ],
            )
            .expect("buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder already installed (never in this program): metrics go nowhere.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts every request by its route's template and status, with its latency.
pub async fn count_requests(request: Request<Body>, next: Next) -> Response {
    recorder();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(none)".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("roster_http_requests_total", "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("roster_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The scrape: figures read from the database now, then everything in text format.
/// `METRICS_TOKEN`, as the `/metrics` handler checks it.
#[derive(Clone)]
pub struct MetricsToken(pub String);

pub async fn scrape(
    State(token): State<Option<MetricsToken>>,
    State(state): State<ServerState>,
    request: Request<Body>,
) -> Response {
    let Some(MetricsToken(token)) = token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same(given.as_bytes(), token.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need the bearer token (METRICS_TOKEN)",
        )
            .into_response();
    }
    let handle = recorder();
    match outbox_and_imports(&state).await {
        Ok(figures) => {
            metrics::gauge!("roster_outbox_pending").set(figures.pending as f64);
            metrics::gauge!("roster_outbox_oldest_pending_age_seconds").set(figures.oldest_age);
            metrics::gauge!("roster_mail_failed").set(figures.failed as f64);
            metrics::gauge!("roster_import_rows_imported").set(figures.imported as f64);
        }
        Err(error) => tracing::warn!(%error, "metrics: could not read the database"),
    }
    metrics::gauge!("roster_db_pool_connections").set(f64::from(state.pool.size()));
    metrics::gauge!("roster_db_pool_idle").set(state.pool.num_idle() as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

struct Figures {
    pending: i64,
    oldest_age: f64,
    failed: i64,
    imported: i64,
}

async fn outbox_and_imports(state: &ServerState) -> Result<Figures, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE status = 'pending') AS "pending!",
                  coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending')), 0)::float8 AS "oldest_age!",
                  count(*) FILTER (WHERE status = 'failed') AS "failed!",
                  (SELECT coalesce(sum(imported), 0)::bigint FROM imports) AS "imported!"
             FROM email_outbox WHERE status IN ('pending', 'failed')"#
    )
    .fetch_one(&state.pool)
    .await?;
    Ok(Figures {
        pending: row.pending,
        oldest_age: row.oldest_age,
        failed: row.failed,
        imported: row.imported,
    })
}

/// Compares without stopping at the first difference (no timing hint at the token).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
