//! Generated operations called over real HTTP against a local server on 127.0.0.1.

use okta_client::models::{
    CreateUserRequest, PrimaryAuthenticationRequest, UserProfile, UserStatus,
};
use okta_client::{Client, Error};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "00a-test-token-value";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .build()
        .expect("a loopback http URL is accepted")
}

#[tokio::test]
async fn create_user_sends_the_request_line_headers_and_body_and_decodes_the_user() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users"))
        .and(query_param("activate", "false"))
        .and(header("authorization", format!("SSWS {TOKEN}").as_str()))
        .and(header("accept", "application/json"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "profile": {
                "login": "ada@example.com",
                "email": "ada@example.com",
                "firstName": "Ada",
                "lastName": "Lovelace",
                "costCenter": "R&D",
                "favouriteLanguage": "Rust"
            }
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "00u1ab2c3D4E5f6G7h8",
            "status": "STAGED",
            "created": "2026-11-23T10:00:00.000Z",
            "activated": null,
            "profile": {
                "login": "ada@example.com",
                "email": "ada@example.com",
                "firstName": "Ada",
                "lastName": "Lovelace",
                "favouriteLanguage": "Rust"
            },
            "_links": {"self": {"href": "https://example.okta.com/api/v1/users/00u1ab2c3D4E5f6G7h8"}}
        })))
        .expect(1)
        .mount(&server)
        .await;

    let mut profile = UserProfile {
        login: Some("ada@example.com".into()),
        email: Some("ada@example.com".into()),
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        cost_center: Some("R&D".into()),
        ..Default::default()
    };
    profile
        .additional_properties
        .insert("favouriteLanguage".into(), json!("Rust"));
    let body = CreateUserRequest {
        profile: Some(profile),
        ..Default::default()
    };

    let user = client(&server)
        .create_user(body)
        .activate(false)
        .send()
        .await
        .expect("the user is created");

    assert_eq!(user.id.as_deref(), Some("00u1ab2c3D4E5f6G7h8"));
    assert_eq!(user.status, Some(UserStatus::Staged));
    assert_eq!(user.activated, None);
    let profile = user.profile.expect("a profile");
    assert_eq!(profile.first_name.as_deref(), Some("Ada"));
    assert_eq!(
        profile.additional_properties["favouriteLanguage"],
        json!("Rust")
    );
}

#[tokio::test]
async fn an_unknown_enum_value_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "00u1", "status": "HIBERNATING"})),
        )
        .mount(&server)
        .await;
    let user = client(&server).get_user("00u1").send().await.unwrap();
    assert_eq!(user.status, Some(UserStatus::Other("HIBERNATING".into())));
    assert_eq!(
        serde_json::to_value(&user).unwrap(),
        json!({"id": "00u1", "status": "HIBERNATING"})
    );
}

#[tokio::test]
async fn an_error_status_becomes_an_api_error_with_oktas_fields_and_the_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/missing"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-okta-request-id", "req-123")
                .set_body_json(json!({
                    "errorCode": "E0000007",
                    "errorSummary": "Not found: Resource not found: missing (User)",
                    "errorLink": "E0000007",
                    "errorId": "oaeXYZ",
                    "errorCauses": []
                })),
        )
        .mount(&server)
        .await;

    let err = client(&server)
        .get_user("missing")
        .send()
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 404);
    assert_eq!(api.request_id.as_deref(), Some("req-123"));
    let okta = api.okta.as_ref().expect("Okta's error body");
    assert_eq!(okta.error_code.as_deref(), Some("E0000007"));
    assert_eq!(okta.error_id.as_deref(), Some("oaeXYZ"));
    let text = err.to_string();
    assert!(
        text.contains("404") && text.contains("E0000007") && text.contains("req-123"),
        "{text}"
    );
    assert!(!text.contains(TOKEN));
}

#[tokio::test]
async fn a_body_that_does_not_fit_is_a_decode_error_naming_the_path_when_decoding_strictly() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "00u1", "profile": {"login": 42}})),
        )
        .mount(&server)
        .await;
    let strict = Client::builder()
        .base_url(server.uri())
        .api_token(TOKEN)
        .strict_decoding(true)
        .build()
        .unwrap();
    let err = strict.get_user("00u1").send().await.unwrap_err();
    match err {
        Error::Decode { status, path, .. } => {
            assert_eq!(status, 200);
            assert_eq!(path, "profile.login");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn path_parameters_are_percent_encoded_as_one_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(|req: &Request| {
            ResponseTemplate::new(200).set_body_json(json!({"id": req.url.path()}))
        })
        .mount(&server)
        .await;
    let c = client(&server);
    let user = c.get_user("../groups").send().await.unwrap();
    assert_eq!(user.id.as_deref(), Some("/api/v1/users/..%2Fgroups"));
    // URLs read `.` and `..` (however encoded) as directories, so they are refused, as is an
    // empty value, which would call the list endpoint instead.
    for bad in ["..", ".", ""] {
        let err = c.get_user(bad).send().await.unwrap_err();
        assert!(matches!(err, Error::Request(_)), "{bad:?}: {err:?}");
    }
    let user = c.get_user("...").send().await.unwrap();
    assert_eq!(user.id.as_deref(), Some("/api/v1/users/..."));
    let user = c.get_user("a b?c#d").send().await.unwrap();
    assert_eq!(user.id.as_deref(), Some("/api/v1/users/a%20b%3Fc%23d"));
}

#[tokio::test]
async fn the_authentication_api_is_called_without_the_api_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/authn"))
        .and(body_json(
            json!({"username": "ada@example.com", "password": "correct horse"}),
        ))
        .respond_with(|req: &Request| {
            assert!(
                !req.headers.contains_key("authorization"),
                "the authn API must not receive the API token"
            );
            ResponseTemplate::new(200).set_body_json(json!({
                "stateToken": "007ucIX7PATyn94hsHfOLVaXAmOBkKHWnOOLG43bsb",
                "expiresAt": "2026-11-23T10:05:00.000Z",
                "status": "MFA_REQUIRED"
            }))
        })
        .expect(1)
        .mount(&server)
        .await;
    let transaction = client(&server)
        .primary_authentication(PrimaryAuthenticationRequest {
            username: Some("ada@example.com".into()),
            password: Some("correct horse".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        transaction.state_token.as_deref(),
        Some("007ucIX7PATyn94hsHfOLVaXAmOBkKHWnOOLG43bsb")
    );
    assert_eq!(
        transaction.status.as_ref().map(|s| s.as_str()),
        Some("MFA_REQUIRED")
    );
}

#[test]
fn the_token_never_appears_in_debug_output() {
    let c = Client::builder()
        .base_url("https://example.okta.com")
        .api_token(TOKEN)
        .build()
        .unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
    let builder = format!("{:?}", Client::builder().api_token(TOKEN));
    assert!(!builder.contains(TOKEN), "{builder}");
}

#[test]
fn plain_http_is_refused_except_for_loopback() {
    let err = Client::builder()
        .base_url("http://example.okta.com")
        .api_token(TOKEN)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(
        Client::builder()
            .base_url("http://127.0.0.1:8080")
            .build()
            .is_ok()
    );
    assert!(
        Client::builder()
            .base_url("http://[::1]:8080")
            .build()
            .is_ok()
    );
    let err = Client::builder().api_token(TOKEN).build().unwrap_err();
    assert!(err.to_string().contains("base URL"), "{err}");
}

/// Okta activates a log stream with 200 and no body (`x-okta-may-be-empty`): `None`, and the
/// log stream when it does send one.
#[tokio::test]
async fn an_empty_answer_where_okta_may_leave_the_body_out_is_none() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/logStreams/0oa1/lifecycle/activate"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/logStreams/0oa2/lifecycle/activate"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "0oa2", "name": "SIEM", "type": "splunk_cloud_logstreaming", "status": "ACTIVE"
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let empty = client.activate_log_stream("0oa1").send().await.unwrap();
    assert!(empty.is_none());
    let stream = client.activate_log_stream("0oa2").send().await.unwrap();
    match stream {
        Some(okta_client::models::LogStream::Splunk(s)) => {
            assert_eq!(s.id.as_deref(), Some("0oa2"))
        }
        other => panic!("expected the Splunk log stream, got {other:?}"),
    }
}

/// A user schema property is removed by sending it as `null`: map values the spec marks
/// nullable are `Option`s, and `None` is written as `null`.
#[tokio::test]
async fn a_nullable_map_value_is_sent_as_null() {
    let server = MockServer::start().await;
    let body = json!({"definitions": {"custom": {"properties": {"twitterUserName": null}}}});
    Mock::given(method("POST"))
        .and(path("/api/v1/meta/schemas/user/default"))
        .and(body_json(body.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "definitions": {"custom": {"properties": {}}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let schema: okta_client::models::UserSchema = serde_json::from_value(body).unwrap();
    let properties = schema
        .definitions
        .as_ref()
        .and_then(|d| d.custom.as_ref())
        .and_then(|c| c.properties.as_ref())
        .unwrap();
    assert_eq!(properties.get("twitterUserName"), Some(&None));
    client(&server)
        .update_user_profile("default", schema)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn awaiting_a_builder_sends_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .and(query_param("expand", "blocks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([{"id": "00u1"}, {"id": "00u2"}])),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups/missing"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"errorCode": "E0000007"})))
        .mount(&server)
        .await;
    let c = client(&server);

    let user = c.get_user("00u1").expand("blocks").await.unwrap();
    assert_eq!(user.id.as_deref(), Some("00u1"));
    // A list's builder gives its first page, as `send()` does.
    let page = c.list_users().await.unwrap();
    let ids: Vec<_> = page.items.iter().filter_map(|u| u.id.clone()).collect();
    assert_eq!(ids, ["00u1", "00u2"]);
    let err = c.get_group("missing").await.unwrap_err();
    assert_eq!(err.api().map(|a| a.status), Some(404));
}
