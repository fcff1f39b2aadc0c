//! Building, sending and decoding one request.

use std::fmt::{Display, Write as _};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::client::Client;
use super::error::{ApiError, Error, OktaError, excerpt};

/// Everything but RFC 3986's unreserved characters is encoded in a path segment, so a value
/// such as `../groups` or `a/b?c` stays inside its segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

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

/// A request being assembled: what every generated operation builds, and what
/// [`Client::request`] gives for endpoints the spec does not describe. It carries the client's
/// credentials and turns error statuses into [`Error::Api`].
#[derive(Debug)]
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct Request {
    client: Client,
    method: reqwest::Method,
    template: &'static str,
    path: String,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
    cookies: Vec<(&'static str, String)>,
    body: Option<(&'static str, Vec<u8>)>,
    authenticated: bool,
}

impl Request {
    pub(crate) fn new(
        client: Client,
        method: reqwest::Method,
        template: &'static str,
        path: String,
    ) -> Self {
        Self {
            client,
            method,
            template,
            path,
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
    pub fn query<T: Display + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// Adds a list-valued query parameter, written in `style`.
    pub fn query_list<T: Display>(
        mut self,
        name: &'static str,
        values: &[T],
        style: ListStyle,
    ) -> Self {
        let sep = match style {
            ListStyle::Repeat => {
                for v in values {
                    self.query.push((name, v.to_string()));
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

    /// Adds a query parameter whose value is the JSON text of `value`.
    pub fn query_json<T: Serialize + ?Sized>(
        mut self,
        name: &'static str,
        value: &T,
    ) -> Result<Self, Error> {
        let text = serde_json::to_string(value).map_err(|e| Error::Request(e.to_string()))?;
        self.query.push((name, text));
        Ok(self)
    }

    /// Adds a header.
    pub fn header<T: Display + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }

    /// Adds a header whose value is a comma-separated list.
    pub fn header_list<T: Display>(mut self, name: &'static str, values: &[T]) -> Self {
        self.headers.push((name, join(values, ",")));
        self
    }

    /// Adds a header whose value is the JSON text of `value`.
    pub fn header_json<T: Serialize + ?Sized>(
        mut self,
        name: &'static str,
        value: &T,
    ) -> Result<Self, Error> {
        let text = serde_json::to_string(value).map_err(|e| Error::Request(e.to_string()))?;
        self.headers.push((name, text));
        Ok(self)
    }

    /// Adds a cookie.
    pub fn cookie<T: Display + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        self.cookies.push((name, value.to_string()));
        self
    }

    /// Sets a JSON body.
    pub fn json_body<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Request(format!("the body does not serialize to JSON: {e}")))?;
        self.body = Some(("application/json", bytes));
        Ok(self)
    }

    /// Sets an `application/x-www-form-urlencoded` body.
    pub fn form_body<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let text = serde_urlencoded::to_string(body)
            .map_err(|e| Error::Request(format!("the body does not serialize as a form: {e}")))?;
        self.body = Some(("application/x-www-form-urlencoded", text.into_bytes()));
        Ok(self)
    }

    /// Sets a body of any content type.
    pub fn raw_body(mut self, content_type: &'static str, bytes: Vec<u8>) -> Self {
        self.body = Some((content_type, bytes));
        self
    }

    /// Sends the request; a non-2xx answer becomes [`Error::Api`].
    pub async fn send(self) -> Result<RawResponse, Error> {
        let mut url = self.client.base_url().clone();
        let full_path = format!("{}{}", url.path().trim_end_matches('/'), self.path);
        url.set_path(&full_path);
        if !self.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &self.query {
                pairs.append_pair(k, v);
            }
        }
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::ACCEPT, HeaderValue::from_static("application/json"));
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Request(format!("`{name}` is not a valid header name")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::Request(format!("the value of header `{name}` is not valid in HTTP")))?;
            headers.append(name, value);
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
        if self.authenticated {
            if let Some(credentials) = self.client.credentials() {
                let mut value = HeaderValue::from_str(&credentials.authorization())
                    .map_err(|_| Error::Config("the token is not a valid header value".into()))?;
                value.set_sensitive(true);
                headers.insert(reqwest::header::AUTHORIZATION, value);
            }
        }
        let mut request = self.client.http().request(self.method.clone(), url).headers(headers);
        if let Some((content_type, bytes)) = self.body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes);
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport_error)?.to_vec();
        let request_id = headers
            .get("x-okta-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if !(200..300).contains(&status) {
            return Err(Error::Api(Box::new(ApiError {
                status,
                okta: OktaError::parse(&body),
                request_id,
                body_excerpt: excerpt(&body, 2048),
            })));
        }
        let _ = self.template;
        Ok(RawResponse {
            status,
            headers,
            body,
            request_id,
        })
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

fn transport_error(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout(e)
    } else {
        Error::Transport(e)
    }
}

/// A successful (2xx) response, before decoding.
#[derive(Debug, Clone)]
pub struct RawResponse {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
    request_id: Option<String>,
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

    /// The raw body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Decodes the JSON body; a mismatch names the JSON path where it occurred.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let mut de = serde_json::Deserializer::from_slice(&self.body);
        let value: T = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| self.decode_error(e.path().to_string(), e.into_inner().to_string()))?;
        de.end()
            .map_err(|e| self.decode_error(".".into(), e.to_string()))?;
        Ok(value)
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
        String::from_utf8(self.body.clone())
            .map_err(|e| self.decode_error(".".into(), format!("the body is not UTF-8: {e}")))
    }

    /// The body as bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.body
    }

    /// For operations that return no body: succeeds whatever the body.
    pub fn empty(&self) -> Result<(), Error> {
        Ok(())
    }
}
