//! The built site's files and HTTP compression.
//!
//! `cargo leptos build --release --precompress` (what `make run` does) writes the wasm,
//! its JavaScript and the stylesheet under content-hashed names (`roster.4f…e1.wasm`),
//! each beside a brotli (`.br`) and a gzip (`.gz`) copy. `/pkg` serves those copies to
//! browsers that accept them and marks the files `immutable`: a new build has new names,
//! so a browser never needs to ask again. Pages and server-function answers are
//! compressed as they are sent.

use axum::http::{header, HeaderValue, Response, StatusCode};
use leptos::prelude::LeptosOptions;
use tower::Layer;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;
use tower_http::set_header::{MakeHeaderValue, SetResponseHeader, SetResponseHeaderLayer};

/// A year: the longest lifetime caches honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Names without a hash (a build without `hash-files`) must be checked each time.
const REVALIDATE: &str = "no-cache";

/// `/pkg/…`: the build's files, precompressed copies preferred. Only files found are
/// marked cacheable: during a rolling deploy an old instance may be asked for a new
/// build's name, and its 404 must not be kept.
pub fn pkg_files(options: &LeptosOptions) -> SetResponseHeader<ServeDir, CacheControl> {
    let dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let value = HeaderValue::from_static(if options.hash_files {
        IMMUTABLE
    } else {
        REVALIDATE
    });
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, CacheControl(value)).layer(files)
}

/// The `Cache-Control` of the files found (2xx and 304), none on errors.
#[derive(Clone)]
pub struct CacheControl(HeaderValue);

impl<B> MakeHeaderValue<Response<B>> for CacheControl {
    fn make_header_value(&mut self, response: &Response<B>) -> Option<HeaderValue> {
        let status = response.status();
        let found = status.is_success() || status == StatusCode::NOT_MODIFIED;
        found.then(|| self.0.clone())
    }
}

/// Compression of what is not precompressed (pages, JSON, `/metrics`), brotli or gzip as
/// the client accepts. A response that already names its encoding (a `.br` file) passes
/// as it is. Quality 1, the fastest setting that still looks for repeats: pages are made
/// per request: under 50 clients, My Organization compressed at quality 4 served about
/// 70 % of the uncompressed page's throughput, at quality 1 about 87 %, and is still
/// 4.8 KB instead of 42.8 KB (docs/BENCHMARKS.md, issue 25, target 5).
pub fn compression() -> CompressionLayer {
    CompressionLayer::new().quality(CompressionLevel::Precise(1))
}
