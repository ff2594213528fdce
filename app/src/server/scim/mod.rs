//! SCIM 2.0 at `/scim/v2` (RFC 7643, RFC 7644): the organization's identity provider
//! creates, changes and deactivates members and maps its groups to teams.
//!
//! The binary routes here with the request's method, path, query, `Authorization` header
//! and body; [`handle`] answers with a status, headers and a JSON body in SCIM's form.
//! Who calls is an [`Access`] like any other (`Who::IdentityProvider`, made from a
//! provisioning token, which sees its own organization only); what a request changes goes
//! through the same functions as the pages: members are created by `invite::invite`,
//! deactivated by `members::deactivate_locked` and brought back by
//! `members::reactivate_locked`, which never refuses a provider for lack of seats but puts
//! the member on the seat waitlist.
//!
//! Providers send more than the RFC's examples: Entra's `"active": "False"`, `op: "Add"`
//! for `active`, path-less values with dotted keys, group members removed by value;
//! Okta's full PUT without `active`. [`patch`] reads every one of these shapes.

mod discovery;
mod filter;
mod groups;
pub mod patch;
mod users;

use crate::domain::{Access, Capability};
use crate::error::AppError;
use serde_json::{json, Value};
use sqlx::PgPool;

pub use super::rate::{RateLimit, REQUESTS_PER_WINDOW, WINDOW_SECONDS};
pub use filter::{parse_filter, Filter, FilterAttribute};
pub use groups::PROVIDER_REGION;
pub use users::SEATS_HEADER;

/// SCIM's media type, of every answer.
pub const CONTENT_TYPE: &str = "application/scim+json";
/// The most resources one list answers with (advertised as `filter.maxResults`).
pub const MAX_RESULTS: i64 = 1000;
/// The most operations one PATCH carries, and members one group change names.
pub const MAX_OPERATIONS: usize = 1000;

const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub(crate) const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// An answer: status, extra headers (`Location`, `Retry-After`), body (none for 204).
#[derive(Debug)]
pub struct ScimAnswer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Value>,
}

impl ScimAnswer {
    pub(crate) fn ok(body: Value) -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub(crate) fn created(location: String, body: Value) -> Self {
        Self {
            status: 201,
            headers: vec![("location", location)],
            body: Some(body),
        }
    }

    pub(crate) fn no_content() -> Self {
        Self {
            status: 204,
            headers: Vec::new(),
            body: None,
        }
    }
}

/// A refusal in SCIM's form (RFC 7644 §3.12): `status` as a string, `scimType` where the
/// RFC names one, `detail` in words that say what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn new(status: u16, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidValue"), detail)
    }

    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidSyntax"), detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            404,
            None,
            format!("No {what} with this id in the organization."),
        )
    }

    pub fn answer(&self) -> ScimAnswer {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = json!(scim_type);
        }
        ScimAnswer {
            status: self.status,
            headers: Vec::new(),
            body: Some(body),
        }
    }
}

impl From<AppError> for ScimError {
    fn from(error: AppError) -> Self {
        match &error {
            AppError::Field { message, .. }
                if message == crate::domain::invitee::refusal::EMAIL_TAKEN =>
            {
                ScimError::new(
                    409,
                    Some("uniqueness"),
                    "A member with this email address already exists in the organization.",
                )
            }
            AppError::Conflict(m) => ScimError::new(409, Some("uniqueness"), m.clone()),
            AppError::Invalid(m) | AppError::Field { message: m, .. } => {
                ScimError::invalid_value(m.clone())
            }
            AppError::NotFound(m) => ScimError::new(404, None, m.clone()),
            AppError::Forbidden | AppError::Refused(_) | AppError::Unauthenticated => {
                ScimError::new(403, None, error.to_string())
            }
            AppError::TooManyRequests(m) => ScimError::new(429, None, m.clone()),
            other => {
                if other.status() >= 500 {
                    tracing::error!(error = %other, "SCIM request failed");
                }
                ScimError::new(other.status(), None, other.to_string())
            }
        }
    }
}

impl From<sqlx::Error> for ScimError {
    fn from(error: sqlx::Error) -> Self {
        AppError::from(error).into()
    }
}

/// A request, as the binary hands it over.
pub struct ScimRequest<'a> {
    pub method: &'a str,
    /// The path after `/scim/v2`, such as `/Users/42`.
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub authorization: Option<&'a str>,
    pub body: &'a [u8],
}

/// Where the SCIM endpoint is (`https://roster.example/scim/v2`): `meta.location`, and
/// what the Identity page tells administrators to paste.
pub fn base_url(config: &super::RuntimeConfig) -> String {
    format!("{}/scim/v2", config.public_url.trim_end_matches('/'))
}

/// Answers one request.
pub async fn handle(
    pool: &PgPool,
    config: &super::RuntimeConfig,
    limits: &RateLimit,
    request: ScimRequest<'_>,
) -> ScimAnswer {
    let access = match authenticate(pool, request.authorization).await {
        Ok(access) => access,
        Err(error) => return error.answer(),
    };
    if let crate::domain::Who::IdentityProvider { key_id } = access.who {
        if let Err(retry_after) = limits.admit(key_id) {
            let mut answer = ScimError::new(
                429,
                None,
                format!("Too many requests with this token: wait {retry_after} s and send again."),
            )
            .answer();
            answer
                .headers
                .push(("retry-after", retry_after.to_string()));
            return answer;
        }
    }
    match route(pool, config, &access, &request).await {
        Ok(answer) => answer,
        Err(error) => error.answer(),
    }
}

/// The provisioning token's access: an API key with the provisioning scope alone.
async fn authenticate(pool: &PgPool, authorization: Option<&str>) -> Result<Access, ScimError> {
    let unauthorized = |detail: &str| ScimError::new(401, None, detail);
    let token = authorization
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| {
            unauthorized("Send the organization's provisioning token as `Authorization: Bearer <token>` (administrators create it on the API keys page, with the Provisioning scope).")
        })?;
    let access = super::api_keys::authenticate(pool, token)
        .await?
        .ok_or_else(|| unauthorized("This token is not valid or has been revoked."))?;
    access.may(Capability::Provision).map_err(|_| {
        ScimError::new(
            403,
            None,
            "This key is not a provisioning token: create one with the Provisioning scope alone on the API keys page.",
        )
    })?;
    Ok(access)
}

async fn route(
    pool: &PgPool,
    config: &super::RuntimeConfig,
    access: &Access,
    request: &ScimRequest<'_>,
) -> Result<ScimAnswer, ScimError> {
    let path = request.path.trim_end_matches('/');
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let resource = parts.next().unwrap_or("");
    let id = parts.next();
    let query = Query::parse(request.query.unwrap_or(""))?;
    let method = request.method;
    match (resource, id, method) {
        ("ServiceProviderConfig", None, "GET") => Ok(ScimAnswer::ok(
            discovery::service_provider_config(&base_url(config)),
        )),
        ("ResourceTypes", None, "GET") => Ok(ScimAnswer::ok(discovery::resource_types(
            &base_url(config),
        ))),
        ("ResourceTypes", Some(name), "GET") => {
            discovery::resource_type(&base_url(config), name).map(ScimAnswer::ok)
        }
        ("Schemas", None, "GET") => Ok(ScimAnswer::ok(discovery::schemas(&base_url(config)))),
        ("Schemas", Some(urn), "GET") => discovery::schema(&base_url(config), urn).map(ScimAnswer::ok),
        ("Users", None, "GET") => users::list(pool, config, access, &query).await,
        ("Users", None, "POST") => users::create(pool, config, access, body(request)?).await,
        ("Users", Some(id), "GET") => users::get(pool, config, access, id_of(id)?, &query).await,
        ("Users", Some(id), "PUT") => {
            users::replace(pool, config, access, id_of(id)?, body(request)?).await
        }
        ("Users", Some(id), "PATCH") => {
            users::patch(pool, config, access, id_of(id)?, body(request)?).await
        }
        ("Users", Some(id), "DELETE") => users::delete(pool, access, id_of(id)?).await,
        ("Groups", None, "GET") => groups::list(pool, config, access, &query).await,
        ("Groups", None, "POST") => groups::create(pool, config, access, body(request)?).await,
        ("Groups", Some(id), "GET") => groups::get(pool, config, access, id_of(id)?, &query).await,
        ("Groups", Some(id), "PUT") => {
            groups::replace(pool, config, access, id_of(id)?, body(request)?).await
        }
        ("Groups", Some(id), "PATCH") => {
            groups::patch(pool, config, access, id_of(id)?, body(request)?).await
        }
        ("Groups", Some(id), "DELETE") => groups::delete(pool, access, id_of(id)?).await,
        ("Users" | "Groups" | "ServiceProviderConfig" | "ResourceTypes" | "Schemas", _, _) => {
            Err(ScimError::new(
                405,
                None,
                format!("{method} is not supported on /scim/v2{path}."),
            ))
        }
        ("Bulk" | "Me" | ".search", _, _) => Err(ScimError::new(
            501,
            None,
            "Not supported here: see /scim/v2/ServiceProviderConfig for what is.",
        )),
        _ => Err(ScimError::new(
            404,
            None,
            format!("/scim/v2{path} is not a SCIM endpoint of Roster: use /Users, /Groups, /ServiceProviderConfig, /ResourceTypes or /Schemas."),
        )),
    }
}

/// A resource's id: Roster's are numbers; anything else names nothing.
fn id_of(raw: &str) -> Result<i64, ScimError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ScimError::new(404, None, "No resource with this id in the organization."))
}

fn body(request: &ScimRequest<'_>) -> Result<Value, ScimError> {
    let value: Value = serde_json::from_slice(request.body)
        .map_err(|e| ScimError::invalid_syntax(format!("The body is not JSON ({e}).")))?;
    if !value.is_object() {
        return Err(ScimError::invalid_syntax("The body must be a JSON object."));
    }
    Ok(value)
}

/// A list's query: `filter`, `startIndex`, `count`, `excludedAttributes`.
#[derive(Debug, Default)]
pub(crate) struct Query {
    pub filter: Option<Filter>,
    /// 1-based.
    pub start_index: i64,
    pub count: i64,
    /// `excludedAttributes=members` (Entra asks groups without their members).
    pub without_members: bool,
    /// `attributes`: only these (and `id`, `schemas`, `meta`), as lower-case paths.
    pub attributes: Vec<String>,
    /// `excludedAttributes`, as lower-case paths.
    pub excluded: Vec<String>,
}

impl Query {
    fn parse(raw: &str) -> Result<Self, ScimError> {
        let mut query = Query {
            filter: None,
            start_index: 1,
            count: 100,
            without_members: false,
            attributes: Vec::new(),
            excluded: Vec::new(),
        };
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            match key.to_ascii_lowercase().as_str() {
                "filter" => query.filter = Some(parse_filter(&value)?),
                // RFC 7644 §3.4.2.4: below 1 reads as 1; a count below 0 as 0.
                "startindex" => query.start_index = number(&value)?.max(1),
                "count" => query.count = number(&value)?.clamp(0, MAX_RESULTS),
                "excludedattributes" => {
                    query.excluded = paths(&value);
                    query.without_members = query.excluded.iter().any(|a| a == "members");
                }
                "attributes" => query.attributes = paths(&value),
                _ => {}
            }
        }
        Ok(query)
    }
}

/// `a, b.c` as lower-case attribute paths without the core schemas' prefix.
fn paths(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(|p| p.trim().to_ascii_lowercase())
        .map(|p| {
            for prefix in [
                "urn:ietf:params:scim:schemas:core:2.0:user:",
                "urn:ietf:params:scim:schemas:core:2.0:group:",
            ] {
                if let Some(rest) = p.strip_prefix(prefix) {
                    return rest.to_owned();
                }
            }
            p
        })
        .filter(|p| !p.is_empty())
        .take(64)
        .collect()
}

impl Query {
    /// A resource with only what `attributes` asks and without what `excludedAttributes`
    /// leaves out (RFC 7644 §3.4.2.5); `id`, `schemas` and `meta` are always returned.
    pub(crate) fn project(&self, mut resource: Value) -> Value {
        let Some(object) = resource.as_object_mut() else {
            return resource;
        };
        let always = |key: &str| matches!(key, "id" | "schemas" | "meta");
        if !self.attributes.is_empty() {
            let keys: Vec<String> = object.keys().cloned().collect();
            for key in keys {
                let lower = key.to_ascii_lowercase();
                if always(&lower) {
                    continue;
                }
                let whole = self.attributes.contains(&lower);
                let parts: Vec<&str> = self
                    .attributes
                    .iter()
                    .filter_map(|a| a.strip_prefix(&format!("{lower}.")))
                    .collect();
                if whole {
                    continue;
                }
                if parts.is_empty() {
                    object.remove(&key);
                } else if let Some(inner) = object.get_mut(&key).and_then(Value::as_object_mut) {
                    inner.retain(|k, _| parts.contains(&k.to_ascii_lowercase().as_str()));
                }
            }
        }
        for path in &self.excluded {
            let (top, sub) = match path.split_once('.') {
                Some((top, sub)) if !top.starts_with("urn:") => (top, Some(sub)),
                _ => (path.as_str(), None),
            };
            if always(top) {
                continue;
            }
            let key = object.keys().find(|k| k.eq_ignore_ascii_case(top)).cloned();
            match (key, sub) {
                (Some(key), None) => {
                    object.remove(&key);
                }
                (Some(key), Some(sub)) => {
                    if let Some(inner) = object.get_mut(&key).and_then(Value::as_object_mut) {
                        inner.retain(|k, _| !k.eq_ignore_ascii_case(sub));
                    }
                }
                _ => {}
            }
        }
        resource
    }
}

fn number(raw: &str) -> Result<i64, ScimError> {
    raw.trim()
        .parse::<i64>()
        .map_err(|_| ScimError::invalid_value(format!("`{raw}` is not a whole number.")))
}

/// A list answer (RFC 7644 §3.4.2).
pub(crate) fn list_response(total: i64, start_index: i64, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// An RFC 3339 time for `meta`.
pub(crate) fn timestamp(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
