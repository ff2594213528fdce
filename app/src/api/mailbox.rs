//! The development mailbox: only in development mode without a mail server (its messages
//! hold live links).

use crate::error::AppError;
use crate::model::mailbox::MailboxMessage;
use leptos::prelude::*;

#[server]
pub async fn mailbox() -> Result<Vec<MailboxMessage>, AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    if !state.config.dev_mailbox {
        return Err(AppError::NotFound(
            "There is no mailbox here: emails go out through the mail server. Pending invitations shows each one's delivery.".into(),
        ));
    }
    crate::server::mailbox::messages(&state.pool, &access).await
}
