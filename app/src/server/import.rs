//! Importing checked CSV rows: the server checks every row again with the same code the
//! browser ran (now against the organization as it is, under its lock), then imports the
//! valid rows of a batch in one transaction with a handful of bulk statements: members,
//! enrollments, invitations, outbox emails and the activity log.

use super::audit::{self, Actor};
use super::members::lock_organization;
use super::outbox::{self, Recipient};
use super::RuntimeConfig;
use crate::error::AppError;
use crate::import::{check_file, BatchOutcome, OrgContext, RowCells, MAX_ROWS};
use sqlx::{PgConnection, PgPool};

/// Who imports, and for which organization.
pub struct Importer<'a> {
    pub organization_id: i64,
    pub member_id: Option<i64>,
    /// The email address of the administrator, or "command line".
    pub label: &'a str,
    /// The name invitations give as the inviter.
    pub inviter_name: &'a str,
}

/// Starts an import of a file (`digest` from [`crate::import::digest`]), refusing a file
/// that was imported before.
pub async fn start(
    pool: &PgPool,
    who: &Importer<'_>,
    file_name: &str,
    digest: &str,
    rows_total: usize,
) -> Result<i64, AppError> {
    if rows_total > MAX_ROWS {
        return Err(AppError::invalid(format!(
            "This file has {rows_total} rows; one import takes at most {MAX_ROWS}. Split it into several files."
        )));
    }
    let earlier = sqlx::query!(
        r#"SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS "at!", imported
             FROM imports WHERE organization_id = $1 AND digest = $2 AND imported > 0
            ORDER BY id LIMIT 1"#,
        who.organization_id,
        digest
    )
    .fetch_optional(pool)
    .await?;
    if let Some(earlier) = earlier {
        return Err(AppError::invalid(format!(
            "This file was already imported on {} ({} member{} invited): nothing was imported again.",
            earlier.at,
            earlier.imported,
            if earlier.imported == 1 { "" } else { "s" }
        )));
    }
    Ok(sqlx::query_scalar!(
        "INSERT INTO imports (organization_id, file_name, digest, rows_total, created_by, actor_label)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        who.organization_id,
        file_name.chars().take(255).collect::<String>(),
        digest,
        rows_total as i32,
        who.member_id,
        who.label,
    )
    .fetch_one(pool)
    .await?)
}

/// Imports one batch of rows in one transaction: every valid row, or (when the batch
/// asks for more seats than are free) none.
pub async fn import_batch(
    pool: &PgPool,
    config: &RuntimeConfig,
    who: &Importer<'_>,
    import_id: i64,
    rows: &[RowCells],
) -> Result<BatchOutcome, AppError> {
    let org = who.organization_id;
    let mut tx = pool.begin().await?;
    let locked = lock_organization(&mut tx, org).await?;
    let known = sqlx::query_scalar!(
        "SELECT id FROM imports WHERE id = $1 AND organization_id = $2 FOR UPDATE",
        import_id,
        org
    )
    .fetch_optional(&mut *tx)
    .await?;
    if known.is_none() {
        return Err(AppError::NotFound(
            "This import is not one of your organization's.".into(),
        ));
    }
    let context = organization_context(
        &mut tx,
        org,
        rows,
        locked.enable.free(),
        locked.opportunity.free(),
    )
    .await?;
    let report = check_file(rows, Some(&context));
    if let Some(problem) = report.file_problems.first() {
        return Err(AppError::invalid(problem.clone()));
    }
    let valid = &report.valid_rows(rows).map_err(|_| AppError::Internal)?;
    let ids: Vec<i64> = if valid.is_empty() {
        Vec::new()
    } else {
        let column =
            |f: fn(&crate::import::ValidRow) -> String| valid.iter().map(f).collect::<Vec<_>>();
        let inserted = sqlx::query!(
            r#"INSERT INTO members (organization_id, external_id, first_name, last_name, email, job_title, permission,
                                    enable_seat, opportunity_seat)
               SELECT $1, external_id, first_name, last_name, email, job_title, 'member', enable_seat, opportunity_seat
                 FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::bool[])
                      AS t(external_id, first_name, last_name, email, job_title, enable_seat, opportunity_seat)
               RETURNING id, external_id AS "external_id!""#,
            org,
            &column(|r| r.external_id.to_string()),
            &column(|r| r.first_name.as_str().to_owned()),
            &column(|r| r.last_name.as_str().to_owned()),
            &column(|r| r.email.as_str().to_owned()),
            &column(|r| r.job_title.as_str().to_owned()),
            &valid.iter().map(|r| r.enable_seat).collect::<Vec<_>>(),
            &valid.iter().map(|r| r.opportunity_seat).collect::<Vec<_>>(),
        )
        .fetch_all(&mut *tx)
        .await?;
        // RETURNING order is not guaranteed: match by user_id (unique in the batch).
        let by_external: std::collections::HashMap<&str, i64> = inserted
            .iter()
            .map(|r| (r.external_id.as_str(), r.id))
            .collect();
        valid
            .iter()
            .map(|r| {
                by_external
                    .get(r.external_id.to_string().as_str())
                    .copied()
                    .ok_or(AppError::Internal)
            })
            .collect::<Result<_, _>>()?
    };
    if !ids.is_empty() {
        // Programs set at invitation time (SPEC rule 4 allows it for the import).
        let (mut members, mut slugs) = (Vec::new(), Vec::new());
        for (row, id) in valid.iter().zip(&ids) {
            for program in &row.programs {
                members.push(*id);
                slugs.push(program.slug().to_owned());
            }
        }
        sqlx::query!(
            "INSERT INTO enrollments (member_id, program_id)
             SELECT t.member_id, p.id FROM UNNEST($1::bigint[], $2::text[]) AS t(member_id, slug)
               JOIN programs p ON p.slug = t.slug",
            &members,
            &slugs
        )
        .execute(&mut *tx)
        .await?;
        let recipients: Vec<Recipient> = valid
            .iter()
            .zip(&ids)
            .map(|(r, &member_id)| Recipient {
                member_id,
                email: r.email.as_str(),
                first_name: r.first_name.as_str(),
            })
            .collect();
        outbox::invite(
            &mut tx,
            config,
            org,
            &locked.name,
            who.inviter_name,
            who.member_id,
            &recipients,
        )
        .await?;
        // One activity entry per batch (the import and its rows are in `imports`): a
        // 100,000-row file must not write 100,000 log rows.
        let actor = match who.member_id {
            Some(id) => Actor::Member {
                id,
                label: who.label,
            },
            None => Actor::System(who.label),
        };
        let first_row = valid.first().map(|r| r.row);
        let last_row = valid.last().map(|r| r.row);
        audit::record(
            &mut tx,
            org,
            actor,
            "members.imported",
            None,
            serde_json::json!({ "import": import_id, "members": ids.len(), "rows": format!("{}–{}", first_row.unwrap_or(0), last_row.unwrap_or(0)) }),
        )
        .await?;
    }
    let skipped_rows = report.rows_with_problems();
    sqlx::query!(
        "UPDATE imports SET imported = imported + $2, skipped = skipped + $3 WHERE id = $1",
        import_id,
        ids.len() as i32,
        skipped_rows as i32
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(BatchOutcome {
        import_id,
        imported: ids.len(),
        skipped: report.problems,
    })
}

/// The organization as the checks need it: members with the batch's addresses or
/// user_ids, and free seats (read under the organization lock).
async fn organization_context(
    conn: &mut PgConnection,
    organization_id: i64,
    rows: &[RowCells],
    enable_free: i64,
    opportunity_free: i64,
) -> Result<OrgContext, AppError> {
    use crate::import::Column;
    let emails: Vec<String> = rows
        .iter()
        .map(|r| r.get(Column::Email).to_lowercase())
        .collect();
    let user_ids: Vec<String> = rows
        .iter()
        .map(|r| r.get(Column::UserId).to_uppercase())
        .collect();
    let existing = sqlx::query!(
        "SELECT lower(email) AS email, external_id FROM members
          WHERE organization_id = $1 AND (lower(email) = ANY($2) OR external_id = ANY($3))",
        organization_id,
        &emails,
        &user_ids
    )
    .fetch_all(conn)
    .await?;
    Ok(OrgContext {
        emails: existing.iter().filter_map(|r| r.email.clone()).collect(),
        user_ids: existing
            .iter()
            .filter_map(|r| r.external_id.as_deref())
            .filter_map(|id| crate::domain::ExternalId::parse(id).ok())
            .map(|id| id.number())
            .collect(),
        enable_free,
        opportunity_free,
    })
}

/// The organization as the browser's check needs it before anything is sent: every
/// member's address and user_id, and free seats.
pub async fn full_context(
    pool: &PgPool,
    organization_id: i64,
) -> Result<(Vec<String>, Vec<u32>), AppError> {
    let rows = sqlx::query!(
        r#"SELECT lower(email) AS "email!", external_id FROM members WHERE organization_id = $1"#,
        organization_id
    )
    .fetch_all(pool)
    .await?;
    let user_ids = rows
        .iter()
        .filter_map(|r| r.external_id.as_deref())
        .filter_map(|id| crate::domain::ExternalId::parse(id).ok())
        .map(|id| id.number())
        .collect();
    Ok((rows.into_iter().map(|r| r.email).collect(), user_ids))
}
