//! The one error type of Roster's server functions. Each variant carries a message meant
//! for the person at the screen; internal causes are logged on the server and never sent.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("This is not yours to see or change: ask an administrator of your organization.")]
    Forbidden,
    /// Not allowed, for a reason of who acts that they can do something about (reports
    /// need an Enable seat; the organization lets only administrators invite).
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    NotFound(String),
    /// Bad input or a rule that said no; the message says what to do.
    #[error("{0}")]
    Invalid(String),
    /// Bad input in one form field, shown next to that field.
    #[error("{message}")]
    Field { field: String, message: String },
    /// The request clashes with the state of things (a file imported before).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts: a throttle said no; the message says when to try again.
    #[error("{0}")]
    TooManyRequests(String),
    /// The request body is larger than its route takes.
    #[error("{0}")]
    TooLarge(String),
    /// The server is at capacity for this kind of work (password hashing); try again.
    #[error("{0}")]
    Busy(String),
    /// Problems with items of a batch (members of an invitation list), each with its field.
    #[error("{} to fix before anything is saved: see the messages next to each member.", problem_count(.0))]
    Problems(Vec<crate::domain::Problem>),
    /// A fault: the cause is logged; the person sees the request's id (`reference`, as in
    /// the log lines and the `x-request-id` header) to quote when they report it.
    #[error(
        "Something went wrong on our side and it has been logged{}. Please try again in a moment.",
        reference_note(.reference)
    )]
    Internal { reference: Option<String> },
    /// The request never reached the server function, or its answer could not be read.
    #[error("The server could not be reached ({0}). Check your connection and try again.")]
    Transport(String),
}

fn reference_note(reference: &Option<String>) -> String {
    match reference {
        Some(reference) => format!(" (reference {reference})"),
        None => String::new(),
    }
}

fn problem_count(problems: &[crate::domain::Problem]) -> String {
    match problems.len() {
        1 => "1 problem".to_owned(),
        n => format!("{n} problems"),
    }
}

impl AppError {
    /// A fault, with the id of the request it happened in when there is one.
    pub fn internal() -> Self {
        AppError::Internal {
            reference: current_request_id(),
        }
    }

    /// A member outside the organization, or outside the part of it who acts may see:
    /// the same words either way, so that nobody learns who exists beyond their scope.
    pub fn member_not_found() -> Self {
        AppError::NotFound("This member is not in your organization (any more).".into())
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Invalid(message.into())
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Field {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The message for one form field, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Field { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }
}

impl AppError {
    /// The HTTP status a server function answers with when it returns this error, so a
    /// proxy, a monitor or a client can tell a refusal from a fault. Only `Internal` is a
    /// fault (500).
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::Refused(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::TooLarge(_) => 413,
            AppError::Invalid(_) | AppError::Field { .. } | AppError::Problems(_) => 422,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal { .. } => 500,
            AppError::Transport(_) => 502,
            AppError::Busy(_) => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::Invalid("The form was incomplete. Reload the page and try again.".into())
            }
            // A body that is not what the function reads (malformed JSON, a number out of
            // range): the sender's mistake, not a fault between here and the server.
            ServerFnErrorErr::Deserialization(_) => AppError::Invalid(
                "The request could not be read. Reload the page and try again.".into(),
            ),
            other => AppError::Transport(other.to_string()),
        }
    }
}

impl From<crate::domain::Refusal> for AppError {
    fn from(value: crate::domain::Refusal) -> Self {
        match value {
            crate::domain::Refusal::Forbidden => AppError::Forbidden,
            crate::domain::Refusal::NotFound => AppError::member_not_found(),
            crate::domain::Refusal::Rule(message) => AppError::Refused(message),
        }
    }
}

impl From<crate::domain::rules::RuleViolation> for AppError {
    fn from(value: crate::domain::rules::RuleViolation) -> Self {
        AppError::Invalid(value.0)
    }
}

impl From<crate::domain::SeatShortage> for AppError {
    fn from(value: crate::domain::SeatShortage) -> Self {
        AppError::Invalid(value.message())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// Database failures are logged with their cause and reach the user as `Internal`,
    /// except the constraints that state a rule, which keep their meaning.
    fn from(error: sqlx::Error) -> Self {
        if let Some(db) = error.as_database_error() {
            // PostgreSQL stores no NUL character in text (22021): whatever field brought
            // one, say so rather than fail.
            if db.code().as_deref() == Some("22021") {
                return AppError::invalid(
                    "Some of the text contains a NUL character (\\0), which cannot be stored or searched: remove it and try again.",
                );
            }
            match db.constraint() {
                Some("organizations_enable_seats_within_bought") => {
                    return AppError::invalid(
                        "No free Enable seat: all are in use. Free one or buy more.",
                    )
                }
                Some("organizations_opportunity_seats_within_bought") => {
                    return AppError::invalid(
                        "No free Opportunity seat: all are in use. Free one or buy more.",
                    )
                }
                Some("organization_keeps_an_active_admin") => {
                    return AppError::invalid(
                        "This would leave your organization without an active administrator: make someone else an administrator first.",
                    )
                }
                Some("roster_apply_rows_part_bounded") => {
                    return AppError::invalid(
                        "A file is sent in at most 100 parts (200,000 rows): apply a smaller file.",
                    )
                }
                Some("members_email_unique_per_organization") => {
                    return AppError::field(
                        "email",
                        crate::domain::invitee::refusal::EMAIL_TAKEN,
                    )
                }
                Some("members_external_id_unique_per_organization") => {
                    return AppError::field(
                        "user_id",
                        "A member with this user_id already exists in your organization: use a free user_id.",
                    )
                }
                Some("members_scim_user_name_unique") => {
                    return AppError::Conflict(
                        "A user with this userName already exists in the organization.".into(),
                    )
                }
                Some("members_scim_external_id_unique") => {
                    return AppError::Conflict(
                        "A user with this externalId already exists in the organization.".into(),
                    )
                }
                Some("regions_name_unique_per_organization") => {
                    return AppError::field(
                        "name",
                        "A region with this name already exists: choose another name.",
                    )
                }
                Some("teams_name_unique_per_region") => {
                    return AppError::field(
                        "name",
                        "This region already has a team with this name: choose another name.",
                    )
                }
                // A team was added to the region while it was being deleted.
                Some("teams_region_fk") => {
                    return AppError::invalid(
                        "This region has teams: delete them first, then the region.",
                    )
                }
                // A team deleted while members were being assigned to it.
                Some("members_team_fk") => {
                    return AppError::NotFound(
                        "This team no longer exists: it was just deleted. Reload the page.".into(),
                    )
                }
                _ => {}
            }
        }
        tracing::error!(error = %error, "database error");
        AppError::internal()
    }
}

/// The id the server gives each request (`server::http`): in its log lines, its
/// `x-request-id` header, and the message of a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The id of the request being answered: server functions and pages rendered on the
/// server see the request's parts in their context.
#[cfg(feature = "ssr")]
fn current_request_id() -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    parts.extensions.get::<RequestId>().map(|id| id.0.clone())
}

#[cfg(not(feature = "ssr"))]
fn current_request_id() -> Option<String> {
    None
}
