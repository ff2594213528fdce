use super::FieldError;
use serde::{Deserialize, Serialize};

/// A work email address: trimmed, checked, with its case kept for display.
/// Two addresses are the same member when their lowercase forms are equal (SPEC §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// The longest address (RFC 5321 with its path limit).
pub const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

impl Email {
    /// Checks an address by hand rather than with a regex: this runs once per row of
    /// a 100,000-row CSV file in the browser, so it must not allocate or backtrack.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::check(raw).map(|value| Self(value.to_owned()))
    }

    /// The checks of `parse` without allocating: the trimmed address, borrowed.
    pub fn check(raw: &str) -> Result<&str, FieldError> {
        let value = super::trim(raw);
        if value.is_empty() {
            return Err(FieldError::new("Enter an email address."));
        }
        if value.len() > MAX_LEN {
            return Err(FieldError::new(format!(
                "This email address is too long: at most {MAX_LEN} characters."
            )));
        }
        let invalid = || {
            FieldError::new(format!(
                "\u{201c}{value}\u{201d} is not a valid email address: write it like name@company.com."
            ))
        };
        let at = value.bytes().position(|b| b == b'@').ok_or_else(invalid)?;
        let (local, domain) = (&value.as_bytes()[..at], &value.as_bytes()[at + 1..]);
        if local.is_empty() || local.len() > MAX_LOCAL_LEN {
            return Err(invalid());
        }
        // One pass over the local part: a dot may neither start it, end it nor follow
        // another dot.
        let mut previous = b'.';
        for &b in local {
            let ok = b.is_ascii_alphanumeric()
                || b >= 0x80
                || (b == b'.' && previous != b'.')
                || (b != b'.' && b"!#$%&'*+-/=?^_`{|}~".contains(&b));
            if !ok {
                return Err(invalid());
            }
            previous = b;
        }
        if previous == b'.' {
            return Err(invalid());
        }
        let mut labels = 0;
        let mut last: &[u8] = &[];
        for label in domain.split(|&b| b == b'.') {
            let ok = !label.is_empty()
                && label.len() <= 63
                && label.first() != Some(&b'-')
                && label.last() != Some(&b'-')
                && label
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b >= 0x80);
            if !ok {
                return Err(invalid());
            }
            labels += 1;
            last = label;
        }
        if labels < 2 || last.len() < 2 || last.iter().all(u8::is_ascii_digit) {
            return Err(invalid());
        }
        Ok(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used to compare addresses and to look members up ([`key`]).
    pub fn normalized(&self) -> String {
        key(&self.0)
    }
}

/// How addresses are compared, everywhere: trimmed, ASCII letters without case, every
/// other character as it is — exactly what the database's `email_key()` does, so the two
/// never disagree on whether an address is taken (Unicode lower-casing differs between
/// Rust and PostgreSQL's locales: `ΑΣ`, `İ`). A sign-in input may be of any length: only
/// its first 320 bytes (longer than any valid address) are kept.
pub fn key(raw: &str) -> String {
    let trimmed = super::trim(raw);
    let mut end = trimmed.len().min(320);
    while !trimmed.is_char_boundary(end) {
        end -= 1;
    }
    trimmed[..end].to_ascii_lowercase()
}

/// Mail providers people mistype most; an address one slip away from one of them (or
/// from the organization's own domain) is probably a typo.
const PROVIDERS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "msn.com",
    "proton.me",
    "protonmail.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "yahoo.fr",
    "orange.fr",
    "hotmail.fr",
    "free.fr",
    "yahoo.es",
    "hotmail.es",
    "libero.it",
    "outlook.de",
    "t-online.de",
];

/// Endings that are typos of `.com` (and not real top-level domains people use).
const COM_TYPOS: &[&str] = &["con", "cmo", "ocm", "comm", "vom", "xom", "cim", "coom"];

/// The address as probably meant, when `domain` (lowercase) is one slip from a common
/// mail provider or from one of `home_domains` (the organization's own), or ends in a typo
/// of `.com`: a warning with "did you mean", never a refusal — the address may be right.
pub fn likely_domain_typo(domain: &str, home_domains: &[String]) -> Option<String> {
    if domain.is_empty() || PROVIDERS.contains(&domain) || home_domains.iter().any(|h| h == domain)
    {
        return None;
    }
    let known = PROVIDERS
        .iter()
        .copied()
        .chain(home_domains.iter().map(String::as_str));
    if let Some(near) = known
        .filter(|k| k.len().abs_diff(domain.len()) <= 1)
        .find(|k| slips(domain, k) == 1)
    {
        return Some(near.to_owned());
    }
    let (name, ending) = domain.rsplit_once('.')?;
    COM_TYPOS.contains(&ending).then(|| format!("{name}.com"))
}

/// The edits between `a` and `b`: a letter added, dropped, changed, or two swapped.
fn slips(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod typo_tests {
    use super::likely_domain_typo;

    #[test]
    fn a_slip_from_a_provider_or_the_home_domain_is_suggested() {
        let home = vec!["northwind.example".to_owned()];
        assert_eq!(
            likely_domain_typo("gmial.com", &home).as_deref(),
            Some("gmail.com")
        );
        assert_eq!(
            likely_domain_typo("hotmal.com", &home).as_deref(),
            Some("hotmail.com")
        );
        assert_eq!(
            likely_domain_typo("northwnd.example", &home).as_deref(),
            Some("northwind.example")
        );
        assert_eq!(
            likely_domain_typo("acme.con", &home).as_deref(),
            Some("acme.com")
        );
        assert_eq!(likely_domain_typo("gmail.com", &home), None);
        assert_eq!(likely_domain_typo("northwind.example", &home), None);
        assert_eq!(likely_domain_typo("acme.com", &home), None);
        assert_eq!(likely_domain_typo("example.co", &home), None);
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn addresses_compare_one_way_ascii_case_only() {
        assert_eq!(key("  Ana@Example.COM "), "ana@example.com");
        // Other letters stay as written: PostgreSQL's email_key() does exactly this.
        assert_eq!(key("ΑΣ@acme.example"), "ΑΣ@acme.example");
        assert_eq!(key("İlker@acme.example"), "İlker@acme.example");
        assert_eq!(key(&"é".repeat(400)).len(), 320);
    }

    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_trims_them() {
        for ok in [
            "ana@example.com",
            "  Ana.Lopez+sales@sub.example.co.uk ",
            "o'brien@example.ie",
            "jürgen@bücher.de",
        ] {
            let email = Email::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(email.as_str(), ok.trim());
        }
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "   ",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana@@example.com",
            "ana@exa mple.com",
            "ana smith@example.com",
            "ana@-example.com",
            "ana@example.c",
            ".ana@example.com",
            "ana.@example.com",
            "ana..b@example.com",
            "ana@example..com",
            "ana@1.2.3.4",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
        assert!(Email::parse(&format!("a@{}.com", "b".repeat(250))).is_err());
    }

    #[test]
    fn compares_case_insensitively_but_keeps_case() {
        let email = Email::parse("Ana@Example.COM").unwrap();
        assert_eq!(email.as_str(), "Ana@Example.COM");
        assert_eq!(email.normalized(), "ana@example.com");
    }

    #[test]
    fn message_says_what_to_do() {
        let err = Email::parse("ana@").unwrap_err();
        assert!(err.0.contains("name@company.com"), "{err}");
    }
}
