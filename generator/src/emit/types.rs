//! Shared emitting helpers: type references and doc attributes.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Primitive, TypeRef};
use crate::names;

/// How named types are written where the code stands.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Inside the models module: by bare name.
    Models,
    /// Elsewhere: `models::Name` (the file imports `crate::models`).
    Outside,
}

pub fn type_tokens(ty: &TypeRef, scope: Scope) -> TokenStream {
    match ty {
        TypeRef::Primitive(p) => primitive_tokens(*p),
        TypeRef::Named(n) => {
            let ident = names::ident_tokens(n);
            match scope {
                Scope::Models => quote!(#ident),
                Scope::Outside => quote!(models::#ident),
            }
        }
        TypeRef::List(inner) => {
            let inner = type_tokens(inner, scope);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = type_tokens(inner, scope);
            quote!(BTreeMap<String, #inner>)
        }
        TypeRef::Nullable(inner) => {
            let inner = type_tokens(inner, scope);
            quote!(Option<#inner>)
        }
        TypeRef::Any => quote!(serde_json::Value),
    }
}

pub fn primitive_tokens(p: Primitive) -> TokenStream {
    match p {
        Primitive::String => quote!(String),
        Primitive::I32 => quote!(i32),
        Primitive::I64 => quote!(i64),
        Primitive::F32 => quote!(f32),
        Primitive::F64 => quote!(f64),
        Primitive::Bool => quote!(bool),
        Primitive::Bytes => quote!(Vec<u8>),
    }
}

/// `#[doc = " line"]` attributes, one per line.
pub fn doc_attrs(doc: Option<&str>) -> TokenStream {
    let Some(doc) = doc else {
        return TokenStream::new();
    };
    let lines = doc_lines(doc);
    quote! { #(#[doc = #lines])* }
}

/// `#![doc = " line"]` attributes, one per line.
pub fn inner_doc_attrs(doc: Option<&str>) -> TokenStream {
    let Some(doc) = doc else {
        return TokenStream::new();
    };
    let lines = doc_lines(doc);
    quote! { #(#![doc = #lines])* }
}

fn doc_lines(doc: &str) -> Vec<String> {
    doc.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        })
        .collect()
}

/// `use std::collections::BTreeMap;` when the code names it (models never define that name).
pub fn btreemap_import(code: &TokenStream) -> TokenStream {
    if mentions(code, "BTreeMap") {
        quote! { use std::collections::BTreeMap; }
    } else {
        TokenStream::new()
    }
}

/// Whether `code` contains the identifier `name`, at any depth.
pub fn mentions(code: &TokenStream, name: &str) -> bool {
    code.clone().into_iter().any(|t| token_mentions(&t, name))
}

fn token_mentions(t: &proc_macro2::TokenTree, name: &str) -> bool {
    match t {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => {
            g.stream().into_iter().any(|t| token_mentions(&t, name))
        }
        _ => false,
    }
}
