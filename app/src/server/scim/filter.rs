//! The filters providers send to find a resource before creating it (RFC 7644 §3.4.2.2),
//! and nothing more: one attribute, `eq`, a quoted value. Attribute names and the operator
//! are case-insensitive. ServiceProviderConfig advertises filtering with this limit;
//! anything else is refused with `invalidFilter`, saying what is supported.

use super::ScimError;

/// What a filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterAttribute {
    Id,
    UserName,
    ExternalId,
    /// `emails.value`, `emails[type eq "work"].value`, `emails[primary eq true].value`:
    /// a member has one address.
    Email,
    DisplayName,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub attribute: FilterAttribute,
    pub value: String,
}

const SUPPORTED: &str = "Supported: userName, externalId, emails.value, emails[type eq \"work\"].value, displayName or id, with eq and a quoted value, such as userName eq \"ava@example.com\".";

fn refused(detail: &str) -> ScimError {
    ScimError::new(400, Some("invalidFilter"), format!("{detail} {SUPPORTED}"))
}

/// Parses `attribute eq "value"`.
pub fn parse_filter(raw: &str) -> Result<Filter, ScimError> {
    let raw = raw.trim();
    if raw.len() > 1024 {
        return Err(refused("This filter is too long."));
    }
    // The attribute path runs to the first space outside brackets.
    let mut depth = 0usize;
    let mut split = None;
    for (i, c) in raw.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ' ' if depth == 0 => {
                split = Some(i);
                break;
            }
            _ => {}
        }
    }
    let split = split.ok_or_else(|| refused("This filter is not `attribute eq \"value\"`."))?;
    let (path, rest) = raw.split_at(split);
    let rest = rest.trim_start();
    let (operator, value) = rest
        .split_once(' ')
        .ok_or_else(|| refused("This filter is not `attribute eq \"value\"`."))?;
    if !operator.eq_ignore_ascii_case("eq") {
        return Err(refused(&format!(
            "The operator `{operator}` is not supported."
        )));
    }
    let attribute = attribute_of(path)
        .ok_or_else(|| refused(&format!("Filtering on `{path}` is not supported.")))?;
    let value = value.trim();
    let value = if value.starts_with('"') {
        serde_json::from_str::<String>(value)
            .map_err(|_| refused("The value must be a string in double quotes."))?
    } else {
        return Err(refused("The value must be a string in double quotes."));
    };
    Ok(Filter { attribute, value })
}

fn attribute_of(path: &str) -> Option<FilterAttribute> {
    let path = path
        .strip_prefix("urn:ietf:params:scim:schemas:core:2.0:User:")
        .or_else(|| path.strip_prefix("urn:ietf:params:scim:schemas:core:2.0:Group:"))
        .unwrap_or(path);
    let lower = path.to_ascii_lowercase();
    let compact: String = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    match compact.as_str() {
        "id" => Some(FilterAttribute::Id),
        "username" => Some(FilterAttribute::UserName),
        "externalid" => Some(FilterAttribute::ExternalId),
        "displayname" => Some(FilterAttribute::DisplayName),
        "emails" | "emails.value" => Some(FilterAttribute::Email),
        other => {
            // emails[type eq "work"].value, emails[primary eq true].value
            let inner = other.strip_prefix("emails[")?.strip_suffix("].value")?;
            let ok = inner == "type eq \"work\"" || inner == "primary eq true";
            ok.then_some(FilterAttribute::Email)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(raw: &str) -> (FilterAttribute, String) {
        let f = parse_filter(raw).unwrap_or_else(|e| panic!("{raw}: {e:?}"));
        (f.attribute, f.value)
    }

    #[test]
    fn the_filters_providers_send_are_read() {
        use FilterAttribute::*;
        assert_eq!(
            parsed(r#"userName eq "ava@example.com""#),
            (UserName, "ava@example.com".into())
        );
        assert_eq!(parsed(r#"USERNAME EQ "a""#), (UserName, "a".into()));
        assert_eq!(
            parsed(r#"externalId eq "00u1""#),
            (ExternalId, "00u1".into())
        );
        assert_eq!(
            parsed(r#"emails[type eq "work"].value eq "b@x.io""#),
            (Email, "b@x.io".into())
        );
        assert_eq!(
            parsed(r#"emails.value eq "c@x.io""#),
            (Email, "c@x.io".into())
        );
        assert_eq!(
            parsed(r#"displayName eq "Sales \"East\"""#),
            (DisplayName, "Sales \"East\"".into())
        );
        assert_eq!(
            parsed(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "d""#),
            (UserName, "d".into())
        );
    }

    #[test]
    fn other_filters_are_refused_with_invalid_filter() {
        for raw in [
            r#"userName co "a""#,
            r#"title eq "x""#,
            "userName eq unquoted",
            "userName",
            r#"userName eq "a" and externalId eq "b""#,
        ] {
            let error = parse_filter(raw).unwrap_err();
            assert_eq!(error.scim_type, Some("invalidFilter"), "{raw}");
            assert_eq!(error.status, 400);
        }
    }
}
