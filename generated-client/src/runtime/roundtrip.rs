// Copied unchanged by okta-codegen from generator/runtime/roundtrip.rs; edit it there.

//! Typed round trips of JSON bodies: decode into a generated model, encode again. The
//! conformance tests use them (through the `roundtrip` feature's table of operations) to check
//! that the models read real payloads and lose nothing.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::response::json_path_at;

/// Where and why decoding failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundTripError {
    /// The JSON path of the failure (`.` for the top level).
    pub path: String,
    pub message: String,
}

/// Decodes a body as one model and encodes it back to JSON.
pub type RoundTrip = fn(&[u8]) -> Result<serde_json::Value, RoundTripError>;

/// Decodes `body` as `T` and encodes the result.
pub fn round_trip<T: DeserializeOwned + Serialize>(
    body: &[u8],
) -> Result<serde_json::Value, RoundTripError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = T::deserialize(&mut de).map_err(|e| RoundTripError {
        path: json_path_at(body, e.line(), e.column()),
        message: e.to_string(),
    })?;
    serde_json::to_value(&value).map_err(|e| RoundTripError {
        path: ".".into(),
        message: format!("does not encode again: {e}"),
    })
}

/// A response status as the spec keys it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKey {
    Code(u16),
    /// `2XX` and the like: the hundreds digit.
    Range(u16),
    Default,
}

/// The JSON models of one operation.
#[derive(Debug, Clone, Copy)]
pub struct OperationModels {
    /// The client method's name.
    pub name: &'static str,
    pub method: &'static str,
    /// The path template as the spec writes it.
    pub path: &'static str,
    /// The request body's model, when the body is JSON.
    pub request: Option<RoundTrip>,
    /// The JSON response models, by status.
    pub responses: &'static [(StatusKey, RoundTrip)],
}

/// Values for calling an operation by name: parameters and a body, as JSON.
pub trait CallArgs: Sync {
    /// The value of the parameter `name` in `location` (`path`, `query`, `header`, `cookie`).
    fn param(&self, location: &str, name: &str) -> Option<serde_json::Value>;
    /// The request body.
    fn body(&self) -> Option<serde_json::Value>;
}

/// What `roundtrip::call` (the `roundtrip` feature) returns: the call, decoding the response.
pub type CallFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), crate::Error>> + Send>>;

/// A required argument, typed.
pub fn arg<T: DeserializeOwned>(
    args: &dyn CallArgs,
    location: &str,
    name: &str,
) -> Result<T, crate::Error> {
    match args.param(location, name) {
        Some(v) => typed(v, name),
        None => Err(crate::Error::Request(format!(
            "no value for the {location} parameter `{name}`"
        ))),
    }
}

/// An optional argument, typed.
pub fn opt_arg<T: DeserializeOwned>(
    args: &dyn CallArgs,
    location: &str,
    name: &str,
) -> Result<Option<T>, crate::Error> {
    args.param(location, name)
        .map(|v| typed(v, name))
        .transpose()
}

/// The body, typed, if the arguments have one.
pub fn body_arg<T: DeserializeOwned>(args: &dyn CallArgs) -> Result<Option<T>, crate::Error> {
    args.body().map(|v| typed(v, "body")).transpose()
}

fn typed<T: DeserializeOwned>(v: serde_json::Value, name: &str) -> Result<T, crate::Error> {
    serde_json::from_value(v)
        .map_err(|e| crate::Error::Request(format!("the value for `{name}` does not fit: {e}")))
}

/// Runs `f`: lets generated code read typed arguments with `?` before it starts a call.
pub fn prepare<T>(f: impl FnOnce() -> Result<T, crate::Error>) -> Result<T, crate::Error> {
    f()
}
