//! Enrollments: assigning and unassigning programs (SPEC rules 2–4), and progress from
//! the learning side (rule 6), whether it comes from a lesson or from the JSON endpoint.
//!
//! Races are settled by row locks: an unassign locks the enrollment row (`FOR UPDATE`)
//! before it reads progress, and a progress update is an `UPDATE` of that same row, so
//! one waits for the other and the second decides on what the first committed.

use crate::domain::licenses::Via;
use crate::domain::webhooks::EventType;
use crate::domain::Access;
use crate::domain::Capability;
use crate::domain::{MemberStatus, Permission, Program, Progress};
use crate::error::AppError;
use crate::model::enrollments::{Enrollment, MemberDetail};
use sqlx::{PgConnection, PgPool};

/// Program ids in the database follow the catalog's order (migration 0001).
pub fn program_id(program: Program) -> i16 {
    Program::ALL
        .iter()
        .position(|p| *p == program)
        .map_or(0, |i| i as i16 + 1)
}

fn not_found() -> AppError {
    AppError::member_not_found()
}

/// Everything the member page shows, with the free seats of each pool.
pub async fn detail(
    pool: &PgPool,
    access: &Access,
    member_id: i64,
) -> Result<MemberDetail, AppError> {
    access.may(Capability::SeeMembers)?;
    // Outside the scope of who looks, the member does not exist (404, the same words).
    let m = sqlx::query!(
        r#"SELECT m.id AS "id!", m.external_id, m.first_name AS "first_name!", m.last_name AS "last_name!",
                  m.email AS "email!", m.job_title AS "job_title!", m.permission AS "permission!",
                  m.status AS "status!", m.enable_seat AS "enable_seat!", m.opportunity_seat AS "opportunity_seat!",
                  t.name AS "team?", r.name AS "region?",
                  o.enable_seats - o.enable_seats_held AS "enable_free!",
                  o.opportunity_seats - o.opportunity_seats_held AS "opportunity_free!",
                  to_char(m.deactivate_on, 'YYYY-MM-DD') AS deactivate_on,
                  EXISTS (SELECT 1 FROM invitations i WHERE i.member_id = m.id AND m.status = 'invited'
                            AND i.accepted_at IS NULL
                            AND (i.expired_at IS NOT NULL OR i.expires_at <= now())) AS "invitation_expired!"
             FROM scoped_members($2, $3) m JOIN organizations o ON o.id = m.organization_id
             LEFT JOIN teams t ON t.id = m.team_id LEFT JOIN regions r ON r.id = t.region_id
            WHERE m.id = $1"#,
        member_id,
        access.organization_id,
        super::scope::teams(access) as Option<Vec<i64>>,
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(not_found)?;
    let programs = sqlx::query!(
        r#"SELECT p.slug, p.name, e.progress_basis_points,
                  to_char(e.enrolled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS "enrolled_on!"
             FROM enrollments e JOIN programs p ON p.id = e.program_id
            WHERE e.member_id = $1 ORDER BY p.position"#,
        member_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        Ok(Enrollment {
            program: Program::from_slug(&r.slug).ok_or_else(AppError::internal)?,
            name: r.name,
            progress: Progress::from_basis_points(r.progress_basis_points.into())
                .map_err(|_| AppError::internal())?,
            enrolled_on: r.enrolled_on,
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;
    let permission = Permission::parse(&m.permission).map_err(|_| AppError::internal())?;
    let manages = if permission == Permission::Manager {
        super::managers::for_page(pool, access, m.id).await?
    } else {
        Vec::new()
    };
    Ok(MemberDetail {
        manages,
        id: m.id,
        external_id: m.external_id,
        name: format!("{} {}", m.first_name, m.last_name),
        email: m.email,
        job_title: m.job_title,
        permission,
        status: MemberStatus::parse(&m.status).map_err(|_| AppError::internal())?,
        enable_seat: m.enable_seat,
        opportunity_seat: m.opportunity_seat,
        team: m
            .team
            .map(|t| format!("{} ({})", t, m.region.unwrap_or_default())),
        programs,
        enable_free: m.enable_free.into(),
        opportunity_free: m.opportunity_free.into(),
        deactivate_on: m.deactivate_on,
        invitation_expired: m.invitation_expired,
    })
}

/// What raising progress found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressUpdate {
    /// Progress now stands here (at least what was asked; never lower than before).
    Recorded(Progress),
    /// The member is not enrolled in the program.
    NotEnrolled,
}

/// Locks a learner's member row. Whoever changes progress takes it before the enrollment
/// row, the order every other writer follows (member, then enrollments): crossing 10 %
/// marks the member's license used (a trigger), and no two transactions wait on each
/// other's rows.
/// Returns whether their license was used already.
pub async fn lock_learner(conn: &mut PgConnection, member_id: i64) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar!(
        "SELECT license_used FROM members WHERE id = $1 FOR UPDATE",
        member_id
    )
    .fetch_optional(conn)
    .await?
    .unwrap_or(false))
}

/// Raises a member's progress on a program to `to`, never lowering it. Idempotent. Run it
/// in a transaction: it locks the member row first (see [`lock_learner`]).
pub async fn raise_progress(
    conn: &mut PgConnection,
    access: &Access,
    via: &Via,
    member_id: i64,
    program: Program,
    to: Progress,
) -> Result<ProgressUpdate, AppError> {
    let used_before = lock_learner(&mut *conn, member_id).await?;
    // Crossing 10 % makes the license used: the ledger says by whom and how.
    super::ledger::note(&mut *conn, access, via, None).await?;
    let row = sqlx::query!(
        r#"WITH before AS (
               SELECT progress_basis_points AS bp FROM enrollments
                WHERE member_id = $1 AND program_id = $2)
           UPDATE enrollments
              SET progress_basis_points = GREATEST(progress_basis_points, $3),
                  updated_at = CASE WHEN $3 > progress_basis_points THEN now() ELSE updated_at END
            WHERE member_id = $1 AND program_id = $2
        RETURNING progress_basis_points AS now, (SELECT bp FROM before) AS "before!""#,
        member_id,
        program_id(program),
        i32::from(to.basis_points())
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(ProgressUpdate::NotEnrolled);
    };
    let read = |bp: i32| Progress::from_basis_points(bp.into()).map_err(|_| AppError::internal());
    let (before, now) = (read(row.before)?, read(row.now)?);
    let about = serde_json::json!({ "program": program.slug(), "progress": now.percent() });
    if !used_before && now.uses_license() {
        super::webhooks::emit_for_members(
            &mut *conn,
            access.organization_id,
            EventType::LicenseUsed,
            &[member_id],
            about.clone(),
        )
        .await?;
    }
    if before < Progress::COMPLETE && now == Progress::COMPLETE {
        super::webhooks::emit_for_members(
            &mut *conn,
            access.organization_id,
            EventType::ProgramCompleted,
            &[member_id],
            about,
        )
        .await?;
    }
    Ok(ProgressUpdate::Recorded(now))
}
