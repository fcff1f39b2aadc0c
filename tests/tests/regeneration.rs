//! A spec change regenerates as a small diff: the files whose content changes and the one
//! file that records the spec's hash, nothing else; no type moves to another file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use okta_codegen::load::{self, Source};
use okta_codegen::{CrateFile, CrateSettings, Options};

fn generate(text: &str) -> Vec<CrateFile> {
    let loaded = load::load(
        Source::Text {
            path: Path::new("objects.yaml"),
            bytes: text.as_bytes(),
        },
        Default::default(),
    )
    .expect("the fixture loads");
    let settings = CrateSettings {
        name: "fixture".into(),
        version: "0.1.0".into(),
        roundtrip: true,
        repository: None,
    };
    okta_codegen::generate(&loaded, &settings, &Options::default())
        .expect("the fixture generates")
        .files
}

/// The files that are new, gone or different between two generations.
fn changed(before: &[CrateFile], after: &[CrateFile]) -> BTreeSet<PathBuf> {
    let paths: BTreeSet<&PathBuf> = before.iter().chain(after).map(|f| &f.path).collect();
    let find = |files: &[CrateFile], p: &Path| {
        files
            .iter()
            .find(|f| f.path == p)
            .map(|f| f.contents.clone())
    };
    paths
        .into_iter()
        .filter(|p| find(before, p) != find(after, p))
        .cloned()
        .collect()
}

fn set(paths: &[&str]) -> BTreeSet<PathBuf> {
    paths.iter().map(PathBuf::from).collect()
}

fn fixture() -> String {
    std::fs::read_to_string(okta_tests::fixture("objects")).expect("the fixture is readable")
}

#[test]
fn one_field_type_changes_one_models_file_and_the_hash() {
    let text = fixture();
    let changed_text = text.replace(
        "ratio: {type: number, format: float}",
        "ratio: {type: string}",
    );
    assert_ne!(text, changed_text, "the fixture has the field");
    let before = generate(&text);
    let after = generate(&changed_text);
    assert_eq!(
        changed(&before, &after),
        set(&["Cargo.toml", "src/generated/models/thing.rs"])
    );
    let thing = after
        .iter()
        .find(|f| f.path == Path::new("src/generated/models/thing.rs"))
        .unwrap();
    assert!(
        thing.contents.contains("pub ratio: Option<String>"),
        "{}",
        thing.contents
    );
}

#[test]
fn a_type_stays_in_its_file_when_a_second_tag_uses_it() {
    let text = fixture();
    let second_tag = text.replace(
        "components:\n",
        "  /owners/{id}:\n    get:\n      operationId: getOwner\n      tags: [owners]\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200':\n          description: The owner.\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Owner'}\ncomponents:\n",
    );
    assert_ne!(text, second_tag, "the fixture has components");
    let before = generate(&text);
    let after = generate(&second_tag);
    // The new operation's module and its mock stubs, the modules and tables that list
    // operations, the manifest and README (the new feature), and the models' `mod.rs`, which
    // now compiles the type's file for either feature; the type's own file is unchanged.
    assert_eq!(
        changed(&before, &after),
        set(&[
            "Cargo.toml",
            "README.md",
            "src/generated/mock/mod.rs",
            "src/generated/mock/owners.rs",
            "src/generated/models/mod.rs",
            "src/generated/operations/mod.rs",
            "src/generated/operations/owners.rs",
            "src/generated/roundtrip.rs",
        ])
    );
}
