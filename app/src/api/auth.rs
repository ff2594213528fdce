use crate::domain::Permission;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in member, as the pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub member_id: i64,
    pub organization_id: i64,
    pub organization_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub permission: Permission,
    pub enable_seat: bool,
}

impl Viewer {
    pub fn is_admin(&self) -> bool {
        self.permission == Permission::Admin
    }

    /// Where this member lands after signing in.
    pub fn home_path(&self) -> &'static str {
        if self.is_admin() {
            "/organization"
        } else {
            "/my-programs"
        }
    }
}

/// Only same-site paths are followed after sign-in, never `//evil.example` or a full URL.
pub fn safe_next_path(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .map(ToOwned::to_owned)
}

#[server]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    crate::server::session::viewer().await
}

#[server]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{crypto, pool, session, throttle};
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;

    let email_lower = email.trim().to_lowercase();
    if email_lower.is_empty() || password.is_empty() {
        return Err(AppError::invalid(
            "Enter your email address and your password.",
        ));
    }
    let address = leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|_| "unknown".to_owned());
    let pool = pool()?;
    throttle::check(&pool, &email_lower, &address).await?;

    // The same address may belong to members of several organizations; try each.
    let candidates = sqlx::query!(
        r#"SELECT id, permission, status, password_hash FROM members
            WHERE lower(email) = $1 AND password_hash IS NOT NULL
            ORDER BY activated_at DESC NULLS LAST"#,
        email_lower,
    )
    .fetch_all(&pool)
    .await?;
    let mut matched = None;
    if candidates.is_empty() {
        crypto::verify_password(password.clone(), None).await?;
    }
    for candidate in candidates {
        if crypto::verify_password(password.clone(), candidate.password_hash).await? {
            matched = Some((candidate.id, candidate.permission, candidate.status));
            break;
        }
    }
    let Some((member_id, permission, status)) = matched else {
        throttle::record_failure(&pool, &email_lower, &address).await?;
        return Err(AppError::invalid(
            "The email address or password is not right. Check both and try again.",
        ));
    };
    if status != "active" {
        return Err(AppError::invalid(
            "Your account is inactive. Ask an administrator of your organization to reactivate it.",
        ));
    }
    throttle::clear(&pool, &email_lower).await?;
    let mut conn = pool.acquire().await?;
    session::start(&mut conn, member_id).await?;
    tracing::info!(member_id, "signed in");
    let home = if permission == "admin" {
        "/organization"
    } else {
        "/my-programs"
    };
    let target = safe_next_path(next.as_deref()).unwrap_or_else(|| home.to_owned());
    leptos_axum::redirect(&target);
    Ok(())
}

#[server]
pub async fn sign_out() -> Result<(), AppError> {
    let pool = crate::server::pool()?;
    let mut conn = pool.acquire().await?;
    crate::server::session::end(&mut conn).await?;
    leptos_axum::redirect("/sign-in");
    Ok(())
}

/// What the invitation page shows for a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationView {
    Open {
        organization_name: String,
        first_name: String,
        email: String,
    },
    /// Expired or unusable, with the message that says what to do.
    Closed { message: String },
}

#[server]
pub async fn invitation(token: String) -> Result<InvitationView, AppError> {
    use crate::server::invitations::{expired_message, lookup, Lookup, UNUSABLE_MESSAGE};
    let pool = crate::server::pool()?;
    Ok(match lookup(&pool, &token).await? {
        Lookup::Open {
            organization_name,
            first_name,
            email,
        } => InvitationView::Open {
            organization_name,
            first_name,
            email,
        },
        Lookup::Expired { expired_at } => InvitationView::Closed {
            message: expired_message(expired_at),
        },
        Lookup::Unusable => InvitationView::Closed {
            message: UNUSABLE_MESSAGE.to_owned(),
        },
    })
}

#[server]
pub async fn accept_invitation(
    token: String,
    password: String,
    password_confirmation: String,
) -> Result<(), AppError> {
    use crate::domain::NewPassword;
    let password = NewPassword::parse(&password, &password_confirmation)
        .map_err(|e| AppError::field("password", e.0))?;
    let pool = crate::server::pool()?;
    let (member_id, permission) =
        crate::server::invitations::accept(&pool, &token, &password).await?;
    tracing::info!(member_id, "invitation accepted");
    leptos_axum::redirect(if permission == Permission::Admin {
        "/organization"
    } else {
        "/my-programs"
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_path_stays_on_this_site() {
        assert_eq!(
            safe_next_path(Some("/organization")),
            Some("/organization".into())
        );
        assert_eq!(safe_next_path(Some("//evil.example")), None);
        assert_eq!(safe_next_path(Some("https://evil.example")), None);
        assert_eq!(safe_next_path(Some("/\\evil.example")), None);
        assert_eq!(safe_next_path(None), None);
    }
}
