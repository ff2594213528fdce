//! The seat waitlist's queue itself: deciding whether a member who asks for seats gets
//! them now or waits, and putting them on (or taking them off) the list. Below the code
//! that creates, deactivates and reactivates members, which all ask through here; serving
//! the list as seats free is `waitlist`'s.

use crate::domain::provisioning::{seat_outcome, SeatOutcome, Wants};
use crate::domain::SeatKind;
use crate::error::AppError;
use sqlx::PgConnection;

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
