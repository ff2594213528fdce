//! `POST /api/v1/progress`, routed: the work and its answers are in
//! `app::server::progress_api`; here the request's header and body go in and the answer
//! comes out as HTTP. Part of the REST API's document, as it was published.

use app::server::rest::types::{ProgressRecorded, ProgressReport};
use app::server::ServerState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Report progress
///
/// A course player reports a member's progress in a program; progress is raised to the
/// value, never lowered (idempotent). Errors here are `{"error": …}`, with 400 for a body
/// that cannot be read, as this endpoint was first published.
#[utoipa::path(post, path = "/api/v1/progress", tag = "progress", request_body = ProgressReport,
    responses(
        (status = 200, description = "Recorded (or ignored: lower than what was recorded)", body = ProgressRecorded),
        (status = 400, description = "A body that cannot be read or a wrong value"),
        (status = 401, description = "No valid API key"),
        (status = 403, description = "The key lacks the progress scope"),
        (status = 404, description = "No such member, or not enrolled in the program"),
        (status = 409, description = "The member is not active")
    ),
    security(("api_key" = ["progress"])))]
pub async fn post_progress(
    State(state): State<ServerState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let answer = app::server::progress_api::post(&state.pool, authorization, &body).await;
    progress_answer(answer)
}

/// The progress endpoint's answer turned into HTTP (kept as published: `{"error": …}`).
fn progress_answer(answer: app::server::progress_api::Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, axum::Json(answer.body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}
