//! `cargo run -p okta-tests --bin traffic -- [PATH]`: replays recorded Okta traffic (PATH, an
//! `interactions.jsonl`; default `../shared/okta-traffic/interactions.jsonl`) through the
//! generated client against a loopback server and prints the figures and the failures (the
//! report of `tests/tests/traffic.rs`). Exits 1 if any interaction is a real failure, 2 if the
//! recordings or the spec cannot be read.
//!
//! The replay runs in a child process (this binary with `--child [--crashing OP=ID]…
//! [--rows-on-stdin] [--serial-first ROW,ROW] [--concurrency N]`: the calls it starts on stderr, each finished
//! interaction as JSON on stdout), so that a call that crashes the client is reported instead
//! of killing the run (`okta_tests::traffic::run_guarded`).

use std::path::PathBuf;
use std::process::ExitCode;

use okta_tests::traffic;

fn main() -> ExitCode {
    let mut path = None;
    let mut child = false;
    let mut options = traffic::Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => {
                println!(
                    "usage: traffic [PATH]   (PATH defaults to ../shared/okta-traffic/interactions.jsonl)"
                );
                return ExitCode::SUCCESS;
            }
            "--child" => child = true,
            "--serial-first" => {
                options.serial_first = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|n| n.parse().ok())
                    .collect();
            }
            "--rows-on-stdin" => {
                let mut text = String::new();
                let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text);
                options.rows = Some(
                    text.split_whitespace()
                        .filter_map(|n| n.parse().ok())
                        .collect(),
                );
            }
            "--crashing" => {
                let given = args.next().unwrap_or_default();
                let (op, id) = given.split_once('=').unwrap_or((&given, "-"));
                options.crashing.insert(op.to_string(), id.to_string());
            }
            "--concurrency" => {
                options.concurrency = args.next().and_then(|n| n.parse().ok()).unwrap_or(1)
            }
            _ => path = Some(PathBuf::from(arg)),
        }
    }
    let path = path.unwrap_or_else(traffic::default_path);
    if child {
        options.stream = true;
        return match traffic::run_with(&path, &options) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    let result = match std::env::current_exe() {
        Ok(exe) => traffic::run_guarded(&path, &exe),
        Err(_) => traffic::run(&path),
    };
    match result {
        Ok(report) => {
            print!("{}", report.render());
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
