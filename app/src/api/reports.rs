//! Progress reports for the organization, a region or a team (SPEC rule 9). They need an
//! administrator holding an Enable seat (rule 7), checked in every function here.

use crate::error::AppError;
use crate::model::reports::ReportAnswer;
use leptos::prelude::*;

#[server]
pub async fn load_report(scope: String) -> Result<ReportAnswer, AppError> {
    let access = crate::server::session::require_access().await?;
    let scope =
        crate::domain::report::ReportScope::parse(&scope).map_err(|e| AppError::invalid(e.0))?;
    let pool = crate::server::pool()?;
    crate::server::reports::answer(&pool, &access, scope).await
}

/// A report as CSV: `kind` is `summary` or `members` (every member, not only the first).
#[server]
pub async fn report_csv(scope: String, kind: String) -> Result<String, AppError> {
    let access = crate::server::session::require_access().await?;
    let scope =
        crate::domain::report::ReportScope::parse(&scope).map_err(|e| AppError::invalid(e.0))?;
    let pool = crate::server::pool()?;
    crate::server::reports::csv(&pool, &access, scope, &kind).await
}
