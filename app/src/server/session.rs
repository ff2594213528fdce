//! Sessions: a random cookie value whose SHA-256 is a row in `sessions`. Stored in
//! Postgres so any server instance can serve any request (SPEC §6, scale-out).

use super::crypto::{new_token, token_digest};
use crate::domain::{Access, Permission, Scope, Who};
use crate::error::AppError;
use crate::model::Viewer;
use http::header::{COOKIE, SET_COOKIE};
use http::HeaderValue;
use leptos::prelude::use_context;
use sqlx::{PgConnection, PgPool};

pub const COOKIE_NAME: &str = "roster_session";
/// The name over HTTPS: the `__Host-` prefix makes browsers refuse the cookie unless it is
/// `Secure`, for this host only (no `Domain`) and for every path.
pub const SECURE_COOKIE_NAME: &str = "__Host-roster_session";

fn cookie_name() -> &'static str {
    match super::state() {
        Ok(state) if state.config.https() => SECURE_COOKIE_NAME,
        _ => COOKIE_NAME,
    }
}
const SESSION_DAYS: i32 = 14;

/// The session token the browser sent, if any.
pub fn cookie_token() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    token_in(&parts.headers, cookie_name())
}

/// The session token in a request's `Cookie` headers (the cookie named `name`).
fn token_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_owned())
}

/// The client's address, for throttling ("unknown" when the connection has none): the
/// connection's peer, or — when the peer is a trusted proxy — what the proxies say in
/// `X-Forwarded-For` (see [`client_of`]), as a [`throttle_key`]: an IPv6 client by its /64.
pub async fn client_address() -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    let Ok(ConnectInfo(peer)) = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await else {
        return "unknown".to_owned();
    };
    let trusted = super::state()
        .map(|s| s.config.trusted_proxies.clone())
        .unwrap_or_default();
    let forwarded = use_context::<http::request::Parts>()
        .map(|parts| {
            parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    throttle_key(client_of(peer.ip(), &forwarded, &trusted))
}

/// Who a client is for throttling: an IPv4 address as it is, an IPv6 address by its /64
/// network — one subscriber's line or one host's allocation, which hands out 2^64
/// addresses, so counting each address apart would let one client be many. An IPv4
/// address written in IPv6 (`::ffff:203.0.113.7`) is that IPv4 address.
pub fn throttle_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(network))
            }
        },
    }
}

/// Who the client is, from the peer and `X-Forwarded-For`: only a trusted proxy's word
/// counts, read from the right (each proxy appends the address it saw), skipping trusted
/// proxies; anything a client wrote itself further left is ignored.
pub fn client_of(
    peer: std::net::IpAddr,
    forwarded_for: &str,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for.rsplit(',') {
        match hop.trim().parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            // Garbage: stop at the last address a trusted proxy vouched for.
            Err(_) => break,
        }
    }
    client
}

/// Opens a session for a member and sets its cookie on the response.
pub async fn start(conn: &mut PgConnection, member_id: i64) -> Result<(), AppError> {
    let (token, digest) = new_token();
    sqlx::query!(
        "INSERT INTO sessions (token_hash, member_id, expires_at)
         VALUES ($1, $2, now() + make_interval(days => $3))",
        digest,
        member_id,
        SESSION_DAYS,
    )
    .execute(conn)
    .await?;
    set_cookie(&token, SESSION_DAYS as i64 * 24 * 3600);
    Ok(())
}

/// Ends the caller's session, if any, and clears the cookie.
pub async fn end(conn: &mut PgConnection) -> Result<(), AppError> {
    if let Some(token) = cookie_token() {
        sqlx::query!(
            "DELETE FROM sessions WHERE token_hash = $1",
            token_digest(&token)
        )
        .execute(conn)
        .await?;
    }
    set_cookie("", 0);
    Ok(())
}

/// HttpOnly (no script can read it), SameSite=Lax (no cross-site POST carries it).
fn set_cookie(value: &str, max_age_seconds: i64) {
    let secure = super::state()
        .map(|s| s.config.secure_cookies || s.config.https())
        .unwrap_or(true);
    let cookie = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{}",
        cookie_name(),
        if secure { "; Secure" } else { "" }
    );
    if let (Some(response), Ok(header)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        response.append_header(SET_COOKIE, header);
    }
}

/// Who is calling, from the session cookie: the page's [`Viewer`] and the [`Access`] every
/// server function is handed. Only active members have a session that counts:
/// deactivation blocks sign-in at once (SPEC rule 5).
///
/// Looked up once per request: a server-rendered page asks in its layout and in each of its
/// server functions (My Organization: four times), and the answer depends only on the
/// request's cookie — the request's [`SessionMemo`] keeps it for the others.
pub async fn signed_in() -> Result<Option<(Viewer, Access)>, AppError> {
    let Some(token) = cookie_token() else {
        return Ok(None);
    };
    let pool = super::pool()?;
    match use_context::<SessionMemo>() {
        Some(memo) => memo
            .0
            .get_or_try_init(|| of_token(&pool, &token))
            .await
            .cloned(),
        None => of_token(&pool, &token).await,
    }
}

/// The answer of [`signed_in`] for the request it is provided to (the server provides a new
/// one with each request's context): asked once, shared by the page and its server
/// functions. A request that starts or ends a session still reads the cookie it came with,
/// so the remembered answer is the one a new lookup would give.
#[derive(Clone, Default)]
pub struct SessionMemo(std::sync::Arc<tokio::sync::OnceCell<Option<(Viewer, Access)>>>);

/// Who sent a request that is not a page or a server function (a download), from its
/// headers, as [`signed_in`] says it.
pub async fn from_headers(
    state: &super::ServerState,
    headers: &http::HeaderMap,
) -> Result<Option<Access>, AppError> {
    let name = if state.config.https() {
        SECURE_COOKIE_NAME
    } else {
        COOKIE_NAME
    };
    match token_in(headers, name) {
        Some(token) => Ok(of_token(&state.pool, &token)
            .await?
            .map(|(_, access)| access)),
        None => Ok(None),
    }
}

async fn of_token(pool: &PgPool, token: &str) -> Result<Option<(Viewer, Access)>, AppError> {
    let row = sqlx::query!(
        r#"SELECT m.id, m.organization_id, o.name AS organization_name, m.first_name, m.last_name,
                  m.email, m.permission, m.enable_seat, o.managers_may_invite,
                  CASE WHEN m.permission = 'manager' THEN managed_teams(m.id) END AS "teams: Vec<i64>"
             FROM sessions s
             JOIN members m ON m.id = s.member_id
             JOIN organizations o ON o.id = m.organization_id
            WHERE s.token_hash = $1 AND s.expires_at > now() AND m.status = 'active'"#,
        token_digest(token),
    )
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let permission = Permission::parse(&r.permission).map_err(|e| {
        tracing::error!(%e, "stored permission unreadable");
        AppError::internal()
    })?;
    let viewer = Viewer {
        member_id: r.id,
        organization_id: r.organization_id,
        organization_name: r.organization_name,
        first_name: r.first_name,
        last_name: r.last_name,
        email: r.email,
        permission,
        enable_seat: r.enable_seat,
        managers_may_invite: r.managers_may_invite,
    };
    let access = Access {
        organization_id: viewer.organization_id,
        organization_name: viewer.organization_name.clone(),
        who: Who::Member {
            member_id: viewer.member_id,
        },
        role: permission,
        scope: match permission {
            Permission::Admin => Scope::Organization,
            Permission::Manager => Scope::Teams(r.teams.unwrap_or_default()),
            Permission::Member => Scope::Teams(Vec::new()),
        },
        enable_seat: viewer.enable_seat,
        managers_may_invite: r.managers_may_invite,
        // The Activity says what a manager did as a manager.
        label: match permission {
            Permission::Manager => format!("{} (team manager)", viewer.email),
            _ => viewer.email.clone(),
        },
        name: viewer.full_name(),
    };
    Ok(Some((viewer, access)))
}

/// The signed-in member as the pages see them.
pub async fn viewer() -> Result<Option<Viewer>, AppError> {
    Ok(signed_in().await?.map(|(viewer, _)| viewer))
}

/// What the signed-in member may reach, or `Unauthenticated`. Every server function that
/// reads or changes an organization's data starts here and hands the value to `server/`,
/// which decides (`Access::may`, `Access::reaches`).
pub async fn require_access() -> Result<Access, AppError> {
    signed_in()
        .await?
        .map(|(_, access)| access)
        .ok_or(AppError::Unauthenticated)
}

/// The signed-in member with what they may reach (the learner's own pages).
pub async fn require_signed_in() -> Result<(Viewer, Access), AppError> {
    signed_in().await?.ok_or(AppError::Unauthenticated)
}

#[cfg(test)]
mod tests {
    use super::client_of;

    #[test]
    fn only_trusted_proxies_say_who_the_client_is() {
        let trusted: Vec<ipnet::IpNet> = vec![
            "10.0.0.0/8".parse().unwrap(),
            "127.0.0.1/32".parse().unwrap(),
        ];
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        // Straight from the internet: the peer, whatever it claims.
        assert_eq!(
            client_of(ip("203.0.113.5"), "1.2.3.4", &trusted),
            ip("203.0.113.5")
        );
        // Through the proxy: the address it saw.
        assert_eq!(
            client_of(ip("127.0.0.1"), "198.51.100.7", &trusted),
            ip("198.51.100.7")
        );
        // A client's own claim left of it is ignored; chains of trusted proxies skipped.
        assert_eq!(
            client_of(ip("127.0.0.1"), "6.6.6.6, 198.51.100.7, 10.1.2.3", &trusted),
            ip("198.51.100.7")
        );
        // No header: the proxy itself.
        assert_eq!(client_of(ip("127.0.0.1"), "", &trusted), ip("127.0.0.1"));
        assert_eq!(
            client_of(ip("127.0.0.1"), "junk", &trusted),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let key = |s: &str| super::throttle_key(s.parse().unwrap());
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7");
    }
}
