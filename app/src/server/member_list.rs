//! The member list query: search, filters, three sort orders, keyset pagination.
//!
//! Keyset, not OFFSET: page 4,000 of a 100,000-member organization costs what page 1
//! does. The cursor is a member id; its sort key is looked up inside the caller's
//! organization, so a foreign or stale id yields an empty page, never another tenant's rows.

use super::scope;
use crate::domain::{Access, Capability, MemberStatus, Permission, SeatKind, SeatPool};
use crate::error::AppError;
use crate::model::member_list::{
    MemberFilter, MemberPage, MemberRow, OrganizationSummary, TeamOption, MEMBER_PAGE_SIZE,
    SEARCH_COUNT_LIMIT,
};
use sqlx::{PgPool, Postgres, QueryBuilder, Row};

/// A sort order: its key expression (for alias `m` and the cursor alias `c`) and direction.
struct Sort {
    key: fn(&str) -> String,
    descending: bool,
}

fn sort_of(name: &str) -> Result<Sort, AppError> {
    Ok(match name {
        "" | "name" => Sort {
            key: |a| format!("lower({a}.last_name), lower({a}.first_name), {a}.id"),
            descending: false,
        },
        "newest" => Sort {
            key: |a| format!("{a}.created_at, {a}.id"),
            descending: true,
        },
        // Must match the expression of the index members_list_by_status.
        "status" => Sort {
            key: |a| {
                format!(
                    "(CASE {a}.status WHEN 'active' THEN 0 WHEN 'invited' THEN 1 ELSE 2 END), lower({a}.last_name), lower({a}.first_name), {a}.id"
                )
            },
            descending: false,
        },
        other => {
            return Err(AppError::invalid(format!(
                "Unknown sort order \u{201c}{other}\u{201d}: choose name, newest or status."
            )))
        }
    })
}

/// The search as a LIKE condition on the text the trigram index members_search covers (for
/// alias `alias`). LIKE wildcards in the input are literal.
///
/// A query with a search runs as an unnamed statement (`persistent(false)`), planned for
/// its pattern each time: a prepared one goes over to a generic plan after five runs,
/// which cannot tell "a" (every member: read in order, stop early) from "member12345@"
/// (one: the trigram index), and took a second to count "a" at a million members.
fn push_search(qb: &mut QueryBuilder<'_, Postgres>, alias: &str, filter: &MemberFilter) {
    let q = filter.q.trim().to_lowercase();
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    qb.push(format!(
        " lower({alias}.first_name || ' ' || {alias}.last_name || ' ' || {alias}.email) LIKE "
    ))
    .push_bind(format!("%{escaped}%"));
}

fn searching(filter: &MemberFilter) -> bool {
    !filter.q.trim().is_empty()
}

/// Appends `FROM members m …`. A search narrows the members first, in a subquery fenced
/// with OFFSET 0: otherwise the planner walks the name index and tests every row (a
/// search matching late in the alphabet cost 180 ms at 100,000 members; fenced, the
/// trigram index finds the matches and a top-N sort orders them: under 40 ms).
fn push_from(qb: &mut QueryBuilder<'_, Postgres>, access: &Access, filter: &MemberFilter) {
    if searching(filter) {
        qb.push(" FROM (SELECT * FROM ");
        scope::members(qb, access);
        qb.push(" s WHERE");
        push_search(qb, "s", filter);
        qb.push(" OFFSET 0) m");
    } else {
        qb.push(" FROM ");
        scope::members(qb, access);
        qb.push(" m");
    }
}

/// Appends the filter's conditions (each value bound, never spliced into the SQL).
fn push_filters(
    qb: &mut QueryBuilder<'_, Postgres>,
    filter: &MemberFilter,
) -> Result<(), AppError> {
    qb.push(" WHERE true");
    if !filter.status.is_empty() {
        let status = MemberStatus::parse(&filter.status).map_err(|e| AppError::Invalid(e.0))?;
        qb.push(" AND m.status = ").push_bind(status.as_str());
    }
    if !filter.permission.is_empty() {
        let permission =
            Permission::parse(&filter.permission).map_err(|e| AppError::Invalid(e.0))?;
        qb.push(" AND m.permission = ")
            .push_bind(permission.as_str());
    }
    match filter.seat.as_str() {
        "" => {}
        "enable" => {
            qb.push(" AND m.enable_seat");
        }
        "opportunity" => {
            qb.push(" AND m.opportunity_seat");
        }
        "none" => {
            qb.push(" AND NOT m.enable_seat AND NOT m.opportunity_seat");
        }
        other => {
            return Err(AppError::invalid(format!(
                "Unknown seat filter \u{201c}{other}\u{201d}: choose enable, opportunity or none."
            )))
        }
    }
    match filter.team.as_str() {
        "" => {}
        "none" => {
            qb.push(" AND m.team_id IS NULL");
        }
        id => {
            let id: i64 = id.parse().map_err(|_| {
                AppError::invalid("Unknown team filter: choose a team from the list.")
            })?;
            qb.push(" AND m.team_id = ").push_bind(id);
        }
    }
    Ok(())
}

/// The count of the members `filter` matches. Without a search it is a sum of the kept
/// counts (`member_counts`, keyed by every column the filters read, and scoped as
/// `scoped_members` is), whatever the organization's size; a search counts its matches,
/// up to one past [`SEARCH_COUNT_LIMIT`]. Unfenced, so that the planner may scan in any
/// order and stop early: a broad search ("a") finds its 10,001 in the first rows it reads.
fn matching_count<'a>(
    access: &Access,
    filter: &'a MemberFilter,
) -> Result<QueryBuilder<'a, Postgres>, AppError> {
    if searching(filter) {
        let mut count = QueryBuilder::<Postgres>::new("SELECT count(*) FROM (SELECT 1 FROM ");
        scope::members(&mut count, access);
        count.push(" m");
        push_filters(&mut count, filter)?;
        count.push(" AND");
        push_search(&mut count, "m", filter);
        count
            .push(" LIMIT ")
            .push_bind(SEARCH_COUNT_LIMIT + 1)
            .push(") matches");
        return Ok(count);
    }
    let mut count =
        QueryBuilder::<Postgres>::new("SELECT coalesce(sum(m.n), 0)::bigint FROM member_counts m");
    push_filters(&mut count, filter)?;
    count
        .push(" AND m.organization_id = ")
        .push_bind(access.organization_id);
    if let Some(teams) = scope::teams(access) {
        count
            .push(" AND m.team_id = ANY(")
            .push_bind(teams)
            .push(")");
    }
    Ok(count)
}

/// A search text PostgreSQL can take: no control characters (a NUL cannot even be sent),
/// and short (a pattern is matched against every member: a long one costs every row).
fn searchable(filter: &MemberFilter) -> Result<(), AppError> {
    if filter.q.chars().count() > 200 {
        return Err(AppError::field(
            "q",
            "A search is at most 200 characters: shorten it and search again.",
        ));
    }
    if filter.q.chars().any(char::is_control) {
        return Err(AppError::field(
            "q",
            "The search contains a control character (such as NUL): remove it and search again.",
        ));
    }
    Ok(())
}

/// How many members a search reads in the list's order before it asks the trigram index
/// instead: a search matching one member in 40 or more (a letter, a common name, the
/// company's domain) fills its page within them, in a few milliseconds whatever the
/// organization's size; the trigram index costs what its matches cost (a top-N sort over
/// every match), so it is kept for the searches that match few. The filters and a
/// manager's scope are applied to the members read, not while reading, so that they
/// cannot make the reading longer.
const SEARCH_WALK: i64 = 1_000;

/// How long a search may sort its matches (350 ms for 125,000 at a million members).
const SEARCH_TIME_LIMIT: &str = "SET LOCAL statement_timeout = '5s'";

/// A search stopped by [`SEARCH_TIME_LIMIT`] (PostgreSQL's query_canceled, 57014) asks for
/// a narrower one; any other failure is what it is.
pub fn search_took_too_long(error: sqlx::Error) -> AppError {
    match error.as_database_error().and_then(|e| e.code()) {
        Some(code) if code == "57014" => AppError::field(
            "q",
            "This search matches too many members to sort in time: add to it (a last name, part of an address) and search again.",
        ),
        _ => error.into(),
    }
}

/// One page of the member list to fetch: the filter, the order, and where it starts.
struct Page<'a> {
    access: &'a Access,
    filter: &'a MemberFilter,
    sort: &'a Sort,
    cursor: Option<i64>,
    descending: bool,
}

const PAGE_COLUMNS: &str = "SELECT m.id, m.external_id, m.first_name, m.last_name, m.email, m.job_title, m.permission, m.status,
        m.enable_seat, m.opportunity_seat, m.team_id, r.name || ' / ' || t.name AS team,
        to_char(m.deactivate_on, 'YYYY-MM-DD') AS deactivate_on";

/// The "Region / Team" column of [`PAGE_COLUMNS`], for members aliased `m`.
const TEAM_OF_MEMBER: &str =
    " LEFT JOIN teams t ON t.id = m.team_id LEFT JOIN regions r ON r.id = t.region_id";

impl Page<'_> {
    /// The page's rows, one more than a page when there is a next one. A search first
    /// reads the next [`SEARCH_WALK`] members in order: if a page and one match the
    /// search and the filters among them, they are the first matches (any later match
    /// sorts after them). Otherwise the trigram index finds every match to sort.
    async fn rows(&self, pool: &PgPool) -> Result<Vec<sqlx::postgres::PgRow>, AppError> {
        if !searching(self.filter) {
            return Ok(self.query()?.build().fetch_all(pool).await?);
        }
        let rows = self
            .walk_query()?
            .build()
            .persistent(false)
            .fetch_all(pool)
            .await?;
        if rows.len() as i64 > MEMBER_PAGE_SIZE {
            return Ok(rows);
        }
        // The trigram index reads every match, however many there are: bounded in time.
        let mut tx = pool.begin().await?;
        sqlx::query(SEARCH_TIME_LIMIT).execute(&mut *tx).await?;
        let rows = self
            .query()?
            .build()
            .persistent(false)
            .fetch_all(&mut *tx)
            .await
            .map_err(search_took_too_long)?;
        tx.commit().await?;
        Ok(rows)
    }

    /// `SELECT … FROM <the next SEARCH_WALK members in order> WHERE <filters, search> ORDER BY …`.
    fn walk_query(&self) -> Result<QueryBuilder<'_, Postgres>, AppError> {
        let mut qb = QueryBuilder::<Postgres>::new(PAGE_COLUMNS);
        // The reading is of the whole organization, so that a manager's scope cannot make
        // it longer either (a manager of one member in a hundred would read 100,000 rows
        // to find 1,000 of theirs); what was read is joined to their scope right after,
        // before anything else looks at it.
        qb.push(" FROM (SELECT * FROM scoped_members(")
            .push_bind(self.access.organization_id)
            .push(", NULL) m WHERE true");
        self.push_cursor(&mut qb);
        self.push_order(&mut qb);
        qb.push(" LIMIT ").push_bind(SEARCH_WALK).push(") m");
        if scope::teams(self.access).is_some() {
            qb.push(" JOIN ");
            scope::members(&mut qb, self.access);
            qb.push(" s ON s.id = m.id");
        }
        qb.push(TEAM_OF_MEMBER);
        push_filters(&mut qb, self.filter)?;
        qb.push(" AND");
        push_search(&mut qb, "m", self.filter);
        self.push_order(&mut qb);
        qb.push(" LIMIT ").push_bind(MEMBER_PAGE_SIZE + 1);
        Ok(qb)
    }

    /// The page by the indexes: the list's order, or the trigram index for a search.
    fn query(&self) -> Result<QueryBuilder<'_, Postgres>, AppError> {
        let mut qb = QueryBuilder::<Postgres>::new(PAGE_COLUMNS);
        push_from(&mut qb, self.access, self.filter);
        qb.push(TEAM_OF_MEMBER);
        push_filters(&mut qb, self.filter)?;
        self.push_cursor(&mut qb);
        self.push_order(&mut qb);
        if self.planned_once() {
            qb.push(format_args!(" LIMIT {}", MEMBER_PAGE_SIZE + 1));
        } else {
            qb.push(" LIMIT ").push_bind(MEMBER_PAGE_SIZE + 1);
        }
        Ok(qb)
    }

    /// Whether the page's statement may be planned once per connection rather than at
    /// every call: when nothing but the organization (and a cursor) is bound, every
    /// organization's page is best read by walking the order's index, so PostgreSQL's
    /// generic plan is the plan. It takes the generic plan only if it costs no more than
    /// the plans made for the values, and a bound LIMIT made it look a hundred times
    /// dearer (a tenth of the members rather than a page), so the organization's list, the
    /// one every administrator opens, was planned again at each call: 0.1–0.4 ms of
    /// PostgreSQL's time, half of the page's queries (docs/BENCHMARKS.md). The page's size
    /// is then written into the statement. A filter (a status, a seat, a team), a
    /// manager's teams or a search keep the bound LIMIT, so each is planned for its values
    /// and its organization: one small team among large ones is read by the team's index,
    /// not by walking the whole organization in order.
    fn planned_once(&self) -> bool {
        !searching(self.filter)
            && self.filter.status.is_empty()
            && self.filter.permission.is_empty()
            && self.filter.seat.is_empty()
            && self.filter.team.is_empty()
            && scope::teams(self.access).is_none()
    }

    /// ` AND <sort key> > <the cursor's>`, the cursor looked up inside the caller's scope.
    fn push_cursor(&self, qb: &mut QueryBuilder<'_, Postgres>) {
        if let Some(cursor) = self.cursor {
            qb.push(format!(
                " AND ({}) {} (SELECT {} FROM ",
                (self.sort.key)("m"),
                if self.descending { "<" } else { ">" },
                (self.sort.key)("c")
            ));
            scope::members(qb, self.access);
            qb.push(" c WHERE c.id = ").push_bind(cursor).push(")");
        }
    }

    fn push_order(&self, qb: &mut QueryBuilder<'_, Postgres>) {
        let direction = if self.descending { " DESC" } else { " ASC" };
        let order: Vec<String> = (self.sort.key)("m")
            .split(", ")
            .map(|part| format!("{part}{direction}"))
            .collect();
        qb.push(" ORDER BY ").push(order.join(", "));
    }
}

pub async fn fetch(
    pool: &PgPool,
    access: &Access,
    filter: &MemberFilter,
    after: Option<i64>,
    before: Option<i64>,
) -> Result<MemberPage, AppError> {
    access.may(Capability::SeeMembers)?;
    searchable(filter)?;
    let sort = sort_of(&filter.sort)?;
    let backwards = before.is_some();
    let cursor = before.or(after);
    // Walking backwards flips the comparison and the order; rows are reversed after.
    let forward_is_desc = sort.descending != backwards;
    let page = Page {
        access,
        filter,
        sort: &sort,
        cursor,
        descending: forward_is_desc,
    };
    // The page and the matching count run side by side on two connections.
    let mut count = matching_count(access, filter)?;
    let counted = async {
        let count = count.build_query_scalar().persistent(!searching(filter));
        Ok::<i64, AppError>(count.fetch_one(pool).await?)
    };
    let (rows, total) = tokio::try_join!(page.rows(pool), counted)?;
    let total_capped = searching(filter) && total > SEARCH_COUNT_LIMIT;
    let total = if total_capped {
        SEARCH_COUNT_LIMIT
    } else {
        total
    };
    let mut members = rows
        .iter()
        .map(|r| {
            Ok(MemberRow {
                id: r.try_get("id")?,
                external_id: r.try_get("external_id")?,
                first_name: r.try_get("first_name")?,
                last_name: r.try_get("last_name")?,
                email: r.try_get("email")?,
                job_title: r.try_get("job_title")?,
                permission: Permission::parse(r.try_get("permission")?)
                    .map_err(|_| AppError::internal())?,
                status: MemberStatus::parse(r.try_get("status")?)
                    .map_err(|_| AppError::internal())?,
                enable_seat: r.try_get("enable_seat")?,
                opportunity_seat: r.try_get("opportunity_seat")?,
                team_id: r.try_get("team_id")?,
                team: r.try_get("team")?,
                invitation_expired: false,
                deactivate_on: r.try_get("deactivate_on")?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let page_size = MEMBER_PAGE_SIZE as usize;
    let more = members.len() > page_size;
    members.truncate(page_size);
    // Expired invitations among the page's invited members (a page's worth of lookups).
    let invited: Vec<i64> = members
        .iter()
        .filter(|m| m.status == MemberStatus::Invited)
        .map(|m| m.id)
        .collect();
    if !invited.is_empty() {
        let expired = sqlx::query_scalar!(
            "SELECT member_id FROM invitations
              WHERE member_id = ANY($1) AND accepted_at IS NULL
                AND (expired_at IS NOT NULL OR expires_at <= now())",
            &invited
        )
        .fetch_all(pool)
        .await?;
        for m in members.iter_mut() {
            m.invitation_expired = expired.contains(&m.id);
        }
    }
    if backwards {
        members.reverse();
    }
    let (before, after) = if backwards {
        (
            more.then(|| members.first().map(|r| r.id)).flatten(),
            members.last().map(|r| r.id),
        )
    } else {
        (
            cursor.and(members.first().map(|r| r.id)),
            more.then(|| members.last().map(|r| r.id)).flatten(),
        )
    };

    Ok(MemberPage {
        rows: members,
        before,
        after,
        total,
        total_capped,
    })
}

/// The ids of every member that matches `filter` (for "select all matching").
pub async fn matching_ids(
    conn: &mut sqlx::PgConnection,
    access: &Access,
    filter: &MemberFilter,
) -> Result<Vec<i64>, AppError> {
    searchable(filter)?;
    let mut qb = QueryBuilder::<Postgres>::new("SELECT m.id");
    push_from(&mut qb, access, filter);
    push_filters(&mut qb, filter)?;
    let all = qb.build_query_scalar().persistent(!searching(filter));
    Ok(all.fetch_all(conn).await?)
}

/// The header of My Organization: members by status, seats, and the teams to filter by.
pub async fn overview(pool: &PgPool, access: &Access) -> Result<OrganizationSummary, AppError> {
    access.may(Capability::SeeMembers)?;
    let organization_id = access.organization_id;
    let row = sqlx::query!(
        "SELECT name, enable_seats, opportunity_seats, enable_seats_held, opportunity_seats_held
           FROM organizations WHERE id = $1",
        organization_id,
    )
    .fetch_one(pool)
    .await?;
    // Kept by the database (`member_counts`), for the organization or a manager's teams.
    let counts = super::member_counts::of(pool, organization_id, scope::teams(access)).await?;
    let (active, invited, inactive) = (counts.active, counts.invited, counts.deactivated);
    let teams = sqlx::query!(
        r#"SELECT t.id AS "id!", r.name || ' / ' || t.name AS "label!"
             FROM scoped_teams($1, $2) t JOIN regions r ON r.id = t.region_id
            ORDER BY lower(r.name), lower(t.name)"#,
        organization_id,
        scope::teams(access) as Option<Vec<i64>>,
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| TeamOption {
        id: r.id,
        label: r.label,
    })
    .collect();
    Ok(OrganizationSummary {
        teams,
        dev_mailbox: false,
        name: row.name,
        active,
        invited,
        inactive,
        enable: SeatPool::new(SeatKind::Enable, row.enable_seats, row.enable_seats_held),
        opportunity: SeatPool::new(
            SeatKind::Opportunity,
            row.opportunity_seats,
            row.opportunity_seats_held,
        ),
    })
}

/// A selection on the member list: the ids given, or every member matching the list's
/// filter ("all N matching"); either way only members who acts may reach (an id outside
/// their scope is left out, as if it did not exist).
pub async fn selection(
    pool: &PgPool,
    access: &Access,
    member_ids: Vec<i64>,
    all_matching: Option<&MemberFilter>,
) -> Result<Vec<i64>, AppError> {
    let mut conn = pool.acquire().await?;
    match all_matching {
        Some(filter) => matching_ids(&mut conn, access, filter).await,
        None => Ok(sqlx::query_scalar!(
            "SELECT id FROM scoped_members($1, $2) WHERE id = ANY($3) ORDER BY id",
            access.organization_id,
            scope::teams(access) as Option<Vec<i64>>,
            &member_ids,
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .flatten()
        .collect()),
    }
}
