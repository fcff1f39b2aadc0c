//! Support for the runtime benchmarks (`benches/runtime.rs`) and the streaming scale check
//! (`src/bin/stream_users.rs`): Okta-like user payloads, and a minimal HTTP/1.1 server on
//! 127.0.0.1 whose own overhead is small enough not to hide the client's.
//!
//! The server reads a request head up to `\r\n\r\n` and any `Content-Length` body, answers
//! with `Content-Length` (no chunking), and keeps the connection alive until the client closes
//! it or sends `Connection: close`. It is for benchmarks only: no TLS, no pipelining limits,
//! no timeouts.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub mod hand;

/// The digits of an Okta-like id (`00u` followed by 17 base-62 characters).
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ID_DIGITS: usize = 17;

/// The id of user number `n`: `00u` and 17 base-62 digits, distinct for every `n`, in the
/// same order as `n`.
pub fn user_id(n: u64) -> String {
    let mut digits = [b'0'; ID_DIGITS];
    let mut rest = n;
    for d in digits.iter_mut().rev() {
        *d = BASE62[(rest % 62) as usize];
        rest /= 62;
    }
    let mut id = String::with_capacity(3 + ID_DIGITS);
    id.push_str("00u");
    id.push_str(std::str::from_utf8(&digits).expect("base-62 digits are ASCII"));
    id
}

/// The number of a user id made by [`user_id`], or `None` for any other text.
pub fn user_number(id: &str) -> Option<u64> {
    let digits = id.strip_prefix("00u")?;
    if digits.len() != ID_DIGITS {
        return None;
    }
    digits.bytes().try_fold(0u64, |n, b| {
        let d = BASE62.iter().position(|&c| c == b)? as u64;
        n.checked_mul(62)?.checked_add(d)
    })
}

const FIRST_NAMES: [&str; 8] = [
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
];
const LAST_NAMES: [&str; 8] = [
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
];
const LANGUAGES: [&str; 5] = ["Rust", "OCaml", "Go", "Haskell", "TypeScript"];

/// Which `_links` a user carries: a list answer has only `self`; a single user has the
/// lifecycle links as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    SelfOnly,
    Lifecycle,
}

/// User number `n` as Okta writes it (`org` is the org URL used in `_links`): an active
/// user with a password and a recovery question, two custom profile attributes
/// (`favouriteLanguage`, `contractor`), and the `null`s Okta sends for unset values (every
/// third user has no mobile phone, every fifth never logged in, every seventh is `STAGED`
/// and has never been activated).
pub fn user(n: u64, org: &str, links: Links) -> Value {
    let id = user_id(n);
    let first = FIRST_NAMES[(n % 8) as usize];
    let last = LAST_NAMES[(n / 8 % 8) as usize];
    let login = format!(
        "{}.{}.{n}@example.com",
        first.to_lowercase(),
        last.to_lowercase()
    );
    let staged = n % 7 == 6;
    let day = n % 28 + 1;
    let mut link_map = serde_json::Map::new();
    link_map.insert(
        "self".into(),
        json!({"href": format!("{org}/api/v1/users/{id}")}),
    );
    if links == Links::Lifecycle {
        for (rel, path, method) in [
            ("suspend", "lifecycle/suspend", "POST"),
            ("schema", "", "GET"),
            ("resetPassword", "lifecycle/reset_password", "POST"),
            ("expirePassword", "lifecycle/expire_password", "POST"),
            (
                "changeRecoveryQuestion",
                "credentials/change_recovery_question",
                "POST",
            ),
            ("deactivate", "lifecycle/deactivate", "POST"),
            ("changePassword", "credentials/change_password", "POST"),
        ] {
            let href = if rel == "schema" {
                format!("{org}/api/v1/meta/schemas/user/osc1a2b3c4D5e6F7g8h9")
            } else {
                format!("{org}/api/v1/users/{id}/{path}")
            };
            link_map.insert(rel.into(), json!({"href": href, "method": method}));
        }
        link_map.insert(
            "type".into(),
            json!({"href": format!("{org}/api/v1/meta/types/user/oty1a2b3c4D5e6F7g8h9")}),
        );
    }
    json!({
        "id": id,
        "status": if staged { "STAGED" } else { "ACTIVE" },
        "created": format!("2024-03-{day:02}T09:15:27.000Z"),
        "activated": if staged { Value::Null } else { json!(format!("2024-03-{day:02}T09:15:28.000Z")) },
        "statusChanged": format!("2024-03-{day:02}T09:15:28.000Z"),
        "lastLogin": if n % 5 == 4 || staged { Value::Null } else { json!(format!("2026-01-{day:02}T17:42:{:02}.000Z", n % 60)) },
        "lastUpdated": format!("2025-11-{day:02}T08:01:{:02}.000Z", n % 60),
        "passwordChanged": if staged { Value::Null } else { json!(format!("2025-06-{day:02}T12:30:00.000Z")) },
        "type": {"id": "oty1a2b3c4D5e6F7g8h9"},
        "profile": {
            "firstName": first,
            "lastName": last,
            "mobilePhone": if n % 3 == 2 { Value::Null } else { json!(format!("+1-555-{:03}-{:04}", n / 10_000 % 1000, n % 10_000)) },
            "secondEmail": null,
            "login": login,
            "email": login,
            "favouriteLanguage": LANGUAGES[(n % 5) as usize],
            "contractor": n % 4 == 0
        },
        "credentials": {
            "password": {},
            "recovery_question": {"question": "Who's a major player in the cowboy scene?"},
            "provider": {"type": "OKTA", "name": "OKTA"}
        },
        "_links": link_map
    })
}

/// Users `first..first + count` as the JSON array of a list page.
pub fn users_page(first: u64, count: u64, org: &str) -> Vec<u8> {
    let users: Vec<Value> = (first..first + count)
        .map(|n| user(n, org, Links::SelfOnly))
        .collect();
    serde_json::to_vec(&users).expect("JSON values serialize")
}

const EVENT_TYPES: [(&str, &str, &str); 6] = [
    (
        "user.session.start",
        "User login to Okta",
        "core.user_auth.login_success",
    ),
    (
        "user.authentication.sso",
        "User single sign on to app",
        "app.auth.sso",
    ),
    (
        "user.authentication.auth_via_mfa",
        "Authentication of user via MFA",
        "core.user.factor.attempt_success",
    ),
    (
        "policy.evaluate_sign_on",
        "Evaluation of sign-on policy",
        "policy.evaluate_sign_on",
    ),
    (
        "group.user_membership.add",
        "Add user to group membership",
        "core.user_group_member.user_add",
    ),
    (
        "system.api_token.create",
        "Create API token",
        "api.token.create",
    ),
];
const CITIES: [(&str, &str, &str, &str, f64, f64); 4] = [
    (
        "Raleigh",
        "North Carolina",
        "United States",
        "27607",
        35.797,
        -78.6865,
    ),
    (
        "Amsterdam",
        "North Holland",
        "Netherlands",
        "1012",
        52.3731,
        4.8922,
    ),
    (
        "Sydney",
        "New South Wales",
        "Australia",
        "2000",
        -33.8688,
        151.2093,
    ),
    ("Osaka", "Osaka", "Japan", "530-0001", 34.6937, 135.5023),
];

/// System Log event number `n` as Okta writes it in `GET /api/v1/logs`: an actor, a client
/// with its user agent and place, an authentication context, an outcome, a security context,
/// debug data, a transaction, the request's IP chain and one or two targets, with the `null`s
/// Okta sends for what it does not know (every third event fails, every fourth has no
/// place) and a `device` that the spec does not list.
pub fn log_event(n: u64) -> Value {
    let (event_type, message, legacy) = EVENT_TYPES[(n % 6) as usize];
    let actor = user_id(n % 500);
    let first = FIRST_NAMES[(n % 8) as usize];
    let last = LAST_NAMES[(n / 8 % 8) as usize];
    let login = format!(
        "{}.{}@example.com",
        first.to_lowercase(),
        last.to_lowercase()
    );
    let request_id = format!("Yr{:018}AAAD{:02}", n * 7919, n % 97);
    let ip = format!("198.51.{}.{}", n / 256 % 256, n % 256);
    let place = if n % 4 == 3 {
        Value::Null
    } else {
        let (city, state, country, postal, lat, lon) = CITIES[(n % 4) as usize];
        json!({
            "city": city, "state": state, "country": country, "postalCode": postal,
            "geolocation": {"lat": lat, "lon": lon}
        })
    };
    let failed = n % 3 == 2;
    let mut targets = vec![json!({
        "id": user_id(n % 500 + 1),
        "type": "User",
        "alternateId": login,
        "displayName": format!("{first} {last}"),
        "detailEntry": null
    })];
    if n % 2 == 0 {
        targets.push(json!({
            "id": format!("0oa{:017}", n % 40),
            "type": "AppInstance",
            "alternateId": "Expense reports",
            "displayName": "Expense reports",
            "detailEntry": {"signOnModeType": "SAML_2_0"}
        }));
    }
    json!({
        "actor": {
            "id": actor, "type": "User", "alternateId": login,
            "displayName": format!("{first} {last}"), "detailEntry": null
        },
        "client": {
            "userAgent": {
                "rawUserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
                "os": "Mac OS X", "browser": "CHROME"
            },
            "zone": "null", "device": "Computer", "id": null, "ipAddress": ip,
            "geographicalContext": place
        },
        "device": null,
        "authenticationContext": {
            "authenticationProvider": null, "credentialProvider": null,
            "credentialType": null, "issuer": null, "interface": null,
            "authenticationStep": 0,
            "externalSessionId": format!("102{:022}", n * 31)
        },
        "displayMessage": message,
        "eventType": event_type,
        "outcome": if failed {
            json!({"result": "FAILURE", "reason": "INVALID_CREDENTIALS"})
        } else {
            json!({"result": "SUCCESS", "reason": null})
        },
        "published": format!("2026-11-{:02}T{:02}:{:02}:{:02}.{:03}Z", n / 86_400 % 28 + 1, n / 3600 % 24, n / 60 % 60, n % 60, n % 1000),
        "securityContext": {
            "asNumber": 16591 + n % 9, "asOrg": "example transit", "isp": "example fiber inc.",
            "domain": "example.net", "isProxy": false
        },
        "severity": if failed { "WARN" } else { "INFO" },
        "debugContext": {
            "debugData": {
                "requestId": request_id,
                "requestUri": "/idp/idx/identify",
                "url": "/idp/idx/identify?",
                "threatSuspected": "false",
                "dtHash": format!("{:064x}", u128::from(n) * 0x9e37_79b9_7f4a_7c15)
            }
        },
        "legacyEventType": legacy,
        "transaction": {"type": "WEB", "id": request_id, "detail": {}},
        "uuid": format!("{:08x}-f290-11ec-b1c2-{:012x}", n, n * 2_654_435_761),
        "version": "0",
        "request": {
            "ipChain": [{
                "ip": ip, "geographicalContext": place, "version": "V4", "source": null
            }]
        },
        "target": targets
    })
}

/// Events `first..first + count` as the JSON array of a System Log page.
pub fn log_events_page(first: u64, count: u64) -> Vec<u8> {
    let events: Vec<Value> = (first..first + count).map(log_event).collect();
    serde_json::to_vec(&events).expect("JSON values serialize")
}

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct RequestHead {
    pub method: String,
    /// The request target: path and query, as sent.
    pub target: String,
}

impl RequestHead {
    /// The path of the target, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The value of query parameter `name` (raw: this server's own cursors need no decoding).
    pub fn query(&self, name: &str) -> Option<&str> {
        let (_, query) = self.target.split_once('?')?;
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// Header lines besides `Content-Length` (which the server adds).
    pub headers: Vec<(String, String)>,
    pub body: Arc<[u8]>,
}

impl Reply {
    /// `200` with a JSON body.
    pub fn json(body: impl Into<Arc<[u8]>>) -> Self {
        Self {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
        }
    }

    /// Adds a header line.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// `404` with Okta's error body.
    pub fn not_found() -> Self {
        let body = br#"{"errorCode":"E0000007","errorSummary":"Not found","errorLink":"E0000007","errorId":"oae0","errorCauses":[]}"#;
        Self {
            status: 404,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Arc::from(&body[..]),
        }
    }
}

/// The headers Okta sends with every answer (a request id and the rate-limit figures), so
/// that a client pays for reading them as it would against Okta.
pub fn okta_headers(reply: Reply) -> Reply {
    reply
        .header("X-Okta-Request-Id", "aBcDeFgHiJkLmNoPqRsTuVwXyZ")
        .header("X-Rate-Limit-Limit", "600")
        .header("X-Rate-Limit-Remaining", "599")
        .header("X-Rate-Limit-Reset", "1767225600")
}

/// Handles one request.
pub type Handler = Arc<dyn Fn(&RequestHead) -> Reply + Send + Sync>;

/// Serves `handler` on `listener` until the process ends, one task per connection.
pub async fn serve(listener: TcpListener, handler: Handler) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let handler = handler.clone();
        tokio::spawn(async move {
            // A connection that breaks ends its task; the benchmark notices on its side.
            let _ = serve_connection(stream, handler).await;
        });
    }
}

/// Starts [`serve`] on a thread of its own (with its own single-threaded runtime), on a free
/// port of 127.0.0.1; returns the address once it listens. The thread runs until the
/// process ends.
pub fn spawn_server(handler: Handler) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("bench-server".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime for the server");
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a free port on 127.0.0.1");
                tx.send(listener.local_addr().expect("a bound address"))
                    .expect("the caller waits for the address");
                serve(listener, handler).await;
            });
        })
        .expect("a thread for the server");
    rx.recv().expect("the server thread reports its address")
}

async fn serve_connection(mut stream: TcpStream, handler: Handler) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf: Vec<u8> = Vec::with_capacity(8 * 1024);
    let mut out: Vec<u8> = Vec::with_capacity(8 * 1024);
    loop {
        // The head: everything up to the blank line.
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            if read_more(&mut stream, &mut buf).await? == 0 {
                return Ok(()); // closed between requests (or mid-head)
            }
        };
        let head = std::str::from_utf8(&buf[..head_end])
            .map_err(|_| std::io::Error::other("the request head is not UTF-8"))?;
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap_or("").split(' ');
        let request = RequestHead {
            method: request_line.next().unwrap_or("").to_string(),
            target: request_line.next().unwrap_or("/").to_string(),
        };
        let mut content_length = 0usize;
        let mut close = false;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value
                    .parse()
                    .map_err(|_| std::io::Error::other("a bad Content-Length"))?;
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.eq_ignore_ascii_case("close");
            }
        }
        // The body, if any (read and dropped: no handler here needs it).
        while buf.len() < head_end + content_length {
            if read_more(&mut stream, &mut buf).await? == 0 {
                return Ok(());
            }
        }
        buf.drain(..head_end + content_length);

        let reply = handler(&request);
        out.clear();
        let _ = write!(
            Text(&mut out),
            "HTTP/1.1 {} {}\r\n",
            reply.status,
            reason(reply.status)
        );
        for (name, value) in &reply.headers {
            let _ = write!(Text(&mut out), "{name}: {value}\r\n");
        }
        let _ = write!(
            Text(&mut out),
            "Content-Length: {}\r\n{}\r\n",
            reply.body.len(),
            if close { "Connection: close\r\n" } else { "" }
        );
        out.extend_from_slice(&reply.body);
        stream.write_all(&out).await?;
        if close {
            return stream.shutdown().await;
        }
        // Keep the buffers of a large answer from staying with an idle connection.
        out.shrink_to(64 * 1024);
    }
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut chunk = [0u8; 8 * 1024];
    let n = stream.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Status",
    }
}

/// `fmt::Write` into a byte buffer.
struct Text<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Text<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Peak (`VmHWM`) and current (`VmRSS`) resident memory of this process, in KiB, from
/// `/proc/self/status`; `None` where that file does not exist (not Linux).
pub fn rss_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_okta_shaped_and_read_back() {
        for n in [0, 1, 61, 62, 199, 200, 99_999, u64::from(u32::MAX)] {
            let id = user_id(n);
            assert_eq!(id.len(), 20, "{id}");
            assert_eq!(user_number(&id), Some(n), "{id}");
        }
        assert_ne!(user_id(1), user_id(2));
        assert_eq!(user_number("00ufoo"), None);
        assert_eq!(user_number("00g00000000000000001"), None);
    }

    #[test]
    fn a_page_holds_distinct_users_that_the_generated_model_reads() {
        let page = users_page(400, 200, "http://127.0.0.1:1");
        let users: Vec<okta_client::models::User> = serde_json::from_slice(&page).unwrap();
        assert_eq!(users.len(), 200);
        let ids: std::collections::BTreeSet<_> = users.iter().map(|u| u.id.clone()).collect();
        assert_eq!(ids.len(), 200);
        assert_eq!(users[0].id.as_deref(), Some(user_id(400).as_str()));
        let profile = users[0].profile.as_ref().unwrap();
        assert!(
            profile
                .login
                .as_deref()
                .unwrap()
                .ends_with(".400@example.com")
        );
        assert!(
            profile
                .additional_properties
                .contains_key("favouriteLanguage")
        );
    }
}
