//! `roster csv check` and `roster csv import`: the page's checks and import, for
//! administrators with a shell. Files are CSV, UTF-16 text or workbooks (.xlsx, .ods,
//! .xls: the first sheet), read by the page's code.

use crate::cli::CsvCommand;
use crate::config::Config;
use crate::files::{read, ReadFile};
use app::domain::Access;
use app::import::{check_file, digest, OrgContext, MAX_ROWS};
use app::server::import::{finish, import_batch, start};
use app::server::invite::{known, Among};
use sqlx::PgPool;

/// Problems `roster csv check` prints at most (it says how many more there are).
pub const MAX_PRINTED: usize = 1_000;

/// Rows per transaction when importing (each batch is all-or-nothing), as the page sends.
const BATCH: usize = app::import::MAX_BATCH_ROWS;

pub async fn run(config: &Config, command: CsvCommand) -> anyhow::Result<()> {
    match command {
        CsvCommand::Check { file, org, json } => check(config, &file, org.as_deref(), json).await,
        CsvCommand::Import { file, org } => import(config, &file, &org).await,
        CsvCommand::Diff { change_set, json } => {
            crate::roster_cli::diff(config, &change_set, json).await
        }
        CsvCommand::Apply { change_set } => crate::roster_cli::apply(config, &change_set).await,
    }
}

/// What the checks need to know of the organization: the same as the page's.
async fn context(pool: &PgPool, access: &Access) -> anyhow::Result<OrgContext> {
    let mut conn = pool.acquire().await?;
    known(&mut conn, access, Among::Everyone)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

async fn check(
    config: &Config,
    file: &std::path::Path,
    org: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let ReadFile { mut rows, .. } = read(file)?;
    // One import takes at most MAX_ROWS rows: said first, and the rest is not checked.
    let total = rows.len();
    let too_long = total > MAX_ROWS;
    if too_long {
        rows.truncate(MAX_ROWS);
    }
    let org_context = match org {
        Some(org) => {
            let pool = crate::db::connect(config.database_url()?).await?;
            let (id, name) = crate::org_cli::find(&pool, org).await?;
            Some(context(&pool, &Access::operator(id, &name, "command line")).await?)
        }
        None => None,
    };
    let report = check_file(&rows, org_context.as_ref());
    let mut file_problems = report.file_problems.clone();
    if too_long {
        file_problems.insert(
            0,
            format!(
                "This file has {total} rows; one import takes at most {MAX_ROWS}. Split it into files of at most {MAX_ROWS} rows. Only its first {MAX_ROWS} rows were checked."
            ),
        );
        if !json {
            eprintln!("{}", file_problems[0]);
        }
    }
    // A file can have millions of problems; a terminal or a log needs the first ones and
    // how many there are.
    for problem in report.problems.iter().take(MAX_PRINTED) {
        if json {
            println!(
                "{}",
                serde_json::json!({ "row": problem.row, "column": problem.column.map(|c| c.name()), "message": problem.message })
            );
        } else {
            println!("{problem}");
        }
    }
    if report.problems.len() > MAX_PRINTED {
        let more = report.problems.len() - MAX_PRINTED;
        let line = format!(
            "… and {more} more problems (the first {MAX_PRINTED} are listed). Fix these and check again."
        );
        if json {
            println!(
                "{}",
                serde_json::json!({ "row": null, "column": null, "message": line, "more": more })
            );
        } else {
            println!("{line}");
        }
    }
    for problem in &file_problems {
        if json {
            println!(
                "{}",
                serde_json::json!({ "row": null, "column": null, "message": problem })
            );
        } else {
            println!("{problem}");
        }
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    let bad = report.rows_with_problems();
    eprintln!(
        "{} rows checked: {} without problems, {bad} with problems.",
        rows.len(),
        report.valid.len()
    );
    if bad > 0 || !file_problems.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}

async fn import(config: &Config, file: &std::path::Path, org: &str) -> anyhow::Result<()> {
    let ReadFile {
        text: bytes, rows, ..
    } = read(file)?;
    let pool = crate::db::connect(config.database_url()?).await?;
    crate::db::migrate(&pool).await?;
    let (organization_id, name) = crate::org_cli::find(&pool, org).await?;
    let actor = Access::operator(organization_id, &name, "command line");
    let runtime = config.runtime();
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let started = start(&pool, &actor, &file_name, &digest(&bytes), rows.len())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(continues) = &started.continues {
        println!("{continues}");
    }
    let (mut imported, mut already, mut skipped) = (0, 0, Vec::new());
    for batch in rows.chunks(BATCH) {
        let outcome = import_batch(&pool, &runtime, &actor, started.import_id, batch)
            .await
            .map_err(|e| anyhow::anyhow!("{e} (run the same command again to continue)"))?;
        imported += outcome.imported;
        already += outcome.already;
        skipped.extend(outcome.skipped);
        eprintln!("… {imported} imported");
    }
    finish(&pool, &actor, started.import_id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "Imported {imported} member{} into {name}; invitations are queued.",
        if imported == 1 { "" } else { "s" }
    );
    if already > 0 {
        println!("{already} rows were imported already (by this file's earlier import that stopped) and were skipped.");
    }
    if !skipped.is_empty() {
        println!("Not imported:");
        for problem in &skipped {
            println!("  {problem}");
        }
    }
    Ok(())
}
