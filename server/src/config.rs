//! Configuration from the environment (see README, "Configuration").

use anyhow::{bail, Context};
use std::net::SocketAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Printed with `{:?}` (a log line, a panic), a configuration shows no secret: the
/// database's and the mail server's passwords and the metrics token are starred.
#[derive(Clone)]
pub struct Config {
    /// `DATABASE_URL`; `None` only matters to commands that need the database (see
    /// [`Config::database_url`]): `roster csv check` without `--org` runs without one.
    database_url: Option<String>,
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
    /// `DATABASE_POOL_SIZE`: connections this instance keeps to PostgreSQL at most.
    pub pool_size: u32,
    /// `TRUSTED_PROXIES`: addresses or networks (comma-separated) of the proxies in front,
    /// whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `METRICS_TOKEN`: the bearer token `/metrics` asks for; without it, no `/metrics`.
    pub metrics_token: Option<String>,
    /// `ROSTER_DNS_TXT_FILE` (development only): a JSON file of TXT records
    /// (`{"name": ["value"]}`) answering domain proofs instead of DNS, for tests offline.
    pub dns_txt_file: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field(
                "database_url",
                &self.database_url.as_deref().map(without_password),
            )
            .field("site_addr", &self.site_addr)
            .field("public_url", &self.public_url)
            .field("environment", &self.environment)
            .field("secure_cookies", &self.secure_cookies)
            .field("smtp_url", &self.smtp_url.as_deref().map(without_password))
            .field("mail_from", &self.mail_from)
            .field("vendor_email", &self.vendor_email)
            .field("smtp_timeout", &self.smtp_timeout)
            .field("pool_size", &self.pool_size)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// A URL with its password (and any `password=` in its query) starred; what does not
/// parse as a URL is starred whole.
fn without_password(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return "***".to_owned();
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let secret = k.contains("password") || k == "sslpassword";
            (
                k.into_owned(),
                if secret {
                    "***".to_owned()
                } else {
                    v.into_owned()
                },
            )
        })
        .collect();
    if !pairs.is_empty() {
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// How the binary logs, read before anything else (so that reading the rest can be logged):
/// `RUST_LOG` (the filter; `info,sqlx=warn,tower_http=info` without it) and
/// `LOG_FORMAT=json` (one JSON object per line).
pub struct Logging {
    pub filter: String,
    pub json: bool,
}

pub fn logging() -> Logging {
    Logging {
        filter: std::env::var("RUST_LOG")
            .ok()
            .filter(|f| !f.trim().is_empty())
            .unwrap_or_else(|| "info,sqlx=warn,tower_http=info".to_owned()),
        json: std::env::var("LOG_FORMAT").as_deref() == Ok("json"),
    }
}

/// Whether cargo-leptos started the binary: its `LEPTOS_*` variables then describe the
/// build (read by `leptos::prelude::get_configuration`).
pub fn built_by_cargo_leptos() -> bool {
    std::env::var_os("LEPTOS_OUTPUT_NAME").is_some()
}

/// Whether the binary runs under `cargo leptos watch` (`LEPTOS_WATCH`): pages then listen
/// for "rebuilt: reload".
pub fn live_reload() -> bool {
    std::env::var_os("LEPTOS_WATCH").is_some()
}

impl Config {
    /// `DATABASE_URL`, or an error saying to set it.
    pub fn database_url(&self) -> anyhow::Result<&str> {
        self.database_url.as_deref().context(
            "DATABASE_URL is not set: point it at a PostgreSQL database (make run sets one up)",
        )
    }

    pub fn from_env() -> anyhow::Result<Self> {
        let database_url = std::env::var("DATABASE_URL").ok();
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
            pool_size: match std::env::var("DATABASE_POOL_SIZE") {
                Ok(size) => size
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .with_context(|| {
                        format!("DATABASE_POOL_SIZE {size:?} is not a number of connections from 1 to 1000")
                    })?,
                Err(_) => 20,
            },
            trusted_proxies: match std::env::var("TRUSTED_PROXIES") {
                Ok(list) => list
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        p.parse::<ipnet::IpNet>()
                            .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                            .with_context(|| {
                                format!("TRUSTED_PROXIES: {p:?} is not an address or a network like 10.0.0.0/8")
                            })
                    })
                    .collect::<anyhow::Result<_>>()?,
                Err(_) => Vec::new(),
            },
            metrics_token: std::env::var("METRICS_TOKEN").ok().filter(|t| !t.trim().is_empty()),
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
            dns_txt_file: std::env::var("ROSTER_DNS_TXT_FILE")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(std::path::PathBuf::from),
        })
    }

    /// What serving needs, checked before anything starts: in production a `PUBLIC_URL`
    /// (links in emails, the origin check) and an `SMTP_URL` (mail is sent, not kept); any
    /// given one well-formed. The message names the variable.
    pub fn check_for_serving(&self) -> anyhow::Result<()> {
        let production = self.environment == Environment::Production;
        match &self.public_url {
            Some(url) => check_url("PUBLIC_URL", url, &["http", "https"])?,
            None if production => bail!(
                "PUBLIC_URL is not set: in production (ROSTER_ENV=production, the default) set it to how people reach the site, such as https://roster.example.com"
            ),
            None => {}
        }
        match &self.smtp_url {
            Some(url) => check_url("SMTP_URL", url, &["smtp", "smtps"])?,
            None if production => bail!(
                "SMTP_URL is not set: in production (ROSTER_ENV=production, the default) invitations must be sent. Set it, such as smtp://user:password@mail.example.com:587?tls=required (or ROSTER_ENV=development to keep mail in the development mailbox)"
            ),
            None => {}
        }
        if self.metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            bail!("METRICS_TOKEN is too short: use at least 16 random characters");
        }
        Ok(())
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
            trusted_proxies: self.trusted_proxies.clone(),
            development: self.environment == Environment::Development,
        }
    }

    /// Where domain proofs are looked up: the system's resolver, or in development the
    /// file of `ROSTER_DNS_TXT_FILE`.
    pub fn dns(&self) -> anyhow::Result<std::sync::Arc<dyn app::server::dns::TxtLookup>> {
        match &self.dns_txt_file {
            Some(_) if self.environment == Environment::Production => {
                bail!("ROSTER_DNS_TXT_FILE answers domain proofs from a file: development only")
            }
            Some(path) => Ok(std::sync::Arc::new(app::server::dns::FileResolver(
                path.clone(),
            ))),
            None => Ok(std::sync::Arc::new(
                app::server::dns::SystemResolver::new().map_err(|e| anyhow::anyhow!(e))?,
            )),
        }
    }
}

/// `url` (the value of `variable`) is `scheme://host…` with one of `schemes`.
fn check_url(variable: &str, url: &str, schemes: &[&str]) -> anyhow::Result<()> {
    let well_formed = url.split_once("://").is_some_and(|(scheme, rest)| {
        schemes.contains(&scheme)
            && !rest.is_empty()
            && !rest.starts_with('/')
            && !rest.contains(char::is_whitespace)
    });
    if !well_formed {
        bail!(
            "{variable} {url:?} is not a URL like {}://host",
            schemes.join("://host or ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn its_debug_form_shows_no_secret() {
        let config = super::Config {
            database_url: Some(
                "postgres://roster:db-secret@db.example/roster?sslmode=require&password=q-secret"
                    .into(),
            ),
            site_addr: None,
            public_url: Some("https://roster.example".into()),
            environment: super::Environment::Production,
            secure_cookies: true,
            smtp_url: Some("smtp://mailer:smtp-secret@mail.example:587".into()),
            mail_from: "Roster <no-reply@roster.example>".into(),
            vendor_email: "sales@vendor.example".into(),
            smtp_timeout: std::time::Duration::from_secs(20),
            pool_size: 10,
            trusted_proxies: Vec::new(),
            metrics_token: Some("metrics-secret".into()),
            dns_txt_file: None,
        };
        let printed = format!("{config:?}");
        for secret in ["db-secret", "q-secret", "smtp-secret", "metrics-secret"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        assert!(
            printed.contains("db.example") && printed.contains("mail.example"),
            "{printed}"
        );
    }

    use super::check_url;

    #[test]
    fn urls_are_checked_by_scheme_and_host() {
        assert!(check_url("PUBLIC_URL", "https://roster.example", &["http", "https"]).is_ok());
        assert!(check_url("PUBLIC_URL", "http://127.0.0.1:3000", &["http", "https"]).is_ok());
        for bad in [
            "roster.example",
            "ftp://x",
            "https://",
            "https:///path",
            "https://a b",
        ] {
            let error = check_url("PUBLIC_URL", bad, &["http", "https"]).unwrap_err();
            assert!(error.to_string().starts_with("PUBLIC_URL"), "{error}");
        }
        assert!(check_url("SMTP_URL", "smtps://u:p@mail.example", &["smtp", "smtps"]).is_ok());
    }
}
