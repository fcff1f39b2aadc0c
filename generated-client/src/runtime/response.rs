// Copied unchanged by okta-codegen from generator/runtime/response.rs; edit it there.

//! A successful answer: its status, headers and rate-limit figures, and its body decoded
//! (leniently unless the client is strict), with the JSON path of what did not fit.

use std::fmt::Write as _;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::error::{Error, excerpt};
use super::headers::RateLimit;

/// A successful (2xx) response, before decoding.
#[derive(Debug, Clone)]
pub struct RawResponse {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
    request_id: Option<String>,
    rate_limit: RateLimit,
    /// A body that does not fit its model fails instead of being read leniently.
    strict: bool,
}

impl RawResponse {
    /// The answer as received; `strict` as the client decodes.
    pub(crate) fn received(
        status: u16,
        headers: HeaderMap,
        body: Bytes,
        request_id: Option<String>,
        strict: bool,
    ) -> Self {
        Self {
            status,
            rate_limit: RateLimit::from_headers(&headers),
            headers,
            body,
            request_id,
            strict,
        }
    }

    /// The HTTP status (2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// `X-Okta-Request-Id`, if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The rate-limit figures of this response.
    pub fn rate_limit(&self) -> RateLimit {
        self.rate_limit
    }

    /// The raw body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Decodes the JSON body. A listed property whose value has another JSON type than the
    /// spec's reads as unset and is kept in its model's `additional_properties` (a `tracing`
    /// warning names its path), unless the client decodes strictly
    /// ([`strict_decoding`](crate::ClientBuilder::strict_decoding)); a body that does not fit
    /// even so is [`Error::Decode`], naming the JSON path where it failed.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        // Decoded once, at full speed; only a failure pays for a second, lenient pass and
        // for finding the path of the error.
        serde_json::from_slice(&self.body).or_else(|e| self.after_misfit(e))
    }

    /// The body read leniently after the strict pass failed with `e`, or the error naming the
    /// path where it failed.
    #[cold]
    pub(crate) fn after_misfit<T: DeserializeOwned>(
        &self,
        e: serde_json::Error,
    ) -> Result<T, Error> {
        if !self.strict {
            if let Some(value) = super::object::decode_lenient(&self.body) {
                return Ok(value);
            }
        }
        let path = json_path_at(&self.body, e.line(), e.column());
        Err(self.decode_error(path, e.to_string()))
    }

    /// As [`json`](Self::json), for a body that Okta may leave out (`x-okta-may-be-empty`):
    /// `None` when the body is empty or only whitespace.
    pub fn json_or_empty<T: DeserializeOwned>(&self) -> Result<Option<T>, Error> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            Ok(None)
        } else {
            self.json().map(Some)
        }
    }

    fn decode_error(&self, path: String, message: String) -> Error {
        Error::Decode {
            status: self.status,
            path,
            message,
            body_excerpt: excerpt(&self.body, 512),
            request_id: self.request_id.clone(),
        }
    }

    /// The body as text (invalid UTF-8 is a decode error).
    pub fn text(&self) -> Result<String, Error> {
        String::from_utf8(self.body.to_vec())
            .map_err(|e| self.decode_error(".".into(), format!("the body is not UTF-8: {e}")))
    }

    /// The body as bytes.
    pub fn bytes(&self) -> Vec<u8> {
        self.body.to_vec()
    }

    /// Pairs decoded data with this response's status and headers.
    pub fn into_response<T>(self, data: T) -> Response<T> {
        Response {
            data,
            status: self.status,
            headers: self.headers,
            request_id: self.request_id,
            rate_limit: self.rate_limit,
        }
    }
}

/// A decoded response with what came with it.
#[derive(Debug, Clone)]
pub struct Response<T> {
    pub data: T,
    pub status: u16,
    pub headers: HeaderMap,
    /// `X-Okta-Request-Id`.
    pub request_id: Option<String>,
    pub rate_limit: RateLimit,
}

/// The path (`items[3].profile.email`, `.` for the top level) of the value being read at
/// `line`/`column` (1-based, as `serde_json` reports them) of a JSON text: the object keys and
/// array indices open at that point.
pub(crate) fn json_path_at(text: &[u8], line: usize, column: usize) -> String {
    enum Frame {
        Object { key: Option<String>, at_key: bool },
        Array(usize),
    }
    let line_start = if line <= 1 {
        0
    } else {
        text.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    // The column is that of the character where reading stopped; it is not itself read.
    let end = (line_start + column.saturating_sub(1)).min(text.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match text[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                at_key: true,
            }),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(index)) => *index += 1,
                Some(Frame::Object { at_key, .. }) => *at_key = true,
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { at_key, .. }) = stack.last_mut() {
                    *at_key = false;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { key, at_key: true }) = stack.last_mut() {
                    let raw = &text[start..(i + 1).min(text.len())];
                    *key = Some(
                        serde_json::from_slice(raw)
                            .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned()),
                    );
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Array(index) => {
                let _ = write!(path, "[{index}]");
            }
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => break,
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_errors_name_the_path_of_the_value_that_did_not_fit() {
        use std::collections::BTreeMap;
        fn path_of<T: DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
            let e = serde_json::from_str::<T>(text).unwrap_err();
            json_path_at(text.as_bytes(), e.line(), e.column())
        }
        type Users = Vec<BTreeMap<String, BTreeMap<String, u32>>>;
        assert_eq!(
            path_of::<Users>(r#"[{"a":{"b":1}},{"a":{"c":2,"d":"x"}}]"#),
            "[1].a.d"
        );
        assert_eq!(
            path_of::<Users>("[\n {\"a\": {},\n  \"k\\\"]{,\": {\"z\": true}}]"),
            "[0].k\"]{,.z"
        );
        assert_eq!(path_of::<u32>("\"x\""), ".");
        assert_eq!(path_of::<Vec<u32>>("[1, 2, -3]"), "[2]");
        assert_eq!(path_of::<Users>("[{\"a\": {\"b\": 1}}] x"), ".");
    }
}
