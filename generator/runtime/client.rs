//! The client: where requests go and with which credentials.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use super::error::Error;
use super::request::Request;

/// A handle to one Okta org. Cheap to clone; clones share the connection pool.
///
/// Build one with [`Client::builder`]. Every operation of the API is a method returning a
/// request builder; see the crate documentation.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    credentials: Option<Credentials>,
}

/// Credentials sent with every authenticated request. Never printed.
#[derive(Clone)]
pub(crate) enum Credentials {
    /// `Authorization: SSWS {token}`.
    ApiToken(String),
    /// `Authorization: Bearer {token}`.
    AccessToken(String),
}

impl Credentials {
    pub(crate) fn authorization(&self) -> String {
        match self {
            Credentials::ApiToken(t) => format!("SSWS {t}"),
            Credentials::AccessToken(t) => format!("Bearer {t}"),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiToken(_) => f.write_str("ApiToken(<redacted>)"),
            Credentials::AccessToken(_) => f.write_str("AccessToken(<redacted>)"),
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The org URL requests are sent to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn credentials(&self) -> Option<&Credentials> {
        self.inner.credentials.as_ref()
    }

    /// Starts a request for a generated operation. `template` is the spec's path template
    /// (for diagnostics), `path` the filled-in, encoded path.
    pub(crate) fn operation(
        &self,
        method: reqwest::Method,
        template: &'static str,
        path: String,
    ) -> Request {
        Request::new(self.clone(), method, template, path)
    }

    /// A request to an endpoint that has no generated operation, with the same credentials
    /// and error handling. `path` is relative to the org URL and used as given: encode values
    /// placed in it with [`encode_path`](crate::encode_path).
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
        Request::new(self.clone(), method, "<raw>", path.into())
    }
}

/// Configures a [`Client`].
#[derive(Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    credentials: Option<Credentials>,
    http: Option<reqwest::Client>,
    user_agent_suffix: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The org URL, e.g. `https://example.okta.com`. Plain `http` is accepted only for
    /// loopback addresses (tests).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Authenticates with an API token (`Authorization: SSWS …`).
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::ApiToken(token.into()));
        self
    }

    /// Authenticates with an OAuth 2.0 access token (`Authorization: Bearer …`).
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::AccessToken(token.into()));
        self
    }

    /// Uses this `reqwest::Client` (its timeouts, proxies and TLS settings) instead of a new one.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Text appended to the `User-Agent` header.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Limit for each request, from sending to the end of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Limit for establishing a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let raw = self
            .base_url
            .ok_or_else(|| Error::Config("no base URL: call `base_url(\"https://your-org.okta.com\")`".into()))?;
        let mut base_url = Url::parse(raw.trim())
            .map_err(|e| Error::Config(format!("the base URL `{raw}` is not a URL: {e}")))?;
        match base_url.scheme() {
            "https" => {}
            "http" if is_loopback(&base_url) => {}
            "http" => {
                return Err(Error::Config(format!(
                    "the base URL `{raw}` uses plain http; only https is allowed (http only for loopback addresses)"
                )));
            }
            other => {
                return Err(Error::Config(format!(
                    "the base URL `{raw}` has scheme `{other}`; expected https"
                )));
            }
        }
        if base_url.query().is_some() || base_url.fragment().is_some() {
            return Err(Error::Config(format!(
                "the base URL `{raw}` must not have a query or fragment"
            )));
        }
        // Paths are appended to the base, so keep it without a trailing slash.
        let trimmed = base_url.path().trim_end_matches('/').to_string();
        base_url.set_path(&trimmed);
        if let Some(c) = &self.credentials {
            let secret = match c {
                Credentials::ApiToken(t) | Credentials::AccessToken(t) => t,
            };
            if secret.trim().is_empty() {
                return Err(Error::Config("the token is empty".into()));
            }
            if reqwest::header::HeaderValue::from_str(&c.authorization()).is_err() {
                return Err(Error::Config(
                    "the token contains characters not allowed in an HTTP header".into(),
                ));
            }
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut ua = format!(
                    "okta-client-rust/{} rust/{}-{}",
                    env!("CARGO_PKG_VERSION"),
                    std::env::consts::OS,
                    std::env::consts::ARCH
                );
                if let Some(suffix) = &self.user_agent_suffix {
                    ua.push(' ');
                    ua.push_str(suffix);
                }
                let mut b = reqwest::Client::builder().user_agent(ua);
                if let Some(t) = self.timeout {
                    b = b.timeout(t);
                }
                if let Some(t) = self.connect_timeout {
                    b = b.connect_timeout(t);
                }
                b.build()
                    .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                credentials: self.credentials,
            }),
        })
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}
