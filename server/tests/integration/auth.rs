//! Sign-in, sessions, invitations and page guards over real HTTP against the real server.

use crate::common;

use app::api::invitations::{AcceptInvitation, Invitation};
use app::api::member_list::ListMembers;
use app::error::AppError;
use app::model::invitations::InvitationView;
use common::{browser, create_organization, spawn_app};
use reqwest::StatusCode;
use sqlx::PgPool;

const PASSWORD: &str = "a long passphrase";

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sign_in_sets_a_safe_session_cookie_and_opens_admin_pages(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let client = browser();
    let response = client
        .post(app.url(<app::api::auth::SignIn as leptos::server_fn::ServerFn>::PATH))
        .header("Accept", "application/json")
        .form(&[("email", "ADA@acme.example "), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("roster_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let page = client.get(app.url("/organization")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("My Organization"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn wrong_passwords_are_refused_then_the_account_is_locked(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let client = browser();
    for _ in 0..5 {
        let error = app
            .sign_in(&client, "ada@acme.example", "wrong password")
            .await
            .unwrap_err();
        assert_eq!(
            error,
            AppError::invalid(
                "The email address or password is not right. Check both and try again."
            )
        );
    }
    let error = app
        .sign_in(&client, "ada@acme.example", PASSWORD)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Too many failed sign-ins for this account"),
        "{error}"
    );
    // Unknown addresses get the same answer as wrong passwords (no account enumeration).
    let error = app
        .sign_in(&client, "nobody@acme.example", PASSWORD)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not right"), "{error}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn members_get_403_and_anonymous_visitors_a_redirect(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (org, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    app.member(org, "max@acme.example", "member", Some(PASSWORD))
        .await;

    let anonymous = browser()
        .get(app.url("/organization"))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::FOUND);
    assert_eq!(
        anonymous.headers()["location"],
        "/sign-in?next=/organization"
    );

    let client = browser();
    app.sign_in(&client, "max@acme.example", PASSWORD)
        .await
        .unwrap();
    let page = client.get(app.url("/organization")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("This page is for administrators"));
    // The server functions behind the page refuse too, whatever the page showed.
    let error = app
        .call_json::<ListMembers>(&client, serde_json::json!({ "filter": {} }))
        .await
        .unwrap_err();
    assert_eq!(error, AppError::Forbidden);
    let page = client.get(app.url("/my-programs")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn tenants_never_see_each_other(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (acme, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let (globex, _) = app
        .organization_with_admin("Globex", "gus@globex.example", PASSWORD)
        .await;
    app.member(acme, "max@acme.example", "member", None).await;
    let secret = app
        .member(globex, "hank@globex.example", "member", None)
        .await;

    let client = browser();
    app.sign_in(&client, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    let page = app
        .call_json::<ListMembers>(&client, serde_json::json!({ "filter": {} }))
        .await
        .unwrap();
    let emails: Vec<&str> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ada@acme.example", "max@acme.example"]);
    // A cursor naming another tenant's member yields nothing from that tenant.
    let page = app
        .call_json::<ListMembers>(
            &client,
            serde_json::json!({ "filter": {}, "after": secret }),
        )
        .await
        .unwrap();
    assert!(page["rows"].as_array().unwrap().is_empty());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_invitation_is_single_use_and_signs_the_person_in(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let created = create_organization(&pool, "Acme", "ada@acme.example", 1, 0).await;
    let token = created.invitation_token.as_str();

    let view = app
        .call::<Invitation>(&browser(), &[("token", token)])
        .await
        .unwrap();
    let view: InvitationView = serde_json::from_value(view).unwrap();
    assert!(matches!(view, InvitationView::Open { ref email, .. } if email == "ada@acme.example"));

    // Mismatched passwords change nothing.
    let error = app
        .call::<AcceptInvitation>(
            &browser(),
            &[
                ("token", token),
                ("password", PASSWORD),
                ("password_confirmation", "something else"),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.for_field("password").unwrap(),
        "The two passwords differ: type the same password twice."
    );
    let status: String = sqlx::query_scalar("SELECT status FROM members WHERE id = $1")
        .bind(created.admin_member_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "invited");

    let client = browser();
    app.call::<AcceptInvitation>(
        &client,
        &[
            ("token", token),
            ("password", PASSWORD),
            ("password_confirmation", PASSWORD),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        client
            .get(app.url("/organization"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    // Used once: refused, on the page and on submit.
    let view = app
        .call::<Invitation>(&browser(), &[("token", token)])
        .await
        .unwrap();
    assert!(matches!(
        serde_json::from_value(view).unwrap(),
        InvitationView::Closed { .. }
    ));
    let error = app
        .call::<AcceptInvitation>(
            &browser(),
            &[
                ("token", token),
                ("password", "another passphrase"),
                ("password_confirmation", "another passphrase"),
            ],
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("cannot be used"), "{error}");
    // The first password still works; the second attempt did not replace it.
    app.sign_in(&browser(), "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    // Stored hashed: the token itself is nowhere in the database.
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT token_hash FROM invitations WHERE member_id = $1")
            .bind(created.admin_member_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_ne!(stored, token.as_bytes());
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM members WHERE id = $1")
        .bind(created.admin_member_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn concurrent_accepts_of_one_link_succeed_once(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let created = create_organization(&pool, "Acme", "ada@acme.example", 1, 0).await;
    let attempts: Vec<_> = (0..5)
        .map(|n| {
            let token = created.invitation_token.clone();
            let url = app.url(<AcceptInvitation as leptos::server_fn::ServerFn>::PATH);
            tokio::spawn(async move {
                let password = format!("passphrase number {n}");
                browser()
                    .post(url)
                    .header("Accept", "application/json")
                    .form(&[
                        ("token", token.as_str()),
                        ("password", &password),
                        ("password_confirmation", &password),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut successes = 0;
    for attempt in attempts {
        if attempt.await.unwrap().is_success() {
            successes += 1;
        }
    }
    assert_eq!(successes, 1);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn expired_and_tampered_links_say_what_to_do(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let created = create_organization(&pool, "Acme", "ada@acme.example", 1, 0).await;
    sqlx::query("UPDATE invitations SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day'")
        .execute(&pool)
        .await
        .unwrap();
    let view = app
        .call::<Invitation>(&browser(), &[("token", &created.invitation_token)])
        .await
        .unwrap();
    let InvitationView::Closed { message } = serde_json::from_value(view).unwrap() else {
        panic!("an expired link must be closed")
    };
    assert!(
        message.starts_with("This invitation expired on") && message.contains("resend"),
        "{message}"
    );
    let error = app
        .call::<AcceptInvitation>(
            &browser(),
            &[
                ("token", &created.invitation_token),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("expired"), "{error}");

    let page = browser()
        .get(app.url(&format!("/invite/{}", "f".repeat(64))))
        .send()
        .await
        .unwrap();
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("ask your administrator to resend"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_deactivated_member_is_signed_out_at_once(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let max = app
        .member(org, "max@acme.example", "member", Some(PASSWORD))
        .await;
    let client = browser();
    app.sign_in(&client, "max@acme.example", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        client
            .get(app.url("/my-programs"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    sqlx::query("UPDATE members SET status = 'deactivated' WHERE id = $1")
        .bind(max)
        .execute(&pool)
        .await
        .unwrap();
    let page = client
        .get(app.url("/my-programs"))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FOUND);
    let error = app
        .sign_in(&browser(), "max@acme.example", PASSWORD)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("inactive"), "{error}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn sign_out_ends_the_session(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let client = browser();
    app.sign_in(&client, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    app.call::<app::api::auth::SignOut>(&client, &[])
        .await
        .unwrap();
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    // Only the session of the invitation acceptance (another browser) is left.
    assert_eq!(sessions, 1);
    let page = client
        .get(app.url("/organization"))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FOUND);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn cross_site_writes_are_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let path = <app::api::auth::SignIn as leptos::server_fn::ServerFn>::PATH;
    let other_scheme = app.base.replace("http://", "https://");
    // (headers, refused?)
    let matrix: Vec<(Vec<(&str, &str)>, bool)> = vec![
        (vec![("Origin", "https://evil.example")], true),
        (vec![("Origin", other_scheme.as_str())], true),
        (vec![], true),
        (vec![("Sec-Fetch-Site", "cross-site")], true),
        (vec![("Sec-Fetch-Site", "same-site")], true),
        (vec![("Referer", "https://evil.example/page")], true),
        (vec![("Origin", "null")], true),
        (vec![("Origin", app.base.as_str())], false),
        (vec![("Sec-Fetch-Site", "same-origin")], false),
    ];
    for (headers, refused) in matrix {
        let mut request = reqwest::Client::new()
            .post(app.url(path))
            .header("Accept", "application/json")
            .form(&[("email", "a@b.co"), ("password", "x")]);
        for (name, value) in &headers {
            request = request.header(*name, *value);
        }
        let status = request.send().await.unwrap().status();
        assert_eq!(
            status == StatusCode::FORBIDDEN,
            refused,
            "{headers:?}: {status}"
        );
    }
    // The progress API is for servers: its key decides (401 here, not 403).
    let api = reqwest::Client::new()
        .post(app.url("/api/v1/progress"))
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn healthz_follows_the_database(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let ok = browser().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    pool.close().await;
    let down = browser().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
}
