//! `cargo run -p okta-tests --bin corpus -- [DIR] [--verbose]`: decodes every payload of an
//! Okta corpus (DIR, default `../shared/okta-corpus`) with the generated models and reports
//! per-resource counts, each failure, and `N passed, M failed, K skipped`. Exits 1 if any
//! payload that belongs to an operation of the spec fails, 2 if the corpus cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut dir = None;
    let mut verbose = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--verbose" | "-v" => verbose = true,
            "--help" | "-h" => {
                println!(
                    "usage: corpus [DIR] [--verbose]   (DIR defaults to ../shared/okta-corpus)"
                );
                return ExitCode::SUCCESS;
            }
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    let dir = dir.unwrap_or_else(okta_tests::corpus::default_dir);
    match okta_tests::corpus::run(&dir) {
        Ok(report) => {
            print!("{}", report.render(verbose));
            if report.totals().failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
