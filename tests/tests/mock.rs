//! The `mock` feature: a user's test stubs operations of the mock Okta server with typed
//! values, and the client pointed at it decodes them, follows its pages, reads its errors,
//! retries its rate limits, and is recorded.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::TryStreamExt;
use okta_client::mock::{self, MockOkta};
use okta_client::operations::role_assignment_b_group::AssignRoleToGroupOutput;
use okta_client::{Error, RetryPolicy, models};

fn user(id: &str) -> models::User {
    models::User {
        id: Some(id.into()),
        profile: Some(models::UserProfile {
            login: Some(format!("{id}@example.com")),
            email: Some(format!("{id}@example.com")),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// What `get_user` answers.
fn fetched(id: &str) -> models::UserGetSingleton {
    models::UserGetSingleton {
        id: Some(id.into()),
        profile: user(id).profile,
        ..Default::default()
    }
}

fn new_user() -> models::CreateUserRequest {
    models::CreateUserRequest {
        profile: Some(models::UserProfile {
            login: Some("ada@example.com".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn returns_gives_the_typed_value_the_client_decodes() {
    let mock = MockOkta::start().await;
    let client = mock.client();
    mock.get_user("00u1").returns(fetched("00u1")).await;
    mock.create_user().returns(user("00u2")).await;
    mock.deactivate_user("00u1").returns().await;

    assert_eq!(client.get_user("00u1").await.unwrap(), fetched("00u1"));
    let created = client.create_user(new_user()).send_full().await.unwrap();
    assert_eq!(created.status, 200);
    assert_eq!(created.data, user("00u2"));
    client.deactivate_user("00u1").await.unwrap();
    // Another id is not stubbed: the server answers 404.
    let err = client.get_user("00u9").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn path_parameters_match_encoded_as_the_client_sends_them_or_any_value() {
    let mock = MockOkta::start().await;
    let client = mock.client();
    mock.get_user("a/b c").returns(fetched("exact")).await;
    mock.get_user(mock::any()).returns(fetched("any")).await;
    assert_eq!(
        client.get_user("a/b c").await.unwrap().id.as_deref(),
        Some("exact")
    );
    assert_eq!(
        client.get_user("00u7").await.unwrap().id.as_deref(),
        Some("any")
    );
    let paths: Vec<String> = mock.requests().await.into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/api/v1/users/a%2Fb%20c", "/api/v1/users/00u7"]);
}

#[tokio::test]
async fn answers_by_status_take_the_operations_output_enum() {
    let mock = MockOkta::start().await;
    let client = mock.client();
    mock.assign_role_to_group("00g1")
        .returns(AssignRoleToGroupOutput::Created)
        .await;
    let body = models::AssignRoleToGroupRequest::Other(serde_json::json!({"type": "SUPER_ADMIN"}));
    let response = client
        .assign_role_to_group("00g1", body)
        .send_full()
        .await
        .unwrap();
    assert_eq!(response.status, 201);
    assert_eq!(response.data, AssignRoleToGroupOutput::Created);
}

#[tokio::test]
async fn pages_are_linked_and_the_stream_follows_them() {
    let mock = MockOkta::start().await;
    let client = mock.client();
    mock.list_users()
        .pages([
            vec![user("00u1"), user("00u2")],
            vec![user("00u3"), user("00u4")],
            vec![user("00u5")],
        ])
        .await;

    let users: Vec<models::User> = client
        .list_users()
        .limit(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = users.iter().filter_map(|u| u.id.as_deref()).collect();
    assert_eq!(ids, ["00u1", "00u2", "00u3", "00u4", "00u5"]);

    let sent = mock.requests().await;
    assert_eq!(sent.len(), 3);
    for request in &sent {
        assert_eq!(request.path, "/api/v1/users");
        // The next links keep the first request's query.
        assert_eq!(request.query_value("limit"), Some("2"));
    }
    assert_eq!(sent[0].query_value("after"), None);
    assert!(sent[1].query_value("after").is_some());
    assert_ne!(sent[1].query_value("after"), sent[2].query_value("after"));

    // The last page links no next.
    let first = client.list_users().await.unwrap();
    assert!(first.has_next());
    let last = first
        .next_page()
        .await
        .unwrap()
        .unwrap()
        .next_page()
        .await
        .unwrap()
        .unwrap();
    assert!(!last.has_next());
    assert_eq!(last.items, [user("00u5")]);
}

#[tokio::test]
async fn fails_with_gives_the_api_error_with_oktas_fields() {
    let mock = MockOkta::start().await;
    let client = mock.client();
    let mut error = mock::okta_error(
        "E0000007",
        "Not found: Resource not found: 00g1 (UserGroup)",
    );
    error.error_id = Some("oae1234".into());
    error.error_causes = vec![okta_client::OktaErrorCause {
        error_summary: "no such group".into(),
    }];
    mock.get_group("00g1").fails_with(404, error.clone()).await;

    match client.get_group("00g1").await {
        Err(Error::Api(e)) => {
            assert_eq!(e.status, 404);
            assert_eq!(e.okta.as_ref(), Some(&error));
            let okta = e.okta.unwrap();
            assert_eq!(okta.error_code.as_deref(), Some("E0000007"));
            assert_eq!(okta.error_causes[0].error_summary, "no such group");
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

#[tokio::test]
async fn a_rate_limited_stub_is_retried_and_the_next_stub_answers() {
    let mock = MockOkta::start().await;
    let client = mock
        .client_builder()
        .retry_policy(RetryPolicy {
            max_retries: 2,
            base_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(20),
        })
        .build()
        .unwrap();
    // The window reset a second ago: the client waits only its (capped) jitter.
    mock.create_user()
        .times(1)
        .rate_limited(now_secs() - 1)
        .await;
    mock.create_user().returns(user("00u1")).await;

    let created = client.create_user(new_user()).await.unwrap();
    assert_eq!(created, user("00u1"));
    let sent = mock.requests().await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].header("x-okta-retry-count"), Some("1"));

    // Rate limited for good: the retries are spent and the 429 is the answer.
    mock.reset().await;
    let reset = now_secs() - 1;
    mock.create_user().rate_limited(reset).await;
    match client.create_user(new_user()).await {
        Err(Error::Api(e)) => {
            assert_eq!(e.status, 429);
            assert_eq!(e.rate_limit.remaining, Some(0));
            assert_eq!(e.rate_limit.reset, Some(reset));
            assert_eq!(
                e.okta.and_then(|o| o.error_code).as_deref(),
                Some("E0000047")
            );
        }
        other => panic!("expected a 429, got {other:?}"),
    }
    assert_eq!(mock.requests().await.len(), 3);
}

#[tokio::test]
async fn requests_records_what_the_client_sent() {
    let mock = MockOkta::start().await;
    let client = mock.client();
    mock.create_user().returns(user("00u1")).await;
    mock.list_users().returns(vec![]).await;
    client
        .create_user(new_user())
        .activate(false)
        .await
        .unwrap();
    client
        .list_users()
        .search("profile.lastName eq \"Lovelace\"")
        .await
        .unwrap();

    let sent = mock.requests().await;
    assert_eq!(sent.len(), 2);
    let create = &sent[0];
    assert_eq!(create.method, okta_client::Method::POST);
    assert_eq!(create.path, "/api/v1/users");
    assert_eq!(
        create.query,
        [("activate".to_string(), "false".to_string())]
    );
    assert_eq!(
        create.header("authorization").map(str::to_string),
        Some(format!("SSWS {}", mock.api_token()))
    );
    assert_eq!(
        create.json::<models::CreateUserRequest>().unwrap(),
        new_user()
    );
    assert_eq!(
        create.body_json().unwrap()["profile"]["login"],
        "ada@example.com"
    );
    let list = &sent[1];
    assert_eq!(list.method, okta_client::Method::GET);
    assert_eq!(
        list.query_value("search"),
        Some("profile.lastName eq \"Lovelace\"")
    );
    assert!(list.body.is_empty());
}

#[tokio::test]
async fn stubs_match_query_parameters_and_count_their_requests() {
    let mock = MockOkta::start().await;
    let client = mock.client();
    mock.list_users()
        .query("search", "status eq \"ACTIVE\"")
        .expect(1)
        .returns(vec![user("00u1")])
        .await;
    mock.list_users().returns(vec![]).await;
    let active = client
        .list_users()
        .search("status eq \"ACTIVE\"")
        .await
        .unwrap();
    assert_eq!(active.items, [user("00u1")]);
    assert!(client.list_users().await.unwrap().items.is_empty());
}

#[tokio::test]
async fn the_server_listens_on_loopback_only() {
    let mock = MockOkta::start().await;
    let address = mock.address();
    assert!(address.ip().is_loopback(), "{address}");
    assert!(
        mock.uri().starts_with("http://127.0.0.1:"),
        "{}",
        mock.uri()
    );
    // The machine's address on its network (no packet is sent to find it), if it has one:
    // the port is closed there.
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    let local = probe
        .connect("192.0.2.1:9")
        .and_then(|()| probe.local_addr())
        .ok()
        .filter(|local| !local.ip().is_loopback() && !local.ip().is_unspecified());
    if let Some(local) = local {
        let outside = std::net::SocketAddr::new(local.ip(), address.port());
        assert!(
            std::net::TcpStream::connect_timeout(&outside, Duration::from_secs(1)).is_err(),
            "the mock server answers on {outside}"
        );
    }
}
