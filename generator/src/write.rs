//! Writing the generated crate: files written only when their text changed, files no longer
//! generated removed, and the freshness check, which writes nothing and reports what differs.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::error::{Error, ErrorKind};
use crate::format::CrateFile;

/// Folders of the generated crate that hold only generated files; anything else found in
/// them is stale and removed (or reported by `--check`).
pub const OWNED_DIRS: &[&str] = &["src/generated", "src/runtime"];

/// What writing changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub written: Vec<PathBuf>,
    pub unchanged: usize,
    pub removed: Vec<PathBuf>,
}

/// Writes files under `root`, touching only those whose content changed, and removes files in
/// the generated folders that are no longer produced.
pub fn write(root: &Path, files: &[CrateFile]) -> Result<WriteReport, Error> {
    let dirs: BTreeSet<&Path> = files.iter().filter_map(|f| f.path.parent()).collect();
    for dir in dirs {
        let dir = root.join(dir);
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
    }
    // Creating a file is slow on some file systems and mostly waits on the kernel, so a few
    // threads write at once.
    let written = crate::parallel::map(files.len(), WRITERS, |i| {
        let f = &files[i];
        let path = root.join(&f.path);
        if std::fs::read(&path).is_ok_and(|old| old == f.contents.as_bytes()) {
            return Ok(false);
        }
        std::fs::write(&path, &f.contents).map_err(|e| io_error(&path, e))?;
        Ok(true)
    })?;
    let mut report = WriteReport::default();
    for (f, written) in files.iter().zip(written) {
        if written {
            report.written.push(f.path.clone());
        } else {
            report.unchanged += 1;
        }
    }
    for extra in extra_files(root, files) {
        let path = root.join(&extra);
        std::fs::remove_file(&path).map_err(|e| io_error(&path, e))?;
        report.removed.push(extra);
    }
    Ok(report)
}

/// Threads that write files at once.
const WRITERS: usize = 4;

/// A file that differs from what the generator would write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFile {
    pub path: PathBuf,
    pub problem: Staleness,
    /// A unified diff (current → expected), cut to a few dozen lines.
    pub diff: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staleness {
    Missing,
    Different,
    /// Present in a generated folder but no longer produced.
    Extra,
}

/// Compares `root` with `files` without writing anything.
pub fn check(root: &Path, files: &[CrateFile]) -> Vec<StaleFile> {
    let mut stale = Vec::new();
    for f in files {
        let path = root.join(&f.path);
        match std::fs::read_to_string(&path) {
            Ok(old) if old == f.contents => {}
            Ok(old) => stale.push(StaleFile {
                path: f.path.clone(),
                problem: Staleness::Different,
                diff: short_diff(&old, &f.contents, &f.path),
            }),
            Err(_) => stale.push(StaleFile {
                path: f.path.clone(),
                problem: Staleness::Missing,
                diff: String::new(),
            }),
        }
    }
    for extra in extra_files(root, files) {
        stale.push(StaleFile {
            path: extra,
            problem: Staleness::Extra,
            diff: String::new(),
        });
    }
    stale
}

const DIFF_LINES: usize = 40;

/// The first lines of a unified diff of `old` (committed) and `new` (generated) text of `path`.
pub fn short_diff(old: &str, new: &str, path: &Path) -> String {
    let name = path.display().to_string();
    let diff = TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{name} (committed)"),
            &format!("{name} (generated)"),
        )
        .to_string();
    let total = diff.lines().count();
    let mut s = diff.lines().take(DIFF_LINES).collect::<Vec<_>>().join("\n");
    let more = total.saturating_sub(DIFF_LINES);
    if more > 0 {
        s.push_str(&format!("\n… {more} more diff lines"));
    }
    s
}

/// Files under the owned folders of `root` that `files` does not produce, sorted.
fn extra_files(root: &Path, files: &[CrateFile]) -> Vec<PathBuf> {
    let expected: BTreeSet<&Path> = files.iter().map(|f| f.path.as_path()).collect();
    let mut extra = Vec::new();
    for dir in OWNED_DIRS {
        let mut stack = vec![PathBuf::from(dir)];
        while let Some(rel) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(root.join(&rel)) else {
                continue;
            };
            for entry in entries.flatten() {
                let rel_child = rel.join(entry.file_name());
                match entry.file_type() {
                    Ok(t) if t.is_dir() => stack.push(rel_child),
                    Ok(_) if !expected.contains(rel_child.as_path()) => extra.push(rel_child),
                    _ => {}
                }
            }
        }
    }
    extra.sort();
    extra
}

impl Staleness {
    /// How a report names the problem.
    pub fn describe(self) -> &'static str {
        match self {
            Staleness::Missing => "missing",
            Staleness::Different => "differs",
            Staleness::Extra => "no longer generated",
        }
    }
}

/// What `--check` prints, and the freshness test shows, for a crate in `out` that is not
/// what `spec` generates: the files, their diffs and the command that regenerates them.
pub fn stale_report(out: &Path, spec: &Path, stale: &[StaleFile]) -> String {
    let mut report = format!(
        "{} is stale: {} file(s) differ from what {} generates:\n",
        out.display(),
        stale.len(),
        spec.display()
    );
    for s in stale {
        let _ = writeln!(report, "  {} ({})", s.path.display(), s.problem.describe());
    }
    for s in stale.iter().filter(|s| !s.diff.is_empty()) {
        let _ = writeln!(report, "{}", s.diff);
    }
    let _ = writeln!(
        report,
        "run `cargo run -p okta-codegen -- --spec {} --out {}` to regenerate",
        spec.display(),
        out.display()
    );
    report
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, path, format!("cannot write: {e}"))
}
