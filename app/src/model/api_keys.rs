//! API keys for the progress endpoint.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub id: i64,
    pub name: String,
    /// The key's first characters, to tell keys apart; the key itself is never stored.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked: bool,
    /// What the key may do, as stored (`domain::KeyScope::as_str`).
    pub scopes: Vec<String>,
}
