//! + Invite: the invitation form.

use crate::domain::InviteeDraft;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Invites the members of the form in one transaction: all of them, or none and the
/// problems of each. Returns how many were invited.
#[server(input = Json)]
pub async fn invite_members(
    members: Vec<InviteeDraft>,
    team: Option<i64>,
) -> Result<usize, AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    let ids = crate::server::invite::from_form(&state.pool, &state.config, &access, &members, team)
        .await?;
    Ok(ids.len())
}
