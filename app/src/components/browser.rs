//! Small browser helpers (downloads, reading files, time). On the server they do nothing:
//! they are only ever called from event handlers, which run in the browser.

/// Offers `text` to the person as a file download named `file_name`.
pub fn download(file_name: &str, mime: &str, text: &str) {
    #[cfg(feature = "hydrate")]
    {
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        save_blob(file_name, mime, &parts);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (file_name, mime, text);
}

/// [`download`] for binary content (a workbook).
pub fn download_bytes(file_name: &str, mime: &str, bytes: &[u8]) {
    #[cfg(feature = "hydrate")]
    {
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        save_blob(file_name, mime, &parts);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (file_name, mime, bytes);
}

/// Saves an export a server function answered with (its bytes base64); `Err` says what
/// to tell the user.
pub fn save_export(
    answer: Result<crate::model::roster::ExportFile, crate::error::AppError>,
) -> Result<(), String> {
    use base64::Engine;
    let file = answer.map_err(|e| e.to_string())?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file.base64)
        .map_err(|_| "The download arrived damaged: try again.".to_owned())?;
    download_bytes(&file.file_name, &file.mime, &bytes);
    Ok(())
}

/// Offers `parts` as a file to save, as a link with `download` does.
#[cfg(feature = "hydrate")]
fn save_blob(file_name: &str, mime: &str, parts: &js_sys::Array) {
    use wasm_bindgen::JsCast;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let document = leptos::prelude::document();
    if let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Milliseconds since the epoch (for "checked in 0.4 s").
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// Lets the browser paint and handle input, then resumes, so long work done in slices
/// never holds the page for more than one slice. Through `scheduler.yield()` where the
/// browser has it (Chromium since 129): the work goes on as soon as the page has had its
/// turn. A zero-delay timer, the fallback, is held to at least 4 ms once timers nest
/// (HTML's timer rules), which a 100,000-row check paid a dozen times.
pub async fn next_tick() {
    #[cfg(feature = "hydrate")]
    if let Some(promise) = scheduler_yield() {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        return;
    }
    sleep_ms(0).await;
}

/// `scheduler.yield()`'s promise, when the browser has the Prioritized Task Scheduling
/// API's `yield`.
#[cfg(feature = "hydrate")]
fn scheduler_yield() -> Option<js_sys::Promise> {
    use wasm_bindgen::JsCast;
    let scheduler = js_sys::Reflect::get(&js_sys::global(), &"scheduler".into()).ok()?;
    if scheduler.is_undefined() || scheduler.is_null() {
        return None;
    }
    let yield_now = js_sys::Reflect::get(&scheduler, &"yield".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    yield_now.call0(&scheduler).ok()?.dyn_into().ok()
}

/// Waits `ms` milliseconds in the browser (on the server, where no one waits, nothing).
pub async fn sleep_ms(ms: i32) {
    #[cfg(feature = "hydrate")]
    {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let _ = leptos::prelude::window()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

/// The largest file the page reads: a million members make about 100 MB, and the check
/// needs up to twice the file's size in the program's memory (which cannot pass 4 GB).
#[cfg(feature = "hydrate")]
const MAX_FILE_BYTES: u64 = 1 << 30;

/// A file the person picked or dropped, read into the program's memory a piece at a time
/// (a slice of the file, one read each): the whole file never sits in the page's script
/// memory beside its copy here — 100 MB more until the browser collects it — and the page
/// paints between pieces. `Err` says what to tell the person. (The browser benchmark's
/// generated file comes in this way too, as a `Blob`.)
#[cfg(feature = "hydrate")]
pub async fn read_file(file: web_sys::Blob) -> Result<Vec<u8>, String> {
    const PIECE: u64 = 8 << 20;
    let file = gloo_file::Blob::from(file);
    let len = file.size();
    if len > MAX_FILE_BYTES {
        return Err(format!(
            "This file is {} MB; Roster reads files of up to {} MB (a million members take about 100 MB). Split it into several files.",
            len >> 20,
            MAX_FILE_BYTES >> 20
        ));
    }
    // Fresh zeroed memory costs no writing in WebAssembly (new pages are zero).
    let mut bytes = vec![0u8; len as usize];
    let mut from = 0;
    while from < len {
        let to = (from + PIECE).min(len);
        let piece = gloo_file::futures::read_as_array_buffer(&file.slice(from, to))
            .await
            .map_err(|e| format!("The file could not be read ({e}). Try saving it again."))?;
        let piece = js_sys::Uint8Array::new(&piece);
        if u64::from(piece.length()) != to - from {
            return Err("The file changed while it was being read: drop it again.".into());
        }
        piece.copy_to(&mut bytes[from as usize..to as usize]);
        from = to;
    }
    Ok(bytes)
}
