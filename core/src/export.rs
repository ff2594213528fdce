//! CSV files people download and open in a spreadsheet.

pub use crate::spreadsheet::{safe_csv, spreadsheet_safe};

/// The roster as a file (`roster members export`, My Organization's export): the
/// template's columns, then permission, region, team and status; formula-safe. Dropped
/// back on the Import page it plans no change.
pub fn roster_csv(members: &[crate::import::roster::RosterMember]) -> String {
    let header: Vec<&str> = crate::import::ALL_COLUMNS
        .iter()
        .map(|c| c.name())
        .collect();
    safe_csv(
        &header,
        members
            .iter()
            .map(|m| crate::import::roster::member_cells(m).to_vec()),
    )
}
