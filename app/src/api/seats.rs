//! The Seats page and per-member seat changes.

use crate::domain::SeatKind;
use crate::error::AppError;
use crate::model::member_list::MemberFilter;
use crate::model::seats::{FreeLicensesOutcome, FreeLicensesPreview, SeatOverview};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server]
pub async fn load_seats() -> Result<SeatOverview, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    crate::server::seats::overview(&pool, &viewer).await
}

/// Edits the seat counts bought. Works as a plain form before the page is interactive.
#[server]
pub async fn set_seats_bought(
    enable_seats: String,
    opportunity_seats: String,
) -> Result<(), AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let parse = |field: &str, raw: &str| {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| AppError::field(field, "Enter a whole number of seats, such as 25."))
    };
    let enable = parse("enable_seats", &enable_seats)?;
    let opportunity = parse("opportunity_seats", &opportunity_seats)?;
    let pool = crate::server::pool()?;
    crate::server::seats::set_bought(&pool, &viewer, enable, opportunity).await?;
    leptos_axum::redirect("/organization/seats?saved=1");
    Ok(())
}

/// Grants (`hold`) or removes one member's seat.
#[server(input = Json)]
pub async fn set_member_seat(member_id: i64, kind: SeatKind, hold: bool) -> Result<(), AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    crate::server::seats::set_member_seat(&pool, &viewer, member_id, kind, hold).await
}

#[server(input = Json)]
pub async fn preview_free_licenses(
    member_ids: Vec<i64>,
    all_matching: Option<MemberFilter>,
) -> Result<FreeLicensesPreview, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let ids = crate::server::member_list::selection(
        &pool,
        viewer.organization_id,
        member_ids,
        all_matching.as_ref(),
    )
    .await?;
    crate::server::seats::free_preview(&pool, &viewer, &ids).await
}

#[server(input = Json)]
pub async fn free_unused_licenses(
    member_ids: Vec<i64>,
    all_matching: Option<MemberFilter>,
) -> Result<FreeLicensesOutcome, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let ids = crate::server::member_list::selection(
        &pool,
        viewer.organization_id,
        member_ids,
        all_matching.as_ref(),
    )
    .await?;
    crate::server::seats::free_unused(&pool, &viewer, &ids).await
}
