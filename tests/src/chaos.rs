//! A chaos soak of the client runtime: a fault-injecting Okta server on 127.0.0.1 and a driver
//! that sends many mixed calls through the generated client and checks every one of them
//! (`tests/tests/chaos.rs` runs a few thousand, `src/bin/chaos_soak.rs` a hundred thousand).
//!
//! The server speaks HTTP/1.1 over raw TCP (like [`bench_support`]'s),
//! serves a handful of the endpoints the client has operations for and the OAuth token
//! endpoint of a `private_key_jwt` service app, and for each request picks a [`Fault`] with a
//! seeded hash of the call's tag and its attempt number: the same seed gives every call the
//! same faults in the same order, whatever the timing. Its clock (the `Date` header) runs
//! behind the local one, so a client that measured `X-Rate-Limit-Reset` against its own clock
//! would retry too early and be caught.
//!
//! Every call carries a tag the server can read: the user or group id in the path, the login
//! or group name in a POST body, the `q` parameter (and the page in `after`) of a listing. The
//! server records each request (method, path, tag, `X-Okta-Retry-Count`, the fault) and the
//! driver judges each call against the records of its tag once it has ended.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use okta_client::{Client, Error, PrivateKeyJwt, RetryPolicy, models};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::bench_support::{self, Links};

/// The API token the server accepts (`Authorization: SSWS …`).
pub const API_TOKEN: &str = "00a-chaos-api-token";
/// The client id of the service app whose assertions the token endpoint accepts.
pub const CLIENT_ID: &str = "0oa-chaos-service";
/// Items on each page of a listing, and pages in a listing.
pub const PAGE_SIZE: usize = 3;
pub const PAGES: u64 = 3;
/// How far the server's clock runs behind the local one.
pub const CLOCK_SKEW: Duration = Duration::from_millis(3 * 3600 * 1000 + 400);
/// The `expires_in` of the access tokens: short, so that the client refreshes every half
/// second and the token endpoint's faults keep mattering.
pub const TOKEN_LIFETIME_SECS: u64 = 1;

// ---------------------------------------------------------------- faults

/// What the server does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// A normal answer.
    None,
    /// 429 with `X-Rate-Limit-Reset` one second after the `Date` of the answer.
    RateLimitedReset,
    /// 429 with no `X-Rate-Limit-Reset`, or a garbled one.
    RateLimitedNoReset,
    Status500,
    Status502,
    Status503,
    Status504,
    /// The request is read, then the connection is reset (RST) with no answer.
    ResetBeforeAnswer,
    /// The request is read, then the connection is closed (FIN) with no answer.
    CloseBeforeAnswer,
    /// The head and half the body are sent, then the connection is reset.
    ResetMidBody,
    /// No answer until the client gives up and closes the connection.
    StallHeaders,
    /// The answer comes 100–300 ms after the client's timeout.
    LateHeaders,
    /// The head (with the full `Content-Length`), then nothing.
    StallBody,
    /// A 2xx whose JSON body is cut short (with a `Content-Length` that fits the cut body).
    TruncatedJson,
    /// A 2xx whose body is not the JSON the operation expects (wrong types, bad syntax or HTML).
    MalformedJson,
    /// A normal answer whose body is dribbled out in small chunks, well within the timeout.
    SlowBody,
    /// The token endpoint answers 500.
    Token500,
    /// The token endpoint answers 503.
    Token503,
    /// The token endpoint never answers, or answers after the client's timeout.
    TokenStall,
    /// The token endpoint answers 200 with a body that is not a token response.
    TokenMalformed,
}

impl Fault {
    pub const ALL: [Fault; 20] = [
        Fault::None,
        Fault::RateLimitedReset,
        Fault::RateLimitedNoReset,
        Fault::Status500,
        Fault::Status502,
        Fault::Status503,
        Fault::Status504,
        Fault::ResetBeforeAnswer,
        Fault::CloseBeforeAnswer,
        Fault::ResetMidBody,
        Fault::StallHeaders,
        Fault::LateHeaders,
        Fault::StallBody,
        Fault::TruncatedJson,
        Fault::MalformedJson,
        Fault::SlowBody,
        Fault::Token500,
        Fault::Token503,
        Fault::TokenStall,
        Fault::TokenMalformed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Fault::None => "none",
            Fault::RateLimitedReset => "429 with reset",
            Fault::RateLimitedNoReset => "429 without reset",
            Fault::Status500 => "500",
            Fault::Status502 => "502",
            Fault::Status503 => "503",
            Fault::Status504 => "504",
            Fault::ResetBeforeAnswer => "reset before the answer",
            Fault::CloseBeforeAnswer => "closed before the answer",
            Fault::ResetMidBody => "reset mid-body",
            Fault::StallHeaders => "stalled headers",
            Fault::LateHeaders => "headers after the timeout",
            Fault::StallBody => "stalled body",
            Fault::TruncatedJson => "truncated JSON",
            Fault::MalformedJson => "malformed JSON",
            Fault::SlowBody => "slow body",
            Fault::Token500 => "token endpoint 500",
            Fault::Token503 => "token endpoint 503",
            Fault::TokenStall => "token endpoint stalled",
            Fault::TokenMalformed => "token endpoint malformed",
        }
    }

    fn index(self) -> usize {
        Fault::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }

    /// The status of an error answer this fault gives, if it gives one.
    pub fn status(self) -> Option<u16> {
        match self {
            Fault::RateLimitedReset | Fault::RateLimitedNoReset => Some(429),
            Fault::Status500 | Fault::Token500 => Some(500),
            Fault::Status502 => Some(502),
            Fault::Status503 | Fault::Token503 => Some(503),
            Fault::Status504 => Some(504),
            _ => None,
        }
    }

    fn is_rate_limit(self) -> bool {
        matches!(self, Fault::RateLimitedReset | Fault::RateLimitedNoReset)
    }
}

/// How often each fault is picked for an API request, per thousand.
pub const API_FAULTS: [(Fault, u32); 16] = [
    (Fault::None, 595),
    (Fault::SlowBody, 50),
    (Fault::RateLimitedReset, 25),
    (Fault::RateLimitedNoReset, 30),
    (Fault::Status500, 20),
    (Fault::Status502, 20),
    (Fault::Status503, 30),
    (Fault::Status504, 25),
    (Fault::ResetBeforeAnswer, 30),
    (Fault::CloseBeforeAnswer, 15),
    (Fault::ResetMidBody, 30),
    (Fault::StallHeaders, 20),
    (Fault::LateHeaders, 20),
    (Fault::StallBody, 20),
    (Fault::TruncatedJson, 35),
    (Fault::MalformedJson, 35),
];

/// How often each fault is picked for a token request, per thousand.
pub const TOKEN_FAULTS: [(Fault, u32); 5] = [
    (Fault::None, 600),
    (Fault::Token500, 100),
    (Fault::Token503, 100),
    (Fault::TokenStall, 100),
    (Fault::TokenMalformed, 100),
];

fn pick(table: &[(Fault, u32)], h: u64) -> Fault {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut x = (h % u64::from(total)) as u32;
    for (fault, weight) in table {
        if x < *weight {
            return *fault;
        }
        x -= weight;
    }
    Fault::None
}

/// splitmix64's finalizer: a small, well-mixed, seeded hash for picking faults and operations.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn hash(seed: u64, parts: &[u64]) -> u64 {
    parts.iter().fold(mix(seed), |h, p| mix(h ^ p))
}

// ---------------------------------------------------------------- the server's records

/// The endpoints the server serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// `GET /api/v1/users/{id}`.
    GetUser,
    /// `GET /api/v1/users?q=chaos-{n}[&after={page}]`, `Link`-paginated.
    ListUsers,
    /// `POST /api/v1/users`, tagged by `profile.login` = `chaos.{tag}@example.com`.
    CreateUser,
    /// `POST /api/v1/groups`, tagged by `profile.name` = `chaos-{tag}`.
    CreateGroup,
    /// `PUT /api/v1/groups/{id}`.
    UpdateGroup,
    /// `DELETE /api/v1/groups/{id}`.
    DeleteGroup,
    /// `POST /oauth2/v1/token`.
    Token,
    /// Anything else (answered 404).
    Unknown,
}

/// One request as the server read it, and what it did.
#[derive(Debug, Clone)]
pub struct Record {
    /// Arrival order.
    pub seq: u64,
    /// When the request was read, since the server started.
    pub at: Duration,
    pub method: &'static str,
    /// The path, without the query.
    pub path: String,
    pub endpoint: Endpoint,
    /// The call's tag (see [`tag`]), when the request carried one.
    pub tag: Option<u64>,
    /// `X-Okta-Retry-Count`, if sent (the client sends it on retries).
    pub retry_count: Option<u32>,
    /// Whether the credentials were the API token or an access token the server issued.
    pub authorized: bool,
    pub fault: Fault,
    /// For [`Fault::RateLimitedReset`]: when the rate-limit window resets, since the server
    /// started (the instant `X-Rate-Limit-Reset` names, on the local clock).
    pub reset_at: Option<Duration>,
}

/// The tag of page `page` of operation number `n` (0 for anything but a listing's later pages).
pub fn tag(n: u64, page: u64) -> u64 {
    n * 4 + page
}

/// The id of group `tag`: `00g` and the 17 digits of [`bench_support::user_id`].
pub fn group_id(tag: u64) -> String {
    format!("00g{}", &bench_support::user_id(tag)[3..])
}

fn group_number(id: &str) -> Option<u64> {
    bench_support::user_number(&format!("00u{}", id.strip_prefix("00g")?))
}

// ---------------------------------------------------------------- the server

struct Shared {
    seed: u64,
    epoch: Instant,
    org: String,
    /// The client's attempt timeout: late answers come after it.
    late_after: Duration,
    faults_on: AtomicBool,
    records: Mutex<Vec<Record>>,
    counts: [AtomicU64; Fault::ALL.len()],
    seq: AtomicU64,
    token_requests: AtomicU64,
    tokens_issued: AtomicU64,
}

/// The fault-injecting server, on a thread of its own until the process ends.
pub struct ChaosServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl ChaosServer {
    /// Starts a server on a free port of 127.0.0.1, with its own single-threaded runtime.
    /// `late_after` is the client's attempt timeout (late answers come after it).
    pub fn start(seed: u64, late_after: Duration) -> ChaosServer {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("a free port on 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let addr = listener.local_addr().expect("a bound address");
        let shared = Arc::new(Shared {
            seed,
            epoch: Instant::now(),
            org: format!("http://{addr}"),
            late_after,
            faults_on: AtomicBool::new(true),
            records: Mutex::new(Vec::new()),
            counts: std::array::from_fn(|_| AtomicU64::new(0)),
            seq: AtomicU64::new(0),
            token_requests: AtomicU64::new(0),
            tokens_issued: AtomicU64::new(0),
        });
        let state = shared.clone();
        std::thread::Builder::new()
            .name("chaos-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a tokio runtime for the server");
                runtime.block_on(async move {
                    let listener = TcpListener::from_std(listener).expect("a tokio listener");
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        let state = state.clone();
                        tokio::spawn(async move {
                            let _ = serve_connection(stream, state).await;
                        });
                    }
                });
            })
            .expect("a thread for the server");
        ChaosServer { shared, addr }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.shared.org
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The instant the records' `at` is measured from.
    pub fn epoch(&self) -> Instant {
        self.shared.epoch
    }

    /// Turns fault injection on or off (off: every request gets a normal answer).
    pub fn set_faults(&self, on: bool) {
        self.shared.faults_on.store(on, Ordering::SeqCst);
    }

    /// The records since the last call (the server keeps none once taken).
    pub fn take_records(&self) -> Vec<Record> {
        std::mem::take(&mut *self.shared.records.lock().unwrap())
    }

    /// Requests answered with each fault so far (faults never picked are left out).
    pub fn fault_counts(&self) -> BTreeMap<Fault, u64> {
        Fault::ALL
            .iter()
            .map(|f| (*f, self.shared.counts[f.index()].load(Ordering::SeqCst)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

struct Incoming {
    method: String,
    target: String,
    retry_count: Option<u32>,
    authorization: Option<String>,
    body: Vec<u8>,
}

impl Incoming {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    fn query(&self, name: &str) -> Option<&str> {
        let (_, query) = self.target.split_once('?')?;
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}

async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Incoming>> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if read_more(stream, buf).await? == 0 {
            return Ok(None);
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or("").split(' ');
    let method = request_line.next().unwrap_or("").to_string();
    let target = request_line.next().unwrap_or("/").to_string();
    let mut content_length = 0usize;
    let mut retry_count = None;
    let mut authorization = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value
                .parse()
                .map_err(|_| std::io::Error::other("a bad Content-Length"))?;
        } else if name.eq_ignore_ascii_case("x-okta-retry-count") {
            retry_count = value.parse().ok();
        } else if name.eq_ignore_ascii_case("authorization") {
            authorization = Some(value.to_string());
        }
    }
    while buf.len() < head_end + content_length {
        if read_more(stream, buf).await? == 0 {
            return Ok(None);
        }
    }
    let body = buf[head_end..head_end + content_length].to_vec();
    buf.drain(..head_end + content_length);
    Ok(Some(Incoming {
        method,
        target,
        retry_count,
        authorization,
        body,
    }))
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut chunk = [0u8; 8 * 1024];
    let n = stream.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

/// Waits until the client closes the connection (at most 30 s).
async fn until_closed(stream: &mut TcpStream) {
    let mut sink = [0u8; 1024];
    let _ = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

/// What one endpoint answers when nothing goes wrong.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    links: Vec<String>,
}

impl Answer {
    fn json(status: u16, value: &Value) -> Answer {
        Answer {
            status,
            content_type: "application/json",
            body: serde_json::to_vec(value).expect("JSON values serialize"),
            links: Vec::new(),
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// The server's clock: the local clock minus [`CLOCK_SKEW`].
fn server_now() -> SystemTime {
    SystemTime::now() - CLOCK_SKEW
}

/// The seconds of the server's clock now (what its `Date` header says).
fn server_secs() -> u64 {
    server_now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// The head of an answer. `date_secs` is the `Date` (the server's clock, [`server_secs`]).
fn head(
    status: u16,
    date_secs: u64,
    seq: u64,
    content_type: &str,
    extra: &[(String, String)],
    length: Option<usize>,
) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    out.push_str(&format!(
        "Date: {}\r\n",
        httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(date_secs))
    ));
    out.push_str(&format!(
        "X-Okta-Request-Id: chaos{seq}\r\nX-Rate-Limit-Limit: 600\r\n"
    ));
    if !extra.iter().any(|(k, _)| k == "X-Rate-Limit-Remaining") {
        out.push_str(&format!(
            "X-Rate-Limit-Remaining: 599\r\nX-Rate-Limit-Reset: {}\r\n",
            date_secs + 60
        ));
    }
    for (k, v) in extra {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(length) = length {
        out.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {length}\r\n"
        ));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

fn normal_answer(shared: &Shared, endpoint: Endpoint, tag: u64, incoming: &Incoming) -> Answer {
    let org = &shared.org;
    match endpoint {
        Endpoint::GetUser | Endpoint::CreateUser => {
            Answer::json(200, &bench_support::user(tag, org, Links::Lifecycle))
        }
        Endpoint::ListUsers => {
            let page = tag % 4;
            let n = tag / 4;
            let first = tag * PAGE_SIZE as u64;
            let mut answer = Answer {
                status: 200,
                content_type: "application/json",
                body: bench_support::users_page(first, PAGE_SIZE as u64, org),
                links: vec![format!("<{org}{}>; rel=\"self\"", incoming.target)],
            };
            if page + 1 < PAGES {
                answer.links.push(format!(
                    "<{org}/api/v1/users?after={}&limit={PAGE_SIZE}&q=chaos-{n}>; rel=\"next\"",
                    page + 1
                ));
            }
            answer
        }
        Endpoint::CreateGroup | Endpoint::UpdateGroup | Endpoint::DeleteGroup => {
            let group = group_json(tag, org);
            if endpoint == Endpoint::DeleteGroup {
                Answer {
                    status: 204,
                    content_type: "application/json",
                    body: Vec::new(),
                    links: Vec::new(),
                }
            } else {
                Answer::json(200, &group)
            }
        }
        Endpoint::Token => {
            let n = shared.tokens_issued.fetch_add(1, Ordering::SeqCst) + 1;
            Answer::json(
                200,
                &json!({
                    "token_type": "Bearer",
                    "expires_in": TOKEN_LIFETIME_SECS,
                    "access_token": format!("at-{n}"),
                    "scope": "okta.users.read okta.groups.manage",
                }),
            )
        }
        Endpoint::Unknown => Answer::json(
            404,
            &json!({"errorCode": "E0000007", "errorSummary": "Not found", "errorCauses": []}),
        ),
    }
}

fn group_json(tag: u64, org: &str) -> Value {
    let id = group_id(tag);
    json!({
        "id": id,
        "created": "2025-02-11T10:20:30.000Z",
        "lastUpdated": "2026-11-30T08:00:00.000Z",
        "lastMembershipUpdated": "2026-11-30T08:00:00.000Z",
        "objectClass": ["okta:user_group"],
        "type": "OKTA_GROUP",
        "profile": {"name": format!("chaos-{tag}"), "description": "made by the chaos server"},
        "_links": {"self": {"href": format!("{org}/api/v1/groups/{id}")}}
    })
}

/// Which endpoint a request is for, and its tag.
fn classify(incoming: &Incoming) -> (Endpoint, Option<u64>) {
    let path = incoming.path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let body_field = |pointer: &str| -> Option<String> {
        let value: Value = serde_json::from_slice(&incoming.body).ok()?;
        value.pointer(pointer)?.as_str().map(str::to_string)
    };
    match (incoming.method.as_str(), segments.as_slice()) {
        ("GET", ["api", "v1", "users", id]) => (Endpoint::GetUser, bench_support::user_number(id)),
        ("GET", ["api", "v1", "users"]) => {
            let n = incoming
                .query("q")
                .and_then(|q| q.strip_prefix("chaos-"))
                .and_then(|n| n.parse::<u64>().ok());
            let page = incoming
                .query("after")
                .and_then(|p| p.parse::<u64>().ok())
                .unwrap_or(0);
            (Endpoint::ListUsers, n.map(|n| tag(n, page)))
        }
        ("POST", ["api", "v1", "users"]) => {
            let login = body_field("/profile/login");
            let tag = login
                .as_deref()
                .and_then(|l| l.strip_prefix("chaos."))
                .and_then(|l| l.strip_suffix("@example.com"))
                .and_then(|n| n.parse().ok());
            (Endpoint::CreateUser, tag)
        }
        ("POST", ["api", "v1", "groups"]) => {
            let name = body_field("/profile/name");
            let tag = name
                .as_deref()
                .and_then(|n| n.strip_prefix("chaos-"))
                .and_then(|n| n.parse().ok());
            (Endpoint::CreateGroup, tag)
        }
        ("PUT", ["api", "v1", "groups", id]) => (Endpoint::UpdateGroup, group_number(id)),
        ("DELETE", ["api", "v1", "groups", id]) => (Endpoint::DeleteGroup, group_number(id)),
        ("POST", ["oauth2", "v1", "token"]) => (Endpoint::Token, None),
        _ => (Endpoint::Unknown, None),
    }
}

fn authorized(shared: &Shared, incoming: &Incoming, endpoint: Endpoint) -> bool {
    if endpoint == Endpoint::Token {
        // A client-credentials grant with a signed assertion (three base64url parts).
        let form = String::from_utf8_lossy(&incoming.body);
        let has = |pair: &str| form.split('&').any(|p| p == pair);
        let assertion_parts = form
            .split('&')
            .find_map(|p| p.strip_prefix("client_assertion="))
            .map(|a| a.split('.').count());
        return has("grant_type=client_credentials")
            && has(
                "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer",
            )
            && assertion_parts == Some(3);
    }
    match incoming.authorization.as_deref() {
        Some(a) if a == format!("SSWS {API_TOKEN}") => true,
        Some(a) => a
            .strip_prefix("Bearer at-")
            .and_then(|n| n.parse::<u64>().ok())
            .is_some_and(|n| n >= 1 && n <= shared.tokens_issued.load(Ordering::SeqCst)),
        None => false,
    }
}

async fn serve_connection(mut stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf = Vec::with_capacity(4096);
    loop {
        let Some(incoming) = read_request(&mut stream, &mut buf).await? else {
            return Ok(());
        };
        let seq = shared.seq.fetch_add(1, Ordering::SeqCst);
        let at = shared.epoch.elapsed();
        let (endpoint, tag) = classify(&incoming);
        let authorized = authorized(&shared, &incoming, endpoint);
        let on = shared.faults_on.load(Ordering::SeqCst);
        let h = match endpoint {
            Endpoint::Token => {
                let n = shared.token_requests.fetch_add(1, Ordering::SeqCst);
                hash(shared.seed, &[0x70_6b, n])
            }
            _ => hash(
                shared.seed,
                &[
                    endpoint as u64,
                    tag.unwrap_or(u64::MAX),
                    u64::from(incoming.retry_count.unwrap_or(0)),
                ],
            ),
        };
        let fault = match endpoint {
            _ if !on || !authorized => Fault::None,
            Endpoint::Token => pick(&TOKEN_FAULTS, h),
            Endpoint::Unknown => Fault::None,
            _ if tag.is_none() => Fault::None,
            _ => pick(&API_FAULTS, h),
        };
        let variant = (h >> 40) % 6;
        let method = match incoming.method.as_str() {
            "GET" => "GET",
            "POST" => "POST",
            "PUT" => "PUT",
            "DELETE" => "DELETE",
            _ => "OTHER",
        };
        let mut record = Record {
            seq,
            at,
            method,
            path: incoming.path().to_string(),
            endpoint,
            tag,
            retry_count: incoming.retry_count,
            authorized,
            fault,
            reset_at: None,
        };
        shared.counts[fault.index()].fetch_add(1, Ordering::SeqCst);
        // One reading of the clock for the Date and a reset, so that they cannot disagree.
        let now = server_now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let date = now.as_secs();

        if !authorized {
            shared.records.lock().unwrap().push(record);
            let body = br#"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorCauses":[]}"#;
            let mut out = head(401, date, seq, "application/json", &[], Some(body.len()));
            out.extend_from_slice(body);
            stream.write_all(&out).await?;
            continue;
        }

        // 429s: the window resets a second after the answer's Date (the server's clock).
        let mut extra: Vec<(String, String)> = Vec::new();
        if fault == Fault::RateLimitedReset {
            let reset = date + 1;
            let until = Duration::from_secs(reset).saturating_sub(now);
            record.reset_at = Some(at + until);
            extra.push(("X-Rate-Limit-Remaining".into(), "0".into()));
            extra.push(("X-Rate-Limit-Reset".into(), reset.to_string()));
        } else if fault == Fault::RateLimitedNoReset {
            extra.push(("X-Rate-Limit-Remaining".into(), "0".into()));
            if variant % 2 == 1 {
                extra.push(("X-Rate-Limit-Reset".into(), "soon".into()));
            }
        }
        shared.records.lock().unwrap().push(record);

        // (A token is issued only by the answers that carry one.)
        let normal =
            if endpoint == Endpoint::Token && !matches!(fault, Fault::None | Fault::TokenStall) {
                Answer::json(200, &Value::Null)
            } else {
                normal_answer(&shared, endpoint, tag.unwrap_or(0), &incoming)
            };
        for link in &normal.links {
            extra.push(("Link".into(), link.clone()));
        }
        // DELETE answers 204 without a body; its body faults come with a 200 and a group.
        let body_for_faults = || {
            if endpoint == Endpoint::DeleteGroup {
                serde_json::to_vec(&group_json(tag.unwrap_or(0), &shared.org)).expect("JSON")
            } else {
                normal.body.clone()
            }
        };
        let ok_status = if endpoint == Endpoint::DeleteGroup {
            200
        } else {
            normal.status
        };
        match fault {
            Fault::None => {
                let length = (normal.status != 204).then_some(normal.body.len());
                let mut out = head(
                    normal.status,
                    date,
                    seq,
                    normal.content_type,
                    &extra,
                    length,
                );
                out.extend_from_slice(&normal.body);
                stream.write_all(&out).await?;
            }
            Fault::RateLimitedReset | Fault::RateLimitedNoReset => {
                let body = br#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oaeChaos","errorCauses":[]}"#;
                let mut out = head(429, date, seq, "application/json", &extra, Some(body.len()));
                out.extend_from_slice(body);
                stream.write_all(&out).await?;
            }
            Fault::Status500 | Fault::Status502 | Fault::Status503 | Fault::Status504 => {
                let status = fault.status().unwrap_or(500);
                let (content_type, body): (&str, Vec<u8>) = if status == 500 || variant % 2 == 0 {
                    (
                        "application/json",
                        br#"{"errorCode":"E0000009","errorSummary":"Internal Server Error","errorLink":"E0000009","errorId":"oaeChaos","errorCauses":[]}"#.to_vec(),
                    )
                } else {
                    (
                        "text/html",
                        format!(
                            "<html><body><h1>{status} {}</h1></body></html>",
                            reason(status)
                        )
                        .into_bytes(),
                    )
                };
                let mut out = head(status, date, seq, content_type, &extra, Some(body.len()));
                out.extend_from_slice(&body);
                stream.write_all(&out).await?;
            }
            Fault::ResetBeforeAnswer => {
                reset(stream);
                return Ok(());
            }
            Fault::CloseBeforeAnswer => {
                let _ = stream.shutdown().await;
                return Ok(());
            }
            Fault::ResetMidBody => {
                let body = body_for_faults();
                let mut out = head(
                    ok_status,
                    date,
                    seq,
                    "application/json",
                    &extra,
                    Some(body.len()),
                );
                out.extend_from_slice(&body[..body.len() / 2]);
                stream.write_all(&out).await?;
                stream.flush().await?;
                tokio::time::sleep(Duration::from_millis(5 + variant * 3)).await;
                reset(stream);
                return Ok(());
            }
            Fault::StallHeaders => {
                until_closed(&mut stream).await;
                return Ok(());
            }
            Fault::TokenStall if variant % 2 == 0 => {
                until_closed(&mut stream).await;
                return Ok(());
            }
            Fault::LateHeaders | Fault::TokenStall => {
                let late = shared.late_after + Duration::from_millis(100 + (h >> 20) % 200);
                tokio::time::sleep(late).await;
                let body = normal.body.clone();
                let length = (normal.status != 204).then_some(body.len());
                let mut out = head(
                    normal.status,
                    server_secs(),
                    seq,
                    normal.content_type,
                    &extra,
                    length,
                );
                out.extend_from_slice(&body);
                let _ = stream.write_all(&out).await;
                return Ok(());
            }
            Fault::StallBody => {
                let body = body_for_faults();
                let out = head(
                    ok_status,
                    date,
                    seq,
                    "application/json",
                    &extra,
                    Some(body.len()),
                );
                stream.write_all(&out).await?;
                until_closed(&mut stream).await;
                return Ok(());
            }
            Fault::TruncatedJson => {
                let body = body_for_faults();
                let cut = &body[..body.len() * (1 + (variant as usize % 3)) / 4];
                let mut out = head(
                    ok_status,
                    date,
                    seq,
                    "application/json",
                    &extra,
                    Some(cut.len()),
                );
                out.extend_from_slice(cut);
                stream.write_all(&out).await?;
            }
            Fault::MalformedJson => {
                let list = endpoint == Endpoint::ListUsers;
                let (content_type, body): (&str, Vec<u8>) = match variant % 3 {
                    // The right syntax, the wrong types.
                    0 if list => (
                        "application/json",
                        br#"{"errorCode":"not a list"}"#.to_vec(),
                    ),
                    0 => (
                        "application/json",
                        br#"{"id":12345,"status":"ACTIVE"}"#.to_vec(),
                    ),
                    // Not JSON at all.
                    1 if list => (
                        "application/json",
                        br#"[{"id":"00u1","status":ACTIVE}]"#.to_vec(),
                    ),
                    1 => (
                        "application/json",
                        br#"{"id":"00u1","status":ACTIVE,}"#.to_vec(),
                    ),
                    _ => (
                        "text/html",
                        b"<html><body>Service temporarily unavailable</body></html>".to_vec(),
                    ),
                };
                let mut out = head(ok_status, date, seq, content_type, &extra, Some(body.len()));
                out.extend_from_slice(&body);
                stream.write_all(&out).await?;
            }
            Fault::SlowBody => {
                let body = body_for_faults();
                let out = head(
                    ok_status,
                    date,
                    seq,
                    "application/json",
                    &extra,
                    Some(body.len()),
                );
                stream.write_all(&out).await?;
                let chunk = body.len().div_ceil(8).max(1);
                for part in body.chunks(chunk) {
                    tokio::time::sleep(Duration::from_millis(8)).await;
                    stream.write_all(part).await?;
                }
            }
            Fault::Token500 | Fault::Token503 => {
                let status = fault.status().unwrap_or(500);
                let body = br#"{"error":"server_error","error_description":"The authorization server encountered an unexpected condition."}"#;
                let mut out = head(
                    status,
                    date,
                    seq,
                    "application/json",
                    &extra,
                    Some(body.len()),
                );
                out.extend_from_slice(body);
                stream.write_all(&out).await?;
            }
            Fault::TokenMalformed => {
                let body: &[u8] = if variant % 2 == 0 {
                    br#"{"token_type":"Bearer","expires_in":1,"access_token":42}"#
                } else {
                    br#"{"token_type":"Bearer","expires_in":1,"acc"#
                };
                let mut out = head(200, date, seq, "application/json", &extra, Some(body.len()));
                out.extend_from_slice(body);
                stream.write_all(&out).await?;
            }
        }
    }
}

// ---------------------------------------------------------------- the driver

/// The operations the soak mixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    GetUser,
    /// A listing: the first page, then every next page while they succeed.
    ListUsers,
    CreateUser,
    CreateGroup,
    UpdateGroup,
    DeleteGroup,
}

impl Op {
    fn method(self) -> &'static str {
        match self {
            Op::GetUser | Op::ListUsers => "GET",
            Op::CreateUser | Op::CreateGroup => "POST",
            Op::UpdateGroup => "PUT",
            Op::DeleteGroup => "DELETE",
        }
    }

    fn pick(seed: u64, n: u64) -> Op {
        match hash(seed, &[0x6f70, n]) % 100 {
            0..30 => Op::GetUser,
            30..45 => Op::ListUsers,
            45..60 => Op::CreateUser,
            60..70 => Op::CreateGroup,
            70..85 => Op::UpdateGroup,
            _ => Op::DeleteGroup,
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Ok,
    Api(u16),
    Timeout,
    Transport,
    Decode,
    Authentication(u16),
    /// Any other error (none is expected): its text.
    Other(String),
}

impl Outcome {
    fn of<T>(result: &Result<T, Error>) -> Outcome {
        match result {
            Ok(_) => Outcome::Ok,
            Err(Error::Api(e)) => Outcome::Api(e.status),
            Err(Error::Timeout { .. }) => Outcome::Timeout,
            Err(Error::Transport(_)) => Outcome::Transport,
            Err(Error::Decode { .. }) => Outcome::Decode,
            Err(Error::Authentication(e)) => Outcome::Authentication(e.status),
            Err(e) => Outcome::Other(e.to_string()),
        }
    }

    fn label(&self) -> String {
        match self {
            Outcome::Ok => "ok".into(),
            Outcome::Api(s) => format!("Api({s})"),
            Outcome::Timeout => "Timeout".into(),
            Outcome::Transport => "Transport".into(),
            Outcome::Decode => "Decode".into(),
            Outcome::Authentication(s) => format!("Authentication({s})"),
            Outcome::Other(_) => "other".into(),
        }
    }
}

/// The limits of the soak's clients.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    pub deadline: Duration,
    pub retry: RetryPolicy,
    /// How far past its deadline a call may end (scheduling on a loaded machine).
    pub slack: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_millis(300),
            deadline: Duration::from_secs(2),
            // The runtime adds 100 ms–1 s of jitter to every wait; `max_backoff` is what
            // keeps the waits short. 1.5 s lets a 429's reset a second ahead be waited for.
            retry: RetryPolicy {
                max_retries: 3,
                base_backoff: Duration::from_millis(10),
                max_backoff: Duration::from_millis(1500),
            },
            slack: Duration::from_millis(250),
        }
    }
}

/// One call that ended, waiting to be judged against the server's records.
#[derive(Debug, Clone)]
struct Done {
    op: Op,
    jwt: bool,
    page: u64,
    start: Duration,
    end: Duration,
    outcome: Outcome,
    /// A value that came back but is not the one asked for.
    wrong_value: Option<String>,
}

#[derive(Default)]
struct Pending {
    records: Vec<Record>,
    done: Option<Done>,
}

/// Judges calls: it holds the records of calls in flight or ended less than the settling time
/// ago, so its memory follows the calls in flight, not the calls made.
#[derive(Default)]
struct Checker {
    pending: HashMap<u64, Pending>,
    tokens: VecDeque<Record>,
    report: Report,
}

const KEPT: usize = 20;

fn note(list: &mut Vec<String>, count: &mut u64, text: impl FnOnce() -> String) {
    *count += 1;
    if list.len() < KEPT {
        list.push(text());
    }
}

impl Checker {
    fn absorb(&mut self, records: Vec<Record>) {
        for r in records {
            self.report.requests += 1;
            if r.retry_count.is_some() {
                self.report.retries_seen += 1;
            }
            if !r.authorized {
                let r = &r;
                note(
                    &mut self.report.unauthorized,
                    &mut self.report.unauthorized_count,
                    || format!("{} {} (seq {})", r.method, r.path, r.seq),
                );
            }
            if r.endpoint == Endpoint::Token {
                self.tokens.push_back(r);
                continue;
            }
            match r.tag.and_then(|t| self.pending.get_mut(&t)) {
                Some(p) => p.records.push(r),
                None => {
                    let r = &r;
                    note(
                        &mut self.report.orphans,
                        &mut self.report.orphan_count,
                        || {
                            format!(
                                "{} {} {:?} (seq {}, tag {:?})",
                                r.method, r.path, r.fault, r.seq, r.tag
                            )
                        },
                    )
                }
            }
        }
    }

    /// Judges the calls that ended before `cutoff` (since the server's epoch).
    fn judge(&mut self, cutoff: Duration, limits: &Limits) {
        let ready: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| p.done.as_ref().is_some_and(|d| d.end < cutoff))
            .map(|(t, _)| *t)
            .collect();
        for t in ready {
            let p = self.pending.remove(&t).expect("a pending call");
            let done = p.done.expect("an ended call");
            self.judge_one(t, &done, p.records, limits);
        }
        // Token requests matter to calls that ended after the cutoff, which started at most a
        // deadline (and some slack) before it.
        let oldest = cutoff.saturating_sub(Duration::from_secs(10));
        while self.tokens.front().is_some_and(|r| r.at < oldest) {
            self.tokens.pop_front();
        }
    }

    fn judge_one(&mut self, tag: u64, done: &Done, mut records: Vec<Record>, limits: &Limits) {
        records.sort_by_key(|r| r.seq);
        let report = &mut self.report;
        report.calls += 1;
        *report.outcomes.entry(done.outcome.label()).or_default() += 1;
        let elapsed = done.end.saturating_sub(done.start);
        report.latency.add(elapsed);
        let what = || {
            let faults: Vec<&str> = records.iter().map(|r| r.fault.name()).collect();
            format!(
                "{:?}{} tag {tag} page {} ({}): {:?} after {elapsed:?}; the server saw {faults:?}",
                done.op,
                if done.jwt { " (private_key_jwt)" } else { "" },
                done.page,
                done.op.method(),
                done.outcome,
            )
        };

        // Within the deadline. The runtime fixes an attempt's timeout before it waits for the
        // access token and does not shorten it after, so a private_key_jwt call may end up to
        // one attempt timeout past its deadline (request.rs, `send_traced`); API-token calls
        // get the slack alone.
        let overrun = elapsed.saturating_sub(limits.deadline);
        let allowed = if done.jwt {
            report.max_overrun_jwt = report.max_overrun_jwt.max(overrun);
            limits.slack + limits.timeout
        } else {
            report.max_overrun = report.max_overrun.max(overrun);
            limits.slack
        };
        if overrun > allowed {
            note(&mut report.overruns, &mut report.overrun_count, what);
        }

        // A POST is sent again only after a 429.
        if done.op.method() == "POST" {
            report.posts += 1;
            if records.len() > 1 {
                report.posts_resent += 1;
            }
            if records
                .iter()
                .rev()
                .skip(1)
                .any(|r| !r.fault.is_rate_limit())
            {
                note(
                    &mut report.post_repeats,
                    &mut report.post_repeat_count,
                    what,
                );
            }
        }
        if records.iter().any(|r| r.method != done.op.method()) {
            note(&mut report.mismatches, &mut report.mismatch_count, || {
                format!("another method than the operation's: {}", what())
            });
        }

        // 429 waits: until the reset the server named, and never an immediate retry.
        for pair in records.windows(2) {
            let (first, next) = (&pair[0], &pair[1]);
            let early = match (first.fault, first.reset_at) {
                (Fault::RateLimitedReset, Some(reset_at)) => next.at < reset_at,
                (Fault::RateLimitedNoReset, _) => next.at < first.at + Duration::from_millis(100),
                _ => false,
            };
            if early {
                let gap = next.at.saturating_sub(first.at);
                note(
                    &mut report.early_retries,
                    &mut report.early_retry_count,
                    || format!("retried {gap:?} after a {}: {}", first.fault.name(), what()),
                );
            }
        }

        // Retry headers: none on the first send, then 1, 2, … (token retries count too, so
        // a private_key_jwt call may start higher).
        let counts: Vec<u32> = records.iter().map(|r| r.retry_count.unwrap_or(0)).collect();
        let increasing = counts.windows(2).all(|w| w[0] < w[1]);
        let dense = counts.iter().enumerate().all(|(i, c)| *c as usize == i);
        if !increasing || (!done.jwt && !dense) {
            report.retry_header_anomalies += 1;
        }
        if done.jwt && counts.first().is_some_and(|c| *c > 0) {
            report.retry_count_on_first_send += 1;
        }

        if let Some(wrong) = &done.wrong_value {
            note(&mut report.mismatches, &mut report.mismatch_count, || {
                format!("{wrong}: {}", what())
            });
        }

        // The outcome fits the last fault.
        let last = records.last().map(|r| r.fault);
        let expected: &[Outcome] = match last {
            None => &[],
            Some(Fault::None | Fault::SlowBody) => &[Outcome::Ok],
            Some(Fault::RateLimitedReset | Fault::RateLimitedNoReset) => &[Outcome::Api(429)],
            Some(Fault::Status500) => &[Outcome::Api(500)],
            Some(Fault::Status502) => &[Outcome::Api(502)],
            Some(Fault::Status503) => &[Outcome::Api(503)],
            Some(Fault::Status504) => &[Outcome::Api(504)],
            Some(Fault::ResetBeforeAnswer | Fault::CloseBeforeAnswer | Fault::ResetMidBody) => {
                &[Outcome::Transport]
            }
            Some(Fault::StallHeaders | Fault::LateHeaders | Fault::StallBody) => {
                &[Outcome::Timeout]
            }
            // DELETE has no body to decode.
            Some(Fault::TruncatedJson | Fault::MalformedJson) if done.op == Op::DeleteGroup => {
                &[Outcome::Ok]
            }
            Some(Fault::TruncatedJson) => &[Outcome::Decode],
            // An object of the right syntax with values of another type (`"id": 12345`) is
            // read leniently: the value is kept and the call succeeds; the rest is Decode.
            Some(Fault::MalformedJson) => &[Outcome::Decode, Outcome::Ok],
            Some(_) => &[],
        };
        if expected.contains(&done.outcome) {
            return;
        }
        // A private_key_jwt call may fail on the token endpoint's faults during it.
        let token_fault = |f: &dyn Fn(Fault) -> bool| {
            self.tokens.iter().any(|r| {
                r.at + Duration::from_millis(5) >= done.start && r.at <= done.end && f(r.fault)
            })
        };
        let by_token = done.jwt
            && match done.outcome {
                Outcome::Authentication(s) => token_fault(&|f| {
                    matches!(f, Fault::Token500 | Fault::Token503) && f.status() == Some(s)
                }),
                Outcome::Decode => token_fault(&|f| f == Fault::TokenMalformed),
                Outcome::Timeout => token_fault(&|f| f == Fault::TokenStall),
                _ => false,
            };
        let report = &mut self.report;
        if by_token {
            report.explained_by_token += 1;
        } else if done.outcome == Outcome::Timeout
            && elapsed + Duration::from_millis(20) >= limits.deadline
        {
            report.ended_by_deadline += 1;
        } else if done.outcome == Outcome::Timeout {
            // The machine was too slow for an attempt that the server answered correctly.
            note(
                &mut report.unexplained_timeouts,
                &mut report.unexplained_timeout_count,
                what,
            );
        } else {
            note(&mut report.mismatches, &mut report.mismatch_count, what);
        }
    }
}

/// Latencies in buckets of 0.1 ms below 10 ms and of 1 ms from there to 20 s: constant
/// memory however many calls.
#[derive(Debug, Clone)]
pub struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    max: Duration,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: vec![0; FINE_BUCKETS + 20_000 - 10 + 1],
            count: 0,
            max: Duration::ZERO,
        }
    }
}

/// The 0.1 ms buckets (0–10 ms).
const FINE_BUCKETS: usize = 100;

impl Histogram {
    fn bucket(d: Duration) -> usize {
        let tenths = (d.as_micros() / 100) as usize;
        if tenths < FINE_BUCKETS {
            tenths
        } else {
            FINE_BUCKETS + d.as_millis() as usize - 10
        }
    }

    /// The lower bound of bucket `i`.
    fn bound(i: usize) -> Duration {
        if i < FINE_BUCKETS {
            Duration::from_micros(i as u64 * 100)
        } else {
            Duration::from_millis((i - FINE_BUCKETS) as u64 + 10)
        }
    }

    fn add(&mut self, d: Duration) {
        let i = Self::bucket(d).min(self.buckets.len() - 1);
        self.buckets[i] += 1;
        self.count += 1;
        self.max = self.max.max(d);
    }

    /// The `q` quantile (0–1): the lower bound of its bucket.
    pub fn quantile(&self, q: f64) -> Duration {
        let rank = ((self.count as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Self::bound(i);
            }
        }
        self.max
    }

    pub fn max(&self) -> Duration {
        self.max
    }

    fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        self.count += other.count;
        self.max = self.max.max(other.max);
    }
}

/// What a run found. The lists keep the first few cases; the counts are complete.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Operations started (a listing is one operation of several calls).
    pub operations: u64,
    /// Calls judged: `send()` and `next_page()` each count.
    pub calls: u64,
    /// Requests the server read, token requests included.
    pub requests: u64,
    /// Requests that carried `X-Okta-Retry-Count`.
    pub retries_seen: u64,
    pub faults: BTreeMap<Fault, u64>,
    pub outcomes: BTreeMap<String, u64>,
    pub latency: Histogram,
    pub wall: Duration,
    pub panics: Vec<String>,
    pub overruns: Vec<String>,
    pub overrun_count: u64,
    /// How late the latest API-token call ended past its deadline.
    pub max_overrun: Duration,
    /// The same for the private_key_jwt calls.
    pub max_overrun_jwt: Duration,
    pub posts: u64,
    pub posts_resent: u64,
    pub post_repeats: Vec<String>,
    pub post_repeat_count: u64,
    pub early_retries: Vec<String>,
    pub early_retry_count: u64,
    pub mismatches: Vec<String>,
    pub mismatch_count: u64,
    pub unexplained_timeouts: Vec<String>,
    pub unexplained_timeout_count: u64,
    pub explained_by_token: u64,
    pub ended_by_deadline: u64,
    pub orphans: Vec<String>,
    pub orphan_count: u64,
    pub unauthorized: Vec<String>,
    pub unauthorized_count: u64,
    pub retry_header_anomalies: u64,
    pub retry_count_on_first_send: u64,
}

impl Report {
    /// Adds another run's figures to these.
    pub fn merge(&mut self, other: &Report) {
        fn extend(a: &mut Vec<String>, b: &[String]) {
            a.extend(b.iter().take(KEPT.saturating_sub(a.len())).cloned());
        }
        self.operations += other.operations;
        self.calls += other.calls;
        self.requests += other.requests;
        self.retries_seen += other.retries_seen;
        for (k, v) in &other.faults {
            *self.faults.entry(*k).or_default() += v;
        }
        for (k, v) in &other.outcomes {
            *self.outcomes.entry(k.clone()).or_default() += v;
        }
        self.latency.merge(&other.latency);
        self.wall += other.wall;
        extend(&mut self.panics, &other.panics);
        extend(&mut self.overruns, &other.overruns);
        self.overrun_count += other.overrun_count;
        self.max_overrun = self.max_overrun.max(other.max_overrun);
        self.max_overrun_jwt = self.max_overrun_jwt.max(other.max_overrun_jwt);
        self.posts += other.posts;
        self.posts_resent += other.posts_resent;
        extend(&mut self.post_repeats, &other.post_repeats);
        self.post_repeat_count += other.post_repeat_count;
        extend(&mut self.early_retries, &other.early_retries);
        self.early_retry_count += other.early_retry_count;
        extend(&mut self.mismatches, &other.mismatches);
        self.mismatch_count += other.mismatch_count;
        extend(&mut self.unexplained_timeouts, &other.unexplained_timeouts);
        self.unexplained_timeout_count += other.unexplained_timeout_count;
        self.explained_by_token += other.explained_by_token;
        self.ended_by_deadline += other.ended_by_deadline;
        extend(&mut self.orphans, &other.orphans);
        self.orphan_count += other.orphan_count;
        extend(&mut self.unauthorized, &other.unauthorized);
        self.unauthorized_count += other.unauthorized_count;
        self.retry_header_anomalies += other.retry_header_anomalies;
        self.retry_count_on_first_send += other.retry_count_on_first_send;
    }

    /// Requests answered with a fault (not [`Fault::None`]).
    pub fn faults_injected(&self) -> u64 {
        self.faults
            .iter()
            .filter(|(f, _)| **f != Fault::None)
            .map(|(_, n)| n)
            .sum()
    }

    /// What must not happen whatever the faults, in words (empty when the run is sound):
    /// panics, calls past their deadline, POSTs sent again after something else than a 429,
    /// 429s retried early, outcomes that do not fit the fault, untyped errors, bad
    /// credentials, requests of no call, and more than 1% of calls timing out with no stall
    /// or with retry headers out of order.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |bad: bool, text: String| {
            if bad {
                out.push(text);
            }
        };
        check(
            !self.panics.is_empty(),
            format!("{} calls panicked", self.panics.len()),
        );
        check(
            self.overrun_count > 0,
            format!("{} calls ended past their deadline", self.overrun_count),
        );
        check(
            self.post_repeat_count > 0,
            format!(
                "{} POSTs were sent again after something else than a 429",
                self.post_repeat_count
            ),
        );
        check(
            self.early_retry_count > 0,
            format!("{} 429s were retried too early", self.early_retry_count),
        );
        check(
            self.mismatch_count > 0,
            format!(
                "{} outcomes do not fit the injected fault",
                self.mismatch_count
            ),
        );
        check(self.outcomes.contains_key("other"), "untyped errors".into());
        check(
            self.unauthorized_count > 0,
            format!("{} requests had bad credentials", self.unauthorized_count),
        );
        check(
            self.orphan_count > 0,
            format!("{} requests of no call in flight", self.orphan_count),
        );
        check(
            self.unexplained_timeout_count * 100 > self.calls,
            format!(
                "{} calls timed out with no stall (over 1%)",
                self.unexplained_timeout_count
            ),
        );
        check(
            self.retry_header_anomalies * 100 > self.calls,
            format!(
                "{} calls had retry headers out of order (over 1%)",
                self.retry_header_anomalies
            ),
        );
        out
    }

    /// Calls that ended with a value.
    pub fn ok(&self) -> u64 {
        self.outcomes.get("ok").copied().unwrap_or(0)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} operations, {} calls, {} requests ({} retries) in {:.1} s",
            self.operations,
            self.calls,
            self.requests,
            self.retries_seen,
            self.wall.as_secs_f64()
        )?;
        writeln!(
            f,
            "faults injected: {} of {} requests",
            self.faults_injected(),
            self.requests
        )?;
        for (fault, n) in &self.faults {
            writeln!(f, "  {:<28} {n}", fault.name())?;
        }
        writeln!(f, "outcomes:")?;
        for (outcome, n) in &self.outcomes {
            writeln!(f, "  {outcome:<28} {n}")?;
        }
        writeln!(
            f,
            "latency per call: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.latency.quantile(0.5).as_secs_f64() * 1000.0,
            self.latency.quantile(0.99).as_secs_f64() * 1000.0,
            self.latency.max().as_secs_f64() * 1000.0,
        )?;
        writeln!(
            f,
            "latest end past the deadline: {} ms (API token), {} ms (private_key_jwt)",
            self.max_overrun.as_millis(),
            self.max_overrun_jwt.as_millis()
        )?;
        writeln!(
            f,
            "errors explained by the token endpoint {}, timeouts at the deadline {}, timeouts with no stall {}",
            self.explained_by_token, self.ended_by_deadline, self.unexplained_timeout_count
        )?;
        writeln!(
            f,
            "POST calls {} ({} sent more than once, all after 429s unless listed below)",
            self.posts, self.posts_resent
        )?;
        writeln!(
            f,
            "retry headers out of order {}; private_key_jwt first sends with X-Okta-Retry-Count {}",
            self.retry_header_anomalies, self.retry_count_on_first_send
        )?;
        let lists: [(&str, u64, &Vec<String>); 8] = [
            ("panics", self.panics.len() as u64, &self.panics),
            ("past the deadline", self.overrun_count, &self.overruns),
            (
                "POST sent again after something else than a 429",
                self.post_repeat_count,
                &self.post_repeats,
            ),
            (
                "429 retried too early",
                self.early_retry_count,
                &self.early_retries,
            ),
            (
                "outcomes that do not fit the fault",
                self.mismatch_count,
                &self.mismatches,
            ),
            (
                "timeouts with no stall",
                self.unexplained_timeout_count,
                &self.unexplained_timeouts,
            ),
            (
                "requests of no call in flight",
                self.orphan_count,
                &self.orphans,
            ),
            (
                "requests with bad credentials",
                self.unauthorized_count,
                &self.unauthorized,
            ),
        ];
        for (title, count, list) in lists {
            if count > 0 {
                writeln!(f, "{title}: {count}")?;
                for line in list {
                    writeln!(f, "  {line}")?;
                }
            }
        }
        Ok(())
    }
}

/// The soak: a server and two clients of it (API token, and `private_key_jwt` with the RSA
/// test key), which [`run`](Soak::run) drives.
pub struct Soak {
    pub server: ChaosServer,
    api: Client,
    jwt: Client,
    seed: u64,
    limits: Limits,
    next_op: u64,
    /// Every how many calls uses the `private_key_jwt` client.
    jwt_every: u64,
}

impl Soak {
    pub fn new(seed: u64, limits: Limits) -> Soak {
        let server = ChaosServer::start(seed, limits.timeout);
        let pem =
            std::fs::read_to_string(crate::workspace_root().join("tests/keys/rsa-private.pem"))
                .expect("tests/keys/rsa-private.pem");
        let builder = || {
            Client::builder()
                .base_url(server.url())
                .timeout(limits.timeout)
                .deadline(limits.deadline)
                .retry_policy(limits.retry)
        };
        let api = builder()
            .api_token(API_TOKEN)
            .build()
            .expect("an API token client");
        let jwt = builder()
            .private_key_jwt(
                PrivateKeyJwt::new(CLIENT_ID, pem)
                    .key_id("chaos-key")
                    .scopes(["okta.users.read", "okta.groups.manage"]),
            )
            .build()
            .expect("a private_key_jwt client");
        Soak {
            server,
            api,
            jwt,
            seed,
            limits,
            next_op: 0,
            jwt_every: 4,
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Runs `operations` operations, `concurrency` at a time, with faults on or off, and
    /// judges every call. Must run inside a multi-threaded tokio runtime.
    pub async fn run(&mut self, operations: u64, concurrency: usize, faults: bool) -> Report {
        self.server.set_faults(faults);
        let faults_before = self.server.fault_counts();
        let started = Instant::now();
        let checker = Arc::new(Mutex::new(Checker::default()));
        let ctx = Arc::new(Ctx {
            api: self.api.clone(),
            jwt: self.jwt.clone(),
            epoch: self.server.epoch(),
            checker: checker.clone(),
        });
        let settle = Duration::from_millis(500);
        let mut tasks = tokio::task::JoinSet::new();
        let mut panics = Vec::new();
        let first = self.next_op;
        self.next_op += operations;
        let mut next = first;
        let mut finished = 0u64;
        while finished < operations {
            while next < first + operations && tasks.len() < concurrency {
                let op = Op::pick(self.seed, next);
                let jwt = hash(self.seed, &[0x6a77, next]) % self.jwt_every == 0;
                tasks.spawn(run_op(ctx.clone(), next, op, jwt));
                next += 1;
            }
            match tasks.join_next().await {
                Some(Ok(())) => {}
                Some(Err(e)) => panics.push(format!("{e}")),
                None => break,
            }
            finished += 1;
            if finished % 100 == 0 {
                let records = self.server.take_records();
                let cutoff = self.server.epoch().elapsed().saturating_sub(settle);
                let mut c = checker.lock().unwrap();
                c.absorb(records);
                c.judge(cutoff, &self.limits);
            }
        }
        tokio::time::sleep(settle).await;
        let records = self.server.take_records();
        let mut c = checker.lock().unwrap();
        c.absorb(records);
        c.judge(Duration::MAX, &self.limits);
        let mut report = std::mem::take(&mut c.report);
        report.operations = operations;
        report.panics = panics;
        report.wall = started.elapsed();
        let after = self.server.fault_counts();
        report.faults = after
            .into_iter()
            .map(|(k, v)| (k, v - faults_before.get(&k).copied().unwrap_or(0)))
            .filter(|(_, v)| *v > 0)
            .collect();
        report
    }
}

struct Ctx {
    api: Client,
    jwt: Client,
    epoch: Instant,
    checker: Arc<Mutex<Checker>>,
}

/// A call begun: what [`Ctx::end`] needs besides the outcome.
struct Begun {
    tag: u64,
    op: Op,
    jwt: bool,
    page: u64,
    start: Duration,
}

impl Ctx {
    fn begin(&self, tag: u64, op: Op, jwt: bool, page: u64) -> Begun {
        self.checker
            .lock()
            .unwrap()
            .pending
            .insert(tag, Pending::default());
        Begun {
            tag,
            op,
            jwt,
            page,
            start: self.epoch.elapsed(),
        }
    }

    fn end(&self, call: Begun, outcome: Outcome, wrong_value: Option<String>) {
        let end = self.epoch.elapsed();
        let mut c = self.checker.lock().unwrap();
        let pending = c.pending.entry(call.tag).or_default();
        pending.done = Some(Done {
            op: call.op,
            jwt: call.jwt,
            page: call.page,
            start: call.start,
            end,
            outcome,
            wrong_value,
        });
    }
}

/// Whether an answer is the one asked for: its `id` is `want`, or is a value of another type
/// that the lenient decode kept (the malformed-JSON fault's `"id": 12345`).
fn is_id(id: &Option<String>, extra: &okta_client::Properties, want: &str) -> bool {
    id.as_deref() == Some(want) || (id.is_none() && extra.kept("id").is_some())
}

async fn run_op(ctx: Arc<Ctx>, n: u64, op: Op, jwt: bool) {
    let client = if jwt { &ctx.jwt } else { &ctx.api };
    let t = tag(n, 0);
    match op {
        Op::GetUser => {
            let call = ctx.begin(t, op, jwt, 0);
            let result = client.get_user(bench_support::user_id(t)).send().await;
            let wrong = match &result {
                Ok(u) if !is_id(&u.id, &u.additional_properties, &bench_support::user_id(t)) => {
                    Some(format!("user {:?}", u.id))
                }
                _ => None,
            };
            ctx.end(call, Outcome::of(&result), wrong);
        }
        Op::ListUsers => {
            let call = ctx.begin(t, op, jwt, 0);
            let result = client
                .list_users()
                .limit(PAGE_SIZE as i32)
                .q(format!("chaos-{n}"))
                .send()
                .await;
            let wrong = result.as_ref().ok().and_then(|p| page_is_wrong(p, t));
            ctx.end(call, Outcome::of(&result), wrong);
            let mut page = result.ok();
            let mut number = 1;
            while let Some(current) = page.take() {
                if !current.has_next() {
                    break;
                }
                let t = tag(n, number);
                let call = ctx.begin(t, op, jwt, number);
                let result = current.next_page().await;
                let wrong = match &result {
                    Ok(Some(p)) => page_is_wrong(p, t),
                    Ok(None) => Some("no next page after a next link".into()),
                    Err(_) => None,
                };
                ctx.end(call, Outcome::of(&result), wrong);
                page = result.ok().flatten();
                number += 1;
            }
        }
        Op::CreateUser => {
            let body = models::CreateUserRequest {
                profile: Some(models::UserProfile {
                    login: Some(format!("chaos.{t}@example.com")),
                    email: Some(format!("chaos.{t}@example.com")),
                    first_name: Some("Chaos".into()),
                    last_name: Some(format!("Caller {t}")),
                    ..Default::default()
                }),
                ..Default::default()
            };
            let call = ctx.begin(t, op, jwt, 0);
            let result = client.create_user(body).activate(false).send().await;
            let wrong = match &result {
                Ok(u) if !is_id(&u.id, &u.additional_properties, &bench_support::user_id(t)) => {
                    Some(format!("user {:?}", u.id))
                }
                _ => None,
            };
            ctx.end(call, Outcome::of(&result), wrong);
        }
        Op::CreateGroup | Op::UpdateGroup => {
            let profile = models::OktaUserGroupProfile {
                name: Some(format!("chaos-{t}")),
                description: Some("made by the chaos soak".into()),
                ..Default::default()
            };
            let call = ctx.begin(t, op, jwt, 0);
            let result = if op == Op::CreateGroup {
                let body = models::CreateGroupRequest {
                    profile: Some(profile),
                    ..Default::default()
                };
                client.create_group(body).send().await
            } else {
                let body = models::UpdateGroupRequest {
                    profile: Some(profile),
                    ..Default::default()
                };
                client.update_group(group_id(t), body).send().await
            };
            let wrong = match &result {
                Ok(g) if !is_id(&g.id, &g.additional_properties, &group_id(t)) => {
                    Some(format!("group {:?}", g.id))
                }
                _ => None,
            };
            ctx.end(call, Outcome::of(&result), wrong);
        }
        Op::DeleteGroup => {
            let call = ctx.begin(t, op, jwt, 0);
            let result = client.delete_group(group_id(t)).send().await;
            ctx.end(call, Outcome::of(&result), None);
        }
    }
}

fn page_is_wrong(page: &okta_client::Page<models::User>, tag: u64) -> Option<String> {
    let first = tag * PAGE_SIZE as u64;
    let expected: Vec<String> = (first..first + PAGE_SIZE as u64)
        .map(bench_support::user_id)
        .collect();
    let got: Vec<String> = page
        .items
        .iter()
        .map(|u| u.id.clone().unwrap_or_default())
        .collect();
    (got != expected).then(|| format!("page of {got:?}"))
}

// ---------------------------------------------------------------- memory

static ALLOCATED: AtomicU64 = AtomicU64::new(0);
static FREED: AtomicU64 = AtomicU64::new(0);

/// A global allocator that counts the bytes allocated and freed (install it in a binary with
/// `#[global_allocator]`); [`live_heap_bytes`] reads the difference.
pub struct CountingAlloc;

unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        FREED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATED.fetch_add(new_size as u64, Ordering::Relaxed);
        FREED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Heap bytes allocated and not freed, when [`CountingAlloc`] is the global allocator (0
/// otherwise).
pub fn live_heap_bytes() -> u64 {
    ALLOCATED
        .load(Ordering::Relaxed)
        .saturating_sub(FREED.load(Ordering::Relaxed))
}

/// Resident memory of this process, in bytes, from `/proc/self/statm` (pages of 4 KiB).
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_picked_by_weight_and_deterministically() {
        let mut counts: BTreeMap<Fault, u32> = BTreeMap::new();
        for n in 0..100_000u64 {
            *counts
                .entry(pick(&API_FAULTS, hash(7, &[1, n, 0])))
                .or_default() += 1;
        }
        let none = counts[&Fault::None];
        assert!((58_000..61_000).contains(&none), "{counts:?}");
        assert!(counts[&Fault::StallBody] > 1_500, "{counts:?}");
        assert_eq!(
            pick(&API_FAULTS, hash(7, &[1, 2, 3])),
            pick(&API_FAULTS, hash(7, &[1, 2, 3]))
        );
    }

    #[test]
    fn group_ids_read_back() {
        assert_eq!(group_number(&group_id(12_345)), Some(12_345));
        assert_eq!(group_number("00u00000000000000001"), None);
    }

    #[test]
    fn quantiles_come_from_the_buckets() {
        let mut h = Histogram::default();
        for ms in 1..=100 {
            h.add(Duration::from_millis(ms));
        }
        assert_eq!(h.quantile(0.5), Duration::from_millis(50));
        assert_eq!(h.quantile(0.99), Duration::from_millis(99));
        assert_eq!(h.max(), Duration::from_millis(100));
        let mut fast = Histogram::default();
        for us in [250, 260, 900, 12_500] {
            fast.add(Duration::from_micros(us));
        }
        assert_eq!(fast.quantile(0.5), Duration::from_micros(200));
        assert_eq!(fast.quantile(0.75), Duration::from_micros(900));
        assert_eq!(fast.quantile(1.0), Duration::from_millis(12));
    }
}
