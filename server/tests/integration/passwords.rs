//! A way back in: *Forgot password?*, the reset link, *Change password* and the
//! administrator's reset link, against the real server and database.

use crate::common;

use app::api::auth::CurrentViewer;
use app::api::members::DeactivateMember;
use app::api::passwords::{
    ChangePassword, PasswordReset, RequestPasswordReset, ResetPassword, SendPasswordReset,
};
use app::error::AppError;
use common::{browser, spawn_app, TestApp};
use sqlx::PgPool;

const PASSWORD: &str = "a long passphrase";
const NEW_PASSWORD: &str = "another long passphrase";

/// The reset token in the newest reset email to `email` (kept: no SMTP in these tests).
async fn reset_token(pool: &PgPool, email: &str) -> Option<String> {
    let link: Option<String> = sqlx::query_scalar(
        "SELECT payload->>'link' FROM email_outbox
          WHERE kind = 'password_reset' AND lower(to_address) = lower($1) ORDER BY id DESC LIMIT 1",
    )
    .bind(email)
    .fetch_optional(pool)
    .await
    .unwrap()
    .flatten();
    link.map(|l| l.rsplit('/').next().unwrap().to_owned())
}

async fn signed_in(app: &TestApp, client: &reqwest::Client) -> bool {
    app.call::<CurrentViewer>(client, &[])
        .await
        .map(|v| !v.is_null())
        .unwrap_or(false)
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn forgot_password_sets_a_new_one_once_and_ends_other_sessions(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    app.organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let elsewhere = browser();
    app.sign_in(&elsewhere, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    assert!(signed_in(&app, &elsewhere).await);

    // The same answer for an address with an account and one without.
    let anonymous = browser();
    for email in ["ADA@acme.example", "nobody@acme.example"] {
        app.call::<RequestPasswordReset>(&anonymous, &[("email", email)])
            .await
            .unwrap();
    }
    assert!(reset_token(&pool, "nobody@acme.example").await.is_none());
    let token = reset_token(&pool, "ada@acme.example").await.unwrap();
    let view = app
        .call::<PasswordReset>(&anonymous, &[("token", &token)])
        .await
        .unwrap();
    assert_eq!(view["Open"]["email"], "ada@acme.example");

    // A weak password is refused by its field; the link still works after.
    let weak = app
        .call::<ResetPassword>(
            &anonymous,
            &[
                ("token", &token),
                ("password", "short"),
                ("password_confirmation", "short"),
            ],
        )
        .await
        .unwrap_err();
    assert!(weak.for_field("password").is_some(), "{weak}");
    let browser_now = browser();
    app.call::<ResetPassword>(
        &browser_now,
        &[
            ("token", &token),
            ("password", NEW_PASSWORD),
            ("password_confirmation", NEW_PASSWORD),
        ],
    )
    .await
    .unwrap();
    assert!(
        signed_in(&app, &browser_now).await,
        "signed in by the reset"
    );
    assert!(!signed_in(&app, &elsewhere).await, "other sessions ended");

    // Single use.
    let again = app
        .call::<ResetPassword>(
            &browser(),
            &[
                ("token", &token),
                ("password", "a third long passphrase"),
                ("password_confirmation", "a third long passphrase"),
            ],
        )
        .await
        .unwrap_err();
    assert!(again.to_string().contains("cannot be used"), "{again}");
    assert!(app
        .sign_in(&browser(), "ada@acme.example", PASSWORD)
        .await
        .is_err());
    app.sign_in(&browser(), "ada@acme.example", NEW_PASSWORD)
        .await
        .unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn deactivated_members_get_no_link_and_requests_are_throttled(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    let gone = app
        .member(org, "gone@acme.example", "member", Some(PASSWORD))
        .await;
    app.call::<DeactivateMember>(&admin, &[("member_id", &gone.to_string())])
        .await
        .unwrap();
    let anonymous = browser();
    app.call::<RequestPasswordReset>(&anonymous, &[("email", "gone@acme.example")])
        .await
        .unwrap();
    assert!(reset_token(&pool, "gone@acme.example").await.is_none());

    // Per address typed: three in the window, then a message (the same for anyone).
    for _ in 0..2 {
        app.call::<RequestPasswordReset>(&anonymous, &[("email", "gone@acme.example")])
            .await
            .unwrap();
    }
    let throttled = app
        .call::<RequestPasswordReset>(&anonymous, &[("email", "gone@acme.example")])
        .await
        .unwrap_err();
    assert!(throttled.to_string().contains("Too many"), "{throttled}");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn administrators_send_links_and_members_change_their_password(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let (org, _) = app
        .organization_with_admin("Acme", "ada@acme.example", PASSWORD)
        .await;
    let admin = browser();
    app.sign_in(&admin, "ada@acme.example", PASSWORD)
        .await
        .unwrap();
    let active = app
        .member(org, "max@acme.example", "member", Some(PASSWORD))
        .await;
    let invited = app.member(org, "new@acme.example", "member", None).await;

    app.call::<SendPasswordReset>(&admin, &[("member_id", &active.to_string())])
        .await
        .unwrap();
    assert!(reset_token(&pool, "max@acme.example").await.is_some());
    let refused = app
        .call::<SendPasswordReset>(&admin, &[("member_id", &invited.to_string())])
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("resend their invitation"),
        "{refused}"
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE organization_id = $1 AND action = 'password.reset_sent'",
    )
    .bind(org)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(actions.len(), 1);
    // A member cannot send one; another organization's member is out of reach.
    let member = browser();
    app.sign_in(&member, "max@acme.example", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        app.call::<SendPasswordReset>(&member, &[("member_id", &active.to_string())])
            .await
            .unwrap_err(),
        AppError::Forbidden
    );

    // Change password: the current one is required; other sessions end, this one stays.
    let other_device = browser();
    app.sign_in(&other_device, "max@acme.example", PASSWORD)
        .await
        .unwrap();
    let wrong = app
        .call::<ChangePassword>(
            &member,
            &[
                ("current_password", "not it at all"),
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await
        .unwrap_err();
    assert!(wrong.for_field("current_password").is_some(), "{wrong}");
    app.call::<ChangePassword>(
        &member,
        &[
            ("current_password", PASSWORD),
            ("password", NEW_PASSWORD),
            ("password_confirmation", NEW_PASSWORD),
        ],
    )
    .await
    .unwrap();
    assert!(signed_in(&app, &member).await);
    assert!(!signed_in(&app, &other_device).await);
    app.sign_in(&browser(), "max@acme.example", NEW_PASSWORD)
        .await
        .unwrap();
}
