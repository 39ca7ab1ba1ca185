//! The OpenAPI 3.1 description, built from the route table: what each route takes, answers
//! and needs, and the problem every error is.

use serde_json::{Map, Value, json};

use crate::host::Host;

/// The API's description.
pub fn document(host: &std::sync::Arc<Host>) -> Value {
    let mut paths = Map::new();
    for (spec, _) in super::routes(host) {
        let parameters: Vec<Value> = path_parameters(spec.path)
            .into_iter()
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .chain(spec.query.iter().map(|(name, description)| {
                json!({"name": name, "in": "query", "required": *name == "q", "description": description, "schema": {"type": "string"}})
            }))
            .collect();
        let (status, media) = spec.answers;
        let mut responses = Map::new();
        responses.insert(
            status.to_string(),
            json!({"description": "success", "content": {media: {}}}),
        );
        let mut errors = vec!["400", "404", "503"];
        if spec.permission != crate::auth::Permission::Public {
            errors.extend(["401", "403"]);
        }
        if spec.body.is_some() {
            errors.extend(["413", "415", "422"]);
        }
        for code in errors {
            responses.insert(
                code.into(),
                json!({"$ref": "#/components/responses/Problem"}),
            );
        }
        let mut operation = json!({
            "tags": [spec.tag],
            "summary": spec.summary,
            "operationId": operation_id(spec.method, spec.path),
            "parameters": parameters,
            "responses": responses,
        });
        if let Some(role) = spec.permission.least_role() {
            operation["security"] = json!([{"bearer": []}]);
            operation["x-least-role"] = json!(role.name());
        } else {
            operation["security"] = json!([]);
        }
        if let Some(body) = spec.body {
            operation["requestBody"] =
                json!({"required": true, "description": body, "content": {"*/*": {}}});
        }
        let entry = paths
            .entry(spec.path.to_string())
            .or_insert_with(|| json!({}));
        entry[spec.method.to_ascii_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "bmc-host",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The invoice-registration platform's services on bmc-core: upload, OCR, registration, commissions and certificates.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "responses": {"Problem": {
                "description": "a problem (RFC 9457) with the stable `code` of what went wrong",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }},
            "schemas": {"Problem": {
                "type": "object",
                "required": ["type", "title", "status", "detail", "code"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "code": {"type": "string", "description": "bmc-core's error codes and the host's HOST_* codes"},
                },
            }},
        },
    })
}

fn path_parameters(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|part| part.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
        .collect()
}

fn operation_id(method: &str, path: &str) -> String {
    let words: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.trim_matches(|c| c == '{' || c == '}')
                .replace(['-', '.'], "_")
        })
        .collect();
    format!("{}_{}", method.to_ascii_lowercase(), words.join("_"))
}
