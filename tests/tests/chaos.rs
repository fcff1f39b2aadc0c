//! A chaos soak of the client runtime: 5,000 mixed operations, 50 in flight, through a
//! loopback server (`okta_tests::chaos`) that injects rate limits, 5xx answers, resets,
//! stalls, broken bodies and a failing token endpoint, chosen per request by a seeded hash.
//! `scripts/chaos-soak.sh` runs the same for 100,000 operations.

use std::time::Duration;

use okta_tests::chaos::{self, CountingAlloc, Fault, Limits, Report, Soak};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const SEED: u64 = 0x00C4_A05E;
const WARM_UP: u64 = 500;
const OPERATIONS: u64 = 5_000;
const CONCURRENCY: usize = 50;
/// Growth of the heap and of the resident set allowed between the warm-up and the end.
const HEAP_MARGIN: u64 = 8 << 20;
const RSS_MARGIN: u64 = 64 << 20;

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

/// The findings of a run that must be empty, whatever the faults.
fn assert_sound(what: &str, report: &Report) {
    assert!(report.panics.is_empty(), "{what}: calls panicked\n{report}");
    assert_eq!(
        report.overrun_count, 0,
        "{what}: calls ended past their deadline and the slack\n{report}"
    );
    assert_eq!(
        report.post_repeat_count, 0,
        "{what}: a POST was sent again after something else than a 429\n{report}"
    );
    assert_eq!(
        report.early_retry_count, 0,
        "{what}: a 429 was retried too early\n{report}"
    );
    assert_eq!(
        report.mismatch_count, 0,
        "{what}: outcomes that do not fit the fault the server injected\n{report}"
    );
    assert_eq!(
        report.unauthorized_count, 0,
        "{what}: requests with bad credentials\n{report}"
    );
    assert_eq!(
        report.orphan_count, 0,
        "{what}: requests of no call in flight\n{report}"
    );
    assert!(
        !report.outcomes.contains_key("other"),
        "{what}: untyped errors\n{report}"
    );
    // A server answer that reached the client too late for a loaded machine is not the
    // client's fault, but it must stay rare.
    assert!(
        report.unexplained_timeout_count * 100 <= report.calls,
        "{what}: more than 1% of the calls timed out with no stall\n{report}"
    );
    assert!(
        report.retry_header_anomalies * 100 <= report.calls,
        "{what}: more than 1% of the calls had retry headers out of order\n{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_calls_through_injected_faults_end_in_time_typed_and_never_repeat_a_post() {
    let limits = Limits::default();
    let mut soak = Soak::new(SEED, limits);
    let bounded = async {
        let warm_up = soak.run(WARM_UP, CONCURRENCY, true).await;
        let heap_warm = chaos::live_heap_bytes();
        let rss_warm = chaos::resident_bytes().unwrap_or(0);
        let report = soak.run(OPERATIONS, CONCURRENCY, true).await;
        // Faults off: the same client works normally.
        let after = soak.run(300, CONCURRENCY, false).await;
        let heap_end = chaos::live_heap_bytes();
        let rss_end = chaos::resident_bytes().unwrap_or(0);
        (
            warm_up,
            report,
            after,
            (heap_warm, rss_warm, heap_end, rss_end),
        )
    };
    let (warm_up, report, after, (heap_warm, rss_warm, heap_end, rss_end)) =
        tokio::time::timeout(Duration::from_secs(240), bounded)
            .await
            .expect("the soak ends within 240 s");

    println!("== warm-up\n{warm_up}");
    println!(
        "== soak (timeout {:?}, deadline {:?}, {:?})\n{report}",
        limits.timeout, limits.deadline, limits.retry
    );
    println!("== faults off\n{after}");
    println!(
        "memory: heap {:.1} MiB after the warm-up, {:.1} MiB at the end ({:+.2} MiB); \
         resident {:.1} MiB, {:.1} MiB ({:+.2} MiB)",
        mib(heap_warm),
        mib(heap_end),
        heap_end as f64 / (1 << 20) as f64 - mib(heap_warm),
        mib(rss_warm),
        mib(rss_end),
        rss_end as f64 / (1 << 20) as f64 - mib(rss_warm),
    );

    assert_sound("warm-up", &warm_up);
    assert_sound("soak", &report);
    assert_eq!(report.operations, OPERATIONS);
    assert!(report.calls >= OPERATIONS, "{report}");

    // The faults happened, each kind of them, and so did each kind of outcome.
    for (fault, _) in chaos::API_FAULTS {
        assert!(
            report.faults.get(&fault).copied().unwrap_or(0) > 0,
            "no {} was injected\n{report}",
            fault.name()
        );
    }
    let token_faults: u64 = [
        Fault::Token500,
        Fault::Token503,
        Fault::TokenStall,
        Fault::TokenMalformed,
    ]
    .iter()
    .map(|f| report.faults.get(f).copied().unwrap_or(0))
    .sum();
    assert!(
        token_faults >= 3,
        "the token endpoint hardly failed\n{report}"
    );
    for outcome in [
        "ok",
        "Api(429)",
        "Api(500)",
        "Api(502)",
        "Timeout",
        "Transport",
        "Decode",
    ] {
        assert!(
            report.outcomes.contains_key(outcome),
            "no call ended {outcome}\n{report}"
        );
    }
    assert!(
        report.posts_resent > 0,
        "no POST was retried after a 429\n{report}"
    );
    // Most calls succeed despite the faults: retries work.
    assert!(report.ok() * 10 >= report.calls * 6, "{report}");

    // Afterwards every call succeeds.
    assert_sound("faults off", &after);
    assert_eq!(
        after.ok(),
        after.calls,
        "with faults off every call succeeds\n{after}"
    );
    assert_eq!(after.faults_injected(), 0, "{after}");

    // Memory stays flat.
    assert!(
        heap_end <= heap_warm + HEAP_MARGIN,
        "the heap grew from {:.1} MiB to {:.1} MiB",
        mib(heap_warm),
        mib(heap_end)
    );
    assert!(
        rss_end <= rss_warm + RSS_MARGIN,
        "the resident set grew from {:.1} MiB to {:.1} MiB",
        mib(rss_warm),
        mib(rss_end)
    );
}
