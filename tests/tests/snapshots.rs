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
