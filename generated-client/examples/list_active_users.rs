//! Lists every active user of the org, following Okta's pages as it goes.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://your-org.okta.com OKTA_CLIENT_TOKEN=00a… \
//!     cargo run -p okta-client --example list_active_users
//! # narrow it down with any search expression; it is combined with the status
//! cargo run -p okta-client --example list_active_users -- 'profile.department eq "Engineering"'
//! ```
//!
//! `search` expressions run against Okta's search index and can combine any profile
//! attribute with `status`; they are the recommended way to find users (`filter` accepts only
//! a few attributes, `q` only a name or email prefix).

use futures_util::TryStreamExt;
use okta_client::Client;

/// Users per page: Okta's largest page for `GET /api/v1/users` is 200.
const PAGE_SIZE: i32 = 200;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // OKTA_CLIENT_ORGURL and OKTA_CLIENT_TOKEN (or the OAuth variables; see `Client::from_env`).
    let client = Client::from_env()?;

    let mut search = String::from(r#"status eq "ACTIVE""#);
    if let Some(extra) = std::env::args().nth(1) {
        search = format!("{search} and ({extra})");
    }
    println!("Listing users where {search}");

    // `into_stream()` yields users one at a time and fetches the next page (Okta's
    // `Link: <…>; rel="next"`) only when the current one is used up, so memory stays flat
    // however large the org is.
    let mut users = client
        .list_users()
        .search(&search)
        .limit(PAGE_SIZE)
        .into_stream();

    let mut count = 0usize;
    while let Some(user) = users.try_next().await? {
        count += 1;
        let profile = user.profile.unwrap_or_default();
        println!(
            "{}\t{}\t{} {}",
            user.id.as_deref().unwrap_or("?"),
            profile.login.as_deref().unwrap_or("?"),
            profile.first_name.as_deref().unwrap_or(""),
            profile.last_name.as_deref().unwrap_or(""),
        );
    }
    println!("{count} active users");
    Ok(())
}
