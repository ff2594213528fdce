//! The roster as a file: read for the export and for plans, and a file applied as a change
//! set — all of it or nothing, in one transaction, under the organization's lock.

use super::activity::{self, Action, Actor};
use super::enrollments::program_id;
use super::invite::{invite, Delivery, Logged};
use super::members::{deactivate_locked, lock_member, lock_organization, reactivate_locked};
use super::roster_progress::Reporter;
use super::RuntimeConfig;
use crate::domain::{ExternalId, MemberStatus, Permission, Program, Progress};
use crate::error::AppError;
use crate::import::roster::{plan, Action as PlanAction, FieldChange, Plan, Roster, RosterMember};
use crate::import::{check_row, Column};
use crate::model::member_list::MemberFilter;
use crate::model::roster::{Applied, ExportFile, RosterFile, Undone};
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;

/// The organization's members as files show them (every member, or those in `only`),
/// by last and first name, with the seats and teams a plan needs.
pub async fn load(
    conn: &mut PgConnection,
    organization_id: i64,
    only: Option<&[i64]>,
) -> Result<Roster, AppError> {
    let rows = sqlx::query!(
        r#"SELECT m.id, m.external_id, m.first_name, m.last_name, lower(m.email) AS "email!",
                  m.job_title, m.permission, m.status, m.enable_seat, m.opportunity_seat,
                  coalesce(r.name, '') AS "region!", coalesce(t.name, '') AS "team!",
                  coalesce(array_agg(e.program_id ORDER BY e.program_id)
                           FILTER (WHERE e.program_id IS NOT NULL), '{}') AS "program_ids!",
                  coalesce(array_agg(e.progress_basis_points ORDER BY e.program_id)
                           FILTER (WHERE e.program_id IS NOT NULL), '{}') AS "progress!"
             FROM members m
             LEFT JOIN teams t ON t.id = m.team_id
             LEFT JOIN regions r ON r.id = t.region_id
             LEFT JOIN enrollments e ON e.member_id = m.id
            WHERE m.organization_id = $1 AND ($2::bigint[] IS NULL OR m.id = ANY($2))
            GROUP BY m.id, r.name, t.name
            ORDER BY lower(m.last_name), lower(m.first_name), m.id"#,
        organization_id,
        only as Option<&[i64]>
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut members = Vec::with_capacity(rows.len());
    for r in rows {
        let programs = r
            .program_ids
            .iter()
            .zip(&r.progress)
            .map(|(&id, &bp)| {
                let program = Program::ALL
                    .get((id as usize).wrapping_sub(1))
                    .copied()
                    .ok_or_else(AppError::internal)?;
                let progress =
                    Progress::from_basis_points(bp.into()).map_err(|_| AppError::internal())?;
                Ok((program, progress))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        members.push(RosterMember {
            id: r.id,
            user_id: r
                .external_id
                .as_deref()
                .and_then(|id| ExternalId::parse(id).ok()),
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            job_title: r.job_title,
            permission: Permission::parse(&r.permission).map_err(|_| AppError::internal())?,
            status: MemberStatus::parse(&r.status).map_err(|_| AppError::internal())?,
            enable_seat: r.enable_seat,
            opportunity_seat: r.opportunity_seat,
            programs,
            region: r.region,
            team: r.team,
        });
    }
    let seats = sqlx::query!(
        "SELECT enable_seats, enable_seats_held, opportunity_seats, opportunity_seats_held
           FROM organizations WHERE id = $1",
        organization_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let teams = sqlx::query!(
        "SELECT r.name AS region, t.name AS team FROM teams t JOIN regions r ON r.id = t.region_id
          WHERE t.organization_id = $1 ORDER BY r.name, t.name",
        organization_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|t| (t.region, t.team))
    .collect();
    Ok(Roster {
        members,
        enable_bought: seats.enable_seats.into(),
        enable_held: seats.enable_seats_held.into(),
        opportunity_bought: seats.opportunity_seats.into(),
        opportunity_held: seats.opportunity_seats_held.into(),
        teams,
    })
}

/// The members to export: those `filter` matches (My Organization's current filter), or
/// every member.
pub async fn export(
    pool: &PgPool,
    organization_id: i64,
    filter: Option<&MemberFilter>,
) -> Result<Vec<RosterMember>, AppError> {
    let mut conn = pool.acquire().await?;
    let only = match filter {
        Some(filter) => {
            Some(super::member_list::matching_ids(&mut conn, organization_id, filter).await?)
        }
        None => None,
    };
    Ok(load(&mut conn, organization_id, only.as_deref())
        .await?
        .members)
}

/// The export as a download: CSV or an Excel workbook (`format`: `csv`, `xlsx`).
pub async fn export_file(
    pool: &PgPool,
    organization_id: i64,
    filter: &MemberFilter,
    format: &str,
) -> Result<ExportFile, AppError> {
    use base64::Engine;
    let members = export(pool, organization_id, Some(filter)).await?;
    let date = time::OffsetDateTime::now_utc().date();
    let (bytes, extension, mime) = match format {
        "csv" => (
            crate::export::roster_csv(&members).into_bytes(),
            "csv",
            "text/csv;charset=utf-8",
        ),
        "xlsx" => (
            roster_xlsx(&members)?,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        other => {
            return Err(AppError::invalid(format!(
                "\u{201c}{other}\u{201d} is not an export format: choose csv or xlsx."
            )))
        }
    };
    Ok(ExportFile {
        file_name: format!("roster-members-{date}.{extension}"),
        mime: mime.to_owned(),
        base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

/// Undoes an applied file within 24 hours, when nothing since depends on it: the
/// invitations it sent are revoked (none accepted since), the fields it changed restored
/// (none changed since), the members it deactivated reactivated if the seats allow. All
/// or nothing, like the apply; its own changes are in the Activity log.
pub async fn undo(
    pool: &PgPool,
    config: &RuntimeConfig,
    actor: &Actor,
    change_id: i64,
) -> Result<Undone, AppError> {
    let org = actor.organization_id;
    let mut tx = pool.begin().await?;
    lock_organization(&mut tx, org).await?;
    let change = sqlx::query!(
        r#"SELECT file_name, undone_at IS NOT NULL AS "undone!",
                  applied_at > now() - interval '24 hours' AS "recent!",
                  EXISTS (SELECT 1 FROM roster_changes later
                           WHERE later.organization_id = c.organization_id AND later.id > c.id
                             AND later.undone_at IS NULL) AS "later!"
             FROM roster_changes c WHERE id = $1 AND organization_id = $2 FOR UPDATE"#,
        change_id,
        org
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        AppError::NotFound("This file's changes are not in your organization.".into())
    })?;
    if change.undone {
        return Err(AppError::invalid(
            "This file's changes were undone already.",
        ));
    }
    if !change.recent {
        return Err(AppError::invalid(
            "This file was applied more than 24 hours ago: change the members one by one, or apply a corrected file.",
        ));
    }
    if change.later {
        return Err(AppError::invalid(
            "Another file was applied after this one: undo that one first.",
        ));
    }
    let items = sqlx::query!(
        "SELECT member_id, kind, changes FROM roster_change_members WHERE change_id = $1 ORDER BY member_id",
        change_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let ids: Vec<i64> = items.iter().map(|i| i.member_id).collect();
    let roster = load(&mut tx, org, Some(&ids)).await?;
    let by_id: HashMap<i64, &RosterMember> = roster.members.iter().map(|m| (m.id, m)).collect();
    let mut undone = Undone::default();
    let mut reversed: Vec<(&RosterMember, Vec<FieldChange>)> = Vec::new();
    let mut refusals = Vec::new();
    let mut to_reactivate = Vec::new();
    for item in &items {
        let Some(member) = by_id.get(&item.member_id).copied() else {
            continue;
        };
        match item.kind.as_str() {
            "invite" if member.status != MemberStatus::Invited => refusals.push(format!(
                "{} has accepted the invitation since.",
                member.email
            )),
            "invite" => {
                let locked_member = lock_member(&mut tx, org, member.id).await?;
                deactivate_locked(&mut tx, actor, &locked_member, Some(&change.file_name)).await?;
                undone.revoked += 1;
            }
            "change" => {
                let changes: Vec<FieldChange> = serde_json::from_value(item.changes.clone())
                    .map_err(|_| AppError::internal())?;
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
            "deactivate" if member.status != MemberStatus::Deactivated => {}
            "deactivate" => to_reactivate.push(member.id),
            _ => return Err(AppError::internal()),
        }
    }
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
        &change.file_name,
        true,
        &mut quiet,
    )
    .await?;
    undone.restored = changes.len();
    // Last, with the seats the revoked invitations and restored fields returned.
    let locked = lock_organization(&mut tx, org).await?;
    for id in to_reactivate {
        let member = lock_member(&mut tx, org, id).await?;
        reactivate_locked(&mut tx, config, actor, &locked, &member).await?;
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

/// What `file` would do now (a preview: nothing is locked or saved).
pub async fn preview(
    pool: &PgPool,
    organization_id: i64,
    file: &RosterFile,
) -> Result<Plan, AppError> {
    let mut conn = pool.acquire().await?;
    let roster = load(&mut conn, organization_id, None).await?;
    Ok(plan(
        &file.rows,
        &file.present,
        &roster,
        file.deactivate_missing,
    ))
}

/// Members whose fields one statement changes: large files go in slices, one step of the
/// progress bar each.
const FIELDS_AT_ONCE: usize = 5_000;
/// Deactivations between two progress reports.
const REPORT_EVERY: usize = 200;

/// A member's fields after a change, as the UPDATE writes them.
struct After {
    id: i64,
    external_id: Option<String>,
    first_name: String,
    last_name: String,
    job_title: String,
    permission: String,
    enable_seat: bool,
    opportunity_seat: bool,
}

fn after(member: &RosterMember, changes: &[FieldChange]) -> After {
    let mut a = After {
        id: member.id,
        external_id: member.user_id.map(|id| id.to_string()),
        first_name: member.first_name.clone(),
        last_name: member.last_name.clone(),
        job_title: member.job_title.clone(),
        permission: member.permission.as_str().to_owned(),
        enable_seat: member.enable_seat,
        opportunity_seat: member.opportunity_seat,
    };
    for change in changes {
        match Column::from_header(&change.field) {
            Some(Column::UserId) => a.external_id = Some(change.to.clone()),
            Some(Column::FirstName) => a.first_name = change.to.clone(),
            Some(Column::LastName) => a.last_name = change.to.clone(),
            Some(Column::JobTitle) => a.job_title = change.to.clone(),
            Some(Column::Permission) => a.permission = change.to.clone(),
            Some(Column::MosEnable) => a.enable_seat = change.to == "TRUE",
            Some(Column::MosOpportunity) => a.opportunity_seat = change.to == "TRUE",
            _ => {}
        }
    }
    a
}

fn slugs(text: &str) -> Vec<Program> {
    text.split(',').filter_map(Program::from_slug).collect()
}

/// Applies `file`: plans it again on the roster as it is under the organization's lock,
/// refuses it whole if any row is refused, and otherwise invites, changes and deactivates
/// in one transaction, with one activity entry per member naming the file. A file that
/// changes nothing saves nothing (the same file twice is harmless). Its steps go to
/// `progress` as they are done.
pub async fn apply(
    pool: &PgPool,
    config: &RuntimeConfig,
    actor: &Actor,
    file: &RosterFile,
    mut progress: Reporter,
) -> Result<Applied, AppError> {
    let applied = apply_reporting(pool, config, actor, file, &mut progress).await;
    progress.finish().await;
    applied
}

async fn apply_reporting(
    pool: &PgPool,
    config: &RuntimeConfig,
    actor: &Actor,
    file: &RosterFile,
    progress: &mut Reporter,
) -> Result<Applied, AppError> {
    let org = actor.organization_id;
    progress.set_total(file.rows.len() + 2);
    progress
        .advance(0, "Waiting for other changes to your organization")
        .await;
    let mut tx = pool.begin().await?;
    lock_organization(&mut tx, org).await?;
    progress
        .advance(0, "Checking the file against your organization")
        .await;
    let roster = load(&mut tx, org, None).await?;
    let plan = plan(&file.rows, &file.present, &roster, file.deactivate_missing);
    // One step per member touched (a change counts twice: its fields, then the rest) and
    // one more each for the undo record (as long as a change's fields, measured), one for
    // the check and one for saving.
    let count = |action| plan.entries.iter().filter(|e| e.action == action).count();
    progress.set_total(
        2 + 2 * count(PlanAction::Deactivate)
            + 3 * count(PlanAction::Change)
            + 2 * count(PlanAction::New),
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
        file.file_name,
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
        let member = lock_member(&mut tx, org, id).await?;
        deactivate_locked(&mut tx, actor, &member, Some(&file.file_name)).await?;
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
    execute_changes(&mut tx, actor, &changes, &file.file_name, false, progress).await?;
    progress.advance(0, "Inviting new members").await;

    // 3. New members: the one invitation path, with the seats left after the changes.
    let invitees = plan
        .entries
        .iter()
        .filter(|e| e.action == PlanAction::New)
        .map(|e| {
            let row = file.rows.iter().find(|r| Some(r.row) == e.row);
            row.and_then(|r| check_row(r).ok())
                .map(|valid| valid.invitee)
                .ok_or_else(AppError::internal)
        })
        .collect::<Result<Vec<_>, _>>()?;
    // The seats as the changes left them (the lock is held already).
    let locked = lock_organization(&mut tx, org).await?;
    let invited = invite(
        &mut tx,
        actor,
        &locked,
        &invitees,
        Delivery::Email(config),
        Logged::Once {
            action: Action::MembersImported,
            details: serde_json::json!({ "file": file.file_name, "invited": invitees.len() }),
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

    // What was done, for the undo.
    let mut kinds = Vec::new();
    let mut members = Vec::new();
    let mut recorded = Vec::new();
    for id in &invited.member_ids {
        members.push(*id);
        kinds.push("invite".to_owned());
        recorded.push(serde_json::json!([]));
    }
    for (member, changes) in &changes {
        members.push(member.id);
        kinds.push("change".to_owned());
        recorded.push(serde_json::to_value(changes).map_err(|_| AppError::internal())?);
    }
    for id in &deactivated {
        members.push(*id);
        kinds.push("deactivate".to_owned());
        recorded.push(serde_json::json!([]));
    }
    sqlx::query!(
        "INSERT INTO roster_change_members (change_id, member_id, kind, changes)
         SELECT $1, * FROM UNNEST($2::bigint[], $3::text[], $4::jsonb[])",
        change_id,
        &members,
        &kinds,
        &recorded
    )
    .execute(&mut *tx)
    .await?;
    progress.advance(members.len(), "Saving").await;
    let applied = Applied {
        change_id: Some(change_id),
        invited: invited.member_ids.len(),
        changed: changes.len(),
        deactivated: deactivated.len(),
    };
    sqlx::query!(
        "UPDATE roster_changes SET invited = $2, changed = $3, deactivated = $4 WHERE id = $1",
        change_id,
        applied.invited as i32,
        applied.changed as i32,
        applied.deactivated as i32
    )
    .execute(&mut *tx)
    .await?;
    progress.advance(1, "Saving").await;
    tx.commit().await?;
    Ok(applied)
}

/// Applies changes (fields, seats, programs, team) to members, in the caller's
/// transaction with the organization locked: fields and removed seats first, then
/// programs, then granted seats (after every seat the changes free is free), then teams;
/// one activity entry per member naming the file. Reports two steps per member. Returns
/// the members' ids.
async fn execute_changes(
    tx: &mut PgConnection,
    actor: &Actor,
    changes: &[(&RosterMember, &[FieldChange])],
    file_name: &str,
    undo: bool,
    progress: &mut Reporter,
) -> Result<Vec<i64>, AppError> {
    let org = actor.organization_id;
    let afters: Vec<After> = changes.iter().map(|(m, c)| after(m, c)).collect();
    let ids: Vec<i64> = afters.iter().map(|a| a.id).collect();
    // The fields in slices, the longest step of a large file, so that the bar moves.
    for afters in afters.chunks(FIELDS_AT_ONCE) {
        update_fields(&mut *tx, org, afters).await?;
        progress.advance(afters.len(), "Changing members").await;
    }
    progress
        .advance(0, "Changing members' programs, seats and teams")
        .await;
    // Programs removed (with an Enable seat removed, all of them): only below 10 %.
    let (mut removed_members, mut removed_programs, mut added_members, mut added_programs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (member, changes) in changes.iter() {
        let Some(change) = changes
            .iter()
            .find(|c| c.field == Column::CourseEnrollments.name())
        else {
            continue;
        };
        let (from, to) = (slugs(&change.from), slugs(&change.to));
        for p in from.iter().filter(|p| !to.contains(p)) {
            removed_members.push(member.id);
            removed_programs.push(program_id(*p));
        }
        for p in to.iter().filter(|p| !from.contains(p)) {
            added_members.push(member.id);
            added_programs.push(program_id(*p));
        }
    }
    let removed = sqlx::query!(
        "DELETE FROM enrollments e USING UNNEST($1::bigint[], $2::smallint[]) AS t(member_id, program_id)
          WHERE e.member_id = t.member_id AND e.program_id = t.program_id
            AND e.progress_basis_points < 1000",
        &removed_members,
        &removed_programs
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if removed as usize != removed_members.len() {
        // Progress reached 10 % since the plan was read: rule 3 says no, for the whole file.
        return Err(AppError::Conflict(
            "A program's progress reached 10 % while the file was being applied: nothing was changed. Check the preview again."
                .into(),
        ));
    }
    sqlx::query!(
        r#"UPDATE members m SET enable_seat = t.enable_seat, opportunity_seat = t.opportunity_seat
             FROM UNNEST($2::bigint[], $3::bool[], $4::bool[]) AS t(id, enable_seat, opportunity_seat)
            WHERE m.id = t.id AND m.organization_id = $1
              AND (m.enable_seat, m.opportunity_seat) IS DISTINCT FROM (t.enable_seat, t.opportunity_seat)"#,
        org,
        &ids,
        &afters.iter().map(|a| a.enable_seat).collect::<Vec<_>>(),
        &afters.iter().map(|a| a.opportunity_seat).collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO enrollments (member_id, program_id)
         SELECT * FROM UNNEST($1::bigint[], $2::smallint[]) ON CONFLICT DO NOTHING",
        &added_members,
        &added_programs
    )
    .execute(&mut *tx)
    .await?;
    // A team change names the team by its label (`RosterMember::team_label`): matched
    // whole, never split, so a " / " inside a name cannot mislead; "" is no team.
    let (mut team_members, mut team_labels) = (Vec::new(), Vec::new());
    for (member, changes) in changes.iter() {
        if let Some(change) = changes.iter().find(|c| c.field == Column::Team.name()) {
            team_members.push(member.id);
            team_labels.push(change.to.clone());
        }
    }
    sqlx::query!(
        r#"UPDATE members m
              SET team_id = (SELECT te.id FROM teams te JOIN regions r ON r.id = te.region_id
                              WHERE te.organization_id = $1
                                AND lower(r.name || ' / ' || te.name) = lower(t.label))
             FROM UNNEST($2::bigint[], $3::text[]) AS t(id, label)
            WHERE m.id = t.id AND m.organization_id = $1"#,
        org,
        &team_members,
        &team_labels
    )
    .execute(&mut *tx)
    .await?;
    let details: Vec<serde_json::Value> = changes
        .iter()
        .map(|(_, c)| serde_json::json!({ "file": file_name, "changes": c, "undo": undo }))
        .collect();
    activity::record_many(&mut *tx, actor, Action::ChangedByFile, &ids, &details).await?;
    progress
        .advance(ids.len(), "Changing members' programs, seats and teams")
        .await;
    Ok(ids)
}

/// Members' fields after their changes, and the seats they lose (granted ones come later,
/// after every seat the file frees is free).
async fn update_fields(tx: &mut PgConnection, org: i64, afters: &[After]) -> Result<(), AppError> {
    let ids: Vec<i64> = afters.iter().map(|a| a.id).collect();
    sqlx::query!(
        r#"UPDATE members m
              SET external_id = t.external_id, first_name = t.first_name, last_name = t.last_name,
                  job_title = t.job_title, permission = t.permission,
                  -- Seats only go here; granted ones in the next statement, after every
                  -- seat this file frees is free.
                  enable_seat = m.enable_seat AND t.enable_seat,
                  opportunity_seat = m.opportunity_seat AND t.opportunity_seat
             FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                         $8::bool[], $9::bool[])
                  AS t(id, external_id, first_name, last_name, job_title, permission, enable_seat, opportunity_seat)
            WHERE m.id = t.id AND m.organization_id = $1"#,
        org,
        &ids,
        &afters.iter().map(|a| a.external_id.clone()).collect::<Vec<_>>() as &[Option<String>],
        &afters.iter().map(|a| a.first_name.clone()).collect::<Vec<_>>(),
        &afters.iter().map(|a| a.last_name.clone()).collect::<Vec<_>>(),
        &afters.iter().map(|a| a.job_title.clone()).collect::<Vec<_>>(),
        &afters.iter().map(|a| a.permission.clone()).collect::<Vec<_>>(),
        &afters.iter().map(|a| a.enable_seat).collect::<Vec<_>>(),
        &afters.iter().map(|a| a.opportunity_seat).collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The roster as an Excel workbook: the columns of [`crate::export::roster_csv`], seats as
/// boolean cells, every other cell as text — never a formula, whatever it starts with.
pub fn roster_xlsx(members: &[RosterMember]) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| {
        tracing::error!(error = %e, "the members workbook could not be written");
        AppError::internal()
    };
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Members").map_err(failed)?;
    let bold = Format::new().set_bold();
    for (col, column) in crate::import::ALL_COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, column.name(), &bold)
            .map_err(failed)?;
    }
    for (i, member) in members.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, cell) in crate::import::roster::member_cells(member)
            .iter()
            .enumerate()
        {
            let column = crate::import::ALL_COLUMNS[col];
            match column {
                Column::MosEnable | Column::MosOpportunity => {
                    sheet.write_boolean(row, col as u16, cell == "TRUE")
                }
                _ if cell.is_empty() => continue,
                _ => sheet.write_string(row, col as u16, cell),
            }
            .map_err(failed)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    workbook.save_to_buffer().map_err(failed)
}
