// Copied unchanged by okta-codegen from generator/runtime/request.rs; edit it there.

//! Building, sending (with credentials, retries and deadlines) and decoding one request.

use std::borrow::Cow;
use std::fmt::{Display, Write as _};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::auth::Credentials;
use super::client::Client;
use super::error::{ApiError, Error, OktaError, excerpt, transport_error};
use super::headers::RateLimit;
use super::retry::RetryPolicy;

/// Everything but RFC 3986's unreserved characters is encoded in a path segment, so a value
/// such as `../groups` or `a/b?c` stays inside its segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a value as one path segment. Empty values and `.`/`..` are refused: URLs
/// treat those (in any encoding) as "this" or "parent" directory, so they would reach another
/// endpoint than the one called.
pub fn encode_path<T: Display + ?Sized>(value: &T) -> Result<String, Error> {
    let text = value.to_string();
    if text.is_empty() || text == "." || text == ".." {
        return Err(Error::Request(format!(
            "`{text}` cannot be used as a path parameter: it is empty or a dot segment"
        )));
    }
    Ok(utf8_percent_encode(&text, SEGMENT).to_string())
}

/// Encodes a list as one path segment, items separated by commas (OpenAPI's `simple` style).
pub fn encode_path_list<T: Display>(values: &[T]) -> Result<String, Error> {
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&utf8_percent_encode(&v.to_string(), SEGMENT).to_string());
    }
    encode_path(&out).map(|_| out)
}

/// The text of a parameter whose schema is not a plain scalar: a JSON string as the string
/// itself (unions of string types), anything else as compact JSON.
pub fn json_text<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(other) => Ok(other.to_string()),
        Err(e) => Err(Error::Request(format!(
            "a parameter does not serialize: {e}"
        ))),
    }
}

/// How a list-valued query parameter is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStyle {
    /// `a=1&a=2` (`form`, exploded: OpenAPI's default).
    Repeat,
    /// `a=1,2`.
    Comma,
    /// `a=1 2`.
    Space,
    /// `a=1|2`.
    Pipe,
}

impl Client {
    /// Starts a request for a generated operation. `template` is the spec's path template
    /// (for diagnostics), `path` the filled-in, encoded path.
    pub(crate) fn operation(
        &self,
        method: reqwest::Method,
        template: &'static str,
        path: String,
    ) -> Request {
        Request::new(self.clone(), method, template.into(), path)
    }

    /// A request to an endpoint that has no generated operation, with the same credentials,
    /// retries and error handling. `path` is relative to the org URL and used as given:
    /// encode values placed in it with [`encode_path`](crate::encode_path).
    ///
    /// ```no_run
    /// # async fn example(client: okta_client::Client) -> Result<(), okta_client::Error> {
    /// let user_id = "00u1abc";
    /// let path = format!("/api/v1/users/{}/lifecycle/activate", okta_client::encode_path(user_id)?);
    /// let response = client
    ///     .request(okta_client::Method::POST, path)
    ///     .query("sendEmail", &false)
    ///     .send()
    ///     .await?;
    /// assert_eq!(response.status(), 200);
    /// # Ok(())
    /// # }
    /// ```
    pub fn request(&self, method: reqwest::Method, path: impl Into<String>) -> Request {
        let path = path.into();
        Request::new(self.clone(), method, path.clone().into(), path)
    }
}

/// A request being assembled: what every generated operation builds, and what
/// [`Client::request`] gives for endpoints the spec does not describe. Sending it adds the
/// client's credentials, retries as the [`RetryPolicy`](crate::RetryPolicy) allows, and turns
/// error statuses into [`Error::Api`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct Request {
    pub(super) client: Client,
    method: reqwest::Method,
    template: Cow<'static, str>,
    /// Relative to the org URL, already encoded.
    path: String,
    /// A full URL sent instead of the path (a next-page link), query included.
    pub(super) link: Option<Url>,
    pub(super) query: Vec<(Cow<'static, str>, String)>,
    headers: Vec<(Cow<'static, str>, String)>,
    cookies: Vec<(Cow<'static, str>, String)>,
    pub(super) body: Option<(Cow<'static, str>, Bytes)>,
    authenticated: bool,
}

impl Request {
    pub(crate) fn new(
        client: Client,
        method: reqwest::Method,
        template: Cow<'static, str>,
        path: String,
    ) -> Self {
        Self {
            client,
            method,
            template,
            path,
            link: None,
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            authenticated: true,
        }
    }

    /// Sends no credentials (operations the spec marks `security: []`).
    pub fn without_auth(mut self) -> Self {
        self.authenticated = false;
        self
    }

    /// Adds a query parameter.
    pub fn query<T: Display + ?Sized>(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: &T,
    ) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Adds a list-valued query parameter, written in `style`.
    pub fn query_list<T: Display>(
        mut self,
        name: impl Into<Cow<'static, str>>,
        values: &[T],
        style: ListStyle,
    ) -> Self {
        let name = name.into();
        let sep = match style {
            ListStyle::Repeat => {
                for v in values {
                    self.query.push((name.clone(), v.to_string()));
                }
                return self;
            }
            ListStyle::Comma => ",",
            ListStyle::Space => " ",
            ListStyle::Pipe => "|",
        };
        self.query.push((name, join(values, sep)));
        self
    }

    /// Adds a query parameter whose value is `value` as JSON (a JSON string as itself).
    pub fn query_json<T: Serialize + ?Sized>(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: &T,
    ) -> Result<Self, Error> {
        let text = json_text(value)?;
        self.query.push((name.into(), text));
        Ok(self)
    }

    /// Adds a header.
    pub fn header<T: Display + ?Sized>(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: &T,
    ) -> Self {
        self.headers.push((name.into(), value.to_string()));
        self
    }

    /// Adds a header whose value is a comma-separated list.
    pub fn header_list<T: Display>(
        mut self,
        name: impl Into<Cow<'static, str>>,
        values: &[T],
    ) -> Self {
        self.headers.push((name.into(), join(values, ",")));
        self
    }

    /// Adds a header whose value is `value` as JSON (a JSON string as itself).
    pub fn header_json<T: Serialize + ?Sized>(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: &T,
    ) -> Result<Self, Error> {
        let text = json_text(value)?;
        self.headers.push((name.into(), text));
        Ok(self)
    }

    /// Adds a cookie.
    pub fn cookie<T: Display + ?Sized>(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: &T,
    ) -> Self {
        self.cookies.push((name.into(), value.to_string()));
        self
    }

    /// Sets a JSON body.
    pub fn json_body<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Request(format!("the body does not serialize to JSON: {e}")))?;
        self.body = Some(("application/json".into(), bytes.into()));
        Ok(self)
    }

    /// Sets an `application/x-www-form-urlencoded` body.
    pub fn form_body<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let text = serde_urlencoded::to_string(body)
            .map_err(|e| Error::Request(format!("the body does not serialize as a form: {e}")))?;
        self.body = Some((
            "application/x-www-form-urlencoded".into(),
            text.into_bytes().into(),
        ));
        Ok(self)
    }

    /// Sets a body of any content type.
    pub fn raw_body(
        mut self,
        content_type: impl Into<Cow<'static, str>>,
        bytes: impl Into<Bytes>,
    ) -> Self {
        self.body = Some((content_type.into(), bytes.into()));
        self
    }

    fn url(&self) -> Result<Url, Error> {
        let mut url = match &self.link {
            Some(url) => url.clone(),
            None => {
                let mut url = self.client.base_url().clone();
                let full = format!("{}{}", url.path().trim_end_matches('/'), self.path);
                url.set_path(&full);
                url
            }
        };
        if !self.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &self.query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    fn fixed_headers(&self) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        let user_agent = HeaderValue::from_str(&self.client.inner().user_agent)
            .map_err(|_| Error::Config("the user agent is not a valid header value".into()))?;
        headers.insert(reqwest::header::USER_AGENT, user_agent);
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Request(format!("`{name}` is not a valid header name")))?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::Request(format!("the value of header `{name}` is not valid in HTTP"))
            })?;
            // A header the caller sets (User-Agent on the authentication API) wins.
            headers.insert(name, value);
        }
        if !self.cookies.is_empty() {
            let mut cookie = String::new();
            for (i, (k, v)) in self.cookies.iter().enumerate() {
                if i > 0 {
                    cookie.push_str("; ");
                }
                let _ = write!(cookie, "{k}={v}");
            }
            let value = HeaderValue::from_str(&cookie)
                .map_err(|_| Error::Request("a cookie value is not valid in HTTP".into()))?;
            headers.insert(reqwest::header::COOKIE, value);
        }
        if let Some((content_type, _)) = &self.body {
            let value = HeaderValue::from_str(content_type)
                .map_err(|_| Error::Request("the content type is not valid in HTTP".into()))?;
            headers.insert(reqwest::header::CONTENT_TYPE, value);
        }
        Ok(headers)
    }

    fn idempotent(&self) -> bool {
        use reqwest::Method;
        matches!(
            self.method,
            Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS
        )
    }

    /// Sends the request; a non-2xx answer (after any retries) becomes [`Error::Api`].
    pub async fn send(self) -> Result<RawResponse, Error> {
        let span = tracing::debug_span!(
            "okta.request",
            method = %self.method,
            path = %self.template,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            retries = tracing::field::Empty,
        );
        self.send_traced(&span).instrument(span.clone()).await
    }

    async fn send_traced(self, span: &tracing::Span) -> Result<RawResponse, Error> {
        let inner = self.client.inner();
        let policy = inner.retry;
        let mut url = self.url()?;
        let mut method = self.method.clone();
        let mut body = self.body.as_ref().map(|(_, bytes)| bytes.clone());
        let mut fixed = self.fixed_headers()?;
        let started = Instant::now();
        // A deadline too far ahead for the clock to hold is no deadline.
        let deadline = inner.deadline.and_then(|d| started.checked_add(d));
        let mut retries = 0u32;
        let mut redirects = 0u32;
        let mut first_request_id: Option<String> = None;
        let mut refreshed = false;
        let mut nonce_retried = false;
        let oauth = match &inner.credentials {
            Some(Credentials::OAuth(source)) => Some(source.as_ref()),
            _ => None,
        };
        loop {
            let attempt_timeout = attempt_limit(inner.timeout, deadline, inner.deadline)?;
            let mut headers = fixed.clone();
            let authorization = match self.authorization(attempt_timeout, deadline).await {
                Ok(authorization) => authorization,
                Err(err) => {
                    // The token request is retried as an idempotent request would be.
                    let retryable = match &err {
                        Error::Transport(_) => true,
                        Error::Timeout { .. } => deadline.is_none_or(|d| Instant::now() < d),
                        Error::Authentication(e) => matches!(e.status, 429 | 500..=599),
                        _ => false,
                    };
                    if retry_after_failure(
                        &policy,
                        &mut retries,
                        deadline,
                        retryable,
                        "a failed access token request",
                    )
                    .await
                    {
                        continue;
                    }
                    span.record("retries", retries);
                    return Err(err);
                }
            };
            if let Some(value) = &authorization {
                let mut value = HeaderValue::from_str(value)
                    .map_err(|_| Error::Config("the token is not a valid header value".into()))?;
                value.set_sensitive(true);
                headers.insert(reqwest::header::AUTHORIZATION, value);
                if let Some(proof) = oauth
                    .map(|source| {
                        source.api_proof(
                            method.as_str(),
                            &url,
                            authorization.as_deref().unwrap_or(""),
                        )
                    })
                    .transpose()?
                    .flatten()
                {
                    let mut proof = HeaderValue::from_str(&proof).map_err(|_| {
                        Error::Config("the DPoP proof is not a valid header value".into())
                    })?;
                    proof.set_sensitive(true);
                    headers.insert("dpop", proof);
                }
            }
            if retries > 0 {
                if let Some(id) = first_request_id
                    .as_deref()
                    .and_then(|id| HeaderValue::from_str(id).ok())
                {
                    headers.insert("x-okta-retry-for", id);
                }
                headers.insert("x-okta-retry-count", HeaderValue::from(retries));
            }
            // The wait for an access token took some of the time left.
            let attempt_timeout = attempt_limit(inner.timeout, deadline, inner.deadline)?;
            let mut builder = inner
                .http
                .request(method.clone(), url.clone())
                .headers(headers);
            if let Some(bytes) = &body {
                builder = builder.body(bytes.clone());
            }
            if let Some(t) = attempt_timeout {
                builder = builder.timeout(t);
            }
            let outcome = match builder.send().await {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    let headers = std::mem::take(response.headers_mut());
                    if !same_origin(response.url(), self.client.base_url()) {
                        // An HTTP client of the caller's that followed a redirect elsewhere.
                        return Err(Error::Redirect {
                            status,
                            location: response.url().origin().ascii_serialization(),
                            reason: "the answer came from another origin than the org's".into(),
                        });
                    }
                    match response.bytes().await {
                        Ok(body) => Ok((status, headers, body)),
                        Err(e) => Err(transport_error(e)),
                    }
                }
                Err(e) => Err(transport_error(e)),
            };
            let (status, headers, response_body) = match outcome {
                Ok(parts) => parts,
                Err(err) => {
                    let retryable = self.idempotent()
                        && matches!(err, Error::Transport(_) | Error::Timeout { .. });
                    if retry_after_failure(
                        &policy,
                        &mut retries,
                        deadline,
                        retryable,
                        "a transport failure",
                    )
                    .await
                    {
                        continue;
                    }
                    span.record("retries", retries);
                    return Err(match (err, deadline) {
                        (Error::Timeout { .. }, Some(d)) if Instant::now() >= d => {
                            deadline_error(inner.deadline)
                        }
                        (err, _) => err,
                    });
                }
            };
            let request_id = headers
                .get("x-okta-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if first_request_id.is_none() {
                first_request_id = request_id.clone();
            }
            span.record("status", status);
            span.record("retries", retries);
            if let Some(id) = &request_id {
                span.record("request_id", id.as_str());
            }
            tracing::debug!(status, "response received");
            let new_nonce = oauth.is_some_and(|source| source.note_api_nonce(&headers));
            if (200..300).contains(&status) {
                return Ok(RawResponse {
                    status,
                    rate_limit: RateLimit::from_headers(&headers),
                    headers,
                    body: response_body,
                    request_id,
                    strict: inner.strict_decoding,
                });
            }
            if let Some(location) = redirect_location(status, &headers) {
                let next = redirect_target(&url, location, self.client.base_url(), redirects)
                    .map_err(|reason| Error::Redirect {
                        status,
                        location: location.to_string(),
                        reason,
                    })?;
                redirects += 1;
                tracing::debug!(
                    status,
                    redirects,
                    "following a redirect on the org's origin"
                );
                // 303, and 301/302 after anything but GET or HEAD, continue with a GET
                // without a body (RFC 9110 15.4); 307 and 308 repeat the request as it was.
                if status == 303
                    || (matches!(status, 301 | 302)
                        && !matches!(method, reqwest::Method::GET | reqwest::Method::HEAD))
                {
                    method = reqwest::Method::GET;
                    body = None;
                    fixed.remove(reqwest::header::CONTENT_TYPE);
                }
                url = next;
                continue;
            }
            if status == 401 && new_nonce && !nonce_retried && asks_for_dpop_nonce(&headers) {
                // RFC 9449 section 9: the API wants a proof with its nonce; once more with it.
                nonce_retried = true;
                tracing::debug!("retrying with the DPoP nonce the server asked for");
                continue;
            }
            if status == 401 && !refreshed {
                if let (Some(Credentials::OAuth(source)), Some(sent)) =
                    (inner.credentials.as_ref(), authorization.as_deref())
                {
                    // The access token may have been revoked or expired early: get a new one, once.
                    source.invalidate(sent).await;
                    refreshed = true;
                    tracing::debug!("refreshing the access token after a 401");
                    continue;
                }
            }
            let wait = if retries >= policy.max_retries {
                None
            } else if status == 429 {
                Some(policy.rate_limit_delay(&headers, retries + 1, SystemTime::now()))
            } else if matches!(status, 503 | 504) && self.idempotent() {
                Some(policy.backoff(retries + 1))
            } else {
                None
            };
            if let Some(wait) = wait.filter(|w| fits(deadline, *w)) {
                retries += 1;
                tracing::debug!(
                    status,
                    retries,
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                tokio::time::sleep(wait).await;
                continue;
            }
            return Err(Error::Api(Box::new(ApiError {
                status,
                okta: OktaError::parse(&response_body),
                request_id,
                rate_limit: RateLimit::from_headers(&headers),
                body_excerpt: excerpt(&response_body, 2048),
            })));
        }
    }

    /// The `Authorization` value; an access token request is bound by the attempt's timeout
    /// and the call's deadline.
    async fn authorization(
        &self,
        timeout: Option<Duration>,
        deadline: Option<Instant>,
    ) -> Result<Option<String>, Error> {
        if !self.authenticated {
            return Ok(None);
        }
        let inner = self.client.inner();
        Ok(match &inner.credentials {
            None => None,
            Some(Credentials::ApiToken(t)) => Some(format!("SSWS {t}")),
            Some(Credentials::AccessToken(t)) => Some(format!("Bearer {t}")),
            Some(Credentials::OAuth(source)) => Some(
                source
                    .authorization(&inner.http, timeout, deadline, inner.deadline)
                    .await?,
            ),
        })
    }
}

/// Whether a 401 answer asks for a DPoP proof with a nonce (`WWW-Authenticate: DPoP
/// error="use_dpop_nonce"`).
fn asks_for_dpop_nonce(headers: &HeaderMap) -> bool {
    headers
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("use_dpop_nonce"))
}

/// Whether `url` has the scheme, host and port of `base`.
pub(crate) fn same_origin(url: &Url, base: &Url) -> bool {
    url.scheme() == base.scheme()
        && url.host_str() == base.host_str()
        && url.port_or_known_default() == base.port_or_known_default()
}

/// The `Location` of a redirect status (301, 302, 303, 307, 308), if it has one.
fn redirect_location(status: u16, headers: &HeaderMap) -> Option<&str> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
}

/// Where a redirect from `current` to `location` goes, if the client follows it: on the org's
/// origin and within [`MAX_REDIRECTS`](super::client::MAX_REDIRECTS); otherwise why not.
fn redirect_target(
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
    if followed >= super::client::MAX_REDIRECTS {
        return Err(format!(
            "{} redirects were followed already",
            super::client::MAX_REDIRECTS
        ));
    }
    Ok(next)
}

/// How long the next attempt may take: the timeout, cut to the time left before the deadline
/// (`limit` is the configured deadline, for the error once it has passed).
fn attempt_limit(
    timeout: Option<Duration>,
    deadline: Option<Instant>,
    limit: Option<Duration>,
) -> Result<Option<Duration>, Error> {
    let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
    if remaining == Some(Duration::ZERO) {
        return Err(deadline_error(limit));
    }
    Ok(match (timeout, remaining) {
        (Some(t), Some(r)) => Some(t.min(r)),
        (t, r) => t.or(r),
    })
}

/// Whether a failed attempt (`retryable` if the failure allows one) is tried again: within
/// the policy's retries and with the backoff ending before the deadline. If so the retry is
/// counted and the backoff waited.
async fn retry_after_failure(
    policy: &RetryPolicy,
    retries: &mut u32,
    deadline: Option<Instant>,
    retryable: bool,
    failure: &str,
) -> bool {
    if !retryable || *retries >= policy.max_retries {
        return false;
    }
    let wait = policy.backoff(*retries + 1);
    if !fits(deadline, wait) {
        return false;
    }
    *retries += 1;
    tracing::debug!(
        retries = *retries,
        wait_ms = wait.as_millis() as u64,
        "retrying after {failure}"
    );
    tokio::time::sleep(wait).await;
    true
}

fn fits(deadline: Option<Instant>, wait: Duration) -> bool {
    deadline.is_none_or(|d| Instant::now() + wait < d)
}

fn deadline_error(deadline: Option<Duration>) -> Error {
    Error::Timeout {
        message: format!(
            "the call did not finish within its deadline of {:?}, retries included",
            deadline.unwrap_or_default()
        ),
        source: None,
    }
}

fn join<T: Display>(values: &[T], sep: &str) -> String {
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        let _ = write!(out, "{v}");
    }
    out
}

/// A successful (2xx) response, before decoding.
#[derive(Debug, Clone)]
pub struct RawResponse {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
    request_id: Option<String>,
    rate_limit: RateLimit,
    /// A body that does not fit its model fails instead of being read leniently.
    strict: bool,
}

impl RawResponse {
    /// The HTTP status (2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// `X-Okta-Request-Id`, if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The rate-limit figures of this response.
    pub fn rate_limit(&self) -> RateLimit {
        self.rate_limit
    }

    /// The raw body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Decodes the JSON body. A listed property whose value has another JSON type than the
    /// spec's reads as unset and is kept in its model's `additional_properties` (a `tracing`
    /// warning names its path), unless the client decodes strictly
    /// ([`strict_decoding`](crate::ClientBuilder::strict_decoding)); a body that does not fit
    /// even so is [`Error::Decode`], naming the JSON path where it failed.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        // Decoded once, at full speed; only a failure pays for a second, lenient pass and
        // for finding the path of the error.
        serde_json::from_slice(&self.body).or_else(|e| {
            if !self.strict {
                if let Some(value) = super::object::decode_lenient(&self.body) {
                    return Ok(value);
                }
            }
            let path = json_path_at(&self.body, e.line(), e.column());
            Err(self.decode_error(path, e.to_string()))
        })
    }

    /// As [`json`](Self::json), for a body that Okta may leave out (`x-okta-may-be-empty`):
    /// `None` when the body is empty or only whitespace.
    pub fn json_or_empty<T: DeserializeOwned>(&self) -> Result<Option<T>, Error> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            Ok(None)
        } else {
            self.json().map(Some)
        }
    }

    fn decode_error(&self, path: String, message: String) -> Error {
        Error::Decode {
            status: self.status,
            path,
            message,
            body_excerpt: excerpt(&self.body, 512),
            request_id: self.request_id.clone(),
        }
    }

    /// The body as text (invalid UTF-8 is a decode error).
    pub fn text(&self) -> Result<String, Error> {
        String::from_utf8(self.body.to_vec())
            .map_err(|e| self.decode_error(".".into(), format!("the body is not UTF-8: {e}")))
    }

    /// The body as bytes.
    pub fn bytes(&self) -> Vec<u8> {
        self.body.to_vec()
    }

    /// Pairs decoded data with this response's status and headers.
    pub fn into_response<T>(self, data: T) -> Response<T> {
        Response {
            data,
            status: self.status,
            headers: self.headers,
            request_id: self.request_id,
            rate_limit: self.rate_limit,
        }
    }
}

/// A decoded response with what came with it.
#[derive(Debug, Clone)]
pub struct Response<T> {
    pub data: T,
    pub status: u16,
    pub headers: HeaderMap,
    /// `X-Okta-Request-Id`.
    pub request_id: Option<String>,
    pub rate_limit: RateLimit,
}

/// The path (`items[3].profile.email`, `.` for the top level) of the value being read at
/// `line`/`column` (1-based, as `serde_json` reports them) of a JSON text: the object keys and
/// array indices open at that point.
pub(crate) fn json_path_at(text: &[u8], line: usize, column: usize) -> String {
    enum Frame {
        Object { key: Option<String>, at_key: bool },
        Array(usize),
    }
    let line_start = if line <= 1 {
        0
    } else {
        text.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    // The column is that of the character where reading stopped; it is not itself read.
    let end = (line_start + column.saturating_sub(1)).min(text.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match text[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                at_key: true,
            }),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(index)) => *index += 1,
                Some(Frame::Object { at_key, .. }) => *at_key = true,
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { at_key, .. }) = stack.last_mut() {
                    *at_key = false;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { key, at_key: true }) = stack.last_mut() {
                    let raw = &text[start..(i + 1).min(text.len())];
                    *key = Some(
                        serde_json::from_slice(raw)
                            .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned()),
                    );
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Array(index) => {
                let _ = write!(path, "[{index}]");
            }
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => break,
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_errors_name_the_path_of_the_value_that_did_not_fit() {
        use std::collections::BTreeMap;
        fn path_of<T: DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
            let e = serde_json::from_str::<T>(text).unwrap_err();
            json_path_at(text.as_bytes(), e.line(), e.column())
        }
        type Users = Vec<BTreeMap<String, BTreeMap<String, u32>>>;
        assert_eq!(
            path_of::<Users>(r#"[{"a":{"b":1}},{"a":{"c":2,"d":"x"}}]"#),
            "[1].a.d"
        );
        assert_eq!(
            path_of::<Users>("[\n {\"a\": {},\n  \"k\\\"]{,\": {\"z\": true}}]"),
            "[0].k\"]{,.z"
        );
        assert_eq!(path_of::<u32>("\"x\""), ".");
        assert_eq!(path_of::<Vec<u32>>("[1, 2, -3]"), "[2]");
        assert_eq!(path_of::<Users>("[{\"a\": {\"b\": 1}}] x"), ".");
    }

    #[test]
    fn json_text_writes_strings_bare_and_the_rest_as_json() {
        assert_eq!(json_text("SUPER_ADMIN").unwrap(), "SUPER_ADMIN");
        assert_eq!(
            json_text(&serde_json::json!({"a": 1})).unwrap(),
            "{\"a\":1}"
        );
    }
}
