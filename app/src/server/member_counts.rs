//! Members by status, maintained by the database (migration `member_counts`): each write
//! to `members` appends its change per organization, and a read sums an organization's
//! rows. [`fold`] keeps those rows few; [`of`] reads them.

use crate::error::AppError;
use sqlx::{PgExecutor, PgPool};

/// An organization's members by status, as the caller's snapshot sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemberCounts {
    pub active: i64,
    pub invited: i64,
    pub deactivated: i64,
}

impl MemberCounts {
    pub fn total(self) -> i64 {
        self.active + self.invited + self.deactivated
    }
}

pub async fn of(
    executor: impl PgExecutor<'_>,
    organization_id: i64,
) -> Result<MemberCounts, AppError> {
    let row = sqlx::query!(
        r#"SELECT coalesce(sum(active), 0)::bigint AS "active!",
                  coalesce(sum(invited), 0)::bigint AS "invited!",
                  coalesce(sum(deactivated), 0)::bigint AS "deactivated!"
             FROM member_counts WHERE organization_id = $1"#,
        organization_id
    )
    .fetch_one(executor)
    .await?;
    Ok(MemberCounts {
        active: row.active,
        invited: row.invited,
        deactivated: row.deactivated,
    })
}

/// Folds each organization's rows into one (and drops those of organizations gone);
/// returns how many organizations had rows folded. Safe beside writers and other instances: a row
/// is deleted by one fold only (a second waits, then skips it), and rows written meanwhile
/// stay for the next fold.
pub async fn fold(pool: &PgPool) -> Result<u64, AppError> {
    let folded = sqlx::query!(
        r#"WITH folded AS (
               DELETE FROM member_counts
                WHERE organization_id IN (SELECT organization_id FROM member_counts
                                           GROUP BY organization_id HAVING count(*) > 1)
                   OR NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = organization_id)
               RETURNING organization_id, active, invited, deactivated)
           INSERT INTO member_counts (organization_id, active, invited, deactivated)
           SELECT f.organization_id, sum(f.active), sum(f.invited), sum(f.deactivated)
             FROM folded f
            WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = f.organization_id)
            GROUP BY f.organization_id"#
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(folded)
}
