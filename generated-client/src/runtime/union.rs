// Copied unchanged by okta-codegen from generator/runtime/union.rs; edit it there.

//! Support for unions selected by a discriminator property.

use serde::de::DeserializeOwned;

/// Decodes a variant from the object already read, reporting failures through `E`.
pub fn decode_variant<T: DeserializeOwned, E: serde::de::Error>(
    value: serde_json::Value,
) -> Result<Box<T>, E> {
    serde_json::from_value(value).map(Box::new).map_err(E::custom)
}
