//! Sessions: a random cookie value whose SHA-256 is a row in `sessions`. Stored in
//! Postgres so any server instance can serve any request (SPEC §6, scale-out).

use super::crypto::{new_token, token_digest};
use crate::domain::Permission;
use crate::error::AppError;
use crate::model::Viewer;
use http::header::{COOKIE, SET_COOKIE};
use http::HeaderValue;
use leptos::prelude::use_context;
use sqlx::PgConnection;

pub const COOKIE_NAME: &str = "roster_session";
/// The name over HTTPS: the `__Host-` prefix makes browsers refuse the cookie unless it is
/// `Secure`, for this host only (no `Domain`) and for every path.
pub const SECURE_COOKIE_NAME: &str = "__Host-roster_session";

fn cookie_name() -> &'static str {
    match super::state() {
        Ok(state) if state.config.https() => SECURE_COOKIE_NAME,
        _ => COOKIE_NAME,
    }
}
const SESSION_DAYS: i32 = 14;

/// The session token the browser sent, if any.
pub fn cookie_token() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == cookie_name())
        .map(|(_, value)| value.to_owned())
}

/// The client's address, for throttling ("unknown" when the connection has none).
pub async fn client_address() -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Opens a session for a member and sets its cookie on the response.
pub async fn start(conn: &mut PgConnection, member_id: i64) -> Result<(), AppError> {
    let (token, digest) = new_token();
    sqlx::query!(
        "INSERT INTO sessions (token_hash, member_id, expires_at)
         VALUES ($1, $2, now() + make_interval(days => $3))",
        digest,
        member_id,
        SESSION_DAYS,
    )
    .execute(conn)
    .await?;
    set_cookie(&token, SESSION_DAYS as i64 * 24 * 3600);
    Ok(())
}

/// Ends the caller's session, if any, and clears the cookie.
pub async fn end(conn: &mut PgConnection) -> Result<(), AppError> {
    if let Some(token) = cookie_token() {
        sqlx::query!(
            "DELETE FROM sessions WHERE token_hash = $1",
            token_digest(&token)
        )
        .execute(conn)
        .await?;
    }
    set_cookie("", 0);
    Ok(())
}

/// HttpOnly (no script can read it), SameSite=Lax (no cross-site POST carries it).
fn set_cookie(value: &str, max_age_seconds: i64) {
    let secure = super::state()
        .map(|s| s.config.secure_cookies || s.config.https())
        .unwrap_or(true);
    let cookie = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{}",
        cookie_name(),
        if secure { "; Secure" } else { "" }
    );
    if let (Some(response), Ok(header)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        response.append_header(SET_COOKIE, header);
    }
}

/// Who is calling, from the session cookie. Only active members have a session that
/// counts: deactivation blocks sign-in at once (SPEC rule 5).
pub async fn viewer() -> Result<Option<Viewer>, AppError> {
    let Some(token) = cookie_token() else {
        return Ok(None);
    };
    let pool = super::pool()?;
    let row = sqlx::query!(
        r#"SELECT m.id, m.organization_id, o.name AS organization_name, m.first_name, m.last_name,
                  m.email, m.permission, m.enable_seat
             FROM sessions s
             JOIN members m ON m.id = s.member_id
             JOIN organizations o ON o.id = m.organization_id
            WHERE s.token_hash = $1 AND s.expires_at > now() AND m.status = 'active'"#,
        token_digest(&token),
    )
    .fetch_optional(&pool)
    .await?;
    row.map(|r| {
        Ok(Viewer {
            member_id: r.id,
            organization_id: r.organization_id,
            organization_name: r.organization_name,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            permission: Permission::parse(&r.permission).map_err(|e| {
                tracing::error!(%e, "stored permission unreadable");
                AppError::Internal
            })?,
            enable_seat: r.enable_seat,
        })
    })
    .transpose()
}

/// The signed-in member, or `Unauthenticated`.
pub async fn require_viewer() -> Result<Viewer, AppError> {
    viewer().await?.ok_or(AppError::Unauthenticated)
}

/// The signed-in administrator; members get `Forbidden`. Every admin server function
/// starts here and scopes its queries to `viewer.organization_id`.
pub async fn require_admin() -> Result<Viewer, AppError> {
    let viewer = require_viewer().await?;
    if viewer.permission == Permission::Admin {
        Ok(viewer)
    } else {
        Err(AppError::Forbidden)
    }
}
