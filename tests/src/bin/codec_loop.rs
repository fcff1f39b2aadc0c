//! `cargo run --release -p okta-tests --bin codec_loop -- PAGE STEP SIDE [ITERATIONS]`: decodes
//! (or encodes) one benchmark page in a loop and nothing else, for a profiler to watch (e.g.
//! `perf record --call-graph dwarf target/release/codec_loop users decode generated 3000`).
//! The runtime benchmark (`benches/runtime.rs`) measures; this shows where the time goes.
//!
//! - PAGE: `users` (200 users, as `decode/users_page_200`) or `logs` (1,000 System Log events,
//!   as `decode/system_log_page_1000`)
//! - STEP: `decode` or `encode`
//! - SIDE: `generated` (okta-client's models, read as the client reads a page), `serde` (the
//!   same models through `serde_json::from_slice`) or `hand` (`bench_support::hand`)

use std::process::ExitCode;
use std::time::Instant;

use okta_client::__private::model::{Object, read_objects};
use okta_client::models::{LogEvent, User};
use okta_tests::bench_support::{self, hand};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes `page` as the client reads a page's items (`generated`), or with
/// `serde_json::from_slice` (`hand`, and `serde` for the generated models through serde's `Vec`).
type Read<T> = fn(&[u8]) -> Vec<T>;

fn client_read<T: Object>(page: &[u8]) -> Vec<T> {
    read_objects(page, 1_000).expect("decodes")
}

fn serde_read<T: DeserializeOwned>(page: &[u8]) -> Vec<T> {
    serde_json::from_slice(page).expect("decodes")
}

fn run<T: Serialize>(page: &[u8], read: Read<T>, encode: bool, iterations: u32) -> usize {
    let decoded: Vec<T> = read(page);
    let mut bytes = 0;
    for _ in 0..iterations {
        if encode {
            bytes += serde_json::to_vec(std::hint::black_box(&decoded))
                .expect("encodes")
                .len();
        } else {
            let items: Vec<T> = read(std::hint::black_box(page));
            bytes += items.len();
            drop(std::hint::black_box(items));
        }
    }
    bytes
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [page, step, side, rest @ ..] = args.as_slice() else {
        eprintln!("usage: codec_loop users|logs decode|encode generated|serde|hand [ITERATIONS]");
        return ExitCode::from(2);
    };
    let iterations: u32 = match rest.first().map(|n| n.parse()) {
        None => 2_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("ITERATIONS: {e}");
            return ExitCode::from(2);
        }
    };
    let encode = match step.as_str() {
        "decode" => false,
        "encode" => true,
        other => {
            eprintln!("STEP is decode or encode, not {other}");
            return ExitCode::from(2);
        }
    };
    let body = match page.as_str() {
        "users" => bench_support::users_page(10_000, 200, "https://example.okta.com"),
        "logs" => bench_support::log_events_page(0, 1_000),
        other => {
            eprintln!("PAGE is users or logs, not {other}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let total = match (page.as_str(), side.as_str()) {
        ("users", "generated") => run::<User>(&body, client_read, encode, iterations),
        ("users", "serde") => run::<User>(&body, serde_read, encode, iterations),
        ("users", "hand") => run::<hand::User>(&body, serde_read, encode, iterations),
        ("logs", "generated") => run::<LogEvent>(&body, client_read, encode, iterations),
        ("logs", "serde") => run::<LogEvent>(&body, serde_read, encode, iterations),
        ("logs", "hand") => run::<hand::LogEvent>(&body, serde_read, encode, iterations),
        (_, other) => {
            eprintln!("SIDE is generated, serde or hand, not {other}");
            return ExitCode::from(2);
        }
    };
    let each = start.elapsed() / iterations.max(1);
    println!(
        "{page} {step} {side}: {iterations} iterations, {each:?} each ({total} items or bytes)"
    );
    ExitCode::SUCCESS
}
