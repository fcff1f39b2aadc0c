//! Property test: mutated fixture specs never make the generator panic. Each case takes a
//! fixture, applies a few random mutations (deleting, replacing, renaming and retyping parts,
//! dangling and cyclic `$ref`s, truncated text), and runs the whole pipeline in memory, strict
//! or lenient. An error is a fine outcome; a panic is a failure.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use okta_codegen::{CrateSettings, load};
use proptest::prelude::*;
use serde_json::{Value, json};

fn fixtures() -> &'static [(PathBuf, Value)] {
    static FIXTURES: OnceLock<Vec<(PathBuf, Value)>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
        let mut out: Vec<(PathBuf, Value)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .map(|p| {
                let v: Value =
                    serde_yaml_ng::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
                (p, v)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Replace(usize, u8),
    RenameKey(usize, u8),
    Duplicate(usize),
}

fn replacement(kind: u8) -> Value {
    match kind % 16 {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(1.5e300),
        4 => json!(""),
        5 => json!("string"),
        6 => json!([]),
        7 => json!({}),
        8 => json!({"$ref": "#/components/schemas/Missing"}),
        9 => json!({"$ref": "#/components/schemas/A"}),
        10 => json!({"$ref": "#"}),
        11 => json!({"$ref": "other.yaml#/X"}),
        12 => {
            json!({"type": "object", "properties": {"type": {"type": "string", "enum": ["a", "a", null]}}})
        }
        13 => {
            json!({"oneOf": [], "discriminator": {"propertyName": "k", "mapping": {"x": "#/nope"}}})
        }
        14 => json!({"allOf": [{"$ref": "#/components/schemas/A"}, {"type": "integer"}]}),
        _ => json!({"type": "array"}),
    }
}

fn new_key(kind: u8) -> &'static str {
    [
        "type",
        "self",
        "Self",
        "名前",
        "",
        "1st",
        "{x}",
        "$ref",
        "properties",
        "required",
        "x-okta-multi-operation",
        "x-okta-paginated",
        "~1",
        "a/b",
    ][kind as usize % 14]
}

/// Pointers (as token lists) of every node, in a stable order.
fn nodes(v: &Value) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    let mut stack = vec![(Vec::new(), v)];
    while let Some((path, v)) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, c) in m {
                    let mut p: Vec<String> = path.clone();
                    p.push(k.clone());
                    out.push(p.clone());
                    stack.push((p, c));
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    let mut p: Vec<String> = path.clone();
                    p.push(i.to_string());
                    out.push(p.clone());
                    stack.push((p, c));
                }
            }
            _ => {}
        }
    }
    out
}

fn parent_and_key<'a>(root: &'a mut Value, path: &[String]) -> Option<(&'a mut Value, String)> {
    let (last, init) = path.split_last()?;
    let mut cur = root;
    for t in init {
        cur = match cur {
            Value::Object(m) => m.get_mut(t)?,
            Value::Array(a) => a.get_mut(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some((cur, last.clone()))
}

fn apply(doc: &mut Value, m: &Mutation) {
    let all = nodes(doc);
    let pick = |i: usize| all[i % all.len()].clone();
    match m {
        Mutation::Delete(i) => {
            if let Some((parent, key)) = parent_and_key(doc, &pick(*i)) {
                match parent {
                    Value::Object(map) => {
                        map.remove(&key);
                    }
                    Value::Array(a) => {
                        if let Ok(i) = key.parse::<usize>() {
                            if i < a.len() {
                                a.remove(i);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Mutation::Replace(i, kind) => {
            let path = pick(*i);
            if path.is_empty() {
                *doc = replacement(*kind);
            } else if let Some((parent, key)) = parent_and_key(doc, &path) {
                match parent {
                    Value::Object(map) => {
                        map.insert(key, replacement(*kind));
                    }
                    Value::Array(a) => {
                        if let Some(slot) = key.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                            *slot = replacement(*kind);
                        }
                    }
                    _ => {}
                }
            }
        }
        Mutation::RenameKey(i, kind) => {
            if let Some((Value::Object(map), key)) = parent_and_key(doc, &pick(*i)) {
                if let Some(v) = map.remove(&key) {
                    map.insert(new_key(*kind).to_string(), v);
                }
            }
        }
        Mutation::Duplicate(i) => {
            if let Some((Value::Object(map), key)) = parent_and_key(doc, &pick(*i)) {
                if let Some(v) = map.get(&key).cloned() {
                    map.insert(format!("{key}2"), v);
                }
            }
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), any::<u8>()).prop_map(|(i, k)| Mutation::Replace(i, k)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, k)| Mutation::RenameKey(i, k)),
        any::<usize>().prop_map(Mutation::Duplicate),
    ]
}

fn run_pipeline(name: &Path, text: &[u8], lenient: bool) {
    let settings = CrateSettings {
        name: "fuzz".into(),
        version: "0.1.0".into(),
        roundtrip: false,
        repository: None,
    };
    if let Ok(loaded) = load::load(
        load::Source::Text {
            path: name,
            bytes: text,
        },
        load::LoadOptions {
            lenient,
            ..Default::default()
        },
    ) {
        let _ = okta_codegen::generate(&loaded, &settings, &Default::default());
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_specs_never_panic(
        which in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
        as_json in any::<bool>(),
        lenient in any::<bool>(),
        truncate in proptest::option::weighted(0.05, any::<usize>()),
    ) {
        let (path, original) = &fixtures()[which % fixtures().len()];
        let mut doc = original.clone();
        for m in &mutations {
            apply(&mut doc, m);
        }
        let (name, mut text) = if as_json {
            (path.with_extension("json"), serde_json::to_vec(&doc).unwrap())
        } else {
            (path.clone(), serde_yaml_ng::to_string(&doc).unwrap().into_bytes())
        };
        if let Some(cut) = truncate {
            text.truncate(cut % (text.len() + 1));
        }
        let outcome = std::panic::catch_unwind(|| run_pipeline(&name, &text, lenient));
        prop_assert!(
            outcome.is_ok(),
            "the generator panicked on {} after {:?}:\n{}",
            path.display(),
            mutations,
            String::from_utf8_lossy(&text)
        );
    }
}
