//! `roster csv check` and `roster csv import`, run as an operator runs them.

use crate::common;

use common::processes::roster;

use sqlx::PgPool;
use std::process::Command;

fn file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("roster-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn check_prints_every_problem_as_json_and_fails(pool: PgPool) {
    let url = common::database_url(&pool).await;
    let path = file(
        "bad.csv",
        b"user_id;first_name;last_name;email\r\nEXT00001;Ana;Lopez;ana@example.com\r\nEXT00001;;Li;ANA@example.com\r\n",
    );
    let out = roster(&url, &["csv", "check", path.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let found: Vec<(u64, &str)> = lines
        .iter()
        .map(|l| (l["row"].as_u64().unwrap(), l["column"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [(3, "first_name"), (3, "email"), (3, "user_id")]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("semicolons"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn import_invites_members_with_seats_programs_and_mail_once(pool: PgPool) {
    let url = common::database_url(&pool).await;
    let org = common::create_organization(&pool, "Acme", "ada@acme.example", 5, 5).await;
    // Windows-1252 bytes, as Excel on Windows saves: "Zoë" and "Müller".
    let mut bytes = b"user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments\r\n".to_vec();
    bytes.extend_from_slice(b"EXT00001,Zo\xEB,M\xFCller,zoe@acme.example,AE,TRUE,TRUE,\"meddpicc-masterclass,value-pyramid-program\"\r\n");
    bytes.extend_from_slice(b"EXT00002,Bo,Li,bo@acme.example,,FALSE,,\r\n");
    bytes.extend_from_slice(b"EXT00003,Cy,Li,not-an-email,,FALSE,,\r\n");
    let path = file("members.csv", &bytes);

    let out = roster(
        &url,
        &["csv", "check", path.to_str().unwrap(), "--org", "Acme"],
    );
    assert_eq!(out.status.code(), Some(1), "row 4 has a problem");
    let out = roster(
        &url,
        &[
            "csv",
            "import",
            path.to_str().unwrap(),
            "--org",
            &org.organization_id.to_string(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Imported 2 members"), "{stdout}");
    assert!(stdout.contains("Row 4, email"), "{stdout}");

    let (first, last, enable, opportunity, status): (String, String, bool, bool, String) = sqlx::query_as(
        "SELECT first_name, last_name, enable_seat, opportunity_seat, status FROM members WHERE external_id = 'EXT00001'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (
            first.as_str(),
            last.as_str(),
            enable,
            opportunity,
            status.as_str()
        ),
        ("Zoë", "Müller", true, true, "invited")
    );
    let programs: Vec<String> = sqlx::query_scalar(
        "SELECT p.slug FROM enrollments e JOIN programs p ON p.id = e.program_id JOIN members m ON m.id = e.member_id
          WHERE m.external_id = 'EXT00001' ORDER BY p.position",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(programs, ["meddpicc-masterclass", "value-pyramid-program"]);
    let mails: i64 = sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE kind = 'invitation' AND to_address <> 'ada@acme.example'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mails, 2);

    // The same file again imports nothing, and says so.
    let out = roster(
        &url,
        &["csv", "import", path.to_str().unwrap(), "--org", "Acme"],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already imported"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let members: i64 = sqlx::query_scalar("SELECT count(*) FROM members")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(members, 3);
}

/// The fixtures LibreOffice wrote (fixtures/spreadsheets/make.sh).
fn fixture(name: &str) -> String {
    format!(
        "{}/../fixtures/spreadsheets/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// `roster csv check` reads workbooks and UTF-16 text with the page's code, and needs no
/// database without `--org`; what is not a list is named, with exit status 1.
#[test]
fn check_reads_workbooks_without_a_database() {
    let check = |name: &str| {
        Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["csv", "check", &fixture(name)])
            .env_remove("DATABASE_URL")
            .output()
            .unwrap()
    };
    for name in [
        "template.xlsx",
        "template.ods",
        "template.xls",
        "template.utf16.txt",
        "template.cp1252.csv",
        "template.semicolon.csv",
    ] {
        let output = check(name);
        let said = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{name}: {said}");
        assert!(
            said.contains("4 rows checked: 4 without problems"),
            "{name}: {said}"
        );
    }
    let xlsx = check("template.xlsx");
    assert!(String::from_utf8_lossy(&xlsx.stderr).contains("Excel workbook (.xlsx)"));
    // HR's own column names are matched, and said.
    for name in [
        "hr-export.xlsx",
        "hr-export.ods",
        "hr-export.xls",
        "hr-export.utf16.txt",
    ] {
        let output = check(name);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{name}: {stderr}");
        assert!(
            stderr.contains("The column “E-mail Address” is read as email."),
            "{name}: {stderr}"
        );
        assert!(stderr.contains("4 without problems"), "{name}: {stderr}");
    }

    for (name, named) in [("protected.xlsx", "password"), ("template.pdf", "PDF")] {
        let output = check(name);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(named), "{name}: {stderr}");
    }
}
