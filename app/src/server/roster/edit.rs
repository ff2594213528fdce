//! The member page's edits and the bulk actions, through the planner that judges files:
//! each asks for members to become something ([`Desired`], made by the builders the
//! pages' functions name), the plan judges it by the same rules as a file's row, and the
//! code that applies files applies it. A refusal reads as it would for a file.

use super::changes::{execute_changes, Recorded};
use super::load;
use super::progress::Reporter;
use crate::domain::{Access, Capability, Permission, Program, SeatKind};
use crate::error::AppError;
use crate::import::desired::Desired;
use crate::import::plan::{plan_wishes, Wish};
use crate::import::roster::{Action as PlanAction, FieldChange, RosterMember};
use crate::import::CELLS;
use crate::model::member_list::MemberFilter;
use crate::server::activity::Action;
use crate::server::members::lock_organization;
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;

/// Changes `members` to what `desired` makes of each (it sees the member as they are, under
/// the lock), in one transaction, recorded in the Activity as `action`. Returns how many
/// changed; a member outside the caller's scope is "not found", a refused change is
/// refused whole with the plan's words.
pub async fn change(
    pool: &PgPool,
    access: &Access,
    members: &[i64],
    desired: impl Fn(&RosterMember) -> Desired,
    action: Action,
) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    let changed = change_in(&mut tx, access, members, desired, action).await?;
    tx.commit().await?;
    Ok(changed)
}

/// [`change`], in the caller's transaction (which may hold more locks, taken after the
/// organization's).
async fn change_in(
    tx: &mut PgConnection,
    access: &Access,
    members: &[i64],
    desired: impl Fn(&RosterMember) -> Desired,
    action: Action,
) -> Result<usize, AppError> {
    access.may(Capability::ChangeMembers)?;
    let mut ids = members.to_vec();
    ids.sort_unstable();
    ids.dedup();
    lock_organization(&mut *tx, access, &crate::server::ledger::via_of(access)).await?;
    // The members' rows before their progress is read: a progress update holding one is
    // waited for, so the plan sees what it wrote (rule 3 then refuses in words).
    let locked: Vec<i64> = sqlx::query_scalar!(
        "SELECT id FROM members WHERE id = ANY($1) AND id IN (SELECT id FROM scoped_members($2, $3))
          ORDER BY id FOR UPDATE",
        &ids,
        access.organization_id,
        crate::server::scope::teams(access) as Option<Vec<i64>>,
    )
    .fetch_all(&mut *tx)
    .await?;
    if locked.len() != ids.len() {
        return Err(AppError::member_not_found());
    }
    let roster = load(&mut *tx, access, Some(&ids)).await?;
    let wants: Vec<(i64, Desired)> = roster.members.iter().map(|m| (m.id, desired(m))).collect();
    let wishes: Vec<Wish> = wants.iter().map(|(id, d)| Wish::Member(*id, d)).collect();
    let plan = plan_wishes(&wishes, &[false; CELLS], &roster, false);
    if let Some(refused) = plan
        .entries
        .iter()
        .find(|e| e.action == PlanAction::Refused)
    {
        return Err(AppError::invalid(refused.message.clone()));
    }
    let by_id: HashMap<i64, &RosterMember> = roster.members.iter().map(|m| (m.id, m)).collect();
    let changes: Vec<(&RosterMember, &[FieldChange])> = plan
        .entries
        .iter()
        .filter(|e| e.action == PlanAction::Change)
        .filter_map(|e| Some((*by_id.get(&e.member?)?, e.changes.as_slice())))
        .collect();
    if changes.is_empty() {
        return Ok(0);
    }
    let mut quiet = Reporter::quiet();
    execute_changes(
        &mut *tx,
        access,
        &changes,
        Recorded::Page(action),
        &mut quiet,
    )
    .await?;
    Ok(changes.len())
}

/// The permission menu: administrator, team manager or member (only administrators give
/// the first two; the last active administrator stays one, by the plan).
pub async fn set_permission(
    pool: &PgPool,
    access: &Access,
    member_id: i64,
    permission: Permission,
) -> Result<(), AppError> {
    access.may(Capability::ChangeMembers)?;
    crate::domain::access::may_give_permission(access.role, permission)?;
    change(
        pool,
        access,
        &[member_id],
        |_| Desired::permission(permission),
        Action::PermissionChanged,
    )
    .await
    .map(|_| ())
}

/// The member page's seat buttons: give or remove a seat of `kind` (removing the Enable
/// seat unassigns every program, refused once one has used its license).
pub async fn set_seat(
    pool: &PgPool,
    access: &Access,
    member_id: i64,
    kind: SeatKind,
    hold: bool,
) -> Result<(), AppError> {
    let action = if hold {
        Action::SeatGranted
    } else {
        Action::SeatRemoved
    };
    change(
        pool,
        access,
        &[member_id],
        |_| Desired::seat(kind, hold),
        action,
    )
    .await
    .map(|_| ())
}

/// The member page's Assign (`enrolled`) and Unassign of a program.
pub async fn set_program(
    pool: &PgPool,
    access: &Access,
    member_id: i64,
    program: Program,
    enrolled: bool,
) -> Result<(), AppError> {
    let action = if enrolled {
        Action::ProgramAssigned
    } else {
        Action::ProgramUnassigned
    };
    let changed = change(
        pool,
        access,
        &[member_id],
        |m| Desired::program(&m.program_list(), program, enrolled),
        action,
    )
    .await?;
    match (changed, enrolled) {
        (0, true) => Err(AppError::invalid(format!(
            "This member is already assigned {}.",
            program.name()
        ))),
        (0, false) => Err(AppError::invalid(format!(
            "This member is not assigned {}.",
            program.name()
        ))),
        _ => Ok(()),
    }
}

/// The team menu and Bulk Team Assign: the members (the ids, or all matching the list's
/// filter) into team `team_id`, or out of any team. Returns how many moved. The team is
/// held (`FOR SHARE`) until the members are in it: deleted meanwhile, it is "gone", and
/// no member is ever left in a deleted team.
pub async fn assign_team(
    pool: &PgPool,
    access: &Access,
    member_ids: &[i64],
    filter: Option<&MemberFilter>,
    team_id: Option<i64>,
) -> Result<usize, AppError> {
    access.may(Capability::ChangeMembers)?;
    let mut tx = pool.begin().await?;
    // The team before the organization, in the order deleting a team takes them (its
    // row, then the organization's through the activity log): never each waiting for the
    // other.
    let team = match team_id {
        Some(id) => Some(
            sqlx::query!(
                r#"SELECT t.name AS "team!", r.name AS region
                     FROM scoped_teams($2, NULL) s JOIN teams t ON t.id = s.id
                     JOIN regions r ON r.id = t.region_id
                    WHERE t.id = $1 FOR SHARE OF t"#,
                id,
                access.organization_id
            )
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(crate::server::teams::team_gone)?,
        ),
        None => None,
    };
    let candidates = match filter {
        Some(filter) => crate::server::member_list::matching_ids(&mut tx, access, filter).await?,
        None => member_ids.to_vec(),
    };
    let names = team.as_ref().map(|t| (t.region.as_str(), t.team.as_str()));
    let moved = change_in(
        &mut tx,
        access,
        &candidates,
        |_| Desired::team(names),
        Action::TeamChanged,
    )
    .await?;
    tx.commit().await?;
    Ok(moved)
}
