//! Require SSO at the password's door: the one check every password sign-in and password
//! invitation acceptance makes (kept apart from `sso`, the sign-in itself, which creates
//! members through the code that asks this).

use super::activity::{self, Action};
use crate::domain::Access;
use crate::error::AppError;
use sqlx::PgConnection;

/// Whether a password sign-in of `member_id` is allowed: not when the organization
/// requires SSO, except for its way-back-in administrator (whose use is recorded).
pub async fn password_allowed(
    conn: &mut PgConnection,
    member_id: i64,
) -> Result<Result<(), String>, AppError> {
    let row = sqlx::query!(
        r#"SELECT c.required AS "required?", c.way_back_in_member_id AS "way_back_in_member_id?",
                  m.organization_id, m.email
             FROM members m LEFT JOIN sso_connections c ON c.organization_id = m.organization_id
            WHERE m.id = $1"#,
        member_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if row.required != Some(true) {
        return Ok(Ok(()));
    }
    if row.way_back_in_member_id == Some(member_id) {
        let me = Access::member_self(row.organization_id, member_id, &row.email);
        activity::record(
            &mut *conn,
            &me,
            Action::WayBackInUsed,
            Some(member_id),
            serde_json::json!({}),
        )
        .await?;
        return Ok(Ok(()));
    }
    Ok(Err("Your organization signs in with its company account: use Continue with your company account.".into()))
}
