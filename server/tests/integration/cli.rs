//! The command line, run as the operator runs it.

use crate::common;

use common::processes::roster;

use sqlx::PgPool;
use std::process::Command;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn org_create_prints_a_one_time_invitation_link(pool: PgPool) {
    let url = common::database_url(&pool).await;
    let out = roster(
        &url,
        &[
            "org",
            "create",
            "--name",
            "Acme",
            "--enable-seats",
            "10",
            "--opportunity-seats",
            "3",
            "--admin-email",
            "ada@acme.example",
            "--admin-first-name",
            "Ada",
            "--admin-last-name",
            "Lovelace",
            "--admin-enable-seat",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("https://roster.example/invite/"),
        "{stdout}"
    );
    let (seats, held): (i32, i32) =
        sqlx::query_as("SELECT enable_seats, enable_seats_held FROM organizations")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((seats, held), (10, 1));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_arguments_get_a_clear_error_and_a_non_zero_exit(pool: PgPool) {
    let url = common::database_url(&pool).await;
    let base = [
        "org",
        "create",
        "--name",
        "Acme",
        "--enable-seats",
        "1",
        "--admin-first-name",
        "Ada",
        "--admin-last-name",
        "L",
    ];
    let out = roster(
        &url,
        &[&base[..], &["--admin-email", "not-an-address"]].concat(),
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--admin-email") && stderr.contains("not a valid email address"),
        "{stderr}"
    );

    let out = roster(&url, &["org", "create", "--name", "Acme"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--enable-seats"));

    let out = roster(
        &url,
        &[
            "org",
            "create",
            "--name",
            "Acme",
            "--enable-seats",
            "-4",
            "--admin-email",
            "a@b.co",
            "--admin-first-name",
            "A",
            "--admin-last-name",
            "B",
        ],
    );
    assert!(!out.status.success());

    let organizations: i64 = sqlx::query_scalar("SELECT count(*) FROM organizations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(organizations, 0, "bad input must change nothing");
}

#[test]
fn help_explains_each_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "migrate", "org"] {
        assert!(help.contains(command), "{help}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["org", "create", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("invitation link"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn org_set_seats_is_the_vendors_way_and_never_goes_below_held(pool: PgPool) {
    let url = common::database_url(&pool).await;
    let created = common::create_organization(&pool, "Acme", "ada@acme.example", 5, 2).await;
    let id = created.organization_id.to_string();
    sqlx::query("UPDATE members SET enable_seat = true WHERE id = $1")
        .bind(created.admin_member_id)
        .execute(&pool)
        .await
        .unwrap();

    let out = roster(&url, &["org", "set-seats", "Acme", "--enable", "12"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("12 Enable seats (1 held)"), "{stdout}");
    let seats: (i32, i32) =
        sqlx::query_as("SELECT enable_seats, opportunity_seats FROM organizations")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(seats, (12, 2));
    let actor: String = sqlx::query_scalar(
        "SELECT actor_label FROM audit_log WHERE action = 'seats.bought_changed'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(actor.contains("vendor"), "{actor}");

    for (args, expected) in [
        (
            vec!["org", "set-seats", id.as_str(), "--enable", "0"],
            "so you cannot go below 1",
        ),
        (vec!["org", "set-seats", id.as_str()], "--enable N"),
        (
            vec!["org", "set-seats", "Nobody", "--enable", "3"],
            "no organization",
        ),
        (
            vec!["org", "set-seats", id.as_str(), "--enable", "-3"],
            "-3",
        ),
    ] {
        let out = roster(&url, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let seats: (i32, i32) =
        sqlx::query_as("SELECT enable_seats, opportunity_seats FROM organizations")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(seats, (12, 2));
}
