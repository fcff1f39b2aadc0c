//! `spec/okta.yaml` is Okta's published spec imported with the project's overlays: re-importing
//! the recorded upstream reproduces it byte for byte, none of Okta's sentences is in `spec/`,
//! and `okta-codegen update` follows the real pair of releases 5.1.0 → 2026.06.3. The upstream
//! files live in `../shared/specs`; without them these tests say so and pass.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use okta_codegen::diff::Verdict;
use okta_codegen::import::{self, Upstream};
use okta_tests::workspace_root;
use serde_json::Value;

fn shared_specs() -> Option<PathBuf> {
    let dir = workspace_root().join("../shared/specs");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is missing", dir.display());
        None
    }
}

fn spec_text() -> String {
    std::fs::read_to_string(workspace_root().join("spec/okta.yaml")).expect("spec/okta.yaml")
}

fn recorded() -> Upstream {
    let doc: Value = serde_yaml_ng::from_str(&spec_text()).expect("spec/okta.yaml parses");
    import::recorded_upstream(&doc).expect("spec/okta.yaml records its upstream in info")
}

fn overlays() -> PathBuf {
    workspace_root().join("spec/overlays")
}

#[test]
fn spec_is_the_recorded_upstream_imported_with_the_overlays() {
    let Some(dir) = shared_specs() else { return };
    let upstream = recorded();
    let file = dir.join(&upstream.file);
    let imported = import::import(&file, &overlays()).expect("the import runs");
    assert_eq!(
        imported.upstream,
        upstream,
        "{} is not the file spec/okta.yaml was imported from",
        file.display()
    );
    let committed = spec_text();
    assert!(
        committed == imported.text,
        "spec/okta.yaml is stale: run `cargo run -p okta-codegen -- import {}`\n{}",
        file.display(),
        okta_codegen::write::short_diff(&committed, &imported.text, Path::new("spec/okta.yaml"))
    );
    // Every overlay action found its target in the upstream it was written for.
    let unmatched: Vec<String> = imported
        .notes
        .iter()
        .filter(|n| n.message.contains("selects nothing"))
        .map(|n| format!("{}: {}", n.pointer, n.message))
        .collect();
    assert!(
        unmatched.is_empty(),
        "overlay actions that select nothing: {unmatched:#?}"
    );
}

/// Lower-case words, punctuation trimmed.
fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Every sentence of the upstream's prose: `description` and `summary` texts and enum
/// descriptions.
fn upstream_sentences(doc: &Value, out: &mut Vec<String>) {
    match doc {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("description" | "summary", Value::String(text)) => {
                        out.extend(text.split(['.', '\n', '!', '?', ';']).map(str::to_string))
                    }
                    ("x-enumDescriptions", Value::Object(texts)) => out.extend(
                        texts
                            .values()
                            .filter_map(|t| t.as_str().map(str::to_string)),
                    ),
                    _ => upstream_sentences(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| upstream_sentences(v, out)),
        _ => {}
    }
}

/// The upstream's schema titles and enum values.
fn upstream_names(doc: &Value, out: &mut Vec<String>) {
    match doc {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("title", Value::String(t)) => out.push(t.clone()),
                    ("enum", Value::Array(values)) => {
                        out.extend(values.iter().filter_map(|v| v.as_str().map(str::to_string)))
                    }
                    _ => upstream_names(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| upstream_names(v, out)),
        _ => {}
    }
}

fn spec_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("spec/ is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            spec_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_sentence_of_the_upstream_prose_is_in_spec() {
    let Some(dir) = shared_specs() else { return };
    let text = std::fs::read_to_string(dir.join(recorded().file)).expect("the upstream");
    let doc: Value = serde_yaml_ng::from_str(&text).expect("the upstream parses");
    let mut sentences = Vec::new();
    upstream_sentences(&doc, &mut sentences);
    // A sentence of five words or more is authored prose; shorter ones ("List all users")
    // are names of actions that anyone would write.
    let sentences: Vec<Vec<String>> = sentences
        .iter()
        .map(|s| words(s))
        .filter(|w| w.len() >= 5)
        .collect();
    assert!(
        sentences.len() > 5_000,
        "only {} sentences found",
        sentences.len()
    );

    let mut files = Vec::new();
    spec_files(&workspace_root().join("spec"), &mut files);
    let mut ours: Vec<String> = Vec::new();
    for f in &files {
        ours.extend(words(&std::fs::read_to_string(f).expect("a spec file")));
    }
    let shingles: HashSet<&[String]> = ours.windows(5).collect();
    let joined = format!(" {} ", ours.join(" "));
    // Names are facts, and a sentence may repeat one: a schema title ("Provider with issuer
    // and JWKS settings") or an enum value ("WAITING (with number matching challenge)").
    let mut facts = Vec::new();
    upstream_names(&doc, &mut facts);
    let facts: Vec<String> = facts
        .iter()
        .map(|f| format!(" {} ", words(f).join(" ")))
        .collect();
    let copied: Vec<String> = sentences
        .iter()
        .filter(|s| s.windows(5).all(|w| shingles.contains(w)))
        .map(|s| s.join(" "))
        .filter(|s| joined.contains(&format!(" {s} ")))
        .filter(|s| !facts.iter().any(|f| f.contains(&format!(" {s} "))))
        .collect();
    assert!(
        copied.is_empty(),
        "{} sentences of Okta's prose are in spec/: {:#?}",
        copied.len(),
        &copied[..copied.len().min(20)]
    );
}

#[test]
fn update_follows_5_1_0_to_2026_06_3() {
    let Some(dir) = shared_specs() else { return };
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let spec = tmp.path().join("okta.yaml");
    let out = tmp.path().join("client");
    let options = okta_codegen::Options::default();

    // The crate as it was generated from 5.1.0.
    let old = import::import(&dir.join("okta-management-5.1.0.yaml"), &overlays()).unwrap();
    assert_eq!(old.upstream.version, "5.1.0");
    std::fs::write(&spec, &old.text).unwrap();
    let settings = okta_codegen::CrateSettings::for_out_dir(&out);
    let generated = okta_tests::generate(&spec, &settings, &options);
    okta_codegen::write::write(&out, &generated.files).unwrap();

    let updated = import::update(
        &dir.join("management-oas3-v2026.06.3-minimal.yaml"),
        &overlays(),
        &spec,
        &out,
        &options,
        "okta-client",
    )
    .expect("the update runs");
    let report = &updated.report;
    assert_eq!(report.verdict(), Verdict::Breaking, "{}", report.text());
    assert_eq!(updated.imported.upstream.version, "2026.06.3");
    let text = report.text();
    let has = |line: &str| text.lines().any(|l| l.contains(line));
    // The identity-source group endpoints are new in 2026.06.3.
    for op in [
        "operation create_identity_source_groups: added (POST /api/v1/identity-sources/{identitySourceId}/groups)",
        "operation get_identity_source_group: added (GET /api/v1/identity-sources/{identitySourceId}/groups/{groupOrExternalId})",
        "operation delete_identity_source_group_memberships: added (DELETE /api/v1/identity-sources/{identitySourceId}/groups/{groupOrExternalId}/membership/{memberExternalId})",
    ] {
        assert!(has(op), "the report misses `{op}`:\n{text}");
    }
    // An operation Okta renamed between the releases is reported as such.
    assert!(
        has("operation update_ad_group_membership: renamed to `update_group_membership`"),
        "{text}"
    );
    let added = text
        .lines()
        .filter(|l| l.contains(": added (") && l.contains("operation "))
        .count();
    assert_eq!(added, 33, "operations added by 2026.06.3:\n{text}");

    // 0.x: breaking raises the minor version; the changelog starts with the report.
    assert_eq!(updated.versions, ("0.1.0".to_string(), "0.2.0".to_string()));
    let changelog = std::fs::read_to_string(out.join("CHANGELOG.md")).unwrap();
    assert!(
        changelog.starts_with("# Changelog\n\n## 0.2.0\n"),
        "{changelog}"
    );
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("version = \"0.2.0\""), "{manifest}");
    // The crate was regenerated from the new spec.
    assert_eq!(
        std::fs::read_to_string(&spec).unwrap(),
        updated.imported.text
    );
    assert!(!updated.written.written.is_empty());
}
