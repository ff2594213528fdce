//! The domain of SPEC §1 and the rules of SPEC §2, shared by the browser and the server.
//!
//! Every type here can only hold valid data: the way in is `parse`, which says what is
//! wrong in words an administrator can act on. Nothing in this module touches I/O, so the
//! same code checks a form field in wasm and decides on the server.

pub mod access;
pub mod email;
mod external_id;
pub mod invitee;
pub mod licenses;
mod member;
mod names;
mod password;
mod program;
mod progress;
pub mod provisioning;
pub mod report;
pub mod rules;
mod seats;
pub mod sso;
pub mod webhooks;

pub use access::{Access, Capability, KeyScope, Refusal, Scope, Who};
pub use email::{likely_domain_typo, Email};
pub use external_id::ExternalId;
pub use invitee::{Invitee, InviteeDraft, Problem};
pub use member::{MemberStatus, Permission};
pub use names::{GroupName, JobTitle, OrganizationName, PersonName};
pub use password::NewPassword;
pub use program::Program;
pub use progress::Progress;
pub use seats::{SeatKind, SeatPool, SeatRequest, SeatShortage};

/// `str::trim`, quicker for the usual value (ASCII around ASCII text: nothing to look up
/// in Unicode's list of spaces); a value that starts or ends with another character gets
/// the full trim (no-break spaces…). The CSV check trims every cell of 100,000 rows.
pub fn trim(value: &str) -> &str {
    let ascii = value.trim_ascii();
    match (ascii.as_bytes().first(), ascii.as_bytes().last()) {
        (Some(first), Some(last)) if !first.is_ascii_graphic() || !last.is_ascii_graphic() => {
            ascii.trim()
        }
        _ => ascii,
    }
}

/// Why a value was refused. The message is shown as is, next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FieldError(pub String);

impl FieldError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn trim_is_str_trim() {
        for value in [
            "",
            " a ",
            "\u{a0}a\u{a0}",
            "\x0ba\t",
            "é ",
            " \u{3000}",
            "a b",
            "\r\n",
        ] {
            assert_eq!(super::trim(value), value.trim(), "{value:?}");
        }
    }
}
