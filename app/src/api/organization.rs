use crate::domain::{MemberStatus, Permission, SeatPool};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The header of My Organization: status counts and seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationSummary {
    pub name: String,
    pub active: i64,
    pub invited: i64,
    pub inactive: i64,
    pub enable: SeatPool,
    pub opportunity: SeatPool,
}

impl OrganizationSummary {
    pub fn members(&self) -> i64 {
        self.active + self.invited + self.inactive
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub id: i64,
    pub external_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub job_title: String,
    pub permission: Permission,
    pub status: MemberStatus,
    pub enable_seat: bool,
    pub opportunity_seat: bool,
    /// "Region / Team", when the member is in a team.
    pub team: Option<String>,
}

/// One page of the member list, in name order. `before`/`after` are keyset cursors
/// (a member id) for the neighbouring pages, present only when such a page exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub rows: Vec<MemberRow>,
    pub before: Option<i64>,
    pub after: Option<i64>,
}

pub const MEMBER_PAGE_SIZE: i64 = 25;

#[server]
pub async fn organization_overview() -> Result<OrganizationSummary, AppError> {
    use crate::domain::SeatKind;
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let row = sqlx::query!(
        r#"SELECT o.name, o.enable_seats, o.opportunity_seats, o.enable_seats_held, o.opportunity_seats_held,
                  count(m.id) FILTER (WHERE m.status = 'active')      AS "active!",
                  count(m.id) FILTER (WHERE m.status = 'invited')     AS "invited!",
                  count(m.id) FILTER (WHERE m.status = 'deactivated') AS "inactive!"
             FROM organizations o LEFT JOIN members m ON m.organization_id = o.id
            WHERE o.id = $1
            GROUP BY o.id"#,
        viewer.organization_id,
    )
    .fetch_one(&pool)
    .await?;
    Ok(OrganizationSummary {
        name: row.name,
        active: row.active,
        invited: row.invited,
        inactive: row.inactive,
        enable: SeatPool {
            kind: SeatKind::Enable,
            bought: row.enable_seats.into(),
            held: row.enable_seats_held.into(),
        },
        opportunity: SeatPool {
            kind: SeatKind::Opportunity,
            bought: row.opportunity_seats.into(),
            held: row.opportunity_seats_held.into(),
        },
    })
}

/// A page of members after (or before) the member with the given id, in name order.
#[server]
pub async fn list_members(after: Option<i64>, before: Option<i64>) -> Result<MemberPage, AppError> {
    let viewer = crate::server::session::require_admin().await?;
    let pool = crate::server::pool()?;
    let org = viewer.organization_id;
    let limit = MEMBER_PAGE_SIZE + 1; // one extra row tells whether another page follows

    // Keyset pagination on the index members_list_by_name: the cursor member's sort key
    // is looked up inside the caller's organization, so a foreign id yields nothing.
    macro_rules! page_query {
        ($cmp:literal, $order:literal, $cursor:expr) => {
            sqlx::query!(
                r#"SELECT m.id, m.external_id, m.first_name, m.last_name, m.email, m.job_title,
                          m.permission, m.status, m.enable_seat, m.opportunity_seat,
                          r.name || ' / ' || t.name AS team
                     FROM members m
                     LEFT JOIN teams t ON t.id = m.team_id
                     LEFT JOIN regions r ON r.id = t.region_id
                    WHERE m.organization_id = $1
                      AND ($2::bigint IS NULL OR (lower(m.last_name), lower(m.first_name), m.id) "#
                    + $cmp
                    + r#" (SELECT lower(c.last_name), lower(c.first_name), c.id
                               FROM members c WHERE c.id = $2 AND c.organization_id = $1))
                    ORDER BY lower(m.last_name) "#
                    + $order
                    + ", lower(m.first_name) "
                    + $order
                    + ", m.id "
                    + $order
                    + " LIMIT $3",
                org,
                $cursor,
                limit,
            )
            .fetch_all(&pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok(MemberRow {
                    id: r.id,
                    external_id: r.external_id,
                    first_name: r.first_name,
                    last_name: r.last_name,
                    email: r.email,
                    job_title: r.job_title,
                    permission: Permission::parse(&r.permission).map_err(|_| AppError::Internal)?,
                    status: MemberStatus::parse(&r.status).map_err(|_| AppError::Internal)?,
                    enable_seat: r.enable_seat,
                    opportunity_seat: r.opportunity_seat,
                    team: r.team,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?
        };
    }

    let page_size = MEMBER_PAGE_SIZE as usize;
    if let Some(cursor) = before {
        let mut rows = page_query!("<", "DESC", Some(cursor));
        let more_before = rows.len() > page_size;
        rows.truncate(page_size);
        rows.reverse();
        Ok(MemberPage {
            before: more_before.then(|| rows.first().map(|r| r.id)).flatten(),
            after: rows.last().map(|r| r.id),
            rows,
        })
    } else {
        let mut rows = page_query!(">", "ASC", after);
        let more_after = rows.len() > page_size;
        rows.truncate(page_size);
        Ok(MemberPage {
            before: after.and(rows.first().map(|r| r.id)),
            after: more_after.then(|| rows.last().map(|r| r.id)).flatten(),
            rows,
        })
    }
}
