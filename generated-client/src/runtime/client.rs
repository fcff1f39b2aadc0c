// Copied unchanged by okta-codegen from generator/runtime/client.rs; edit it there.

//! The client: where requests go, with which credentials, and how patiently.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use super::auth::{Credentials, OAuthSource, PrivateKeyJwt};
use super::error::Error;
use super::retry::RetryPolicy;

/// A handle to one Okta org. Cheap to clone; clones share the connection pool and the
/// cached OAuth access token.
///
/// Build one with [`Client::builder`] or [`Client::from_env`]. Every operation of the API is
/// a method returning a request builder; see the crate documentation.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) user_agent: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) strict_decoding: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("credentials", &self.inner.credentials)
            .field("user_agent", &self.inner.user_agent)
            .field("retry", &self.inner.retry)
            .field("timeout", &self.inner.timeout)
            .field("deadline", &self.inner.deadline)
            .field("strict_decoding", &self.inner.strict_decoding)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment, as Okta's other SDKs read it:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `OKTA_CLIENT_ORGURL` | the org URL (required) |
    /// | `OKTA_CLIENT_AUTHORIZATIONMODE` | `SSWS` (default), `Bearer` or `PrivateKey` |
    /// | `OKTA_CLIENT_TOKEN` | the API token (`SSWS`) or access token (`Bearer`) |
    /// | `OKTA_CLIENT_CLIENTID` | the service app's client id (`PrivateKey`) |
    /// | `OKTA_CLIENT_SCOPES` | scopes, separated by commas or spaces (`PrivateKey`) |
    /// | `OKTA_CLIENT_PRIVATEKEY` | the PEM private key, or the path of a PEM file (`PrivateKey`) |
    /// | `OKTA_CLIENT_PRIVATEKEYID` | the key's `kid`, optional (`PrivateKey`) |
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// The org URL requests are sent to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }
}

/// How long an attempt may take, from sending to the end of the body, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long establishing a connection may take, unless configured (as in Okta's Java and Go
/// SDKs).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a whole call may take, retries and waits included, unless configured: room for
/// a rate-limit wait into Okta's next one-minute window and the retries after it.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(300);
/// How many redirects a call follows, all on the org's origin.
pub const MAX_REDIRECTS: u32 = 5;

/// Configures a [`Client`].
///
/// Without configuration a client waits at most [`DEFAULT_CONNECT_TIMEOUT`] (30 s) for a
/// connection, [`DEFAULT_TIMEOUT`] (60 s) for each attempt and [`DEFAULT_DEADLINE`] (5 min)
/// for a whole call; [`no_timeout`](Self::no_timeout) and [`no_deadline`](Self::no_deadline)
/// turn the limits off.
pub struct ClientBuilder {
    base_url: Option<String>,
    credentials: Option<CredentialsConfig>,
    http: Option<reqwest::Client>,
    user_agent_suffix: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    deadline: Option<Duration>,
    retry: RetryPolicy,
    strict_decoding: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            credentials: None,
            http: None,
            user_agent_suffix: None,
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            deadline: Some(DEFAULT_DEADLINE),
            retry: RetryPolicy::default(),
            strict_decoding: false,
        }
    }
}

#[derive(Clone)]
enum CredentialsConfig {
    ApiToken(String),
    AccessToken(String),
    PrivateKeyJwt(PrivateKeyJwt),
}

impl fmt::Debug for CredentialsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsConfig::ApiToken(_) => f.write_str("ApiToken(<redacted>)"),
            CredentialsConfig::AccessToken(_) => f.write_str("AccessToken(<redacted>)"),
            CredentialsConfig::PrivateKeyJwt(p) => p.fmt(f),
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("strict_decoding", &self.strict_decoding)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Reads the configuration [`Client::from_env`] describes.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let url = get("OKTA_CLIENT_ORGURL")
            .ok_or_else(|| Error::Config("OKTA_CLIENT_ORGURL is not set".into()))?;
        let mut builder = Self::default().base_url(url);
        let mode = get("OKTA_CLIENT_AUTHORIZATIONMODE").unwrap_or_else(|| "SSWS".into());
        match mode.to_ascii_lowercase().as_str() {
            "ssws" => {
                let token = get("OKTA_CLIENT_TOKEN")
                    .ok_or_else(|| Error::Config("OKTA_CLIENT_TOKEN is not set".into()))?;
                builder = builder.api_token(token);
            }
            "bearer" => {
                let token = get("OKTA_CLIENT_TOKEN")
                    .ok_or_else(|| Error::Config("OKTA_CLIENT_TOKEN is not set".into()))?;
                builder = builder.access_token(token);
            }
            "privatekey" => {
                let client_id = get("OKTA_CLIENT_CLIENTID")
                    .ok_or_else(|| Error::Config("OKTA_CLIENT_CLIENTID is not set".into()))?;
                let key = get("OKTA_CLIENT_PRIVATEKEY")
                    .ok_or_else(|| Error::Config("OKTA_CLIENT_PRIVATEKEY is not set".into()))?;
                let pem = if key.contains("-----BEGIN") {
                    key
                } else {
                    std::fs::read_to_string(key.trim()).map_err(|e| {
                        Error::Config(format!(
                            "OKTA_CLIENT_PRIVATEKEY is neither a PEM key nor a readable file: {e}"
                        ))
                    })?
                };
                let scopes: Vec<String> = get("OKTA_CLIENT_SCOPES")
                    .unwrap_or_default()
                    .split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                let mut jwt = PrivateKeyJwt::new(client_id, pem).scopes(scopes);
                if let Some(kid) = get("OKTA_CLIENT_PRIVATEKEYID") {
                    jwt = jwt.key_id(kid);
                }
                builder = builder.private_key_jwt(jwt);
            }
            _ => {
                return Err(Error::Config(format!(
                    "OKTA_CLIENT_AUTHORIZATIONMODE is `{mode}`; expected SSWS, Bearer or PrivateKey"
                )));
            }
        }
        Ok(builder)
    }

    /// The org URL, e.g. `https://example.okta.com`. Plain `http` is accepted only for
    /// loopback addresses (tests).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Authenticates with an API token (`Authorization: SSWS …`).
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(CredentialsConfig::ApiToken(token.into()));
        self
    }

    /// Authenticates with an OAuth 2.0 access token obtained elsewhere (`Authorization: Bearer …`).
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(CredentialsConfig::AccessToken(token.into()));
        self
    }

    /// Authenticates as an OAuth 2.0 service app with `private_key_jwt`; the client obtains,
    /// caches and refreshes access tokens itself.
    pub fn private_key_jwt(mut self, config: PrivateKeyJwt) -> Self {
        self.credentials = Some(CredentialsConfig::PrivateKeyJwt(config));
        self
    }

    /// Uses this `reqwest::Client` (its proxies, TLS settings and pool) instead of a new one.
    /// [`connect_timeout`](Self::connect_timeout) then has no effect; the other timeouts do.
    /// Build it with `redirect(reqwest::redirect::Policy::none())`: the client follows
    /// redirects itself, only on the org's origin, and refuses an answer that a client
    /// following redirects elsewhere brings back.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Text appended to the `User-Agent` header
    /// (`okta-client-rust/<version> rust/<os>-<arch> <suffix>`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Limit for each attempt, from sending to the end of the body, the access token request
    /// included ([`DEFAULT_TIMEOUT`], 60 s, unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// No limit for an attempt: it may wait as long as the call's deadline allows.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Limit for establishing a connection ([`DEFAULT_CONNECT_TIMEOUT`], 30 s, unless set).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Limit for a whole call, retries, waits between them and the access token request
    /// included ([`DEFAULT_DEADLINE`], 5 min, unless set).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// No limit for a whole call. With [`no_timeout`](Self::no_timeout) too, a server that
    /// accepts a connection and never answers makes the call wait forever.
    pub fn no_deadline(mut self) -> Self {
        self.deadline = None;
        self
    }

    /// How failed requests are retried; see [`RetryPolicy`](crate::RetryPolicy).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Whether a response body with a value of another JSON type than the spec's fails as
    /// [`Error::Decode`](crate::Error::Decode) (off by default). Off, such a value reads as
    /// an unset field, is kept in its model's `additional_properties` (so that writing the
    /// model back sends it unchanged), and a `tracing` warning names its JSON path; one such
    /// item does not fail a list page or its stream.
    pub fn strict_decoding(mut self, strict: bool) -> Self {
        self.strict_decoding = strict;
        self
    }

    /// Shorthand for a retry policy with this many retries (0 disables retrying).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.retry.max_retries = max_retries;
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let raw = self.base_url.ok_or_else(|| {
            Error::Config("no base URL: call `base_url(\"https://your-org.okta.com\")`".into())
        })?;
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
        if !base_url.username().is_empty() || base_url.password().is_some() {
            return Err(Error::Config(
                "the base URL must not contain credentials".into(),
            ));
        }
        // Paths are appended to the base, so keep it without a trailing slash.
        let trimmed = base_url.path().trim_end_matches('/').to_string();
        base_url.set_path(&trimmed);
        for (name, value) in [("timeout", self.timeout), ("deadline", self.deadline)] {
            if value == Some(Duration::ZERO) {
                return Err(Error::Config(format!(
                    "the {name} must be longer than zero"
                )));
            }
        }
        let credentials = match self.credentials {
            None => None,
            Some(CredentialsConfig::ApiToken(t)) => Some(Credentials::ApiToken(check_token(t)?)),
            Some(CredentialsConfig::AccessToken(t)) => {
                Some(Credentials::AccessToken(check_token(t)?))
            }
            Some(CredentialsConfig::PrivateKeyJwt(config)) => Some(Credentials::OAuth(Arc::new(
                OAuthSource::new(config, &base_url)?,
            ))),
        };
        let mut user_agent = format!(
            "okta-client-rust/{} rust/{}-{}",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        if let Some(suffix) = &self.user_agent_suffix {
            user_agent.push(' ');
            user_agent.push_str(suffix.trim());
        }
        if reqwest::header::HeaderValue::from_str(&user_agent).is_err() {
            return Err(Error::Config(
                "the user agent suffix is not valid in an HTTP header".into(),
            ));
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                // Redirects are followed by the request loop, which keeps them on the org.
                let mut b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
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
                credentials,
                user_agent,
                retry: self.retry,
                timeout: self.timeout,
                deadline: self.deadline,
                strict_decoding: self.strict_decoding,
            }),
        })
    }
}

fn check_token(token: String) -> Result<String, Error> {
    let token = token.trim().to_string();
    if token.is_empty() {
        return Err(Error::Config("the token is empty".into()));
    }
    if reqwest::header::HeaderValue::from_str(&token).is_err() {
        return Err(Error::Config(
            "the token contains characters not allowed in an HTTP header".into(),
        ));
    }
    Ok(token)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn from_env_reads_an_api_token() {
        let b = ClientBuilder::from_lookup(env(&[
            ("OKTA_CLIENT_ORGURL", "https://example.okta.com"),
            ("OKTA_CLIENT_TOKEN", "00abc"),
        ]))
        .unwrap();
        let client = b.build().unwrap();
        assert_eq!(client.base_url().as_str(), "https://example.okta.com/");
        assert!(
            matches!(client.inner().credentials, Some(Credentials::ApiToken(ref t)) if t == "00abc")
        );
    }

    #[test]
    fn from_env_reports_what_is_missing() {
        let e = ClientBuilder::from_lookup(env(&[])).unwrap_err();
        assert!(e.to_string().contains("OKTA_CLIENT_ORGURL"), "{e}");
        let e = ClientBuilder::from_lookup(env(&[("OKTA_CLIENT_ORGURL", "https://x.okta.com")]))
            .unwrap_err();
        assert!(e.to_string().contains("OKTA_CLIENT_TOKEN"), "{e}");
        let e = ClientBuilder::from_lookup(env(&[
            ("OKTA_CLIENT_ORGURL", "https://x.okta.com"),
            ("OKTA_CLIENT_AUTHORIZATIONMODE", "PrivateKey"),
            ("OKTA_CLIENT_CLIENTID", "0oa1"),
        ]))
        .unwrap_err();
        assert!(e.to_string().contains("OKTA_CLIENT_PRIVATEKEY"), "{e}");
        let e = ClientBuilder::from_lookup(env(&[
            ("OKTA_CLIENT_ORGURL", "https://x.okta.com"),
            ("OKTA_CLIENT_AUTHORIZATIONMODE", "Magic"),
        ]))
        .unwrap_err();
        assert!(e.to_string().contains("Magic"), "{e}");
    }

    #[test]
    fn bad_configuration_is_refused_at_build_time() {
        for (url, token) in [
            ("ftp://example.okta.com", "t"),
            ("https://example.okta.com?x=1", "t"),
            ("https://user:pw@example.okta.com", "t"),
            ("not a url", "t"),
            ("https://example.okta.com", "  "),
            ("https://example.okta.com", "bad\ntoken"),
        ] {
            let e = Client::builder()
                .base_url(url)
                .api_token(token)
                .build()
                .unwrap_err();
            assert!(matches!(e, Error::Config(_)), "{url} {token:?}: {e:?}");
        }
        let e = Client::builder()
            .base_url("https://example.okta.com")
            .private_key_jwt(PrivateKeyJwt::new("0oa1", "not a key"))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("private key"), "{e}");
        let e = Client::builder()
            .base_url("https://example.okta.com")
            .deadline(Duration::ZERO)
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("deadline"), "{e}");
    }

    #[test]
    fn the_user_agent_names_the_client_and_the_platform() {
        let c = Client::builder()
            .base_url("https://example.okta.com")
            .user_agent_suffix("my-app/1.0")
            .build()
            .unwrap();
        let ua = &c.inner().user_agent;
        assert!(ua.starts_with("okta-client-rust/"), "{ua}");
        assert!(
            ua.contains(&format!(
                " rust/{}-{}",
                std::env::consts::OS,
                std::env::consts::ARCH
            )),
            "{ua}"
        );
        assert!(ua.ends_with(" my-app/1.0"), "{ua}");
    }
}
