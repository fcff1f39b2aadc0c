//! The generated client against what a careful person writes by hand for the same job, in one
//! run (figures from different runs or machines are not compared):
//!
//! - `round_trip/get_user`: `client.get_user(id).send()` against a plain `reqwest::Client`
//!   GET with the same credentials and a `#[derive(Deserialize)]` struct, both over a kept-alive
//!   HTTP/1.1 connection to a minimal server on 127.0.0.1 (its own thread).
//!   Then 5,000 pairs of the two requests alternate, and the summary adds their medians.
//! - `decode/users_page_200`: one list page of 200 Okta users, read as the client reads a page
//!   (`model::read_objects`: each user decoded where it stays in the vector, room made for the
//!   page's `limit`) into `Vec<okta_client::models::User>`, against `serde_json::from_slice`
//!   into the hand-written structs (`okta_tests::bench_support::hand`).
//!   `generated_serde_vec` is the generated model through serde's own `Vec` (a user's
//!   `serde_json::from_slice`). `hand_written_same_size` is the same hand-written code
//!   on a struct padded to the generated model's size, which shows what the size of a complete
//!   model costs by itself.
//! - `encode/users_page_200`: the same users written back with `serde_json::to_vec`.
//! - `decode/system_log_page_1000`, `encode/system_log_page_1000`: the same for a System Log
//!   page of 1,000 events (`GET /api/v1/logs`, Okta's biggest bulk read).
//!
//! After criterion's runs of a decode or encode group, 5,000 pairs of its two sides alternate,
//! and the summary adds their medians.
//!
//! `cargo bench -p okta-tests --bench runtime` (criterion's options after `--`, e.g.
//! `-- --warm-up-time 1 --measurement-time 3`). The run ends with the medians and the ratio
//! generated / hand-written of each group. Nothing here asserts on timings.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use criterion::{Criterion, Throughput};
use okta_client::models::{LogEvent, User};
use okta_tests::bench_support::{self, Links, Reply};
use serde::Serialize;

const TOKEN: &str = "00a-bench-token-value";
const ORG_IN_LINKS: &str = "https://example.okta.com";
const PAGE_SIZE: u64 = 200;
const LOG_PAGE_SIZE: u64 = 1_000;

use okta_tests::bench_support::hand;

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
    let medians = (median(&mut generated), median(&mut hand));
    PAIRED
        .lock()
        .expect("not poisoned")
        .insert("round_trip/get_user", medians);
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The two sides of a group run in `PAIRS` alternating pairs (which goes first swapping each
/// time), so that the machine's drift over criterion's seconds-long runs lands on both sides
/// alike; each side's median (ns) is kept under the group's name for the summary. A decode
/// includes dropping the result, as in criterion's runs.
fn paired(group: &'static str, mut generated: impl FnMut(), mut hand: impl FnMut()) {
    const PAIRS: usize = 5_000;
    let mut times = [Vec::with_capacity(PAIRS), Vec::with_capacity(PAIRS)];
    for i in 0..PAIRS {
        for side in [i % 2, 1 - i % 2] {
            let start = std::time::Instant::now();
            if side == 0 {
                generated();
            } else {
                hand();
            }
            times[side].push(start.elapsed().as_nanos() as f64);
        }
    }
    let [mut g, mut h] = times;
    let medians = (median(&mut g), median(&mut h));
    PAIRED.lock().expect("not poisoned").insert(group, medians);
}

/// The medians (ns) of [`paired`] runs by group, for the summary.
static PAIRED: std::sync::Mutex<BTreeMap<&str, (f64, f64)>> =
    std::sync::Mutex::new(BTreeMap::new());

/// Decode and encode groups for one page: `G` the generated model, `H` the hand-written one.
/// `extra` adds functions to the decode group before it ends.
fn decode_and_encode<G, H>(
    c: &mut Criterion,
    name: &str,
    page: &[u8],
    items: u64,
    extra: impl FnOnce(&mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>),
) where
    G: okta_client::__private::model::Object + serde::de::DeserializeOwned + Serialize,
    H: serde::de::DeserializeOwned + Serialize,
{
    use okta_client::__private::model::read_objects;
    let decode: &'static str = format!("decode/{name}").leak();
    let encode: &'static str = format!("encode/{name}").leak();
    let mut group = c.benchmark_group(decode);
    // One throughput per benchmark in criterion 0.7: bytes here; the summary adds items/s.
    group.throughput(Throughput::Bytes(page.len() as u64));
    let mut ran = false;
    // What the client does with a page (`Page`'s reader, room made for the page's `limit`).
    group.bench_function("generated", |b| {
        ran = true;
        b.iter(|| read_objects::<G>(std::hint::black_box(page), items as usize).expect("decodes"))
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| serde_json::from_slice::<Vec<H>>(std::hint::black_box(page)).expect("decodes"))
    });
    // The generated models through serde's `Vec`, as a user's own `from_slice` reads them.
    group.bench_function("generated_serde_vec", |b| {
        b.iter(|| serde_json::from_slice::<Vec<G>>(std::hint::black_box(page)).expect("decodes"))
    });
    extra(&mut group);
    group.finish();
    if ran {
        paired(
            decode,
            || {
                drop(std::hint::black_box(
                    read_objects::<G>(std::hint::black_box(page), items as usize).expect("decodes"),
                ))
            },
            || {
                drop(std::hint::black_box(
                    serde_json::from_slice::<Vec<H>>(std::hint::black_box(page)).expect("decodes"),
                ))
            },
        );
    }

    // Written back: the generated models write every set field, the nulls they read and the
    // kept properties; the hand-written ones what they declare.
    let generated: Vec<G> = serde_json::from_slice(page).expect("decodes");
    let hand: Vec<H> = serde_json::from_slice(page).expect("decodes");
    let mut group = c.benchmark_group(encode);
    group.throughput(Throughput::Elements(items));
    let mut ran = false;
    group.bench_function("generated", |b| {
        ran = true;
        b.iter(|| serde_json::to_vec(std::hint::black_box(&generated)).expect("encodes"))
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| serde_json::to_vec(std::hint::black_box(&hand)).expect("encodes"))
    });
    group.finish();
    if ran {
        paired(
            encode,
            || {
                drop(std::hint::black_box(
                    serde_json::to_vec(std::hint::black_box(&generated)).expect("encodes"),
                ))
            },
            || {
                drop(std::hint::black_box(
                    serde_json::to_vec(std::hint::black_box(&hand)).expect("encodes"),
                ))
            },
        );
    }
    println!(
        "{name}: {items} items, {} bytes as served; written back: generated {} bytes, hand-written {} bytes",
        page.len(),
        serde_json::to_vec(&generated).expect("encodes").len(),
        serde_json::to_vec(&hand).expect("encodes").len()
    );
}

fn users(c: &mut Criterion) {
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
    decode_and_encode::<User, hand::User>(c, "users_page_200", &page, PAGE_SIZE, |group| {
        // The same hand-written code with the generated model's size: what size alone costs.
        group.bench_function("hand_written_same_size", |b| {
            b.iter(|| {
                serde_json::from_slice::<Vec<hand::User<Padding>>>(std::hint::black_box(&page))
                    .expect("decodes")
            })
        });
    });
}

fn system_log(c: &mut Criterion) {
    let page = bench_support::log_events_page(0, LOG_PAGE_SIZE);
    let generated: Vec<LogEvent> =
        serde_json::from_slice(&page).expect("the generated model reads the page");
    let hand: Vec<hand::LogEvent> =
        serde_json::from_slice(&page).expect("the hand-written structs read the page");
    assert_eq!(generated.len(), LOG_PAGE_SIZE as usize);
    assert!(generated.iter().zip(&hand).all(|(g, h)| {
        g.uuid.as_deref() == Some(h.uuid.as_str())
            && g.target.as_ref().map(Vec::len) == Some(h.target.len())
            && g.debug_context.as_ref().and_then(|d| d.debug_data.as_ref())
                == h.debug_context.as_ref().map(|d| &d.debug_data)
    }));
    decode_and_encode::<LogEvent, hand::LogEvent>(
        c,
        "system_log_page_1000",
        &page,
        LOG_PAGE_SIZE,
        |_| {},
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

/// Medians of this run and the ratio generated / hand-written of each group, with the
/// paired medians where the group has them.
fn summary(since: SystemTime) {
    println!("\nsummary (criterion medians of this run; ratio = generated / hand_written)");
    let users_page = bench_support::users_page(10_000, PAGE_SIZE, ORG_IN_LINKS).len();
    let log_page = bench_support::log_events_page(0, LOG_PAGE_SIZE).len();
    let paired = PAIRED.lock().expect("not poisoned");
    for (group, bytes, items, unit) in [
        ("round_trip/get_user", 0, 0, ""),
        ("decode/users_page_200", users_page, PAGE_SIZE, "users"),
        ("encode/users_page_200", 0, PAGE_SIZE, "users"),
        (
            "decode/system_log_page_1000",
            log_page,
            LOG_PAGE_SIZE,
            "events",
        ),
        ("encode/system_log_page_1000", 0, LOG_PAGE_SIZE, "events"),
    ] {
        let (Some(generated), Some(hand)) = (
            median_ns(group, "generated", since),
            median_ns(group, "hand_written", since),
        ) else {
            println!("  {group:<28} not measured in this run");
            continue;
        };
        let per = |ns: f64| {
            let seconds = ns / 1e9;
            let mib = if bytes > 0 {
                format!("{:.0} MiB/s, ", bytes as f64 / seconds / (1024.0 * 1024.0))
            } else {
                String::new()
            };
            if items == 0 {
                String::new()
            } else {
                format!(" ({mib}{:.0}k {unit}/s)", items as f64 / seconds / 1e3)
            }
        };
        println!(
            "  {group:<28} generated {}{}  hand_written {}{}  ratio {:.2}",
            show(generated),
            per(generated),
            show(hand),
            per(hand),
            generated / hand
        );
        if let Some((g, h)) = paired.get(group) {
            println!(
                "  {:<28} paired, 5,000 alternating: generated {}  hand_written {}  ratio {:.3} (throughput {:.3}×)",
                "",
                show(*g),
                show(*h),
                g / h,
                h / g
            );
        }
        if let Some(serde_vec) = median_ns(group, "generated_serde_vec", since) {
            println!(
                "  {:<28} generated_serde_vec {}{}  ratio it / hand_written {:.2}",
                "",
                show(serde_vec),
                per(serde_vec),
                serde_vec / hand
            );
        }
        if let Some(same_size) = median_ns(group, "hand_written_same_size", since) {
            println!(
                "  {:<28} hand_written_same_size {}{}  ratio generated / it {:.2}",
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
    users(&mut criterion);
    system_log(&mut criterion);
    criterion.final_summary();
    summary(since);
}
