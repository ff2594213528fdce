//! The seat alert banner: shown to administrators while seats of a kind are low or out
//! (the thresholds of `domain::licenses`), leading to *Request more seats*.

use super::load;
use crate::api::licenses::load_seat_banner;
use leptos::prelude::*;

/// Reloads whenever `version` changes (a change on the page that may take seats).
#[component]
pub fn SeatBanner(version: RwSignal<u32>) -> impl IntoView {
    let banner = load(move || version.get(), |_| load_seat_banner());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                banner.await.ok().flatten().map(|b| view! {
                    <div class=if b.out { "banner alert out" } else { "banner alert" } role="status" data-testid="seat-banner">
                        <strong>{b.words}</strong>
                        " "
                        <a href="/organization/seats#request-title">"Request more seats"</a>
                    </div>
                })
            })}
        </Suspense>
    }
}
