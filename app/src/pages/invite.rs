use crate::api::invitations::{invitation, AcceptInvitation};
use crate::api::sso::SsoAccept;
use crate::components::load_blocking;
use crate::components::url_error;
use crate::components::Loaded;
use crate::domain::NewPassword;
use crate::model::invitations::InvitationView;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/invite/<token>`: the person sets a password and lands signed in.
#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let details = load_blocking(token, invitation);
    view! {
        <leptos_meta::Title text="Accept your invitation · Roster"/>
        <Loaded resource=details ready=move |value| match value {
                    InvitationView::Open { organization_name, first_name, email, company_sign_in, sso_required } => view! {
                        <AcceptForm token=token() organization_name first_name email company_sign_in sso_required/>
                    }
                    .into_any(),
                    InvitationView::Closed { message } => view! {
                        <section class="card notice" data-testid="invitation-closed">
                            <h1>"This invitation cannot be used"</h1>
                            <p role="alert">{message}</p>
                            <p><a href="/sign-in">"Go to sign-in"</a></p>
                        </section>
                    }
                    .into_any(),
        }/>
    }
}

#[component]
fn AcceptForm(
    token: String,
    organization_name: String,
    first_name: String,
    email: String,
    company_sign_in: bool,
    sso_required: bool,
) -> impl IntoView {
    let action = ServerAction::<AcceptInvitation>::new();
    let company = ServerAction::<SsoAccept>::new();
    let company_token = token.clone();
    let (password, set_password) = signal(String::new());
    let (confirmation, set_confirmation) = signal(String::new());
    let (touched, set_touched) = signal(false);
    // The same rule the server applies, shown as the person types.
    let live_problem = move || {
        if !touched.get() {
            return None;
        }
        NewPassword::parse(&password.get(), &confirmation.get())
            .err()
            .map(|e| e.0)
    };
    let early_error = url_error();
    let server_error = move || match action.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        Some(Ok(())) => None,
        None => early_error.as_ref().map(ToString::to_string),
    };
    view! {
        <section class="card auth">
            <h1>"Welcome to " {organization_name} ", " {first_name} "!"</h1>
            {company_sign_in.then(|| view! {
                <ActionForm action=company attr:class="company-sign-in">
                    <input type="hidden" name="token" value=company_token/>
                    <p>"Your organization signs in with its company account."</p>
                    <button type="submit" class="primary">"Accept with your company account"</button>
                </ActionForm>
            })}
            {(!sso_required).then(|| view! {
            <p>{if company_sign_in { "Or choose a password for " } else { "Choose a password for " }} <strong>{email.clone()}</strong> ". You will use it to sign in to Roster."</p>
            <ActionForm action=action>
                <input type="hidden" name="token" value=token/>
                <input type="hidden" name="email" autocomplete="username" value=email/>
                <div class="field">
                    <label for="password">"New password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="new-password"
                        minlength=NewPassword::MIN_CHARS
                        required
                        aria-describedby="password-help"
                        on:input=move |ev| set_password.set(event_target_value(&ev))
                    />
                    <p id="password-help" class="hint">
                        {format!("At least {} characters. A few words make a strong password.", NewPassword::MIN_CHARS)}
                    </p>
                </div>
                <div class="field">
                    <label for="password_confirmation">"Type the password again"</label>
                    <input
                        id="password_confirmation"
                        name="password_confirmation"
                        type="password"
                        autocomplete="new-password"
                        required
                        on:input=move |ev| set_confirmation.set(event_target_value(&ev))
                        on:blur=move |_| set_touched.set(true)
                    />
                </div>
                <p class="error" role="alert" data-testid="accept-error">
                    {move || live_problem().or_else(&server_error)}
                </p>
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    "Set password and sign in"
                </button>
            </ActionForm>
            })}
        </section>
    }
}
