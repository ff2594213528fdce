//! The Seats page and per-member seat changes.

use crate::domain::SeatKind;
use crate::error::AppError;
use crate::model::member_list::MemberFilter;
use crate::model::seats::{FreeLicensesOutcome, FreeLicensesPreview, SeatOverview};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server]
pub async fn load_seats() -> Result<SeatOverview, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::seats::overview(&pool, &access).await
}

/// Asks the vendor for more seats (seats bought are the vendor's to set). Works as a
/// plain form before the page is interactive.
#[server]
pub async fn request_seats(kind: String, seats: String, note: String) -> Result<(), AppError> {
    use crate::domain::SeatRequest;
    let access = crate::server::session::require_access().await?;
    let kind = SeatKind::parse(&kind).map_err(|e| AppError::field("kind", e.0))?;
    let request = SeatRequest::parse(kind, &seats, &note)
        .map_err(|(field, e)| AppError::field(field, e.0))?;
    let state = crate::server::state()?;
    crate::server::seats::request_more(&state.pool, &state.config, &access, &request).await?;
    leptos_axum::redirect("/organization/seats?requested=1");
    Ok(())
}

/// Grants (`hold`) or removes one member's seat.
#[server(input = Json)]
pub async fn set_member_seat(member_id: i64, kind: SeatKind, hold: bool) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::roster::set_seat(&pool, &access, member_id, kind, hold).await
}

#[server(input = Json)]
pub async fn preview_free_licenses(
    member_ids: Vec<i64>,
    all_matching: Option<MemberFilter>,
) -> Result<FreeLicensesPreview, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    let ids =
        crate::server::member_list::selection(&pool, &access, member_ids, all_matching.as_ref())
            .await?;
    crate::server::seats::free_preview(&pool, &access, &ids).await
}

#[server(input = Json)]
pub async fn free_unused_licenses(
    member_ids: Vec<i64>,
    all_matching: Option<MemberFilter>,
) -> Result<FreeLicensesOutcome, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    let ids =
        crate::server::member_list::selection(&pool, &access, member_ids, all_matching.as_ref())
            .await?;
    crate::server::seats::free_unused(&pool, &access, &ids).await
}
