//! The examples of okta-client (`generated-client/examples/`), run as a user runs them: each
//! is started as a child process with its configuration in the environment and a
//! loopback server answering as Okta does. Each test checks the exit status, what the example
//! printed and the requests the server received.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use wiremock::matchers::{
    body_json, body_partial_json, header, header_exists, method, path, path_regex, query_param,
    query_param_is_missing,
};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "00a-examples-api-token";

/// How long an example may run before it counts as hung.
const RUN_LIMIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------- running examples

/// What an example did.
struct Run {
    stdout: String,
    stderr: String,
    success: bool,
}

impl Run {
    fn assert_success(&self) -> &Self {
        assert!(
            self.success,
            "the example failed\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    fn assert_prints(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "the output lacks {text:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Runs example `name` with `args` and the environment `env` (and none of the caller's
/// Okta settings), killing it if it outlives [`RUN_LIMIT`].
///
/// The examples are binaries of this crate too (see `tests/Cargo.toml`), so cargo builds them
/// with the tests and gives their paths as `CARGO_BIN_EXE_<name>`.
async fn run(name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let exe = match name {
        "list_active_users" => env!("CARGO_BIN_EXE_list_active_users"),
        "provision_user" => env!("CARGO_BIN_EXE_provision_user"),
        "bulk_rate_limited" => env!("CARGO_BIN_EXE_bulk_rate_limited"),
        "service_app" => env!("CARGO_BIN_EXE_service_app"),
        "tail_system_log" => env!("CARGO_BIN_EXE_tail_system_log"),
        "authn_mfa" => env!("CARGO_BIN_EXE_authn_mfa"),
        other => panic!("no example {other}"),
    };
    let mut command = Command::new(exe);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars_os() {
        let key_text = key.to_string_lossy();
        if ["OKTA_", "TAIL_", "BULK_", "NEW_USER_"]
            .iter()
            .any(|prefix| key_text.starts_with(prefix))
        {
            command.env_remove(key);
        }
    }
    command.envs(env.iter().copied());
    let name = name.to_string();
    tokio::task::spawn_blocking(move || {
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("{name} starts: {e}"));
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut s = String::new();
            stdout.read_to_string(&mut s).map(|_| s)
        });
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            stderr.read_to_string(&mut s).map(|_| s)
        });
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("waiting for the example") {
                break status;
            }
            if started.elapsed() > RUN_LIMIT {
                child.kill().ok();
                panic!("{name} was still running after {RUN_LIMIT:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        Run {
            stdout: out.join().unwrap().expect("stdout is UTF-8"),
            stderr: err.join().unwrap().expect("stderr is UTF-8"),
            success: status.success(),
        }
    })
    .await
    .expect("the example ran")
}

// ---------------------------------------------------------------- answers as Okta gives them

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// An answer with the headers Okta puts on every response.
fn okta(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("X-Okta-Request-Id", "reqVy8wsvmBQN27h4soUE3ZEnA")
        .insert_header("X-Rate-Limit-Limit", "600")
        .insert_header("X-Rate-Limit-Remaining", "598")
        .insert_header("X-Rate-Limit-Reset", now_secs() + 60)
}

fn user(id: &str, login: &str, first: &str, last: &str, status: &str) -> Value {
    json!({
        "id": id,
        "status": status,
        "created": "2026-02-03T09:14:21.000Z",
        "activated": "2026-02-03T09:14:22.000Z",
        "statusChanged": "2026-02-03T09:14:22.000Z",
        "lastLogin": null,
        "lastUpdated": "2026-02-03T09:14:22.000Z",
        "passwordChanged": "2026-02-03T09:14:22.000Z",
        "type": {"id": "oty1a2b3c4D5e6F7g8h9"},
        "profile": {
            "firstName": first,
            "lastName": last,
            "mobilePhone": null,
            "secondEmail": null,
            "login": login,
            "email": login,
            "department": "Engineering"
        },
        "credentials": {
            "password": {},
            "provider": {"type": "OKTA", "name": "OKTA"}
        },
        "_links": {
            "self": {"href": format!("https://example.okta.com/api/v1/users/{id}")}
        }
    })
}

/// The requests the server received for `method` and `path`.
async fn received(server: &MockServer, method: &str, path: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .into_iter()
        .filter(|r| r.method.as_str() == method && r.url.path() == path)
        .collect()
}

fn query(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn header_str<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

fn token_env(server: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("OKTA_CLIENT_ORGURL", server.uri()),
        ("OKTA_CLIENT_TOKEN", TOKEN.to_string()),
    ]
}

fn as_env<'a>(vars: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

// ---------------------------------------------------------------- list_active_users

#[tokio::test]
async fn list_active_users_searches_and_follows_every_page() {
    let server = MockServer::start().await;
    let search = r#"status eq "ACTIVE" and (profile.department eq "Engineering")"#;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(query_param("search", search))
        .and(query_param("limit", "200"))
        .and(query_param_is_missing("after"))
        .respond_with(
            okta(200)
                .append_header(
                    "link",
                    format!("<{base}/api/v1/users?limit=200&search=status+eq+%22ACTIVE%22>; rel=\"self\""),
                )
                .append_header(
                    "link",
                    format!(
                        "<{base}/api/v1/users?after=200u2bcdEfGhIjKlMnO&limit=200&search=status+eq+%22ACTIVE%22+and+%28profile.department+eq+%22Engineering%22%29>; rel=\"next\""
                    ),
                )
                .set_body_json(json!([
                    user("00u1abcdEfGhIjKlMnO", "ada@example.com", "Ada", "Lovelace", "ACTIVE"),
                    user("00u2bcdEfGhIjKlMnO", "grace@example.com", "Grace", "Hopper", "ACTIVE"),
                ])),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(query_param("after", "200u2bcdEfGhIjKlMnO"))
        .and(query_param("search", search))
        .respond_with(
            okta(200)
                .append_header(
                    "link",
                    format!(
                        "<{base}/api/v1/users?after=200u2bcdEfGhIjKlMnO&limit=200>; rel=\"self\""
                    ),
                )
                .set_body_json(json!([user(
                    "00u3cdEfGhIjKlMnOp",
                    "edsger@example.com",
                    "Edsger",
                    "Dijkstra",
                    "ACTIVE"
                )])),
        )
        .expect(1)
        .mount(&server)
        .await;

    let env = token_env(&server);
    run(
        "list_active_users",
        &[r#"profile.department eq "Engineering""#],
        &as_env(&env),
    )
    .await
    .assert_success()
    .assert_prints(&format!("Listing users where {search}"))
    .assert_prints("00u1abcdEfGhIjKlMnO\tada@example.com\tAda Lovelace")
    .assert_prints("00u2bcdEfGhIjKlMnO\tgrace@example.com\tGrace Hopper")
    .assert_prints("00u3cdEfGhIjKlMnOp\tedsger@example.com\tEdsger Dijkstra")
    .assert_prints("3 active users");

    let requests = received(&server, "GET", "/api/v1/users").await;
    assert_eq!(requests.len(), 2, "two pages");
    for r in &requests {
        assert_eq!(
            header_str(r, "authorization"),
            Some(format!("SSWS {TOKEN}").as_str())
        );
    }
    server.verify().await;
}

// ---------------------------------------------------------------- provision_user

#[tokio::test]
async fn provision_user_creates_activates_adds_to_the_group_and_assigns_the_app() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users"))
        .and(query_param("activate", "true"))
        .and(body_json(json!({
            "profile": {
                "login": "ada@example.com",
                "email": "ada@example.com",
                "firstName": "Ada",
                "lastName": "Lovelace"
            },
            "credentials": {"password": {"value": "correct-Horse-battery-9"}}
        })))
        .respond_with(okta(200).set_body_json(user(
            "00u9newUserId0000001",
            "ada@example.com",
            "Ada",
            "Lovelace",
            "ACTIVE",
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(
            "/api/v1/groups/00g1engineering00001/users/00u9newUserId0000001",
        ))
        .respond_with(okta(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/apps/0oa1slack000000000001/users"))
        .and(body_json(
            json!({"id": "00u9newUserId0000001", "scope": "USER"}),
        ))
        .respond_with(okta(200).set_body_json(json!({
            "id": "00u9newUserId0000001",
            "externalId": null,
            "created": "2026-02-03T09:14:23.000Z",
            "lastUpdated": "2026-02-03T09:14:23.000Z",
            "scope": "USER",
            "status": "ACTIVE",
            "statusChanged": "2026-02-03T09:14:23.000Z",
            "passwordChanged": null,
            "syncState": "DISABLED",
            "credentials": {"userName": "ada@example.com"},
            "profile": {},
            "_links": {
                "app": {"href": "https://example.okta.com/api/v1/apps/0oa1slack000000000001"},
                "user": {"href": "https://example.okta.com/api/v1/users/00u9newUserId0000001"}
            }
        })))
        .expect(1)
        .mount(&server)
        .await;

    let mut env = token_env(&server);
    env.extend([
        ("NEW_USER_LOGIN", "ada@example.com".to_string()),
        ("NEW_USER_FIRST_NAME", "Ada".to_string()),
        ("NEW_USER_LAST_NAME", "Lovelace".to_string()),
        ("NEW_USER_PASSWORD", "correct-Horse-battery-9".to_string()),
        ("OKTA_GROUP_ID", "00g1engineering00001".to_string()),
        ("OKTA_APP_ID", "0oa1slack000000000001".to_string()),
    ]);
    run("provision_user", &[], &as_env(&env))
        .await
        .assert_success()
        .assert_prints("Created user 00u9newUserId0000001 (ACTIVE)")
        .assert_prints("Added user 00u9newUserId0000001 to group 00g1engineering00001")
        .assert_prints("Assigned app 0oa1slack000000000001 to user 00u9newUserId0000001");

    // The three calls were made, in order, each once (`expect(1)` above).
    let order: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(
        order,
        [
            "POST /api/v1/users",
            "PUT /api/v1/groups/00g1engineering00001/users/00u9newUserId0000001",
            "POST /api/v1/apps/0oa1slack000000000001/users",
        ]
    );
    server.verify().await;
}

#[tokio::test]
async fn provision_user_exits_non_zero_when_okta_refuses() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users"))
        .respond_with(okta(400).set_body_json(json!({
            "errorCode": "E0000001",
            "errorSummary": "Api validation failed: login",
            "errorLink": "E0000001",
            "errorId": "oaeHfmOAx1iRLa0H10DeMz5fQ",
            "errorCauses": [{
                "errorSummary": "login: An object with this field already exists in the current organization"
            }]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let mut env = token_env(&server);
    env.extend([
        ("NEW_USER_LOGIN", "ada@example.com".to_string()),
        ("NEW_USER_FIRST_NAME", "Ada".to_string()),
        ("NEW_USER_LAST_NAME", "Lovelace".to_string()),
        ("OKTA_GROUP_ID", "00g1engineering00001".to_string()),
        ("OKTA_APP_ID", "0oa1slack000000000001".to_string()),
    ]);
    let run = run("provision_user", &[], &as_env(&env)).await;
    assert!(!run.success, "{}", run.stdout);
    assert!(run.stderr.contains("E0000001"), "{}", run.stderr);
    // Nothing after the failed call was attempted.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

// ---------------------------------------------------------------- bulk_rate_limited

/// A rate-limit window of `limit` calls, as Okta's one-minute windows are, only shorter: it
/// opens at a call after the last one reset and resets at the end of the second after next
/// (1 to 2 s later, so that a slow machine still makes all the calls in one or two windows).
/// It answers 429 if the window is overdrawn.
struct Window {
    limit: u64,
    state: Mutex<(u64, u64)>,
    overdrawn: AtomicU64,
}

impl Window {
    /// `(remaining, reset)` after one more call, or `None` when the window is used up.
    fn take(&self) -> Option<(u64, u64)> {
        let mut state = self.state.lock().unwrap();
        let now = now_secs();
        if now >= state.1 {
            *state = (0, now + 2);
        }
        if state.0 >= self.limit {
            self.overdrawn.fetch_add(1, Ordering::SeqCst);
            return None;
        }
        state.0 += 1;
        Some((self.limit - state.0, state.1))
    }
}

#[tokio::test]
async fn bulk_rate_limited_paces_itself_by_the_rate_limit_headers() {
    let server = MockServer::start().await;
    let window = Arc::new(Window {
        limit: 10,
        state: Mutex::new((0, 0)),
        overdrawn: AtomicU64::new(0),
    });
    let w = window.clone();
    Mock::given(method("POST"))
        .and(path_regex(
            r"^/api/v1/users/00u[0-9A-Za-z]+/lifecycle/deactivate$",
        ))
        .and(query_param("sendEmail", "false"))
        .and(header("authorization", format!("SSWS {TOKEN}").as_str()))
        .respond_with(move |_: &Request| {
            let (status, remaining, reset) = match w.take() {
                Some((remaining, reset)) => (200, remaining, reset),
                None => (429, 0, now_secs() + 1),
            };
            let answer = ResponseTemplate::new(status)
                .insert_header("X-Okta-Request-Id", "reqBulk0000000000000000001")
                .insert_header("X-Rate-Limit-Limit", "10")
                .insert_header("X-Rate-Limit-Remaining", remaining)
                .insert_header("X-Rate-Limit-Reset", reset);
            if status == 429 {
                answer.set_body_json(json!({
                    "errorCode": "E0000047",
                    "errorSummary": "API call exceeded rate limit due to too many requests.",
                    "errorLink": "E0000047",
                    "errorId": "sampleQPivGUj_ND5v78vbYWW",
                    "errorCauses": []
                }))
            } else {
                answer
            }
        })
        .mount(&server)
        .await;

    let ids: Vec<String> = (1..=14)
        .map(|n| format!("00u{n:02}bulkUser0000000"))
        .collect();
    let args: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut env = token_env(&server);
    env.extend([
        ("BULK_CONCURRENCY", "3".to_string()),
        ("BULK_RESERVE", "3".to_string()),
    ]);
    let run = run("bulk_rate_limited", &args, &as_env(&env)).await;
    run.assert_success()
        .assert_prints("Deactivating 14 users, 3 at a time")
        .assert_prints("pausing")
        .assert_prints("14 deactivated, 0 failed");
    for id in &ids {
        run.assert_prints(&format!("deactivated {id} ("));
    }

    // Every user was deactivated exactly once, and the pacing kept the job inside the
    // window: no call was refused with a 429.
    let mut paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    paths.sort();
    let expected: Vec<String> = ids
        .iter()
        .map(|id| format!("/api/v1/users/{id}/lifecycle/deactivate"))
        .collect();
    assert_eq!(paths, expected);
    assert_eq!(window.overdrawn.load(Ordering::SeqCst), 0, "{}", run.stdout);
}

#[tokio::test]
async fn bulk_rate_limited_reports_failures_and_exits_non_zero() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/api/v1/users/00u1known000000000/lifecycle/deactivate",
        ))
        .respond_with(okta(200))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(
            "/api/v1/users/00u2missing0000000/lifecycle/deactivate",
        ))
        .respond_with(okta(404).set_body_json(json!({
            "errorCode": "E0000007",
            "errorSummary": "Not found: Resource not found: 00u2missing0000000 (User)",
            "errorLink": "E0000007",
            "errorId": "oaeWqXi6pN0Q8KVrBgVUmo7Kw",
            "errorCauses": []
        })))
        .mount(&server)
        .await;

    let env = token_env(&server);
    let run = run(
        "bulk_rate_limited",
        &["00u1known000000000", "00u2missing0000000"],
        &as_env(&env),
    )
    .await;
    assert!(!run.success, "{}", run.stdout);
    run.assert_prints("deactivated 00u1known000000000")
        .assert_prints("1 deactivated, 1 failed");
    assert!(
        run.stderr
            .contains("could not deactivate 00u2missing0000000"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------- service_app

#[derive(Debug, serde::Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    aud: String,
    jti: String,
}

#[tokio::test]
async fn service_app_signs_an_assertion_gets_a_token_and_calls_with_it() {
    let server = MockServer::start().await;
    let keys = okta_tests::workspace_root().join("tests/keys");
    let public_pem = std::fs::read_to_string(keys.join("rsa-public.pem")).unwrap();
    let decoding = jsonwebtoken::DecodingKey::from_rsa_pem(public_pem.as_bytes()).unwrap();
    let token_url = format!("{}/oauth2/v1/token", server.uri());
    let checked = Arc::new(AtomicU64::new(0));
    let seen = checked.clone();
    let url = token_url.clone();
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(move |req: &Request| {
            let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&req.body).unwrap();
            let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
            assert_eq!(get("grant_type"), Some("client_credentials"));
            assert_eq!(get("scope"), Some("okta.users.read okta.groups.read"));
            assert_eq!(
                get("client_assertion_type"),
                Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            );
            let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
            validation.set_audience(&[url.as_str()]);
            let data = jsonwebtoken::decode::<AssertionClaims>(
                get("client_assertion").expect("an assertion"),
                &decoding,
                &validation,
            )
            .expect("the assertion is signed with the app's key and valid");
            assert_eq!(data.header.kid.as_deref(), Some("kid-examples-1"));
            assert_eq!(data.claims.iss, "0oa1serviceApp000001");
            assert_eq!(data.claims.sub, "0oa1serviceApp000001");
            assert_eq!(data.claims.aud, url);
            assert!(!data.claims.jti.is_empty());
            seen.fetch_add(1, Ordering::SeqCst);
            okta(200).set_body_json(json!({
                "token_type": "Bearer",
                "expires_in": 3600,
                "access_token": "eyJraWQiOiJleGFtcGxlcyJ9.at-examples.sig",
                "scope": "okta.users.read okta.groups.read"
            }))
        })
        .expect(1)
        .mount(&server)
        .await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(query_param("limit", "5"))
        .and(header(
            "authorization",
            "Bearer eyJraWQiOiJleGFtcGxlcyJ9.at-examples.sig",
        ))
        .respond_with(
            okta(200)
                .append_header(
                    "link",
                    format!(
                        "<{base}/api/v1/users?after=200u2bcdEfGhIjKlMnO&limit=5>; rel=\"next\""
                    ),
                )
                .set_body_json(json!([
                    user(
                        "00u1abcdEfGhIjKlMnO",
                        "ada@example.com",
                        "Ada",
                        "Lovelace",
                        "ACTIVE"
                    ),
                    user(
                        "00u2bcdEfGhIjKlMnO",
                        "grace@example.com",
                        "Grace",
                        "Hopper",
                        "ACTIVE"
                    ),
                ])),
        )
        .expect(1)
        .mount(&server)
        .await;

    let key_path = keys.join("rsa-private.pem").display().to_string();
    let env = [
        ("OKTA_CLIENT_ORGURL", server.uri()),
        ("OKTA_CLIENT_CLIENTID", "0oa1serviceApp000001".to_string()),
        ("OKTA_CLIENT_PRIVATEKEY", key_path),
        ("OKTA_CLIENT_PRIVATEKEYID", "kid-examples-1".to_string()),
        (
            "OKTA_CLIENT_SCOPES",
            "okta.users.read okta.groups.read".to_string(),
        ),
    ];
    run("service_app", &[], &as_env(&env))
        .await
        .assert_success()
        .assert_prints("Service app 0oa1serviceApp000001")
        .assert_prints("scopes okta.users.read okta.groups.read")
        .assert_prints("First 2 users:")
        .assert_prints("00u1abcdEfGhIjKlMnO\tada@example.com")
        .assert_prints("(more on the next page)");
    assert_eq!(checked.load(Ordering::SeqCst), 1, "one token request");
    server.verify().await;
}

// ---------------------------------------------------------------- tail_system_log

fn log_event(uuid: &str, published: &str, event_type: &str, message: &str) -> Value {
    json!({
        "actor": {
            "id": "00u1abcdEfGhIjKlMnO",
            "type": "User",
            "alternateId": "ada@example.com",
            "displayName": "Ada Lovelace",
            "detailEntry": null
        },
        "client": {
            "userAgent": {
                "rawUserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15",
                "os": "Mac OS X",
                "browser": "SAFARI"
            },
            "zone": "null",
            "device": "Computer",
            "id": null,
            "ipAddress": "198.51.100.23",
            "geographicalContext": {
                "city": "London",
                "state": "England",
                "country": "United Kingdom",
                "postalCode": "EC1A",
                "geolocation": {"lat": 51.5164, "lon": -0.093}
            }
        },
        "authenticationContext": {
            "authenticationProvider": null,
            "credentialProvider": null,
            "credentialType": null,
            "issuer": null,
            "interface": null,
            "authenticationStep": 0,
            "externalSessionId": "102bZDNFfWaQSyEZQuDgWt-uQ"
        },
        "displayMessage": message,
        "eventType": event_type,
        "outcome": {"result": "SUCCESS", "reason": null},
        "published": published,
        "securityContext": {
            "asNumber": 64496,
            "asOrg": "example isp",
            "isp": "example isp",
            "domain": "example.net",
            "isProxy": false
        },
        "severity": "INFO",
        "debugContext": {"debugData": {"requestId": "reqVy8wsvmBQN27h4soUE3ZEnA", "requestUri": "/api/v1/authn"}},
        "legacyEventType": "core.user_auth.login_success",
        "transaction": {"type": "WEB", "id": "reqVy8wsvmBQN27h4soUE3ZEnA", "detail": {}},
        "uuid": uuid,
        "version": "0",
        "request": {"ipChain": [{"ip": "198.51.100.23", "version": "V4"}]},
        "target": []
    })
}

#[tokio::test]
async fn tail_system_log_follows_the_next_link_and_asks_again_after_an_empty_page() {
    let server = MockServer::start().await;
    let base = server.uri();
    let since = "2026-03-01T00:00:00Z";
    let link = move |after: &str| {
        format!(
            "<{base}/api/v1/logs?since=2026-03-01T00%3A00%3A00Z&sortOrder=ASCENDING&limit=100&after={after}>; rel=\"next\""
        )
    };
    // The first page: two events, linking past the second.
    Mock::given(method("GET"))
        .and(path("/api/v1/logs"))
        .and(query_param("since", since))
        .and(query_param("sortOrder", "ASCENDING"))
        .and(query_param("limit", "100"))
        .and(query_param_is_missing("after"))
        .respond_with(
            okta(200)
                .append_header("link", link("1772323201000_1"))
                .set_body_json(json!([
                    log_event(
                        "5b1e2a3c-0001-11f0-9f0e-4f1d3c2b1a01",
                        "2026-03-01T00:00:00.512Z",
                        "user.session.start",
                        "User login to Okta"
                    ),
                    log_event(
                        "5b1e2a3c-0002-11f0-9f0e-4f1d3c2b1a02",
                        "2026-03-01T00:00:01.034Z",
                        "user.authentication.sso",
                        "User single sign on to app"
                    ),
                ])),
        )
        .expect(1)
        .mount(&server)
        .await;
    // Past the second event: nothing the first time, a third event the second time.
    let asked = Arc::new(AtomicU64::new(0));
    let n = asked.clone();
    let l = link.clone();
    Mock::given(method("GET"))
        .and(path("/api/v1/logs"))
        .and(query_param("after", "1772323201000_1"))
        .respond_with(move |_: &Request| {
            if n.fetch_add(1, Ordering::SeqCst) == 0 {
                // Okta's empty polling page links the same place again.
                okta(200)
                    .append_header("link", l("1772323201000_1"))
                    .set_body_json(json!([]))
            } else {
                okta(200)
                    .append_header("link", l("1772323260000_1"))
                    .set_body_json(json!([log_event(
                        "5b1e2a3c-0003-11f0-9f0e-4f1d3c2b1a03",
                        "2026-03-01T00:01:00.207Z",
                        "user.session.end",
                        "User logout from Okta"
                    )]))
            }
        })
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/logs"))
        .and(query_param("after", "1772323260000_1"))
        .respond_with(
            okta(200)
                .append_header("link", link("1772323260000_1"))
                .set_body_json(json!([])),
        )
        .expect(2)
        .mount(&server)
        .await;

    let mut env = token_env(&server);
    env.extend([
        ("TAIL_SINCE", since.to_string()),
        ("TAIL_INTERVAL_SECS", "0.05".to_string()),
        ("TAIL_MAX_POLLS", "5".to_string()),
    ]);
    run("tail_system_log", &[], &as_env(&env))
        .await
        .assert_success()
        .assert_prints("Following the System Log since 2026-03-01T00:00:00Z")
        .assert_prints(
            "2026-03-01T00:00:00.512Z  user.session.start  ada@example.com  User login to Okta",
        )
        .assert_prints("user.authentication.sso")
        .assert_prints(
            "2026-03-01T00:01:00.207Z  user.session.end  ada@example.com  User logout from Okta",
        )
        .assert_prints("(no new events; asking again in 50ms)")
        .assert_prints("Stopped after 5 requests, 3 events");

    // The requests, in order: the query, its next link twice (empty, then an event), then the
    // new next link twice (empty both times, the last one ending the run).
    let afters: Vec<Option<String>> = received(&server, "GET", "/api/v1/logs")
        .await
        .iter()
        .map(|r| query(r, "after"))
        .collect();
    assert_eq!(
        afters,
        [
            None,
            Some("1772323201000_1".into()),
            Some("1772323201000_1".into()),
            Some("1772323260000_1".into()),
            Some("1772323260000_1".into()),
        ]
    );
    server.verify().await;
}

// ---------------------------------------------------------------- authn_mfa

fn authn_user() -> Value {
    json!({
        "id": "00ub0oNGTSWTBKOLGLNR",
        "passwordChanged": "2026-01-08T20:14:45.000Z",
        "profile": {
            "login": "dade.murphy@example.com",
            "firstName": "Dade",
            "lastName": "Murphy",
            "locale": "en_US",
            "timeZone": "America/Los_Angeles"
        }
    })
}

fn factor(base: &str, id: &str, factor_type: &str, profile: Value) -> Value {
    json!({
        "id": id,
        "factorType": factor_type,
        "provider": "OKTA",
        "vendorName": "OKTA",
        "profile": profile,
        "_links": {
            "verify": {
                "href": format!("{base}/api/v1/authn/factors/{id}/verify"),
                "hints": {"allow": ["POST"]}
            }
        }
    })
}

const STATE_TOKEN: &str = "007ucIX7PATyn94hsHfOLVaXAmOBkKHWnOOLG43bsb";

/// `POST /api/v1/authn` answering `MFA_REQUIRED` with an SMS, a TOTP and a push factor.
async fn mount_primary_authentication(server: &MockServer) {
    let base = server.uri();
    Mock::given(method("POST"))
        .and(path("/api/v1/authn"))
        .and(body_json(json!({
            "username": "dade.murphy@example.com",
            "password": "correcthorsebatterystaple"
        })))
        .respond_with(okta(200).set_body_json(json!({
            "stateToken": STATE_TOKEN,
            "expiresAt": "2026-03-01T10:15:57.000Z",
            "status": "MFA_REQUIRED",
            "_embedded": {
                "user": authn_user(),
                "factors": [
                    factor(&base, "sms193zUBEROPBNZKPPE", "sms", json!({"phoneNumber": "+1 XXX-XXX-1337"})),
                    factor(&base, "ostfm3hPNYSOIOIVTQWY", "token:software:totp", json!({"credentialId": "dade.murphy@example.com"})),
                    factor(&base, "opf3hkfocI4JTLAju0g4", "push", json!({
                        "credentialId": "dade.murphy@example.com",
                        "deviceType": "SmartPhone_IPhone",
                        "name": "Gibson",
                        "platform": "IOS",
                        "version": "17.4"
                    })),
                ],
                "policy": {
                    "allowRememberDevice": false,
                    "rememberDeviceLifetimeInMinutes": 0,
                    "rememberDeviceByDefault": false,
                    "factorsPolicyInfo": {}
                }
            },
            "_links": {
                "cancel": {"href": format!("{base}/api/v1/authn/cancel"), "hints": {"allow": ["POST"]}}
            }
        })))
        .expect(1)
        .mount(server)
        .await;
}

fn success() -> Value {
    json!({
        "expiresAt": "2026-03-01T10:16:41.000Z",
        "status": "SUCCESS",
        "sessionToken": "20111h0ZlxOkBxc9b2y4aOdpBx0NoIKJq7UAbcmQpi9jhoZvT8pKv_6",
        "_embedded": {"user": authn_user()}
    })
}

fn authn_env(server: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("OKTA_CLIENT_ORGURL", server.uri()),
        ("OKTA_USERNAME", "dade.murphy@example.com".to_string()),
        ("OKTA_PASSWORD", "correcthorsebatterystaple".to_string()),
    ]
}

#[tokio::test]
async fn authn_mfa_verifies_a_totp_passcode_and_gets_a_session_token() {
    let server = MockServer::start().await;
    mount_primary_authentication(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/authn/factors/ostfm3hPNYSOIOIVTQWY/verify"))
        .and(body_json(
            json!({"stateToken": STATE_TOKEN, "passCode": "657463"}),
        ))
        .respond_with(okta(200).set_body_json(success()))
        .expect(1)
        .mount(&server)
        .await;

    let mut env = authn_env(&server);
    env.push(("OKTA_TOTP_PASSCODE", "657463".to_string()));
    run("authn_mfa", &[], &as_env(&env))
        .await
        .assert_success()
        .assert_prints("Transaction status: MFA_REQUIRED")
        .assert_prints("Verifying TOTP factor ostfm3hPNYSOIOIVTQWY")
        .assert_prints("Transaction status: SUCCESS")
        .assert_prints("Signed in: user 00ub0oNGTSWTBKOLGLNR, session token 20111h…");

    // The Authentication API is called without credentials.
    for r in server.received_requests().await.unwrap() {
        assert_eq!(header_str(&r, "authorization"), None, "{}", r.url);
    }
    server.verify().await;
}

#[tokio::test]
async fn authn_mfa_polls_a_push_until_it_is_approved() {
    let server = MockServer::start().await;
    mount_primary_authentication(&server).await;
    let polls = Arc::new(AtomicU64::new(0));
    let n = polls.clone();
    let base = server.uri();
    Mock::given(method("POST"))
        .and(path("/api/v1/authn/factors/opf3hkfocI4JTLAju0g4/verify"))
        .and(body_partial_json(json!({"stateToken": STATE_TOKEN})))
        .and(header_exists("content-type"))
        .respond_with(move |_: &Request| {
            if n.fetch_add(1, Ordering::SeqCst) < 2 {
                okta(200).set_body_json(json!({
                    "stateToken": STATE_TOKEN,
                    "expiresAt": "2026-03-01T10:15:57.000Z",
                    "status": "MFA_CHALLENGE",
                    "factorResult": "WAITING",
                    "_embedded": {
                        "user": authn_user(),
                        "factor": factor(&base, "opf3hkfocI4JTLAju0g4", "push", json!({
                            "deviceType": "SmartPhone_IPhone",
                            "name": "Gibson",
                            "platform": "IOS",
                            "version": "17.4"
                        }))
                    },
                    "_links": {
                        "next": {
                            "name": "poll",
                            "href": format!("{base}/api/v1/authn/factors/opf3hkfocI4JTLAju0g4/verify"),
                            "hints": {"allow": ["POST"]}
                        }
                    }
                }))
            } else {
                okta(200).set_body_json(success())
            }
        })
        .expect(3)
        .mount(&server)
        .await;

    let mut env = authn_env(&server);
    env.push(("OKTA_PUSH_POLL_SECS", "0.05".to_string()));
    run("authn_mfa", &[], &as_env(&env))
        .await
        .assert_success()
        .assert_prints("Sending a push to factor opf3hkfocI4JTLAju0g4")
        .assert_prints("Waiting for the push to be approved")
        .assert_prints("Transaction status: SUCCESS")
        .assert_prints("session token 20111h…");
    assert_eq!(polls.load(Ordering::SeqCst), 3, "the push, two polls");
    server.verify().await;
}
