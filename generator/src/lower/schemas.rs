//! Schemas → named types and type references.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, AnySchema, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};

use super::{Lowerer, schema_pointer};
use crate::error::{Error, ErrorKind};
use crate::ir::{
    EnumVariant, Field, Primitive, StringEnum, Struct, TypeDef, TypeKind, TypeRef, Union,
    UnionVariant,
};
use crate::names::{self, NameSet};
use crate::pointer::{self, Pointer};

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// The name the type of a schema being lowered will get: fixed (a component's) or derived
/// from where the schema stands, claimed only when the schema turns out to need a named type.
pub(super) enum PendingTypeName {
    Fixed(String),
    FromHint {
        hint: String,
        claimed: Option<String>,
    },
}

impl PendingTypeName {
    fn from_hint(hint: impl Into<String>) -> Self {
        PendingTypeName::FromHint {
            hint: hint.into(),
            claimed: None,
        }
    }

    /// The base for names of nested inline schemas.
    fn nested_base(&self) -> &str {
        match self {
            PendingTypeName::Fixed(n) => n,
            PendingTypeName::FromHint { hint, claimed } => claimed.as_deref().unwrap_or(hint),
        }
    }
}

/// What a schema lowers to: a use of a type that exists (a primitive, a list, a map, a
/// named type), or a new type that needs a name.
enum LoweredSchema {
    Use(TypeRef),
    NewType(TypeKind),
}

/// Properties gathered from an object schema and everything it `allOf`s.
#[derive(Default)]
struct ObjectParts {
    properties: IndexMap<String, (ReferenceOr<Box<Schema>>, Pointer)>,
    required: BTreeSet<String>,
    additional: Option<(AdditionalProperties, Pointer)>,
}

impl Lowerer<'_> {
    /// Gives every component schema its Rust name, in key order.
    pub(super) fn name_components(&mut self) {
        let keys: Vec<String> = match &self.spec.api.components {
            Some(c) => {
                let mut k: Vec<String> = c.schemas.keys().cloned().collect();
                k.sort();
                k
            }
            None => Vec::new(),
        };
        for key in keys {
            let at = schema_pointer(&key);
            let name = self.claim_type_name(&names::camel(&key), &at);
            self.component_names.insert(key, name);
        }
    }

    /// Lowers every component schema into a named type.
    pub(super) fn lower_components(&mut self) -> Result<(), Error> {
        let Some(components) = &self.spec.api.components else {
            return Ok(());
        };
        let names: Vec<(String, String)> = self
            .component_names
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (key, name) in names {
            let at = schema_pointer(&key);
            let schema = components.schemas[&key].clone();
            let (kind, doc) = match &schema {
                ReferenceOr::Reference { reference } => {
                    self.check_alias_chain(&key, reference, &at)?;
                    (TypeKind::Alias(self.type_ref(&schema, &name, &at)?), None)
                }
                ReferenceOr::Item(s) => {
                    let mut pending = PendingTypeName::Fixed(name.clone());
                    let kind = match self.lower_schema(s, &mut pending, &at, Some(&key))? {
                        LoweredSchema::Use(t) => TypeKind::Alias(t),
                        LoweredSchema::NewType(k) => k,
                    };
                    (kind, schema_doc(s))
                }
            };
            if let TypeKind::Alias(TypeRef::Named(target)) = &kind {
                if *target == name {
                    return Err(self.error(
                        ErrorKind::Reference,
                        &at,
                        "this schema is defined as itself (a cycle of `$ref`/`allOf` with no content)",
                    ));
                }
            }
            self.types.insert(
                name.clone(),
                TypeDef {
                    name,
                    doc,
                    kind,
                    pointer: at.into(),
                },
            );
        }
        Ok(())
    }

    /// A component that is only a `$ref` must not lead back to itself.
    fn check_alias_chain(&self, key: &str, first: &str, at: &Pointer) -> Result<(), Error> {
        let components = self.spec.api.components.as_ref();
        let mut seen = BTreeSet::from([key.to_string()]);
        let mut reference = first.to_string();
        loop {
            let Some(next) = reference.strip_prefix(SCHEMA_PREFIX) else {
                return Ok(());
            };
            let next = pointer::unescape(next);
            if !seen.insert(next.clone()) {
                return Err(self.error(
                    ErrorKind::Reference,
                    at,
                    format!("`$ref: {first}` leads back to `{key}`: a cycle of references with no schema in it"),
                ));
            }
            match components.and_then(|c| c.schemas.get(&next)) {
                Some(ReferenceOr::Reference { reference: r }) => reference = r.clone(),
                _ => return Ok(()),
            }
        }
    }

    /// The type of a schema use; inline schemas that need a named type get one named from `hint`.
    pub(super) fn type_ref(
        &mut self,
        schema: &ReferenceOr<Schema>,
        hint: &str,
        at: &Pointer,
    ) -> Result<TypeRef, Error> {
        match schema {
            ReferenceOr::Reference { reference } => self.reference_type(reference, at),
            ReferenceOr::Item(s) => self.inline(s, hint, at),
        }
    }

    fn type_ref_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        hint: &str,
        at: &Pointer,
    ) -> Result<TypeRef, Error> {
        match schema {
            ReferenceOr::Reference { reference } => self.reference_type(reference, at),
            ReferenceOr::Item(s) => self.inline(s, hint, at),
        }
    }

    fn reference_type(&mut self, reference: &str, at: &Pointer) -> Result<TypeRef, Error> {
        match self.reference_type_strict(reference, at) {
            Err(e)
                if self.spec.lenient
                    && matches!(e.kind, ErrorKind::Unsupported | ErrorKind::Reference) =>
            {
                self.warn(at, format!("{}; read as any JSON value", e.message));
                Ok(TypeRef::Any)
            }
            r => r,
        }
    }

    fn reference_type_strict(&mut self, reference: &str, at: &Pointer) -> Result<TypeRef, Error> {
        if let Some(key) = reference.strip_prefix(SCHEMA_PREFIX) {
            let key = pointer::unescape(key);
            if !key.contains('/') {
                return match self.component_names.get(&key) {
                    Some(name) => Ok(TypeRef::Named(name.clone())),
                    None => Err(self
                        .error(
                            ErrorKind::Reference,
                            at,
                            format!("`$ref: {reference}` points to a schema that does not exist"),
                        )
                        .hint("add the schema under components/schemas or fix the name")),
                };
            }
        }
        if let Some(t) = self.ref_cache.get(reference) {
            return Ok(t.clone());
        }
        let schema: Schema = self.resolve(reference, at)?;
        let last = reference.rsplit('/').next().unwrap_or("Schema");
        let hint = names::camel(&pointer::unescape(last));
        // Guard against a pointer that reaches into itself while it is being lowered.
        self.ref_cache.insert(reference.to_string(), TypeRef::Any);
        let t = self.inline(&schema, &hint, &Pointer::from_escaped(reference))?;
        self.ref_cache.insert(reference.to_string(), t.clone());
        Ok(t)
    }

    fn inline(&mut self, schema: &Schema, hint: &str, at: &Pointer) -> Result<TypeRef, Error> {
        // A schema in place whose natural name is taken (by a component, say) is named by its
        // title when it has a free one.
        let title = schema.schema_data.title.as_deref().map(names::camel);
        let hint = match &title {
            Some(t) if !t.is_empty() && self.name_taken(hint) && !self.name_taken(t) => t,
            _ => hint,
        };
        let mut pending = PendingTypeName::from_hint(hint);
        match self.lower_schema(schema, &mut pending, at, None)? {
            LoweredSchema::Use(t) => Ok(t),
            LoweredSchema::NewType(kind) => {
                let name = self.claim_pending_name(&mut pending, at);
                Ok(self.add_type(TypeDef {
                    name,
                    doc: schema_doc(schema),
                    kind,
                    pointer: at.to_string(),
                }))
            }
        }
    }

    /// The name of the new type: the fixed one, or the hint claimed (once) as a type name.
    fn claim_pending_name(&mut self, name: &mut PendingTypeName, at: &Pointer) -> String {
        match name {
            PendingTypeName::Fixed(n) => n.clone(),
            PendingTypeName::FromHint { hint, claimed } => {
                if let Some(n) = claimed {
                    return n.clone();
                }
                let hint = hint.clone();
                let n = self.claim_type_name(&hint, at);
                *claimed = Some(n.clone());
                n
            }
        }
    }

    /// Decides what a schema becomes. `component` is the schema's key when it is a component.
    fn lower_schema(
        &mut self,
        schema: &Schema,
        name: &mut PendingTypeName,
        at: &Pointer,
        component: Option<&str>,
    ) -> Result<LoweredSchema, Error> {
        if let Some(key) = component {
            if let Some(union) = self.discriminated_base(key, schema, at)? {
                return Ok(LoweredSchema::NewType(TypeKind::Union(union)));
            }
        }
        match &schema.schema_kind {
            SchemaKind::OneOf { one_of: parts } => {
                self.union_type(schema, parts, "oneOf", name, at)
            }
            SchemaKind::AnyOf { any_of: parts } => {
                self.union_type(schema, parts, "anyOf", name, at)
            }
            SchemaKind::AllOf { all_of } => match one_structural_part(all_of) {
                Some(single) => self.single_all_of(schema, single, name, at),
                None => self.object_type(schema, name, at),
            },
            SchemaKind::Not { .. } => {
                self.warn(
                    at,
                    "`not` cannot be expressed as a Rust type; any JSON value is accepted",
                );
                Ok(LoweredSchema::Use(TypeRef::Any))
            }
            SchemaKind::Type(Type::String(s)) => {
                let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
                if !values.is_empty() {
                    return Ok(self.enum_type(&values, at));
                }
                let binary = matches!(
                    s.format,
                    VariantOrUnknownOrEmpty::Item(StringFormat::Binary)
                );
                Ok(string_type(binary))
            }
            SchemaKind::Type(Type::Integer(i)) => Ok(integer_type(matches!(
                i.format,
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32)
            ))),
            SchemaKind::Type(Type::Number(n)) => {
                Ok(LoweredSchema::Use(TypeRef::Primitive(match n.format {
                    VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => Primitive::F32,
                    _ => Primitive::F64,
                })))
            }
            SchemaKind::Type(Type::Boolean(_)) => {
                Ok(LoweredSchema::Use(TypeRef::Primitive(Primitive::Bool)))
            }
            SchemaKind::Type(Type::Array(a)) => self.list_type(a.items.as_ref(), name, at),
            SchemaKind::Type(Type::Object(o)) => {
                if o.properties.is_empty() {
                    return self.map_type(o.additional_properties.as_ref(), name, at);
                }
                self.object_type(schema, name, at)
            }
            SchemaKind::Any(a) => self.untyped_schema(schema, a, name, at),
        }
    }

    /// A schema without a `type` keyword that openapiv3 could not classify: composition
    /// keywords first, then properties, then the `type` it gives as text.
    fn untyped_schema(
        &mut self,
        schema: &Schema,
        a: &AnySchema,
        name: &mut PendingTypeName,
        at: &Pointer,
    ) -> Result<LoweredSchema, Error> {
        if !a.one_of.is_empty() || !a.any_of.is_empty() {
            let (parts, keyword) = if a.one_of.is_empty() {
                (&a.any_of, "anyOf")
            } else {
                (&a.one_of, "oneOf")
            };
            if !a.properties.is_empty() {
                self.warn(
                    at,
                    format!("properties beside `{keyword}` are not merged into the variants"),
                );
            }
            return self.union_type(schema, parts, keyword, name, at);
        }
        if !a.all_of.is_empty() {
            if a.properties.is_empty() && a.additional_properties.is_none() {
                if let Some(single) = one_structural_part(&a.all_of) {
                    return self.single_all_of(schema, single, name, at);
                }
            }
            return self.object_type(schema, name, at);
        }
        if !a.properties.is_empty() {
            return self.object_type(schema, name, at);
        }
        self.untyped_by_keywords(a, name, at)
    }

    /// An untyped schema without properties or composition: what its `type` text, `enum`,
    /// `additionalProperties` or `items` make it.
    fn untyped_by_keywords(
        &mut self,
        a: &AnySchema,
        name: &mut PendingTypeName,
        at: &Pointer,
    ) -> Result<LoweredSchema, Error> {
        let strings: Vec<String> = a
            .enumeration
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        match a.typ.as_deref() {
            Some("object") => self.map_type(a.additional_properties.as_ref(), name, at),
            Some("array") => self.list_type(a.items.as_ref(), name, at),
            Some("string") if !strings.is_empty() => Ok(self.enum_type(&strings, at)),
            Some("string") => Ok(string_type(a.format.as_deref() == Some("binary"))),
            Some("integer") => Ok(integer_type(a.format.as_deref() == Some("int32"))),
            Some("number") => Ok(LoweredSchema::Use(TypeRef::Primitive(Primitive::F64))),
            Some("boolean") => Ok(LoweredSchema::Use(TypeRef::Primitive(Primitive::Bool))),
            Some(other) => Err(self.error(
                ErrorKind::Structure,
                &at.join("type"),
                format!("`type: {other}` is not an OpenAPI 3.0 type (string, number, integer, boolean, array, object)"),
            )),
            None if !strings.is_empty() && strings.len() == a.enumeration.len() => {
                Ok(self.enum_type(&strings, at))
            }
            None if a.additional_properties.is_some() => {
                self.map_type(a.additional_properties.as_ref(), name, at)
            }
            None if a.items.is_some() => self.list_type(a.items.as_ref(), name, at),
            None => Ok(LoweredSchema::Use(TypeRef::Any)),
        }
    }

    /// A `oneOf`/`anyOf` (`keyword`): a union under the schema's name.
    fn union_type(
        &mut self,
        schema: &Schema,
        parts: &[ReferenceOr<Schema>],
        keyword: &str,
        name: &mut PendingTypeName,
        at: &Pointer,
    ) -> Result<LoweredSchema, Error> {
        let name = self.claim_pending_name(name, at);
        let union = self.union(&name, parts, schema, &at.join(keyword))?;
        Ok(LoweredSchema::NewType(TypeKind::Union(union)))
    }

    fn enum_type(&mut self, values: &[String], at: &Pointer) -> LoweredSchema {
        LoweredSchema::NewType(TypeKind::Enum(self.string_enum(values, at)))
    }

    /// An array: a list of its `items` (any JSON value without them).
    fn list_type(
        &mut self,
        items: Option<&ReferenceOr<Box<Schema>>>,
        name: &PendingTypeName,
        at: &Pointer,
    ) -> Result<LoweredSchema, Error> {
        let item = match items {
            Some(items) => {
                let hint = format!("{}Item", name.nested_base());
                self.type_ref_boxed(items, &hint, &at.join("items"))?
            }
            None => TypeRef::Any,
        };
        Ok(LoweredSchema::Use(TypeRef::List(Box::new(item))))
    }

    fn map_type(
        &mut self,
        additional: Option<&AdditionalProperties>,
        name: &mut PendingTypeName,
        at: &Pointer,
    ) -> Result<LoweredSchema, Error> {
        let value = match additional {
            Some(AdditionalProperties::Schema(s)) => {
                let hint = format!("{}Value", name.nested_base());
                let at = at.join("additionalProperties");
                let value = self.type_ref(s, &hint, &at)?;
                self.nullable_value(s, value, &at)
            }
            _ => TypeRef::Any,
        };
        Ok(LoweredSchema::Use(TypeRef::Map(Box::new(value))))
    }

    fn object_type(
        &mut self,
        schema: &Schema,
        name: &mut PendingTypeName,
        at: &Pointer,
    ) -> Result<LoweredSchema, Error> {
        let mut parts = ObjectParts::default();
        let mut visiting = Vec::new();
        self.collect_object(schema, at, &mut parts, &mut visiting)?;
        let name = self.claim_pending_name(name, at);
        Ok(LoweredSchema::NewType(TypeKind::Struct(
            self.build_struct(&name, parts)?,
        )))
    }

    /// Gathers the properties of an object schema and, recursively, of everything it `allOf`s.
    fn collect_object(
        &mut self,
        schema: &Schema,
        at: &Pointer,
        parts: &mut ObjectParts,
        visiting: &mut Vec<String>,
    ) -> Result<(), Error> {
        let add = |parts: &mut ObjectParts,
                   props: &IndexMap<String, ReferenceOr<Box<Schema>>>,
                   required: &[String],
                   additional: &Option<AdditionalProperties>| {
            for (k, v) in props {
                let p = at.join("properties").join(k);
                parts.properties.insert(k.clone(), (v.clone(), p));
            }
            parts.required.extend(required.iter().cloned());
            if let Some(a) = additional {
                parts.additional = Some((a.clone(), at.join("additionalProperties")));
            }
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => {
                add(parts, &o.properties, &o.required, &o.additional_properties);
            }
            SchemaKind::AllOf { all_of } => {
                for (i, part) in all_of.iter().enumerate() {
                    self.collect_part(part, &at.join("allOf").join(i), parts, visiting)?;
                }
            }
            SchemaKind::Any(a) => {
                for (i, part) in a.all_of.iter().enumerate() {
                    self.collect_part(part, &at.join("allOf").join(i), parts, visiting)?;
                }
                add(parts, &a.properties, &a.required, &a.additional_properties);
            }
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => {
                self.warn(
                    at,
                    "a oneOf/anyOf inside allOf cannot be merged into one struct; its properties are kept as extra JSON fields",
                );
                parts.additional = Some((AdditionalProperties::Any(true), at.clone()));
            }
            SchemaKind::Type(_) | SchemaKind::Not { .. } => {
                self.warn(at, "a non-object schema inside allOf is ignored");
            }
        }
        Ok(())
    }

    fn collect_part(
        &mut self,
        part: &ReferenceOr<Schema>,
        at: &Pointer,
        parts: &mut ObjectParts,
        visiting: &mut Vec<String>,
    ) -> Result<(), Error> {
        match part {
            ReferenceOr::Item(s) => self.collect_object(s, at, parts, visiting),
            ReferenceOr::Reference { reference } => {
                if visiting.contains(reference) {
                    return Err(self.error(
                        ErrorKind::Reference,
                        at,
                        format!("`allOf` includes `{reference}`, which includes this schema again: a cycle of allOf"),
                    ));
                }
                let (schema, where_) = self.item::<Schema>(part, at)?;
                visiting.push(reference.clone());
                let r = self.collect_object(&schema, &where_, parts, visiting);
                visiting.pop();
                r
            }
        }
    }

    fn build_struct(&mut self, name: &str, parts: ObjectParts) -> Result<Struct, Error> {
        let mut fields = Vec::with_capacity(parts.properties.len());
        let mut field_names = NameSet::reserving(["additional_properties"]);
        for (json_name, (prop, at)) in &parts.properties {
            let hint = format!("{name}{}", names::camel(json_name));
            let ty = self.type_ref_boxed(prop, &hint, at)?;
            let base = names::snake(json_name);
            let rust_name = field_names.claim(&base);
            if rust_name != base {
                self.warn(
                    at,
                    format!(
                        "property `{json_name}` becomes field `{rust_name}`: `{base}` is taken"
                    ),
                );
            }
            let flags = self.flags(prop, at);
            fields.push(Field {
                json_name: json_name.clone(),
                rust_name,
                ty,
                required: parts.required.contains(json_name),
                nullable: flags.nullable,
                read_only: flags.read_only,
                write_only: flags.write_only,
                boxed: false,
                doc: match prop {
                    ReferenceOr::Item(s) => schema_doc(s),
                    ReferenceOr::Reference { .. } => None,
                },
            });
        }
        let additional = match parts.additional {
            Some((AdditionalProperties::Any(true), _)) => Some(TypeRef::Any),
            Some((AdditionalProperties::Any(false), _)) | None => None,
            Some((AdditionalProperties::Schema(s), at)) => {
                let value = self.type_ref(&s, &format!("{name}Value"), &at)?;
                Some(self.nullable_value(&s, value, &at))
            }
        };
        Ok(Struct { fields, additional })
    }

    /// The type of a map value: [`TypeRef::Nullable`] when its schema is `nullable` (a map
    /// entry can be sent as `null`, which Okta reads as "remove this entry"), else `value`.
    fn nullable_value(
        &self,
        schema: &ReferenceOr<Schema>,
        value: TypeRef,
        at: &Pointer,
    ) -> TypeRef {
        let schema = match schema {
            ReferenceOr::Item(s) => ReferenceOr::Item(Box::new(s.clone())),
            ReferenceOr::Reference { reference } => ReferenceOr::Reference {
                reference: reference.clone(),
            },
        };
        if self.flags(&schema, at).nullable && value != TypeRef::Any {
            TypeRef::Nullable(Box::new(value))
        } else {
            value
        }
    }

    /// nullable / readOnly / writeOnly of a property, looking through `allOf: [$ref]` wrappers
    /// and into referenced components (all unset when the reference does not resolve).
    fn flags(&self, prop: &ReferenceOr<Box<Schema>>, at: &Pointer) -> PropertyFlags {
        let schema: Schema = match prop {
            ReferenceOr::Item(s) => (**s).clone(),
            ReferenceOr::Reference { reference } => match self.resolve::<Schema>(reference, at) {
                Ok(s) => s,
                Err(_) => return PropertyFlags::default(),
            },
        };
        let d = &schema.schema_data;
        PropertyFlags {
            nullable: d.nullable,
            read_only: d.read_only,
            write_only: d.write_only,
        }
    }

    fn string_enum(&mut self, values: &[String], at: &Pointer) -> StringEnum {
        let mut seen = BTreeSet::new();
        let mut variant_names = NameSet::reserving(["Other"]);
        let mut variants = Vec::new();
        for v in values {
            if !seen.insert(v.clone()) {
                self.warn(
                    &at.join("enum"),
                    format!("the value `{v}` is listed twice; kept once"),
                );
                continue;
            }
            let base = if v.is_empty() {
                "Empty".to_string()
            } else {
                names::camel(v)
            };
            variants.push(EnumVariant {
                value: v.clone(),
                rust_name: variant_names.claim(&base),
            });
        }
        StringEnum { variants }
    }

    /// A schema that is `allOf` one schema and nothing else is that schema: a reference is
    /// used as it is, a schema in place takes this schema's name.
    fn single_all_of(
        &mut self,
        schema: &Schema,
        single: &ReferenceOr<Schema>,
        name: &mut PendingTypeName,
        at: &Pointer,
    ) -> Result<LoweredSchema, Error> {
        let part_at = at.join("allOf").join(0);
        match single {
            ReferenceOr::Item(inner) => self.lower_schema(inner, name, &part_at, None),
            // A subtype of a discriminated base is a struct of its own, even when it adds
            // nothing: as an alias of the base, the base's variant would be the base itself.
            ReferenceOr::Reference { reference } if self.reaches_discriminated_base(reference) => {
                self.object_type(schema, name, at)
            }
            ReferenceOr::Reference { .. } => Ok(LoweredSchema::Use(self.type_ref(
                single,
                name.nested_base(),
                &part_at,
            )?)),
        }
    }

    /// Whether `reference`, followed through schemas that are `allOf` one reference, reaches
    /// a schema with a discriminator.
    fn reaches_discriminated_base(&self, reference: &str) -> bool {
        let mut reference = reference.to_string();
        for _ in 0..32 {
            let Some(raw) = crate::load::resolve_pointer(&self.spec.raw, &reference) else {
                return false;
            };
            if raw.get("discriminator").is_some() {
                return true;
            }
            let parts: Vec<&str> = raw
                .get("allOf")
                .and_then(serde_json::Value::as_array)
                .map(|parts| {
                    parts
                        .iter()
                        .filter_map(|p| p.get("$ref").and_then(serde_json::Value::as_str))
                        .collect()
                })
                .unwrap_or_default();
            match parts.as_slice() {
                [one] => reference = (*one).to_string(),
                _ => return false,
            }
        }
        false
    }

    fn union(
        &mut self,
        name: &str,
        parts: &[ReferenceOr<Schema>],
        schema: &Schema,
        at: &Pointer,
    ) -> Result<Union, Error> {
        let discriminator = schema.schema_data.discriminator.as_ref();
        let mut variants = Vec::new();
        let mut variant_names = NameSet::reserving(["Other"]);
        let hints = variant_hints(name, parts);
        for (i, part) in parts.iter().enumerate() {
            let part_at = at.join(i);
            let ty = self.type_ref(part, &hints[i], &part_at)?;
            let mut tags = Vec::new();
            if let (Some(d), ReferenceOr::Reference { reference }) = (discriminator, part) {
                tags = d
                    .mapping
                    .iter()
                    .filter(|(_, target)| same_schema(target, reference))
                    .map(|(tag, _)| tag.clone())
                    .collect();
                if tags.is_empty() {
                    if let Some(key) = reference.strip_prefix(SCHEMA_PREFIX) {
                        tags.push(pointer::unescape(key));
                    }
                }
            }
            variants.push(UnionVariant {
                rust_name: variant_names.claim(&variant_name(name, &ty)),
                tags,
                ty,
            });
        }
        if variants.is_empty() {
            return Err(self.error(
                ErrorKind::Structure,
                at,
                "a oneOf/anyOf with no schemas in it",
            ));
        }
        Ok(Union {
            discriminator: discriminator.map(|d| d.property_name.clone()),
            variants,
        })
    }

    /// A component with a `discriminator` but no `oneOf` is the base of a hierarchy: its
    /// subtypes `allOf` it. It becomes a union of the subtypes (by `mapping`, or, without one,
    /// every component that `allOf`s it, tagged with its key).
    fn discriminated_base(
        &mut self,
        key: &str,
        schema: &Schema,
        at: &Pointer,
    ) -> Result<Option<Union>, Error> {
        let Some(d) = &schema.schema_data.discriminator else {
            return Ok(None);
        };
        if matches!(
            schema.schema_kind,
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. }
        ) {
            return Ok(None);
        }
        if let SchemaKind::Any(a) = &schema.schema_kind {
            if !a.one_of.is_empty() || !a.any_of.is_empty() {
                return Ok(None);
            }
        }
        let self_ref = schema_pointer(key).to_string();
        // target component key → tags, in mapping order.
        let mut targets: IndexMap<String, Vec<String>> = IndexMap::new();
        if d.mapping.is_empty() {
            for sub in self.subtypes_of(&self_ref) {
                targets.entry(sub.clone()).or_default().push(sub);
            }
        } else {
            for (tag, target) in &d.mapping {
                let target_key = match target.strip_prefix(SCHEMA_PREFIX) {
                    Some(k) => pointer::unescape(k),
                    None if !target.contains('/') => target.clone(),
                    None => {
                        self.warn(
                            &at.join("discriminator").join("mapping"),
                            format!("mapping `{tag}` points to `{target}`, which is not a component schema; that value falls back to the untyped variant"),
                        );
                        continue;
                    }
                };
                if !self.component_names.contains_key(&target_key) {
                    return Err(self
                        .error(
                            ErrorKind::Reference,
                            &at.join("discriminator").join("mapping").join(tag),
                            format!("mapping `{tag}` points to `{target}`, which does not exist"),
                        )
                        .hint("add the schema under components/schemas or fix the mapping"));
                }
                targets.entry(target_key).or_default().push(tag.clone());
            }
        }
        targets.shift_remove(key);
        if targets.is_empty() {
            return Ok(None);
        }
        let name = self.component_names[key].clone();
        let mut variant_names = NameSet::reserving(["Other"]);
        let mut variants = Vec::new();
        for (target, tags) in targets {
            let ty = TypeRef::Named(self.component_names[&target].clone());
            variants.push(UnionVariant {
                rust_name: variant_names.claim(&variant_name(&name, &ty)),
                tags,
                ty,
            });
        }
        Ok(Some(Union {
            discriminator: Some(d.property_name.clone()),
            variants,
        }))
    }

    /// Component keys whose schema `allOf`s `reference` directly, sorted.
    fn subtypes_of(&self, reference: &str) -> Vec<String> {
        let Some(c) = &self.spec.api.components else {
            return Vec::new();
        };
        let mut out: Vec<String> = c
            .schemas
            .iter()
            .filter_map(|(k, s)| {
                let s = s.as_item()?;
                let all_of = match &s.schema_kind {
                    SchemaKind::AllOf { all_of } => all_of,
                    SchemaKind::Any(a) => &a.all_of,
                    _ => return None,
                };
                all_of
                    .iter()
                    .any(|p| matches!(p, ReferenceOr::Reference { reference: r } if r == reference))
                    .then(|| k.clone())
            })
            .collect();
        out.sort();
        out
    }
}

#[derive(Default)]
struct PropertyFlags {
    nullable: bool,
    read_only: bool,
    write_only: bool,
}

/// A string: raw bytes for `format: binary`.
fn string_type(binary: bool) -> LoweredSchema {
    LoweredSchema::Use(TypeRef::Primitive(if binary {
        Primitive::Bytes
    } else {
        Primitive::String
    }))
}

/// An integer: `i32` for `format: int32`, else `i64`.
fn integer_type(int32: bool) -> LoweredSchema {
    LoweredSchema::Use(TypeRef::Primitive(if int32 {
        Primitive::I32
    } else {
        Primitive::I64
    }))
}

fn schema_doc(schema: &Schema) -> Option<String> {
    let d = &schema.schema_data;
    d.description
        .as_deref()
        .or(d.title.as_deref())
        .and_then(names::doc_text)
}

fn same_schema(mapping_target: &str, reference: &str) -> bool {
    mapping_target == reference
        || reference
            .strip_prefix(SCHEMA_PREFIX)
            .is_some_and(|k| pointer::unescape(k) == mapping_target)
}

/// A variant name for a union member: the type's name, without the union's own name
/// where that leaves a readable name (`Application::BasicAuth` for `BasicAuthApplication`).
fn variant_name(union: &str, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(n) => {
            let stripped = n
                .strip_suffix(union)
                .filter(|s| !s.is_empty())
                .or_else(|| n.strip_prefix(union).filter(|s| !s.is_empty()));
            match stripped {
                Some(s) if s.starts_with(|c: char| c.is_ascii_uppercase()) => s.to_string(),
                _ => n.clone(),
            }
        }
        TypeRef::Primitive(Primitive::String) => "String".into(),
        TypeRef::Primitive(Primitive::Bool) => "Boolean".into(),
        TypeRef::Primitive(Primitive::I32 | Primitive::I64) => "Integer".into(),
        TypeRef::Primitive(Primitive::F32 | Primitive::F64) => "Number".into(),
        TypeRef::Primitive(Primitive::Bytes) => "Bytes".into(),
        TypeRef::List(_) => "List".into(),
        TypeRef::Map(_) => "Map".into(),
        TypeRef::Nullable(t) => variant_name(union, t),
        TypeRef::Any => "Value".into(),
    }
}

/// The name hints of a union's variants given in place: `{Union}{Label}`, where the label is
/// the variant's `title` or else the one value of an enum property that tells it apart
/// (`type: {enum: [CHROME]}` → `…Chrome`), when every such variant has a label and no two
/// labels are the same; otherwise `{Union}Variant{n}`.
fn variant_hints(name: &str, parts: &[ReferenceOr<Schema>]) -> Vec<String> {
    let labels: Vec<Option<String>> = parts
        .iter()
        .map(|part| match part {
            ReferenceOr::Item(schema) => schema
                .schema_data
                .title
                .clone()
                .or_else(|| single_enum_value(schema))
                .map(|l| names::camel(&l))
                .filter(|l| !l.is_empty()),
            ReferenceOr::Reference { .. } => None,
        })
        .collect();
    let inline = parts
        .iter()
        .filter(|p| matches!(p, ReferenceOr::Item(_)))
        .count();
    let distinct: BTreeSet<&String> = labels.iter().flatten().collect();
    let labelled = distinct.len() == inline && labels.iter().flatten().count() == inline;
    parts
        .iter()
        .zip(&labels)
        .enumerate()
        .map(|(i, (_, label))| match label {
            Some(label) if labelled => format!("{name}{label}"),
            _ => format!("{name}Variant{}", i + 1),
        })
        .collect()
}

/// The value of the first property (in document order) that allows exactly one string.
fn single_enum_value(schema: &Schema) -> Option<String> {
    let properties = match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => &o.properties,
        SchemaKind::Any(a) => &a.properties,
        _ => return None,
    };
    properties.values().find_map(|p| match p {
        ReferenceOr::Item(p) => match &p.schema_kind {
            SchemaKind::Type(Type::String(s)) => match s.enumeration.as_slice() {
                [Some(v)] => Some(v.clone()),
                _ => None,
            },
            _ => None,
        },
        ReferenceOr::Reference { .. } => None,
    })
}

/// The one part of an `allOf` that gives the schema its shape, when the others only annotate
/// it (`[{$ref: EnabledStatus}, {default: DISABLED}, {readOnly: true}]`).
fn one_structural_part(all_of: &[ReferenceOr<Schema>]) -> Option<&ReferenceOr<Schema>> {
    let mut structural = all_of.iter().filter(|p| {
        !matches!(p, ReferenceOr::Item(s) if matches!(&s.schema_kind, SchemaKind::Any(a) if *a == AnySchema::default()))
    });
    match (structural.next(), structural.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}
