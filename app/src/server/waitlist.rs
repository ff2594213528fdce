//! The first-come seat waitlist (SPEC §7): a member the identity provider brings, for whom
//! the seat policy asks a seat that is not free, waits for it here; the worker (and a
//! provisioning request that frees one) gives seats to who waits longest as they free,
//! each grant recorded in the license ledger ("from the seat waitlist") and the Activity.

use super::activity::{self, Action};
use super::members::lock_organization;
use super::seat_queue::{decide, enqueue};
use crate::domain::licenses::Via;
use crate::domain::provisioning::{served_from_waitlist, Wants};
use crate::domain::{Access, SeatKind};
use crate::error::AppError;
use sqlx::{PgConnection, PgPool};

/// Creates a member the identity provider brings (SCIM, or a first company sign-in) by the
/// one path that creates members ([`super::invite::invite`]), with the seats the
/// organization's seat policy gives when free; the rest waits on the list. The
/// organization is locked by the caller. Returns the member and what they wait for.
/// `person`'s seats are the policy's to say.
pub(crate) async fn admit(
    conn: &mut PgConnection,
    actor: &Access,
    organization: &super::members::LockedOrganization,
    mut person: crate::domain::Invitee,
    delivery: super::invite::Delivery<'_>,
) -> Result<(i64, Vec<SeatKind>), AppError> {
    let org = actor.organization_id;
    let policy = sqlx::query_scalar!("SELECT seat_policy FROM organizations WHERE id = $1", org)
        .fetch_one(&mut *conn)
        .await?;
    let policy = crate::domain::provisioning::SeatPolicy::parse(&policy)
        .unwrap_or(crate::domain::provisioning::SeatPolicy::None);
    let given = decide(
        &mut *conn,
        org,
        None,
        (false, false),
        policy.wants((false, false)),
    )
    .await?;
    person.enable_seat = given.enable;
    person.opportunity_seat = given.opportunity;
    let invited = super::invite::invite(
        &mut *conn,
        actor,
        organization,
        std::slice::from_ref(&person),
        delivery,
        super::invite::Logged::EachMember,
    )
    .await?;
    let id = invited.member_ids[0];
    enqueue(&mut *conn, org, id, &given.waits).await?;
    if !given.waits.is_empty() {
        let seats: Vec<&str> = given.waits.iter().map(|k| k.key()).collect();
        activity::record(
            &mut *conn,
            actor,
            Action::SeatWaitlisted,
            Some(id),
            serde_json::json!({ "seats": seats }),
        )
        .await?;
    }
    Ok((id, given.waits))
}

/// Asks `wants` for an existing member and gives at once what is free (recorded in the
/// Activity); the rest waits. The organization is locked by the caller.
pub(crate) async fn ask_and_give(
    conn: &mut PgConnection,
    actor: &Access,
    member_id: i64,
    holds: (bool, bool),
    wants: Wants,
) -> Result<super::seat_queue::Given, AppError> {
    let given =
        super::seat_queue::ask(&mut *conn, actor.organization_id, member_id, holds, wants).await?;
    if given.enable || given.opportunity {
        sqlx::query!(
            "UPDATE members SET enable_seat = enable_seat OR $2, opportunity_seat = opportunity_seat OR $3
              WHERE id = $1",
            member_id,
            given.enable,
            given.opportunity
        )
        .execute(&mut *conn)
        .await?;
        for (yes, kind) in [
            (given.enable, SeatKind::Enable),
            (given.opportunity, SeatKind::Opportunity),
        ] {
            if yes {
                activity::record(
                    &mut *conn,
                    actor,
                    Action::SeatGranted,
                    Some(member_id),
                    serde_json::json!({ "seat": kind.key() }),
                )
                .await?;
            }
        }
    }
    if !given.waits.is_empty() {
        let seats: Vec<&str> = given.waits.iter().map(|k| k.key()).collect();
        activity::record(
            &mut *conn,
            actor,
            Action::SeatWaitlisted,
            Some(member_id),
            serde_json::json!({ "seats": seats }),
        )
        .await?;
    }
    Ok(given)
}

/// The label of the waitlist in the Activity and the ledger.
pub const WAITLIST_LABEL: &str = "Roster (seat waitlist)";

/// Gives free seats of one organization to who waits longest, in one transaction under
/// the organization's lock. Returns how many seats were given.
pub async fn serve(pool: &PgPool, organization_id: i64) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    let access = Access::operator(organization_id, "", WAITLIST_LABEL);
    let locked = lock_organization(&mut tx, &access, &Via::Waitlist).await?;
    let mut given = 0;
    for pool_of in [locked.enable, locked.opportunity] {
        let kind = pool_of.kind;
        let waiting: i64 = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM seat_waitlist WHERE organization_id = $1 AND seat = $2"#,
            organization_id,
            kind.key()
        )
        .fetch_one(&mut *tx)
        .await?;
        let take = served_from_waitlist(pool_of.free(), waiting);
        if take == 0 {
            continue;
        }
        // The first `take` entries leave the list and their members get the seat (a
        // member who holds it already — given by hand meanwhile — just leaves the list).
        let served: Vec<i64> = sqlx::query_scalar!(
            "WITH served AS (
                 DELETE FROM seat_waitlist
                  WHERE id IN (SELECT id FROM seat_waitlist
                                WHERE organization_id = $1 AND seat = $2
                                ORDER BY id LIMIT $3)
              RETURNING member_id)
             UPDATE members SET enable_seat = enable_seat OR $2 = 'enable',
                                opportunity_seat = opportunity_seat OR $2 = 'opportunity'
              WHERE id IN (SELECT member_id FROM served)
                AND status <> 'deactivated'
                AND NOT CASE WHEN $2 = 'enable' THEN enable_seat ELSE opportunity_seat END
             RETURNING id",
            organization_id,
            kind.key(),
            take
        )
        .fetch_all(&mut *tx)
        .await?;
        let details: Vec<serde_json::Value> = served
            .iter()
            .map(|_| serde_json::json!({ "seat": kind.key(), "from_waitlist": true }))
            .collect();
        activity::record_many(&mut tx, &access, Action::SeatGranted, &served, &details).await?;
        given += served.len() as i64;
    }
    tx.commit().await?;
    Ok(given)
}

/// Serves every organization that has someone waiting and a seat free for them: a step
/// of the license worker (`licenses::tick`). Returns the seats given.
pub async fn serve_all(pool: &PgPool) -> Result<i64, AppError> {
    let organizations = sqlx::query_scalar!(
        "SELECT DISTINCT w.organization_id FROM seat_waitlist w
           JOIN organizations o ON o.id = w.organization_id
          WHERE (w.seat = 'enable' AND o.enable_seats > o.enable_seats_held)
             OR (w.seat = 'opportunity' AND o.opportunity_seats > o.opportunity_seats_held)"
    )
    .fetch_all(pool)
    .await?;
    let mut given = 0;
    for organization in organizations {
        given += serve(pool, organization).await?;
    }
    Ok(given)
}
