//! Invitation links and pending invitations, as the pages show them.

use serde::{Deserialize, Serialize};

/// What the invitation page shows for a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationView {
    Open {
        organization_name: String,
        first_name: String,
        email: String,
        /// The organization signs in with a company account (SSO): it may accept so.
        company_sign_in: bool,
        /// SSO is required: only so.
        sso_required: bool,
    },
    /// Expired or unusable, with the message that says what to do.
    Closed { message: String },
}

/// An invitation not yet accepted, with the delivery of its latest email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub member_id: i64,
    pub name: String,
    pub email: String,
    pub sent_at: String,
    pub expires_at: String,
    pub expired: bool,
    /// "Delivered", "Queued (attempt 3: connection refused)", "Kept in the development mailbox".
    pub delivery: String,
}

/// How an organization's invitations remind and expire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationSettings {
    /// Days after the invitation on which a reminder goes out; empty: none.
    pub reminder_days: Vec<i16>,
    /// An expired invitation returns its seats to the pool (else keeps them).
    pub release_seats: bool,
}
