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
}

impl Viewer {
    pub fn is_admin(&self) -> bool {
        self.permission == Permission::Admin
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// Where this member lands after signing in.
    pub fn home_path(&self) -> &'static str {
        self.permission.home_path()
    }
}

/// Only same-site paths are followed after sign-in, never `//evil.example` or a full URL.
pub fn safe_next_path(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .map(ToOwned::to_owned)
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
        assert_eq!(safe_next_path(None), None);
    }
}
