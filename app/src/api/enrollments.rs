//! One member's page: details, seats and programs.

use crate::domain::Program;
use crate::error::AppError;
use crate::model::enrollments::MemberDetail;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server]
pub async fn load_member(member_id: i64) -> Result<MemberDetail, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::enrollments::detail(&pool, &access, member_id).await
}

#[server(input = Json)]
pub async fn assign_program(member_id: i64, program: Program) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::roster::set_program(&pool, &access, member_id, program, true).await
}

#[server(input = Json)]
pub async fn unassign_program(member_id: i64, program: Program) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::roster::set_program(&pool, &access, member_id, program, false).await
}
