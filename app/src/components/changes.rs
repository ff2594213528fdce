//! What a page that changes data shares: a message line saying how the last change went,
//! and a version that the page's resources follow, so they reload after each change.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Clone, Copy)]
pub struct Changes {
    pub version: RwSignal<u32>,
    pub flash: RwSignal<Option<Result<String, String>>>,
}

impl Changes {
    pub fn new() -> Self {
        Self {
            version: RwSignal::new(0),
            flash: RwSignal::new(None),
        }
    }

    /// Shows how a change went and reloads what the page shows.
    pub fn done(self, result: Result<String, AppError>) {
        self.flash.set(Some(result.map_err(|e| e.to_string())));
        self.version.update(|v| *v += 1);
    }

    /// Runs a server call in the background; `success` words its answer.
    pub fn run<T, F>(self, call: F, success: impl FnOnce(T) -> String + 'static)
    where
        T: 'static,
        F: std::future::Future<Output = Result<T, AppError>> + 'static,
    {
        spawn_local(async move { self.done(call.await.map(success)) });
    }
}

impl Default for Changes {
    fn default() -> Self {
        Self::new()
    }
}

/// The message line: announced to screen readers, green or red.
#[component]
pub fn Flash(changes: Changes) -> impl IntoView {
    view! {
        <p class="flash" role="status" data-testid="flash">
            {move || changes.flash.get().map(|r| match r {
                Ok(t) => view! { <span class="success">{t}</span> }.into_any(),
                Err(t) => view! { <span class="error">{t}</span> }.into_any(),
            })}
        </p>
    }
}

/// Asks the person before a destructive change (the browser's own dialog: keyboard and
/// screen-reader friendly). On the server nothing is asked.
pub fn confirmed(question: &str) -> bool {
    window().confirm_with_message(question).unwrap_or(false)
}
