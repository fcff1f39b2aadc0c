//! The `okta-codegen` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use okta_codegen::format::{self, Staleness};
use okta_codegen::{CrateSettings, Options, generate_with};

/// Generates a Rust client crate from an OpenAPI 3.0 description of the Okta API.
#[derive(Debug, Parser)]
#[command(name = "okta-codegen", version)]
struct Cli {
    /// The OpenAPI 3.0 document (YAML or JSON).
    #[arg(long, default_value = "spec/okta.yaml")]
    spec: PathBuf,
    /// The crate folder to write (Cargo.toml, src/).
    #[arg(long, default_value = "generated-client")]
    out: PathBuf,
    /// Write nothing; exit 1 and list the files that differ if the crate is not up to date.
    #[arg(long)]
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    options
        .include_tags
        .extend(cli.include_tags.iter().cloned());
    options
        .include_operations
        .extend(cli.include_operations.iter().cloned());
    let generated = match generate_with(&cli.spec, &settings, &options) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
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
