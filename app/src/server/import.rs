//! Importing checked CSV rows: the server checks every row again with the same code the
//! browser ran (now against the organization as it is, under its lock), then invites the
//! valid rows of a batch in one transaction through the one invitation path
//! ([`super::invite::invite`]), with bulk statements.

use super::activity::Action;
use super::invite::{invite, known, Among, Delivery, Logged};
use super::members::lock_organization;
use super::RuntimeConfig;
use crate::domain::licenses::Via;
use crate::domain::Access;
use crate::domain::Capability;
use crate::error::AppError;
use crate::import::columns::header_key;
use crate::import::{check_file, BatchOutcome, Column, RowCells, MAX_BATCH_ROWS, MAX_ROWS};
use crate::model::import::{ImportContext, ImportRecord, ImportStart, ImportState};
use sqlx::PgPool;

/// Starts an import of a file (`digest` from [`crate::import::digest`]). A file imported to
/// its end before is refused; one whose import stopped (a crash, a closed tab) is continued:
/// its rows already imported are recognised and skipped by each batch.
pub async fn start(
    pool: &PgPool,
    actor: &Access,
    file_name: &str,
    digest: &str,
    rows_total: usize,
) -> Result<ImportStart, AppError> {
    actor.may(Capability::ChangeMembers)?;
    if rows_total > MAX_ROWS {
        return Err(AppError::invalid(format!(
            "This file has {rows_total} rows; one import takes at most {MAX_ROWS}. Split it into several files."
        )));
    }
    let earlier = sqlx::query!(
        r#"SELECT id, completed_at IS NOT NULL AS "completed!", imported,
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS "at!"
             FROM imports WHERE organization_id = $1 AND digest = $2 AND imported > 0
            ORDER BY completed_at IS NULL, id DESC LIMIT 1"#,
        actor.organization_id,
        digest
    )
    .fetch_optional(pool)
    .await?;
    let members = |n: i32| format!("{n} member{}", if n == 1 { "" } else { "s" });
    match earlier {
        Some(earlier) if earlier.completed => Err(AppError::Conflict(format!(
            "This file was already imported on {} ({} invited): nothing was imported again.",
            earlier.at,
            members(earlier.imported)
        ))),
        Some(earlier) => {
            sqlx::query!(
                "UPDATE imports SET rows_total = $2, updated_at = now() WHERE id = $1",
                earlier.id,
                rows_total as i32
            )
            .execute(pool)
            .await?;
            Ok(ImportStart {
                import_id: earlier.id,
                continues: Some(format!(
                    "The import of this file started on {} stopped after {}: continuing it. Rows already imported are skipped.",
                    earlier.at,
                    members(earlier.imported)
                )),
            })
        }
        None => Ok(ImportStart {
            import_id: sqlx::query_scalar!(
                "INSERT INTO imports (organization_id, file_name, digest, rows_total, created_by, actor_label)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                actor.organization_id,
                crate::import::bounded_file_name(file_name),
                digest,
                rows_total as i32,
                actor.member_id(),
                actor.label,
            )
            .fetch_one(pool)
            .await?,
            continues: None,
        }),
    }
}

/// The last batch arrived: the import is completed (the same file again is refused).
pub async fn finish(pool: &PgPool, actor: &Access, import_id: i64) -> Result<(), AppError> {
    actor.may(Capability::ChangeMembers)?;
    sqlx::query!(
        "UPDATE imports SET completed_at = now(), updated_at = now()
          WHERE id = $1 AND organization_id = $2 AND completed_at IS NULL",
        import_id,
        actor.organization_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Imports one batch of rows in one transaction: every valid row, or (when the batch
/// asks for more seats than are free) none.
pub async fn import_batch(
    pool: &PgPool,
    config: &RuntimeConfig,
    actor: &Access,
    import_id: i64,
    rows: &[RowCells],
) -> Result<BatchOutcome, AppError> {
    actor.may(Capability::ChangeMembers)?;
    if rows.len() > MAX_BATCH_ROWS {
        // The page never sends more (`import::batches`); one transaction stays short.
        return Err(AppError::invalid(format!(
            "An import sends at most {MAX_BATCH_ROWS} rows at a time: this request had {}.",
            rows.len()
        )));
    }
    let org = actor.organization_id;
    let mut tx = pool.begin().await?;
    let locked = lock_organization(&mut tx, actor, &super::ledger::via_of(actor)).await?;
    let known_import = sqlx::query_scalar!(
        "SELECT file_name FROM imports WHERE id = $1 AND organization_id = $2 FOR UPDATE",
        import_id,
        org
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(file_name) = known_import else {
        return Err(AppError::NotFound(
            "This import is not one of your organization's.".into(),
        ));
    };
    super::ledger::note(&mut tx, actor, &Via::File(file_name), None).await?;
    let context = known(&mut tx, actor, Among::Rows(rows)).await?;
    let report = check_file(rows, Some(&context));
    if let Some(problem) = report.file_problems.first() {
        return Err(AppError::invalid(problem.clone()));
    }
    let valid = report.valid_rows(rows).map_err(|_| AppError::internal())?;
    let (first_row, last_row) = (
        valid.first().map_or(0, |r| r.row),
        valid.last().map_or(0, |r| r.row),
    );
    let people: Vec<_> = valid.into_iter().map(|r| r.invitee).collect();
    // One activity entry per batch (the import and its rows are in `imports`): a
    // 100,000-row file must not write 100,000 log rows.
    let logged = Logged::Once {
        action: Action::MembersImported,
        details: serde_json::json!({ "import": import_id, "members": people.len(), "rows": format!("{first_row}–{last_row}") }),
        about_first: false,
    };
    let invited = invite(
        &mut tx,
        actor,
        &locked,
        &people,
        Delivery::Email(config),
        logged,
    )
    .await?;
    let imported = invited.member_ids.len();
    let skipped_rows = report.rows_with_problems();
    let already = report.already.len();
    sqlx::query!(
        "UPDATE imports
            SET imported = imported + $2, skipped = skipped + $3, already = already + $4,
                updated_at = now()
          WHERE id = $1",
        import_id,
        imported as i32,
        skipped_rows as i32,
        already as i32,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(BatchOutcome {
        import_id,
        imported,
        already,
        skipped: report.problems,
    })
}

/// What the browser needs before a file is sent: every member's address and user_id,
/// free seats, and the user_id the sample file starts from.
pub async fn context(pool: &PgPool, access: &Access) -> Result<ImportContext, AppError> {
    access.may(Capability::ChangeMembers)?;
    let organization_id = access.organization_id;
    let mut conn = pool.acquire().await?;
    let known = known(&mut conn, access, Among::Everyone).await?;
    let column_choices = sqlx::query!(
        "SELECT header_key, template_column FROM column_choices WHERE organization_id = $1",
        organization_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| {
        let column = r.template_column.as_deref().and_then(Column::from_header);
        (r.header_key, column)
    })
    .collect();
    Ok(ImportContext {
        column_choices,
        next_user_id: known.user_ids.iter().max().map_or(1, |m| m + 1),
        emails: known.emails.into_iter().collect(),
        user_ids: known.user_ids.into_iter().collect(),
        enable_free: known.enable_free,
        opportunity_free: known.opportunity_free,
    })
}

/// Remembers how the administrator matched a file's columns (see `column_choices`): the
/// next file with these headers is matched the same way. At most 100 headers a file.
pub async fn remember_columns(
    pool: &PgPool,
    access: &Access,
    choices: &[(String, Option<Column>)],
) -> Result<(), AppError> {
    access.may(Capability::ChangeMembers)?;
    let organization_id = access.organization_id;
    let mut keys = Vec::new();
    let mut columns = Vec::new();
    for (header, column) in choices.iter().take(100) {
        let key = header_key(header);
        if !key.is_empty() && key.len() <= 200 && !keys.contains(&key) {
            keys.push(key);
            columns.push(column.map(|c| c.name().to_owned()));
        }
    }
    // One statement: the choices of one file replace earlier ones for the same headers.
    sqlx::query!(
        r#"INSERT INTO column_choices (organization_id, header_key, template_column)
           SELECT $1, key, col FROM UNNEST($2::text[], $3::text[]) AS t(key, col)
           ON CONFLICT (organization_id, header_key)
           DO UPDATE SET template_column = EXCLUDED.template_column, updated_at = now()"#,
        organization_id,
        &keys,
        &columns as &[Option<String>]
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The organization's past imports, newest first.
pub async fn history(pool: &PgPool, access: &Access) -> Result<Vec<ImportRecord>, AppError> {
    access.may(Capability::ChangeMembers)?;
    let organization_id = access.organization_id;
    Ok(sqlx::query!(
        r#"SELECT id, file_name, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS "at!",
                  actor_label, rows_total, imported, skipped, already,
                  completed_at IS NOT NULL AS "completed!",
                  -- A batch takes seconds: minutes without one mean the import stopped.
                  updated_at > now() - interval '2 minutes' AS "recent!"
             FROM imports WHERE organization_id = $1 ORDER BY id DESC LIMIT 100"#,
        organization_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| ImportRecord {
        id: r.id,
        file_name: r.file_name,
        at: r.at,
        by: r.actor_label,
        rows_total: r.rows_total,
        imported: r.imported,
        skipped: r.skipped,
        already: r.already,
        state: match (r.completed, r.recent) {
            (true, _) => ImportState::Completed,
            (false, true) => ImportState::InProgress,
            (false, false) => ImportState::Interrupted,
        },
    })
    .collect())
}
