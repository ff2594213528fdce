//! Seats (SPEC rules 1, 3, 5): the organization's pools, who holds each seat and why it
//! counts, seat counts bought, one member's seats, and freeing unused licenses.
//!
//! Every mutation locks the organization row first (see `members::lock_organization`):
//! seats free are read under that lock, and the statement triggers on `members` keep
//! `*_seats_held` within `*_seats` whatever happens — two admins granting and freeing at
//! once are decided one after the other.

use super::activity::{self, Action};
use super::mail::{self, Mail};
use super::members::lock_organization;
use super::outbox::{self, Letter};
use super::RuntimeConfig;
use crate::domain::licenses::{alert_level, alert_words, runway_days, AlertLevel};
use crate::domain::rules::{self, TopProgress};
use crate::domain::Access;
use crate::domain::Capability;
use crate::domain::SeatRequest;
use crate::domain::{MemberStatus, Progress, SeatKind, SeatPool};
use crate::error::AppError;
use crate::model::licenses::{AboutToUse, SeatBanner, SeatOutlook};
use crate::model::seats::{
    FreeLicensesOutcome, FreeLicensesPreview, SeatHolder, SeatOverview, SeatRequestRow,
};
use sqlx::{PgConnection, PgPool};

/// The seats page lists this many holders; the counts above cover everyone.
pub const HOLDERS_SHOWN: i64 = 500;

pub async fn overview(pool: &PgPool, access: &Access) -> Result<SeatOverview, AppError> {
    access.may(Capability::ManageOrganization)?;
    let org = access.organization_id;
    let counts = sqlx::query!(
        r#"SELECT o.enable_seats, o.opportunity_seats, o.enable_seats_held, o.opportunity_seats_held,
                  (SELECT count(*) FROM members m
                    WHERE m.organization_id = o.id AND m.enable_seat AND m.license_used) AS "enable_used!"
             FROM organizations o WHERE o.id = $1"#,
        org
    )
    .fetch_one(pool)
    .await?;
    // Each holder with the program of their best progress: what makes a license used.
    let rows = sqlx::query!(
        r#"SELECT m.id AS "id!", m.first_name AS "first_name!", m.last_name AS "last_name!",
                  m.email AS "email!", m.status AS "status!", m.enable_seat AS "enable_seat!",
                  m.opportunity_seat AS "opportunity_seat!",
                  top.name AS "top_program?", top.progress_basis_points AS "top_progress?"
             FROM scoped_members($1, NULL) m
             LEFT JOIN LATERAL (
                   SELECT p.name, e.progress_basis_points
                     FROM enrollments e JOIN programs p ON p.id = e.program_id
                    WHERE e.member_id = m.id
                    ORDER BY e.progress_basis_points DESC, p.position
                    LIMIT 1) top ON true
            WHERE m.enable_seat OR m.opportunity_seat
            ORDER BY lower(m.last_name), lower(m.first_name), m.id
            LIMIT $2"#,
        org,
        HOLDERS_SHOWN
    )
    .fetch_all(pool)
    .await?;
    let holders = rows
        .into_iter()
        .map(|r| {
            let status = MemberStatus::parse(&r.status).map_err(|_| AppError::internal())?;
            let top = match (r.top_program, r.top_progress) {
                (Some(program), Some(bp)) => Some(TopProgress {
                    program,
                    progress: Progress::from_basis_points(bp.into())
                        .map_err(|_| AppError::internal())?,
                }),
                _ => None,
            };
            Ok(SeatHolder {
                member_id: r.id,
                name: format!("{} {}", r.first_name, r.last_name),
                email: r.email,
                status,
                enable_reason: r
                    .enable_seat
                    .then(|| rules::seat_reason(SeatKind::Enable, status, top.as_ref())),
                opportunity_reason: r
                    .opportunity_seat
                    .then(|| rules::seat_reason(SeatKind::Opportunity, status, top.as_ref())),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(SeatOverview {
        enable: SeatPool::new(
            SeatKind::Enable,
            counts.enable_seats,
            counts.enable_seats_held,
        ),
        opportunity: SeatPool::new(
            SeatKind::Opportunity,
            counts.opportunity_seats,
            counts.opportunity_seats_held,
        ),
        enable_used: counts.enable_used,
        holders,
        holders_limit: HOLDERS_SHOWN,
        requests: requests(pool, access.organization_id).await?,
        outlook: outlook(
            pool,
            access.organization_id,
            counts.enable_seats - counts.enable_seats_held,
        )
        .await?,
    })
}

/// At most this many members are listed as about to use a license.
pub const ABOUT_TO_USE_SHOWN: i64 = 100;

/// Members between 5 % and 10 % on a program (their license is about to be used), and
/// the runway: at the last 30 days' rate of Enable seats taken, the day none is free.
async fn outlook(
    pool: &PgPool,
    organization_id: i64,
    free_enable: i32,
) -> Result<SeatOutlook, AppError> {
    let about = sqlx::query!(
        r#"SELECT DISTINCT ON (m.id) m.id, m.first_name, m.last_name, m.email, p.name AS program,
                  e.progress_basis_points
             FROM members m
             JOIN enrollments e ON e.member_id = m.id
             JOIN programs p ON p.id = e.program_id
            WHERE m.organization_id = $1 AND NOT m.license_used
              AND e.progress_basis_points >= 500 AND e.progress_basis_points < 1000
            ORDER BY m.id, e.progress_basis_points DESC
            LIMIT $2"#,
        organization_id,
        ABOUT_TO_USE_SHOWN
    )
    .fetch_all(pool)
    .await?;
    let mut about = about;
    about.sort_by_key(|r| std::cmp::Reverse(r.progress_basis_points));
    let about_to_use: Vec<AboutToUse> = about
        .into_iter()
        .map(|r| AboutToUse {
            member_id: r.id,
            name: format!("{} {}", r.first_name, r.last_name),
            email: r.email,
            program: r.program,
            progress: Progress::from_basis_points(r.progress_basis_points.into())
                .map(|p| p.to_string())
                .unwrap_or_default(),
        })
        .collect();
    // Seats taken: Enable seats granted (invitations, grants) and licenses that became
    // used in the last 30 days, from the ledger.
    let taken = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM license_events
            WHERE organization_id = $1 AND seat = 'enable' AND event IN ('granted', 'used')
              AND at > now() - interval '30 days' AND via <> 'migration'"#,
        organization_id
    )
    .fetch_one(pool)
    .await?;
    let runway_days = runway_days(free_enable.into(), taken);
    let runway_date = runway_days.map(|days| {
        (time::OffsetDateTime::now_utc() + time::Duration::days(days))
            .date()
            .to_string()
    });
    Ok(SeatOutlook {
        about_to_use,
        taken_last_30_days: taken,
        runway_days,
        runway_date,
    })
}

/// The seat alert an administrator sees as a banner, if seats of a kind are low or out.
pub async fn banner(pool: &PgPool, access: &Access) -> Result<Option<SeatBanner>, AppError> {
    if access.may(Capability::ManageOrganization).is_err() {
        return Ok(None);
    }
    let r = sqlx::query!(
        "SELECT enable_seats, enable_seats_held, opportunity_seats, opportunity_seats_held
           FROM organizations WHERE id = $1",
        access.organization_id
    )
    .fetch_one(pool)
    .await?;
    let alerts: Vec<(SeatKind, AlertLevel, i64)> = [
        (SeatKind::Enable, r.enable_seats, r.enable_seats_held),
        (
            SeatKind::Opportunity,
            r.opportunity_seats,
            r.opportunity_seats_held,
        ),
    ]
    .into_iter()
    .filter_map(|(kind, bought, held)| {
        let (bought, held) = (i64::from(bought), i64::from(held));
        alert_level(bought, held).map(|level| (kind, level, (bought - held).max(0)))
    })
    .collect();
    if alerts.is_empty() {
        return Ok(None);
    }
    Ok(Some(SeatBanner {
        words: alerts
            .iter()
            .map(|(kind, level, free)| alert_words(*kind, *level, *free))
            .collect::<Vec<_>>()
            .join(" "),
        out: alerts.iter().any(|(_, level, _)| *level == AlertLevel::Out),
    }))
}

/// The organization's requests for more seats, newest first.
async fn requests(pool: &PgPool, organization_id: i64) -> Result<Vec<SeatRequestRow>, AppError> {
    sqlx::query!(
        r#"SELECT id, kind, seats, note, requester_label,
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS "at!",
                  to_char(granted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS granted_at
             FROM seat_requests WHERE organization_id = $1
            ORDER BY created_at DESC, id DESC LIMIT 50"#,
        organization_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        Ok(SeatRequestRow {
            id: r.id,
            kind: SeatKind::parse(&r.kind).map_err(|_| AppError::internal())?,
            seats: r.seats,
            note: r.note,
            by: r.requester_label,
            at: r.at,
            granted_at: r.granted_at,
        })
    })
    .collect()
}

/// Sets the seats bought (the vendor's decision: the operator's command line, never an
/// organization's administrator), each kind only when given, never below what members
/// hold. Open requests for a kind whose seats rise are marked granted.
pub async fn set_bought(
    pool: &PgPool,
    actor: &Access,
    enable: Option<i64>,
    opportunity: Option<i64>,
) -> Result<SeatPools, AppError> {
    let org = actor.organization_id;
    let mut tx = pool.begin().await?;
    let locked = lock_organization(&mut tx, actor, &super::ledger::via_of(actor)).await?;
    let enable = enable.unwrap_or(locked.enable.bought);
    let opportunity = opportunity.unwrap_or(locked.opportunity.bought);
    for (pool, wanted, field) in [
        (locked.enable, enable, "enable"),
        (locked.opportunity, opportunity, "opportunity"),
    ] {
        rules::may_set_seats_bought(pool, wanted).map_err(|e| AppError::field(field, e.0))?;
    }
    sqlx::query!(
        "UPDATE organizations SET enable_seats = $2, opportunity_seats = $3 WHERE id = $1",
        org,
        enable as i32,
        opportunity as i32
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE seat_requests SET granted_at = now()
          WHERE organization_id = $1 AND granted_at IS NULL
            AND ((kind = 'enable' AND $2) OR (kind = 'opportunity' AND $3))",
        org,
        enable > locked.enable.bought,
        opportunity > locked.opportunity.bought,
    )
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        actor,
        Action::SeatsBoughtChanged,
        None,
        serde_json::json!({
            "enable_seats": format!("{} → {}", locked.enable.bought, enable),
            "opportunity_seats": format!("{} → {}", locked.opportunity.bought, opportunity),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(SeatPools {
        enable: SeatPool {
            bought: enable,
            ..locked.enable
        },
        opportunity: SeatPool {
            bought: opportunity,
            ..locked.opportunity
        },
    })
}

/// Both kinds of seat of an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatPools {
    pub enable: SeatPool,
    pub opportunity: SeatPool,
}

/// Seat requests one organization may send the vendor in a day: enough to ask for both
/// kinds and correct a number, not enough to flood the vendor's inbox.
pub const SEAT_REQUESTS_PER_DAY: i64 = 3;

/// Records an administrator's request for more seats and emails it to the vendor, in one
/// transaction, unless the organization sent [`SEAT_REQUESTS_PER_DAY`] in the last day
/// (counted under the organization's lock, so a burst cannot pass together).
pub async fn request_more(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    request: &SeatRequest,
) -> Result<(), AppError> {
    access.may(Capability::RequestSeats)?;
    let mut tx = pool.begin().await?;
    super::members::lock_organization(&mut tx, access, &super::ledger::via_of(access)).await?;
    let recent = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM seat_requests
            WHERE organization_id = $1 AND created_at > now() - interval '1 day'"#,
        access.organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if recent >= SEAT_REQUESTS_PER_DAY {
        return Err(AppError::TooManyRequests(format!(
            "Your organization sent {recent} seat requests in the last 24 hours, the most a day allows: the vendor has them and answers each. To change one, send a new request tomorrow, or write to the vendor directly."
        )));
    }
    sqlx::query!(
        "INSERT INTO seat_requests (organization_id, requested_by, requester_label, kind, seats, note)
         VALUES ($1, $2, $3, $4, $5, $6)",
        access.organization_id,
        access.member_id(),
        access.label,
        request.kind.key(),
        request.seats,
        request.note,
    )
    .execute(&mut *tx)
    .await?;
    let letter = Letter {
        member_id: None,
        to: config.vendor_email.clone(),
        mail: Mail::SeatRequest(mail::SeatRequestMail {
            organization: access.organization_name.clone(),
            organization_id: access.organization_id,
            requester: access.name.clone(),
            requester_email: access.label.clone(),
            kind: request.kind,
            seats: request.seats,
            note: request.note.clone(),
        }),
    };
    outbox::enqueue(&mut tx, config, access.organization_id, &[letter]).await?;
    activity::record(
        &mut tx,
        access,
        Action::SeatsRequested,
        None,
        serde_json::json!({ "seats": format!("{} {}", request.seats, request.kind.label()), "note": request.note }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Per selected member: may their Enable seat be freed, and if not, why. Read without
/// locks for the preview; `free_unused` decides again under locks.
pub async fn free_preview(
    pool: &PgPool,
    access: &Access,
    member_ids: &[i64],
) -> Result<FreeLicensesPreview, AppError> {
    access.may(Capability::ChangeMembers)?;
    let mut conn = pool.acquire().await?;
    let candidates = candidates(&mut conn, access.organization_id, member_ids, false).await?;
    let mut preview = FreeLicensesPreview::default();
    for c in candidates {
        match rules::may_free_enable_seat(c.enable_seat, &c.progress) {
            Ok(()) => preview.freeable.push(c.name),
            Err(reason) => preview.kept.push((c.name, reason.0)),
        }
    }
    Ok(preview)
}

/// Frees the Enable seat (and its programs, all below 10 %) of every selected member
/// whose license is unused; reports the others with the reason.
pub async fn free_unused(
    pool: &PgPool,
    access: &Access,
    member_ids: &[i64],
) -> Result<FreeLicensesOutcome, AppError> {
    access.may(Capability::ChangeMembers)?;
    let org = access.organization_id;
    let mut tx = pool.begin().await?;
    lock_organization(&mut tx, access, &super::ledger::via_of(access)).await?;
    let candidates = candidates(&mut tx, org, member_ids, true).await?;
    let mut outcome = FreeLicensesOutcome::default();
    let mut freed_ids = Vec::new();
    for c in candidates {
        match rules::may_free_enable_seat(c.enable_seat, &c.progress) {
            Ok(()) => {
                freed_ids.push(c.id);
                outcome.freed.push(c.name);
            }
            Err(reason) => outcome.kept.push((c.name, reason.0)),
        }
    }
    sqlx::query!(
        "DELETE FROM enrollments WHERE member_id = ANY($1)",
        &freed_ids
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE members SET enable_seat = false WHERE id = ANY($1)",
        &freed_ids
    )
    .execute(&mut *tx)
    .await?;
    let details = vec![
        serde_json::json!({ "seat": "Enable", "reason": "unused license freed" });
        freed_ids.len()
    ];
    activity::record_many(&mut tx, access, Action::SeatRemoved, &freed_ids, &details).await?;
    tx.commit().await?;
    Ok(outcome)
}

struct Candidate {
    id: i64,
    name: String,
    enable_seat: bool,
    progress: Vec<Progress>,
}

/// The selected members of the organization with their progress per program. With
/// `lock`, members and enrollments are locked (in id order, so two bulk actions never
/// deadlock) for the rest of the transaction.
async fn candidates(
    conn: &mut PgConnection,
    organization_id: i64,
    member_ids: &[i64],
    lock: bool,
) -> Result<Vec<Candidate>, AppError> {
    if lock {
        sqlx::query!(
            "SELECT id FROM members
              WHERE id = ANY($2) AND id IN (SELECT id FROM scoped_members($1, NULL))
              ORDER BY id FOR UPDATE",
            organization_id,
            member_ids
        )
        .fetch_all(&mut *conn)
        .await?;
        sqlx::query!(
            "SELECT e.member_id FROM enrollments e
              WHERE e.member_id = ANY($2) AND e.member_id IN (SELECT id FROM scoped_members($1, NULL))
              ORDER BY e.member_id, e.program_id FOR UPDATE OF e",
            organization_id,
            member_ids
        )
        .fetch_all(&mut *conn)
        .await?;
    }
    let rows = sqlx::query!(
        r#"SELECT m.id AS "id!", m.first_name AS "first_name!", m.last_name AS "last_name!",
                  m.enable_seat AS "enable_seat!",
                  coalesce(array_agg(e.progress_basis_points) FILTER (WHERE e.member_id IS NOT NULL), '{}') AS "progress!"
             FROM scoped_members($1, NULL) m LEFT JOIN enrollments e ON e.member_id = m.id
            WHERE m.id = ANY($2)
            GROUP BY m.id, m.first_name, m.last_name, m.enable_seat
            ORDER BY lower(m.last_name), lower(m.first_name), m.id"#,
        organization_id,
        member_ids
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Candidate {
                id: r.id,
                name: format!("{} {}", r.first_name, r.last_name),
                enable_seat: r.enable_seat,
                progress: r
                    .progress
                    .into_iter()
                    .map(|bp| Progress::from_basis_points(bp.into()))
                    .collect::<Result<_, _>>()
                    .map_err(|_| AppError::internal())?,
            })
        })
        .collect()
}
