//! Calls the Management API as an OAuth 2.0 service app (no user, no API token): the client
//! authenticates with `private_key_jwt`, gets an access token with the scopes it asks for,
//! and uses it for the call.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://your-org.okta.com \
//! OKTA_CLIENT_CLIENTID=0oa1… \
//! OKTA_CLIENT_PRIVATEKEY=service-app.pem OKTA_CLIENT_PRIVATEKEYID=my-key-id \
//! OKTA_CLIENT_SCOPES="okta.users.read okta.groups.read" \
//!     cargo run -p okta-client --example service_app
//! ```
//!
//! Set up in Okta: an API Services app with "Public key / Private key" client
//! authentication, the public half of the key (RSA for RS256, or P-256 for ES256) registered
//! with that key id, and the scopes granted on its "Okta API Scopes" tab. The private key is
//! PEM (PKCS#8, or PKCS#1 for RSA), given inline or as a file path.
//!
//! `Client::from_env()` builds the same client when `OKTA_CLIENT_AUTHORIZATIONMODE=PrivateKey`
//! is set; this example spells the builder out.

use okta_client::{Client, PrivateKeyJwt};

fn var(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let org_url = var("OKTA_CLIENT_ORGURL")?;
    let client_id = var("OKTA_CLIENT_CLIENTID")?;

    // The key inline, or the path of a PEM file.
    let key = var("OKTA_CLIENT_PRIVATEKEY")?;
    let pem = if key.contains("-----BEGIN") {
        key
    } else {
        std::fs::read_to_string(&key).map_err(|e| format!("cannot read the key {key}: {e}"))?
    };

    // Okta grants only scopes the app was granted; ask for what this program needs.
    let scopes: Vec<String> = std::env::var("OKTA_CLIENT_SCOPES")
        .unwrap_or_else(|_| "okta.users.read".into())
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();

    let mut credentials = PrivateKeyJwt::new(&client_id, pem).scopes(&scopes);
    // The key id lets Okta pick the right public key when the app has several.
    if let Ok(kid) = std::env::var("OKTA_CLIENT_PRIVATEKEYID") {
        credentials = credentials.key_id(kid);
    }
    // For an app that requires DPoP-bound tokens, add `.dpop()`: the client then makes a
    // key and signs a proof for every request.

    // Building checks the key; no request is made yet.
    let client = Client::builder()
        .base_url(&org_url)
        .private_key_jwt(credentials)
        .build()?;
    println!(
        "Service app {client_id} on {org_url}, scopes {}",
        scopes.join(" ")
    );

    // The first call signs an assertion, exchanges it at /oauth2/v1/token and sends the
    // access token; the token is cached and refreshed shortly before it expires, so later
    // calls use it without asking again.
    let page = client.list_users().limit(5).send().await?;
    println!("First {} users:", page.items.len());
    for user in &page.items {
        let login = user.profile.as_ref().and_then(|p| p.login.as_deref());
        println!(
            "  {}\t{}",
            user.id.as_deref().unwrap_or("?"),
            login.unwrap_or("?")
        );
    }
    if page.has_next() {
        println!("(more on the next page)");
    }
    Ok(())
}
