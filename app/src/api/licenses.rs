//! The Licenses page, a member's license history, the seat banner, scheduled deactivation
//! and the invitation settings.

use crate::error::AppError;
use crate::model::invitations::InvitationSettings;
use crate::model::licenses::{LedgerFilter, LedgerLine, LicensesOverview, SeatBanner};
use crate::model::member_list::MemberFilter;
use crate::model::roster::ExportFile;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Counts on `as_of` (`YYYY-MM-DD`; empty: today), the monthly peaks, and the lines the
/// filter matches.
#[server(input = Json)]
pub async fn load_licenses(
    as_of: String,
    filter: LedgerFilter,
) -> Result<LicensesOverview, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::ledger::overview(&pool, &access, &as_of, &filter).await
}

#[server(input = Json)]
pub async fn export_licenses(
    as_of: String,
    filter: LedgerFilter,
    format: String,
) -> Result<ExportFile, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::ledger::export_file(&pool, &access, &as_of, &filter, &format).await
}

#[server]
pub async fn member_license_history(member_id: i64) -> Result<Vec<LedgerLine>, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::ledger::member_history(&pool, &access, member_id).await
}

/// The seat alert banner for who is signed in (administrators only; `None` otherwise).
#[server]
pub async fn load_seat_banner() -> Result<Option<SeatBanner>, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::seats::banner(&pool, &access).await
}

/// Schedules (or, with an empty `on`, cancels) the deactivation of the members named or
/// of all that match `all_matching`. Returns how many changed.
#[server(input = Json)]
pub async fn schedule_deactivation(
    member_ids: Vec<i64>,
    all_matching: Option<MemberFilter>,
    on: String,
) -> Result<usize, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    let on = crate::server::ledger::parse_date(&on, "date")?;
    let ids =
        crate::server::member_list::selection(&pool, &access, member_ids, all_matching.as_ref())
            .await?;
    crate::server::members::schedule_deactivation(&pool, &access, &ids, on).await
}

#[server]
pub async fn load_invitation_settings() -> Result<InvitationSettings, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::invitations::settings(&pool, &access).await
}

/// Saves the invitation settings; works as a plain form before the page is interactive.
#[server]
pub async fn save_invitation_settings(
    reminder_days: String,
    expired_seats: String,
) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let reminder_days = crate::domain::licenses::parse_reminder_days(&reminder_days)
        .map_err(|e| AppError::field("reminder_days", e.0))?;
    let release_seats = match expired_seats.as_str() {
        "release" => true,
        "keep" => false,
        _ => {
            return Err(AppError::field(
                "expired_seats",
                "Choose whether an expired invitation returns its seats or keeps them.",
            ))
        }
    };
    let pool = crate::server::pool()?;
    crate::server::invitations::set_settings(
        &pool,
        &access,
        &InvitationSettings {
            reminder_days,
            release_seats,
        },
    )
    .await?;
    leptos_axum::redirect("/organization/invitations?saved=1");
    Ok(())
}

/// Whether the signed-in administrator or manager gets the weekly digest.
#[server]
pub async fn load_weekly_digest() -> Result<bool, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::digest::mine(&pool, &access).await
}

/// Turns the weekly digest on (`on` present, a ticked checkbox) or off; works as a plain
/// form before the page is interactive.
#[server]
pub async fn set_weekly_digest(on: Option<String>) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::digest::set_mine(&pool, &access, on.is_some()).await?;
    leptos_axum::redirect("/organization/reports?digest=saved");
    Ok(())
}
