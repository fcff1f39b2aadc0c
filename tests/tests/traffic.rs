//! Real recorded Okta traffic (`../shared/okta-traffic/interactions.jsonl`: Terraform's, oktakit's
//! and graph-okta's cassettes) replayed through the generated client against a loopback server
//! that answers with the recorded status, headers and body (`okta_tests::traffic`).
//!
//! Every interaction is matched to its operation of `spec/okta.yaml` and called with the
//! recorded arguments; the request the client sends must equal the recorded one (method, path,
//! query, JSON body, content type; credentials as the spec says), a recorded 2xx must decode and
//! any other status must give `Error::Api` with that status. The test fails on any real failure,
//! one that means the client or the spec is wrong. It does not fail for:
//!
//! - endpoints the spec has no operation for (counted by reason: governance API, private admin
//!   endpoints, paths or methods not in the spec);
//! - what is not a fair expectation of this client (each counted under its own name):
//!   - `{}` as the body of an operation without one: oktakit sends it for every POST/PUT/DELETE;
//!   - a body for an operation whose spec has no request body: the client cannot send it;
//!   - query parameters the spec does not list: the client cannot send them;
//!   - a body declared JSON that is not JSON (oktakit's Ruby `inspect` of a hash);
//!   - multipart bodies: the round-trip table uploads an empty form, so the body is not compared;
//!   - several (or no) `x-okta-multi-operation` variants fitting the recorded request;
//!   - a missing or ill-typed required value in a request that Okta refused too.
//!
//! Without `../shared/okta-traffic/` the test says it skipped and passes.

#[test]
fn recorded_okta_traffic_replays_through_the_client() {
    let path = okta_tests::traffic::default_path();
    if !path.is_file() {
        eprintln!(
            "skipped: {} is not there (../shared/okta-traffic/ beside the workspace)",
            path.display()
        );
        return;
    }
    // In a child process first (the `traffic` binary), so that a call that crashes the client
    // (a stack overflow aborts the process) is reported as a failure instead of killing the test.
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_traffic"));
    let report = okta_tests::traffic::run_guarded(&path, exe)
        .expect("the recordings and the spec are readable");
    let text = report.render();
    // Written past the test harness's capture, so the figures show on success too.
    let _ = std::io::Write::write_all(&mut std::io::stderr(), text.as_bytes());
    let failures: Vec<String> = report
        .failures()
        .map(|r| format!("{} {} {} ({:?})", r.id, r.method, r.path, r.operation))
        .collect();
    assert!(
        failures.is_empty(),
        "{} recorded interactions are real failures (the client or the spec is wrong); see the report above: {failures:#?}",
        failures.len()
    );
}
