//! The API token never shows in logs, errors or `Debug` output.
//!
//! This is its own test binary, with one test, because it captures logs.
//! `tracing` caches each callsite's interest process-wide, computed against
//! the subscriber of whichever thread reaches the callsite first: a sibling
//! test thread without a subscriber would switch the client's spans off for
//! everyone. Alone in its process, the test can install a global subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};

use okta_client::Client;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "00a-secret-api-token-7f3e";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_token_never_appears_in_logs_or_errors() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-okta-request-id", "req-log")
                .set_body_json(
                    json!({"errorCode": "E0000006", "errorSummary": "You do not have permission"}),
                ),
        )
        .mount(&server)
        .await;
    let c = Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .build()
        .unwrap();
    let err = c.get_user("00u1").send().await.unwrap_err();
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("okta.request"),
        "the request span was logged: {logs}"
    );
    assert!(logs.contains("/api/v1/users/{id}"), "{logs}");
    assert!(logs.contains("req-log"), "{logs}");
    for text in [logs, err.to_string(), format!("{err:?}"), format!("{c:?}")] {
        assert!(!text.contains(TOKEN), "the token leaked: {text}");
    }
}
