//! Members changed as a file says (by an apply, and back by an undo).

use super::progress::Reporter;
use crate::domain::Access;
use crate::domain::Program;
use crate::error::AppError;
use crate::import::roster::{FieldChange, RosterMember};
use crate::import::Column;
use crate::server::activity::{self, Action};
use crate::server::enrollments::program_id;
use serde::Serialize;
use sqlx::PgConnection;

/// Members whose fields one statement changes: large files go in slices, one step of the
/// progress bar each.
const FIELDS_AT_ONCE: usize = 5_000;

/// A member's fields after a change, as the UPDATE writes them.
struct After<'a> {
    /// The member as read before the change, under the lock: who (their id), and which
    /// seats the change grants.
    before: &'a RosterMember,
    external_id: Option<String>,
    first_name: String,
    last_name: String,
    job_title: String,
    permission: String,
    enable_seat: bool,
    opportunity_seat: bool,
}

fn after<'a>(member: &'a RosterMember, changes: &[FieldChange]) -> After<'a> {
    let mut a = After {
        before: member,
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

/// An activity entry's details: the member's changes, and the file that made them.
#[derive(Serialize)]
#[serde(untagged)]
enum Details<'a> {
    File {
        file: &'a str,
        changes: &'a [FieldChange],
        undo: bool,
    },
    Page {
        changes: &'a [FieldChange],
    },
}

/// How applied changes are recorded in the Activity log: one entry per member with its
/// changes, naming the file (and whether it undid one), or as the page's action.
pub(super) enum Recorded<'a> {
    File { name: &'a str, undo: bool },
    Page(Action),
}

/// Applies changes (fields, seats, programs, team) to members, in the caller's
/// transaction with the organization locked: fields and removed seats first, then
/// programs, then granted seats (after every seat the changes free is free), then teams;
/// one activity entry per member. Reports two steps per member. The one code that changes
/// members' fields, whatever asked (a file, its undo, the member page, a bulk action).
pub(super) async fn execute_changes(
    tx: &mut PgConnection,
    actor: &Access,
    changes: &[(&RosterMember, &[FieldChange])],
    recorded: Recorded<'_>,
    progress: &mut Reporter,
) -> Result<(), AppError> {
    let org = actor.organization_id;
    // The members changed in the order of `changes` (the activity entries' subjects, below).
    let ids: Vec<i64> = changes.iter().map(|(m, _)| m.id).collect();
    // Everything written from `afters` takes the ids from `afters` too: they are sorted.
    let mut afters: Vec<After<'_>> = changes.iter().map(|(m, c)| after(m, c)).collect();
    // The fields in slices, the longest step of a large file, so that the bar moves. In
    // id order, so that each slice covers a narrow range of ids (see `update_fields`).
    afters.sort_unstable_by_key(|a| a.before.id);
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
            "A program's progress reached 10 % meanwhile: nothing was changed. Look at the member again."
                .into(),
        ));
    }
    // Seats granted: only the members given one they did not hold (`changes` were read
    // under the lock, in this transaction). A file that grants none skips the statement:
    // it joined every changed member, 0.1 s for 100,000 job titles.
    let granted: Vec<&After> = afters
        .iter()
        .filter(|a| {
            (a.enable_seat && !a.before.enable_seat)
                || (a.opportunity_seat && !a.before.opportunity_seat)
        })
        .collect();
    if !granted.is_empty() {
        sqlx::query!(
            r#"UPDATE members m SET enable_seat = t.enable_seat, opportunity_seat = t.opportunity_seat
                 FROM UNNEST($2::bigint[], $3::bool[], $4::bool[]) AS t(id, enable_seat, opportunity_seat)
                WHERE m.id = t.id AND m.organization_id = $1
                  AND (m.enable_seat, m.opportunity_seat) IS DISTINCT FROM (t.enable_seat, t.opportunity_seat)"#,
            org,
            &granted.iter().map(|a| a.before.id).collect::<Vec<_>>(),
            &granted.iter().map(|a| a.enable_seat).collect::<Vec<_>>(),
            &granted.iter().map(|a| a.opportunity_seat).collect::<Vec<_>>(),
        )
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query!(
        "INSERT INTO enrollments (member_id, program_id)
         SELECT * FROM UNNEST($1::bigint[], $2::smallint[]) ON CONFLICT DO NOTHING",
        &added_members,
        &added_programs
    )
    .execute(&mut *tx)
    .await?;
    // Scheduled deactivations ("" cancels one), carried out by the licenses worker.
    let (mut day_members, mut days) = (Vec::new(), Vec::new());
    for (member, changes) in changes.iter() {
        if let Some(change) = changes
            .iter()
            .find(|c| c.field == Column::DeactivateOn.name())
        {
            day_members.push(member.id);
            days.push(change.to.clone());
        }
    }
    sqlx::query!(
        r#"UPDATE members m SET deactivate_on = nullif(t.day, '')::date
             FROM UNNEST($2::bigint[], $3::text[]) AS t(id, day)
            WHERE m.id = t.id AND m.organization_id = $1"#,
        org,
        &day_members,
        &days
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
    // Each entry's details, serialized straight from the changes (a `serde_json::Value`
    // per entry first cost 0.1 s per 100,000).
    let (action, details): (Action, Vec<Details>) = match recorded {
        Recorded::File { name, undo } => (
            Action::ChangedByFile,
            changes
                .iter()
                .map(|&(_, changes)| Details::File {
                    file: name,
                    changes,
                    undo,
                })
                .collect(),
        ),
        Recorded::Page(action) => (
            action,
            changes
                .iter()
                .map(|&(_, changes)| Details::Page { changes })
                .collect(),
        ),
    };
    activity::record_many(&mut *tx, actor, action, &ids, &details).await?;
    progress
        .advance(ids.len(), "Changing members' programs, seats and teams")
        .await;
    Ok(())
}

/// Members' fields after their changes, and the seats they lose (granted ones come later,
/// after every seat the file frees is free). `afters` come in id order.
async fn update_fields(
    tx: &mut PgConnection,
    org: i64,
    afters: &[After<'_>],
) -> Result<(), AppError> {
    let ids: Vec<i64> = afters.iter().map(|a| a.before.id).collect();
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
            WHERE m.id = t.id AND m.organization_id = $1
              -- Implied by the join, but it lets the planner read just this slice's ids
              -- through the primary key: otherwise it hashed every member of the
              -- organization for each slice of 5,000 (70 ms a slice at 100,000 members,
              -- 1.4 s of a 100,000-row file; docs/BENCHMARKS.md, issue 25).
              AND m.id BETWEEN $2[1] AND $2[cardinality($2)]"#,
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
    // Whoever is no longer a team manager no longer manages anything.
    sqlx::query!(
        "DELETE FROM manager_scopes s USING members m
          WHERE s.member_id = m.id AND m.id = ANY($1) AND m.permission <> 'manager'",
        &ids
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
