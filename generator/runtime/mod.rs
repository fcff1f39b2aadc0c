//! The hand-written runtime: HTTP, credentials, errors and the serde helpers the generated
//! models use. It is kept in `generator/runtime/` and copied unchanged into every generated
//! crate; edit it there.

mod client;
mod error;
mod request;
mod union;

pub use client::{Client, ClientBuilder};
pub use error::{ApiError, Error, OktaError, OktaErrorCause};
pub use request::{ListStyle, RawResponse, Request, encode_path, encode_path_list};
pub use union::decode_variant;
