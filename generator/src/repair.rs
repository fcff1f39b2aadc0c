//! Repairs of real-world spec mistakes that have one sound reading, applied to the raw
//! document before it is parsed. Each repair is reported with its JSON pointer. In lenient
//! mode, a spot that still does not parse is replaced by an empty schema (any JSON value) and
//! reported, so that generation completes.

use serde_json::{Map, Value};

use crate::ir::Warning;
use crate::pointer::Pointer;

/// Applies the sound repairs everywhere in `raw`; returns what was changed.
pub fn sound_repairs(raw: &mut Value) -> Vec<Warning> {
    let mut warnings = Vec::new();
    walk(raw, &Pointer::root(), &mut warnings);
    warnings
}

fn walk(value: &mut Value, at: &Pointer, warnings: &mut Vec<Warning>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                if has_misplaced_keywords(props) {
                    hoist_misplaced_keywords(map, at, warnings);
                }
            }
            for (k, v) in map.iter_mut() {
                // Examples and vendor extensions are data, not schemas.
                if k == "example" || k == "examples" || k.starts_with("x-") {
                    continue;
                }
                walk(v, &at.join(k), warnings);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                walk(v, &at.join(i), warnings);
            }
        }
        _ => {}
    }
}

fn is_misplaced_required(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
}

fn is_misplaced_discriminator(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.get("propertyName").is_some_and(Value::is_string)
            && !o.contains_key("type")
            && !o.contains_key("$ref")
            && !o.contains_key("properties")
    })
}

fn has_misplaced_keywords(props: &Map<String, Value>) -> bool {
    props.get("required").is_some_and(is_misplaced_required)
        || props
            .get("discriminator")
            .is_some_and(is_misplaced_discriminator)
}

/// `required` (a list of names) or `discriminator` (an object with `propertyName`) indented
/// under `properties` belong to the schema itself: no property schema looks like that.
fn hoist_misplaced_keywords(
    schema: &mut Map<String, Value>,
    at: &Pointer,
    warnings: &mut Vec<Warning>,
) {
    let Some(Value::Object(props)) = schema.get_mut("properties") else {
        return;
    };
    let mut hoisted = Vec::new();
    if props.get("required").is_some_and(is_misplaced_required) {
        hoisted.push(("required", props.remove("required").expect("checked")));
    }
    if props
        .get("discriminator")
        .is_some_and(is_misplaced_discriminator)
    {
        hoisted.push((
            "discriminator",
            props.remove("discriminator").expect("checked"),
        ));
    }
    for (key, value) in hoisted {
        warnings.push(Warning {
            pointer: at.join("properties").join(key).into(),
            message: format!(
                "`{key}` is indented under `properties`; read as the schema's own `{key}`"
            ),
        });
        match (schema.get_mut(key), value) {
            (Some(Value::Array(existing)), Value::Array(more)) => {
                for name in more {
                    if !existing.contains(&name) {
                        existing.push(name);
                    }
                }
            }
            (Some(_), _) => {}
            (None, value) => {
                schema.insert(key.to_string(), value);
            }
        }
    }
}

/// Schemas that do not parse and contain no schema that fails itself: the precise places of
/// a structural error (serde reports only the nearest enclosing map for some parts of a
/// document). Sorted by pointer.
pub fn failing_schemas(raw: &Value) -> Vec<(String, String)> {
    let mut positions = Vec::new();
    collect_schema_positions(raw, &Pointer::root(), false, &mut positions);
    let mut failing: Vec<(Pointer, String)> = positions
        .into_iter()
        .filter_map(|(at, v)| {
            serde_json::from_value::<openapiv3::ReferenceOr<openapiv3::Schema>>(v.clone())
                .err()
                .map(|e| (at, e.to_string()))
        })
        .collect();
    failing.sort();
    // Keep the innermost: drop a failure that encloses another.
    failing
        .iter()
        .filter(|(at, _)| !failing.iter().any(|(other, _)| at.encloses(other)))
        .map(|(at, message)| (at.to_string(), message.clone()))
        .collect()
}

fn collect_schema_positions<'a>(
    value: &'a Value,
    at: &Pointer,
    is_schema: bool,
    out: &mut Vec<(Pointer, &'a Value)>,
) {
    if is_schema && !value.is_object() {
        out.push((at.clone(), value));
        return;
    }
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for (i, v) in items.iter().enumerate() {
                collect_schema_positions(v, &at.join(i), false, out);
            }
        }
        return;
    };
    if is_schema {
        out.push((at.clone(), value));
    }
    for (k, v) in map {
        if k == "example" || k == "examples" || k.starts_with("x-") {
            continue;
        }
        let child = at.join(k);
        let schema_map = (is_schema && k == "properties")
            || (!is_schema && k == "schemas" && at.as_str() == "#/components");
        if schema_map {
            if let Value::Object(entries) = v {
                for (name, s) in entries {
                    collect_schema_positions(s, &child.join(name), true, out);
                }
            } else {
                collect_schema_positions(v, &child, false, out);
            }
            continue;
        }
        let child_is_schema = k == "schema"
            || (is_schema && matches!(k.as_str(), "items" | "not"))
            || (is_schema && k == "additionalProperties" && v.is_object());
        if is_schema && matches!(k.as_str(), "allOf" | "oneOf" | "anyOf") {
            if let Value::Array(items) = v {
                for (i, s) in items.iter().enumerate() {
                    collect_schema_positions(s, &child.join(i), true, out);
                }
                continue;
            }
        }
        collect_schema_positions(v, &child, child_is_schema, out);
    }
}

/// Lenient fallback: replaces the value at `pointer` by an empty schema (`{}`, any JSON value).
/// Returns false when the pointer does not name a value of the document.
pub fn replace_with_any(raw: &mut Value, pointer: &str) -> bool {
    let Some(path) = pointer.strip_prefix('#') else {
        return false;
    };
    if path.is_empty() {
        return false;
    }
    match raw.pointer_mut(path) {
        Some(v) => {
            *v = Value::Object(Map::new());
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn misplaced_required_and_discriminator_are_hoisted() {
        let mut doc = json!({"components": {"schemas": {"Key": {
            "type": "object",
            "properties": {
                "kty": {"type": "string"},
                "required": ["kty"],
                "discriminator": {"propertyName": "kty", "mapping": {"RSA": "#/components/schemas/Rsa"}}
            }
        }}}});
        let warnings = sound_repairs(&mut doc);
        assert_eq!(warnings.len(), 2);
        assert_eq!(
            warnings[0].pointer,
            "#/components/schemas/Key/properties/required"
        );
        let key = &doc["components"]["schemas"]["Key"];
        assert_eq!(key["required"], json!(["kty"]));
        assert_eq!(key["discriminator"]["propertyName"], json!("kty"));
        assert!(key["properties"].get("required").is_none());
    }

    #[test]
    fn real_properties_named_required_or_discriminator_stay() {
        let mut doc = json!({"properties": {
            "required": {"type": "boolean"},
            "discriminator": {"type": "string"}
        }});
        assert!(sound_repairs(&mut doc).is_empty());
        assert_eq!(doc["properties"]["required"], json!({"type": "boolean"}));
    }

    #[test]
    fn failing_schemas_are_found_precisely() {
        let doc = json!({"paths": {"/a": {"get": {"responses": {"200": {"content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "ok": {"type": "string"},
                "broken": [1, 2]
            }}}
        }}}}}}});
        let failing = failing_schemas(&doc);
        assert_eq!(failing.len(), 1, "{failing:?}");
        assert_eq!(
            failing[0].0,
            "#/paths/~1a/get/responses/200/content/application~1json/schema/properties/broken"
        );
    }

    #[test]
    fn examples_are_left_alone() {
        let mut doc = json!({"example": {"properties": {"required": ["a"]}}});
        assert!(sound_repairs(&mut doc).is_empty());
    }
}
