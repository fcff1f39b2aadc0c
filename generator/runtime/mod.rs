//! The hand-written runtime: HTTP, credentials, retries, pagination, errors and the serde
//! helpers the generated models use. It is kept in `generator/runtime/` and copied unchanged
//! into every generated crate; edit it there.

mod auth;
mod call;
mod client;
mod error;
mod headers;
mod key;
#[cfg(feature = "mock")]
mod mock;
mod multipart;
mod object;
mod object_serde;
mod pagination;
mod params;
mod properties;
mod redirect;
mod request;
mod response;
mod retry;
mod roundtrip;
mod send;
mod string_enum;

pub use auth::PrivateKeyJwt;
pub use call::{Decoder, SendFullFuture, SendFuture, bytes_body, no_body};
pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE, DEFAULT_TIMEOUT,
    MAX_REDIRECTS,
};
pub use error::{ApiError, Error, OktaError, OktaErrorCause};
pub use headers::RateLimit;
#[cfg(feature = "mock")]
pub use mock::{
    ByStatus, BytesBody, JsonBody, MaybeEmptyBody, MockOkta, NoBody, Paged, PathArg,
    RecordedRequest, Reply, Segment, Stub, TextBody, any, okta_error,
};
pub use multipart::Multipart;
pub use pagination::{ItemStream, Page, PageFuture, PageStream, first_page, items, pages};
pub use params::{ListStyle, encode_path, encode_path_list, json_text};
pub use properties::Properties;
pub use request::Request;
pub use response::{RawResponse, Response};
pub use retry::RetryPolicy;
pub use roundtrip::{
    CallArgs, CallFuture, OperationModels, RoundTrip, RoundTripError, StatusKey, arg, body_arg,
    opt_arg, prepare, round_trip,
};

/// What the generated models use; not a stable interface.
pub mod model {
    pub use super::key::Key;
    pub use super::object::{
        Object, ObjectWriter, ReadList, decode_variant, deserialize_object, deserialize_untagged,
        keep, read, read_list, read_object, read_objects, read_values, serialize_object, untagged,
        variant,
    };
    pub(crate) use super::object_serde::object_serde;
    pub use super::properties::Properties;
    pub use super::string_enum::deserialize_enum;
    pub(crate) use super::string_enum::string_enum_serde;
}
