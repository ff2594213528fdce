//! Creating an organization with its first administrator (command line, demo seed).

use super::audit::{self, Actor};
use super::invitations;
use crate::domain::{Email, OrganizationName, PersonName};
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
    let organization_id = sqlx::query_scalar!(
        "INSERT INTO organizations (name, enable_seats, opportunity_seats) VALUES ($1, $2, $3) RETURNING id",
        new.name.as_str(),
        new.enable_seats,
        new.opportunity_seats,
    )
    .fetch_one(&mut *tx)
    .await?;
    let admin_member_id = sqlx::query_scalar!(
        "INSERT INTO members (organization_id, first_name, last_name, email, permission, enable_seat)
         VALUES ($1, $2, $3, $4, 'admin', $5) RETURNING id",
        organization_id,
        new.admin_first_name.as_str(),
        new.admin_last_name.as_str(),
        new.admin_email.as_str(),
        new.admin_enable_seat,
    )
    .fetch_one(&mut *tx)
    .await?;
    let invitation_token = invitations::issue(&mut tx, admin_member_id, None).await?;
    audit::record(
        &mut tx,
        organization_id,
        Actor::System(actor_label),
        "organization.created",
        Some(admin_member_id),
        serde_json::json!({
            "enable_seats": new.enable_seats,
            "opportunity_seats": new.opportunity_seats,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedOrganization {
        organization_id,
        admin_member_id,
        invitation_token,
    })
}
