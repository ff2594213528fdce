//! The Identity page's reads and settings: the seat policy for provisioned members, the
//! seats a team grants its group's members, and the seat waitlist.

use super::activity::{self, Action};
use super::RuntimeConfig;
use crate::domain::provisioning::SeatPolicy;
use crate::domain::{Access, Capability};
use crate::error::AppError;
use crate::model::identity::{IdentityOverview, ProvisionedGroup, Waiting, WAITLIST_SHOWN};
use sqlx::PgPool;

pub async fn overview(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
) -> Result<IdentityOverview, AppError> {
    access.may(Capability::ManageOrganization)?;
    let org = access.organization_id;
    let policy = sqlx::query_scalar!("SELECT seat_policy FROM organizations WHERE id = $1", org)
        .fetch_one(pool)
        .await?;
    let tokens = sqlx::query_scalar!(
        r#"SELECT name || ' (' || prefix || '…)' AS "token!" FROM api_keys
            WHERE organization_id = $1 AND revoked_at IS NULL AND scopes = ARRAY['provisioning']
            ORDER BY created_at DESC"#,
        org
    )
    .fetch_all(pool)
    .await?;
    // The provider's groups, and any team that grants seats (set before the groups came).
    let groups = sqlx::query!(
        r#"SELECT t.id, r.name || ' / ' || t.name AS "name!", t.grants_enable, t.grants_opportunity,
                  (SELECT count(*) FROM group_members g WHERE g.team_id = t.id) AS "members!"
             FROM teams t JOIN regions r ON r.id = t.region_id
            WHERE t.organization_id = $1
              AND (t.grants_enable OR t.grants_opportunity OR t.scim_external_id IS NOT NULL
                   OR r.name = $2 OR EXISTS (SELECT 1 FROM group_members g WHERE g.team_id = t.id))
            ORDER BY lower(r.name), lower(t.name)
            LIMIT 500"#,
        org,
        super::scim::PROVIDER_REGION,
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| ProvisionedGroup {
        team_id: r.id,
        name: r.name,
        members: r.members,
        grants_enable: r.grants_enable,
        grants_opportunity: r.grants_opportunity,
    })
    .collect();
    let waiting_total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM seat_waitlist WHERE organization_id = $1"#,
        org
    )
    .fetch_one(pool)
    .await?;
    let waitlist = sqlx::query!(
        r#"SELECT w.member_id, m.first_name || ' ' || m.last_name AS "name!", m.email, w.seat,
                  to_char(w.since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS "since!"
             FROM seat_waitlist w JOIN members m ON m.id = w.member_id
            WHERE w.organization_id = $1 ORDER BY w.id LIMIT $2"#,
        org,
        WAITLIST_SHOWN
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| Waiting {
        member_id: r.member_id,
        name: r.name,
        email: r.email,
        seat: crate::domain::SeatKind::parse(&r.seat)
            .map(|k| k.label().to_owned())
            .unwrap_or(r.seat),
        since: r.since,
    })
    .collect();
    let sso = super::sso::settings(pool, config, access).await?;
    Ok(IdentityOverview {
        sso,
        scim_url: super::scim::base_url(config),
        tokens,
        seat_policy: SeatPolicy::parse(&policy).unwrap_or(SeatPolicy::None),
        groups,
        waitlist,
        waiting_total,
    })
}

/// Sets the seat policy for members the identity provider creates or brings back (those
/// already in Roster keep their seats).
pub async fn set_seat_policy(
    pool: &PgPool,
    access: &Access,
    policy: SeatPolicy,
) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let mut tx = pool.begin().await?;
    let before = sqlx::query_scalar!(
        "SELECT seat_policy FROM organizations WHERE id = $1 FOR UPDATE",
        access.organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if before != policy.as_str() {
        sqlx::query!(
            "UPDATE organizations SET seat_policy = $2 WHERE id = $1",
            access.organization_id,
            policy.as_str()
        )
        .execute(&mut *tx)
        .await?;
        activity::record(
            &mut tx,
            access,
            Action::SettingChanged,
            None,
            serde_json::json!({ "setting": "seat policy", "from": before, "to": policy.as_str() }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Says which seats team `team_id` grants its group's members under the `groups` policy
/// (members already in it ask for them the next time the provider changes the group).
pub async fn set_group_grants(
    pool: &PgPool,
    access: &Access,
    team_id: i64,
    enable: bool,
    opportunity: bool,
) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let mut tx = pool.begin().await?;
    let team = sqlx::query_scalar!(
        "UPDATE teams SET grants_enable = $3, grants_opportunity = $4
          WHERE id = $1 AND organization_id = $2 RETURNING name",
        team_id,
        access.organization_id,
        enable,
        opportunity
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::NotFound("This team no longer exists. Reload the page.".into()))?;
    activity::record(
        &mut tx,
        access,
        Action::SettingChanged,
        None,
        serde_json::json!({ "setting": "seats a group grants", "team": team,
                            "enable": enable, "opportunity": opportunity }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
