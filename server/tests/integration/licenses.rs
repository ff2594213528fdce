//! Licenses over time (issue 22): reminders, expiry and scheduled deactivation with a clock
//! the tests move (never sleeping), two workers racing, the ledger append-only, and the
//! ledger's counts equal to the live tables' after every step of random operations.

use crate::common::{self, create_organization, operator, runtime_config};
use app::domain::licenses::{Counts, Via};
use app::domain::{Access, InviteeDraft, Program, Progress, SeatKind};
use app::server::invitations::{lookup, Lookup};
use app::server::licenses;
use app::server::RuntimeConfig;
use rand::{rngs::StdRng, Rng, SeedableRng};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

fn config() -> RuntimeConfig {
    runtime_config("https://roster.example", false)
}

fn draft(email: &str, enable: bool, opportunity: bool) -> InviteeDraft {
    InviteeDraft {
        first_name: "Test".into(),
        last_name: "Person".into(),
        email: email.into(),
        job_title: String::new(),
        permission: "member".into(),
        enable_seat: enable,
        opportunity_seat: opportunity,
    }
}

/// Invites one member by the form's path; returns their id.
async fn invite(
    pool: &PgPool,
    access: &Access,
    email: &str,
    enable: bool,
    opportunity: bool,
) -> i64 {
    app::server::invite::from_form(
        pool,
        &config(),
        access,
        &[draft(email, enable, opportunity)],
        None,
    )
    .await
    .unwrap()[0]
}

/// The token in the newest mail of `kind` to `member` (the development mailbox's mail
/// carries its link).
async fn token_of(pool: &PgPool, member: i64, kind: &str) -> String {
    let payload: serde_json::Value = sqlx::query_scalar(
        "SELECT payload FROM email_outbox WHERE member_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(member)
    .bind(kind)
    .fetch_one(pool)
    .await
    .unwrap();
    let link = payload["link"].as_str().expect("a made link").to_owned();
    link.rsplit('/').next().unwrap().to_owned()
}

async fn count(pool: &PgPool, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn is_open(found: &Lookup) -> bool {
    matches!(found, Lookup::Open { .. })
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn reminders_go_once_each_across_two_instances_and_every_link_lives_as_long_as_the_invitation(
    pool: PgPool,
) {
    let org = create_organization(&pool, "Acme", "ada@acme.example", 10, 5).await;
    let access = operator(org.organization_id);
    let member = invite(&pool, &access, "rita@acme.example", true, false).await;
    let first = token_of(&pool, member, "invitation").await;
    let start = OffsetDateTime::now_utc();
    let config = config();
    let reminders = |at: OffsetDateTime| {
        let (pool, config) = (pool.clone(), config.clone());
        async move {
            // Two instances at once: each reminder is sent by one of them.
            let (a, b) = tokio::join!(
                licenses::send_reminders(&pool, &config, at),
                licenses::send_reminders(&pool, &config, at)
            );
            a.unwrap() + b.unwrap()
        }
    };
    assert_eq!(reminders(start + Duration::days(2)).await, 0);
    // Two invitations were due (the administrator's own too).
    assert_eq!(
        reminders(start + Duration::days(3) + Duration::minutes(1)).await,
        2
    );
    assert_eq!(
        reminders(start + Duration::days(3) + Duration::hours(5)).await,
        0
    );
    let second = token_of(&pool, member, "reminder").await;
    assert_ne!(first, second);
    assert_eq!(
        reminders(start + Duration::days(6) + Duration::minutes(1)).await,
        2
    );
    assert_eq!(
        reminders(start + Duration::days(6) + Duration::hours(12)).await,
        0
    );
    let third = token_of(&pool, member, "reminder").await;
    let sent = "SELECT count(*) FROM email_outbox WHERE member_id = $1 AND kind = 'reminder'";
    assert_eq!(count(&pool, sent, member).await, 2);
    let logged = "SELECT count(*) FROM audit_log WHERE subject_member_id = $1 AND action = 'invitation.reminded'";
    assert_eq!(count(&pool, logged, member).await, 2);

    // Every link works: a person opens whichever mail they find.
    for token in [&first, &second, &third] {
        assert!(is_open(&lookup(&pool, token).await.unwrap()));
    }
    // They die with the invitation: expired (two workers racing: once).
    let at = start + Duration::days(7) + Duration::minutes(1);
    let (a, b) = tokio::join!(
        licenses::expire_invitations(&pool, at),
        licenses::expire_invitations(&pool, at)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    for token in [&first, &second, &third] {
        assert!(matches!(
            lookup(&pool, token).await.unwrap(),
            Lookup::Expired { .. }
        ));
    }
    // A resend replaces them all, and starts the reminders again.
    app::server::members::resend_many(&pool, &config, &access, &[member], None)
        .await
        .unwrap();
    for token in [&first, &second, &third] {
        assert!(!is_open(&lookup(&pool, token).await.unwrap()));
    }
    let fresh = token_of(&pool, member, "invitation").await;
    assert!(is_open(&lookup(&pool, &fresh).await.unwrap()));
    // A reminder's link accepts the invitation, and the first link dies with it.
    assert_eq!(
        reminders(OffsetDateTime::now_utc() + Duration::days(3) + Duration::minutes(1)).await,
        1
    );
    let reminder = token_of(&pool, member, "reminder").await;
    let password =
        app::domain::NewPassword::parse("correct horse battery", "correct horse battery").unwrap();
    app::server::invitations::accept(&pool, &reminder, &password, "127.0.0.1")
        .await
        .unwrap();
    assert!(!is_open(&lookup(&pool, &fresh).await.unwrap()));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_expired_invitation_returns_its_seats_once_and_a_reinvite_asks_for_them_again(
    pool: PgPool,
) {
    let org = create_organization(&pool, "Acme", "ada@acme.example", 2, 1).await;
    let access = operator(org.organization_id);
    let member = invite(&pool, &access, "rita@acme.example", true, true).await;
    app::server::roster::set_program(&pool, &access, member, Program::Masterclass, true)
        .await
        .unwrap_err(); // invited members are frozen: programs come with the invitation only
    let at = OffsetDateTime::now_utc() + Duration::days(8);
    let (a, b) = tokio::join!(
        licenses::expire_invitations(&pool, at),
        licenses::expire_invitations(&pool, at),
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    // Still invited (the header counts say so), its seats back in the pool.
    let (status, enable, opportunity): (String, bool, bool) =
        sqlx::query_as("SELECT status, enable_seat, opportunity_seat FROM members WHERE id = $1")
            .bind(member)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), enable, opportunity),
        ("invited", false, false)
    );
    let returned =
        "SELECT count(*) FROM license_events WHERE member_id = $1 AND event = 'returned'";
    assert_eq!(count(&pool, returned, member).await, 2);
    // A later tick finds nothing more to do.
    assert_eq!(licenses::expire_invitations(&pool, at).await.unwrap(), 0);
    assert_eq!(count(&pool, returned, member).await, 2);

    // Meanwhile the seats went to someone else: the re-invite says so and changes nothing.
    let other = invite(&pool, &access, "sam@acme.example", true, true).await;
    let refused = app::server::members::resend_many(&pool, &config(), &access, &[member], None)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("expired and gave back"),
        "{refused}"
    );
    app::server::members::deactivate(&pool, &access, other)
        .await
        .unwrap();
    app::server::members::resend_many(&pool, &config(), &access, &[member], None)
        .await
        .unwrap();
    let (enable, opportunity): (bool, bool) =
        sqlx::query_as("SELECT enable_seat, opportunity_seat FROM members WHERE id = $1")
            .bind(member)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(enable && opportunity);

    // Kept, when the organization keeps seats of expired invitations.
    sqlx::query("UPDATE organizations SET expired_seats = 'keep' WHERE id = $1")
        .bind(org.organization_id)
        .execute(&pool)
        .await
        .unwrap();
    let later = OffsetDateTime::now_utc() + Duration::days(8);
    // (The administrator's invitation expired the first time and was not sent again.)
    assert_eq!(licenses::expire_invitations(&pool, later).await.unwrap(), 1);
    let (enable, opportunity): (bool, bool) =
        sqlx::query_as("SELECT enable_seat, opportunity_seat FROM members WHERE id = $1")
            .bind(member)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(enable && opportunity);
    let logged = "SELECT count(*) FROM audit_log WHERE subject_member_id = $1 AND action = 'invitation.expired'";
    assert_eq!(count(&pool, logged, member).await, 2);
}

/// An active member with an Enable seat and `progress` on a program.
async fn learner(app: &common::TestApp, access: &Access, email: &str, progress: i64) -> i64 {
    let id = app
        .member(
            access.organization_id,
            email,
            "member",
            Some("correct horse battery"),
        )
        .await;
    app::server::roster::set_seat(&app.pool, access, id, SeatKind::Enable, true)
        .await
        .unwrap();
    app::server::roster::set_program(&app.pool, access, id, Program::Masterclass, true)
        .await
        .unwrap();
    let mut tx = app.pool.begin().await.unwrap();
    app::server::enrollments::raise_progress(
        &mut tx,
        access,
        &Via::Api,
        id,
        Program::Masterclass,
        Progress::from_basis_points(progress).unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_scheduled_deactivation_happens_once_on_its_day_with_the_ten_percent_rule(pool: PgPool) {
    let app = common::spawn_app(pool.clone()).await;
    let (org, admin) = app
        .organization_with_admin("Acme", "ada@acme.example", "correct horse battery")
        .await;
    let access = operator(org);
    let used = learner(&app, &access, "used@acme.example", 1500).await;
    let unused = learner(&app, &access, "unused@acme.example", 500).await;
    let tomorrow = OffsetDateTime::now_utc().date() + Duration::days(1);
    // Today is refused; the page says to deactivate instead.
    let today = OffsetDateTime::now_utc().date();
    assert!(
        app::server::members::schedule_deactivation(&pool, &access, &[used], Some(today))
            .await
            .is_err()
    );
    let scheduled = app::server::members::schedule_deactivation(
        &pool,
        &access,
        &[used, unused, admin],
        Some(tomorrow),
    )
    .await
    .unwrap();
    assert_eq!(scheduled, 3);
    // Not before its day.
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        licenses::carry_out_deactivations(&pool, now).await.unwrap(),
        0
    );
    let day = tomorrow.midnight().assume_utc() + Duration::hours(1);
    let (a, b) = tokio::join!(
        licenses::carry_out_deactivations(&pool, day),
        licenses::carry_out_deactivations(&pool, day)
    );
    // The two learners, once; the last administrator is kept (and it is said why).
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    let state = |id: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (String, bool, Option<time::Date>)>(
                "SELECT status, enable_seat, deactivate_on FROM members WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(state(used).await, ("deactivated".into(), true, None));
    assert_eq!(state(unused).await, ("deactivated".into(), false, None));
    assert_eq!(state(admin).await, ("active".into(), false, None));
    let kept = "SELECT count(*) FROM license_events WHERE member_id = $1 AND event = 'kept' AND via = 'schedule'";
    assert_eq!(count(&pool, kept, used).await, 1);
    let freed = "SELECT count(*) FROM license_events WHERE member_id = $1 AND event = 'freed' AND reason = 'deactivated' AND via = 'schedule'";
    assert_eq!(count(&pool, freed, unused).await, 1);
    let skipped = "SELECT count(*) FROM audit_log WHERE subject_member_id = $1 AND action = 'member.scheduled_deactivation_skipped'";
    assert_eq!(count(&pool, skipped, admin).await, 1);
    let done = "SELECT count(*) FROM audit_log WHERE subject_member_id = $1 AND action = 'member.deactivated' AND actor_label = 'Roster (as scheduled)'";
    assert_eq!(count(&pool, done, used).await, 1);
    let planned = "SELECT count(*) FROM audit_log WHERE subject_member_id = $1 AND action = 'member.deactivation_scheduled'";
    assert_eq!(count(&pool, planned, used).await, 1);
    // Nothing more the next day.
    assert_eq!(
        licenses::carry_out_deactivations(&pool, day + Duration::days(1))
            .await
            .unwrap(),
        0
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_ledger_refuses_update_delete_and_truncate(pool: PgPool) {
    let org = create_organization(&pool, "Acme", "ada@acme.example", 3, 1).await;
    invite(
        &pool,
        &operator(org.organization_id),
        "rita@acme.example",
        true,
        false,
    )
    .await;
    for statement in [
        "UPDATE license_events SET held_delta = 0",
        "DELETE FROM license_events",
        "TRUNCATE license_events",
    ] {
        let error = sqlx::query(statement).execute(&pool).await.unwrap_err();
        let error = error.as_database_error().unwrap();
        assert_eq!(
            error.constraint(),
            Some("license_events_append_only"),
            "{statement}"
        );
    }
    let lines: i64 = sqlx::query_scalar("SELECT count(*) FROM license_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(lines, 3, "two bought, one granted");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn seat_alerts_mail_once_per_crossing(pool: PgPool) {
    let org = create_organization(&pool, "Acme", "ada@acme.example", 3, 0).await;
    let access = operator(org.organization_id);
    sqlx::query("UPDATE members SET status = 'active', password_hash = 'x' WHERE id = $1")
        .bind(org.admin_member_id)
        .execute(&pool)
        .await
        .unwrap();
    let config = config();
    let alerts = || async {
        let (a, b) = tokio::join!(
            licenses::send_seat_alerts(&pool, &config),
            licenses::send_seat_alerts(&pool, &config)
        );
        a.unwrap() + b.unwrap()
    };
    assert_eq!(alerts().await, 0);
    let a = invite(&pool, &access, "a@acme.example", true, false).await;
    assert_eq!(alerts().await, 0, "2 of 3 free: above the threshold of 1");
    let b = invite(&pool, &access, "b@acme.example", true, false).await;
    assert_eq!(alerts().await, 1, "1 left");
    assert_eq!(alerts().await, 0, "not again for the same crossing");
    invite(&pool, &access, "c@acme.example", true, false).await;
    assert_eq!(alerts().await, 1, "none left");
    // Back above the threshold, then down again: a new crossing, a new mail.
    app::server::members::deactivate(&pool, &access, a)
        .await
        .unwrap();
    app::server::members::deactivate(&pool, &access, b)
        .await
        .unwrap();
    assert_eq!(alerts().await, 0);
    invite(&pool, &access, "d@acme.example", true, false).await;
    assert_eq!(alerts().await, 1);
    let mails: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE kind = 'seat_alert' AND to_address = 'ada@acme.example'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(mails, 3);
}

// ---------------------------------------------------------------------------------------
// The ledger against the live tables, over random operations
// ---------------------------------------------------------------------------------------

const SEQUENCES: u64 = 200;
const STEPS: usize = 16;

async fn ledger_now(pool: &PgPool, org: i64) -> (Counts, Counts) {
    let mut conn = pool.acquire().await.unwrap();
    let far = OffsetDateTime::now_utc() + Duration::days(3650);
    app::server::ledger::counts_before(&mut conn, org, far)
        .await
        .unwrap()
}

async fn live(pool: &PgPool, org: i64) -> (Counts, Counts) {
    let mut conn = pool.acquire().await.unwrap();
    app::server::ledger::live_counts(&mut conn, org)
        .await
        .unwrap()
}

/// One random operation on organization `org`, through the server's own paths. Refusals
/// (no seat free, the 10 % rule, a frozen invited member) are part of the game.
async fn random_step(
    pool: &PgPool,
    rng: &mut StdRng,
    access: &Access,
    clock: &mut OffsetDateTime,
    n: &mut u32,
) -> &'static str {
    let config = config();
    let org = access.organization_id;
    // Someone among those `condition` holds for (anyone, when no one does): operations
    // aimed where they can succeed, so that sequences reach used licenses and their kept
    // seats, not only refusals.
    let pick = |condition: &'static str, rng: &mut StdRng| {
        let pool = pool.clone();
        let roll: f64 = rng.gen();
        async move {
            let among: Vec<(i64, i16)> = sqlx::query_as(&format!(
                "SELECT m.id, coalesce(e.program_id, 1::smallint) FROM members m
                   LEFT JOIN enrollments e ON e.member_id = m.id
                  WHERE m.organization_id = $1 AND ({condition}) ORDER BY m.id, e.program_id"
            ))
            .bind(org)
            .fetch_all(&pool)
            .await
            .unwrap();
            let among = if among.is_empty() {
                sqlx::query_as(
                    "SELECT id, 1::smallint FROM members WHERE organization_id = $1 ORDER BY id",
                )
                .bind(org)
                .fetch_all(&pool)
                .await
                .unwrap()
            } else {
                among
            };
            among[((roll * among.len() as f64) as usize).min(among.len() - 1)]
        }
    };
    let program = Program::ALL[rng.gen_range(0..2)];
    match rng.gen_range(0..13) {
        0 | 1 => {
            *n += 1;
            let email = format!("p{n}@acme.example");
            let _ = app::server::invite::from_form(
                pool,
                &config,
                access,
                &[draft(&email, rng.gen_bool(0.7), rng.gen_bool(0.5))],
                None,
            )
            .await;
            "invite"
        }
        2 => {
            let (someone, _) = pick("m.status = 'invited'", rng).await;
            sqlx::query(
                "UPDATE members SET status = 'active', password_hash = 'x', activated_at = now()
                  WHERE id = $1 AND status = 'invited'",
            )
            .bind(someone)
            .execute(pool)
            .await
            .unwrap();
            "accept"
        }
        3 => {
            let (someone, _) = pick("m.status = 'active' AND m.enable_seat", rng).await;
            let _ = app::server::roster::set_program(pool, access, someone, program, true).await;
            "assign"
        }
        4 | 5 => {
            let (someone, program) = pick("e.member_id IS NOT NULL", rng).await;
            let program = Program::ALL[(program - 1) as usize];
            let mut tx = pool.begin().await.unwrap();
            let to = Progress::from_basis_points(rng.gen_range(0..=2500)).unwrap();
            let _ = app::server::enrollments::raise_progress(
                &mut tx,
                access,
                &Via::Api,
                someone,
                program,
                to,
            )
            .await;
            tx.commit().await.unwrap();
            "progress"
        }
        6 | 7 => {
            let condition = if rng.gen_bool(0.5) {
                "m.status = 'active' AND m.license_used"
            } else {
                "m.status <> 'deactivated'"
            };
            let (someone, _) = pick(condition, rng).await;
            let _ = app::server::members::deactivate(pool, access, someone).await;
            "deactivate"
        }
        8 => {
            let (someone, _) = pick("m.status = 'deactivated'", rng).await;
            let _ = app::server::members::reactivate(pool, &config, access, someone).await;
            "reactivate"
        }
        9 => {
            let (someone, _) = pick("m.status = 'invited'", rng).await;
            *clock += Duration::days(rng.gen_range(1..9));
            licenses::tick(pool, &config, *clock).await.unwrap();
            let _ =
                app::server::members::resend_many(pool, &config, access, &[someone], None).await;
            "expiry and re-invite"
        }
        10 => {
            let (someone, _) = pick("true", rng).await;
            let kind = if rng.gen_bool(0.5) {
                SeatKind::Enable
            } else {
                SeatKind::Opportunity
            };
            let _ =
                app::server::roster::set_seat(pool, access, someone, kind, rng.gen_bool(0.5)).await;
            "set seat"
        }
        11 => {
            let vendor = Access::vendor(org);
            let _ = app::server::seats::set_bought(
                pool,
                &vendor,
                Some(rng.gen_range(0..8)),
                Some(rng.gen_range(0..5)),
            )
            .await;
            "set bought"
        }
        _ => {
            let (someone, _) = pick("true", rng).await;
            // A change set that flips someone's Enable seat, then (sometimes) its undo.
            let value = if rng.gen_bool(0.5) { "TRUE" } else { "FALSE" };
            let file = common::roster_changing(
                pool,
                org,
                "changes.csv",
                someone,
                app::import::Column::MosEnable,
                value,
            )
            .await;
            let applied = app::server::roster::apply(
                pool,
                &config,
                access,
                &file,
                app::server::roster::progress::Reporter::quiet(),
            )
            .await;
            if let (Ok(applied), true) = (applied, rng.gen_bool(0.5)) {
                if let Some(id) = applied.change_id {
                    let _ = app::server::roster::undo(pool, &config, access, id).await;
                }
            }
            "change set"
        }
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_ledger_equals_the_live_tables_after_every_step_of_random_operations(pool: PgPool) {
    for seed in 0..SEQUENCES {
        let mut rng = StdRng::seed_from_u64(seed);
        let org = create_organization(
            &pool,
            &format!("Org {seed}"),
            &format!("admin{seed}@acme.example"),
            rng.gen_range(0..6),
            rng.gen_range(0..4),
        )
        .await;
        let access = Access::operator(org.organization_id, &format!("Org {seed}"), "test");
        let mut clock = OffsetDateTime::now_utc();
        let mut n = 0;
        let mut done = Vec::new();
        for _ in 0..STEPS {
            done.push(random_step(&pool, &mut rng, &access, &mut clock, &mut n).await);
            assert_eq!(
                ledger_now(&pool, org.organization_id).await,
                live(&pool, org.organization_id).await,
                "seed {seed}, after {done:?}"
            );
        }
    }
    // Every line says how it came about: no path changed seats without telling.
    let untold: Vec<(String, String)> =
        sqlx::query_as("SELECT DISTINCT event, via FROM license_events WHERE via = 'database'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(untold.is_empty(), "{untold:?}");
    // The sequences reached every kind of event, by every path they took.
    let seen: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT event || ' ' || via FROM license_events ORDER BY 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    for event in app::domain::licenses::LicenseEvent::ALL {
        assert!(
            seen.iter().any(|s| s.starts_with(event.key())),
            "{} never happened: {seen:?}",
            event.key()
        );
    }
    println!("events by path: {seen:?}");
}

// ---------------------------------------------------------------------------------------
// Any date, the monthly peaks, and the export opened by a spreadsheet reader
// ---------------------------------------------------------------------------------------

/// Runs `statements` in one transaction whose ledger lines are dated `at`.
async fn back_then(pool: &PgPool, at: &str, statements: &[String]) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query(
        "SELECT set_config('roster.at', $1, true), set_config('roster.via', 'command line', true)",
    )
    .bind(at)
    .execute(&mut *tx)
    .await
    .unwrap();
    for statement in statements {
        sqlx::query(statement).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_ledger_answers_for_any_date_with_monthly_peaks_and_its_workbook_opens(pool: PgPool) {
    back_then(
        &pool,
        "2026-01-15T09:00:00Z",
        &["INSERT INTO organizations (name, enable_seats, opportunity_seats) VALUES ('Then', 10, 2)".into()],
    )
    .await;
    let org: i64 = sqlx::query_scalar("SELECT id FROM organizations WHERE name = 'Then'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let add = |n: i32| {
        format!(
            "INSERT INTO members (organization_id, first_name, last_name, email, permission, status, password_hash, enable_seat)
             VALUES ({org}, 'P', 'Q', 'p{n}@then.example', 'admin', 'active', 'x', true)"
        )
    };
    back_then(&pool, "2026-01-20T10:00:00Z", &[add(1), add(2), add(3)]).await;
    back_then(
        &pool,
        "2026-02-10T10:00:00Z",
        &["UPDATE members SET enable_seat = false WHERE email = 'p3@then.example'".into()],
    )
    .await;
    back_then(
        &pool,
        "2026-03-05T10:00:00Z",
        &[
            format!("UPDATE organizations SET enable_seats = 20 WHERE id = {org}"),
            add(4),
            add(5),
        ],
    )
    .await;
    let access = Access::operator(org, "Then", "test");
    let filter = app::model::licenses::LedgerFilter::default();
    let on = |date: &'static str| {
        let (pool, access, filter) = (pool.clone(), access.clone(), filter.clone());
        async move {
            let o = app::server::ledger::overview(&pool, &access, date, &filter)
                .await
                .unwrap();
            (o.enable.bought, o.enable.held, o.enable.free())
        }
    };
    assert_eq!(on("2026-01-14").await, (0, 0, 0));
    assert_eq!(on("2026-01-31").await, (10, 3, 7));
    assert_eq!(on("2026-02-28").await, (10, 2, 8));
    assert_eq!(on("2026-03-05").await, (20, 4, 16));
    // A date still to come is answered for today.
    let today = app::server::ledger::overview(&pool, &access, "2099-01-01", &filter)
        .await
        .unwrap();
    assert_eq!(today.as_of, OffsetDateTime::now_utc().date().to_string());
    let march = app::server::ledger::overview(&pool, &access, "2026-03-31", &filter)
        .await
        .unwrap();
    let peaks: Vec<(String, i64, i64)> = march
        .enable_peaks
        .iter()
        .map(|p| (p.label(), p.bought, p.peak_held))
        .collect();
    assert_eq!(peaks.len(), 12);
    assert_eq!(
        &peaks[9..],
        &[
            ("Jan 2026".into(), 10, 3),
            // February began with 3 held: its peak is 3, though it ended at 2.
            ("Feb 2026".into(), 10, 3),
            ("Mar 2026".into(), 20, 4),
        ]
    );
    assert_eq!(peaks[0], ("Apr 2025".into(), 0, 0));

    // The workbook opens in a spreadsheet reader (calamine) with the same figures.
    let file = app::server::ledger::export_file(&pool, &access, "2026-03-31", &filter, "xlsx")
        .await
        .unwrap();
    use base64::Engine;
    use calamine::Reader;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file.base64)
        .unwrap();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["Summary", "Monthly peaks", "Events"]
    );
    let summary = book.worksheet_range("Summary").unwrap();
    let row: Vec<String> = summary
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(row, vec!["Enable", "20", "4", "0", "16"]);
    let events = book.worksheet_range("Events").unwrap();
    // A header; bought at creation (both kinds) and raised in March; 5 granted, 1 freed.
    assert_eq!(events.rows().count(), 1 + 3 + 5 + 1);
    let csv = app::server::ledger::export_file(&pool, &access, "", &filter, "csv")
        .await
        .unwrap();
    assert!(csv.file_name.ends_with(".csv"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_weekly_digest_goes_once_a_week_to_who_opted_in_and_a_manager_sees_their_teams(
    pool: PgPool,
) {
    let app = common::spawn_app(pool.clone()).await;
    let (org, admin) = app
        .organization_with_admin("Acme", "ada@acme.example", "correct horse battery")
        .await;
    let access = operator(org);
    let region: i64 = sqlx::query_scalar(
        "INSERT INTO regions (organization_id, name) VALUES ($1, 'EMEA') RETURNING id",
    )
    .bind(org)
    .fetch_one(&pool)
    .await
    .unwrap();
    let team = |name: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO teams (organization_id, region_id, name) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(org)
            .bind(region)
            .bind(name)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (a, b) = (team("A").await, team("B").await);
    let manager = app
        .member(org, "mia@acme.example", "manager", Some("x"))
        .await;
    sqlx::query(
        "INSERT INTO manager_scopes (organization_id, member_id, team_id) VALUES ($1, $2, $3)",
    )
    .bind(org)
    .bind(manager)
    .bind(a)
    .execute(&pool)
    .await
    .unwrap();
    // Three invited: two in team A, one in team B.
    for (email, t) in [
        ("p1@acme.example", a),
        ("p2@acme.example", a),
        ("p3@acme.example", b),
    ] {
        let id = invite(&pool, &access, email, false, false).await;
        sqlx::query("UPDATE members SET team_id = $2 WHERE id = $1")
            .bind(id)
            .bind(t)
            .execute(&pool)
            .await
            .unwrap();
    }
    let config = config();
    let mine = |id: i64, email: &'static str, permission: app::domain::Permission| {
        let mut who = Access::member_self(org, id, email);
        who.role = permission;
        who
    };
    app::server::digest::set_mine(
        &pool,
        &mine(admin, "ada@acme.example", app::domain::Permission::Admin),
        true,
    )
    .await
    .unwrap();
    app::server::digest::set_mine(
        &pool,
        &mine(
            manager,
            "mia@acme.example",
            app::domain::Permission::Manager,
        ),
        true,
    )
    .await
    .unwrap();
    // A member may not.
    let member = app
        .member(org, "max@acme.example", "member", Some("x"))
        .await;
    assert!(app::server::digest::set_mine(
        &pool,
        &mine(member, "max@acme.example", app::domain::Permission::Member),
        true
    )
    .await
    .is_err());

    let digests = |at: OffsetDateTime| {
        let (pool, config) = (pool.clone(), config.clone());
        async move {
            let (x, y) = tokio::join!(
                app::server::digest::send_due(&pool, &config, at),
                app::server::digest::send_due(&pool, &config, at)
            );
            x.unwrap() + y.unwrap()
        }
    };
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        digests(now + Duration::days(3)).await,
        0,
        "not before a week"
    );
    assert_eq!(
        digests(now + Duration::days(7) + Duration::minutes(1)).await,
        2
    );
    assert_eq!(digests(now + Duration::days(8)).await, 0, "once a week");
    assert_eq!(
        digests(now + Duration::days(14) + Duration::minutes(2)).await,
        2
    );
    let text = |to: &'static str| {
        let pool = pool.clone();
        async move {
            let payload: serde_json::Value = sqlx::query_scalar(
                "SELECT payload FROM email_outbox WHERE kind = 'digest' AND to_address = $1 ORDER BY id LIMIT 1",
            )
            .bind(to)
            .fetch_one(&pool)
            .await
            .unwrap();
            payload
        }
    };
    let admin_digest = text("ada@acme.example").await;
    let manager_digest = text("mia@acme.example").await;
    // The administrator's covers the organization (and seats); the manager's their team.
    // A week on, the three invitations have expired.
    assert_eq!(admin_digest["expired"], 3);
    assert_eq!(admin_digest["pending"], 0);
    assert_eq!(admin_digest["enable_free"], 10);
    assert_eq!(manager_digest["expired"], 2);
    assert_eq!(manager_digest["enable_free"], serde_json::Value::Null);
    assert_eq!(manager_digest["scope"], "your teams");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn what_the_licenses_pages_take_is_bounded_and_refused_in_words(pool: PgPool) {
    use app::model::licenses::LedgerFilter;
    let org = create_organization(&pool, "Acme", "ada@acme.example", 3, 1).await;
    let access = operator(org.organization_id);
    let said = |r: Result<app::model::licenses::LicensesOverview, app::error::AppError>| {
        r.unwrap_err().to_string()
    };
    let filter = |seat: &str, event: &str, from: &str| LedgerFilter {
        seat: seat.into(),
        event: event.into(),
        from: from.into(),
        to: String::new(),
    };
    let overview = |as_of: &'static str, f: LedgerFilter| {
        let (pool, access) = (pool.clone(), access.clone());
        async move { app::server::ledger::overview(&pool, &access, as_of, &f).await }
    };
    assert!(said(overview("yesterday", filter("", "", "")).await).contains("as a date"));
    assert!(said(overview("", filter("gold", "", "")).await).contains("Enable or Opportunity"));
    assert!(said(overview("", filter("", "stolen", "")).await).contains("listed events"));
    assert!(said(overview("", filter("", "", "2026-02-30")).await).contains("as a date"));
    let export =
        app::server::ledger::export_file(&pool, &access, "", &LedgerFilter::default(), "pdf")
            .await
            .unwrap_err();
    assert!(
        export.to_string().contains("choose csv or xlsx"),
        "{export}"
    );

    // Scheduling: at most MAX_SCHEDULED_AT_ONCE members, a day after today within three years.
    let too_many: Vec<i64> = (1..=app::server::members::MAX_SCHEDULED_AT_ONCE as i64 + 1).collect();
    let tomorrow = OffsetDateTime::now_utc().date() + Duration::days(1);
    assert!(
        app::server::members::schedule_deactivation(&pool, &access, &too_many, Some(tomorrow))
            .await
            .is_err()
    );
    let far = OffsetDateTime::now_utc().date() + Duration::days(5 * 366);
    let refused = app::server::members::schedule_deactivation(
        &pool,
        &access,
        &[org.admin_member_id],
        Some(far),
    )
    .await
    .unwrap_err();
    assert!(
        refused.to_string().contains("within the next 3 years"),
        "{refused}"
    );
    // Another organization's member is out of reach: nothing is scheduled.
    let other = create_organization(&pool, "Globex", "gil@globex.example", 1, 0).await;
    let done = app::server::members::schedule_deactivation(
        &pool,
        &access,
        &[other.admin_member_id],
        Some(tomorrow),
    )
    .await
    .unwrap();
    assert_eq!(done, 0);
}

// ---------------------------------------------------------------------------------------
// The ledger's daily sums answer as its lines do
// ---------------------------------------------------------------------------------------

/// What the Licenses page answers for `org` on each of `dates` and today: counts, peaks,
/// how many lines.
async fn ledger_answers(pool: &PgPool, org: i64, dates: &[String]) -> Vec<String> {
    let access = Access::operator(org, "Acme", "test");
    let filter = app::model::licenses::LedgerFilter::default();
    let mut answers = Vec::new();
    for date in dates.iter().map(String::as_str).chain([""]) {
        let o = app::server::ledger::overview(pool, &access, date, &filter)
            .await
            .unwrap();
        answers.push(format!(
            "{date}: {:?} {:?} {:?} {:?} {}",
            o.enable, o.opportunity, o.enable_peaks, o.opportunity_peaks, o.lines_total
        ));
    }
    answers
}

/// The same answers from the lines alone: the daily sums dropped first.
async fn answers_from_lines(pool: &PgPool, org: i64, dates: &[String]) -> Vec<String> {
    for table in ["license_summaries", "license_days"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE organization_id = $1"))
            .bind(org)
            .execute(pool)
            .await
            .unwrap();
    }
    ledger_answers(pool, org, dates).await
}

/// The worker's passes until the sums reach `settle_seconds` ago.
async fn summarize(pool: &PgPool, org: i64, settle_seconds: f64) {
    use app::server::license_days::summarize_organization;
    while !summarize_organization(pool, org, settle_seconds)
        .await
        .unwrap()
        .1
    {}
}

/// Lines dated `ago` before now, `n` of them, both kinds, ups and downs, several sharing a
/// moment (their order is then the id's).
fn lines_sql(org: i64, n: i32, ago: &str) -> String {
    format!(
        "INSERT INTO license_events (organization_id, seat, event, held_delta, used_delta, bought_delta,
                                     via, actor_label, at)
         SELECT {org}, CASE WHEN k % 3 = 0 THEN 'opportunity' ELSE 'enable' END, 'granted',
                CASE WHEN k % 5 < 3 THEN 1 ELSE -1 END,
                CASE WHEN k % 3 <> 0 AND k % 7 = 0 THEN 1 WHEN k % 3 <> 0 AND k % 11 = 0 THEN -1 ELSE 0 END,
                CASE WHEN k % 13 = 0 THEN 5 ELSE 0 END, 'command line', 'test',
                now() - {ago} * ((k * 7919) % 1000) / 1000.0 - (k / 4) * interval '0 seconds'
           FROM generate_series(1, {n}) k"
    )
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_ledgers_daily_sums_answer_as_its_lines_through_late_lines_and_writers_at_once(
    pool: PgPool,
) {
    let org = create_organization(&pool, "Acme", "ada@acme.example", 10, 5)
        .await
        .organization_id;
    let exec = |sql: String| {
        let pool = pool.clone();
        async move { sqlx::query(&sql).execute(&pool).await.unwrap() }
    };
    // 400 days of history, and the last hour.
    exec(lines_sql(org, 3000, "interval '400 days'")).await;
    exec(lines_sql(org, 300, "interval '1 hour'")).await;
    let today = OffsetDateTime::now_utc().date();
    let dates: Vec<String> = [400, 380, 200, 35, 1, 0]
        .iter()
        .map(|d| (today - Duration::days(*d)).to_string())
        .collect();
    let expected = answers_from_lines(&pool, org, &dates).await;

    // Summed up to 40 minutes ago (the day holding that moment in part), then to now (the
    // rest of that day added to it).
    summarize(&pool, org, 2400.0).await;
    assert_eq!(ledger_answers(&pool, org, &dates).await, expected);
    summarize(&pool, org, 0.0).await;
    assert_eq!(ledger_answers(&pool, org, &dates).await, expected);
    let days: i64 =
        sqlx::query_scalar("SELECT count(*) FROM license_days WHERE organization_id = $1")
            .bind(org)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(days > 300, "{days}");

    // Late lines (stamped before where the sums end) send them back to that day's start:
    // the answers count them at once, and the next pass sums those days again.
    exec(lines_sql(org, 40, "interval '100 days'")).await;
    let through: OffsetDateTime =
        sqlx::query_scalar("SELECT through FROM license_summaries WHERE organization_id = $1")
            .bind(org)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(through.time(), time::Time::MIDNIGHT);
    assert!(
        through < OffsetDateTime::now_utc() - Duration::days(90),
        "{through}"
    );
    let before_pass = ledger_answers(&pool, org, &dates).await;
    summarize(&pool, org, 0.0).await;
    let after_pass = ledger_answers(&pool, org, &dates).await;
    let expected = answers_from_lines(&pool, org, &dates).await;
    assert_eq!(before_pass, expected);
    assert_eq!(after_pass, expected);

    // Writers and the worker at once: writers hold the ledger lock shared until they
    // commit, the worker takes it alone (or waits for its next pass).
    summarize(&pool, org, 0.0).await;
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (pool, sql) = (pool.clone(), lines_sql(org, 5, "interval '1 second'"));
            tokio::spawn(async move {
                for _ in 0..10 {
                    let mut tx = pool.begin().await.unwrap();
                    sqlx::query(&sql).execute(&mut *tx).await.unwrap();
                    tokio::time::sleep(std::time::Duration::from_millis(3 + w)).await;
                    tx.commit().await.unwrap();
                }
            })
        })
        .collect();
    let worker = {
        let pool = pool.clone();
        tokio::spawn(async move {
            for _ in 0..30 {
                app::server::license_days::summarize_organization(&pool, org, 0.0)
                    .await
                    .unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        })
    };
    for writer in writers {
        writer.await.unwrap();
    }
    worker.await.unwrap();
    summarize(&pool, org, 0.0).await;
    let summed = ledger_answers(&pool, org, &dates).await;
    assert_eq!(summed, answers_from_lines(&pool, org, &dates).await);
    // And the worker's own step sums every organization from nothing.
    assert!(app::server::license_days::summarize(&pool).await.unwrap() > 0);
    assert_eq!(ledger_answers(&pool, org, &dates).await, summed);
}
