//! Operations → `operations/<tag>.rs`: a `Client` method and a request builder per operation.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::types::{Scope, btreemap_import, doc_attrs, inner_doc_attrs, mentions, type_tokens};
use std::collections::BTreeSet;

use crate::ir::{
    Api, BodyFormat, ListStyle, Method, Module, Operation, Param, ParamEncoding, ParamLocation,
    Primitive, RequestBody, Response, ResponseBody, Status, TypeKind, TypeRef,
};
use crate::names::{self, NameSet};

pub fn module_file(api: &Api, module: &Module) -> TokenStream {
    let doc = inner_doc_attrs(module.doc.as_deref());
    let ops: Vec<TokenStream> = module
        .operations
        .iter()
        .map(|op| operation(api, op))
        .collect();
    let body = quote! { #(#ops)* };
    let uses_models = mentions(&body, "models");
    let use_models = uses_models.then(|| quote! { use crate::models; });
    let use_map = btreemap_import(&body);
    quote! {
        #doc
        #use_map
        #use_models
        #body
    }
}

/// A parameter as the request builder holds it.
struct BuilderParam<'a> {
    param: &'a Param,
    ident: Ident,
    /// The Rust type stored in the builder.
    ty: TokenStream,
    /// `impl Into<String>` is taken for strings.
    takes_into_string: bool,
}

fn builder_param(p: &Param) -> BuilderParam<'_> {
    BuilderParam {
        param: p,
        ident: names::ident_tokens(&p.rust_name),
        ty: type_tokens(&p.ty, Scope::Outside),
        takes_into_string: matches!(p.ty, TypeRef::Primitive(Primitive::String)),
    }
}

fn method_tokens(m: Method) -> TokenStream {
    let ident = format_ident!("{}", m.as_str());
    quote!(reqwest::Method::#ident)
}

/// The `Client` method of an operation, its request builder and, for several response
/// shapes, the enum `send` returns.
fn operation(api: &Api, op: &Operation) -> TokenStream {
    let method_ident = names::ident_tokens(&op.name);
    let builder = names::ident_tokens(&op.builder_name);
    let params: Vec<BuilderParam> = op.params.iter().map(builder_param).collect();
    let BuilderParts {
        args,
        inits,
        fields,
        setters,
    } = builder_parts(op, &params);
    let method_doc = doc_attrs(Some(&method_doc(api, op)));
    let aliases = (!op.aliases.is_empty()).then(|| {
        let aliases = &op.aliases;
        quote!(#[doc(alias(#(#aliases),*))])
    });
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let many_args = (args.len() > 6).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let builder_doc = format!(
        " Request builder for [`Client::{}`](crate::Client::{}).",
        op.name, op.name
    );
    let output = output(op);
    let build = build_request(op, &params);
    let sends = send_methods(api, op, &output);
    let into_future = into_future(op, &output, &builder);
    let enum_def = &output.enum_def;

    quote! {
        impl crate::Client {
            #method_doc
            #aliases
            #deprecated
            #many_args
            pub fn #method_ident(&self, #(#args),*) -> #builder {
                #builder {
                    client: self.clone(),
                    #(#inits,)*
                }
            }
        }

        #[doc = #builder_doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request builder does nothing until it is awaited"]
        pub struct #builder {
            client: crate::Client,
            #(#fields,)*
        }

        impl #builder {
            #(#setters)*

            #[inline]
            fn request(&self) -> Result<crate::Request, crate::Error> {
                #build
            }

            #sends
        }

        #into_future

        #enum_def
    }
}

/// The pieces of a client method and its builder that come from the parameters and body.
#[derive(Default)]
struct BuilderParts {
    /// The client method's arguments: required parameters, then a required body.
    args: Vec<TokenStream>,
    /// The builder's fields as the client method sets them.
    inits: Vec<TokenStream>,
    /// The builder's field declarations.
    fields: Vec<TokenStream>,
    /// The builder's setters of optional parameters and an optional body.
    setters: Vec<TokenStream>,
}

/// Required parameters become arguments of the client method, optional ones setters of the
/// builder; the body follows them.
fn builder_parts(op: &Operation, params: &[BuilderParam]) -> BuilderParts {
    let mut parts = BuilderParts::default();
    for p in params.iter().filter(|p| p.param.required) {
        let (ident, ty) = (&p.ident, &p.ty);
        if p.takes_into_string {
            parts.args.push(quote!(#ident: impl Into<String>));
            parts.inits.push(quote!(#ident: #ident.into()));
        } else {
            parts.args.push(quote!(#ident: #ty));
            parts.inits.push(quote!(#ident));
        }
        parts.fields.push(quote!(#ident: #ty));
    }
    for p in params.iter().filter(|p| !p.param.required) {
        let (ident, ty) = (&p.ident, &p.ty);
        parts.inits.push(quote!(#ident: None));
        parts.fields.push(quote!(#ident: Option<#ty>));
        parts.setters.push(param_setter(p));
    }
    if let Some(b) = &op.body {
        let ty = body_type(b);
        if b.required {
            parts.args.push(quote!(body: #ty));
            parts.inits.push(quote!(body));
            parts.fields.push(quote!(body: #ty));
        } else {
            parts.inits.push(quote!(body: None));
            parts.fields.push(quote!(body: Option<#ty>));
            let doc = doc_attrs(b.doc.as_deref().or(Some("The request body.")));
            parts.setters.push(quote! {
                #doc
                pub fn body(mut self, body: #ty) -> Self {
                    self.body = Some(body);
                    self
                }
            });
        }
    }
    parts
}

/// The builder's setter of an optional parameter.
fn param_setter(p: &BuilderParam) -> TokenStream {
    let (ident, ty) = (&p.ident, &p.ty);
    let fallback = format!("Sets the `{}` {}.", p.param.name, p.param.location.noun());
    let doc = doc_attrs(Some(p.param.doc.as_deref().unwrap_or(&fallback)));
    let deprecated = p.param.deprecated.then(|| quote!(#[deprecated]));
    if p.takes_into_string {
        quote! {
            #doc
            #deprecated
            pub fn #ident(mut self, #ident: impl Into<String>) -> Self {
                self.#ident = Some(#ident.into());
                self
            }
        }
    } else {
        quote! {
            #doc
            #deprecated
            pub fn #ident(mut self, #ident: #ty) -> Self {
                self.#ident = Some(#ident);
                self
            }
        }
    }
}

/// The client method's documentation: the spec's text, the fields of a multipart body, a
/// note on empty answers, then the method and path and Okta's reference page.
fn method_doc(api: &Api, op: &Operation) -> String {
    let mut doc = op.doc.clone().unwrap_or_default();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    if let Some(fields) = multipart_fields(api, op) {
        doc.push_str(&format!(
            "The body is a [`Multipart`](crate::Multipart) form with the fields {}.\n\n",
            fields.join(", ")
        ));
    }
    if op
        .responses
        .iter()
        .any(|r| r.body.as_ref().is_some_and(|b| b.may_be_empty))
    {
        doc.push_str("Okta may answer with an empty body: then the result is `None`.\n\n");
    }
    doc.push_str(&format!("`{} {}`", op.method.as_str(), op.path));
    if let Some(url) = &op.reference {
        doc.push_str(&format!(" ([Okta reference]({url}))"));
    }
    doc
}

/// The field names (quoted as code) of a multipart body described by a struct.
fn multipart_fields(api: &Api, op: &Operation) -> Option<Vec<String>> {
    let body = op
        .body
        .as_ref()
        .filter(|b| b.format == BodyFormat::Multipart)?;
    let TypeRef::Named(n) = &body.ty else {
        return None;
    };
    match api.types.get(n).map(|d| &d.kind) {
        Some(TypeKind::Struct(s)) => Some(
            s.fields
                .iter()
                .map(|f| format!("`{}`", f.json_name))
                .collect(),
        ),
        _ => None,
    }
}

/// The builder's `send` (and `send_full`, or the page streams of a paginated list).
fn send_methods(api: &Api, op: &Operation, output: &Output) -> TokenStream {
    if let Some(item) = paginated_item(op) {
        // Object models are read where they stay in the page's vector; other items by value.
        let read = match item {
            TypeRef::Named(n)
                if matches!(api.types.get(n).map(|d| &d.kind), Some(TypeKind::Struct(_))) =>
            {
                quote!(crate::runtime::model::read_objects)
            }
            _ => quote!(crate::runtime::model::read_values),
        };
        let item = type_tokens(item, Scope::Outside);
        return quote! {
            /// Sends the request and returns the first page; see [`Page::next_page`](crate::Page::next_page).
            #[inline]
            pub fn send(self) -> crate::PageFuture<#item> {
                crate::runtime::first_page(self.request(), #read)
            }

            /// Every item of every page, fetched one page at a time as the stream is read.
            #[inline]
            pub fn into_stream(self) -> crate::ItemStream<#item> {
                crate::runtime::items(self.request(), #read)
            }

            /// Every page, fetched one at a time as the stream is read.
            #[inline]
            pub fn into_pages(self) -> crate::PageStream<#item> {
                crate::runtime::pages(self.request(), #read)
            }
        };
    }
    let Output {
        ty,
        decoder,
        decode_fn,
        ..
    } = output;
    quote! {
        /// Sends the request and decodes the response.
        #[inline]
        pub fn send(self) -> crate::SendFuture<#ty> {
            crate::SendFuture::new(self.request(), #decoder)
        }

        /// Sends the request and returns the decoded body with the status, headers,
        /// rate-limit figures and request id.
        #[inline]
        pub fn send_full(self) -> crate::SendFullFuture<#ty> {
            crate::SendFullFuture::new(self.request(), #decoder)
        }

        #decode_fn
    }
}

/// `IntoFuture` for the builder: awaiting it is awaiting its `send()`.
fn into_future(op: &Operation, output: &Output, builder: &proc_macro2::Ident) -> TokenStream {
    let (value, future) = match paginated_item(op) {
        Some(item) => {
            let item = type_tokens(item, Scope::Outside);
            (quote!(crate::Page<#item>), quote!(crate::PageFuture<#item>))
        }
        None => {
            let ty = &output.ty;
            (quote!(#ty), quote!(crate::SendFuture<#ty>))
        }
    };
    quote! {
        impl std::future::IntoFuture for #builder {
            type Output = Result<#value, crate::Error>;
            type IntoFuture = #future;

            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    }
}

/// What `send` returns and how the response is decoded.
struct Output {
    /// The type `send` gives: `()`, the one body type, or an enum by status.
    ty: TokenStream,
    /// The definition of that enum (empty for one shape).
    enum_def: TokenStream,
    /// The decoder (a `crate::runtime::Decoder` function path).
    decoder: TokenStream,
    /// The builder's `decode` function that the decoder names (empty for one shape).
    decode_fn: TokenStream,
}

fn output(op: &Operation) -> Output {
    match answer_shape(op) {
        AnswerShape::Empty => Output {
            ty: quote!(()),
            enum_def: TokenStream::new(),
            decoder: quote!(crate::runtime::no_body),
            decode_fn: TokenStream::new(),
        },
        AnswerShape::One(body) => Output {
            ty: response_type(body),
            enum_def: TokenStream::new(),
            decoder: decoder(body),
            decode_fn: TokenStream::new(),
        },
        AnswerShape::ByStatus => status_enum_output(op),
    }
}

/// What an operation's success answers hold.
pub(super) enum AnswerShape<'a> {
    /// No body.
    Empty,
    /// The same body whatever the status.
    One(&'a ResponseBody),
    /// Bodies that differ by status: the `…Output` enum.
    ByStatus,
}

pub(super) fn answer_shape(op: &Operation) -> AnswerShape<'_> {
    let bodies: Vec<&ResponseBody> = op
        .responses
        .iter()
        .filter_map(|r| r.body.as_ref())
        .collect();
    let distinct: BTreeSet<&TypeRef> = bodies.iter().map(|b| &b.ty).collect();
    match bodies.first() {
        None => AnswerShape::Empty,
        Some(first) if distinct.len() == 1 && bodies.len() == op.responses.len() => {
            AnswerShape::One(first)
        }
        Some(_) => AnswerShape::ByStatus,
    }
}

/// Several response shapes: an enum with a variant per status, and a `decode` that picks it.
fn status_enum_output(op: &Operation) -> Output {
    let enum_name = output_enum_name(op);
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    // The construction for a status the spec does not list: the first with a body, else the
    // first.
    let mut fallback: Option<(bool, TokenStream)> = None;
    for (v, r) in status_variants(op) {
        let doc = doc_attrs(r.doc.as_deref());
        let (variant, construct) = match &r.body {
            Some(b) => {
                let ty = response_type(b);
                let decoder = decoder(b);
                (
                    quote!(#doc #v(#ty),),
                    quote!(#enum_name::#v(#decoder(response)?)),
                )
            }
            None => (quote!(#doc #v,), quote!(#enum_name::#v)),
        };
        variants.push(variant);
        if let Status::Code(c) = r.status {
            let code = proc_macro2::Literal::u16_unsuffixed(c);
            arms.push(quote!(#code => #construct,));
        }
        if fallback.is_none() || (r.body.is_some() && matches!(fallback, Some((false, _)))) {
            fallback = Some((r.body.is_some(), construct));
        }
    }
    let fallback = fallback.map(|(_, c)| c).expect("at least one response");
    let doc = format!(
        " What [`{}::send`] returns, by response status.",
        op.builder_name
    );
    Output {
        ty: quote!(#enum_name),
        enum_def: quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq)]
            pub enum #enum_name {
                #(#variants)*
            }
        },
        decoder: quote!(Self::decode),
        decode_fn: quote! {
            #[inline]
            fn decode(response: &crate::RawResponse) -> Result<#enum_name, crate::Error> {
                Ok(match response.status() {
                    #(#arms)*
                    _ => #fallback,
                })
            }
        },
    }
}

/// The name of the enum `send` returns when the responses differ by status.
pub(super) fn output_enum_name(op: &Operation) -> Ident {
    format_ident!("{}Output", op.builder_name)
}

/// The variants of that enum, with their responses, in status order.
pub(super) fn status_variants(op: &Operation) -> Vec<(Ident, &Response)> {
    let mut variant_names = NameSet::default();
    op.responses
        .iter()
        .map(|r| {
            let v = format_ident!("{}", variant_names.claim(&status_variant(r.status)));
            (v, r)
        })
        .collect()
}

fn status_variant(status: Status) -> String {
    match status {
        Status::Code(200) => "Ok".into(),
        Status::Code(201) => "Created".into(),
        Status::Code(202) => "Accepted".into(),
        Status::Code(204) => "NoContent".into(),
        Status::Code(c) => format!("Status{c}"),
        Status::Range(r) => format!("Status{r}xx"),
        Status::Default => "Default".into(),
    }
}

fn response_type(body: &ResponseBody) -> TokenStream {
    match body.format {
        BodyFormat::Json | BodyFormat::Form => {
            let ty = type_tokens(&body.ty, Scope::Outside);
            if body.may_be_empty {
                quote!(Option<#ty>)
            } else {
                ty
            }
        }
        BodyFormat::Text => quote!(String),
        BodyFormat::Multipart | BodyFormat::Binary => quote!(Vec<u8>),
    }
}

/// The function (a `crate::runtime::Decoder`) that decodes a response body.
fn decoder(body: &ResponseBody) -> TokenStream {
    match body.format {
        BodyFormat::Json if body.may_be_empty => quote!(crate::RawResponse::json_or_empty),
        BodyFormat::Json | BodyFormat::Form => quote!(crate::RawResponse::json),
        BodyFormat::Text => quote!(crate::RawResponse::text),
        BodyFormat::Multipart | BodyFormat::Binary => quote!(crate::runtime::bytes_body),
    }
}

/// The Rust type a request body is given as.
fn body_type(body: &RequestBody) -> TokenStream {
    match body.format {
        BodyFormat::Json | BodyFormat::Form => type_tokens(&body.ty, Scope::Outside),
        BodyFormat::Text => quote!(String),
        BodyFormat::Binary => quote!(Vec<u8>),
        BodyFormat::Multipart => quote!(crate::Multipart),
    }
}

/// The item type of a paginated list operation (`x-okta-paginated` on a list response).
pub(super) fn paginated_item(op: &Operation) -> Option<&TypeRef> {
    if !op.paginated {
        return None;
    }
    let mut bodies = op.responses.iter().filter_map(|r| r.body.as_ref());
    let first = bodies.next()?;
    if bodies.next().is_some() || first.format != BodyFormat::Json {
        return None;
    }
    match &first.ty {
        TypeRef::List(item) => Some(item),
        _ => None,
    }
}

/// The body of the builder's `request`: the path, then headers, query, cookies and body.
fn build_request(op: &Operation, params: &[BuilderParam]) -> TokenStream {
    let method = method_tokens(op.method);
    let template = &op.path;
    let path = path_expr(op, params);
    let mut steps = Vec::new();
    if !op.authenticated {
        steps.push(quote!(request = request.without_auth();));
    }
    // Downloads ask for what they return rather than JSON.
    if let Some(b) = op
        .responses
        .iter()
        .filter_map(|r| r.body.as_ref())
        .find(|b| !matches!(b.format, BodyFormat::Json | BodyFormat::Form))
    {
        let ct = &b.content_type;
        steps.push(quote!(request = request.header("Accept", #ct);));
    }
    for p in params {
        let ident = &p.ident;
        if p.param.required {
            steps.extend(param_write(p.param, quote!(&self.#ident)));
        } else if let Some(write) = param_write(p.param, quote!(value)) {
            steps.push(quote! {
                if let Some(value) = &self.#ident {
                    #write
                }
            });
        }
    }
    if let Some(b) = &op.body {
        steps.push(body_write(b));
    }
    let mutable = (!steps.is_empty()).then(|| quote!(mut));
    quote! {
        let path = #path;
        let #mutable request = self.client.operation(#method, #template, path);
        #(#steps)*
        Ok(request)
    }
}

/// The statement that puts a query, header or cookie parameter's `value` on the request
/// (none for a path parameter, which the path holds).
fn param_write(param: &Param, value: TokenStream) -> Option<TokenStream> {
    let name = &param.name;
    Some(match (param.location, param.encoding) {
        (ParamLocation::Path, _) => return None,
        (ParamLocation::Query, ParamEncoding::List(style)) => {
            let style = list_style(style);
            quote!(request = request.query_list(#name, #value, #style);)
        }
        (ParamLocation::Query, ParamEncoding::Json) => {
            quote!(request = request.query_json(#name, #value)?;)
        }
        (ParamLocation::Query, ParamEncoding::Text) => {
            quote!(request = request.query(#name, #value);)
        }
        (ParamLocation::Header, ParamEncoding::List(_)) => {
            quote!(request = request.header_list(#name, #value);)
        }
        (ParamLocation::Header, ParamEncoding::Json) => {
            quote!(request = request.header_json(#name, #value)?;)
        }
        (ParamLocation::Header, ParamEncoding::Text) => {
            quote!(request = request.header(#name, #value);)
        }
        (ParamLocation::Cookie, _) => quote!(request = request.cookie(#name, #value);),
    })
}

/// The statements that put the request body (`self.body`) on the request.
fn body_write(b: &RequestBody) -> TokenStream {
    let ct = &b.content_type;
    let write = match b.format {
        BodyFormat::Json => quote!(request = request.json_body(body)?;),
        BodyFormat::Form => quote!(request = request.form_body(body)?;),
        BodyFormat::Text => quote!(request = request.raw_body(#ct, body.clone().into_bytes());),
        BodyFormat::Multipart => quote!(request = request.multipart_body(body);),
        BodyFormat::Binary => quote!(request = request.raw_body(#ct, body.clone());),
    };
    if b.required {
        quote! {
            let body = &self.body;
            #write
        }
    } else {
        quote! {
            if let Some(body) = &self.body {
                #write
            }
        }
    }
}

fn list_style(style: ListStyle) -> TokenStream {
    match style {
        ListStyle::Repeat => quote!(crate::runtime::ListStyle::Repeat),
        ListStyle::Comma => quote!(crate::runtime::ListStyle::Comma),
        ListStyle::Space => quote!(crate::runtime::ListStyle::Space),
        ListStyle::Pipe => quote!(crate::runtime::ListStyle::Pipe),
    }
}

/// The request path: literal pieces of the template with encoded parameters in between.
fn path_expr(op: &Operation, params: &[BuilderParam]) -> TokenStream {
    let mut pieces = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let literal = &rest[..start];
        if !literal.is_empty() {
            pieces.push(quote!(#literal));
        }
        let name = &rest[start + 1..start + len];
        let param = params
            .iter()
            .find(|p| p.param.location == ParamLocation::Path && p.param.name == name)
            .expect("lowering checked that every template name is a path parameter");
        let ident = &param.ident;
        pieces.push(match param.param.encoding {
            ParamEncoding::List(_) => quote!(&crate::runtime::encode_path_list(&self.#ident)?),
            ParamEncoding::Json => quote!(
                &crate::runtime::encode_path(&crate::runtime::json_text(&self.#ident)?)?
            ),
            ParamEncoding::Text => quote!(&crate::runtime::encode_path(&self.#ident)?),
        });
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        pieces.push(quote!(#rest));
    }
    if pieces.len() == 1 && !op.path.contains('{') {
        let p = &op.path;
        quote!(String::from(#p))
    } else {
        quote!([#(#pieces),*].concat())
    }
}

/// A `match` arm calling `op` by name with typed values from `CallArgs`.
pub fn call_arm(op: &Operation) -> TokenStream {
    let name = &op.name;
    let method = names::ident_tokens(&op.name);
    let params: Vec<BuilderParam> = op.params.iter().map(builder_param).collect();
    let mut reads = Vec::new();
    let mut required_args = Vec::new();
    let mut setters = Vec::new();
    for p in &params {
        let ident = &p.ident;
        let ty = &p.ty;
        let wire = &p.param.name;
        let location = p.param.location.as_str();
        if p.param.required {
            reads.push(quote!(let #ident: #ty = support::arg(args, #location, #wire)?;));
            required_args.push(quote!(#ident));
        } else {
            reads
                .push(quote!(let #ident: Option<#ty> = support::opt_arg(args, #location, #wire)?;));
            setters.push(quote! {
                if let Some(v) = #ident {
                    b = b.#ident(v);
                }
            });
        }
    }
    if let Some(body) = &op.body {
        let ty = body_type(body);
        let read = body_arg(body, &ty);
        if body.required {
            reads.push(quote! {
                let body: #ty = match #read {
                    Some(body) => body,
                    None => return Err(crate::Error::Request("no value for the body".into())),
                };
            });
            required_args.push(quote!(body));
        } else {
            reads.push(quote!(let body: Option<#ty> = #read;));
            setters.push(quote! {
                if let Some(v) = body {
                    b = b.body(v);
                }
            });
        }
    }
    let mutable = (!setters.is_empty()).then(|| quote!(mut));
    quote! {
        #name => {
            let prepared = support::prepare(|| {
                #(#reads)*
                let #mutable b = client.#method(#(#required_args),*);
                #(#setters)*
                Ok(b)
            });
            Box::pin(async move {
                prepared?.send().await?;
                Ok(())
            })
        }
    }
}

/// The expression reading the request body from `CallArgs`: `Option<ty>`.
fn body_arg(body: &RequestBody, ty: &TokenStream) -> TokenStream {
    match body.format {
        // The JSON object's members are the parts: text for a string, a file (named after
        // its part) for an array of bytes, JSON text for anything else.
        BodyFormat::Multipart => quote! {
            support::body_arg::<serde_json::Map<String, serde_json::Value>>(args)?.map(|fields| {
                fields.into_iter().fold(crate::Multipart::new(), |form, (name, value)| match value {
                    serde_json::Value::String(text) => form.text(name, text),
                    value => match serde_json::from_value::<Vec<u8>>(value.clone()) {
                        Ok(bytes) => form.file(name.clone(), name, "application/octet-stream", bytes),
                        Err(_) => form.text(name, value.to_string()),
                    },
                })
            })
        },
        _ => quote!(support::body_arg::<#ty>(args)?),
    }
}
