// Copied unchanged by okta-codegen from generator/runtime/headers.rs; edit it there.

//! What a response's headers say: Okta's rate-limit figures.

use reqwest::header::HeaderMap;

/// Okta's rate-limit figures for the endpoint, from the `X-Rate-Limit-*` headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in the current window.
    pub limit: Option<u64>,
    /// Requests left in the current window.
    pub remaining: Option<u64>,
    /// When the window resets, in seconds since the Unix epoch.
    pub reset: Option<u64>,
}

impl RateLimit {
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        Self {
            limit: header_u64(headers, "x-rate-limit-limit"),
            remaining: header_u64(headers, "x-rate-limit-remaining"),
            reset: header_u64(headers, "x-rate-limit-reset"),
        }
    }
}

/// A header's value as a number, when it is one.
pub(crate) fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}
