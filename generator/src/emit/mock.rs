//! Operations → `mock/<tag>.rs` (the `mock` feature): a method on `MockOkta` per operation,
//! named as the client's, taking its path parameters and returning a stub typed by what the
//! operation answers.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::features::Reach;
use super::operations::{
    AnswerShape, answer_shape, output_enum_name, paginated_item, status_variants,
};
use super::types::{Scope, btreemap_import, doc_attrs, mentions, type_tokens};
use crate::ir::{Api, BodyFormat, Module, Operation, ParamEncoding, ParamLocation, Status};
use crate::names;

/// `MockOkta`'s own methods: an operation of one of these names gets `_operation` appended.
const RESERVED: &[&str] = &[
    "address",
    "api_token",
    "client",
    "client_builder",
    "requests",
    "reset",
    "server",
    "start",
    "stub",
    "uri",
];

/// The name of an operation's stub method on `MockOkta`.
pub fn stub_name(op: &Operation) -> String {
    if RESERVED.contains(&op.name.as_str()) {
        format!("{}_operation", op.name)
    } else {
        op.name.clone()
    }
}

/// `mock/mod.rs`: the public mock module, re-exporting the runtime's mock server and
/// declaring one file of stubs per operations module, compiled with the same feature.
pub fn mod_file(api: &Api) -> TokenStream {
    let mods = api.modules.iter().map(|m| {
        let ident = names::ident_tokens(&m.name);
        let cfg = Reach::of_module(api, &m.name).cfg();
        quote! { #cfg mod #ident; }
    });
    quote! {
        //! A mock Okta server for your tests: [`MockOkta`] listens on a loopback port, and
        //! every operation has a method of the client's name on it that stubs the
        //! operation with typed answers. See the crate documentation's *Testing with mocks*.
        pub use crate::runtime::{
            ByStatus, BytesBody, JsonBody, MaybeEmptyBody, MockOkta, NoBody, Paged, PathArg,
            RecordedRequest, Reply, Segment, Stub, TextBody, any, okta_error,
        };

        #(#mods)*
    }
}

/// `mock/<module>.rs`: the stub methods of the module's operations.
pub fn module_file(module: &Module) -> TokenStream {
    let stubs: Vec<TokenStream> = module
        .operations
        .iter()
        .map(|op| stub_method(module, op))
        .collect();
    let body = quote! { #(#stubs)* };
    let use_models = mentions(&body, "models").then(|| quote! { use crate::models; });
    let use_map = btreemap_import(&body);
    let doc = format!(" Stubs of the `{}` operations.", module.tag);
    quote! {
        #![doc = #doc]
        #use_map
        #use_models

        impl crate::mock::MockOkta {
            #body
        }
    }
}

fn status_code(status: Status) -> Literal {
    Literal::u16_unsuffixed(match status {
        Status::Code(c) => c,
        Status::Range(r) => r * 100,
        Status::Default => 200,
    })
}

fn stub_method(module: &Module, op: &Operation) -> TokenStream {
    let ident = names::ident_tokens(&stub_name(op));
    let path_params: Vec<_> = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .collect();
    let mut args = Vec::new();
    let mut conversions = Vec::new();
    for p in &path_params {
        let arg = names::ident_tokens(&p.rust_name);
        let ty = type_tokens(&p.ty, Scope::Outside);
        args.push(quote!(#arg: impl Into<crate::mock::PathArg<#ty>>));
        conversions.push(quote!(let #arg: crate::mock::PathArg<#ty> = #arg.into();));
    }
    // The segments in the template's order.
    let mut segments = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + len];
        let param = path_params
            .iter()
            .find(|p| p.name == name)
            .expect("lowering checked that every template name is a path parameter");
        let arg = names::ident_tokens(&param.rust_name);
        segments.push(match param.encoding {
            ParamEncoding::Text => quote!(#arg.text()),
            ParamEncoding::List(_) => quote!(#arg.list()),
            ParamEncoding::Json => quote!(#arg.json()),
        });
        rest = &rest[start + len + 1..];
    }
    let (shape_ty, shape) = shape(module, op);
    let method = op.method.as_str();
    let template = &op.path;
    let doc = doc_attrs(Some(&format!(
        "Stubs [`Client::{name}`](crate::Client::{name}): `{method} {template}`{params}.",
        name = op.name,
        params = if path_params.is_empty() {
            String::new()
        } else {
            " at these path parameters (a value, or [`any()`](crate::mock::any))".to_string()
        },
    )));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let many_args = (args.len() > 6).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #doc
        #deprecated
        #many_args
        pub fn #ident(&self, #(#args),*) -> crate::mock::Stub<'_, #shape_ty> {
            #(#conversions)*
            self.stub(#method, #template, vec![#(#segments),*], #shape)
        }
    }
}

/// The stub's answer type and its value.
fn shape(module: &Module, op: &Operation) -> (TokenStream, TokenStream) {
    let first_status = status_code(op.responses.first().map_or(Status::Code(200), |r| r.status));
    if let Some(item) = paginated_item(op) {
        let item = type_tokens(item, Scope::Outside);
        return (
            quote!(crate::mock::Paged<#item>),
            quote!(crate::mock::Paged::new(#first_status)),
        );
    }
    match answer_shape(op) {
        AnswerShape::Empty => (
            quote!(crate::mock::NoBody),
            quote!(crate::mock::NoBody::new(#first_status)),
        ),
        AnswerShape::One(body) => {
            let ct = &body.content_type;
            match body.format {
                BodyFormat::Json | BodyFormat::Form => {
                    let ty = type_tokens(&body.ty, Scope::Outside);
                    if body.may_be_empty {
                        (
                            quote!(crate::mock::MaybeEmptyBody<#ty>),
                            quote!(crate::mock::MaybeEmptyBody::new(#first_status)),
                        )
                    } else {
                        (
                            quote!(crate::mock::JsonBody<#ty>),
                            quote!(crate::mock::JsonBody::new(#first_status)),
                        )
                    }
                }
                BodyFormat::Text => (
                    quote!(crate::mock::TextBody),
                    quote!(crate::mock::TextBody::new(#first_status, #ct)),
                ),
                BodyFormat::Multipart | BodyFormat::Binary => (
                    quote!(crate::mock::BytesBody),
                    quote!(crate::mock::BytesBody::new(#first_status, #ct)),
                ),
            }
        }
        AnswerShape::ByStatus => {
            let module_ident = names::ident_tokens(&module.name);
            let enum_name = output_enum_name(op);
            let ty = quote!(crate::operations::#module_ident::#enum_name);
            let arms = status_variants(op).into_iter().map(|(v, r)| {
                let status = status_code(r.status);
                match &r.body {
                    None => quote!(#ty::#v => crate::mock::Reply::empty(#status),),
                    Some(b) => {
                        let ct = &b.content_type;
                        let reply = match b.format {
                            BodyFormat::Json | BodyFormat::Form if b.may_be_empty => {
                                quote!(crate::mock::Reply::json_or_empty(#status, &body))
                            }
                            BodyFormat::Json | BodyFormat::Form => {
                                quote!(crate::mock::Reply::json(#status, &body))
                            }
                            _ => quote!(crate::mock::Reply::raw(#status, #ct, body)),
                        };
                        quote!(#ty::#v(body) => #reply,)
                    }
                }
            });
            (
                quote!(crate::mock::ByStatus<#ty>),
                quote!(crate::mock::ByStatus::new(|output| match output { #(#arms)* })),
            )
        }
    }
}
