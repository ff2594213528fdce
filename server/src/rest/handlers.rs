//! The handlers of `/api/v1`, each annotated for the OpenAPI document.

use super::{caller, json, once, refused};
use app::error::AppError;
use app::server::rest::types::*;
use app::server::rest::{self as api, body};
use app::server::ServerState;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Roster API",
        version = "1",
        description = "Members, teams, programs, seats and the activity log of one organization, for the programs a company connects to Roster. Send an organization API key as `Authorization: Bearer rst_…`; administrators create keys on the API keys page and choose their scopes: `read` (members, teams, programs, progress, seats), `write` (invite, change, deactivate and reactivate members; ask for seats), `progress` (report progress), `activity` (read and export the log). Refusals are problem details (RFC 9457) in the words the pages use; each key may send 100 requests a second (429 with Retry-After beyond). Creates take an `Idempotency-Key` header: the same key with the same request is done once and answered again."
    ),
    paths(
        list_members, invite_member, get_member, update_member, deactivate_member,
        reactivate_member, member_enrollments, list_programs, list_regions, get_seats,
        request_seats, list_activity, export_activity, crate::progress_api::post_progress
    ),
    components(schemas(Problem, FieldProblem)),
    modifiers(&BearerKey),
    tags(
        (name = "members", description = "Invite, read, change, deactivate and reactivate members."),
        (name = "organization", description = "Programs, regions and teams, seats."),
        (name = "progress", description = "Progress in programs."),
        (name = "activity", description = "The activity log.")
    )
)]
pub struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An organization API key (rst_…) from the API keys page.",
                    ))
                    .build(),
            ),
        );
    }
}

/// `GET /api/v1/openapi.json`: this document.
pub async fn openapi() -> Response {
    json(StatusCode::OK, &ApiDoc::openapi())
}

/// Anything else under `/api/v1`.
pub async fn no_such_route() -> Response {
    refused(&AppError::NotFound(
        "There is no such operation in the Roster API: see /api/v1/docs.".into(),
    ))
}

fn bad_query(rejection: QueryRejection) -> Response {
    refused(&AppError::invalid(format!(
        "The query string cannot be read ({}): see /api/v1/docs.",
        rejection.body_text()
    )))
}

fn bad_path(_: PathRejection) -> Response {
    refused(&AppError::member_not_found())
}

macro_rules! or_refuse {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(response) => return response,
        }
    };
}

fn answer<T: serde::Serialize>(outcome: Result<T, AppError>) -> Response {
    match outcome {
        Ok(value) => json(StatusCode::OK, &value),
        Err(error) => refused(&error),
    }
}

/// List members
///
/// My Organization's list: the same search, filters, sorts and keyset pages (25 a page).
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(MemberQuery),
    responses(
        (status = 200, description = "A page of members", body = MemberPage),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the read scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter that cannot be used", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["read"])))]
pub async fn list_members(
    State(state): State<ServerState>,
    headers: HeaderMap,
    query: Result<Query<MemberQuery>, QueryRejection>,
) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    let Query(query) = or_refuse!(query.map_err(bad_query));
    answer(api::list_members(&state.pool, &access, &query).await)
}

/// Invite a member
///
/// Creates the member and sends the invitation email, as the + Invite form does (seats
/// given only when free; an address already in the organization is refused). Send an
/// `Idempotency-Key` to make a retry safe.
#[utoipa::path(post, path = "/api/v1/members", tag = "members", request_body = NewMember,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry of this request safe: the same key and request are done once.")),
    responses(
        (status = 201, description = "Invited", body = Member),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the write scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same Idempotency-Key is at work", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong or a rule says no (such as no free seat)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["write"])))]
pub async fn invite_member(
    State(state): State<ServerState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    let mut response = once(
        &state,
        &access,
        &headers,
        "/api/v1/members",
        &bytes,
        || async {
            let new: NewMember = body(&bytes)?;
            let member = api::invite_member(&state.pool, &state.config, &access, &new).await?;
            Ok((
                StatusCode::CREATED,
                serde_json::to_value(member).map_err(|_| AppError::internal())?,
            ))
        },
    )
    .await;
    located(&mut response).await;
    response
}

/// A created member's address in `Location`.
async fn located(response: &mut Response) {
    if response.status() != StatusCode::CREATED {
        return;
    }
    let body = std::mem::replace(response.body_mut(), Body::empty());
    let bytes = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .unwrap_or_default();
    if let Some(id) = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["id"].as_i64())
    {
        if let Ok(value) = HeaderValue::from_str(&format!("/api/v1/members/{id}")) {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
    *response.body_mut() = Body::from(bytes);
}

/// Get a member
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members",
    params(("id" = i64, Path, description = "The member's id")),
    responses(
        (status = 200, description = "The member", body = Member),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the read scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member in the organization", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["read"])))]
pub async fn get_member(
    State(state): State<ServerState>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    let Path(id) = or_refuse!(id.map_err(bad_path));
    answer(api::get_member(&state.pool, &access, id).await)
}

/// Change a member
///
/// Names, job title, permission, seats, programs and team, judged by the rules a change
/// set is judged by and applied whole (or refused whole with their words). Left-out
/// fields stay as they are.
#[utoipa::path(patch, path = "/api/v1/members/{id}", tag = "members", request_body = MemberUpdate,
    params(("id" = i64, Path, description = "The member's id")),
    responses(
        (status = 200, description = "The member as changed", body = Member),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member in the organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong or a rule says no", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["write"])))]
pub async fn update_member(
    State(state): State<ServerState>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
    bytes: Bytes,
) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    let Path(id) = or_refuse!(id.map_err(bad_path));
    let update: MemberUpdate = match body(&bytes) {
        Ok(update) => update,
        Err(error) => return refused(&error),
    };
    answer(api::update_member(&state.pool, &access, id, &update).await)
}

/// Deactivate a member
///
/// Sign-in stops at once; the Opportunity seat is released, and the Enable seat unless
/// its license is used (SPEC rule 5). An invited member's invitation is revoked.
#[utoipa::path(post, path = "/api/v1/members/{id}/deactivate", tag = "members",
    params(("id" = i64, Path, description = "The member's id")),
    responses(
        (status = 200, description = "The member, deactivated", body = Member),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member in the organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule says no (the last administrator, already inactive)", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["write"])))]
pub async fn deactivate_member(
    State(state): State<ServerState>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    let Path(id) = or_refuse!(id.map_err(bad_path));
    answer(api::deactivate_member(&state.pool, &access, id).await)
}

/// Reactivate a member
///
/// Asks again for the seats they held (refused when none is free); someone who never set
/// up their account is invited again.
#[utoipa::path(post, path = "/api/v1/members/{id}/reactivate", tag = "members",
    params(("id" = i64, Path, description = "The member's id")),
    responses(
        (status = 200, description = "The member, active or invited again", body = Member),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member in the organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule says no (no free seat, not inactive)", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["write"])))]
pub async fn reactivate_member(
    State(state): State<ServerState>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    let Path(id) = or_refuse!(id.map_err(bad_path));
    answer(api::reactivate_member(&state.pool, &state.config, &access, id).await)
}

/// A member's programs and progress
#[utoipa::path(get, path = "/api/v1/members/{id}/enrollments", tag = "progress",
    params(("id" = i64, Path, description = "The member's id")),
    responses(
        (status = 200, description = "Programs assigned and progress", body = MemberEnrollments),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the read scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member in the organization", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["read"])))]
pub async fn member_enrollments(
    State(state): State<ServerState>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    let Path(id) = or_refuse!(id.map_err(bad_path));
    answer(api::member_enrollments(&state.pool, &access, id).await)
}

/// The program catalog
#[utoipa::path(get, path = "/api/v1/programs", tag = "organization",
    responses(
        (status = 200, description = "Every program", body = Vec<ProgramInfo>),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the read scope", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["read"])))]
pub async fn list_programs(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    answer(api::programs(&access))
}

/// Regions and their teams
#[utoipa::path(get, path = "/api/v1/regions", tag = "organization",
    responses(
        (status = 200, description = "Regions with their teams and member counts", body = Vec<Region>),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the read scope", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["read"])))]
pub async fn list_regions(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    answer(api::regions(&state.pool, &access).await)
}

/// Seats bought, held and free
#[utoipa::path(get, path = "/api/v1/seats", tag = "organization",
    responses(
        (status = 200, description = "Both kinds of seat", body = Seats),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the read scope", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["read"])))]
pub async fn get_seats(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    answer(api::seats(&state.pool, &access).await)
}

/// Ask the vendor for more seats
///
/// Emailed to the vendor, as the Seats page does; at most 3 a day per organization.
#[utoipa::path(post, path = "/api/v1/seats/requests", tag = "organization", request_body = NewSeatRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry of this request safe.")),
    responses(
        (status = 201, description = "Sent to the vendor", body = SeatRequestSent),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the write scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Three requests were sent today already", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["write"])))]
pub async fn request_seats(
    State(state): State<ServerState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    once(
        &state,
        &access,
        &headers,
        "/api/v1/seats/requests",
        &bytes,
        || async {
            let new: NewSeatRequest = body(&bytes)?;
            let sent = api::request_seats(&state.pool, &state.config, &access, &new).await?;
            Ok((
                StatusCode::CREATED,
                serde_json::to_value(sent).map_err(|_| AppError::internal())?,
            ))
        },
    )
    .await
}

/// Read the activity log
///
/// Newest first, 50 entries a page, with the Activity page's filters.
#[utoipa::path(get, path = "/api/v1/activity", tag = "activity", params(ActivityQuery),
    responses(
        (status = 200, description = "A page of the log", body = ActivityPage),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the activity scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter that cannot be used", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["activity"])))]
pub async fn list_activity(
    State(state): State<ServerState>,
    headers: HeaderMap,
    query: Result<Query<ActivityQuery>, QueryRejection>,
) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    let Query(query) = or_refuse!(query.map_err(bad_query));
    answer(api::activity(&state.pool, &access, &query).await)
}

/// Export the activity log
///
/// Everything the filters select, newest first, streamed as CSV (formula-safe) or JSON
/// Lines (`format=jsonl`), whatever its size.
#[utoipa::path(get, path = "/api/v1/activity/export", tag = "activity", params(ActivityQuery),
    responses(
        (status = 200, description = "The log, streamed", content_type = "text/csv", body = String),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the activity scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter or format that cannot be used", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Other exports are running: try again in a minute", body = Problem, content_type = "application/problem+json")
    ),
    security(("api_key" = ["activity"])))]
pub async fn export_activity(
    State(state): State<ServerState>,
    headers: HeaderMap,
    query: Result<Query<ActivityQuery>, QueryRejection>,
) -> Response {
    let access = or_refuse!(caller(&state, &headers).await);
    let Query(query) = or_refuse!(query.map_err(bad_query));
    crate::activity_export::stream(&state, &access, &query)
}
