//! `/scim/v2/Groups`: teams as the identity provider sees them. Every team of the
//! organization is a group (`id`: the team's id); a group the provider creates becomes a
//! team of the region [`PROVIDER_REGION`] (made on first use; an administrator may move
//! nothing but may rename the team). A group's members are the users the provider put in
//! it; a member belongs to one team at most, so a user in several groups is in the team
//! of the group they were put in first (and, leaving it, in the next one's). Under the
//! `groups` seat policy a team may grant seats to its group's members.

use super::patch::{self, GroupChange};
use super::{base_url, list_response, timestamp, FilterAttribute, Query, ScimAnswer, ScimError};
use crate::domain::licenses::Via;
use crate::domain::provisioning::SeatPolicy;
use crate::domain::{Access, GroupName};
use crate::server::activity::{self, Action};
use crate::server::members::lock_organization;
use crate::server::{waitlist, RuntimeConfig};
use serde_json::{json, Value};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use time::OffsetDateTime;

/// The region of the teams the provider creates.
pub const PROVIDER_REGION: &str = "Identity provider groups";

#[derive(Debug, sqlx::FromRow)]
struct GroupRow {
    id: i64,
    name: String,
    scim_external_id: Option<String>,
    created_at: OffsetDateTime,
    members: Value,
}

fn select(with_members: bool) -> String {
    let members = if with_members {
        "coalesce((SELECT json_agg(json_build_object('value', m.id::text) ORDER BY g.added_at, m.id)
                     FROM group_members g JOIN members m ON m.id = g.member_id
                    WHERE g.team_id = t.id), '[]'::json)"
    } else {
        "'[]'::json"
    };
    format!(
        "SELECT t.id, t.name, t.scim_external_id, t.created_at, {members} AS members FROM teams t "
    )
}

impl GroupRow {
    fn json(&self, base: &str, with_members: bool) -> Value {
        let mut group = json!({
            "schemas": [super::discovery::GROUP_SCHEMA],
            "id": self.id.to_string(),
            "displayName": self.name,
            "meta": {
                "resourceType": "Group",
                "created": timestamp(self.created_at),
                "lastModified": timestamp(self.created_at),
                "location": format!("{base}/Groups/{}", self.id),
            },
        });
        if with_members {
            let members: Vec<Value> = self
                .members
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|m| {
                            let mut m = m.clone();
                            if let Some(id) = m.get("value").and_then(Value::as_str) {
                                m["$ref"] = json!(format!("{base}/Users/{id}"));
                                m["type"] = json!("User");
                            }
                            m
                        })
                        .collect()
                })
                .unwrap_or_default();
            group["members"] = json!(members);
        }
        if let Some(external) = &self.scim_external_id {
            group["externalId"] = json!(external);
        }
        group
    }
}

async fn fetch(
    conn: &mut PgConnection,
    organization_id: i64,
    id: i64,
    with_members: bool,
) -> Result<GroupRow, ScimError> {
    let mut query = QueryBuilder::<Postgres>::new(select(with_members));
    query
        .push("WHERE t.organization_id = ")
        .push_bind(organization_id)
        .push(" AND t.id = ")
        .push_bind(id);
    query
        .build_query_as::<GroupRow>()
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| ScimError::not_found("group"))
}

pub async fn get(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    id: i64,
    query: &Query,
) -> Result<ScimAnswer, ScimError> {
    let mut conn = pool.acquire().await?;
    let group = fetch(
        &mut conn,
        access.organization_id,
        id,
        !query.without_members,
    )
    .await?;
    Ok(ScimAnswer::ok(query.project(
        group.json(&base_url(config), !query.without_members),
    )))
}

pub async fn list(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    query: &Query,
) -> Result<ScimAnswer, ScimError> {
    let mut conn = pool.acquire().await?;
    let with_members = !query.without_members;
    let mut count = QueryBuilder::<Postgres>::new("SELECT count(*) FROM teams t ");
    let mut page = QueryBuilder::<Postgres>::new(select(with_members));
    for q in [&mut count, &mut page] {
        q.push("WHERE t.organization_id = ")
            .push_bind(access.organization_id);
        if let Some(filter) = &query.filter {
            let value = filter.value.clone();
            match filter.attribute {
                FilterAttribute::DisplayName => {
                    q.push(" AND lower(t.name) = lower(")
                        .push_bind(value)
                        .push(")");
                }
                FilterAttribute::ExternalId => {
                    q.push(" AND t.scim_external_id = ").push_bind(value);
                }
                FilterAttribute::Id => {
                    q.push(" AND t.id = ")
                        .push_bind(value.parse::<i64>().unwrap_or(0));
                }
                _ => {
                    return Err(ScimError::new(
                        400,
                        Some("invalidFilter"),
                        "Groups are filtered by displayName, externalId or id.",
                    ))
                }
            }
        }
    }
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    let mut resources = Vec::new();
    if query.count > 0 {
        page.push(" ORDER BY t.id LIMIT ")
            .push_bind(query.count)
            .push(" OFFSET ")
            .push_bind(query.start_index - 1);
        let base = base_url(config);
        resources = page
            .build_query_as::<GroupRow>()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|g| query.project(g.json(&base, with_members)))
            .collect();
    }
    Ok(ScimAnswer::ok(list_response(
        total,
        query.start_index,
        resources,
    )))
}

fn group_name(raw: &str) -> Result<GroupName, ScimError> {
    GroupName::parse(raw, "displayName").map_err(|e| ScimError::invalid_value(e.0))
}

/// `POST /Groups`: a team of [`PROVIDER_REGION`]; a team of that name there which no
/// group holds yet becomes the group.
pub async fn create(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    body: Value,
) -> Result<ScimAnswer, ScimError> {
    let changes = patch::group_resource(&body)?;
    let name = changes
        .iter()
        .find_map(|c| match c {
            GroupChange::Rename(n) => Some(n.clone()),
            _ => None,
        })
        .ok_or_else(|| ScimError::invalid_value("`displayName` is required."))?;
    let name = group_name(&name)?;
    let mut tx = pool.begin().await?;
    lock_organization(&mut tx, access, &Via::Scim).await?;
    let org = access.organization_id;
    let region = provider_region(&mut tx, org).await?;
    let existing = sqlx::query!(
        r#"SELECT id, scim_external_id IS NOT NULL
                  OR EXISTS (SELECT 1 FROM group_members g WHERE g.team_id = t.id) AS "held!"
             FROM teams t WHERE region_id = $1 AND lower(name) = lower($2)"#,
        region,
        name.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let id = match existing {
        Some(team) if team.held => {
            return Err(ScimError::new(
                409,
                Some("uniqueness"),
                format!("A group named {} exists already.", name.as_str()),
            ))
        }
        Some(team) => team.id,
        None => {
            let id = sqlx::query_scalar!(
                "INSERT INTO teams (organization_id, region_id, name) VALUES ($1, $2, $3) RETURNING id",
                org,
                region,
                name.as_str()
            )
            .fetch_one(&mut *tx)
            .await?;
            activity::record(
                &mut tx,
                access,
                Action::TeamCreated,
                None,
                json!({ "team": format!("{PROVIDER_REGION} / {}", name.as_str()) }),
            )
            .await?;
            id
        }
    };
    apply(&mut tx, access, id, &changes).await?;
    let group = fetch(&mut tx, org, id, true).await?;
    tx.commit().await?;
    let base = base_url(config);
    Ok(ScimAnswer::created(
        format!("{base}/Groups/{id}"),
        group.json(&base, true),
    ))
}

/// The region of the provider's teams, made on first use.
async fn provider_region(conn: &mut PgConnection, organization_id: i64) -> Result<i64, ScimError> {
    let id = sqlx::query_scalar!(
        r#"WITH made AS (
               INSERT INTO regions (organization_id, name) VALUES ($1, $2)
               ON CONFLICT (organization_id, lower(name)) DO NOTHING RETURNING id)
           SELECT id AS "id!" FROM made
           UNION ALL
           SELECT id FROM regions WHERE organization_id = $1 AND lower(name) = lower($2)"#,
        organization_id,
        PROVIDER_REGION
    )
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn replace(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    id: i64,
    body: Value,
) -> Result<ScimAnswer, ScimError> {
    let changes = patch::group_resource(&body)?;
    change(pool, config, access, id, changes).await
}

pub async fn patch(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    id: i64,
    body: Value,
) -> Result<ScimAnswer, ScimError> {
    let changes = patch::group_patch(&body)?;
    change(pool, config, access, id, changes).await
}

async fn change(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    id: i64,
    changes: Vec<GroupChange>,
) -> Result<ScimAnswer, ScimError> {
    let mut tx = pool.begin().await?;
    lock_organization(&mut tx, access, &Via::Scim).await?;
    apply(&mut tx, access, id, &changes).await?;
    let group = fetch(&mut tx, access.organization_id, id, true).await?;
    tx.commit().await?;
    Ok(ScimAnswer::ok(group.json(&base_url(config), true)))
}

/// Applies a group's changes (the organization locked), then settles the team and seats
/// of every member whose groups changed.
async fn apply(
    tx: &mut PgConnection,
    access: &Access,
    id: i64,
    changes: &[GroupChange],
) -> Result<(), ScimError> {
    let org = access.organization_id;
    let team = sqlx::query!(
        "SELECT name FROM teams WHERE id = $1 AND organization_id = $2 FOR UPDATE",
        id,
        org
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ScimError::not_found("group"))?;
    let mut touched: Vec<i64> = Vec::new();
    for change in changes {
        match change {
            GroupChange::Rename(raw) => {
                let name = group_name(raw)?;
                if name.as_str() != team.name {
                    sqlx::query!(
                        "UPDATE teams SET name = $2 WHERE id = $1",
                        id,
                        name.as_str()
                    )
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| {
                        let error = crate::error::AppError::from(e);
                        match error {
                            crate::error::AppError::Field { .. } => ScimError::new(
                                409,
                                Some("uniqueness"),
                                "A team of this name exists already in the group's region.",
                            ),
                            other => other.into(),
                        }
                    })?;
                    activity::record(
                        &mut *tx,
                        access,
                        Action::TeamRenamed,
                        None,
                        json!({ "from": team.name, "to": name.as_str() }),
                    )
                    .await?;
                }
            }
            GroupChange::ExternalId(external) => {
                if external.as_ref().is_some_and(|e| e.chars().count() > 255) {
                    return Err(ScimError::invalid_value(
                        "`externalId` is at most 255 characters.",
                    ));
                }
                sqlx::query!(
                    "UPDATE teams SET scim_external_id = $2 WHERE id = $1",
                    id,
                    external.as_deref()
                )
                .execute(&mut *tx)
                .await?;
            }
            GroupChange::AddMembers(ids) => {
                let ids = members_of(&mut *tx, org, ids).await?;
                join(&mut *tx, id, org, &ids).await?;
                touched.extend(ids);
            }
            GroupChange::RemoveMembers(ids) => {
                let ids = members_of(&mut *tx, org, ids).await?;
                sqlx::query!(
                    "DELETE FROM group_members WHERE team_id = $1 AND member_id = ANY($2)",
                    id,
                    &ids
                )
                .execute(&mut *tx)
                .await?;
                touched.extend(ids);
            }
            GroupChange::ClearMembers | GroupChange::ReplaceMembers(_) => {
                let keep = match change {
                    GroupChange::ReplaceMembers(ids) => members_of(&mut *tx, org, ids).await?,
                    _ => Vec::new(),
                };
                let removed = sqlx::query_scalar!(
                    "DELETE FROM group_members WHERE team_id = $1 AND NOT (member_id = ANY($2))
                     RETURNING member_id",
                    id,
                    &keep
                )
                .fetch_all(&mut *tx)
                .await?;
                join(&mut *tx, id, org, &keep).await?;
                touched.extend(removed);
                touched.extend(keep);
            }
        }
    }
    settle(tx, access, touched).await
}

/// Puts members (of the organization, checked by [`members_of`]) in a group; those in it
/// already keep their place (and the team it gave them).
async fn join(
    conn: &mut PgConnection,
    team_id: i64,
    organization_id: i64,
    members: &[i64],
) -> Result<(), ScimError> {
    sqlx::query!(
        "INSERT INTO group_members (team_id, member_id, organization_id)
         SELECT $1, member_id, $2 FROM UNNEST($3::bigint[]) AS t(member_id)
         ON CONFLICT DO NOTHING",
        team_id,
        organization_id,
        members
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The members among `ids` (the provider's user ids) of the organization, not deleted.
/// Ids that name no such user are left out: a provider may still list a user it failed to
/// create, and refusing the whole change would quarantine the connection.
async fn members_of(
    conn: &mut PgConnection,
    organization_id: i64,
    ids: &[String],
) -> Result<Vec<i64>, ScimError> {
    let numbers: Vec<i64> = ids.iter().filter_map(|v| v.parse().ok()).collect();
    Ok(sqlx::query_scalar!(
        "SELECT id FROM members WHERE id = ANY($1) AND organization_id = $2 AND scim_deleted_at IS NULL
          ORDER BY id",
        &numbers,
        organization_id
    )
    .fetch_all(conn)
    .await?)
}

/// Each member whose groups changed: in the team of their first group (none when in no
/// group), and, under the `groups` seat policy, asking for the seats their groups grant.
async fn settle(
    tx: &mut PgConnection,
    access: &Access,
    mut ids: Vec<i64>,
) -> Result<(), ScimError> {
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let moved = sqlx::query!(
        r#"WITH wanted AS (
               SELECT m.id,
                      (SELECT g.team_id FROM group_members g WHERE g.member_id = m.id
                        ORDER BY g.added_at, g.team_id LIMIT 1) AS team_id
                 FROM members m WHERE m.id = ANY($1) FOR UPDATE)
           UPDATE members m SET team_id = w.team_id
             FROM wanted w
            WHERE m.id = w.id AND m.team_id IS DISTINCT FROM w.team_id
        RETURNING m.id, (SELECT r.name || ' / ' || t.name FROM teams t JOIN regions r ON r.id = t.region_id
                          WHERE t.id = m.team_id) AS team"#,
        &ids
    )
    .fetch_all(&mut *tx)
    .await?;
    let moved_ids: Vec<i64> = moved.iter().map(|r| r.id).collect();
    let details: Vec<Value> = moved
        .iter()
        .map(|r| json!({ "team": r.team.clone().unwrap_or_default() }))
        .collect();
    activity::record_many(&mut *tx, access, Action::TeamChanged, &moved_ids, &details).await?;

    let policy = sqlx::query_scalar!(
        "SELECT seat_policy FROM organizations WHERE id = $1",
        access.organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if SeatPolicy::parse(&policy) != Some(SeatPolicy::Groups) {
        return Ok(());
    }
    let rows = sqlx::query!(
        r#"SELECT m.id, m.enable_seat, m.opportunity_seat, m.status,
                  coalesce(bool_or(t.grants_enable), false) AS "grants_enable!",
                  coalesce(bool_or(t.grants_opportunity), false) AS "grants_opportunity!"
             FROM members m
             LEFT JOIN group_members g ON g.member_id = m.id
             LEFT JOIN teams t ON t.id = g.team_id
            WHERE m.id = ANY($1)
            GROUP BY m.id ORDER BY m.id"#,
        &ids
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in rows {
        let wants = SeatPolicy::Groups.wants((row.grants_enable, row.grants_opportunity));
        crate::server::seat_queue::withdraw(&mut *tx, row.id, wants).await?;
        if row.status == "deactivated" {
            continue;
        }
        waitlist::ask_and_give(
            &mut *tx,
            access,
            row.id,
            (row.enable_seat, row.opportunity_seat),
            wants,
        )
        .await?;
    }
    Ok(())
}

/// `DELETE /Groups/{id}`: the team goes (its members have no team, or their next group's).
pub async fn delete(pool: &PgPool, access: &Access, id: i64) -> Result<ScimAnswer, ScimError> {
    let mut tx = pool.begin().await?;
    lock_organization(&mut tx, access, &Via::Scim).await?;
    let members = sqlx::query_scalar!("SELECT member_id FROM group_members WHERE team_id = $1", id)
        .fetch_all(&mut *tx)
        .await?;
    let deleted = sqlx::query!(
        r#"DELETE FROM teams t USING regions r
            WHERE t.id = $1 AND t.organization_id = $2 AND r.id = t.region_id
        RETURNING r.name AS region, t.name"#,
        id,
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ScimError::not_found("group"))?;
    activity::record(
        &mut tx,
        access,
        Action::TeamDeleted,
        None,
        json!({ "team": format!("{} / {}", deleted.region, deleted.name) }),
    )
    .await?;
    settle(&mut tx, access, members).await?;
    tx.commit().await?;
    Ok(ScimAnswer::no_content())
}
