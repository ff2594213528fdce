//! Signing in and out, and who is signed in.

use crate::error::AppError;
use crate::model::Viewer;
use leptos::prelude::*;

#[server]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    crate::server::session::viewer().await
}

#[server]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    let address = crate::server::session::client_address().await;
    let pool = crate::server::pool()?;
    let permission = crate::server::auth::sign_in(&pool, &email, &password, &address).await?;
    let target = crate::model::viewer::safe_next_path(next.as_deref())
        .unwrap_or_else(|| permission.home_path().into());
    leptos_axum::redirect(&target);
    Ok(())
}

#[server]
pub async fn sign_out() -> Result<(), AppError> {
    let pool = crate::server::pool()?;
    crate::server::auth::sign_out(&pool).await?;
    leptos_axum::redirect("/sign-in");
    Ok(())
}
