//! Credentials: API tokens, access tokens, and OAuth 2.0 client credentials with a signed
//! client assertion (`private_key_jwt`). No secret is ever printed.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use super::error::{ApiError, Error, OktaError, excerpt};

/// An OAuth 2.0 service app signing in with `private_key_jwt`.
///
/// The client signs a short-lived assertion with the private key (RS256 for RSA keys, ES256
/// for P-256 keys; PEM, PKCS#1 or PKCS#8 for RSA, PKCS#8 for EC), exchanges it at
/// `{org}/oauth2/v1/token` for an access token, keeps that token until shortly before it
/// expires, and refreshes it with one request at a time.
#[derive(Clone)]
pub struct PrivateKeyJwt {
    client_id: String,
    private_key_pem: String,
    key_id: Option<String>,
    scopes: Vec<String>,
    dpop: Option<DpopKey>,
}

/// The key that signs DPoP proofs.
#[derive(Clone)]
enum DpopKey {
    /// A P-256 key made when the client is built, never written anywhere.
    Generated,
    /// A PEM key of the caller's (RSA or P-256).
    Pem(String),
}

impl PrivateKeyJwt {
    /// `client_id` of the service app and its private key in PEM form.
    pub fn new(client_id: impl Into<String>, private_key_pem: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            private_key_pem: private_key_pem.into(),
            key_id: None,
            scopes: Vec::new(),
            dpop: None,
        }
    }

    /// Binds the access tokens to a key with DPoP (RFC 9449), for service apps that require
    /// it: a P-256 key is made when the client is built, and every token request and API
    /// request carries a proof signed with it (`Authorization: DPoP …`). The `DPoP-Nonce`
    /// Okta asks for (`use_dpop_nonce`) is sent on one retry and on the requests after it.
    pub fn dpop(mut self) -> Self {
        self.dpop = Some(DpopKey::Generated);
        self
    }

    /// As [`dpop`](Self::dpop), with proofs signed by this PEM key (RS256 for RSA, ES256 for
    /// P-256) instead of a new one; it should not be the key of the client assertion.
    pub fn dpop_key(mut self, private_key_pem: impl Into<String>) -> Self {
        self.dpop = Some(DpopKey::Pem(private_key_pem.into()));
        self
    }

    /// The `kid` of the key registered with the app.
    pub fn key_id(mut self, kid: impl Into<String>) -> Self {
        self.key_id = Some(kid.into());
        self
    }

    /// The scopes to request, e.g. `okta.users.read`.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }
}

impl fmt::Debug for PrivateKeyJwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKeyJwt")
            .field("client_id", &self.client_id)
            .field("private_key_pem", &"<redacted>")
            .field("key_id", &self.key_id)
            .field("scopes", &self.scopes)
            .field(
                "dpop",
                &match self.dpop {
                    None => "off",
                    Some(DpopKey::Generated) => "a generated key",
                    Some(DpopKey::Pem(_)) => "<redacted key>",
                },
            )
            .finish()
    }
}

/// Credentials sent with every authenticated request.
#[derive(Clone)]
pub(crate) enum Credentials {
    /// `Authorization: SSWS {token}`.
    ApiToken(String),
    /// `Authorization: Bearer {token}`, a token the caller obtained.
    AccessToken(String),
    /// Access tokens obtained and refreshed by the client.
    OAuth(Arc<OAuthSource>),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiToken(_) => f.write_str("ApiToken(<redacted>)"),
            Credentials::AccessToken(_) => f.write_str("AccessToken(<redacted>)"),
            Credentials::OAuth(s) => f
                .debug_struct("PrivateKeyJwt")
                .field("client_id", &s.client_id)
                .field("key", &"<redacted>")
                .field("scopes", &s.scopes)
                .field("dpop", &s.dpop.is_some())
                .finish_non_exhaustive(),
        }
    }
}

pub(crate) struct OAuthSource {
    client_id: String,
    key: EncodingKey,
    algorithm: Algorithm,
    key_id: Option<String>,
    scopes: Vec<String>,
    token_url: Url,
    /// Held across a refresh, so that concurrent callers wait for one token request.
    cache: tokio::sync::Mutex<Option<CachedToken>>,
    dpop: Option<Dpop>,
}

/// DPoP proofs (RFC 9449): the signing key, its public JWK, and the last nonces the token
/// endpoint and the API asked for.
struct Dpop {
    key: EncodingKey,
    algorithm: Algorithm,
    jwk: jsonwebtoken::jwk::Jwk,
    token_nonce: std::sync::Mutex<Option<String>>,
    api_nonce: std::sync::Mutex<Option<String>>,
}

#[derive(Serialize)]
struct ProofClaims<'a> {
    jti: String,
    htm: &'a str,
    htu: &'a str,
    iat: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    ath: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
}

/// Where a nonce comes from and goes to.
#[derive(Clone, Copy)]
enum NonceFor {
    Token,
    Api,
}

impl Dpop {
    fn new(key: &DpopKey) -> Result<Self, Error> {
        let (algorithm, key) = match key {
            DpopKey::Generated => {
                use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
                let document = EcdsaKeyPair::generate_pkcs8(
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    &aws_lc_rs::rand::SystemRandom::new(),
                )
                .map_err(|_| Error::Config("cannot make a DPoP key".into()))?;
                (
                    Algorithm::ES256,
                    EncodingKey::from_ec_der(document.as_ref()),
                )
            }
            DpopKey::Pem(pem) => parse_key(pem.as_bytes()).ok_or_else(|| {
                Error::Config("the DPoP key is not a PEM RSA or P-256 EC private key".into())
            })?,
        };
        let jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&key, algorithm)
            .map_err(|e| Error::Config(format!("cannot derive the DPoP public key: {e}")))?;
        Ok(Dpop {
            key,
            algorithm,
            jwk,
            token_nonce: std::sync::Mutex::new(None),
            api_nonce: std::sync::Mutex::new(None),
        })
    }

    fn nonce(&self, of: NonceFor) -> &std::sync::Mutex<Option<String>> {
        match of {
            NonceFor::Token => &self.token_nonce,
            NonceFor::Api => &self.api_nonce,
        }
    }

    /// A proof for `method` on `url` (without its query and fragment), bound to
    /// `access_token` (`ath`) on API requests, with the last nonce asked for.
    fn proof(
        &self,
        method: &str,
        url: &Url,
        access_token: Option<&str>,
        of: NonceFor,
    ) -> Result<String, Error> {
        let mut htu = url.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let ath = access_token.map(|token| {
            use base64::Engine;
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
        });
        let claims = ProofClaims {
            jti: uuid::Uuid::new_v4().to_string(),
            htm: method,
            htu: htu.as_str(),
            iat: now_secs(),
            ath,
            nonce: self.nonce(of).lock().map(|n| n.clone()).unwrap_or_default(),
        };
        let mut header = Header::new(self.algorithm);
        header.typ = Some("dpop+jwt".into());
        header.jwk = Some(self.jwk.clone());
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| Error::Config(format!("cannot sign the DPoP proof: {e}")))
    }

    /// Keeps the `DPoP-Nonce` of an answer; whether it changed.
    fn note_nonce(&self, of: NonceFor, headers: &reqwest::header::HeaderMap) -> bool {
        let Some(nonce) = headers.get("dpop-nonce").and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let mut slot = match self.nonce(of).lock() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        let changed = slot.as_deref() != Some(nonce);
        *slot = Some(nonce.to_string());
        changed
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// An RSA or P-256 private key in PEM form, with the algorithm it signs with.
fn parse_key(pem: &[u8]) -> Option<(Algorithm, EncodingKey)> {
    let candidates: [(Algorithm, KeyParser); 2] = [
        (Algorithm::RS256, EncodingKey::from_rsa_pem),
        (Algorithm::ES256, EncodingKey::from_ec_pem),
    ];
    for (algorithm, parse) in candidates {
        if let Ok(key) = parse(pem) {
            // Parsing is lenient; signing proves the key fits the algorithm.
            if jsonwebtoken::encode(&Header::new(algorithm), &serde_json::json!({}), &key).is_ok() {
                return Some((algorithm, key));
            }
        }
    }
    None
}

struct CachedToken {
    /// The full `Authorization` value.
    authorization: String,
    refresh_at: Instant,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    jti: String,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

type KeyParser = fn(&[u8]) -> jsonwebtoken::errors::Result<EncodingKey>;

/// How long a client assertion is valid.
const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);

impl OAuthSource {
    pub(crate) fn new(config: PrivateKeyJwt, base_url: &Url) -> Result<Self, Error> {
        if config.client_id.trim().is_empty() {
            return Err(Error::Config("the OAuth client id is empty".into()));
        }
        let Some((algorithm, key)) = parse_key(config.private_key_pem.as_bytes()) else {
            return Err(Error::Config(
                "the private key is not a PEM RSA or P-256 EC private key".into(),
            ));
        };
        let dpop = config.dpop.as_ref().map(Dpop::new).transpose()?;
        let mut token_url = base_url.clone();
        let path = format!("{}/oauth2/v1/token", base_url.path().trim_end_matches('/'));
        token_url.set_path(&path);
        Ok(Self {
            client_id: config.client_id,
            key,
            algorithm,
            key_id: config.key_id,
            scopes: config.scopes,
            token_url,
            cache: tokio::sync::Mutex::new(None),
            dpop,
        })
    }

    /// The `DPoP` header of an API request sent with `authorization` (`DPoP <token>`), if
    /// the tokens are DPoP-bound.
    pub(crate) fn api_proof(
        &self,
        method: &str,
        url: &Url,
        authorization: &str,
    ) -> Result<Option<String>, Error> {
        match (&self.dpop, authorization.strip_prefix("DPoP ")) {
            (Some(dpop), Some(token)) => dpop
                .proof(method, url, Some(token), NonceFor::Api)
                .map(Some),
            _ => Ok(None),
        }
    }

    /// Keeps the API's `DPoP-Nonce` from an answer; whether it is a new one.
    pub(crate) fn note_api_nonce(&self, headers: &reqwest::header::HeaderMap) -> bool {
        self.dpop
            .as_ref()
            .is_some_and(|d| d.note_nonce(NonceFor::Api, headers))
    }

    fn assertion(&self) -> Result<String, Error> {
        let now = now_secs();
        let claims = Claims {
            iss: &self.client_id,
            sub: &self.client_id,
            aud: self.token_url.as_str(),
            iat: now,
            exp: now + ASSERTION_LIFETIME.as_secs(),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let mut header = Header::new(self.algorithm);
        header.kid = self.key_id.clone();
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| Error::Config(format!("cannot sign the client assertion: {e}")))
    }

    /// The `Authorization` value to send: the cached token, or a new one. The token request
    /// takes at most `timeout`, and waiting for it (also for another caller's refresh) ends at
    /// the call's `deadline` (of `limit`, for the message).
    pub(crate) async fn authorization(
        &self,
        http: &reqwest::Client,
        timeout: Option<Duration>,
        deadline: Option<Instant>,
        limit: Option<Duration>,
    ) -> Result<String, Error> {
        let out_of_time = || Error::Timeout {
            message: format!(
                "no access token within the call's deadline of {:?}",
                limit.unwrap_or_default()
            ),
            source: None,
        };
        let mut cache = match deadline {
            Some(d) => tokio::time::timeout_at(d.into(), self.cache.lock())
                .await
                .map_err(|_| out_of_time())?,
            None => self.cache.lock().await,
        };
        if let Some(token) = cache.as_ref() {
            if Instant::now() < token.refresh_at {
                return Ok(token.authorization.clone());
            }
        }
        let fetch = self.fetch(http, timeout);
        let token = match deadline {
            Some(d) => tokio::time::timeout_at(d.into(), fetch)
                .await
                .map_err(|_| out_of_time())??,
            None => fetch.await?,
        };
        let authorization = token.authorization.clone();
        *cache = Some(token);
        Ok(authorization)
    }

    /// Drops the cached token if it is still `authorization` (after a 401).
    pub(crate) async fn invalidate(&self, authorization: &str) {
        let mut cache = self.cache.lock().await;
        if cache
            .as_ref()
            .is_some_and(|t| t.authorization == authorization)
        {
            *cache = None;
        }
    }

    async fn fetch(
        &self,
        http: &reqwest::Client,
        timeout: Option<Duration>,
    ) -> Result<CachedToken, Error> {
        match self.fetch_once(http, timeout).await {
            // The token endpoint asks for a nonce first (RFC 9449 section 8): once more with it.
            Err(Error::Authentication(e))
                if self.dpop.is_some()
                    && e.status == 400
                    && e.okta.as_ref().and_then(|o| o.error_code.as_deref())
                        == Some("use_dpop_nonce") =>
            {
                self.fetch_once(http, timeout).await
            }
            other => other,
        }
    }

    async fn fetch_once(
        &self,
        http: &reqwest::Client,
        timeout: Option<Duration>,
    ) -> Result<CachedToken, Error> {
        let assertion = self.assertion()?;
        let scope = self.scopes.join(" ");
        let form = [
            ("grant_type", "client_credentials"),
            ("scope", scope.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.as_str()),
        ];
        let body = serde_urlencoded::to_string(form)
            .map_err(|e| Error::Request(format!("cannot encode the token request: {e}")))?;
        let span = tracing::debug_span!("okta.token", url = %self.token_url, status = tracing::field::Empty);
        let mut request = http
            .post(self.token_url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body);
        if let Some(dpop) = &self.dpop {
            // Also the very first token request carries a proof.
            let proof = dpop.proof("POST", &self.token_url, None, NonceFor::Token)?;
            request = request.header("dpop", proof);
        }
        if let Some(t) = timeout {
            request = request.timeout(t);
        }
        let response = request
            .send()
            .instrument(span.clone())
            .await
            .map_err(super::error::transport_error)?;
        let status = response.status().as_u16();
        span.record("status", status);
        let headers = response.headers().clone();
        if let Some(dpop) = &self.dpop {
            dpop.note_nonce(NonceFor::Token, &headers);
        }
        let bytes = response
            .bytes()
            .await
            .map_err(super::error::transport_error)?;
        if !(200..300).contains(&status) {
            return Err(Error::Authentication(Box::new(ApiError {
                status,
                okta: OktaError::parse(&bytes),
                request_id: headers
                    .get("x-okta-request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                rate_limit: super::headers::RateLimit::from_headers(&headers),
                body_excerpt: excerpt(&bytes, 2048),
            })));
        }
        let token: TokenResponse = serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
            status,
            path: ".".into(),
            message: format!("the token response is not understood: {e}"),
            body_excerpt: String::from("<token response withheld>"),
            request_id: None,
        })?;
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(3600));
        // Refresh a minute early (or at half-life for short tokens).
        let margin = Duration::from_secs(60).min(lifetime / 2);
        let kind = token.token_type.unwrap_or_else(|| "Bearer".into());
        let kind = if kind.eq_ignore_ascii_case("bearer") {
            "Bearer".to_string()
        } else if kind.eq_ignore_ascii_case("dpop") {
            "DPoP".to_string()
        } else {
            kind
        };
        Ok(CachedToken {
            authorization: format!("{kind} {}", token.access_token),
            // A lifetime too long for the clock to hold is refreshed after a day.
            refresh_at: Instant::now()
                .checked_add(lifetime - margin)
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400)),
        })
    }
}

/// Whether a 401 answer asks for a DPoP proof with a nonce (`WWW-Authenticate: DPoP
/// error="use_dpop_nonce"`).
pub(crate) fn asks_for_dpop_nonce(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("use_dpop_nonce"))
}
