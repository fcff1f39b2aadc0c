//! The intermediate model: plain data describing the client to emit.
//!
//! Lowering fills it from a spec; emitting reads it. It holds Rust names already chosen
//! (and JSON names kept beside them), but no `openapiv3` types and no tokens.

use std::collections::BTreeMap;

/// Everything the emitter needs for one crate.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// The spec file's name (no directories) and SHA-256, for the generated-file header.
    pub spec_name: String,
    pub spec_sha256: String,
    /// Server URL templates, in spec order.
    pub servers: Vec<String>,
    /// Operation groups (one per first tag), sorted by module name.
    pub modules: Vec<Module>,
    /// Named types, keyed and sorted by Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// Things lowering had to decide that a reader should know about (renames, fallbacks).
    pub warnings: Vec<Warning>,
    /// The crate's Cargo features, one per API area.
    pub features: Features,
}

/// Cargo features, one per API area (`lower::features`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    /// Each feature, by name, with the operations modules it compiles.
    pub areas: BTreeMap<String, Vec<String>>,
    /// The feature of each operations module, by module name.
    pub of_module: BTreeMap<String, String>,
    /// The features whose operations reach a type, for the types compiled only with some of
    /// them; every other type is always compiled.
    pub of_type: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl Api {
    /// All operations, module by module.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.modules.iter().flat_map(|m| m.operations.iter())
    }

    /// Keeps the operations `keep` accepts and the types they reach; drops empty modules.
    pub fn retain_operations(&mut self, keep: impl Fn(&Operation) -> bool) {
        for m in &mut self.modules {
            m.operations.retain(&keep);
        }
        self.modules.retain(|m| !m.operations.is_empty());
        let mut reached = std::collections::BTreeSet::new();
        for op in self.operations() {
            for ty in op.type_refs() {
                self.reach(ty, &mut reached);
            }
        }
        self.types.retain(|name, _| reached.contains(name));
    }

    /// Adds to `out` the names of every type `ty` reaches.
    pub fn reach(&self, ty: &TypeRef, out: &mut std::collections::BTreeSet<String>) {
        let mut stack = vec![ty.clone()];
        while let Some(t) = stack.pop() {
            match t {
                TypeRef::Named(n) => {
                    if !out.insert(n.clone()) {
                        continue;
                    }
                    match self.types.get(&n).map(|d| &d.kind) {
                        Some(TypeKind::Struct(s)) => {
                            stack.extend(s.fields.iter().map(|f| f.ty.clone()));
                            stack.extend(s.additional.iter().cloned());
                        }
                        Some(TypeKind::Union(u)) => {
                            stack.extend(u.variants.iter().map(|v| v.ty.clone()))
                        }
                        Some(TypeKind::Alias(t)) => stack.push(t.clone()),
                        Some(TypeKind::Enum(_)) | None => {}
                    }
                }
                TypeRef::List(t) | TypeRef::Map(t) | TypeRef::Nullable(t) => stack.push(*t),
                TypeRef::Primitive(_) | TypeRef::Any => {}
            }
        }
    }
}

impl Operation {
    /// The types of the parameters, body and responses.
    pub fn type_refs(&self) -> impl Iterator<Item = &TypeRef> {
        self.params
            .iter()
            .map(|p| &p.ty)
            .chain(self.body.iter().map(|b| &b.ty))
            .chain(
                self.responses
                    .iter()
                    .chain(&self.errors)
                    .filter_map(|r| r.body.as_ref().map(|b| &b.ty)),
            )
    }
}

/// A non-fatal finding, with the JSON pointer it concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    pub pointer: String,
    pub message: String,
}

/// The operations of one tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// snake_case module name.
    pub name: String,
    /// The tag as written in the spec.
    pub tag: String,
    pub doc: Option<String>,
    /// Sorted by method name.
    pub operations: Vec<Operation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

/// One client method.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// snake_case method name.
    pub name: String,
    /// UpperCamelCase name of its request builder.
    pub builder_name: String,
    /// The operationId as written in the spec.
    pub operation_id: String,
    pub method: Method,
    /// The path template as written in the spec, e.g. `/api/v1/users/{userId}`.
    pub path: String,
    pub doc: Option<String>,
    /// Okta's reference page for the operation (`externalDocs.url`).
    pub reference: Option<String>,
    /// Other names it is known by (Okta's current operationId where the spec renamed it,
    /// and its snake_case), for `#[doc(alias)]`.
    pub aliases: Vec<String>,
    pub deprecated: bool,
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    /// 2xx responses, sorted by status.
    pub responses: Vec<Response>,
    /// Declared error (4xx/5xx/default) responses, sorted by status.
    pub errors: Vec<Response>,
    /// Whether the list pages with `Link: <…>; rel="next"` headers.
    pub paginated: bool,
    /// Whether the operation sends the client's credentials (`security: []` turns them off).
    pub authenticated: bool,
    /// The first tag, which picks the module.
    pub tag: String,
    /// Where the operation stands in the spec.
    pub pointer: String,
}

/// Where a parameter goes in the request (OpenAPI `in`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    /// The spec's name for it (`in: path`): `path`, `query`, `header` or `cookie`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }

    /// What a parameter there is called in prose: `path parameter`, `query parameter`,
    /// `header` or `cookie`.
    pub fn noun(self) -> &'static str {
        match self {
            ParamLocation::Path => "path parameter",
            ParamLocation::Query => "query parameter",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// How a parameter value is written, as the spec says it (OpenAPI `style` + `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// Path and header default: comma-separated lists.
    Simple,
    /// Query default: `a=1&a=2` when exploded, `a=1,2` otherwise.
    Form { explode: bool },
    /// `a=1%202` (space-delimited lists).
    SpaceDelimited,
    /// `a=1|2`.
    PipeDelimited,
    /// `a[key]=value`.
    DeepObject,
}

impl ParamStyle {
    /// How the elements of a list in this style are put on the wire.
    pub fn list_style(self) -> ListStyle {
        match self {
            ParamStyle::Form { explode: true } | ParamStyle::DeepObject => ListStyle::Repeat,
            ParamStyle::Form { explode: false } | ParamStyle::Simple => ListStyle::Comma,
            ParamStyle::SpaceDelimited => ListStyle::Space,
            ParamStyle::PipeDelimited => ListStyle::Pipe,
        }
    }
}

/// How a parameter's value is put into the request, decided by lowering from its type and
/// style; the emitter writes what this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamEncoding {
    /// As text (`Display`): strings, numbers, booleans and string enums.
    Text,
    /// A list of such values, element by element, joined or repeated as the style says.
    List(ListStyle),
    /// As JSON text: objects, maps, raw bytes (`format: binary`, which have no text form),
    /// lists of those, and any JSON value.
    Json,
}

/// How the elements of a list parameter are put on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStyle {
    /// `a=1&a=2` (`form` exploded, the query default; `deepObject`).
    Repeat,
    /// `a=1,2` (`form` not exploded; `simple`, the path and header default).
    Comma,
    /// `a=1%202` (`spaceDelimited`).
    Space,
    /// `a=1|2` (`pipeDelimited`).
    Pipe,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The name on the wire.
    pub name: String,
    /// snake_case Rust name (argument or setter).
    pub rust_name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub ty: TypeRef,
    pub style: ParamStyle,
    pub encoding: ParamEncoding,
    pub doc: Option<String>,
    pub deprecated: bool,
}

/// How a body is put on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    Json,
    Form,
    Multipart,
    Text,
    Binary,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    pub content_type: String,
    pub format: BodyFormat,
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
}

/// A response status as the spec keys it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Code(u16),
    /// `2XX` and the like: the hundreds digit.
    Range(u16),
    Default,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: Status,
    pub doc: Option<String>,
    /// The body, if the response has one.
    pub body: Option<ResponseBody>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResponseBody {
    pub content_type: String,
    pub format: BodyFormat,
    pub ty: TypeRef,
    /// Okta may answer with an empty body (`x-okta-may-be-empty`): decoded as `Option<ty>`.
    pub may_be_empty: bool,
}

/// A use of a type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    Primitive(Primitive),
    /// A type of `Api::types`, by Rust name.
    Named(String),
    List(Box<TypeRef>),
    /// An object with string keys and values of one type.
    Map(Box<TypeRef>),
    /// A value that may be JSON `null` where it cannot be left out: the values of a map whose
    /// schema is `nullable` (`Option<T>`; `None` is written as `null`).
    Nullable(Box<TypeRef>),
    /// Any JSON value.
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Primitive {
    String,
    I32,
    I64,
    F32,
    F64,
    Bool,
    /// Raw bytes (binary bodies).
    Bytes,
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub name: String,
    pub doc: Option<String>,
    pub kind: TypeKind,
    /// Where the schema stands in the spec.
    pub pointer: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Struct(Struct),
    Enum(StringEnum),
    Union(Union),
    /// `pub type Name = Target;`
    Alias(TypeRef),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    /// In spec order.
    pub fields: Vec<Field>,
    /// Extra properties kept beside the named fields (`additionalProperties`).
    pub additional: Option<TypeRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The property name in JSON.
    pub json_name: String,
    /// snake_case Rust field name (without `r#`).
    pub rust_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub read_only: bool,
    pub write_only: bool,
    /// The field's type reaches back to its own struct without indirection, so it must be boxed.
    pub boxed: bool,
    pub doc: Option<String>,
}

/// A string enum; unknown values are kept by the emitted type.
#[derive(Debug, Clone, PartialEq)]
pub struct StringEnum {
    pub variants: Vec<EnumVariant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumVariant {
    /// The value on the wire.
    pub value: String,
    /// UpperCamelCase variant name.
    pub rust_name: String,
}

/// A choice between types: discriminated by a property, or tried in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// The property whose value names the variant (JSON name).
    pub discriminator: Option<String>,
    pub variants: Vec<UnionVariant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    pub rust_name: String,
    /// Discriminator values selecting this variant (empty without a discriminator).
    pub tags: Vec<String>,
    pub ty: TypeRef,
}
