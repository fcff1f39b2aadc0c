//! `cargo run --release -p okta-tests --bin stream_users -- [--users N] [--page-size M]`:
//! streams N users (default 100,000) through `client.list_users().limit(M).into_stream()`
//! (default M = 200) from a local server that makes each page on the fly, and prints this
//! process's peak (`VmHWM`) and current (`VmRSS`) resident memory at 1k, 10k, 50k and 100k
//! users (those up to N, and N), with the ratio of the peak at N to the peak at 10k. A stream
//! that holds one page at a time keeps that ratio near 1.
//!
//! The server runs in a child process (this program with `--serve`), so the figures are the
//! client's alone. Its pages link the next one with `Link: <…?after=ID&limit=M>; rel="next"`
//! on the same host and port as the client's base URL, as Okta does, and the last page has
//! no `next` link. Exits 1 if the stream fails or yields other users than the server made.

use std::io::{BufRead, BufReader, Write as _};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::Instant;

use futures_util::TryStreamExt;
use okta_tests::bench_support::{self, Reply, RequestHead};

const CHECKPOINTS: [u64; 4] = [1_000, 10_000, 50_000, 100_000];

struct Args {
    users: u64,
    page_size: u64,
    serve: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        users: 100_000,
        page_size: 200,
        serve: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            it.next()
                .and_then(|v| v.replace('_', "").parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} needs a positive number"))
        };
        match arg.as_str() {
            "--users" => args.users = number("--users")?,
            "--page-size" => args.page_size = number("--page-size")?,
            "--serve" => args.serve = true,
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(args)
}

const USAGE: &str = "usage: stream_users [--users N] [--page-size M]";

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if args.serve {
        serve(&args);
        return ExitCode::SUCCESS;
    }
    match stream(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("stream_users: {message}");
            ExitCode::from(1)
        }
    }
}

/// The child: serves `GET /api/v1/users?limit=M&after=ID` for users `0..N`, prints its
/// address on the first line of stdout, and ends when its stdin closes (when the parent
/// ends, however it ends).
fn serve(args: &Args) {
    let total = args.users;
    let default_limit = args.page_size;
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let handler = {
            let base = base.clone();
            Arc::new(move |request: &RequestHead| page(request, &base, total, default_limit))
        };
        println!("{}", base.trim_start_matches("http://"));
        std::io::stdout().flush().expect("stdout");
        bench_support::serve(listener, handler).await;
    });
}

/// One page of users, with Okta's `self` and `next` links.
fn page(request: &RequestHead, base: &str, total: u64, default_limit: u64) -> Reply {
    if request.method != "GET" || request.path() != "/api/v1/users" {
        return Reply::not_found();
    }
    let limit = request
        .query("limit")
        .and_then(|l| l.parse::<u64>().ok())
        .unwrap_or(default_limit)
        .clamp(1, 10_000);
    let first = match request.query("after") {
        None => 0,
        Some(after) => match bench_support::user_number(after) {
            Some(n) => n + 1,
            None => return Reply::not_found(),
        },
    };
    let end = (first + limit).min(total);
    let body = bench_support::users_page(first, end.saturating_sub(first), base);
    let self_link = match request.query("after") {
        Some(after) => format!("<{base}/api/v1/users?after={after}&limit={limit}>; rel=\"self\""),
        None => format!("<{base}/api/v1/users?limit={limit}>; rel=\"self\""),
    };
    let mut reply = bench_support::okta_headers(Reply::json(body)).header("Link", self_link);
    if end < total {
        let after = bench_support::user_id(end - 1);
        reply = reply.header(
            "Link",
            format!("<{base}/api/v1/users?after={after}&limit={limit}>; rel=\"next\""),
        );
    }
    reply
}

/// Starts the child server and returns it with its address.
fn start_server(args: &Args) -> Result<(std::process::Child, String), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mut child = Command::new(exe)
        .args([
            "--serve",
            "--users",
            &args.users.to_string(),
            "--page-size",
            &args.page_size.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the server process: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("the server process did not report its address: {e}"))?;
    let addr = line.trim().to_string();
    if addr.is_empty() {
        let _ = child.kill();
        return Err("the server process ended without reporting its address".into());
    }
    Ok((child, addr))
}

struct Row {
    users: u64,
    peak_kib: u64,
    rss_kib: u64,
    seconds: f64,
}

fn stream(args: &Args) -> Result<(), String> {
    let (mut child, addr) = start_server(args)?;
    let result = measure(args, &addr);
    // The server is this program's own child: end it by its handle.
    let _ = child.kill();
    let _ = child.wait();
    let rows = result?;

    println!(
        "streamed {} users, {} per page ({} pages), server in a child process",
        args.users,
        args.page_size,
        args.users.div_ceil(args.page_size)
    );
    println!(
        "{:>9}  {:>12}  {:>12}  {:>8}  {:>10}",
        "users", "peak (MiB)", "rss (MiB)", "seconds", "users/s"
    );
    for row in &rows {
        println!(
            "{:>9}  {:>12.2}  {:>12.2}  {:>8.2}  {:>10.0}",
            row.users,
            row.peak_kib as f64 / 1024.0,
            row.rss_kib as f64 / 1024.0,
            row.seconds,
            if row.seconds > 0.0 {
                row.users as f64 / row.seconds
            } else {
                0.0
            }
        );
    }
    let last = rows.last().expect("at least the final row");
    if let Some(at_10k) = rows.iter().find(|r| r.users == 10_000) {
        if last.users > at_10k.users {
            println!(
                "peak@{} / peak@10000 = {:.3}",
                last.users,
                last.peak_kib as f64 / at_10k.peak_kib as f64
            );
        }
    }
    Ok(())
}

fn measure(args: &Args, addr: &str) -> Result<Vec<Row>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("a tokio runtime: {e}"))?;
    let client = okta_client::Client::builder()
        .base_url(format!("http://{addr}"))
        .api_token("00a-stream-users-token")
        .build()
        .map_err(|e| e.to_string())?;
    let limit = i32::try_from(args.page_size).map_err(|_| "the page size is too large")?;
    let mut checkpoints: Vec<u64> = CHECKPOINTS
        .iter()
        .copied()
        .filter(|c| *c < args.users)
        .collect();
    checkpoints.push(args.users);

    runtime.block_on(async {
        let mut rows = Vec::with_capacity(checkpoints.len() + 1);
        let (peak_kib, rss_kib) = bench_support::rss_kib().ok_or("no /proc/self/status here")?;
        rows.push(Row {
            users: 0,
            peak_kib,
            rss_kib,
            seconds: 0.0,
        });
        let started = Instant::now();
        let mut users = client.list_users().limit(limit).into_stream();
        let mut count = 0u64;
        let mut next_checkpoint = checkpoints.iter().copied().peekable();
        while let Some(user) = users
            .try_next()
            .await
            .map_err(|e| format!("after {count} users: {e}"))?
        {
            // Checked against the server's numbering rather than collected: a set of 100k
            // ids would be the memory this measures.
            let expected = bench_support::user_id(count);
            if user.id.as_deref() != Some(expected.as_str()) {
                return Err(format!(
                    "user {count} is {:?}, expected {expected}",
                    user.id
                ));
            }
            drop(user);
            count += 1;
            if next_checkpoint.peek() == Some(&count) {
                next_checkpoint.next();
                let (peak_kib, rss_kib) = bench_support::rss_kib().ok_or("no /proc/self/status")?;
                rows.push(Row {
                    users: count,
                    peak_kib,
                    rss_kib,
                    seconds: started.elapsed().as_secs_f64(),
                });
            }
        }
        if count != args.users {
            return Err(format!(
                "the stream ended after {count} users, expected {}",
                args.users
            ));
        }
        Ok(rows)
    })
}
