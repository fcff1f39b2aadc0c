//! Named types → `models/<group>.rs`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use super::features::Reach;
use super::types::{Scope, doc_attrs, type_tokens};
use crate::ir::{Api, Field, StringEnum, Struct, TypeDef, TypeKind, TypeRef, Union};
use crate::names;

/// When a models file is compiled: when any of its types is.
pub fn file_reach<'a>(api: &Api, type_names: impl IntoIterator<Item = &'a String>) -> Reach {
    let reaches: Vec<Reach> = type_names
        .into_iter()
        .map(|n| Reach::of_type(api, n))
        .collect();
    Reach::union(&reaches).unwrap_or(Reach::Always)
}

/// What a models file imports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Import {
    Map,
    Runtime,
    Serde,
    Type(String),
}

/// The `use` lines of a models file, decided from the IR so that the file's types can be
/// emitted (and formatted) in parts. An import that only some of the file's types need is
/// compiled with them.
pub fn models_imports<'a>(
    api: &Api,
    group: &str,
    type_names: impl IntoIterator<Item = &'a String> + Clone,
    owner: &BTreeMap<String, String>,
) -> TokenStream {
    let within = file_reach(api, type_names.clone());
    let mut needs: BTreeMap<Import, Reach> = BTreeMap::new();
    for name in type_names {
        let def = &api.types[name];
        let reach = Reach::of_type(api, name);
        let mut foreign = BTreeSet::new();
        collect_foreign(&def.kind, group, owner, &mut foreign);
        let imports = foreign
            .into_iter()
            .map(Import::Type)
            .chain(uses_map(&def.kind).then_some(Import::Map))
            .chain((!matches!(def.kind, TypeKind::Alias(_))).then_some(Import::Runtime))
            .chain(matches!(def.kind, TypeKind::Struct(_)).then_some(Import::Serde));
        for import in imports {
            let joined = match needs.get(&import) {
                Some(known) => Reach::union([known, &reach]).unwrap_or(Reach::Always),
                None => reach.clone(),
            };
            needs.insert(import, joined);
        }
    }
    let mut lines = Vec::new();
    // Imported types in one `use` per condition, the file's own first.
    let mut types: BTreeMap<Vec<String>, (TokenStream, Vec<proc_macro2::Ident>)> = BTreeMap::new();
    for (import, reach) in &needs {
        let cfg = reach.cfg_within(&within);
        match import {
            Import::Map => lines.push(quote!(#cfg use std::collections::BTreeMap;)),
            Import::Runtime => lines.push(quote!(#cfg use crate::runtime::model;)),
            Import::Serde => lines.push(quote! {
                #cfg use serde::de::MapAccess;
                #cfg use serde::ser::SerializeMap;
            }),
            Import::Type(name) => {
                let key = match reach {
                    _ if cfg.is_empty() => Vec::new(),
                    Reach::Any(features) => features.iter().cloned().collect(),
                    Reach::Always => Vec::new(),
                };
                types
                    .entry(key)
                    .or_insert_with(|| (cfg, Vec::new()))
                    .1
                    .push(names::ident_tokens(name));
            }
        }
    }
    for (cfg, names) in types.values() {
        lines.push(quote!(#cfg use super::{#(#names),*};));
    }
    quote! { #(#lines)* }
}

/// The items of the named types, in the order given, in a file compiled as `within`.
pub fn models_items<'a>(
    api: &Api,
    type_names: impl IntoIterator<Item = &'a String>,
    within: &Reach,
) -> TokenStream {
    let items = type_names.into_iter().map(|name| {
        let cfg = Reach::of_type(api, name).cfg_within(within);
        type_def(api, &api.types[name], &cfg)
    });
    quote! { #(#items)* }
}

/// Whether a type's Rust code names `BTreeMap`: in a field, a variant, or the values of
/// its additional properties.
fn uses_map(kind: &TypeKind) -> bool {
    fn in_ref(r: &TypeRef) -> bool {
        match r {
            TypeRef::Map(_) => true,
            TypeRef::List(t) | TypeRef::Nullable(t) => in_ref(t),
            TypeRef::Named(_) | TypeRef::Primitive(_) | TypeRef::Any => false,
        }
    }
    match kind {
        TypeKind::Struct(s) => {
            s.fields.iter().any(|f| in_ref(&f.ty)) || s.additional.as_ref().is_some_and(in_ref)
        }
        TypeKind::Union(u) => u.variants.iter().any(|v| in_ref(&v.ty)),
        TypeKind::Alias(t) => in_ref(t),
        TypeKind::Enum(_) => false,
    }
}

/// A union read through its discriminator (otherwise an untagged enum).
fn is_tagged(u: &Union) -> bool {
    u.discriminator.is_some() && u.variants.iter().all(|v| !v.tags.is_empty())
}

fn collect_foreign(
    kind: &TypeKind,
    group: &str,
    owner: &BTreeMap<String, String>,
    out: &mut BTreeSet<String>,
) {
    let mut refs: Vec<&TypeRef> = Vec::new();
    match kind {
        TypeKind::Struct(s) => {
            refs.extend(s.fields.iter().map(|f| &f.ty));
            refs.extend(s.additional.iter());
        }
        TypeKind::Union(u) => refs.extend(u.variants.iter().map(|v| &v.ty)),
        TypeKind::Alias(t) => refs.push(t),
        TypeKind::Enum(_) => {}
    }
    while let Some(r) = refs.pop() {
        match r {
            TypeRef::Named(n) => {
                if owner.get(n).is_some_and(|g| g != group) {
                    out.insert(n.clone());
                }
            }
            TypeRef::List(t) | TypeRef::Map(t) | TypeRef::Nullable(t) => refs.push(t),
            TypeRef::Primitive(_) | TypeRef::Any => {}
        }
    }
}

/// Every field is an `Option`: Okta leaves out fields its spec calls required and sends null
/// for fields it calls non-nullable, and reading must not fail on either. `None` is not
/// written, so a request carries exactly what the caller set.
fn field_def(f: &Field) -> TokenStream {
    let doc = doc_attrs(f.doc.as_deref());
    let ident = names::ident_tokens(&f.rust_name);
    let mut ty = type_tokens(&f.ty, Scope::Models);
    if f.boxed {
        ty = quote!(Box<#ty>);
    }
    quote! {
        #doc
        pub #ident: Option<#ty>,
    }
}

/// A type's items, each behind `cfg` (empty when the type is compiled with its file).
fn type_def(api: &Api, def: &TypeDef, cfg: &TokenStream) -> TokenStream {
    let doc = doc_attrs(def.doc.as_deref());
    let name = names::ident_tokens(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => struct_def(api, doc, &name, s, cfg),
        TypeKind::Enum(e) => enum_def(doc, &name, e, cfg),
        TypeKind::Union(u) => union_def(doc, &name, u, cfg),
        TypeKind::Alias(t) => {
            let target = type_tokens(t, Scope::Models);
            quote! {
                #doc
                #cfg
                pub type #name = #target;
            }
        }
    }
}

/// A struct read and written through the runtime's `Object` (`runtime/object.rs`): one `match`
/// on the property name, unknown properties kept in `additional_properties`. No derived serde
/// impls: `#[serde(flatten)]` would buffer every object and multiply the code per type.
fn struct_def(
    api: &Api,
    doc: TokenStream,
    name: &proc_macro2::Ident,
    s: &Struct,
    cfg: &TokenStream,
) -> TokenStream {
    let fields = s.fields.iter().map(field_def);
    // Every object keeps the properties the spec does not list (typed when the spec gives
    // `additional_properties` a schema), so a read-modify-write loses nothing.
    let extra = type_tokens(
        s.additional.as_ref().unwrap_or(&TypeRef::Any),
        Scope::Models,
    );
    let type_name = name.to_string();
    let idents: Vec<_> = s
        .fields
        .iter()
        .map(|f| names::ident_tokens(&f.rust_name))
        .collect();
    let keys: Vec<&String> = s.fields.iter().map(|f| &f.json_name).collect();
    // Nested objects and lists of them are read in place (`model::read_object`,
    // `model::read_list`); everything else by value.
    let is_object =
        |n: &String| matches!(api.types.get(n).map(|d| &d.kind), Some(TypeKind::Struct(_)));
    let readers = s.fields.iter().map(|f| match &f.ty {
        TypeRef::Named(n) if !f.boxed && is_object(n) => quote!(model::read_object),
        TypeRef::List(item) if !f.boxed && matches!(&**item, TypeRef::Named(n) if is_object(n)) => {
            quote!(model::read_list)
        }
        _ => quote!(model::read),
    });
    // A field's position, shared by reading and writing, marks the `null`s read for it.
    let positions = (0..s.fields.len()).map(|i| proc_macro2::Literal::u32_unsuffixed(i as u32));
    let read = if idents.is_empty() {
        quote!(model::keep(map, &mut self.additional_properties, key))
    } else {
        quote! {
            let extra = &mut self.additional_properties;
            match &*key {
                #(#keys => #readers(map, &mut self.#idents, key, #positions, extra),)*
                _ => model::keep(map, extra, key),
            }
        }
    };
    quote! {
        #doc
        #cfg
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct #name {
            #(#fields)*
            /// Properties not listed in the spec, kept as they came; also the `null`s and
            /// values of another JSON type read for listed ones, and `null`s to send
            /// ([`set_null`](crate::Properties::set_null)).
            pub additional_properties: model::Properties<#extra>,
        }

        #cfg
        impl model::Object for #name {
            const NAME: &'static str = #type_name;

            fn read<'de, A: MapAccess<'de>>(&mut self, key: model::Key<'de>, map: &mut A) -> Result<(), A::Error> {
                #read
            }

            fn write<'a, M: SerializeMap>(&'a self, object: &mut model::ObjectWriter<'a, M>) {
                object.start(&self.additional_properties);
                #(object.field(#keys, &self.#idents);)*
                object.rest(&self.additional_properties);
            }
        }

        #cfg
        model::object_serde!(#name);
    }
}

fn enum_def(
    doc: TokenStream,
    name: &proc_macro2::Ident,
    e: &StringEnum,
    cfg: &TokenStream,
) -> TokenStream {
    let idents: Vec<_> = e
        .variants
        .iter()
        .map(|v| names::ident_tokens(&v.rust_name))
        .collect();
    let values: Vec<&String> = e.variants.iter().map(|v| &v.value).collect();
    let variant_docs = values.iter().map(|v| format!(" `{v}`"));
    quote! {
        #doc
        #cfg
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(
                #[doc = #variant_docs]
                #idents,
            )*
            /// A value this version of the client does not know, kept as it was sent.
            Other(String),
        }

        #cfg
        impl #name {
            /// The value as it is written in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #values,)*
                    Self::Other(value) => value,
                }
            }
        }

        #cfg
        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => Self::#idents,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        #cfg
        model::string_enum_serde!(#name);
    }
}

fn union_def(
    doc: TokenStream,
    name: &proc_macro2::Ident,
    u: &Union,
    cfg: &TokenStream,
) -> TokenStream {
    let idents: Vec<_> = u
        .variants
        .iter()
        .map(|v| names::ident_tokens(&v.rust_name))
        .collect();
    let types: Vec<_> = u
        .variants
        .iter()
        .map(|v| type_tokens(&v.ty, Scope::Models))
        .collect();
    match &u.discriminator {
        Some(tag) if is_tagged(u) => {
            let variant_docs = u.variants.iter().map(|v| {
                let values: Vec<String> = v.tags.iter().map(|t| format!("`{t}`")).collect();
                format!(" `{tag}`: {}", values.join(", "))
            });
            let other_doc = format!(
                " An object whose `{tag}` this version of the client does not know (or that has none), kept whole."
            );
            let arms = u.variants.iter().zip(&idents).map(|(v, ident)| {
                let tags = &v.tags;
                quote! {
                    #(Some(#tags))|* => model::decode_variant(value).map(Self::#ident),
                }
            });
            quote! {
                #doc
                #cfg
                #[derive(Debug, Clone, PartialEq)]
                #[non_exhaustive]
                pub enum #name {
                    #(
                        #[doc = #variant_docs]
                        #idents(Box<#types>),
                    )*
                    #[doc = #other_doc]
                    Other(serde_json::Value),
                }

                #cfg
                impl #name {
                    /// The JSON property that selects the variant.
                    pub const DISCRIMINATOR: &'static str = #tag;
                }

                #cfg
                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        match self {
                            #(Self::#idents(value) => serde::Serialize::serialize(value, serializer),)*
                            Self::Other(value) => serde::Serialize::serialize(value, serializer),
                        }
                    }
                }

                #cfg
                impl<'de> serde::Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                        match value.get(Self::DISCRIMINATOR).and_then(serde_json::Value::as_str) {
                            #(#arms)*
                            _ => Ok(Self::Other(value)),
                        }
                    }
                }
            }
        }
        _ => {
            let types = u.variants.iter().zip(types).map(|(v, ty)| match &v.ty {
                TypeRef::Named(_) => quote!(Box<#ty>),
                _ => ty,
            });
            // Read by the runtime's `untagged`, which chooses a variant by what fits it
            // strictly, also when the body around it is read leniently.
            quote! {
                #doc
                #cfg
                #[derive(Debug, Clone, PartialEq, serde::Serialize)]
                #[serde(untagged)]
                #[non_exhaustive]
                pub enum #name {
                    #(#idents(#types),)*
                    /// A value matching none of the variants above, kept as it came.
                    Other(serde_json::Value),
                }

                #cfg
                impl<'de> serde::Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        let variants = [#(|v: &serde_json::Value| model::variant(v, Self::#idents)),*];
                        model::deserialize_untagged(deserializer, &variants, Self::Other)
                    }
                }
            }
        }
    }
}
