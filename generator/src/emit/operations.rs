//! Operations → `operations/<tag>.rs`: a `Client` method and a request builder per operation.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::types::{Scope, btreemap_import, doc_attrs, inner_doc_attrs, mentions, type_tokens};
use crate::ir::{
    Api, BodyFormat, Method, Module, Operation, Param, ParamLocation, ParamStyle, Primitive,
    RequestBody, Response, ResponseBody, Status, TypeKind, TypeRef,
};
use crate::names;

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

/// How a parameter is held by the builder and written on the wire.
struct ParamPlan<'a> {
    param: &'a Param,
    ident: Ident,
    /// The Rust type stored in the builder.
    ty: TokenStream,
    /// `impl Into<String>` is taken for strings.
    takes_into_string: bool,
    /// Lists are written element by element.
    list: bool,
    /// Objects are written as JSON text.
    json: bool,
}

fn plan_param<'a>(api: &Api, p: &'a Param) -> ParamPlan<'a> {
    let ident = names::ident_tokens(&p.rust_name);
    let (ty, list, json) = match &p.ty {
        TypeRef::List(inner) if is_scalar(api, inner) => {
            (type_tokens(&p.ty, Scope::Outside), true, false)
        }
        t if is_scalar(api, t) => (type_tokens(t, Scope::Outside), false, false),
        t => (type_tokens(t, Scope::Outside), false, true),
    };
    let takes_into_string = matches!(p.ty, TypeRef::Primitive(Primitive::String));
    ParamPlan {
        param: p,
        ident,
        ty,
        takes_into_string,
        list,
        json,
    }
}

/// Written as plain text: primitives and string enums.
fn is_scalar(api: &Api, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Primitive(Primitive::Bytes) => false,
        TypeRef::Primitive(_) => true,
        TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Enum(_)) => true,
            Some(TypeKind::Alias(t)) => is_scalar(api, t),
            _ => false,
        },
        _ => false,
    }
}

fn method_tokens(m: Method) -> TokenStream {
    let ident = format_ident!("{}", m.as_str());
    quote!(reqwest::Method::#ident)
}

fn operation(api: &Api, op: &Operation) -> TokenStream {
    let method_ident = names::ident_tokens(&op.name);
    let builder = names::ident_tokens(&op.builder_name);
    let plans: Vec<ParamPlan> = op.params.iter().map(|p| plan_param(api, p)).collect();
    let (required, optional): (Vec<&ParamPlan>, Vec<&ParamPlan>) =
        plans.iter().partition(|p| p.param.required);

    let body_plan = op.body.as_ref().map(|b| (b, body_type(b)));

    // The Client method: required arguments up front.
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in &required {
        let ident = &p.ident;
        let ty = &p.ty;
        if p.takes_into_string {
            args.push(quote!(#ident: impl Into<String>));
            inits.push(quote!(#ident: #ident.into()));
        } else {
            args.push(quote!(#ident: #ty));
            inits.push(quote!(#ident));
        }
    }
    for p in &optional {
        let ident = &p.ident;
        inits.push(quote!(#ident: None));
    }
    let mut fields = Vec::new();
    for p in &required {
        let (ident, ty) = (&p.ident, &p.ty);
        fields.push(quote!(#ident: #ty));
    }
    for p in &optional {
        let (ident, ty) = (&p.ident, &p.ty);
        fields.push(quote!(#ident: Option<#ty>));
    }
    let mut setters = Vec::new();
    for p in &optional {
        let (ident, ty) = (&p.ident, &p.ty);
        let fallback = format!(
            "Sets the `{}` {}.",
            p.param.name,
            match p.param.location {
                ParamLocation::Path => "path parameter",
                ParamLocation::Query => "query parameter",
                ParamLocation::Header => "header",
                ParamLocation::Cookie => "cookie",
            }
        );
        let doc = doc_attrs(Some(p.param.doc.as_deref().unwrap_or(&fallback)));
        let deprecated = p.param.deprecated.then(|| quote!(#[deprecated]));
        if p.takes_into_string {
            setters.push(quote! {
                #doc
                #deprecated
                pub fn #ident(mut self, #ident: impl Into<String>) -> Self {
                    self.#ident = Some(#ident.into());
                    self
                }
            });
        } else {
            setters.push(quote! {
                #doc
                #deprecated
                pub fn #ident(mut self, #ident: #ty) -> Self {
                    self.#ident = Some(#ident);
                    self
                }
            });
        }
    }
    if let Some((b, ty)) = &body_plan {
        if b.required {
            args.push(quote!(body: #ty));
            inits.push(quote!(body));
            fields.push(quote!(body: #ty));
        } else {
            inits.push(quote!(body: None));
            fields.push(quote!(body: Option<#ty>));
            let doc = doc_attrs(b.doc.as_deref().or(Some("The request body.")));
            setters.push(quote! {
                #doc
                pub fn body(mut self, body: #ty) -> Self {
                    self.body = Some(body);
                    self
                }
            });
        }
    }

    let mut method_doc = op.doc.clone().unwrap_or_default();
    if !method_doc.is_empty() {
        method_doc.push_str("\n\n");
    }
    if let Some(b) = op
        .body
        .as_ref()
        .filter(|b| b.format == BodyFormat::Multipart)
    {
        if let TypeRef::Named(n) = &b.ty {
            if let Some(crate::ir::TypeKind::Struct(s)) = api.types.get(n).map(|d| &d.kind) {
                let fields: Vec<String> = s
                    .fields
                    .iter()
                    .map(|f| format!("`{}`", f.json_name))
                    .collect();
                method_doc.push_str(&format!(
                    "The body is a [`Multipart`](crate::Multipart) form with the fields {}.\n\n",
                    fields.join(", ")
                ));
            }
        }
    }
    if op
        .responses
        .iter()
        .any(|r| r.body.as_ref().is_some_and(|b| b.may_be_empty))
    {
        method_doc.push_str("Okta may answer with an empty body: then the result is `None`.\n\n");
    }
    method_doc.push_str(&format!("`{} {}`", op.method.as_str(), op.path));
    if let Some(url) = &op.reference {
        method_doc.push_str(&format!(" ([Okta reference]({url}))"));
    }
    let method_doc = doc_attrs(Some(&method_doc));
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

    let (output_ty, output_def, decoder, decode_fn) = output(op);
    let build = build_request(op, &plans, body_plan.as_ref().map(|(b, _)| *b));
    let sends = match paginated_item(op) {
        Some(item) => {
            let item = type_tokens(item, Scope::Outside);
            quote! {
                /// Sends the request and returns the first page; see [`Page::next_page`](crate::Page::next_page).
                #[inline]
                pub fn send(self) -> crate::PageFuture<#item> {
                    crate::runtime::first_page(self.request())
                }

                /// Every item of every page, fetched one page at a time as the stream is read.
                #[inline]
                pub fn into_stream(self) -> crate::ItemStream<#item> {
                    crate::runtime::items(self.request())
                }

                /// Every page, fetched one at a time as the stream is read.
                #[inline]
                pub fn into_pages(self) -> crate::PageStream<#item> {
                    crate::runtime::pages(self.request())
                }
            }
        }
        None => quote! {
            /// Sends the request and decodes the response.
            #[inline]
            pub fn send(self) -> crate::SendFuture<#output_ty> {
                crate::SendFuture::new(self.request(), #decoder)
            }

            /// Sends the request and returns the decoded body with the status, headers,
            /// rate-limit figures and request id.
            #[inline]
            pub fn send_full(self) -> crate::SendFullFuture<#output_ty> {
                crate::SendFullFuture::new(self.request(), #decoder)
            }

            #decode_fn
        },
    };

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
        #[must_use = "a request builder does nothing until `.send()` is awaited"]
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

        #output_def
    }
}

/// The return type of `send`, an enum for it if several, the decoder (a function path) and,
/// for several shapes, the builder's `decode` function that the decoder names.
fn output(op: &Operation) -> (TokenStream, TokenStream, TokenStream, TokenStream) {
    let with_body: Vec<&Response> = op.responses.iter().filter(|r| r.body.is_some()).collect();
    let without_body = op.responses.len() - with_body.len();
    let mut distinct: Vec<&TypeRef> = with_body
        .iter()
        .map(|r| &r.body.as_ref().expect("filtered").ty)
        .collect();
    distinct.dedup();
    let distinct_count = {
        let mut d = distinct.clone();
        d.sort();
        d.dedup();
        d.len()
    };
    if with_body.is_empty() {
        return (
            quote!(()),
            TokenStream::new(),
            quote!(crate::runtime::no_body),
            TokenStream::new(),
        );
    }
    if distinct_count == 1 && without_body == 0 {
        let r = with_body[0];
        let b = r.body.as_ref().expect("filtered");
        return (
            response_type(b),
            TokenStream::new(),
            decoder(b),
            TokenStream::new(),
        );
    }
    // Several shapes: an enum with a variant per status.
    let enum_name = format_ident!("{}Output", op.builder_name);
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    let mut fallback = None;
    for r in &op.responses {
        let base = status_variant(r.status);
        let name = names::unique(&base, |n| used.contains(n));
        used.insert(name.clone());
        let v = format_ident!("{}", name);
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
        match r.status {
            Status::Code(c) => {
                let code = proc_macro2::Literal::u16_unsuffixed(c);
                arms.push(quote!(#code => #construct,));
            }
            Status::Range(_) | Status::Default => {}
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
    let def = quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        pub enum #enum_name {
            #(#variants)*
        }
    };
    let decode_fn = quote! {
        #[inline]
        fn decode(response: &crate::RawResponse) -> Result<#enum_name, crate::Error> {
            Ok(match response.status() {
                #(#arms)*
                _ => #fallback,
            })
        }
    };
    (quote!(#enum_name), def, quote!(Self::decode), decode_fn)
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

fn build_request(op: &Operation, plans: &[ParamPlan], body: Option<&RequestBody>) -> TokenStream {
    let method = method_tokens(op.method);
    let template = &op.path;
    let path = path_expr(op, plans);
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
    for p in plans {
        let name = &p.param.name;
        let ident = &p.ident;
        let (value, wrap_opt) = if p.param.required {
            (quote!(&self.#ident), false)
        } else {
            (quote!(value), true)
        };
        let write = match p.param.location {
            ParamLocation::Path => continue,
            ParamLocation::Query => {
                if p.list {
                    let style = list_style(p.param.style);
                    quote!(request = request.query_list(#name, #value, #style);)
                } else if p.json {
                    quote!(request = request.query_json(#name, #value)?;)
                } else {
                    quote!(request = request.query(#name, #value);)
                }
            }
            ParamLocation::Header => {
                if p.list {
                    quote!(request = request.header_list(#name, #value);)
                } else if p.json {
                    quote!(request = request.header_json(#name, #value)?;)
                } else {
                    quote!(request = request.header(#name, #value);)
                }
            }
            ParamLocation::Cookie => {
                quote!(request = request.cookie(#name, #value);)
            }
        };
        if wrap_opt {
            steps.push(quote! {
                if let Some(value) = &self.#ident {
                    #write
                }
            });
        } else {
            steps.push(write);
        }
    }
    if let Some(b) = body {
        let ct = &b.content_type;
        let write = match b.format {
            BodyFormat::Json => quote!(request = request.json_body(body)?;),
            BodyFormat::Form => quote!(request = request.form_body(body)?;),
            BodyFormat::Text => quote!(request = request.raw_body(#ct, body.clone().into_bytes());),
            BodyFormat::Multipart => quote!(request = request.multipart_body(body);),
            BodyFormat::Binary => quote!(request = request.raw_body(#ct, body.clone());),
        };
        if b.required {
            steps.push(quote! {
                let body = &self.body;
                #write
            });
        } else {
            steps.push(quote! {
                if let Some(body) = &self.body {
                    #write
                }
            });
        }
    }
    let mutable = (!steps.is_empty()).then(|| quote!(mut));
    quote! {
        let path = #path;
        let #mutable request = self.client.operation(#method, #template, path);
        #(#steps)*
        Ok(request)
    }
}

fn list_style(style: ParamStyle) -> TokenStream {
    match style {
        ParamStyle::Form { explode: true } | ParamStyle::DeepObject => {
            quote!(crate::runtime::ListStyle::Repeat)
        }
        ParamStyle::Form { explode: false } | ParamStyle::Simple => {
            quote!(crate::runtime::ListStyle::Comma)
        }
        ParamStyle::SpaceDelimited => quote!(crate::runtime::ListStyle::Space),
        ParamStyle::PipeDelimited => quote!(crate::runtime::ListStyle::Pipe),
    }
}

/// The request path: literal pieces of the template with encoded parameters in between.
fn path_expr(op: &Operation, plans: &[ParamPlan]) -> TokenStream {
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
        let plan = plans
            .iter()
            .find(|p| p.param.location == ParamLocation::Path && p.param.name == name)
            .expect("lowering checked that every template name is a path parameter");
        let ident = &plan.ident;
        if plan.list {
            pieces.push(quote!(&crate::runtime::encode_path_list(&self.#ident)?));
        } else if plan.json {
            pieces.push(quote!(
                &crate::runtime::encode_path(&crate::runtime::json_text(&self.#ident)?)?
            ));
        } else {
            pieces.push(quote!(&crate::runtime::encode_path(&self.#ident)?));
        }
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
pub fn call_arm(api: &Api, op: &Operation) -> TokenStream {
    let name = &op.name;
    let method = names::ident_tokens(&op.name);
    let plans: Vec<ParamPlan> = op.params.iter().map(|p| plan_param(api, p)).collect();
    let mut reads = Vec::new();
    let mut required_args = Vec::new();
    let mut setters = Vec::new();
    for p in &plans {
        let ident = &p.ident;
        let ty = &p.ty;
        let wire = &p.param.name;
        let location = match p.param.location {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        };
        if p.param.required {
            reads.push(quote!(let #ident: #ty = rt::arg(args, #location, #wire)?;));
            required_args.push(quote!(#ident));
        } else {
            reads.push(quote!(let #ident: Option<#ty> = rt::opt_arg(args, #location, #wire)?;));
            setters.push(quote! {
                if let Some(v) = #ident {
                    b = b.#ident(v);
                }
            });
        }
    }
    if let Some(body) = &op.body {
        let ty = body_type(body);
        let read = match body.format {
            // The JSON object's members are the parts: text for a string, a file (named after
            // its part) for an array of bytes, JSON text for anything else.
            BodyFormat::Multipart => quote! {
                rt::body_arg::<serde_json::Map<String, serde_json::Value>>(args)?.map(|fields| {
                    fields.into_iter().fold(crate::Multipart::new(), |form, (name, value)| match value {
                        serde_json::Value::String(text) => form.text(name, text),
                        value => match serde_json::from_value::<Vec<u8>>(value.clone()) {
                            Ok(bytes) => form.file(name.clone(), name, "application/octet-stream", bytes),
                            Err(_) => form.text(name, value.to_string()),
                        },
                    })
                })
            },
            _ => quote!(rt::body_arg::<#ty>(args)?),
        };
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
            let prepared = rt::prepare(|| {
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
