//! `POST /api/v1/progress`: progress reported by an external course player (SPEC rule 6).
//!
//! ```text
//! Authorization: Bearer rst_…            (an organization API key)
//! { "email": "ava@example.com" | "user_id": "EXT00001",
//!   "program": "meddpicc-masterclass", "progress": 42.5 }
//! ```
//! Idempotent and monotonic: progress is raised to the reported value, never lowered.
//! Every refusal is a 4xx with `{ "error": "…" }` that says what to do.

use app::domain::{Email, ExternalId, MemberStatus, Program, Progress};
use app::server::enrollments::{raise_progress, ProgressUpdate};
use app::server::ServerState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

/// The request body. Unknown fields are refused, so a typo never passes silently.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgressReport {
    email: Option<String>,
    user_id: Option<String>,
    program: String,
    progress: f64,
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    let mut response = (status, Json(json!({ "error": message.into() }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

fn internal(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "progress endpoint failed");
    refuse(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side; try again in a moment.",
    )
}

pub async fn post_progress(
    State(state): State<ServerState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(key) = key else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "Send an organization API key as `Authorization: Bearer <key>` (administrators create keys on the API keys page).",
        );
    };
    let organization_id = match app::server::api_keys::authenticate(&state.pool, key).await {
        Ok(Some(id)) => id,
        Ok(None) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "This API key is not valid or has been revoked.",
            )
        }
        Err(error) => return internal(error),
    };
    let report: ProgressReport = match serde_json::from_slice(&body) {
        Ok(report) => report,
        Err(error) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("The body is not the expected JSON ({error}). Send {{\"email\" or \"user_id\", \"program\", \"progress\"}}."),
            )
        }
    };
    let program = match Program::parse(&report.program) {
        Ok(program) => program,
        Err(error) => return refuse(StatusCode::BAD_REQUEST, error.0),
    };
    let progress = match Progress::from_percent(report.progress) {
        Ok(progress) => progress,
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "`progress` must be a number from 0 to 100 (a percentage).",
            )
        }
    };
    let member = match (report.email.as_deref(), report.user_id.as_deref()) {
        (Some(email), None) => match Email::parse(email) {
            Ok(email) => sqlx::query!(
                "SELECT id, email, status FROM members WHERE organization_id = $1 AND email_key(email) = email_key($2)",
                organization_id,
                email.as_str()
            )
            .fetch_optional(&state.pool)
            .await
            .map(|r| r.map(|r| (r.id, r.email, r.status))),
            Err(error) => return refuse(StatusCode::BAD_REQUEST, error.0),
        },
        (None, Some(user_id)) => match ExternalId::parse(user_id) {
            Ok(user_id) => sqlx::query!(
                "SELECT id, email, status FROM members WHERE organization_id = $1 AND external_id = $2",
                organization_id,
                user_id.to_string()
            )
            .fetch_optional(&state.pool)
            .await
            .map(|r| r.map(|r| (r.id, r.email, r.status))),
            Err(error) => return refuse(StatusCode::BAD_REQUEST, error.0),
        },
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "Name the member with exactly one of `email` or `user_id`.",
            )
        }
    };
    let (member_id, email, status) = match member {
        Ok(Some(found)) => found,
        Ok(None) => {
            return refuse(
                StatusCode::NOT_FOUND,
                "No member of your organization has this email or user_id.",
            )
        }
        Err(error) => return internal(error),
    };
    if MemberStatus::parse(&status) != Ok(MemberStatus::Active) {
        return refuse(
            StatusCode::CONFLICT,
            "This member is not active (invited and not set up yet, or inactive): progress is recorded for active members only.",
        );
    }
    // One transaction: the member row is locked first, then the enrollment is updated.
    let result = async {
        let mut tx = state.pool.begin().await?;
        let update = raise_progress(&mut tx, member_id, program, progress).await?;
        tx.commit().await?;
        Ok::<_, app::error::AppError>(update)
    }
    .await;
    match result {
        Ok(ProgressUpdate::Recorded(now)) => (
            StatusCode::OK,
            Json(json!({
                "email": email,
                "program": program.slug(),
                "progress": now.percent(),
                // A report below what was recorded is ignored: progress never goes down.
                "ignored": now > progress,
            })),
        )
            .into_response(),
        Ok(ProgressUpdate::NotEnrolled) => refuse(
            StatusCode::NOT_FOUND,
            format!(
                "This member is not enrolled in {}: an administrator assigns programs on the member's page.",
                program.slug()
            ),
        ),
        Err(error) => internal(error),
    }
}
