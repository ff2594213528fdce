//! Single sign-on's rules at the server (issue 23): a domain proved by one organization
//! only, an issuer on a private address never called, Require SSO turning passwords off
//! but for the way back in, a replayed or unknown `state` refused. The browser tests
//! (end2end/tests/sso.spec.ts) sign in against real providers.

use crate::common::{self, create_organization, operator, spawn_app};
use app::domain::sso::SsoRefusal;
use app::server::sso::{self, Purpose, Settings};
use sqlx::PgPool;

#[sqlx::test(migrations = "../migrations")]
async fn a_domain_is_proved_by_one_organization_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let acme = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let evil = create_organization(&app.pool, "Evil", "admin@evil.test", 5, 5).await;
    for org in [acme.organization_id, evil.organization_id] {
        sso::add_domain(&app.pool, &operator(org), "Acme.COM")
            .await
            .unwrap();
    }
    let proof = |org: i64| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT proof FROM sso_domains WHERE organization_id = $1 AND domain = 'acme.com'",
            )
            .bind(org)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    // Without the record, nothing is proved.
    let refused = sso::verify_domain(
        &app.pool,
        app.dns.as_ref(),
        &operator(acme.organization_id),
        "acme.com",
    )
    .await;
    assert!(refused
        .unwrap_err()
        .to_string()
        .contains("No TXT record _roster-verification.acme.com"));
    // Evil's proof published under Acme's name proves nothing for Acme.
    app.dns.publish(
        "_roster-verification.acme.com",
        &app::domain::sso::proof_value(&proof(evil.organization_id).await),
    );
    app.dns.publish(
        "_roster-verification.acme.com",
        &app::domain::sso::proof_value(&proof(acme.organization_id).await),
    );
    sso::verify_domain(
        &app.pool,
        app.dns.as_ref(),
        &operator(acme.organization_id),
        "acme.com",
    )
    .await
    .unwrap();
    // Evil's record is there too, but the domain is Acme's now.
    let taken = sso::verify_domain(
        &app.pool,
        app.dns.as_ref(),
        &operator(evil.organization_id),
        "acme.com",
    )
    .await
    .unwrap_err();
    assert!(
        taken
            .to_string()
            .contains("Another organization has proved this domain"),
        "{taken}"
    );
    // Addresses on it lead to Acme's sign-in only once Acme has a connection.
    assert_eq!(
        sso::organization_for_email(&app.pool, "ava@acme.com")
            .await
            .unwrap(),
        None
    );
    sso::save(
        &app.pool,
        &common::runtime_config(&app.base, false),
        &operator(acme.organization_id),
        &Settings {
            issuer: "https://idp.acme.test".into(),
            client_id: "roster".into(),
            client_secret: "s3cret".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        sso::organization_for_email(&app.pool, "Ava@ACME.com")
            .await
            .unwrap(),
        Some(acme.organization_id)
    );
    // The secret is kept for the provider and never logged in the Activity.
    let details: Vec<String> =
        sqlx::query_scalar("SELECT details::text FROM audit_log WHERE organization_id = $1")
            .bind(acme.organization_id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(details.iter().all(|d| !d.contains("s3cret")));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_issuer_on_a_private_address_is_never_called(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let mut production = common::runtime_config(&app.base, false);
    production.development = false;
    // Plain HTTP, and addresses inside the network, are refused when saved…
    for issuer in [
        "http://idp.example",
        "https://idp.example/?x=1",
        "https://user:pw@idp.example",
    ] {
        let refused = sso::save(
            &app.pool,
            &production,
            &operator(org.organization_id),
            &Settings {
                issuer: issuer.into(),
                client_id: "c".into(),
                client_secret: "s".into(),
            },
        )
        .await;
        assert!(refused.is_err(), "{issuer}");
    }
    // …and when one is stored anyway (127.0.0.1, 169.254.169.254), no connection is made.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    for issuer in [
        format!("https://127.0.0.1:{port}"),
        format!("https://localhost:{port}"),
        "https://169.254.169.254".into(),
    ] {
        sqlx::query(
            "INSERT INTO sso_connections (organization_id, issuer, client_id, client_secret) VALUES ($1, $2, 'c', 's')
             ON CONFLICT (organization_id) DO UPDATE SET issuer = EXCLUDED.issuer",
        )
        .bind(org.organization_id)
        .bind(&issuer)
        .execute(&app.pool)
        .await
        .unwrap();
        let started = sso::start(
            &app.pool,
            &production,
            org.organization_id,
            Purpose::SignIn,
            None,
        )
        .await;
        assert_eq!(
            started.unwrap_err(),
            SsoRefusal::ProviderUnreachable,
            "{issuer}"
        );
    }
    let accepted =
        tokio::time::timeout(std::time::Duration::from_millis(300), listener.accept()).await;
    assert!(accepted.is_err(), "Roster connected to a private address");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unknown_or_replayed_state_signs_no_one_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    let config = common::runtime_config(&app.base, false);
    for state in [None, Some(""), Some("not-a-state-we-made")] {
        let finished = sso::finish(&app.pool, &config, Some("code"), state, None).await;
        assert_eq!(finished.unwrap_err(), SsoRefusal::StateUsed);
    }
    // A state that was made, used once: gone.
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let state = "a-state-that-was-made";
    sqlx::query(
        "INSERT INTO sso_logins (state_hash, organization_id, purpose, nonce, pkce_verifier, changed_at)
         VALUES (sha256($1::bytea), $2, 'sign_in', 'n', 'v', now())",
    )
    .bind(state.as_bytes())
    .bind(org.organization_id)
    .execute(&app.pool)
    .await
    .unwrap();
    // The provider said no: refused, and the state is spent.
    let first = sso::finish(&app.pool, &config, None, Some(state), Some("access_denied")).await;
    assert_eq!(first.unwrap_err(), SsoRefusal::ProviderRefused);
    let again = sso::finish(&app.pool, &config, Some("code"), Some(state), None).await;
    assert_eq!(again.unwrap_err(), SsoRefusal::StateUsed);
}

#[sqlx::test(migrations = "../migrations")]
async fn require_sso_turns_passwords_off_but_for_the_way_back_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (org, admin) = app
        .organization_with_admin("Acme", "admin@acme.test", "correct horse battery")
        .await;
    app.member(
        org,
        "rep@acme.test",
        "member",
        Some("another long passphrase"),
    )
    .await;
    let access = operator(org);
    let config = common::runtime_config(&app.base, false);
    sso::save(
        &app.pool,
        &config,
        &access,
        &Settings {
            issuer: "https://idp.acme.test".into(),
            client_id: "roster".into(),
            client_secret: "s".into(),
        },
    )
    .await
    .unwrap();
    // Not tested: SSO cannot be required.
    let refused = sso::set_policy(&app.pool, &access, true, Some(admin), false).await;
    assert!(refused
        .unwrap_err()
        .to_string()
        .contains("Test sign-in first"));
    sqlx::query("UPDATE sso_connections SET tested_at = now() WHERE organization_id = $1")
        .bind(org)
        .execute(&app.pool)
        .await
        .unwrap();
    // A member who is no administrator cannot be the way back in.
    let rep: i64 = sqlx::query_scalar("SELECT id FROM members WHERE email = 'rep@acme.test'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(sso::set_policy(&app.pool, &access, true, Some(rep), false)
        .await
        .is_err());
    sso::set_policy(&app.pool, &access, true, Some(admin), false)
        .await
        .unwrap();

    let rep_signs_in = app
        .sign_in(
            &common::browser(),
            "rep@acme.test",
            "another long passphrase",
        )
        .await;
    assert!(rep_signs_in
        .unwrap_err()
        .to_string()
        .contains("signs in with its company account"),);
    app.sign_in(
        &common::browser(),
        "admin@acme.test",
        "correct horse battery",
    )
    .await
    .unwrap();
    let recorded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'sso.way_back_in_used' AND subject_member_id = $1",
    )
    .bind(admin)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(recorded, 1);
    // Changing the provider's settings clears the test, and with it the requirement.
    sso::save(
        &app.pool,
        &config,
        &access,
        &Settings {
            issuer: "https://other-idp.acme.test".into(),
            client_id: "roster".into(),
            client_secret: String::new(),
        },
    )
    .await
    .unwrap();
    let (required, tested): (bool, bool) = sqlx::query_as(
        "SELECT required, tested_at IS NOT NULL FROM sso_connections WHERE organization_id = $1",
    )
    .bind(org)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((required, tested), (false, false));
    app.sign_in(
        &common::browser(),
        "rep@acme.test",
        "another long passphrase",
    )
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_ins_in_flight_are_bounded_before_the_provider_is_called(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    // A provider on loopback (allowed in development) that must never be reached.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    sqlx::query(
        "INSERT INTO sso_connections (organization_id, issuer, client_id, client_secret) VALUES ($1, $2, 'c', 's')",
    )
    .bind(org.organization_id)
    .bind(&issuer)
    .execute(&app.pool)
    .await
    .unwrap();
    // Anyone may start a sign-in: as many as the bound are in flight already.
    sqlx::query(
        "INSERT INTO sso_logins (state_hash, organization_id, purpose, nonce, pkce_verifier, changed_at)
         SELECT sha256(n::text::bytea), $1, 'sign_in', 'n', 'v', now() FROM generate_series(1, $2) n",
    )
    .bind(org.organization_id)
    .bind(sso::MAX_IN_FLIGHT)
    .execute(&app.pool)
    .await
    .unwrap();
    let config = common::runtime_config(&app.base, false);
    let started = sso::start(
        &app.pool,
        &config,
        org.organization_id,
        Purpose::SignIn,
        None,
    )
    .await;
    assert_eq!(started.unwrap_err(), SsoRefusal::ProviderUnreachable);
    let called =
        tokio::time::timeout(std::time::Duration::from_millis(300), listener.accept()).await;
    assert!(called.is_err(), "the provider was called past the bound");
    // Sign-ins older than ten minutes are swept, and starting is possible again.
    sqlx::query("UPDATE sso_logins SET created_at = now() - interval '11 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    let swept = server::maintenance::sweep(&app.pool).await.unwrap();
    assert_eq!(swept.sso_logins, sso::MAX_IN_FLIGHT as u64);
}
