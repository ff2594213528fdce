//! The HTTP side: Leptos pages and server functions, `/healthz`, request logging and
//! the cross-site request check.

use app::error::{AppError, RequestId};
use app::server::ServerState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::MatchedPath;
use axum::extract::{FromRef, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
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
    /// The bearer token of `/metrics`; `None`: no `/metrics`.
    pub metrics: Option<crate::metrics::MetricsToken>,
}

/// The nonce of one response's Content-Security-Policy.
#[derive(Clone)]
pub struct PageNonce(pub String);

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = state.server.clone();
    // The page's scripts carry the nonce this request's Content-Security-Policy names
    // (made by `defenses`, passed in the request's extensions).
    let provide = move || {
        provide_context(context.clone());
        // Who is signed in, looked up at most once for this request.
        provide_context(app::server::session::SessionMemo::default());
        let nonce = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<PageNonce>().cloned());
        if let Some(PageNonce(nonce)) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(nonce));
        }
    };
    let options = state.leptos_options.clone();
    let pkg = format!("/{}", options.site_pkg_dir);
    let pkg_files = crate::assets::pkg_files(&options);
    Router::new()
        .route("/livez", get(livez))
        .route("/readyz", get(readyz))
        .route("/healthz", get(readyz))
        .route("/metrics", get(crate::metrics::scrape))
        .route("/api/v1/progress", post(crate::progress_api::post_progress))
        .route(
            "/organization/activity/export",
            get(crate::activity_export::for_session),
        )
        .merge(crate::rest::routes(state.server.clone()))
        .route("/scim/v2", any(crate::scim::scim))
        .route("/scim/v2/{*rest}", any(crate::scim::scim))
        .leptos_routes_with_context(&state, routes, provide.clone(), move || {
            shell(options.clone())
        })
        .nest_service(&pkg, pkg_files)
        // Other files, and the "not found" page (whose script needs the nonce too).
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide, shell))
        .layer(middleware::from_fn_with_state(
            state.server.pool.clone(),
            crate::error_links::signed_errors,
        ))
        .layer(middleware::from_fn(refusal_statuses))
        .layer(middleware::from_fn(crate::metrics::count_requests))
        .layer(middleware::from_fn_with_state(
            state.server.clone(),
            same_origin_writes,
        ))
        .layer(middleware::from_fn(body_limits))
        // body_limits bounds every route by its own limit; axum's blanket 2 MiB would
        // otherwise cut a valid 4 MiB part first, as a transport error.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(middleware::from_fn_with_state(
            Defended {
                server: state.server.clone(),
                live_reload: live_reload(&state.leptos_options),
            },
            defenses,
        ))
        .layer(crate::assets::compression())
        // One structured line per request: method, route, status and latency.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}

/// The span of a request's log line: its id, its method and its route's template
/// (`/invite/{token}`), never the path itself, its query string or its body: paths and
/// queries can carry secrets (invitation and reset links).
fn request_span(request: &Request<Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(no route: static file or not found)", MatchedPath::as_str);
    let id = request
        .extensions()
        .get::<RequestId>()
        .map_or("", |id| id.0.as_str());
    tracing::info_span!("request", id = %id, method = %request.method(), route)
}

/// Gives the request an id: on every line it logs (its span), in its `x-request-id`
/// header, and in the message of a fault (`AppError::Internal`), so what a person
/// reports can be found in the log.
async fn request_id(mut request: Request<Body>, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    if let Ok(value) = header::HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
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

/// The process is alive and answers (for a restart decision): no database involved.
async fn livez() -> &'static str {
    "ok"
}

/// Ready for traffic (for a load balancer): 200 when the database answers within two
/// seconds, 503 otherwise.
async fn readyz(State(state): State<ServerState>) -> impl IntoResponse {
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

/// Refuses state-changing requests that do not come from this site's own pages. Fails
/// closed: a write needs `Origin` equal to the public origin (scheme, host and port of
/// `PUBLIC_URL`) or, where a browser sends no `Origin`, `Sec-Fetch-Site: same-origin`.
/// The progress API is for servers and authenticates by its key instead.
async fn same_origin_writes(
    State(state): State<ServerState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // The JSON API and SCIM take a bearer token, never a cookie: no page can make a
    // browser send one, so no origin needs checking.
    let path = request.uri().path();
    if safe || path.starts_with("/api/v1/") || path == "/scim/v2" || path.starts_with("/scim/v2/") {
        return next.run(request).await;
    }
    let headers = request.headers();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let allowed = match header("origin") {
        Some(origin) => origin == public_origin(&state.config.public_url),
        None => header("sec-fetch-site") == Some("same-origin"),
    };
    if !allowed {
        tracing::warn!(
            origin = header("origin"),
            fetch_site = header("sec-fetch-site"),
            "cross-site write refused"
        );
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({ "Invalid": "This request did not come from a Roster page, so it was refused. Reload the page and try again." })),
        )
            .into_response();
    }
    next.run(request).await
}

/// `https://roster.example` of `https://roster.example/some/path`: scheme, host and port.
pub fn public_origin(public_url: &str) -> &str {
    let after_scheme = public_url.find("://").map_or(0, |i| i + 3);
    match public_url[after_scheme..].find('/') {
        Some(slash) => &public_url[..after_scheme + slash],
        None => public_url,
    }
}

/// The browser's defenses on every response: the Content-Security-Policy (pages set their
/// own, with their hydration script's nonce), no sniffing, no framing, a referrer only to
/// this origin (none from pages whose address holds a secret), nothing personal in any
/// cache, and HTTPS only once the site is served over it.
/// What `defenses` needs: the configuration, and the live-reload socket of `make dev`.
#[derive(Clone)]
struct Defended {
    server: ServerState,
    live_reload: Option<String>,
}

/// Under `cargo leptos watch` (it sets `LEPTOS_WATCH`), the websocket the page listens on
/// for "rebuilt: reload", which the Content-Security-Policy must then allow.
fn live_reload(options: &LeptosOptions) -> Option<String> {
    crate::config::live_reload().then(|| {
        let port = options.reload_external_port.unwrap_or(options.reload_port);
        format!(
            "ws://{}:{port} ws://localhost:{port}",
            options.site_addr.ip()
        )
    })
}

async fn defenses(
    State(Defended {
        server: state,
        live_reload,
    }): State<Defended>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    use app::server::defenses::{content_security_policy, referrer_policy};
    use axum::http::HeaderValue;
    let path = request.uri().path().to_owned();
    // A fresh nonce per response: a page's inline hydration script carries it.
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    request.extensions_mut().insert(PageNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let policy = content_security_policy(page.then_some(nonce.as_str()), live_reload.as_deref());
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(referrer_policy(&path)),
    );
    // Pages and answers are personal: never stored. The build's files may be.
    if !path.starts_with("/pkg/") {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.https() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

/// The largest body each kind of request may send, in bytes.
pub fn body_limit(path: &str) -> usize {
    if path == "/api/v1/progress" {
        // {"email": …, "program": …, "progress": …}
        16 * 1024
    } else if path.starts_with("/scim/v2/") {
        // A group replaced whole with thousands of members.
        2 * 1024 * 1024
    } else if path.starts_with("/api/import_batch") || path.starts_with("/api/send_roster_rows") {
        // The page fills an import's batch up to import::MAX_BATCH_BYTES (3 MiB) of JSON;
        // 2,000 rows of the longest cells the checks allow measure 1.9 MiB (a change set's
        // rows are sent in parts of as many: model::roster::ROWS_PER_PART).
        4 * 1024 * 1024
    } else {
        256 * 1024
    }
}

/// Refuses a body larger than its route takes with 413 and a message, before reading it:
/// by its declared length, or (a body sent in chunks) as soon as it grows past the limit.
async fn body_limits(request: Request<Body>, next: Next) -> Response {
    let limit = body_limit(request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        tracing::warn!(declared, limit, "request body too large: refused");
        let message = format!(
            "This request is too large ({:.1} MB; at most {:.1} MB). Send less at once: for a file, import it in smaller parts.",
            declared.unwrap_or_default() as f64 / 1e6,
            limit as f64 / 1e6
        );
        return too_large(request.uri().path(), message);
    }
    // A body sent in chunks declares no length: read it here, up to the limit, so one
    // that grows past it gets the same 413 and message instead of a reading error later.
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(%error, limit, "request body too large or cut off: refused");
            let message = format!(
                "This request is too large (at most {:.1} MB). Send less at once: for a file, import it in smaller parts.",
                limit as f64 / 1e6
            );
            return too_large(parts.uri.path(), message);
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// 413 with `message`, as the route's callers read errors: the API's `{"error": …}`, the
/// server functions' encoding (the page shows the message) elsewhere.
fn too_large(path: &str, message: String) -> Response {
    let body = if path.starts_with("/api/v1/") && path != "/api/v1/progress" {
        let problem = app::server::rest::problem(&app::error::AppError::TooLarge(message));
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "application/problem+json")],
            serde_json::to_string(&problem).unwrap_or_default(),
        )
            .into_response();
    } else if path.starts_with("/api/v1/") {
        serde_json::json!({ "error": message })
    } else {
        serde_json::json!({ "TooLarge": message })
    };
    (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(body)).into_response()
}

/// Server functions answer every refusal with 500 and the error as JSON; this gives each
/// its own status (`AppError::status`: 401, 403, 404, 409, 413, 422, 429, 503), so only a
/// real fault stays 500 — and is logged, with the request's id. The page reads the same
/// JSON whatever the status, so its messages do not change.
async fn refusal_statuses(request: Request<Body>, next: Next) -> Response {
    const SERVER_FN_ERROR: &str = "serverfnerror";
    let id = request.extensions().get::<RequestId>().cloned();
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(mut bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        tracing::error!("a server function's error could not be read");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match serde_json::from_slice::<AppError>(&bytes) {
        Ok(error) => {
            parts.status =
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if let AppError::Internal { reference } = error {
                tracing::error!("server function failed: answered 500 (the cause is logged above)");
                // A fault raised outside the request's context still names the request.
                if reference.is_none() {
                    let named = AppError::Internal {
                        reference: id.map(|id| id.0),
                    };
                    if let Ok(json) = serde_json::to_vec(&named) {
                        bytes = json.into();
                        parts.headers.remove(header::CONTENT_LENGTH);
                    }
                }
            }
        }
        Err(_) => tracing::error!("server function failed with an unreadable error"),
    }
    Response::from_parts(parts, Body::from(bytes))
}
