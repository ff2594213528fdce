//! `/scim/v2/Users`: members as the identity provider sees them. A user is a member of
//! the token's organization not deleted through SCIM; `id` is the member's id, `userName`
//! the provider's (the member's email until it sends one of its own), `active` false for
//! an inactive member.

use super::discovery::USER_SCHEMA;
use super::filter::FilterAttribute;
use super::patch::{self, UserFields};
use super::{base_url, list_response, timestamp, Query, ScimAnswer, ScimError};
use crate::domain::invitee::Invitee;
use crate::domain::licenses::Via;
use crate::domain::provisioning;
use crate::domain::{Access, Email, JobTitle, MemberStatus, Permission, PersonName, SeatKind};
use crate::server::activity::{self, Action};
use crate::server::invite::Delivery;
use crate::server::members::{
    deactivate_locked, lock_member, lock_organization, reactivate_locked, WhenShort,
};
use crate::server::{waitlist, RuntimeConfig};
use serde_json::{json, Value};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use time::OffsetDateTime;

/// A user's row, with their waitlist entries and groups.
#[derive(Debug, sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    scim_user_name: Option<String>,
    scim_external_id: Option<String>,
    first_name: String,
    last_name: String,
    job_title: String,
    status: String,
    created_at: OffsetDateTime,
    waiting: Vec<String>,
    groups: Value,
}

/// The header that says what became of a member's seats (a deactivation keeping a used
/// license, returning an unused one; a place on the waitlist): SCIM's resources have no
/// attribute for it, and a schema extension of read-only attributes trips clients that
/// write every attribute they are told of.
pub const SEATS_HEADER: &str = "roster-seats";

const SELECT: &str = "SELECT m.id, m.email, m.scim_user_name, m.scim_external_id, m.first_name,
        m.last_name, m.job_title, m.status, m.created_at,
        ARRAY(SELECT w.seat FROM seat_waitlist w WHERE w.member_id = m.id ORDER BY w.seat) AS waiting,
        coalesce((SELECT json_agg(json_build_object('value', t.id::text, 'display', t.name)
                                  ORDER BY g.added_at)
                    FROM group_members g JOIN teams t ON t.id = g.team_id
                   WHERE g.member_id = m.id), '[]'::json) AS groups
   FROM members m ";

impl UserRow {
    fn user_name(&self) -> &str {
        self.scim_user_name.as_deref().unwrap_or(&self.email)
    }

    /// What became of the member's seats, in words, for the `Roster-Seats` header: what a
    /// deactivation just did (`done`), and the seats they wait for.
    fn seats_note(&self, done: Option<&str>) -> Option<String> {
        let mut said: Vec<String> = done.map(str::to_owned).into_iter().collect();
        said.extend(
            self.waiting
                .iter()
                .filter_map(|s| SeatKind::parse(s).ok())
                .map(provisioning::waiting_words),
        );
        (!said.is_empty()).then(|| said.join(" "))
    }

    /// One user's answer: the resource, and the seats' note in its header.
    fn answer(&self, base: &str, done: Option<&str>, status: u16) -> ScimAnswer {
        let mut answer = match status {
            201 => ScimAnswer::created(format!("{base}/Users/{}", self.id), self.json(base)),
            _ => ScimAnswer::ok(self.json(base)),
        };
        if let Some(note) = self.seats_note(done) {
            answer.headers.push((SEATS_HEADER, note));
        }
        answer
    }

    fn json(&self, base: &str) -> Value {
        let location = format!("{base}/Users/{}", self.id);
        let groups: Vec<Value> = self
            .groups
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|g| {
                        let mut g = g.clone();
                        if let Some(id) = g.get("value").and_then(Value::as_str) {
                            g["$ref"] = json!(format!("{base}/Groups/{id}"));
                        }
                        g
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut user = json!({
            "schemas": [USER_SCHEMA],
            "id": self.id.to_string(),
            "userName": self.user_name(),
            "name": {
                "givenName": self.first_name,
                "familyName": self.last_name,
            },
            "active": self.status != MemberStatus::Deactivated.as_str(),
            "emails": [{ "value": self.email, "type": "work" }],
            "groups": groups,
            "meta": {
                "resourceType": "User",
                "created": timestamp(self.created_at),
                "lastModified": timestamp(self.created_at),
                "location": location,
            },
        });
        if let Some(external) = &self.scim_external_id {
            user["externalId"] = json!(external);
        }
        if !self.job_title.is_empty() {
            user["title"] = json!(self.job_title);
        }
        user
    }
}

async fn fetch(
    conn: &mut PgConnection,
    organization_id: i64,
    id: i64,
) -> Result<UserRow, ScimError> {
    let mut query = QueryBuilder::<Postgres>::new(SELECT);
    query
        .push("WHERE m.organization_id = ")
        .push_bind(organization_id)
        .push(" AND m.scim_deleted_at IS NULL AND m.id = ")
        .push_bind(id);
    query
        .build_query_as::<UserRow>()
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| ScimError::not_found("user"))
}

pub async fn get(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    id: i64,
    query: &Query,
) -> Result<ScimAnswer, ScimError> {
    let mut conn = pool.acquire().await?;
    let user = fetch(&mut conn, access.organization_id, id).await?;
    let mut answer = user.answer(&base_url(config), None, 200);
    answer.body = answer.body.map(|b| query.project(b));
    Ok(answer)
}

/// The condition of a filter, on `members m`.
fn push_filter(query: &mut QueryBuilder<'_, Postgres>, filter: &super::Filter) -> bool {
    let value = filter.value.clone();
    match filter.attribute {
        FilterAttribute::Id => match value.parse::<i64>() {
            Ok(id) => {
                query.push(" AND m.id = ").push_bind(id);
            }
            Err(_) => return false,
        },
        // Both indexes: the provider's own userName, or the address until it sent one.
        FilterAttribute::UserName => {
            query
                .push(" AND (lower(m.scim_user_name) = lower(")
                .push_bind(value.clone())
                .push(") OR (m.scim_user_name IS NULL AND email_key(m.email) = email_key(")
                .push_bind(value)
                .push(")))");
        }
        FilterAttribute::ExternalId => {
            query.push(" AND m.scim_external_id = ").push_bind(value);
        }
        FilterAttribute::Email => {
            query
                .push(" AND email_key(m.email) = email_key(")
                .push_bind(value)
                .push(")");
        }
        FilterAttribute::DisplayName => {
            query
                .push(" AND lower(m.first_name || ' ' || m.last_name) = lower(")
                .push_bind(value)
                .push(")");
        }
    }
    true
}

pub async fn list(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    query: &Query,
) -> Result<ScimAnswer, ScimError> {
    let mut conn = pool.acquire().await?;
    let start = |q: &mut QueryBuilder<'_, Postgres>| {
        q.push("WHERE m.organization_id = ")
            .push_bind(access.organization_id)
            .push(" AND m.scim_deleted_at IS NULL");
    };
    let mut count = QueryBuilder::<Postgres>::new("SELECT count(*) FROM members m ");
    start(&mut count);
    let mut page = QueryBuilder::<Postgres>::new(SELECT);
    start(&mut page);
    if let Some(filter) = &query.filter {
        // A filter that can match nothing (an id that is not a number) finds nothing.
        if !push_filter(&mut count, filter) || !push_filter(&mut page, filter) {
            return Ok(ScimAnswer::ok(list_response(
                0,
                query.start_index,
                Vec::new(),
            )));
        }
    }
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    let mut resources = Vec::new();
    if query.count > 0 {
        // With a filter (a provider's look-up by userName, externalId or address), the
        // filter's indexes find the few matches and they are sorted after: `m.id + 0` keeps
        // the planner from walking the primary key in order and testing every member for a
        // LIMIT it expects to fill early — at 1,000,000 members that walk took 4.9 s per
        // look-up instead of 0.2 ms (`scripts/bench.sh million`).
        page.push(if query.filter.is_some() {
            " ORDER BY m.id + 0 LIMIT "
        } else {
            " ORDER BY m.id LIMIT "
        })
        .push_bind(query.count)
        .push(" OFFSET ")
        .push_bind(query.start_index - 1);
        let base = base_url(config);
        resources = page
            .build_query_as::<UserRow>()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|u| query.project(u.json(&base)))
            .collect();
    }
    Ok(ScimAnswer::ok(list_response(
        total,
        query.start_index,
        resources,
    )))
}

/// A user the provider sends, checked: the values Roster keeps, valid.
struct Checked {
    user_name: Option<String>,
    email: Option<Email>,
    first_name: Option<PersonName>,
    last_name: Option<PersonName>,
    title: Option<JobTitle>,
}

fn check(fields: &UserFields, names_required: bool) -> Result<Checked, ScimError> {
    let invalid = |e: crate::domain::FieldError| ScimError::invalid_value(e.0);
    let email = fields
        .email
        .as_deref()
        .map(Email::parse)
        .transpose()
        .map_err(invalid)?;
    if let Some(Some(external)) = &fields.external_id {
        if external.chars().count() > 255 {
            return Err(ScimError::invalid_value(
                "`externalId` is at most 255 characters.",
            ));
        }
    }
    if let Some(user_name) = &fields.user_name {
        if user_name.chars().count() > 254 {
            return Err(ScimError::invalid_value(
                "`userName` is at most 254 characters.",
            ));
        }
    }
    let (given, family) = if names_required {
        let (g, f) = provisioning::names_for(
            fields.given_name.as_deref(),
            fields.family_name.as_deref(),
            fields.display_name.as_deref(),
            email.as_ref().map_or("", |e| e.as_str()),
        );
        (Some(g), Some(f))
    } else {
        (fields.given_name.clone(), fields.family_name.clone())
    };
    Ok(Checked {
        user_name: fields.user_name.clone(),
        email,
        first_name: given
            .as_deref()
            .map(|g| PersonName::parse(g, "first name (name.givenName)"))
            .transpose()
            .map_err(invalid)?,
        last_name: family
            .as_deref()
            .map(|f| PersonName::parse(f, "last name (name.familyName)"))
            .transpose()
            .map_err(invalid)?,
        title: fields
            .title
            .as_deref()
            .map(JobTitle::parse)
            .transpose()
            .map_err(invalid)?,
    })
}

/// `POST /Users`: creates a member (invited, with the seats the policy gives when free;
/// on the waitlist for the rest), or brings back one the provider deleted before.
pub async fn create(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    body: Value,
) -> Result<ScimAnswer, ScimError> {
    let mut fields = patch::user_resource(&body)?;
    if fields.user_name.is_none() {
        return Err(ScimError::invalid_value("`userName` is required."));
    }
    // Without `emails`, a userName that is an address is the address.
    if fields.email.is_none() {
        fields.email = fields.user_name.clone().filter(|u| u.contains('@'));
    }
    if fields.email.is_none() {
        return Err(ScimError::invalid_value(
            "Send the user's email address: in `emails` (type work or primary), or as `userName`.",
        ));
    }
    let checked = check(&fields, true)?;
    let email = checked
        .email
        .clone()
        .ok_or_else(crate::error::AppError::internal)?;
    let mut tx = pool.begin().await?;
    let organization = lock_organization(&mut tx, access, &Via::Scim).await?;
    let org = access.organization_id;
    let existing = sqlx::query!(
        "SELECT id, scim_deleted_at IS NOT NULL AS \"deleted!\" FROM members
          WHERE organization_id = $1 AND email_key(email) = email_key($2)",
        org,
        email.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let (id, note) = match existing {
        Some(e) if !e.deleted => {
            return Err(ScimError::new(
                409,
                Some("uniqueness"),
                "A member with this email address already exists in the organization: find them with filter=userName eq \"…\" and link them.",
            ))
        }
        Some(e) => {
            // The provider deleted this user and creates them again: the same member.
            sqlx::query!(
                "UPDATE members SET scim_deleted_at = NULL WHERE id = $1",
                e.id
            )
            .execute(&mut *tx)
            .await?;
            let mut fields = fields;
            fields.active = Some(fields.active.unwrap_or(true));
            let note = apply(&mut tx, config, access, &organization, e.id, &fields, true).await?;
            (e.id, note)
        }
        None => {
            let person = Invitee {
                external_id: None,
                first_name: checked.first_name.clone().ok_or_else(crate::error::AppError::internal)?,
                last_name: checked.last_name.clone().ok_or_else(crate::error::AppError::internal)?,
                email: email.clone(),
                job_title: checked.title.clone().unwrap_or(JobTitle::parse("").map_err(|e| ScimError::invalid_value(e.0))?),
                permission: Permission::Member,
                enable_seat: false,
                opportunity_seat: false,
                programs: Vec::new(),
            };
            let (id, _) =
                waitlist::admit(&mut tx, access, &organization, person, Delivery::Email(config)).await?;
            sqlx::query!(
                "UPDATE members SET scim_user_name = $2, scim_external_id = $3 WHERE id = $1",
                id,
                checked.user_name,
                fields.external_id.clone().flatten(),
            )
            .execute(&mut *tx)
            .await?;
            let mut note = None;
            if fields.active == Some(false) {
                let member = lock_member(&mut tx, access, id).await?;
                let outcome = deactivate_locked(&mut tx, access, &member, None).await?;
                note = Some(provisioning::deactivation_note(&outcome));
            }
            (id, note)
        }
    };
    let user = fetch(&mut tx, org, id).await?;
    tx.commit().await?;
    Ok(user.answer(&base_url(config), note.as_deref(), 201))
}

/// `PUT /Users/{id}`: the resource whole (a PUT without `active` leaves it alone).
pub async fn replace(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    id: i64,
    body: Value,
) -> Result<ScimAnswer, ScimError> {
    let mut fields = patch::user_resource(&body)?;
    // What a PUT leaves out is removed, where Roster can do without it.
    fields.title = Some(fields.title.unwrap_or_default());
    fields.external_id = Some(fields.external_id.flatten());
    change(pool, config, access, id, fields).await
}

/// `PATCH /Users/{id}`.
pub async fn patch(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    id: i64,
    body: Value,
) -> Result<ScimAnswer, ScimError> {
    let fields = patch::user_patch(&body)?;
    change(pool, config, access, id, fields).await
}

async fn change(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    id: i64,
    fields: UserFields,
) -> Result<ScimAnswer, ScimError> {
    let mut tx = pool.begin().await?;
    let organization = lock_organization(&mut tx, access, &Via::Scim).await?;
    let note = apply(&mut tx, config, access, &organization, id, &fields, false).await?;
    let user = fetch(&mut tx, access.organization_id, id).await?;
    tx.commit().await?;
    if note.as_deref().is_some_and(|n| n.contains("returned")) {
        // A seat came free: who waits for one gets it now, not at the worker's next turn.
        if let Err(error) = waitlist::serve(pool, access.organization_id).await {
            tracing::warn!(%error, "serving the seat waitlist after a deactivation failed");
        }
    }
    Ok(user.answer(&base_url(config), note.as_deref(), 200))
}

/// Applies what the provider says of member `id` (the organization locked): fields, then
/// `active`. Returns what a deactivation did to the seats, in words.
async fn apply(
    tx: &mut PgConnection,
    config: &RuntimeConfig,
    access: &Access,
    organization: &crate::server::members::LockedOrganization,
    id: i64,
    fields: &UserFields,
    names_required: bool,
) -> Result<Option<String>, ScimError> {
    let current = sqlx::query!(
        "SELECT email, scim_user_name, status FROM members
          WHERE id = $1 AND organization_id = $2 AND scim_deleted_at IS NULL FOR UPDATE",
        id,
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ScimError::not_found("user"))?;
    let deactivated = current.status == MemberStatus::Deactivated.as_str();
    let mut fields = fields.clone();
    // Entra rewrites the userName (and may rewrite the address) of a user it soft-deletes:
    // what comes with a deactivation never changes who the member is; the userName of an
    // inactive member is the provider's label, never their address.
    let deactivating = fields.active == Some(false) && !deactivated;
    let inactive_after =
        fields.active == Some(false) || (deactivated && fields.active != Some(true));
    if deactivating {
        fields.user_name = None;
        fields.email = None;
    } else if fields.email.is_none() && !inactive_after {
        // The address follows userName only while userName is the address.
        let user_name_is_address = current
            .scim_user_name
            .as_deref()
            .is_none_or(|u| u.eq_ignore_ascii_case(&current.email));
        if user_name_is_address {
            fields.email = fields.user_name.clone().filter(|u| u.contains('@'));
        }
    }
    let checked = check(&fields, names_required)?;
    let email = checked
        .email
        .as_ref()
        .map(|e| e.as_str().to_owned())
        .filter(|e| !e.eq_ignore_ascii_case(&current.email));
    let changed = sqlx::query!(
        r#"UPDATE members SET
              first_name = coalesce($2, first_name),
              last_name = coalesce($3, last_name),
              job_title = coalesce($4, job_title),
              email = coalesce($5, email),
              scim_user_name = coalesce($6, scim_user_name),
              scim_external_id = CASE WHEN $7 THEN $8 ELSE scim_external_id END
            WHERE id = $1
              AND (first_name IS DISTINCT FROM coalesce($2, first_name)
                OR last_name IS DISTINCT FROM coalesce($3, last_name)
                OR job_title IS DISTINCT FROM coalesce($4, job_title)
                OR email IS DISTINCT FROM coalesce($5, email)
                OR scim_user_name IS DISTINCT FROM coalesce($6, scim_user_name)
                OR ($7 AND scim_external_id IS DISTINCT FROM $8))
            RETURNING id"#,
        id,
        checked.first_name.as_ref().map(|n| n.as_str()),
        checked.last_name.as_ref().map(|n| n.as_str()),
        checked.title.as_ref().map(|t| t.as_str()),
        email,
        checked.user_name,
        fields.external_id.is_some(),
        fields.external_id.clone().flatten(),
    )
    .fetch_optional(&mut *tx)
    .await?;
    if changed.is_some() {
        let mut said = serde_json::Map::new();
        if let Some(e) = &email {
            said.insert("email".into(), json!(e));
        }
        if let Some(n) = &checked.first_name {
            said.insert("first_name".into(), json!(n.as_str()));
        }
        if let Some(n) = &checked.last_name {
            said.insert("last_name".into(), json!(n.as_str()));
        }
        if let Some(t) = &checked.title {
            said.insert("job_title".into(), json!(t.as_str()));
        }
        activity::record(
            &mut *tx,
            access,
            Action::ProvisionedChanged,
            Some(id),
            Value::Object(said),
        )
        .await?;
    }
    match fields.active {
        Some(false) if !deactivated => {
            let member = lock_member(&mut *tx, access, id).await?;
            let outcome = deactivate_locked(&mut *tx, access, &member, None).await?;
            Ok(Some(provisioning::deactivation_note(&outcome)))
        }
        Some(true) if deactivated => {
            let member = lock_member(&mut *tx, access, id).await?;
            reactivate_locked(
                &mut *tx,
                config,
                access,
                organization,
                &member,
                WhenShort::Wait,
            )
            .await?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// `DELETE /Users/{id}`: a Roster deactivation (nothing is deleted); through SCIM the
/// user is gone.
pub async fn delete(pool: &PgPool, access: &Access, id: i64) -> Result<ScimAnswer, ScimError> {
    let mut tx = pool.begin().await?;
    lock_organization(&mut tx, access, &Via::Scim).await?;
    let status = sqlx::query_scalar!(
        "SELECT status FROM members
          WHERE id = $1 AND organization_id = $2 AND scim_deleted_at IS NULL FOR UPDATE",
        id,
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ScimError::not_found("user"))?;
    let mut freed = false;
    let mut note = None;
    if status != MemberStatus::Deactivated.as_str() {
        let member = lock_member(&mut tx, access, id).await?;
        let outcome = deactivate_locked(&mut tx, access, &member, None).await?;
        freed = outcome.releases_enable || outcome.releases_opportunity;
        note = Some(provisioning::deactivation_note(&outcome));
    }
    sqlx::query!(
        "UPDATE members SET scim_deleted_at = now() WHERE id = $1",
        id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM group_members WHERE member_id = $1", id)
        .execute(&mut *tx)
        .await?;
    activity::record(
        &mut tx,
        access,
        Action::ProvisionedChanged,
        Some(id),
        json!({ "deleted": true }),
    )
    .await?;
    tx.commit().await?;
    if freed {
        if let Err(error) = waitlist::serve(pool, access.organization_id).await {
            tracing::warn!(%error, "serving the seat waitlist after a deletion failed");
        }
    }
    let mut answer = ScimAnswer::no_content();
    if let Some(note) = note {
        answer.headers.push((SEATS_HEADER, note));
    }
    Ok(answer)
}
