//! Contract tests: every operation of the generated client is called against Prism, a mock
//! server that validates requests against `spec/okta.yaml` (`--errors` turns any violation into
//! an error answer), and every answer must decode into the typed model. Prism runs once with
//! the spec's static responses and once generating them from the schemas (`-d`, fixed seed).
//!
//! Prism is installed by `.ci/run` (`npm ci --prefix tests/prism`). Without it the tests fail
//! in CI and skip locally, saying how to install it.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use okta_client::roundtrip::{OPERATIONS, call};
use okta_client::{Client, Error, Method};
use okta_tests::workspace_root;

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
        let deadline = Instant::now() + Duration::from_secs(90);
        while !prism.log_text().contains("Prism is listening")
            || TcpStream::connect(("127.0.0.1", port)).is_err()
        {
            assert!(
                Instant::now() < deadline,
                "Prism did not listen within 90 s: {}",
                prism.log_text()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Some(prism)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn client(&self) -> Client {
        Client::builder()
            .base_url(format!("http://127.0.0.1:{}", self.port))
            .api_token("00a-contract-test")
            .max_retries(0)
            .build()
            .unwrap()
    }
}

fn describe(e: &Error) -> String {
    match e {
        Error::Api(api) => format!("{} {}", api.status, api.body_excerpt),
        other => other.to_string(),
    }
}

async fn every_operation(dynamic: bool) {
    let Some(prism) = Prism::start(dynamic) else {
        return;
    };
    let loaded = okta_codegen::load::load(&workspace_root().join("spec/okta.yaml")).unwrap();
    let api = okta_codegen::lower::lower(&loaded).unwrap();
    let samples = okta_tests::samples::samples(&loaded, &api);
    let client = prism.client();
    let mut failures = Vec::new();
    for op in OPERATIONS {
        let sample = &samples[op.name];
        let outcome = call(&client, op.name, sample)
            .expect("every operation can be called")
            .await;
        if let Err(e) = outcome {
            failures.push(format!(
                "{} ({} {}): {}",
                op.name,
                op.method,
                op.path,
                describe(&e)
            ));
        }
    }
    // Written past the test harness's capture, so the summary shows on success too.
    let mut summary = String::new();
    for f in &failures {
        summary.push_str(&format!("FAILED {f}\n"));
    }
    summary.push_str(&format!(
        "contract ({}): {} passed, {} failed\n",
        if dynamic {
            "dynamic answers"
        } else {
            "static answers"
        },
        OPERATIONS.len() - failures.len(),
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
