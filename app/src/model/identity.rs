//! The Identity page: provisioning (SCIM), the seat policy, the groups' seats and the seat
//! waitlist.

use crate::domain::provisioning::SeatPolicy;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityOverview {
    /// Where the identity provider sends SCIM requests.
    pub scim_url: String,
    /// Live provisioning tokens (their names and first characters).
    pub tokens: Vec<String>,
    pub seat_policy: SeatPolicy,
    /// Teams the provider's groups became, and any team that grants seats.
    pub groups: Vec<ProvisionedGroup>,
    /// The first of those who wait for a seat, in order.
    pub waitlist: Vec<Waiting>,
    /// How many wait in all (the list shows the first [`WAITLIST_SHOWN`]).
    pub waiting_total: i64,
    pub sso: SsoSettings,
}

/// The most waitlist entries the page lists.
pub const WAITLIST_SHOWN: i64 = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionedGroup {
    pub team_id: i64,
    /// "Region / Team".
    pub name: String,
    pub members: i64,
    pub grants_enable: bool,
    pub grants_opportunity: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub member_id: i64,
    pub name: String,
    pub email: String,
    /// "Enable" or "Opportunity".
    pub seat: String,
    /// `YYYY-MM-DD HH:MM UTC`.
    pub since: String,
}

/// Single sign-on, as the Identity page shows it (never the client secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SsoSettings {
    /// Settings were saved.
    pub configured: bool,
    pub issuer: String,
    pub client_id: String,
    /// When a Test sign-in last succeeded with these settings (`YYYY-MM-DD HH:MM UTC`).
    pub tested_at: Option<String>,
    pub required: bool,
    pub way_back_in: Option<i64>,
    pub create_on_first_sign_in: bool,
    /// What to register at the provider as the redirect URI.
    pub redirect_uri: String,
    /// Active administrators with a password: who may be the way back in.
    pub administrators: Vec<(i64, String)>,
    pub domains: Vec<DomainProof>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainProof {
    pub domain: String,
    /// The TXT record to publish: its name and value.
    pub record_name: String,
    pub record_value: String,
    pub verified: bool,
}
