//! Import CSV: what the browser needs to know before sending a file, and past imports.

use serde::{Deserialize, Serialize};

/// What the browser needs to check a file against the organization before sending it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportContext {
    pub emails: Vec<String>,
    pub user_ids: Vec<u32>,
    pub enable_free: i64,
    pub opportunity_free: i64,
    /// The first user_id after the organization's highest, for the sample file.
    pub next_user_id: u32,
}

impl ImportContext {
    pub fn org_context(&self) -> crate::import::OrgContext {
        crate::import::OrgContext {
            emails: self.emails.iter().cloned().collect(),
            user_ids: self.user_ids.iter().copied().collect(),
            enable_free: self.enable_free,
            opportunity_free: self.opportunity_free,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRecord {
    pub id: i64,
    pub file_name: String,
    pub at: String,
    pub by: String,
    pub rows_total: i32,
    pub imported: i32,
    pub skipped: i32,
}
