//! Signing in and out: throttled password checks, then a session.

use super::{crypto, session, throttle};
use crate::domain::{MemberStatus, Permission};
use crate::error::AppError;
use sqlx::PgPool;

/// Checks the password of `email` (throttled per account and client address) and opens
/// a session. Returns the member's permission, which decides where they land.
pub async fn sign_in(
    pool: &PgPool,
    email: &str,
    password: &str,
    address: &str,
) -> Result<Permission, AppError> {
    let email_lower = email.trim().to_lowercase();
    if email_lower.is_empty() || password.is_empty() {
        return Err(AppError::invalid(
            "Enter your email address and your password.",
        ));
    }
    // Counted before the password is checked: see `throttle`.
    let attempt = throttle::admit(pool, &email_lower, address).await?;

    // The same address may belong to members of several organizations; try each.
    let candidates = sqlx::query!(
        r#"SELECT id, permission, status, password_hash FROM members
            WHERE lower(email) = $1 AND password_hash IS NOT NULL
            ORDER BY activated_at DESC NULLS LAST"#,
        email_lower,
    )
    .fetch_all(pool)
    .await?;
    let mut matched = None;
    if candidates.is_empty() {
        // The same work as for a real account: the answer's timing tells nothing.
        crypto::verify_password(password.to_owned(), None).await?;
    }
    for candidate in candidates {
        if crypto::verify_password(password.to_owned(), candidate.password_hash).await? {
            matched = Some((candidate.id, candidate.permission, candidate.status));
            break;
        }
    }
    let Some((member_id, permission, status)) = matched else {
        throttle::failed(pool, attempt).await?;
        return Err(AppError::invalid(
            "The email address or password is not right. Check both and try again.",
        ));
    };
    throttle::succeeded(pool, attempt).await?;
    let permission = Permission::parse(&permission).map_err(|_| AppError::internal())?;
    if MemberStatus::parse(&status).map_err(|_| AppError::internal())? != MemberStatus::Active {
        return Err(AppError::invalid(
            "Your account is inactive. Ask an administrator of your organization to reactivate it.",
        ));
    }
    let mut conn = pool.acquire().await?;
    session::start(&mut conn, member_id).await?;
    tracing::info!(member_id, "signed in");
    Ok(permission)
}

/// Ends the caller's session and clears its cookie.
pub async fn sign_out(pool: &PgPool) -> Result<(), AppError> {
    let mut conn = pool.acquire().await?;
    session::end(&mut conn).await
}
