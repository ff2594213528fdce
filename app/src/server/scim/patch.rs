//! Reading what a provider says of a user or a group, in every shape the major providers
//! send (RFC 7644 §3.5.2 and what Entra ID and Okta do besides): `op` in any case,
//! `active` as a boolean or the strings "True"/"False", `add` or `replace` for it,
//! path-less values whose keys are dotted paths (`"name.givenName"`) or nested objects,
//! `emails[type eq "work"].value` paths, group members added and removed by value or by
//! a path filter, `remove` of `members` without a value (all of them).
//!
//! Pure: a body in, the fields it sets out. Attributes Roster does not keep (phone
//! numbers, addresses, the enterprise extension's department…) are accepted and left
//! alone: a provider sends what its mapping holds, and refusing one would quarantine the
//! whole connection.

use super::{ScimError, MAX_OPERATIONS};
use serde_json::Value;

const USER_PREFIX: &str = "urn:ietf:params:scim:schemas:core:2.0:user:";
const GROUP_PREFIX: &str = "urn:ietf:params:scim:schemas:core:2.0:group:";

/// What a request says of a user; `None`: not said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFields {
    pub user_name: Option<String>,
    /// `Some(None)`: removed.
    pub external_id: Option<Option<String>>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// `Some("")`: removed.
    pub title: Option<String>,
    pub active: Option<bool>,
}

/// The user a POST or a PUT sends: the resource whole. A PUT without `active` leaves it
/// as it is (Okta sends its full PUT without it).
pub fn user_resource(body: &Value) -> Result<UserFields, ScimError> {
    let mut fields = UserFields::default();
    let object = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("The body must be a JSON object."))?;
    for (key, value) in object {
        set_user(&mut fields, key, value)?;
    }
    Ok(fields)
}

/// The operations of a user PATCH, applied in order: the fields they set.
pub fn user_patch(body: &Value) -> Result<UserFields, ScimError> {
    let mut fields = UserFields::default();
    for op in operations(body)? {
        match (op.kind, op.path) {
            (Op::Add | Op::Replace, Some(path)) => set_user(&mut fields, path, op.value)?,
            (Op::Add | Op::Replace, None) => {
                let object = op.value.as_object().ok_or_else(|| {
                    ScimError::invalid_value(
                        "An operation without a path must carry an object of attributes.",
                    )
                })?;
                for (key, value) in object {
                    set_user(&mut fields, key, value)?;
                }
            }
            (Op::Remove, Some(path)) => remove_user(&mut fields, path)?,
            (Op::Remove, None) => {
                return Err(ScimError::new(
                    400,
                    Some("noTarget"),
                    "A remove operation needs a path.",
                ))
            }
        }
    }
    Ok(fields)
}

/// What a group request says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupChange {
    Rename(String),
    ExternalId(Option<String>),
    AddMembers(Vec<String>),
    RemoveMembers(Vec<String>),
    /// `remove` of `members` without a value.
    ClearMembers,
    /// `replace` of `members` (and a PUT): exactly these.
    ReplaceMembers(Vec<String>),
}

/// A group's POST or PUT body: its name, externalId and members.
pub fn group_resource(body: &Value) -> Result<Vec<GroupChange>, ScimError> {
    let mut changes = Vec::new();
    let object = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("The body must be a JSON object."))?;
    let mut members = Vec::new();
    for (key, value) in object {
        match normalized(key, GROUP_PREFIX).as_str() {
            "displayname" => changes.push(GroupChange::Rename(string(value, "displayName")?)),
            "externalid" => changes.push(GroupChange::ExternalId(optional_string(value)?)),
            "members" => members = member_values(value)?,
            _ => {}
        }
    }
    changes.push(GroupChange::ReplaceMembers(members));
    Ok(changes)
}

/// The operations of a group PATCH, in order.
pub fn group_patch(body: &Value) -> Result<Vec<GroupChange>, ScimError> {
    let mut changes = Vec::new();
    for op in operations(body)? {
        let path = op.path.map(|p| normalized(p, GROUP_PREFIX));
        match (op.kind, path.as_deref()) {
            (Op::Add, Some("members")) => {
                changes.push(GroupChange::AddMembers(member_values(op.value)?))
            }
            (Op::Replace, Some("members")) => {
                changes.push(GroupChange::ReplaceMembers(member_values(op.value)?))
            }
            (Op::Remove, Some("members")) => changes.push(match op.value {
                Value::Null => GroupChange::ClearMembers,
                value => GroupChange::RemoveMembers(member_values(value)?),
            }),
            (Op::Remove, Some(path)) if path.starts_with("members[") => {
                changes.push(GroupChange::RemoveMembers(vec![member_filter(path)?]))
            }
            (Op::Add | Op::Replace, Some("displayname")) => {
                changes.push(GroupChange::Rename(string(op.value, "displayName")?))
            }
            (Op::Add | Op::Replace, Some("externalid")) => {
                changes.push(GroupChange::ExternalId(optional_string(op.value)?))
            }
            (Op::Remove, Some("externalid")) => changes.push(GroupChange::ExternalId(None)),
            (Op::Add | Op::Replace, None) => {
                let object = op.value.as_object().ok_or_else(|| {
                    ScimError::invalid_value(
                        "An operation without a path must carry an object of attributes.",
                    )
                })?;
                for (key, value) in object {
                    match normalized(key, GROUP_PREFIX).as_str() {
                        "displayname" => {
                            changes.push(GroupChange::Rename(string(value, "displayName")?))
                        }
                        "externalid" => {
                            changes.push(GroupChange::ExternalId(optional_string(value)?))
                        }
                        "members" if op.kind == Op::Add => {
                            changes.push(GroupChange::AddMembers(member_values(value)?))
                        }
                        "members" => {
                            changes.push(GroupChange::ReplaceMembers(member_values(value)?))
                        }
                        _ => {}
                    }
                }
            }
            (Op::Remove, None) => {
                return Err(ScimError::new(
                    400,
                    Some("noTarget"),
                    "A remove operation needs a path.",
                ))
            }
            // Attributes Roster does not keep on a group.
            _ => {}
        }
    }
    Ok(changes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    Remove,
}

struct Operation<'a> {
    kind: Op,
    path: Option<&'a str>,
    value: &'a Value,
}

static NULL: Value = Value::Null;

fn operations(body: &Value) -> Result<Vec<Operation<'_>>, ScimError> {
    let list = body
        .get("Operations")
        .or_else(|| body.get("operations"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ScimError::invalid_syntax("A PATCH carries `Operations`: a list of {op, path, value}.")
        })?;
    if list.len() > MAX_OPERATIONS {
        return Err(ScimError::invalid_value(format!(
            "At most {MAX_OPERATIONS} operations in one PATCH: send the rest in another."
        )));
    }
    list.iter()
        .map(|op| {
            let kind = match op
                .get("op")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("add") => Op::Add,
                Some("replace") => Op::Replace,
                Some("remove") => Op::Remove,
                other => {
                    return Err(ScimError::invalid_syntax(format!(
                        "`op` must be add, replace or remove, not {}.",
                        other.unwrap_or("missing")
                    )))
                }
            };
            let path = op
                .get("path")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|p| !p.is_empty());
            Ok(Operation {
                kind,
                path,
                value: op.get("value").unwrap_or(&NULL),
            })
        })
        .collect()
}

/// A path in lower case, without the core schema's prefix, spaces collapsed.
fn normalized(path: &str, prefix: &str) -> String {
    let lower = path.trim().to_ascii_lowercase();
    let bare = lower.strip_prefix(prefix).unwrap_or(&lower);
    bare.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn set_user(fields: &mut UserFields, path: &str, value: &Value) -> Result<(), ScimError> {
    match normalized(path, USER_PREFIX).as_str() {
        "active" => fields.active = Some(boolean(value)?),
        "username" => fields.user_name = Some(string(value, "userName")?),
        "externalid" => fields.external_id = Some(optional_string(value)?),
        "displayname" => fields.display_name = optional_string(value)?,
        "title" => fields.title = Some(optional_string(value)?.unwrap_or_default()),
        "name" => {
            if let Some(name) = value.as_object() {
                for (key, part) in name {
                    set_user(fields, &format!("name.{key}"), part)?;
                }
            }
        }
        "name.givenname" => fields.given_name = optional_string(value)?,
        "name.familyname" => fields.family_name = optional_string(value)?,
        "emails" => fields.email = email_of(value)?.or(fields.email.take()),
        "emails.value" | "emails[type eq \"work\"].value" | "emails[primary eq true].value" => {
            fields.email = optional_string(value)?.or(fields.email.take())
        }
        // Kept by the provider, not by Roster: accepted, left alone.
        _ => {}
    }
    Ok(())
}

fn remove_user(fields: &mut UserFields, path: &str) -> Result<(), ScimError> {
    match normalized(path, USER_PREFIX).as_str() {
        "title" => fields.title = Some(String::new()),
        "externalid" => fields.external_id = Some(None),
        "username" | "emails" | "name" | "name.givenname" | "name.familyname" => {
            return Err(ScimError::new(
                400,
                Some("mutability"),
                format!(
                    "`{path}` is required by Roster and cannot be removed: replace it instead."
                ),
            ))
        }
        _ => {}
    }
    Ok(())
}

/// `true`, `false`, or the strings Entra sends: "True", "False" (any case).
fn boolean(value: &Value) -> Result<bool, ScimError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(false),
        // A one-element list of {"value": …}.
        Value::Array(items) if items.len() == 1 => {
            boolean(items[0].get("value").unwrap_or(&items[0]))
        }
        Value::Object(o) if o.contains_key("value") => boolean(&o["value"]),
        _ => Err(ScimError::invalid_value(format!(
            "`active` must be true or false, not {value}."
        ))),
    }
}

fn string(value: &Value, name: &str) -> Result<String, ScimError> {
    optional_string(value)?
        .ok_or_else(|| ScimError::invalid_value(format!("`{name}` must be a non-empty string.")))
}

fn optional_string(value: &Value) -> Result<Option<String>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => {
            let s = s.trim();
            Ok((!s.is_empty()).then(|| s.to_owned()))
        }
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Array(items) if items.len() == 1 => {
            optional_string(items[0].get("value").unwrap_or(&items[0]))
        }
        Value::Object(o) if o.contains_key("value") => optional_string(&o["value"]),
        _ => Err(ScimError::invalid_value(format!(
            "Expected a string, not {value}."
        ))),
    }
}

/// The address of `emails`: the primary one, else the work one, else the first.
fn email_of(value: &Value) -> Result<Option<String>, ScimError> {
    let Some(list) = value.as_array() else {
        return optional_string(value);
    };
    let pick = list
        .iter()
        .find(|e| {
            e.get("primary")
                .is_some_and(|p| boolean(p).unwrap_or(false))
        })
        .or_else(|| {
            list.iter().find(|e| {
                e.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("work"))
            })
        })
        .or_else(|| list.first());
    match pick {
        Some(email) => optional_string(email.get("value").unwrap_or(&NULL)),
        None => Ok(None),
    }
}

/// The ids of `[{"value": "12"}, …]` (or one such object).
fn member_values(value: &Value) -> Result<Vec<String>, ScimError> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![value],
        Value::Null => Vec::new(),
        _ => {
            return Err(ScimError::invalid_value(
                "`members` must be a list of {\"value\": \"<user id>\"}.",
            ))
        }
    };
    if items.len() > MAX_OPERATIONS {
        return Err(ScimError::invalid_value(format!(
            "At most {MAX_OPERATIONS} members in one change: send the rest in another."
        )));
    }
    items
        .into_iter()
        .map(|item| {
            optional_string(item.get("value").unwrap_or(&NULL))?.ok_or_else(|| {
                ScimError::invalid_value("Each member is {\"value\": \"<user id>\"}.")
            })
        })
        .collect()
}

/// The id of `members[value eq "12"]` (the path is in lower case already).
fn member_filter(path: &str) -> Result<String, ScimError> {
    let wrong = || {
        ScimError::new(
            400,
            Some("invalidPath"),
            "Remove members by `members[value eq \"<user id>\"]`.",
        )
    };
    let inner = path
        .strip_prefix("members[")
        .and_then(|p| p.strip_suffix(']'))
        .ok_or_else(wrong)?;
    let quoted = inner
        .trim()
        .strip_prefix("value")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix("eq"))
        .map(str::trim)
        .ok_or_else(wrong)?;
    serde_json::from_str::<String>(quoted).map_err(|_| wrong())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entra_deactivation_with_a_string_and_op_in_capitals() {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}]});
        assert_eq!(user_patch(&body).unwrap().active, Some(false));
        let add = json!({"Operations": [{"op": "Add", "path": "active", "value": "True"}]});
        assert_eq!(user_patch(&add).unwrap().active, Some(true));
    }

    #[test]
    fn path_less_values_with_dotted_keys_and_nested_objects() {
        let body = json!({"Operations": [{"op": "replace", "value": {
            "active": false, "name.givenName": "Ava", "name": {"familyName": "Lind"},
            "emails[type eq \"work\"].value": "ava@acme.test",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Sales"}}]});
        let f = user_patch(&body).unwrap();
        assert_eq!(f.active, Some(false));
        assert_eq!(f.given_name.as_deref(), Some("Ava"));
        assert_eq!(f.family_name.as_deref(), Some("Lind"));
        assert_eq!(f.email.as_deref(), Some("ava@acme.test"));
    }

    #[test]
    fn paths_with_the_schema_and_in_any_case() {
        let body = json!({"Operations": [
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName", "value": "Bo"},
            {"op": "REPLACE", "path": "Title", "value": "Rep"},
            {"op": "remove", "path": "externalId"}]});
        let f = user_patch(&body).unwrap();
        assert_eq!(f.given_name.as_deref(), Some("Bo"));
        assert_eq!(f.title.as_deref(), Some("Rep"));
        assert_eq!(f.external_id, Some(None));
    }

    #[test]
    fn a_put_without_active_says_nothing_of_it() {
        let okta = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "ava@acme.test", "name": {"givenName": "Ava", "familyName": "Lind"},
            "emails": [{"primary": true, "value": "ava@acme.test", "type": "work"}]});
        let f = user_resource(&okta).unwrap();
        assert_eq!(f.active, None);
        assert_eq!(f.email.as_deref(), Some("ava@acme.test"));
    }

    #[test]
    fn the_primary_address_wins() {
        let body = json!({"emails": [{"value": "home@x.io", "type": "home"},
            {"value": "work@x.io", "type": "work"}, {"value": "main@x.io", "primary": "True"}]});
        assert_eq!(
            user_resource(&body).unwrap().email.as_deref(),
            Some("main@x.io")
        );
    }

    #[test]
    fn wrong_shapes_are_refused_in_words() {
        let bad_op = json!({"Operations": [{"op": "merge", "path": "active", "value": true}]});
        assert_eq!(
            user_patch(&bad_op).unwrap_err().scim_type,
            Some("invalidSyntax")
        );
        let bad_active =
            json!({"Operations": [{"op": "replace", "path": "active", "value": "maybe"}]});
        assert_eq!(
            user_patch(&bad_active).unwrap_err().scim_type,
            Some("invalidValue")
        );
        assert!(user_patch(&json!({})).is_err());
        let remove_name = json!({"Operations": [{"op": "remove", "path": "userName"}]});
        assert_eq!(
            user_patch(&remove_name).unwrap_err().scim_type,
            Some("mutability")
        );
    }

    #[test]
    fn group_members_by_value_by_filter_and_all() {
        let body = json!({"Operations": [
            {"op": "Add", "path": "members", "value": [{"value": "1"}, {"value": "2"}]},
            {"op": "Remove", "path": "members", "value": [{"value": "1"}]},
            {"op": "remove", "path": "members[value eq \"2\"]"},
            {"op": "remove", "path": "members"},
            {"op": "replace", "value": {"displayName": "East", "members": [{"value": "3"}]}}]});
        assert_eq!(
            group_patch(&body).unwrap(),
            vec![
                GroupChange::AddMembers(vec!["1".into(), "2".into()]),
                GroupChange::RemoveMembers(vec!["1".into()]),
                GroupChange::RemoveMembers(vec!["2".into()]),
                GroupChange::ClearMembers,
                GroupChange::Rename("East".into()),
                GroupChange::ReplaceMembers(vec!["3".into()]),
            ]
        );
    }
}
