//! Inviting members, their email, deactivation and permissions, over HTTP against the
//! real server, with mail delivered to an in-process SMTP server.

use crate::common;

use app::api::invite::InviteMembers;
use app::api::members::{
    DeactivateMember, ReactivateMember, ResendInvitation, SetMemberPermission,
};
use app::error::AppError;
use common::smtp::SmtpServer;
use common::{browser, spawn_app, spawn_app_with_smtp};
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;

const PASSWORD: &str = "a long passphrase";

fn invitee(email: &str, enable: bool) -> serde_json::Value {
    json!({ "first_name": "Zoë", "last_name": "O'Brien", "email": email, "job_title": "AE",
            "permission": "member", "enable_seat": enable, "opportunity_seat": false })
}

async fn wait_for<F: Fn() -> bool>(what: &str, done: F) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn outbox_statuses(pool: &PgPool) -> Vec<(String, i32)> {
    sqlx::query_as("SELECT status, attempts FROM email_outbox ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_invitation_email_is_delivered_with_the_right_content(pool: PgPool) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with_smtp(pool.clone(), Some(smtp.url())).await;
    app.organization_with_admin("A&B Sales", "ada@acme.example", PASSWORD)
        .await;
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    let invited = app
        .call_json::<InviteMembers>(
            &admin,
            json!({ "members": [invitee("zoe@acme.example", true)] }),
        )
        .await
        .unwrap();
    assert_eq!(invited, json!(1));
    let inbox = smtp.inbox.clone();
    wait_for("the invitation email", || !inbox.messages().is_empty()).await;
    let mail = &smtp.inbox.messages()[0];
    assert_eq!(mail.to, ["zoe@acme.example"]);
    let data = mail.data.replace("=\n", "");
    assert!(data.contains("multipart/alternative"), "{data}");
    assert!(
        data.contains("text/plain") && data.contains("text/html"),
        "{data}"
    );
    assert!(data.contains("Ada Admin"), "the inviter is named: {data}");
    assert!(data.contains("/invite/"), "the link is there: {data}");
    // The link in the email opens the invitation.
    let link = data
        .split_whitespace()
        .find(|w| w.starts_with(&app.base) && w.contains("/invite/"))
        .unwrap();
    let page = browser()
        .get(link.trim_end_matches(['"', '>']))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Welcome to") && page.contains("A&amp;B Sales"),
        "{page}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(outbox_statuses(&pool).await, [("sent".to_owned(), 1)]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn with_the_mail_server_down_invitations_wait_and_go_out_when_it_is_back(pool: PgPool) {
    // Reserve a port, then close it: nothing listens there yet.
    let down = SmtpServer::start().await;
    let port = down.port;
    down.stop();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let app = spawn_app_with_smtp(pool.clone(), Some(format!("smtp://127.0.0.1:{port}"))).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    app.call_json::<InviteMembers>(
        &admin,
        json!({ "members": [invitee("a@acme.example", false), invitee("b@acme.example", false)] }),
    )
    .await
    .unwrap();
    // Failed attempts are counted and the messages stay queued.
    for _ in 0..100 {
        if outbox_statuses(&pool)
            .await
            .iter()
            .all(|(_, attempts)| *attempts >= 2)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let statuses = outbox_statuses(&pool).await;
    assert!(
        statuses.iter().all(|(s, a)| s == "pending" && *a >= 2),
        "{statuses:?}"
    );
    let error: Option<String> = sqlx::query_scalar("SELECT last_error FROM email_outbox LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(error.is_some());

    // The mail server comes back on the same port: both are delivered, once each.
    sqlx::query("UPDATE email_outbox SET next_attempt_at = now()")
        .execute(&pool)
        .await
        .unwrap();
    let back = SmtpServer::start_on(port).await;
    let inbox = back.inbox.clone();
    wait_for("both emails", || inbox.messages().len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(back.inbox.messages().len(), 2);
    assert!(outbox_statuses(&pool)
        .await
        .iter()
        .all(|(s, _)| s == "sent"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn two_instances_deliver_200_invitations_exactly_once(pool: PgPool) {
    let smtp = SmtpServer::start().await;
    let app = spawn_app(pool.clone()).await;
    let (org, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    sqlx::query(
        "INSERT INTO email_outbox (organization_id, kind, to_address, subject, body_text, body_html)
         SELECT $1, 'invitation', 'person' || n || '@acme.example', 'Invitation ' || n, 'text', '<p>html</p>'
           FROM generate_series(1, 200) n",
    )
    .bind(org)
    .execute(&pool)
    .await
    .unwrap();
    // Two more server instances with mail workers, on the same database.
    let _one = spawn_app_with_smtp(pool.clone(), Some(smtp.url())).await;
    let _two = spawn_app_with_smtp(pool.clone(), Some(smtp.url())).await;
    let inbox = smtp.inbox.clone();
    wait_for("200 emails", || inbox.messages().len() >= 200).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut recipients: Vec<String> = smtp
        .inbox
        .messages()
        .into_iter()
        .flat_map(|m| m.to)
        .collect();
    assert_eq!(recipients.len(), 200, "each message exactly once");
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 200);
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE status = 'sent'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sent, 200);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn without_smtp_messages_are_kept_for_the_mailbox(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    app.call_json::<InviteMembers>(
        &admin,
        json!({ "members": [invitee("zoe@acme.example", false)] }),
    )
    .await
    .unwrap();
    assert_eq!(outbox_statuses(&pool).await, [("kept".to_owned(), 0)]);
    let page = admin
        .get(app.url("/organization/mailbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("invited you to Acme on Roster"), "{page}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn twenty_simultaneous_invitations_for_five_free_seats(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await; // 10 Enable seats
    sqlx::query("UPDATE organizations SET enable_seats = 5 WHERE id = $1")
        .bind(org)
        .execute(&pool)
        .await
        .unwrap();
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let (app, admin) = (app.clone(), admin.clone());
            tokio::spawn(async move {
                app.call_json::<InviteMembers>(
                    &admin,
                    json!({ "members": [invitee(&format!("p{n}@acme.example"), true)] }),
                )
                .await
            })
        })
        .collect();
    let mut granted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => granted += 1,
            Err(error) => assert_eq!(
                error,
                AppError::invalid("No free Enable seat: all are in use. Free one or buy more.")
            ),
        }
    }
    assert_eq!(granted, 5);
    let (held, members): (i32, i64) = sqlx::query_as(
        "SELECT o.enable_seats_held, (SELECT count(*) FROM members WHERE organization_id = o.id AND enable_seat) FROM organizations o WHERE id = $1",
    )
    .bind(org)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((held, members), (5, 5));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_invitations_are_refused_whole_and_change_nothing(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    let long = "x".repeat(101);
    let batch = json!({ "members": [
        invitee("good@acme.example", false),
        invitee("not-an-email", false),
        invitee("ADA@acme.example", false),
        { "first_name": long, "last_name": "L", "email": "long@acme.example", "job_title": "", "permission": "owner", "enable_seat": false, "opportunity_seat": false },
        invitee("GOOD@acme.example", false),
    ]});
    let AppError::Problems(problems) = app
        .call_json::<InviteMembers>(&admin, batch)
        .await
        .unwrap_err()
    else {
        panic!("expected problems per member")
    };
    let found: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.item, p.field.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (1, "email"),
            (3, "first_name"),
            (3, "permission"),
            (4, "email")
        ]
    );
    // The existing address is caught by the server once the batch is otherwise clean.
    let AppError::Problems(problems) = app
        .call_json::<InviteMembers>(
            &admin,
            json!({ "members": [invitee("ada@ACME.example", false)] }),
        )
        .await
        .unwrap_err()
    else {
        panic!()
    };
    assert!(problems[0].message.contains("already in your organization"));
    let members: i64 =
        sqlx::query_scalar("SELECT count(*) FROM members WHERE organization_id = $1")
            .bind(org)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(members, 1);
    // Members cannot invite at all.
    app.member(org, "max@acme.example", "member", Some(PASSWORD))
        .await;
    let max = browser();
    app.sign_in(&max, "max@acme.example", PASSWORD)
        .await
        .unwrap();
    let error = app
        .call_json::<InviteMembers>(
            &max,
            json!({ "members": [invitee("x@acme.example", false)] }),
        )
        .await
        .unwrap_err();
    assert_eq!(error, AppError::Forbidden);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn deactivation_ends_sessions_and_follows_the_seat_rules(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, admin_id) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let used = app
        .member(org, "used@acme.example", "member", Some(PASSWORD))
        .await;
    let fresh = app
        .member(org, "fresh@acme.example", "member", Some(PASSWORD))
        .await;
    for (id, bp) in [(used, 1000), (fresh, 999)] {
        sqlx::query("UPDATE members SET enable_seat = true, opportunity_seat = true WHERE id = $1")
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO enrollments (member_id, program_id, progress_basis_points) VALUES ($1, 1, $2)")
            .bind(id)
            .bind(bp)
            .execute(&pool)
            .await
            .unwrap();
    }
    let session = browser();
    app.sign_in(&session, "used@acme.example", PASSWORD)
        .await
        .unwrap();
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();

    let said = app
        .call::<DeactivateMember>(&admin, &[("member_id", &used.to_string())])
        .await
        .unwrap();
    assert!(
        said.as_str()
            .unwrap()
            .contains("stays counted because the license is used"),
        "{said}"
    );
    let said = app
        .call::<DeactivateMember>(&admin, &[("member_id", &fresh.to_string())])
        .await
        .unwrap();
    assert!(
        said.as_str()
            .unwrap()
            .contains("Enable seat returns to the pool"),
        "{said}"
    );
    let held: (i32, i32) = sqlx::query_as(
        "SELECT enable_seats_held, opportunity_seats_held FROM organizations WHERE id = $1",
    )
    .bind(org)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        held,
        (1, 0),
        "the used license stays; everything else returns"
    );
    // The open session is rejected on its next request.
    let page = session
        .get(app.url("/my-programs"))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::FOUND);

    // Reactivation asks for the seats again.
    sqlx::query("UPDATE organizations SET opportunity_seats = 0 WHERE id = $1")
        .bind(org)
        .execute(&pool)
        .await
        .unwrap();
    let error = app
        .call::<ReactivateMember>(&admin, &[("member_id", &fresh.to_string())])
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("needs the Opportunity seat"),
        "{error}"
    );
    sqlx::query("UPDATE organizations SET opportunity_seats = 5 WHERE id = $1")
        .bind(org)
        .execute(&pool)
        .await
        .unwrap();
    app.call::<ReactivateMember>(&admin, &[("member_id", &fresh.to_string())])
        .await
        .unwrap();
    let (status, enable, opportunity): (String, bool, bool) =
        sqlx::query_as("SELECT status, enable_seat, opportunity_seat FROM members WHERE id = $1")
            .bind(fresh)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), enable, opportunity),
        ("active", true, true)
    );

    // The last active administrator can be neither deactivated nor demoted.
    let error = app
        .call::<DeactivateMember>(&admin, &[("member_id", &admin_id.to_string())])
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("last active administrator"),
        "{error}"
    );
    let error = app
        .call::<SetMemberPermission>(
            &admin,
            &[
                ("member_id", &admin_id.to_string()),
                ("permission", "member"),
            ],
        )
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("last active administrator"),
        "{error}"
    );
    app.call::<SetMemberPermission>(
        &admin,
        &[("member_id", &fresh.to_string()), ("permission", "admin")],
    )
    .await
    .unwrap();
    app.call::<SetMemberPermission>(
        &admin,
        &[
            ("member_id", &admin_id.to_string()),
            ("permission", "member"),
        ],
    )
    .await
    .unwrap();
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE organization_id = $1 ORDER BY id")
            .bind(org)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        actions,
        [
            "organization.created",
            "invitation.accepted",
            "member.deactivated",
            "member.deactivated",
            "member.reactivated",
            "member.permission_changed",
            "member.permission_changed"
        ]
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn two_admins_demoting_each_other_at_once_leave_one(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, ada) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let bob = app
        .member(org, "bob@acme.example", "admin", Some(PASSWORD))
        .await;
    let (a, b) = (browser(), browser());
    app.sign_in(&a, "ada@acme.example", PASSWORD).await.unwrap();
    app.sign_in(&b, "bob@acme.example", PASSWORD).await.unwrap();
    let bob_s = bob.to_string();
    let ada_s = ada.to_string();
    let (form_a, form_b) = (
        [("member_id", bob_s.as_str())],
        [("member_id", ada_s.as_str())],
    );
    let (r1, r2) = tokio::join!(
        app.call::<DeactivateMember>(&a, &form_a),
        app.call::<DeactivateMember>(&b, &form_b),
    );
    let admins: i64 = sqlx::query_scalar("SELECT count(*) FROM members WHERE organization_id = $1 AND status = 'active' AND permission = 'admin'")
        .bind(org)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(admins, 1, "{r1:?} {r2:?}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn resend_replaces_the_link_and_revoke_returns_the_seats(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    app.call_json::<InviteMembers>(
        &admin,
        json!({ "members": [invitee("zoe@acme.example", true)] }),
    )
    .await
    .unwrap();
    let (id, first): (i64, Vec<u8>) = sqlx::query_as("SELECT m.id, i.token_hash FROM members m JOIN invitations i ON i.member_id = m.id WHERE m.email = 'zoe@acme.example'")
        .fetch_one(&pool)
        .await
        .unwrap();
    app.call::<ResendInvitation>(&admin, &[("member_id", &id.to_string())])
        .await
        .unwrap();
    let second: Vec<u8> =
        sqlx::query_scalar("SELECT token_hash FROM invitations WHERE member_id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_ne!(first, second, "a new token; the old link stops working");
    let mails: i64 = sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE member_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mails, 2);

    app.call::<DeactivateMember>(&admin, &[("member_id", &id.to_string())])
        .await
        .unwrap();
    let (status, held): (String, i32) = sqlx::query_as(
        "SELECT m.status, o.enable_seats_held FROM members m JOIN organizations o ON o.id = m.organization_id WHERE m.id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((status.as_str(), held), ("deactivated", 0));
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM invitations WHERE member_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(links, 0, "the revoked link is gone");
    let _ = org;
}
