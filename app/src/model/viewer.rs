//! Who is signed in, as every layer sees them.

use crate::domain::Permission;
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
    /// The organization lets managers invite into their teams.
    pub managers_may_invite: bool,
}

impl Viewer {
    pub fn is_admin(&self) -> bool {
        self.permission == Permission::Admin
    }

    /// Whether the rules of `domain::access` let this person do `what` (the pages show
    /// only the controls that pass; the server decides again).
    pub fn may(&self, what: crate::domain::Capability) -> bool {
        crate::domain::access::may(self.permission, what).is_ok()
    }

    /// Whether the invite form is theirs: administrators, and managers when the
    /// organization lets managers invite into their teams.
    pub fn may_invite(&self) -> bool {
        self.is_admin() || (self.permission == Permission::Manager && self.managers_may_invite)
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// Where this member lands after signing in.
    pub fn home_path(&self) -> &'static str {
        self.permission.home_path()
    }
}

/// Where to go after signing in: only a path of this site, checked by parsing it as the
/// browser will. A control character or a backslash refuses the whole address (browsers
/// drop tabs and line feeds, so `/\t/evil.example` is `//evil.example` to them, and a line
/// feed cannot be in a header); what is kept is the parsed path and query, so whatever the
/// browser is told is what was checked.
pub fn safe_next_path(next: Option<&str>) -> Option<String> {
    let next = next?;
    if !next.starts_with('/')
        || next.starts_with("//")
        || next.len() > 2048
        || next
            .chars()
            .any(|c| c.is_control() || c == '\\' || c.is_whitespace())
    {
        return None;
    }
    const HERE: &str = "http://roster.invalid/";
    let base = url::Url::parse(HERE).ok()?;
    let parsed = base.join(next).ok()?;
    if parsed.origin() != base.origin() {
        return None;
    }
    let mut path = parsed.path().to_owned();
    if path.starts_with("//") {
        return None;
    }
    if let Some(query) = parsed.query() {
        path.push('?');
        path.push_str(query);
    }
    Some(path)
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
        // Browsers drop tabs and line feeds from addresses: "/\t/evil" is "//evil".
        assert_eq!(safe_next_path(Some("/\t/evil.example/phish")), None);
        assert_eq!(safe_next_path(Some("/\n/evil.example")), None);
        assert_eq!(
            safe_next_path(Some("/organization\r\nSet-Cookie: x=1")),
            None
        );
        assert_eq!(safe_next_path(Some("/ /evil.example")), None);
        assert_eq!(
            safe_next_path(Some("/%2F%2Fevil.example")),
            Some("/%2F%2Fevil.example".into())
        );
        assert_eq!(
            safe_next_path(Some("/organization/members?page=2")),
            Some("/organization/members?page=2".into())
        );
        assert_eq!(
            safe_next_path(Some("/a/../../organization")),
            Some("/organization".into())
        );
        assert_eq!(safe_next_path(Some("organization")), None);
        assert_eq!(safe_next_path(None), None);
    }
}
