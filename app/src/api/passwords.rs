//! *Forgot password?*, the reset link, *Change password*, and an administrator's reset link.

use crate::error::AppError;
use crate::model::passwords::ResetView;
use leptos::prelude::*;

/// Emails a reset link when the address has an account; the same answer either way.
/// Works as a plain form before the page is interactive.
#[server]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let client = crate::server::session::client_address().await;
    let state = crate::server::state()?;
    crate::server::passwords::request_reset(&state.pool, &state.config, &email, &client).await?;
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}

#[server]
pub async fn password_reset(token: String) -> Result<ResetView, AppError> {
    let pool = crate::server::pool()?;
    crate::server::passwords::view(&pool, &token).await
}

#[server]
pub async fn reset_password(
    token: String,
    password: String,
    password_confirmation: String,
) -> Result<(), AppError> {
    let password = crate::domain::NewPassword::parse(&password, &password_confirmation)
        .map_err(|e| AppError::field("password", e.0))?;
    let client = crate::server::session::client_address().await;
    let pool = crate::server::pool()?;
    let permission = crate::server::passwords::reset(&pool, &token, &password, &client).await?;
    leptos_axum::redirect(permission.home_path());
    Ok(())
}

#[server]
pub async fn change_password(
    current_password: String,
    password: String,
    password_confirmation: String,
) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let password = crate::domain::NewPassword::parse(&password, &password_confirmation)
        .map_err(|e| AppError::field("password", e.0))?;
    let client = crate::server::session::client_address().await;
    let pool = crate::server::pool()?;
    crate::server::passwords::change(&pool, &access, &current_password, &password, &client).await?;
    leptos_axum::redirect("/account/password?changed=1");
    Ok(())
}

/// The member page's *Send password reset link*.
#[server]
pub async fn send_password_reset(member_id: i64) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    crate::server::members::send_password_reset(&state.pool, &state.config, &access, member_id)
        .await
}
