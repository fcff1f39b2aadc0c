// Copied unchanged by okta-codegen from generator/runtime/error.rs; edit it there.

//! The one error type of the client.

use std::fmt;

use serde::Deserialize;

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Okta answered with a status outside 2xx.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The request never got a response: connection, TLS or protocol failure.
    #[error("could not reach the server: {0}")]
    Transport(#[source] reqwest::Error),
    /// An attempt took longer than the timeout, or the call longer than its deadline.
    #[error("{message}")]
    Timeout {
        message: String,
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The OAuth token endpoint refused to issue an access token.
    #[error("could not obtain an access token: {0}")]
    Authentication(Box<ApiError>),
    /// A 2xx response whose body does not fit the expected type.
    #[error("could not decode the {status} response at `{path}`: {message}{}", request_id_suffix(.request_id))]
    Decode {
        status: u16,
        /// Where in the JSON the mismatch is, e.g. `profile.login` (`.` for the top level).
        path: String,
        message: String,
        /// The start of the body, for diagnosis.
        body_excerpt: String,
        request_id: Option<String>,
    },
    /// The server redirected the call off the org's origin, or more than
    /// [`MAX_REDIRECTS`](crate::MAX_REDIRECTS) times: the redirect is not followed and its
    /// answer is not taken as the org's.
    #[error("the {status} redirect to {location} is not followed: {reason}")]
    Redirect {
        status: u16,
        /// Where the server redirected to.
        location: String,
        reason: String,
    },
    /// The request could not be built (a body that does not serialize, an invalid header value).
    #[error("could not build the request: {0}")]
    Request(String),
    /// The client configuration is not usable.
    #[error("invalid client configuration: {0}")]
    Config(String),
}

fn request_id_suffix(id: &Option<String>) -> String {
    match id {
        Some(id) => format!(" (request id {id})"),
        None => String::new(),
    }
}

impl Error {
    /// The HTTP status, for API and decode errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) | Error::Authentication(e) => Some(e.status),
            Error::Decode { status, .. } | Error::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API error, if Okta answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }
}

/// A non-2xx response.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    /// The error body, when Okta sent one of its known shapes.
    pub okta: Option<OktaError>,
    /// `X-Okta-Request-Id`, which Okta support asks for.
    pub request_id: Option<String>,
    /// The rate-limit figures of the response.
    pub rate_limit: super::headers::RateLimit,
    /// The start of the body (at most 2 KiB), for diagnosis.
    pub body_excerpt: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Okta answered {}", self.status)?;
        if let Some(e) = &self.okta {
            if let Some(code) = &e.error_code {
                write!(f, " {code}")?;
            }
            if let Some(summary) = &e.error_summary {
                write!(f, ": {summary}")?;
            }
            for cause in &e.error_causes {
                write!(f, "; {}", cause.error_summary)?;
            }
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Okta's error body. The usual shape has `errorCode` and `errorSummary`; OAuth endpoints send
/// `error` and `error_description`, and some gateways `status` and `message`; all are read
/// into the same fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OktaError {
    #[serde(default, alias = "error")]
    pub error_code: Option<String>,
    #[serde(default, alias = "error_description", alias = "message")]
    pub error_summary: Option<String>,
    #[serde(default)]
    pub error_link: Option<String>,
    #[serde(default)]
    pub error_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub error_causes: Vec<OktaErrorCause>,
}

/// One entry of `errorCauses`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OktaErrorCause {
    #[serde(default)]
    pub error_summary: String,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<OktaErrorCause>, D::Error> {
    Ok(Option::<Vec<OktaErrorCause>>::deserialize(d)?.unwrap_or_default())
}

impl OktaError {
    /// Reads an error body; `None` when it is not JSON or has none of the known fields.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let e: OktaError = serde_json::from_slice(body).ok()?;
        let known = e.error_code.is_some() || e.error_summary.is_some() || e.error_id.is_some();
        known.then_some(e)
    }
}

/// The first `max` bytes of a body as text, cut at a character boundary.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max)]);
    let mut s = text.into_owned();
    if body.len() > max {
        s.push('…');
    }
    s
}

/// A transport failure as an [`Error`]: a timeout, or the connection's error.
pub(crate) fn transport_error(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout {
            message: "the server did not answer within the timeout".into(),
            source: Some(e),
        }
    } else {
        Error::Transport(e)
    }
}
