//! The members as a CSV file or an Excel workbook.

use super::load;
use crate::domain::Access;
use crate::domain::Capability;
use crate::error::AppError;
use crate::import::roster::RosterMember;
use crate::import::Column;
use crate::model::member_list::MemberFilter;
use crate::model::roster::ExportFile;
use sqlx::PgPool;

/// The members to export: those `filter` matches (My Organization's current filter), or
/// every member.
pub async fn export(
    pool: &PgPool,
    access: &Access,
    filter: Option<&MemberFilter>,
) -> Result<Vec<RosterMember>, AppError> {
    access.may(Capability::ChangeMembers)?;
    let mut conn = pool.acquire().await?;
    let only = match filter {
        Some(filter) => {
            Some(crate::server::member_list::matching_ids(&mut conn, access, filter).await?)
        }
        None => None,
    };
    Ok(load(&mut conn, access, only.as_deref()).await?.members)
}

/// The export as a download: CSV or an Excel workbook (`format`: `csv`, `xlsx`).
pub async fn export_file(
    pool: &PgPool,
    access: &Access,
    filter: &MemberFilter,
    format: &str,
) -> Result<ExportFile, AppError> {
    use base64::Engine;
    let members = export(pool, access, Some(filter)).await?;
    let date = time::OffsetDateTime::now_utc().date();
    let (bytes, extension, mime) = match format {
        "csv" => (
            crate::export::roster_csv(&members).into_bytes(),
            "csv",
            "text/csv;charset=utf-8",
        ),
        "xlsx" => (
            roster_xlsx(&members)?,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        other => {
            return Err(AppError::invalid(format!(
                "\u{201c}{other}\u{201d} is not an export format: choose csv or xlsx."
            )))
        }
    };
    Ok(ExportFile {
        file_name: format!("roster-members-{date}.{extension}"),
        mime: mime.to_owned(),
        base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

/// The roster as an Excel workbook: the columns of [`crate::export::roster_csv`], seats as
/// boolean cells, every other cell as text — never a formula, whatever it starts with.
pub fn roster_xlsx(members: &[RosterMember]) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| {
        tracing::error!(error = %e, "the members workbook could not be written");
        AppError::internal()
    };
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Members").map_err(failed)?;
    let bold = Format::new().set_bold();
    for (col, column) in crate::import::ALL_COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, column.name(), &bold)
            .map_err(failed)?;
    }
    for (i, member) in members.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, cell) in crate::import::roster::member_cells(member)
            .iter()
            .enumerate()
        {
            let column = crate::import::ALL_COLUMNS[col];
            match column {
                Column::MosEnable | Column::MosOpportunity => {
                    sheet.write_boolean(row, col as u16, cell == "TRUE")
                }
                _ if cell.is_empty() => continue,
                _ => sheet.write_string(row, col as u16, cell),
            }
            .map_err(failed)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    workbook.save_to_buffer().map_err(failed)
}
