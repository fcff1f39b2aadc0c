// Copied unchanged by okta-codegen from generator/runtime/params.rs; edit it there.

//! How parameter values are written into a request: path segments percent-encoded, lists
//! in their style, values that are not plain scalars as JSON.

use std::fmt::{Display, Write as _};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use super::error::Error;

/// Everything but RFC 3986's unreserved characters is encoded in a path segment, so a value
/// such as `../groups` or `a/b?c` stays inside its segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a value as one path segment. Empty values and `.`/`..` are refused: URLs
/// treat those (in any encoding) as "this" or "parent" directory, so they would reach another
/// endpoint than the one called.
pub fn encode_path<T: Display + ?Sized>(value: &T) -> Result<String, Error> {
    let text = value.to_string();
    if text.is_empty() || text == "." || text == ".." {
        return Err(Error::Request(format!(
            "`{text}` cannot be used as a path parameter: it is empty or a dot segment"
        )));
    }
    Ok(utf8_percent_encode(&text, SEGMENT).to_string())
}

/// Encodes a list as one path segment, items separated by commas (OpenAPI's `simple` style).
pub fn encode_path_list<T: Display>(values: &[T]) -> Result<String, Error> {
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&utf8_percent_encode(&v.to_string(), SEGMENT).to_string());
    }
    encode_path(&out).map(|_| out)
}

/// The text of a parameter whose schema is not a plain scalar: a JSON string as the string
/// itself (unions of string types), anything else as compact JSON.
pub fn json_text<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(other) => Ok(other.to_string()),
        Err(e) => Err(Error::Request(format!(
            "a parameter does not serialize: {e}"
        ))),
    }
}

/// How a list-valued query parameter is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStyle {
    /// `a=1&a=2` (`form`, exploded: OpenAPI's default).
    Repeat,
    /// `a=1,2`.
    Comma,
    /// `a=1 2`.
    Space,
    /// `a=1|2`.
    Pipe,
}

/// `values` written one after the other, `sep` between them.
pub(crate) fn join<T: Display>(values: &[T], sep: &str) -> String {
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        let _ = write!(out, "{v}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_writes_strings_bare_and_the_rest_as_json() {
        assert_eq!(json_text("SUPER_ADMIN").unwrap(), "SUPER_ADMIN");
        assert_eq!(
            json_text(&serde_json::json!({"a": 1})).unwrap(),
            "{\"a\":1}"
        );
    }
}
