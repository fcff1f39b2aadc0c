//! Paths and operations → client methods grouped by tag.

use std::collections::BTreeMap;

use openapiv3::{
    MediaType, Operation as SpecOperation, Parameter, ParameterSchemaOrContent, PathItem,
    QueryStyle, ReferenceOr, RequestBody as SpecRequestBody, Response as SpecResponse, StatusCode,
};
use serde::Deserialize;

use super::Lowerer;
use crate::error::{Error, ErrorKind};
use crate::import::UPSTREAM_OPERATION_ID;
use crate::ir::{
    BodyFormat, Method, Module, Operation, Param, ParamEncoding, ParamLocation, ParamStyle,
    Primitive, RequestBody, Response, ResponseBody, Status, TypeKind, TypeRef,
};
use crate::load;
use crate::names::{self, NameSet};
use crate::pointer::Pointer;

/// The vendor extension that puts several named operations on one method + path.
pub const MULTI_OPERATION: &str = "x-okta-multi-operation";
/// The vendor extension that marks a list paged by `Link` headers.
pub const PAGINATED: &str = "x-okta-paginated";
/// The vendor extension on a success response whose declared JSON body Okta may leave out:
/// the operation returns `Option<T>`, `None` for an empty body.
pub const MAY_BE_EMPTY: &str = "x-okta-may-be-empty";

/// One entry of `x-okta-multi-operation`: a named variant of the operation it sits on, which
/// inherits path, method, responses and security, adds or overrides parameters (by name and
/// location) and replaces the request body when it gives one.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MultiOperation {
    operation_id: String,
    summary: Option<String>,
    description: Option<String>,
    external_docs: Option<openapiv3::ExternalDocumentation>,
    #[serde(default)]
    parameters: Vec<ReferenceOr<Parameter>>,
    request_body: Option<ReferenceOr<SpecRequestBody>>,
}

/// Where an operation stands: its path template, method and pointer, shared by the
/// variants of an `x-okta-multi-operation`.
struct Site<'s> {
    path: &'s str,
    method: Method,
    at: Pointer,
}

/// One operation to lower: the operation of a path item, or one variant of it.
struct OperationSource<'s> {
    site: &'s Site<'s>,
    item: &'s PathItem,
    op: &'s SpecOperation,
    variant: Option<&'s MultiOperation>,
    /// Where the operation (or the variant) stands.
    at: Pointer,
}

impl Lowerer<'_> {
    pub(super) fn lower_operations(&mut self) -> Result<Vec<Module>, Error> {
        let api = &self.spec.api;
        let mut paths: Vec<(&String, &ReferenceOr<PathItem>)> = api.paths.paths.iter().collect();
        paths.sort_by(|a, b| a.0.cmp(b.0));
        let global_security_empty = api.security.as_ref().is_some_and(|s| s.is_empty());

        let mut ops: Vec<Operation> = Vec::new();
        // operationId → where it was first seen.
        let mut ids: BTreeMap<String, Pointer> = BTreeMap::new();
        for (path, item) in paths {
            let path_at = Pointer::from_tokens(["paths", path.as_str()]);
            let (item, _) = self.item::<PathItem>(item, &path_at)?;
            for (method, op) in methods(&item) {
                let site = Site {
                    path,
                    method,
                    at: path_at.join(method.as_str().to_ascii_lowercase()),
                };
                for (variant, at) in self.variants(op, &site.at)? {
                    let source = OperationSource {
                        site: &site,
                        item: &item,
                        op,
                        variant: variant.as_ref(),
                        at,
                    };
                    let lowered = self.lower_operation(&source, global_security_empty)?;
                    if let Some(first) = ids.get(&lowered.operation_id) {
                        return Err(self
                            .error(
                                ErrorKind::Duplicate,
                                &source.at,
                                format!(
                                    "operationId `{}` is already used at {first}",
                                    lowered.operation_id
                                ),
                            )
                            .hint("operationIds must be unique; rename one of them"));
                    }
                    ids.insert(lowered.operation_id.clone(), source.at);
                    ops.push(lowered);
                }
            }
        }
        self.dedupe_method_names(&mut ops)?;
        Ok(self.group(ops))
    }

    /// The operation itself, then the variants of its `x-okta-multi-operation`, each with
    /// where it stands.
    fn variants(
        &self,
        op: &SpecOperation,
        at: &Pointer,
    ) -> Result<Vec<(Option<MultiOperation>, Pointer)>, Error> {
        let mut variants = vec![(None, at.clone())];
        if let Some(raw) = op.extensions.get(MULTI_OPERATION) {
            let base = at.join(MULTI_OPERATION);
            let list: Vec<MultiOperation> = load::from_value(self.file, raw, base.as_str())?;
            for (i, v) in list.into_iter().enumerate() {
                variants.push((Some(v), base.join(i)));
            }
        }
        Ok(variants)
    }

    fn lower_operation(
        &mut self,
        source: &OperationSource<'_>,
        global_security_empty: bool,
    ) -> Result<Operation, Error> {
        let OperationSource {
            site, op, variant, ..
        } = *source;
        let operation_id = self.operation_id(source);
        let name = names::snake(&operation_id);
        let builder_name = names::camel(&operation_id);
        let params = self.lower_params(source, &builder_name)?;
        let body = self.lower_request_body(source, &builder_name)?;
        let (responses, errors) = self.lower_responses(&builder_name, op, &site.at)?;
        let paginated = match op.extensions.get(PAGINATED) {
            Some(v) => v.as_bool().unwrap_or(false),
            None => looks_paginated(site.method, &params, &responses),
        };
        let authenticated = match &op.security {
            Some(reqs) => !reqs.is_empty(),
            None => !global_security_empty,
        };
        let (doc, reference) = match variant {
            Some(v) => (
                join_doc(v.summary.as_deref(), v.description.as_deref()),
                v.external_docs.as_ref(),
            ),
            None => (
                join_doc(op.summary.as_deref(), op.description.as_deref()),
                op.external_docs.as_ref(),
            ),
        };
        let aliases = match (variant, op.extensions.get(UPSTREAM_OPERATION_ID)) {
            (None, Some(serde_json::Value::String(id))) if *id != operation_id => {
                vec![id.clone(), names::snake(id)]
            }
            _ => Vec::new(),
        };
        Ok(Operation {
            name,
            builder_name,
            operation_id,
            method: site.method,
            path: site.path.to_string(),
            doc,
            reference: reference
                .map(|d| d.url.clone())
                .filter(|u| u.starts_with("https://")),
            aliases,
            deprecated: op.deprecated,
            params,
            body,
            responses,
            errors,
            paginated,
            authenticated,
            tag: op
                .tags
                .first()
                .cloned()
                .unwrap_or_else(|| "default".to_string()),
            pointer: source.at.to_string(),
        })
    }

    /// The variant's or the operation's operationId; without one, one made of the method and
    /// path (reported).
    fn operation_id(&mut self, source: &OperationSource<'_>) -> String {
        match (source.variant, &source.op.operation_id) {
            (Some(v), _) => v.operation_id.clone(),
            (None, Some(id)) if !id.trim().is_empty() => id.clone(),
            _ => {
                let derived = format!(
                    "{} {}",
                    source.site.method.as_str().to_ascii_lowercase(),
                    source.site.path.replace(['{', '}'], " ")
                );
                let id = names::snake(&derived);
                self.warn(
                    &source.at,
                    format!("no operationId; the method is named `{id}`"),
                );
                id
            }
        }
    }

    /// The parameters: the path item's, then the operation's, then the variant's; later ones
    /// replace earlier ones with the same name and location. Checked against the path
    /// template, and given Rust names distinct from each other and from `body` and `client`.
    fn lower_params(
        &mut self,
        source: &OperationSource<'_>,
        builder_name: &str,
    ) -> Result<Vec<Param>, Error> {
        let OperationSource { site, item, op, .. } = *source;
        let path_at = Pointer::from_tokens(["paths", site.path]);
        let mut raw_params: Vec<(&ReferenceOr<Parameter>, Pointer)> = Vec::new();
        let lists = [
            (&item.parameters, path_at.join("parameters")),
            (&op.parameters, site.at.join("parameters")),
        ];
        let variant_list = source
            .variant
            .map(|v| (&v.parameters, source.at.join("parameters")));
        for (list, list_at) in lists.into_iter().chain(variant_list) {
            for (i, p) in list.iter().enumerate() {
                raw_params.push((p, list_at.join(i)));
            }
        }
        let mut params: Vec<Param> = Vec::new();
        for (p, p_at) in raw_params {
            let (p, p_at) = self.item::<Parameter>(p, &p_at)?;
            let param = self.lower_param(builder_name, &p, &p_at)?;
            params.retain(|q| !(q.name == param.name && q.location == param.location));
            params.push(param);
        }
        self.check_path_params(site.path, &params, &source.at)?;
        let mut param_names = NameSet::reserving(["body", "client"]);
        for p in &mut params {
            p.rust_name = param_names.claim(&p.rust_name);
        }
        Ok(params)
    }

    /// The variant's request body, else the operation's.
    fn lower_request_body(
        &mut self,
        source: &OperationSource<'_>,
        builder_name: &str,
    ) -> Result<Option<RequestBody>, Error> {
        let body_ref = match source.variant.and_then(|v| v.request_body.as_ref()) {
            Some(b) => Some((b, source.at.join("requestBody"))),
            None => source
                .op
                .request_body
                .as_ref()
                .map(|b| (b, source.site.at.join("requestBody"))),
        };
        let Some((b, b_at)) = body_ref else {
            return Ok(None);
        };
        let (b, b_at) = self.item::<SpecRequestBody>(b, &b_at)?;
        self.lower_body(builder_name, &b, &b_at)
    }

    fn lower_param(&mut self, builder: &str, p: &Parameter, at: &Pointer) -> Result<Param, Error> {
        let data = p.parameter_data_ref();
        let (location, style) = match p {
            Parameter::Path { .. } => (ParamLocation::Path, ParamStyle::Simple),
            Parameter::Header { .. } => (ParamLocation::Header, ParamStyle::Simple),
            Parameter::Cookie { .. } => (
                ParamLocation::Cookie,
                ParamStyle::Form {
                    explode: data.explode.unwrap_or(true),
                },
            ),
            Parameter::Query { style, .. } => (
                ParamLocation::Query,
                match style {
                    QueryStyle::Form => ParamStyle::Form {
                        explode: data.explode.unwrap_or(true),
                    },
                    QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
                    QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
                    QueryStyle::DeepObject => ParamStyle::DeepObject,
                },
            ),
        };
        let hint = format!("{builder}{}", names::camel(&data.name));
        let ty = match &data.format {
            ParameterSchemaOrContent::Schema(s) => self.type_ref(s, &hint, &at.join("schema"))?,
            ParameterSchemaOrContent::Content(content) => match content.first() {
                Some((
                    mt,
                    MediaType {
                        schema: Some(s), ..
                    },
                )) => self.type_ref(s, &hint, &at.join("content").join(mt).join("schema"))?,
                _ => TypeRef::Primitive(Primitive::String),
            },
        };
        let encoding = self.param_encoding(&ty, style);
        if matches!(ty, TypeRef::Named(_) | TypeRef::Map(_) | TypeRef::Any)
            && encoding == ParamEncoding::Json
            && location != ParamLocation::Query
        {
            self.warn(
                at,
                "an object-valued parameter outside the query is sent as JSON text",
            );
        }
        Ok(Param {
            name: data.name.clone(),
            rust_name: names::snake(&data.name),
            location,
            required: data.required || location == ParamLocation::Path,
            ty,
            style,
            encoding,
            doc: data.description.as_deref().and_then(names::doc_text),
            deprecated: data.deprecated.unwrap_or(false),
        })
    }

    /// How a parameter of type `ty` is written: as text, as a list of texts in `style`, or
    /// as JSON text for everything without a text form.
    fn param_encoding(&self, ty: &TypeRef, style: ParamStyle) -> ParamEncoding {
        match ty {
            TypeRef::List(item) if self.has_text_form(item) => {
                ParamEncoding::List(style.list_style())
            }
            t if self.has_text_form(t) => ParamEncoding::Text,
            _ => ParamEncoding::Json,
        }
    }

    /// Whether values of `ty` are written as plain text (strings, numbers, booleans, string
    /// enums). Raw bytes are not: `Vec<u8>` has no text form, so they go as JSON text.
    fn has_text_form(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Primitive(Primitive::Bytes) => false,
            TypeRef::Primitive(_) => true,
            TypeRef::Named(n) => match self.types.get(n).map(|d| &d.kind) {
                Some(TypeKind::Enum(_)) => true,
                Some(TypeKind::Alias(t)) => self.has_text_form(t),
                _ => false,
            },
            _ => false,
        }
    }

    /// Every `{name}` in the template must be a path parameter, and every path parameter
    /// must appear in the template.
    fn check_path_params(&self, path: &str, params: &[Param], at: &Pointer) -> Result<(), Error> {
        let in_template = template_names(path);
        for name in &in_template {
            if !params
                .iter()
                .any(|p| p.location == ParamLocation::Path && &p.name == name)
            {
                return Err(self
                    .error(
                        ErrorKind::Structure,
                        at,
                        format!("the path has `{{{name}}}` but no path parameter named `{name}`"),
                    )
                    .hint(format!(
                        "declare `- name: {name}` with `in: path` and `required: true`"
                    )));
            }
        }
        for p in params.iter() {
            if p.location == ParamLocation::Path && !in_template.contains(&p.name) {
                return Err(self
                    .error(
                        ErrorKind::Structure,
                        at,
                        format!(
                            "path parameter `{}` does not appear in the path `{path}`",
                            p.name
                        ),
                    )
                    .hint("add it to the path template or make it a query parameter"));
            }
        }
        Ok(())
    }

    fn lower_body(
        &mut self,
        builder: &str,
        body: &SpecRequestBody,
        at: &Pointer,
    ) -> Result<Option<RequestBody>, Error> {
        let Some((content_type, media)) = pick_content(&body.content) else {
            return Ok(None);
        };
        let format = body_format(content_type);
        let media_at = at.join("content").join(content_type).join("schema");
        let ty = match (&media.schema, format) {
            (Some(s), _) => self.type_ref(s, &format!("{builder}Request"), &media_at)?,
            (None, BodyFormat::Json | BodyFormat::Form | BodyFormat::Multipart) => TypeRef::Any,
            (None, BodyFormat::Text) => TypeRef::Primitive(Primitive::String),
            (None, BodyFormat::Binary) => TypeRef::Primitive(Primitive::Bytes),
        };
        Ok(Some(RequestBody {
            content_type: content_type.to_string(),
            format,
            ty,
            required: body.required,
            doc: body.description.as_deref().and_then(names::doc_text),
        }))
    }

    fn lower_responses(
        &mut self,
        builder: &str,
        op: &SpecOperation,
        at: &Pointer,
    ) -> Result<(Vec<Response>, Vec<Response>), Error> {
        let mut all: Vec<(Status, &ReferenceOr<SpecResponse>, Pointer)> = Vec::new();
        for (code, r) in &op.responses.responses {
            let (status, key) = match code {
                StatusCode::Code(c) => (Status::Code(*c), c.to_string()),
                StatusCode::Range(r) => (Status::Range(*r), format!("{r}XX")),
            };
            all.push((status, r, at.join("responses").join(key)));
        }
        if let Some(d) = &op.responses.default {
            all.push((Status::Default, d, at.join("responses").join("default")));
        }
        all.sort_by_key(|(s, _, _)| *s);
        let successes = all.iter().filter(|(s, _, _)| is_success(*s)).count();
        let mut ok = Vec::new();
        let mut errors = Vec::new();
        for (status, r, r_at) in all {
            let (r, r_at) = self.item::<SpecResponse>(r, &r_at)?;
            let success = is_success(status);
            let hint = match (success, status) {
                (true, _) if successes <= 1 => format!("{builder}Response"),
                (true, Status::Code(c)) => format!("{builder}Response{c}"),
                (true, _) => format!("{builder}Response2xx"),
                (false, Status::Code(c)) => format!("{builder}Error{c}"),
                (false, _) => format!("{builder}Error"),
            };
            let body = self.lower_response_body(&r, &r_at, &hint, success)?;
            let resp = Response {
                status,
                doc: names::doc_text(&r.description),
                body,
            };
            if success {
                ok.push(resp);
            } else {
                errors.push(resp);
            }
        }
        Ok((ok, errors))
    }

    /// A response's body, from its preferred content (none without content); `hint` names
    /// a schema given in place.
    fn lower_response_body(
        &mut self,
        r: &SpecResponse,
        r_at: &Pointer,
        hint: &str,
        success: bool,
    ) -> Result<Option<ResponseBody>, Error> {
        let Some((ct, media)) = pick_content(&r.content) else {
            return Ok(None);
        };
        let format = body_format(ct);
        let m_at = r_at.join("content").join(ct).join("schema");
        let ty = match &media.schema {
            Some(s) => self.type_ref(s, hint, &m_at)?,
            None => match format {
                BodyFormat::Text => TypeRef::Primitive(Primitive::String),
                BodyFormat::Binary => TypeRef::Primitive(Primitive::Bytes),
                _ => TypeRef::Any,
            },
        };
        let may_be_empty = match r.extensions.get(MAY_BE_EMPTY) {
            None => false,
            Some(v) => v.as_bool().ok_or_else(|| {
                self.error(
                    ErrorKind::Structure,
                    &r_at.join(MAY_BE_EMPTY),
                    format!("`{MAY_BE_EMPTY}` must be a boolean"),
                )
            })?,
        };
        Ok(Some(ResponseBody {
            content_type: ct.to_string(),
            format,
            ty,
            may_be_empty: may_be_empty && success && format == BodyFormat::Json,
        }))
    }

    /// Two operationIds that differ but give the same method name (`getUser`, `get_user`)
    /// are an error; leniently, the later one (in path order) gets a numbered name, reported.
    fn dedupe_method_names(&mut self, ops: &mut [Operation]) -> Result<(), Error> {
        let mut method_names = NameSet::default();
        // Method name → the operationId and pointer of the operation that has it.
        let mut owners: BTreeMap<String, (String, String)> = BTreeMap::new();
        for op in ops.iter_mut() {
            let base = op.name.clone();
            if let Some((first_id, first_at)) = owners.get(&base) {
                if !self.spec.lenient {
                    return Err(self
                        .error(
                            ErrorKind::Duplicate,
                            &Pointer::from_escaped(op.pointer.as_str()),
                            format!(
                                "operationId `{}` becomes the method `{base}`, as does `{first_id}` at {first_at}",
                                op.operation_id
                            ),
                        )
                        .hint("rename one of them, or use --lenient to give the second a numbered name"));
                }
            }
            let name = method_names.claim(&base);
            if name != base {
                self.warnings.push(crate::ir::Warning {
                    pointer: op.pointer.clone(),
                    message: format!(
                        "operationId `{}` gives the method name `{base}`, which another operation has; it is named `{name}`",
                        op.operation_id
                    ),
                });
                op.name = name.clone();
                op.builder_name = names::camel(&name);
            }
            owners.insert(name, (op.operation_id.clone(), op.pointer.clone()));
        }
        Ok(())
    }

    fn group(&self, ops: Vec<Operation>) -> Vec<Module> {
        let tag_docs: BTreeMap<&str, Option<String>> = self
            .spec
            .api
            .tags
            .iter()
            .map(|t| {
                (
                    t.name.as_str(),
                    t.description.as_deref().and_then(names::doc_text),
                )
            })
            .collect();
        let mut modules: BTreeMap<String, Module> = BTreeMap::new();
        for op in ops {
            let tag = op.tag.clone();
            let name = module_name(&tag);
            let module = modules.entry(name.clone()).or_insert_with(|| Module {
                name,
                tag: tag.clone(),
                doc: tag_docs.get(tag.as_str()).cloned().flatten(),
                operations: Vec::new(),
            });
            module.operations.push(op);
        }
        let mut out: Vec<Module> = modules.into_values().collect();
        for m in &mut out {
            m.operations.sort_by(|a, b| a.name.cmp(&b.name));
        }
        out
    }
}

/// Without `x-okta-paginated`: a `GET` with an `after` query parameter that returns a list.
fn looks_paginated(method: Method, params: &[Param], responses: &[Response]) -> bool {
    method == Method::Get
        && params
            .iter()
            .any(|p| p.location == ParamLocation::Query && p.name == "after")
        && responses.iter().any(|r| {
            r.body
                .as_ref()
                .is_some_and(|b| matches!(b.ty, TypeRef::List(_)))
        })
}

fn module_name(tag: &str) -> String {
    let n = names::snake(tag);
    // `mod.rs`, `lib.rs` and the crate's own modules are not available as file names.
    match n.as_str() {
        "mod" | "lib" | "models" | "runtime" => format!("{n}_ops"),
        _ => n,
    }
}

fn methods(item: &PathItem) -> Vec<(Method, &SpecOperation)> {
    [
        (Method::Get, &item.get),
        (Method::Put, &item.put),
        (Method::Post, &item.post),
        (Method::Delete, &item.delete),
        (Method::Options, &item.options),
        (Method::Head, &item.head),
        (Method::Patch, &item.patch),
        (Method::Trace, &item.trace),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
    .collect()
}

fn is_success(status: Status) -> bool {
    match status {
        Status::Code(c) => (200..300).contains(&c),
        Status::Range(r) => r == 2,
        Status::Default => false,
    }
}

/// The names in a path template, in order: `/users/{userId}/factors/{factorId}` → userId, factorId.
pub(crate) fn template_names(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.push(after[..end].to_string());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// Prefers JSON, then forms, then text, then anything else; stable for equal kinds.
fn pick_content(content: &indexmap::IndexMap<String, MediaType>) -> Option<(&str, &MediaType)> {
    let rank = |ct: &str| match body_format(ct) {
        BodyFormat::Json => 0,
        BodyFormat::Form => 1,
        BodyFormat::Multipart => 2,
        BodyFormat::Text => 3,
        BodyFormat::Binary => 4,
    };
    content
        .iter()
        .enumerate()
        .min_by_key(|(i, (ct, _))| (rank(ct), *i))
        .map(|(_, (ct, m))| (ct.as_str(), m))
}

pub(crate) fn body_format(content_type: &str) -> BodyFormat {
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if ct == "application/json" || ct.ends_with("+json") || ct == "*/*" {
        BodyFormat::Json
    } else if ct == "application/x-www-form-urlencoded" {
        BodyFormat::Form
    } else if ct.starts_with("multipart/") {
        BodyFormat::Multipart
    } else if ct.starts_with("text/") {
        BodyFormat::Text
    } else {
        BodyFormat::Binary
    }
}

fn join_doc(summary: Option<&str>, description: Option<&str>) -> Option<String> {
    let parts: Vec<String> = [summary, description]
        .into_iter()
        .flatten()
        .filter_map(names::doc_text)
        .collect();
    let mut parts = parts;
    parts.dedup();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("\n\n"))
    }
}
