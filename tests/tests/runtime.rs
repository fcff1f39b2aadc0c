//! The client runtime over real HTTP on 127.0.0.1: credentials, rate limits and retries,
//! pagination, error shapes, timeouts and redaction.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{StreamExt, TryStreamExt};
use okta_client::{Client, Error, PrivateKeyJwt, RetryPolicy};
use serde::Deserialize;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "00a-secret-api-token-7f3e";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .build()
        .unwrap()
}

fn user(id: &str) -> serde_json::Value {
    json!({"id": id, "status": "ACTIVE", "profile": {"login": format!("{id}@example.com")}})
}

fn key(name: &str) -> String {
    std::fs::read_to_string(okta_tests::workspace_root().join("tests/keys").join(name)).unwrap()
}

fn header_str<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

// ---------------------------------------------------------------- credentials

#[tokio::test]
async fn a_bearer_token_is_sent_as_is() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .and(header("authorization", "Bearer at-given"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("00u1")))
        .expect(1)
        .mount(&server)
        .await;
    let c = Client::builder()
        .base_url(server.uri())
        .access_token("at-given")
        .build()
        .unwrap();
    c.get_user("00u1").send().await.unwrap();
}

#[tokio::test]
async fn the_user_agent_names_the_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(|req: &Request| {
            let ua = header_str(req, "user-agent")
                .unwrap_or_default()
                .to_string();
            ResponseTemplate::new(200).set_body_json(json!({"id": ua}))
        })
        .mount(&server)
        .await;
    let c = Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .user_agent_suffix("provisioner/2.1")
        .build()
        .unwrap();
    let ua = c.get_user("00u1").send().await.unwrap().id.unwrap();
    assert!(ua.starts_with("okta-client-rust/0."), "{ua}");
    assert!(ua.contains(" rust/"), "{ua}");
    assert!(ua.ends_with(" provisioner/2.1"), "{ua}");
}

#[derive(Debug, Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    aud: String,
    iat: u64,
    exp: u64,
    jti: String,
}

#[derive(Default)]
struct TokenEndpoint {
    calls: AtomicUsize,
    jtis: Mutex<HashSet<String>>,
    kids: Mutex<Vec<Option<String>>>,
    scopes: Mutex<Vec<String>>,
}

/// A token endpoint that checks the client assertion's signature and claims and issues
/// `at-1`, `at-2`, … in turn.
async fn mount_token_endpoint(
    server: &MockServer,
    public_pem: &str,
    algorithm: jsonwebtoken::Algorithm,
    expires_in: u64,
) -> Arc<TokenEndpoint> {
    let state = Arc::new(TokenEndpoint::default());
    let decoding = match algorithm {
        jsonwebtoken::Algorithm::RS256 => {
            jsonwebtoken::DecodingKey::from_rsa_pem(public_pem.as_bytes())
        }
        _ => jsonwebtoken::DecodingKey::from_ec_pem(public_pem.as_bytes()),
    }
    .unwrap();
    let token_url = format!("{}/oauth2/v1/token", server.uri());
    let st = state.clone();
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(move |req: &Request| {
            let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&req.body).unwrap();
            let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            assert_eq!(get("grant_type").as_deref(), Some("client_credentials"));
            assert_eq!(
                get("client_assertion_type").as_deref(),
                Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            );
            let assertion = get("client_assertion").expect("an assertion");
            let mut validation = jsonwebtoken::Validation::new(algorithm);
            validation.set_audience(&[token_url.as_str()]);
            let data = jsonwebtoken::decode::<AssertionClaims>(&assertion, &decoding, &validation)
                .expect("the assertion is signed with the app's key and valid");
            let c = data.claims;
            assert_eq!(c.iss, "0oa-service-app");
            assert_eq!(c.sub, "0oa-service-app");
            assert_eq!(c.aud, token_url);
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs();
            assert!(
                c.iat <= now + 1 && c.exp > now && c.exp - c.iat <= 3600,
                "{c:?}"
            );
            assert!(st.jtis.lock().unwrap().insert(c.jti.clone()), "jti reused");
            st.kids.lock().unwrap().push(data.header.kid);
            st.scopes
                .lock()
                .unwrap()
                .push(get("scope").unwrap_or_default());
            let n = st.calls.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(json!({
                "token_type": "Bearer",
                "expires_in": expires_in,
                "access_token": format!("at-{n}"),
                "scope": get("scope").unwrap_or_default(),
            }))
        })
        .mount(server)
        .await;
    state
}

async fn mount_users_requiring(server: &MockServer, accepted: &'static str) -> Arc<AtomicUsize> {
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(move |req: &Request| {
            s.fetch_add(1, Ordering::SeqCst);
            if header_str(req, "authorization") == Some(accepted) {
                ResponseTemplate::new(200).set_body_json(user("00u1"))
            } else {
                ResponseTemplate::new(401).set_body_json(json!({
                    "errorCode": "E0000011", "errorSummary": "Invalid token provided"
                }))
            }
        })
        .mount(server)
        .await;
    seen
}

fn oauth_client(server: &MockServer, private_pem: String) -> Client {
    Client::builder()
        .base_url(server.uri())
        .private_key_jwt(
            PrivateKeyJwt::new("0oa-service-app", private_pem)
                .key_id("kid-7")
                .scopes(["okta.users.read", "okta.groups.read"]),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn private_key_jwt_with_rs256_gets_caches_and_uses_an_access_token() {
    let server = MockServer::start().await;
    let endpoint = mount_token_endpoint(
        &server,
        &key("rsa-public.pem"),
        jsonwebtoken::Algorithm::RS256,
        3600,
    )
    .await;
    mount_users_requiring(&server, "Bearer at-1").await;
    let c = oauth_client(&server, key("rsa-private.pem"));
    for _ in 0..3 {
        c.get_user("00u1").send().await.unwrap();
    }
    assert_eq!(
        endpoint.calls.load(Ordering::SeqCst),
        1,
        "the token is cached"
    );
    assert_eq!(endpoint.kids.lock().unwrap()[0].as_deref(), Some("kid-7"));
    assert_eq!(
        endpoint.scopes.lock().unwrap()[0],
        "okta.users.read okta.groups.read"
    );
    let debug = format!("{c:?}");
    assert!(
        !debug.contains("BEGIN PRIVATE KEY") && !debug.contains("at-1"),
        "{debug}"
    );
}

#[tokio::test]
async fn private_key_jwt_with_es256_works_too() {
    let server = MockServer::start().await;
    let endpoint = mount_token_endpoint(
        &server,
        &key("ec-public.pem"),
        jsonwebtoken::Algorithm::ES256,
        3600,
    )
    .await;
    mount_users_requiring(&server, "Bearer at-1").await;
    let c = oauth_client(&server, key("ec-private.pem"));
    c.get_user("00u1").send().await.unwrap();
    assert_eq!(endpoint.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_token_request() {
    let server = MockServer::start().await;
    let endpoint = mount_token_endpoint(
        &server,
        &key("rsa-public.pem"),
        jsonwebtoken::Algorithm::RS256,
        3600,
    )
    .await;
    mount_users_requiring(&server, "Bearer at-1").await;
    let c = oauth_client(&server, key("rsa-private.pem"));
    let calls = (0..8).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.get_user("00u1").send().await })
    });
    for r in futures_util::future::join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert_eq!(endpoint.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_token_near_expiry_is_refreshed_before_use() {
    let server = MockServer::start().await;
    // A 2 s token is refreshed at half-life, so a second call 1.2 s later gets a new one.
    let endpoint = mount_token_endpoint(
        &server,
        &key("rsa-public.pem"),
        jsonwebtoken::Algorithm::RS256,
        2,
    )
    .await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    Mock::given(method("GET"))
        .respond_with(move |req: &Request| {
            s.lock().unwrap().push(
                header_str(req, "authorization")
                    .unwrap_or_default()
                    .to_string(),
            );
            ResponseTemplate::new(200).set_body_json(user("00u1"))
        })
        .mount(&server)
        .await;
    let c = oauth_client(&server, key("rsa-private.pem"));
    c.get_user("00u1").send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    c.get_user("00u1").send().await.unwrap();
    assert_eq!(endpoint.calls.load(Ordering::SeqCst), 2);
    assert_eq!(*seen.lock().unwrap(), ["Bearer at-1", "Bearer at-2"]);
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries() {
    let server = MockServer::start().await;
    let endpoint = mount_token_endpoint(
        &server,
        &key("rsa-public.pem"),
        jsonwebtoken::Algorithm::RS256,
        3600,
    )
    .await;
    // Only the second token is accepted: the first looks revoked.
    let api_calls = mount_users_requiring(&server, "Bearer at-2").await;
    let c = oauth_client(&server, key("rsa-private.pem"));
    c.get_user("00u1").send().await.unwrap();
    assert_eq!(endpoint.calls.load(Ordering::SeqCst), 2);
    assert_eq!(api_calls.load(Ordering::SeqCst), 2);

    // When the fresh token is refused too, the 401 is returned, not retried forever.
    let server = MockServer::start().await;
    let endpoint = mount_token_endpoint(
        &server,
        &key("rsa-public.pem"),
        jsonwebtoken::Algorithm::RS256,
        3600,
    )
    .await;
    let api_calls = mount_users_requiring(&server, "Bearer never").await;
    let c = oauth_client(&server, key("rsa-private.pem"));
    let err = c.get_user("00u1").send().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(endpoint.calls.load(Ordering::SeqCst), 2);
    assert_eq!(api_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_refused_token_request_is_an_authentication_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client",
            "error_description": "The client_assertion signature is invalid."
        })))
        .mount(&server)
        .await;
    let c = oauth_client(&server, key("rsa-private.pem"));
    let err = c.get_user("00u1").send().await.unwrap_err();
    let Error::Authentication(api) = &err else {
        panic!("expected an authentication error, got {err:?}");
    };
    assert_eq!(api.status, 401);
    let okta = api.okta.as_ref().unwrap();
    assert_eq!(okta.error_code.as_deref(), Some("invalid_client"));
    assert!(okta.error_summary.as_deref().unwrap().contains("signature"));
}

// ---------------------------------------------------------------- rate limits and retries

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn a_429_waits_for_the_reset_and_retries_with_the_retry_headers() {
    let server = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(move |_: &Request| {
            if c2.fetch_add(1, Ordering::SeqCst) == 0 {
                let now = SystemTime::now();
                let secs = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
                ResponseTemplate::new(429)
                    .insert_header("date", httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs)).as_str())
                    .insert_header("x-rate-limit-limit", "600")
                    .insert_header("x-rate-limit-remaining", "0")
                    .insert_header("x-rate-limit-reset", (secs + 1).to_string().as_str())
                    .insert_header("x-okta-request-id", "req-first")
                    .set_body_json(json!({"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests."}))
            } else {
                ResponseTemplate::new(200)
                    .insert_header("x-rate-limit-limit", "600")
                    .insert_header("x-rate-limit-remaining", "599")
                    .insert_header("x-rate-limit-reset", (now_secs() + 60).to_string().as_str())
                    .insert_header("x-okta-request-id", "req-second")
                    .set_body_json(user("00u1"))
            }
        })
        .mount(&server)
        .await;

    let started = Instant::now();
    let response = client(&server).get_user("00u1").send_full().await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1000),
        "waited only {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "waited {waited:?}");
    assert_eq!(response.data.id.as_deref(), Some("00u1"));
    assert_eq!(response.request_id.as_deref(), Some("req-second"));
    assert_eq!(response.rate_limit.limit, Some(600));
    assert_eq!(response.rate_limit.remaining, Some(599));
    assert!(response.rate_limit.reset.is_some());

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    assert!(header_str(&received[0], "x-okta-retry-for").is_none());
    assert_eq!(
        header_str(&received[1], "x-okta-retry-for"),
        Some("req-first")
    );
    assert_eq!(header_str(&received[1], "x-okta-retry-count"), Some("1"));
}

#[tokio::test]
async fn retries_exhausted_give_the_last_error_with_its_figures() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-rate-limit-limit", "10")
                .insert_header("x-rate-limit-remaining", "0")
                .insert_header("x-rate-limit-reset", "garbled")
                .insert_header("x-okta-request-id", "req-429")
                .set_body_json(json!({"errorCode": "E0000047", "errorSummary": "rate limited"})),
        )
        .mount(&server)
        .await;
    let c = Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .retry_policy(RetryPolicy {
            max_retries: 2,
            base_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
        })
        .build()
        .unwrap();
    let started = Instant::now();
    let err = c.get_user("00u1").send().await.unwrap_err();
    // A garbled reset falls back to backoff: waits, but short ones under this policy.
    assert!(
        started.elapsed() >= Duration::from_millis(60),
        "{:?}",
        started.elapsed()
    );
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 429);
    assert_eq!(api.rate_limit.limit, Some(10));
    assert_eq!(api.rate_limit.remaining, Some(0));
    assert_eq!(
        api.okta.as_ref().unwrap().error_code.as_deref(),
        Some("E0000047")
    );
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3, "one attempt and two retries");
    assert_eq!(header_str(&received[2], "x-okta-retry-count"), Some("2"));
    assert_eq!(
        header_str(&received[2], "x-okta-retry-for"),
        Some("req-429")
    );

    // Zero retries: one request.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429))
        .mount(&server)
        .await;
    let c = Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .max_retries(0)
        .build()
        .unwrap();
    assert_eq!(
        c.get_user("00u1").send().await.unwrap_err().status(),
        Some(429)
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_503_is_retried_for_get_but_not_for_post() {
    let fast = RetryPolicy {
        max_retries: 2,
        base_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    };
    let server = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    Mock::given(method("GET"))
        .respond_with(move |_: &Request| {
            if c2.fetch_add(1, Ordering::SeqCst) == 0 {
                ResponseTemplate::new(503)
            } else {
                ResponseTemplate::new(200).set_body_json(user("00u1"))
            }
        })
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let c = Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .retry_policy(fast)
        .build()
        .unwrap();
    c.get_user("00u1").send().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let err = c.deactivate_user("00u1").send().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    let posts = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .count();
    assert_eq!(posts, 1, "a POST is not retried after a 503");
}

// ---------------------------------------------------------------- pagination

#[tokio::test]
async fn three_pages_over_two_link_lines() {
    let server = MockServer::start().await;
    let base = server.uri();
    let page = move |after: Option<&str>| -> ResponseTemplate {
        let (ids, next): (Vec<&str>, Option<&str>) = match after {
            None => (vec!["00u1", "00u2"], Some("cur%3D2")),
            Some("cur=2") => (vec!["00u3", "00u4"], Some("cur%3D4")),
            Some("cur=4") => (vec!["00u5"], None),
            Some(other) => panic!("unexpected cursor {other}"),
        };
        let mut t = ResponseTemplate::new(200).append_header(
            "link",
            format!("<{base}/api/v1/users?limit=2>; rel=\"self\"").as_str(),
        );
        if let Some(next) = next {
            t = t.append_header(
                "link",
                format!("<{base}/api/v1/users?after={next}&limit=2>; rel=\"next\"").as_str(),
            );
        }
        t.set_body_json(ids.iter().map(|id| user(id)).collect::<Vec<_>>())
    };
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(header("authorization", format!("SSWS {TOKEN}").as_str()))
        .respond_with(move |req: &Request| {
            let after = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "after")
                .map(|(_, v)| v.into_owned());
            page(after.as_deref())
        })
        .mount(&server)
        .await;
    let c = client(&server);

    let first = c.list_users().limit(2).send().await.unwrap();
    assert_eq!(first.items.len(), 2);
    assert!(first.has_next());
    assert_eq!(first.next_cursor().as_deref(), Some("cur=2"));
    let second = first.next_page().await.unwrap().unwrap();
    assert_eq!(second.items[0].id.as_deref(), Some("00u3"));

    let ids: Vec<String> = c
        .list_users()
        .limit(2)
        .into_stream()
        .map_ok(|u| u.id.unwrap())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["00u1", "00u2", "00u3", "00u4", "00u5"]);

    let sizes: Vec<usize> = c
        .list_users()
        .limit(2)
        .into_pages()
        .map_ok(|p| p.items.len())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sizes, [2, 2, 1]);

    // The stream is lazy: taking two items fetches one page.
    let before = server.received_requests().await.unwrap().len();
    let two: Vec<_> = c
        .list_users()
        .limit(2)
        .into_stream()
        .take(2)
        .collect()
        .await;
    assert_eq!(two.len(), 2);
    assert_eq!(server.received_requests().await.unwrap().len(), before + 1);
}

#[tokio::test]
async fn a_next_link_to_another_host_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .respond_with(
            ResponseTemplate::new(200)
                .append_header(
                    "link",
                    "<https://attacker.example/api/v1/users?after=x>; rel=\"next\"",
                )
                .set_body_json(json!([user("00u1")])),
        )
        .mount(&server)
        .await;
    let results: Vec<Result<_, Error>> = client(&server).list_users().into_stream().collect().await;
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert!(err.to_string().contains("attacker.example"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

// ---------------------------------------------------------------- errors

#[tokio::test]
async fn the_bare_404_shape_and_non_json_bodies_are_read() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/gone"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(
            r#"{"status":404,"message":"Not Found"}"#.as_bytes().to_vec(),
            "",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/html"))
        .respond_with(
            ResponseTemplate::new(502).set_body_raw("<html>Bad gateway</html>", "text/html"),
        )
        .mount(&server)
        .await;
    let c = Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .max_retries(0)
        .build()
        .unwrap();
    let err = c.get_user("gone").send().await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.status, 404);
    assert_eq!(
        api.okta.as_ref().unwrap().error_summary.as_deref(),
        Some("Not Found")
    );

    let err = c.get_user("html").send().await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.status, 502);
    assert!(api.okta.is_none());
    assert_eq!(api.body_excerpt, "<html>Bad gateway</html>");
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_the_path_and_an_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-okta-request-id", "req-bad")
                .set_body_raw(
                    r#"{"id":"00u1","profile":{"login":"a@b.c","email": }"#,
                    "application/json",
                ),
        )
        .mount(&server)
        .await;
    let err = client(&server).get_user("00u1").send().await.unwrap_err();
    let Error::Decode {
        path,
        body_excerpt,
        request_id,
        ..
    } = &err
    else {
        panic!("expected a decode error, got {err:?}");
    };
    assert_eq!(path, "profile.email");
    assert!(body_excerpt.starts_with(r#"{"id":"00u1""#));
    assert_eq!(request_id.as_deref(), Some("req-bad"));
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout_and_a_deadline_bounds_the_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_secs(3))
                .set_body_json(user("slow")),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/busy"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;

    let c = Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = c.get_user("slow").send().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));

    // Retries of a 503 would go on for seconds; the deadline ends the call early.
    let c = Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .retry_policy(RetryPolicy {
            max_retries: 10,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        })
        .deadline(Duration::from_millis(700))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = c.get_user("busy").send().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(err.status(), Some(503)) || matches!(err, Error::Timeout { .. }),
        "{err:?}"
    );
}

// ---------------------------------------------------------------- futures

#[tokio::test]
async fn send_futures_are_plain_values_that_can_be_spawned_stored_and_awaited_later() {
    fn spawnable<F: std::future::Future + Send + Unpin + 'static>(f: F) -> F {
        f
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("00u1")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([user("00u2")])))
        .mount(&server)
        .await;
    let c = client(&server);
    // Built now, sent when first polled: nothing reaches the server before that.
    let full = spawnable(c.get_user("00u1").send_full());
    let page = spawnable(c.list_users().send());
    assert!(server.received_requests().await.unwrap().is_empty());
    let full = tokio::spawn(full).await.unwrap().unwrap();
    assert_eq!(full.status, 200);
    assert_eq!(full.data.id.as_deref(), Some("00u1"));
    let page = tokio::spawn(page).await.unwrap().unwrap();
    assert_eq!(page.items[0].id.as_deref(), Some("00u2"));
    // A request that cannot be built fails when awaited, without a round trip.
    let err = c.get_user("..").send().await.unwrap_err();
    assert!(matches!(err, Error::Request(_)), "{err:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}
