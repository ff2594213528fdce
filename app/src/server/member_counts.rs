//! Members counted by team, status, permission, seats and used license, maintained by the
//! database (migrations `member_counts`, `report_counts`): each write to `members`
//! appends its change, and a count is a sum of rows. [`fold`] keeps the rows few; [`of`]
//! reads the header's and the report's counts; the member list sums the rows its filter
//! selects (`member_list::fetch`).

use crate::error::AppError;
use sqlx::{PgExecutor, PgPool};

/// Members by status and seats, as the caller's snapshot sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemberCounts {
    pub active: i64,
    pub invited: i64,
    pub deactivated: i64,
    pub enable_held: i64,
    pub opportunity_held: i64,
    /// Enable seats whose license is used (SPEC rule 3).
    pub enable_used: i64,
}

/// The members of `organization_id` (of these teams only: a team manager's, a region's or
/// a team's report) by status and seats.
pub async fn of(
    executor: impl PgExecutor<'_>,
    organization_id: i64,
    teams: Option<Vec<i64>>,
) -> Result<MemberCounts, AppError> {
    let row = sqlx::query!(
        r#"SELECT coalesce(sum(n) FILTER (WHERE status = 'active'), 0)::bigint AS "active!",
                  coalesce(sum(n) FILTER (WHERE status = 'invited'), 0)::bigint AS "invited!",
                  coalesce(sum(n) FILTER (WHERE status = 'deactivated'), 0)::bigint AS "deactivated!",
                  coalesce(sum(n) FILTER (WHERE enable_seat), 0)::bigint AS "enable_held!",
                  coalesce(sum(n) FILTER (WHERE opportunity_seat), 0)::bigint AS "opportunity_held!",
                  coalesce(sum(n) FILTER (WHERE enable_seat AND license_used), 0)::bigint AS "enable_used!"
             FROM member_counts
            WHERE organization_id = $1 AND ($2::bigint[] IS NULL OR team_id = ANY($2))"#,
        organization_id,
        teams as Option<Vec<i64>>,
    )
    .fetch_one(executor)
    .await?;
    Ok(MemberCounts {
        active: row.active,
        invited: row.invited,
        deactivated: row.deactivated,
        enable_held: row.enable_held,
        opportunity_held: row.opportunity_held,
        enable_used: row.enable_used,
    })
}

/// Folds the rows of each key into one (dropping those that sum to nothing and those of
/// organizations gone); returns how many rows it wrote. Safe beside writers and other
/// instances: a row is deleted by one fold only (a second waits, then skips it), and rows
/// written meanwhile stay for the next fold.
pub async fn fold(pool: &PgPool) -> Result<u64, AppError> {
    let written = sqlx::query!(
        r#"WITH folded AS (
               DELETE FROM member_counts
                WHERE organization_id IN (
                          SELECT organization_id FROM member_counts
                           GROUP BY organization_id, team_id, status, permission, enable_seat,
                                    opportunity_seat, license_used
                          HAVING count(*) > 1 OR sum(n) = 0)
                   OR NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = organization_id)
               RETURNING *)
           INSERT INTO member_counts (organization_id, team_id, status, permission, enable_seat,
                                      opportunity_seat, license_used, n)
           SELECT f.organization_id, f.team_id, f.status, f.permission, f.enable_seat, f.opportunity_seat,
                  f.license_used, sum(f.n)
             FROM folded f
            WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = f.organization_id)
            GROUP BY 1, 2, 3, 4, 5, 6, 7
           HAVING sum(f.n) <> 0"#
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(written)
}
