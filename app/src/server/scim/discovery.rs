//! What the endpoint says of itself (RFC 7644 §4, RFC 7643 §5–7): exactly what is
//! supported — PATCH, filtering (one attribute, `eq`), no bulk, no sort, no ETags, no
//! password change — and the attributes Roster keeps. A client that tests everything
//! advertised (scim2-tester) finds each one working.

use super::{list_response, ScimError, MAX_RESULTS};
use serde_json::{json, Value};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://github.com/roster/roster#company-sign-in",
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_RESULTS },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": false },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Provisioning token",
            "description": "An organization API key with the Provisioning scope, sent as Authorization: Bearer <token>.",
            "primary": true
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig")
        }
    })
}

fn user_type(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "A member of the organization",
        "schema": USER_SCHEMA,
        "schemaExtensions": [],
        "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User") }
    })
}

fn group_type(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "Group",
        "name": "Group",
        "endpoint": "/Groups",
        "description": "A team of the organization",
        "schema": GROUP_SCHEMA,
        "schemaExtensions": [],
        "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group") }
    })
}

pub fn resource_types(base: &str) -> Value {
    list_response(2, 1, vec![user_type(base), group_type(base)])
}

pub fn resource_type(base: &str, name: &str) -> Result<Value, ScimError> {
    match name {
        "User" => Ok(user_type(base)),
        "Group" => Ok(group_type(base)),
        _ => Err(ScimError::new(
            404,
            None,
            "Roster has the resource types User and Group.",
        )),
    }
}

/// One attribute's definition.
fn attribute(name: &str, kind: &str, required: bool, mutability: &str, uniqueness: &str) -> Value {
    json!({
        "name": name,
        "type": kind,
        "multiValued": false,
        "required": required,
        "caseExact": false,
        "mutability": mutability,
        "returned": "default",
        "uniqueness": uniqueness,
    })
}

fn with(mut attribute: Value, extra: Value) -> Value {
    if let (Some(a), Some(e)) = (attribute.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            a.insert(k.clone(), v.clone());
        }
    }
    attribute
}

fn user_schema(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": USER_SCHEMA,
        "name": "User",
        "description": "A member of the organization",
        "attributes": [
            attribute("userName", "string", true, "readWrite", "server"),
            // Roster keeps a first and a last name, always (made from displayName or the
            // address when a provider sends none), and whether the member is active.
            with(attribute("name", "complex", true, "readWrite", "none"), json!({
                "subAttributes": [
                    attribute("givenName", "string", true, "readWrite", "none"),
                    attribute("familyName", "string", true, "readWrite", "none"),
                ]
            })),
            attribute("title", "string", false, "readWrite", "none"),
            attribute("active", "boolean", true, "readWrite", "none"),
            // Every member has an address: it is how they sign in and are invited. One
            // address, so no `primary` is kept (a provider's is read to pick it).
            with(attribute("emails", "complex", true, "readWrite", "none"), json!({
                "multiValued": true,
                "subAttributes": [
                    attribute("value", "string", true, "readWrite", "none"),
                    with(attribute("type", "string", false, "readWrite", "none"),
                         json!({ "canonicalValues": ["work"] })),
                ]
            })),
            with(attribute("groups", "complex", false, "readOnly", "none"), json!({
                "multiValued": true,
                "subAttributes": [
                    with(attribute("value", "string", false, "readOnly", "none"), json!({})),
                    attribute("display", "string", false, "readOnly", "none"),
                ]
            })),
        ],
        "meta": { "resourceType": "Schema", "location": format!("{base}/Schemas/{USER_SCHEMA}") }
    })
}

fn group_schema(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": GROUP_SCHEMA,
        "name": "Group",
        "description": "A team of the organization",
        "attributes": [
            attribute("displayName", "string", true, "readWrite", "none"),
            with(attribute("members", "complex", false, "readWrite", "none"), json!({
                "multiValued": true,
                "subAttributes": [
                    with(attribute("value", "string", false, "immutable", "none"), json!({})),
                    with(attribute("$ref", "reference", false, "immutable", "none"),
                         json!({ "referenceTypes": ["User"] })),
                    with(attribute("type", "string", false, "immutable", "none"),
                         json!({ "canonicalValues": ["User"] })),
                ]
            })),
        ],
        "meta": { "resourceType": "Schema", "location": format!("{base}/Schemas/{GROUP_SCHEMA}") }
    })
}

pub fn schemas(base: &str) -> Value {
    list_response(2, 1, vec![user_schema(base), group_schema(base)])
}

pub fn schema(base: &str, urn: &str) -> Result<Value, ScimError> {
    match urn {
        USER_SCHEMA => Ok(user_schema(base)),
        GROUP_SCHEMA => Ok(group_schema(base)),
        _ => Err(ScimError::new(
            404,
            None,
            "No such schema here: see /scim/v2/Schemas.",
        )),
    }
}
