//! `/api/v1/docs`: the OpenAPI document as a page to read — each operation with its
//! scope, parameters, body and answers, then each type with its fields. Rendered here on
//! the server from the generated document, so it never differs from it and needs no script.

use super::handlers::ApiDoc;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::fmt::Write;
use utoipa::OpenApi;

pub async fn page() -> Response {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let mut out = String::with_capacity(64 * 1024);
    let title = text(&doc["info"]["title"]);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} reference</title><link rel=\"stylesheet\" href=\"/pkg/roster.css\"></head><body><main class=\"api-reference\">\
         <h1>{title} <small>version {}</small></h1><p>{}</p>\
         <p>The machine-readable document: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI {}).</p>",
        text(&doc["info"]["version"]),
        text(&doc["info"]["description"]),
        text(&doc["openapi"]),
    );
    out.push_str("<h2>Operations</h2><nav><ul>");
    let operations = operations(&doc);
    for (method, path, op) in &operations {
        let _ = write!(
            out,
            "<li><a href=\"#{}\"><code>{} {}</code></a> — {}</li>",
            anchor(op),
            method.to_uppercase(),
            escape(path),
            text(&op["summary"])
        );
    }
    out.push_str("</ul></nav>");
    for (method, path, op) in &operations {
        operation(&mut out, method, path, op);
    }
    out.push_str("<h2>Types</h2>");
    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            let _ = write!(
                out,
                "<section class=\"card\" id=\"type-{0}\"><h3>{0}</h3>",
                escape(name)
            );
            if let Some(d) = schema["description"].as_str() {
                let _ = write!(out, "<p>{}</p>", escape(d));
            }
            fields(&mut out, schema);
            out.push_str("</section>");
        }
    }
    out.push_str("</main></body></html>");
    let mut response = out.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "patch", "put", "delete"] {
                if let Some(op) = item.get(method) {
                    all.push((method.to_owned(), path.clone(), op.clone()));
                }
            }
        }
    }
    all
}

fn operation(out: &mut String, method: &str, path: &str, op: &Value) {
    let scopes: Vec<String> = op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["api_key"].as_array())
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect();
    let _ = write!(
        out,
        "<section class=\"card\" id=\"{}\"><h3><code>{} {}</code></h3><p><strong>{}</strong></p><p>{}</p><p>Scope: <code>{}</code></p>",
        anchor(op),
        method.to_uppercase(),
        escape(path),
        text(&op["summary"]),
        text(&op["description"]),
        escape(&scopes.join(", "))
    );
    if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
        out.push_str("<table><thead><tr><th scope=\"col\">Parameter</th><th scope=\"col\">In</th><th scope=\"col\">Type</th><th scope=\"col\">What it is</th></tr></thead><tbody>");
        for p in params {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                text(&p["name"]),
                text(&p["in"]),
                type_of(&p["schema"]),
                text(&p["description"])
            );
        }
        out.push_str("</tbody></table>");
    }
    if let Some(body) = op["requestBody"]["content"]
        .as_object()
        .and_then(|c| c.values().next())
    {
        let _ = write!(out, "<p>Body: {}</p>", type_of(&body["schema"]));
    }
    if let Some(responses) = op["responses"].as_object() {
        out.push_str("<table><thead><tr><th scope=\"col\">Status</th><th scope=\"col\">Meaning</th><th scope=\"col\">Body</th></tr></thead><tbody>");
        for (status, r) in responses {
            let body = r["content"]
                .as_object()
                .and_then(|c| c.values().next())
                .map(|c| type_of(&c["schema"]))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{body}</td></tr>",
                escape(status),
                text(&r["description"])
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");
}

fn fields(out: &mut String, schema: &Value) {
    if let Some(variants) = schema["enum"].as_array() {
        let names: Vec<String> = variants
            .iter()
            .map(|v| format!("<code>{}</code>", text(v)))
            .collect();
        let _ = write!(out, "<p>One of {}.</p>", names.join(", "));
        return;
    }
    let Some(properties) = schema["properties"].as_object() else {
        return;
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    out.push_str("<table><thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Type</th><th scope=\"col\">Required</th><th scope=\"col\">What it is</th></tr></thead><tbody>");
    for (name, p) in properties {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            type_of(p),
            if required.contains(&name.as_str()) {
                "yes"
            } else {
                "no"
            },
            text(&p["description"])
        );
    }
    out.push_str("</tbody></table>");
}

/// A schema's type in words: a link for a named type, `array of …`, `a or null`.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("<a href=\"#type-{0}\">{0}</a>", escape(name));
    }
    if let Some(any) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        return any.iter().map(type_of).collect::<Vec<_>>().join(" or ");
    }
    match &schema["type"] {
        Value::Array(types) => types.iter().map(text).collect::<Vec<_>>().join(" or "),
        Value::String(t) if t == "array" => format!("array of {}", type_of(&schema["items"])),
        Value::String(t) => escape(t),
        _ => String::new(),
    }
}

fn anchor(op: &Value) -> String {
    escape(op["operationId"].as_str().unwrap_or(""))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => escape(s),
        Value::Null => String::new(),
        other => escape(&other.to_string()),
    }
}

fn escape(raw: &str) -> String {
    raw.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
