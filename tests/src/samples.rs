//! Sample arguments for every operation of a spec, built from its schemas: the smallest
//! values a validating server accepts (required properties only, those of allOf parts merged;
//! examples, then first enum values; strings that fit common formats and length bounds; the
//! first variant of a oneOf/anyOf, carrying its discriminator value). Raw byte bodies and the
//! file parts of forms are given as JSON arrays of bytes, which is how the roundtrip `call`
//! takes them.

use std::collections::BTreeMap;

use okta_client::__private::CallArgs;
use okta_codegen::ir::BodyFormat;
use okta_codegen::load::{LoadedSpec, resolve_pointer};
use serde_json::{Map, Value, json};

/// Values for one operation: parameters by (location, name), and a body.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    pub params: BTreeMap<(String, String), Value>,
    pub body: Option<Value>,
}

impl CallArgs for Sample {
    fn param(&self, location: &str, name: &str) -> Option<Value> {
        self.params
            .get(&(location.to_string(), name.to_string()))
            .cloned()
    }
    fn body(&self) -> Option<Value> {
        self.body.clone()
    }
}

/// A sample for each operation (by method name) of the lowered spec.
pub fn samples(spec: &LoadedSpec, api: &okta_codegen::ir::Api) -> BTreeMap<String, Sample> {
    let mut out = BTreeMap::new();
    for op in api.operations() {
        let mut sample = Sample::default();
        let at = op.pointer.trim_start_matches('#');
        let Some(raw_op) = spec.raw.pointer(at) else {
            continue;
        };
        // A multi-operation variant sits inside its operation's `x-okta-multi-operation` list.
        let base_op = at
            .rsplit_once("/x-okta-multi-operation/")
            .and_then(|(base, _)| spec.raw.pointer(base));
        let path_item = spec.raw.pointer(&format!("/paths/{}", escape(&op.path)));
        let mut raw_params = Vec::new();
        for holder in [path_item, base_op, Some(raw_op)].into_iter().flatten() {
            if let Some(Value::Array(ps)) = holder.get("parameters") {
                raw_params.extend(ps.iter().map(|p| deref(&spec.raw, p)));
            }
        }
        for p in op.params.iter().filter(|p| p.required) {
            let location = format!("{:?}", p.location).to_lowercase();
            let raw = raw_params.iter().rev().find(|r| {
                r.get("name").and_then(Value::as_str) == Some(p.name.as_str())
                    && r.get("in").and_then(Value::as_str) == Some(location.as_str())
            });
            let schema = raw
                .and_then(|r| r.get("schema"))
                .cloned()
                .unwrap_or(json!({"type": "string"}));
            let mut value = sample_schema(&spec.raw, &schema, 0);
            if location == "path" {
                value = match value {
                    Value::String(s) if s.is_empty() => json!("sample"),
                    v => v,
                };
            }
            sample.params.insert((location, p.name.clone()), value);
        }
        if let Some(b) = &op.body {
            let body = raw_op
                .get("requestBody")
                .or_else(|| base_op.and_then(|o| o.get("requestBody")))
                .map(|b| deref(&spec.raw, b));
            let schema = body
                .as_ref()
                .and_then(|body| body.get("content")?.get(&b.content_type)?.get("schema"))
                .cloned();
            let value = match &schema {
                Some(s) => sample_schema(&spec.raw, s, 0),
                None => json!({}),
            };
            sample.body = Some(match (b.format, schema) {
                // Raw bytes (a body, or a file part of a form) go to the call as a JSON array
                // of bytes.
                (BodyFormat::Binary, _) => bytes(&value),
                (BodyFormat::Multipart, Some(s)) => {
                    let mut properties = Map::new();
                    object_parts(&spec.raw, &s, 0, &mut properties, &mut Vec::new());
                    match value {
                        Value::Object(fields) => Value::Object(
                            fields
                                .into_iter()
                                .map(|(name, v)| {
                                    let binary = properties.get(&name).is_some_and(|p| {
                                        deref(&spec.raw, p).get("format") == Some(&json!("binary"))
                                    });
                                    let v = if binary { bytes(&v) } else { v };
                                    (name, v)
                                })
                                .collect(),
                        ),
                        other => other,
                    }
                }
                _ => value,
            });
        }
        out.insert(op.name.clone(), sample);
    }
    out
}

/// The bytes of a sample value (a string's UTF-8, else its JSON text), as a JSON array.
fn bytes(value: &Value) -> Value {
    let text = value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string);
    json!(text.into_bytes())
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn deref(raw: &Value, v: &Value) -> Value {
    let mut v = v.clone();
    for _ in 0..16 {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => match resolve_pointer(raw, r) {
                Some(target) => v = target.clone(),
                None => return json!({}),
            },
            None => return v,
        }
    }
    v
}

/// The smallest value `schema` accepts, as far as a sampler can tell.
pub fn sample_schema(raw: &Value, schema: &Value, depth: usize) -> Value {
    let schema = deref(raw, schema);
    if depth > 12 {
        return Value::Null;
    }
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        if let Some(v) = values.iter().find(|v| !v.is_null()) {
            return v.clone();
        }
    }
    if schema.get("allOf").is_some() {
        return object_sample(raw, &schema, depth);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(parts)) = schema.get(key) {
            if let Some(first) = parts.first() {
                let mut value = sample_schema(raw, first, depth + 1);
                tag_variant(&schema, first, &mut value);
                return value;
            }
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => json!(string_sample(&schema)),
        Some("integer") => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1)),
        Some("number") => json!(schema.get("minimum").and_then(Value::as_f64).unwrap_or(1.0)),
        Some("boolean") => json!(true),
        Some("array") => {
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            match (min, schema.get("items")) {
                (0, _) | (_, None) => json!([]),
                (_, Some(items)) => json!([sample_schema(raw, items, depth + 1)]),
            }
        }
        _ => object_sample(raw, &schema, depth),
    }
}

/// A string that fits the format and the length bounds (a pattern needs an `example`).
fn string_sample(schema: &Value) -> String {
    let base = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => "2026-01-01T00:00:00.000Z",
        Some("date") => "2026-01-01",
        Some("email") => "user@example.com",
        Some("uri") | Some("url") => "https://example.com/",
        Some("uuid") => "00000000-0000-4000-8000-000000000000",
        Some("ipv4") => "192.0.2.1",
        _ => "sample",
    };
    let len = |key: &str| {
        schema
            .get(key)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    let mut s = base.to_string();
    if let Some(min) = len("minLength") {
        while s.len() < min {
            s.push_str(base);
        }
    }
    if let Some(max) = len("maxLength").map(|max| max.max(len("minLength").unwrap_or(0))) {
        s.truncate(max);
    }
    s
}

/// Where a oneOf/anyOf has a discriminator, the sample of a variant carries the value that
/// names that variant.
fn tag_variant(schema: &Value, variant: &Value, value: &mut Value) {
    let Some(d) = schema.get("discriminator") else {
        return;
    };
    let (Some(property), Some(target), Value::Object(object)) = (
        d.get("propertyName").and_then(Value::as_str),
        variant.get("$ref").and_then(Value::as_str),
        value,
    ) else {
        return;
    };
    let tag = d
        .get("mapping")
        .and_then(Value::as_object)
        .and_then(|m| m.iter().find(|(_, to)| to.as_str() == Some(target)))
        .map(|(tag, _)| tag.clone());
    if let Some(tag) = tag {
        object.insert(property.to_string(), Value::String(tag));
    }
}

/// The properties and the required names of an object schema, with those of its allOf parts
/// (and theirs) merged in: a part may require a property that another part declares.
fn object_parts(
    raw: &Value,
    schema: &Value,
    depth: usize,
    properties: &mut Map<String, Value>,
    required: &mut Vec<String>,
) {
    let schema = deref(raw, schema);
    if depth > 12 {
        return;
    }
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        for p in parts {
            object_parts(raw, p, depth + 1, properties, required);
        }
    }
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, p) in props {
            properties.insert(name.clone(), p.clone());
        }
    }
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !required.iter().any(|r| r == name) {
            required.push(name.to_string());
        }
    }
}

fn object_sample(raw: &Value, schema: &Value, depth: usize) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    object_parts(raw, schema, depth, &mut properties, &mut required);
    let mut out = Map::new();
    for name in required {
        if let Some(p) = properties.get(&name) {
            out.insert(name, sample_schema(raw, p, depth + 1));
        }
    }
    Value::Object(out)
}
