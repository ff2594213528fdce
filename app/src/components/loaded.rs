//! The shape every page takes while it loads: "Loading…", then what arrived, or what went
//! wrong in words (and, on the server, with the error's HTTP status).

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

/// How a page's data travels from the server's rendering to the browser: JSON, as with
/// Leptos' own codec, but read back from its bytes (`serde_json::from_slice`), the way the
/// server functions' answers are read. Leptos' codec reads from a `str`, and the browser's
/// module then held two readers of every type a page loads, one for each (about a
/// quarter of its JSON code).
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(encoded.as_bytes())
    }
}

/// A page's data, or what went wrong loading it (see [`load`]).
pub type Load<T> = Resource<Result<T, AppError>, Json>;

/// Loads a page's data with `fetcher` whenever `source` changes, carried to the browser
/// as [`Json`]; the page streams while it loads.
#[track_caller]
pub fn load<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, Json>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// [`load`], holding the page's first bytes until the data is there (its title and
/// status depend on it).
#[track_caller]
pub fn load_blocking<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, Json>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, true)
}

/// Shows `ready(value)` once `resource` has answered; until then `loading`; an error as
/// an alert paragraph. Re-runs when the resource does (a reload after a change).
#[component]
pub fn Loaded<T, F>(
    resource: Load<T>,
    ready: F,
    #[prop(default = "Loading…")] loading: &'static str,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> AnyView + Clone + Send + Sync + 'static,
{
    view! {
        <Suspense fallback=move || view! { <p class="loading">{loading}</p> }>
            {move || {
                let ready = ready.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => ready(value),
                        Err(e) => {
                            super::set_status(e.status());
                            view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}
