//! Cargo features, one per API area: which operations modules each compiles, and which
//! features reach each type.
//!
//! An area groups tags (`okta-codegen.toml`'s `[features]`: a feature name and the tags it
//! takes, exactly or by a prefix ending in `*`); a tag that no area takes is an area of its
//! own, named after it in kebab-case. A type is compiled when any feature whose operations
//! reach it is on, and a type that every feature reaches always. The types no operation
//! reaches (payloads Okta sends elsewhere, such as a hook's) have a feature of their own,
//! `other-models`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::error::{Error, ErrorKind};
use crate::ir::{Api, Features, TypeRef, Warning};

/// The feature of the types no operation uses (such as the payloads Okta sends to hooks).
pub const OTHER_MODELS: &str = "other-models";

/// Names a feature may not have: Cargo's own and the crate's other features.
const RESERVED: &[&str] = &["default", "full", "roundtrip", "mock", OTHER_MODELS];

/// Decides the features of `api` from the configured areas (feature → tag patterns).
/// `file` names the configuration in errors.
pub fn assign(
    api: &mut Api,
    areas: &BTreeMap<String, Vec<String>>,
    file: &Path,
) -> Result<(), Error> {
    for name in areas.keys() {
        check_name(name, file)?;
    }
    let mut features = Features::default();
    let mut used_patterns = BTreeSet::new();
    for module in &api.modules {
        let mut matching = areas.iter().filter_map(|(feature, patterns)| {
            let pattern = patterns.iter().find(|p| matches(p, &module.tag))?;
            Some((feature, pattern))
        });
        let feature = match (matching.next(), matching.next()) {
            (Some((a, pa)), Some((b, pb))) => {
                return Err(Error::new(
                    ErrorKind::Duplicate,
                    file,
                    format!(
                        "the tag `{}` is in two features: `{a}` (by `{pa}`) and `{b}` (by `{pb}`)",
                        module.tag
                    ),
                ));
            }
            (Some((feature, pattern)), None) => {
                used_patterns.insert((feature.clone(), pattern.clone()));
                feature.clone()
            }
            (None, _) => {
                // Operations without a tag are the module `default`, a name Cargo keeps.
                let mut own = kebab(&module.name);
                if RESERVED.contains(&own.as_str()) {
                    own.push_str("-operations");
                }
                if areas.contains_key(&own) {
                    return Err(Error::new(
                        ErrorKind::Duplicate,
                        file,
                        format!(
                            "the tag `{}` is in no feature, and its own name `{own}` is taken",
                            module.tag
                        ),
                    )
                    .hint("add the tag to a feature under [features]"));
                }
                if !areas.is_empty() {
                    api.warnings.push(Warning {
                        pointer: format!("{}#features", file.display()),
                        message: format!(
                            "the tag `{}` is in no configured feature; it is the feature `{own}`",
                            module.tag
                        ),
                    });
                }
                own
            }
        };
        features
            .areas
            .entry(feature.clone())
            .or_default()
            .push(module.name.clone());
        features.of_module.insert(module.name.clone(), feature);
    }
    for (feature, patterns) in areas {
        for pattern in patterns {
            if !used_patterns.contains(&(feature.clone(), pattern.clone())) {
                api.warnings.push(Warning {
                    pointer: format!("{}#features.{feature}", file.display()),
                    message: format!("`{pattern}` matches no tag of the spec"),
                });
            }
        }
    }
    features.of_type = reaching_features(api, &mut features);
    api.features = features;
    Ok(())
}

/// For each type some but not every feature reaches, the features that reach it. Types no
/// operation reaches, and all they reach, also belong to [`OTHER_MODELS`] (a feature without
/// operations, there only if such types are).
fn reaching_features(api: &Api, features: &mut Features) -> BTreeMap<String, BTreeSet<String>> {
    let mut of_type: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for module in &api.modules {
        let feature = &features.of_module[&module.name];
        let mut reached = BTreeSet::new();
        for op in &module.operations {
            for ty in op.type_refs() {
                api.reach(ty, &mut reached);
            }
        }
        for name in reached {
            of_type.entry(name).or_default().insert(feature.clone());
        }
    }
    let mut unreached = BTreeSet::new();
    for name in api.types.keys().filter(|n| !of_type.contains_key(*n)) {
        api.reach(&TypeRef::Named(name.clone()), &mut unreached);
    }
    if !unreached.is_empty() {
        features.areas.insert(OTHER_MODELS.to_string(), Vec::new());
        for name in unreached {
            of_type
                .entry(name)
                .or_default()
                .insert(OTHER_MODELS.to_string());
        }
    }
    let count = features.areas.len();
    of_type.retain(|_, reaching| reaching.len() < count);
    of_type
}

/// Whether a tag pattern (`User`, or `User*` for every tag starting with `User`) takes `tag`.
fn matches(pattern: &str, tag: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => tag.starts_with(prefix),
        None => pattern == tag,
    }
}

/// `user_factor` → `user-factor`.
fn kebab(module: &str) -> String {
    module.replace('_', "-")
}

fn check_name(name: &str, file: &Path) -> Result<(), Error> {
    let valid = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        return Err(Error::new(
            ErrorKind::Syntax,
            file,
            format!("`{name}` is not a feature name (lowercase letters, digits, `-` and `_`)"),
        ));
    }
    if RESERVED.contains(&name) {
        return Err(Error::new(
            ErrorKind::Duplicate,
            file,
            format!("`{name}` is a feature the generated crate has already"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::TypeKind;

    #[test]
    fn patterns_take_a_tag_exactly_or_by_prefix() {
        assert!(matches("User", "User"));
        assert!(!matches("User", "UserFactor"));
        assert!(matches("User*", "UserFactor"));
        assert!(matches("User*", "User"));
        assert!(!matches("User*", "UISchema"));
    }

    #[test]
    fn feature_names_are_checked() {
        let file = Path::new("okta-codegen.toml");
        assert!(check_name("identity-providers", file).is_ok());
        for bad in [
            "Users",
            "",
            "-x",
            "a b",
            "full",
            "roundtrip",
            "default",
            "other-models",
        ] {
            assert!(check_name(bad, file).is_err(), "{bad}");
        }
    }

    /// Whether the types named in `ty` are compiled whenever `reach` is: `None` is always.
    fn check_reaches(
        api: &Api,
        ty: &TypeRef,
        reach: Option<&BTreeSet<String>>,
        what: &str,
    ) -> Result<(), String> {
        let mut stack = vec![ty];
        while let Some(t) = stack.pop() {
            match t {
                TypeRef::Named(n) => {
                    if let Some(needed) = api.features.of_type.get(n) {
                        let covered = reach.is_some_and(|r| r.is_subset(needed));
                        if !covered {
                            return Err(format!(
                                "{what} (compiled with {reach:?}) names {n} (only with {needed:?})"
                            ));
                        }
                    }
                }
                TypeRef::List(t) | TypeRef::Map(t) | TypeRef::Nullable(t) => stack.push(t),
                TypeRef::Primitive(_) | TypeRef::Any => {}
            }
        }
        Ok(())
    }

    /// On the project's spec with its configured areas: every type an operation or a type
    /// names is compiled whenever they are, so each feature alone (and so any set of them,
    /// the conditions being unions) leaves no name unresolved.
    #[test]
    fn whatever_is_compiled_has_what_it_names() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let spec = root.join("okta.yaml");
        let loaded = crate::load::load(crate::load::Source::File(&spec), Default::default())
            .expect("the spec loads");
        let options = crate::Options::from_config_beside(&spec).expect("the configuration");
        assert!(
            options.features.len() > 10,
            "the spec's areas are configured"
        );
        let mut api = crate::lower::lower(&loaded).expect("lowers");
        assign(&mut api, &options.features, &root.join("okta-codegen.toml")).expect("assigns");
        assert!(api.warnings.is_empty(), "{:?}", api.warnings);
        for module in &api.modules {
            let feature = BTreeSet::from([api.features.of_module[&module.name].clone()]);
            for op in &module.operations {
                for ty in op.type_refs() {
                    check_reaches(&api, ty, Some(&feature), &op.name).unwrap();
                }
            }
        }
        let mut gated = 0;
        for (name, def) in &api.types {
            let reach = api.features.of_type.get(name);
            gated += usize::from(reach.is_some());
            let mut refs: Vec<&TypeRef> = Vec::new();
            match &def.kind {
                TypeKind::Struct(s) => {
                    refs.extend(s.fields.iter().map(|f| &f.ty));
                    refs.extend(s.additional.iter());
                }
                TypeKind::Union(u) => refs.extend(u.variants.iter().map(|v| &v.ty)),
                TypeKind::Alias(t) => refs.push(t),
                TypeKind::Enum(_) => {}
            }
            for ty in refs {
                check_reaches(&api, ty, reach, name).unwrap();
            }
        }
        // Most types belong to some areas only; the users area is a small part.
        assert!(
            gated * 2 > api.types.len(),
            "{gated} of {}",
            api.types.len()
        );
        let users = api
            .features
            .of_type
            .values()
            .filter(|f| f.contains("users"))
            .count();
        assert!(users * 4 < gated, "users reaches {users} of {gated}");
    }

    fn api_with_tags(tags: &[&str]) -> Api {
        let spec = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{}",
            tags.iter()
                .enumerate()
                .map(|(i, t)| format!(
                    "  /p{i}:\n    get:\n      operationId: op{i}\n      tags: [{t}]\n      responses: {{'204': {{description: none}}}}\n"
                ))
                .collect::<String>()
        );
        let loaded = crate::load::load(
            crate::load::Source::Text {
                path: Path::new("t.yaml"),
                bytes: spec.as_bytes(),
            },
            Default::default(),
        )
        .expect("loads");
        crate::lower::lower(&loaded).expect("lowers")
    }

    #[test]
    fn tags_are_grouped_and_the_rest_are_features_of_their_own() {
        let mut api = api_with_tags(&["User", "UserFactor", "Group", "SystemLog", "Default"]);
        let areas = BTreeMap::from([
            ("users".to_string(), vec!["User*".to_string()]),
            (
                "groups".to_string(),
                vec!["Group".to_string(), "Missing".to_string()],
            ),
        ]);
        assign(&mut api, &areas, Path::new("okta-codegen.toml")).unwrap();
        let f = &api.features;
        assert_eq!(f.areas["users"], ["user", "user_factor"]);
        assert_eq!(f.areas["groups"], ["group"]);
        assert_eq!(f.areas["system-log"], ["system_log"]);
        // A name Cargo keeps for itself gets a suffix.
        assert_eq!(f.areas["default-operations"], ["default"]);
        let messages: Vec<&str> = api.warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`SystemLog` is in no configured feature"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`Missing` matches no tag"))
        );

        let mut api = api_with_tags(&["User"]);
        let twice = BTreeMap::from([
            ("a".to_string(), vec!["User".to_string()]),
            ("b".to_string(), vec!["U*".to_string()]),
        ]);
        let err = assign(&mut api, &twice, Path::new("okta-codegen.toml")).unwrap_err();
        assert!(err.to_string().contains("is in two features"), "{err}");
    }
}
