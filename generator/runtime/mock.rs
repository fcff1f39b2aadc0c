//! An in-process mock Okta server for tests (the crate's `mock` feature), built on wiremock.
//!
//! [`MockOkta`] listens on a loopback port; [`MockOkta::client`] gives a client pointed at
//! it. Every operation has a method on `MockOkta` of the same name as the client's, taking
//! the path parameters (a value, or [`any()`]) and returning a [`Stub`] typed by what the
//! operation answers: `returns(value)` with the operation's success model, `pages(…)` for
//! lists that page, `fails_with(status, error)` and `rate_limited(reset)` for every one.
//! [`MockOkta::requests`] gives what the client sent.

use std::fmt::Display;
use std::marker::PhantomData;
use std::net::{Ipv4Addr, TcpListener};
use std::time::SystemTime;

use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::client::{Client, ClientBuilder};
use super::error::OktaError;
use super::params::{encode_path, encode_path_list, json_text};

/// The API token of [`MockOkta::client`]; requests carry `Authorization: SSWS mock-api-token`.
const MOCK_TOKEN: &str = "mock-api-token";

/// The `after` cursor of page `n` (1-based after the first) in the mock's `next` links.
const CURSOR_PREFIX: &str = "mock-page-";

/// A mock Okta org: a wiremock server on `127.0.0.1`, stubbed per operation.
///
/// A request no stub matches is answered 404. When several stubs match, the one stubbed
/// first answers, until it is used up ([`Stub::times`]); so stub a failure that should
/// happen once with `.times(1)` before the answer that follows it.
#[derive(Debug)]
pub struct MockOkta {
    server: wiremock::MockServer,
}

impl MockOkta {
    /// Starts a server on a free port of the loopback interface (never on another address).
    pub async fn start() -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .expect("a free port on 127.0.0.1 for the mock Okta server");
        let server = wiremock::MockServer::builder()
            .listener(listener)
            .start()
            .await;
        MockOkta { server }
    }

    /// The server's base URL, `http://127.0.0.1:PORT`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The address the server listens on.
    pub fn address(&self) -> std::net::SocketAddr {
        *self.server.address()
    }

    /// The API token of [`client`](Self::client) (`Authorization: SSWS {token}`).
    pub fn api_token(&self) -> &'static str {
        MOCK_TOKEN
    }

    /// A client builder pointed at the server with its API token, to set a retry policy or
    /// timeouts before building.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder().base_url(self.uri()).api_token(MOCK_TOKEN)
    }

    /// A client pointed at the server, with the default settings and its API token.
    pub fn client(&self) -> Client {
        self.client_builder()
            .build()
            .expect("a client for the mock server's loopback URL")
    }

    /// The underlying wiremock server, for what the typed stubs do not say.
    pub fn server(&self) -> &wiremock::MockServer {
        &self.server
    }

    /// Every request the server received, in order.
    pub async fn requests(&self) -> Vec<RecordedRequest> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(RecordedRequest::from)
            .collect()
    }

    /// Removes every stub and forgets the requests received.
    pub async fn reset(&self) {
        self.server.reset().await;
    }

    /// A stub of `method` on the path `template`, whose `{…}` placeholders are `segments`
    /// in order. The generated per-operation methods call this.
    #[doc(hidden)]
    pub fn stub<S>(
        &self,
        method: &'static str,
        template: &'static str,
        segments: Vec<Segment>,
        shape: S,
    ) -> Stub<'_, S> {
        Stub {
            mock: self,
            method,
            path: PathMatcher::new(template, segments),
            query: Vec::new(),
            headers: Vec::new(),
            times: None,
            expect: None,
            shape,
        }
    }
}

/// A path parameter a stub matches: one value ([`From`] it), or any ([`any()`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathArg<T> {
    Is(T),
    Any,
}

/// Matches any value of a path parameter: `mock.get_user(mock::any())`.
pub fn any<T>() -> PathArg<T> {
    PathArg::Any
}

impl<T> From<T> for PathArg<T> {
    fn from(value: T) -> Self {
        PathArg::Is(value)
    }
}

impl From<&str> for PathArg<String> {
    fn from(value: &str) -> Self {
        PathArg::Is(value.to_string())
    }
}

impl From<&String> for PathArg<String> {
    fn from(value: &String) -> Self {
        PathArg::Is(value.clone())
    }
}

/// What a path parameter's segment must be, encoded as the client encodes it.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Exact(String),
    Any,
}

fn segment<T>(
    arg: PathArg<T>,
    encode: impl FnOnce(T) -> Result<String, super::error::Error>,
) -> Segment {
    match arg {
        PathArg::Is(value) => match encode(value) {
            Ok(text) => Segment::Exact(text),
            Err(e) => panic!("a stub cannot match this path parameter: {e}"),
        },
        PathArg::Any => Segment::Any,
    }
}

impl<T: Display> PathArg<T> {
    /// The segment of a parameter written as text.
    #[doc(hidden)]
    pub fn text(self) -> Segment {
        segment(self, |v| encode_path(&v))
    }
}

impl<T: Display> PathArg<Vec<T>> {
    /// The segment of a list parameter (comma-separated).
    #[doc(hidden)]
    pub fn list(self) -> Segment {
        segment(self, |v| encode_path_list(&v))
    }
}

impl<T: Serialize> PathArg<T> {
    /// The segment of a parameter written as JSON text.
    #[doc(hidden)]
    pub fn json(self) -> Segment {
        segment(self, |v| encode_path(&json_text(&v)?))
    }
}

/// Matches the request path: the template's text with its placeholders filled.
#[derive(Debug, Clone)]
struct PathMatcher {
    /// Literal text (`Some`) and segments of any value (`None`), in order.
    pieces: Vec<Option<String>>,
}

impl PathMatcher {
    fn new(template: &str, segments: Vec<Segment>) -> Self {
        let mut pieces = Vec::new();
        let mut segments = segments.into_iter();
        let mut rest = template;
        let mut literal = String::new();
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            literal.push_str(&rest[..start]);
            match segments.next() {
                Some(Segment::Exact(text)) => literal.push_str(&text),
                Some(Segment::Any) => {
                    pieces.push(Some(std::mem::take(&mut literal)));
                    pieces.push(None);
                }
                None => panic!("no value for the placeholder of `{template}`"),
            }
            rest = &rest[start + len + 1..];
        }
        literal.push_str(rest);
        pieces.push(Some(literal));
        PathMatcher { pieces }
    }

    fn matches_path(&self, path: &str) -> bool {
        fn go(path: &str, pieces: &[Option<String>]) -> bool {
            match pieces.split_first() {
                None => path.is_empty(),
                Some((Some(text), rest)) => path
                    .strip_prefix(text.as_str())
                    .is_some_and(|path| go(path, rest)),
                // A non-empty part of one segment.
                Some((None, rest)) => {
                    let end = path.find('/').unwrap_or(path.len());
                    (1..=end).any(|i| go(&path[i..], rest))
                }
            }
        }
        go(path, &self.pieces)
    }
}

impl wiremock::Match for PathMatcher {
    fn matches(&self, request: &wiremock::Request) -> bool {
        self.matches_path(request.url.path())
    }
}

/// A stub of one operation being set up; `S` says what its success answer holds. Awaiting
/// one of its answers (`returns`, `fails_with`, …) mounts it on the server.
#[must_use = "a stub does nothing until one of its answers is awaited"]
#[derive(Debug)]
pub struct Stub<'a, S> {
    mock: &'a MockOkta,
    method: &'static str,
    path: PathMatcher,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    times: Option<u64>,
    expect: Option<u64>,
    shape: S,
}

impl<S> Stub<'_, S> {
    /// Matches only requests with this query parameter (as the client sends it, decoded).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Matches only requests with this header value.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Answers at most `n` requests; later ones go to the next stub that matches.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// Requires exactly `n` matching requests: the server panics when it is dropped (at the
    /// end of the test) if another number came.
    pub fn expect(mut self, n: u64) -> Self {
        self.expect = Some(n);
        self
    }

    /// Answers `status` with Okta's error body (`errorCode`, `errorSummary`, …).
    pub async fn fails_with(self, status: u16, error: OktaError) {
        let body = error_body(&error);
        let template =
            wiremock::ResponseTemplate::new(status).set_body_raw(body, "application/json");
        self.mount(template).await;
    }

    /// Answers 429 with Okta's rate-limit headers: no requests left in the window, which
    /// resets at `reset` (seconds since the Unix epoch; the `Date` header is now, so a reset
    /// in the past lets the client retry at once).
    pub async fn rate_limited(self, reset: u64) {
        let error = okta_error(
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        );
        let template = wiremock::ResponseTemplate::new(429)
            .insert_header("X-Rate-Limit-Limit", "600")
            .insert_header("X-Rate-Limit-Remaining", "0")
            .insert_header("X-Rate-Limit-Reset", reset.to_string().as_str())
            .insert_header("Date", httpdate::fmt_http_date(SystemTime::now()).as_str())
            .set_body_raw(error_body(&error), "application/json");
        self.mount(template).await;
    }

    /// Answers with a wiremock response, for what the typed answers do not say.
    pub async fn responds_with(self, template: wiremock::ResponseTemplate) {
        self.mount(template).await;
    }

    async fn mount(self, responder: impl wiremock::Respond + 'static) {
        let mut mock =
            wiremock::Mock::given(wiremock::matchers::method(self.method)).and(self.path);
        for (name, value) in self.query {
            mock = mock.and(wiremock::matchers::query_param(name, value));
        }
        for (name, value) in self.headers {
            mock = mock.and(wiremock::matchers::header(name.as_str(), value.as_str()));
        }
        let mut mock = mock.respond_with(responder);
        if let Some(n) = self.times {
            mock = mock.up_to_n_times(n);
        }
        if let Some(n) = self.expect {
            mock = mock.expect(n);
        }
        self.mock.server.register(mock).await;
    }
}

/// An [`OktaError`] with a code and summary.
pub fn okta_error(code: impl Into<String>, summary: impl Into<String>) -> OktaError {
    OktaError {
        error_code: Some(code.into()),
        error_summary: Some(summary.into()),
        ..OktaError::default()
    }
}

/// Okta's error body for `error`, with the fields it has.
fn error_body(error: &OktaError) -> Vec<u8> {
    let mut body = serde_json::Map::new();
    let mut put = |name: &str, value: &Option<String>| {
        if let Some(v) = value {
            body.insert(name.into(), v.clone().into());
        }
    };
    put("errorCode", &error.error_code);
    put("errorSummary", &error.error_summary);
    put("errorLink", &error.error_link);
    put("errorId", &error.error_id);
    let causes: Vec<serde_json::Value> = error
        .error_causes
        .iter()
        .map(|c| serde_json::json!({ "errorSummary": c.error_summary }))
        .collect();
    body.insert("errorCauses".into(), causes.into());
    serde_json::Value::Object(body).to_string().into_bytes()
}

/// A success answer: status, content type and body.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

impl Reply {
    /// `value` as JSON.
    pub fn json<T: Serialize>(status: u16, value: &T) -> Self {
        let body = serde_json::to_vec(value).expect("a stubbed value serializes as JSON");
        Reply {
            status,
            content_type: Some("application/json"),
            body,
        }
    }

    /// `Some(value)` as JSON, `None` as an empty body.
    pub fn json_or_empty<T: Serialize>(status: u16, value: &Option<T>) -> Self {
        match value {
            Some(v) => Reply::json(status, v),
            None => Reply::empty(status),
        }
    }

    /// No body.
    pub fn empty(status: u16) -> Self {
        Reply {
            status,
            content_type: None,
            body: Vec::new(),
        }
    }

    /// Text or bytes of this content type.
    pub fn raw(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            content_type: Some(content_type),
            body: body.into(),
        }
    }

    fn template(self) -> wiremock::ResponseTemplate {
        let template = wiremock::ResponseTemplate::new(self.status);
        match self.content_type {
            Some(ct) => template.set_body_raw(self.body, ct),
            None => template,
        }
    }
}

/// A success answer with one JSON body (the operation's model).
#[doc(hidden)]
#[derive(Debug)]
pub struct JsonBody<T>(u16, PhantomData<fn(T)>);

impl<T> JsonBody<T> {
    pub fn new(status: u16) -> Self {
        JsonBody(status, PhantomData)
    }
}

impl<T: Serialize> Stub<'_, JsonBody<T>> {
    /// Answers the operation's success status with `value`.
    pub async fn returns(self, value: T) {
        let reply = Reply::json(self.shape.0, &value);
        self.mount(reply.template()).await;
    }
}

/// A success answer that may be empty (`Option` of the operation's model).
#[doc(hidden)]
#[derive(Debug)]
pub struct MaybeEmptyBody<T>(u16, PhantomData<fn(T)>);

impl<T> MaybeEmptyBody<T> {
    pub fn new(status: u16) -> Self {
        MaybeEmptyBody(status, PhantomData)
    }
}

impl<T: Serialize> Stub<'_, MaybeEmptyBody<T>> {
    /// Answers the operation's success status with `value`, or an empty body for `None`.
    pub async fn returns(self, value: Option<T>) {
        let reply = Reply::json_or_empty(self.shape.0, &value);
        self.mount(reply.template()).await;
    }
}

/// A success answer without a body.
#[doc(hidden)]
#[derive(Debug)]
pub struct NoBody(u16);

impl NoBody {
    pub fn new(status: u16) -> Self {
        NoBody(status)
    }
}

impl Stub<'_, NoBody> {
    /// Answers the operation's success status (often 204) with no body.
    pub async fn returns(self) {
        let reply = Reply::empty(self.shape.0);
        self.mount(reply.template()).await;
    }
}

/// A success answer of text.
#[doc(hidden)]
#[derive(Debug)]
pub struct TextBody(u16, &'static str);

impl TextBody {
    pub fn new(status: u16, content_type: &'static str) -> Self {
        TextBody(status, content_type)
    }
}

impl Stub<'_, TextBody> {
    /// Answers the operation's success status with this text.
    pub async fn returns(self, text: impl Into<String>) {
        let reply = Reply::raw(self.shape.0, self.shape.1, text.into());
        self.mount(reply.template()).await;
    }
}

/// A success answer of bytes (a download).
#[doc(hidden)]
#[derive(Debug)]
pub struct BytesBody(u16, &'static str);

impl BytesBody {
    pub fn new(status: u16, content_type: &'static str) -> Self {
        BytesBody(status, content_type)
    }
}

impl Stub<'_, BytesBody> {
    /// Answers the operation's success status with these bytes.
    pub async fn returns(self, bytes: impl Into<Vec<u8>>) {
        let reply = Reply::raw(self.shape.0, self.shape.1, bytes);
        self.mount(reply.template()).await;
    }
}

/// Success answers that differ by status: the operation's `…Output` enum.
#[doc(hidden)]
pub struct ByStatus<E>(fn(E) -> Reply);

impl<E> ByStatus<E> {
    pub fn new(encode: fn(E) -> Reply) -> Self {
        ByStatus(encode)
    }
}

impl<E> std::fmt::Debug for ByStatus<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ByStatus")
    }
}

impl<E> Stub<'_, ByStatus<E>> {
    /// Answers with the status and body of this variant.
    pub async fn returns(self, output: E) {
        let reply = (self.shape.0)(output);
        self.mount(reply.template()).await;
    }
}

/// The success answer of a list that pages with `Link: <…>; rel="next"`.
#[doc(hidden)]
#[derive(Debug)]
pub struct Paged<T>(u16, PhantomData<fn(T)>);

impl<T> Paged<T> {
    pub fn new(status: u16) -> Self {
        Paged(status, PhantomData)
    }
}

impl<T: Serialize> Stub<'_, Paged<T>> {
    /// Answers with one page holding `items`, without a next link.
    pub async fn returns(self, items: Vec<T>) {
        self.pages([items]).await;
    }

    /// Answers with these pages in order: each but the last has a `Link: <…>; rel="next"`
    /// header (the request's URL with an `after` cursor) that leads to the next one.
    pub async fn pages(self, pages: impl IntoIterator<Item = Vec<T>>) {
        let pages = pages
            .into_iter()
            .map(|items| serde_json::to_vec(&items).expect("stubbed items serialize as JSON"))
            .collect();
        let responder = PageResponder {
            base: self.mock.uri(),
            status: self.shape.0,
            pages,
        };
        self.mount(responder).await;
    }
}

/// Answers the page the request's `after` cursor names (the first without one).
struct PageResponder {
    base: String,
    status: u16,
    pages: Vec<Vec<u8>>,
}

impl wiremock::Respond for PageResponder {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let mut others = Vec::new();
        let mut index = 0;
        for (name, value) in request.url.query_pairs() {
            match value
                .strip_prefix(CURSOR_PREFIX)
                .and_then(|n| n.parse().ok())
            {
                Some(n) if name == "after" => index = n,
                _ => others.push((name.into_owned(), value.into_owned())),
            }
        }
        let index = index.min(self.pages.len().saturating_sub(1));
        // The request's URL on the server's origin (wiremock reads it as `localhost`).
        let link = |after: Option<usize>| {
            let mut pairs = others.clone();
            if let Some(n) = after {
                pairs.push(("after".into(), format!("{CURSOR_PREFIX}{n}")));
            }
            let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            let path = request.url.path();
            if query.is_empty() {
                format!("{}{path}", self.base)
            } else {
                format!("{}{path}?{query}", self.base)
            }
        };
        let current = (index > 0).then_some(index);
        let mut template = wiremock::ResponseTemplate::new(self.status).append_header(
            "Link",
            format!("<{}>; rel=\"self\"", link(current)).as_str(),
        );
        if index + 1 < self.pages.len() {
            template = template.append_header(
                "Link",
                format!("<{}>; rel=\"next\"", link(Some(index + 1))).as_str(),
            );
        }
        let body = self
            .pages
            .get(index)
            .cloned()
            .unwrap_or_else(|| b"[]".to_vec());
        template.set_body_raw(body, "application/json")
    }
}

/// A request the mock server received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: reqwest::Method,
    /// The path as sent (percent-encoded), e.g. `/api/v1/users/00u1`.
    pub path: String,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A header's value, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The body decoded as `T` (a request model).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The body as a JSON value; `None` when empty or not JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

impl From<wiremock::Request> for RecordedRequest {
    fn from(request: wiremock::Request) -> Self {
        RecordedRequest {
            query: request
                .url
                .query_pairs()
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect(),
            path: request.url.path().to_string(),
            method: request.method,
            headers: request.headers,
            body: request.body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_their_template_with_values_or_any_segment() {
        let exact = PathMatcher::new(
            "/api/v1/users/{id}/roles/{roleId}",
            vec![Segment::Exact("00u1".into()), Segment::Any],
        );
        assert!(exact.matches_path("/api/v1/users/00u1/roles/r1"));
        assert!(!exact.matches_path("/api/v1/users/00u2/roles/r1"));
        assert!(!exact.matches_path("/api/v1/users/00u1/roles/"));
        assert!(!exact.matches_path("/api/v1/users/00u1/roles/r1/x"));
        let any = PathMatcher::new("/api/v1/users/{id}", vec![Segment::Any]);
        assert!(any.matches_path("/api/v1/users/a%2Fb"));
        assert!(!any.matches_path("/api/v1/users/a/b"));
        let plain = PathMatcher::new("/api/v1/users", vec![]);
        assert!(plain.matches_path("/api/v1/users"));
        assert!(!plain.matches_path("/api/v1/users/x"));
    }

    #[test]
    fn path_values_are_encoded_as_the_client_encodes_them() {
        assert_eq!(
            PathArg::<String>::from("a/b c").text(),
            Segment::Exact("a%2Fb%20c".into())
        );
        assert_eq!(any::<String>().text(), Segment::Any);
        assert_eq!(
            PathArg::<Vec<&str>>::from(vec!["a", "b"]).list(),
            Segment::Exact("a,b".into())
        );
    }

    #[test]
    fn error_bodies_read_back_as_the_error() {
        let mut error = okta_error("E0000007", "Not found: Resource not found: 00u1 (User)");
        error.error_id = Some("oae1".into());
        error.error_causes = vec![super::super::error::OktaErrorCause {
            error_summary: "cause".into(),
        }];
        assert_eq!(OktaError::parse(&error_body(&error)), Some(error));
    }
}
