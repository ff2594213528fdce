//! Webhooks: which events an organization's endpoints may ask for, what URL may receive
//! them, and how long a failing delivery keeps being tried.

use super::FieldError;
use serde::{Deserialize, Serialize};

/// What happened, as the `type` of a delivered event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    MemberInvited,
    MemberActivated,
    MemberDeactivated,
    LicenseUsed,
    ProgramCompleted,
    SeatsLow,
    ChangeSetApplied,
    /// *Send test event*: never subscribed to, sent to the one endpoint asked.
    Test,
}

impl EventType {
    /// What an endpoint can subscribe to, in the page's order.
    pub const SUBSCRIBABLE: [EventType; 7] = [
        EventType::MemberInvited,
        EventType::MemberActivated,
        EventType::MemberDeactivated,
        EventType::LicenseUsed,
        EventType::ProgramCompleted,
        EventType::SeatsLow,
        EventType::ChangeSetApplied,
    ];

    /// The event's `type`, as stored and sent.
    pub fn key(self) -> &'static str {
        match self {
            EventType::MemberInvited => "member.invited",
            EventType::MemberActivated => "member.activated",
            EventType::MemberDeactivated => "member.deactivated",
            EventType::LicenseUsed => "license.used",
            EventType::ProgramCompleted => "program.completed",
            EventType::SeatsLow => "seats.low",
            EventType::ChangeSetApplied => "change_set.applied",
            EventType::Test => "webhook.test",
        }
    }

    /// How the Webhooks page names it.
    pub fn label(self) -> &'static str {
        match self {
            EventType::MemberInvited => "A member is invited",
            EventType::MemberActivated => "A member is activated (accepts or is reactivated)",
            EventType::MemberDeactivated => "A member is deactivated",
            EventType::LicenseUsed => "A license is used (a program reaches 10 %)",
            EventType::ProgramCompleted => "A program is completed",
            EventType::SeatsLow => "Seats run low",
            EventType::ChangeSetApplied => "A change set is applied",
            EventType::Test => "Test event",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::SUBSCRIBABLE.into_iter().find(|e| e.key() == raw)
    }
}

/// The most endpoints an organization may register.
pub const MAX_ENDPOINTS: i64 = 10;

/// The waits between tries of one delivery: the first try at once, then after 5 s, 30 s,
/// 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h and 8 h — about a day (23 h 47 min) before
/// it is given up as failed. A receiver that answers 2xx again is sent what waits at once.
pub const RETRY_WAITS_SECONDS: [i64; 10] = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800];

/// After the `attempts`-th try failed: how long until the next (`None`: give up).
pub fn wait_after(attempts: i32) -> Option<i64> {
    usize::try_from(attempts)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| RETRY_WAITS_SECONDS.get(i).copied())
}

/// An endpoint's URL: https (http on loopback in development only), a host, no user
/// name or password, at most 2,000 characters. Its addresses are checked again when it is
/// called (never a private one), since a name can point anywhere later.
pub fn check_endpoint_url(raw: &str, development: bool) -> Result<url::Url, FieldError> {
    let raw = raw.trim();
    if raw.len() > 2000 {
        return Err(FieldError::new("The URL is at most 2,000 characters."));
    }
    let url = url::Url::parse(raw).map_err(|_| {
        FieldError::new(
            "Enter the full address of your receiver, such as https://hooks.example.com/roster.",
        )
    })?;
    match url.scheme() {
        "https" => {}
        "http" if development => {}
        _ => {
            return Err(FieldError::new(
                "The URL must start with https:// (events are only sent over HTTPS).",
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(FieldError::new("The URL needs a host name."));
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(FieldError::new(
            "The URL may not hold a user name, a password or a # part: each delivery is signed instead.",
        ));
    }
    if let Some(url::Host::Ipv4(ip)) = url.host() {
        if !super::sso::may_connect(ip.into(), development) {
            return Err(FieldError::new(
                "This address is in a private network: Roster sends events to public addresses only.",
            ));
        }
    }
    if let Some(url::Host::Ipv6(ip)) = url.host() {
        if !super::sso::may_connect(ip.into(), development) {
            return Err(FieldError::new(
                "This address is in a private network: Roster sends events to public addresses only.",
            ));
        }
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_last_about_a_day_then_stop() {
        assert_eq!(wait_after(1), Some(5));
        assert_eq!(wait_after(10), Some(28800));
        assert_eq!(wait_after(11), None);
        assert_eq!(wait_after(0), None);
        let total: i64 = RETRY_WAITS_SECONDS.iter().sum();
        assert!((20 * 3600..=26 * 3600).contains(&total), "{total}");
    }

    #[test]
    fn only_public_https_receivers() {
        assert!(check_endpoint_url("https://hooks.example.com/x?a=1", false).is_ok());
        assert!(check_endpoint_url("http://hooks.example.com/x", false).is_err());
        assert!(check_endpoint_url("http://127.0.0.1:9/x", true).is_ok());
        assert!(check_endpoint_url("https://127.0.0.1/x", false).is_err());
        assert!(check_endpoint_url("https://10.0.0.8/x", false).is_err());
        assert!(check_endpoint_url("https://[::1]/x", false).is_err());
        assert!(check_endpoint_url("https://169.254.169.254/latest", false).is_err());
        assert!(check_endpoint_url("https://user:pw@example.com/", false).is_err());
        assert!(check_endpoint_url("ftp://example.com/", false).is_err());
        assert!(check_endpoint_url("not a url", false).is_err());
        let long = format!("https://example.com/{}", "a".repeat(2000));
        assert!(check_endpoint_url(&long, false).is_err());
    }

    #[test]
    fn every_event_reads_back() {
        for e in EventType::SUBSCRIBABLE {
            assert_eq!(EventType::parse(e.key()), Some(e));
        }
        assert_eq!(EventType::parse("webhook.test"), None);
    }
}
