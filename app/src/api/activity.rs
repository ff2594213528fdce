//! The Activity page.

use crate::error::AppError;
use crate::model::activity::{ActivityFilter, ActivityLog};
use leptos::prelude::*;

/// The activity log as `filter` selects it, newest first, 50 entries before the entry
/// `before`. (Its export is a download: `/organization/activity/export`.)
#[server(input = leptos::server_fn::codec::Json)]
pub async fn activity(
    filter: ActivityFilter,
    before: Option<i64>,
) -> Result<ActivityLog, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::activity::entries(&pool, &access, &filter, before).await
}
