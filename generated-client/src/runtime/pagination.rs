// Copied unchanged by okta-codegen from generator/runtime/pagination.rs; edit it there.

//! Lists that page with `Link: <…>; rel="next"` headers.
//!
//! Okta sends `self` and `next` links as separate `Link` header lines. The `after` cursor in
//! the next link is opaque, so the client follows the link as given (on the org's host only)
//! rather than computing it. Streams fetch one page at a time: memory stays flat however long
//! the list.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use reqwest::Url;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::error::Error;
use super::headers::RateLimit;
use super::object::ReadList;
use super::redirect::same_origin;
use super::request::Request;

/// A stream of list items, fetched page by page.
pub type ItemStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;
/// A stream of pages.
pub type PageStream<T> = Pin<Box<dyn Stream<Item = Result<Page<T>, Error>> + Send>>;
/// The first page, in flight.
pub type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send>>;

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    pub status: u16,
    pub headers: HeaderMap,
    /// `X-Okta-Request-Id`.
    pub request_id: Option<String>,
    pub rate_limit: RateLimit,
    next: Option<String>,
    request: Request,
    read: ReadList<T>,
}

/// The most items a page makes room for at once (Okta's largest `limit`, the System Log's).
const MAX_RESERVED: usize = 1_000;

impl<T: DeserializeOwned + Send + 'static> Page<T> {
    pub(crate) async fn fetch(request: Request, read: ReadList<T>) -> Result<Self, Error> {
        let limit = request.limit();
        let response = request.clone().send().await?;
        // Room for `limit` items, as a page holds at most that many, and never more than the
        // body could hold (an item takes two bytes at least).
        let capacity = limit.map_or(0, |l| l.min(MAX_RESERVED).min(response.body().len() / 2));
        // As `Response::json`, with the items read where they stay.
        let items = read(response.body(), capacity).or_else(|e| response.after_misfit(e))?;
        let next = next_link(response.headers());
        Ok(Page {
            items,
            status: response.status(),
            request_id: response.request_id().map(str::to_string),
            rate_limit: response.rate_limit(),
            headers: response.headers().clone(),
            next,
            request,
            read,
        })
    }

    /// Whether the server linked a next page.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }

    /// The next page's link, as the server sent it.
    pub fn next_link(&self) -> Option<&str> {
        self.next.as_deref()
    }

    /// The `after` cursor of the next page's link (opaque; for resuming a listing later).
    pub fn next_cursor(&self) -> Option<String> {
        let next = self.next.as_deref()?;
        let url = Url::parse(next)
            .or_else(|_| Url::parse("https://placeholder.invalid").and_then(|base| base.join(next)))
            .ok()?;
        query_value(&url, "after").map(Cow::into_owned)
    }

    /// Fetches the next page, if there is one.
    pub async fn next_page(&self) -> Result<Option<Page<T>>, Error> {
        match &self.next {
            Some(link) => Ok(Some(
                Page::fetch(self.request.follow(link)?, self.read).await?,
            )),
            None => Ok(None),
        }
    }

    fn next_request(&self) -> Option<Result<Request, Error>> {
        self.next.as_ref().map(|link| self.request.follow(link))
    }
}

/// Fetches the first page, its items read by `read`.
pub fn first_page<T: DeserializeOwned + Send + 'static>(
    request: Result<Request, Error>,
    read: ReadList<T>,
) -> PageFuture<T> {
    Box::pin(async move { Page::fetch(request?, read).await })
}

/// All pages, starting from `first`, one request at a time as the stream is polled.
pub fn pages<T: DeserializeOwned + Send + 'static>(
    first: Result<Request, Error>,
    read: ReadList<T>,
) -> PageStream<T> {
    Box::pin(stream::try_unfold(Some(first), move |next| async move {
        let Some(request) = next else {
            return Ok(None);
        };
        let page = Page::<T>::fetch(request?, read).await?;
        let following = page.next_request();
        Ok(Some((page, following)))
    }))
}

/// All items of all pages, starting from `first`.
pub fn items<T: DeserializeOwned + Send + 'static>(
    first: Result<Request, Error>,
    read: ReadList<T>,
) -> ItemStream<T> {
    Box::pin(
        pages::<T>(first, read)
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
            .boxed(),
    )
}

/// The target of the `rel="next"` link among all `Link` header lines.
pub(crate) fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(split_links)
        .find(|(_, rels)| {
            rels.split_whitespace()
                .any(|r| r.eq_ignore_ascii_case("next"))
        })
        .map(|(url, _)| url)
}

/// `<a>; rel="next", <b>; rel=self` → (a, "next"), (b, "self").
fn split_links(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let url = rest[start + 1..start + len].trim().to_string();
        let after = &rest[start + len + 1..];
        let params_end = after.find('<').unwrap_or(after.len());
        let params = &after[..params_end];
        let rel = params
            .split(';')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("rel"))
            .map(|(_, v)| {
                v.trim()
                    .trim_end_matches(',')
                    .trim()
                    .trim_matches('"')
                    .to_string()
            })
            .unwrap_or_default();
        out.push((url, rel));
        rest = &after[params_end..];
    }
    out
}

/// The first value of the query parameter `name` in `url`.
fn query_value<'u>(url: &'u Url, name: &str) -> Option<Cow<'u, str>> {
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v)
}

impl Request {
    /// The `limit` query parameter, as set or as in the next-page link being followed.
    fn limit(&self) -> Option<usize> {
        let limit = match &self.link {
            Some(link) => query_value(link, "limit")?,
            None => self
                .query
                .iter()
                .find(|(k, _)| k == "limit")
                .map(|(_, v)| Cow::Borrowed(v.as_str()))?,
        };
        limit.parse().ok()
    }

    /// The same request sent to `url` (a next-page link), which must be on the org's host:
    /// credentials are never sent anywhere else.
    fn follow(&self, url: &str) -> Result<Self, Error> {
        let base = self.client.base_url();
        let url = base
            .join(url)
            .map_err(|e| Error::Request(format!("the next-page link `{url}` is not a URL: {e}")))?;
        if !same_origin(&url, base) {
            return Err(Error::Request(format!(
                "the next-page link points to {}, not to the org's host; it is not followed",
                url.origin().ascii_serialization()
            )));
        }
        let mut next = self.clone();
        next.link = Some(url);
        next.query.clear();
        next.body = None;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn finds_next_among_separate_and_combined_link_lines() {
        let mut h = HeaderMap::new();
        h.append(
            "link",
            HeaderValue::from_static("<https://x.okta.com/api/v1/users?limit=2>; rel=\"self\""),
        );
        h.append(
            "link",
            HeaderValue::from_static(
                "<https://x.okta.com/api/v1/users?after=00u2&limit=2>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://x.okta.com/api/v1/users?after=00u2&limit=2")
        );

        let mut h = HeaderMap::new();
        h.append(
            "Link",
            HeaderValue::from_static(
                "<https://a/self>; rel=self, <https://a/next?after=x%3Dy>; rel=next",
            ),
        );
        assert_eq!(next_link(&h).as_deref(), Some("https://a/next?after=x%3Dy"));

        let mut h = HeaderMap::new();
        h.append(
            "link",
            HeaderValue::from_static("<https://a/self>; rel=\"self\""),
        );
        assert_eq!(next_link(&h), None);
        assert_eq!(next_link(&HeaderMap::new()), None);
    }
}
