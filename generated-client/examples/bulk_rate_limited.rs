//! Deactivates many users, several at a time, pacing itself by Okta's rate-limit headers so
//! that the job never runs its window dry (and leaves room for everything else using the org).
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://your-org.okta.com OKTA_CLIENT_TOKEN=00a… \
//!     cargo run -p okta-client --example bulk_rate_limited -- 00u1… 00u2… 00u3…
//! # or one id per line on standard input
//! cut -f1 leavers.tsv | cargo run -p okta-client --example bulk_rate_limited
//! ```
//!
//! `BULK_CONCURRENCY` (default 4) bounds the requests in flight; `BULK_RESERVE` (default 10)
//! is how many calls of the window to leave unused: when Okta reports that few remaining,
//! every worker waits for the window to reset.
//!
//! The client already waits and retries when Okta answers 429; pacing on top of that keeps a
//! long job from hitting 429s in the first place, which Okta counts against the org.

use std::io::BufRead;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use okta_client::{Client, RateLimit};
use tokio::sync::Mutex;

/// Okta's rate-limit windows are one minute long: never wait longer than that for one.
const MAX_PAUSE: Duration = Duration::from_secs(60);

/// The latest rate-limit figures Okta reported for the endpoint, shared by the workers.
struct Pacer {
    window: Mutex<Window>,
    reserve: u64,
}

#[derive(Default)]
struct Window {
    /// Calls left in the current window, counting down as calls are started.
    remaining: Option<u64>,
    /// When the window resets, in seconds since the Unix epoch (`X-Rate-Limit-Reset`).
    reset: Option<u64>,
}

impl Pacer {
    /// Waits, if the window is nearly used up, until it resets; then claims one call.
    ///
    /// The lock is held while waiting, so all workers pause together.
    async fn wait_turn(&self) {
        let mut window = self.window.lock().await;
        if let (Some(remaining), Some(reset)) = (window.remaining, window.reset) {
            if remaining <= self.reserve {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                let pause = Duration::from_secs(reset)
                    .saturating_sub(now)
                    .min(MAX_PAUSE);
                println!(
                    "pausing {:.1}s: {remaining} calls left in this window, keeping {} in reserve",
                    pause.as_secs_f64(),
                    self.reserve
                );
                tokio::time::sleep(pause).await;
                // A new window: the next answer tells us its figures.
                *window = Window::default();
                return;
            }
            window.remaining = Some(remaining - 1);
        }
    }

    /// Takes the figures of an answer. Answers come back out of order, so the lowest
    /// `remaining` of the newest window wins.
    async fn record(&self, rate_limit: &RateLimit) {
        let (Some(remaining), Some(reset)) = (rate_limit.remaining, rate_limit.reset) else {
            return;
        };
        let mut window = self.window.lock().await;
        match window.reset {
            Some(current) if current > reset => {}
            Some(current) if current == reset => {
                window.remaining = Some(window.remaining.map_or(remaining, |r| r.min(remaining)));
            }
            _ => {
                *window = Window {
                    remaining: Some(remaining),
                    reset: Some(reset),
                };
            }
        }
    }
}

/// A setting that is a number, with a default.
fn number(name: &str, default: u64) -> Result<u64, String> {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a whole number, not `{value}`")),
        Err(_) => Ok(default),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let concurrency = number("BULK_CONCURRENCY", 4)?.max(1) as usize;
    let pacer = Pacer {
        window: Mutex::new(Window::default()),
        reserve: number("BULK_RESERVE", 10)?,
    };

    // User ids from the arguments, or else one per line from standard input.
    let mut ids: Vec<String> = std::env::args().skip(1).collect();
    if ids.is_empty() {
        for line in std::io::stdin().lock().lines() {
            let line = line?;
            if !line.trim().is_empty() {
                ids.push(line.trim().to_string());
            }
        }
    }
    println!("Deactivating {} users, {concurrency} at a time", ids.len());

    let failed = AtomicUsize::new(0);
    // The futures below borrow these; each owns only its id.
    let (client, pacer, failed_count) = (&client, &pacer, &failed);
    // `buffer_unordered` runs at most `concurrency` of these futures at once and starts the
    // next as soon as one finishes.
    futures_util::stream::iter(&ids)
        .map(|id| async move {
            pacer.wait_turn().await;
            // `send_full()` gives the rate-limit figures along with the (empty) answer.
            let result = client
                .deactivate_user(id)
                .send_email(false)
                .send_full()
                .await;
            match result {
                Ok(response) => {
                    pacer.record(&response.rate_limit).await;
                    println!(
                        "deactivated {id} ({} of {} left in this window)",
                        response.rate_limit.remaining.unwrap_or_default(),
                        response.rate_limit.limit.unwrap_or_default()
                    );
                }
                Err(e) => {
                    // An API error carries Okta's rate-limit figures too.
                    if let okta_client::Error::Api(api) = &e {
                        pacer.record(&api.rate_limit).await;
                    }
                    failed_count.fetch_add(1, Ordering::Relaxed);
                    eprintln!("could not deactivate {id}: {e}");
                }
            }
        })
        .buffer_unordered(concurrency)
        .collect::<()>()
        .await;

    let failed = failed.into_inner();
    println!("{} deactivated, {failed} failed", ids.len() - failed);
    if failed > 0 {
        return Err(format!("{failed} of {} users were not deactivated", ids.len()).into());
    }
    Ok(())
}
