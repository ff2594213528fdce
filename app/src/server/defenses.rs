//! The browser's own defenses, in one place: the Content-Security-Policy of every response
//! (a page's names the nonce of its inline hydration script) and the referrer policy, which
//! the server's middleware puts on every response with the other security headers.

/// The Content-Security-Policy: scripts from this origin only (plus, on a page, its own
/// inline hydration script by `nonce`), WebAssembly compiled from them
/// (`'wasm-unsafe-eval'`), no plugins, no framing, forms and requests to this origin only.
/// Inline style attributes stay allowed: the page sets a few (the preview's height).
/// `live_reload`: under `make dev` (cargo leptos watch) only, the websocket that tells the
/// page to reload after a rebuild (`ws://127.0.0.1:3001`).
pub fn content_security_policy(nonce: Option<&str>, live_reload: Option<&str>) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("'self' 'wasm-unsafe-eval' 'nonce-{nonce}'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    let connect = match live_reload {
        Some(socket) => format!("'self' {socket}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self'; connect-src {connect}; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Pages whose address holds a secret (an invitation or reset link) send no referrer at
/// all; others send it to this origin only.
pub fn referrer_policy(path: &str) -> &'static str {
    if path.starts_with("/invite/") || path.starts_with("/reset-password/") {
        "no-referrer"
    } else {
        "same-origin"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_only_from_here_and_never_unsafe_inline() {
        let page = content_security_policy(Some("abc"), None);
        let scripts = page
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(scripts.contains("'nonce-abc'") && scripts.contains("'wasm-unsafe-eval'"));
        assert!(!scripts.contains("unsafe-inline"));
        assert!(page.contains("frame-ancestors 'none'"));
        assert!(!content_security_policy(None, None).contains("nonce"));
        assert!(content_security_policy(None, Some("ws://127.0.0.1:3001"))
            .contains("connect-src 'self' ws://127.0.0.1:3001;"));
        assert_eq!(referrer_policy("/invite/abc"), "no-referrer");
        assert_eq!(referrer_policy("/reset-password/abc"), "no-referrer");
        assert_eq!(referrer_policy("/organization"), "same-origin");
    }
}
