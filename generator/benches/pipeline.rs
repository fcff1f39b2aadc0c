//! `cargo bench -p okta-codegen`: time and peak heap of each step (load, lower, emit,
//! format) and of the whole run, for `spec/okta.yaml` and Okta's official spec (when
//! `../shared/specs` is there). Medians of several runs; memory is counted by a global
//! allocator wrapper, as the peak of live heap bytes above what was live when the step began.
//! The steps run one after another on one thread, so that each can be timed and its memory
//! counted; the CLI emits and formats on every core, with mimalloc, and is timed as a whole
//! by `scripts/bench-peers.sh`. No assertions: this reports figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use okta_codegen::{CrateSettings, emit, format, load, lower};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f`, returning its result, the time it took and its peak heap above the start.
fn measure<T>(f: impl FnOnce() -> T) -> (T, Duration, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    (out, took, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

#[derive(Default)]
struct Samples {
    time: Vec<Duration>,
    peak: Vec<usize>,
}

impl Samples {
    fn push(&mut self, t: Duration, p: usize) {
        self.time.push(t);
        self.peak.push(p);
    }
    fn median(&mut self) -> (Duration, usize) {
        self.time.sort();
        self.peak.sort();
        (
            self.time[self.time.len() / 2],
            self.peak[self.peak.len() / 2],
        )
    }
}

fn bench(spec: &Path, runs: usize) {
    let settings = CrateSettings {
        name: "okta-client".into(),
        version: "0.1.0".into(),
        roundtrip: false,
        repository: None,
    };
    let bytes = std::fs::read(spec).expect("the spec is readable");
    let (mut l, mut w, mut e, mut f, mut all) = Default::default();
    let mut counts = (0, 0, 0, 0);
    for _ in 0..runs {
        let ((), whole_t, whole_p) = measure(|| {
            let (loaded, t, p) = measure(|| {
                let one_thread = load::LoadOptions {
                    threads: 1,
                    ..Default::default()
                };
                load::load(
                    load::Source::Text {
                        path: spec,
                        bytes: &bytes,
                    },
                    one_thread,
                )
                .expect("loads")
            });
            Samples::push(&mut l, t, p);
            let (api, t, p) = measure(|| lower::lower(&loaded).expect("lowers"));
            Samples::push(&mut w, t, p);
            let plan = emit::plan(&api, &settings);
            let sections = plan.sections();
            let (emitted, t, p) = measure(|| {
                let tokens: Vec<_> = sections.iter().map(|(_, s)| plan.emit(s)).collect();
                tokens
            });
            Samples::push(&mut e, t, p);
            let (files, t, p) = measure(|| {
                let mut texts = Vec::with_capacity(emitted.len());
                for ((file, _), tokens) in sections.iter().zip(emitted) {
                    texts.push(format::rust(&plan.files[*file].path, tokens).expect("formats"));
                }
                format::finish_all(&plan, texts)
            });
            Samples::push(&mut f, t, p);
            let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
            counts = (
                api.operations().count(),
                api.types.len(),
                files.len(),
                lines,
            );
        });
        Samples::push(&mut all, whole_t, whole_p);
    }
    println!(
        "\n{} ({} KiB): {} operations, {} types → {} files, {} lines; median of {runs} runs",
        spec.display(),
        bytes.len() / 1024,
        counts.0,
        counts.1,
        counts.2,
        counts.3
    );
    println!("{:<8} {:>10} {:>12}", "step", "time", "peak heap");
    for (name, s) in [
        ("load", &mut l),
        ("lower", &mut w),
        ("emit", &mut e),
        ("format", &mut f),
        ("total", &mut all),
    ] {
        let (t, p) = s.median();
        println!(
            "{name:<8} {:>8.1}ms {:>9.1} MiB",
            t.as_secs_f64() * 1000.0,
            p as f64 / (1024.0 * 1024.0)
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; other arguments are ignored.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut specs: Vec<PathBuf> = vec![root.join("spec/okta.yaml")];
    let official = root.join("../shared/specs/okta-management-5.1.0.yaml");
    if official.is_file() {
        specs.push(official);
    } else {
        println!("(../shared/specs is not there: the official spec is not measured)");
    }
    let runs = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    for spec in specs {
        bench(&spec, runs);
    }
}
