//! Sending a request: credentials, the retry loop within the call's deadline, redirects on
//! the org's origin, a new access token or DPoP nonce after a 401, until an answer or a
//! typed error.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderValue};
use tracing::Instrument;

use super::auth::{Credentials, OAuthSource, asks_for_dpop_nonce};
use super::error::{ApiError, Error, OktaError, excerpt, transport_error};
use super::headers::RateLimit;
use super::redirect::{redirect_location, redirect_target, same_origin};
use super::request::Request;
use super::response::RawResponse;
use super::retry::{RetryPolicy, attempt_limit, deadline_error, fits, retry_after_failure};

impl Request {
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
        let mut call = Call::start(&self)?;
        let result = loop {
            match self.attempt(&mut call, span).await {
                Ok(Step::Again) => {}
                Ok(Step::Answered(response)) => break Ok(response),
                Err(err) => break Err(err),
            }
        };
        span.record("retries", call.retries);
        result
    }

    /// One attempt: credentials, one exchange with the server, and what its answer means.
    async fn attempt(&self, call: &mut Call<'_>, span: &tracing::Span) -> Result<Step, Error> {
        let inner = self.client.inner();
        let timeout = attempt_limit(inner.timeout, call.deadline, inner.deadline)?;
        let authorization = match self.authorization(timeout, call.deadline).await {
            Ok(authorization) => authorization,
            Err(err) => {
                // The token request is retried as an idempotent request would be.
                let retryable = match &err {
                    Error::Transport(_) => true,
                    Error::Timeout { .. } => call.deadline.is_none_or(|d| Instant::now() < d),
                    Error::Authentication(e) => matches!(e.status, 429 | 500..=599),
                    _ => false,
                };
                return call
                    .retry_after(retryable, "a failed access token request", err)
                    .await;
            }
        };
        let headers = call.attempt_headers(authorization.as_deref())?;
        // The wait for an access token took some of the time left.
        let timeout = attempt_limit(inner.timeout, call.deadline, inner.deadline)?;
        let (status, headers, body) = match self.exchange(call, headers, timeout).await {
            Ok(answer) => answer,
            Err(err) => {
                let retryable =
                    self.idempotent() && matches!(err, Error::Transport(_) | Error::Timeout { .. });
                let err = match (err, call.deadline) {
                    (Error::Timeout { .. }, Some(d)) if Instant::now() >= d => {
                        deadline_error(inner.deadline)
                    }
                    (err, _) => err,
                };
                return call
                    .retry_after(retryable, "a transport failure", err)
                    .await;
            }
        };
        self.answer(call, span, authorization.as_deref(), status, headers, body)
            .await
    }

    /// Sends one attempt and reads its answer: status, headers and the whole body.
    async fn exchange(
        &self,
        call: &Call<'_>,
        headers: HeaderMap,
        timeout: Option<Duration>,
    ) -> Result<(u16, HeaderMap, Bytes), Error> {
        let mut builder = self
            .client
            .inner()
            .http
            .request(call.method.clone(), call.url.clone())
            .headers(headers);
        if let Some(bytes) = &call.body {
            builder = builder.body(bytes.clone());
        }
        if let Some(t) = timeout {
            builder = builder.timeout(t);
        }
        let mut response = builder.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        if !same_origin(response.url(), self.client.base_url()) {
            // An HTTP client of the caller's that followed a redirect elsewhere.
            return Err(Error::Redirect {
                status,
                location: response.url().origin().ascii_serialization(),
                reason: "the answer came from another origin than the org's".into(),
            });
        }
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await.map_err(transport_error)?;
        Ok((status, headers, body))
    }

    /// What an answer means: the response, a redirect followed, a retry (with a DPoP nonce,
    /// a new access token or after a wait), or the error it carries.
    async fn answer(
        &self,
        call: &mut Call<'_>,
        span: &tracing::Span,
        authorization: Option<&str>,
        status: u16,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Step, Error> {
        let inner = self.client.inner();
        let request_id = headers
            .get("x-okta-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if call.first_request_id.is_none() {
            call.first_request_id = request_id.clone();
        }
        span.record("status", status);
        span.record("retries", call.retries);
        if let Some(id) = &request_id {
            span.record("request_id", id.as_str());
        }
        tracing::debug!(status, "response received");
        let new_nonce = call
            .oauth
            .is_some_and(|source| source.note_api_nonce(&headers));
        if (200..300).contains(&status) {
            return Ok(Step::Answered(RawResponse::received(
                status,
                headers,
                body,
                request_id,
                inner.strict_decoding,
            )));
        }
        if let Some(location) = redirect_location(status, &headers) {
            call.follow_redirect(status, location, self.client.base_url())?;
            return Ok(Step::Again);
        }
        if status == 401 && new_nonce && !call.nonce_retried && asks_for_dpop_nonce(&headers) {
            // RFC 9449 section 9: the API wants a proof with its nonce; once more with it.
            call.nonce_retried = true;
            tracing::debug!("retrying with the DPoP nonce the server asked for");
            return Ok(Step::Again);
        }
        if status == 401 && !call.refreshed {
            if let (Some(source), Some(sent)) = (call.oauth, authorization) {
                // The access token may have been revoked or expired early: get a new one, once.
                source.invalidate(sent).await;
                call.refreshed = true;
                tracing::debug!("refreshing the access token after a 401");
                return Ok(Step::Again);
            }
        }
        let wait = inner
            .retry
            .wait_after_answer(status, &headers, call.retries, self.idempotent());
        if let Some(wait) = wait.filter(|w| fits(call.deadline, *w)) {
            call.retries += 1;
            tracing::debug!(
                status,
                retries = call.retries,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(wait).await;
            return Ok(Step::Again);
        }
        Err(Error::Api(Box::new(ApiError {
            status,
            okta: OktaError::parse(&body),
            request_id,
            rate_limit: RateLimit::from_headers(&headers),
            body_excerpt: excerpt(&body, 2048),
        })))
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

/// What the loop does after an attempt.
// Returned once per attempt and unpacked at once: boxing the response would cost every call
// an allocation to save a few bytes of stack.
#[allow(clippy::large_enum_variant)]
enum Step {
    /// Try again (a retry, a redirect, a new token or nonce).
    Again,
    Answered(RawResponse),
}

/// What one call carries from attempt to attempt: where it goes and what it sends (both
/// changed by redirects), its deadline, and the retries, redirects and credential refreshes
/// it has used.
struct Call<'a> {
    policy: RetryPolicy,
    oauth: Option<&'a OAuthSource>,
    url: Url,
    method: reqwest::Method,
    body: Option<Bytes>,
    /// The headers every attempt sends (all but credentials and retry headers).
    fixed: HeaderMap,
    deadline: Option<Instant>,
    retries: u32,
    redirects: u32,
    /// The request id of the first answer, sent as `X-Okta-Retry-For` on retries.
    first_request_id: Option<String>,
    refreshed: bool,
    nonce_retried: bool,
}

impl<'a> Call<'a> {
    fn start(request: &'a Request) -> Result<Self, Error> {
        let inner = request.client.inner();
        Ok(Self {
            policy: inner.retry,
            oauth: match &inner.credentials {
                Some(Credentials::OAuth(source)) => Some(source.as_ref()),
                _ => None,
            },
            url: request.url()?,
            method: request.method.clone(),
            body: request.body.as_ref().map(|(_, bytes)| bytes.clone()),
            fixed: request.fixed_headers()?,
            // A deadline too far ahead for the clock to hold is no deadline.
            deadline: inner.deadline.and_then(|d| Instant::now().checked_add(d)),
            retries: 0,
            redirects: 0,
            first_request_id: None,
            refreshed: false,
            nonce_retried: false,
        })
    }

    /// The headers of the next attempt: the fixed ones, the credentials (with a DPoP proof
    /// when the token is bound to one) and, on a retry, Okta's retry headers.
    fn attempt_headers(&self, authorization: Option<&str>) -> Result<HeaderMap, Error> {
        let mut headers = self.fixed.clone();
        if let Some(authorization) = authorization {
            let mut value = HeaderValue::from_str(authorization)
                .map_err(|_| Error::Config("the token is not a valid header value".into()))?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
            let proof = self
                .oauth
                .map(|source| source.api_proof(self.method.as_str(), &self.url, authorization))
                .transpose()?
                .flatten();
            if let Some(proof) = proof {
                let mut proof = HeaderValue::from_str(&proof).map_err(|_| {
                    Error::Config("the DPoP proof is not a valid header value".into())
                })?;
                proof.set_sensitive(true);
                headers.insert("dpop", proof);
            }
        }
        if self.retries > 0 {
            if let Some(id) = self
                .first_request_id
                .as_deref()
                .and_then(|id| HeaderValue::from_str(id).ok())
            {
                headers.insert("x-okta-retry-for", id);
            }
            headers.insert("x-okta-retry-count", HeaderValue::from(self.retries));
        }
        Ok(headers)
    }

    /// After a failed attempt: [`Step::Again`] once the backoff is waited, if the failure is
    /// `retryable` and a retry fits the policy and the deadline; otherwise `err`.
    async fn retry_after(
        &mut self,
        retryable: bool,
        failure: &str,
        err: Error,
    ) -> Result<Step, Error> {
        if retry_after_failure(
            &self.policy,
            &mut self.retries,
            self.deadline,
            retryable,
            failure,
        )
        .await
        {
            Ok(Step::Again)
        } else {
            Err(err)
        }
    }

    /// Moves the call to a redirect's `location`, if it stays on the org's origin (`base`)
    /// within the redirect limit; otherwise the redirect is the error.
    fn follow_redirect(&mut self, status: u16, location: &str, base: &Url) -> Result<(), Error> {
        let next =
            redirect_target(&self.url, location, base, self.redirects).map_err(|reason| {
                Error::Redirect {
                    status,
                    location: location.to_string(),
                    reason,
                }
            })?;
        self.redirects += 1;
        tracing::debug!(
            status,
            redirects = self.redirects,
            "following a redirect on the org's origin"
        );
        // 303, and 301/302 after anything but GET or HEAD, continue with a GET without a
        // body (RFC 9110 15.4); 307 and 308 repeat the request as it was.
        if status == 303
            || (matches!(status, 301 | 302)
                && !matches!(self.method, reqwest::Method::GET | reqwest::Method::HEAD))
        {
            self.method = reqwest::Method::GET;
            self.body = None;
            self.fixed.remove(reqwest::header::CONTENT_TYPE);
        }
        self.url = next;
        Ok(())
    }
}
