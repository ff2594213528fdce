//! Sign-in throttling under concurrency: an attempt is counted before its password is
//! checked, so a burst of any size gets at most the limit checked; the pair (account,
//! client address) is throttled strictly, the address alone loosely.

use crate::common;

use app::server::auth::sign_in;
use app::server::throttle::{ADDRESS_LIMIT, PAIR_LIMIT};
use common::spawn_app;
use sqlx::PgPool;

const PASSWORD: &str = "a long passphrase";

/// What a burst of sign-ins got: passwords checked (wrong or right) and refusals unchecked.
#[derive(Default, Debug)]
struct Outcome {
    wrong: usize,
    signed_in: usize,
    throttled: usize,
}

async fn burst(pool: &PgPool, email: &str, address: &str, passwords: Vec<String>) -> Outcome {
    let attempts = passwords.into_iter().map(|password| {
        let (pool, email, address) = (pool.clone(), email.to_owned(), address.to_owned());
        tokio::spawn(async move { sign_in(&pool, &email, &password, &address).await })
    });
    let mut outcome = Outcome::default();
    for attempt in futures_join(attempts).await {
        match attempt {
            Ok(_) => outcome.signed_in += 1,
            Err(e) if e.to_string().contains("not right") => outcome.wrong += 1,
            Err(e) if e.to_string().contains("Too many") => outcome.throttled += 1,
            Err(e) => panic!("unexpected answer: {e}"),
        }
    }
    outcome
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        out.push(handle.await.unwrap());
    }
    out
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_concurrent_burst_gets_at_most_the_limit_checked(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;

    // 40 wrong passwords at once from one address: at most five checked (fewer when the
    // address's sign-ins in flight are refused at once), the rest refused unchecked.
    let wrong: Vec<String> = (0..40).map(|i| format!("wrong guess {i}")).collect();
    let outcome = burst(&pool, "ada@acme.example", "203.0.113.7", wrong).await;
    assert!(
        (1..=PAIR_LIMIT as usize).contains(&outcome.wrong),
        "{outcome:?}"
    );
    assert_eq!(outcome.wrong + outcome.throttled, 40, "{outcome:?}");

    // 200 guesses at once, the right one last, from another address: at most five
    // checked, whichever they are.
    let mut guesses: Vec<String> = (0..199).map(|i| format!("guess {i}")).collect();
    guesses.push(PASSWORD.to_owned());
    let outcome = burst(&pool, "ada@acme.example", "198.51.100.9", guesses).await;
    assert!(
        outcome.wrong + outcome.signed_in <= PAIR_LIMIT as usize,
        "{outcome:?}"
    );
    assert!(
        outcome.throttled >= 200 - PAIR_LIMIT as usize,
        "{outcome:?}"
    );

    // Someone else's guessing did not lock the person out at their own address.
    sign_in(&pool, "ada@acme.example", PASSWORD, "192.0.2.10")
        .await
        .unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_address_guessing_at_many_accounts_does_not_lock_out_the_others(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    app.member(org, "max@acme.example", "member", Some(PASSWORD))
        .await;
    // 30 junk attempts on 30 accounts from one office address.
    for i in 0..30 {
        assert!(sign_in(
            &pool,
            &format!("nobody{i}@acme.example"),
            "junk",
            "203.0.113.50"
        )
        .await
        .is_err());
    }
    // A colleague behind the same address signs in with the right password.
    sign_in(&pool, "max@acme.example", PASSWORD, "203.0.113.50")
        .await
        .unwrap();
    // The address alone has a looser limit.
    let (failures,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM sign_in_failures WHERE ip_address = '203.0.113.50'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(failures < ADDRESS_LIMIT);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_success_forgives_only_its_own_earlier_failures(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    for _ in 0..3 {
        assert!(sign_in(&pool, "ada@acme.example", "typo", "192.0.2.1")
            .await
            .is_err());
    }
    // An attempt of someone else still being checked (admitted, not settled).
    sqlx::query(
        "INSERT INTO sign_in_failures (email_lower, ip_address, settled) VALUES ('ada@acme.example', '192.0.2.1', false)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sign_in(&pool, "ada@acme.example", PASSWORD, "192.0.2.1")
        .await
        .unwrap();
    let (left,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM sign_in_failures WHERE email_lower = 'ada@acme.example'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, 1, "the attempt still being checked stays counted");
}
