//! The license ledger (SPEC §1, *License event*). Database triggers append every seat
//! event in the transaction of the change (migration 20261202000021), so no path can
//! change seats without a line; this module tells them who acts and how, and reads the
//! ledger back: counts on any date, monthly peaks, a member's history.

use crate::domain::licenses::Via;
use crate::domain::Access;
use crate::error::AppError;
use sqlx::PgConnection;
use time::OffsetDateTime;

/// What the ledger's triggers are told (the arguments of the SQL function `ledger_note`):
/// via, actor, acting member, detail, time (`at`: the worker's clock; `None` is the
/// database's).
pub fn context(access: &Access, via: &Via, at: Option<OffsetDateTime>) -> [String; 5] {
    let detail = match via {
        Via::File(name) => serde_json::json!({ "file": name }),
        Via::Lesson(lesson) => serde_json::json!({ "lesson": lesson }),
        Via::Api => serde_json::json!({ "call": "POST /api/v1/progress" }),
        _ => serde_json::json!({}),
    };
    [
        via.key().to_owned(),
        access.label.clone(),
        access
            .member_id()
            .map(|id| id.to_string())
            .unwrap_or_default(),
        detail.to_string(),
        at.and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default(),
    ]
}

/// Tells the ledger's triggers, for the rest of the caller's transaction, who acts and
/// how. (Where the organization is locked, `members::lock_organization` says it in the
/// same statement.)
pub async fn note(
    conn: &mut PgConnection,
    access: &Access,
    via: &Via,
    at: Option<OffsetDateTime>,
) -> Result<(), AppError> {
    let [via, actor, member, detail, at] = context(access, via, at);
    sqlx::query!(
        "SELECT ledger_note($1, $2, $3, $4, $5)",
        via,
        actor,
        member,
        detail,
        at
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// How `access` acts when nothing more particular is said: a member on a page, a key
/// through the API, the operator and the vendor on the command line.
pub fn via_of(access: &Access) -> Via {
    match access.who {
        crate::domain::Who::Member { .. } => Via::Page,
        crate::domain::Who::ApiKey { .. } => Via::Api,
        crate::domain::Who::IdentityProvider { .. } => Via::Scim,
        crate::domain::Who::Operator | crate::domain::Who::Vendor => Via::CommandLine,
    }
}

// ---------------------------------------------------------------------------------------
// Reading the ledger
// ---------------------------------------------------------------------------------------

use crate::domain::licenses::{level_and_peaks, via_words, Counts, LicenseEvent};
use crate::domain::{Capability, Program, SeatKind};
use crate::model::licenses::{LedgerFilter, LedgerLine, LicensesOverview};
use sqlx::PgPool;
use time::{Date, Duration, Time};

/// The ledger's counts of both kinds (Enable, Opportunity) just before `until`.
pub async fn counts_before(
    conn: &mut PgConnection,
    organization_id: i64,
    until: OffsetDateTime,
) -> Result<(Counts, Counts), AppError> {
    let rows = sqlx::query!(
        r#"SELECT seat, sum(bought_delta)::bigint AS "bought!", sum(held_delta)::bigint AS "held!",
                  sum(used_delta)::bigint AS "used!"
             FROM license_events WHERE organization_id = $1 AND at < $2
            GROUP BY seat"#,
        organization_id,
        until
    )
    .fetch_all(conn)
    .await?;
    let mut both = (Counts::default(), Counts::default());
    for r in rows {
        let counts = Counts {
            bought: r.bought,
            held: r.held,
            used: r.used,
        };
        match r.seat.as_str() {
            "enable" => both.0 = counts,
            _ => both.1 = counts,
        }
    }
    Ok(both)
}

/// The live tables' counts, what the ledger must agree with: seats bought and held from
/// the organization row, used licenses from the members.
pub async fn live_counts(
    conn: &mut PgConnection,
    organization_id: i64,
) -> Result<(Counts, Counts), AppError> {
    let r = sqlx::query!(
        r#"SELECT enable_seats, opportunity_seats, enable_seats_held, opportunity_seats_held,
                  (SELECT count(*) FROM members m
                    WHERE m.organization_id = o.id AND m.license_used AND m.enable_seat) AS "used!"
             FROM organizations o WHERE id = $1"#,
        organization_id
    )
    .fetch_one(conn)
    .await?;
    Ok((
        Counts {
            bought: r.enable_seats.into(),
            held: r.enable_seats_held.into(),
            used: r.used,
        },
        Counts {
            bought: r.opportunity_seats.into(),
            held: r.opportunity_seats_held.into(),
            used: 0,
        },
    ))
}

/// The end of day `date` (UTC): what "on this date" answers for.
pub fn end_of(date: Date) -> OffsetDateTime {
    date.next_day()
        .unwrap_or(date)
        .with_time(Time::MIDNIGHT)
        .assume_utc()
}

/// A `YYYY-MM-DD` date from a form; empty is `None`.
pub fn parse_date(raw: &str, field: &str) -> Result<Option<Date>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Date::parse(
        raw,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map(Some)
    .map_err(|_| {
        AppError::invalid(format!(
            "Enter the {field} as a date, for example 2026-11-30."
        ))
    })
}

/// The most lines the page lists, and an export holds.
pub const PAGE_LINES: i64 = 200;
pub const EXPORT_LINES: i64 = 200_000;

/// Lines of the ledger, newest first: those `filter` matches, of one member if named; and
/// how many match (counted unless `total` says).
pub async fn lines(
    conn: &mut PgConnection,
    organization_id: i64,
    filter: &LedgerFilter,
    member: Option<i64>,
    limit: i64,
    total: Option<i64>,
) -> Result<(Vec<LedgerLine>, i64), AppError> {
    let from = parse_date(&filter.from, "first date")?.map(|d| d.midnight().assume_utc());
    let to = parse_date(&filter.to, "last date")?.map(end_of);
    let seat = (!filter.seat.is_empty())
        .then(|| SeatKind::parse(&filter.seat).map(|k| k.key().to_owned()))
        .transpose()
        .map_err(|e| AppError::invalid(e.0))?;
    let event = (!filter.event.is_empty())
        .then(|| {
            LicenseEvent::parse(&filter.event)
                .map(|e| e.key().to_owned())
                .ok_or_else(|| AppError::invalid("Choose one of the listed events."))
        })
        .transpose()?;
    let total = match total {
        Some(total) => total,
        None => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "n!" FROM license_events e
            WHERE e.organization_id = $1 AND ($2::timestamptz IS NULL OR e.at >= $2)
              AND ($3::timestamptz IS NULL OR e.at < $3) AND ($4::text IS NULL OR e.seat = $4)
              AND ($5::text IS NULL OR e.event = $5) AND ($6::bigint IS NULL OR e.member_id = $6)"#,
                organization_id,
                from,
                to,
                seat,
                event,
                member
            )
            .fetch_one(&mut *conn)
            .await?
        }
    };
    let rows = sqlx::query!(
        r#"SELECT e.id, e.at, e.member_id, m.email AS "email?", e.seat, e.event, e.reason, e.via,
                  e.actor_label, e.detail
             FROM license_events e LEFT JOIN members m ON m.id = e.member_id
            WHERE e.organization_id = $1 AND ($2::timestamptz IS NULL OR e.at >= $2)
              AND ($3::timestamptz IS NULL OR e.at < $3) AND ($4::text IS NULL OR e.seat = $4)
              AND ($5::text IS NULL OR e.event = $5) AND ($6::bigint IS NULL OR e.member_id = $6)
            ORDER BY e.at DESC, e.id DESC LIMIT $7"#,
        organization_id,
        from,
        to,
        seat,
        event,
        member,
        limit
    )
    .fetch_all(conn)
    .await?;
    let lines = rows
        .into_iter()
        .map(|r| {
            let event = LicenseEvent::parse(&r.event);
            let mut words = event.map_or(r.event.clone(), |e| e.words().to_owned());
            if let Some(reason) = r
                .reason
                .as_deref()
                .filter(|_| event != Some(LicenseEvent::Returned))
            {
                words.push_str(&format!(" ({reason})"));
            }
            words.push(' ');
            words.push_str(via_words(&r.via));
            LedgerLine {
                id: r.id,
                at: stamp(r.at),
                member_id: r.member_id,
                member: r.email.unwrap_or_default(),
                seat: r.seat,
                event: r.event,
                words,
                by: r.actor_label,
                detail: detail_words(&r.detail),
            }
        })
        .collect();
    Ok((lines, total))
}

fn stamp(at: OffsetDateTime) -> String {
    at.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]"
    ))
    .unwrap_or_default()
}

/// What a line's detail says: the program and progress that crossed 10 %, a file, a
/// lesson, seats bought before and after.
fn detail_words(detail: &serde_json::Value) -> String {
    let mut parts = Vec::new();
    if let Some(slug) = detail.get("program").and_then(|v| v.as_str()) {
        let name = Program::parse(slug).map_or(slug.to_owned(), |p| p.name().to_owned());
        let bp = detail
            .get("progress_basis_points")
            .and_then(|v| v.as_i64())
            .unwrap_or(0);
        parts.push(format!("{name} reached {}.{:02} %", bp / 100, bp % 100));
    }
    if let Some(lesson) = detail.get("lesson").and_then(|v| v.as_i64()) {
        parts.push(format!("lesson {lesson}"));
    }
    if let Some(call) = detail.get("call").and_then(|v| v.as_str()) {
        parts.push(call.to_owned());
    }
    if let Some(file) = detail.get("file").and_then(|v| v.as_str()) {
        parts.push(format!("file {file}"));
    }
    if let (Some(from), Some(to)) = (
        detail.get("from").and_then(|v| v.as_i64()),
        detail.get("to").and_then(|v| v.as_i64()),
    ) {
        parts.push(format!("{from} → {to}"));
    }
    if detail.get("reactivated").and_then(|v| v.as_bool()) == Some(true) {
        parts.push("reactivated".to_owned());
    }
    parts.join(", ")
}

/// The Licenses page: counts at the end of `as_of` (today if empty), the twelve months'
/// peaks up to it, and the lines `filter` matches.
pub async fn overview(
    pool: &PgPool,
    access: &Access,
    as_of: &str,
    filter: &LedgerFilter,
) -> Result<LicensesOverview, AppError> {
    access.may(Capability::ManageOrganization)?;
    overview_of(pool, access.organization_id, as_of, filter, PAGE_LINES).await
}

/// The Licenses page's answer with at most `limit` lines: the page's, or an export's.
async fn overview_of(
    pool: &PgPool,
    organization_id: i64,
    as_of: &str,
    filter: &LedgerFilter,
    limit: i64,
) -> Result<LicensesOverview, AppError> {
    let today = OffsetDateTime::now_utc().date();
    let date = parse_date(as_of, "date")?.unwrap_or(today).min(today);
    let until = end_of(date);
    // One snapshot: where the ledger's daily sums end and the lines after them.
    let mut tx = pool.begin().await?;
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let (enable_days, opportunity_days) =
        super::license_days::stretches(&mut tx, organization_id, until).await?;
    // The twelve months up to the one holding `until` (exclusive).
    let last = super::license_days::month_of((until - Duration::nanoseconds(1)).date());
    let (enable, enable_peaks) = level_and_peaks(&enable_days, last - 11, last);
    let (opportunity, opportunity_peaks) = level_and_peaks(&opportunity_days, last - 11, last);
    // The whole ledger's count is kept with its daily sums; a filtered one is counted.
    let total = if *filter == LedgerFilter::default() {
        Some(super::license_days::lines(&mut tx, organization_id).await?)
    } else {
        None
    };
    let (lines, lines_total) = lines(&mut tx, organization_id, filter, None, limit, total).await?;
    tx.rollback().await?;
    Ok(LicensesOverview {
        as_of: date.to_string(),
        enable,
        opportunity,
        enable_peaks,
        opportunity_peaks,
        lines,
        lines_limit: limit,
        lines_total,
    })
}

/// A member's license history, newest first (who may see the member may see it).
pub async fn member_history(
    pool: &PgPool,
    access: &Access,
    member_id: i64,
) -> Result<Vec<LedgerLine>, AppError> {
    access.may(Capability::SeeMembers)?;
    let mut conn = pool.acquire().await?;
    let found = sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM scoped_members($1, $2) WHERE id = $3"#,
        access.organization_id,
        super::scope::teams(access) as Option<Vec<i64>>,
        member_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    if found.is_none() {
        return Err(AppError::member_not_found());
    }
    Ok(lines(
        &mut conn,
        access.organization_id,
        &LedgerFilter::default(),
        Some(member_id),
        PAGE_LINES,
        None,
    )
    .await?
    .0)
}

/// The ledger as a download: the lines `filter` matches as CSV, or a workbook of the
/// counts on `as_of`, the monthly peaks and those lines (`format`: `csv`, `xlsx`). Every
/// cell is text or a number, never a formula.
pub async fn export_file(
    pool: &PgPool,
    access: &Access,
    as_of: &str,
    filter: &LedgerFilter,
    format: &str,
) -> Result<crate::model::roster::ExportFile, AppError> {
    use base64::Engine;
    access.may(Capability::ManageOrganization)?;
    let overview = overview_of(pool, access.organization_id, as_of, filter, EXPORT_LINES).await?;
    if overview.lines_total > EXPORT_LINES {
        return Err(AppError::invalid(format!(
            "The filter matches {} lines, more than one file holds ({EXPORT_LINES}): choose a shorter period.",
            overview.lines_total
        )));
    }
    let lines = &overview.lines;
    let header = [
        "at (UTC)",
        "member",
        "seat",
        "event",
        "what happened",
        "by",
        "detail",
    ];
    let cells = |l: &LedgerLine| {
        vec![
            l.at.clone(),
            l.member.clone(),
            l.seat.clone(),
            l.event.clone(),
            l.words.clone(),
            l.by.clone(),
            l.detail.clone(),
        ]
    };
    let (bytes, extension, mime) = match format {
        "csv" => (
            crate::spreadsheet::safe_csv(&header, lines.iter().map(cells)).into_bytes(),
            "csv",
            "text/csv;charset=utf-8",
        ),
        "xlsx" => (
            workbook(&overview, &header, lines.iter().map(cells))?,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        other => {
            return Err(AppError::invalid(format!(
                "\u{201c}{other}\u{201d} is not an export format: choose csv or xlsx."
            )))
        }
    };
    Ok(crate::model::roster::ExportFile {
        file_name: format!("roster-licenses-{}.{extension}", overview.as_of),
        mime: mime.to_owned(),
        base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

fn workbook(
    overview: &LicensesOverview,
    header: &[&str],
    lines: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
    let failed = |e: XlsxError| {
        tracing::error!(error = %e, "the licenses workbook could not be written");
        AppError::internal()
    };
    let bold = Format::new().set_bold();
    let titles = |sheet: &mut Worksheet, row: u32, titles: &[&str]| -> Result<(), XlsxError> {
        for (col, title) in titles.iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, *title, &bold)?;
        }
        Ok(())
    };
    // A label, then numbers.
    let figures = |sheet: &mut Worksheet, row: u32, label: &str, numbers: &[i64]| {
        sheet.write_string(row, 0, label)?;
        for (col, n) in numbers.iter().enumerate() {
            sheet.write_number(row, col as u16 + 1, *n as f64)?;
        }
        Ok::<(), XlsxError>(())
    };
    let mut workbook = Workbook::new();

    let summary = workbook
        .add_worksheet()
        .set_name("Summary")
        .map_err(failed)?;
    summary
        .write_string_with_format(0, 0, format!("Licenses on {}", overview.as_of), &bold)
        .map_err(failed)?;
    titles(summary, 1, &["seat", "bought", "held", "used", "free"]).map_err(failed)?;
    for (row, (kind, c)) in [
        (SeatKind::Enable, overview.enable),
        (SeatKind::Opportunity, overview.opportunity),
    ]
    .into_iter()
    .enumerate()
    {
        let numbers = [c.bought, c.held, c.used, c.free()];
        figures(summary, row as u32 + 2, kind.label(), &numbers).map_err(failed)?;
    }

    let peaks = workbook
        .add_worksheet()
        .set_name("Monthly peaks")
        .map_err(failed)?;
    titles(
        peaks,
        0,
        &[
            "month",
            "Enable bought",
            "Enable peak held",
            "Enable peak used",
            "Opportunity bought",
            "Opportunity peak held",
        ],
    )
    .map_err(failed)?;
    for (row, (e, o)) in overview
        .enable_peaks
        .iter()
        .zip(&overview.opportunity_peaks)
        .enumerate()
    {
        let numbers = [e.bought, e.peak_held, e.peak_used, o.bought, o.peak_held];
        figures(peaks, row as u32 + 1, &e.label(), &numbers).map_err(failed)?;
    }

    let events = workbook
        .add_worksheet()
        .set_name("Events")
        .map_err(failed)?;
    titles(events, 0, header).map_err(failed)?;
    for (row, cells) in lines.enumerate() {
        for (col, cell) in cells.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
            events
                .write_string(row as u32 + 1, col as u16, cell)
                .map_err(failed)?;
        }
    }
    events.set_freeze_panes(1, 0).map_err(failed)?;
    workbook.save_to_buffer().map_err(failed)
}
