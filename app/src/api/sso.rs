//! Single sign-on: the Identity page's settings, and the sign-in's two legs — to the
//! company's identity provider and back. Every form works before the page is interactive.

use crate::error::AppError;
use leptos::prelude::*;

/// Saves the identity provider's settings (the secret kept when left empty).
#[server]
pub async fn save_sso(
    issuer: String,
    client_id: String,
    client_secret: String,
) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    crate::server::sso::save(
        &state.pool,
        &state.config,
        &access,
        &crate::server::sso::Settings {
            issuer,
            client_id,
            client_secret,
        },
    )
    .await?;
    leptos_axum::redirect("/organization/identity?saved=sso#sso-title");
    Ok(())
}

/// Require SSO (with the way back in) and creation on first sign-in; checkboxes left out
/// are "no".
#[server]
pub async fn set_sso_policy(
    required: Option<String>,
    way_back_in: Option<i64>,
    create_on_first_sign_in: Option<String>,
) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::sso::set_policy(
        &pool,
        &access,
        required.is_some(),
        way_back_in,
        create_on_first_sign_in.is_some(),
    )
    .await?;
    leptos_axum::redirect("/organization/identity?saved=sso-policy#sso-title");
    Ok(())
}

#[server]
pub async fn add_sso_domain(domain: String) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::sso::add_domain(&pool, &access, &domain).await?;
    leptos_axum::redirect("/organization/identity#domains-title");
    Ok(())
}

#[server]
pub async fn verify_sso_domain(domain: String) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let state = crate::server::state()?;
    crate::server::sso::verify_domain(&state.pool, state.dns.as_ref(), &access, &domain).await?;
    leptos_axum::redirect("/organization/identity?saved=domain#domains-title");
    Ok(())
}

#[server]
pub async fn remove_sso_domain(domain: String) -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::sso::remove_domain(&pool, &access, &domain).await?;
    leptos_axum::redirect("/organization/identity#domains-title");
    Ok(())
}

/// Whether an address's domain signs in with a company account (the sign-in page offers
/// the button then). Says no more than the sign-in page would.
#[server]
pub async fn sso_for_email(email: String) -> Result<bool, AppError> {
    if email.len() > crate::domain::email::MAX_LEN {
        return Ok(false);
    }
    let pool = crate::server::pool()?;
    Ok(crate::server::sso::organization_for_email(&pool, &email)
        .await?
        .is_some())
}

/// Continue with your company account: off to the identity provider of the address's
/// organization, or back to the sign-in page saying why not.
#[server]
pub async fn sso_start(email: String) -> Result<(), AppError> {
    let state = crate::server::state()?;
    let organization = if email.len() > crate::domain::email::MAX_LEN {
        None
    } else {
        crate::server::sso::organization_for_email(&state.pool, &email).await?
    };
    let target = match organization {
        None => refused(crate::domain::sso::SsoRefusal::NoConnection),
        Some(org) => match crate::server::sso::start(
            &state.pool,
            &state.config,
            org,
            crate::server::sso::Purpose::SignIn,
            None,
        )
        .await
        {
            Ok(url) => url,
            Err(refusal) => refused(refusal),
        },
    };
    leptos_axum::redirect(&target);
    Ok(())
}

/// Test sign-in (administrators): a sign-in at the provider that signs no one in, and
/// must succeed before SSO can be required.
#[server]
pub async fn sso_test() -> Result<(), AppError> {
    let access = crate::server::session::require_access().await?;
    access.may(crate::domain::Capability::ManageOrganization)?;
    let state = crate::server::state()?;
    let target = match crate::server::sso::start(
        &state.pool,
        &state.config,
        access.organization_id,
        crate::server::sso::Purpose::Test,
        access.member_id(),
    )
    .await
    {
        Ok(url) => url,
        Err(refusal) => format!("/organization/identity?sso={}#sso-title", refusal.key()),
    };
    leptos_axum::redirect(&target);
    Ok(())
}

/// Accept with your company account, from an invitation link (the token in the body, not
/// the address).
#[server]
pub async fn sso_accept(token: String) -> Result<(), AppError> {
    let state = crate::server::state()?;
    let client = crate::server::session::client_address().await;
    let target = match crate::server::invitations::open_member(&state.pool, &token, &client).await?
    {
        None => "/sign-in?sso=state-used".to_owned(),
        Some((org, member)) => match crate::server::sso::start(
            &state.pool,
            &state.config,
            org,
            crate::server::sso::Purpose::Accept,
            Some(member),
        )
        .await
        {
            Ok(url) => url,
            Err(refusal) => refused(refusal),
        },
    };
    leptos_axum::redirect(&target);
    Ok(())
}

/// Where the identity provider sends the browser back (`GET /api/sso/callback`): signed
/// in, to the organization or My programs; a Test sign-in, to the Identity page; refused,
/// to the sign-in page with the reason.
#[server(endpoint = "sso/callback", input = leptos::server_fn::codec::GetUrl)]
pub async fn sso_callback(
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
) -> Result<(), AppError> {
    let server = crate::server::state()?;
    let finished = crate::server::sso::finish(
        &server.pool,
        &server.config,
        code.as_deref(),
        state.as_deref(),
        error.as_deref(),
    )
    .await;
    let target = match finished {
        Ok(crate::server::sso::Finished::SignedIn { permission, .. }) => {
            if permission == crate::domain::Permission::Member {
                "/my-programs".to_owned()
            } else {
                "/organization".to_owned()
            }
        }
        Ok(crate::server::sso::Finished::Tested { .. }) => {
            "/organization/identity?tested=1#sso-title".to_owned()
        }
        Err(refusal) => refused(refusal),
    };
    leptos_axum::redirect(&target);
    Ok(())
}

/// The sign-in page, saying why a company sign-in did not sign anyone in.
#[cfg(feature = "ssr")]
fn refused(refusal: crate::domain::sso::SsoRefusal) -> String {
    format!("/sign-in?sso={}", refusal.key())
}
