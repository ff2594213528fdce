//! The REST API (`/api/v1`): each operation takes who calls (an API key's [`Access`], its
//! scopes checked by `Access::may` like anyone's) and the request, and calls the same
//! server code the pages call — inviting through `invite::from_form`, changing through
//! the change engine (`roster::edit::change`), deactivating through `members` — so an
//! API write is one more producer of member changes under the same rules and words. The
//! binary routes here and documents each route in the OpenAPI document.

pub mod idempotency;
pub mod types;

use crate::domain::{Access, Capability, InviteeDraft, Permission, Program, SeatKind, SeatRequest};
use crate::error::AppError;
use crate::import::desired::Desired;
use crate::model::member_list::MemberFilter;
use crate::server::activity::Action;
use crate::server::RuntimeConfig;
use serde::de::DeserializeOwned;
use sqlx::PgPool;
use types::*;

/// The most requests one API key may send per second on one instance.
pub const REQUESTS_PER_SECOND: u32 = 100;

/// `error` as problem details, with the status the pages' server functions answer with.
pub fn problem(error: &AppError) -> Problem {
    let status = error.status();
    if status == 500 {
        tracing::error!(%error, "REST API request failed");
    }
    let errors = match error {
        AppError::Field { field, message } => vec![FieldProblem {
            field: field.clone(),
            message: message.clone(),
        }],
        AppError::Problems(problems) => problems
            .iter()
            .map(|p| FieldProblem {
                field: p.field.clone(),
                message: p.message.clone(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let detail = match (error, errors.as_slice()) {
        // One field: its message says it all.
        (AppError::Problems(_), [one]) => one.message.clone(),
        _ => error.to_string(),
    };
    Problem {
        kind: "about:blank".into(),
        title: title(status).into(),
        status,
        detail,
        errors,
    }
}

/// The standard name of an HTTP status (RFC 9110).
pub fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

/// A JSON body, or a 422 that says what is wrong with it (unknown fields included).
pub fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(bytes).map_err(|error| {
        AppError::invalid(format!(
            "The body is not the JSON this operation takes ({error}): see /api/v1/docs."
        ))
    })
}

// ---------------------------------------------------------------------------------------
// Members

/// Members by id, in the caller's scope, in the order asked.
async fn members_by_id(
    pool: &PgPool,
    access: &Access,
    ids: &[i64],
) -> Result<Vec<Member>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT m.id AS "id!", m.external_id, m.email AS "email!", m.first_name AS "first_name!",
                  m.last_name AS "last_name!", m.job_title AS "job_title!", m.permission AS "permission!",
                  m.status AS "status!", m.enable_seat AS "enable_seat!",
                  m.opportunity_seat AS "opportunity_seat!",
                  t.id AS "team_id?", t.name AS "team_name?", r.id AS "region_id?", r.name AS "region_name?",
                  to_char(m.deactivate_on, 'YYYY-MM-DD') AS deactivate_on,
                  EXISTS (SELECT 1 FROM invitations i WHERE i.member_id = m.id AND m.status = 'invited'
                            AND i.accepted_at IS NULL
                            AND (i.expired_at IS NOT NULL OR i.expires_at <= now())) AS "invitation_expired!"
             FROM scoped_members($2, $3) m
             LEFT JOIN teams t ON t.id = m.team_id LEFT JOIN regions r ON r.id = t.region_id
            WHERE m.id = ANY($1)"#,
        ids,
        access.organization_id,
        crate::server::scope::teams(access) as Option<Vec<i64>>,
    )
    .fetch_all(pool)
    .await?;
    let mut members = Vec::with_capacity(rows.len());
    for r in rows {
        let team = match (r.team_id, r.team_name, r.region_id, r.region_name) {
            (Some(id), Some(name), Some(region_id), Some(region)) => Some(TeamRef {
                id,
                name,
                region_id,
                region,
            }),
            _ => None,
        };
        members.push(Member {
            id: r.id,
            user_id: r.external_id,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            job_title: r.job_title,
            permission: Permission::parse(&r.permission)
                .map_err(|_| AppError::internal())?
                .into(),
            status: crate::domain::MemberStatus::parse(&r.status)
                .map_err(|_| AppError::internal())?
                .into(),
            enable_seat: r.enable_seat,
            opportunity_seat: r.opportunity_seat,
            team,
            deactivate_on: r.deactivate_on,
            invitation_expired: r.invitation_expired,
        });
    }
    members.sort_by_key(|m| ids.iter().position(|id| *id == m.id));
    Ok(members)
}

pub async fn get_member(pool: &PgPool, access: &Access, id: i64) -> Result<Member, AppError> {
    access.may(Capability::SeeMembers)?;
    written(pool, access, id).await
}

/// The member a write just changed, as the answer to that write: a key that may write
/// gets back what it wrote without needing the read scope too.
async fn written(pool: &PgPool, access: &Access, id: i64) -> Result<Member, AppError> {
    members_by_id(pool, access, &[id])
        .await?
        .pop()
        .ok_or_else(AppError::member_not_found)
}

/// My Organization's list: the same filters, sorts and keyset pages.
pub async fn list_members(
    pool: &PgPool,
    access: &Access,
    query: &MemberQuery,
) -> Result<MemberPage, AppError> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let filter = MemberFilter {
        q: text(&query.q),
        status: text(&query.status),
        permission: text(&query.permission),
        seat: text(&query.seat),
        team: text(&query.team),
        sort: text(&query.sort),
    };
    let page =
        crate::server::member_list::fetch(pool, access, &filter, query.after, query.before).await?;
    let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    Ok(MemberPage {
        members: members_by_id(pool, access, &ids).await?,
        total: page.total,
        total_capped: page.total_capped,
        next: page.after,
        previous: page.before,
    })
}

/// Invites one member (an invitation email goes out), as the + Invite form does.
pub async fn invite_member(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    new: &NewMember,
) -> Result<Member, AppError> {
    let draft = InviteeDraft {
        first_name: new.first_name.clone(),
        last_name: new.last_name.clone(),
        email: new.email.clone(),
        job_title: new.job_title.clone().unwrap_or_default(),
        permission: Permission::from(new.permission.unwrap_or(ApiPermission::Member))
            .as_str()
            .to_owned(),
        enable_seat: new.enable_seat.unwrap_or(false),
        opportunity_seat: new.opportunity_seat.unwrap_or(false),
    };
    let ids = crate::server::invite::from_form(pool, config, access, &[draft], new.team_id).await?;
    let id = ids.first().copied().ok_or_else(AppError::internal)?;
    written(pool, access, id).await
}

/// Changes a member through the change engine: one plan, judged by the rules the pages
/// and files are judged by, applied whole or refused with their words.
pub async fn update_member(
    pool: &PgPool,
    access: &Access,
    id: i64,
    update: &MemberUpdate,
) -> Result<Member, AppError> {
    access.may(Capability::ChangeMembers)?;
    if let Some(permission) = update.permission {
        crate::domain::access::may_give_permission(access.role, permission.into())?;
    }
    let programs = match &update.programs {
        Some(slugs) => {
            let mut programs = Vec::new();
            for slug in slugs {
                programs.push(Program::parse(slug).map_err(|e| AppError::field("programs", e.0))?);
            }
            programs.sort_by_key(|p| Program::ALL.iter().position(|q| q == p));
            programs.dedup();
            Some(programs)
        }
        None => None,
    };
    let team = match update.team_id {
        None => None,
        Some(None) => Some((String::new(), String::new())),
        Some(Some(team_id)) => Some(team_names(pool, access, team_id).await?),
    };
    let text = |v: &Option<String>| v.as_ref().map(|s| crate::domain::trim(s).to_owned());
    let desired = Desired {
        first_name: text(&update.first_name),
        last_name: text(&update.last_name),
        job_title: text(&update.job_title),
        permission: update.permission.map(Permission::from),
        enable_seat: update.enable_seat,
        opportunity_seat: update.opportunity_seat,
        programs,
        team,
        deactivate_on: None,
    };
    crate::server::roster::change(
        pool,
        access,
        &[id],
        |_| desired.clone(),
        Action::ChangedByApi,
    )
    .await?;
    written(pool, access, id).await
}

/// A team's region and name (the change engine names teams as files do).
async fn team_names(
    pool: &PgPool,
    access: &Access,
    team_id: i64,
) -> Result<(String, String), AppError> {
    sqlx::query!(
        r#"SELECT r.name AS region, t.name AS team
             FROM scoped_teams($2, $3) s JOIN teams t ON t.id = s.id JOIN regions r ON r.id = t.region_id
            WHERE t.id = $1"#,
        team_id,
        access.organization_id,
        crate::server::scope::teams(access) as Option<Vec<i64>>,
    )
    .fetch_optional(pool)
    .await?
    .map(|r| (r.region, r.team))
    .ok_or_else(|| AppError::field("team_id", "No team of your organization has this id: see GET /api/v1/teams."))
}

pub async fn deactivate_member(
    pool: &PgPool,
    access: &Access,
    id: i64,
) -> Result<Member, AppError> {
    crate::server::members::deactivate(pool, access, id).await?;
    written(pool, access, id).await
}

pub async fn reactivate_member(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    id: i64,
) -> Result<Member, AppError> {
    crate::server::members::reactivate(pool, config, access, id).await?;
    written(pool, access, id).await
}

pub async fn member_enrollments(
    pool: &PgPool,
    access: &Access,
    id: i64,
) -> Result<MemberEnrollments, AppError> {
    let detail = crate::server::enrollments::detail(pool, access, id).await?;
    let enrollments: Vec<EnrollmentInfo> = detail
        .programs
        .into_iter()
        .map(|e| EnrollmentInfo {
            program: e.program.slug().to_owned(),
            name: e.name,
            progress: e.progress.percent(),
            completed: e.progress == crate::domain::Progress::COMPLETE,
            enrolled_on: e.enrolled_on,
        })
        .collect();
    Ok(MemberEnrollments {
        member_id: id,
        license_used: enrollments.iter().any(|e| e.progress >= 10.0),
        enrollments,
    })
}

// ---------------------------------------------------------------------------------------
// The organization: programs, teams, seats, activity

pub fn programs(access: &Access) -> Result<Vec<ProgramInfo>, AppError> {
    access.may(Capability::SeeMembers)?;
    Ok(Program::ALL
        .iter()
        .map(|p| ProgramInfo {
            slug: p.slug().to_owned(),
            name: p.name().to_owned(),
        })
        .collect())
}

/// Regions and their teams (those in the caller's scope), with member counts.
pub async fn regions(pool: &PgPool, access: &Access) -> Result<Vec<Region>, AppError> {
    access.may(Capability::SeeMembers)?;
    let rows = sqlx::query!(
        r#"SELECT r.id AS region_id, r.name AS region, t.id AS team_id, t.name AS team,
                  (SELECT count(*) FROM members m WHERE m.team_id = t.id) AS "members!"
             FROM scoped_teams($1, $2) s JOIN teams t ON t.id = s.id JOIN regions r ON r.id = t.region_id
            ORDER BY lower(r.name), r.id, lower(t.name), t.id"#,
        access.organization_id,
        crate::server::scope::teams(access) as Option<Vec<i64>>,
    )
    .fetch_all(pool)
    .await?;
    let mut regions: Vec<Region> = Vec::new();
    for r in rows {
        let team = Team {
            id: r.team_id,
            name: r.team,
            region_id: r.region_id,
            region: r.region.clone(),
            members: r.members,
        };
        match regions.last_mut() {
            Some(last) if last.id == r.region_id => last.teams.push(team),
            _ => regions.push(Region {
                id: r.region_id,
                name: r.region,
                teams: vec![team],
            }),
        }
    }
    Ok(regions)
}

pub async fn seats(pool: &PgPool, access: &Access) -> Result<Seats, AppError> {
    access.may(Capability::SeeMembers)?;
    let r = sqlx::query!(
        r#"SELECT o.enable_seats, o.opportunity_seats, o.enable_seats_held, o.opportunity_seats_held,
                  (SELECT count(*) FROM members m
                    WHERE m.organization_id = o.id AND m.enable_seat AND m.license_used) AS "enable_used!"
             FROM organizations o WHERE o.id = $1"#,
        access.organization_id
    )
    .fetch_one(pool)
    .await?;
    let count = |bought: i32, held: i32| SeatCount {
        bought: bought.into(),
        held: held.into(),
        free: (i64::from(bought) - i64::from(held)).max(0),
    };
    Ok(Seats {
        enable: count(r.enable_seats, r.enable_seats_held),
        opportunity: count(r.opportunity_seats, r.opportunity_seats_held),
        enable_used: r.enable_used,
    })
}

pub async fn request_seats(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    new: &NewSeatRequest,
) -> Result<SeatRequestSent, AppError> {
    let kind = SeatKind::parse(&new.seat).map_err(|e| AppError::field("seat", e.0))?;
    let request = SeatRequest::parse(
        kind,
        &new.seats.to_string(),
        new.note.as_deref().unwrap_or(""),
    )
    .map_err(|(field, e)| AppError::field(field, e.0))?;
    crate::server::seats::request_more(pool, config, access, &request).await?;
    Ok(SeatRequestSent {
        seat: kind.key().to_owned(),
        seats: request.seats,
    })
}

pub async fn activity(
    pool: &PgPool,
    access: &Access,
    query: &ActivityQuery,
) -> Result<ActivityPage, AppError> {
    let rows = crate::server::activity::rows(pool, access, &query.filter(), query.before).await?;
    let next = (rows.len() as i64 == crate::server::activity::PAGE)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok(ActivityPage {
        entries: rows
            .into_iter()
            .map(|r| ActivityItem {
                description: r.description().trim_end_matches(':').to_owned(),
                id: r.id,
                time: r.at,
                who: r.actor_label,
                action: r.action,
                member_id: r.subject_member_id,
                member: r.subject,
                details: r.details,
            })
            .collect(),
        next,
    })
}
