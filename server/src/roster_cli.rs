//! `roster csv diff`, `roster csv apply` and `roster members export`: the roster as a
//! file, for administrators with a shell. The plan is the page's (`import::roster`), the
//! apply the page's (`app::server::roster::apply`).

use crate::cli::{ChangeSetArgs, ExportFormat, MembersCommand};
use crate::config::Config;
use crate::files::{read, ReadFile};
use anyhow::Context;
use app::domain::Access;
use app::import::digest;
use app::import::roster::Action;
use app::model::roster::RosterFile;
use app::server::roster::progress::Reporter;
use std::io::{IsTerminal, Write};

pub async fn members(config: &Config, command: MembersCommand) -> anyhow::Result<()> {
    let (org, format, output) = match command {
        MembersCommand::Export {
            org,
            format,
            output,
        } => (org, format, output),
        MembersCommand::Manage {
            org,
            email,
            team,
            region,
        } => return manage(config, &org, &email, &team, &region).await,
    };
    let pool = crate::db::connect(config.database_url()?).await?;
    let (organization_id, name) = crate::org_cli::find(&pool, &org).await?;
    let access = Access::operator(organization_id, &name, "command line");
    let members = app::server::roster::export(&pool, &access, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let bytes = match format {
        ExportFormat::Csv => app::export::roster_csv(&members).into_bytes(),
        ExportFormat::Xlsx => {
            app::server::roster::roster_xlsx(&members).map_err(|e| anyhow::anyhow!("{e}"))?
        }
    };
    match output {
        Some(path) => std::fs::write(&path, bytes)
            .with_context(|| format!("could not write {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    eprintln!("{} members exported.", members.len());
    Ok(())
}

/// The file as a change set, and the organization it is for.
async fn change_set(
    config: &Config,
    args: &ChangeSetArgs,
) -> anyhow::Result<(sqlx::PgPool, i64, String, RosterFile)> {
    let ReadFile {
        text,
        rows,
        present,
    } = read(&args.file)?;
    let pool = crate::db::connect(config.database_url()?).await?;
    crate::db::migrate(&pool).await?;
    let (organization_id, name) = crate::org_cli::find(&pool, &args.org).await?;
    let file = RosterFile {
        file_name: args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        digest: digest(&text),
        rows,
        present,
        deactivate_missing: args.deactivate_missing,
    };
    Ok((pool, organization_id, name, file))
}

pub async fn diff(config: &Config, args: &ChangeSetArgs, json: bool) -> anyhow::Result<()> {
    let (pool, organization_id, name, file) = change_set(config, args).await?;
    let access = Access::operator(organization_id, &name, "command line");
    let plan = app::server::roster::preview(&pool, &access, &file)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for entry in &plan.entries {
        if json {
            println!(
                "{}",
                serde_json::json!({
                    "row": entry.row,
                    "action": entry.action.as_str(),
                    "member": entry.member,
                    "changes": entry.changes,
                    "message": entry.message,
                })
            );
        } else {
            let at = entry.row.map_or("—".to_owned(), |r| format!("row {r}"));
            println!("{at:>9}  {:<10} {}", entry.action.as_str(), entry.who);
            for change in &entry.changes {
                println!(
                    "             {}: “{}” → “{}”",
                    change.field, change.from, change.to
                );
            }
            if !entry.message.is_empty() && entry.action != Action::New {
                println!("             {}", entry.message);
            }
        }
    }
    eprintln!("{}", plan.summary());
    if plan.count(Action::Refused) > 0 {
        std::process::exit(1);
    }
    Ok(())
}

pub async fn apply(config: &Config, args: &ChangeSetArgs) -> anyhow::Result<()> {
    let (pool, organization_id, name, file) = change_set(config, args).await?;
    let actor = Access::operator(organization_id, &name, "command line");
    // On a terminal, how far it has got, on one line that rewrites itself; in a script or a
    // log, only the result.
    let terminal = std::io::stderr().is_terminal();
    let progress = if terminal {
        Reporter::listener(Box::new(|done, total, stage| {
            let percent = (done * 100).checked_div(total).unwrap_or(0);
            eprint!("\r\x1b[K{stage}… {percent} %");
        }))
    } else {
        Reporter::quiet()
    };
    let applied =
        app::server::roster::apply(&pool, &config.runtime(), &actor, &file, progress).await;
    if terminal {
        eprint!("\r\x1b[K");
    }
    match applied {
        Ok(applied) => {
            println!("{}", applied.message());
            Ok(())
        }
        Err(refused) => {
            eprintln!("{refused}");
            std::process::exit(1);
        }
    }
}

/// `roster members manage`: the member becomes a team manager of exactly these teams and
/// regions, through the functions the member page calls.
async fn manage(
    config: &Config,
    org: &str,
    email: &str,
    teams: &[String],
    regions: &[String],
) -> anyhow::Result<()> {
    let pool = crate::db::connect(config.database_url()?).await?;
    let (organization_id, name) = crate::org_cli::find(&pool, org).await?;
    let access = Access::operator(organization_id, &name, "command line");
    let said = |e: app::error::AppError| anyhow::anyhow!("{e}");
    let member = app::server::members::find_by_email(&pool, &access, email)
        .await
        .map_err(said)?
        .ok_or_else(|| anyhow::anyhow!("{name} has no member with the address {email}."))?;
    let (team_ids, region_ids) = app::server::managers::named(&pool, &access, teams, regions)
        .await
        .map_err(said)?;
    app::server::roster::set_permission(&pool, &access, member, app::domain::Permission::Manager)
        .await
        .map_err(said)?;
    app::server::managers::set_scope(&pool, &access, member, &team_ids, &region_ids)
        .await
        .map_err(said)?;
    println!(
        "{email} is a team manager of {} team(s) and {} region(s).",
        team_ids.len(),
        region_ids.len()
    );
    Ok(())
}
