//! The rules of single sign-on (SPEC §7), pure: which email domains an organization may
//! claim and how it proves them, which issuer addresses Roster will call, when an address
//! from the identity provider is trusted, and the refusals of a sign-in in words.

use super::FieldError;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// An email domain an organization claims (`acme.com`): lower case, a host name of at
/// least two labels, not an address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailDomain(String);

impl EmailDomain {
    pub const MAX_LEN: usize = 253;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let domain = raw.trim().trim_end_matches('.').to_ascii_lowercase();
        let refused = || {
            FieldError::new(
                "Enter a domain such as acme.com (letters, digits and hyphens, at least one dot).",
            )
        };
        if domain.is_empty() || domain.len() > Self::MAX_LEN || domain.parse::<IpAddr>().is_ok() {
            return Err(refused());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if labels.len() < 2 || !labels.iter().all(label_ok) {
            return Err(refused());
        }
        Ok(Self(domain))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where the proof is published: a TXT record of this name.
    pub fn proof_name(&self) -> String {
        format!("_roster-verification.{}", self.0)
    }
}

/// The TXT record's value that proves the domain: `roster-verification=<token>`.
pub fn proof_value(token: &str) -> String {
    format!("roster-verification={token}")
}

/// Whether any of a name's TXT records (each possibly split in strings) is the proof.
pub fn proof_found(records: &[String], expected: &str) -> bool {
    records
        .iter()
        .any(|r| r.trim().trim_matches('"').replace("\" \"", "") == expected)
}

/// The domain of an address (after the last `@`), lower case.
pub fn domain_of(email: &str) -> String {
    email
        .rsplit_once('@')
        .map(|(_, d)| d.trim().trim_end_matches('.').to_ascii_lowercase())
        .unwrap_or_default()
}

/// An issuer URL Roster will call (it is customer input): `https://` with a host, no user
/// name, query or fragment; plain `http://` only in development (a provider on loopback).
pub fn check_issuer(raw: &str, development: bool) -> Result<url::Url, FieldError> {
    let url = url::Url::parse(raw.trim()).map_err(|_| {
        FieldError::new("Enter the issuer URL your identity provider shows, such as https://acme.okta.com or https://login.microsoftonline.com/<tenant id>/v2.0.")
    })?;
    match url.scheme() {
        "https" => {}
        "http" if development => {}
        _ => {
            return Err(FieldError::new(
                "The issuer URL must start with https:// (identity providers are only reached over HTTPS).",
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(FieldError::new(
            "The issuer URL is a plain address, without a user name, ? query or # part.",
        ));
    }
    if raw.trim().len() > 500 {
        return Err(FieldError::new("The issuer URL is at most 500 characters."));
    }
    Ok(url)
}

/// Whether Roster may connect to `ip` on a customer's behalf: a public address, never
/// loopback, private, link-local, shared (CGNAT), documentation or multicast ones — an
/// issuer URL must not reach into the network Roster runs in. Development allows loopback
/// (a provider started on this machine).
pub fn may_connect(ip: IpAddr, development: bool) -> bool {
    if development && ip.is_loopback() {
        return true;
    }
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return may_connect(IpAddr::V4(v4), development);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0xdb8)
        }
    }
}

/// Whether the address an identity provider gives may link or create an account: its
/// domain is one the organization proved (Entra ID sends no `email_verified` for work
/// accounts: the proved domain is what makes the address trustworthy), unless the
/// provider itself says the address is not verified.
pub fn email_trusted(email_verified: Option<bool>, domain_proved: bool) -> bool {
    domain_proved && email_verified != Some(false)
}

/// Whether SSO may be required: a test sign-in succeeded with the settings as they are,
/// and one administrator keeps a password as the way back in.
pub fn may_require(tested: bool, way_back_in: bool) -> Result<(), String> {
    match (tested, way_back_in) {
        (false, _) => Err("Run Test sign-in first: SSO can be required once a test sign-in with these settings has succeeded.".into()),
        (true, false) => Err("Choose the administrator who keeps a password as the way back in (an active administrator who has set a password).".into()),
        (true, true) => Ok(()),
    }
}

/// Why a company sign-in did not sign anyone in: the sign-in page says it in these words
/// (the address carries only the key, never a message of the provider's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SsoRefusal {
    /// No organization with SSO owns the address's domain.
    NoConnection,
    /// The sign-in's `state` is unknown, used already, or too old.
    StateUsed,
    /// The identity provider said no (the person cancelled, or may not use the app).
    ProviderRefused,
    /// The provider could not be reached or answered nonsense.
    ProviderUnreachable,
    /// The ID token's signature is missing or does not match the provider's keys.
    BadSignature,
    /// Issued by another issuer than the organization's.
    WrongIssuer,
    /// Issued for another application (client id).
    WrongAudience,
    /// Expired (or not yet valid).
    Expired,
    /// The `nonce` is not the one this sign-in sent.
    WrongNonce,
    /// Any other fault of the token.
    BadToken,
    /// No address on a domain the organization proved.
    UnverifiedAddress,
    /// No member with this identity or address, and no creation on first sign-in.
    NoAccount,
    /// The member is inactive.
    Inactive,
    /// Accepting an invitation with another person's company account.
    NotTheInvitee,
}

impl SsoRefusal {
    pub const ALL: [SsoRefusal; 14] = [
        SsoRefusal::NoConnection,
        SsoRefusal::StateUsed,
        SsoRefusal::ProviderRefused,
        SsoRefusal::ProviderUnreachable,
        SsoRefusal::BadSignature,
        SsoRefusal::WrongIssuer,
        SsoRefusal::WrongAudience,
        SsoRefusal::Expired,
        SsoRefusal::WrongNonce,
        SsoRefusal::BadToken,
        SsoRefusal::UnverifiedAddress,
        SsoRefusal::NoAccount,
        SsoRefusal::Inactive,
        SsoRefusal::NotTheInvitee,
    ];

    /// The key in the sign-in page's address (`?sso=<key>`).
    pub fn key(self) -> &'static str {
        self.parts().0
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    pub fn message(self) -> &'static str {
        self.parts().1
    }

    fn parts(self) -> (&'static str, &'static str) {
        use SsoRefusal::*;
        match self {
            NoConnection => ("no-connection", "Your organization does not sign in with a company account in Roster: sign in with your password."),
            StateUsed => ("state-used", "This sign-in was already used or took too long. Start again with Continue with your company account."),
            ProviderRefused => ("provider-refused", "Your identity provider did not sign you in (cancelled, or you may not use Roster there). Ask your IT department if this is unexpected."),
            ProviderUnreachable => ("provider-unreachable", "Your identity provider could not be reached. Try again in a moment; if it persists, an administrator checks the settings on the Identity page."),
            BadSignature => ("bad-signature", "The sign-in was refused: its token is not signed by your identity provider's keys."),
            WrongIssuer => ("wrong-issuer", "The sign-in was refused: its token comes from another identity provider than your organization's."),
            WrongAudience => ("wrong-audience", "The sign-in was refused: its token was issued for another application."),
            Expired => ("expired", "The sign-in was refused: its token has expired. Start again."),
            WrongNonce => ("wrong-nonce", "The sign-in was refused: its token does not belong to this sign-in. Start again."),
            BadToken => ("bad-token", "The sign-in was refused: the identity provider's token is not valid."),
            UnverifiedAddress => ("unverified-address", "Your company account's address is not on a domain your organization has verified in Roster: ask an administrator to verify it on the Identity page."),
            NoAccount => ("no-account", "There is no Roster account for your company account. Ask an administrator of your organization to invite you."),
            Inactive => ("inactive", "Your account is inactive. Ask an administrator of your organization to reactivate it."),
            NotTheInvitee => ("not-the-invitee", "This invitation is for another address than your company account's. Sign in with the account the invitation was sent to."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_host_names() {
        assert_eq!(
            EmailDomain::parse(" Acme.COM. ").unwrap().as_str(),
            "acme.com"
        );
        for bad in [
            "",
            "acme",
            "-acme.com",
            "acme..com",
            "10.0.0.1",
            "a_b.com",
            "acme.com/x",
        ] {
            assert!(EmailDomain::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            EmailDomain::parse("acme.com").unwrap().proof_name(),
            "_roster-verification.acme.com"
        );
    }

    #[test]
    fn the_proof_is_found_among_records_split_or_quoted() {
        let expected = proof_value("abc123");
        assert!(proof_found(
            &["v=spf1 -all".into(), "roster-verification=abc123".into()],
            &expected
        ));
        assert!(proof_found(
            &["\"roster-verification=\" \"abc123\"".into()],
            &expected
        ));
        assert!(!proof_found(
            &["roster-verification=abc1234".into()],
            &expected
        ));
    }

    #[test]
    fn issuers_are_https_without_extras() {
        assert!(check_issuer("https://acme.okta.com", false).is_ok());
        assert!(check_issuer("http://127.0.0.1:9000", false).is_err());
        assert!(check_issuer("http://127.0.0.1:9000", true).is_ok());
        for bad in [
            "ftp://x.com",
            "https://u:p@x.com",
            "https://x.com/?a=1",
            "https://x.com/#f",
            "not a url",
        ] {
            assert!(check_issuer(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn private_addresses_are_not_reached() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!may_connect(ip.parse().unwrap(), false), "{ip}");
        }
        for ip in ["8.8.8.8", "2606:4700::1111"] {
            assert!(may_connect(ip.parse().unwrap(), false), "{ip}");
        }
        assert!(may_connect("127.0.0.1".parse().unwrap(), true));
        assert!(!may_connect("10.0.0.1".parse().unwrap(), true));
    }

    #[test]
    fn an_address_is_trusted_on_a_proved_domain_unless_said_unverified() {
        assert!(email_trusted(None, true), "Entra sends no email_verified");
        assert!(email_trusted(Some(true), true));
        assert!(!email_trusted(Some(false), true));
        assert!(!email_trusted(Some(true), false));
    }

    #[test]
    fn requiring_sso_needs_a_test_and_a_way_back_in() {
        assert!(may_require(false, true).is_err());
        assert!(may_require(true, false).is_err());
        assert!(may_require(true, true).is_ok());
        for r in SsoRefusal::ALL {
            assert_eq!(SsoRefusal::parse(r.key()), Some(r));
        }
    }
}
