// Copied unchanged by okta-codegen from generator/runtime/retry.rs; edit it there.

//! Retries: when to try again and how long to wait first.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

use super::error::Error;
use super::headers::header_u64;

/// How failed requests are retried.
///
/// A 429 (rate limited) answer is retried after the rate-limit window resets, measured with
/// Okta's `X-Rate-Limit-Reset` against the response's `Date` (the local clock if absent), plus
/// a little jitter. 503 and 504 answers and connection failures are retried, with exponential
/// backoff, only for idempotent methods (GET, PUT, DELETE, HEAD, OPTIONS). No wait exceeds
/// `max_backoff`, and missing or garbled headers fall back to exponential backoff, never to an
/// immediate retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying. Default 2.
    pub max_retries: u32,
    /// The first exponential backoff step (doubled each retry). Default 500 ms.
    pub base_backoff: Duration,
    /// The longest single wait. Default 60 s (Okta's rate-limit windows are one minute).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retries.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The default policy with another retry count.
    pub fn with_max_retries(max_retries: u32) -> Self {
        Self {
            max_retries,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (1-based) after a 429 with these headers.
    pub fn rate_limit_delay(&self, headers: &HeaderMap, retry: u32, now: SystemTime) -> Duration {
        let reset = header_u64(headers, "x-rate-limit-reset");
        let server_now = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .unwrap_or(now);
        // A reset too far ahead for the clock to hold waits as long as a wait may.
        let reset_at = reset.map(|r| UNIX_EPOCH.checked_add(Duration::from_secs(r)));
        let delay = match reset_at {
            Some(Some(reset_at)) => {
                reset_at
                    .duration_since(server_now)
                    .unwrap_or(Duration::ZERO)
                    + jitter()
            }
            Some(None) => self.max_backoff,
            None => self.backoff(retry),
        };
        delay.min(self.max_backoff)
    }

    /// Exponential backoff with jitter for retry number `retry` (1-based).
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(16));
        (self.base_backoff.saturating_mul(factor) + jitter()).min(self.max_backoff)
    }

    /// The wait before retrying an answer of `status` (with these headers) after `retries`
    /// retries, if it is retried: a 429 always, after its rate-limit reset; a 503 or 504
    /// only for an `idempotent` request, after a backoff; nothing once the retries are spent.
    pub(crate) fn wait_after_answer(
        &self,
        status: u16,
        headers: &HeaderMap,
        retries: u32,
        idempotent: bool,
    ) -> Option<Duration> {
        if retries >= self.max_retries {
            None
        } else if status == 429 {
            Some(self.rate_limit_delay(headers, retries + 1, SystemTime::now()))
        } else if matches!(status, 503 | 504) && idempotent {
            Some(self.backoff(retries + 1))
        } else {
            None
        }
    }
}

/// 100 ms to 1 s, so that clients limited together do not retry together.
fn jitter() -> Duration {
    Duration::from_millis(fastrand::u64(100..1000))
}

/// How long the next attempt may take: the timeout, cut to the time left before the deadline
/// (`limit` is the configured deadline, for the error once it has passed).
pub(crate) fn attempt_limit(
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
pub(crate) async fn retry_after_failure(
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

/// Whether a wait ends before the deadline.
pub(crate) fn fits(deadline: Option<Instant>, wait: Duration) -> bool {
    deadline.is_none_or(|d| Instant::now() + wait < d)
}

/// The error of a call whose deadline (`deadline`, as configured) has passed.
pub(crate) fn deadline_error(deadline: Option<Duration>) -> Error {
    Error::Timeout {
        message: format!(
            "the call did not finish within its deadline of {:?}, retries included",
            deadline.unwrap_or_default()
        ),
        source: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn waits_until_the_reset_measured_by_the_server_clock() {
        let policy = RetryPolicy::default();
        // The server's clock says 10:00:00; the window resets 5 s later. The local clock is
        // an hour off and must not matter.
        let date = "Mon, 23 Nov 2026 10:00:00 GMT";
        let server = httpdate::parse_http_date(date).unwrap();
        let reset = server.duration_since(UNIX_EPOCH).unwrap().as_secs() + 5;
        let h = headers(&[("date", date), ("x-rate-limit-reset", &reset.to_string())]);
        let local = server + Duration::from_secs(3600);
        let d = policy.rate_limit_delay(&h, 1, local);
        assert!(
            d >= Duration::from_millis(5100) && d < Duration::from_secs(6),
            "{d:?}"
        );
    }

    #[test]
    fn a_missing_or_garbled_reset_falls_back_to_backoff_never_to_zero() {
        let policy = RetryPolicy::default();
        for h in [headers(&[]), headers(&[("x-rate-limit-reset", "soon")])] {
            let d = policy.rate_limit_delay(&h, 1, SystemTime::now());
            assert!(d >= Duration::from_millis(600), "{d:?}");
            let d2 = policy.rate_limit_delay(&h, 3, SystemTime::now());
            assert!(d2 >= Duration::from_millis(2100), "{d2:?}");
        }
    }

    #[test]
    fn waits_are_capped() {
        let policy = RetryPolicy {
            max_backoff: Duration::from_secs(2),
            ..RetryPolicy::default()
        };
        let far = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3600;
        let h = headers(&[("x-rate-limit-reset", &far.to_string())]);
        assert_eq!(
            policy.rate_limit_delay(&h, 1, SystemTime::now()),
            Duration::from_secs(2)
        );
        assert_eq!(policy.backoff(30), Duration::from_secs(2));
    }

    #[test]
    fn a_reset_in_the_past_still_waits_a_little() {
        let policy = RetryPolicy::default();
        let h = headers(&[("x-rate-limit-reset", "1000")]);
        let d = policy.rate_limit_delay(&h, 1, SystemTime::now());
        assert!(d >= Duration::from_millis(100), "{d:?}");
    }
}
