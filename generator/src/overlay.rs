//! [OpenAPI Overlay 1.0](https://spec.openapis.org/overlay/v1.0.0.html) documents: ordered
//! actions, each an RFC 9535 JSONPath `target` with an `update` to merge into every node it
//! selects or `remove: true` to delete them.
//!
//! Merging follows the specification: an object update is merged into an object target key by
//! key (objects recursively; scalars and arrays replace what was there); an update on an array
//! target is appended to it (each element of an array update, or the value itself). The
//! JSONPath is evaluated by `serde_json_path`, a complete RFC 9535 implementation.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::{Error, ErrorKind};
use crate::ir::Warning;
use crate::pointer::Pointer;

/// One overlay document.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// The file it was read from.
    pub file: PathBuf,
    pub title: String,
    pub actions: Vec<Action>,
}

/// One action of an overlay.
#[derive(Debug, Clone)]
pub struct Action {
    pub target: JsonPath,
    /// The target as written, for messages.
    pub target_text: String,
    /// Why the action is there.
    pub description: Option<String>,
    pub change: Change,
}

/// What an action does to the nodes its target selects.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Update(Value),
    Remove,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverlay {
    overlay: String,
    info: RawInfo,
    #[serde(default)]
    extends: Option<String>,
    actions: Vec<RawAction>,
}

#[derive(Deserialize)]
struct RawInfo {
    title: String,
    #[allow(dead_code)]
    version: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    target: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    update: Option<Value>,
    #[serde(default)]
    remove: bool,
}

impl Overlay {
    /// Reads one overlay document (YAML or JSON).
    pub fn read(file: &Path) -> Result<Overlay, Error> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| Error::new(ErrorKind::Io, file, format!("cannot read: {e}")))?;
        Overlay::parse(file, &text)
    }

    /// Parses overlay text; `file` is used for messages.
    pub fn parse(file: &Path, text: &str) -> Result<Overlay, Error> {
        let value = crate::load::parse_text(file, text, 1)?;
        let raw: RawOverlay = crate::load::from_value(file, &value, "#").map_err(|mut e| {
            e.message = e.message.replace("OpenAPI 3.0", "Overlay 1.0");
            e
        })?;
        if !raw.overlay.starts_with("1.0.") {
            return Err(Error::new(
                ErrorKind::Version,
                file,
                format!("overlay version `{}` is not 1.0.x", raw.overlay),
            )
            .at("#/overlay"));
        }
        let _ = raw.extends;
        let mut actions = Vec::with_capacity(raw.actions.len());
        for (i, a) in raw.actions.into_iter().enumerate() {
            let at = Pointer::root().join("actions").join(i);
            let target = JsonPath::parse(&a.target).map_err(|e| {
                Error::new(
                    ErrorKind::Syntax,
                    file,
                    format!("`{}` is not an RFC 9535 JSONPath: {e}", a.target),
                )
                .at(at.join("target"))
            })?;
            let change = match (a.remove, a.update) {
                (true, _) => Change::Remove,
                (false, Some(update)) => Change::Update(update),
                (false, None) => {
                    return Err(Error::new(
                        ErrorKind::Structure,
                        file,
                        "an action needs `update` or `remove: true`",
                    )
                    .at(at));
                }
            };
            actions.push(Action {
                target,
                target_text: a.target,
                description: a.description,
                change,
            });
        }
        Ok(Overlay {
            file: file.to_path_buf(),
            title: raw.info.title,
            actions,
        })
    }

    /// Every overlay under `dir` (`.yaml`, `.yml`, `.json`, sub-folders included), in the order
    /// of their paths relative to `dir`.
    pub fn read_dir(dir: &Path) -> Result<Vec<Overlay>, Error> {
        let mut files = Vec::new();
        collect(dir, &mut files)?;
        files.sort();
        files.iter().map(|f| Overlay::read(f)).collect()
    }

    /// Applies the actions in order. An action whose target selects nothing changes nothing
    /// and is reported (the document it was written for has moved on).
    pub fn apply(&self, doc: &mut Value) -> Result<Vec<Warning>, Error> {
        let mut unmatched = Vec::new();
        for (i, action) in self.actions.iter().enumerate() {
            let at = Pointer::root().join("actions").join(i);
            let nodes: Vec<String> = action
                .target
                .query_located(doc)
                .locations()
                .map(|p| p.to_json_pointer())
                .collect();
            if nodes.is_empty() {
                unmatched.push(Warning {
                    message: format!(
                        "{}: the target `{}` selects nothing; the action was not applied",
                        self.file.display(),
                        action.target_text
                    ),
                    pointer: at.into(),
                });
                continue;
            }
            match &action.change {
                Change::Update(update) => {
                    for node in &nodes {
                        let target = doc
                            .pointer_mut(node)
                            .expect("a located node exists until the document changes");
                        update_node(target, update).map_err(|what| {
                            Error::new(ErrorKind::Structure, &self.file, what)
                                .at(at.join("update"))
                                .hint(format!(
                                    "the target `{}` selects #{node}",
                                    action.target_text
                                ))
                        })?;
                    }
                }
                Change::Remove => {
                    // Deepest and last first, so that array indices stay valid.
                    let mut nodes = nodes;
                    nodes.sort_by(|a, b| pointer_order(b, a));
                    nodes.dedup();
                    for node in &nodes {
                        remove_node(doc, node);
                    }
                }
            }
        }
        Ok(unmatched)
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::new(ErrorKind::Io, dir, format!("cannot read the folder: {e}")))?;
    for entry in entries {
        let path = entry
            .map_err(|e| Error::new(ErrorKind::Io, dir, format!("cannot read the folder: {e}")))?
            .path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            files.push(path);
        }
    }
    Ok(())
}

/// Merges `update` into `target` as Overlay 1.0 says; the error says what did not fit.
fn update_node(target: &mut Value, update: &Value) -> Result<(), String> {
    match (target, update) {
        (Value::Array(items), Value::Array(more)) => items.extend(more.iter().cloned()),
        (Value::Array(items), one) => items.push(one.clone()),
        (Value::Object(map), Value::Object(update)) => merge(map, update),
        (target, update) => {
            return Err(format!(
                "cannot merge {} into {}: an update must be an object (for an object target) or be appended (for an array target)",
                crate::load::kind_of(update),
                crate::load::kind_of(target)
            ));
        }
    }
    Ok(())
}

fn merge(map: &mut serde_json::Map<String, Value>, update: &serde_json::Map<String, Value>) {
    for (key, value) in update {
        match (map.get_mut(key), value) {
            (Some(Value::Object(inner)), Value::Object(update)) => merge(inner, update),
            _ => {
                map.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Orders JSON pointers so that, among siblings, array indices compare as numbers.
fn pointer_order(a: &str, b: &str) -> std::cmp::Ordering {
    let mut a_tokens = a.split('/');
    let mut b_tokens = b.split('/');
    loop {
        match (a_tokens.next(), b_tokens.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<usize>(), y.parse::<usize>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => x.cmp(y),
                };
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

fn remove_node(doc: &mut Value, node: &str) {
    let Some((parent, last)) = node.rsplit_once('/') else {
        return;
    };
    let token = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&token);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = token.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(text: &str) -> Overlay {
        Overlay::parse(Path::new("test.yaml"), text).unwrap()
    }

    #[test]
    fn updates_merge_objects_replace_scalars_and_append_to_arrays() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"operationId": "x", "tags": ["T"], "responses": {"200": {}}}}},
            "tags": [{"name": "T"}]
        });
        let o = overlay(
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n\
             - target: $.paths['/a'].get\n  update: {operationId: y, tags: [U], responses: {'204': {}}}\n\
             - target: $.tags\n  update: [{name: U}]\n\
             - target: $.tags[?@.name == 'T']\n  update: {description: Ours.}\n",
        );
        assert!(o.apply(&mut doc).unwrap().is_empty());
        assert_eq!(
            doc,
            json!({
                "paths": {"/a": {"get": {"operationId": "y", "tags": ["U"], "responses": {"200": {}, "204": {}}}}},
                "tags": [{"name": "T", "description": "Ours."}, {"name": "U"}]
            })
        );
    }

    #[test]
    fn removes_every_selected_node_and_reports_targets_that_select_nothing() {
        let mut doc = json!({"enum": ["A", "B", "A", "C"], "keep": {"x": 1, "y": 2}});
        let o = overlay(
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n\
             - target: $.enum[?@ == 'A']\n  remove: true\n\
             - target: $.keep.y\n  remove: true\n\
             - target: $.nothing\n  remove: true\n",
        );
        let unmatched = o.apply(&mut doc).unwrap();
        assert_eq!(doc, json!({"enum": ["B", "C"], "keep": {"x": 1}}));
        assert_eq!(unmatched.len(), 1);
        assert_eq!(unmatched[0].pointer, "#/actions/2");
        assert!(unmatched[0].message.contains("`$.nothing` selects nothing"));
    }

    #[test]
    fn bad_overlays_are_errors_that_name_the_place() {
        let bad_path = Overlay::parse(
            Path::new("o.yaml"),
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n- target: $.paths[\n  remove: true\n",
        )
        .unwrap_err();
        assert_eq!(bad_path.pointer(), Some("#/actions/0/target"));
        let version = Overlay::parse(
            Path::new("o.yaml"),
            "overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: []\n",
        )
        .unwrap_err();
        assert_eq!(version.kind, ErrorKind::Version);
        let no_change = Overlay::parse(
            Path::new("o.yaml"),
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n- target: $.a\n",
        )
        .unwrap_err();
        assert_eq!(no_change.pointer(), Some("#/actions/0"));
        let mut doc = json!({"a": "text"});
        let scalar = overlay(
            "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n- target: $.a\n  update: {b: 1}\n",
        )
        .apply(&mut doc)
        .unwrap_err();
        assert_eq!(scalar.pointer(), Some("#/actions/0/update"));
        assert!(
            scalar.message.contains("cannot merge object into string"),
            "{scalar}"
        );
    }
}
