//! Invitation links (opening and accepting one) and the Pending invitations page.

use crate::error::AppError;
use crate::model::invitations::{InvitationView, PendingInvitation};
use leptos::prelude::*;

#[server]
pub async fn invitation(token: String) -> Result<InvitationView, AppError> {
    let pool = crate::server::pool()?;
    crate::server::invitations::view(&pool, &token).await
}

#[server]
pub async fn accept_invitation(
    token: String,
    password: String,
    password_confirmation: String,
) -> Result<(), AppError> {
    use crate::domain::NewPassword;
    let password = NewPassword::parse(&password, &password_confirmation)
        .map_err(|e| AppError::field("password", e.0))?;
    let client = crate::server::session::client_address().await;
    let pool = crate::server::pool()?;
    let permission = crate::server::invitations::accept(&pool, &token, &password, &client).await?;
    leptos_axum::redirect(permission.home_path());
    Ok(())
}

#[server]
pub async fn pending_invitations() -> Result<Vec<PendingInvitation>, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::invitations::pending(&pool, &access).await
}
