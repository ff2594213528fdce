//! Taking an applied file back.

use super::changes::{execute_changes, Recorded};
use super::load;
use super::progress::Reporter;
use super::record::{Did, Read};
use crate::domain::rules::UNDO_HOURS;
use crate::domain::Access;
use crate::domain::Capability;
use crate::domain::MemberStatus;
use crate::error::AppError;
use crate::import::plan::plan;
use crate::import::roster::{member_cells, Action, FieldChange, Roster, RosterMember};
use crate::import::{Column, RowCells, CELLS};
use crate::model::roster::Undone;
use crate::server::members::{
    deactivate_locked, lock_member, lock_organization, reactivate_locked,
};
use crate::server::RuntimeConfig;
use sqlx::types::Json;
use sqlx::PgPool;
use std::collections::HashMap;

/// Undoes an applied file within 24 hours, when nothing since depends on it: the
/// invitations it sent are revoked (none accepted since), the fields it changed restored
/// (none changed since), the members it deactivated reactivated if the seats allow. All
/// or nothing, like the apply; its own changes are in the Activity log.
pub async fn undo(
    pool: &PgPool,
    config: &RuntimeConfig,
    actor: &Access,
    change_id: i64,
) -> Result<Undone, AppError> {
    actor.may(Capability::ChangeMembers)?;
    let org = actor.organization_id;
    let mut tx = pool.begin().await?;
    lock_organization(&mut tx, actor, &crate::server::ledger::via_of(actor)).await?;
    let change = sqlx::query!(
        r#"SELECT file_name, undone_at IS NOT NULL AS "undone!",
                  applied_at > now() - make_interval(hours => $3) AS "recent!",
                  EXISTS (SELECT 1 FROM roster_changes later
                           WHERE later.organization_id = c.organization_id AND later.id > c.id
                             AND later.undone_at IS NULL) AS "later!",
                  undo_record AS "record: Json<Vec<Read>>"
             FROM roster_changes c WHERE id = $1 AND organization_id = $2 FOR UPDATE"#,
        change_id,
        org,
        UNDO_HOURS
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        AppError::NotFound("This file's changes are not in your organization.".into())
    })?;
    // What the undo changes, the ledger says came from the file (undone).
    let via = crate::domain::licenses::Via::File(format!("{} (undone)", change.file_name));
    crate::server::ledger::note(&mut tx, actor, &via, None).await?;
    if change.undone {
        return Err(AppError::invalid(
            "This file's changes were undone already.",
        ));
    }
    if !change.recent {
        return Err(AppError::invalid(format!(
            "This file was applied more than {UNDO_HOURS} hours ago: change the members one by one, or apply a corrected file."
        )));
    }
    if change.later {
        return Err(AppError::invalid(
            "Another file was applied after this one: undo that one first.",
        ));
    }
    // None: a change set the sweep has emptied (too old or undone: refused above), or one
    // that changed nothing.
    let mut items: Vec<Read> = change.record.map(|Json(items)| items).unwrap_or_default();
    items.sort_unstable_by_key(|item| item.member);
    // The whole organization: the reversal is judged against it (the last administrator,
    // the seats), as a file would be.
    let roster = load(&mut tx, actor, None).await?;
    let by_id: HashMap<i64, &RosterMember> = roster.members.iter().map(|m| (m.id, m)).collect();
    let mut undone = Undone::default();
    let mut reversed: Vec<(&RosterMember, Vec<FieldChange>)> = Vec::new();
    let mut refusals = Vec::new();
    let mut to_reactivate = Vec::new();
    for item in items {
        let Some(member) = by_id.get(&item.member).copied() else {
            continue;
        };
        match item.kind {
            Did::Invite if member.status != MemberStatus::Invited => refusals.push(format!(
                "{} has accepted the invitation since.",
                member.email
            )),
            Did::Invite => {
                let locked_member = lock_member(&mut tx, actor, member.id).await?;
                deactivate_locked(&mut tx, actor, &locked_member, Some(&change.file_name)).await?;
                undone.revoked += 1;
            }
            Did::Change => {
                let changes = item.changes;
                let now = crate::import::roster::member_cells(member);
                let moved: Vec<&str> = changes
                    .iter()
                    .filter(|c| {
                        let current = match Column::from_header(&c.field) {
                            Some(Column::Team) => member.team_label(),
                            Some(column) => now[column.index()].clone(),
                            None => c.to.clone(),
                        };
                        current != c.to
                    })
                    .map(|c| c.field.as_str())
                    .collect();
                if !moved.is_empty() {
                    refusals.push(format!(
                        "{}'s {} changed since.",
                        member.email,
                        moved.join(", ")
                    ));
                    continue;
                }
                let back = changes
                    .into_iter()
                    .map(|c| FieldChange {
                        field: c.field,
                        from: c.to,
                        to: c.from,
                    })
                    .collect();
                reversed.push((member, back));
            }
            Did::Deactivate if member.status != MemberStatus::Deactivated => {}
            Did::Deactivate => to_reactivate.push(member.id),
        }
    }
    refusals.extend(judge(&reversed, &roster));
    if !refusals.is_empty() {
        return Err(AppError::Conflict(format!(
            "This file cannot be undone, nothing was changed: {}",
            refusals.join(" ")
        )));
    }
    let changes: Vec<(&RosterMember, &[FieldChange])> =
        reversed.iter().map(|(m, c)| (*m, c.as_slice())).collect();
    let mut quiet = Reporter::quiet();
    execute_changes(
        &mut tx,
        actor,
        &changes,
        Recorded::File {
            name: &change.file_name,
            undo: true,
        },
        &mut quiet,
    )
    .await?;
    undone.restored = changes.len();
    // Last, with the seats the revoked invitations and restored fields returned.
    let locked = lock_organization(&mut tx, actor, &via).await?;
    for id in to_reactivate {
        let member = lock_member(&mut tx, actor, id).await?;
        reactivate_locked(
            &mut tx,
            config,
            actor,
            &locked,
            &member,
            crate::server::members::WhenShort::Refuse,
        )
        .await?;
        undone.reactivated += 1;
    }
    sqlx::query!(
        "UPDATE roster_changes SET undone_at = now() WHERE id = $1",
        change_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(undone)
}

/// Why the reversal may not happen, judged by the rules every change obeys: the
/// restored fields are planned as a file of those members would be (the last active
/// administrator stays, a program at 10 % stays, a used Enable license stays, invited
/// members are frozen, the seats suffice). Team and user_id changes have no rule of their
/// own here: the database's constraints guard them.
fn judge(reversed: &[(&RosterMember, Vec<FieldChange>)], roster: &Roster) -> Vec<String> {
    let mut present = [false; CELLS];
    present[Column::Email.index()] = true;
    let rows: Vec<RowCells> = reversed
        .iter()
        .zip(1u32..)
        .map(|((member, back), row)| {
            let mut cells = member_cells(member);
            for change in back {
                match Column::from_header(&change.field) {
                    Some(Column::Team | Column::Region | Column::UserId) | None => {}
                    Some(column) => {
                        cells[column.index()] = change.to.clone();
                        present[column.index()] = true;
                    }
                }
            }
            RowCells::with_all(row, cells.each_ref().map(String::as_str))
        })
        .collect();
    plan(&rows, &present, roster, false)
        .entries
        .into_iter()
        .filter(|e| e.action == Action::Refused)
        .map(|e| format!("{}: {}", e.who, e.message))
        .collect()
}
