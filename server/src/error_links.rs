//! The error a form's redirect carries in its address, signed. Before the page is
//! interactive a form posts to its server function, which answers a refusal by sending the
//! browser back with the error in the query (`?__path=…&__err=…`, Leptos' progressive
//! enhancement), and the page shows it. Anyone can write such an address, so the server
//! signs the ones it makes (`__sig`: an expiry and an HMAC-SHA256 of the error under a key
//! every instance shares) and sends any other back without the error: a link's author
//! cannot put words in Roster's mouth.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;
use tokio::sync::OnceCell;

/// How long a signed error may be shown: the redirect is followed at once.
const VALID_FOR_SECONDS: i64 = 300;
/// The query parameters of an error in an address.
const ERROR_PARAMETERS: [&str; 3] = ["__path", "__err", "__sig"];

/// The shared key, read (or made, by the first instance to start) once per process.
async fn key(pool: &PgPool) -> Result<&'static [u8; 32], sqlx::Error> {
    static KEY: OnceCell<[u8; 32]> = OnceCell::const_new();
    KEY.get_or_try_init(|| async {
        let mut fresh = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut fresh);
        sqlx::query!(
            "INSERT INTO server_keys (name, key) VALUES ('error_links', $1) ON CONFLICT DO NOTHING",
            &fresh[..]
        )
        .execute(pool)
        .await?;
        let stored: Vec<u8> =
            sqlx::query_scalar!("SELECT key FROM server_keys WHERE name = 'error_links'")
                .fetch_one(pool)
                .await?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&stored);
        Ok(key)
    })
    .await
}

fn signature(key: &[u8; 32], expires: i64, path: &str, error: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{expires}\n{path}\n{error}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn parameter(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `__sig` for the error a redirect carries, or `None` when it carries none.
fn sign(key: &[u8; 32], location: &str, at: i64) -> Option<String> {
    let mut url = url::Url::parse(location).ok()?;
    let error = parameter(&url, "__err")?;
    let path = parameter(&url, "__path").unwrap_or_default();
    let expires = at + VALID_FOR_SECONDS;
    let sig = format!("{expires}.{}", signature(key, expires, &path, &error));
    url.query_pairs_mut().append_pair("__sig", &sig);
    Some(url.to_string())
}

/// Whether the error in this query was signed by the server and is still fresh.
fn verified(key: &[u8; 32], query: &str, at: i64) -> bool {
    let Ok(url) = url::Url::parse(&format!("http://roster.invalid/?{query}")) else {
        return false;
    };
    let (Some(error), Some(sig)) = (parameter(&url, "__err"), parameter(&url, "__sig")) else {
        return false;
    };
    let path = parameter(&url, "__path").unwrap_or_default();
    let Some((expires, mac)) = sig.split_once('.') else {
        return false;
    };
    let Ok(expires) = expires.parse::<i64>() else {
        return false;
    };
    let Ok(mac) = hex::decode(mac) else {
        return false;
    };
    let mut check = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    check.update(format!("{expires}\n{path}\n{error}").as_bytes());
    // verify_slice compares in constant time.
    expires >= at && check.verify_slice(&mac).is_ok()
}

/// The address without its error: `/sign-in?next=%2Forganization`.
fn without_error(path: &str, query: &str) -> String {
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| !ERROR_PARAMETERS.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        return path.to_owned();
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    format!("{path}?{query}")
}

/// Signs the error of a server function's redirect, and sends a page request whose
/// error the server did not sign back to the same page without it.
pub async fn signed_errors(
    State(pool): State<PgPool>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    // The key is read only where an error is in play: no other request waits on the
    // database for it (`/livez` must answer without one).
    let key = || async {
        key(&pool).await.inspect_err(|error| {
            tracing::error!(%error, "the key of error links could not be read");
        })
    };
    let page =
        matches!(*request.method(), Method::GET | Method::HEAD) && !path.starts_with("/api/");
    if page
        && url::form_urlencoded::parse(query.as_bytes())
            .any(|(k, _)| ERROR_PARAMETERS.contains(&k.as_ref()))
    {
        let shown = match key().await {
            Ok(key) => verified(key, &query, now()),
            Err(_) => false,
        };
        if !shown {
            let clean = without_error(&path, &query);
            return match HeaderValue::from_str(&clean) {
                Ok(location) => {
                    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
                }
                Err(_) => StatusCode::BAD_REQUEST.into_response(),
            };
        }
    }
    let mut response = next.run(request).await;
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .filter(|l| path.starts_with("/api/") && l.contains("__err="))
        .map(str::to_owned);
    if let Some(location) = location {
        let signed = match key().await {
            Ok(key) => sign(key, &location, now()),
            Err(_) => None,
        };
        match signed.and_then(|l| HeaderValue::from_str(&l).ok()) {
            Some(signed) => {
                response.headers_mut().insert(header::LOCATION, signed);
            }
            // Unsigned, the error would be dropped on arrival anyway: say nothing false.
            None => {
                if let Ok(clean) = HeaderValue::from_str(&without_error_url(&location)) {
                    response.headers_mut().insert(header::LOCATION, clean);
                }
            }
        }
    }
    response
}

/// A full address without its error.
fn without_error_url(location: &str) -> String {
    match location.split_once('?') {
        Some((path, query)) => without_error(path, query),
        None => location.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn only_errors_the_server_signed_are_shown() {
        let location = "http://127.0.0.1:3000/sign-in?next=%2Forganization&__path=%2Fapi%2Fsign_in&__err=eyJJbnZhbGlkIjoieCJ9";
        let signed = sign(&KEY, location, 1_000).unwrap();
        let query = signed.split_once('?').unwrap().1;
        assert!(verified(&KEY, query, 1_000));
        assert!(verified(&KEY, query, 1_000 + VALID_FOR_SECONDS));
        assert!(!verified(&KEY, query, 1_001 + VALID_FOR_SECONDS), "expired");
        assert!(!verified(&[8; 32], query, 1_000), "another key");
        let forged = query.replace("eyJJbnZhbGlkIjoieCJ9", "eyJJbnZhbGlkIjoiV0lOIn0");
        assert!(!verified(&KEY, &forged, 1_000), "another error");
        assert!(
            !verified(&KEY, "__err=eyJJbnZhbGlkIjoieCJ9", 1_000),
            "unsigned"
        );
        assert_eq!(sign(&KEY, "http://x/sign-in?next=%2F", 1_000), None);
    }

    #[test]
    fn an_unsigned_error_is_dropped_from_the_address() {
        assert_eq!(
            without_error("/sign-in", "next=%2Forganization&__err=abc&__path=x"),
            "/sign-in?next=%2Forganization"
        );
        assert_eq!(without_error("/sign-in", "__err=abc"), "/sign-in");
    }
}
