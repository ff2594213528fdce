//! The HTTP side: Leptos pages and server functions, `/healthz`, request logging and
//! the cross-site request check.

use app::server::ServerState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::MatchedPath;
use axum::extract::{FromRef, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::time::Duration;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub server: ServerState,
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = state.server.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/progress", post(crate::progress_api::post_progress))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(same_origin_writes))
        // One structured line per request: method, route, status and latency.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// The span of a request's log line: its method and its route's template
/// (`/invite/{token}`), never the path itself, its query string or its body: paths and
/// queries can carry secrets (invitation and reset links).
fn request_span(request: &Request<Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(no route: static file or not found)", MatchedPath::as_str);
    tracing::info_span!("request", method = %request.method(), route)
}

/// Serves until the process is told to stop (Ctrl-C or SIGTERM).
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

/// 200 when the database answers within two seconds, 503 otherwise.
async fn healthz(State(state): State<ServerState>) -> impl IntoResponse {
    let check = sqlx::query_scalar!("SELECT 1 AS \"one!\"").fetch_one(&state.pool);
    match tokio::time::timeout(Duration::from_secs(2), check).await {
        Ok(Ok(_)) => (StatusCode::OK, "ok"),
        Ok(Err(error)) => {
            tracing::warn!(%error, "health check: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database did not answer in time",
        ),
    }
}

/// Refuses state-changing requests sent by another site's page. The session cookie is
/// SameSite=Lax already; this also covers browsers and set-ups where that is not enough.
async fn same_origin_writes(request: Request<Body>, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe {
        let headers = request.headers();
        let origin_host = headers
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .map(|o| o.split_once("://").map_or(o, |(_, rest)| rest).to_owned());
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        if let (Some(origin), Some(host)) = (origin_host.as_deref(), host) {
            if origin != host {
                tracing::warn!(origin, host, "cross-site write refused");
                return (
                    StatusCode::FORBIDDEN,
                    "Cross-site requests are not allowed.",
                )
                    .into_response();
            }
        }
    }
    next.run(request).await
}
