use crate::api::auth::SignIn;
use crate::api::sso::{sso_for_email, SsoStart};
use crate::components::load;
use crate::components::url_error;
use crate::domain::sso::SsoRefusal;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = query.read_untracked().get("next").unwrap_or_default();
    let early_error = url_error();
    let error = move || match action.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        Some(Ok(())) => None,
        None => early_error.as_ref().map(ToString::to_string),
    };
    // Works as a plain form before the page is interactive; once hydrated the same form
    // is submitted without a reload, and this toggle works.
    let (show_password, set_show_password) = signal(false);
    // Why a company sign-in came back without signing in (a key, never free text).
    // Reactive: a refusal may come back to this very page by a client-side redirect.
    let sso_refusal = move || {
        query
            .read()
            .get("sso")
            .and_then(|k| SsoRefusal::parse(&k))
            .map(SsoRefusal::message)
    };
    let company = ServerAction::<SsoStart>::new();
    let (typed, set_typed) = signal(String::new());
    // Once the typed address is known, whether its domain signs in with a company account.
    let offers = load(
        move || typed.get(),
        |email| async move {
            if email.contains('@') {
                sso_for_email(email).await.unwrap_or(false)
            } else {
                false
            }
        },
    );
    view! {
        <leptos_meta::Title text="Sign in · Roster"/>
        <section class="card auth">
            <h1>"Sign in to Roster"</h1>
            <ActionForm action=action>
                <input type="hidden" name="next" value=next/>
                <div class="field">
                    <label for="email">"Email address"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required autofocus
                        on:change=move |ev| set_typed.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <div class="with-button">
                        <input
                            id="password"
                            name="password"
                            type=move || if show_password.get() { "text" } else { "password" }
                            autocomplete="current-password"
                            required
                        />
                        <button
                            type="button"
                            class="secondary"
                            aria-controls="password"
                            aria-pressed=move || show_password.get().to_string()
                            on:click=move |_| set_show_password.update(|s| *s = !*s)
                        >
                            {move || if show_password.get() { "Hide" } else { "Show" }}
                        </button>
                    </div>
                </div>
                <p class="error" role="alert" data-testid="sign-in-error">{error}</p>
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            {move || sso_refusal().map(|message| view! { <p class="error" role="alert" data-testid="sso-error">{message}</p> })}
            <Transition fallback=|| ()>
                {move || offers.get().filter(|yes| *yes).map(|_| view! {
                    <div class="notice-box" data-testid="company-sign-in">
                        <p>"Your organization signs in with its company account."</p>
                        <ActionForm action=company>
                            <input type="hidden" name="email" value=typed.get()/>
                            <button type="submit" class="primary">"Continue with your company account"</button>
                        </ActionForm>
                    </div>
                })}
            </Transition>
            <details class="company-sign-in">
                <summary>"Sign in with your company account"</summary>
                <ActionForm action=company>
                    <div class="field">
                        <label for="company-email">"Your work address"</label>
                        <input id="company-email" name="email" type="email" autocomplete="username" required/>
                    </div>
                    <button type="submit">"Continue with your company account"</button>
                </ActionForm>
            </details>
            <p><a href="/forgot-password">"Forgot password?"</a></p>
            <p class="hint">"New here? Open the invitation link from your email to set your password."</p>
        </section>
    }
}
