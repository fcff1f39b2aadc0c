//! A request being built: method, path, parameters, headers, cookies and body. Sending it is
//! `send.rs`.

use std::borrow::Cow;
use std::fmt::{Display, Write as _};

use bytes::Bytes;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;

use super::client::Client;
use super::error::Error;
use super::params::{ListStyle, join, json_text};

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
    pub(super) method: reqwest::Method,
    pub(super) template: Cow<'static, str>,
    /// Relative to the org URL, already encoded.
    path: String,
    /// A full URL sent instead of the path (a next-page link), query included.
    pub(super) link: Option<Url>,
    pub(super) query: Vec<(Cow<'static, str>, String)>,
    headers: Vec<(Cow<'static, str>, String)>,
    cookies: Vec<(Cow<'static, str>, String)>,
    pub(super) body: Option<(Cow<'static, str>, Bytes)>,
    pub(super) authenticated: bool,
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

    pub(super) fn url(&self) -> Result<Url, Error> {
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

    pub(super) fn fixed_headers(&self) -> Result<HeaderMap, Error> {
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

    pub(super) fn idempotent(&self) -> bool {
        use reqwest::Method;
        matches!(
            self.method,
            Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS
        )
    }
}
