//! Reports computed by the database with aggregates (never by loading members into
//! memory): the member and seat counts, one line per program, and a page of members.
//! The three queries run at once on separate connections.

use crate::domain::report::{average_progress, Distribution, ReportScope, PROGRESS_BUCKETS};
use crate::domain::Capability;
use crate::domain::{Access, Refusal, Scope};
use crate::domain::{MemberStatus, Program, Progress};
use crate::error::AppError;
use crate::export::safe_csv;
use crate::model::reports::{MemberLine, ProgramLine, Report, ReportAnswer, ScopeOption};
use sqlx::PgPool;

/// Members listed on the report page; the CSV has them all.
pub const MEMBERS_SHOWN: i64 = 200;

fn progress(bp: i32) -> Result<Progress, AppError> {
    Progress::from_basis_points(bp.into()).map_err(|_| AppError::internal())
}

/// The report's title, which also proves the region or team is this organization's, and
/// the scope as the teams it covers (`None`: the whole organization). Filtering on the
/// member's own `team_id` lets the planner estimate from the members' statistics; a join
/// to `teams` would lean on a small table that autovacuum rarely analyzes.
async fn title_and_teams(
    pool: &PgPool,
    access: &Access,
    scope: ReportScope,
) -> Result<(String, Option<Vec<i64>>), AppError> {
    let gone = || AppError::NotFound("This region or team does not exist (any more).".into());
    let (title, teams) = match scope {
        ReportScope::Organization if access.scope != Scope::Organization => {
            Ok(("Your teams".to_owned(), None))
        }
        ReportScope::Organization => Ok((access.organization_name.clone(), None)),
        ReportScope::Region(id) => sqlx::query!(
            r#"SELECT name, ARRAY(SELECT t.id FROM teams t WHERE t.region_id = r.id) AS "teams!"
                 FROM regions r WHERE id = $1 AND organization_id = $2"#,
            id,
            access.organization_id
        )
        .fetch_optional(pool)
        .await?
        .map(|r| (format!("Region {}", r.name), Some(r.teams)))
        .ok_or_else(gone),
        ReportScope::Team(id) => sqlx::query_scalar!(
            r#"SELECT r.name || ' / ' || t.name AS "name!" FROM teams t JOIN regions r ON r.id = t.region_id
                WHERE t.id = $1 AND t.organization_id = $2"#,
            id,
            access.organization_id
        )
        .fetch_optional(pool)
        .await?
        .map(|name| (format!("Team {name}"), Some(vec![id])))
        .ok_or_else(gone),
    }?;
    // What the choice covers, narrowed to what who asks may see: a region or team
    // outside a manager's scope is one that does not exist.
    let teams = access.scope.narrow(teams);
    if scope != ReportScope::Organization && teams.as_ref().is_some_and(Vec::is_empty) {
        return Err(gone());
    }
    Ok((title, teams))
}

/// The report for `scope`, with the first `members_shown` members by name.
///
/// Every query selects the scope's members the same way: the organization's members,
/// narrowed to the teams of a region or to one team.
/// A read-only transaction whose statements are planned for their parameters on every
/// run. sqlx prepares statements, and after five runs PostgreSQL may switch one to a
/// generic plan for every parameter value; a generic plan cannot drop the branch of
/// `$2 IS NULL OR m.team_id = ANY($2)` that does not apply (organization, region or team)
/// and misjudged row counts: the organization report went from 70 ms to 300 ms. Only for
/// these statements (`SET LOCAL`): for every statement it would also re-plan each
/// foreign-key check of a bulk insert.
async fn custom_plans(
    pool: &PgPool,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

pub async fn report(
    pool: &PgPool,
    access: &Access,
    scope: ReportScope,
    members_shown: i64,
) -> Result<Report, AppError> {
    access.may(Capability::SeeReports)?;
    let org = access.organization_id;
    let (title, teams) = title_and_teams(pool, access, scope).await?;

    // Each query on its own connection (they run at once), planned for its parameters:
    // see `custom_plans`. The counts are kept by the database (`member_counts`), for the
    // organization or the teams of the scope.
    let counts = super::member_counts::of(pool, org, teams.clone());

    // The whole organization's programs are kept by the database too
    // (`enrollment_counts`); a region's or team's are summed from their enrollments. The
    // buckets are PROGRESS_BUCKETS: 0, 1–9, 10–49, 50–99 and 100 % in basis points.
    let programs = async {
        let Some(teams) = teams.as_deref() else {
            return super::enrollment_counts::of(pool, org).await;
        };
        let mut tx = custom_plans(pool).await?;
        // progress_bucket is the SQL twin of `domain::report::bucket_of`.
        let rows = sqlx::query!(
            r#"SELECT e.program_id, progress_bucket(e.progress_basis_points) AS "bucket!",
                      count(*) AS "n!", sum(e.progress_basis_points)::bigint AS "progress!"
                 FROM enrollments e JOIN scoped_members($1, $2) m ON m.id = e.member_id
                GROUP BY 1, 2 ORDER BY 1"#,
            org,
            teams
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.rollback().await?;
        super::enrollment_counts::by_program(
            rows.into_iter()
                .map(|r| (r.program_id, r.bucket, r.n, r.progress)),
        )
    };

    let members = async {
        let mut tx = custom_plans(pool).await?;
        let rows = sqlx::query!(
        r#"SELECT m.id AS "id!", m.external_id, m.first_name AS "first_name!", m.last_name AS "last_name!",
                  m.email AS "email!", m.status AS "status!",
                  r.name || ' / ' || t.name AS team,
                  coalesce(p.programs, '{}') AS "programs!: Vec<i16>",
                  coalesce(p.progress, '{}') AS "progress!: Vec<i32>"
             FROM scoped_members($1, $2) m
             LEFT JOIN teams t ON t.id = m.team_id LEFT JOIN regions r ON r.id = t.region_id
             LEFT JOIN LATERAL (
                   SELECT array_agg(e.program_id) AS programs, array_agg(e.progress_basis_points) AS progress
                     FROM enrollments e WHERE e.member_id = m.id) p ON true
            ORDER BY lower(m.last_name), lower(m.first_name), m.id
            LIMIT $3"#,
        org,
        teams.as_deref(),
        members_shown
    )
    .fetch_all(&mut *tx)
    .await?;
        tx.rollback().await?;
        Ok::<_, AppError>(rows)
    };

    let (counts, program_rows, member_rows) = tokio::try_join!(counts, programs, members)?;

    let mut lines = Vec::new();
    let (mut enrollments, mut sum, mut completions) = (0, 0, 0);
    let mut distribution = Distribution::default();
    for program in Program::ALL {
        let id = super::enrollments::program_id(program);
        let row = program_rows.iter().find(|r| r.program_id == id);
        let line = match row {
            Some(r) => ProgramLine {
                program,
                enrolled: r.enrolled(),
                average: average_progress(r.progress, r.enrolled()),
                completions: r.buckets[PROGRESS_BUCKETS.len() - 1],
                distribution: Distribution(r.buckets),
            },
            None => ProgramLine {
                program,
                enrolled: 0,
                average: Progress::ZERO,
                completions: 0,
                distribution: Distribution::default(),
            },
        };
        enrollments += line.enrolled;
        sum += row.map_or(0, |r| r.progress);
        completions += line.completions;
        distribution.add(&line.distribution);
        lines.push(line);
    }

    let members = member_rows
        .into_iter()
        .map(|r| {
            let mut per_program = vec![None; Program::ALL.len()];
            for (program_id, bp) in r.programs.iter().zip(&r.progress) {
                if let Some(slot) = per_program.get_mut((*program_id - 1) as usize) {
                    *slot = Some(progress(*bp)?);
                }
            }
            Ok(MemberLine {
                member_id: r.id,
                external_id: r.external_id,
                first_name: r.first_name,
                last_name: r.last_name,
                email: r.email,
                team: r.team,
                status: MemberStatus::parse(&r.status).map_err(|_| AppError::internal())?,
                progress: per_program,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;

    Ok(Report {
        scope,
        title,
        active: counts.active,
        invited: counts.invited,
        inactive: counts.deactivated,
        enable_held: counts.enable_held,
        enable_used: counts.enable_used,
        opportunity_held: counts.opportunity_held,
        programs: lines,
        enrollments,
        average: average_progress(sum, enrollments),
        completions,
        distribution,
        members,
        members_total: counts.active + counts.invited + counts.deactivated,
    })
}

/// The organization, its regions and its teams, for the report picker: for a manager,
/// their teams and the regions they are in.
pub async fn scopes(pool: &PgPool, access: &Access) -> Result<Vec<ScopeOption>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT r.id AS region_id, r.name AS region, t.id AS "team_id?", t.name AS "team?"
             FROM regions r LEFT JOIN scoped_teams($1, $2) t ON t.region_id = r.id
            WHERE r.organization_id = $1 AND ($2::bigint[] IS NULL OR t.id IS NOT NULL)
            ORDER BY lower(r.name), r.id, lower(t.name), t.id"#,
        access.organization_id,
        super::scope::teams(access) as Option<Vec<i64>>,
    )
    .fetch_all(pool)
    .await?;
    let mut options = vec![ScopeOption {
        scope: ReportScope::Organization,
        label: match access.scope {
            Scope::Organization => format!("{} (whole organization)", access.organization_name),
            Scope::Teams(_) => "Your teams".to_owned(),
        },
    }];
    // Rows come region by region: each region, then its teams.
    let mut last_region = None;
    for r in rows {
        if last_region != Some(r.region_id) {
            last_region = Some(r.region_id);
            options.push(ScopeOption {
                scope: ReportScope::Region(r.region_id),
                label: format!("Region {}", r.region),
            });
        }
        if let (Some(id), Some(team)) = (r.team_id, r.team) {
            options.push(ScopeOption {
                scope: ReportScope::Team(id),
                label: format!("Team {} / {team}", r.region),
            });
        }
    }
    Ok(options)
}

/// The report's figures as a tidy CSV: one `section,item,value` line per figure.
pub fn summary_csv(report: &Report) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        vec!["report".into(), "scope".into(), report.title.clone()],
        vec!["members".into(), "active".into(), report.active.to_string()],
        vec![
            "members".into(),
            "invited".into(),
            report.invited.to_string(),
        ],
        vec![
            "members".into(),
            "inactive".into(),
            report.inactive.to_string(),
        ],
        vec![
            "seats".into(),
            "enable held".into(),
            report.enable_held.to_string(),
        ],
        vec![
            "seats".into(),
            "enable used".into(),
            report.enable_used.to_string(),
        ],
        vec![
            "seats".into(),
            "opportunity held".into(),
            report.opportunity_held.to_string(),
        ],
        vec![
            "enrollments".into(),
            "total".into(),
            report.enrollments.to_string(),
        ],
        vec![
            "enrollments".into(),
            "average progress %".into(),
            report.average.percent().to_string(),
        ],
        vec![
            "enrollments".into(),
            "completions".into(),
            report.completions.to_string(),
        ],
    ];
    for ((label, _, _), count) in PROGRESS_BUCKETS.iter().zip(report.distribution.0) {
        rows.push(vec![
            "progress distribution".into(),
            (*label).into(),
            count.to_string(),
        ]);
    }
    for line in &report.programs {
        let name = line.program.name();
        rows.push(vec![
            "program".into(),
            format!("{name}: enrolled"),
            line.enrolled.to_string(),
        ]);
        rows.push(vec![
            "program".into(),
            format!("{name}: average progress %"),
            line.average.percent().to_string(),
        ]);
        rows.push(vec![
            "program".into(),
            format!("{name}: completions"),
            line.completions.to_string(),
        ]);
    }
    safe_csv(&["section", "item", "value"], rows)
}

/// The per-member table as CSV: one line per member, progress in percent per program.
pub fn members_csv(report: &Report) -> String {
    let mut header = vec![
        "user_id",
        "first_name",
        "last_name",
        "email",
        "team",
        "billing_status",
    ];
    header.extend(Program::ALL.iter().map(|p| p.slug()));
    let rows = report.members.iter().map(|m| {
        let mut row = vec![
            m.external_id.clone().unwrap_or_default(),
            m.first_name.clone(),
            m.last_name.clone(),
            m.email.clone(),
            m.team.clone().unwrap_or_default(),
            m.status.billing_label().to_owned(),
        ];
        row.extend(
            m.progress
                .iter()
                .map(|p| p.map(|p| p.percent().to_string()).unwrap_or_default()),
        );
        row
    });
    safe_csv(&header, rows)
}

/// The report of `scope` with the scopes to choose from, or what to do to see reports
/// (SPEC rule 7: an Enable seat).
pub async fn answer(
    pool: &PgPool,
    access: &Access,
    scope: ReportScope,
) -> Result<ReportAnswer, AppError> {
    match access.may(Capability::SeeReports) {
        Err(Refusal::Rule(reason)) => return Ok(ReportAnswer::NeedsEnableSeat(reason)),
        refused => refused?,
    }
    let (report, scopes) = tokio::try_join!(
        report(pool, access, scope, MEMBERS_SHOWN),
        scopes(pool, access),
    )?;
    Ok(ReportAnswer::Ready {
        report: Box::new(report),
        scopes,
    })
}

/// A report as CSV: `kind` is `summary` or `members` (every member, not only the first).
pub async fn csv(
    pool: &PgPool,
    access: &Access,
    scope: ReportScope,
    kind: &str,
) -> Result<String, AppError> {
    access.may(Capability::SeeReports)?;
    match kind {
        "summary" => Ok(summary_csv(&report(pool, access, scope, 0).await?)),
        "members" => Ok(members_csv(&report(pool, access, scope, i64::MAX).await?)),
        _ => Err(AppError::invalid(
            "Choose the summary or the member table to download.",
        )),
    }
}
