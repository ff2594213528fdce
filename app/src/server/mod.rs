//! Server-only code behind the server functions: the database, cryptography, sessions.
//! Compiled with the `ssr` feature only, so none of it reaches the browser bundle.

pub mod activity;
pub mod api_keys;
pub mod auth;
pub mod crypto;
pub mod defenses;
pub mod digest;
pub mod dns;
pub mod enrollment_counts;
pub mod enrollments;
pub mod identity;
pub mod import;
pub mod invitations;
pub mod invite;
pub mod learning;
pub mod ledger;
pub mod license_days;
pub mod licenses;
pub mod links;
pub mod mail;
pub mod mailbox;
pub mod managers;
pub mod member_counts;
pub mod member_list;
pub mod members;
pub mod organizations;
pub mod outbound;
pub mod outbox;
pub mod passwords;
pub mod progress_api;
pub mod rate;
pub mod reports;
pub mod rest;
pub mod roster;
pub mod scim;
pub mod scope;
pub mod seat_queue;
pub mod seats;
pub mod session;
pub mod sso;
pub mod sso_policy;
pub mod teams;
pub mod throttle;
pub mod waitlist;
pub mod webhooks;

use crate::error::AppError;
use leptos::prelude::use_context;
use sqlx::PgPool;
use std::sync::Arc;

/// Settings the server functions need at run time.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Where people reach this site, for links in emails and printed invitations.
    pub public_url: String,
    /// Mark cookies `Secure` (serve over HTTPS in production).
    pub secure_cookies: bool,
    /// Whether a mail worker delivers the outbox over SMTP. Without it, messages are kept
    /// for the development mailbox page.
    pub smtp_configured: bool,
    /// Where requests for more seats go: the vendor who sells them.
    pub vendor_email: String,
    /// The development mailbox (the outbox, readable by the organization's
    /// administrators, links included) exists: development mode without SMTP only.
    pub dev_mailbox: bool,
    /// Proxies (addresses or networks) whose `X-Forwarded-For` tells the client's address.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Development: identity providers may be reached over plain HTTP on loopback (a
    /// provider started on this machine); in production only public HTTPS addresses.
    pub development: bool,
}

impl RuntimeConfig {
    /// The site is served over HTTPS (its public URL says so): cookies get the `__Host-`
    /// prefix and browsers are told to stay on HTTPS.
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// What the axum server hands to every server function and page render as context.
#[derive(Clone)]
pub struct ServerState {
    pub pool: PgPool,
    pub config: Arc<RuntimeConfig>,
    /// Where email domains' TXT records are looked up (tests answer from memory).
    pub dns: Arc<dyn dns::TxtLookup>,
}

/// The state provided by the server binary. Missing context is a wiring bug, logged.
pub fn state() -> Result<ServerState, AppError> {
    use_context::<ServerState>().ok_or_else(|| {
        tracing::error!("ServerState missing from the Leptos context");
        AppError::internal()
    })
}

pub fn pool() -> Result<PgPool, AppError> {
    state().map(|s| s.pool)
}
