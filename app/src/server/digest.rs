//! The weekly digest: for administrators and team managers who opt in (managers: their
//! teams), invitations accepted, pending and expired, members stuck below 10 %, programs
//! completed, and — for administrators — the seats left and the runway. Sent by the
//! licenses worker, once a week per person, claimed with `SKIP LOCKED` so two instances
//! send it once.

use super::activity::{self, Action};
use super::mail::{DigestMail, Mail};
use super::outbox::{enqueue, Letter};
use super::RuntimeConfig;
use crate::domain::licenses::runway_days;
use crate::domain::{Access, Capability, Permission};
use crate::error::AppError;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

/// How many digests one tick writes; the next tick takes the rest.
pub const BATCH: i64 = 200;

/// Turns the signed-in administrator's or manager's weekly digest on or off; the first
/// comes a week after it is turned on.
pub async fn set_mine(pool: &PgPool, access: &Access, on: bool) -> Result<(), AppError> {
    access.may(Capability::SeeMembers)?;
    let me = access.acting_member()?;
    if access.role == Permission::Member {
        return Err(AppError::Forbidden);
    }
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE members SET weekly_digest = $2, digest_sent_at = CASE WHEN $2 THEN now() END
          WHERE id = $1",
        me,
        on
    )
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::SettingChanged,
        Some(me),
        serde_json::json!({ "weekly_digest": on }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the signed-in member receives the weekly digest.
pub async fn mine(pool: &PgPool, access: &Access) -> Result<bool, AppError> {
    let me = access.acting_member()?;
    Ok(
        sqlx::query_scalar!("SELECT weekly_digest FROM members WHERE id = $1", me)
            .fetch_one(pool)
            .await?,
    )
}

/// Writes the digests due by `now` (a week after the last), each once.
pub async fn send_due(
    pool: &PgPool,
    config: &RuntimeConfig,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    let due = sqlx::query!(
        r#"SELECT m.id, m.organization_id, o.name AS organization, m.first_name, m.email,
                  m.permission,
                  CASE WHEN m.permission = 'manager' THEN managed_teams(m.id) END AS "teams: Vec<i64>"
             FROM members m JOIN organizations o ON o.id = m.organization_id
            WHERE m.weekly_digest AND m.status = 'active' AND m.permission IN ('admin', 'manager')
              AND (m.digest_sent_at IS NULL OR m.digest_sent_at <= $1::timestamptz - interval '7 days')
            ORDER BY m.digest_sent_at NULLS FIRST, m.id
            LIMIT $2
            FOR UPDATE OF m SKIP LOCKED"#,
        now,
        BATCH
    )
    .fetch_all(&mut *tx)
    .await?;
    let week_ago = now - Duration::days(7);
    for person in &due {
        let teams = person.teams.clone();
        let counts = sqlx::query!(
            r#"SELECT
                 (SELECT count(*) FROM audit_log a JOIN scoped_members($1, $2) m ON m.id = a.subject_member_id
                   WHERE a.organization_id = $1 AND a.action = 'invitation.accepted'
                     AND a.created_at > $3) AS "accepted!",
                 (SELECT count(*) FROM scoped_members($1, $2) m JOIN invitations i ON i.member_id = m.id
                   WHERE m.status = 'invited' AND i.accepted_at IS NULL
                     AND i.expired_at IS NULL AND i.expires_at > $4) AS "pending!",
                 (SELECT count(*) FROM scoped_members($1, $2) m JOIN invitations i ON i.member_id = m.id
                   WHERE m.status = 'invited' AND i.accepted_at IS NULL
                     AND (i.expired_at IS NOT NULL OR i.expires_at <= $4)) AS "expired!",
                 (SELECT count(*) FROM scoped_members($1, $2) m
                   WHERE m.status = 'active' AND NOT m.license_used
                     AND EXISTS (SELECT 1 FROM enrollments e WHERE e.member_id = m.id
                                  AND e.enrolled_at <= $3)) AS "stuck!",
                 (SELECT count(*) FROM scoped_members($1, $2) m JOIN enrollments e ON e.member_id = m.id
                   WHERE e.progress_basis_points = 10000 AND e.updated_at > $3) AS "completed!",
                 (SELECT enable_seats - enable_seats_held FROM organizations WHERE id = $1) AS "free!",
                 (SELECT count(*) FROM license_events
                   WHERE organization_id = $1 AND seat = 'enable' AND event IN ('granted', 'used')
                     AND at > $4 - interval '30 days' AND via <> 'migration') AS "taken!""#,
            person.organization_id,
            teams.as_deref(),
            week_ago,
            now
        )
        .fetch_one(&mut *tx)
        .await?;
        let admin = person.permission == "admin";
        let free = i64::from(counts.free);
        let runway = runway_days(free, counts.taken)
            .map(|days| (now + Duration::days(days)).date().to_string());
        let mail = DigestMail {
            organization: person.organization.clone(),
            first_name: person.first_name.clone(),
            scope: if admin {
                "your organization".to_owned()
            } else {
                "your teams".to_owned()
            },
            accepted: counts.accepted,
            pending: counts.pending,
            expired: counts.expired,
            stuck_below_ten: counts.stuck,
            completed: counts.completed,
            // Seats are the organization's: administrators' business.
            enable_free: admin.then_some(free),
            runway_until: if admin { runway } else { None },
            url: format!("{}/organization", config.public_url.trim_end_matches('/')),
        };
        sqlx::query!(
            "UPDATE members SET digest_sent_at = $2 WHERE id = $1",
            person.id,
            now
        )
        .execute(&mut *tx)
        .await?;
        enqueue(
            &mut tx,
            config,
            person.organization_id,
            &[Letter {
                member_id: Some(person.id),
                to: person.email.clone(),
                mail: Mail::Digest(mail),
            }],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}
