//! Follows the System Log as events arrive, the way Okta documents polling it: one query with
//! `since` and no `until`, then the `next` link of each page, for ever. Okta always links a
//! next page on such a query; when there is nothing new the page is empty, and asking the
//! same link again later returns what has arrived since.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://your-org.okta.com OKTA_CLIENT_TOKEN=00a… \
//!     cargo run -p okta-client --example tail_system_log
//! # only sign-ins, from a given time, stopping after 20 requests
//! TAIL_FILTER='eventType eq "user.session.start"' TAIL_SINCE=2026-01-01T00:00:00Z \
//! TAIL_MAX_POLLS=20 cargo run -p okta-client --example tail_system_log
//! ```
//!
//! Settings: `TAIL_SINCE` (an ISO 8601 time; default five minutes ago), `TAIL_FILTER` (a
//! System Log filter expression), `TAIL_INTERVAL_SECS` (the wait after an empty page; default
//! 15, which keeps well inside the System Log's rate limit) and `TAIL_MAX_POLLS` (stop after
//! that many requests; default: never).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use okta_client::Client;
use okta_client::models::{GetLogsSortOrder, LogEvent};

/// Events per page; the System Log's largest page is 1,000.
const PAGE_SIZE: i64 = 100;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let since = match std::env::var("TAIL_SINCE") {
        Ok(since) => since,
        Err(_) => iso8601(SystemTime::now() - Duration::from_secs(5 * 60)),
    };
    let interval = match std::env::var("TAIL_INTERVAL_SECS") {
        Ok(secs) => Duration::try_from_secs_f64(secs.trim().parse()?)?,
        Err(_) => Duration::from_secs(15),
    };
    let max_polls: Option<u64> = match std::env::var("TAIL_MAX_POLLS") {
        Ok(n) => Some(n.trim().parse()?),
        Err(_) => None,
    };

    // Polling needs ascending order and no `until`: then the last page's next link is where
    // new events will appear.
    let mut query = client
        .get_logs()
        .since(&since)
        .sort_order(GetLogsSortOrder::Ascending)
        .limit(PAGE_SIZE);
    if let Ok(filter) = std::env::var("TAIL_FILTER") {
        query = query.filter(filter);
    }
    println!("Following the System Log since {since}");

    let mut page = query.send().await?;
    let mut polls = 1u64;
    let mut events = 0usize;
    loop {
        for event in &page.items {
            print_event(event);
        }
        events += page.items.len();
        if max_polls.is_some_and(|max| polls >= max) {
            break;
        }

        // The next link of the last page that had events. An empty page's link points at
        // the same place, so the position is never lost by asking this one again.
        let next = loop {
            let Some(next) = page.next_page().await? else {
                // Only a query with an end (`until`) runs out of pages.
                println!("The log has no next page; done");
                return Ok(());
            };
            polls += 1;
            if !next.items.is_empty() || max_polls.is_some_and(|max| polls >= max) {
                break next;
            }
            println!("(no new events; asking again in {interval:?})");
            tokio::time::sleep(interval).await;
        };
        page = next;
    }
    println!("Stopped after {polls} requests, {events} events");
    Ok(())
}

fn print_event(event: &LogEvent) {
    let actor = event.actor.as_ref();
    println!(
        "{}  {}  {}  {}",
        event.published.as_deref().unwrap_or("?"),
        event.event_type.as_deref().unwrap_or("?"),
        actor.and_then(|a| a.alternate_id.as_deref()).unwrap_or("?"),
        event.display_message.as_deref().unwrap_or(""),
    );
}

/// `2026-01-02T03:04:05Z` for a time (UTC), without a date-time crate.
fn iso8601(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil-from-days: days since 1970-01-01 to year, month, day.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}
