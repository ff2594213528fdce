//! My Organization: the header counts and the member list.

use crate::error::AppError;
use crate::model::member_list::{MemberFilter, MemberPage, OrganizationSummary};
use leptos::prelude::*;

#[server]
pub async fn organization_overview() -> Result<OrganizationSummary, AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    let mut overview = crate::server::member_list::overview(&state.pool, &access).await?;
    overview.dev_mailbox = state.config.dev_mailbox;
    Ok(overview)
}

/// A page of members matching `filter`, after (or before) the member with the given id.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn list_members(
    filter: MemberFilter,
    after: Option<i64>,
    before: Option<i64>,
) -> Result<MemberPage, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::member_list::fetch(&pool, &access, &filter, after, before).await
}
