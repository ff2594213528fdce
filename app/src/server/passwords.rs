//! A way back in: *Forgot password?* (a single-use link by email, 60 minutes), setting a
//! new password from that link, *Change password* when signed in, and a reset link an
//! administrator sends. A new password ends every other session of the member.

use super::activity::{self, Action};
use super::crypto::{hash_password_like, new_token, token_digest, verify_password};
use super::mail::{Mail, Opens, PasswordReset};
use super::outbox::{self, Letter};
use super::{session, throttle, RuntimeConfig};
use crate::domain::Access;
use crate::domain::{NewPassword, Permission};
use crate::error::AppError;
use crate::model::passwords::ResetView;
use sqlx::{PgConnection, PgPool};

pub use crate::domain::rules::RESET_VALID_MINUTES as VALID_FOR_MINUTES;
/// Requests allowed in the window for one address typed, and from one client address.
pub const REQUESTS_PER_EMAIL: i64 = 3;
pub const REQUESTS_PER_CLIENT: i64 = 10;
pub const WINDOW_MINUTES: i32 = 15;

/// *Forgot password?*: emails a reset link to each active member with this address (one
/// per organization). The answer is the same whether or not there is one: the caller says
/// "if an account exists…". Throttled per address typed and per client address.
pub async fn request_reset(
    pool: &PgPool,
    config: &RuntimeConfig,
    email: &str,
    client: &str,
) -> Result<(), AppError> {
    let email_lower = crate::domain::email::key(email);
    if email_lower.is_empty() || email_lower.len() > 320 || email_lower.contains('\0') {
        return Err(AppError::field(
            "email",
            "Enter the email address you sign in with.",
        ));
    }
    // Counted and recorded in one statement.
    let admitted = sqlx::query_scalar!(
        r#"WITH recent AS (
               SELECT count(*) FILTER (WHERE email_lower = $1) AS by_email,
                      count(*) FILTER (WHERE ip_address = $2) AS by_client
                 FROM password_reset_requests
                WHERE requested_at > now() - make_interval(mins => $5)
                  AND (email_lower = $1 OR ip_address = $2))
           INSERT INTO password_reset_requests (email_lower, ip_address)
           SELECT $1, $2 FROM recent WHERE by_email < $3 AND by_client < $4
           RETURNING id"#,
        email_lower,
        client,
        REQUESTS_PER_EMAIL,
        REQUESTS_PER_CLIENT,
        WINDOW_MINUTES,
    )
    .fetch_optional(pool)
    .await?;
    if admitted.is_none() {
        return Err(AppError::TooManyRequests(format!(
            "Too many reset requests for this address or from your network. Check your inbox (and spam folder) for the link already sent, or try again in {WINDOW_MINUTES} minutes."
        )));
    }
    let mut tx = pool.begin().await?;
    // Deactivated and invited members get nothing, and the answer does not say so.
    let members = sqlx::query!(
        r#"SELECT m.id, m.organization_id, m.first_name, m.email, o.name AS organization
             FROM members m JOIN organizations o ON o.id = m.organization_id
            WHERE email_key(m.email) = $1 AND m.status = 'active' AND m.password_hash IS NOT NULL
            FOR UPDATE OF m"#,
        email_lower
    )
    .fetch_all(&mut *tx)
    .await?;
    for m in members {
        issue(
            &mut tx,
            config,
            Target {
                member_id: m.id,
                organization_id: m.organization_id,
                organization: &m.organization,
                first_name: &m.first_name,
                email: &m.email,
            },
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whose password a link resets.
pub(crate) struct Target<'a> {
    pub member_id: i64,
    pub organization_id: i64,
    pub organization: &'a str,
    pub first_name: &'a str,
    pub email: &'a str,
}

/// A new link for the member (older unused ones stop working) and its email.
pub(crate) async fn issue(
    conn: &mut PgConnection,
    config: &RuntimeConfig,
    target: Target<'_>,
    sent_by: Option<&Access>,
) -> Result<(), AppError> {
    let (token, digest) = new_token();
    sqlx::query!(
        "DELETE FROM password_resets WHERE member_id = $1 AND used_at IS NULL",
        target.member_id
    )
    .execute(&mut *conn)
    .await?;
    let reset_id = sqlx::query_scalar!(
        "INSERT INTO password_resets (member_id, token_hash, requested_by, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(mins => $4)) RETURNING id",
        target.member_id,
        digest,
        sent_by.and_then(Access::member_id),
        VALID_FOR_MINUTES,
    )
    .fetch_one(&mut *conn)
    .await?;
    let letter = Letter {
        member_id: Some(target.member_id),
        to: target.email.to_owned(),
        mail: Mail::PasswordReset(PasswordReset {
            organization: target.organization.to_owned(),
            first_name: target.first_name.to_owned(),
            link: super::links::for_queued_mail(config, Opens::Reset { reset_id }, &token, &digest),
            sent_by: sent_by.map(|a| a.name.clone()),
            valid_minutes: Some(VALID_FOR_MINUTES),
        }),
    };
    outbox::enqueue(conn, config, target.organization_id, &[letter]).await
}

pub const UNUSABLE_MESSAGE: &str = "This link cannot be used: it was already used, a newer one replaced it, or it expired (links work for 60 minutes). Ask for a new one with Forgot password? on the sign-in page.";

/// What the reset page shows for a link. A page view counts nothing (anyone can make a
/// browser load a page): failures are counted where a link is used ([`reset`]).
pub async fn view(pool: &PgPool, token: &str) -> Result<ResetView, AppError> {
    let row = sqlx::query!(
        r#"SELECT m.email FROM password_resets r JOIN members m ON m.id = r.member_id
            WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()
              AND m.status = 'active'"#,
        token_digest(token),
    )
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some(r) => ResetView::Open { email: r.email },
        None => ResetView::Closed {
            message: UNUSABLE_MESSAGE.to_owned(),
        },
    })
}

/// Sets a new password from a reset link: the link is used up (row-locked: single use),
/// every session of the member ends, and a new one starts here. Returns the permission.
pub async fn reset(
    pool: &PgPool,
    token: &str,
    password: &NewPassword,
    client: &str,
) -> Result<Permission, AppError> {
    let digest = token_digest(token);
    // The link first: no password is hashed for a link that cannot be used. A usable
    // link is never refused for what others did; an unusable one counts against the
    // client address.
    let email = match view(pool, token).await? {
        ResetView::Open { email } => email,
        ResetView::Closed { message } => {
            throttle::link_failed(pool, client).await?;
            return Err(AppError::invalid(message));
        }
    };
    let password_hash = hash_for(pool, &email, password).await?;
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"SELECT r.id, r.member_id, m.organization_id, m.email, m.permission
             FROM password_resets r JOIN members m ON m.id = r.member_id
            WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()
              AND m.status = 'active'
            FOR UPDATE OF r, m"#,
        digest,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::invalid(UNUSABLE_MESSAGE))?;
    sqlx::query!(
        "UPDATE password_resets SET used_at = now() WHERE id = $1",
        row.id
    )
    .execute(&mut *tx)
    .await?;
    set_password(&mut tx, row.member_id, &password_hash).await?;
    sqlx::query!("DELETE FROM sessions WHERE member_id = $1", row.member_id)
        .execute(&mut *tx)
        .await?;
    // Whoever was locked out by failed sign-ins gets in with the new password.
    throttle::clear_account(&mut tx, &crate::domain::email::key(&row.email)).await?;
    let member = Access::member_self(row.organization_id, row.member_id, &row.email);
    activity::record(
        &mut tx,
        &member,
        Action::PasswordReset,
        Some(row.member_id),
        serde_json::json!({}),
    )
    .await?;
    session::start(&mut tx, row.member_id).await?;
    tx.commit().await?;
    tracing::info!(member_id = row.member_id, "password reset");
    Permission::parse(&row.permission).map_err(|_| AppError::internal())
}

/// *Change password*: the current password is required (a wrong one counts as a failed
/// sign-in); every other session of the member ends.
pub async fn change(
    pool: &PgPool,
    access: &Access,
    current: &str,
    new: &NewPassword,
    client: &str,
) -> Result<(), AppError> {
    let email_lower = crate::domain::email::key(&access.label);
    let attempt = throttle::admit(pool, &email_lower, client).await?;
    let stored = sqlx::query_scalar!(
        "SELECT password_hash FROM members WHERE id = $1",
        access.acting_member()?
    )
    .fetch_one(pool)
    .await?;
    if !verify_password(current.to_owned(), stored).await? {
        throttle::failed(pool, attempt).await?;
        return Err(AppError::field(
            "current_password",
            "This is not your current password. Type it again.",
        ));
    }
    throttle::succeeded(pool, attempt).await?;
    let password_hash = hash_for(pool, &access.label, new).await?;
    let mut tx = pool.begin().await?;
    set_password(&mut tx, access.acting_member()?, &password_hash).await?;
    let this_session = session::cookie_token().map(|t| token_digest(&t));
    sqlx::query!(
        "DELETE FROM sessions WHERE member_id = $1 AND ($2::bytea IS NULL OR token_hash <> $2)",
        access.acting_member()?,
        this_session,
    )
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::PasswordChanged,
        Some(access.acting_member()?),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn set_password(conn: &mut PgConnection, member_id: i64, hash: &str) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE members SET password_hash = $2 WHERE id = $1",
        member_id,
        hash
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The hash of `password` for a member whose address is `email`: with the salt the
/// address's other hashes have (see `crypto::hash_password_like`), so signing in computes
/// Argon2 once however many organizations the address belongs to. (A salt used again
/// with a new password is still a salt: it is there against precomputed tables.)
pub(super) async fn hash_for(
    pool: &PgPool,
    email: &str,
    password: &NewPassword,
) -> Result<String, AppError> {
    let sibling = sqlx::query_scalar!(
        r#"SELECT password_hash AS "hash!" FROM members
            WHERE email_key(email) = $1 AND password_hash IS NOT NULL
            ORDER BY activated_at DESC NULLS LAST LIMIT 1"#,
        crate::domain::email::key(email)
    )
    .fetch_optional(pool)
    .await?;
    hash_password_like(password.expose().to_owned(), sibling).await
}
