//! The learner's side (SPEC rule 6): lessons of a program, and completing one, which
//! raises the enrollment's progress through the same function the JSON endpoint uses.

use super::enrollments::{program_id, raise_progress, ProgressUpdate};
use crate::domain::rules::progress_after_lessons;
use crate::domain::Access;
use crate::domain::{Program, Progress};
use crate::error::AppError;
use crate::model::learning::{Lesson, MyEnrollments, MyProgram, ProgramLessons};
use sqlx::PgPool;

fn not_assigned(program: Program) -> AppError {
    AppError::NotFound(format!(
        "{} is not assigned to you. Ask an administrator of your organization.",
        program.name()
    ))
}

pub async fn lessons(
    pool: &PgPool,
    access: &Access,
    program: Program,
) -> Result<ProgramLessons, AppError> {
    let progress = sqlx::query_scalar!(
        "SELECT progress_basis_points FROM enrollments WHERE member_id = $1 AND program_id = $2",
        access.acting_member()?,
        program_id(program)
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| not_assigned(program))?;
    let lessons = sqlx::query!(
        r#"SELECT l.id, l.position, l.title, l.minutes, c.lesson_id IS NOT NULL AS "completed!"
             FROM lessons l
             LEFT JOIN lesson_completions c ON c.lesson_id = l.id AND c.member_id = $1
            WHERE l.program_id = $2 ORDER BY l.position"#,
        access.acting_member()?,
        program_id(program)
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| Lesson {
        id: r.id,
        position: r.position,
        title: r.title,
        minutes: r.minutes,
        completed: r.completed,
    })
    .collect();
    Ok(ProgramLessons {
        program,
        progress: Progress::from_basis_points(progress.into()).map_err(|_| AppError::internal())?,
        lessons,
    })
}

/// Marks a lesson completed and raises the program's progress accordingly. Completing a
/// lesson twice changes nothing; progress never goes down.
pub async fn complete_lesson(
    pool: &PgPool,
    access: &Access,
    program: Program,
    lesson_id: i16,
) -> Result<Progress, AppError> {
    let mut tx = pool.begin().await?;
    // The member first, then the enrollment (see `enrollments::lock_learner`): completions
    // of one program are counted one at a time.
    super::enrollments::lock_learner(&mut tx, access.acting_member()?).await?;
    sqlx::query_scalar!(
        "SELECT progress_basis_points FROM enrollments WHERE member_id = $1 AND program_id = $2 FOR UPDATE",
        access.acting_member()?,
        program_id(program)
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| not_assigned(program))?;
    let inserted = sqlx::query!(
        "INSERT INTO lesson_completions (member_id, program_id, lesson_id)
         SELECT $1, $2, id FROM lessons WHERE id = $3 AND program_id = $2
         ON CONFLICT DO NOTHING",
        access.acting_member()?,
        program_id(program),
        lesson_id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let counts = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM lessons WHERE program_id = $2) AS "total!",
                  (SELECT count(*) FROM lesson_completions WHERE member_id = $1 AND program_id = $2) AS "done!",
                  EXISTS (SELECT 1 FROM lessons WHERE id = $3 AND program_id = $2) AS "lesson_exists!""#,
        access.acting_member()?,
        program_id(program),
        lesson_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !counts.lesson_exists {
        return Err(AppError::NotFound(
            "This lesson is not part of the program.".into(),
        ));
    }
    let target = progress_after_lessons(counts.done as usize, counts.total as usize);
    let now = match raise_progress(
        &mut tx,
        access,
        &crate::domain::licenses::Via::Lesson(lesson_id),
        access.acting_member()?,
        program,
        target,
    )
    .await?
    {
        ProgressUpdate::Recorded(now) => now,
        ProgressUpdate::NotEnrolled => return Err(not_assigned(program)),
    };
    tx.commit().await?;
    if inserted > 0 {
        tracing::info!(member = access.acting_member()?, program = program.slug(), %now, "lesson completed");
    }
    Ok(now)
}

/// The signed-in member's own enrollments.
pub async fn my_programs(pool: &PgPool, access: &Access) -> Result<MyEnrollments, AppError> {
    let rows = sqlx::query!(
        r#"SELECT p.slug, p.name, e.progress_basis_points
             FROM enrollments e JOIN programs p ON p.id = e.program_id
            WHERE e.member_id = $1
            ORDER BY p.position"#,
        access.acting_member()?,
    )
    .fetch_all(pool)
    .await?;
    let programs = rows
        .into_iter()
        .map(|r| {
            Ok(MyProgram {
                slug: r.slug,
                name: r.name,
                progress: Progress::from_basis_points(r.progress_basis_points.into())
                    .map_err(|_| AppError::internal())?,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(MyEnrollments {
        has_enable_seat: access.enable_seat,
        programs,
    })
}
