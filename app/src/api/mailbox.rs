//! The development mailbox.

use crate::error::AppError;
use crate::model::mailbox::MailboxMessage;
use leptos::prelude::*;

#[server]
pub async fn mailbox() -> Result<Vec<MailboxMessage>, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    crate::server::mailbox::messages(&pool, viewer.organization_id).await
}
