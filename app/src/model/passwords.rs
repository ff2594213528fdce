//! Reset links, as the reset page shows them.

use serde::{Deserialize, Serialize};

/// What the reset page shows for a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetView {
    /// The link works: the member with this address chooses a new password.
    Open { email: String },
    /// Used, replaced, expired or unknown, with what to do.
    Closed { message: String },
}
