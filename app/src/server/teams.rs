//! Regions and teams (SPEC rule 8): create, rename, delete, and assign members.
//!
//! Races are left to row locks and foreign keys: assigning members to a team first locks
//! the team row `FOR SHARE`, so a concurrent delete waits until the assignment commits
//! (and then unassigns those members too, by `ON DELETE SET NULL`), or the assignment
//! waits for the delete and finds the team gone. A region's teams reference it with
//! `ON DELETE RESTRICT`, so a region never loses a team it still has.

use super::activity::{self, Action};
use crate::domain::Access;
use crate::domain::Capability;
use crate::domain::GroupName;
use crate::error::AppError;
use crate::model::teams::{RegionView, TeamView, TeamsOverview};
use sqlx::PgPool;

pub(crate) fn team_gone() -> AppError {
    AppError::NotFound("This team no longer exists: it was just deleted. Reload the page.".into())
}

fn region_gone() -> AppError {
    AppError::NotFound("This region no longer exists. Reload the page.".into())
}

fn name(raw: &str, label: &str) -> Result<GroupName, AppError> {
    GroupName::parse(raw, label).map_err(|e| AppError::field("name", e.0))
}

/// Regions with their teams and member counts, and how many members have no team.
pub async fn overview(pool: &PgPool, access: &Access) -> Result<TeamsOverview, AppError> {
    access.may(Capability::ManageOrganization)?;
    let org = access.organization_id;
    let rows = sqlx::query!(
        r#"SELECT r.id AS region_id, r.name AS region_name, t.id AS "team_id?", t.name AS "team_name?",
                  (SELECT count(*) FROM members m WHERE m.team_id = t.id) AS "members!"
             FROM regions r LEFT JOIN teams t ON t.region_id = r.id
            WHERE r.organization_id = $1
            ORDER BY lower(r.name), r.id, lower(t.name), t.id"#,
        org
    )
    .fetch_all(pool)
    .await?;
    let mut regions: Vec<RegionView> = Vec::new();
    for r in rows {
        if regions.last().map(|last| last.id) != Some(r.region_id) {
            regions.push(RegionView {
                id: r.region_id,
                name: r.region_name.clone(),
                members: 0,
                teams: Vec::new(),
            });
        }
        let region = regions.last_mut().ok_or_else(AppError::internal)?;
        if let (Some(id), Some(name)) = (r.team_id, r.team_name) {
            region.members += r.members;
            region.teams.push(TeamView {
                id,
                name,
                members: r.members,
            });
        }
    }
    let without_team = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM members WHERE organization_id = $1 AND team_id IS NULL"#,
        org
    )
    .fetch_one(pool)
    .await?;
    let managers_may_invite = sqlx::query_scalar!(
        "SELECT managers_may_invite FROM organizations WHERE id = $1",
        org
    )
    .fetch_one(pool)
    .await?;
    Ok(TeamsOverview {
        regions,
        without_team,
        managers_may_invite,
    })
}

/// The organization's setting: team managers may invite members into their teams.
pub async fn set_managers_may_invite(
    pool: &PgPool,
    access: &Access,
    allowed: bool,
) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE organizations SET managers_may_invite = $2 WHERE id = $1",
        access.organization_id,
        allowed
    )
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::SettingChanged,
        None,
        serde_json::json!({ "managers_may_invite": allowed }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_region(pool: &PgPool, access: &Access, raw: &str) -> Result<i64, AppError> {
    access.may(Capability::ManageOrganization)?;
    let name = name(raw, "region name")?;
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO regions (organization_id, name) VALUES ($1, $2) RETURNING id",
        access.organization_id,
        name.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::RegionCreated,
        None,
        serde_json::json!({ "region": name.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn rename_region(
    pool: &PgPool,
    access: &Access,
    id: i64,
    raw: &str,
) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let name = name(raw, "region name")?;
    let mut tx = pool.begin().await?;
    let old = sqlx::query_scalar!(
        "SELECT name FROM regions WHERE id = $1 AND organization_id = $2 FOR UPDATE",
        id,
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(region_gone)?;
    sqlx::query!(
        "UPDATE regions SET name = $2 WHERE id = $1",
        id,
        name.as_str()
    )
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::RegionRenamed,
        None,
        serde_json::json!({ "region": format!("{old} → {name}") }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a region that has no teams; one that has teams is refused with what to do.
pub async fn delete_region(pool: &PgPool, access: &Access, id: i64) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let mut tx = pool.begin().await?;
    let region = sqlx::query!(
        r#"SELECT name, (SELECT count(*) FROM teams t WHERE t.region_id = r.id) AS "teams!"
             FROM regions r WHERE id = $1 AND organization_id = $2 FOR UPDATE"#,
        id,
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(region_gone)?;
    if region.teams > 0 {
        return Err(AppError::invalid(format!(
            "{} has {} team{}: delete {} first, then the region.",
            region.name,
            region.teams,
            if region.teams == 1 { "" } else { "s" },
            if region.teams == 1 { "it" } else { "them" },
        )));
    }
    // A team added meanwhile makes this fail on `teams_region_fk` (ON DELETE RESTRICT).
    sqlx::query!("DELETE FROM regions WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    activity::record(
        &mut tx,
        access,
        Action::RegionDeleted,
        None,
        serde_json::json!({ "region": region.name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_team(
    pool: &PgPool,
    access: &Access,
    region_id: i64,
    raw: &str,
) -> Result<i64, AppError> {
    access.may(Capability::ManageOrganization)?;
    let name = name(raw, "team name")?;
    let mut tx = pool.begin().await?;
    // The region must be this organization's; lock it so a concurrent delete waits.
    let region = sqlx::query_scalar!(
        "SELECT name FROM regions WHERE id = $1 AND organization_id = $2 FOR SHARE",
        region_id,
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(region_gone)?;
    let id = sqlx::query_scalar!(
        "INSERT INTO teams (organization_id, region_id, name) VALUES ($1, $2, $3) RETURNING id",
        access.organization_id,
        region_id,
        name.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::TeamCreated,
        None,
        serde_json::json!({ "team": format!("{region} / {name}") }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn rename_team(
    pool: &PgPool,
    access: &Access,
    id: i64,
    raw: &str,
) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let name = name(raw, "team name")?;
    let mut tx = pool.begin().await?;
    let old = sqlx::query_scalar!(
        "SELECT name FROM teams WHERE id = $1 AND organization_id = $2 FOR UPDATE",
        id,
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(team_gone)?;
    sqlx::query!(
        "UPDATE teams SET name = $2 WHERE id = $1",
        id,
        name.as_str()
    )
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::TeamRenamed,
        None,
        serde_json::json!({ "team": format!("{old} → {name}") }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a team; its members become unassigned (the foreign key sets `team_id` NULL).
/// Returns how many members it had.
pub async fn delete_team(pool: &PgPool, access: &Access, id: i64) -> Result<i64, AppError> {
    access.may(Capability::ManageOrganization)?;
    let mut tx = pool.begin().await?;
    // Locks the team row: an assignment to it in flight finishes first.
    let team = sqlx::query!(
        "SELECT name FROM teams WHERE id = $1 AND organization_id = $2 FOR UPDATE",
        id,
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(team_gone)?;
    let members = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM members WHERE team_id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM teams WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    activity::record(
        &mut tx,
        access,
        Action::TeamDeleted,
        None,
        serde_json::json!({ "team": team.name, "members_unassigned": members }),
    )
    .await?;
    tx.commit().await?;
    Ok(members)
}
