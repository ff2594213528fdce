//! `/scim/v2/…`, routed: the work and its answers are in `app::server::scim`; here the
//! request's method, path, query, `Authorization` header and body go in and the answer
//! comes out as HTTP with SCIM's media type.

use app::server::scim::{RateLimit, ScimRequest, CONTENT_TYPE};
use app::server::ServerState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

/// The requests per provisioning token of this instance.
static LIMITS: LazyLock<RateLimit> = LazyLock::new(RateLimit::default);

pub async fn scim(
    State(state): State<ServerState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().strip_prefix("/scim/v2").unwrap_or("");
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let answer = app::server::scim::handle(
        &state.pool,
        &state.config,
        &LIMITS,
        ScimRequest {
            method: method.as_str(),
            path,
            query: uri.query(),
            authorization,
            body: &body,
        },
    )
    .await;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match answer.body {
        Some(body) => (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
            body.to_string(),
        )
            .into_response(),
        None => (status, Body::empty()).into_response(),
    };
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}
