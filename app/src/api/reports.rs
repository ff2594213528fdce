//! Progress reports for the organization, a region or a team (SPEC rule 9). They need an
//! administrator holding an Enable seat (rule 7), checked in every function here.

use crate::domain::report::{Distribution, ReportScope};
use crate::domain::{MemberStatus, Program, Progress};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One program's line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramLine {
    pub program: Program,
    pub enrolled: i64,
    pub average: Progress,
    pub completions: i64,
    pub distribution: Distribution,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberLine {
    pub member_id: i64,
    pub external_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub team: Option<String>,
    pub status: MemberStatus,
    /// Progress per program of the catalog, in catalog order; `None` when not enrolled.
    pub progress: Vec<Option<Progress>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub scope: ReportScope,
    /// "Northwind Traders", "Region EMEA", "Team EMEA / Enterprise".
    pub title: String,
    pub active: i64,
    pub invited: i64,
    pub inactive: i64,
    pub enable_held: i64,
    pub enable_used: i64,
    pub opportunity_held: i64,
    pub programs: Vec<ProgramLine>,
    pub enrollments: i64,
    pub average: Progress,
    pub completions: i64,
    pub distribution: Distribution,
    /// The first members by name; `members_total` counts all of them.
    pub members: Vec<MemberLine>,
    pub members_total: i64,
}

/// A choice in the report picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeOption {
    pub scope: ReportScope,
    pub label: String,
}

/// The report, or why the viewer may not see reports; and the scopes to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportAnswer {
    NeedsEnableSeat(String),
    Ready {
        report: Box<Report>,
        scopes: Vec<ScopeOption>,
    },
}

#[server]
pub async fn load_report(scope: String) -> Result<ReportAnswer, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    if let Err(reason) =
        crate::domain::rules::may_see_reports(viewer.permission, viewer.enable_seat)
    {
        return Ok(ReportAnswer::NeedsEnableSeat(reason.0));
    }
    let scope = ReportScope::parse(&scope).map_err(|e| AppError::invalid(e.0))?;
    let pool = crate::server::pool()?;
    let (report, scopes) = tokio::try_join!(
        crate::server::reports::report(
            &pool,
            &viewer,
            scope,
            crate::server::reports::MEMBERS_SHOWN
        ),
        crate::server::reports::scopes(&pool, &viewer),
    )?;
    Ok(ReportAnswer::Ready {
        report: Box::new(report),
        scopes,
    })
}

/// A report as CSV: `kind` is `summary` or `members` (every member, not only the first).
#[server]
pub async fn report_csv(scope: String, kind: String) -> Result<String, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    crate::domain::rules::may_see_reports(viewer.permission, viewer.enable_seat)?;
    let scope = ReportScope::parse(&scope).map_err(|e| AppError::invalid(e.0))?;
    let pool = crate::server::pool()?;
    match kind.as_str() {
        "summary" => {
            let report = crate::server::reports::report(&pool, &viewer, scope, 0).await?;
            Ok(crate::server::reports::summary_csv(&report))
        }
        "members" => {
            let report = crate::server::reports::report(&pool, &viewer, scope, i64::MAX).await?;
            Ok(crate::server::reports::members_csv(&report))
        }
        _ => Err(AppError::invalid(
            "Choose the summary or the member table to download.",
        )),
    }
}
