//! The roster as a file: read for the export and for plans, and a file applied as a change
//! set — all of it or nothing, in one transaction, under the organization's lock
//! (`apply`), taken back within a day (`undo`), its progress shown as it goes (`progress`).

mod apply;
mod changes;
mod edit;
mod export;
pub mod progress;
mod record;
mod undo;

pub use apply::{apply, apply_sent};
pub use edit::{assign_team, change, set_permission, set_program, set_seat};
pub use export::{export, export_file, roster_xlsx};
pub use undo::undo;

use crate::domain::{Access, Capability, ExternalId, MemberStatus, Permission, Program, Progress};
use crate::error::AppError;
use crate::import::plan::plan;
use crate::import::roster::{Plan, Roster, RosterMember};
use crate::model::roster::RosterFile;
use sqlx::{PgConnection, PgPool};

/// The organization's members as files show them (every member, or those in `only`),
/// by last and first name, with the seats and teams a plan needs.
/// A plan made for someone sees the members they may reach (their scope), and only those.
pub async fn load(
    conn: &mut PgConnection,
    access: &Access,
    only: Option<&[i64]>,
) -> Result<Roster, AppError> {
    // The enrollments gathered once for all the members read, then joined: a look-up (and
    // two sorted aggregates) per member took 590 ms where this takes 370 at 100,000 members.
    let rows = sqlx::query!(
        r#"WITH e AS (
               SELECT en.member_id, array_agg(en.program_id ORDER BY en.program_id) AS program_ids,
                      array_agg(en.progress_basis_points ORDER BY en.program_id) AS progress
                 FROM enrollments en JOIN scoped_members($1, $3) sm ON sm.id = en.member_id
                WHERE ($2::bigint[] IS NULL OR sm.id = ANY($2))
                GROUP BY en.member_id)
           SELECT m.id AS "id!", m.external_id, m.first_name AS "first_name!", m.last_name AS "last_name!",
                  email_key(m.email) AS "email!", m.job_title AS "job_title!", m.permission AS "permission!",
                  m.status AS "status!", m.enable_seat AS "enable_seat!", m.opportunity_seat AS "opportunity_seat!",
                  coalesce(r.name, '') AS "region!", coalesce(t.name, '') AS "team!",
                  coalesce(e.program_ids, '{}') AS "program_ids!", coalesce(e.progress, '{}') AS "progress!",
                  coalesce(to_char(m.deactivate_on, 'YYYY-MM-DD'), '') AS "deactivate_on!"
             FROM scoped_members($1, $3) m
             LEFT JOIN teams t ON t.id = m.team_id
             LEFT JOIN regions r ON r.id = t.region_id
             LEFT JOIN e ON e.member_id = m.id
            WHERE ($2::bigint[] IS NULL OR m.id = ANY($2))
            ORDER BY lower(m.last_name), lower(m.first_name), m.id"#,
        access.organization_id,
        only as Option<&[i64]>,
        super::scope::teams(access) as Option<Vec<i64>>,
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
            deactivate_on: r.deactivate_on,
        });
    }
    let seats = sqlx::query!(
        "SELECT enable_seats, enable_seats_held, opportunity_seats, opportunity_seats_held
           FROM organizations WHERE id = $1",
        access.organization_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let teams = sqlx::query!(
        r#"SELECT r.name AS region, t.name AS "team!"
             FROM scoped_teams($1, $2) t JOIN regions r ON r.id = t.region_id
            ORDER BY r.name, t.name"#,
        access.organization_id,
        super::scope::teams(access) as Option<Vec<i64>>,
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|t| (t.region, t.team))
    .collect();
    // A roster of some members judges the last administrator by the whole organization.
    let active_admins = match only {
        Some(_) => Some(
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "n!" FROM scoped_members($1, NULL)
                    WHERE permission = 'admin' AND status = 'active'"#,
                access.organization_id
            )
            .fetch_one(&mut *conn)
            .await?,
        ),
        None => None,
    };
    Ok(Roster {
        active_admins,
        members,
        enable_bought: seats.enable_seats.into(),
        enable_held: seats.enable_seats_held.into(),
        opportunity_bought: seats.opportunity_seats.into(),
        opportunity_held: seats.opportunity_seats_held.into(),
        teams,
        today: time::OffsetDateTime::now_utc().date().to_string(),
    })
}

/// The organization as the change-set page plans against it (in the browser).
pub async fn for_planning(pool: &PgPool, access: &Access) -> Result<Roster, AppError> {
    access.may(Capability::ChangeMembers)?;
    let mut conn = pool.acquire().await?;
    load(&mut conn, access, None).await
}

/// What `file` would do now (a preview: nothing is locked or saved).
pub async fn preview(pool: &PgPool, access: &Access, file: &RosterFile) -> Result<Plan, AppError> {
    access.may(Capability::ChangeMembers)?;
    let mut conn = pool.acquire().await?;
    let roster = load(&mut conn, access, None).await?;
    Ok(plan(
        &file.rows,
        &file.present,
        &roster,
        file.deactivate_missing,
    ))
}
