//! Contract tests: every operation of the generated client is called against Prism, a mock
//! server that validates requests against `spec/okta.yaml` (`--errors` turns any violation into
//! an error answer), and every answer must decode into the typed model. Prism runs once with
//! the spec's static responses and once generating them from the schemas (`-d`, fixed seed).
//! The spec also says how to call each operation: one whose security requirements are all
//! OAuth 2.0 gets an access token instead of the API token, and one that documents no success
//! status must answer with one of the statuses it documents.
//!
//! Prism is installed by `.ci/run` (`npm ci --prefix tests/prism`). Without it the tests fail
//! in CI and skip locally, saying how to install it.

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use okta_client::roundtrip::{OPERATIONS, call};
use okta_client::{Client, Error, Method};
use okta_codegen::load::LoadedSpec;
use okta_tests::workspace_root;
use serde_json::Value;

fn prism_binary() -> Option<PathBuf> {
    let bin = workspace_root().join("tests/prism/node_modules/.bin/prism");
    bin.is_file().then_some(bin)
}

/// A running Prism; stopped by its process id when dropped, also when a test panics.
struct Prism {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prism {
    fn start(dynamic: bool) -> Option<Prism> {
        let Some(bin) = prism_binary() else {
            let msg = "Prism is not installed: run `npm ci --prefix tests/prism`";
            if std::env::var_os("CI").is_some() {
                panic!("{msg} (CI installs it in .ci/run)");
            }
            eprintln!("skipped: {msg}");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::env::temp_dir().join(format!("okta-prism-{port}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(bin);
        cmd.args([
            "mock",
            "--errors",
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ]);
        if dynamic {
            cmd.args(["-d", "--seed", "1"]);
        }
        cmd.arg(workspace_root().join("spec/okta.yaml"))
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        let child = cmd.spawn().expect("prism starts");
        let prism = Prism { child, port, log };
        // Wait for Prism to say it listens (a bare connect can succeed by connecting the
        // socket to itself on an ephemeral port), then for the port to accept.
        let deadline = Instant::now() + Duration::from_secs(300);
        while !prism.log_text().contains("Prism is listening")
            || TcpStream::connect(("127.0.0.1", port)).is_err()
        {
            assert!(
                Instant::now() < deadline,
                "Prism did not listen within 300 s: {}",
                prism.log_text()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Some(prism)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A client sending an API token (`Authorization: SSWS …`).
    fn client(&self) -> Client {
        Client::builder()
            .base_url(format!("http://127.0.0.1:{}", self.port))
            .http_client(prism_http())
            .api_token("00a-contract-test")
            .max_retries(0)
            .build()
            .unwrap()
    }

    /// A client sending an OAuth 2.0 access token (`Authorization: Bearer …`).
    fn oauth_client(&self) -> Client {
        Client::builder()
            .base_url(format!("http://127.0.0.1:{}", self.port))
            .http_client(prism_http())
            .access_token("contract-test-access-token")
            .max_retries(0)
            .build()
            .unwrap()
    }
}

/// The HTTP client of the contract calls. Prism (Node) closes a connection that has been idle
/// for 5 s; a call that takes the pooled connection at that moment fails as a transport error
/// (the OAuth-only operations are few, so their client's connection idles that long). The pool
/// here drops idle connections well before.
fn prism_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

/// What the spec says about one operation that the test must follow.
#[derive(Debug)]
struct Expectation {
    /// Its security requirements are OAuth 2.0 only: none of them takes the API token, so it
    /// is called with an access token.
    oauth_only: bool,
    /// The statuses it documents, when none of them is a success (2xx): the call must end in
    /// `Error::Api` with one of them.
    only_statuses: Option<Vec<u16>>,
}

/// The expectation for every operation of the lowered spec, by method name, read from the raw
/// spec at the operation's pointer (a multi-operation variant inherits security and responses
/// from its operation, which inherits security from the document).
fn expectations(spec: &LoadedSpec, api: &okta_codegen::ir::Api) -> BTreeMap<String, Expectation> {
    let mut out = BTreeMap::new();
    for op in api.operations() {
        let at = op.pointer.trim_start_matches('#');
        let Some(raw_op) = spec.raw.pointer(at) else {
            continue;
        };
        let base_op = at
            .rsplit_once("/x-okta-multi-operation/")
            .and_then(|(base, _)| spec.raw.pointer(base));
        let inherited = |key: &str| raw_op.get(key).or_else(|| base_op.and_then(|b| b.get(key)));
        let security = inherited("security").or_else(|| spec.raw.get("security"));
        let oauth_only = match security.and_then(Value::as_array) {
            Some(reqs) if !reqs.is_empty() => reqs.iter().all(|r| r.get("apiToken").is_none()),
            _ => false,
        };
        let statuses: Vec<&String> = inherited("responses")
            .and_then(Value::as_object)
            .map(|r| r.keys().collect())
            .unwrap_or_default();
        let only_statuses = (!statuses.is_empty()
            && !statuses
                .iter()
                .any(|s| s.starts_with('2') || s.as_str() == "default"))
        .then(|| statuses.iter().filter_map(|s| s.parse().ok()).collect());
        out.insert(
            op.name.clone(),
            Expectation {
                oauth_only,
                only_statuses,
            },
        );
    }
    out
}

fn describe(e: &Error) -> String {
    match e {
        Error::Api(api) => format!("{} {}", api.status, api.body_excerpt),
        other => {
            // The causes too: a transport error's own text does not say what failed.
            let mut text = other.to_string();
            let mut source = std::error::Error::source(other);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            text
        }
    }
}

async fn every_operation(dynamic: bool) {
    let Some(prism) = Prism::start(dynamic) else {
        return;
    };
    let loaded = okta_codegen::load::load(
        okta_codegen::load::Source::File(&workspace_root().join("spec/okta.yaml")),
        Default::default(),
    )
    .unwrap();
    let api = okta_codegen::lower::lower(&loaded).unwrap();
    let samples = okta_tests::samples::samples(&loaded, &api);
    let expected = expectations(&loaded, &api);
    let client = prism.client();
    let oauth_client = prism.oauth_client();
    let known = if dynamic { KNOWN_DYNAMIC } else { KNOWN_STATIC };
    let mut failures = Vec::new();
    let mut known_failures = 0;
    let mut now_passing = Vec::new();
    for op in OPERATIONS {
        let listed = known.iter().find(|(name, _)| *name == op.name);
        let sample = &samples[op.name];
        let expect = &expected[op.name];
        let caller = if expect.oauth_only {
            &oauth_client
        } else {
            &client
        };
        let outcome = call(caller, op.name, sample)
            .expect("every operation can be called")
            .await;
        // An operation that documents no success (only a redirect, say) must give one of the
        // statuses it documents, as an API error.
        let outcome = match (&expect.only_statuses, outcome) {
            (None, outcome) => outcome,
            (Some(statuses), Err(Error::Api(api))) if statuses.contains(&api.status) => Ok(()),
            (Some(statuses), Err(e)) => Err(Error::Request(format!(
                "expected one of the documented statuses {statuses:?}, got {}",
                describe(&e)
            ))),
            (Some(statuses), Ok(())) => Err(Error::Request(format!(
                "expected one of the documented statuses {statuses:?}, got a success"
            ))),
        };
        match (outcome, listed) {
            (Err(_), Some(_)) => known_failures += 1,
            (Err(e), None) => failures.push(format!(
                "{} ({} {}): {}",
                op.name,
                op.method,
                op.path,
                describe(&e)
            )),
            (Ok(()), Some((name, _))) => now_passing.push(*name),
            (Ok(()), None) => {}
        }
    }
    // Written past the test harness's capture, so the summary shows on success too.
    let mut summary = String::new();
    for f in &failures {
        summary.push_str(&format!("FAILED {f}\n"));
    }
    for name in &now_passing {
        summary.push_str(&format!(
            "NOW PASSES {name}: remove it from the known failures\n"
        ));
    }
    summary.push_str(&format!(
        "contract ({}): {} passed, {} failed, {known_failures} known failures (listed in contract.rs with their reasons)\n",
        if dynamic {
            "dynamic answers"
        } else {
            "static answers"
        },
        OPERATIONS.len() - failures.len() - known_failures,
        failures.len()
    ));
    let _ = std::io::Write::write_all(&mut std::io::stderr(), summary.as_bytes());
    assert!(
        failures.is_empty(),
        "{} operations failed against Prism:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_operation_is_accepted_by_prism_and_its_static_answer_decodes() {
    every_operation(false).await;
}

#[tokio::test]
async fn every_operation_decodes_answers_generated_from_the_schemas() {
    every_operation(true).await;
}

/// Prism really validates: requests that break the spec are refused.
#[tokio::test]
async fn invalid_requests_are_refused() {
    let Some(prism) = Prism::start(false) else {
        return;
    };
    let client = prism.client();
    // A query parameter of the wrong type.
    let err = client
        .request(Method::GET, "/api/v1/users")
        .query("limit", "many")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err.status(), Some(400 | 422)),
        "{}",
        describe(&err)
    );
    // A body that violates the schema.
    let err = client
        .request(Method::POST, "/api/v1/groups")
        .json_body(&serde_json::json!({"profile": 42}))
        .unwrap()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err.status(), Some(400 | 422)),
        "{}",
        describe(&err)
    );
    // A path the spec does not have.
    let err = client
        .request(Method::GET, "/api/v1/nothing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{}", describe(&err));
    // No credentials where the spec requires them.
    let anonymous = Client::builder()
        .base_url(format!("http://127.0.0.1:{}", prism.port))
        .max_retries(0)
        .build()
        .unwrap();
    let err = anonymous.get_user("00u1").send().await.unwrap_err();
    assert_eq!(err.status(), Some(401), "{}", describe(&err));
}

/// Operations that do not pass against Prism yet, by mode, each with what goes wrong: none is
/// left. An entry may only name a limit of Prism itself, with what Prism does; any other failure
/// fails the test, and an entry that passes is reported so that it is removed.
const KNOWN_STATIC: &[(&str, &str)] = &[];

const KNOWN_DYNAMIC: &[(&str, &str)] = &[];
