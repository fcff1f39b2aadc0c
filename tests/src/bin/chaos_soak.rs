//! `cargo run --release -p okta-tests --bin chaos_soak -- [--operations N] [--seed S]
//! [--concurrency C]`: the chaos soak of `tests/tests/chaos.rs` at a larger scale (default
//! 100,000 operations, 50 in flight), through the fault-injecting loopback server of
//! `okta_tests::chaos`, with the test's limits (timeout 300 ms, deadline 2 s, 3 retries).
//!
//! After a warm-up of 1,000 operations it runs the soak in chunks of 10,000 and prints, after
//! each, the live heap (counted by a global allocator), the resident set and its peak
//! (`VmRSS`, `VmHWM`); then 1,000 operations with faults off, and the summary: calls, faults
//! injected by kind, outcomes by kind, p50/p99 latency. The server runs in this process (its
//! records are dropped once each call is judged, so they do not accumulate). Exits 1 if a
//! check fails (`Report::problems`), if a call fails with faults off, or if the heap grew by
//! more than 16 MiB between the warm-up and the end.
//! `scripts/chaos-soak.sh` builds it in release mode and runs it under `/usr/bin/time -v`.

use std::process::ExitCode;
use std::time::Instant;

use okta_tests::bench_support::rss_kib;
use okta_tests::chaos::{self, CountingAlloc, Limits, Report, Soak};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const USAGE: &str = "usage: chaos_soak [--operations N] [--seed S] [--concurrency C]";
const WARM_UP: u64 = 1_000;
const CHUNK: u64 = 10_000;
const HEAP_MARGIN: u64 = 16 << 20;

struct Args {
    operations: u64,
    seed: u64,
    concurrency: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        operations: 100_000,
        seed: 0x00C4_A05E,
        concurrency: 50,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            it.next()
                .and_then(|v| v.replace('_', "").parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--operations" => args.operations = number("--operations")?.max(1),
            "--seed" => args.seed = number("--seed")?,
            "--concurrency" => args.concurrency = number("--concurrency")?.max(1) as usize,
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(args)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

fn memory_line(label: &str) -> String {
    let (hwm, rss) = rss_kib().unwrap_or((0, 0));
    format!(
        "{label:>24}: heap {:7.2} MiB, resident {:7.2} MiB, peak resident {:7.2} MiB",
        mib(chaos::live_heap_bytes()),
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    )
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(soak(args))
}

async fn soak(args: Args) -> ExitCode {
    let limits = Limits::default();
    let mut soak = Soak::new(args.seed, limits);
    println!(
        "chaos soak: {} operations, {} in flight, seed {:#x}; timeout {:?}, deadline {:?}, {:?}",
        args.operations, args.concurrency, args.seed, limits.timeout, limits.deadline, limits.retry
    );
    let started = Instant::now();
    let warm_up = soak.run(WARM_UP, args.concurrency, true).await;
    let heap_warm = chaos::live_heap_bytes();
    println!("{}", memory_line("after the warm-up"));

    let mut total = Report::default();
    let mut done = 0;
    while done < args.operations {
        let n = CHUNK.min(args.operations - done);
        let chunk = soak.run(n, args.concurrency, true).await;
        done += n;
        total.merge(&chunk);
        println!(
            "{}  ({} calls, {:.1} s)",
            memory_line(&format!("after {done} operations")),
            chunk.calls,
            chunk.wall.as_secs_f64()
        );
    }
    let after = soak.run(1_000, args.concurrency, false).await;
    let heap_end = chaos::live_heap_bytes();
    println!("{}", memory_line("after faults off"));
    println!("\n== soak\n{total}");
    println!("== faults off\n{after}");
    println!(
        "heap {:.2} MiB after the warm-up, {:.2} MiB at the end; wall time {:.1} s in all",
        mib(heap_warm),
        mib(heap_end),
        started.elapsed().as_secs_f64()
    );

    let mut problems = warm_up.problems();
    problems.extend(total.problems());
    problems.extend(
        after
            .problems()
            .into_iter()
            .map(|p| format!("faults off: {p}")),
    );
    if after.ok() != after.calls {
        problems.push(format!(
            "faults off: {} of {} calls failed",
            after.calls - after.ok(),
            after.calls
        ));
    }
    if heap_end > heap_warm + HEAP_MARGIN {
        problems.push(format!(
            "the heap grew from {:.2} MiB to {:.2} MiB",
            mib(heap_warm),
            mib(heap_end)
        ));
    }
    if problems.is_empty() {
        println!("all checks passed");
        ExitCode::SUCCESS
    } else {
        for p in &problems {
            println!("FAILED: {p}");
        }
        ExitCode::FAILURE
    }
}
