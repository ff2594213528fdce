//! Roster's HTTP client for addresses customers give it (an identity provider's issuer, a
//! webhook receiver): it follows no redirects, gives up after a timeout, and connects only
//! to public addresses (loopback too in development) — a customer's URL must not reach
//! into the network Roster runs in, whatever its name resolves to today.

use crate::domain::sso::may_connect;
use crate::error::AppError;
use std::sync::Arc;
use std::time::Duration;

/// Resolves names to public addresses only (loopback too in development).
struct PublicOnly {
    development: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let development = self.development;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let allowed: Vec<std::net::SocketAddr> =
                found.filter(|a| may_connect(a.ip(), development)).collect();
            if allowed.is_empty() {
                return Err(format!(
                    "{} resolves to no public address: Roster does not call into private networks",
                    name.as_str()
                )
                .into());
            }
            let addresses: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addresses)
        })
    }
}

/// The client: no redirects, `timeout` for the whole exchange, public addresses only.
pub fn client(development: bool, timeout: Duration) -> Result<reqwest::Client, AppError> {
    reqwest::Client::builder()
        // A redirect could lead anywhere, private addresses included.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(timeout)
        .dns_resolver(Arc::new(PublicOnly { development }))
        .build()
        .map_err(|e| {
            tracing::error!(error = %e, "the outbound HTTP client could not be built");
            AppError::internal()
        })
}

/// Whether a request may go to `uri` (the resolver never sees an address written in the
/// URL, so it is checked here): HTTPS outside development, and a public address.
pub fn check_target(
    scheme: Option<&str>,
    host: Option<&str>,
    development: bool,
) -> Result<(), String> {
    if scheme != Some("https") && !development {
        return Err("only https is allowed".into());
    }
    if let Some(host) = host {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<std::net::IpAddr>() {
            if !may_connect(ip, development) {
                return Err("a private address".into());
            }
        }
    }
    Ok(())
}
