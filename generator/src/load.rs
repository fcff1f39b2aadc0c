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
}

/// Most parts a lenient load replaces before giving up.
const MAX_REPLACEMENTS: usize = 200;

/// Reads and parses the spec at `path`.
pub fn load(path: &Path) -> Result<LoadedSpec, Error> {
    load_with(path, LoadOptions::default())
}

/// Reads and parses the spec at `path` with options.
pub fn load_with(path: &Path, options: LoadOptions) -> Result<LoadedSpec, Error> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::new(ErrorKind::Io, path, format!("cannot read the spec: {e}")))?;
    load_bytes_with(path, &bytes, options)
}

/// Parses spec text already in memory; `path` is used for messages and to choose JSON or YAML.
pub fn load_bytes(path: &Path, bytes: &[u8]) -> Result<LoadedSpec, Error> {
    load_bytes_with(path, bytes, LoadOptions::default())
}

/// [`load_bytes`] with options.
pub fn load_bytes_with(
    path: &Path,
    bytes: &[u8],
    options: LoadOptions,
) -> Result<LoadedSpec, Error> {
    let sha256 = hex(&Sha256::digest(bytes));
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorKind::Syntax,
            path,
            format!("the spec is not UTF-8 text: {e}"),
        )
    })?;
    let mut raw = parse_text(path, text)?;
    check_version(path, &raw)?;
    let mut warnings = crate::repair::sound_repairs(&mut raw);
    let api = loop {
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

fn parse_text(path: &Path, text: &str) -> Result<Value, Error> {
    if text.trim().is_empty() {
        return Err(Error::new(ErrorKind::Structure, path, "the spec is empty")
            .hint("expected an OpenAPI 3.0 document with `openapi`, `info` and `paths`"));
    }
    if is_json(path, text) {
        serde_json::from_str(text).map_err(|e| {
            Error::new(ErrorKind::Syntax, path, format!("malformed JSON: {e}"))
                .at_line(e.line(), e.column())
        })
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

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}
