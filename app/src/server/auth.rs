//! Signing in and out: throttled password checks, then a session.

use super::{crypto, session, throttle};
use crate::domain::{MemberStatus, Permission};
use crate::error::AppError;
use sqlx::PgPool;

const NOT_RIGHT: &str = "The email address or password is not right. Check both and try again.";

/// Checks the password of `email` (throttled per account and client address) and opens
/// a session. Returns the member's permission, which decides where they land.
pub async fn sign_in(
    pool: &PgPool,
    email: &str,
    password: &str,
    address: &str,
) -> Result<Permission, AppError> {
    let email_lower = crate::domain::email::key(email);
    if email_lower.is_empty() || password.is_empty() {
        return Err(AppError::invalid(
            "Enter your email address and your password.",
        ));
    }
    if email.trim().len() > crate::domain::email::MAX_LEN {
        // No member has such an address: nothing to count or check.
        return Err(AppError::invalid(NOT_RIGHT));
    }
    // Counted before the password is checked: see `throttle`.
    let attempt = throttle::admit(pool, &email_lower, address).await?;

    // The same address may belong to members of several organizations: one Argon2
    // computation checks them all (see `crypto::matching`), the same work for one
    // organization, several or none.
    let candidates = sqlx::query!(
        r#"SELECT id, permission, status, password_hash AS "password_hash!" FROM members
            WHERE email_key(email) = $1 AND password_hash IS NOT NULL
            ORDER BY activated_at DESC NULLS LAST"#,
        email_lower,
    )
    .fetch_all(pool)
    .await?;
    let hashes = candidates.iter().map(|c| c.password_hash.clone()).collect();
    let matched = crypto::matching(password.to_owned(), hashes)
        .await?
        .and_then(|i| candidates.into_iter().nth(i))
        .map(|c| (c.id, c.permission, c.status));
    let Some((member_id, permission, status)) = matched else {
        throttle::failed(pool, attempt).await?;
        return Err(AppError::invalid(NOT_RIGHT));
    };
    throttle::succeeded(pool, attempt).await?;
    let permission = Permission::parse(&permission).map_err(|_| AppError::internal())?;
    if MemberStatus::parse(&status).map_err(|_| AppError::internal())? != MemberStatus::Active {
        return Err(AppError::invalid(
            "Your account is inactive. Ask an administrator of your organization to reactivate it.",
        ));
    }
    let mut conn = pool.acquire().await?;
    // An organization that requires SSO signs in with its company account, except for the
    // administrator kept on a password as the way back in (recorded).
    super::sso_policy::password_allowed(&mut conn, member_id)
        .await?
        .map_err(AppError::Invalid)?;
    session::start(&mut conn, member_id).await?;
    tracing::info!(member_id, "signed in");
    Ok(permission)
}

/// Ends the caller's session and clears its cookie.
pub async fn sign_out(pool: &PgPool) -> Result<(), AppError> {
    let mut conn = pool.acquire().await?;
    session::end(&mut conn).await
}
