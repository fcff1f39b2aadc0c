//! Reading a spec: YAML or JSON text → a JSON value (kept for `$ref` resolution) → `openapiv3::OpenAPI`.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, escape_pointer_token};

/// A parsed spec together with its raw document, which `$ref`s are resolved against.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The path it was read from, as given.
    pub path: PathBuf,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// The document as a JSON value.
    pub raw: Value,
    /// The document in `openapiv3`'s model.
    pub api: openapiv3::OpenAPI,
    /// Whether unsupported or broken parts become warnings with a fallback instead of errors.
    pub lenient: bool,
    /// What loading repaired or, in lenient mode, replaced.
    pub warnings: Vec<crate::ir::Warning>,
}

/// How to treat problems while loading and lowering.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Turn unsupported or broken parts into warnings with a sound fallback
    /// (`serde_json::Value`) so that generation completes.
    pub lenient: bool,
    /// Threads that read a large spec at once; 0 (the default) for one per core.
    pub threads: usize,
}

/// Most parts a lenient load replaces before giving up.
const MAX_REPLACEMENTS: usize = 200;

/// Where a spec's text comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A file, read whole.
    File(&'a Path),
    /// Text already in memory; `path` names it in messages and chooses JSON or YAML.
    Text { path: &'a Path, bytes: &'a [u8] },
}

impl Source<'_> {
    fn path(&self) -> &Path {
        match self {
            Source::File(path) | Source::Text { path, .. } => path,
        }
    }
}

/// Reads and parses a spec.
pub fn load(source: Source<'_>, options: LoadOptions) -> Result<LoadedSpec, Error> {
    let path = source.path();
    let read;
    let bytes = match source {
        Source::File(path) => {
            read = std::fs::read(path).map_err(|e| {
                Error::new(ErrorKind::Io, path, format!("cannot read the spec: {e}"))
            })?;
            &read[..]
        }
        Source::Text { bytes, .. } => bytes,
    };
    let sha256 = hex(&Sha256::digest(bytes));
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorKind::Syntax,
            path,
            format!("the spec is not UTF-8 text: {e}"),
        )
    })?;
    let mut raw = parse_text(path, text, threads(options))?;
    check_version(path, &raw)?;
    let mut warnings = crate::repair::sound_repairs(&mut raw);
    let mut first = true;
    let api = loop {
        if std::mem::take(&mut first) {
            if let Some(api) = read_in_parallel(&raw, threads(options), SCHEMAS_PER_JOB) {
                break api;
            }
        }
        let e = match from_value::<openapiv3::OpenAPI>(path, &raw, "#") {
            Ok(api) => break api,
            Err(e) => e,
        };
        // serde names only the nearest enclosing map for some parts; find the schemas that
        // really fail.
        let failing = crate::repair::failing_schemas(&raw);
        let Some((pointer, message)) = failing.first().cloned() else {
            return Err(e);
        };
        if !options.lenient {
            return Err(Error::new(
                ErrorKind::Structure,
                path,
                format!("not a valid schema: {message}"),
            )
            .at(pointer)
            .hint(
                "fix the schema, or rerun with --lenient to read it as any JSON value and go on",
            ));
        }
        if warnings.len() + failing.len() > MAX_REPLACEMENTS {
            return Err(e.hint("too many broken schemas to replace; fix the spec"));
        }
        for (pointer, message) in failing {
            crate::repair::replace_with_any(&mut raw, &pointer);
            warnings.push(crate::ir::Warning {
                message: format!("not a valid schema ({message}); read as any JSON value"),
                pointer,
            });
        }
    };
    Ok(LoadedSpec {
        path: path.to_path_buf(),
        sha256,
        raw,
        api,
        lenient: options.lenient,
        warnings,
    })
}

fn is_json(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) => ext.eq_ignore_ascii_case("json"),
        None => text.trim_start().starts_with('{'),
    }
}

pub(crate) fn parse_text(path: &Path, text: &str, threads: usize) -> Result<Value, Error> {
    if text.trim().is_empty() {
        return Err(Error::new(ErrorKind::Structure, path, "the spec is empty")
            .hint("expected an OpenAPI 3.0 document with `openapi`, `info` and `paths`"));
    }
    if is_json(path, text) {
        serde_json::from_str(text).map_err(|e| {
            Error::new(ErrorKind::Syntax, path, format!("malformed JSON: {e}"))
                .at_line(e.line(), e.column())
        })
    } else if let Some(value) = crate::yaml::parse_in_pieces(text, threads) {
        Ok(value)
    } else {
        serde_yaml_ng::from_str(text).map_err(|e| {
            let mut msg = e.to_string();
            // The location is reported separately; drop serde_yaml's own " at line X column Y".
            if let Some(i) = msg.find(" at line ") {
                msg.truncate(i);
            }
            let err = Error::new(ErrorKind::Syntax, path, format!("malformed YAML: {msg}"));
            match e.location() {
                Some(loc) => err.at_line(loc.line(), loc.column()),
                None => err,
            }
        })
    }
}

pub(crate) fn threads(options: LoadOptions) -> usize {
    match options.threads {
        0 => crate::parallel::cores(),
        n => n,
    }
}

/// Schemas read per job by [`read_in_parallel`].
const SCHEMAS_PER_JOB: usize = 250;

/// The `openapiv3` model of `raw`, with `paths` and the schemas read on several threads; the
/// very value [`from_value`] gives. `None` when that is not possible or any part fails: the
/// caller then reads the document in one go, which locates the problem.
fn read_in_parallel(raw: &Value, threads: usize, per_job: usize) -> Option<openapiv3::OpenAPI> {
    use openapiv3::{OpenAPI, Paths, ReferenceOr, Schema};
    enum Part {
        Rest(Box<OpenAPI>),
        Paths(Paths),
        Schemas(Vec<(String, ReferenceOr<Schema>)>),
    }
    let root = raw.as_object()?;
    let schemas = raw.pointer("/components/schemas")?.as_object()?;
    if threads < 2 || schemas.len() < per_job {
        return None;
    }
    // Everything but the paths and the schemas, which are the bulk of a spec.
    let mut rest = serde_json::Map::new();
    for (k, v) in root {
        match (k.as_str(), v) {
            ("paths", _) => {
                rest.insert(k.clone(), Value::Object(serde_json::Map::new()));
            }
            ("components", Value::Object(c)) => {
                let c = c.iter().filter(|(k, _)| *k != "schemas");
                rest.insert(
                    k.clone(),
                    Value::Object(c.map(|(k, v)| (k.clone(), v.clone())).collect()),
                );
            }
            _ => {
                rest.insert(k.clone(), v.clone());
            }
        }
    }
    let rest = Value::Object(rest);
    let entries: Vec<(&String, &Value)> = schemas.iter().collect();
    let chunks: Vec<&[(&String, &Value)]> = entries.chunks(per_job).collect();
    let parts = crate::parallel::map(2 + chunks.len(), threads, |job| {
        use serde::Deserialize;
        Ok::<_, ()>(match job {
            0 => Part::Paths(Paths::deserialize(raw.get("paths").ok_or(())?).map_err(drop)?),
            1 => Part::Rest(Box::new(OpenAPI::deserialize(&rest).map_err(drop)?)),
            _ => {
                let chunk = chunks[job - 2];
                let mut read = Vec::with_capacity(chunk.len());
                for (name, schema) in chunk {
                    let schema = ReferenceOr::<Schema>::deserialize(*schema).map_err(drop)?;
                    read.push(((*name).clone(), schema));
                }
                Part::Schemas(read)
            }
        })
    })
    .ok()?;
    // In job order: the paths, the rest, then the schemas in the document's order.
    let mut api = None;
    let mut paths = None;
    let mut schemas = Vec::new();
    for part in parts {
        match part {
            Part::Paths(p) => paths = Some(p),
            Part::Rest(a) => api = Some(*a),
            Part::Schemas(s) => schemas.extend(s),
        }
    }
    let mut api = api?;
    api.paths = paths?;
    api.components.as_mut()?.schemas.extend(schemas);
    Some(api)
}

fn check_version(path: &Path, raw: &Value) -> Result<(), Error> {
    const SUPPORTED: &str = "this generator reads OpenAPI 3.0.x documents (3.0.0 to 3.0.4)";
    let Some(obj) = raw.as_object() else {
        return Err(Error::new(
            ErrorKind::Structure,
            path,
            format!("the document is a {}, not an object", kind_of(raw)),
        )
        .at("#")
        .hint(SUPPORTED));
    };
    if let Some(v) = obj.get("swagger") {
        return Err(Error::new(
            ErrorKind::Version,
            path,
            format!("this is a Swagger {} document", display_scalar(v)),
        )
        .at("#/swagger")
        .hint(format!(
            "{SUPPORTED}; convert it first, e.g. with swagger2openapi"
        )));
    }
    match obj.get("openapi") {
        None => Err(Error::new(
            ErrorKind::Version,
            path,
            "the document has no `openapi` field",
        )
        .at("#")
        .hint(SUPPORTED)),
        Some(Value::String(v)) if v.starts_with("3.0.") || v == "3.0" => Ok(()),
        Some(v) => Err(Error::new(
            ErrorKind::Version,
            path,
            format!("OpenAPI version {} is not supported", display_scalar(v)),
        )
        .at("#/openapi")
        .hint(SUPPORTED)),
    }
}

fn display_scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A short name for the JSON type of a value, for messages.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// Deserializes `value` (found at `base`) into `T`, turning failures into errors with a JSON pointer.
pub fn from_value<T: DeserializeOwned>(path: &Path, value: &Value, base: &str) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut pointer = base.to_string();
        for seg in e.path().iter() {
            use serde_path_to_error::Segment;
            match seg {
                Segment::Seq { index } => {
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                }
                Segment::Map { key } => {
                    pointer.push('/');
                    pointer.push_str(&escape_pointer_token(key));
                }
                Segment::Enum { .. } | Segment::Unknown => {}
            }
        }
        let inner = e.into_inner().to_string();
        Error::new(
            ErrorKind::Structure,
            path,
            format!("not a valid OpenAPI 3.0 document here: {inner}"),
        )
        .at(pointer)
    })
}

/// Looks up a local JSON pointer (`#/components/schemas/User`) in the raw document.
pub fn resolve_pointer<'a>(raw: &'a Value, reference: &str) -> Option<&'a Value> {
    let rest = reference.strip_prefix('#')?;
    // A pointer in a URI fragment may be percent-encoded; serde_json wants it decoded.
    let bytes = rest.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                decoded.push(b);
                i += 3;
                continue;
            }
        }
        decoded.push(bytes[i]);
        i += 1;
    }
    raw.pointer(&String::from_utf8_lossy(&decoded))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(schemas: usize) -> Value {
        let mut s = serde_json::Map::new();
        for i in 0..schemas {
            s.insert(
                format!("Thing{i:03}"),
                json!({"type": "object", "properties": {"id": {"type": "string"}, "n": {"$ref": "#/components/schemas/Thing000"}}}),
            );
        }
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "tags": [{"name": "Thing"}],
            "paths": {
                "/things/{id}": {"get": {"operationId": "getThing", "parameters": [{"$ref": "#/components/parameters/id"}], "responses": {"200": {"description": "ok"}}}},
                "/things": {"get": {"responses": {"default": {"$ref": "#/components/responses/Error"}}}}
            },
            "components": {
                "schemas": s,
                "parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
                "responses": {"Error": {"description": "an error"}},
                "x-extension": true
            },
            "x-top": 1
        })
    }

    #[test]
    fn the_parallel_read_gives_the_model_of_the_serial_read() {
        let raw = spec(10);
        let serial: openapiv3::OpenAPI = from_value(Path::new("t.yaml"), &raw, "#").expect("valid");
        for (threads, per_job) in [(2, 3), (3, 1), (4, 10)] {
            let parallel = read_in_parallel(&raw, threads, per_job).expect("reads");
            // Debug shows every field, in map order.
            assert_eq!(format!("{parallel:?}"), format!("{serial:?}"));
        }
    }

    #[test]
    fn the_parallel_read_leaves_small_and_broken_specs_to_the_serial_read() {
        let raw = spec(10);
        assert!(read_in_parallel(&raw, 1, 3).is_none());
        assert!(read_in_parallel(&raw, 2, 11).is_none());
        let mut broken = raw.clone();
        broken["components"]["schemas"]["Thing005"]["type"] = json!(["object"]);
        assert!(read_in_parallel(&broken, 2, 3).is_none());
        let mut broken = raw;
        broken["paths"]["/things"]["get"]["responses"] = json!(7);
        assert!(read_in_parallel(&broken, 2, 3).is_none());
    }
}
