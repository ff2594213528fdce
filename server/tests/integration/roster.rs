//! The roster round trip, run as an operator runs it: `roster members export` (CSV and
//! .xlsx), the file changed, `roster csv diff` shows exactly those changes, `roster csv
//! apply` applies them all or nothing, and the same file again changes nothing.

use crate::common;

use common::processes::roster;
use common::roster_file;

use app::server::roster::progress::Reporter;
use sqlx::PgPool;
use std::process::Output;

/// `roster ARGS` on a pseudo-terminal (util-linux's `script`), as a person runs it.
fn roster_on_a_terminal(url: &str, args: &[&str]) -> Output {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_roster"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    std::process::Command::new("script")
        .args(["-qefc", &quoted.join(" "), "/dev/null"])
        .env("DATABASE_URL", url)
        .env("PUBLIC_URL", "https://roster.example")
        .env_remove("SMTP_URL")
        .output()
        .unwrap()
}

fn said(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

async fn seed(pool: &PgPool) -> i64 {
    let org = common::create_organization(pool, "Acme", "ada@acme.example", 10, 5).await;
    let id = org.organization_id;
    sqlx::query(
        "INSERT INTO regions (organization_id, name) VALUES ($1, 'EMEA');
         ",
    )
    .bind(id)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO teams (organization_id, region_id, name)
         SELECT $1, r.id, t FROM regions r, unnest(ARRAY['Iberia', 'DACH']) t WHERE r.organization_id = $1",
    )
    .bind(id)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO members (organization_id, external_id, first_name, last_name, email, job_title, permission,
                              status, password_hash, enable_seat, team_id)
         SELECT $1, 'EXT0000' || n, 'Zoë' || n, 'Müller', 'm' || n || '@acme.example', 'Account Executive',
                'member', 'active', 'x', n <= 2, (SELECT id FROM teams WHERE name = 'Iberia' AND organization_id = $1)
           FROM generate_series(1, 4) n",
    )
    .bind(id)
    .execute(pool)
    .await
    .unwrap();
    // m1 is at 15 % on a program (its license is used); m2 at 5 %.
    sqlx::query(
        "INSERT INTO enrollments (member_id, program_id, progress_basis_points)
         SELECT id, 1, CASE email WHEN 'm1@acme.example' THEN 1500 ELSE 500 END
           FROM members WHERE email IN ('m1@acme.example', 'm2@acme.example')",
    )
    .execute(pool)
    .await
    .unwrap();
    id
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn export_change_diff_apply_and_again(pool: PgPool) {
    let url = common::database_url(&pool).await;
    let org = seed(&pool).await.to_string();
    let dir = std::env::temp_dir().join(format!("roster-roundtrip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("roster.csv");
    let xlsx = dir.join("roster.xlsx");

    for (path, format) in [(&csv, "csv"), (&xlsx, "xlsx")] {
        let out = roster(
            &url,
            &[
                "members",
                "export",
                "--org",
                &org,
                "--format",
                format,
                "--output",
                path.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", said(&out));
        // Unchanged, the export plans nothing, from either format.
        let out = roster(
            &url,
            &["csv", "diff", path.to_str().unwrap(), "--org", &org],
        );
        assert_eq!(out.status.code(), Some(0), "{}", said(&out));
        assert!(
            said(&out).contains("0 new, 0 changed, 5 unchanged"),
            "{format}: {}",
            said(&out)
        );
    }
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with(
        "user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments,permission,region,team,status,deactivate_on\r\n"
    ));

    // Three cells changed and a row deleted.
    let changed: Vec<String> = text
        .lines()
        .filter(|l| !l.contains("m4@acme.example"))
        .map(|l| {
            if l.contains("m3@acme.example") {
                l.replace("Account Executive", "Sales Manager")
                    .replace(",Iberia,", ",DACH,")
            } else if l.contains("m2@acme.example") {
                l.replace(",FALSE,", ",TRUE,") // an Opportunity seat
            } else {
                l.to_owned()
            }
        })
        .collect();
    let edited = dir.join("edited.csv");
    std::fs::write(&edited, changed.join("\r\n") + "\r\n").unwrap();
    let out = roster(
        &url,
        &[
            "csv",
            "diff",
            edited.to_str().unwrap(),
            "--org",
            &org,
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let changes: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["action"] == "change").collect();
    assert_eq!(changes.len(), 2, "{lines:#?}");
    let fields: Vec<&str> = changes
        .iter()
        .flat_map(|c| c["changes"].as_array().unwrap())
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["mos_opportunity", "job_title", "team"],
        "{lines:#?}"
    );
    assert!(lines.iter().all(|l| l["action"] != "deactivate"));
    // The deletion deactivates only when asked.
    let out = roster(
        &url,
        &[
            "csv",
            "diff",
            edited.to_str().unwrap(),
            "--org",
            &org,
            "--deactivate-missing",
            "--json",
        ],
    );
    let deactivations = String::from_utf8_lossy(&out.stdout)
        .matches("\"deactivate\"")
        .count();
    assert_eq!(deactivations, 1, "{}", said(&out));

    // On a terminal (a pseudo-terminal by `script`), the command shows how far it has got.
    let out = roster_on_a_terminal(
        &url,
        &[
            "csv",
            "apply",
            edited.to_str().unwrap(),
            "--org",
            &org,
            "--deactivate-missing",
        ],
    );
    assert!(out.status.success(), "{}", said(&out));
    let shown = said(&out);
    assert!(
        shown.contains("Applied: 0 invited, 2 changed, 1 deactivated"),
        "{shown}"
    );
    assert!(shown.contains("Changing members… "), "{shown}");
    assert!(shown.contains("Saving… 100 %"), "{shown}");
    let (title, team): (String, String) = sqlx::query_as(
        "SELECT m.job_title, t.name FROM members m JOIN teams t ON t.id = m.team_id WHERE m.email = 'm3@acme.example'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((title.as_str(), team.as_str()), ("Sales Manager", "DACH"));
    let status: String =
        sqlx::query_scalar("SELECT status FROM members WHERE email = 'm4@acme.example'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "deactivated");
    let entries: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'member.changed_by_file' AND details->>'file' = 'edited.csv'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(entries, 2);

    // The same file again: nothing to change, and it says so.
    let out = roster(
        &url,
        &[
            "csv",
            "apply",
            edited.to_str().unwrap(),
            "--org",
            &org,
            "--deactivate-missing",
        ],
    );
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("Nothing to change"), "{}", said(&out));

    // A change the 10 % rule forbids: refused with its reason, and nothing is applied.
    let refused: Vec<String> = changed
        .iter()
        .map(|l| {
            if l.contains("m1@acme.example") {
                l.replace("meddpicc-leadership-and-enablement-toolkit", "")
            } else if l.contains("m3@acme.example") {
                l.replace("Sales Manager", "Team Lead")
            } else {
                l.clone()
            }
        })
        .collect();
    let refused_file = dir.join("refused.csv");
    std::fs::write(&refused_file, refused.join("\r\n") + "\r\n").unwrap();
    let out = roster(
        &url,
        &["csv", "diff", refused_file.to_str().unwrap(), "--org", &org],
    );
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(
        said(&out).contains("this license is used"),
        "{}",
        said(&out)
    );
    let out = roster(
        &url,
        &[
            "csv",
            "apply",
            refused_file.to_str().unwrap(),
            "--org",
            &org,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("nothing was changed"), "{}", said(&out));
    let title: String =
        sqlx::query_scalar("SELECT job_title FROM members WHERE email = 'm3@acme.example'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(title, "Sales Manager");

    // Undo: the fields restored, the deactivated member back; a second undo is refused.
    let change_id: i64 =
        sqlx::query_scalar("SELECT id FROM roster_changes ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    let org_id: i64 = org.parse().unwrap();
    let actor = app::domain::Access::operator(org_id, "Acme", "test");
    let config = common::runtime_config("https://roster.example", false);
    // Another organization's administrator can neither undo it nor read its record.
    let other: i64 = sqlx::query_scalar(
        "INSERT INTO organizations (name, enable_seats, opportunity_seats) VALUES ('Other', 1, 1) RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let stranger = app::domain::Access::operator(other, "Other", "test");
    let refused = app::server::roster::undo(&pool, &config, &stranger, change_id)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("not in your organization"),
        "{refused}"
    );
    let undone = app::server::roster::undo(&pool, &config, &actor, change_id)
        .await
        .unwrap();
    assert_eq!((undone.restored, undone.reactivated), (2, 1), "{undone:?}");
    let (title, team, status): (String, String, String) = sqlx::query_as(
        "SELECT m.job_title, t.name, m.status FROM members m JOIN teams t ON t.id = m.team_id WHERE m.email = 'm3@acme.example'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (title.as_str(), team.as_str(), status.as_str()),
        ("Account Executive", "Iberia", "active")
    );
    let status: String =
        sqlx::query_scalar("SELECT status FROM members WHERE email = 'm4@acme.example'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "active");
    let again = app::server::roster::undo(&pool, &config, &actor, change_id).await;
    assert!(again.unwrap_err().to_string().contains("undone already"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two files applied at once, each giving the organization's one free Enable seat to a
/// different member: the organization's lock makes them take turns, the second is planned
/// on what the first left, so exactly one applies and the seats never exceed those bought.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn two_files_racing_for_the_last_seat(pool: PgPool) {
    let org = seed(&pool).await;
    // m1 and m2 hold Enable seats; one of the 10 bought stays free after this.
    sqlx::query("UPDATE organizations SET enable_seats = enable_seats_held + 1 WHERE id = $1")
        .bind(org)
        .execute(&pool)
        .await
        .unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let roster = app::server::roster::load(&mut conn, &common::operator(org), None)
        .await
        .unwrap();
    drop(conn);
    let file_for = |email: &str| {
        let member = roster.members.iter().find(|m| m.email == email).unwrap();
        let mut cells = app::import::roster::member_cells(member);
        cells[app::import::Column::MosEnable.index()] = "TRUE".into();
        roster_file(&format!("{email}.csv"), vec![cells.to_vec()])
    };
    let (a, b) = (file_for("m3@acme.example"), file_for("m4@acme.example"));
    let actor = app::domain::Access::operator(org, "Acme", "test");
    let config = common::runtime_config("https://roster.example", false);
    let (first, second) = tokio::join!(
        app::server::roster::apply(&pool, &config, &actor, &a, Reporter::quiet()),
        app::server::roster::apply(&pool, &config, &actor, &b, Reporter::quiet())
    );
    let applied = [&first, &second].iter().filter(|r| r.is_ok()).count();
    assert_eq!(applied, 1, "{first:?} {second:?}");
    let refused = if first.is_err() { first } else { second };
    assert!(refused
        .unwrap_err()
        .to_string()
        .contains("No free Enable seat"));
    let (held, bought): (i32, i32) =
        sqlx::query_as("SELECT enable_seats_held, enable_seats FROM organizations WHERE id = $1")
            .bind(org)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(held, bought);
}

/// The progress bar's row: written outside the apply's transaction, so it shows while the
/// apply waits (here for a lock this test holds) and works; read only by the organization
/// that started it; gone when the apply ends.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_apply_reports_its_progress_outside_its_transaction(pool: PgPool) {
    use app::server::roster::progress;
    let org = seed(&pool).await;
    let (file, members) = every_title_changed(&pool, org).await;
    // Another change holds the organization's lock: a key is still given at once, and the
    // apply reports, then waits.
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE")
        .bind(org)
        .execute(&mut *holder)
        .await
        .unwrap();
    let key = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        progress::start(&pool, &common::operator(org)),
    )
    .await
    .expect("a progress key does not wait for the organization's lock")
    .unwrap();
    let actor = app::domain::Access::operator(org, "Acme", "test");
    let config = common::runtime_config("https://roster.example", false);
    let applying = {
        let (pool, file) = (pool.clone(), file.clone());
        tokio::spawn(async move {
            let reporter = progress::Reporter::to(&pool, org, key);
            app::server::roster::apply(&pool, &config, &actor, &file, reporter).await
        })
    };
    let waiting = loop {
        let now = progress::read(&pool, &common::operator(org), key)
            .await
            .unwrap()
            .unwrap();
        if now.stage.starts_with("Waiting") {
            break now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(waiting.done, 0);
    assert_eq!(waiting.total as usize, file.rows.len() + 2);
    // Another organization's administrator cannot read it.
    assert_eq!(
        progress::read(&pool, &common::operator(org + 1), key)
            .await
            .unwrap(),
        None
    );
    holder.rollback().await.unwrap();
    let applied = applying.await.unwrap().unwrap();
    assert_eq!(applied.changed, members);
    assert_eq!(
        progress::read(&pool, &common::operator(org), key)
            .await
            .unwrap(),
        None
    );
}

/// A file whose rows are not in the members' order (here the reverse): every member keeps
/// their own seats, and the seats the file grants go to whom it names. (The fields are
/// written in the members' id order; the seats were once written from the same list
/// against the ids in the file's order, handing each member another's seats.)
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn seats_go_to_their_own_member_whatever_the_order_of_the_rows(pool: PgPool) {
    let org = seed(&pool).await;
    let mut conn = pool.acquire().await.unwrap();
    let roster = app::server::roster::load(&mut conn, &common::operator(org), None)
        .await
        .unwrap();
    drop(conn);
    let seats = || {
        sqlx::query_as::<_, (String, bool, bool)>(
            "SELECT email, enable_seat, opportunity_seat FROM members WHERE organization_id = $1 ORDER BY id",
        )
        .bind(org)
        .fetch_all(&pool)
    };
    let before = seats().await.unwrap();
    // Every title changed; m4 granted an Enable seat and m3 an Opportunity seat.
    let rows: Vec<Vec<String>> = roster
        .members
        .iter()
        .rev()
        .map(|m| {
            let mut cells = app::import::roster::member_cells(m);
            cells[app::import::Column::JobTitle.index()] = "Closer".into();
            match m.email.as_str() {
                "m4@acme.example" => cells[app::import::Column::MosEnable.index()] = "TRUE".into(),
                "m3@acme.example" => {
                    cells[app::import::Column::MosOpportunity.index()] = "TRUE".into()
                }
                _ => {}
            }
            cells.to_vec()
        })
        .collect();
    let actor = app::domain::Access::operator(org, "Acme", "test");
    let config = common::runtime_config("https://roster.example", false);
    let file = roster_file("reversed.csv", rows);
    let applied = app::server::roster::apply(&pool, &config, &actor, &file, Reporter::quiet())
        .await
        .unwrap();
    assert_eq!(applied.changed, roster.members.len());
    let after = seats().await.unwrap();
    let wanted: Vec<(String, bool, bool)> = before
        .into_iter()
        .map(|(email, enable, opportunity)| match email.as_str() {
            "m4@acme.example" => (email, true, opportunity),
            "m3@acme.example" => (email, enable, true),
            _ => (email, enable, opportunity),
        })
        .collect();
    assert_eq!(after, wanted);
}

/// A file whose every member's job title changed, and how many members that is.
async fn every_title_changed(pool: &PgPool, org: i64) -> (app::model::roster::RosterFile, usize) {
    every_title_set(pool, org, "Closer").await
}

/// A file giving every member the job title `title`, and how many members that is.
async fn every_title_set(
    pool: &PgPool,
    org: i64,
    title: &str,
) -> (app::model::roster::RosterFile, usize) {
    let mut conn = pool.acquire().await.unwrap();
    let roster = app::server::roster::load(&mut conn, &common::operator(org), None)
        .await
        .unwrap();
    let rows: Vec<_> = roster
        .members
        .iter()
        .map(|m| {
            let mut cells = app::import::roster::member_cells(m);
            cells[app::import::Column::JobTitle.index()] = title.into();
            cells.to_vec()
        })
        .collect();
    (roster_file("titles.csv", rows), roster.members.len())
}

/// Applies that never ended (a page closed while sending) go with the maintenance sweep
/// after a day, the parts sent under them too; a running one stays.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn abandoned_applies_are_swept_after_a_day(pool: PgPool) {
    use app::server::roster::progress::{read, stage_rows, start};
    let org = seed(&pool).await;
    let (file, _) = every_title_changed(&pool, org).await;
    let (old, running) = (
        start(&pool, &common::operator(org)).await.unwrap(),
        start(&pool, &common::operator(org)).await.unwrap(),
    );
    stage_rows(&pool, &common::operator(org), old, 0, &file.rows)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE roster_apply_progress SET updated_at = now() - interval '25 hours' WHERE key = $1",
    )
    .bind(old)
    .execute(&pool)
    .await
    .unwrap();
    server::maintenance::sweep(&pool).await.unwrap();
    assert_eq!(
        read(&pool, &common::operator(org), old).await.unwrap(),
        None
    );
    assert!(read(&pool, &common::operator(org), running)
        .await
        .unwrap()
        .is_some());
    let parts: i64 = sqlx::query_scalar("SELECT count(*) FROM roster_apply_rows")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(parts, 0);
}

/// An applied file's undo record stays while the file can be undone and goes with the
/// maintenance sweep once it cannot (applied more than `UNDO_HOURS` ago, or undone): the
/// change set itself stays listed, and its undo says why not.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn undo_records_go_once_the_file_cannot_be_undone(pool: PgPool) {
    let org = seed(&pool).await;
    let actor = app::domain::Access::operator(org, "Acme", "test");
    let config = common::runtime_config("https://roster.example", false);
    let (file, members) = every_title_changed(&pool, org).await;
    let applied = app::server::roster::apply(&pool, &config, &actor, &file, Reporter::quiet())
        .await
        .unwrap();
    let change_id = applied.change_id.unwrap();
    let records = |id: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT coalesce(json_array_length(undo_record), 0)::bigint FROM roster_changes WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(records(change_id).await, members as i64);
    // Within the undo's hours, the sweep keeps them.
    let swept = server::maintenance::sweep(&pool).await.unwrap();
    assert_eq!(swept.undo_records, 0);
    sqlx::query(
        "UPDATE roster_changes SET applied_at = now() - make_interval(hours => $2) - interval '1 minute' WHERE id = $1",
    )
    .bind(change_id)
    .bind(app::domain::rules::UNDO_HOURS)
    .execute(&pool)
    .await
    .unwrap();
    let swept = server::maintenance::sweep(&pool).await.unwrap();
    assert_eq!(swept.undo_records, 1, "one change set's record");
    assert_eq!(records(change_id).await, 0);
    let listed: i64 = sqlx::query_scalar("SELECT count(*) FROM roster_changes WHERE id = $1")
        .bind(change_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(listed, 1);
    let refused = app::server::roster::undo(&pool, &config, &actor, change_id)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("more than 24 hours ago"),
        "{refused}"
    );

    // A file undone already has nothing left to undo either.
    let (back, _) = every_title_set(&pool, org, "Opener").await;
    let second = app::server::roster::apply(&pool, &config, &actor, &back, Reporter::quiet())
        .await
        .unwrap()
        .change_id
        .unwrap();
    app::server::roster::undo(&pool, &config, &actor, second)
        .await
        .unwrap();
    let swept = server::maintenance::sweep(&pool).await.unwrap();
    assert_eq!(swept.undo_records, 1);
    assert_eq!(records(second).await, 0);
}

/// The page sends a file's rows in parts before the apply: only under a key of its own
/// organization, put together in the parts' order, refused whole when a part is missing,
/// and gone with the key when the apply ends.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_file_sent_in_parts_is_applied_whole(pool: PgPool) {
    use app::server::roster::progress::{stage_rows, staged_rows, start, Reporter};
    let org = seed(&pool).await;
    let (file, members) = every_title_changed(&pool, org).await;
    let other = common::create_organization(&pool, "Globex", "gus@globex.example", 1, 1)
        .await
        .organization_id;
    let key = start(&pool, &common::operator(org)).await.unwrap();
    let refused = stage_rows(&pool, &common::operator(other), key, 0, &file.rows).await;
    assert!(refused
        .unwrap_err()
        .to_string()
        .contains("apply the file again"));
    // Parts may arrive in any order.
    stage_rows(&pool, &common::operator(org), key, 1, &file.rows[2..])
        .await
        .unwrap();
    let missing = staged_rows(&pool, &common::operator(org), key, file.rows.len()).await;
    assert!(missing.unwrap_err().to_string().contains("arrived"));
    stage_rows(&pool, &common::operator(org), key, 0, &file.rows[..2])
        .await
        .unwrap();
    assert!(
        staged_rows(&pool, &common::operator(other), key, file.rows.len())
            .await
            .is_err()
    );
    let rows = staged_rows(&pool, &common::operator(org), key, file.rows.len())
        .await
        .unwrap();
    assert_eq!(rows, file.rows);

    let actor = app::domain::Access::operator(org, "Acme", "test");
    let config = common::runtime_config("https://roster.example", false);
    let sent = app::model::roster::RosterFile {
        rows,
        ..file.clone()
    };
    let reporter = Reporter::to(&pool, org, key);
    let applied = app::server::roster::apply(&pool, &config, &actor, &sent, reporter)
        .await
        .unwrap();
    assert_eq!(applied.changed, members);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM roster_apply_rows")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert!(
        stage_rows(&pool, &common::operator(org), key, 0, &file.rows)
            .await
            .is_err()
    );
}

/// The server functions of an apply over HTTP, as the page calls them: a member may not
/// start one; another organization's administrator can neither send rows under the key
/// nor read its progress; the administrator's parts, sent out of order, are applied whole.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_apply_over_http_is_the_administrators_own(pool: PgPool) {
    use app::api::roster::{ApplyRoster, RosterApplyProgress, SendRosterRows, StartRosterApply};
    use app::error::AppError;
    const PASSWORD: &str = "a long passphrase";
    let app = common::spawn_app(pool.clone()).await;
    let (acme, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    app.organization_with_admin("Globex", "gus@globex.example", PASSWORD)
        .await;
    app.member(acme, "max@acme.example", "member", Some(PASSWORD))
        .await;
    let (file, members) = every_title_changed(&pool, acme).await;

    let max = common::browser();
    app.sign_in(&max, "max@acme.example", PASSWORD)
        .await
        .unwrap();
    let refused = app.call::<StartRosterApply>(&max, &[]).await;
    assert_eq!(refused.unwrap_err(), AppError::Forbidden);

    let ada = common::browser();
    app.sign_in(&ada, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    let key = app.call::<StartRosterApply>(&ada, &[]).await.unwrap();
    let key = key.as_str().unwrap().to_owned();

    let gus = common::browser();
    app.sign_in(&gus, "gus@globex.example", PASSWORD)
        .await
        .unwrap();
    let part = |part: u32, rows: &[app::import::RowCells]| serde_json::json!({ "progress_key": key, "part": part, "rows": rows });
    let foreign = app
        .call_json::<SendRosterRows>(&gus, part(0, &file.rows))
        .await;
    assert!(matches!(foreign, Err(AppError::NotFound(_))), "{foreign:?}");
    let peek = app
        .call::<RosterApplyProgress>(&gus, &[("progress_key", &key)])
        .await
        .unwrap();
    assert_eq!(peek, serde_json::Value::Null);
    let own = app
        .call::<RosterApplyProgress>(&ada, &[("progress_key", &key)])
        .await
        .unwrap();
    assert_eq!(own["stage"], "Sending the file");

    app.call_json::<SendRosterRows>(&ada, part(1, &file.rows[1..]))
        .await
        .unwrap();
    app.call_json::<SendRosterRows>(&ada, part(0, &file.rows[..1]))
        .await
        .unwrap();
    let metadata = app::model::roster::RosterFile {
        rows: Vec::new(),
        ..file.clone()
    };
    let applied = app
        .call_json::<ApplyRoster>(
            &ada,
            serde_json::json!({
                "file": metadata, "progress_key": key, "sent_rows": file.rows.len()
            }),
        )
        .await
        .unwrap();
    assert_eq!(applied["changed"], members, "{applied}");
    let ended = app
        .call::<RosterApplyProgress>(&ada, &[("progress_key", &key)])
        .await
        .unwrap();
    assert_eq!(ended, serde_json::Value::Null);
}
