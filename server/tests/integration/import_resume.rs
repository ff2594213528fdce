//! An import killed mid-file is continued by the same file: rows already imported are
//! recognised and skipped, the rest imported, each member once; only a completed import
//! refuses the file again.

use crate::common;

use sqlx::PgPool;
use std::process::{Command, Stdio};
use std::time::Duration;

const ROWS: usize = 30_000;

fn roster(database_url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    command
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("PUBLIC_URL", "https://roster.example")
        .env_remove("SMTP_URL");
    command
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_killed_command_line_import_is_continued_by_the_same_file(pool: PgPool) {
    let url = common::database_url(&pool).await;
    common::create_organization(&pool, "Acme", "ada@acme.example", 1, 0).await;
    let mut csv =
        String::from("user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments\n");
    for n in 1..=ROWS {
        csv.push_str(&format!(
            "EXT{n:05},Ren{n},Resume,ren{n}@acme.example,Rep,FALSE,FALSE,\n"
        ));
    }
    let file = std::env::temp_dir().join(format!("resume-{}.csv", std::process::id()));
    std::fs::write(&file, csv).unwrap();
    let path = file.to_str().unwrap();

    // Start the import and kill -9 it once its first batch is in.
    let mut child = roster(&url, &["csv", "import", path, "--org", "Acme"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut before_kill = 0;
    for _ in 0..3000 {
        before_kill = count(
            &pool,
            "SELECT coalesce(sum(imported), 0)::bigint FROM imports",
        )
        .await;
        if before_kill > 0 || child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let members = count(&pool, "SELECT count(*) FROM members").await - 1;
    assert!(before_kill > 0, "the first batch went in before the kill");
    assert!(
        (members as usize) < ROWS,
        "killed mid-file: {members} of {ROWS} imported"
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM imports WHERE completed_at IS NULL"
        )
        .await,
        1,
        "the import is not completed"
    );

    // The same file again continues it.
    let out = roster(&url, &["csv", "import", path, "--org", "Acme"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("continuing it"), "{stdout}");
    assert!(
        stdout.contains(&format!("Imported {} members", ROWS - members as usize)),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{members} rows were imported already")),
        "{stdout}"
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM members").await,
        ROWS as i64 + 1
    );
    // One invitation email per member, never two.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM (SELECT to_address FROM email_outbox GROUP BY to_address HAVING count(*) > 1) twice"
        )
        .await,
        0
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM email_outbox").await,
        ROWS as i64
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM imports WHERE completed_at IS NOT NULL"
        )
        .await,
        1
    );

    // Completed: the same file is refused, and says so.
    let out = roster(&url, &["csv", "import", path, "--org", "Acme"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already imported"));
    let _ = std::fs::remove_file(file);
}

/// One request of an import carries at most `MAX_BATCH_ROWS` rows (one short
/// transaction): more is refused with a message, and nothing of it is written.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_import_request_carries_a_bounded_number_of_rows(pool: PgPool) {
    use app::import::{RowCells, MAX_BATCH_ROWS};
    let created = common::create_organization(&pool, "Acme", "ada@acme.example", 0, 0).await;
    let actor = common::operator(created.organization_id);
    let config = common::runtime_config("https://roster.example", false);
    let rows: Vec<RowCells> = (1..=MAX_BATCH_ROWS as u32 + 1)
        .map(|n| {
            RowCells::new(
                n + 1,
                [
                    &format!("EXT{n:05}"),
                    "Ren",
                    "Resume",
                    &format!("ren{n}@acme.example"),
                    "",
                    "FALSE",
                    "FALSE",
                    "",
                ],
            )
        })
        .collect();
    let started = app::server::import::start(&pool, &actor, "big.csv", "digest", rows.len())
        .await
        .unwrap();
    let refused =
        app::server::import::import_batch(&pool, &config, &actor, started.import_id, &rows)
            .await
            .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains(&format!("at most {MAX_BATCH_ROWS} rows")),
        "{refused}"
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM members WHERE email LIKE 'ren%'"
        )
        .await,
        0
    );
}
