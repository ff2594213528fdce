//! A way back in: *Forgot password?*, the page a reset link opens, and *Change password*.
//! Each is a plain form that works before the page is interactive.

use crate::api::passwords::{password_reset, ChangePassword, RequestPasswordReset, ResetPassword};
use crate::components::load_blocking;
use crate::components::{url_error, Guarded, Loaded, Need};
use crate::domain::NewPassword;
use crate::model::passwords::ResetView;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/forgot-password`: an address in, the same answer out whether or not it has an account.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let sent_before = use_query_map().read_untracked().get("sent").is_some();
    let early_error = StoredValue::new(url_error());
    let error = move || match action.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        Some(Ok(())) => None,
        None => early_error.with_value(|e| e.as_ref().map(ToString::to_string)),
    };
    let sent = move || sent_before || matches!(action.value().get(), Some(Ok(())));
    view! {
        <leptos_meta::Title text="Forgot password · Roster"/>
        <section class="card auth">
            <h1>"Forgot your password?"</h1>
            <Show
                when=sent
                fallback=move || view! {
                    <p>"Type the address you sign in with. If it has an account, we email a link to choose a new password."</p>
                    <ActionForm action=action>
                        <div class="field">
                            <label for="email">"Email address"</label>
                            <input id="email" name="email" type="email" autocomplete="username" required autofocus/>
                        </div>
                        <p class="error" role="alert" data-testid="forgot-error">{error}</p>
                        <button type="submit" class="primary" disabled=move || action.pending().get()>"Email me a link"</button>
                    </ActionForm>
                }
            >
                <p role="status" data-testid="forgot-sent">"If an account exists for this address, an email with a link to choose a new password is on its way. The link works once, for 60 minutes. Nothing arrived? Check your spam folder, or ask your administrator."</p>
            </Show>
            <p><a href="/sign-in">"← Back to sign-in"</a></p>
        </section>
    }
}

/// `/reset-password/<token>`: choose a new password, then land signed in.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let details = load_blocking(token, password_reset);
    view! {
        <leptos_meta::Title text="Choose a new password · Roster"/>
        <Loaded resource=details ready=move |value| match value {
                    ResetView::Open { email } => view! { <ResetForm token=token() email/> }.into_any(),
                    ResetView::Closed { message } => view! {
                        <section class="card notice" data-testid="reset-closed">
                            <h1>"This link cannot be used"</h1>
                            <p role="alert">{message}</p>
                            <p><a href="/forgot-password">"Ask for a new link"</a>" · "<a href="/sign-in">"Sign in"</a></p>
                        </section>
                    }.into_any(),
        }/>
    }
}

#[component]
fn ResetForm(token: String, email: String) -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let early_error = url_error();
    let error = move || match action.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        Some(Ok(())) => None,
        None => early_error.as_ref().map(ToString::to_string),
    };
    view! {
        <section class="card auth">
            <h1>"Choose a new password"</h1>
            <p>"For " <strong>{email.clone()}</strong> ". Choosing it signs you out everywhere else."</p>
            <ActionForm action=action>
                <input type="hidden" name="token" value=token/>
                <input type="hidden" name="email" autocomplete="username" value=email/>
                <NewPasswordFields/>
                <p class="error" role="alert" data-testid="reset-error">{error}</p>
                <button type="submit" class="primary" disabled=move || action.pending().get()>"Set new password and sign in"</button>
            </ActionForm>
        </section>
    }
}

/// The new password twice, with its rule (the server applies the same).
#[component]
fn NewPasswordFields() -> impl IntoView {
    view! {
        <div class="field">
            <label for="password">"New password"</label>
            <input id="password" name="password" type="password" autocomplete="new-password"
                minlength=NewPassword::MIN_CHARS required aria-describedby="password-help"/>
            <p id="password-help" class="hint">
                {format!("At least {} characters. A few words make a strong password.", NewPassword::MIN_CHARS)}
            </p>
        </div>
        <div class="field">
            <label for="password_confirmation">"Type the password again"</label>
            <input id="password_confirmation" name="password_confirmation" type="password" autocomplete="new-password" required/>
        </div>
    }
}

/// `/account/password`: change the password while signed in.
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    view! { <Guarded need=Need::SignedIn title="Change password" page=|_viewer| view! { <ChangeForm/> }.into_any()/> }
}

#[component]
fn ChangeForm() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let changed_before = use_query_map().read_untracked().get("changed").is_some();
    let initial_error = StoredValue::new(url_error());
    let error = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| initial_error.get_value())
    };
    let changed = move || changed_before || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card auth">
            <h1>"Change password"</h1>
            <p>"Changing it signs you out on every other device."</p>
            <ActionForm action=action>
                <div class="field">
                    <label for="current_password">"Current password"</label>
                    <input id="current_password" name="current_password" type="password" autocomplete="current-password" required
                        aria-describedby="current_password-error"/>
                    <span class="error" id="current_password-error" role="alert">{move || error().and_then(|e| e.for_field("current_password"))}</span>
                </div>
                <NewPasswordFields/>
                <p class="error" role="alert" data-testid="change-error">
                    {move || error().filter(|e| e.for_field("current_password").is_none()).map(|e| e.to_string())}
                </p>
                <button type="submit" class="primary" disabled=move || action.pending().get()>"Change password"</button>
            </ActionForm>
            <p role="status" data-testid="change-done">
                {move || changed().then(|| view! { <span class="success">"Password changed. Other devices are signed out."</span> })}
            </p>
        </section>
    }
}
