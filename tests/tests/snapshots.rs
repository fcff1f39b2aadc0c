//! Each fixture spec exercises one feature; its generated modules are snapshotted.
//! Review a changed snapshot with `cargo insta review` before accepting it.

use okta_tests::{generate_fixture, snapshot_text, workspace_root};

macro_rules! fixtures {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let generated = generate_fixture(stringify!($name));
                insta::assert_snapshot!(stringify!($name), snapshot_text(&generated));
            }
        )*

        /// Every fixture file has a snapshot test above.
        #[test]
        fn every_fixture_is_snapshotted() {
            let listed = [$(stringify!($name)),*];
            let mut missing = Vec::new();
            for entry in std::fs::read_dir(workspace_root().join("tests/fixtures")).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "yaml") {
                    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
                    if !listed.contains(&stem.as_str()) && !stem.starts_with("broken_") {
                        missing.push(stem);
                    }
                }
            }
            assert!(missing.is_empty(), "fixtures without a snapshot test: {missing:?}");
        }
    };
}

fixtures!(
    bodies,
    collections,
    collisions,
    enums,
    keywords,
    multi_operation,
    nested,
    objects,
    params,
    polymorphism,
    refs,
    responses,
);

/// The same spec generates byte-identical files every time.
#[test]
fn generation_is_deterministic() {
    let a = generate_fixture("polymorphism");
    let b = generate_fixture("polymorphism");
    assert_eq!(a.files, b.files);
}

/// `--include-tags` / `--include-operations` keep the named operations and only the types
/// they reach.
#[test]
fn subset_of_a_fixture() {
    let settings = okta_codegen::CrateSettings {
        name: "okta-client".into(),
        version: "0.1.0".into(),
        roundtrip: true,
        repository: None,
    };
    let options = okta_codegen::Options {
        include_tags: vec!["factors".into()],
        include_operations: vec!["getSecret".into()],
        ..Default::default()
    };
    let generated =
        okta_tests::try_generate(&okta_tests::fixture("polymorphism"), &settings, &options)
            .unwrap();
    let names: Vec<&str> = generated
        .api
        .operations()
        .map(|op| op.name.as_str())
        .collect();
    assert_eq!(names, ["get_secret", "list_factors"]);
    assert!(!generated.api.types.contains_key("Application"));
    assert!(!generated.api.types.contains_key("BasicAuthApplication"));
    insta::assert_snapshot!("subset_polymorphism", snapshot_text(&generated));

    let unknown = okta_codegen::Options {
        include_tags: vec!["nope".into()],
        ..Default::default()
    };
    let err = okta_tests::try_generate(&okta_tests::fixture("polymorphism"), &settings, &unknown)
        .unwrap_err();
    assert!(
        err.to_string().contains("no operation has the tag `nope`"),
        "{err}"
    );
    assert!(err.to_string().contains("apps, factors"), "{err}");
}
