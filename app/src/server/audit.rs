//! The activity log: who did what to whom, written in the transaction of the change.

use crate::error::AppError;
use sqlx::PgConnection;

/// Who acted: a signed-in member, or the system (command line, demo seed).
pub enum Actor<'a> {
    Member { id: i64, label: &'a str },
    System(&'a str),
}

/// An entry by the signed-in member `viewer`, in their organization.
pub async fn by_viewer(
    conn: &mut PgConnection,
    viewer: &crate::api::auth::Viewer,
    action: &str,
    subject_member_id: Option<i64>,
    details: serde_json::Value,
) -> Result<(), AppError> {
    let actor = Actor::Member {
        id: viewer.member_id,
        label: &viewer.email,
    };
    record(
        conn,
        viewer.organization_id,
        actor,
        action,
        subject_member_id,
        details,
    )
    .await
}

pub async fn record(
    conn: &mut PgConnection,
    organization_id: i64,
    actor: Actor<'_>,
    action: &str,
    subject_member_id: Option<i64>,
    details: serde_json::Value,
) -> Result<(), AppError> {
    let (actor_id, label) = match actor {
        Actor::Member { id, label } => (Some(id), label),
        Actor::System(label) => (None, label),
    };
    sqlx::query!(
        r#"INSERT INTO audit_log (organization_id, actor_member_id, actor_label, action, subject_member_id, details)
           VALUES ($1, $2, $3, $4, $5, $6)"#,
        organization_id,
        actor_id,
        label,
        action,
        subject_member_id,
        details,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One entry per subject, with its own details, in one statement.
pub async fn record_many(
    conn: &mut PgConnection,
    organization_id: i64,
    actor: Actor<'_>,
    action: &str,
    subject_member_ids: &[i64],
    details: &[serde_json::Value],
) -> Result<(), AppError> {
    let (actor_id, label) = match actor {
        Actor::Member { id, label } => (Some(id), label),
        Actor::System(label) => (None, label),
    };
    sqlx::query!(
        r#"INSERT INTO audit_log (organization_id, actor_member_id, actor_label, action, subject_member_id, details)
           SELECT $1, $2, $3, $4, subject, detail FROM UNNEST($5::bigint[], $6::jsonb[]) AS t(subject, detail)"#,
        organization_id,
        actor_id,
        label,
        action,
        subject_member_ids,
        details,
    )
    .execute(conn)
    .await?;
    Ok(())
}
