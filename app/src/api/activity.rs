//! The Activity page.

use crate::error::AppError;
use crate::model::activity::ActivityEntry;
use leptos::prelude::*;

/// The activity log, newest first, 50 entries before the entry `before`.
#[server]
pub async fn activity(before: Option<i64>) -> Result<Vec<ActivityEntry>, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    crate::server::activity::entries(&pool, viewer.organization_id, before).await
}
