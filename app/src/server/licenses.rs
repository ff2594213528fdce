//! Licenses over time, the worker's side: invitation reminders, invitations that expire
//! (their seats returned), deactivations carried out on their day, and seat alerts. Each
//! step takes the time to act as (`now`), so tests move a clock instead of sleeping, and
//! each is safe with several server instances: rows are claimed with `SKIP LOCKED` or under
//! the organization's lock, and every change is a compare-and-set on what it changes.

use super::activity::{self, Action};
use super::crypto::new_token;
use super::ledger;
use super::mail::{Invitation, Mail, Opens, SeatAlertMail};
use super::members::{deactivate_locked, lock_member, lock_organization};
use super::outbox::{enqueue, Letter};
use super::RuntimeConfig;
use crate::domain::licenses::{alert_due, alert_level, AlertLevel, Via};
use crate::domain::{Access, SeatKind};
use crate::error::AppError;
use sqlx::PgPool;
use time::OffsetDateTime;

/// How many rows one step handles in one transaction; the next tick takes the rest.
pub const BATCH: i64 = 500;

/// How the Activity log and the ledger name the worker.
pub const WORKER_LABEL: &str = "Roster (automatic)";
/// How they name it carrying out a scheduled deactivation.
pub const SCHEDULE_LABEL: &str = "Roster (as scheduled)";

fn worker(organization_id: i64, organization_name: &str) -> Access {
    Access::operator(organization_id, organization_name, WORKER_LABEL)
}

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Ticked {
    pub reminders: usize,
    pub expired: usize,
    pub deactivated: usize,
    /// Seats given from the waitlist.
    pub waitlisted: i64,
    pub alerts: usize,
    pub digests: usize,
    /// Rows of kept member and enrollment counts written by folding (one per key folded).
    pub counts_folded: u64,
    /// Rows of the ledger's daily sums written.
    pub ledger_days: u64,
}

/// One round of every step, as of `now`.
pub async fn tick(
    pool: &PgPool,
    config: &RuntimeConfig,
    now: OffsetDateTime,
) -> Result<Ticked, AppError> {
    Ok(Ticked {
        reminders: send_reminders(pool, config, now).await?,
        expired: expire_invitations(pool, now).await?,
        deactivated: carry_out_deactivations(pool, now).await?,
        // After the steps that free seats, before the alerts that count them.
        waitlisted: super::waitlist::serve_all(pool).await?,
        alerts: send_seat_alerts(pool, config).await?,
        digests: super::digest::send_due(pool, config, now).await?,
        counts_folded: super::member_counts::fold(pool).await?
            + super::enrollment_counts::fold(pool).await?,
        ledger_days: super::license_days::summarize(pool).await?,
    })
}

/// Sends the reminders due by `now`: one per invitation and tick, however many days
/// passed (a worker that was down does not send two at once). Each reminder carries a
/// link of its own; the earlier links keep working.
pub async fn send_reminders(
    pool: &PgPool,
    config: &RuntimeConfig,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    // Claimed rows are skipped by another instance; what it finds after this commits has
    // its count raised, so it is not due any more.
    let due = sqlx::query!(
        r#"SELECT i.member_id, m.email, m.first_name, o.id AS organization_id, o.name AS organization,
                  i.expires_at,
                  (SELECT count(*) FROM unnest(o.reminder_days) d
                    WHERE i.created_at + make_interval(days => d) <= $1)::smallint AS "reached!"
             FROM invitations i
             JOIN members m ON m.id = i.member_id
             JOIN organizations o ON o.id = m.organization_id
            WHERE i.accepted_at IS NULL AND i.expired_at IS NULL AND i.expires_at > $1
              AND m.status = 'invited'
              AND i.reminders_sent < cardinality(o.reminder_days)
              AND i.created_at + make_interval(days => o.reminder_days[i.reminders_sent + 1]) <= $1
            ORDER BY i.member_id
            LIMIT $2
            FOR UPDATE OF i SKIP LOCKED"#,
        now,
        BATCH
    )
    .fetch_all(&mut *tx)
    .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = due.iter().map(|r| r.member_id).collect();
    let reached: Vec<i16> = due.iter().map(|r| r.reached).collect();
    sqlx::query!(
        "UPDATE invitations i SET reminders_sent = t.reached
           FROM UNNEST($1::bigint[], $2::smallint[]) AS t(member_id, reached)
          WHERE i.member_id = t.member_id",
        &ids,
        &reached
    )
    .execute(&mut *tx)
    .await?;
    let (tokens, digests): (Vec<String>, Vec<Vec<u8>>) = ids.iter().map(|_| new_token()).unzip();
    sqlx::query!(
        "INSERT INTO invitation_links (token_hash, member_id)
         SELECT * FROM UNNEST($1::bytea[], $2::bigint[])",
        &digests,
        &ids
    )
    .execute(&mut *tx)
    .await?;
    for (row, (token, digest)) in due.iter().zip(tokens.iter().zip(&digests)) {
        let days_left = ((row.expires_at - now).whole_hours() + 23) / 24;
        let letter = Letter {
            member_id: Some(row.member_id),
            to: row.email.clone(),
            mail: Mail::Reminder(Invitation {
                organization: row.organization.clone(),
                inviter: format!("The administrators of {}", row.organization),
                first_name: row.first_name.clone(),
                link: super::links::for_queued_mail(
                    config,
                    Opens::Reminder {
                        member_id: row.member_id,
                    },
                    token,
                    digest,
                ),
                valid_days: Some(days_left.max(1) as i32),
            }),
        };
        enqueue(&mut tx, config, row.organization_id, &[letter]).await?;
        activity::record(
            &mut tx,
            &worker(row.organization_id, &row.organization),
            Action::InvitationReminded,
            Some(row.member_id),
            serde_json::json!({ "reminder": row.reached }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// Marks the invitations that ended by `now` expired, once, and returns their seats to
/// the pool when the organization says so (rule 3: a used license stays). The member
/// stays *Invited*; a re-invite asks for the seats again.
pub async fn expire_invitations(pool: &PgPool, now: OffsetDateTime) -> Result<usize, AppError> {
    let organizations = sqlx::query!(
        r#"SELECT DISTINCT m.organization_id, o.name
             FROM invitations i JOIN members m ON m.id = i.member_id
             JOIN organizations o ON o.id = m.organization_id
            WHERE i.accepted_at IS NULL AND i.expired_at IS NULL AND i.expires_at <= $1
              AND m.status = 'invited'
            LIMIT 100"#,
        now
    )
    .fetch_all(pool)
    .await?;
    let mut expired = 0;
    for org in organizations {
        let access = worker(org.organization_id, &org.name);
        let mut tx = pool.begin().await?;
        // Under the organization's lock a second worker waits, then finds nothing due.
        lock_organization(&mut tx, &access, &Via::Expiry).await?;
        ledger::note(&mut tx, &access, &Via::Expiry, Some(now)).await?;
        let release = sqlx::query_scalar!(
            "SELECT expired_seats = 'release' FROM organizations WHERE id = $1",
            org.organization_id
        )
        .fetch_one(&mut *tx)
        .await?
        .unwrap_or(true);
        let rows = sqlx::query!(
            r#"SELECT m.id, m.enable_seat, m.opportunity_seat, m.license_used
                 FROM members m JOIN invitations i ON i.member_id = m.id
                WHERE m.organization_id = $1 AND m.status = 'invited'
                  AND i.accepted_at IS NULL AND i.expired_at IS NULL AND i.expires_at <= $2
                ORDER BY m.id LIMIT $3
                FOR UPDATE OF m, i"#,
            org.organization_id,
            now,
            BATCH
        )
        .fetch_all(&mut *tx)
        .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        sqlx::query!(
            "UPDATE invitations SET expired_at = $2 WHERE member_id = ANY($1)",
            &ids,
            now
        )
        .execute(&mut *tx)
        .await?;
        if release {
            // Rule 3 as for a deactivation: the Enable seat goes (with its programs, all
            // below 10 %) unless its license is used; the Opportunity seat goes.
            sqlx::query!(
                "DELETE FROM enrollments e USING members m
                  WHERE e.member_id = m.id AND m.id = ANY($1) AND NOT m.license_used",
                &ids
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query!(
                "UPDATE members
                    SET restore_enable_seat = enable_seat AND NOT license_used,
                        restore_opportunity_seat = opportunity_seat,
                        enable_seat = enable_seat AND license_used, opportunity_seat = false
                  WHERE id = ANY($1) AND (enable_seat OR opportunity_seat)",
                &ids
            )
            .execute(&mut *tx)
            .await?;
        }
        let details: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "released_enable_seat": release && r.enable_seat && !r.license_used,
                    "released_opportunity_seat": release && r.opportunity_seat,
                })
            })
            .collect();
        activity::record_many(&mut tx, &access, Action::InvitationExpired, &ids, &details).await?;
        tx.commit().await?;
        expired += ids.len();
    }
    Ok(expired)
}

/// Carries out the deactivations scheduled for `now`'s day or before, with the same rules
/// as by hand. One the rules refuse (the last active administrator) is recorded and its
/// schedule cleared.
pub async fn carry_out_deactivations(
    pool: &PgPool,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    let today = now.date();
    let organizations = sqlx::query!(
        r#"SELECT DISTINCT m.organization_id, o.name
             FROM members m JOIN organizations o ON o.id = m.organization_id
            WHERE m.deactivate_on <= $1
            LIMIT 100"#,
        today
    )
    .fetch_all(pool)
    .await?;
    let mut done = 0;
    for org in organizations {
        // The Activity says the deactivation was the scheduled one.
        let access = Access::operator(org.organization_id, &org.name, SCHEDULE_LABEL);
        let mut tx = pool.begin().await?;
        lock_organization(&mut tx, &access, &Via::Schedule).await?;
        ledger::note(&mut tx, &access, &Via::Schedule, Some(now)).await?;
        let due = sqlx::query_scalar!(
            "SELECT id FROM members WHERE organization_id = $1 AND deactivate_on <= $2
              ORDER BY id LIMIT $3",
            org.organization_id,
            today,
            BATCH
        )
        .fetch_all(&mut *tx)
        .await?;
        for id in due {
            let member = lock_member(&mut tx, &access, id).await?;
            sqlx::query!("UPDATE members SET deactivate_on = NULL WHERE id = $1", id)
                .execute(&mut *tx)
                .await?;
            if member.status == crate::domain::MemberStatus::Deactivated {
                continue;
            }
            // A refusal leaves nothing of the attempt behind but its record.
            let mut attempt = sqlx::Connection::begin(&mut *tx).await?;
            match deactivate_locked(&mut attempt, &access, &member, None).await {
                Ok(_) => {
                    attempt.commit().await?;
                    done += 1;
                }
                Err(refused) => {
                    attempt.rollback().await?;
                    activity::record(
                        &mut tx,
                        &access,
                        Action::ScheduledDeactivationSkipped,
                        Some(id),
                        serde_json::json!({ "reason": refused.to_string() }),
                    )
                    .await?;
                }
            }
        }
        tx.commit().await?;
    }
    Ok(done)
}

/// Mails each organization's administrators when free seats of a kind fall to the alert
/// threshold or run out: once per crossing, again only after seats rose above it. The
/// level sent is kept on the organization and changed by compare-and-set, so of two
/// instances one sends.
pub async fn send_seat_alerts(pool: &PgPool, config: &RuntimeConfig) -> Result<usize, AppError> {
    let organizations = sqlx::query!(
        "SELECT id, name, enable_seats, enable_seats_held, opportunity_seats, opportunity_seats_held,
                enable_alert, opportunity_alert
           FROM organizations ORDER BY id"
    )
    .fetch_all(pool)
    .await?;
    let mut sent = 0;
    for org in organizations {
        for (kind, bought, held, recorded) in [
            (
                SeatKind::Enable,
                org.enable_seats,
                org.enable_seats_held,
                &org.enable_alert,
            ),
            (
                SeatKind::Opportunity,
                org.opportunity_seats,
                org.opportunity_seats_held,
                &org.opportunity_alert,
            ),
        ] {
            let (bought, held) = (i64::from(bought), i64::from(held));
            let was = recorded.as_deref().and_then(AlertLevel::parse);
            let now = alert_level(bought, held);
            if was == now {
                continue;
            }
            let mut tx = pool.begin().await?;
            // Busy organizations (an import holding the row) are left for the next tick.
            let changed = sqlx::query_scalar!(
                r#"UPDATE organizations
                      SET enable_alert = CASE WHEN $2 = 'enable' THEN $4 ELSE enable_alert END,
                          opportunity_alert = CASE WHEN $2 = 'opportunity' THEN $4 ELSE opportunity_alert END
                    WHERE id = (SELECT id FROM organizations WHERE id = $1 FOR UPDATE SKIP LOCKED)
                      AND (CASE WHEN $2 = 'enable' THEN enable_alert ELSE opportunity_alert END)
                          IS NOT DISTINCT FROM $3
                RETURNING id"#,
                org.id,
                kind.key(),
                was.map(AlertLevel::key),
                now.map(AlertLevel::key),
            )
            .fetch_optional(&mut *tx)
            .await?;
            if changed.is_none() {
                continue;
            }
            if let (true, Some(level)) = (alert_due(was, now), now) {
                let admins = sqlx::query_scalar!(
                    "SELECT email FROM members
                      WHERE organization_id = $1 AND permission = 'admin' AND status = 'active'
                      ORDER BY id LIMIT 50",
                    org.id
                )
                .fetch_all(&mut *tx)
                .await?;
                let mail = SeatAlertMail {
                    organization: org.name.clone(),
                    kind,
                    level,
                    free: (bought - held).max(0),
                    bought,
                    seats_url: format!(
                        "{}/organization/seats",
                        config.public_url.trim_end_matches('/')
                    ),
                };
                let letters: Vec<Letter> = admins
                    .into_iter()
                    .map(|to| Letter {
                        member_id: None,
                        to,
                        mail: Mail::SeatAlert(mail.clone()),
                    })
                    .collect();
                enqueue(&mut tx, config, org.id, &letters).await?;
                activity::record(
                    &mut tx,
                    &worker(org.id, &org.name),
                    Action::SeatAlertSent,
                    None,
                    serde_json::json!({ "seat": kind.key(), "level": level.key(), "free": bought - held }),
                )
                .await?;
                super::webhooks::emit(
                    &mut tx,
                    org.id,
                    crate::domain::webhooks::EventType::SeatsLow,
                    serde_json::json!({ "seat": kind.key(), "level": level.key(), "free": (bought - held).max(0), "bought": bought, "held": held }),
                    None,
                )
                .await?;
                sent += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(sent)
}
