//! Import CSV: what the browser needs to know before sending a file, and past imports.

use serde::{Deserialize, Serialize};

/// What the browser needs to check a file against the organization before sending it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportContext {
    /// Members' addresses (lowercase), each with the member's user_id.
    pub emails: Vec<(String, Option<u32>)>,
    pub user_ids: Vec<u32>,
    pub enable_free: i64,
    pub opportunity_free: i64,
    /// The first user_id after the organization's highest, for the sample file.
    pub next_user_id: u32,
    /// The columns matched in the organization's earlier files: a header (as
    /// `import::columns::header_key`) and the template column it filled (`None`: ignored).
    pub column_choices: Vec<(String, Option<crate::import::Column>)>,
}

impl ImportContext {
    pub fn remembered_columns(
        &self,
    ) -> std::collections::HashMap<String, Option<crate::import::Column>> {
        self.column_choices.iter().cloned().collect()
    }

    pub fn org_context(&self) -> crate::import::OrgContext {
        crate::import::OrgContext::new(
            self.emails.iter().cloned().collect(),
            self.enable_free,
            self.opportunity_free,
        )
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
    /// Rows found already imported when a stopped import was continued.
    pub already: i32,
    pub state: ImportState,
}

/// Where an import stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportState {
    /// Every batch was sent.
    Completed,
    /// Batches arrived in the last few minutes.
    InProgress,
    /// It stopped before its last batch (a crash, a closed tab, a lost network): the same
    /// file again continues it.
    Interrupted,
}

impl ImportState {
    pub fn label(self) -> &'static str {
        match self {
            ImportState::Completed => "Completed",
            ImportState::InProgress => "In progress",
            ImportState::Interrupted => "Interrupted: drop the same file to continue",
        }
    }
}

/// How an import starts: a new one, or one that stopped, continued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportStart {
    pub import_id: i64,
    /// When the same file's import stopped before: what was done, for the page to say.
    pub continues: Option<String>,
}
