//! Team managers: what each manages (teams and regions), written by administrators and
//! read by the member page. What a manager may then see is decided by `domain::access`
//! and the scope helper (`server::scope`), from the teams the session resolves.

use super::activity::{self, Action};
use crate::domain::access::MAX_MANAGED;
use crate::domain::{Access, Capability, Permission};
use crate::error::AppError;
use crate::model::enrollments::Managed;
use sqlx::PgPool;

/// Sets what manager `member_id` manages: exactly `teams` and `regions` (of the
/// organization; anything else is refused whole). Administrators only.
pub async fn set_scope(
    pool: &PgPool,
    access: &Access,
    member_id: i64,
    teams: &[i64],
    regions: &[i64],
) -> Result<(), AppError> {
    access.may(Capability::ChangeMembers)?;
    if teams.len() + regions.len() > MAX_MANAGED {
        return Err(AppError::invalid(format!(
            "A manager manages at most {MAX_MANAGED} teams and regions: choose regions rather than each of their teams."
        )));
    }
    let mut tx = pool.begin().await?;
    let member = super::members::lock_member(&mut tx, access, member_id).await?;
    if member.permission != Permission::Manager {
        return Err(AppError::invalid(
            "Only team managers manage teams: make this member a team manager first.",
        ));
    }
    super::members::forget_scope(&mut tx, member.id).await?;
    // The composite foreign keys refuse a team or region of another organization.
    let written = sqlx::query!(
        "INSERT INTO manager_scopes (organization_id, member_id, team_id, region_id)
         SELECT $1::bigint, $2::bigint, t, NULL::bigint FROM unnest($3::bigint[]) AS t
          WHERE t IN (SELECT id FROM scoped_teams($1, NULL))
         UNION
         SELECT $1, $2, NULL, r FROM unnest($4::bigint[]) AS r
          WHERE r IN (SELECT id FROM regions WHERE organization_id = $1)",
        access.organization_id,
        member.id,
        teams,
        regions,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // Teams and regions are numbered apart: each list counted on its own.
    let distinct = |ids: &[i64]| {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    if written as usize != distinct(teams) + distinct(regions) {
        return Err(AppError::NotFound(
            "One of these teams or regions no longer exists. Reload the page.".into(),
        ));
    }
    activity::record(
        &mut tx,
        access,
        Action::ScopeChanged,
        Some(member.id),
        serde_json::json!({ "teams": teams, "regions": regions }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What the member page shows of a manager's scope: to administrators every region and
/// team, ticked where managed; to anyone else nothing.
pub async fn for_page(
    pool: &PgPool,
    access: &Access,
    member_id: i64,
) -> Result<Vec<Managed>, AppError> {
    // Only administrators see (and choose) what a manager manages: a manager looking at
    // another would learn the names of teams outside their own scope.
    if access.may(Capability::ChangeMembers).is_err() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        r#"SELECT 'region' AS "kind!", g.id, g.name AS "label!",
                  EXISTS (SELECT 1 FROM manager_scopes s WHERE s.member_id = $2 AND s.region_id = g.id) AS "managed!",
                  lower(g.name) AS "sort!"
             FROM regions g WHERE g.organization_id = $1
           UNION ALL
           SELECT 'team', t.id, r.name || ' / ' || t.name,
                  EXISTS (SELECT 1 FROM manager_scopes s WHERE s.member_id = $2 AND s.team_id = t.id),
                  lower(r.name) || ' / ' || lower(t.name)
             FROM scoped_teams($1, NULL) t JOIN regions r ON r.id = t.region_id
            ORDER BY 1, 5"#,
        access.organization_id,
        member_id,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Managed {
                kind: r.kind,
                id: r.id?,
                label: r.label,
                managed: r.managed,
            })
        })
        .collect())
}

/// The ids of teams named "Region / Team" and of regions named by name (case ignored), or
/// an error naming what the organization does not have.
pub async fn named(
    pool: &PgPool,
    access: &Access,
    teams: &[String],
    regions: &[String],
) -> Result<(Vec<i64>, Vec<i64>), AppError> {
    access.may(Capability::ChangeMembers)?;
    let rows = sqlx::query!(
        r#"SELECT t.id AS "team!", r.id AS "region!", r.name AS "region_name!", t.name AS "team_name!"
             FROM scoped_teams($1, NULL) t JOIN regions r ON r.id = t.region_id"#,
        access.organization_id
    )
    .fetch_all(pool)
    .await?;
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    let mut team_ids = Vec::new();
    for wanted in teams {
        let (region, team) = wanted.split_once('/').unwrap_or(("", wanted));
        let found = rows
            .iter()
            .find(|r| same(&r.region_name, region) && same(&r.team_name, team))
            .ok_or_else(|| {
                AppError::invalid(format!(
                    "There is no team \u{201c}{wanted}\u{201d}: name it as \u{201c}Region / Team\u{201d}, as Teams & Regions shows it."
                ))
            })?;
        team_ids.push(found.team);
    }
    let all_regions = sqlx::query!(
        "SELECT id, name FROM regions WHERE organization_id = $1",
        access.organization_id
    )
    .fetch_all(pool)
    .await?;
    let mut region_ids = Vec::new();
    for wanted in regions {
        let found = all_regions
            .iter()
            .find(|r| same(&r.name, wanted))
            .ok_or_else(|| {
                AppError::invalid(format!("There is no region \u{201c}{wanted}\u{201d}."))
            })?;
        region_ids.push(found.id);
    }
    Ok((team_ids, region_ids))
}
