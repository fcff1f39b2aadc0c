//! The generated client against what a careful person writes by hand for the same job, in one
//! run (figures from different runs or machines are not compared):
//!
//! - `round_trip/get_user`: `client.get_user(id).send()` against a plain `reqwest::Client`
//!   GET with the same credentials and a `#[derive(Deserialize)]` struct, both over a kept-alive
//!   HTTP/1.1 connection to a minimal server on 127.0.0.1 (its own thread).
//!   Then 5,000 pairs of the two requests alternate, and the summary adds their medians.
//! - `decode/users_page_200`: one list page of 200 Okta users, `serde_json::from_slice` into
//!   `Vec<okta_client::models::User>` against the hand-written structs.
//!   `hand_written_same_size` is the same hand-written code on a struct padded to the
//!   generated model's size, which shows what the size of a complete model costs by itself.
//!   Then 5,000 pairs of the two decodes alternate, and the summary adds their medians.
//! - `encode/users_page_200`: the same users written back with `serde_json::to_vec`.
//!
//! `cargo bench -p okta-tests --bench runtime` (criterion's options after `--`, e.g.
//! `-- --warm-up-time 1 --measurement-time 3`). The run ends with the medians and the ratio
//! generated / hand-written of each group. Nothing here asserts on timings.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use criterion::{Criterion, Throughput};
use okta_client::models::User;
use okta_tests::bench_support::{self, Links, Reply};
use serde::{Deserialize, Serialize};

const TOKEN: &str = "00a-bench-token-value";
const ORG_IN_LINKS: &str = "https://example.okta.com";
const PAGE_SIZE: u64 = 200;

/// What a careful person writes by hand for an Okta user: the fields they read, typed, with
/// `Option` where Okta may send `null` or leave the field out. Unknown properties are
/// ignored (the generated models keep them), and the org's custom profile attributes are
/// declared fields (the generated `UserProfile` keeps them in `additional_properties`).
mod hand {
    use super::*;

    /// `P` pads the struct for the `hand_written_same_size` benchmark; `()` elsewhere.
    #[derive(Debug, Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct User<P: Default = ()> {
        #[serde(skip)]
        #[expect(dead_code, reason = "only its size matters")]
        pub padding: P,
        pub id: String,
        pub status: UserStatus,
        pub created: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub activated: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub status_changed: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub last_login: Option<String>,
        pub last_updated: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub password_changed: Option<String>,
        #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
        pub user_type: Option<UserType>,
        pub profile: Profile,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub credentials: Option<Credentials>,
        /// As the generated model types it: link relation → link object.
        #[serde(rename = "_links", skip_serializing_if = "Option::is_none")]
        pub links: Option<BTreeMap<String, serde_json::Value>>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum UserStatus {
        Staged,
        Provisioned,
        Active,
        Recovery,
        PasswordExpired,
        LockedOut,
        Suspended,
        Deprovisioned,
        #[serde(other)]
        Unknown,
    }

    #[derive(Debug, Deserialize, Serialize)]
    pub struct UserType {
        pub id: String,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Profile {
        pub login: String,
        pub email: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub first_name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub last_name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub mobile_phone: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub second_email: Option<String>,
        /// Custom attributes of this org's user schema.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub favourite_language: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub contractor: Option<bool>,
    }

    #[derive(Debug, Deserialize, Serialize)]
    pub struct Credentials {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub password: Option<Password>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub recovery_question: Option<RecoveryQuestion>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub provider: Option<Provider>,
    }

    /// Okta sends `{}` for a set password; the value is only ever written.
    #[derive(Debug, Deserialize, Serialize)]
    pub struct Password {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub value: Option<String>,
    }

    #[derive(Debug, Deserialize, Serialize)]
    pub struct RecoveryQuestion {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub question: Option<String>,
    }

    #[derive(Debug, Deserialize, Serialize)]
    pub struct Provider {
        #[serde(rename = "type")]
        pub kind: ProviderType,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum ProviderType {
        ActiveDirectory,
        Federation,
        Ldap,
        Okta,
        Social,
        Import,
        #[serde(other)]
        Unknown,
    }
}

/// Bytes that make a hand-written user as large as the generated one, which has a field for
/// every property the spec lists (32 in the profile alone).
const PADDING: usize = std::mem::size_of::<User>() - std::mem::size_of::<hand::User>();

/// Unused bytes, set when a user is created.
#[derive(Debug)]
struct Padding(#[expect(dead_code, reason = "only its size matters")] [u8; PADDING]);

impl Default for Padding {
    fn default() -> Self {
        Padding([0; PADDING])
    }
}

/// `GET /api/v1/users/{id}` with plain reqwest: what the generated operation replaces.
async fn hand_written_get_user(
    http: &reqwest::Client,
    base: &str,
    id: &str,
) -> Result<hand::User, Box<dyn std::error::Error + Send + Sync>> {
    let response = http
        .get(format!("{base}/api/v1/users/{id}"))
        .header(reqwest::header::AUTHORIZATION, format!("SSWS {TOKEN}"))
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()).into());
    }
    let body = response.bytes().await?;
    Ok(serde_json::from_slice(&body)?)
}

fn round_trip(c: &mut Criterion) {
    let id = bench_support::user_id(4711);
    let body: Arc<[u8]> =
        serde_json::to_vec(&bench_support::user(4711, ORG_IN_LINKS, Links::Lifecycle))
            .expect("a user serializes")
            .into();
    let addr = bench_support::spawn_server(Arc::new(move |_| {
        bench_support::okta_headers(Reply::json(body.clone()))
    }));
    let base = format!("http://{addr}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let client = okta_client::Client::builder()
        .base_url(&base)
        .api_token(TOKEN)
        .build()
        .expect("a loopback base URL is accepted");
    let http = reqwest::Client::builder()
        .build()
        .expect("a reqwest client");

    // Both sides read the same user before anything is measured.
    runtime.block_on(async {
        let generated = client
            .get_user(&id)
            .send()
            .await
            .expect("generated get_user");
        let hand = hand_written_get_user(&http, &base, &id)
            .await
            .expect("hand-written get_user");
        assert_eq!(generated.id.as_deref(), Some(hand.id.as_str()));
        assert_eq!(hand.status, hand::UserStatus::Active);
    });

    let mut group = c.benchmark_group("round_trip/get_user");
    let mut ran = false;
    group.bench_function("generated", |b| {
        ran = true;
        b.to_async(&runtime).iter(|| async {
            let user = client.get_user(&id).send().await.expect("get_user");
            std::hint::black_box(user)
        })
    });
    group.bench_function("hand_written", |b| {
        b.to_async(&runtime).iter(|| async {
            let user = hand_written_get_user(&http, &base, &id)
                .await
                .expect("get_user");
            std::hint::black_box(user)
        })
    });
    group.finish();
    if ran {
        paired_round_trips(&runtime, &client, &http, &base, &id);
    }
}

/// Round trips over loopback on this 2-core machine vary by ±8% between criterion runs, and
/// criterion measures one side fully before the other, so a drift lands on one side only.
/// Here the two alternate, request by request (the first of each pair alternating too), and
/// each side's median latency is compared.
fn paired_round_trips(
    runtime: &tokio::runtime::Runtime,
    client: &okta_client::Client,
    http: &reqwest::Client,
    base: &str,
    id: &str,
) {
    const PAIRS: usize = 5_000;
    let mut generated = Vec::with_capacity(PAIRS);
    let mut hand = Vec::with_capacity(PAIRS);
    runtime.block_on(async {
        for i in 0..PAIRS {
            for side in [i % 2, 1 - i % 2] {
                let start = std::time::Instant::now();
                if side == 0 {
                    let user = client.get_user(id).send().await.expect("get_user");
                    std::hint::black_box(user);
                    generated.push(start.elapsed().as_nanos() as f64);
                } else {
                    let user = hand_written_get_user(http, base, id)
                        .await
                        .expect("get_user");
                    std::hint::black_box(user);
                    hand.push(start.elapsed().as_nanos() as f64);
                }
            }
        }
    });
    let (g, h) = (median(&mut generated), median(&mut hand));
    PAIRED_ROUND_TRIPS.get_or_init(|| (g, h));
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The medians (ns) of [`paired_round_trips`], for the summary.
static PAIRED_ROUND_TRIPS: std::sync::OnceLock<(f64, f64)> = std::sync::OnceLock::new();

/// The same page decoded into the generated models and into the hand-written structs, in
/// 5,000 alternating pairs (the order swapping each time), so that the machine's drift over
/// criterion's seconds-long runs lands on both sides alike. Each decode includes dropping the
/// result, as in criterion's runs.
fn paired_decodes(page: &[u8]) {
    const PAIRS: usize = 5_000;
    let mut generated = Vec::with_capacity(PAIRS);
    let mut hand = Vec::with_capacity(PAIRS);
    for i in 0..PAIRS {
        for side in [i % 2, 1 - i % 2] {
            let start = std::time::Instant::now();
            if side == 0 {
                let users: Vec<User> =
                    serde_json::from_slice(std::hint::black_box(page)).expect("decodes");
                drop(std::hint::black_box(users));
                generated.push(start.elapsed().as_nanos() as f64);
            } else {
                let users: Vec<hand::User> =
                    serde_json::from_slice(std::hint::black_box(page)).expect("decodes");
                drop(std::hint::black_box(users));
                hand.push(start.elapsed().as_nanos() as f64);
            }
        }
    }
    let (g, h) = (median(&mut generated), median(&mut hand));
    PAIRED_DECODES.get_or_init(|| (g, h));
}

/// The medians (ns) of [`paired_decodes`], for the summary.
static PAIRED_DECODES: std::sync::OnceLock<(f64, f64)> = std::sync::OnceLock::new();

fn decode(c: &mut Criterion) {
    let page = bench_support::users_page(10_000, PAGE_SIZE, ORG_IN_LINKS);
    let generated: Vec<User> =
        serde_json::from_slice(&page).expect("the generated model reads the page");
    let hand: Vec<hand::User> =
        serde_json::from_slice(&page).expect("the hand-written structs read the page");
    assert_eq!(generated.len(), PAGE_SIZE as usize);
    assert!(
        generated
            .iter()
            .zip(&hand)
            .all(|(g, h)| g.id.as_deref() == Some(h.id.as_str())
                && g.profile.as_ref().and_then(|p| p.login.as_deref())
                    == Some(h.profile.login.as_str()))
    );

    let mut group = c.benchmark_group("decode/users_page_200");
    // One throughput per benchmark in criterion 0.7: bytes here; the summary adds users/s.
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("generated", |b| {
        b.iter(|| {
            serde_json::from_slice::<Vec<User>>(std::hint::black_box(&page)).expect("decodes")
        })
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| {
            serde_json::from_slice::<Vec<hand::User>>(std::hint::black_box(&page)).expect("decodes")
        })
    });
    // The same hand-written code with the generated model's size: what the size alone costs.
    group.bench_function("hand_written_same_size", |b| {
        b.iter(|| {
            serde_json::from_slice::<Vec<hand::User<Padding>>>(std::hint::black_box(&page))
                .expect("decodes")
        })
    });
    group.finish();
    paired_decodes(&page);

    // Written back: the generated models write every set field and the kept properties.
    let generated_bytes = serde_json::to_vec(&generated).expect("encodes");
    let mut group = c.benchmark_group("encode/users_page_200");
    group.throughput(Throughput::Elements(PAGE_SIZE));
    group.bench_function("generated", |b| {
        b.iter(|| serde_json::to_vec(std::hint::black_box(&generated)).expect("encodes"))
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| serde_json::to_vec(std::hint::black_box(&hand)).expect("encodes"))
    });
    group.finish();
    let hand_bytes = serde_json::to_vec(&hand).expect("encodes");
    println!(
        "page: {} users, {} bytes as served; written back: generated {} bytes, hand-written {} bytes",
        PAGE_SIZE,
        page.len(),
        generated_bytes.len(),
        hand_bytes.len()
    );
}

/// Where criterion writes its estimates (as criterion finds it, less `cargo metadata`).
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| okta_tests::workspace_root().join("target"))
        .join("criterion")
}

/// The median (ns) criterion estimated for `group/function` in this run, if it ran.
fn median_ns(group: &str, function: &str, since: SystemTime) -> Option<f64> {
    let safe = |s: &str| s.replace(['?', '"', '/', '\\', '*', '<', '>', ':', '|', '^'], "_");
    let path = criterion_home()
        .join(safe(group))
        .join(safe(function))
        .join("new/estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < since {
        return None; // left by an earlier run (this one filtered it out)
    }
    let estimates: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    estimates.pointer("/median/point_estimate")?.as_f64()
}

fn show(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// Medians of this run and the ratio generated / hand-written of each group.
fn summary(since: SystemTime, page_bytes: usize) {
    println!("\nsummary (criterion medians of this run; ratio = generated / hand_written)");
    for group in [
        "round_trip/get_user",
        "decode/users_page_200",
        "encode/users_page_200",
    ] {
        let (Some(generated), Some(hand)) = (
            median_ns(group, "generated", since),
            median_ns(group, "hand_written", since),
        ) else {
            println!("  {group:<24} not measured in this run");
            continue;
        };
        let per = |ns: f64| {
            let users = PAGE_SIZE as f64 / (ns / 1e9);
            match group {
                "decode/users_page_200" => format!(
                    " ({:.0} MiB/s, {:.0}k users/s)",
                    page_bytes as f64 / (ns / 1e9) / (1024.0 * 1024.0),
                    users / 1e3
                ),
                "encode/users_page_200" => format!(" ({:.0}k users/s)", users / 1e3),
                _ => String::new(),
            }
        };
        println!(
            "  {group:<24} generated {}{}  hand_written {}{}  ratio {:.2}",
            show(generated),
            per(generated),
            show(hand),
            per(hand),
            generated / hand
        );
        let paired = match group {
            "round_trip/get_user" => PAIRED_ROUND_TRIPS.get(),
            "decode/users_page_200" => PAIRED_DECODES.get(),
            _ => None,
        };
        if let Some((g, h)) = paired {
            println!(
                "  {:<24} paired, 5,000 alternating: generated {}  hand_written {}  ratio {:.2}",
                "",
                show(*g),
                show(*h),
                g / h
            );
        }
        if let Some(same_size) = median_ns(group, "hand_written_same_size", since) {
            println!(
                "  {:<24} hand_written_same_size {}{}  ratio generated / it {:.2}",
                "",
                show(same_size),
                per(same_size),
                generated / same_size
            );
        }
    }
}

fn main() {
    let since = SystemTime::now();
    let mut criterion = Criterion::default().configure_from_args();
    round_trip(&mut criterion);
    decode(&mut criterion);
    criterion.final_summary();
    let page_bytes = bench_support::users_page(10_000, PAGE_SIZE, ORG_IN_LINKS).len();
    summary(since, page_bytes);
}
