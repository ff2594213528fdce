//! `POST /api/v1/progress`: progress reported by an external course player (SPEC rule 6).
//!
//! ```text
//! Authorization: Bearer rst_…            (an organization API key with the progress scope)
//! { "email": "ava@example.com" | "user_id": "EXT00001",
//!   "program": "meddpicc-masterclass", "progress": 42.5 }
//! ```
//! Idempotent and monotonic: progress is raised to the reported value, never lowered.
//! Every refusal is a 4xx with `{ "error": "…" }` that says what to do. The binary only
//! routes here: the key becomes an [`Access`] like a session does, and the rules and the
//! error type are the server functions' own.

use super::enrollments::{raise_progress, ProgressUpdate};
use crate::domain::{Access, Capability, Email, ExternalId, MemberStatus, Program, Progress};
use crate::error::AppError;
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::PgPool;

/// The request body. Unknown fields are refused, so a typo never passes silently.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgressReport {
    email: Option<String>,
    user_id: Option<String>,
    program: String,
    progress: f64,
}

/// An answer of the JSON API: its status and body.
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// An error as the JSON API says it: `{ "error": … }` with the error's status, except
    /// that a request that cannot be read or holds a wrong value is a 400 here (the
    /// progress endpoint's contract since it was published).
    pub fn refused(error: &AppError) -> Self {
        let status = match error {
            AppError::Invalid(_) | AppError::Field { .. } => 400,
            other => other.status(),
        };
        if status == 500 {
            tracing::error!(%error, "API request failed");
        }
        Answer {
            status,
            body: json!({ "error": error.to_string() }),
        }
    }
}

/// The access a `Authorization: Bearer <key>` header gives (an API key's, made as a
/// session makes a member's), or the 401 that says what to send.
pub async fn access_of(pool: &PgPool, authorization: Option<&str>) -> Result<Access, Answer> {
    let unauthenticated = |message: &str| Answer {
        status: 401,
        body: json!({ "error": message }),
    };
    let Some(key) = authorization
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
    else {
        return Err(unauthenticated(
            "Send an organization API key as `Authorization: Bearer <key>` (administrators create keys on the API keys page).",
        ));
    };
    match super::api_keys::authenticate(pool, key).await {
        Ok(Some(access)) => Ok(access),
        Ok(None) => Err(unauthenticated(
            "This API key is not valid or has been revoked.",
        )),
        Err(error) => Err(Answer::refused(&error)),
    }
}

/// Handles one request: the `Authorization` header's value and the body.
pub async fn post(pool: &PgPool, authorization: Option<&str>, body: &[u8]) -> Answer {
    let access = match access_of(pool, authorization).await {
        Ok(access) => access,
        Err(answer) => return answer,
    };
    match handle(pool, &access, body).await {
        Ok(body) => Answer { status: 200, body },
        Err(error) => Answer::refused(&error),
    }
}

async fn handle(pool: &PgPool, access: &Access, body: &[u8]) -> Result<Value, AppError> {
    access.may(Capability::ReportProgress).map_err(|_| {
        AppError::Refused(
            "This API key may not report progress: create a key with the progress scope on the API keys page.".into(),
        )
    })?;
    let report: ProgressReport = serde_json::from_slice(body).map_err(|error| {
        AppError::invalid(format!(
            "The body is not the expected JSON ({error}). Send {{\"email\" or \"user_id\", \"program\", \"progress\"}}."
        ))
    })?;
    let program = Program::parse(&report.program).map_err(|e| AppError::invalid(e.0))?;
    let progress = Progress::from_percent(report.progress).map_err(|_| {
        AppError::invalid("`progress` must be a number from 0 to 100 (a percentage).")
    })?;
    let teams = super::scope::teams(access);
    let member = match (report.email.as_deref(), report.user_id.as_deref()) {
        (Some(email), None) => {
            let email = Email::parse(email).map_err(|e| AppError::invalid(e.0))?;
            sqlx::query!(
                r#"SELECT id AS "id!", email AS "email!", status AS "status!"
                     FROM scoped_members($1, $2) WHERE email_key(email) = email_key($3)"#,
                access.organization_id,
                teams as Option<Vec<i64>>,
                email.as_str()
            )
            .fetch_optional(pool)
            .await?
            .map(|r| (r.id, r.email, r.status))
        }
        (None, Some(user_id)) => {
            let user_id = ExternalId::parse(user_id).map_err(|e| AppError::invalid(e.0))?;
            sqlx::query!(
                r#"SELECT id AS "id!", email AS "email!", status AS "status!"
                     FROM scoped_members($1, $2) WHERE external_id = $3"#,
                access.organization_id,
                teams as Option<Vec<i64>>,
                user_id.to_string()
            )
            .fetch_optional(pool)
            .await?
            .map(|r| (r.id, r.email, r.status))
        }
        _ => {
            return Err(AppError::invalid(
                "Name the member with exactly one of `email` or `user_id`.",
            ))
        }
    };
    let (member_id, email, status) = member.ok_or_else(|| {
        AppError::NotFound("No member of your organization has this email or user_id.".into())
    })?;
    if MemberStatus::parse(&status) != Ok(MemberStatus::Active) {
        return Err(AppError::Conflict(
            "This member is not active (invited and not set up yet, or inactive): progress is recorded for active members only.".into(),
        ));
    }
    // One transaction: the member row is locked first, then the enrollment is updated.
    let mut tx = pool.begin().await?;
    let update = raise_progress(
        &mut tx,
        access,
        &crate::domain::licenses::Via::Api,
        member_id,
        program,
        progress,
    )
    .await?;
    tx.commit().await?;
    match update {
        ProgressUpdate::Recorded(now) => Ok(json!({
            "email": email,
            "program": program.slug(),
            "progress": now.percent(),
            // A report below what was recorded is ignored: progress never goes down.
            "ignored": now > progress,
        })),
        ProgressUpdate::NotEnrolled => Err(AppError::NotFound(format!(
            "This member is not enrolled in {}: an administrator assigns programs on the member's page.",
            program.slug()
        ))),
    }
}
