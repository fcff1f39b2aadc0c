//! The `okta-codegen` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use okta_codegen::load::{self, Source};
use okta_codegen::{CrateSettings, Error, Options, write};

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
    /// Print the wall time of each step (load, lower, plan, emit and format, write) to
    /// standard error.
    #[arg(long)]
    timings: bool,
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
        /// How to print the API changes.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Compares two specs as the generated Rust API sees them; exits 0 (no change),
    /// 1 (additive), 3 (breaking) or 2 (error).
    Diff {
        old: PathBuf,
        new: PathBuf,
        /// How to print the API changes.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Bump the version in `--out`'s Cargo.toml by the verdict and add the report to its
        /// CHANGELOG.md.
        #[arg(long)]
        bump: bool,
    },
}

/// How an API change report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    /// Plain text, for a terminal.
    Text,
    /// Markdown, for pull requests.
    #[value(alias = "md")]
    Markdown,
}

impl ReportFormat {
    fn print(self, report: &okta_codegen::diff::Report) {
        match self {
            ReportFormat::Text => print!("{}", report.text()),
            ReportFormat::Markdown => print!("{}", report.markdown()),
        }
    }
}

/// Exit status of a run that could not be carried out.
const FAILED: u8 = 2;

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    let outcome = match &cli.command {
        None => generate(&cli),
        Some(Command::Import { upstream, overlays }) => import(upstream, overlays, &cli),
        Some(Command::Update {
            upstream,
            overlays,
            format,
        }) => update(upstream, overlays, *format, &cli),
        Some(Command::Diff {
            old,
            new,
            format,
            bump,
        }) => diff(old, new, *format, *bump, &cli),
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::from(FAILED)
    })
}

/// The generation options: `okta-codegen.toml` beside the spec gives defaults; flags add to
/// them.
fn options(cli: &Cli) -> Result<Options, Error> {
    let mut options = Options::from_config_beside(&cli.spec)?;
    options.lenient |= cli.lenient;
    options.roundtrip |= cli.roundtrip;
    options
        .include_tags
        .extend(cli.include_tags.iter().cloned());
    options
        .include_operations
        .extend(cli.include_operations.iter().cloned());
    Ok(options)
}

/// Generates the crate into `--out`, or with `--check` compares it.
fn generate(cli: &Cli) -> Result<ExitCode, Error> {
    let mut settings = CrateSettings::for_out_dir(&cli.out);
    settings.name = cli.crate_name.clone();
    let options = options(cli)?;
    let mut clock = okta_codegen::Clock::start();
    let loaded = load::load(Source::File(&cli.spec), options.load_options())?;
    clock.lap("load");
    let generated = okta_codegen::generate(&loaded, &settings, &options)?;
    clock.add(&generated.timings);
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
    let counts = format!(
        "{} operations, {} types, {} warnings",
        generated.api.operations().count(),
        generated.api.types.len(),
        generated.api.warnings.len()
    );
    if cli.check {
        let stale = write::check(&cli.out, &generated.files);
        clock.lap("check");
        if cli.timings {
            clock.print();
        }
        if !stale.is_empty() {
            print!("{}", write::stale_report(&cli.out, &cli.spec, &stale));
            return Ok(ExitCode::from(1));
        }
        println!(
            "{} is fresh: {} files match {} ({counts})",
            cli.out.display(),
            generated.files.len(),
            cli.spec.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let report = write::write(&cli.out, &generated.files)?;
    clock.lap("write");
    if cli.timings {
        clock.print();
    }
    println!(
        "{}: {} written, {} unchanged, {} removed ({counts})",
        cli.out.display(),
        report.written.len(),
        report.unchanged,
        report.removed.len()
    );
    Ok(ExitCode::SUCCESS)
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
    old: &Path,
    new: &Path,
    format: ReportFormat,
    bump: bool,
    cli: &Cli,
) -> Result<ExitCode, Error> {
    let options = load::LoadOptions {
        lenient: cli.lenient,
        ..Default::default()
    };
    let lower = |path: &Path| okta_codegen::lower::lower(&load::load(Source::File(path), options)?);
    let old_api = lower(old)?;
    let new_api = lower(new)?;
    let report = okta_codegen::diff::diff(&old_api, &new_api);
    format.print(&report);
    if bump {
        let (old, new) = okta_codegen::diff::bump_crate(&cli.out, &report)?;
        eprintln!(
            "{}: {old} → {new}; CHANGELOG.md updated",
            cli.out.join("Cargo.toml").display()
        );
    }
    Ok(ExitCode::from(report.verdict().exit_code()))
}

fn print_notes(notes: &[okta_codegen::ir::Warning]) {
    for n in notes {
        eprintln!("note: at {}: {}", n.pointer, n.message);
    }
}

fn import(upstream: &Path, overlays: &Path, cli: &Cli) -> Result<ExitCode, Error> {
    let imported = okta_codegen::import::import(upstream, overlays)?;
    print_notes(&imported.notes);
    let what = format!(
        "{} version {} with {} overlay actions from {} files",
        imported.upstream.file, imported.upstream.version, imported.actions, imported.overlays
    );
    let current = std::fs::read_to_string(&cli.spec).ok();
    let fresh = current.as_deref() == Some(imported.text.as_str());
    if cli.check {
        if fresh {
            println!(
                "{} is fresh: it is what importing {what} gives",
                cli.spec.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "{} is stale: importing {what} gives other text",
            cli.spec.display()
        );
        if let Some(current) = &current {
            println!("{}", write::short_diff(current, &imported.text, &cli.spec));
        }
        println!(
            "run `cargo run -p okta-codegen -- import {} --overlays {}` to import again",
            upstream.display(),
            overlays.display()
        );
        return Ok(ExitCode::from(1));
    }
    if fresh {
        println!("{}: unchanged ({what})", cli.spec.display());
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::write(&cli.spec, &imported.text).map_err(|e| {
        Error::new(
            okta_codegen::ErrorKind::Io,
            &cli.spec,
            format!("cannot write: {e}"),
        )
    })?;
    println!("{}: written ({what})", cli.spec.display());
    Ok(ExitCode::SUCCESS)
}

fn update(
    upstream: &Path,
    overlays: &Path,
    format: ReportFormat,
    cli: &Cli,
) -> Result<ExitCode, Error> {
    let mut options = Options::from_config_beside(&cli.spec)?;
    options.lenient |= cli.lenient;
    options.roundtrip |= cli.roundtrip;
    let updated = okta_codegen::import::update(
        upstream,
        overlays,
        &cli.spec,
        &cli.out,
        &options,
        &cli.crate_name,
    )?;
    print_notes(&updated.imported.notes);
    format.print(&updated.report);
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
    Ok(ExitCode::from(updated.report.verdict().exit_code()))
}
