// Copied unchanged by okta-codegen from generator/runtime/redirect.rs; edit it there.

//! Redirects: followed only on the org's origin, and only so many.

use reqwest::Url;
use reqwest::header::HeaderMap;

use super::client::MAX_REDIRECTS;

/// Whether `url` has the scheme, host and port of `base`.
pub(crate) fn same_origin(url: &Url, base: &Url) -> bool {
    url.scheme() == base.scheme()
        && url.host_str() == base.host_str()
        && url.port_or_known_default() == base.port_or_known_default()
}

/// The `Location` of a redirect status (301, 302, 303, 307, 308), if it has one.
pub(crate) fn redirect_location(status: u16, headers: &HeaderMap) -> Option<&str> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
}

/// Where a redirect from `current` to `location` goes, if the client follows it: on the org's
/// origin and within [`MAX_REDIRECTS`]; otherwise why not.
pub(crate) fn redirect_target(
    current: &Url,
    location: &str,
    base: &Url,
    followed: u32,
) -> Result<Url, String> {
    let next = current
        .join(location)
        .map_err(|e| format!("the location is not a URL: {e}"))?;
    if !same_origin(&next, base) {
        return Err(format!(
            "it leaves the org's origin ({})",
            base.origin().ascii_serialization()
        ));
    }
    if followed >= MAX_REDIRECTS {
        return Err(format!("{} redirects were followed already", MAX_REDIRECTS));
    }
    Ok(next)
}
