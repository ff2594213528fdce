//! The license ledger summed by day (migration `license_days`): the worker sums committed
//! lines into one row per organization, seat kind and day ([`summarize`]); the Licenses
//! page reads those rows and sums only the lines after them ([`stretches`]). Both sum
//! lines with [`from_lines`], so a stored day and a day summed on the spot are the same.

use crate::domain::licenses::{Counts, Stretch};
use crate::error::AppError;
use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};

/// One seat kind's lines of one day (or of part of it) summed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Day {
    seat: String,
    day: Date,
    lines: i64,
    stretch: Stretch,
}

/// Months since year 0 (`domain::licenses::MonthEvents::month`) of the month holding
/// `day`.
pub fn month_of(day: Date) -> i32 {
    day.year() * 12 + i32::from(u8::from(day.month())) - 1
}

/// The lines of `organization_id` from `from` (the first if `None`) until `until`,
/// summed per day and seat kind, in the ledger's order.
///
/// One pass over the ledger's index in its order (no sort): each kind's running level as
/// of each line, relative to `from`; then per day its change, its highest level and —
/// from the days before it — where it began.
async fn from_lines(
    conn: &mut PgConnection,
    organization_id: i64,
    from: Option<OffsetDateTime>,
    until: OffsetDateTime,
) -> Result<Vec<Day>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT seat AS "seat!", day AS "day!", lines AS "lines!", bought AS "bought!",
                  held AS "held!", used AS "used!",
                  greatest(top_held - (sum(held) OVER s - held), 0)::bigint AS "rise_held!",
                  greatest(top_used - (sum(used) OVER s - used), 0)::bigint AS "rise_used!"
             FROM (SELECT seat, day, count(*) AS lines, sum(bought_delta)::bigint AS bought,
                          sum(held_delta)::bigint AS held, sum(used_delta)::bigint AS used,
                          max(held_level) AS top_held, max(used_level) AS top_used
                     FROM (SELECT seat, bought_delta, held_delta, used_delta,
                                  (at AT TIME ZONE 'UTC')::date AS day,
                                  -- CASE rather than FILTER in the window, and one window
                                  -- per kind rather than a partition: both keep the
                                  -- index's order.
                                  CASE WHEN seat = 'enable'
                                       THEN sum(CASE WHEN seat = 'enable' THEN held_delta END) OVER w
                                       ELSE sum(CASE WHEN seat = 'opportunity' THEN held_delta END) OVER w
                                  END AS held_level,
                                  CASE WHEN seat = 'enable'
                                       THEN sum(CASE WHEN seat = 'enable' THEN used_delta END) OVER w
                                       ELSE sum(CASE WHEN seat = 'opportunity' THEN used_delta END) OVER w
                                  END AS used_level
                             FROM license_events
                            WHERE organization_id = $1 AND ($2::timestamptz IS NULL OR at >= $2)
                              AND at < $3
                           WINDOW w AS (ORDER BY at, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) l
                    GROUP BY seat, day) d
           WINDOW s AS (PARTITION BY seat ORDER BY day)
            ORDER BY day, seat"#,
        organization_id,
        from,
        until
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Day {
            stretch: Stretch {
                month: month_of(r.day),
                change: Counts {
                    bought: r.bought,
                    held: r.held,
                    used: r.used,
                },
                rise_held: r.rise_held,
                rise_used: r.rise_used,
            },
            seat: r.seat,
            day: r.day,
            lines: r.lines,
        })
        .collect())
}

/// Each kind's stretches (Enable, Opportunity) of the lines before `until`, in the
/// ledger's order: the stored days, then the lines after them. `conn` should be in a
/// repeatable-read transaction, so that where the days end and the lines after them are
/// seen at one moment.
pub async fn stretches(
    conn: &mut PgConnection,
    organization_id: i64,
    until: OffsetDateTime,
) -> Result<(Vec<Stretch>, Vec<Stretch>), AppError> {
    // Stored days are whole up to the one holding `through`, which is whole up to it: they
    // serve up to `through`, or to the start of the day holding `until` if that is sooner.
    let until_day = until
        .to_offset(time::UtcOffset::UTC)
        .date()
        .midnight()
        .assume_utc();
    let cut = through(&mut *conn, organization_id)
        .await?
        .map(|through| through.min(until_day));
    let stored = sqlx::query!(
        r#"SELECT seat, day, held_change, bought_change, used_change, held_rise, used_rise
             FROM license_days
            WHERE organization_id = $1 AND day::timestamp AT TIME ZONE 'UTC' < $2
            ORDER BY day, seat"#,
        organization_id,
        cut
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut days: Vec<(String, Stretch)> = stored
        .into_iter()
        .map(|r| {
            (
                r.seat,
                Stretch {
                    month: month_of(r.day),
                    change: Counts {
                        bought: r.bought_change,
                        held: r.held_change,
                        used: r.used_change,
                    },
                    rise_held: r.held_rise,
                    rise_used: r.used_rise,
                },
            )
        })
        .collect();
    if cut.is_none_or(|cut| cut < until) {
        let after = from_lines(&mut *conn, organization_id, cut, until).await?;
        days.extend(after.into_iter().map(|d| (d.seat, d.stretch)));
    }
    let (enable, opportunity) = days
        .into_iter()
        .partition::<Vec<_>, _>(|(s, _)| s == "enable");
    Ok((
        enable.into_iter().map(|(_, s)| s).collect(),
        opportunity.into_iter().map(|(_, s)| s).collect(),
    ))
}

/// How many lines the organization's ledger has: the stored days' and those after.
pub async fn lines(conn: &mut PgConnection, organization_id: i64) -> Result<i64, AppError> {
    // `through` is bound, not read in the statement, so the planner sees how recent it is
    // and counts the few lines after it by the index (a subquery made it scan the ledger).
    let through = through(&mut *conn, organization_id).await?;
    let n = sqlx::query_scalar!(
        r#"SELECT ((SELECT coalesce(sum(lines), 0) FROM license_days
                     WHERE organization_id = $1 AND day::timestamp AT TIME ZONE 'UTC' < $2)
                 + (SELECT count(*) FROM license_events
                     WHERE organization_id = $1 AND at >= coalesce($2, '-infinity')))::bigint AS "n!""#,
        organization_id,
        through
    )
    .fetch_one(conn)
    .await?;
    Ok(n)
}

async fn through(
    conn: &mut PgConnection,
    organization_id: i64,
) -> Result<Option<OffsetDateTime>, AppError> {
    Ok(sqlx::query_scalar!(
        "SELECT through FROM license_summaries WHERE organization_id = $1",
        organization_id
    )
    .fetch_optional(conn)
    .await?)
}

/// The most a pass sums for one organization at a time: a first summing of years of
/// history goes a month per transaction.
const DAYS_PER_PASS: i64 = 31;
/// Lines this recent (seconds) are left to the page: a writer's transaction that began
/// earlier may still add lines stamped then (which would send the summary back a day).
pub const SETTLE_SECONDS: f64 = 60.0;
/// The organizations one pass looks at, those summed longest ago first.
const ORGANIZATIONS_PER_PASS: i64 = 100;

/// Brings the organizations' daily sums up to a minute ago (a month further at most each):
/// the worker's step. Returns how many day rows it wrote.
pub async fn summarize(pool: &PgPool) -> Result<u64, AppError> {
    let due = sqlx::query_scalar!(
        r#"SELECT o.id FROM organizations o
             LEFT JOIN license_summaries s ON s.organization_id = o.id
            WHERE s.through IS NULL OR s.through < now() - $1 * interval '1 second'
            ORDER BY s.through NULLS FIRST, o.id
            LIMIT $2"#,
        // Each organization at most about once a minute.
        SETTLE_SECONDS * 2.0,
        ORGANIZATIONS_PER_PASS
    )
    .fetch_all(pool)
    .await?;
    let mut written = 0;
    for organization_id in due {
        written += summarize_organization(pool, organization_id, SETTLE_SECONDS)
            .await?
            .0;
    }
    Ok(written)
}

/// Sums the organization's lines after its stored days, up to `settle_seconds` ago (a
/// month at a time at most), under the organization's ledger lock taken exclusively: no
/// writer of its ledger is under way, and writers that come wait for this transaction.
/// The lock is only tried: while a writer holds it the organization waits for the next
/// pass, and no writer ever waits on a worker that waits. Returns the day rows written
/// and whether the sums reach `settle_seconds` ago.
pub async fn summarize_organization(
    pool: &PgPool,
    organization_id: i64,
    settle_seconds: f64,
) -> Result<(u64, bool), AppError> {
    let mut tx = pool.begin().await?;
    let locked = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock(hashtextextended('license days ' || $1::bigint, 0)) AS "locked!""#,
        organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !locked {
        return Ok((0, false));
    }
    // Where the stored days end (or the first line), and how far to go.
    let span = sqlx::query!(
        r#"SELECT s.through AS "through?",
                  coalesce(s.through, (SELECT min(at) FROM license_events WHERE organization_id = $1)) AS "from?",
                  now() - $2 * interval '1 second' AS "settled!"
             FROM (SELECT 1) one LEFT JOIN license_summaries s ON s.organization_id = $1"#,
        organization_id,
        settle_seconds
    )
    .fetch_one(&mut *tx)
    .await?;
    let until = match span.from {
        Some(from) => span.settled.min(from + time::Duration::days(DAYS_PER_PASS)),
        None => span.settled,
    };
    if span.from.is_some_and(|from| from >= until) {
        return Ok((0, true));
    }
    // Days that begin at or after `through` were summed before a line sent it back.
    sqlx::query!(
        "DELETE FROM license_days
          WHERE organization_id = $1 AND day::timestamp AT TIME ZONE 'UTC' >= $2",
        organization_id,
        span.through
    )
    .execute(&mut *tx)
    .await?;
    let days = from_lines(&mut tx, organization_id, span.through, until).await?;
    // The day holding `through` continues: the new stretch began where the stored one
    // ended, so it rose that much higher than the day's start.
    let written = sqlx::query!(
        r#"INSERT INTO license_days AS d (organization_id, seat, day, lines, bought_change, held_change,
                                         used_change, held_rise, used_rise)
           SELECT $1, * FROM UNNEST($2::text[], $3::date[], $4::bigint[], $5::bigint[], $6::bigint[],
                                    $7::bigint[], $8::bigint[], $9::bigint[])
           ON CONFLICT (organization_id, seat, day) DO UPDATE SET
               lines = d.lines + excluded.lines,
               bought_change = d.bought_change + excluded.bought_change,
               held_change = d.held_change + excluded.held_change,
               used_change = d.used_change + excluded.used_change,
               held_rise = greatest(d.held_rise, d.held_change + excluded.held_rise),
               used_rise = greatest(d.used_rise, d.used_change + excluded.used_rise)"#,
        organization_id,
        &days.iter().map(|d| d.seat.clone()).collect::<Vec<_>>(),
        &days.iter().map(|d| d.day).collect::<Vec<_>>(),
        &days.iter().map(|d| d.lines).collect::<Vec<_>>(),
        &days.iter().map(|d| d.stretch.change.bought).collect::<Vec<_>>(),
        &days.iter().map(|d| d.stretch.change.held).collect::<Vec<_>>(),
        &days.iter().map(|d| d.stretch.change.used).collect::<Vec<_>>(),
        &days.iter().map(|d| d.stretch.rise_held).collect::<Vec<_>>(),
        &days.iter().map(|d| d.stretch.rise_used).collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query!(
        "INSERT INTO license_summaries (organization_id, through) VALUES ($1, $2)
         ON CONFLICT (organization_id) DO UPDATE SET through = excluded.through",
        organization_id,
        until
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((written, until == span.settled))
}
