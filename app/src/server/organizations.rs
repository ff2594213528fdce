//! Creating an organization with its first administrator (command line, demo seed).

use super::activity::Action;
use super::invite::{invite, Delivery, Logged};
use super::members::lock_organization;
use crate::domain::licenses::Via;
use crate::domain::Access;
use crate::domain::{Email, Invitee, JobTitle, OrganizationName, Permission, PersonName};
use crate::error::AppError;
use sqlx::PgPool;

pub struct NewOrganization {
    pub name: OrganizationName,
    pub enable_seats: i32,
    pub opportunity_seats: i32,
    pub admin_first_name: PersonName,
    pub admin_last_name: PersonName,
    pub admin_email: Email,
    /// Give the first administrator an Enable seat (reports need one, SPEC rule 7).
    pub admin_enable_seat: bool,
}

pub struct CreatedOrganization {
    pub organization_id: i64,
    pub admin_member_id: i64,
    /// The one-time invitation token of the first administrator.
    pub invitation_token: String,
}

pub async fn create(
    pool: &PgPool,
    new: &NewOrganization,
    actor_label: &str,
) -> Result<CreatedOrganization, AppError> {
    if new.enable_seats < 0 || new.opportunity_seats < 0 {
        return Err(AppError::invalid("Seat counts cannot be negative."));
    }
    if new.admin_enable_seat && new.enable_seats == 0 {
        return Err(AppError::invalid(
            "The administrator cannot have an Enable seat: the organization has none. Give it at least one.",
        ));
    }
    let mut tx = pool.begin().await?;
    // The seats bought at creation are the ledger's first lines: who, before the row exists.
    let creator = Access::operator(0, new.name.as_str(), actor_label);
    super::ledger::note(&mut tx, &creator, &Via::CommandLine, None).await?;
    let organization_id = sqlx::query_scalar!(
        "INSERT INTO organizations (name, enable_seats, opportunity_seats) VALUES ($1, $2, $3) RETURNING id",
        new.name.as_str(),
        new.enable_seats,
        new.opportunity_seats,
    )
    .fetch_one(&mut *tx)
    .await?;
    let actor = Access::operator(organization_id, new.name.as_str(), actor_label);
    let organization = lock_organization(&mut tx, &actor, &Via::CommandLine).await?;
    let admin = Invitee {
        external_id: None,
        first_name: new.admin_first_name.clone(),
        last_name: new.admin_last_name.clone(),
        email: new.admin_email.clone(),
        job_title: JobTitle::parse("").map_err(|_| AppError::internal())?,
        permission: Permission::Admin,
        enable_seat: new.admin_enable_seat,
        opportunity_seat: false,
        programs: Vec::new(),
    };
    let logged = Logged::Once {
        action: Action::OrganizationCreated,
        details: serde_json::json!({
            "enable_seats": new.enable_seats,
            "opportunity_seats": new.opportunity_seats,
        }),
        about_first: true,
    };
    // The operator hands the first administrator their link (the command line prints it).
    let invited = invite(
        &mut tx,
        &actor,
        &organization,
        &[admin],
        Delivery::ByHand,
        logged,
    )
    .await?;
    let (Some(&admin_member_id), Some(invitation_token)) = (
        invited.member_ids.first(),
        invited.tokens.into_iter().next(),
    ) else {
        return Err(AppError::internal());
    };
    tx.commit().await?;
    Ok(CreatedOrganization {
        organization_id,
        admin_member_id,
        invitation_token,
    })
}

/// Organizations whose id is `id_or_name`, or whose name is exactly it: their ids and
/// names (several when several share a name).
pub async fn find(pool: &PgPool, id_or_name: &str) -> Result<Vec<(i64, String)>, AppError> {
    let id: Option<i64> = id_or_name.trim().parse().ok();
    Ok(sqlx::query!(
        "SELECT id, name FROM organizations WHERE id = $1 OR name = $2 ORDER BY id",
        id,
        id_or_name
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect())
}
