//! Named types → `models/<group>.rs`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{Scope, doc_attrs, type_tokens};
use crate::ir::{Api, Field, StringEnum, Struct, TypeDef, TypeKind, TypeRef, Union};
use crate::names;

/// The `use` lines of a models file, decided from the IR so that the file's types can be
/// emitted (and formatted) in parts.
pub fn models_imports<'a>(
    api: &Api,
    group: &str,
    type_names: impl IntoIterator<Item = &'a String>,
    owner: &BTreeMap<String, String>,
) -> TokenStream {
    let mut foreign = BTreeSet::new();
    let (mut map, mut objects, mut runtime) = (false, false, false);
    for name in type_names {
        let def = &api.types[name];
        collect_foreign(&def.kind, group, owner, &mut foreign);
        map |= uses_map(&def.kind);
        objects |= matches!(def.kind, TypeKind::Struct(_));
        runtime |= !matches!(def.kind, TypeKind::Alias(_));
    }
    let use_map = map.then(|| {
        quote!(
            use std::collections::BTreeMap;
        )
    });
    let use_runtime = runtime.then(|| {
        quote!(
            use crate::runtime::model;
        )
    });
    let use_serde = objects.then(|| {
        quote! {
            use serde::de::MapAccess;
            use serde::ser::SerializeMap;
        }
    });
    let imports: Vec<_> = foreign.iter().map(|n| names::ident_tokens(n)).collect();
    let use_foreign = (!imports.is_empty()).then(|| quote! { use super::{#(#imports),*}; });
    quote! {
        #use_map
        #use_runtime
        #use_serde
        #use_foreign
    }
}

/// The items of the named types, in the order given.
pub fn models_items<'a>(
    api: &Api,
    type_names: impl IntoIterator<Item = &'a String>,
) -> TokenStream {
    let items = type_names
        .into_iter()
        .map(|name| type_def(api, &api.types[name]));
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

fn type_def(api: &Api, def: &TypeDef) -> TokenStream {
    let doc = doc_attrs(def.doc.as_deref());
    let name = names::ident_tokens(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => struct_def(api, doc, &name, s),
        TypeKind::Enum(e) => enum_def(doc, &name, e),
        TypeKind::Union(u) => union_def(doc, &name, u),
        TypeKind::Alias(t) => {
            let target = type_tokens(t, Scope::Models);
            quote! {
                #doc
                pub type #name = #target;
            }
        }
    }
}

/// A struct read and written through the runtime's `Object` (`runtime/object.rs`): one `match`
/// on the property name, unknown properties kept in `additional_properties`. No derived serde
/// impls: `#[serde(flatten)]` would buffer every object and multiply the code per type.
fn struct_def(api: &Api, doc: TokenStream, name: &proc_macro2::Ident, s: &Struct) -> TokenStream {
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
    // Nested objects are read in place (`model::read_object`); everything else by value.
    let readers = s.fields.iter().map(|f| match &f.ty {
        TypeRef::Named(n)
            if !f.boxed
                && matches!(api.types.get(n).map(|d| &d.kind), Some(TypeKind::Struct(_))) =>
        {
            quote!(model::read_object)
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
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct #name {
            #(#fields)*
            /// Properties not listed in the spec, kept as they came; also the `null`s and
            /// values of another JSON type read for listed ones, and `null`s to send
            /// ([`set_null`](crate::Properties::set_null)).
            pub additional_properties: model::Properties<#extra>,
        }

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

        model::object_serde!(#name);
    }
}

fn enum_def(doc: TokenStream, name: &proc_macro2::Ident, e: &StringEnum) -> TokenStream {
    let idents: Vec<_> = e
        .variants
        .iter()
        .map(|v| names::ident_tokens(&v.rust_name))
        .collect();
    let values: Vec<&String> = e.variants.iter().map(|v| &v.value).collect();
    let variant_docs = values.iter().map(|v| format!(" `{v}`"));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(
                #[doc = #variant_docs]
                #idents,
            )*
            /// A value this version of the client does not know, kept as it was sent.
            Other(String),
        }

        impl #name {
            /// The value as it is written in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #values,)*
                    Self::Other(value) => value,
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => Self::#idents,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        model::string_enum_serde!(#name);
    }
}

fn union_def(doc: TokenStream, name: &proc_macro2::Ident, u: &Union) -> TokenStream {
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

                impl #name {
                    /// The JSON property that selects the variant.
                    pub const DISCRIMINATOR: &'static str = #tag;
                }

                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        match self {
                            #(Self::#idents(value) => serde::Serialize::serialize(value, serializer),)*
                            Self::Other(value) => serde::Serialize::serialize(value, serializer),
                        }
                    }
                }

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
                #[derive(Debug, Clone, PartialEq, serde::Serialize)]
                #[serde(untagged)]
                #[non_exhaustive]
                pub enum #name {
                    #(#idents(#types),)*
                    /// A value matching none of the variants above, kept as it came.
                    Other(serde_json::Value),
                }

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
