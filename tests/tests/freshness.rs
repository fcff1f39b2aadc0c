//! The committed `generated-client/` is exactly what the generator writes for `spec/okta.yaml`.

use okta_codegen::format::{self, Staleness};
use okta_tests::{settings, workspace_root};

#[test]
fn generated_client_is_fresh() {
    let root = workspace_root();
    let spec = root.join("spec/okta.yaml");
    // As `cargo run -p okta-codegen` does: with the options of spec/okta-codegen.toml.
    let options = okta_codegen::Options::from_config_beside(&spec)
        .unwrap_or_else(|e| panic!("spec/okta-codegen.toml must read: {e}"));
    assert!(
        options.roundtrip,
        "the tests call operations through the round-trip table"
    );
    let generated = okta_codegen::generate_with(&spec, &settings(), &options)
        .unwrap_or_else(|e| panic!("spec/okta.yaml must generate: {e}"));
    let stale = format::check(&root.join("generated-client"), &generated.files);
    if stale.is_empty() {
        return;
    }
    let mut report = String::from(
        "generated-client/ is stale; these files differ from what spec/okta.yaml generates:\n",
    );
    for s in &stale {
        let what = match s.problem {
            Staleness::Missing => "missing",
            Staleness::Different => "differs",
            Staleness::Extra => "no longer generated",
        };
        report.push_str(&format!("  {} ({what})\n", s.path.display()));
    }
    for s in &stale {
        report.push_str(&s.diff);
        report.push('\n');
    }
    report.push_str("regenerate with `cargo run -p okta-codegen` and commit the result");
    panic!("{report}");
}
