//! The Activity page.

use crate::error::AppError;
use crate::model::activity::ActivityEntry;
use leptos::prelude::*;

/// The activity log, newest first, 50 entries before the entry `before`.
#[server]
pub async fn activity(before: Option<i64>) -> Result<Vec<ActivityEntry>, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::activity::entries(&pool, &access, before).await
}
