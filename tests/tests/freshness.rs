//! The committed `generated-client/` is exactly what the generator writes for `spec/okta.yaml`.

use std::path::Path;

use okta_codegen::write;
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
    let generated = okta_tests::generate(&spec, &settings(), &options);
    let stale = write::check(&root.join("generated-client"), &generated.files);
    assert!(
        stale.is_empty(),
        "{}",
        write::stale_report(
            Path::new("generated-client"),
            Path::new("spec/okta.yaml"),
            &stale
        )
    );
}
