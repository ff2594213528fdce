//! `/api/v1`, routed and documented: each handler reads the request, asks
//! `app::server::rest` (which calls the pages' own server code), and answers JSON, or
//! problem details (RFC 9457) for a refusal. The OpenAPI 3.1 document is generated from
//! these handlers' annotations and the API's types (`utoipa`), served at
//! `/api/v1/openapi.json` and read as a page at `/api/v1/docs`.
//!
//! Every request names an API key (`Authorization: Bearer rst_…`); its scopes decide
//! (`Access::may`), and each key may send [`REQUESTS_PER_SECOND`] per instance (429 with
//! `Retry-After` beyond). Creates take an `Idempotency-Key`.

pub(crate) mod handlers;
mod reference;

use app::domain::{Access, Who};
use app::error::AppError;
use app::server::rate::RateLimit;
use app::server::rest::idempotency::{self, Claim};
use app::server::rest::{problem, REQUESTS_PER_SECOND};
use app::server::ServerState;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use std::sync::LazyLock;
use std::time::Duration;

pub use handlers::ApiDoc;

/// The requests per API key of this instance.
static LIMITS: LazyLock<RateLimit> =
    LazyLock::new(|| RateLimit::new(REQUESTS_PER_SECOND, Duration::from_secs(1)));

/// The API's routes (the progress endpoint stays where it was published).
pub fn routes<S>(state: ServerState) -> Router<S> {
    Router::new()
        .route("/api/v1/openapi.json", get(handlers::openapi))
        .route("/api/v1/docs", get(reference::page))
        .route(
            "/api/v1/members",
            get(handlers::list_members).post(handlers::invite_member),
        )
        .route(
            "/api/v1/members/{id}",
            get(handlers::get_member).patch(handlers::update_member),
        )
        .route(
            "/api/v1/members/{id}/deactivate",
            post(handlers::deactivate_member),
        )
        .route(
            "/api/v1/members/{id}/reactivate",
            post(handlers::reactivate_member),
        )
        .route(
            "/api/v1/members/{id}/enrollments",
            get(handlers::member_enrollments),
        )
        .route("/api/v1/programs", get(handlers::list_programs))
        .route("/api/v1/regions", get(handlers::list_regions))
        .route("/api/v1/seats", get(handlers::get_seats))
        .route("/api/v1/seats/requests", post(handlers::request_seats))
        .route("/api/v1/activity", get(handlers::list_activity))
        .route("/api/v1/activity/export", get(handlers::export_activity))
        .route(
            "/api/v1/{*rest}",
            axum::routing::any(handlers::no_such_route),
        )
        .with_state(state)
}

/// A JSON answer.
pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    (status, axum::Json(value)).into_response()
}

/// A refusal as problem details, with the headers its status needs.
pub(crate) fn refused(error: &AppError) -> Response {
    let problem = problem(error);
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        )],
        serde_json::to_string(&problem).unwrap_or_default(),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// Who calls: the API key the `Authorization` header names, within its rate. A
/// provisioning token is for SCIM alone.
pub(crate) async fn caller(state: &ServerState, headers: &HeaderMap) -> Result<Access, Response> {
    let unauthenticated = |message: &str| {
        let mut response = refused(&AppError::Unauthenticated);
        let body = app::server::rest::types::Problem {
            detail: message.into(),
            ..problem(&AppError::Unauthenticated)
        };
        *response.body_mut() =
            axum::body::Body::from(serde_json::to_string(&body).unwrap_or_default());
        response
    };
    let Some(key) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
    else {
        return Err(unauthenticated(
            "Send an organization API key as `Authorization: Bearer <key>` (administrators create keys on the API keys page).",
        ));
    };
    let access = match app::server::api_keys::authenticate(&state.pool, key).await {
        Ok(Some(access)) => access,
        Ok(None) => {
            return Err(unauthenticated(
                "This API key is not valid or has been revoked.",
            ))
        }
        Err(error) => return Err(refused(&error)),
    };
    match access.who {
        Who::ApiKey { .. } => {}
        _ => {
            return Err(refused(&AppError::Refused(
                "This is a provisioning token, for SCIM at /scim/v2 only: create an API key with the scopes you need on the API keys page.".into(),
            )))
        }
    };
    // Counted by the key itself (its digest's first bytes), not its row id: ids repeat
    // across databases (tests), a key does not.
    let digest = app::server::crypto::token_digest(key);
    let counted = i64::from_le_bytes(digest[..8].try_into().unwrap_or_default());
    if let Err(seconds) = LIMITS.admit(counted) {
        let mut response = refused(&AppError::TooManyRequests(format!(
            "This API key sent more than {REQUESTS_PER_SECOND} requests in a second: wait {seconds} s and send again."
        )));
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Err(response);
    }
    Ok(access)
}

/// Runs a create once per `Idempotency-Key` (when the request sends one): the answer of
/// the first is kept and sent again for a retry of the same request.
pub(crate) async fn once<F, Fut>(
    state: &ServerState,
    access: &Access,
    headers: &HeaderMap,
    path: &str,
    body: &[u8],
    create: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(StatusCode, serde_json::Value), AppError>>,
{
    let Who::ApiKey { key_id, .. } = access.who else {
        return refused(&AppError::Forbidden);
    };
    let Some(raw) = headers.get("idempotency-key") else {
        return finish(create().await);
    };
    let key = match raw
        .to_str()
        .map_err(|_| ())
        .and_then(|k| idempotency::check_key(k).map(str::to_owned).map_err(|_| ()))
    {
        Ok(key) => key,
        Err(()) => {
            return refused(&idempotency::check_key("").unwrap_err());
        }
    };
    let hash = idempotency::request_hash("POST", path, body);
    match idempotency::begin(&state.pool, key_id, &key, &hash).await {
        Err(error) => refused(&error),
        Ok(Claim::Replay { status, body }) => {
            let mut response = if status < 400 {
                json(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                    &body,
                )
            } else {
                let mut r = json(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                    &body,
                );
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/problem+json"),
                );
                r
            };
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            response
        }
        Ok(Claim::Fresh) => {
            let outcome = create().await;
            let (status, kept) = match &outcome {
                Ok((status, value)) => (status.as_u16(), value.clone()),
                Err(error) => {
                    let p = problem(error);
                    (p.status, serde_json::to_value(&p).unwrap_or_default())
                }
            };
            if let Err(error) = idempotency::finish(&state.pool, key_id, &key, status, &kept).await
            {
                tracing::error!(%error, "an idempotent answer could not be kept");
            }
            finish(outcome)
        }
    }
}

fn finish(outcome: Result<(StatusCode, serde_json::Value), AppError>) -> Response {
    match outcome {
        Ok((status, value)) => json(status, &value),
        Err(error) => refused(&error),
    }
}
