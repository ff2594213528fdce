//! Single sign-on with OpenID Connect (SPEC §7), per organization: the settings of the
//! Identity page, the email domains it proves by DNS, and the sign-in itself — the
//! authorization code flow with PKCE, `state` and `nonce`, discovery, and the ID token's
//! signature, issuer, audience and expiry checked by the `openidconnect` crate.
//!
//! The issuer URL is customer input: Roster calls it (discovery, keys, token) with a
//! client that follows no redirects and connects only to public addresses (loopback too in
//! development), over HTTPS outside development. A sign-in in flight is a row found by
//! the hash of its `state`, deleted when the provider sends the person back: a replayed
//! `state` finds nothing. Members are linked by (issuer, subject), never by address alone:
//! an address links or creates an account only on a domain the organization proved.

use super::activity::{self, Action};
use super::crypto::{new_token, token_digest};
use super::members::lock_organization;
use super::RuntimeConfig;
use crate::domain::licenses::Via;
use crate::domain::sso::{self as rules, EmailDomain, SsoRefusal};
use crate::domain::{Access, Capability, Email, MemberStatus, Permission, PersonName};
use crate::error::AppError;
use openidconnect::core::{CoreClient, CoreProviderMetadata, CoreResponseType};
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use sqlx::{PgConnection, PgPool};
use std::time::Duration;
use time::OffsetDateTime;

/// How long a sign-in may take at the provider.
pub const SIGN_IN_MINUTES: i32 = 10;
/// Where the provider sends people back (register it at the provider).
pub const CALLBACK_PATH: &str = "/api/sso/callback";
/// Most email domains one organization claims.
pub const MAX_DOMAINS: i64 = 20;
/// Most sign-ins of one organization in flight at once (started in the last ten minutes,
/// not finished): anyone may start one, so the rows they leave are bounded.
pub const MAX_IN_FLIGHT: i64 = 2_000;

pub fn redirect_uri(config: &RuntimeConfig) -> String {
    format!("{}{CALLBACK_PATH}", config.public_url.trim_end_matches('/'))
}

/// A fault of Roster's own during a sign-in: logged with what was being done, and told
/// to the person as "try again in a moment".
fn fault(doing: &'static str) -> impl Fn(AppError) -> SsoRefusal + Copy {
    move |error| {
        tracing::error!(%error, "{doing}");
        SsoRefusal::ProviderUnreachable
    }
}

/// What a sign-in is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    /// An administrator's Test sign-in: checks the settings, signs no one in.
    Test,
    /// Accepting an invitation (of the member the row names).
    Accept,
}

impl Purpose {
    fn key(self) -> &'static str {
        match self {
            Purpose::SignIn => "sign_in",
            Purpose::Test => "test",
            Purpose::Accept => "accept",
        }
    }
}

/// An organization's connection, as stored.
struct Connection {
    issuer: String,
    client_id: String,
    client_secret: String,
    changed_at: OffsetDateTime,
    create_on_first_sign_in: bool,
}

async fn connection(
    conn: &mut PgConnection,
    organization_id: i64,
) -> Result<Option<Connection>, AppError> {
    Ok(sqlx::query_as!(
        Connection,
        "SELECT issuer, client_id, client_secret, changed_at, create_on_first_sign_in
           FROM sso_connections WHERE organization_id = $1",
        organization_id
    )
    .fetch_optional(conn)
    .await?)
}

// ---------------------------------------------------------------------------------------
// The HTTP client that reaches identity providers.

fn http_client(config: &RuntimeConfig) -> Result<reqwest::Client, AppError> {
    super::outbound::client(config.development, Duration::from_secs(10))
}

type HttpError = openidconnect::HttpClientError<reqwest::Error>;

/// Sends one request for the `openidconnect` crate, after checking where it goes: a URL
/// naming an address (which the resolver never sees) must name a public one, and outside
/// development the scheme is HTTPS.
async fn send(
    client: &reqwest::Client,
    development: bool,
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, HttpError> {
    let uri = request.uri();
    super::outbound::check_target(uri.scheme_str(), uri.host(), development)
        .map_err(|why| HttpError::Other(format!("{uri}: {why}")))?;
    let request: reqwest::Request = request
        .try_into()
        .map_err(|e: reqwest::Error| HttpError::Reqwest(Box::new(e)))?;
    let mut response = client
        .execute(request)
        .await
        .map_err(|e| HttpError::Reqwest(Box::new(e)))?;
    // Discovery documents, keys and tokens are small: a provider (customer input) that
    // sends more is refused before it fills memory.
    if response
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Err(HttpError::Other(
            "the identity provider's answer is too large".into(),
        ));
    }
    let mut builder = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| HttpError::Reqwest(Box::new(e)))?
    {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(HttpError::Other(
                "the identity provider's answer is too large".into(),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    builder.body(body).map_err(HttpError::Http)
}

/// The most an identity provider's answer may hold.
const MAX_RESPONSE_BYTES: usize = 512 * 1024;

/// The client handed to the `openidconnect` crate: every request goes through [`send`].
struct Guarded {
    client: reqwest::Client,
    development: bool,
}

impl<'c> openidconnect::AsyncHttpClient<'c> for Guarded {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<openidconnect::HttpResponse, HttpError>>
                + Send
                + 'c,
        >,
    >;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(send(&self.client, self.development, request))
    }
}

fn guarded(config: &RuntimeConfig) -> Result<Guarded, AppError> {
    Ok(Guarded {
        client: http_client(config)?,
        development: config.development,
    })
}

type Client = openidconnect::core::CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// Discovery at the issuer (whose metadata must name exactly this issuer) and its keys.
async fn oidc_client(
    config: &RuntimeConfig,
    connection: &Connection,
    http: &Guarded,
) -> Result<Client, SsoRefusal> {
    let issuer =
        IssuerUrl::new(connection.issuer.clone()).map_err(|_| SsoRefusal::ProviderUnreachable)?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|error| {
            tracing::warn!(%error, "identity provider discovery failed");
            SsoRefusal::ProviderUnreachable
        })?;
    let redirect =
        RedirectUrl::new(redirect_uri(config)).map_err(|_| SsoRefusal::ProviderUnreachable)?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(connection.client_id.clone()),
        Some(ClientSecret::new(connection.client_secret.clone())),
    )
    .set_redirect_uri(redirect))
}

// ---------------------------------------------------------------------------------------
// Starting and finishing a sign-in.

/// The organization whose SSO owns the address's domain (proved, with a connection).
pub async fn organization_for_email(pool: &PgPool, email: &str) -> Result<Option<i64>, AppError> {
    let domain = rules::domain_of(email);
    if domain.is_empty() {
        return Ok(None);
    }
    Ok(sqlx::query_scalar!(
        "SELECT d.organization_id FROM sso_domains d
           JOIN sso_connections c ON c.organization_id = d.organization_id
          WHERE d.domain = $1 AND d.verified_at IS NOT NULL",
        domain
    )
    .fetch_optional(pool)
    .await?)
}

/// Starts a sign-in at the organization's provider: the address to send the browser to.
pub async fn start(
    pool: &PgPool,
    config: &RuntimeConfig,
    organization_id: i64,
    purpose: Purpose,
    member_id: Option<i64>,
) -> Result<String, SsoRefusal> {
    let internal = fault("starting a company sign-in failed");
    let mut conn = pool.acquire().await.map_err(|e| internal(e.into()))?;
    let connection = connection(&mut conn, organization_id)
        .await
        .map_err(internal)?
        .ok_or(SsoRefusal::NoConnection)?;
    let in_flight = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM sso_logins WHERE organization_id = $1"#,
        organization_id
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| internal(e.into()))?;
    if in_flight >= MAX_IN_FLIGHT {
        tracing::warn!(
            organization_id,
            in_flight,
            "too many company sign-ins in flight: refused"
        );
        return Err(SsoRefusal::ProviderUnreachable);
    }
    let http = guarded(config).map_err(internal)?;
    let client = oidc_client(config, &connection, &http).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    // Old sign-ins that were never finished go first (bounded: ten minutes' worth).
    sqlx::query!(
        "DELETE FROM sso_logins WHERE created_at < now() - make_interval(mins => $1)",
        SIGN_IN_MINUTES
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| internal(e.into()))?;
    sqlx::query!(
        "INSERT INTO sso_logins (state_hash, organization_id, purpose, nonce, pkce_verifier, member_id, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        token_digest(state.secret()),
        organization_id,
        purpose.key(),
        nonce.secret(),
        verifier.secret(),
        member_id,
        connection.changed_at,
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| internal(e.into()))?;
    Ok(url.to_string())
}

/// What a finished sign-in did.
#[derive(Debug)]
pub enum Finished {
    /// Signed in (a session was started): where to go.
    SignedIn {
        member_id: i64,
        permission: Permission,
    },
    /// A Test sign-in succeeded (as this address).
    Tested { email: String },
}

/// Finishes a sign-in when the provider sends the browser back.
pub async fn finish(
    pool: &PgPool,
    config: &RuntimeConfig,
    code: Option<&str>,
    state: Option<&str>,
    provider_error: Option<&str>,
) -> Result<Finished, SsoRefusal> {
    let internal = fault("finishing a company sign-in failed");
    let state = state
        .filter(|s| !s.is_empty() && s.len() <= 512)
        .ok_or(SsoRefusal::StateUsed)?;
    // Used once: the row goes whatever happens next.
    let login = sqlx::query!(
        "DELETE FROM sso_logins
          WHERE state_hash = $1 AND created_at > now() - make_interval(mins => $2)
        RETURNING organization_id, purpose, nonce, pkce_verifier, member_id, changed_at",
        token_digest(state),
        SIGN_IN_MINUTES
    )
    .fetch_optional(pool)
    .await
    .map_err(|e| internal(e.into()))?
    .ok_or(SsoRefusal::StateUsed)?;
    if provider_error.is_some() {
        return Err(SsoRefusal::ProviderRefused);
    }
    let code = code
        .filter(|c| !c.is_empty() && c.len() <= 4096)
        .ok_or(SsoRefusal::ProviderRefused)?;
    let mut conn = pool.acquire().await.map_err(|e| internal(e.into()))?;
    let connection = connection(&mut conn, login.organization_id)
        .await
        .map_err(internal)?
        .ok_or(SsoRefusal::NoConnection)?;
    drop(conn);
    let http = guarded(config).map_err(internal)?;
    let client = oidc_client(config, &connection, &http).await?;
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|_| SsoRefusal::ProviderUnreachable)?
        .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier))
        .request_async(&http)
        .await
        .map_err(|error| {
            tracing::warn!(%error, "the identity provider's token endpoint refused or failed");
            match error {
                openidconnect::RequestTokenError::ServerResponse(_) => SsoRefusal::ProviderRefused,
                openidconnect::RequestTokenError::Parse(..) => SsoRefusal::BadToken,
                _ => SsoRefusal::ProviderUnreachable,
            }
        })?;
    let id_token = token.id_token().ok_or(SsoRefusal::BadToken)?;
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &Nonce::new(login.nonce))
        .map_err(|error| {
            use openidconnect::ClaimsVerificationError as E;
            tracing::warn!(%error, "an ID token was refused");
            match error {
                E::Expired(_) => SsoRefusal::Expired,
                E::InvalidAudience(_) => SsoRefusal::WrongAudience,
                E::InvalidIssuer(_) => SsoRefusal::WrongIssuer,
                E::InvalidNonce(_) => SsoRefusal::WrongNonce,
                E::SignatureVerification(_) | E::Unsupported(_) => SsoRefusal::BadSignature,
                _ => SsoRefusal::BadToken,
            }
        })?;
    let identity = Identity {
        issuer: claims.issuer().as_str().to_owned(),
        subject: claims.subject().as_str().to_owned(),
        email: claims.email().map(|e| e.as_str().trim().to_owned()),
        email_verified: claims.email_verified(),
        given_name: claims
            .given_name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned()),
        family_name: claims
            .family_name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned()),
    };
    let organization = login.organization_id;
    match login.purpose.as_str() {
        "test" => {
            tested(
                pool,
                organization,
                login.member_id,
                login.changed_at,
                &identity,
            )
            .await
            .map_err(internal)?;
            Ok(Finished::Tested {
                email: identity
                    .email
                    .clone()
                    .unwrap_or_else(|| identity.subject.clone()),
            })
        }
        purpose => {
            let invited = (purpose == "accept").then_some(login.member_id).flatten();
            sign_in(pool, organization, &connection, invited, &identity).await
        }
    }
}

/// What the ID token says of the person.
struct Identity {
    issuer: String,
    subject: String,
    email: Option<String>,
    email_verified: Option<bool>,
    given_name: Option<String>,
    family_name: Option<String>,
}

/// A Test sign-in succeeded: the settings it ran with count as tested.
async fn tested(
    pool: &PgPool,
    organization_id: i64,
    admin: Option<i64>,
    changed_at: OffsetDateTime,
    identity: &Identity,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let updated = sqlx::query!(
        "UPDATE sso_connections SET tested_at = now() WHERE organization_id = $1 AND changed_at = $2",
        organization_id,
        changed_at
    )
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 1 {
        let who = match admin {
            Some(id) => {
                let email = sqlx::query_scalar!("SELECT email FROM members WHERE id = $1", id)
                    .fetch_one(&mut *tx)
                    .await?;
                Access::member_self(organization_id, id, &email)
            }
            None => Access::operator(organization_id, "", "company sign-in"),
        };
        activity::record(
            &mut tx,
            &who,
            Action::SettingChanged,
            None,
            serde_json::json!({ "setting": "single sign-on tested",
                                "as": identity.email.clone().unwrap_or_else(|| identity.subject.clone()) }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Signs the person in: by their linked identity, else by an address on a proved domain
/// (linking it), else — when the organization allows it — as a new member.
async fn sign_in(
    pool: &PgPool,
    organization_id: i64,
    connection: &Connection,
    invited: Option<i64>,
    identity: &Identity,
) -> Result<Finished, SsoRefusal> {
    let internal = fault("signing in with a company account failed");
    let mut tx = pool.begin().await.map_err(|e| internal(e.into()))?;
    let linked = sqlx::query_scalar!(
        "SELECT member_id FROM identities WHERE issuer = $1 AND subject = $2 AND organization_id = $3",
        identity.issuer,
        identity.subject,
        organization_id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(|e| internal(e.into()))?;
    let member_id = match linked {
        Some(id) => id,
        None => {
            let email = identity.email.as_deref().and_then(|e| Email::parse(e).ok());
            let domain_proved = match &email {
                Some(e) => sqlx::query_scalar!(
                    r#"SELECT EXISTS (SELECT 1 FROM sso_domains WHERE organization_id = $1
                                        AND domain = $2 AND verified_at IS NOT NULL) AS "proved!""#,
                    organization_id,
                    rules::domain_of(e.as_str())
                )
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| internal(e.into()))?,
                None => false,
            };
            let email = email
                .filter(|_| rules::email_trusted(identity.email_verified, domain_proved))
                .ok_or(SsoRefusal::UnverifiedAddress)?;
            let found = sqlx::query_scalar!(
                "SELECT id FROM members WHERE organization_id = $1 AND email_key(email) = email_key($2)",
                organization_id,
                email.as_str()
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| internal(e.into()))?;
            let id = match found {
                Some(id) => id,
                None if connection.create_on_first_sign_in && invited.is_none() => {
                    create_member(&mut tx, organization_id, &email, identity)
                        .await
                        .map_err(internal)?
                }
                None => return Err(SsoRefusal::NoAccount),
            };
            sqlx::query!(
                "INSERT INTO identities (issuer, subject, member_id, organization_id) VALUES ($1, $2, $3, $4)",
                identity.issuer,
                identity.subject,
                id,
                organization_id
            )
            .execute(&mut *tx)
            .await
            .map_err(|e| internal(e.into()))?;
            id
        }
    };
    if invited.is_some_and(|i| i != member_id) {
        return Err(SsoRefusal::NotTheInvitee);
    }
    let member = sqlx::query!(
        "SELECT status, permission, email FROM members WHERE id = $1 FOR UPDATE",
        member_id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| internal(e.into()))?;
    match MemberStatus::parse(&member.status) {
        Ok(MemberStatus::Deactivated) => return Err(SsoRefusal::Inactive),
        Ok(MemberStatus::Invited) => {
            // Accepting by SSO: the company account instead of a password.
            sqlx::query!(
                "UPDATE members SET status = 'active', signs_in_with_sso = true, activated_at = now() WHERE id = $1",
                member_id
            )
            .execute(&mut *tx)
            .await
            .map_err(|e| internal(e.into()))?;
            sqlx::query!(
                "UPDATE invitations SET accepted_at = now() WHERE member_id = $1 AND accepted_at IS NULL",
                member_id
            )
            .execute(&mut *tx)
            .await
            .map_err(|e| internal(e.into()))?;
            let me = Access::member_self(organization_id, member_id, &member.email);
            activity::record(
                &mut tx,
                &me,
                Action::InvitationAccepted,
                Some(member_id),
                serde_json::json!({ "by": "company account" }),
            )
            .await
            .map_err(internal)?;
            super::webhooks::emit_for_members(
                &mut tx,
                organization_id,
                crate::domain::webhooks::EventType::MemberActivated,
                &[member_id],
                serde_json::json!({ "reactivated": false }),
            )
            .await
            .map_err(internal)?;
        }
        _ => {
            sqlx::query!(
                "UPDATE members SET signs_in_with_sso = true WHERE id = $1 AND NOT signs_in_with_sso",
                member_id
            )
            .execute(&mut *tx)
            .await
            .map_err(|e| internal(e.into()))?;
        }
    }
    sqlx::query!(
        "UPDATE identities SET last_used_at = now() WHERE issuer = $1 AND subject = $2 AND organization_id = $3",
        identity.issuer,
        identity.subject,
        organization_id
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| internal(e.into()))?;
    super::session::start(&mut tx, member_id)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(|e| internal(e.into()))?;
    tracing::info!(member_id, "signed in with a company account");
    Ok(Finished::SignedIn {
        member_id,
        permission: Permission::parse(&member.permission).unwrap_or(Permission::Member),
    })
}

/// A member made on their first sign-in: invited by the one path that creates members,
/// with the seats the seat policy gives when free (the rest on the waitlist), then active.
async fn create_member(
    tx: &mut PgConnection,
    organization_id: i64,
    email: &Email,
    identity: &Identity,
) -> Result<i64, AppError> {
    let access = Access::operator(organization_id, "", "company sign-in (first sign-in)");
    let organization = lock_organization(&mut *tx, &access, &Via::SignIn).await?;
    let (given, family) = crate::domain::provisioning::names_for(
        identity.given_name.as_deref(),
        identity.family_name.as_deref(),
        None,
        email.as_str(),
    );
    let first_name = PersonName::parse(&given, "first name")
        .or_else(|_| PersonName::parse("Member", "first name"))
        .map_err(|e| AppError::invalid(e.0))?;
    let last_name = PersonName::parse(&family, "last name")
        .or_else(|_| PersonName::parse(crate::domain::provisioning::NO_FAMILY_NAME, "last name"))
        .map_err(|e| AppError::invalid(e.0))?;
    let person = crate::domain::Invitee {
        external_id: None,
        first_name,
        last_name,
        email: email.clone(),
        job_title: crate::domain::JobTitle::parse("").map_err(|e| AppError::invalid(e.0))?,
        permission: Permission::Member,
        enable_seat: false,
        opportunity_seat: false,
        programs: Vec::new(),
    };
    let (id, _) = super::waitlist::admit(
        &mut *tx,
        &access,
        &organization,
        person,
        super::invite::Delivery::ByHand,
    )
    .await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------
// The Identity page's settings.

/// The settings an administrator saves. A secret left empty keeps the saved one.
pub struct Settings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
}

/// Saves the connection; any change clears the test (and with it Require SSO).
pub async fn save(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    settings: &Settings,
) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let issuer = rules::check_issuer(&settings.issuer, config.development)
        .map_err(|e| AppError::field("issuer", e.0))?;
    let issuer = issuer.as_str().trim_end_matches('/').to_owned();
    let client_id = settings.client_id.trim();
    if client_id.is_empty() || client_id.chars().count() > 255 {
        return Err(AppError::field(
            "client_id",
            "Paste the client ID (application ID) your identity provider gave the app.",
        ));
    }
    let secret = settings.client_secret.trim();
    if secret.chars().count() > 1000 {
        return Err(AppError::field(
            "client_secret",
            "The client secret is at most 1,000 characters.",
        ));
    }
    let mut tx = pool.begin().await?;
    let saved = sqlx::query_scalar!(
        "SELECT client_secret FROM sso_connections WHERE organization_id = $1 FOR UPDATE",
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let secret = match (secret.is_empty(), saved) {
        (false, _) => secret.to_owned(),
        (true, Some(saved)) => saved,
        (true, None) => {
            return Err(AppError::field(
                "client_secret",
                "Paste the client secret your identity provider gave the app.",
            ))
        }
    };
    sqlx::query!(
        "INSERT INTO sso_connections (organization_id, issuer, client_id, client_secret)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (organization_id) DO UPDATE
            SET issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
                client_secret = EXCLUDED.client_secret, changed_at = now(),
                tested_at = NULL, required = false
          WHERE (sso_connections.issuer, sso_connections.client_id, sso_connections.client_secret)
                IS DISTINCT FROM (EXCLUDED.issuer, EXCLUDED.client_id, EXCLUDED.client_secret)",
        access.organization_id,
        issuer,
        client_id,
        secret
    )
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::SettingChanged,
        None,
        // Never the secret.
        serde_json::json!({ "setting": "single sign-on", "issuer": issuer, "client_id": client_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Require SSO (with the way-back-in administrator) and creation on first sign-in.
pub async fn set_policy(
    pool: &PgPool,
    access: &Access,
    required: bool,
    way_back_in: Option<i64>,
    create_on_first_sign_in: bool,
) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let mut tx = pool.begin().await?;
    let tested = sqlx::query_scalar!(
        r#"SELECT tested_at IS NOT NULL AS "tested!" FROM sso_connections WHERE organization_id = $1 FOR UPDATE"#,
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::invalid("Save the identity provider's settings first."))?;
    let way_back_ok = match way_back_in {
        Some(id) => {
            sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM members WHERE id = $1 AND organization_id = $2
                                AND status = 'active' AND permission = 'admin'
                                AND password_hash IS NOT NULL) AS "ok!""#,
                id,
                access.organization_id
            )
            .fetch_one(&mut *tx)
            .await?
        }
        None => false,
    };
    if required {
        rules::may_require(tested, way_back_ok).map_err(AppError::invalid)?;
    }
    sqlx::query!(
        "UPDATE sso_connections SET required = $2, way_back_in_member_id = $3, create_on_first_sign_in = $4
          WHERE organization_id = $1",
        access.organization_id,
        required,
        way_back_in.filter(|_| way_back_ok),
        create_on_first_sign_in
    )
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::SettingChanged,
        way_back_in.filter(|_| required && way_back_ok),
        serde_json::json!({ "setting": "single sign-on policy", "required": required,
                            "create_on_first_sign_in": create_on_first_sign_in }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Claims a domain: the TXT record to publish comes back on the Identity page.
pub async fn add_domain(pool: &PgPool, access: &Access, raw: &str) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let domain = EmailDomain::parse(raw).map_err(|e| AppError::field("domain", e.0))?;
    let mut tx = pool.begin().await?;
    let count = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM sso_domains WHERE organization_id = $1"#,
        access.organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if count >= MAX_DOMAINS {
        return Err(AppError::field(
            "domain",
            format!("At most {MAX_DOMAINS} domains: remove one first."),
        ));
    }
    let (proof, _) = new_token();
    sqlx::query!(
        "INSERT INTO sso_domains (organization_id, domain, proof) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        access.organization_id,
        domain.as_str(),
        &proof[..32]
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Looks the domain's proof up in DNS; proved, it is the organization's (no other
/// organization may prove it then).
pub async fn verify_domain(
    pool: &PgPool,
    dns: &dyn super::dns::TxtLookup,
    access: &Access,
    raw: &str,
) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let domain = EmailDomain::parse(raw).map_err(|e| AppError::field("domain", e.0))?;
    let proof = sqlx::query_scalar!(
        "SELECT proof FROM sso_domains WHERE organization_id = $1 AND domain = $2",
        access.organization_id,
        domain.as_str()
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::NotFound("This domain is not claimed: add it first.".into()))?;
    let records = dns.txt(&domain.proof_name()).await.map_err(|e| {
        AppError::invalid(format!(
            "The TXT record could not be looked up ({e}). Try again in a moment."
        ))
    })?;
    if !rules::proof_found(&records, &rules::proof_value(&proof)) {
        return Err(AppError::invalid(format!(
            "No TXT record {} with the value {} was found yet. DNS changes can take a while to be seen: try again later.",
            domain.proof_name(),
            rules::proof_value(&proof)
        )));
    }
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE sso_domains SET verified_at = now() WHERE organization_id = $1 AND domain = $2 AND verified_at IS NULL",
        access.organization_id,
        domain.as_str()
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| match e.as_database_error().and_then(|d| d.constraint()) {
        Some("sso_domains_proved_once") => AppError::invalid(
            "Another organization has proved this domain already. Contact support if it is yours.",
        ),
        _ => e.into(),
    })?;
    activity::record(
        &mut tx,
        access,
        Action::SettingChanged,
        None,
        serde_json::json!({ "setting": "email domain verified", "domain": domain.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_domain(pool: &PgPool, access: &Access, raw: &str) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let domain = EmailDomain::parse(raw).map_err(|e| AppError::field("domain", e.0))?;
    sqlx::query!(
        "DELETE FROM sso_domains WHERE organization_id = $1 AND domain = $2",
        access.organization_id,
        domain.as_str()
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The Identity page's view of single sign-on.
pub async fn settings(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
) -> Result<crate::model::identity::SsoSettings, AppError> {
    use crate::model::identity::{DomainProof, SsoSettings};
    access.may(Capability::ManageOrganization)?;
    let org = access.organization_id;
    let connection = sqlx::query!(
        r#"SELECT issuer, client_id, required, way_back_in_member_id, create_on_first_sign_in,
                  to_char(tested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS tested_at
             FROM sso_connections WHERE organization_id = $1"#,
        org
    )
    .fetch_optional(pool)
    .await?;
    let administrators = sqlx::query!(
        r#"SELECT id, first_name || ' ' || last_name || ' (' || email || ')' AS "name!"
             FROM members WHERE organization_id = $1 AND status = 'active' AND permission = 'admin'
              AND password_hash IS NOT NULL ORDER BY lower(last_name), id LIMIT 200"#,
        org
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect();
    let domains = sqlx::query!(
        "SELECT domain, proof, verified_at IS NOT NULL AS \"verified!\" FROM sso_domains
          WHERE organization_id = $1 ORDER BY domain",
        org
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .filter_map(|r| {
        let domain = EmailDomain::parse(&r.domain).ok()?;
        Some(DomainProof {
            record_name: domain.proof_name(),
            record_value: rules::proof_value(&r.proof),
            domain: r.domain,
            verified: r.verified,
        })
    })
    .collect();
    let mut settings = SsoSettings {
        redirect_uri: redirect_uri(config),
        administrators,
        domains,
        ..SsoSettings::default()
    };
    if let Some(c) = connection {
        settings.configured = true;
        settings.issuer = c.issuer;
        settings.client_id = c.client_id;
        settings.tested_at = c.tested_at;
        settings.required = c.required;
        settings.way_back_in = c.way_back_in_member_id;
        settings.create_on_first_sign_in = c.create_on_first_sign_in;
    }
    Ok(settings)
}
