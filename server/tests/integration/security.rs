//! Security round two (issue 19): each attack of the hostile re-run, replayed. The item
//! numbers are the issue's.

use crate::common;

use app::domain::Access;
use app::domain::Permission;
use app::error::AppError;
use app::import::Column;
use app::server::auth::sign_in;
use app::server::throttle;
use common::{browser, browser_from, roster_changing, roster_file, runtime_config, spawn_app};
use serde_json::json;
use sqlx::PgPool;

const PASSWORD: &str = "a long passphrase";

/// What a signed-in member of `org` with `permission` reaches (as their session makes it).
fn viewer(org: i64, member_id: i64, email: &str, permission: Permission) -> Access {
    Access {
        who: app::domain::Who::Member { member_id },
        role: permission,
        enable_seat: false,
        label: email.into(),
        name: "Test Member".into(),
        ..Access::operator(org, "Acme", email)
    }
}

/// The link of the newest mail to `to` kept for the development mailbox.
async fn kept_link(pool: &PgPool, to: &str) -> String {
    let payload: serde_json::Value = sqlx::query_scalar(
        "SELECT payload FROM email_outbox WHERE to_address = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(to)
    .fetch_one(pool)
    .await
    .unwrap();
    payload["link"].as_str().unwrap().to_owned()
}

fn token_of(link: &str) -> &str {
    link.rsplit('/').next().unwrap()
}

// 1. A limit per account whatever the address, /64s, and no starving.

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn guesses_from_many_addresses_lock_the_account_until_a_reset(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    // One guess from each of 30 addresses: the pair limit never trips, the account's does.
    let mut evaluated = 0;
    let mut refusal = String::new();
    for i in 0..30 {
        match sign_in(
            &pool,
            "ada@acme.example",
            "guess",
            &format!("198.51.100.{i}"),
        )
        .await
        {
            Err(e) if e.to_string().contains("not right") => evaluated += 1,
            Err(e) => refusal = e.to_string(),
            Ok(_) => panic!("a guess signed in"),
        }
    }
    assert_eq!(evaluated, throttle::ACCOUNT_LIMIT);
    assert!(refusal.contains("Forgot password?"), "{refusal}");
    // The right password from yet another address is refused too: the account is locked.
    let locked = sign_in(&pool, "ada@acme.example", PASSWORD, "192.0.2.77").await;
    assert!(
        matches!(locked, Err(AppError::TooManyRequests(_))),
        "{locked:?}"
    );
    // Its owner gets past with a reset link.
    let config = runtime_config(&app.base, false);
    app::server::passwords::request_reset(&pool, &config, "ada@acme.example", "192.0.2.77")
        .await
        .unwrap();
    let link = kept_link(&pool, "ada@acme.example").await;
    let new = app::domain::NewPassword::parse("a brand new passphrase", "a brand new passphrase")
        .unwrap();
    app::server::passwords::reset(&pool, token_of(&link), &new, "192.0.2.77")
        .await
        .unwrap();
    sign_in(
        &pool,
        "ada@acme.example",
        "a brand new passphrase",
        "192.0.2.77",
    )
    .await
    .unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_burst_on_many_accounts_from_one_address_stays_within_its_limit(pool: PgPool) {
    // 200 attempts at once, each on another account, from one address (as several
    // instances would admit them: the database's part, without this instance's gate).
    let attempts = (0..200).map(|i| {
        let pool = pool.clone();
        tokio::spawn(async move {
            throttle::record_attempt(&pool, &format!("nobody{i}@acme.example"), "203.0.113.5").await
        })
    });
    let mut admitted = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        if attempt.await.unwrap().is_ok() {
            admitted += 1;
        }
    }
    assert_eq!(admitted, throttle::ADDRESS_LIMIT);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_address_flooding_does_not_hold_up_anyone_else(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    // An address with as many sign-ins being checked as it may have (a flood in progress).
    let flood: Vec<_> = (0..throttle::IN_FLIGHT_PER_ADDRESS)
        .map(|_| throttle::take_turn("2001:db8:1:2::/64").unwrap())
        .collect();
    let more = sign_in(&pool, "ada@acme.example", PASSWORD, "2001:db8:1:2::/64").await;
    let Err(AppError::TooManyRequests(message)) = more else {
        panic!("{more:?}")
    };
    assert!(message.contains("at once"), "{message}");
    // Nothing of it was counted or checked.
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM sign_in_failures")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(counted, 0);
    // Everyone else signs in as usual, and the address does again once its flood ends.
    sign_in(&pool, "ada@acme.example", PASSWORD, "192.0.2.8")
        .await
        .unwrap();
    drop(flood);
    sign_in(&pool, "ada@acme.example", PASSWORD, "2001:db8:1:2::/64")
        .await
        .unwrap();
}

#[test]
fn ipv6_clients_are_one_client_per_64() {
    use app::server::session::throttle_key;
    let a = throttle_key("2001:db8:7:7:1::1".parse().unwrap());
    let b = throttle_key("2001:db8:7:7:ffff::2".parse().unwrap());
    assert_eq!(a, b);
    assert_eq!(a, "2001:db8:7:7::/64");
}

// 2. Undo keeps the last active administrator; so does the database.

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn undo_never_leaves_an_organization_without_an_active_administrator(pool: PgPool) {
    use app::server::roster::{apply, progress::Reporter, undo};
    let app = spawn_app(pool.clone()).await;
    let (org, ada) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let max = app
        .member(org, "max@acme.example", "member", Some(PASSWORD))
        .await;
    let config = runtime_config(&app.base, false);
    let operator = Access::operator(org, "Acme", "test");
    // A file makes Max an administrator.
    let file = roster_changing(&pool, org, "admins.csv", max, Column::Permission, "admin").await;
    let applied = apply(&pool, &config, &operator, &file, Reporter::quiet())
        .await
        .unwrap();
    // Max demotes Ada, the original administrator.
    let max_viewer = viewer(org, max, "max@acme.example", Permission::Admin);
    app::server::roster::set_permission(&pool, &max_viewer, ada, Permission::Member)
        .await
        .unwrap();
    // Undoing the file would demote Max, the last active administrator: refused whole.
    let undone = undo(&pool, &config, &operator, applied.change_id.unwrap()).await;
    let Err(AppError::Conflict(message)) = undone else {
        panic!("{undone:?}")
    };
    assert!(message.contains("last active administrator"), "{message}");
    let admins: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM members WHERE organization_id = $1 AND permission = 'admin' AND status = 'active'",
    )
    .bind(org)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(admins, 1);

    // The database refuses it whatever path tries: a demotion, a deactivation, a delete.
    for statement in [
        "UPDATE members SET permission = 'member' WHERE id = $1",
        "UPDATE members SET status = 'deactivated' WHERE id = $1",
        "DELETE FROM members WHERE id = $1",
    ] {
        let refused = sqlx::query(statement).bind(max).execute(&pool).await;
        let error = refused.unwrap_err();
        assert_eq!(
            error.as_database_error().unwrap().constraint(),
            Some("organization_keeps_an_active_admin"),
            "{statement}"
        );
        assert!(AppError::from(error)
            .to_string()
            .contains("without an active administrator"));
    }
    // Handing over in one transaction, in either order, is fine; an organization being
    // deleted takes its members along.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("UPDATE members SET permission = 'member' WHERE id = $1")
        .bind(max)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE members SET permission = 'admin' WHERE id = $1")
        .bind(ada)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("DELETE FROM organizations WHERE id = $1")
        .bind(org)
        .execute(&pool)
        .await
        .unwrap();
}

// 3. What one administrator can make the server keep.

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn apply_keys_parts_and_bytes_are_bounded_and_swept(pool: PgPool) {
    use app::server::roster::progress::{
        read, stage_rows, start, MAX_BYTES_PER_APPLY, MAX_OPEN_APPLIES, MAX_PARTS,
    };
    let acme = common::create_organization(&pool, "Acme", "ada@acme.example", 10, 5)
        .await
        .organization_id;
    let globex = common::create_organization(&pool, "Globex", "gus@globex.example", 10, 5)
        .await
        .organization_id;
    let row = app::import::RowCells::new(1, ["", "A", "B", "a@acme.example", "", "", "", ""]);
    let rows = vec![row];

    // Keys: at most MAX_OPEN_APPLIES open at once per organization.
    let mut keys = Vec::new();
    for _ in 0..MAX_OPEN_APPLIES {
        keys.push(start(&pool, &common::operator(acme)).await.unwrap());
    }
    let refused = start(&pool, &common::operator(acme)).await;
    assert!(
        matches!(refused, Err(AppError::TooManyRequests(_))),
        "{refused:?}"
    );
    start(&pool, &common::operator(globex)).await.unwrap();
    let key = keys[0];

    // Parts: numbered below MAX_PARTS (4294967295 is a clear refusal, not a fault).
    stage_rows(&pool, &common::operator(acme), key, MAX_PARTS - 1, &rows)
        .await
        .unwrap();
    for part in [MAX_PARTS, u32::MAX] {
        let refused = stage_rows(&pool, &common::operator(acme), key, part, &rows).await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    }
    // Bytes: a part that would take the key past MAX_BYTES_PER_APPLY is refused.
    // (The part sent above is made to weigh nearly the whole allowance.)
    sqlx::query("UPDATE roster_apply_rows SET bytes = $2 WHERE key = $1")
        .bind(key)
        .bind((MAX_BYTES_PER_APPLY - 10) as i32)
        .execute(&pool)
        .await
        .unwrap();
    let refused = stage_rows(&pool, &common::operator(acme), key, 0, &rows).await;
    assert!(matches!(refused, Err(AppError::TooLarge(_))), "{refused:?}");
    // Sent again, a part replaces itself and is counted once.
    let other = keys[1];
    stage_rows(&pool, &common::operator(acme), other, 0, &rows)
        .await
        .unwrap();
    stage_rows(&pool, &common::operator(acme), other, 0, &rows)
        .await
        .unwrap();
    let (parts, stored): (i64, i64) =
        sqlx::query_as("SELECT count(*), sum(bytes)::bigint FROM roster_apply_rows WHERE key = $1")
            .bind(other)
            .fetch_one(&pool)
            .await
            .unwrap();
    let one_part = serde_json::to_string(&rows).unwrap().len() as i64;
    assert_eq!((parts, stored), (1, one_part));

    // Another organization's apply, sent its key, ends nothing of it.
    let globex_actor = Access::operator(globex, "Globex", "test");
    let config = runtime_config("http://127.0.0.1:3000", false);
    let foreign = app::server::roster::apply_sent(
        &pool,
        &config,
        &globex_actor,
        roster_file("x.csv", Vec::new()),
        other,
        1,
    )
    .await;
    assert!(foreign.is_err());
    assert!(read(&pool, &common::operator(acme), other)
        .await
        .unwrap()
        .is_some());

    // An apply silent for half an hour is swept, with its parts; a fresh one stays.
    sqlx::query(
        "UPDATE roster_apply_progress SET updated_at = now() - interval '31 minutes' WHERE key = $1",
    )
    .bind(key)
    .execute(&pool)
    .await
    .unwrap();
    let swept = server::maintenance::sweep(&pool).await.unwrap();
    assert_eq!(swept.applies, 1);
    assert_eq!(
        read(&pool, &common::operator(acme), key).await.unwrap(),
        None
    );
    assert!(read(&pool, &common::operator(acme), other)
        .await
        .unwrap()
        .is_some());
    let parts: i64 = sqlx::query_scalar("SELECT count(*) FROM roster_apply_rows WHERE key = $1")
        .bind(key)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(parts, 0);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_file_name_is_kept_as_long_as_imports_allow(pool: PgPool) {
    use app::server::roster::{apply, progress::Reporter};
    let app = spawn_app(pool.clone()).await;
    let (org, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let max = app
        .member(org, "max@acme.example", "member", Some(PASSWORD))
        .await;
    let name = format!("{}\n.csv", "n".repeat(200_000));
    let file = roster_changing(&pool, org, &name, max, Column::JobTitle, "Closer").await;
    apply(
        &pool,
        &runtime_config(&app.base, false),
        &Access::operator(org, "Acme", "test"),
        &file,
        Reporter::quiet(),
    )
    .await
    .unwrap();
    let stored: String = sqlx::query_scalar("SELECT file_name FROM roster_changes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored.chars().count(), app::import::MAX_FILE_NAME_CHARS);
    let longest: i32 = sqlx::query_scalar(
        "SELECT max(length(details::text)) FROM audit_log WHERE organization_id = $1",
    )
    .bind(org)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(longest < 2_000, "{longest}");
}

// 4. After sign-in, only this site; on a page, only the server's words.

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sign_in_goes_only_to_a_path_of_this_site(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    for next in [
        "/\t/evil.example/phish",
        "/\n/evil.example",
        "/organization\r\nSet-Cookie: a=b",
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let client = browser();
        let answer = client
            .post(app.url(<app::api::auth::SignIn as leptos::server_fn::ServerFn>::PATH))
            .header("Accept", "text/html")
            .header("Referer", app.url("/sign-in"))
            .form(&[
                ("email", "ada@acme.example"),
                ("password", PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            answer.status().is_redirection(),
            "{next:?}: {}",
            answer.status()
        );
        let location = answer.headers()["location"].to_str().unwrap();
        assert_eq!(location, "/organization", "{next:?}");
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_page_shows_only_errors_the_server_made(pool: PgPool) {
    use base64::Engine;
    let app = spawn_app(pool.clone()).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    // A link's author writes an error of their own: sent back without it.
    let forged = base64::engine::general_purpose::URL_SAFE
        .encode(r#"{"Invalid":"Your account is suspended: call +1 555 0100"}"#);
    let client = browser();
    let answer = client
        .get(app.url(&format!("/sign-in?next=%2Forganization&__err={forged}")))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    assert_eq!(
        answer.headers()["location"].to_str().unwrap(),
        "/sign-in?next=%2Forganization"
    );
    // A wrong password posted without JavaScript: the server's own error is signed, shown.
    let posted = client
        .post(app.url(<app::api::auth::SignIn as leptos::server_fn::ServerFn>::PATH))
        .header("Accept", "text/html")
        .header("Referer", app.url("/sign-in"))
        .form(&[
            ("email", "ada@acme.example"),
            ("password", "wrong"),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    let location = posted.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("__sig="), "{location}");
    let page = client.get(&location).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("is not right"));
    // Its signature does not carry over to other words.
    let swapped = location.replace(
        location
            .split("__err=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap(),
        &forged,
    );
    let answer = client.get(&swapped).send().await.unwrap();
    assert_eq!(answer.status(), 303);
}

// 5. Failures count where a link is used, and never against a valid link.

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_links_viewed_or_tried_never_block_a_good_one(pool: PgPool) {
    use app::api::invitations::AcceptInvitation;
    let app = spawn_app(pool.clone()).await;
    let created = common::create_organization(&pool, "Acme", "ada@acme.example", 10, 5).await;
    let client = browser_from("127.0.0.9");
    // A cross-site page with 30 <img> tags of bad links: page views, counted nowhere.
    for i in 0..30 {
        let page = client
            .get(app.url(&format!("/invite/{:064x}", i)))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
    }
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM link_failures")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(counted, 0);
    // Bad links used: counted up to the limit, then refused without adding rows.
    let mut refused = 0;
    for i in 0..(throttle::LINK_FAILURE_LIMIT + 5) {
        let token = format!("{:064x}", 1000 + i);
        let answer = app
            .call::<AcceptInvitation>(
                &client,
                &[
                    ("token", &token),
                    ("password", PASSWORD),
                    ("password_confirmation", PASSWORD),
                ],
            )
            .await;
        if matches!(answer, Err(AppError::TooManyRequests(_))) {
            refused += 1;
        }
    }
    assert_eq!(refused, 5);
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM link_failures")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(counted, throttle::LINK_FAILURE_LIMIT);
    // The real invitation, from the same address, opens and is accepted.
    let page = client
        .get(app.url(&format!("/invite/{}", created.invitation_token)))
        .send()
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains("Ada"));
    app.call::<AcceptInvitation>(
        &client,
        &[
            ("token", &created.invitation_token),
            ("password", PASSWORD),
            ("password_confirmation", PASSWORD),
        ],
    )
    .await
    .unwrap();
}

// 6. Nothing at rest opens an account.

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_outbox_holds_no_link_and_mail_makes_its_own(pool: PgPool) {
    use app::server::invitations::{lookup, Lookup};
    use common::smtp::SmtpServer;
    let smtp = SmtpServer::start().await;
    // The app's mail worker delivers to the test's SMTP server.
    let app = common::spawn_app_with_smtp(pool.clone(), Some(smtp.url())).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    // Stop the worker from sending for now: everything queued stays queued.
    sqlx::query("UPDATE email_outbox SET next_attempt_at = now() + interval '1 day'")
        .execute(&pool)
        .await
        .unwrap();
    let member = json!({ "first_name": "Mo", "last_name": "Mail", "email": "mo@acme.example",
                         "job_title": "", "permission": "member", "enable_seat": false,
                         "opportunity_seat": false });
    app.call_json::<app::api::invite::InviteMembers>(&admin, json!({ "members": [member] }))
        .await
        .unwrap();
    sqlx::query("UPDATE email_outbox SET next_attempt_at = now() + interval '1 day' WHERE to_address = 'mo@acme.example'")
        .execute(&pool)
        .await
        .unwrap();
    app::server::passwords::request_reset(
        &pool,
        &runtime_config(&app.base, true),
        "ada@acme.example",
        "192.0.2.1",
    )
    .await
    .unwrap();
    sqlx::query("UPDATE email_outbox SET next_attempt_at = now() + interval '1 day'")
        .execute(&pool)
        .await
        .unwrap();
    // At rest: no link, no token — nothing of 64 hex digits anywhere in the outbox.
    let at_rest: Vec<String> = sqlx::query_scalar(
        "SELECT coalesce(payload::text, '') || coalesce(body_text, '') FROM email_outbox",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let hex64 = |s: &str| {
        s.as_bytes()
            .windows(64)
            .any(|w| w.iter().all(u8::is_ascii_hexdigit))
    };
    for row in &at_rest {
        assert!(
            !row.contains("/invite/") && !row.contains("/reset-password/"),
            "{row}"
        );
    }
    // (The slot is a hash of a token no one has: 64 hex digits that open nothing.)
    assert!(at_rest.iter().any(|r| hex64(r)));
    let slots: Vec<String> = at_rest
        .iter()
        .flat_map(|r| {
            let v: serde_json::Value = serde_json::from_str(r).unwrap();
            v["link"]["slot"].as_str().map(str::to_owned)
        })
        .collect();
    assert_eq!(slots.len(), 2);
    for slot in &slots {
        assert!(matches!(
            lookup(&pool, slot).await.unwrap(),
            Lookup::Unusable
        ));
    }
    // Sent: each mail makes its link as it goes, and the link works.
    sqlx::query("UPDATE email_outbox SET next_attempt_at = now()")
        .execute(&pool)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    while smtp.inbox.messages().len() < 2 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "no mail"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let messages = smtp.inbox.messages();
    let invitation = messages
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("mo@acme.example")))
        .unwrap();
    // Quoted-printable: soft line breaks joined.
    let data = invitation.data.replace("=\r\n", "").replace("=\n", "");
    let at = data.find("/invite/").unwrap() + "/invite/".len();
    let token = &data[at..at + 64];
    assert!(matches!(
        lookup(&pool, token).await.unwrap(),
        Lookup::Open { .. }
    ));
    // And after: the sent rows keep nothing of it.
    let after: Vec<Option<serde_json::Value>> =
        sqlx::query_scalar("SELECT payload FROM email_outbox WHERE status = 'sent'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(after.iter().all(Option::is_none));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_mail_superseded_before_it_was_sent_is_not_sent(pool: PgPool) {
    use app::server::mail::Mail;
    let created = common::create_organization(&pool, "Acme", "ada@acme.example", 10, 5).await;
    let org = created.organization_id;
    let config = runtime_config("https://roster.example", true);
    let max = sqlx::query_scalar::<_, i64>(
        "INSERT INTO members (organization_id, first_name, last_name, email, permission)
         VALUES ($1, 'Max', 'M', 'max@acme.example', 'member') RETURNING id",
    )
    .bind(org)
    .fetch_one(&pool)
    .await
    .unwrap();
    let actor = Access::operator(org, "Acme", "test");
    let recipient = || app::server::invitations::Recipient {
        member_id: max,
        email: "max@acme.example",
        first_name: "Max",
    };
    use app::server::invitations::Issue;
    let mut tx = pool.begin().await.unwrap();
    app::server::invitations::send(&mut tx, &config, &actor, "Acme", &[recipient()], Issue::New)
        .await
        .unwrap();
    // Resent before the first went out.
    app::server::invitations::send(
        &mut tx,
        &config,
        &actor,
        "Acme",
        &[recipient()],
        Issue::Again,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let rows: Vec<(i64, serde_json::Value)> = sqlx::query_as(
        "SELECT id, payload FROM email_outbox WHERE to_address = 'max@acme.example' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let ready = |(id, payload): &(i64, serde_json::Value)| {
        let pool = pool.clone();
        let (id, mail) = (
            *id,
            Mail::from_stored("invitation", payload.clone()).unwrap(),
        );
        async move {
            app::server::links::ready_to_send(&pool, "https://roster.example", id, mail)
                .await
                .unwrap()
        }
    };
    assert!(
        ready(&rows[0]).await.is_none(),
        "the older mail makes nothing"
    );
    let newer = ready(&rows[1]).await.unwrap();
    let text = newer.render().text;
    let at = text.find("/invite/").unwrap() + "/invite/".len();
    assert!(matches!(
        app::server::invitations::lookup(&pool, &text[at..at + 64])
            .await
            .unwrap(),
        app::server::invitations::Lookup::Open { .. }
    ));
}

// 7. Mail is no weapon.

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_organizations_mail_is_paced_and_limited(pool: PgPool) {
    use app::domain::{SeatKind, SeatRequest};
    use app::server::outbox::PER_ORGANIZATION_PER_HOUR;
    let app = spawn_app(pool.clone()).await;
    let (org, ada) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let config = runtime_config(&app.base, true);
    let ada_viewer = viewer(org, ada, "ada@acme.example", Permission::Admin);
    // An hour's worth of invitations is queued already.
    sqlx::query(
        "INSERT INTO email_outbox (organization_id, kind, to_address, payload, status)
         SELECT $1, 'invitation', 'x' || n || '@acme.example', '{}', 'pending'
           FROM generate_series(1, $2) n",
    )
    .bind(org)
    .bind(PER_ORGANIZATION_PER_HOUR as i32)
    .execute(&pool)
    .await
    .unwrap();
    let max = app.member(org, "max@acme.example", "member", None).await;
    sqlx::query("INSERT INTO invitations (member_id, token_hash, expires_at) VALUES ($1, sha256('x'), now() + interval '7 days')")
        .bind(max)
        .execute(&pool)
        .await
        .unwrap();
    app::server::members::resend_invitation(&pool, &config, &ada_viewer, max)
        .await
        .unwrap();
    let due_in: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM next_attempt_at - now())::float8 FROM email_outbox WHERE to_address = 'max@acme.example'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!((3500.0..3700.0).contains(&due_in), "{due_in}");
    let pending = app::server::invitations::pending(&pool, &common::operator(org))
        .await
        .unwrap();
    let max_row = pending.iter().find(|p| p.member_id == max).unwrap();
    assert!(
        max_row.delivery.contains("emails an hour"),
        "{}",
        max_row.delivery
    );
    // A reset link someone waits for is not queued behind them.
    app::server::passwords::request_reset(&pool, &config, "ada@acme.example", "192.0.2.3")
        .await
        .unwrap();
    let reset_due: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM next_attempt_at - now())::float8 FROM email_outbox WHERE kind = 'password_reset'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(reset_due < 60.0, "{reset_due}");

    // Three invitation mails a member a day.
    for _ in 1..app::server::members::INVITATIONS_PER_MEMBER_PER_DAY {
        app::server::members::resend_invitation(&pool, &config, &ada_viewer, max)
            .await
            .unwrap();
    }
    let refused = app::server::members::resend_invitation(&pool, &config, &ada_viewer, max).await;
    let Err(AppError::TooManyRequests(message)) = refused else {
        panic!("{refused:?}")
    };
    assert!(message.contains("max@acme.example"), "{message}");

    // Three seat requests an organization a day.
    let request = SeatRequest {
        kind: SeatKind::Enable,
        seats: 5,
        note: String::new(),
    };
    for _ in 0..app::server::seats::SEAT_REQUESTS_PER_DAY {
        app::server::seats::request_more(&pool, &config, &ada_viewer, &request)
            .await
            .unwrap();
    }
    let refused = app::server::seats::request_more(&pool, &config, &ada_viewer, &request).await;
    assert!(
        matches!(refused, Err(AppError::TooManyRequests(_))),
        "{refused:?}"
    );
}

// 8. Faults that answered 500 or 502.

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn odd_input_gets_a_clear_answer_not_a_fault(pool: PgPool) {
    use app::api::invite::InviteMembers;
    use app::api::roster::{SendRosterRows, StartRosterApply};
    let app = spawn_app(pool.clone()).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();

    // A part number past any file.
    let key = app.call::<StartRosterApply>(&admin, &[]).await.unwrap();
    let sent = app
        .call_json::<SendRosterRows>(
            &admin,
            json!({ "progress_key": key, "part": 4294967295u32, "rows": [] }),
        )
        .await;
    assert!(matches!(sent, Err(AppError::Invalid(_))), "{sent:?}");

    // A 3,000-character address at sign-in.
    let long = format!("{}@acme.example", "a".repeat(3000));
    let answer = app.sign_in(&browser(), &long, "x").await;
    assert!(matches!(answer, Err(AppError::Invalid(_))), "{answer:?}");

    // Addresses Rust and PostgreSQL lower-case differently: one way of comparing.
    for email in [
        "ΑΣ@acme.example",
        "ΟΔΥΣΣΕΥΣ@acme.example",
        "İlker@acme.example",
    ] {
        let member = json!({ "first_name": "Al", "last_name": "Be", "email": email,
                             "job_title": "", "permission": "member", "enable_seat": false,
                             "opportunity_seat": false });
        app.call_json::<InviteMembers>(&admin, json!({ "members": [member.clone()] }))
            .await
            .unwrap_or_else(|e| panic!("{email}: {e:?}"));
        let again = app
            .call_json::<InviteMembers>(&admin, json!({ "members": [member] }))
            .await;
        assert!(
            matches!(
                again,
                Err(AppError::Problems(_)) | Err(AppError::Field { .. })
            ),
            "{email}: {again:?}"
        );
    }

    // Malformed JSON to a JSON server function: 422, not 502.
    for body in [
        "{",
        "[]",
        "{\"members\": 5}",
        "nul",
        "{\"members\": [{\"email\": 1}]}",
    ] {
        let answer = admin
            .post(app.url(<InviteMembers as leptos::server_fn::ServerFn>::PATH))
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 422, "{body}");
    }

    // A valid 2,000-row part of long CJK names is 3 MB: within the route's 4 MiB.
    let key = app.call::<StartRosterApply>(&admin, &[]).await.unwrap();
    let name = "長".repeat(200);
    let rows: Vec<_> = (0..2_000u32)
        .map(|i| {
            app::import::RowCells::new(
                i + 2,
                [
                    "",
                    &name,
                    &name,
                    &format!("p{i}@acme.example"),
                    &name,
                    "",
                    "",
                    "",
                ],
            )
        })
        .collect();
    let body =
        serde_json::to_vec(&json!({ "progress_key": key, "part": 0, "rows": rows })).unwrap();
    assert!(body.len() > 2 * 1024 * 1024 && body.len() < 4 * 1024 * 1024);
    let answer = admin
        .post(app.url(<SendRosterRows as leptos::server_fn::ServerFn>::PATH))
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());

    // A chunked body past the limit: 413 with the message, whatever its length said.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..6).map(|_| Ok(vec![b' '; 1024 * 1024])).collect();
    let answer = admin
        .post(app.url(<SendRosterRows as leptos::server_fn::ServerFn>::PATH))
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 413);
    assert!(answer.text().await.unwrap().contains("too large"));
}

// 9. Tables anyone can add rows to are swept.

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn throttling_and_reset_tables_are_swept(pool: PgPool) {
    let created = common::create_organization(&pool, "Acme", "ada@acme.example", 10, 5).await;
    sqlx::raw_sql(
        "INSERT INTO link_failures (ip_address, failed_at) VALUES ('a', now() - interval '2 hours'), ('b', now());
         INSERT INTO password_reset_requests (email_lower, ip_address, requested_at)
              VALUES ('a', 'a', now() - interval '2 hours'), ('b', 'b', now());",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO password_resets (member_id, token_hash, expires_at)
         VALUES ($1, sha256('1'), now() - interval '1 minute'), ($1, sha256('2'), now() + interval '1 hour')",
    )
    .bind(created.admin_member_id)
    .execute(&pool)
    .await
    .unwrap();
    let swept = server::maintenance::sweep(&pool).await.unwrap();
    assert_eq!(
        (swept.link_failures, swept.reset_requests, swept.reset_links),
        (1, 1, 1)
    );
    for table in [
        "link_failures",
        "password_reset_requests",
        "password_resets",
    ] {
        let left: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(left, 1, "{table}");
    }
}

// 10. One Argon2 computation per sign-in, however many organizations.

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_address_in_three_organizations_has_one_salt(pool: PgPool) {
    use app::api::invitations::AcceptInvitation;
    let app = spawn_app(pool.clone()).await;
    for (i, name) in ["Acme", "Globex", "Initech"].iter().enumerate() {
        let created = common::create_organization(&pool, name, "sam@people.example", 10, 5).await;
        let password = format!("password of org {i}");
        app.call::<AcceptInvitation>(
            &browser(),
            &[
                ("token", &created.invitation_token),
                ("password", &password),
                ("password_confirmation", &password),
            ],
        )
        .await
        .unwrap();
    }
    let salts: Vec<String> = sqlx::query_scalar(
        "SELECT split_part(password_hash, '$', 5) FROM members WHERE email = 'sam@people.example'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(salts.len(), 3);
    assert!(salts.iter().all(|s| *s == salts[0]), "{salts:?}");
    // Each organization's password still signs in to its own organization.
    for i in 0..3 {
        let org = sign_in(
            &pool,
            "sam@people.example",
            &format!("password of org {i}"),
            "192.0.2.4",
        )
        .await;
        assert!(org.is_ok(), "{org:?}");
    }
}

// 11. Big files on the command line.

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn csv_check_of_a_huge_file_says_the_limit_and_prints_a_bounded_list(pool: PgPool) {
    let url = common::database_url(&pool).await;
    let dir = std::env::temp_dir().join(format!("roster-huge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("huge.csv");
    let mut text = String::from(
        "user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments\n",
    );
    for _ in 0..(app::import::MAX_ROWS + 500) {
        text.push_str(",,,not an address,,maybe,,\n");
    }
    std::fs::write(&file, text).unwrap();
    let out = common::processes::roster(&url, &["csv", "check", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.lines().count() <= server::csv_cli::MAX_PRINTED + 5,
        "{}",
        stdout.lines().count()
    );
    assert!(stdout.contains("more problems"), "{stdout}");
    assert!(
        stderr.contains("one import takes at most 200000"),
        "{stderr}"
    );

    let wide = dir.join("wide.csv");
    let header: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
    std::fs::write(
        &wide,
        format!("{}\n{}\n", header.join(","), header.join(",")),
    )
    .unwrap();
    let out = common::processes::roster(&url, &["csv", "check", wide.to_str().unwrap()]);
    assert!(!out.status.success());
    let said =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("10000 columns"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}

// Races: each counted limit holds when the requests come at once.

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn counted_limits_hold_under_concurrent_requests(pool: PgPool) {
    use app::domain::{SeatKind, SeatRequest};
    use app::server::roster::progress::{start, MAX_OPEN_APPLIES};
    let app = spawn_app(pool.clone()).await;
    let (org, ada) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    // 12 applies started at once: exactly MAX_OPEN_APPLIES get a key.
    let starts: Vec<_> = (0..12)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move { start(&pool, &common::operator(org)).await })
        })
        .collect();
    let mut keys = 0;
    for s in starts {
        keys += s.await.unwrap().is_ok() as i64;
    }
    assert_eq!(keys, MAX_OPEN_APPLIES);
    // 10 seat requests at once: exactly SEAT_REQUESTS_PER_DAY recorded and mailed.
    let config = runtime_config(&app.base, false);
    let ada_viewer = viewer(org, ada, "ada@acme.example", Permission::Admin);
    let requests: Vec<_> = (0..10)
        .map(|_| {
            let (pool, config, viewer) = (pool.clone(), config.clone(), ada_viewer.clone());
            tokio::spawn(async move {
                let request = SeatRequest {
                    kind: SeatKind::Enable,
                    seats: 5,
                    note: String::new(),
                };
                app::server::seats::request_more(&pool, &config, &viewer, &request).await
            })
        })
        .collect();
    for r in requests {
        let _ = r.await.unwrap();
    }
    let (recorded, mailed): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM seat_requests), (SELECT count(*) FROM email_outbox WHERE kind = 'seat_request')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (recorded, mailed),
        (
            app::server::seats::SEAT_REQUESTS_PER_DAY,
            app::server::seats::SEAT_REQUESTS_PER_DAY
        )
    );
    // 40 bad links used at once from one address: exactly LINK_FAILURE_LIMIT rows kept.
    let uses: Vec<_> = (0..40)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move { throttle::link_failed(&pool, "198.51.100.77").await })
        })
        .collect();
    for u in uses {
        let _ = u.await.unwrap();
    }
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM link_failures")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(kept, throttle::LINK_FAILURE_LIMIT);
}

/// The database's `email_key()` (the address indexes) and Rust's `domain::email::key` (the
/// checks before a write) must agree on every text, or an address one side calls new the
/// other calls taken. Checked on letters whose case rules differ between the two worlds.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_database_and_rust_compare_addresses_the_same_way(pool: PgPool) {
    let samples = [
        "Ada.Lovelace@Example.COM",
        "ΑΣ@ACME.example",
        "ΟΔΥΣΣΕΥΣ@acme.example",
        "İlker@ACME.example",
        "ǅemal@acme.example",
        "STRAẞE@acme.example",
        "Zoë.Ünal@Acme.Example",
        "K\u{212A}elvin@acme.example",
        "@[\\]^_`{|}~AZaz09",
    ];
    for sample in samples {
        let in_database: String = sqlx::query_scalar("SELECT email_key($1)")
            .bind(sample)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(in_database, app::domain::email::key(sample), "{sample}");
    }
}

/// The app migrates through its pool and then serves from the same connections. A session
/// keeps an index's expression as it first read it (SQL functions inlined), so a migration
/// that replaces `email_key()` must make sessions read the address indexes anew — or, in
/// the connection that ran it, no look-up by address matches them and each one reads the
/// whole table (55 s for an import's batch at 100,000 members).
#[sqlx::test(migrations = false)]
async fn the_connection_that_migrated_finds_addresses_through_their_indexes(pool: PgPool) {
    let mut conn = pool.acquire().await.unwrap();
    server::db::MIGRATOR.run(&mut *conn).await.unwrap();
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    for query in [
        "EXPLAIN SELECT id FROM members WHERE email_key(email) = email_key($1)",
        "EXPLAIN SELECT id FROM members WHERE organization_id = 1 AND email_key(email) = email_key($1)",
    ] {
        let plan: Vec<String> = sqlx::query_scalar(query)
            .bind("Ada@Example.com")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        let plan = plan.join("\n");
        // Either address index will do; a sequential scan will not.
        assert!(plan.contains("using members_email_"), "{query}:\n{plan}");
    }
}
