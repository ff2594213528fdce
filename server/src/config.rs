//! Configuration from the environment (see README, "Configuration").

use anyhow::{bail, Context};
use std::net::SocketAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// `SITE_ADDR` or `LEPTOS_SITE_ADDR`; cargo-leptos' metadata gives 127.0.0.1:3000.
    pub site_addr: Option<SocketAddr>,
    /// `PUBLIC_URL`: how people reach the site, for links in emails.
    pub public_url: Option<String>,
    pub environment: Environment,
    /// `COOKIE_SECURE=true` marks cookies Secure (production behind HTTPS).
    pub secure_cookies: bool,
    /// `SMTP_URL`: where the mail worker delivers. Without it, emails are kept for the
    /// development mailbox page (never logged: their links are secrets).
    pub smtp_url: Option<String>,
    /// `MAIL_FROM`: the sender of Roster's emails.
    pub mail_from: String,
    /// `VENDOR_EMAIL`: where administrators' requests for more seats go.
    pub vendor_email: String,
    /// `SMTP_TIMEOUT_SECS`: how long the mail server may take to answer one message.
    pub smtp_timeout: std::time::Duration,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let database_url = std::env::var("DATABASE_URL").context(
            "DATABASE_URL is not set: point it at a PostgreSQL database (make run sets one up)",
        )?;
        let site_addr =
            match std::env::var("SITE_ADDR").or_else(|_| std::env::var("LEPTOS_SITE_ADDR")) {
                Ok(addr) => Some(addr.parse().with_context(|| {
                    format!("SITE_ADDR {addr:?} is not an address like 127.0.0.1:3000")
                })?),
                Err(_) => None,
            };
        let environment = match std::env::var("ROSTER_ENV").as_deref() {
            Ok("development") | Ok("dev") => Environment::Development,
            Ok("production") | Ok("prod") | Err(_) => Environment::Production,
            Ok(other) => bail!("ROSTER_ENV {other:?} is neither development nor production"),
        };
        let secure_cookies = match std::env::var("COOKIE_SECURE").as_deref() {
            Ok("true") | Ok("1") => true,
            Ok("false") | Ok("0") => false,
            Ok(other) => bail!("COOKIE_SECURE {other:?} is neither true nor false"),
            // Secure by default in production; plain http://127.0.0.1 in development.
            Err(_) => environment == Environment::Production,
        };
        Ok(Self {
            database_url,
            site_addr,
            public_url: std::env::var("PUBLIC_URL").ok().filter(|u| !u.is_empty()),
            environment,
            secure_cookies,
            smtp_url: std::env::var("SMTP_URL").ok().filter(|u| !u.is_empty()),
            mail_from: std::env::var("MAIL_FROM")
                .unwrap_or_else(|_| "Roster <no-reply@roster.localhost>".to_owned()),
            smtp_timeout: match std::env::var("SMTP_TIMEOUT_SECS") {
                Ok(secs) => std::time::Duration::from_secs(
                    secs.parse::<u64>()
                        .ok()
                        .filter(|s| (1..=600).contains(s))
                        .with_context(|| {
                            format!("SMTP_TIMEOUT_SECS {secs:?} is not a number of seconds from 1 to 600")
                        })?,
                ),
                Err(_) => std::time::Duration::from_secs(20),
            },
            vendor_email: std::env::var("VENDOR_EMAIL")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "licenses@roster.localhost".to_owned()),
        })
    }

    /// Where people reach the site: `PUBLIC_URL`, else the address served.
    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| {
            format!(
                "http://{}",
                self.site_addr
                    .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000)))
            )
        })
    }

    /// What the server logic needs at run time: the one way configuration reaches it
    /// (the web server's state, and the command line's calls).
    pub fn runtime(&self) -> app::server::RuntimeConfig {
        app::server::RuntimeConfig {
            public_url: self.public_url(),
            secure_cookies: self.secure_cookies,
            smtp_configured: self.smtp_url.is_some(),
            vendor_email: self.vendor_email.clone(),
            dev_mailbox: self.environment == Environment::Development && self.smtp_url.is_none(),
        }
    }
}
