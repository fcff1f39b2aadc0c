//! The traffic replay: recorded real Okta HTTP interactions (`../shared/okta-traffic/`) are
//! replayed through the generated client against a loopback server.
//!
//! For every interaction the replay finds the operation of `spec/okta.yaml` it calls (method
//! and path template; the most literal template wins; `x-okta-multi-operation` variants are
//! told apart by the body and query), builds the call's arguments from the recording (path
//! parameters from the template match, query parameters, the JSON body), calls it by name
//! through `okta_client::roundtrip::call`, and the loopback server answers with the recorded
//! status, headers and body while keeping the request the client sent. The sent request is then
//! compared with the recorded one (method, path, query as a multiset, body as JSON, content
//! type, credentials), and the outcome with the recorded status (a 2xx must decode, anything
//! else must be `Error::Api` with that status).
//!
//! Every interaction ends in exactly one [`Outcome`]: matched, excused (an [`Excuse`]: what
//! the recording asks of the client is not a fair expectation), without an operation (a
//! [`NoOperation`] reason), or failed (a [`Failure`]: the client or the spec is wrong).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use okta_client::__private::CallArgs;
use okta_client::roundtrip::{OPERATIONS, call};
use okta_client::{Client, Error};
use okta_codegen::ir::{
    Api, BodyFormat, Operation, ParamLocation, ParamStyle, Primitive, TypeKind, TypeRef,
};
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The API token the replay's clients send.
const TOKEN: &str = "00traffic-replay-token";
/// Calls in flight at once, over all worker threads.
const CONCURRENCY: usize = 32;
/// The loopback server tells calls apart by this path prefix and a slot number: each slot has
/// its own client (base URL `http://127.0.0.1:PORT/__slot/N`) and one call at a time.
const SLOT_PREFIX: &str = "/__slot/";
/// The stack of each worker thread.
const WORKER_STACK: usize = 256 * 1024 * 1024;
/// How many failure causes the report lists.
const CAUSES_SHOWN: usize = 80;
/// How many failures the report details.
const FAILURES_SHOWN: usize = 40;

// ------------------------------------------------------------------------------------------
// Outcomes

/// Why an interaction has no operation to call. These are counted, not failed: the spec does
/// not describe every endpoint Okta serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoOperation {
    /// `/governance/api/…`: Okta Identity Governance, which has a spec of its own.
    Governance,
    /// `/api/v1/internal/…`, `/api/internal/…`: private admin endpoints, in no published spec.
    Internal,
    /// The path matches a template of the spec, but not with this method.
    MethodNotInSpec,
    /// No template of the spec matches the path.
    PathNotInSpec,
}

impl NoOperation {
    pub const ALL: &[NoOperation] = &[
        NoOperation::Governance,
        NoOperation::Internal,
        NoOperation::MethodNotInSpec,
        NoOperation::PathNotInSpec,
    ];

    pub fn label(self) -> &'static str {
        match self {
            NoOperation::Governance => "governance API (/governance/…, a spec of its own)",
            NoOperation::Internal => "private admin endpoint (…/internal/…)",
            NoOperation::MethodNotInSpec => "path in the spec, method not",
            NoOperation::PathNotInSpec => "path not in the spec",
        }
    }
}

/// What a recording asks that is not a fair expectation of this client. Each is counted under
/// its own name; everything else about the interaction was compared and matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Excuse {
    /// `{}` sent as the body of an operation that takes none (oktakit does this for every
    /// POST/PUT/DELETE); the client sends no body.
    EmptyBodyWithoutRequestBody,
    /// A non-empty body recorded for an operation whose spec has no request body: the client
    /// has nothing to send it with.
    BodyWithoutRequestBody,
    /// Query parameters the spec does not list: the client has no way to send them; the listed
    /// ones were compared.
    UnlistedQuery,
    /// The recorded body is declared JSON but is not (oktakit wrote Ruby's `inspect` of a
    /// hash): there is nothing to call with.
    BodyNotJson,
    /// A multipart body: the round-trip table calls with an empty form, so the body is not
    /// compared (the rest is).
    MultipartBody,
    /// Several `x-okta-multi-operation` variants fit the recorded request, or none does: the
    /// recording does not say which was called.
    AmbiguousVariant,
    /// A required parameter or body is missing from the recording, or a recorded value does not
    /// fit the spec's type, and Okta refused the request too (non-2xx): the client refusing to
    /// build it is fair.
    InvalidRequestRefused,
}

impl Excuse {
    pub const ALL: &[Excuse] = &[
        Excuse::EmptyBodyWithoutRequestBody,
        Excuse::BodyWithoutRequestBody,
        Excuse::UnlistedQuery,
        Excuse::BodyNotJson,
        Excuse::MultipartBody,
        Excuse::AmbiguousVariant,
        Excuse::InvalidRequestRefused,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Excuse::EmptyBodyWithoutRequestBody => "`{}` body, operation takes none (oktakit)",
            Excuse::BodyWithoutRequestBody => "body sent, spec has no request body",
            Excuse::UnlistedQuery => "query parameters the spec does not list",
            Excuse::BodyNotJson => "recorded JSON body is not JSON",
            Excuse::MultipartBody => "multipart body, not compared",
            Excuse::AmbiguousVariant => "multi-operation variant ambiguous",
            Excuse::InvalidRequestRefused => "invalid request that Okta refused too",
        }
    }

    /// The one-line explanation printed with the figures.
    pub fn why(self) -> &'static str {
        match self {
            Excuse::EmptyBodyWithoutRequestBody => {
                "oktakit sends `{}` as the body of operations that take none; the client sends none"
            }
            Excuse::BodyWithoutRequestBody => {
                "the spec gives the operation no request body, so the client cannot send one"
            }
            Excuse::UnlistedQuery => {
                "the client cannot send query parameters the spec does not list; the listed ones matched"
            }
            Excuse::BodyNotJson => "the recorded body is declared JSON but does not parse",
            Excuse::MultipartBody => {
                "the round-trip table calls upload operations with an empty form; the rest matched"
            }
            Excuse::AmbiguousVariant => {
                "several x-okta-multi-operation variants (or none) fit the recorded request"
            }
            Excuse::InvalidRequestRefused => {
                "a required value is missing or does not fit, and Okta refused the request as well"
            }
        }
    }
}

/// A real failure: the client or the spec is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Failure {
    /// The spec has the operation but the generated round-trip table does not: regenerate.
    NotGenerated,
    /// The spec requires a parameter or body the recording lacks, and Okta answered 2xx.
    RequiredButAbsent,
    /// The client refused a recorded value (it does not fit the spec's type), and Okta
    /// answered 2xx.
    ArgumentRejected,
    /// The client sent no request (or several) for another reason.
    NoRequest,
    /// The method, path, query, body, content type or credentials the client sent differ from
    /// the recording.
    RequestDiffers,
    /// A 2xx answer did not decode into the operation's model.
    Decode,
    /// A non-2xx answer did not give `Error::Api` with its status, or a 2xx gave an error
    /// other than a decode error.
    WrongOutcome,
    /// Calling the operation crashed the client (a stack overflow aborts the process), so its
    /// interactions were not run (see [`run_guarded`]).
    Crash,
}

impl Failure {
    pub const ALL: &[Failure] = &[
        Failure::NotGenerated,
        Failure::RequiredButAbsent,
        Failure::ArgumentRejected,
        Failure::NoRequest,
        Failure::RequestDiffers,
        Failure::Decode,
        Failure::WrongOutcome,
        Failure::Crash,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Failure::NotGenerated => "operation missing from the generated client",
            Failure::RequiredButAbsent => "spec requires a value Okta did without",
            Failure::ArgumentRejected => "client rejected a value Okta accepted",
            Failure::NoRequest => "client sent no request (or several)",
            Failure::RequestDiffers => "request differs from the recording",
            Failure::Decode => "2xx answer does not decode",
            Failure::WrongOutcome => "outcome differs from the recorded status",
            Failure::Crash => "the client crashed (process aborted)",
        }
    }
}

/// What happened to one interaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The request the client sent equals the recorded one, and the answer was handled as
    /// recorded.
    Matched,
    /// Matched except for what these excuses describe.
    Excused(Vec<Excuse>),
    /// No operation of the spec.
    NoOperation(NoOperation),
    /// A real failure; the details say what differed.
    Failed(Failure, Vec<String>),
}

/// One interaction and its outcome.
#[derive(Debug, Clone)]
pub struct Row {
    /// The interaction's position in the file (0-based).
    pub index: usize,
    /// `cassette#index`.
    pub id: String,
    pub source: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    /// The client method called, if any.
    pub operation: Option<String>,
    pub outcome: Outcome,
    /// What an excuse concerned (the unlisted query parameters, …), for the report.
    pub notes: Vec<String>,
}

/// The whole replay.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub rows: Vec<Row>,
    /// Interactions in the file.
    pub interactions: usize,
    /// Recorded paths that had `//` or a trailing `/` and were collapsed before matching.
    pub collapsed_paths: usize,
    /// Operations in the spec, and how many of them the generated table has.
    pub spec_operations: usize,
    pub generated_operations: usize,
    /// Operations the generated table has that the spec does not (a stale client).
    pub only_generated: Vec<String>,
    pub elapsed: Duration,
}

/// Counts of one report line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub total: usize,
    pub matched: usize,
    pub excused: usize,
    pub no_operation: usize,
    pub failed: usize,
}

impl Report {
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for r in &self.rows {
            t.total += 1;
            match r.outcome {
                Outcome::Matched => t.matched += 1,
                Outcome::Excused(_) => t.excused += 1,
                Outcome::NoOperation(_) => t.no_operation += 1,
                Outcome::Failed(..) => t.failed += 1,
            }
        }
        t
    }

    pub fn failures(&self) -> impl Iterator<Item = &Row> {
        self.rows
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed(..)))
    }

    /// The printed report: figures per outcome and source, the excuses explained, the most
    /// frequent endpoints without an operation, the first failures in detail and a closing
    /// line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut sources: Vec<&str> = self.rows.iter().map(|r| short_source(&r.source)).collect();
        sources.sort();
        sources.dedup();
        let t = self.totals();
        let _ = writeln!(
            out,
            "traffic replay: {} interactions, spec/okta.yaml has {} operations ({} in the generated client), {} paths collapsed (`//` or trailing `/`), {:.1} s",
            t.total,
            self.spec_operations,
            self.generated_operations,
            self.collapsed_paths,
            self.elapsed.as_secs_f64()
        );
        if !self.only_generated.is_empty() {
            let _ = writeln!(
                out,
                "note: the generated client has {} operations the spec does not (stale?): {}",
                self.only_generated.len(),
                self.only_generated.join(", ")
            );
        }
        // The table: one line per outcome, a column per source.
        let mut lines: BTreeMap<(u8, String), BTreeMap<&str, usize>> = BTreeMap::new();
        for r in &self.rows {
            let src = short_source(&r.source);
            let keys: Vec<(u8, String)> = match &r.outcome {
                Outcome::Matched => vec![(0, "matched".into())],
                Outcome::Excused(ex) => {
                    let mut k = vec![(1, "excused (not a fair expectation)".into())];
                    k.extend(ex.iter().map(|e| (2, format!("  {}", e.label()))));
                    k
                }
                Outcome::NoOperation(n) => vec![
                    (3, "no operation in the spec".into()),
                    (4, format!("  {}", n.label())),
                ],
                Outcome::Failed(f, _) => vec![
                    (5, "FAILED (client or spec wrong)".into()),
                    (6, format!("  {}", f.label())),
                ],
            };
            for k in keys {
                *lines.entry(k).or_default().entry(src).or_default() += 1;
            }
        }
        let _ = write!(out, "{:<56} {:>6}", "outcome", "total");
        for s in &sources {
            let _ = write!(out, " {s:>w$}", w = s.len().max(6));
        }
        out.push('\n');
        let mut all: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &self.rows {
            *all.entry(short_source(&r.source)).or_default() += 1;
        }
        let print_line = |out: &mut String, label: &str, counts: &BTreeMap<&str, usize>| {
            let total: usize = counts.values().sum();
            let _ = write!(out, "{:<56} {:>6}", truncate(label, 56), total);
            for s in &sources {
                let _ = write!(
                    out,
                    " {:>w$}",
                    counts.get(s).copied().unwrap_or(0),
                    w = s.len().max(6)
                );
            }
            out.push('\n');
        };
        print_line(&mut out, "all interactions", &all);
        // Excuses can stack on one interaction: their sub-lines count excuses.
        for ((_, label), counts) in &lines {
            print_line(&mut out, label, counts);
        }
        // The excuses, explained.
        let mut used: Vec<Excuse> = self
            .rows
            .iter()
            .filter_map(|r| match &r.outcome {
                Outcome::Excused(ex) => Some(ex.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        used.sort();
        used.dedup();
        if !used.is_empty() {
            out.push_str("excuses (an interaction can have several):\n");
            for e in used {
                let _ = writeln!(out, "  {}: {}", e.label(), e.why());
            }
        }
        // What the excuses concerned, where that says something about the spec.
        let mut notes: BTreeMap<(String, String), usize> = BTreeMap::new();
        for r in &self.rows {
            if let Outcome::Excused(_) = r.outcome {
                for n in &r.notes {
                    let op = r.operation.clone().unwrap_or_else(|| "-".into());
                    *notes.entry((op, mask(n))).or_default() += 1;
                }
            }
        }
        if !notes.is_empty() {
            let mut v: Vec<_> = notes.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let _ = writeln!(out, "excused, in detail ({} distinct):", v.len());
            for ((op, n), count) in v.iter().take(30) {
                let _ = writeln!(out, "  {count:>5}  {op}: {}", truncate(n, 200));
            }
        }
        // The endpoints without an operation that come up most.
        let mut missing: BTreeMap<(String, String), usize> = BTreeMap::new();
        for r in &self.rows {
            if let Outcome::NoOperation(n) = r.outcome {
                if matches!(n, NoOperation::PathNotInSpec | NoOperation::MethodNotInSpec) {
                    *missing
                        .entry((r.method.clone(), path_shape(&r.path)))
                        .or_default() += 1;
                }
            }
        }
        if !missing.is_empty() {
            let mut v: Vec<_> = missing.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let _ = writeln!(
                out,
                "endpoints without an operation, most frequent first ({} distinct; ids shown as {{id}}):",
                v.len()
            );
            for ((m, p), n) in v.iter().take(25) {
                let _ = writeln!(out, "  {n:>5}  {m} {p}");
            }
        }
        // The failures, grouped by cause, then the first ones in full.
        let failures: Vec<&Row> = self.failures().collect();
        let causes = self.failure_causes();
        if !causes.is_empty() {
            let _ = writeln!(
                out,
                "failures by cause ({} causes; ids and times shown as …):",
                causes.len()
            );
            for c in causes.iter().take(CAUSES_SHOWN) {
                let _ = writeln!(
                    out,
                    "  {:>5}  {} [{}]: {}\n         e.g. {}",
                    c.count,
                    c.operation,
                    c.failure.label(),
                    truncate(&c.cause, 300),
                    c.example
                );
            }
            if causes.len() > CAUSES_SHOWN {
                let _ = writeln!(out, "  … and {} more causes", causes.len() - CAUSES_SHOWN);
            }
        }
        if !failures.is_empty() {
            let _ = writeln!(
                out,
                "failures ({}; the first {} shown):",
                failures.len(),
                FAILURES_SHOWN.min(failures.len())
            );
            for r in failures.iter().take(FAILURES_SHOWN) {
                if let Outcome::Failed(f, details) = &r.outcome {
                    let _ = writeln!(
                        out,
                        "FAILED {} [{}] {} {} -> {} ({}): {}",
                        r.id,
                        short_source(&r.source),
                        r.method,
                        r.path,
                        r.status,
                        r.operation.as_deref().unwrap_or("-"),
                        f.label()
                    );
                    for d in details {
                        let _ = writeln!(out, "       {}", truncate(d, 400));
                    }
                }
            }
        }
        let _ = writeln!(
            out,
            "traffic: {} matched, {} excused, {} without an operation, {} failed (of {})",
            t.matched, t.excused, t.no_operation, t.failed, t.total
        );
        out
    }
}

/// An enum value by its `Debug` name.
fn by_name<T: Copy + std::fmt::Debug>(all: &[T], name: Option<&str>) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|x| Some(format!("{x:?}").as_str()) == name)
        .ok_or_else(|| format!("unknown outcome name {name:?}"))
}

impl Row {
    /// The row as JSON, for a child process to hand it to its parent ([`run_guarded`]).
    pub fn to_json(&self) -> Value {
        let name = |x: &dyn std::fmt::Debug| Value::String(format!("{x:?}"));
        let outcome = match &self.outcome {
            Outcome::Matched => serde_json::json!({"kind": "matched"}),
            Outcome::Excused(ex) => serde_json::json!({
                "kind": "excused",
                "excuses": ex.iter().map(|e| name(e)).collect::<Vec<_>>(),
            }),
            Outcome::NoOperation(n) => {
                serde_json::json!({"kind": "no_operation", "reason": name(n)})
            }
            Outcome::Failed(f, details) => {
                serde_json::json!({"kind": "failed", "failure": name(f), "details": details})
            }
        };
        serde_json::json!({
            "index": self.index, "id": self.id, "source": self.source, "method": self.method,
            "path": self.path, "status": self.status, "operation": self.operation,
            "outcome": outcome, "notes": self.notes,
        })
    }

    /// Reads [`to_json`](Self::to_json)'s output.
    pub fn from_json(r: &Value) -> Result<Row, String> {
        let text = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
        let strs = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let o = r.get("outcome").ok_or("a row without an outcome")?;
        let outcome = match o.get("kind").and_then(Value::as_str) {
            Some("matched") => Outcome::Matched,
            Some("excused") => Outcome::Excused(
                strs(o.get("excuses"))
                    .iter()
                    .map(|e| by_name(Excuse::ALL, Some(e)))
                    .collect::<Result<_, _>>()?,
            ),
            Some("no_operation") => Outcome::NoOperation(by_name(
                NoOperation::ALL,
                o.get("reason").and_then(Value::as_str),
            )?),
            Some("failed") => Outcome::Failed(
                by_name(Failure::ALL, o.get("failure").and_then(Value::as_str))?,
                strs(o.get("details")),
            ),
            other => return Err(format!("unknown outcome kind {other:?}")),
        };
        Ok(Row {
            index: r
                .get("index")
                .and_then(Value::as_u64)
                .ok_or("a row without an index")? as usize,
            id: text("id").unwrap_or_default(),
            source: text("source").unwrap_or_default(),
            method: text("method").unwrap_or_default(),
            path: text("path").unwrap_or_default(),
            status: r
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|n| u16::try_from(n).ok())
                .unwrap_or(0),
            operation: text("operation"),
            outcome,
            notes: strs(r.get("notes")),
        })
    }
}

impl Report {
    /// The figures besides the rows, as JSON.
    fn meta_json(&self) -> Value {
        serde_json::json!({
            "interactions": self.interactions,
            "collapsed_paths": self.collapsed_paths,
            "spec_operations": self.spec_operations,
            "generated_operations": self.generated_operations,
            "only_generated": self.only_generated,
        })
    }

    fn from_meta_json(v: &Value) -> Report {
        let num = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0) as usize;
        Report {
            interactions: num("interactions"),
            collapsed_paths: num("collapsed_paths"),
            spec_operations: num("spec_operations"),
            generated_operations: num("generated_operations"),
            only_generated: v
                .get("only_generated")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            ..Report::default()
        }
    }
}

/// Failures that share an operation, a kind and a first detail (ids, times and positions
/// masked).
#[derive(Debug, Clone)]
pub struct Cause {
    pub failure: Failure,
    pub operation: String,
    pub cause: String,
    pub count: usize,
    /// The first interaction with this cause.
    pub example: String,
}

impl Report {
    /// The failures grouped by cause, most frequent first.
    pub fn failure_causes(&self) -> Vec<Cause> {
        let mut by: BTreeMap<(Failure, String, String), Cause> = BTreeMap::new();
        for r in &self.rows {
            let Outcome::Failed(f, details) = &r.outcome else {
                continue;
            };
            let op = r.operation.clone().unwrap_or_else(|| "-".into());
            let cause = mask(details.first().map_or("", String::as_str));
            by.entry((*f, op.clone(), cause.clone()))
                .or_insert_with(|| Cause {
                    failure: *f,
                    operation: op,
                    cause,
                    count: 0,
                    example: r.id.clone(),
                })
                .count += 1;
        }
        let mut v: Vec<Cause> = by.into_values().collect();
        v.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.operation.cmp(&b.operation))
        });
        v
    }
}

/// A detail with what varies between interactions masked: ` at line N column M`, array
/// indices, and words of ten or more characters with digits in them (ids, times).
fn mask(detail: &str) -> String {
    let detail = match detail.find(" at line ") {
        Some(i) => &detail[..i],
        None => detail,
    };
    let mut out = String::with_capacity(detail.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let digits = word.chars().filter(char::is_ascii_digit).count();
        if word.chars().count() >= 10 && digits >= 2 {
            out.push('…');
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    let mut chars = detail.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '[' && chars.peek().is_some_and(char::is_ascii_digit) {
            flush(&mut word, &mut out);
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('[');
            continue;
        }
        if c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.' | '+') {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn short_source(repo: &str) -> &str {
    repo.rsplit('/').next().unwrap_or(repo)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A path with its id-like segments shown as `{id}`, to group endpoints in the report.
fn path_shape(path: &str) -> String {
    path.split('/')
        .map(|s| {
            let digits = s.chars().filter(char::is_ascii_digit).count();
            let idlike = (s.len() >= 12 && digits >= 1 && !s.contains('_'))
                || (s.len() == 36 && s.matches('-').count() == 4);
            if idlike { "{id}" } else { s }
        })
        .collect::<Vec<_>>()
        .join("/")
}

// ------------------------------------------------------------------------------------------
// Recordings

/// One recorded interaction, as `interactions.jsonl` has it.
#[derive(Debug, Clone)]
pub struct Interaction {
    pub source: String,
    pub cassette: String,
    pub index: u64,
    pub method: String,
    /// The path without the query, as recorded.
    pub path: String,
    /// Query parameters, one pair per value.
    pub query: Vec<(String, String)>,
    pub request_content_type: Option<String>,
    /// The request body (`None` for none or `null`).
    pub request_body: Option<Value>,
    pub status: u16,
    /// Response header lines (name as recorded, one line per value).
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<Value>,
}

impl Interaction {
    pub fn id(&self) -> String {
        format!("{}#{}", self.cassette, self.index)
    }

    fn from_json(v: &Value) -> Result<Self, String> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let req = |k: &str| s(k).ok_or_else(|| format!("no string `{k}`"));
        let pairs = |k: &str| -> Vec<(String, String)> {
            let mut out = Vec::new();
            if let Some(m) = v.get(k).and_then(Value::as_object) {
                for (name, values) in m {
                    match values {
                        Value::Array(items) => {
                            for i in items {
                                out.push((name.clone(), scalar_text(i)));
                            }
                        }
                        other => out.push((name.clone(), scalar_text(other))),
                    }
                }
            }
            out
        };
        let non_null = |k: &str| v.get(k).filter(|b| !b.is_null()).cloned();
        Ok(Interaction {
            source: req("source_repo")?,
            cassette: req("cassette")?,
            index: v.get("interaction").and_then(Value::as_u64).unwrap_or(0),
            method: req("method")?.to_ascii_uppercase(),
            path: req("path")?,
            query: pairs("query"),
            request_content_type: s("request_content_type"),
            request_body: non_null("request_body"),
            status: v
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|n| u16::try_from(n).ok())
                .ok_or("no numeric `status`")?,
            response_headers: pairs("response_headers"),
            response_body: non_null("response_body"),
        })
    }

    fn success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Reads `interactions.jsonl`.
pub fn load_interactions(path: &Path) -> Result<Vec<Interaction>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let parse = |(n, line): &(usize, &str)| -> Result<Interaction, String> {
        let v: Value = serde_json::from_str(line)
            .map_err(|e| format!("{} line {}: not JSON: {e}", path.display(), n + 1))?;
        Interaction::from_json(&v).map_err(|e| format!("{} line {}: {e}", path.display(), n + 1))
    };
    // Parsed on every core, in order.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let chunk = lines.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(parse).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// `../shared/okta-traffic/interactions.jsonl` beside the workspace.
pub fn default_path() -> PathBuf {
    crate::workspace_root().join("../shared/okta-traffic/interactions.jsonl")
}

// ------------------------------------------------------------------------------------------
// Operations and templates

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Param(String),
}

/// An operation of the spec with its template split into segments.
struct SpecOp<'a> {
    op: &'a Operation,
    segments: Vec<Vec<Piece>>,
    /// Per segment: 2 literal, 1 literal and parameters mixed, 0 a parameter alone.
    specificity: Vec<u8>,
}

fn parse_template(path: &str) -> Vec<Vec<Piece>> {
    path.split('/')
        .skip(1)
        .map(|seg| {
            let mut pieces = Vec::new();
            let mut rest = seg;
            while let Some(start) = rest.find('{') {
                let Some(len) = rest[start..].find('}') else {
                    break;
                };
                if start > 0 {
                    pieces.push(Piece::Literal(rest[..start].to_string()));
                }
                pieces.push(Piece::Param(rest[start + 1..start + len].to_string()));
                rest = &rest[start + len + 1..];
            }
            if !rest.is_empty() || pieces.is_empty() {
                pieces.push(Piece::Literal(rest.to_string()));
            }
            pieces
        })
        .collect()
}

/// Matches one segment; parameters take at least one character.
fn match_segment(pieces: &[Piece], text: &str, out: &mut Vec<(String, String)>) -> bool {
    match pieces.split_first() {
        None => text.is_empty(),
        Some((Piece::Literal(l), rest)) => text
            .strip_prefix(l.as_str())
            .is_some_and(|t| match_segment(rest, t, out)),
        Some((Piece::Param(name), rest)) => {
            let mark = out.len();
            for (end, _) in text.char_indices().skip(1).chain([(text.len(), ' ')]) {
                out.push((name.clone(), text[..end].to_string()));
                if match_segment(rest, &text[end..], out) {
                    return true;
                }
                out.truncate(mark);
            }
            false
        }
    }
}

impl SpecOp<'_> {
    /// The path parameters (raw, still percent-encoded) if `segments` fits the template.
    fn matches(&self, segments: &[&str]) -> Option<Vec<(String, String)>> {
        if segments.len() != self.segments.len() {
            return None;
        }
        let mut out = Vec::new();
        for (pieces, text) in self.segments.iter().zip(segments) {
            if !match_segment(pieces, text, &mut out) {
                return None;
            }
        }
        Some(out)
    }
}

/// The spec as the replay needs it: its operations (with parameter types) and which of them
/// the generated client has.
pub struct Spec {
    api: Api,
}

impl Spec {
    /// Loads and lowers the spec the way `okta-codegen` does (with `okta-codegen.toml`'s
    /// `lenient` and subset options).
    pub fn load(path: &Path) -> Result<Spec, String> {
        let options = okta_codegen::Options::from_config_beside(path).map_err(|e| e.to_string())?;
        let loaded = okta_codegen::load::load(
            okta_codegen::load::Source::File(path),
            options.load_options(),
        )
        .map_err(|e| e.to_string())?;
        let mut api = okta_codegen::lower::lower(&loaded).map_err(|e| e.to_string())?;
        if !options.include_tags.is_empty() || !options.include_operations.is_empty() {
            let tag_matches = |op: &Operation, t: &str| {
                op.tag.eq_ignore_ascii_case(t)
                    || okta_codegen::names::snake(&op.tag) == okta_codegen::names::snake(t)
            };
            api.retain_operations(|op| {
                options.include_tags.iter().any(|t| tag_matches(op, t))
                    || options
                        .include_operations
                        .iter()
                        .any(|o| op.operation_id == *o || op.name == *o)
            });
        }
        Ok(Spec { api })
    }

    fn ops(&self) -> Vec<SpecOp<'_>> {
        self.api
            .operations()
            .map(|op| {
                let segments = parse_template(&op.path);
                let specificity = segments
                    .iter()
                    .map(|pieces| {
                        let lit = pieces.iter().any(|p| matches!(p, Piece::Literal(_)));
                        let par = pieces.iter().any(|p| matches!(p, Piece::Param(_)));
                        match (lit, par) {
                            (true, false) => 2,
                            (true, true) => 1,
                            _ => 0,
                        }
                    })
                    .collect();
                SpecOp {
                    op,
                    segments,
                    specificity,
                }
            })
            .collect()
    }
}

/// `//` collapsed and a trailing `/` dropped, as Okta serves them; whether anything changed.
fn collapse_path(path: &str) -> (String, bool) {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c == '/' && out.ends_with('/') {
            continue;
        }
        out.push(c);
    }
    while out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    if out.is_empty() {
        out.push('/');
    }
    let changed = out != path;
    (out, changed)
}

/// The best-matching operations for a method and (collapsed) path: those whose template
/// matches with the most literal segments, leftmost first; several when they share a
/// template (multi-operation variants). With the path parameters of the match.
fn best_matches<'s, 'a>(
    ops: &'s [SpecOp<'a>],
    method: &str,
    path: &str,
) -> Vec<(&'s SpecOp<'a>, Vec<(String, String)>)> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut found: Vec<(&SpecOp, Vec<(String, String)>)> = ops
        .iter()
        .filter(|o| o.op.method.as_str().eq_ignore_ascii_case(method))
        .filter_map(|o| o.matches(&segments).map(|m| (o, m)))
        .collect();
    let Some(best) = found.iter().map(|(o, _)| o.specificity.clone()).max() else {
        return Vec::new();
    };
    found.retain(|(o, _)| o.specificity == best);
    found
}

fn no_operation_reason(ops: &[SpecOp], path: &str) -> NoOperation {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    if path.starts_with("/governance/") {
        NoOperation::Governance
    } else if segments.contains(&"internal") {
        NoOperation::Internal
    } else if ops.iter().any(|o| o.matches(&segments).is_some()) {
        NoOperation::MethodNotInSpec
    } else {
        NoOperation::PathNotInSpec
    }
}

// ------------------------------------------------------------------------------------------
// Fitting values to types (choosing among multi-operation variants)

/// How many places `v` does not fit `ty`: wrong JSON kinds, enum values not listed, required
/// properties missing and, when `strict`, properties the schema does not list.
fn misfits(api: &Api, ty: &TypeRef, v: &Value, strict: bool) -> usize {
    if v.is_null() {
        return 0;
    }
    match ty {
        TypeRef::Any => 0,
        TypeRef::Primitive(p) => {
            let ok = match p {
                Primitive::String | Primitive::Bytes => v.is_string(),
                Primitive::I32 | Primitive::I64 => v.is_i64() || v.is_u64(),
                Primitive::F32 | Primitive::F64 => v.is_number(),
                Primitive::Bool => v.is_boolean(),
            };
            usize::from(!ok)
        }
        TypeRef::List(item) => match v {
            Value::Array(items) => items.iter().map(|i| misfits(api, item, i, strict)).sum(),
            _ => 1,
        },
        TypeRef::Map(value) => match v {
            Value::Object(m) => m.values().map(|i| misfits(api, value, i, strict)).sum(),
            _ => 1,
        },
        TypeRef::Nullable(t) => misfits(api, t, v, strict),
        TypeRef::Named(name) => match api.types.get(name).map(|d| &d.kind) {
            None => 0,
            Some(TypeKind::Alias(t)) => misfits(api, t, v, strict),
            Some(TypeKind::Enum(e)) => match v.as_str() {
                Some(s) => usize::from(!e.variants.iter().any(|x| x.value == s)),
                None => 1,
            },
            Some(TypeKind::Struct(s)) => {
                let Value::Object(m) = v else {
                    return 1;
                };
                let mut n = 0;
                for (k, x) in m {
                    match s.fields.iter().find(|f| f.json_name == *k) {
                        Some(f) => n += misfits(api, &f.ty, x, strict),
                        None => match &s.additional {
                            Some(t) => n += misfits(api, t, x, strict),
                            None => n += usize::from(strict),
                        },
                    }
                }
                n + s
                    .fields
                    .iter()
                    .filter(|f| f.required && !m.contains_key(&f.json_name))
                    .count()
            }
            Some(TypeKind::Union(u)) => {
                if let Some(d) = &u.discriminator {
                    if let Some(tag) = v.get(d).and_then(Value::as_str) {
                        if let Some(variant) =
                            u.variants.iter().find(|x| x.tags.iter().any(|t| t == tag))
                        {
                            return misfits(api, &variant.ty, v, strict);
                        }
                    }
                }
                u.variants
                    .iter()
                    .map(|x| misfits(api, &x.ty, v, strict))
                    .min()
                    .unwrap_or(0)
            }
        },
    }
}

/// How badly a recorded request fits an operation: body and query parameter names.
fn request_misfits(api: &Api, op: &Operation, rec: &Interaction, strict: bool) -> usize {
    const NO: usize = 1000;
    let mut n = match (&op.body, &rec.request_body) {
        (None, None) => 0,
        (None, Some(v)) if is_empty_object(v) => 0,
        (None, Some(_)) => NO,
        (Some(b), None) => {
            if b.required {
                NO
            } else {
                0
            }
        }
        (Some(b), Some(v)) => match b.format {
            BodyFormat::Json | BodyFormat::Form => misfits(api, &b.ty, v, strict),
            _ => 0,
        },
    };
    for (name, _) in &rec.query {
        if query_param(op, name).is_none() {
            n += 1;
        }
    }
    for p in &op.params {
        if p.location == ParamLocation::Query
            && p.required
            && !rec.query.iter().any(|(k, _)| query_param_name_is(p, k))
        {
            n += 1;
        }
    }
    n
}

/// Picks the variant the recording fits: exactly one that fits strictly, or else exactly
/// one that fits when unknown properties are allowed.
fn choose_variant<'s, 'a>(
    api: &Api,
    candidates: &[(&'s SpecOp<'a>, Vec<(String, String)>)],
    rec: &Interaction,
) -> Option<usize> {
    if candidates.len() == 1 {
        return Some(0);
    }
    for strict in [true, false] {
        let fitting: Vec<usize> = candidates
            .iter()
            .enumerate()
            .filter(|(_, (o, _))| request_misfits(api, o.op, rec, strict) == 0)
            .map(|(i, _)| i)
            .collect();
        match fitting.len() {
            1 => return Some(fitting[0]),
            0 => continue,
            _ => return None,
        }
    }
    None
}

fn is_empty_object(v: &Value) -> bool {
    v.as_object().is_some_and(Map::is_empty)
}

// ------------------------------------------------------------------------------------------
// Arguments

/// The parameters and body of one call, as JSON.
#[derive(Debug, Default)]
struct Args {
    params: HashMap<(&'static str, String), Value>,
    body: Option<Value>,
}

impl CallArgs for Args {
    fn param(&self, location: &str, name: &str) -> Option<Value> {
        let loc = location_name_static(location)?;
        self.params.get(&(loc, name.to_string())).cloned()
    }

    fn body(&self) -> Option<Value> {
        self.body.clone()
    }
}

fn location_name(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

fn location_name_static(l: &str) -> Option<&'static str> {
    ["path", "query", "header", "cookie"]
        .into_iter()
        .find(|x| *x == l)
}

/// The spec's query parameter that a recorded query name belongs to (`name`, or `name[…]`
/// for a `deepObject` parameter).
fn query_param<'o>(op: &'o Operation, recorded: &str) -> Option<&'o okta_codegen::ir::Param> {
    op.params
        .iter()
        .find(|p| p.location == ParamLocation::Query && query_param_name_is(p, recorded))
}

fn query_param_name_is(p: &okta_codegen::ir::Param, recorded: &str) -> bool {
    recorded == p.name
        || (p.style == ParamStyle::DeepObject
            && recorded
                .strip_prefix(p.name.as_str())
                .is_some_and(|r| r.starts_with('[') && r.ends_with(']')))
}

fn resolve<'t>(api: &'t Api, mut ty: &'t TypeRef) -> &'t TypeRef {
    for _ in 0..32 {
        match ty {
            TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
                Some(TypeKind::Alias(t)) => ty = t,
                _ => return ty,
            },
            _ => return ty,
        }
    }
    ty
}

/// A text from the wire as the JSON value of a parameter of type `ty`. A text that does not
/// fit (`yes` for a boolean) stays a string, so that the client's typed reading decides.
fn typed_text(api: &Api, ty: &TypeRef, text: &str) -> Value {
    match resolve(api, ty) {
        TypeRef::Primitive(Primitive::Bool) => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.into()),
        },
        TypeRef::Primitive(Primitive::I32 | Primitive::I64) => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(text.into())),
        TypeRef::Primitive(Primitive::F32 | Primitive::F64) => text
            .parse::<f64>()
            .ok()
            .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
            .unwrap_or_else(|| Value::String(text.into())),
        TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Struct(_) | TypeKind::Union(_)) => {
                serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.into()))
            }
            _ => Value::String(text.into()),
        },
        TypeRef::Map(_) => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.into()))
        }
        _ => Value::String(text.into()),
    }
}

fn list_separator(style: ParamStyle) -> Option<char> {
    match style {
        ParamStyle::Form { explode: true } | ParamStyle::DeepObject => None,
        ParamStyle::Form { explode: false } | ParamStyle::Simple => Some(','),
        ParamStyle::SpaceDelimited => Some(' '),
        ParamStyle::PipeDelimited => Some('|'),
    }
}

/// The separator a list-valued query parameter's values are joined with on the wire, if any.
fn joined_list(api: &Api, p: &okta_codegen::ir::Param) -> Option<char> {
    match resolve(api, &p.ty) {
        TypeRef::List(_) => list_separator(p.style),
        _ => None,
    }
}

/// A placeholder for a required header or cookie: request headers are not recorded.
fn placeholder(api: &Api, ty: &TypeRef) -> Value {
    match resolve(api, ty) {
        TypeRef::Primitive(Primitive::Bool) => Value::Bool(false),
        TypeRef::Primitive(Primitive::I32 | Primitive::I64) => Value::from(0),
        TypeRef::Primitive(Primitive::F32 | Primitive::F64) => Value::from(0.0),
        TypeRef::List(_) => Value::Array(vec![Value::String("traffic-replay".into())]),
        TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Enum(e)) => Value::String(
                e.variants
                    .first()
                    .map(|v| v.value.clone())
                    .unwrap_or_default(),
            ),
            _ => Value::String("traffic-replay".into()),
        },
        _ => Value::String("traffic-replay".into()),
    }
}

/// What building the arguments found.
#[derive(Debug, Default)]
struct Prepared {
    args: Args,
    /// Required parameters (or the body) the recording lacks.
    absent: Vec<String>,
    excuses: Vec<Excuse>,
    /// Recorded query parameters the spec does not list.
    unlisted: Vec<String>,
    /// Don't call: there is nothing sound to call with.
    skip: bool,
    /// What the excuses concerned, for the report.
    notes: Vec<String>,
}

fn prepare(
    api: &Api,
    op: &Operation,
    captures: &[(String, String)],
    rec: &Interaction,
) -> Prepared {
    let mut p = Prepared::default();
    for param in &op.params {
        let loc = location_name(param.location);
        match param.location {
            ParamLocation::Path => {
                if let Some((_, raw)) = captures.iter().find(|(n, _)| *n == param.name) {
                    let text = percent_decode(raw);
                    let value = match (resolve(api, &param.ty), list_separator(param.style)) {
                        (TypeRef::List(item), Some(sep)) => Value::Array(
                            text.split(sep).map(|t| typed_text(api, item, t)).collect(),
                        ),
                        (ty, _) => typed_text(api, ty, &text),
                    };
                    p.args.params.insert((loc, param.name.clone()), value);
                }
            }
            ParamLocation::Query => {
                let recorded: Vec<(&str, &str)> = rec
                    .query
                    .iter()
                    .filter(|(k, _)| query_param_name_is(param, k))
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                if recorded.is_empty() {
                    if param.required {
                        p.absent.push(format!("query parameter `{}`", param.name));
                    }
                    continue;
                }
                let value = if param.style == ParamStyle::DeepObject
                    && recorded.iter().any(|(k, _)| *k != param.name)
                {
                    let mut m = Map::new();
                    for (k, v) in &recorded {
                        let key = k[param.name.len()..].trim_start_matches('[');
                        let key = key.strip_suffix(']').unwrap_or(key);
                        m.insert(key.to_string(), Value::String((*v).to_string()));
                    }
                    Value::Object(m)
                } else {
                    match resolve(api, &param.ty) {
                        TypeRef::List(item) => {
                            let sep = list_separator(param.style);
                            let mut items = Vec::new();
                            for (_, v) in &recorded {
                                match sep {
                                    Some(sep) => {
                                        items.extend(v.split(sep).map(|t| typed_text(api, item, t)))
                                    }
                                    None => items.push(typed_text(api, item, v)),
                                }
                            }
                            Value::Array(items)
                        }
                        // A repeated scalar: the first value; the query comparison reports
                        // the others as not sent.
                        ty => typed_text(api, ty, recorded[0].1),
                    }
                };
                p.args.params.insert((loc, param.name.clone()), value);
            }
            ParamLocation::Header | ParamLocation::Cookie => {
                if param.required {
                    p.args
                        .params
                        .insert((loc, param.name.clone()), placeholder(api, &param.ty));
                }
            }
        }
    }
    let mut unlisted: Vec<String> = rec
        .query
        .iter()
        .filter(|(k, _)| query_param(op, k).is_none())
        .map(|(k, _)| k.clone())
        .collect();
    unlisted.sort();
    unlisted.dedup();
    if !unlisted.is_empty() {
        p.excuses.push(Excuse::UnlistedQuery);
        for u in &unlisted {
            p.notes
                .push(format!("query parameter `{u}` not in the spec"));
        }
        p.unlisted = unlisted;
    }
    match (&op.body, &rec.request_body) {
        (None, None) => {}
        (None, Some(v)) => {
            if is_empty_object(v) {
                p.excuses.push(Excuse::EmptyBodyWithoutRequestBody);
            } else {
                p.excuses.push(Excuse::BodyWithoutRequestBody);
                p.notes
                    .push(format!("body {} sent, the spec has none", excerpt(v)));
            }
        }
        (Some(b), None) => {
            if b.required && b.format != BodyFormat::Multipart {
                p.absent.push("the request body".into());
            }
        }
        (Some(b), Some(v)) => match b.format {
            BodyFormat::Json | BodyFormat::Form => {
                if v.is_string() && is_json_type(rec.request_content_type.as_deref()) {
                    p.excuses.push(Excuse::BodyNotJson);
                    p.skip = true;
                } else {
                    // Called with the body as recorded, its explicit nulls included.
                    p.args.body = Some(v.clone());
                }
            }
            BodyFormat::Text => p.args.body = Some(Value::String(scalar_text(v))),
            BodyFormat::Multipart | BodyFormat::Binary => p.excuses.push(Excuse::MultipartBody),
        },
    }
    p
}

fn is_json_type(ct: Option<&str>) -> bool {
    ct.is_some_and(|c| {
        let m = media_type(c);
        m == "application/json" || m.ends_with("+json")
    })
}

fn media_type(ct: &str) -> String {
    ct.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

// ------------------------------------------------------------------------------------------
// Text helpers

/// Decodes `%XX` escapes (invalid ones are kept); `+` stays `+`.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `application/x-www-form-urlencoded` pairs (`+` is a space).
fn form_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
        .collect()
}

// ------------------------------------------------------------------------------------------
// JSON comparison

/// The first few differences between two JSON values (object order ignored, numbers by
/// value), as `path: what`.
fn json_diff(expected: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff_into(expected, actual, "", &mut out);
    out
}

fn diff_into(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    if out.len() >= 5 {
        return;
    }
    let here = if at.is_empty() { "." } else { at };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match y.get(k) {
                    Some(vb) => diff_into(va, vb, &path, out),
                    None => out.push(format!("{path}: recorded {}, not sent", excerpt(va))),
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    let path = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    out.push(format!("{path}: sent {}, not recorded", excerpt(vb)));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!(
                    "{here}: {} items recorded, {} sent",
                    x.len(),
                    y.len()
                ));
                return;
            }
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff_into(va, vb, &format!("{at}[{i}]"), out);
            }
        }
        (Value::Number(x), Value::Number(y)) if numbers_equal(x, y) => {}
        _ if a == b => {}
        _ => out.push(format!(
            "{here}: recorded {}, sent {}",
            excerpt(a),
            excerpt(b)
        )),
    }
}

fn numbers_equal(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (x.as_u64(), y.as_u64()) {
        return a == b;
    }
    x.as_f64() == y.as_f64()
}

fn excerpt(v: &Value) -> String {
    truncate(&v.to_string(), 120)
}

// ------------------------------------------------------------------------------------------
// The loopback server

/// A request as the server received it.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    /// Path and query as sent, without the slot prefix.
    target: String,
    /// Header names in lower case.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A recorded answer.
#[derive(Debug, Clone, Default)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn of(rec: &Interaction) -> Reply {
        let body = match &rec.response_body {
            None => Vec::new(),
            Some(Value::String(s)) => s.clone().into_bytes(),
            Some(v) => serde_json::to_vec(v).unwrap_or_default(),
        };
        let headers = rec
            .response_headers
            .iter()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                k == "content-type"
                    || k == "link"
                    || k == "x-okta-request-id"
                    || k.starts_with("x-rate-limit-")
            })
            .cloned()
            .collect();
        Reply {
            status: rec.status,
            headers,
            body,
        }
    }
}

#[derive(Default)]
struct Slot {
    current: Option<usize>,
    received: Vec<Received>,
}

struct Server {
    port: u16,
    slots: Mutex<Vec<Slot>>,
    replies: Arc<Vec<Reply>>,
}

/// `<https://org.okta.com/api/v1/users?after=x>; rel="next"` with the scheme and host of
/// every URL replaced by `base`.
fn rewrite_link(value: &str, base: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        out.push_str(&rest[..=start]);
        let url = &rest[start + 1..start + len];
        match url.find("://") {
            Some(i) => {
                let after = &url[i + 3..];
                let path = after.find('/').map_or("", |j| &after[j..]);
                out.push_str(base);
                out.push_str(path);
            }
            None => out.push_str(url),
        }
        out.push('>');
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

impl Server {
    fn answer(&self, mut request: Received) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let not_ours = |msg: &str| (599, Vec::new(), msg.as_bytes().to_vec());
        let Some(rest) = request.target.strip_prefix(SLOT_PREFIX) else {
            return not_ours("no slot prefix");
        };
        let (slot, target) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
        let Ok(slot) = slot.parse::<usize>() else {
            return not_ours("bad slot");
        };
        let target = if target.starts_with('/') {
            target.to_string()
        } else {
            format!("/{target}")
        };
        request.target = target;
        let mut slots = self.slots.lock().expect("no panics while locked");
        let Some(state) = slots.get_mut(slot) else {
            return not_ours("unknown slot");
        };
        let Some(current) = state.current else {
            return not_ours("idle slot");
        };
        state.received.push(request);
        drop(slots);
        let reply = &self.replies[current];
        let base = format!("http://127.0.0.1:{}{SLOT_PREFIX}{slot}", self.port);
        let headers = reply
            .headers
            .iter()
            .map(|(k, v)| {
                if k.eq_ignore_ascii_case("link") {
                    (k.clone(), rewrite_link(v, &base))
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect();
        (reply.status, headers, reply.body.clone())
    }
}

async fn serve(listener: TcpListener, server: Arc<Server>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let server = server.clone();
        tokio::spawn(async move {
            let _ = serve_connection(stream, server).await;
        });
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut chunk = [0u8; 16 * 1024];
    let n = stream.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

async fn serve_connection(mut stream: TcpStream, server: Arc<Server>) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            if read_more(&mut stream, &mut buf).await? == 0 {
                return Ok(());
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap_or("").split(' ');
        let method = request_line.next().unwrap_or("").to_string();
        let target = request_line.next().unwrap_or("/").to_string();
        let mut headers = Vec::new();
        let mut content_length = 0usize;
        let mut chunked = false;
        let mut close = false;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let name = name.trim().to_ascii_lowercase();
            let value = value.trim().to_string();
            match name.as_str() {
                "content-length" => content_length = value.parse().unwrap_or(0),
                "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                _ => {}
            }
            headers.push((name, value));
        }
        buf.drain(..head_end);
        let body = if chunked {
            let mut body = Vec::new();
            loop {
                let line_end = loop {
                    if let Some(i) = find(&buf, b"\r\n") {
                        break i;
                    }
                    if read_more(&mut stream, &mut buf).await? == 0 {
                        return Ok(());
                    }
                };
                let size_text = String::from_utf8_lossy(&buf[..line_end]).into_owned();
                let size =
                    usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                        .map_err(|_| std::io::Error::other("a bad chunk size"))?;
                while buf.len() < line_end + 2 + size + 2 {
                    if read_more(&mut stream, &mut buf).await? == 0 {
                        return Ok(());
                    }
                }
                body.extend_from_slice(&buf[line_end + 2..line_end + 2 + size]);
                buf.drain(..line_end + 2 + size + 2);
                if size == 0 {
                    break;
                }
            }
            body
        } else {
            while buf.len() < content_length {
                if read_more(&mut stream, &mut buf).await? == 0 {
                    return Ok(());
                }
            }
            buf.drain(..content_length).collect()
        };
        let head_only = method == "HEAD";
        let (status, reply_headers, reply_body) = server.answer(Received {
            method,
            target,
            headers,
            body,
        });
        let mut out = Vec::with_capacity(reply_body.len() + 512);
        let _ = write!(Text(&mut out), "HTTP/1.1 {status} Recorded\r\n");
        for (k, v) in &reply_headers {
            let _ = write!(Text(&mut out), "{k}: {v}\r\n");
        }
        let no_body = status == 204 || status == 304 || (100..200).contains(&status);
        if !no_body {
            let _ = write!(Text(&mut out), "Content-Length: {}\r\n", reply_body.len());
        }
        if close {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if !no_body && !head_only {
            out.extend_from_slice(&reply_body);
        }
        stream.write_all(&out).await?;
        if close {
            return stream.shutdown().await;
        }
    }
}

/// `fmt::Write` into a byte buffer.
struct Text<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Text<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------
// Calls

/// What a call returned, without the error's non-`Send`-friendly parts.
#[derive(Debug, Clone)]
enum CallResult {
    Ok,
    Api(u16),
    Decode(String),
    Request(String),
    Other(String),
}

impl CallResult {
    fn of(r: Result<(), Error>) -> CallResult {
        match r {
            Ok(()) => CallResult::Ok,
            Err(Error::Api(e)) => CallResult::Api(e.status),
            Err(e @ Error::Decode { .. }) => CallResult::Decode(e.to_string()),
            Err(Error::Request(m)) => CallResult::Request(m),
            Err(e) => CallResult::Other(e.to_string()),
        }
    }
}

/// One call to make: the interaction (and row) number, the client method and its arguments.
struct Job {
    row: usize,
    id: String,
    op: String,
    args: Args,
}

struct Done {
    row: usize,
    result: CallResult,
    received: Vec<Received>,
}

/// Runs `jobs` on one thread: its own runtime, loopback server and slot clients; hands each
/// finished call to `done`.
fn run_worker(
    jobs: Vec<Job>,
    replies: Arc<Vec<Reply>>,
    concurrency: usize,
    trace: bool,
    done: &(dyn Fn(Done) + Sync),
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on 127.0.0.1");
        let port = listener.local_addr().expect("a bound address").port();
        let server = Arc::new(Server {
            port,
            slots: Mutex::new((0..concurrency).map(|_| Slot::default()).collect()),
            replies,
        });
        tokio::spawn(serve(listener, server.clone()));
        let clients: Vec<Client> = (0..concurrency)
            .map(|slot| {
                Client::builder()
                    .base_url(format!("http://127.0.0.1:{port}{SLOT_PREFIX}{slot}"))
                    .api_token(TOKEN)
                    // A recorded 429 or 5xx must be answered once, not retried.
                    .max_retries(0)
                    .timeout(Duration::from_secs(10))
                    .deadline(Duration::from_secs(15))
                    .build()
                    .expect("a loopback client")
            })
            .collect();
        let free: Mutex<Vec<usize>> = Mutex::new((0..concurrency).rev().collect());
        let server = &server;
        let clients = &clients;
        let free = &free;
        stream::iter(jobs)
            .map(|job| async move {
                let slot = free
                    .lock()
                    .expect("no panics while locked")
                    .pop()
                    .expect("no more calls in flight than slots");
                {
                    let mut slots = server.slots.lock().expect("no panics while locked");
                    slots[slot].current = Some(job.row);
                    slots[slot].received.clear();
                }
                if trace {
                    eprintln!("call {} {} {}", job.row, job.op, job.id);
                }
                let result = match call(&clients[slot], &job.op, &job.args) {
                    Some(fut) => CallResult::of(fut.await),
                    None => CallResult::Other(format!("no operation named `{}`", job.op)),
                };
                let received = {
                    let mut slots = server.slots.lock().expect("no panics while locked");
                    slots[slot].current = None;
                    std::mem::take(&mut slots[slot].received)
                };
                free.lock().expect("no panics while locked").push(slot);
                Done {
                    row: job.row,
                    result,
                    received,
                }
            })
            .buffer_unordered(concurrency)
            .for_each(|d| {
                done(d);
                std::future::ready(())
            })
            .await;
    });
}

// ------------------------------------------------------------------------------------------
// The replay

/// What is known about a row before its call.
struct Pending {
    op: usize,
    /// The recorded path, collapsed.
    path: String,
    prepared: Prepared,
}

/// How to run the replay.
#[derive(Debug, Clone)]
pub struct Options {
    /// Operations not to call because calling them crashed the client, with the interaction
    /// it crashed on: their interactions fail as [`Failure::Crash`].
    pub crashing: BTreeMap<String, String>,
    /// Only these interactions (by position in the file); all when `None`.
    pub rows: Option<std::collections::BTreeSet<usize>>,
    /// These interactions are called first, one at a time (the calls in flight when an
    /// earlier child process died), then the others concurrently.
    pub serial_first: std::collections::BTreeSet<usize>,
    /// Calls in flight at once.
    pub concurrency: usize,
    /// For a child process of [`run_guarded`]: print `call ROW OP ID` on stderr before every
    /// call, and every finished row (`row JSON`) and the figures (`meta JSON`) on stdout as
    /// they come, so that the parent keeps what was done if the process dies.
    pub stream: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            crashing: BTreeMap::new(),
            rows: None,
            serial_first: std::collections::BTreeSet::new(),
            concurrency: CONCURRENCY,
            stream: false,
        }
    }
}

/// Replays every interaction of `traffic` (an `interactions.jsonl`) against the workspace's
/// `spec/okta.yaml` and generated client, in this process.
pub fn run(traffic: &Path) -> Result<Report, String> {
    run_with(traffic, &Options::default())
}

fn emit(line: String) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// [`run`] with options.
pub fn run_with(traffic: &Path, options: &Options) -> Result<Report, String> {
    let started = Instant::now();
    let spec_path = crate::workspace_root().join("spec/okta.yaml");
    let (interactions, spec) = std::thread::scope(|s| {
        let spec = s.spawn(|| Spec::load(&spec_path));
        let interactions = load_interactions(traffic);
        (
            interactions,
            spec.join()
                .unwrap_or_else(|_| Err("loading the spec panicked".into())),
        )
    });
    let (interactions, spec) = (interactions?, spec?);
    let api = &spec.api;
    let ops = spec.ops();
    let generated: std::collections::HashSet<&str> = OPERATIONS.iter().map(|o| o.name).collect();
    let in_spec: std::collections::HashSet<&str> = ops.iter().map(|o| o.op.name.as_str()).collect();
    let mut report = Report {
        interactions: interactions.len(),
        spec_operations: ops.len(),
        generated_operations: ops
            .iter()
            .filter(|o| generated.contains(o.op.name.as_str()))
            .count(),
        only_generated: OPERATIONS
            .iter()
            .filter(|o| !in_spec.contains(o.name))
            .map(|o| o.name.to_string())
            .collect(),
        collapsed_paths: interactions
            .iter()
            .filter(|r| collapse_path(&r.path).1)
            .count(),
        ..Report::default()
    };
    if options.stream {
        emit(format!("meta {}", report.meta_json()));
    }

    // Everything decided before a call; the rest become jobs.
    let mut rows: Vec<Option<Row>> = Vec::new();
    let mut pending: Vec<Option<Pending>> = Vec::new();
    let mut jobs = Vec::new();
    for (i, rec) in interactions.iter().enumerate() {
        pending.push(None);
        rows.push(None);
        if options.rows.as_ref().is_some_and(|only| !only.contains(&i)) {
            continue;
        }
        let (path, _) = collapse_path(&rec.path);
        let mut row = Row {
            index: i,
            id: rec.id(),
            source: rec.source.clone(),
            method: rec.method.clone(),
            path: rec.path.clone(),
            status: rec.status,
            operation: None,
            outcome: Outcome::Matched,
            notes: Vec::new(),
        };
        let candidates = best_matches(&ops, &rec.method, &path);
        let decided = if candidates.is_empty() {
            Some(Outcome::NoOperation(no_operation_reason(&ops, &path)))
        } else if let Some(chosen) = choose_variant(api, &candidates, rec) {
            let (spec_op, captures) = &candidates[chosen];
            let op = spec_op.op;
            row.operation = Some(op.name.clone());
            if !generated.contains(op.name.as_str()) {
                Some(Outcome::Failed(
                    Failure::NotGenerated,
                    vec![format!(
                        "`{}` ({} {}) is in spec/okta.yaml but not in okta_client::roundtrip::OPERATIONS: regenerate generated-client/",
                        op.name,
                        op.method.as_str(),
                        op.path
                    )],
                ))
            } else if let Some(on) = options.crashing.get(&op.name) {
                Some(Outcome::Failed(
                    Failure::Crash,
                    vec![format!(
                        "calling `{}` with the recorded answer of {on} aborted the process (a stack overflow: a model whose decoding recurses forever?); its interactions were not run",
                        op.name
                    )],
                ))
            } else {
                let mut prepared = prepare(api, op, captures, rec);
                row.notes = prepared.notes.clone();
                if prepared.skip {
                    Some(Outcome::Excused(prepared.excuses.clone()))
                } else {
                    let index = ops
                        .iter()
                        .position(|o| std::ptr::eq(o.op, op))
                        .expect("the chosen operation is one of the spec's");
                    jobs.push(Job {
                        row: i,
                        id: row.id.clone(),
                        op: op.name.clone(),
                        args: std::mem::take(&mut prepared.args),
                    });
                    pending[i] = Some(Pending {
                        op: index,
                        path,
                        prepared,
                    });
                    None
                }
            }
        } else {
            let names: Vec<&str> = candidates.iter().map(|(o, _)| o.op.name.as_str()).collect();
            row.operation = Some(names.join(" | "));
            row.notes.push(format!("variants: {}", names.join(", ")));
            Some(Outcome::Excused(vec![Excuse::AmbiguousVariant]))
        };
        if let Some(outcome) = decided {
            row.outcome = outcome;
            if options.stream {
                emit(format!("row {}", row.to_json()));
            }
        }
        rows[i] = Some(row);
    }

    // The calls, on a few threads, each with its own loopback server; each row is evaluated
    // as its call ends.
    let replies: Arc<Vec<Reply>> = Arc::new(
        interactions
            .iter()
            .zip(&pending)
            .map(|(rec, p)| match p {
                Some(_) => Reply::of(rec),
                None => Reply::default(),
            })
            .collect(),
    );
    let concurrency = options.concurrency.max(1);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(concurrency);
    let per_thread = concurrency.div_ceil(threads);
    let (serial, jobs): (Vec<Job>, Vec<Job>) = jobs
        .into_iter()
        .partition(|j| options.serial_first.contains(&j.row));
    let mut buckets: Vec<Vec<Job>> = (0..threads).map(|_| Vec::new()).collect();
    for (n, job) in jobs.into_iter().enumerate() {
        buckets[n % threads].push(job);
    }
    let finished: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    let on_done = |d: Done| {
        let Some(p) = pending[d.row].as_ref() else {
            return;
        };
        let outcome = evaluate(api, ops[p.op].op, &interactions[d.row], p, &d);
        if options.stream {
            if let Some(row) = &rows[d.row] {
                let row = Row {
                    outcome: outcome.clone(),
                    ..row.clone()
                };
                emit(format!("row {}", row.to_json()));
            }
        }
        finished
            .lock()
            .expect("no panics while locked")
            .push((d.row, outcome));
    };
    let stream = options.stream;
    // The serial calls first (as one worker with one slot), then the others.
    for (phase, per) in [(vec![serial], 1), (buckets, per_thread)] {
        std::thread::scope(|s| {
            let on_done = &on_done;
            let handles: Vec<_> = phase
                .into_iter()
                .filter(|bucket| !bucket.is_empty())
                .map(|bucket| {
                    let replies = replies.clone();
                    // Deep: in a debug build the round-trip table's `call`, one `match` over
                    // every operation, has a stack frame of megabytes.
                    std::thread::Builder::new()
                        .name("traffic-replay".into())
                        .stack_size(WORKER_STACK)
                        .spawn_scoped(s, move || run_worker(bucket, replies, per, stream, on_done))
                        .expect("a replay worker thread")
                })
                .collect();
            for h in handles {
                h.join().expect("a replay worker panicked");
            }
        });
    }
    for (i, outcome) in finished.into_inner().expect("no panics while locked") {
        if let Some(row) = rows[i].as_mut() {
            row.outcome = outcome;
        }
    }
    report.rows = rows.into_iter().flatten().collect();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// How many crashing operations [`run_guarded`] looks for before it gives up.
const MAX_CRASHING: usize = 25;

/// What a child replay process reported before it ended.
struct ChildRun {
    meta: Option<Report>,
    rows: Vec<Row>,
    /// `None` if it finished.
    died: Option<Death>,
}

/// How a child replay process died.
struct Death {
    /// The calls (row, operation, interaction id) in flight, in call order.
    in_flight: Vec<(usize, String, String)>,
    /// Its exit status.
    status: String,
    /// The end of its stderr.
    tail: String,
}

/// Runs `exe --child` (the `traffic` binary) with `options`.
fn child(exe: &Path, traffic: &Path, options: &Options) -> Result<ChildRun, String> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(exe);
    cmd.arg("--child");
    for (op, id) in &options.crashing {
        cmd.arg("--crashing").arg(format!("{op}={id}"));
    }
    if options.rows.is_some() {
        cmd.arg("--rows-on-stdin");
    }
    if !options.serial_first.is_empty() {
        let list: Vec<String> = options.serial_first.iter().map(usize::to_string).collect();
        cmd.arg("--serial-first").arg(list.join(","));
    }
    cmd.arg("--concurrency")
        .arg(options.concurrency.to_string())
        .arg(traffic)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut process = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    {
        // The child reads all of its stdin before anything else.
        let mut stdin = process.stdin.take().expect("piped");
        if let Some(rows) = &options.rows {
            let list: Vec<String> = rows.iter().map(usize::to_string).collect();
            let _ = stdin.write_all(list.join(" ").as_bytes());
        }
    }
    let out = process
        .wait_with_output()
        .map_err(|e| format!("the replay's child process: {e}"))?;
    let mut run = ChildRun {
        meta: None,
        rows: Vec::new(),
        died: None,
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        // The last line of a child that died may be cut short: what does not parse is dropped.
        if let Some(json) = line.strip_prefix("row ") {
            if let Ok(row) = serde_json::from_str(json)
                .map_err(|e| e.to_string())
                .and_then(|v| Row::from_json(&v))
            {
                run.rows.push(row);
            }
        } else if let Some(json) = line.strip_prefix("meta ") {
            if let Ok(v) = serde_json::from_str::<Value>(json) {
                run.meta = Some(Report::from_meta_json(&v));
            }
        }
    }
    if out.status.success() {
        return Ok(run);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let finished: std::collections::HashSet<usize> = run.rows.iter().map(|r| r.index).collect();
    let mut in_flight = Vec::new();
    for line in stderr.lines() {
        let mut words = line.splitn(4, ' ');
        if let (Some("call"), Some(row), Some(op), Some(id)) =
            (words.next(), words.next(), words.next(), words.next())
        {
            if let Ok(row) = row.parse::<usize>() {
                if !finished.contains(&row) {
                    in_flight.push((row, op.to_string(), id.to_string()));
                }
            }
        }
    }
    let tail: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("call ")).collect();
    run.died = Some(Death {
        in_flight,
        status: out.status.to_string(),
        tail: tail[tail.len().saturating_sub(10)..].join("\n"),
    });
    Ok(run)
}

/// [`run`], protected against calls that crash the process (a stack overflow cannot be
/// caught): the replay runs in a child process, `exe --child` (the `traffic` binary), which
/// streams each finished interaction to this one and traces the calls it starts. When the
/// child dies, the operation that killed it is found, and a new child replays what is left
/// with that operation reported as a [`Failure::Crash`] instead of called. (When calls of
/// several operations were in flight, the next child makes those calls first, one at a time,
/// so that the one that dies is the culprit.)
pub fn run_guarded(traffic: &Path, exe: &Path) -> Result<Report, String> {
    let started = Instant::now();
    let mut options = Options::default();
    let mut meta: Option<Report> = None;
    let mut rows: BTreeMap<usize, Row> = BTreeMap::new();
    let mut attempts = 0;
    loop {
        let mut run = child(exe, traffic, &options)?;
        if meta.is_none() {
            meta = run.meta.take();
        }
        for r in run.rows.drain(..) {
            rows.insert(r.index, r);
        }
        let Some(Death {
            in_flight,
            status,
            tail,
        }) = run.died
        else {
            break;
        };
        let serial_died = in_flight.len() == 1 && options.serial_first.contains(&in_flight[0].0);
        let mut ops: Vec<&str> = in_flight.iter().map(|(_, op, _)| op.as_str()).collect();
        ops.sort();
        ops.dedup();
        if in_flight.is_empty() {
            return Err(format!(
                "the replay's child process failed ({status}) with no call in flight:\n{tail}"
            ));
        }
        if serial_died || ops.len() == 1 {
            // The operation that kills the process: not called again.
            let (_, op, id) = &in_flight[0];
            if options.crashing.insert(op.clone(), id.clone()).is_some()
                || options.crashing.len() > MAX_CRASHING
            {
                return Err(format!(
                    "the replay's child process keeps dying ({status}; `{op}` again, or more than {MAX_CRASHING} operations crash):\n{tail}"
                ));
            }
            options.serial_first.clear();
        } else {
            // Several operations were in flight: the next child calls them one at a time first.
            let before = std::mem::take(&mut options.serial_first);
            options.serial_first = in_flight.iter().map(|(r, _, _)| *r).collect();
            if options.serial_first == before {
                return Err(format!(
                    "the replay's child process died ({status}) with {} in flight, but not when they ran one at a time:\n{tail}",
                    ops.join(", ")
                ));
            }
        }
        attempts += 1;
        if attempts > 3 * MAX_CRASHING {
            return Err(format!(
                "the replay's child process died {attempts} times:\n{tail}"
            ));
        }
        let total = meta.as_ref().map_or(0, |m| m.interactions);
        options.rows = Some((0..total).filter(|i| !rows.contains_key(i)).collect());
    }
    let mut report = meta.ok_or("the replay's child process reported no figures")?;
    if rows.len() != report.interactions {
        return Err(format!(
            "the replay's child process reported {} of {} interactions",
            rows.len(),
            report.interactions
        ));
    }
    report.rows = rows.into_values().collect();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Compares what the client sent and got with the recording.
fn evaluate(api: &Api, op: &Operation, rec: &Interaction, p: &Pending, d: &Done) -> Outcome {
    let mut excuses = p.prepared.excuses.clone();
    let mut problems: Vec<(Failure, String)> = Vec::new();
    let ok = rec.success();
    let Some(sent) = d.received.first() else {
        // The client did not send anything.
        let why = match &d.result {
            CallResult::Request(m) => m.clone(),
            CallResult::Ok => "returned Ok without a request".into(),
            CallResult::Api(s) => format!("gave an API error {s} without a request"),
            CallResult::Decode(m) | CallResult::Other(m) => m.clone(),
        };
        let failure = if !p.prepared.absent.is_empty() {
            Failure::RequiredButAbsent
        } else if matches!(d.result, CallResult::Request(_)) {
            Failure::ArgumentRejected
        } else {
            Failure::NoRequest
        };
        if !ok
            && matches!(
                failure,
                Failure::RequiredButAbsent | Failure::ArgumentRejected
            )
        {
            excuses.push(Excuse::InvalidRequestRefused);
            return Outcome::Excused(dedup(excuses));
        }
        let mut details = Vec::new();
        if !p.prepared.absent.is_empty() {
            details.push(format!(
                "the spec requires {}; the recording has none, and Okta answered {}",
                p.prepared.absent.join(", "),
                rec.status
            ));
        }
        details.push(format!("the client sent no request: {why}"));
        return Outcome::Failed(failure, details);
    };
    if d.received.len() > 1 {
        problems.push((
            Failure::NoRequest,
            format!(
                "the client sent {} requests (retries are off)",
                d.received.len()
            ),
        ));
    }

    // Method.
    if !sent.method.eq_ignore_ascii_case(&rec.method) {
        problems.push((
            Failure::RequestDiffers,
            format!("method: recorded {}, sent {}", rec.method, sent.method),
        ));
    }

    // Path, segment by segment, percent-decoded on both sides.
    let (sent_path, sent_query) = sent
        .target
        .split_once('?')
        .unwrap_or((sent.target.as_str(), ""));
    let decode_segments =
        |p: &str| -> Vec<String> { p.split('/').map(percent_decode).collect::<Vec<_>>() };
    if decode_segments(sent_path) != decode_segments(&p.path) {
        problems.push((
            Failure::RequestDiffers,
            format!("path: recorded {}, sent {}", p.path, sent_path),
        ));
    }

    // Query, as a multiset of decoded pairs; lists joined with a separator compared item by
    // item; parameters the spec does not list left out (excused above).
    let split = |pairs: Vec<(String, String)>| -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in pairs {
            let sep = query_param(op, &k).and_then(|param| joined_list(api, param));
            match sep {
                Some(sep) => out.extend(v.split(sep).map(|x| (k.clone(), x.to_string()))),
                None => out.push((k, v)),
            }
        }
        out.sort();
        out
    };
    let recorded_q = split(
        rec.query
            .iter()
            .filter(|(k, _)| !p.prepared.unlisted.contains(k))
            .cloned()
            .collect(),
    );
    let sent_q = split(form_pairs(sent_query));
    if recorded_q != sent_q {
        let missing: Vec<String> = multiset_minus(&recorded_q, &sent_q);
        let extra: Vec<String> = multiset_minus(&sent_q, &recorded_q);
        let mut d = String::from("query:");
        if !missing.is_empty() {
            let _ = write!(d, " recorded but not sent: {}", missing.join("&"));
        }
        if !extra.is_empty() {
            let _ = write!(d, " sent but not recorded: {}", extra.join("&"));
        }
        problems.push((Failure::RequestDiffers, d));
    }
    // Body.
    let sent_ct = sent.header("content-type").map(media_type);
    let compare_body = !excuses.contains(&Excuse::MultipartBody);
    match (&op.body, &rec.request_body) {
        (Some(b), Some(recorded)) if compare_body => {
            if let (Some(rct), Some(sct)) = (rec.request_content_type.as_deref(), &sent_ct) {
                if media_type(rct) != *sct {
                    problems.push((
                        Failure::RequestDiffers,
                        format!("content type: recorded {}, sent {sct}", media_type(rct)),
                    ));
                }
            }
            match b.format {
                BodyFormat::Json => match serde_json::from_slice::<Value>(&sent.body) {
                    Ok(sent_body) => {
                        for x in json_diff(recorded, &sent_body) {
                            problems.push((Failure::RequestDiffers, format!("body: {x}")));
                        }
                    }
                    Err(e) => problems.push((
                        Failure::RequestDiffers,
                        format!(
                            "body: the client sent no JSON ({e}): {}",
                            truncate(&String::from_utf8_lossy(&sent.body), 120)
                        ),
                    )),
                },
                BodyFormat::Form => {
                    let mut expected: Vec<(String, String)> = match recorded {
                        Value::String(s) => form_pairs(s),
                        Value::Object(m) => {
                            m.iter().map(|(k, v)| (k.clone(), scalar_text(v))).collect()
                        }
                        other => vec![(String::new(), scalar_text(other))],
                    };
                    let mut got = form_pairs(&String::from_utf8_lossy(&sent.body));
                    expected.sort();
                    got.sort();
                    if expected != got {
                        problems.push((
                            Failure::RequestDiffers,
                            format!(
                                "form body: recorded but not sent: {}; sent but not recorded: {}",
                                multiset_minus(&expected, &got).join("&"),
                                multiset_minus(&got, &expected).join("&")
                            ),
                        ));
                    }
                }
                BodyFormat::Text => {
                    if String::from_utf8_lossy(&sent.body) != scalar_text(recorded) {
                        problems.push((Failure::RequestDiffers, "text body differs".to_string()));
                    }
                }
                BodyFormat::Multipart | BodyFormat::Binary => {}
            }
        }
        (_, None) | (None, _) if !sent.body.is_empty() && compare_body => {
            problems.push((
                Failure::RequestDiffers,
                format!(
                    "body: none recorded, the client sent {}",
                    truncate(&String::from_utf8_lossy(&sent.body), 120)
                ),
            ));
        }
        _ => {}
    }

    // Credentials: the API token, unless the spec says `security: []`.
    let auth = sent.header("authorization");
    let expected_auth = format!("SSWS {TOKEN}");
    match (op.authenticated, auth) {
        (true, Some(a)) if a == expected_auth => {}
        (false, None) => {}
        (true, other) => problems.push((
            Failure::RequestDiffers,
            format!("credentials: expected the API token, sent {other:?}"),
        )),
        (false, Some(_)) => problems.push((
            Failure::RequestDiffers,
            "credentials: the spec says `security: []`, the client sent a token".into(),
        )),
    }

    // The outcome.
    match (&d.result, ok) {
        (CallResult::Ok, true) => {}
        (CallResult::Api(s), false) if *s == rec.status => {}
        (CallResult::Decode(m), true) => problems.push((Failure::Decode, m.clone())),
        (other, _) => problems.push((
            Failure::WrongOutcome,
            format!("recorded status {}, the call gave {other:?}", rec.status),
        )),
    }

    if problems.is_empty() {
        if excuses.is_empty() {
            Outcome::Matched
        } else {
            Outcome::Excused(dedup(excuses))
        }
    } else {
        // The request's differences first: they explain the rest.
        problems.sort_by_key(|(f, _)| match f {
            Failure::RequestDiffers => 0,
            Failure::NoRequest => 1,
            _ => 2,
        });
        let failure = problems[0].0;
        let mut details: Vec<String> = problems.into_iter().map(|(_, d)| d).collect();
        if !p.prepared.unlisted.is_empty() {
            details.push(format!(
                "(not compared: query parameters the spec does not list: {})",
                p.prepared.unlisted.join(", ")
            ));
        }
        Outcome::Failed(failure, details)
    }
}

fn dedup(mut v: Vec<Excuse>) -> Vec<Excuse> {
    v.sort();
    v.dedup();
    v
}

/// Items of `a` not matched by an item of `b` (both sorted), as `name=value`.
fn multiset_minus(a: &[(String, String)], b: &[(String, String)]) -> Vec<String> {
    let mut counts: HashMap<&(String, String), usize> = HashMap::new();
    for x in b {
        *counts.entry(x).or_default() += 1;
    }
    let mut out = Vec::new();
    for x in a {
        match counts.get_mut(x) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push(format!("{}={}", x.0, x.1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_match_segments_and_literals_win() {
        let t = parse_template("/api/v1/idps/{idpId}/metadata.xml");
        let mut out = Vec::new();
        assert!(match_segment(&t[3], "0oa1", &mut out));
        assert_eq!(out, vec![("idpId".to_string(), "0oa1".to_string())]);
        let t = parse_template("/api/v1/{a}.{b}");
        let mut out = Vec::new();
        assert!(match_segment(&t[2], "x.y.z", &mut out));
        assert_eq!(out[0].1, "x");
        assert_eq!(out[1].1, "y.z");
        assert!(!match_segment(&t[2], "xyz", &mut Vec::new()));
    }

    #[test]
    fn paths_collapse_double_and_trailing_slashes() {
        assert_eq!(
            collapse_path("/api//v1/users/"),
            ("/api/v1/users".into(), true)
        );
        assert_eq!(
            collapse_path("/api/v1/users"),
            ("/api/v1/users".into(), false)
        );
        assert_eq!(collapse_path("/"), ("/".into(), false));
    }

    #[test]
    fn links_point_at_the_loopback_server() {
        assert_eq!(
            rewrite_link(
                "<https://org.okta.com/api/v1/users?after=1&limit=2>; rel=\"next\"",
                "http://127.0.0.1:9/__slot/3"
            ),
            "<http://127.0.0.1:9/__slot/3/api/v1/users?after=1&limit=2>; rel=\"next\""
        );
    }

    #[test]
    fn decoding_and_forms() {
        assert_eq!(percent_decode("a%20b%2Fc+d%zz%4"), "a b/c+d%zz%4");
        assert_eq!(
            form_pairs("filter=status+eq+%22A%22&x&limit=1"),
            vec![
                ("filter".into(), "status eq \"A\"".into()),
                ("x".into(), String::new()),
                ("limit".into(), "1".into())
            ]
        );
    }

    #[test]
    fn json_differences() {
        assert!(json_diff(&json!({"a": 1, "b": [1.0]}), &json!({"b": [1], "a": 1.0})).is_empty());
        assert_eq!(
            json_diff(&json!({"a": {"b": 1}}), &json!({"a": {}})),
            vec!["a.b: recorded 1, not sent".to_string()]
        );
        assert_eq!(
            json_diff(&json!({"a": null}), &json!({})),
            vec!["a: recorded null, not sent".to_string()]
        );
    }

    #[test]
    fn multisets() {
        let a = vec![("a".to_string(), "1".to_string()), ("a".into(), "1".into())];
        let b = vec![("a".to_string(), "1".to_string())];
        assert_eq!(multiset_minus(&a, &b), vec!["a=1".to_string()]);
        assert!(multiset_minus(&b, &a).is_empty());
    }
}
