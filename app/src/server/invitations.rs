//! Invitations: a random single-use token, stored hashed, valid for seven days.
//! Resending replaces the row, so only the newest link works.

use super::activity::{self, Action};
use super::crypto::{new_token, token_digest};
use super::mail::{Invitation, Mail, Opens};
use super::outbox::{enqueue, Letter};
use super::{throttle, RuntimeConfig};
use crate::domain::Access;
use crate::domain::Capability;
use crate::domain::{MemberStatus, NewPassword, Permission};
use crate::error::AppError;
use crate::model::invitations::{InvitationSettings, InvitationView, PendingInvitation};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

pub use crate::domain::rules::INVITATION_VALID_DAYS as VALID_FOR_DAYS;

/// Whose invitations [`issue_many`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    /// Members created in the caller's transaction: none has an invitation or a link yet,
    /// so each is a plain insert. An upsert costs PostgreSQL a speculative insertion per
    /// row: 50 against 38 ms per 5,000 rows, 0.24 s of a 100,000-row import.
    New,
    /// Members who may hold one already (a resend, a reactivation): it and every link to
    /// it (the reminders') are replaced, so only the newest works.
    Again,
}

/// Issues (or, with [`Issue::Again`], replaces) invitations for many members in one
/// statement; the tokens and their hashes come back in the order of `member_ids`. Mail
/// makes its own link when it is sent ([`super::links`]): [`send`] keeps only the hashes,
/// as slots.
pub async fn issue_many(
    conn: &mut PgConnection,
    member_ids: &[i64],
    issue: Issue,
) -> Result<Vec<(String, Vec<u8>)>, AppError> {
    let (tokens, digests): (Vec<String>, Vec<Vec<u8>>) =
        member_ids.iter().map(|_| new_token()).unzip();
    match issue {
        Issue::New => {
            // A member of another transaction's making cannot be here: the key's check
            // (per statement) and the primary key refuse anything else.
            sqlx::query!(
                r#"INSERT INTO invitations (member_id, token_hash, expires_at)
                   SELECT member_id, token_hash, now() + make_interval(days => $3)
                     FROM UNNEST($1::bigint[], $2::bytea[]) AS t(member_id, token_hash)"#,
                member_ids,
                &digests,
                VALID_FOR_DAYS,
            )
            .execute(&mut *conn)
            .await?;
        }
        Issue::Again => {
            sqlx::query!(
                r#"INSERT INTO invitations (member_id, token_hash, expires_at)
                   SELECT member_id, token_hash, now() + make_interval(days => $3)
                     FROM UNNEST($1::bigint[], $2::bytea[]) AS t(member_id, token_hash)
                   ON CONFLICT (member_id) DO UPDATE
                      SET token_hash = EXCLUDED.token_hash, created_at = now(),
                          expires_at = EXCLUDED.expires_at, accepted_at = NULL, reminders_sent = 0,
                          expired_at = NULL"#,
                member_ids,
                &digests,
                VALID_FOR_DAYS,
            )
            .execute(&mut *conn)
            .await?;
            // A resend replaces every link: the reminders' too.
            sqlx::query!(
                "DELETE FROM invitation_links WHERE member_id = ANY($1)",
                member_ids
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(tokens.into_iter().zip(digests).collect())
}

/// Someone to (re)invite: a member of the organization.
pub struct Recipient<'a> {
    pub member_id: i64,
    pub email: &'a str,
    pub first_name: &'a str,
}

/// Issues (or, with [`Issue::Again`], replaces) each recipient's invitation and writes
/// their email, in the caller's transaction: the old links stop working. `actor` is who
/// invites.
pub async fn send(
    conn: &mut PgConnection,
    config: &RuntimeConfig,
    actor: &Access,
    organization_name: &str,
    recipients: &[Recipient<'_>],
    issue: Issue,
) -> Result<(), AppError> {
    let ids: Vec<i64> = recipients.iter().map(|r| r.member_id).collect();
    let issued = issue_many(conn, &ids, issue).await?;
    let letters: Vec<Letter> = recipients
        .iter()
        .zip(issued)
        .map(|(r, (token, digest))| Letter {
            member_id: Some(r.member_id),
            to: r.email.to_owned(),
            mail: Mail::Invitation(Invitation {
                organization: organization_name.to_owned(),
                inviter: actor.name.clone(),
                first_name: r.first_name.to_owned(),
                link: super::links::for_queued_mail(
                    config,
                    Opens::Invitation {
                        member_id: r.member_id,
                    },
                    &token,
                    &digest,
                ),
                valid_days: Some(VALID_FOR_DAYS),
            }),
        })
        .collect();
    enqueue(conn, config, actor.organization_id, &letters).await
}

fn is_invited(status: &str) -> bool {
    MemberStatus::parse(status) == Ok(MemberStatus::Invited)
}

/// What an invitation link leads to.
pub enum Lookup {
    Open {
        organization_name: String,
        first_name: String,
        email: String,
        company_sign_in: bool,
        sso_required: bool,
    },
    Expired {
        expired_at: OffsetDateTime,
    },
    /// Unknown, already used, replaced by a resend, or revoked.
    Unusable,
}

/// The organization and member of an invitation link that can be accepted now (not
/// used, revoked, replaced or expired): for accepting with a company account. An unusable
/// link counts against the client address, as a wrong link does everywhere.
pub async fn open_member(
    pool: &PgPool,
    token: &str,
    client: &str,
) -> Result<Option<(i64, i64)>, AppError> {
    let row = sqlx::query!(
        r#"SELECT m.organization_id, m.id FROM invitations i JOIN members m ON m.id = i.member_id
            WHERE i.member_id = (SELECT member_id FROM invitation_holding($1))
              AND i.accepted_at IS NULL AND i.expired_at IS NULL AND i.expires_at > now()
              AND m.status = 'invited'"#,
        token_digest(token),
    )
    .fetch_optional(pool)
    .await?;
    if row.is_none() {
        throttle::link_failed(pool, client).await?;
    }
    Ok(row.map(|r| (r.organization_id, r.id)))
}

pub async fn lookup(pool: &PgPool, token: &str) -> Result<Lookup, AppError> {
    let row = sqlx::query!(
        r#"SELECT o.name AS organization_name, m.first_name, m.email, m.status,
                  i.expires_at, i.accepted_at,
                  EXISTS (SELECT 1 FROM sso_connections c WHERE c.organization_id = o.id) AS "company_sign_in!",
                  EXISTS (SELECT 1 FROM sso_connections c WHERE c.organization_id = o.id AND c.required) AS "sso_required!",
                  (i.expired_at IS NOT NULL OR i.expires_at <= now()) AS "expired!"
             FROM invitations i
             JOIN members m ON m.id = i.member_id
             JOIN organizations o ON o.id = m.organization_id
            WHERE i.member_id = (SELECT member_id FROM invitation_holding($1))"#,
        token_digest(token),
    )
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some(r) if r.accepted_at.is_none() && is_invited(&r.status) => {
            if r.expired {
                Lookup::Expired {
                    expired_at: r.expires_at,
                }
            } else {
                Lookup::Open {
                    organization_name: r.organization_name,
                    first_name: r.first_name,
                    email: r.email,
                    company_sign_in: r.company_sign_in,
                    sso_required: r.sso_required,
                }
            }
        }
        _ => Lookup::Unusable,
    })
}

/// What the invitation page shows for a link. A page view counts nothing: anyone can make
/// a browser load a page (an `<img>` on another site), so failures are counted where a
/// link is used ([`accept`]).
pub async fn view(pool: &PgPool, token: &str) -> Result<InvitationView, AppError> {
    Ok(view_of(lookup(pool, token).await?))
}

fn view_of(found: Lookup) -> InvitationView {
    match found {
        Lookup::Open {
            organization_name,
            first_name,
            email,
            company_sign_in,
            sso_required,
        } => InvitationView::Open {
            organization_name,
            first_name,
            email,
            company_sign_in,
            sso_required,
        },
        Lookup::Expired { expired_at } => InvitationView::Closed {
            message: expired_message(expired_at),
        },
        Lookup::Unusable => InvitationView::Closed {
            message: UNUSABLE_MESSAGE.to_owned(),
        },
    }
}

pub const UNUSABLE_MESSAGE: &str = "This invitation link cannot be used: it was already used, or a newer invitation replaced it. If you have set your password, sign in; otherwise ask your administrator to resend the invitation.";

pub fn expired_message(expired_at: OffsetDateTime) -> String {
    let date = expired_at
        .format(time::macros::format_description!(
            "[day] [month repr:long] [year]"
        ))
        .unwrap_or_default();
    format!("This invitation expired on {date}. Ask your administrator to resend it: the new email will have a fresh link.")
}

/// Accepts an invitation: sets the password, activates the member and uses the token
/// up, all in one transaction. The row lock makes the token single-use even when the
/// link is submitted twice at once. Returns the member's permission.
pub async fn accept(
    pool: &PgPool,
    token: &str,
    password: &NewPassword,
    client: &str,
) -> Result<Permission, AppError> {
    // The link first: no password is hashed for a link that cannot be used (a guesser's
    // random tokens cost a look-up, not 19 MiB of Argon2). A usable link is never refused
    // for what others did; an unusable one counts against the client address.
    let found = lookup(pool, token).await?;
    if matches!(found, Lookup::Unusable) {
        throttle::link_failed(pool, client).await?;
    }
    let email = match view_of(found) {
        InvitationView::Open { email, .. } => email,
        InvitationView::Closed { message } => return Err(AppError::invalid(message)),
    };
    // Hash before taking locks: Argon2 is deliberately slow.
    let password_hash = super::passwords::hash_for(pool, &email, password).await?;
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"SELECT i.member_id, i.accepted_at, i.expires_at,
                  (i.expired_at IS NOT NULL OR i.expires_at <= now()) AS "expired!",
                  m.status, m.permission, m.organization_id, m.email
             FROM invitations i JOIN members m ON m.id = i.member_id
            WHERE i.member_id = (SELECT member_id FROM invitation_holding($1))
            FOR UPDATE OF i, m"#,
        token_digest(token),
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row.filter(|r| r.accepted_at.is_none() && is_invited(&r.status)) else {
        return Err(AppError::invalid(UNUSABLE_MESSAGE));
    };
    if row.expired {
        return Err(AppError::invalid(expired_message(row.expires_at)));
    }
    super::sso_policy::password_allowed(&mut tx, row.member_id)
        .await?
        .map_err(|_| {
            AppError::invalid(
                "Your organization signs in with its company account: accept the invitation with Accept with your company account.",
            )
        })?;
    sqlx::query!(
        "UPDATE members SET password_hash = $2, status = 'active', activated_at = now() WHERE id = $1",
        row.member_id,
        password_hash,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE invitations SET accepted_at = now() WHERE member_id = $1",
        row.member_id
    )
    .execute(&mut *tx)
    .await?;
    let member = Access::member_self(row.organization_id, row.member_id, &row.email);
    activity::record(
        &mut tx,
        &member,
        Action::InvitationAccepted,
        Some(row.member_id),
        serde_json::json!({}),
    )
    .await?;
    super::webhooks::emit_for_members(
        &mut tx,
        row.organization_id,
        crate::domain::webhooks::EventType::MemberActivated,
        &[row.member_id],
        serde_json::json!({ "reactivated": false }),
    )
    .await?;
    super::session::start(&mut tx, row.member_id).await?;
    tx.commit().await?;
    let permission = Permission::parse(&row.permission).map_err(|_| AppError::internal())?;
    tracing::info!(member_id = row.member_id, "invitation accepted");
    Ok(permission)
}

/// Invitations not yet accepted, newest first, with the delivery of each one's latest email.
pub async fn pending(pool: &PgPool, access: &Access) -> Result<Vec<PendingInvitation>, AppError> {
    access.may(Capability::ManageOrganization)?;
    let organization_id = access.organization_id;
    let rows = sqlx::query!(
        r#"SELECT m.id AS "id!", m.first_name AS "first_name!", m.last_name AS "last_name!", m.email AS "email!",
                  to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS "sent_at!",
                  to_char(i.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS "expires_at!",
                  (i.expired_at IS NOT NULL OR i.expires_at <= now()) AS "expired!",
                  o.status AS "mail_status?", o.attempts AS "attempts?", o.last_error,
                  CASE WHEN o.next_attempt_at > now() + interval '1 minute'
                       THEN to_char(o.next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
                  END AS due
             FROM scoped_members($1, $2) m
             JOIN invitations i ON i.member_id = m.id AND i.accepted_at IS NULL
             LEFT JOIN LATERAL (SELECT status, attempts, last_error, next_attempt_at FROM email_outbox
                                 WHERE member_id = m.id AND kind = 'invitation'
                                 ORDER BY id DESC LIMIT 1) o ON true
            WHERE m.status = 'invited'
            ORDER BY i.created_at DESC, m.id DESC
            LIMIT 500"#,
        organization_id,
        super::scope::teams(access) as Option<Vec<i64>>,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PendingInvitation {
            member_id: r.id,
            name: format!("{} {}", r.first_name, r.last_name),
            email: r.email,
            sent_at: r.sent_at,
            expires_at: r.expires_at,
            expired: r.expired,
            delivery: match (r.mail_status.as_deref(), r.attempts.unwrap_or(0)) {
                (Some("sent"), _) => "Delivered".to_owned(),
                (Some("kept"), _) => {
                    "Kept in the development mailbox (no SMTP configured)".to_owned()
                }
                (Some("failed"), _) => format!(
                    "Not delivered: the mail server refused it ({}). Check the address, then resend.",
                    r.last_error.unwrap_or_default()
                ),
                (Some("pending"), 0) => match r.due {
                    Some(due) => format!(
                        "Queued: goes out at {due} (an organization sends at most {} emails an hour)",
                        super::outbox::PER_ORGANIZATION_PER_HOUR
                    ),
                    None => "Queued for delivery".to_owned(),
                },
                (Some("pending"), n) => format!(
                    "Retrying: {n} failed attempt{} ({})",
                    if n == 1 { "" } else { "s" },
                    r.last_error.unwrap_or_default()
                ),
                _ => "No email".to_owned(),
            },
        })
        .collect())
}

/// The organization's invitation settings.
pub async fn settings(pool: &PgPool, access: &Access) -> Result<InvitationSettings, AppError> {
    access.may(Capability::ManageOrganization)?;
    let r = sqlx::query!(
        "SELECT reminder_days, expired_seats FROM organizations WHERE id = $1",
        access.organization_id
    )
    .fetch_one(pool)
    .await?;
    Ok(InvitationSettings {
        reminder_days: r.reminder_days,
        release_seats: r.expired_seats == "release",
    })
}

/// Changes the invitation settings, recorded in Activity.
pub async fn set_settings(
    pool: &PgPool,
    access: &Access,
    settings: &InvitationSettings,
) -> Result<(), AppError> {
    access.may(Capability::ManageOrganization)?;
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE organizations SET reminder_days = $2, expired_seats = $3 WHERE id = $1",
        access.organization_id,
        &settings.reminder_days,
        if settings.release_seats {
            "release"
        } else {
            "keep"
        },
    )
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::SettingChanged,
        None,
        serde_json::json!({
            "reminder_days": settings.reminder_days,
            "expired_invitations_return_seats": settings.release_seats,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
