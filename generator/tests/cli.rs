//! The command line: exit codes, `--check`, and writing only what changed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

fn codegen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_okta-codegen"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn bad_input_exits_2_with_the_file_and_place() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("broken.yaml");
    std::fs::write(&spec, "openapi: 3.0.3\ninfo: {title: t\npaths: {}\n").unwrap();
    let out = codegen(&[
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("broken.yaml:"), "{err}");
    assert!(
        !dir.path().join("out").exists(),
        "nothing is written on error"
    );

    let out = codegen(&["--spec", dir.path().join("absent.yaml").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read the spec"));
}

#[test]
fn generate_then_check_then_regenerate_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("crate");
    let spec = fixture("polymorphism.yaml");
    let (spec, out_dir_s) = (spec.to_str().unwrap(), out_dir.to_str().unwrap());

    let out = codegen(&["--spec", spec, "--out", out_dir_s, "--check"]);
    assert_eq!(out.status.code(), Some(1), "a missing crate is stale");
    assert!(text(&out.stdout).contains("src/lib.rs (missing)"));

    let out = codegen(&["--spec", spec, "--out", out_dir_s]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out_dir.join("Cargo.toml").is_file());
    assert!(out_dir.join("src/generated/models/mod.rs").is_file());

    let out = codegen(&["--spec", spec, "--out", out_dir_s, "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    let out = codegen(&["--spec", spec, "--out", out_dir_s]);
    assert!(
        text(&out.stdout).contains(" 0 written"),
        "{}",
        text(&out.stdout)
    );

    // A hand edit and a stray file are both reported, with a diff for the edit.
    let lib = out_dir.join("src/lib.rs");
    let edited = std::fs::read_to_string(&lib)
        .unwrap()
        .replace("mod generated;", "mod generated; // edited");
    std::fs::write(&lib, edited).unwrap();
    std::fs::write(out_dir.join("src/generated/stray.rs"), "").unwrap();
    let out = codegen(&["--spec", spec, "--out", out_dir_s, "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(report.contains("src/lib.rs (differs)"), "{report}");
    assert!(
        report.contains("src/generated/stray.rs (no longer generated)"),
        "{report}"
    );
    assert!(report.contains("-mod generated; // edited"), "{report}");

    // Regenerating repairs both.
    let out = codegen(&["--spec", spec, "--out", out_dir_s]);
    assert!(
        text(&out.stdout).contains("1 removed"),
        "{}",
        text(&out.stdout)
    );
    let out = codegen(&["--spec", spec, "--out", out_dir_s, "--check"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn the_version_in_an_existing_manifest_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("crate");
    let spec = fixture("objects.yaml");
    let (spec, out_dir_s) = (spec.to_str().unwrap(), out_dir.to_str().unwrap());
    assert_eq!(
        codegen(&["--spec", spec, "--out", out_dir_s]).status.code(),
        Some(0)
    );
    let manifest = out_dir.join("Cargo.toml");
    let bumped = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("version = \"0.1.0\"", "version = \"1.4.0\"");
    std::fs::write(&manifest, bumped).unwrap();
    assert_eq!(
        codegen(&["--spec", spec, "--out", out_dir_s]).status.code(),
        Some(0)
    );
    assert!(
        std::fs::read_to_string(&manifest)
            .unwrap()
            .contains("version = \"1.4.0\"")
    );
}

#[test]
fn diff_reports_exits_by_verdict_and_bumps_the_crate() {
    let old = fixture("diff/old.yaml");
    let new = fixture("diff/new.yaml");
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());

    let out = codegen(&["diff", old, old]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("verdict: no change"));

    let out = codegen(&["diff", old, new, "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("## API changes of the generated client"));

    let out = codegen(&["diff", old, "/nonexistent.yaml"]);
    assert_eq!(out.status.code(), Some(2));

    // --bump: the crate's version follows the verdict and the report goes to CHANGELOG.md.
    let dir = tempfile::tempdir().unwrap();
    let crate_dir = dir.path().join("crate");
    let crate_s = crate_dir.to_str().unwrap();
    assert_eq!(
        codegen(&["--spec", old, "--out", crate_s]).status.code(),
        Some(0)
    );
    let out = codegen(&["--out", crate_s, "diff", old, new, "--bump"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("version = \"0.2.0\""), "{manifest}");
    let changelog = std::fs::read_to_string(crate_dir.join("CHANGELOG.md")).unwrap();
    assert!(
        changelog.starts_with("# Changelog\n\n## 0.2.0\n"),
        "{changelog}"
    );
    assert!(
        changelog.contains("| `operation delete_user` | removed"),
        "{changelog}"
    );
    // Regenerating keeps the bumped version.
    assert_eq!(
        codegen(&["--spec", new, "--out", crate_s]).status.code(),
        Some(0)
    );
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("version = \"0.2.0\""), "{manifest}");
}

#[test]
fn timings_name_each_step_on_stderr_and_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("crate");
    let spec = fixture("objects.yaml");
    let (spec, out_dir) = (spec.to_str().unwrap(), out_dir.to_str().unwrap());
    let out = codegen(&["--spec", spec, "--out", out_dir, "--timings"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let steps: Vec<String> = text(&out.stderr)
        .lines()
        .filter_map(|l| {
            let (step, took) = l.split_once(": ")?;
            took.strip_suffix(" ms")?.parse::<f64>().ok()?;
            Some(step.to_string())
        })
        .collect();
    assert_eq!(steps, ["load", "lower", "plan", "emit and format", "write"]);
    let out = codegen(&["--spec", spec, "--out", out_dir, "--check", "--timings"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("check: "),
        "{}",
        text(&out.stderr)
    );
    let out = codegen(&["--spec", spec, "--out", out_dir]);
    assert!(!text(&out.stderr).contains(" ms"), "{}", text(&out.stderr));
}
