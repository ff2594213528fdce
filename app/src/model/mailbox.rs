//! The development mailbox.

use serde::{Deserialize, Serialize};

/// A message of the outbox, for the development mailbox page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxMessage {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: String,
    pub created_at: String,
}
