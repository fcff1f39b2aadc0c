//! Explicit nulls and type drift: a `null` can be sent for any field and a `null` read is
//! written back; a value of another JSON type than the spec's reads as unset, is kept and
//! written back unchanged, and is reported as a `tracing` warning naming its path; one such
//! item fails neither its list page nor the stream.
//!
//! Its own test binary: it installs a global `tracing` subscriber (see `redaction.rs`).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use futures_util::TryStreamExt;
use okta_client::models::{UpdateUserRequest, UserGetSingleton, UserProfile};
use okta_client::{Client, Error};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
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

/// The warnings logged so far, by every test of this binary.
fn logs() -> String {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    let captured = CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        captured
    });
    String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .max_retries(0)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_partial_update_sends_the_nulls_it_is_given() {
    logs();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users/00u1"))
        .and(body_json(json!({
            "profile": {"nickName": "Ada", "postalAddress": null, "favouriteColor": null}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})))
        .expect(1)
        .mount(&server)
        .await;
    let mut profile = UserProfile {
        nick_name: Some("Ada".into()),
        ..UserProfile::default()
    };
    profile.additional_properties.set_null("postalAddress");
    // A custom attribute the spec does not list is cleared the same way.
    profile.additional_properties.set_null("favouriteColor");
    let body = UpdateUserRequest {
        profile: Some(profile),
        ..UpdateUserRequest::default()
    };
    client(&server)
        .partial_update_user("00u1", body)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn read_modify_write_sends_back_the_nulls_it_read() {
    logs();
    let server = MockServer::start().await;
    let read = json!({
        "id": "00u1",
        "status": "ACTIVE",
        "activated": null,
        "profile": {"login": "ada@example.com", "mobilePhone": null, "costCenter": null}
    });
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(read))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/users/00u1"))
        .and(body_json(json!({
            "profile": {"login": "ada@example.com", "mobilePhone": "+1 555 0100", "costCenter": null}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let user = c.get_user("00u1").send().await.unwrap();
    // The user as read, nulls included, is what it encodes to.
    let encoded = serde_json::to_value(&user).unwrap();
    assert_eq!(encoded["activated"], serde_json::Value::Null);
    assert_eq!(encoded["profile"]["mobilePhone"], serde_json::Value::Null);
    let mut profile = user.profile.unwrap();
    profile.mobile_phone = Some("+1 555 0100".into());
    let body = okta_client::models::UpdateUserRequest {
        profile: Some(profile),
        ..Default::default()
    };
    c.update_user("00u1", body).send().await.unwrap();
}

#[tokio::test]
async fn a_value_of_another_type_reads_as_unset_is_kept_and_is_reported() {
    let server = MockServer::start().await;
    let body = json!({
        "id": "00u1",
        "status": "ACTIVE",
        "profile": {"login": 5, "email": "ada@example.com", "firstName": ["Ada"]}
    });
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body.clone()))
        .mount(&server)
        .await;
    let user: UserGetSingleton = client(&server).get_user("00u1").send().await.unwrap();
    let profile = user.profile.as_ref().unwrap();
    assert_eq!(profile.login, None);
    assert_eq!(profile.first_name, None);
    assert_eq!(profile.email.as_deref(), Some("ada@example.com"));
    assert_eq!(profile.additional_properties.kept("login"), Some(&json!(5)));
    assert_eq!(
        serde_json::to_value(&user).unwrap(),
        body,
        "written back unchanged"
    );
    let logs = logs();
    let line = logs
        .lines()
        .find(|l| l.contains("path=$.profile.login"))
        .unwrap_or_else(|| panic!("no warning for profile.login in:\n{logs}"));
    assert!(line.contains("WARN"), "{line}");
    assert!(
        line.contains("found=\"integer\"") || line.contains("found=integer"),
        "{line}"
    );
    assert!(line.contains("expected a string"), "{line}");
    assert!(logs.contains("path=$.profile.firstName[*]"), "{logs}");

    // Strictly, the same body is a decode error.
    let strict = Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .strict_decoding(true)
        .build()
        .unwrap();
    let err = strict.get_user("00u1").send().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn one_drifted_item_fails_neither_its_page_nor_the_stream() {
    let server = MockServer::start().await;
    let next = format!("<{}/api/v1/users?after=2>; rel=\"next\"", server.uri());
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(wiremock::matchers::query_param_is_missing("after"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", next.as_str())
                .set_body_json(json!([
                    {"id": "00u1", "profile": {"login": "a@example.com"}},
                    {"id": "00u2", "profile": {"login": {"value": "b@example.com"}}, "created": 17},
                ])),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(wiremock::matchers::query_param("after", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "00u3", "profile": {"login": "c@example.com"}}
        ])))
        .mount(&server)
        .await;
    let users: Vec<_> = client(&server)
        .list_users()
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = users.iter().map(|u| u.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["00u1", "00u2", "00u3"]);
    let drifted = &users[1];
    assert_eq!(drifted.created, None);
    assert_eq!(
        drifted.additional_properties.kept("created"),
        Some(&json!(17))
    );
    let login = drifted.profile.as_ref().unwrap();
    assert_eq!(
        login.additional_properties.kept("login"),
        Some(&json!({"value": "b@example.com"}))
    );
    let logs = logs();
    assert!(logs.contains("path=$[*].profile.login"), "{logs}");
    assert!(logs.contains("path=$[*].created"), "{logs}");
}
