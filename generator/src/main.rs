//! The `okta-codegen` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use okta_codegen::format::{self, Staleness};
use okta_codegen::{CrateSettings, Options, generate_loaded_with, load};

/// Generation allocates millions of small token and syntax-tree nodes; mimalloc serves them
/// markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generates a Rust client crate from an OpenAPI 3.0 description of the Okta API.
#[derive(Debug, Parser)]
#[command(name = "okta-codegen", version)]
struct Cli {
    /// The OpenAPI 3.0 document (YAML or JSON); what `import` and `update` write.
    #[arg(long, global = true, default_value = "spec/okta.yaml")]
    spec: PathBuf,
    /// The crate folder to write (Cargo.toml, src/).
    #[arg(long, global = true, default_value = "generated-client")]
    out: PathBuf,
    /// Write nothing; exit 1 and list the files that differ if the crate (or, with `import`,
    /// the spec) is not up to date.
    #[arg(long, global = true)]
    check: bool,
    /// The package name of the generated crate.
    #[arg(long, default_value = "okta-client")]
    crate_name: String,
    /// Turn unsupported or broken parts of the spec into warnings with a sound fallback
    /// (`serde_json::Value`, numbered names) so that generation completes.
    #[arg(long)]
    lenient: bool,
    /// Generate only operations with these tags (comma-separated), and the types they use.
    #[arg(long, value_delimiter = ',')]
    include_tags: Vec<String>,
    /// Generate only these operations (operationIds or method names, comma-separated).
    #[arg(long, value_delimiter = ',')]
    include_operations: Vec<String>,
    /// Also generate `roundtrip.rs` (behind the crate's `roundtrip` feature): every
    /// operation callable by name with JSON arguments, for conformance tests.
    #[arg(long)]
    roundtrip: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Writes `--spec` from Okta's published management spec: its facts without its prose,
    /// then the overlays (OpenAPI Overlay 1.0) in `--overlays`, in the order of their paths.
    Import {
        upstream: PathBuf,
        #[arg(long, default_value = "spec/overlays")]
        overlays: PathBuf,
    },
    /// Follows a new Okta release: imports it into `--spec`, prints the API changes against
    /// the spec that was there, raises the version of the crate in `--out` by the verdict
    /// (with the report in its CHANGELOG.md) and regenerates it. Exits like `diff`.
    Update {
        upstream: PathBuf,
        #[arg(long, default_value = "spec/overlays")]
        overlays: PathBuf,
        /// `text` or `markdown` (for pull requests).
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Compares two specs as the generated Rust API sees them; exits 0 (no change),
    /// 1 (additive), 3 (breaking) or 2 (error).
    Diff {
        old: PathBuf,
        new: PathBuf,
        /// `text` or `markdown` (for pull requests).
        #[arg(long, default_value = "text")]
        format: String,
        /// Bump the version in `--out`'s Cargo.toml by the verdict and add the report to its
        /// CHANGELOG.md.
        #[arg(long)]
        bump: bool,
    },
}

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    if let Some(Command::Diff {
        old,
        new,
        format,
        bump,
    }) = &cli.command
    {
        return diff(old, new, format, *bump, &cli);
    }
    match &cli.command {
        Some(Command::Import { upstream, overlays }) => return import(upstream, overlays, &cli),
        Some(Command::Update {
            upstream,
            overlays,
            format,
        }) => return update(upstream, overlays, format, &cli),
        _ => {}
    }
    let mut settings = CrateSettings::for_out_dir(&cli.out);
    settings.name = cli.crate_name.clone();
    // `okta-codegen.toml` beside the spec gives defaults; flags add to them.
    let mut options = match Options::from_config_beside(&cli.spec) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    options.lenient |= cli.lenient;
    options.roundtrip |= cli.roundtrip;
    options
        .include_tags
        .extend(cli.include_tags.iter().cloned());
    options
        .include_operations
        .extend(cli.include_operations.iter().cloned());
    let loaded = match load::load_with(
        &cli.spec,
        load::LoadOptions {
            lenient: options.lenient,
            ..Default::default()
        },
    ) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let generated = match generate_loaded_with(&loaded, &settings, &options) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // The parsed document is no longer needed and the process ends soon: freeing its millions
    // of nodes one by one would take longer than the operating system takes to reclaim them.
    std::mem::forget(loaded);
    for w in &generated.api.warnings {
        eprintln!(
            "warning: {} at {}: {}",
            cli.spec.display(),
            w.pointer,
            w.message
        );
    }
    let operations = generated.api.operations().count();
    let types = generated.api.types.len();
    let warnings = generated.api.warnings.len();
    if cli.check {
        let stale = format::check(&cli.out, &generated.files);
        if stale.is_empty() {
            println!(
                "{} is fresh: {} files match {} ({operations} operations, {types} types, {warnings} warnings)",
                cli.out.display(),
                generated.files.len(),
                cli.spec.display()
            );
            return ExitCode::SUCCESS;
        }
        println!(
            "{} is stale: {} file(s) differ from what {} generates:",
            cli.out.display(),
            stale.len(),
            cli.spec.display()
        );
        for s in &stale {
            let what = match s.problem {
                Staleness::Missing => "missing",
                Staleness::Different => "differs",
                Staleness::Extra => "no longer generated",
            };
            println!("  {} ({what})", s.path.display());
        }
        for s in &stale {
            if !s.diff.is_empty() {
                println!("{}", s.diff);
            }
        }
        println!(
            "run `cargo run -p okta-codegen -- --spec {} --out {}` to regenerate",
            cli.spec.display(),
            cli.out.display()
        );
        return ExitCode::from(1);
    }
    match format::write(&cli.out, &generated.files) {
        Ok(report) => {
            println!(
                "{}: {} written, {} unchanged, {} removed ({operations} operations, {types} types, {warnings} warnings)",
                cli.out.display(),
                report.written.len(),
                report.unchanged,
                report.removed.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// A run allocates some 100 MB once, and briefly. Where the kernel backs such memory with
/// transparent huge pages, it zeroes (and may first compact) 2 MiB per fault, which costs
/// more than the run saves in TLB misses and makes generation times erratic.
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and changes no memory.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}

fn diff(
    old: &std::path::Path,
    new: &std::path::Path,
    format: &str,
    bump: bool,
    cli: &Cli,
) -> ExitCode {
    let options = Options {
        lenient: cli.lenient,
        ..Options::default()
    };
    let lower = |path: &std::path::Path| {
        let loaded = okta_codegen::load::load_with(
            path,
            okta_codegen::load::LoadOptions {
                lenient: options.lenient,
                ..Default::default()
            },
        )?;
        okta_codegen::lower::lower(&loaded)
    };
    let (old_api, new_api) = match (lower(old), lower(new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let report = okta_codegen::diff::diff(&old_api, &new_api);
    match format {
        "markdown" | "md" => print!("{}", report.markdown()),
        "text" => print!("{}", report.text()),
        other => {
            eprintln!("error: unknown format `{other}`; use text or markdown");
            return ExitCode::from(2);
        }
    }
    let verdict = report.verdict();
    if bump {
        match okta_codegen::diff::bump_crate(&cli.out, &report) {
            Ok((old, new)) => eprintln!(
                "{}: {old} → {new}; CHANGELOG.md updated",
                cli.out.join("Cargo.toml").display()
            ),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::from(verdict.exit_code())
}

fn print_notes(notes: &[okta_codegen::ir::Warning]) {
    for n in notes {
        eprintln!("note: at {}: {}", n.pointer, n.message);
    }
}

fn import(upstream: &std::path::Path, overlays: &std::path::Path, cli: &Cli) -> ExitCode {
    let imported = match okta_codegen::import::import(upstream, overlays) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    print_notes(&imported.notes);
    let what = format!(
        "{} version {} with {} overlay actions from {} files",
        imported.upstream.file, imported.upstream.version, imported.actions, imported.overlays
    );
    let current = std::fs::read_to_string(&cli.spec).ok();
    if cli.check {
        if current.as_deref() == Some(imported.text.as_str()) {
            println!(
                "{} is fresh: it is what importing {what} gives",
                cli.spec.display()
            );
            return ExitCode::SUCCESS;
        }
        println!(
            "{} is stale: importing {what} gives other text",
            cli.spec.display()
        );
        if let Some(current) = &current {
            println!(
                "{}",
                okta_codegen::format::short_diff(current, &imported.text, &cli.spec)
            );
        }
        println!(
            "run `cargo run -p okta-codegen -- import {} --overlays {}` to import again",
            upstream.display(),
            overlays.display()
        );
        return ExitCode::from(1);
    }
    if current.as_deref() == Some(imported.text.as_str()) {
        println!("{}: unchanged ({what})", cli.spec.display());
        return ExitCode::SUCCESS;
    }
    match std::fs::write(&cli.spec, &imported.text) {
        Ok(()) => {
            println!("{}: written ({what})", cli.spec.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: cannot write: {e}", cli.spec.display());
            ExitCode::from(2)
        }
    }
}

fn update(
    upstream: &std::path::Path,
    overlays: &std::path::Path,
    format: &str,
    cli: &Cli,
) -> ExitCode {
    if !matches!(format, "text" | "markdown" | "md") {
        eprintln!("error: unknown format `{format}`; use text or markdown");
        return ExitCode::from(2);
    }
    let mut options = match Options::from_config_beside(&cli.spec) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    options.lenient |= cli.lenient;
    options.roundtrip |= cli.roundtrip;
    let updated = match okta_codegen::import::update(
        upstream,
        overlays,
        &cli.spec,
        &cli.out,
        &options,
        &cli.crate_name,
    ) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    print_notes(&updated.imported.notes);
    match format {
        "text" => print!("{}", updated.report.text()),
        _ => print!("{}", updated.report.markdown()),
    }
    let (old, new) = &updated.versions;
    eprintln!(
        "{}: imported {} version {}; {}: {old} → {new}, {} files written, {} removed",
        cli.spec.display(),
        updated.imported.upstream.file,
        updated.imported.upstream.version,
        cli.out.display(),
        updated.written.written.len(),
        updated.written.removed.len()
    );
    ExitCode::from(updated.report.verdict().exit_code())
}
