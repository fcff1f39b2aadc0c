//! Lowering: an `openapiv3` document → the IR.
//!
//! Everything is visited in a sorted order (schemas by name, paths by template, methods in a
//! fixed order), so the names chosen for inline schemas and collisions are the same on every
//! run and do not depend on the order of the spec's maps.

pub mod features;
mod operations;
mod schemas;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use openapiv3::ReferenceOr;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind};
use crate::ir::{Api, TypeDef, TypeKind, TypeRef, Warning};
use crate::load::{self, LoadedSpec};
use crate::names::{self, NameSet};
use crate::pointer::Pointer;

/// Lowers a loaded spec into the IR.
pub fn lower(spec: &LoadedSpec) -> Result<Api, Error> {
    let mut cx = Lowerer::new(spec);
    cx.name_components();
    cx.lower_components()?;
    let modules = cx.lower_operations()?;
    cx.mark_boxed_fields();
    let api = &spec.api;
    let mut warnings = std::mem::take(&mut cx.warnings);
    warnings.extend(spec.warnings.iter().cloned());
    warnings.sort();
    warnings.dedup();
    Ok(Api {
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        description: api.info.description.as_deref().and_then(names::doc_text),
        spec_name: spec
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        spec_sha256: spec.sha256.clone(),
        servers: api.servers.iter().map(|s| s.url.clone()).collect(),
        modules,
        types: cx.types,
        warnings,
        features: Default::default(),
    })
}

pub(crate) struct Lowerer<'a> {
    spec: &'a LoadedSpec,
    file: &'a Path,
    /// Component schema key → Rust type name.
    component_names: BTreeMap<String, String>,
    /// Every type name handed out so far, and the names the emitted code keeps for itself.
    type_names: NameSet,
    types: BTreeMap<String, TypeDef>,
    /// Non-component `$ref` targets already lowered, by pointer.
    ref_cache: HashMap<String, TypeRef>,
    warnings: Vec<Warning>,
}

impl<'a> Lowerer<'a> {
    fn new(spec: &'a LoadedSpec) -> Self {
        Self {
            spec,
            file: &spec.path,
            component_names: BTreeMap::new(),
            type_names: NameSet::reserving(RESERVED_TYPES.iter().copied()),
            types: BTreeMap::new(),
            ref_cache: HashMap::new(),
            warnings: Vec::new(),
        }
    }

    fn warn(&mut self, at: &Pointer, message: impl Into<String>) {
        self.warnings.push(Warning {
            pointer: at.to_string(),
            message: message.into(),
        });
    }

    fn error(&self, kind: ErrorKind, at: &Pointer, message: impl Into<String>) -> Error {
        Error::new(kind, self.file, message).at(at)
    }

    fn name_taken(&self, name: &str) -> bool {
        self.type_names.contains(name)
    }

    /// Reserves a type name: `base`, or the first free `base2`, `base3`…; a rename is reported.
    fn claim_type_name(&mut self, base: &str, at: &Pointer) -> String {
        let name = self.type_names.claim(base);
        if name != base {
            self.warn(
                at,
                format!("the type name `{base}` is already used; this one is named `{name}`"),
            );
        }
        name
    }

    fn add_type(&mut self, def: TypeDef) -> TypeRef {
        let name = def.name.clone();
        self.types.insert(name.clone(), def);
        TypeRef::Named(name)
    }

    /// Follows a local `$ref` to the value it names, deserialized as `T`.
    fn resolve<T: DeserializeOwned>(&self, reference: &str, at: &Pointer) -> Result<T, Error> {
        let value = self.resolve_raw(reference, at)?;
        load::from_value(self.file, value, reference)
    }

    /// Resolves a `ReferenceOr<T>` to the item and where it stands, following chains of
    /// references: borrowed when it is given in place, read from the document when referenced.
    fn item<'r, T: DeserializeOwned + Clone>(
        &self,
        r: &'r ReferenceOr<T>,
        at: &Pointer,
    ) -> Result<(Cow<'r, T>, Pointer), Error> {
        let mut reference = match r {
            ReferenceOr::Item(item) => return Ok((Cow::Borrowed(item), at.clone())),
            ReferenceOr::Reference { reference } => reference.clone(),
        };
        let mut seen = BTreeSet::new();
        let mut where_ = at.clone();
        loop {
            if !seen.insert(reference.clone()) {
                return Err(self.error(
                    ErrorKind::Reference,
                    at,
                    format!("`$ref: {reference}` is part of a cycle of references"),
                ));
            }
            let value = self.resolve_raw(&reference, &where_)?;
            match load::from_value::<ReferenceOr<T>>(self.file, value, &reference)? {
                ReferenceOr::Item(item) => {
                    return Ok((Cow::Owned(item), Pointer::from_escaped(reference)));
                }
                ReferenceOr::Reference { reference: next } => {
                    where_ = Pointer::from_escaped(std::mem::replace(&mut reference, next));
                }
            }
        }
    }

    fn resolve_raw(&self, reference: &str, at: &Pointer) -> Result<&serde_json::Value, Error> {
        if !reference.starts_with('#') {
            return Err(self
                .error(
                    ErrorKind::Unsupported,
                    at,
                    format!("`$ref: {reference}` points outside this document"),
                )
                .hint("only local references (`#/...`) are supported; bundle the spec into one file first"));
        }
        load::resolve_pointer(&self.spec.raw, reference).ok_or_else(|| {
            self.error(
                ErrorKind::Reference,
                at,
                format!("`$ref: {reference}` points to nothing in this document"),
            )
        })
    }

    /// Marks struct fields that must be boxed because their type contains the struct itself
    /// without indirection (a `Vec` or map is indirection; an `Option` is not).
    fn mark_boxed_fields(&mut self) {
        let graph: BTreeMap<&str, Vec<&str>> = self
            .types
            .iter()
            .map(|(name, def)| (name.as_str(), direct_edges(&def.kind)))
            .collect();
        let scc = strongly_connected(&graph);
        let mut to_box = Vec::new();
        for (name, def) in &self.types {
            if let TypeKind::Struct(s) = &def.kind {
                for (i, f) in s.fields.iter().enumerate() {
                    if let TypeRef::Named(target) = &f.ty {
                        if scc.get(target.as_str()) == scc.get(name.as_str()) {
                            to_box.push((name.clone(), i));
                        }
                    }
                }
            }
        }
        for (name, i) in to_box {
            if let Some(TypeDef {
                kind: TypeKind::Struct(s),
                ..
            }) = self.types.get_mut(&name)
            {
                s.fields[i].boxed = true;
            }
        }
    }
}

/// Type names the emitted code uses for itself in the models module.
const RESERVED_TYPES: &[&str] = &["Option", "Result", "String", "Vec", "Box", "BTreeMap"];

fn direct_edges(kind: &TypeKind) -> Vec<&str> {
    match kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .filter_map(|f| match &f.ty {
                TypeRef::Named(n) => Some(n.as_str()),
                _ => None,
            })
            .collect(),
        TypeKind::Alias(TypeRef::Named(n)) => vec![n.as_str()],
        // Union variants are always boxed; lists and maps are heap indirection.
        _ => Vec::new(),
    }
}

/// Tarjan's algorithm; returns each node's component id.
fn strongly_connected<'g>(graph: &BTreeMap<&'g str, Vec<&'g str>>) -> HashMap<&'g str, usize> {
    struct State<'g> {
        index: HashMap<&'g str, usize>,
        low: HashMap<&'g str, usize>,
        on_stack: BTreeSet<&'g str>,
        stack: Vec<&'g str>,
        next: usize,
        comp: HashMap<&'g str, usize>,
        ncomp: usize,
    }
    fn visit<'g>(v: &'g str, graph: &BTreeMap<&'g str, Vec<&'g str>>, st: &mut State<'g>) {
        // Iterative DFS: deep schema graphs must not overflow the stack.
        let mut work: Vec<(&'g str, usize)> = vec![(v, 0)];
        st.index.insert(v, st.next);
        st.low.insert(v, st.next);
        st.next += 1;
        st.stack.push(v);
        st.on_stack.insert(v);
        while let Some((node, i)) = work.pop() {
            let succ = graph.get(node).map(Vec::as_slice).unwrap_or(&[]);
            if i < succ.len() {
                work.push((node, i + 1));
                let w = succ[i];
                if !graph.contains_key(w) {
                    continue;
                }
                if !st.index.contains_key(w) {
                    st.index.insert(w, st.next);
                    st.low.insert(w, st.next);
                    st.next += 1;
                    st.stack.push(w);
                    st.on_stack.insert(w);
                    work.push((w, 0));
                } else if st.on_stack.contains(w) {
                    let lw = st.index[w];
                    let ln = st.low[node];
                    st.low.insert(node, ln.min(lw));
                }
            } else {
                if st.low[node] == st.index[node] {
                    while let Some(w) = st.stack.pop() {
                        st.on_stack.remove(w);
                        st.comp.insert(w, st.ncomp);
                        if w == node {
                            break;
                        }
                    }
                    st.ncomp += 1;
                }
                if let Some(&(parent, _)) = work.last() {
                    let lp = st.low[parent];
                    let ln = st.low[node];
                    st.low.insert(parent, lp.min(ln));
                }
            }
        }
    }
    let mut st = State {
        index: HashMap::new(),
        low: HashMap::new(),
        on_stack: BTreeSet::new(),
        stack: Vec::new(),
        next: 0,
        comp: HashMap::new(),
        ncomp: 0,
    };
    for &v in graph.keys() {
        if !st.index.contains_key(v) {
            visit(v, graph, &mut st);
        }
    }
    // A node alone in its component is only "in a cycle" with itself if it has a self-edge;
    // give such lone nodes distinct ids from anything they point at, which they already have.
    st.comp
}

/// `#/components/schemas/{name}` for a schema key.
pub(crate) fn schema_pointer(name: &str) -> Pointer {
    Pointer::from_tokens(["components", "schemas", name])
}
