//! The Seats page and per-member seat changes.

use crate::domain::{MemberStatus, SeatKind, SeatPool};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// A member who holds a seat, with the answer to "why does this seat count?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatHolder {
    pub member_id: i64,
    pub name: String,
    pub email: String,
    pub status: MemberStatus,
    pub enable_reason: Option<String>,
    pub opportunity_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatOverview {
    pub enable: SeatPool,
    pub opportunity: SeatPool,
    /// Enable licenses used: held by a member whose progress reached 10 % somewhere.
    pub enable_used: i64,
    pub holders: Vec<SeatHolder>,
    /// At most this many holders are listed.
    pub holders_limit: i64,
}

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

/// Whose Enable seat the "Free unused licenses" action would free, and whose not (why).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeLicensesPreview {
    pub freeable: Vec<String>,
    pub kept: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeLicensesOutcome {
    pub freed: Vec<String>,
    pub kept: Vec<(String, String)>,
}

#[server(input = Json)]
pub async fn preview_free_licenses(
    member_ids: Vec<i64>,
    all_matching: Option<crate::api::organization::MemberFilter>,
) -> Result<FreeLicensesPreview, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let ids = selection(&pool, &viewer, member_ids, all_matching).await?;
    crate::server::seats::free_preview(&pool, &viewer, &ids).await
}

#[server(input = Json)]
pub async fn free_unused_licenses(
    member_ids: Vec<i64>,
    all_matching: Option<crate::api::organization::MemberFilter>,
) -> Result<FreeLicensesOutcome, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let ids = selection(&pool, &viewer, member_ids, all_matching).await?;
    crate::server::seats::free_unused(&pool, &viewer, &ids).await
}

/// The selected members: the ids given, or every member matching the list's filter.
#[cfg(feature = "ssr")]
async fn selection(
    pool: &sqlx::PgPool,
    viewer: &crate::api::auth::Viewer,
    member_ids: Vec<i64>,
    all_matching: Option<crate::api::organization::MemberFilter>,
) -> Result<Vec<i64>, AppError> {
    match all_matching {
        Some(filter) => {
            let mut conn = pool.acquire().await?;
            crate::server::member_list::matching_ids(&mut conn, viewer.organization_id, &filter)
                .await
        }
        None => Ok(member_ids),
    }
}
