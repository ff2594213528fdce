//! Member mutations. Each runs in one transaction that first locks the organization row:
//! seat counts, the last-administrator rule and the member's own state are read under
//! that lock, so concurrent requests (two admins, two tabs) are decided one after another.

use super::activity::{self, Action};
use super::invitations::{self, Recipient};
use super::RuntimeConfig;
use crate::domain::licenses::Via;
use crate::domain::rules::{self, DeactivationOutcome};
use crate::domain::webhooks::EventType;
use crate::domain::Access;
use crate::domain::Capability;
use crate::domain::{MemberStatus, Permission, Progress, SeatKind, SeatPool};
use crate::error::AppError;
use crate::model::member_list::MemberFilter;
use sqlx::{PgConnection, PgPool};

/// The caller's organization, locked for the rest of the transaction: seat counts read
/// under this lock hold until commit.
pub struct LockedOrganization {
    pub name: String,
    pub enable: SeatPool,
    pub opportunity: SeatPool,
}

/// Locks the caller's organization row for the rest of the transaction, and tells the
/// license ledger who acts and how (every seat change happens under this lock).
pub async fn lock_organization(
    conn: &mut PgConnection,
    access: &Access,
    via: &Via,
) -> Result<LockedOrganization, AppError> {
    let [via, actor, member, detail, at] = super::ledger::context(access, via, None);
    let row = sqlx::query!(
        "SELECT name, enable_seats, opportunity_seats, enable_seats_held, opportunity_seats_held,
                ledger_note($2, $3, $4, $5, $6)::text
           FROM organizations WHERE id = $1 FOR UPDATE",
        access.organization_id,
        via,
        actor,
        member,
        detail,
        at
    )
    .fetch_one(conn)
    .await?;
    Ok(LockedOrganization {
        name: row.name,
        enable: SeatPool::new(SeatKind::Enable, row.enable_seats, row.enable_seats_held),
        opportunity: SeatPool::new(
            SeatKind::Opportunity,
            row.opportunity_seats,
            row.opportunity_seats_held,
        ),
    })
}

/// A member of the caller's organization, locked for the transaction.
pub(crate) struct LockedMember {
    pub(crate) id: i64,
    pub(crate) email: String,
    pub(crate) first_name: String,
    pub(crate) permission: Permission,
    pub(crate) status: MemberStatus,
    pub(crate) enable_seat: bool,
    pub(crate) opportunity_seat: bool,
    pub(crate) restore_enable_seat: bool,
    pub(crate) restore_opportunity_seat: bool,
    pub(crate) has_password: bool,
}

pub(crate) async fn lock_member(
    conn: &mut PgConnection,
    access: &Access,
    member_id: i64,
) -> Result<LockedMember, AppError> {
    // The row itself is locked (a function's rows cannot be), if the scope holds it.
    let row = sqlx::query!(
        r#"SELECT id, email, first_name, permission, status, enable_seat, opportunity_seat,
                  restore_enable_seat, restore_opportunity_seat, password_hash IS NOT NULL AS "has_password!"
             FROM members WHERE id = $1 AND id IN (SELECT id FROM scoped_members($2, $3)) FOR UPDATE"#,
        member_id,
        access.organization_id,
        super::scope::teams(access) as Option<Vec<i64>>,
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(AppError::member_not_found)?;
    Ok(LockedMember {
        id: row.id,
        email: row.email,
        first_name: row.first_name,
        permission: Permission::parse(&row.permission).map_err(|_| AppError::internal())?,
        status: MemberStatus::parse(&row.status).map_err(|_| AppError::internal())?,
        enable_seat: row.enable_seat,
        opportunity_seat: row.opportunity_seat,
        restore_enable_seat: row.restore_enable_seat,
        restore_opportunity_seat: row.restore_opportunity_seat,
        has_password: row.has_password,
    })
}

/// The member's progress on each program, locked: a concurrent progress update waits
/// until this transaction has decided (an unassign never frees a license that a
/// racing update just made used).
pub(crate) async fn program_progress(
    conn: &mut PgConnection,
    member_id: i64,
) -> Result<Vec<Progress>, AppError> {
    sqlx::query_scalar!(
        "SELECT progress_basis_points FROM enrollments WHERE member_id = $1 FOR UPDATE",
        member_id
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|bp| Progress::from_basis_points(bp.into()).map_err(|_| AppError::internal()))
    .collect()
}

async fn active_admins(conn: &mut PgConnection, organization_id: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM scoped_members($1, NULL) WHERE status = 'active' AND permission = 'admin'"#,
        organization_id
    )
    .fetch_one(conn)
    .await?)
}

/// What deactivating (or revoking) this member would do to their seats, for the
/// confirmation dialog. Read without locks: the mutation decides again.
pub async fn deactivation_preview(
    pool: &PgPool,
    access: &Access,
    member_id: i64,
) -> Result<DeactivationOutcome, AppError> {
    access.may(Capability::ChangeMembers)?;
    let mut conn = pool.acquire().await?;
    let member = member_row(&mut conn, access.organization_id, member_id).await?;
    let progress = program_progress(&mut conn, member_id).await?;
    Ok(rules::deactivation_outcome(member.0, member.1, &progress))
}

async fn member_row(
    conn: &mut PgConnection,
    organization_id: i64,
    member_id: i64,
) -> Result<(bool, bool), AppError> {
    sqlx::query!(
        r#"SELECT enable_seat AS "enable_seat!", opportunity_seat AS "opportunity_seat!"
             FROM scoped_members($2, NULL) WHERE id = $1"#,
        member_id,
        organization_id
    )
    .fetch_optional(conn)
    .await?
    .map(|r| (r.enable_seat, r.opportunity_seat))
    .ok_or_else(AppError::member_not_found)
}

/// Deactivates an active member or revokes an invitation (SPEC rule 5): sign-in is
/// blocked and sessions end at once, the Opportunity seat is released, and the Enable
/// seat (with its programs) unless its license is used. Returns what happened to seats.
pub async fn deactivate(
    pool: &PgPool,
    access: &Access,
    member_id: i64,
) -> Result<DeactivationOutcome, AppError> {
    access.may(Capability::ChangeMembers)?;
    let mut tx = pool.begin().await?;
    lock_organization(&mut tx, access, &super::ledger::via_of(access)).await?;
    let member = lock_member(&mut tx, access, member_id).await?;
    let outcome = deactivate_locked(&mut tx, access, &member, None).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Deactivates `member` (locked, with their organization) in the caller's transaction:
/// the one way a member is deactivated, by the member list or by a file (`file` names it
/// in the activity entry).
pub(crate) async fn deactivate_locked(
    tx: &mut PgConnection,
    actor: &Access,
    member: &LockedMember,
    file: Option<&str>,
) -> Result<DeactivationOutcome, AppError> {
    let org = actor.organization_id;
    if !member.status.may_become(MemberStatus::Deactivated) {
        return Err(AppError::invalid("This member is already inactive."));
    }
    let admins = active_admins(&mut *tx, org).await?;
    rules::may_stop_being_active_admin(member.status, member.permission, admins)?;
    let progress = program_progress(&mut *tx, member.id).await?;
    let outcome =
        rules::deactivation_outcome(member.enable_seat, member.opportunity_seat, &progress);
    if outcome.releases_enable {
        // All below 10 %: the programs go with the seat (SPEC rule 3).
        sqlx::query!("DELETE FROM enrollments WHERE member_id = $1", member.id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query!(
        "UPDATE members
            SET status = 'deactivated', deactivated_at = now(), deactivate_on = NULL,
                restore_enable_seat = enable_seat, restore_opportunity_seat = opportunity_seat,
                enable_seat = enable_seat AND NOT $2, opportunity_seat = false
          WHERE id = $1",
        member.id,
        outcome.releases_enable,
    )
    .execute(&mut *tx)
    .await?;
    // Open sessions end now; a revoked invitation link stops working; an inactive member
    // waits for no seat.
    sqlx::query!("DELETE FROM sessions WHERE member_id = $1", member.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!("DELETE FROM seat_waitlist WHERE member_id = $1", member.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "DELETE FROM invitations WHERE member_id = $1 AND accepted_at IS NULL",
        member.id
    )
    .execute(&mut *tx)
    .await?;
    let action = if member.status == MemberStatus::Invited {
        Action::InvitationRevoked
    } else {
        Action::MemberDeactivated
    };
    activity::record(
        &mut *tx,
        actor,
        action,
        Some(member.id),
        serde_json::json!({
            "released_enable_seat": outcome.releases_enable,
            "kept_used_enable_seat": outcome.keeps_used_enable,
            "released_opportunity_seat": outcome.releases_opportunity,
            "file": file,
        }),
    )
    .await?;
    super::webhooks::emit_for_members(
        &mut *tx,
        org,
        EventType::MemberDeactivated,
        &[member.id],
        serde_json::json!({ "released_enable_seat": outcome.releases_enable, "revoked_invitation": member.status == MemberStatus::Invited }),
    )
    .await?;
    Ok(outcome)
}

/// Reactivates a deactivated member, asking again for the seats they held. Someone who
/// never finished account setup (a revoked invitation) is invited again instead.
pub async fn reactivate(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    member_id: i64,
) -> Result<MemberStatus, AppError> {
    access.may(Capability::ChangeMembers)?;
    let mut tx = pool.begin().await?;
    let locked = lock_organization(&mut tx, access, &super::ledger::via_of(access)).await?;
    let member = lock_member(&mut tx, access, member_id).await?;
    let (new_status, _) =
        reactivate_locked(&mut tx, config, access, &locked, &member, WhenShort::Refuse).await?;
    tx.commit().await?;
    Ok(new_status)
}

/// What a reactivation does when a seat the member held is not free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WhenShort {
    /// Refuse, saying which seat (a person on a page can free one and try again).
    Refuse,
    /// Come back without it and wait for it on the seat waitlist (the identity provider,
    /// which must never be refused for lack of seats).
    Wait,
}

/// Reactivates `member` (locked, with `locked`, their organization) in the caller's
/// transaction: the one way a member comes back, from the member list, a file's undo or
/// the identity provider. Returns the new status and the seats put on the waitlist.
pub(crate) async fn reactivate_locked(
    tx: &mut PgConnection,
    config: &RuntimeConfig,
    actor: &Access,
    locked: &LockedOrganization,
    member: &LockedMember,
    short: WhenShort,
) -> Result<(MemberStatus, Vec<SeatKind>), AppError> {
    if member.status != MemberStatus::Deactivated {
        return Err(AppError::invalid("This member is not inactive."));
    }
    let mut wants_enable = member.restore_enable_seat && !member.enable_seat;
    let mut wants_opportunity = member.restore_opportunity_seat;
    let mut waits = Vec::new();
    if short == WhenShort::Wait {
        let wants = crate::domain::provisioning::Wants {
            enable: wants_enable,
            opportunity: wants_opportunity,
        };
        let given = super::seat_queue::ask(
            &mut *tx,
            actor.organization_id,
            member.id,
            (member.enable_seat, false),
            wants,
        )
        .await?;
        wants_enable = given.enable;
        wants_opportunity = given.opportunity;
        waits = given.waits;
    }
    let shortage = |e: crate::domain::SeatShortage| {
        AppError::invalid(format!(
            "{} needs the {} seat they held, and none is free. Free a seat or buy more, then try again.",
            member.email,
            e.kind.label()
        ))
    };
    locked
        .enable
        .check_request(wants_enable as i64)
        .map_err(shortage)?;
    locked
        .opportunity
        .check_request(wants_opportunity as i64)
        .map_err(shortage)?;
    let new_status = if member.has_password {
        MemberStatus::Active
    } else {
        MemberStatus::Invited
    };
    sqlx::query!(
        "UPDATE members
            SET status = $2, deactivated_at = NULL,
                enable_seat = enable_seat OR $3, opportunity_seat = $4,
                restore_enable_seat = false, restore_opportunity_seat = false
          WHERE id = $1",
        member.id,
        new_status.as_str(),
        wants_enable,
        wants_opportunity,
    )
    .execute(&mut *tx)
    .await?;
    if new_status == MemberStatus::Invited {
        let recipient = Recipient {
            member_id: member.id,
            email: &member.email,
            first_name: &member.first_name,
        };
        invitations::send(
            &mut *tx,
            config,
            actor,
            &locked.name,
            &[recipient],
            invitations::Issue::Again,
        )
        .await?;
    }
    let waiting: Vec<&str> = waits.iter().map(|k| k.key()).collect();
    activity::record(
        &mut *tx,
        actor,
        Action::MemberReactivated,
        Some(member.id),
        serde_json::json!({ "enable_seat": wants_enable, "opportunity_seat": wants_opportunity, "status": new_status.as_str(), "waiting_for": waiting }),
    )
    .await?;
    if new_status == MemberStatus::Active {
        super::webhooks::emit_for_members(
            &mut *tx,
            actor.organization_id,
            EventType::MemberActivated,
            &[member.id],
            serde_json::json!({ "reactivated": true }),
        )
        .await?;
    }
    Ok((new_status, waits))
}

/// Sends an invited member a new link; the old one stops working.
pub async fn resend_invitation(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    member_id: i64,
) -> Result<(), AppError> {
    access.may(Capability::ResendInvitations)?;
    // One member named: outside the scope of who asks, it does not exist.
    if super::member_list::selection(pool, access, vec![member_id], None)
        .await?
        .is_empty()
    {
        return Err(AppError::member_not_found());
    }
    match resend_many(pool, config, access, &[member_id], None).await? {
        0 => Err(AppError::invalid(
            "Only invited members who have not set a password yet can be sent a new invitation.",
        )),
        _ => Ok(()),
    }
}

/// Invitation emails one member may be sent in a day (the first and its resends): a
/// person who has not found three is helped by a corrected address, not a fourth.
pub const INVITATIONS_PER_MEMBER_PER_DAY: i64 = 3;

/// Sends a new invitation to every invited member among `member_ids` (or among all that
/// match `filter`); others are skipped. Returns how many were sent.
pub async fn resend_many(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    member_ids: &[i64],
    filter: Option<&MemberFilter>,
) -> Result<usize, AppError> {
    access.may(Capability::ResendInvitations)?;
    let org = access.organization_id;
    let mut tx = pool.begin().await?;
    let locked = lock_organization(&mut tx, access, &super::ledger::via_of(access)).await?;
    let candidates = match filter {
        Some(filter) => super::member_list::matching_ids(&mut tx, access, filter).await?,
        None => member_ids.to_vec(),
    };
    // Locked rows are read from the table itself (a function's rows cannot be locked),
    // among those the scope holds.
    let invited = sqlx::query!(
        r#"SELECT id, email, first_name, restore_enable_seat, restore_opportunity_seat,
                  (SELECT count(*) FROM email_outbox o
                    WHERE o.member_id = members.id AND o.kind = 'invitation'
                      AND o.created_at > now() - interval '1 day') AS "sent_today!"
             FROM members
            WHERE id IN (SELECT id FROM scoped_members($1, $3)) AND id = ANY($2) AND status = 'invited'
            ORDER BY id FOR UPDATE"#,
        org,
        &candidates,
        super::scope::teams(access) as Option<Vec<i64>>,
    )
    .fetch_all(&mut *tx)
    .await?;
    // Members sent as many as a day allows are left out; alone, they are told why.
    let (invited, too_often): (Vec<_>, Vec<_>) = invited
        .into_iter()
        .partition(|m| m.sent_today < INVITATIONS_PER_MEMBER_PER_DAY);
    if invited.is_empty() && !too_often.is_empty() {
        return Err(AppError::TooManyRequests(format!(
            "{} was sent {INVITATIONS_PER_MEMBER_PER_DAY} invitation emails in the last 24 hours, the most a day allows. Check the address (and ask them to look in their spam folder), then resend tomorrow.",
            if too_often.len() == 1 { too_often[0].email.as_str() } else { "Each of these members" }
        )));
    }
    let ids: Vec<i64> = invited.iter().map(|m| m.id).collect();
    // An invitation that expired gave its seats back: the new one asks for them again.
    let wants = |kind: SeatKind| {
        invited
            .iter()
            .filter(|m| match kind {
                SeatKind::Enable => m.restore_enable_seat,
                SeatKind::Opportunity => m.restore_opportunity_seat,
            })
            .count() as i64
    };
    for (pool_of, kind) in [
        (&locked.enable, SeatKind::Enable),
        (&locked.opportunity, SeatKind::Opportunity),
    ] {
        pool_of.check_request(wants(kind)).map_err(|short| {
            AppError::invalid(format!(
                "The invitation{} expired and gave back {} {} seat{}, and only {} {} free. Free seats or buy more, then resend.",
                if ids.len() == 1 { "" } else { "s" },
                wants(kind),
                kind.label(),
                if wants(kind) == 1 { "" } else { "s" },
                short.free,
                if short.free == 1 { "is" } else { "are" },
            ))
        })?;
    }
    sqlx::query!(
        "UPDATE members
            SET enable_seat = enable_seat OR restore_enable_seat,
                opportunity_seat = opportunity_seat OR restore_opportunity_seat,
                restore_enable_seat = false, restore_opportunity_seat = false
          WHERE id = ANY($1) AND (restore_enable_seat OR restore_opportunity_seat)",
        &ids
    )
    .execute(&mut *tx)
    .await?;
    let recipients: Vec<Recipient> = invited
        .iter()
        .map(|m| Recipient {
            member_id: m.id,
            email: &m.email,
            first_name: &m.first_name,
        })
        .collect();
    invitations::send(
        &mut tx,
        config,
        access,
        &locked.name,
        &recipients,
        invitations::Issue::Again,
    )
    .await?;
    let details = vec![serde_json::json!({}); ids.len()];
    activity::record_many(&mut tx, access, Action::InvitationResent, &ids, &details).await?;
    tx.commit().await?;
    Ok(ids.len())
}

/// Forgets what a member managed (they are no longer a manager).
pub(crate) async fn forget_scope(conn: &mut PgConnection, member_id: i64) -> Result<(), AppError> {
    sqlx::query!("DELETE FROM manager_scopes WHERE member_id = $1", member_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// An administrator sends a member of their organization a reset link (recorded in
/// Activity). Only active members: an invited one needs their invitation resent.
pub async fn send_password_reset(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    member_id: i64,
) -> Result<(), AppError> {
    access.may(Capability::ChangeMembers)?;
    let mut tx = pool.begin().await?;
    let member = lock_member(&mut tx, access, member_id).await?;
    crate::domain::rules::may_send_password_reset(member.status)?;
    super::passwords::issue(
        &mut tx,
        config,
        super::passwords::Target {
            member_id: member.id,
            organization_id: access.organization_id,
            organization: &access.organization_name,
            first_name: &member.first_name,
            email: &member.email,
        },
        Some(access),
    )
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::PasswordResetSent,
        Some(member.id),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The member of the caller's scope with this address, if any.
pub async fn find_by_email(
    pool: &PgPool,
    access: &Access,
    email: &str,
) -> Result<Option<i64>, AppError> {
    access.may(Capability::SeeMembers)?;
    Ok(sqlx::query_scalar!(
        "SELECT id FROM scoped_members($1, $2) WHERE email_key(email) = email_key($3)",
        access.organization_id,
        super::scope::teams(access) as Option<Vec<i64>>,
        email.trim()
    )
    .fetch_optional(pool)
    .await?
    .flatten())
}

/// The most members one scheduling names (a bulk action on a selection).
pub const MAX_SCHEDULED_AT_ONCE: usize = 100_000;

/// Schedules the deactivation of `member_ids` on `on` (`None`: cancels it), recorded in
/// Activity. Who is inactive already is skipped. The worker carries it out on that day
/// with the rules of a deactivation by hand (`licenses::carry_out_deactivations`).
pub async fn schedule_deactivation(
    pool: &PgPool,
    access: &Access,
    member_ids: &[i64],
    on: Option<time::Date>,
) -> Result<usize, AppError> {
    access.may(Capability::ChangeMembers)?;
    if member_ids.len() > MAX_SCHEDULED_AT_ONCE {
        return Err(AppError::invalid(format!(
            "Schedule at most {MAX_SCHEDULED_AT_ONCE} members at once."
        )));
    }
    let today = time::OffsetDateTime::now_utc().date().to_string();
    if let Some(day) = on {
        // The file's rule, for every member alike (their status is looked at below).
        crate::domain::licenses::may_schedule_deactivation(
            MemberStatus::Active,
            &day.to_string(),
            &today,
        )
        .map_err(|e| AppError::field("deactivate_on", e.0))?;
    }
    let mut tx = pool.begin().await?;
    let changed = sqlx::query_scalar!(
        "UPDATE members SET deactivate_on = $3
          WHERE id IN (SELECT id FROM scoped_members($1, $4)) AND id = ANY($2)
            AND status <> 'deactivated' AND deactivate_on IS DISTINCT FROM $3
        RETURNING id",
        access.organization_id,
        member_ids,
        on,
        super::scope::teams(access) as Option<Vec<i64>>,
    )
    .fetch_all(&mut *tx)
    .await?;
    let (action, details) = match on {
        Some(day) => (
            Action::DeactivationScheduled,
            serde_json::json!({ "on": day.to_string() }),
        ),
        None => (Action::DeactivationUnscheduled, serde_json::json!({})),
    };
    let details = vec![details; changed.len()];
    activity::record_many(&mut tx, access, action, &changed, &details).await?;
    tx.commit().await?;
    Ok(changed.len())
}
