//! Signs a user in with the Classic Authentication API: username and password, then the
//! second factor Okta asks for, ending with a session token (to exchange for a session
//! cookie or in an OAuth authorize request).
//!
//! ```sh
//! # with a code from Okta Verify or Google Authenticator
//! OKTA_CLIENT_ORGURL=https://your-org.okta.com OKTA_USERNAME=ada@example.com \
//! OKTA_PASSWORD=… OKTA_TOTP_PASSCODE=123456 \
//!     cargo run -p okta-client --example authn_mfa
//! # without OKTA_TOTP_PASSCODE: an Okta Verify push, polled until it is answered
//! ```
//!
//! The Authentication API needs no API token (its operations are sent without one), so this
//! client is built with the org URL only. `OKTA_PUSH_POLL_SECS` (default 4) is the wait
//! between polls of a push.

use std::time::Duration;

use okta_client::Client;
use okta_client::models::{
    AuthnFactor, AuthnTransaction, AuthnTransactionStatus, FactorResultType, FactorType,
    PrimaryAuthenticationRequest, VerifyPushFactorRequest, VerifyTotpFactorRequest,
};

/// How long to wait for the user to answer a push before giving up.
const PUSH_TIMEOUT: Duration = Duration::from_secs(120);

fn var(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder()
        .base_url(var("OKTA_CLIENT_ORGURL")?)
        .build()?;
    let username = var("OKTA_USERNAME")?;
    let passcode = std::env::var("OKTA_TOTP_PASSCODE").ok();

    // Step 1: primary authentication.
    println!("Signing in as {username}");
    let mut transaction = client
        .primary_authentication(PrimaryAuthenticationRequest {
            username: Some(username),
            password: Some(var("OKTA_PASSWORD")?),
            ..Default::default()
        })
        .await?;

    loop {
        let status = transaction.status.clone();
        println!("Transaction status: {}", display(&status));
        match status {
            Some(AuthnTransactionStatus::Success) => break,
            // Step 2: the org's policy wants a second factor; the transaction lists the
            // user's enrolled factors under `_embedded.factors`.
            Some(AuthnTransactionStatus::MfaRequired) => {
                transaction = verify(&client, &transaction, passcode.as_deref()).await?;
            }
            Some(other) => {
                // PASSWORD_EXPIRED, MFA_ENROLL, LOCKED_OUT, …: each has its own next step,
                // which this example does not take.
                return Err(format!(
                    "sign-in stopped at {other}, which this example does not handle"
                )
                .into());
            }
            None => return Err("Okta's answer has no status".into()),
        }
    }

    let session_token = transaction
        .session_token
        .ok_or("SUCCESS without a session token")?;
    let user = transaction.embedded.and_then(|e| e.user);
    println!(
        "Signed in: user {}, session token {}…",
        user.and_then(|u| u.id).unwrap_or_default(),
        // A session token is a credential: show only enough to recognise it.
        session_token.chars().take(6).collect::<String>()
    );
    Ok(())
}

/// Verifies one factor of an `MFA_REQUIRED` transaction: TOTP when a passcode is given, else
/// an Okta Verify push. Returns the transaction after it (normally `SUCCESS`).
async fn verify(
    client: &Client,
    transaction: &AuthnTransaction,
    passcode: Option<&str>,
) -> Result<AuthnTransaction, Box<dyn std::error::Error>> {
    let state_token = transaction
        .state_token
        .clone()
        .ok_or("MFA_REQUIRED without a state token")?;
    let factors: &[AuthnFactor] = transaction
        .embedded
        .as_ref()
        .and_then(|e| e.factors.as_deref())
        .unwrap_or_default();
    let find = |wanted: FactorType| {
        factors
            .iter()
            .find(|f| f.factor_type.as_ref() == Some(&wanted))
            .and_then(|f| f.id.clone())
    };

    if let Some(passcode) = passcode {
        let factor_id = find(FactorType::TokenSoftwareTotp)
            .ok_or("the user has no TOTP factor (Okta Verify or Google Authenticator)")?;
        println!("Verifying TOTP factor {factor_id}");
        let body = VerifyTotpFactorRequest {
            state_token: Some(state_token),
            pass_code: Some(passcode.to_string()),
            ..Default::default()
        };
        return Ok(client.verify_totp_factor(&factor_id, body).await?);
    }

    let factor_id = find(FactorType::Push)
        .ok_or("the user has no Okta Verify push factor; set OKTA_TOTP_PASSCODE to use a code")?;
    let poll = match std::env::var("OKTA_PUSH_POLL_SECS") {
        Ok(secs) => Duration::try_from_secs_f64(secs.trim().parse()?)?,
        Err(_) => Duration::from_secs(4),
    };
    println!("Sending a push to factor {factor_id}; approve it on your phone");
    let started = std::time::Instant::now();
    loop {
        // The first call sends the push; the same call again reports on it.
        let body = VerifyPushFactorRequest {
            state_token: Some(state_token.clone()),
            ..Default::default()
        };
        let answer = client.verify_push_factor(&factor_id, body).await?;
        match (&answer.status, &answer.factor_result) {
            (Some(AuthnTransactionStatus::MfaChallenge), Some(FactorResultType::Waiting)) => {
                if started.elapsed() > PUSH_TIMEOUT {
                    return Err("the push was not answered in time".into());
                }
                println!("Waiting for the push to be approved");
                tokio::time::sleep(poll).await;
            }
            (Some(AuthnTransactionStatus::MfaChallenge), result) => {
                return Err(format!("the push was not approved: {}", display(result)).into());
            }
            _ => return Ok(answer),
        }
    }
}

/// An optional enum value as Okta spells it.
fn display<T: std::fmt::Display>(value: &Option<T>) -> String {
    value.as_ref().map_or_else(|| "(none)".into(), T::to_string)
}
