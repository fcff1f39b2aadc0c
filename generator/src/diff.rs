//! Comparing two specs through the IR, in terms of the generated Rust API, with the semver
//! impact of each change.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::ir::{Api, Operation, ParamLocation, StringEnum, Struct, TypeKind, TypeRef, Union};

/// What a change means for users of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// New API; existing code keeps compiling and behaving (a minor version).
    Additive,
    /// Existing code may stop compiling or behave differently (a major version).
    Breaking,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub impact: Impact,
    /// What the change is about: `operation get_user`, `type User`, …
    pub subject: String,
    pub what: String,
    /// Why it has this impact, in one line.
    pub reason: String,
}

/// All changes, sorted, and the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub changes: Vec<Change>,
}

/// The overall verdict, and the process exit code that says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    None,
    Additive,
    Breaking,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::None => 0,
            Verdict::Additive => 1,
            Verdict::Breaking => 3,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Verdict::None => "no change to the generated API",
            Verdict::Additive => "additive: a minor version",
            Verdict::Breaking => "breaking: a major version",
        }
    }
}

impl Report {
    pub fn verdict(&self) -> Verdict {
        match self.changes.iter().map(|c| c.impact).max() {
            None => Verdict::None,
            Some(Impact::Additive) => Verdict::Additive,
            Some(Impact::Breaking) => Verdict::Breaking,
        }
    }

    /// Plain text, one change a line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            let tag = match c.impact {
                Impact::Breaking => "breaking",
                Impact::Additive => "additive",
            };
            let _ = writeln!(out, "{tag:<9} {}: {} ({})", c.subject, c.what, c.reason);
        }
        let _ = writeln!(out, "verdict: {}", self.verdict().describe());
        out
    }

    /// Markdown for a pull request: breaking changes first, then additive ones.
    pub fn markdown(&self) -> String {
        let mut out = String::from("## API changes of the generated client\n\n");
        for (impact, title) in [
            (Impact::Breaking, "Breaking"),
            (Impact::Additive, "Additive"),
        ] {
            let rows: Vec<&Change> = self.changes.iter().filter(|c| c.impact == impact).collect();
            if rows.is_empty() {
                continue;
            }
            let _ = writeln!(out, "### {title} ({})\n", rows.len());
            out.push_str("| subject | change | why |\n|---|---|---|\n");
            for c in rows {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} |",
                    c.subject,
                    c.what
                        .replace('|', "\\|")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;"),
                    c.reason.replace('|', "\\|")
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "**Verdict: {}.**", self.verdict().describe());
        out
    }
}

/// Compares two lowered specs.
pub fn diff(old: &Api, new: &Api) -> Report {
    let mut changes = Vec::new();
    operations(old, new, &mut changes);
    types(old, new, &mut changes);
    changes.sort();
    changes.dedup();
    Report { changes }
}

fn change(changes: &mut Vec<Change>, impact: Impact, subject: String, what: String, reason: &str) {
    changes.push(Change {
        impact,
        subject,
        what,
        reason: reason.to_string(),
    });
}

fn ty(t: &TypeRef) -> String {
    match t {
        TypeRef::Primitive(p) => format!("{p:?}").to_lowercase(),
        TypeRef::Named(n) => n.clone(),
        TypeRef::List(t) => format!("Vec<{}>", ty(t)),
        TypeRef::Map(t) => format!("BTreeMap<String, {}>", ty(t)),
        TypeRef::Nullable(t) => format!("Option<{}>", ty(t)),
        TypeRef::Any => "serde_json::Value".into(),
    }
}

fn success_types(op: &Operation) -> Vec<String> {
    op.responses
        .iter()
        .map(|r| {
            let status = match r.status {
                crate::ir::Status::Code(c) => c.to_string(),
                crate::ir::Status::Range(r) => format!("{r}XX"),
                crate::ir::Status::Default => "default".into(),
            };
            format!(
                "{status}: {}",
                r.body
                    .as_ref()
                    .map(|b| ty(&b.ty))
                    .unwrap_or_else(|| "()".into())
            )
        })
        .collect()
}

fn operations(old: &Api, new: &Api, changes: &mut Vec<Change>) {
    let old_ops: BTreeMap<&str, &Operation> =
        old.operations().map(|o| (o.name.as_str(), o)).collect();
    let new_ops: BTreeMap<&str, &Operation> =
        new.operations().map(|o| (o.name.as_str(), o)).collect();
    let key = |o: &Operation| (o.method, o.path.clone());
    let mut renamed = BTreeSet::new();
    for (name, op) in &old_ops {
        if new_ops.contains_key(name) {
            continue;
        }
        // Same method and path under a new name: a rename.
        let successor = new_ops
            .values()
            .find(|n| !old_ops.contains_key(n.name.as_str()) && key(n) == key(op));
        match successor {
            Some(n) => {
                renamed.insert(n.name.as_str());
                change(
                    changes,
                    Impact::Breaking,
                    format!("operation {name}"),
                    format!(
                        "renamed to `{}` ({} {})",
                        n.name,
                        op.method.as_str(),
                        op.path
                    ),
                    "calls of the old method no longer compile",
                );
                compare_operation(op, n, changes);
            }
            None => change(
                changes,
                Impact::Breaking,
                format!("operation {name}"),
                format!("removed ({} {})", op.method.as_str(), op.path),
                "calls of the method no longer compile",
            ),
        }
    }
    for (name, op) in &new_ops {
        match old_ops.get(name) {
            None if !renamed.contains(name) => change(
                changes,
                Impact::Additive,
                format!("operation {name}"),
                format!("added ({} {})", op.method.as_str(), op.path),
                "a new method",
            ),
            None => {}
            Some(o) => compare_operation(o, op, changes),
        }
    }
}

fn compare_operation(old: &Operation, new: &Operation, changes: &mut Vec<Change>) {
    let subject = format!("operation {}", new.name);
    compare_endpoint(old, new, &subject, changes);
    compare_params(old, new, &subject, changes);
    compare_body(old, new, &subject, changes);
    compare_responses(old, new, &subject, changes);
}

/// The method and path a call reaches.
fn compare_endpoint(old: &Operation, new: &Operation, subject: &str, changes: &mut Vec<Change>) {
    if (old.method, &old.path) != (new.method, &new.path) {
        change(
            changes,
            Impact::Breaking,
            subject.to_string(),
            format!(
                "now `{} {}` (was `{} {}`)",
                new.method.as_str(),
                new.path,
                old.method.as_str(),
                old.path
            ),
            "the same call reaches another endpoint",
        );
    }
}

/// Parameters added, removed, retyped, or moved between argument and setter.
fn compare_params(old: &Operation, new: &Operation, subject: &str, changes: &mut Vec<Change>) {
    let params = |o: &Operation| -> BTreeMap<(ParamLocation, String), (bool, String)> {
        o.params
            .iter()
            .map(|p| ((p.location, p.name.clone()), (p.required, ty(&p.ty))))
            .collect()
    };
    let (po, pn) = (params(old), params(new));
    for ((loc, name), (req, t)) in &pn {
        let label = format!("{} parameter `{name}`", loc.as_str()).to_lowercase();
        match po.get(&(*loc, name.clone())) {
            None if *req => change(
                changes,
                Impact::Breaking,
                subject.to_string(),
                format!("required {label} added ({t})"),
                "a new method argument",
            ),
            None => change(
                changes,
                Impact::Additive,
                subject.to_string(),
                format!("optional {label} added ({t})"),
                "a new chained setter",
            ),
            Some(was) => compare_param(&label, was, (*req, t), subject, changes),
        }
    }
    for ((loc, name), _) in po.iter().filter(|(k, _)| !pn.contains_key(*k)) {
        change(
            changes,
            Impact::Breaking,
            subject.to_string(),
            format!("{} parameter `{name}` removed", loc.as_str()),
            "calls passing it no longer compile",
        );
    }
}

/// A parameter both versions have: its type, and whether it is required.
fn compare_param(
    label: &str,
    (old_req, old_t): &(bool, String),
    (req, t): (bool, &String),
    subject: &str,
    changes: &mut Vec<Change>,
) {
    if old_t != t {
        change(
            changes,
            Impact::Breaking,
            subject.to_string(),
            format!("{label} retyped: {old_t} → {t}"),
            "callers pass the old type",
        );
    }
    if *old_req != req {
        let (what, reason) = if req {
            (
                "optional → required",
                "the setter becomes a method argument",
            )
        } else {
            (
                "required → optional",
                "the method argument becomes a setter",
            )
        };
        change(
            changes,
            Impact::Breaking,
            subject.to_string(),
            format!("{label} {what}"),
            reason,
        );
    }
}

/// The request body added, removed, retyped, or made required or optional.
fn compare_body(old: &Operation, new: &Operation, subject: &str, changes: &mut Vec<Change>) {
    let body = |o: &Operation| o.body.as_ref().map(|b| (ty(&b.ty), b.required));
    match (body(old), body(new)) {
        (None, Some((t, true))) => change(
            changes,
            Impact::Breaking,
            subject.to_string(),
            format!("required request body added ({t})"),
            "a new method argument",
        ),
        (None, Some((t, false))) => change(
            changes,
            Impact::Additive,
            subject.to_string(),
            format!("optional request body added ({t})"),
            "a new `body` setter",
        ),
        (Some((t, _)), None) => change(
            changes,
            Impact::Breaking,
            subject.to_string(),
            format!("request body removed (was {t})"),
            "calls passing a body no longer compile",
        ),
        (Some((a, ra)), Some((b, rb))) => {
            if a != b {
                change(
                    changes,
                    Impact::Breaking,
                    subject.to_string(),
                    format!("request body retyped: {a} → {b}"),
                    "callers build the old type",
                );
            }
            if ra != rb {
                change(
                    changes,
                    Impact::Breaking,
                    subject.to_string(),
                    format!(
                        "request body {}",
                        if rb { "now required" } else { "now optional" }
                    ),
                    "the body moves between argument and setter",
                );
            }
        }
        (None, None) => {}
    }
}

/// What `send()` returns: the success responses and pagination.
fn compare_responses(old: &Operation, new: &Operation, subject: &str, changes: &mut Vec<Change>) {
    let (so, sn) = (success_types(old), success_types(new));
    if so != sn {
        change(
            changes,
            Impact::Breaking,
            subject.to_string(),
            format!("response changed: {} → {}", so.join(", "), sn.join(", ")),
            "`send()` returns another type",
        );
    }
    if old.paginated != new.paginated {
        change(
            changes,
            Impact::Breaking,
            subject.to_string(),
            if new.paginated {
                "now paginated".into()
            } else {
                "no longer paginated".into()
            },
            "`send()` returns a `Page` instead of the list, or the other way round",
        );
    }
}

fn types(old: &Api, new: &Api, changes: &mut Vec<Change>) {
    for name in old.types.keys() {
        if !new.types.contains_key(name) {
            change(
                changes,
                Impact::Breaking,
                format!("type {name}"),
                "removed".into(),
                "code naming it no longer compiles",
            );
        }
    }
    for (name, def) in &new.types {
        let subject = format!("type {name}");
        let Some(old_def) = old.types.get(name) else {
            change(
                changes,
                Impact::Additive,
                subject,
                "added".into(),
                "a new type",
            );
            continue;
        };
        match (&old_def.kind, &def.kind) {
            (TypeKind::Struct(a), TypeKind::Struct(b)) => compare_struct(a, b, &subject, changes),
            (TypeKind::Enum(a), TypeKind::Enum(b)) => compare_enum(a, b, &subject, changes),
            (TypeKind::Union(a), TypeKind::Union(b)) => compare_union(a, b, &subject, changes),
            (TypeKind::Alias(a), TypeKind::Alias(b)) => {
                if ty(a) != ty(b) {
                    change(
                        changes,
                        Impact::Breaking,
                        subject,
                        format!("now an alias of {} (was {})", ty(b), ty(a)),
                        "code using it sees another type",
                    );
                }
            }
            (a, b) => change(
                changes,
                Impact::Breaking,
                subject,
                format!("kind changed: {} → {}", kind_name(a), kind_name(b)),
                "code using it no longer compiles",
            ),
        }
    }
}

/// Fields added, removed, retyped, or made required or optional by the spec.
fn compare_struct(a: &Struct, b: &Struct, subject: &str, changes: &mut Vec<Change>) {
    let fa: BTreeMap<&str, _> = a.fields.iter().map(|f| (f.json_name.as_str(), f)).collect();
    let fb: BTreeMap<&str, _> = b.fields.iter().map(|f| (f.json_name.as_str(), f)).collect();
    for (json, f) in &fb {
        match fa.get(json) {
            // Cargo's semver rules (and cargo-semver-checks' `constructible_struct_adds_field`):
            // a new public field breaks a struct literal that names every field.
            None => change(
                changes,
                Impact::Breaking,
                subject.to_string(),
                format!("field `{}` added ({})", f.rust_name, ty(&f.ty)),
                "struct literals naming every field stop compiling; with `..Default::default()` they keep compiling",
            ),
            Some(o) => {
                if ty(&o.ty) != ty(&f.ty) {
                    change(
                        changes,
                        Impact::Breaking,
                        subject.to_string(),
                        format!(
                            "field `{}` retyped: {} → {}",
                            f.rust_name,
                            ty(&o.ty),
                            ty(&f.ty)
                        ),
                        "code reading or setting it sees another type",
                    );
                }
                if o.required != f.required {
                    change(
                        changes,
                        Impact::Additive,
                        subject.to_string(),
                        format!(
                            "field `{}` {}",
                            f.rust_name,
                            if f.required {
                                "now required by the spec"
                            } else {
                                "now optional in the spec"
                            }
                        ),
                        "every field is an `Option`: the Rust type does not change",
                    );
                }
            }
        }
    }
    for (json, f) in &fa {
        if !fb.contains_key(json) {
            change(
                changes,
                Impact::Breaking,
                subject.to_string(),
                format!("field `{}` removed", f.rust_name),
                "code using it no longer compiles (the value stays in `additional_properties`)",
            );
        }
    }
}

/// Values added to or removed from a string enum.
fn compare_enum(a: &StringEnum, b: &StringEnum, subject: &str, changes: &mut Vec<Change>) {
    let va: BTreeSet<&str> = a.variants.iter().map(|v| v.value.as_str()).collect();
    let vb: BTreeSet<&str> = b.variants.iter().map(|v| v.value.as_str()).collect();
    for v in vb.difference(&va) {
        change(
            changes,
            Impact::Additive,
            subject.to_string(),
            format!("value `{v}` added"),
            "enums are `#[non_exhaustive]`; the value used to read as `Other`",
        );
    }
    for v in va.difference(&vb) {
        change(
            changes,
            Impact::Breaking,
            subject.to_string(),
            format!("value `{v}` removed"),
            "code naming the variant no longer compiles",
        );
    }
}

/// Variants added or removed, and the discriminator.
fn compare_union(a: &Union, b: &Union, subject: &str, changes: &mut Vec<Change>) {
    let va: BTreeMap<&str, String> = a
        .variants
        .iter()
        .map(|v| (v.rust_name.as_str(), v.tags.join(", ")))
        .collect();
    let vb: BTreeMap<&str, String> = b
        .variants
        .iter()
        .map(|v| (v.rust_name.as_str(), v.tags.join(", ")))
        .collect();
    for (v, tags) in &vb {
        if !va.contains_key(v) {
            change(
                changes,
                Impact::Additive,
                subject.to_string(),
                format!("variant `{v}` added ({tags})"),
                "unions are `#[non_exhaustive]`; such objects used to read as `Other`",
            );
        }
    }
    for v in va.keys() {
        if !vb.contains_key(v) {
            change(
                changes,
                Impact::Breaking,
                subject.to_string(),
                format!("variant `{v}` removed"),
                "code naming the variant no longer compiles",
            );
        }
    }
    if a.discriminator != b.discriminator {
        change(
            changes,
            Impact::Breaking,
            subject.to_string(),
            format!(
                "discriminator {:?} → {:?}",
                a.discriminator, b.discriminator
            ),
            "objects are told apart by another property",
        );
    }
}

fn kind_name(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Struct(_) => "struct",
        TypeKind::Enum(_) => "enum",
        TypeKind::Union(_) => "union",
        TypeKind::Alias(_) => "alias",
    }
}

/// The next version for a verdict: major for breaking (minor while 0.x), minor for additive
/// (patch while 0.x), unchanged for none.
pub fn bump(version: &str, verdict: Verdict) -> Option<String> {
    let mut parts = version.split('.').map(|p| p.parse::<u64>().ok());
    let (major, minor, patch) = (parts.next()??, parts.next()??, parts.next()??);
    Some(match (verdict, major) {
        (Verdict::None, _) => version.to_string(),
        (Verdict::Breaking, 0) => format!("0.{}.0", minor + 1),
        (Verdict::Breaking, m) => format!("{}.0.0", m + 1),
        (Verdict::Additive, 0) => format!("0.{minor}.{}", patch + 1),
        (Verdict::Additive, m) => format!("{m}.{}.0", minor + 1),
    })
}

/// Raises the version in `out/Cargo.toml` by the report's verdict and puts the report at the
/// top of `out/CHANGELOG.md`; returns the old and the new version.
pub fn bump_crate(
    out: &std::path::Path,
    report: &Report,
) -> Result<(String, String), crate::Error> {
    use crate::{Error, ErrorKind};
    let manifest = out.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| Error::new(ErrorKind::Io, &manifest, format!("cannot read: {e}")))?;
    let old = crate::CrateSettings::for_out_dir(out).version;
    let new = bump(&old, report.verdict()).ok_or_else(|| {
        Error::new(
            ErrorKind::Structure,
            &manifest,
            format!("version `{old}` is not MAJOR.MINOR.PATCH"),
        )
    })?;
    if new != old {
        let from = format!("version = \"{old}\"");
        let to = format!("version = \"{new}\"");
        std::fs::write(&manifest, text.replacen(&from, &to, 1))
            .map_err(|e| Error::new(ErrorKind::Io, &manifest, format!("cannot write: {e}")))?;
    }
    let changelog = out.join("CHANGELOG.md");
    let previous = std::fs::read_to_string(&changelog).unwrap_or_default();
    let body = previous
        .strip_prefix("# Changelog\n\n")
        .unwrap_or(&previous)
        .to_string();
    let entry = report.markdown().replacen(
        "## API changes of the generated client",
        &format!("## {new}"),
        1,
    );
    std::fs::write(&changelog, format!("# Changelog\n\n{entry}\n{body}"))
        .map_err(|e| Error::new(ErrorKind::Io, &changelog, format!("cannot write: {e}")))?;
    Ok((old, new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_the_verdict() {
        assert_eq!(bump("1.4.2", Verdict::Breaking).as_deref(), Some("2.0.0"));
        assert_eq!(bump("1.4.2", Verdict::Additive).as_deref(), Some("1.5.0"));
        assert_eq!(bump("0.3.1", Verdict::Breaking).as_deref(), Some("0.4.0"));
        assert_eq!(bump("0.3.1", Verdict::Additive).as_deref(), Some("0.3.2"));
        assert_eq!(bump("0.3.1", Verdict::None).as_deref(), Some("0.3.1"));
        assert_eq!(bump("x", Verdict::None), None);
    }
}
