//! The first-come seat waitlist (SPEC §7): a member the identity provider brings, for whom
//! the seat policy asks a seat that is not free, waits for it here; the worker (and a
//! provisioning request that frees one) gives seats to who waits longest as they free,
//! each grant recorded in the license ledger ("from the seat waitlist") and the Activity.

use super::activity::{self, Action};
use super::members::lock_organization;
use crate::domain::licenses::Via;
use crate::domain::provisioning::{seat_outcome, served_from_waitlist, SeatOutcome, Wants};
use crate::domain::{Access, SeatKind};
use crate::error::AppError;
use sqlx::{PgConnection, PgPool};

/// What asking gave: the seats to give now, and those put on the waitlist.
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub enable: bool,
    pub opportunity: bool,
    pub waits: Vec<SeatKind>,
}

/// Decides, with the member's organization locked by the caller, which of the seats in
/// `wants` a member gets now and which they wait for; puts the latter on the waitlist. The
/// caller gives the former (with the member's creation or reactivation). `holds`: the
/// seats the member holds already (Enable, Opportunity). Free seats are read here, not
/// from the lock's snapshot: one transaction may ask for many members.
pub(crate) async fn ask(
    conn: &mut PgConnection,
    organization_id: i64,
    member_id: i64,
    holds: (bool, bool),
    wants: Wants,
) -> Result<Given, AppError> {
    let given = decide(&mut *conn, organization_id, Some(member_id), holds, wants).await?;
    enqueue(conn, organization_id, member_id, &given.waits).await?;
    Ok(given)
}

/// [`ask`] without putting anyone on the list: for a member about to be created
/// (`member_id` `None`), who is put on it by [`enqueue`] once they exist.
pub(crate) async fn decide(
    conn: &mut PgConnection,
    organization_id: i64,
    member_id: Option<i64>,
    holds: (bool, bool),
    wants: Wants,
) -> Result<Given, AppError> {
    let member_id = member_id.unwrap_or(0);
    if !wants.enable && !wants.opportunity {
        return Ok(Given::default());
    }
    let row = sqlx::query!(
        r#"SELECT enable_seats - enable_seats_held AS "enable_free!",
                  opportunity_seats - opportunity_seats_held AS "opportunity_free!",
                  EXISTS (SELECT 1 FROM seat_waitlist w WHERE w.organization_id = o.id
                             AND w.seat = 'enable' AND w.member_id <> $2) AS "enable_waiting!",
                  EXISTS (SELECT 1 FROM seat_waitlist w WHERE w.organization_id = o.id
                             AND w.seat = 'opportunity' AND w.member_id <> $2) AS "opportunity_waiting!"
             FROM organizations o WHERE o.id = $1"#,
        organization_id,
        member_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let enable = seat_outcome(
        wants.enable,
        holds.0,
        row.enable_free.into(),
        row.enable_waiting as i64,
    );
    let opportunity = seat_outcome(
        wants.opportunity,
        holds.1,
        row.opportunity_free.into(),
        row.opportunity_waiting as i64,
    );
    let mut given = Given {
        enable: enable == SeatOutcome::Given,
        opportunity: opportunity == SeatOutcome::Given,
        waits: Vec::new(),
    };
    for (outcome, kind) in [
        (enable, SeatKind::Enable),
        (opportunity, SeatKind::Opportunity),
    ] {
        if outcome == SeatOutcome::Waits {
            given.waits.push(kind);
        }
    }
    Ok(given)
}

/// Puts a member on the waitlist for `waits`, behind everyone already on it.
pub(crate) async fn enqueue(
    conn: &mut PgConnection,
    organization_id: i64,
    member_id: i64,
    waits: &[SeatKind],
) -> Result<(), AppError> {
    if waits.is_empty() {
        return Ok(());
    }
    let seats: Vec<&str> = waits.iter().map(|k| k.key()).collect();
    sqlx::query!(
        "INSERT INTO seat_waitlist (organization_id, member_id, seat)
         SELECT $1, $2, seat FROM UNNEST($3::text[]) AS s(seat)
         ON CONFLICT (member_id, seat) DO NOTHING",
        organization_id,
        member_id,
        &seats as &[&str]
    )
    .execute(conn)
    .await?;
    Ok(())
}

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
) -> Result<Given, AppError> {
    let given = ask(&mut *conn, actor.organization_id, member_id, holds, wants).await?;
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

/// Takes a member off the waitlist for seats they no longer ask for (left the group that
/// granted it; the policy changed).
pub(crate) async fn withdraw(
    conn: &mut PgConnection,
    member_id: i64,
    still_wants: Wants,
) -> Result<(), AppError> {
    sqlx::query!(
        "DELETE FROM seat_waitlist
          WHERE member_id = $1 AND ((seat = 'enable' AND NOT $2) OR (seat = 'opportunity' AND NOT $3))",
        member_id,
        still_wants.enable,
        still_wants.opportunity
    )
    .execute(conn)
    .await?;
    Ok(())
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
