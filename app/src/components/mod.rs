//! Pieces the pages share: the signed-in layout, the access guard, form helpers.

mod browser;
mod changes;
mod guard;
mod layout;
mod loaded;
mod seat_banner;

#[cfg(feature = "hydrate")]
pub use browser::read_file;
pub use browser::{download, download_bytes, next_tick, now_ms, save_export, sleep_ms};
pub use changes::{confirmed, Changes, Flash};
pub use guard::{Guarded, Need};
pub use loaded::{load, load_blocking, Load, Loaded};
pub use seat_banner::SeatBanner;

use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// An error that a server function returned to a form submitted before the page was
/// interactive: the server redirects back with it encoded in the `__err` parameter.
pub fn url_error() -> Option<AppError> {
    let query = use_query_map();
    let encoded = query.read_untracked().get("__err")?;
    Some(leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(&encoded))
}

/// Sets the HTTP status of the page being rendered on the server.
pub fn set_status(_code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(code)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(_code),
    ) {
        response.set_status(code);
    }
}

/// False while the server-rendered HTML is not yet hydrated, true once this part of the
/// page responds to clicks (effects run only in the browser, after hydration). Parts of
/// a page that load inside `Suspense` hydrate after the page itself; they carry
/// `data-interactive` so that tests (and styles) can tell.
pub fn interactive() -> ReadSignal<bool> {
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    ready
}
