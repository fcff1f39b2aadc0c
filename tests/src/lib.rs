//! Helpers shared by the workspace's tests: where things are, and generation in memory.

pub mod bench_support;
pub mod chaos;
pub mod corpus;
pub mod samples;
pub mod traffic;

/// The README's Rust code blocks, compiled as doctests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeCodeBlocks;

/// The generated crate's README (its registry page), compiled likewise.
#[cfg(doctest)]
#[doc = include_str!("../../generated-client/README.md")]
pub struct ClientReadmeCodeBlocks;

use std::path::{Path, PathBuf};

use okta_codegen::{CrateSettings, Generated, Options};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace root")
        .to_path_buf()
}

/// `tests/fixtures/{name}.yaml`.
pub fn fixture(name: &str) -> PathBuf {
    workspace_root()
        .join("tests/fixtures")
        .join(format!("{name}.yaml"))
}

/// The settings the generated crate is written with.
pub fn settings() -> CrateSettings {
    CrateSettings::for_out_dir(&workspace_root().join("generated-client"))
}

/// Generates a fixture's crate in memory.
pub fn generate_fixture(name: &str) -> Generated {
    let path = fixture(name);
    // With the round-trip table, as scripts/check-fixture-crates.sh builds them.
    let settings = CrateSettings {
        roundtrip: true,
        repository: None,
        ..CrateSettings::for_out_dir(Path::new("/nonexistent"))
    };
    try_generate(&path, &settings, &Options::default())
        .unwrap_or_else(|e| panic!("fixture {name} must generate: {e}"))
}

/// Loads and generates the spec at `path` in memory, as `okta-codegen` does.
pub fn try_generate(
    path: &Path,
    settings: &CrateSettings,
    options: &Options,
) -> Result<Generated, okta_codegen::Error> {
    let loaded = okta_codegen::load::load(
        okta_codegen::load::Source::File(path),
        options.load_options(),
    )?;
    okta_codegen::generate(&loaded, settings, options)
}

/// [`try_generate`] for a spec that must generate.
pub fn generate(path: &Path, settings: &CrateSettings, options: &Options) -> Generated {
    try_generate(path, settings, options)
        .unwrap_or_else(|e| panic!("{} must generate: {e}", path.display()))
}

/// The emitted modules (everything under `src/generated/`) and the warnings, as one text
/// for a snapshot: each file under a `==> path <==` line.
pub fn snapshot_text(generated: &Generated) -> String {
    let mut out = String::new();
    for f in &generated.files {
        if !f.path.starts_with("src/generated") {
            continue;
        }
        out.push_str(&format!("==> {} <==\n", f.path.display()));
        // Drop the do-not-edit header so a snapshot shows code.
        for line in f
            .contents
            .lines()
            .skip_while(|l| l.starts_with("// ") || l.is_empty())
        {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str("==> warnings <==\n");
    for w in &generated.api.warnings {
        out.push_str(&format!("{}: {}\n", w.pointer, w.message));
    }
    out
}

/// `../shared` beside the workspace, when it is there.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = workspace_root().parent()?.join("shared");
    dir.is_dir().then_some(dir)
}
