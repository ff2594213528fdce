use crate::error::AppError;
use crate::import::RowCells;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
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

#[server]
pub async fn load_import_context() -> Result<ImportContext, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let (emails, user_ids) =
        crate::server::import::full_context(&pool, viewer.organization_id).await?;
    let summary = super::organization::organization_overview().await?;
    Ok(ImportContext {
        next_user_id: user_ids.iter().max().map_or(1, |m| m + 1),
        emails,
        user_ids,
        enable_free: summary.enable.free(),
        opportunity_free: summary.opportunity.free(),
    })
}

#[server]
pub async fn start_import(
    file_name: String,
    digest: String,
    rows_total: usize,
) -> Result<i64, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let who = importer(&viewer);
    crate::server::import::start(&pool, &who.as_importer(), &file_name, &digest, rows_total).await
}

/// Imports one batch of rows (the page sends a file in batches, for its progress bar).
#[server(input = Json)]
pub async fn import_batch(
    import_id: i64,
    rows: Vec<RowCells>,
) -> Result<crate::import::BatchOutcome, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let state = crate::server::state()?;
    let who = importer(&viewer);
    crate::server::import::import_batch(
        &state.pool,
        &state.config,
        &who.as_importer(),
        import_id,
        &rows,
    )
    .await
}

#[cfg(feature = "ssr")]
struct Who {
    organization_id: i64,
    member_id: i64,
    email: String,
    name: String,
}

#[cfg(feature = "ssr")]
impl Who {
    fn as_importer(&self) -> crate::server::import::Importer<'_> {
        crate::server::import::Importer {
            organization_id: self.organization_id,
            member_id: Some(self.member_id),
            label: &self.email,
            inviter_name: &self.name,
        }
    }
}

#[cfg(feature = "ssr")]
fn importer(viewer: &super::auth::Viewer) -> Who {
    Who {
        organization_id: viewer.organization_id,
        member_id: viewer.member_id,
        email: viewer.email.clone(),
        name: format!("{} {}", viewer.first_name, viewer.last_name),
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

#[server]
pub async fn import_history() -> Result<Vec<ImportRecord>, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    Ok(sqlx::query!(
        r#"SELECT id, file_name, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS "at!",
                  actor_label, rows_total, imported, skipped
             FROM imports WHERE organization_id = $1 ORDER BY id DESC LIMIT 100"#,
        viewer.organization_id
    )
    .fetch_all(&pool)
    .await?
    .into_iter()
    .map(|r| ImportRecord {
        id: r.id,
        file_name: r.file_name,
        at: r.at,
        by: r.actor_label,
        rows_total: r.rows_total,
        imported: r.imported,
        skipped: r.skipped,
    })
    .collect())
}
