//! An organization's enrollments summed per program and progress bucket, maintained by
//! the database (migration `report_counts`): each write to `enrollments` appends its
//! change, and the organization report sums a handful of rows instead of every
//! enrollment. [`fold`] keeps the rows few, as `member_counts::fold` does.

use crate::domain::report::PROGRESS_BUCKETS;
use crate::error::AppError;
use sqlx::{PgExecutor, PgPool};

/// One program's enrollments in an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProgramCounts {
    pub program_id: i16,
    /// Enrollments per bucket of [`PROGRESS_BUCKETS`].
    pub buckets: [i64; PROGRESS_BUCKETS.len()],
    /// Their progress summed, in basis points.
    pub progress: i64,
}

impl ProgramCounts {
    pub fn enrolled(&self) -> i64 {
        self.buckets.iter().sum()
    }
}

/// The programs `organization_id`'s members are enrolled in, as the caller's snapshot
/// sees them.
pub async fn of(
    executor: impl PgExecutor<'_>,
    organization_id: i64,
) -> Result<Vec<ProgramCounts>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT program_id, bucket, sum(n)::bigint AS "n!", sum(progress)::bigint AS "progress!"
             FROM enrollment_counts WHERE organization_id = $1
            GROUP BY program_id, bucket
           HAVING sum(n) <> 0
            ORDER BY program_id"#,
        organization_id
    )
    .fetch_all(executor)
    .await?;
    by_program(
        rows.into_iter()
            .map(|r| (r.program_id, r.bucket, r.n, r.progress)),
    )
}

/// Programs from `(program, bucket, enrollments, progress summed)` rows ordered by
/// program: the kept sums' or a scope's counted ones.
pub fn by_program(
    rows: impl IntoIterator<Item = (i16, i16, i64, i64)>,
) -> Result<Vec<ProgramCounts>, AppError> {
    let mut programs: Vec<ProgramCounts> = Vec::new();
    for (program_id, bucket, n, progress) in rows {
        let bucket = usize::try_from(bucket)
            .ok()
            .filter(|b| *b < PROGRESS_BUCKETS.len())
            .ok_or_else(AppError::internal)?;
        if programs.last().map(|p| p.program_id) != Some(program_id) {
            programs.push(ProgramCounts {
                program_id,
                ..ProgramCounts::default()
            });
        }
        if let Some(program) = programs.last_mut() {
            program.buckets[bucket] += n;
            program.progress += progress;
        }
    }
    Ok(programs)
}

/// Folds the rows of each key into one (dropping those that sum to nothing and those of
/// organizations gone); returns how many rows it wrote. Safe beside writers and other
/// instances, as `member_counts::fold`.
pub async fn fold(pool: &PgPool) -> Result<u64, AppError> {
    let written = sqlx::query!(
        r#"WITH folded AS (
               DELETE FROM enrollment_counts
                WHERE organization_id IN (
                          SELECT organization_id FROM enrollment_counts
                           GROUP BY organization_id, program_id, bucket
                          HAVING count(*) > 1 OR (sum(n) = 0 AND sum(progress) = 0))
                   OR NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = organization_id)
               RETURNING *)
           INSERT INTO enrollment_counts
           SELECT f.organization_id, f.program_id, f.bucket, sum(f.n), sum(f.progress)
             FROM folded f
            WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = f.organization_id)
            GROUP BY 1, 2, 3
           HAVING sum(f.n) <> 0 OR sum(f.progress) <> 0"#
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(written)
}
