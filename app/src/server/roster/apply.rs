//! A file applied as a change set: all of it or nothing.

use super::changes::{execute_changes, Recorded};
use super::load;
use super::progress::{staged_rows, Reporter};
use super::record::{Did, Written};
use crate::domain::licenses::Via;
use crate::domain::Access;
use crate::domain::Capability;
use crate::error::AppError;
use crate::import::plan::plan;
use crate::import::roster::{Action as PlanAction, FieldChange, RosterMember};
use crate::import::{check_row, RowCells};
use crate::model::roster::{Applied, RosterFile};
use crate::server::activity::Action;
use crate::server::invite::{invite, Delivery, Logged};
use crate::server::members::{deactivate_locked, lock_member, lock_organization};
use crate::server::RuntimeConfig;
use sqlx::PgPool;
use std::collections::HashMap;
use uuid::Uuid;

/// Deactivations between two progress reports.
const REPORT_EVERY: usize = 200;

/// Applies `file`: plans it again on the roster as it is under the organization's lock,
/// refuses it whole if any row is refused, and otherwise invites, changes and deactivates
/// in one transaction, with one activity entry per member naming the file. A file that
/// changes nothing saves nothing (the same file twice is harmless). Its steps go to
/// `progress` as they are done.
pub async fn apply(
    pool: &PgPool,
    config: &RuntimeConfig,
    actor: &Access,
    file: &RosterFile,
    mut progress: Reporter,
) -> Result<Applied, AppError> {
    actor.may(Capability::ChangeMembers)?;
    let applied = apply_reporting(pool, config, actor, file, &mut progress).await;
    progress.finish().await;
    applied
}

/// Applies `file` with the rows the page sent under `key` (all `sent_rows` of them, or
/// nothing), reporting its progress there.
pub async fn apply_sent(
    pool: &PgPool,
    config: &RuntimeConfig,
    actor: &Access,
    file: RosterFile,
    key: Uuid,
    sent_rows: usize,
) -> Result<Applied, AppError> {
    actor.may(Capability::ChangeMembers)?;
    let progress = Reporter::to(pool, actor.organization_id, key);
    let file = match staged_rows(pool, actor, key, sent_rows).await {
        Ok(rows) => RosterFile { rows, ..file },
        Err(missing) => {
            progress.finish().await;
            return Err(missing);
        }
    };
    apply(pool, config, actor, &file, progress).await
}

async fn apply_reporting(
    pool: &PgPool,
    config: &RuntimeConfig,
    actor: &Access,
    file: &RosterFile,
    progress: &mut Reporter,
) -> Result<Applied, AppError> {
    let org = actor.organization_id;
    // Named in every activity entry: as long as imports allow, whatever was sent.
    let file_name = crate::import::bounded_file_name(&file.file_name);
    progress.set_total(file.rows.len() + 2);
    progress
        .advance(0, "Waiting for other changes to your organization")
        .await;
    let mut tx = pool.begin().await?;
    lock_organization(&mut tx, actor, &Via::File(file_name.clone())).await?;
    progress
        .advance(0, "Checking the file against your organization")
        .await;
    let roster = load(&mut tx, actor, None).await?;
    let plan = plan(&file.rows, &file.present, &roster, file.deactivate_missing);
    // One step per member touched (a change counts twice: its fields, then the rest) and
    // one more each for the undo record (as long as a change's fields, measured), one for
    // the check and one for saving.
    progress.set_total(
        2 + 2 * plan.count(PlanAction::Deactivate)
            + 3 * plan.count(PlanAction::Change)
            + 2 * plan.count(PlanAction::New),
    );
    progress
        .advance(1, "Checking the file against your organization")
        .await;
    let refused: Vec<String> = plan
        .entries
        .iter()
        .filter(|e| e.action == PlanAction::Refused)
        .map(|e| match e.row {
            Some(row) => format!("Row {row}: {}", e.message),
            None => format!("{}: {}", e.who, e.message),
        })
        .collect();
    if !refused.is_empty() {
        let shown: Vec<&str> = refused.iter().take(5).map(String::as_str).collect();
        return Err(AppError::invalid(format!(
            "{} row{} refused, so nothing was changed: fix or leave out {} and apply again. {}",
            refused.len(),
            if refused.len() == 1 { " is" } else { "s are" },
            if refused.len() == 1 { "it" } else { "them" },
            shown.join(" ")
        )));
    }
    if !plan.changes_anything() {
        return Ok(Applied::default());
    }
    let change_id = sqlx::query_scalar!(
        "INSERT INTO roster_changes (organization_id, file_name, digest, actor_label)
         VALUES ($1, $2, $3, $4) RETURNING id",
        org,
        file_name,
        file.digest,
        actor.label
    )
    .fetch_one(&mut *tx)
    .await?;
    let by_id: HashMap<i64, &RosterMember> = roster.members.iter().map(|m| (m.id, m)).collect();

    // 1. Deactivations first: the seats they free count before the seats rows ask for.
    let mut deactivated = Vec::new();
    for entry in plan
        .entries
        .iter()
        .filter(|e| e.action == PlanAction::Deactivate)
    {
        let id = entry.member.ok_or_else(AppError::internal)?;
        let member = lock_member(&mut tx, actor, id).await?;
        deactivate_locked(&mut tx, actor, &member, Some(&file_name)).await?;
        deactivated.push(id);
        if deactivated.len() % REPORT_EVERY == 0 {
            progress
                .advance(REPORT_EVERY, "Deactivating members not in the file")
                .await;
        }
    }
    progress
        .advance(deactivated.len() % REPORT_EVERY, "Changing members")
        .await;

    // 2. Changes: fields and seats removed, then programs, then seats granted, then teams.
    let changes: Vec<(&RosterMember, &[FieldChange])> = plan
        .entries
        .iter()
        .filter(|e| e.action == PlanAction::Change)
        .map(|e| {
            let member = e.member.and_then(|id| by_id.get(&id).copied());
            member
                .map(|m| (m, e.changes.as_slice()))
                .ok_or_else(AppError::internal)
        })
        .collect::<Result<_, _>>()?;
    execute_changes(
        &mut tx,
        actor,
        &changes,
        Recorded::File {
            name: &file_name,
            undo: false,
        },
        progress,
    )
    .await?;
    progress.advance(0, "Inviting new members").await;

    // 3. New members: the one invitation path, with the seats left after the changes.
    let by_row: HashMap<u32, &RowCells> = file.rows.iter().map(|r| (r.row, r)).collect();
    let invitees = plan
        .entries
        .iter()
        .filter(|e| e.action == PlanAction::New)
        .map(|e| {
            let row = e.row.and_then(|row| by_row.get(&row));
            row.and_then(|r| check_row(r).ok())
                .map(|valid| valid.invitee)
                .ok_or_else(AppError::internal)
        })
        .collect::<Result<Vec<_>, _>>()?;
    // The seats as the changes left them (the lock is held already).
    let locked = lock_organization(&mut tx, actor, &Via::File(file_name.clone())).await?;
    let invited = invite(
        &mut tx,
        actor,
        &locked,
        &invitees,
        Delivery::Email(config),
        Logged::Once {
            action: Action::MembersImported,
            details: serde_json::json!({ "file": file_name, "invited": invitees.len() }),
            about_first: false,
        },
    )
    .await?;
    progress
        .advance(
            invited.member_ids.len(),
            "Recording the change so it can be undone",
        )
        .await;

    // What was done, for the undo: one value on the change set, written with its counts.
    let undo_record: Vec<Written> = invited
        .member_ids
        .iter()
        .map(|&member| Written {
            member,
            kind: Did::Invite,
            changes: &[],
        })
        .chain(changes.iter().map(|&(member, changes)| Written {
            member: member.id,
            kind: Did::Change,
            changes,
        }))
        .chain(deactivated.iter().map(|&member| Written {
            member,
            kind: Did::Deactivate,
            changes: &[],
        }))
        .collect();
    progress.advance(undo_record.len(), "Saving").await;
    let applied = Applied {
        change_id: Some(change_id),
        invited: invited.member_ids.len(),
        changed: changes.len(),
        deactivated: deactivated.len(),
    };
    // Sent as text: sqlx sends its `Json` as `jsonb`, which PostgreSQL would parse whole
    // and print back for the `json` column (0.36 s for 100,000 members, against 0.03 s
    // for the text checked as JSON).
    let undo_record = serde_json::to_string(&undo_record).map_err(|_| AppError::internal())?;
    sqlx::query!(
        "UPDATE roster_changes SET invited = $2, changed = $3, deactivated = $4, undo_record = $5::text::json
          WHERE id = $1",
        change_id,
        applied.invited as i32,
        applied.changed as i32,
        applied.deactivated as i32,
        undo_record
    )
    .execute(&mut *tx)
    .await?;
    crate::server::webhooks::emit(
        &mut tx,
        actor.organization_id,
        crate::domain::webhooks::EventType::ChangeSetApplied,
        serde_json::json!({
            "change_set": change_id, "file": file.file_name, "applied_by": actor.label,
            "invited": applied.invited, "changed": applied.changed, "deactivated": applied.deactivated,
        }),
        None,
    )
    .await?;
    progress.advance(1, "Saving").await;
    tx.commit().await?;
    Ok(applied)
}
