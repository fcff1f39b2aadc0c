//! The runtime against servers that misbehave: a token endpoint that never answers, the
//! limits a client has without configuration, redirects, and figures at the edges (huge
//! rate-limit resets, token lifetimes and deadlines; a slow token request).

use std::time::{Duration, Instant};

use okta_client::{Client, Error, PrivateKeyJwt};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "00a-secret-api-token-7f3e";

fn key(name: &str) -> String {
    std::fs::read_to_string(okta_tests::workspace_root().join("tests/keys").join(name)).unwrap()
}

/// A server on 127.0.0.1 that accepts connections, reads what comes and never answers.
async fn silent_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            // Kept open, never written to.
            open.push(socket);
        }
    });
    url
}

/// Ends a call that would otherwise hang, so that a regression fails instead of stalling.
async fn bounded<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("{what} did not end within 20 s"))
}

// ---------------------------------------------------------------- the token request

#[tokio::test]
async fn a_token_endpoint_that_never_answers_is_bounded_by_the_attempt_timeout() {
    let org = silent_server().await;
    let client = Client::builder()
        .base_url(&org)
        .private_key_jwt(PrivateKeyJwt::new(
            "0oa-service-app",
            key("rsa-private.pem"),
        ))
        .timeout(Duration::from_millis(300))
        .no_deadline()
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = bounded("the call", client.get_user("00u1").send())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_stuck_token_refresh_does_not_hold_other_callers_past_their_deadlines() {
    let org = silent_server().await;
    // The token request alone may take 30 s; each call may take 800 ms.
    let deadline = Duration::from_millis(800);
    let client = Client::builder()
        .base_url(&org)
        .private_key_jwt(PrivateKeyJwt::new("0oa-service-app", key("ec-private.pem")))
        .timeout(Duration::from_secs(30))
        .deadline(deadline)
        .max_retries(0)
        .build()
        .unwrap();
    let mut calls = Vec::new();
    for i in 0..5u64 {
        let client = client.clone();
        calls.push(tokio::spawn(async move {
            // Callers start one after another while the first one's refresh is stuck.
            tokio::time::sleep(Duration::from_millis(150 * i)).await;
            let started = Instant::now();
            let outcome = client.get_user("00u1").send().await;
            (started.elapsed(), outcome)
        }));
    }
    for call in calls {
        let (took, outcome) = bounded("a caller", call).await.unwrap();
        let err = outcome.unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
        assert!(
            took < deadline + Duration::from_millis(400),
            "a caller waited {took:?}, past its deadline of {deadline:?}"
        );
    }
}

#[tokio::test]
async fn a_failing_token_endpoint_is_retried_like_an_idempotent_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "Bearer", "expires_in": 3600, "access_token": "at-1"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .and(header("authorization", "Bearer at-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .private_key_jwt(PrivateKeyJwt::new(
            "0oa-service-app",
            key("rsa-private.pem"),
        ))
        .retry_policy(okta_client::RetryPolicy {
            max_retries: 2,
            base_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
        })
        .build()
        .unwrap();
    let user = client.get_user("00u1").send().await.unwrap();
    assert_eq!(user.id.as_deref(), Some("00u1"));
}

// ---------------------------------------------------------------- default limits

#[test]
fn a_client_built_without_limits_has_the_documented_defaults_and_they_can_be_turned_off() {
    let client = Client::builder()
        .base_url("https://example.okta.com")
        .api_token(TOKEN)
        .build()
        .unwrap();
    let text = format!("{client:?}");
    assert_eq!(okta_client::DEFAULT_TIMEOUT, Duration::from_secs(60));
    assert_eq!(okta_client::DEFAULT_DEADLINE, Duration::from_secs(300));
    assert_eq!(
        okta_client::DEFAULT_CONNECT_TIMEOUT,
        Duration::from_secs(30)
    );
    assert!(text.contains("timeout: Some(60s)"), "{text}");
    assert!(text.contains("deadline: Some(300s)"), "{text}");
    let unlimited = Client::builder()
        .base_url("https://example.okta.com")
        .api_token(TOKEN)
        .no_timeout()
        .no_deadline()
        .build()
        .unwrap();
    let text = format!("{unlimited:?}");
    assert!(text.contains("timeout: None"), "{text}");
    assert!(text.contains("deadline: None"), "{text}");
}

#[tokio::test]
async fn a_server_that_never_answers_ends_at_the_deadline() {
    let org = silent_server().await;
    let client = Client::builder()
        .base_url(&org)
        .api_token(TOKEN)
        .no_timeout()
        .deadline(Duration::from_millis(500))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = bounded("the call", client.get_user("00u1").send())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

// ---------------------------------------------------------------- redirects

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .max_retries(0)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_an_error_naming_the_location() {
    let org = MockServer::start().await;
    let stranger = MockServer::start().await;
    let location = format!("{}/api/v1/users/00u1", stranger.uri());
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", location.as_str()))
        .mount(&org)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u-stranger"})))
        .expect(0)
        .mount(&stranger)
        .await;
    let err = client(&org).get_user("00u1").send().await.unwrap_err();
    match &err {
        Error::Redirect {
            status,
            location: l,
            ..
        } => {
            assert_eq!(*status, 302);
            assert_eq!(l, &location);
        }
        other => panic!("expected a redirect error, got {other:?}"),
    }
    assert!(err.to_string().contains(&location), "{err}");
}

#[tokio::test]
async fn a_redirect_on_the_org_is_followed_with_the_credentials() {
    let org = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/old"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/api/v1/users/00u2"))
        .mount(&org)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u2"))
        .and(header("authorization", format!("SSWS {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u2"})))
        .expect(1)
        .mount(&org)
        .await;
    let user = client(&org).get_user("old").send().await.unwrap();
    assert_eq!(user.id.as_deref(), Some("00u2"));
}

#[tokio::test]
async fn a_303_after_a_post_continues_with_a_get_without_the_body() {
    let org = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/groups"))
        .respond_with(ResponseTemplate::new(303).insert_header("location", "/api/v1/groups/00g1"))
        .mount(&org)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups/00g1"))
        .respond_with(|req: &Request| {
            assert!(req.body.is_empty(), "the GET carries no body");
            assert!(req.headers.get("content-type").is_none());
            ResponseTemplate::new(200).set_body_json(json!({"id": "00g1"}))
        })
        .expect(1)
        .mount(&org)
        .await;
    let group = client(&org)
        .create_group(okta_client::models::CreateGroupRequest::default())
        .send()
        .await
        .unwrap();
    assert_eq!(group.id.as_deref(), Some("00g1"));
}

#[tokio::test]
async fn a_redirect_loop_ends_after_the_bounded_number_of_redirects() {
    let org = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/loop"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/api/v1/users/loop"))
        .expect(u64::from(okta_client::MAX_REDIRECTS) + 1)
        .mount(&org)
        .await;
    let err = client(&org).get_user("loop").send().await.unwrap_err();
    assert!(
        matches!(err, Error::Redirect { status: 307, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_answer_from_another_origin_through_a_callers_http_client_is_refused() {
    let org = MockServer::start().await;
    let stranger = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/elsewhere", stranger.uri()).as_str()),
        )
        .mount(&org)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u-stranger"})))
        .mount(&stranger)
        .await;
    // reqwest's default policy follows redirects anywhere.
    let client = Client::builder()
        .base_url(org.uri())
        .api_token(TOKEN)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    let err = client.get_user("00u1").send().await.unwrap_err();
    match err {
        Error::Redirect { location, .. } => assert_eq!(location, stranger.uri()),
        other => panic!("expected a redirect error, got {other:?}"),
    }
}

// ---------------------------------------------------------------- figures at the edges

#[tokio::test]
async fn a_429_with_a_huge_reset_is_an_error_or_a_retry_not_a_panic() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-rate-limit-reset", "18446744073709551615")
                .set_body_json(json!({"errorCode": "E0000047", "errorSummary": "rate limited"})),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .api_token("t")
        .retry_policy(okta_client::RetryPolicy {
            max_retries: 1,
            base_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
        })
        .build()
        .unwrap();
    let handle = tokio::spawn(async move { client.get_user("00u1").send().await });
    let outcome = handle.await;
    assert!(outcome.is_ok(), "the call panicked: {outcome:?}");
    let err = outcome.unwrap().unwrap_err();
    assert!(
        matches!(err, Error::Api(ref e) if e.status == 429),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_token_with_a_huge_lifetime_is_an_error_or_a_token_not_a_panic() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "Bearer", "expires_in": u64::MAX, "access_token": "at-1"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .private_key_jwt(PrivateKeyJwt::new("0oa1", key("rsa-private.pem")))
        .build()
        .unwrap();
    let handle = tokio::spawn(async move { client.get_user("00u1").send().await });
    let outcome = handle.await;
    assert!(outcome.is_ok(), "the call panicked: {outcome:?}");
}

#[tokio::test]
async fn a_deadline_of_duration_max_is_refused_or_unlimited_not_a_panic() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})))
        .mount(&server)
        .await;
    let client = match Client::builder()
        .base_url(server.uri())
        .api_token("t")
        .deadline(Duration::MAX)
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            assert!(matches!(e, Error::Config(_)), "{e:?}");
            return;
        }
    };
    let outcome = tokio::spawn(async move { client.get_user("00u1").send().await }).await;
    assert!(outcome.is_ok(), "the call panicked: {outcome:?}");
}

#[tokio::test]
async fn a_slow_token_request_does_not_let_the_api_attempt_run_past_the_deadline() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(
                    json!({"token_type": "Bearer", "expires_in": 3600, "access_token": "at-1"}),
                )
                .set_delay(Duration::from_millis(900)),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "00u1"}))
                .set_delay(Duration::from_millis(900)),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .private_key_jwt(PrivateKeyJwt::new("0oa1", key("rsa-private.pem")))
        .timeout(Duration::from_secs(1))
        .deadline(Duration::from_millis(1200))
        .max_retries(0)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let outcome = client.get_user("00u1").send().await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(1200 + 150),
        "the call took {took:?} with a deadline of 1.2 s and ended {:?}",
        outcome.map(|u| u.id)
    );
}
