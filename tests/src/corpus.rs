//! The corpus runner: decodes recorded Okta payloads with the generated models, encodes them
//! again and compares, so that a model that rejects a real payload or loses data shows up.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use okta_client::__private::{OperationModels, RoundTripError, StatusKey};
use okta_client::roundtrip::OPERATIONS;
use serde_json::Value;

/// What happened to one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Decoded and re-encoded to the same JSON; `nulls_dropped` counts `null`s that came back
    /// absent (the models do not write unset fields), which is not a loss.
    Passed { nulls_dropped: usize },
    /// Decoding failed, or the re-encoded JSON differs.
    Failed {
        operation: String,
        path: String,
        message: String,
    },
    /// No operation of the spec has this method and path, or the row cannot be placed.
    Skipped { reason: String },
}

/// One row of `index.tsv` and its outcome.
#[derive(Debug, Clone)]
pub struct RowResult {
    pub file: String,
    pub resource: String,
    pub outcome: Outcome,
}

/// Counts for one resource (the folder under `json/`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub nulls_dropped: usize,
}

/// The whole run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub rows: Vec<RowResult>,
}

impl Report {
    pub fn by_resource(&self) -> BTreeMap<&str, Counts> {
        let mut out: BTreeMap<&str, Counts> = BTreeMap::new();
        for r in &self.rows {
            let c = out.entry(r.resource.as_str()).or_default();
            match &r.outcome {
                Outcome::Passed { nulls_dropped } => {
                    c.passed += 1;
                    c.nulls_dropped += nulls_dropped;
                }
                Outcome::Failed { .. } => c.failed += 1,
                Outcome::Skipped { .. } => c.skipped += 1,
            }
        }
        out
    }

    pub fn totals(&self) -> Counts {
        let mut t = Counts::default();
        for c in self.by_resource().values() {
            t.passed += c.passed;
            t.failed += c.failed;
            t.skipped += c.skipped;
            t.nulls_dropped += c.nulls_dropped;
        }
        t
    }

    /// The printed report: per-resource counts, each failure, and the closing line
    /// `N passed, M failed, K skipped`.
    pub fn render(&self, verbose_skips: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<28} {:>6} {:>6} {:>7} {:>13}",
            "resource", "passed", "failed", "skipped", "nulls dropped"
        );
        for (resource, c) in self.by_resource() {
            let _ = writeln!(
                out,
                "{resource:<28} {:>6} {:>6} {:>7} {:>13}",
                c.passed, c.failed, c.skipped, c.nulls_dropped
            );
        }
        for r in &self.rows {
            match &r.outcome {
                Outcome::Failed {
                    operation,
                    path,
                    message,
                } => {
                    let _ = writeln!(
                        out,
                        "FAILED {} ({operation}) at `{path}`: {message}",
                        r.file
                    );
                }
                Outcome::Skipped { reason } if verbose_skips => {
                    let _ = writeln!(out, "skipped {}: {reason}", r.file);
                }
                _ => {}
            }
        }
        let t = self.totals();
        let _ = writeln!(
            out,
            "{} passed, {} failed, {} skipped",
            t.passed, t.failed, t.skipped
        );
        out
    }
}

/// `../shared/okta-corpus` beside the workspace.
pub fn default_dir() -> PathBuf {
    crate::workspace_root().join("../shared/okta-corpus")
}

/// Runs every row of `dir/index.tsv`.
pub fn run(dir: &Path) -> Result<Report, String> {
    let index = dir.join("index.tsv");
    let text = std::fs::read_to_string(&index)
        .map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| format!("{} is empty", index.display()))?
        .split('\t')
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| format!("{} has no `{name}` column", index.display()))
    };
    let (c_file, c_method, c_path, c_kind, c_status) = (
        col("file")?,
        col("http_method")?,
        col("api_path")?,
        col("kind")?,
        col("http_status")?,
    );
    let mut report = Report::default();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split('\t').collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or("").trim();
        let file = cell(c_file).to_string();
        let resource = file
            .strip_prefix("json/")
            .and_then(|f| f.split('/').next())
            .unwrap_or("other")
            .to_string();
        let outcome = match std::fs::read(dir.join(&file)) {
            Ok(body) => check_row(
                cell(c_method),
                cell(c_path),
                cell(c_kind),
                cell(c_status),
                &body,
            ),
            Err(e) => Outcome::Failed {
                operation: "-".into(),
                path: ".".into(),
                message: format!("cannot read the file: {e}"),
            },
        };
        report.rows.push(RowResult {
            file,
            resource,
            outcome,
        });
    }
    Ok(report)
}

/// Decodes one payload with the models of the operation(s) it belongs to.
pub fn check_row(method: &str, api_path: &str, kind: &str, status: &str, body: &[u8]) -> Outcome {
    if kind == "object" || method == "-" || api_path == "-" {
        return Outcome::Skipped {
            reason: "a model example with no endpoint".into(),
        };
    }
    let ops = matching_operations(method, api_path);
    if ops.is_empty() {
        return Outcome::Skipped {
            reason: format!("no operation for {method} {api_path}"),
        };
    }
    let status: Option<u16> = status.parse().ok();
    let mut candidates = Vec::new();
    for op in &ops {
        match kind {
            "request" => candidates.extend(op.request.map(|m| (op.name, m))),
            "response" => {
                candidates.extend(response_model(op, status).map(|m| (op.name, m)));
                if status.is_none() {
                    // Without a status the body may be a success or an error: try the error
                    // models after the success one.
                    for (key, m) in op.responses {
                        if !is_success(*key) {
                            candidates.push((op.name, *m));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if candidates.is_empty() {
        return Outcome::Skipped {
            reason: format!(
                "{} has no JSON {kind} model{}",
                ops[0].name,
                status
                    .map(|s| format!(" for status {s}"))
                    .unwrap_or_default()
            ),
        };
    }
    let original: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Outcome::Failed {
                operation: candidates[0].0.to_string(),
                path: ".".into(),
                message: format!("the corpus file is not JSON: {e}"),
            };
        }
    };
    // Several operations can share a method and path (the Authentication API's variants):
    // the payload passes if one of their models reads it without loss.
    let mut first_failure = None;
    for (name, model) in candidates {
        let result = model(body).map_err(|RoundTripError { path, message }| (path, message));
        match result.and_then(|encoded| compare(&original, &encoded)) {
            Ok(nulls_dropped) => return Outcome::Passed { nulls_dropped },
            Err((path, message)) => {
                first_failure.get_or_insert(Outcome::Failed {
                    operation: name.to_string(),
                    path,
                    message,
                });
            }
        }
    }
    first_failure.expect("at least one candidate was tried")
}

fn response_model(
    op: &OperationModels,
    status: Option<u16>,
) -> Option<okta_client::__private::RoundTrip> {
    let find = |key: StatusKey| {
        op.responses
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, m)| *m)
    };
    match status {
        Some(s) => find(StatusKey::Code(s))
            .or_else(|| find(StatusKey::Range(s / 100)))
            .or_else(|| {
                if s >= 400 {
                    find(StatusKey::Default)
                } else {
                    None
                }
            })
            .or_else(|| {
                // A success status the spec does not list: the operation's one success model.
                if (200..300).contains(&s) {
                    let mut ok = op.responses.iter().filter(|(k, _)| is_success(*k));
                    match (ok.next(), ok.next()) {
                        (Some((_, m)), None) => Some(*m),
                        _ => None,
                    }
                } else {
                    None
                }
            }),
        None => {
            let mut ok = op.responses.iter().filter(|(k, _)| is_success(*k));
            ok.next().map(|(_, m)| *m)
        }
    }
}

fn is_success(k: StatusKey) -> bool {
    match k {
        StatusKey::Code(c) => (200..300).contains(&c),
        StatusKey::Range(r) => r == 2,
        StatusKey::Default => false,
    }
}

/// Operations whose method is `method` and whose template matches `path` (parameter names
/// ignored; a literal segment such as `me` matches a parameter), the most literal first.
pub fn matching_operations(method: &str, path: &str) -> Vec<&'static OperationModels> {
    let wanted: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut found: Vec<(usize, &'static OperationModels)> = OPERATIONS
        .iter()
        .filter(|op| op.method.eq_ignore_ascii_case(method))
        .filter_map(|op| {
            let segs: Vec<&str> = op.path.trim_end_matches('/').split('/').collect();
            if segs.len() != wanted.len() {
                return None;
            }
            let mut literal = 0;
            for (t, w) in segs.iter().zip(&wanted) {
                let t_param = t.starts_with('{') && t.ends_with('}');
                let w_param = w.starts_with('{') && w.ends_with('}');
                if t_param {
                    continue;
                }
                if w_param || t != w {
                    return None;
                }
                literal += 1;
            }
            Some((literal, op))
        })
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    let best = found.first().map(|(n, _)| *n);
    found
        .into_iter()
        .filter(|(n, _)| Some(*n) == best)
        .map(|(_, op)| op)
        .collect()
}

/// Compares the original payload with the re-encoded one: equal ignoring key order, numbers
/// by value; a `null` that came back absent is counted, not failed. Returns the count, or the
/// first difference's path and what differs.
pub fn compare(original: &Value, encoded: &Value) -> Result<usize, (String, String)> {
    let mut nulls = 0;
    diff(original, encoded, "", &mut nulls)?;
    Ok(nulls)
}

fn diff(a: &Value, b: &Value, at: &str, nulls: &mut usize) -> Result<(), (String, String)> {
    let here = || {
        if at.is_empty() {
            ".".to_string()
        } else {
            at.to_string()
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match y.get(k) {
                    Some(vb) => diff(va, vb, &path, nulls)?,
                    None if va.is_null() => *nulls += 1,
                    None => return Err((path, "lost on re-encoding".into())),
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    let path = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    return Err((path, format!("added on re-encoding: {vb}")));
                }
            }
            Ok(())
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Err((here(), format!("{} items became {}", x.len(), y.len())));
            }
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff(va, vb, &format!("{}[{i}]", at), nulls)?;
            }
            Ok(())
        }
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => Ok(()),
        _ if a == b => Ok(()),
        _ => Err((here(), format!("{a} became {b}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compare_ignores_order_counts_dropped_nulls_and_reports_losses() {
        assert_eq!(
            compare(&json!({"a": 1, "b": [1.0]}), &json!({"b": [1], "a": 1.0})),
            Ok(0)
        );
        assert_eq!(
            compare(&json!({"a": null, "b": {"c": null}}), &json!({"b": {}})),
            Ok(2)
        );
        assert_eq!(
            compare(&json!({"a": {"b": 1}}), &json!({"a": {}})),
            Err(("a.b".into(), "lost on re-encoding".into()))
        );
        assert!(compare(&json!({"a": [1, 2]}), &json!({"a": [1]})).is_err());
        assert!(compare(&json!({"a": "x"}), &json!({"a": "y"})).is_err());
        assert!(compare(&json!({}), &json!({"a": null})).is_err());
    }

    #[test]
    fn templates_match_with_parameter_names_ignored_and_literals_preferred() {
        let ops = matching_operations("GET", "/api/v1/users/{id}");
        assert!(
            ops.iter().any(|op| op.name == "get_user"),
            "{:?}",
            ops.iter().map(|o| o.name).collect::<Vec<_>>()
        );
        let ops = matching_operations("GET", "/api/v1/users/me");
        assert!(ops.iter().any(|op| op.name == "get_user"));
        assert!(matching_operations("GET", "/api/v1/nothing/here").is_empty());
    }
}
