// Copied unchanged by okta-codegen from generator/runtime/mod.rs; edit it there.

//! The hand-written runtime: HTTP, credentials, retries, pagination, errors and the serde
//! helpers the generated models use. It is kept in `generator/runtime/` and copied unchanged
//! into every generated crate; edit it there.

mod auth;
mod call;
mod client;
mod error;
mod pagination;
mod request;
mod retry;
mod roundtrip;
pub mod model;
mod properties;

pub use auth::PrivateKeyJwt;
pub use call::{Decoder, SendFullFuture, SendFuture, bytes_body, no_body};
pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE, DEFAULT_TIMEOUT,
    MAX_REDIRECTS,
};
pub use error::{ApiError, Error, OktaError, OktaErrorCause};
pub use pagination::{ItemStream, Page, PageFuture, PageStream};
pub use pagination::{first_page, items, pages};
pub use request::{
    ListStyle, Multipart, RateLimit, RawResponse, Request, Response, encode_path, encode_path_list, json_text,
};
pub use properties::Properties;
pub use retry::RetryPolicy;
pub use roundtrip::{
    CallArgs, CallFuture, OperationModels, RoundTrip, RoundTripError, StatusKey, arg, body_arg,
    opt_arg, prepare, round_trip,
};
