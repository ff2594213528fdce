//! The columns a file may have: the template's eight (SPEC §4), in its order, then the
//! four an exported roster adds. Everything that reads or writes files names them from
//! here.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Column {
    UserId,
    FirstName,
    LastName,
    Email,
    JobTitle,
    MosEnable,
    MosOpportunity,
    CourseEnrollments,
    /// The roster's columns (`roster members export`): not in the template; read when a
    /// file has them, to change existing members.
    Permission,
    Region,
    Team,
    /// Written by the export for the reader's information; a file never changes it.
    Status,
    /// The day the member is to be deactivated (`YYYY-MM-DD`), empty for none.
    DeactivateOn,
}

/// How many cells a row keeps: the template's and the roster's.
pub const CELLS: usize = 13;

/// The roster's extra columns, after the template's.
pub const ROSTER_COLUMNS: [Column; 5] = [
    Column::Permission,
    Column::Region,
    Column::Team,
    Column::Status,
    Column::DeactivateOn,
];

/// Every column a file may have, the template's first.
pub const ALL_COLUMNS: [Column; CELLS] = [
    Column::UserId,
    Column::FirstName,
    Column::LastName,
    Column::Email,
    Column::JobTitle,
    Column::MosEnable,
    Column::MosOpportunity,
    Column::CourseEnrollments,
    Column::Permission,
    Column::Region,
    Column::Team,
    Column::Status,
    Column::DeactivateOn,
];

/// The template's columns (SPEC §4), in its order: the first eight of [`ALL_COLUMNS`].
pub const COLUMNS: [Column; 8] = {
    let mut columns = [Column::UserId; 8];
    let mut i = 0;
    while i < 8 {
        columns[i] = ALL_COLUMNS[i];
        i += 1;
    }
    columns
};

impl Column {
    pub fn name(self) -> &'static str {
        match self {
            Column::UserId => "user_id",
            Column::FirstName => "first_name",
            Column::LastName => "last_name",
            Column::Email => "email",
            Column::JobTitle => "job_title",
            Column::MosEnable => "mos_enable",
            Column::MosOpportunity => "mos_opportunity",
            Column::CourseEnrollments => "course_enrollments",
            Column::Permission => "permission",
            Column::Region => "region",
            Column::Team => "team",
            Column::Status => "status",
            Column::DeactivateOn => "deactivate_on",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn required(self) -> bool {
        matches!(
            self,
            Column::UserId | Column::FirstName | Column::LastName | Column::Email
        )
    }

    /// Header names match whatever their case, spaces and underscores: `First Name`,
    /// `first_name` and ` FIRSTNAME ` are the same column.
    pub fn from_header(header: &str) -> Option<Self> {
        let key: String = header
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        ALL_COLUMNS
            .into_iter()
            .find(|c| c.name().replace('_', "") == key)
    }
}
