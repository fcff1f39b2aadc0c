//! Serde support for the generated models: objects that keep the properties the spec does not
//! list, string enums that keep values they do not know, and unions selected by a
//! discriminator.
//!
//! The models implement `Serialize` and `Deserialize` through these helpers rather than
//! through `#[derive]` with `#[serde(flatten)]`: flatten buffers every object in an
//! intermediate tree before reading it, which costs decode speed and a large amount of
//! generated code per type.
//!
//! A listed property that comes as `null` is noted in the model's `additional_properties`
//! and written back as `null`. A body that does not decode is decoded a second time,
//! leniently (`decode_lenient`): a listed property whose value has another JSON type than
//! the spec's then reads as unset, its value is kept as it came (and written back), and a
//! `tracing` warning names its JSON path. The first, strict pass is the fast one.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use serde::ser::{self, SerializeMap};

use super::key::{Key, KeySeed};
use super::properties::{Kept, Properties};

/// A generated object model, read and written one property at a time.
pub trait Object: Default {
    /// The type's name, for error messages.
    const NAME: &'static str;

    /// Reads the value of the property `key` from `map` into its field (with [`read`]); a
    /// property the spec does not list goes to `additional_properties` (with [`keep`]).
    fn read<'de, A: MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> Result<(), A::Error>;

    /// Writes the fields (in the order of their positions in [`read`]), then the additional
    /// properties, starting with [`ObjectWriter::start`].
    fn write<'a, M: SerializeMap>(&'a self, object: &mut ObjectWriter<'a, M>);
}

/// Reads the next value of `map` into `field`, the listed property `key` at `position` among
/// the model's fields; a `null` is noted in `additional`.
pub fn read<'de, A: MapAccess<'de>, T: DeserializeOwned, V>(
    map: &mut A,
    field: &mut Option<T>,
    key: Key<'de>,
    position: u32,
    additional: &mut Properties<V>,
) -> Result<(), A::Error> {
    if lenient() {
        return read_cold(map, field, key, position, additional);
    }
    *field = map.next_value()?;
    if field.is_none() {
        additional.read_null(position, key);
    }
    Ok(())
}

/// As [`read`], for an object or `null` read into `field` where it stands: a nested model is
/// filled in place rather than built elsewhere and moved, which matters for the large ones (a
/// user's profile).
pub fn read_object<'de, A: MapAccess<'de>, T: Object + DeserializeOwned, V>(
    map: &mut A,
    field: &mut Option<T>,
    key: Key<'de>,
    position: u32,
    additional: &mut Properties<V>,
) -> Result<(), A::Error> {
    read_in_place(map, field, key, position, additional)
}

/// As [`read`], for a list of object models or `null`: each item is decoded where it stays in
/// the vector (as [`read_objects`] reads a page).
pub fn read_list<'de, A: MapAccess<'de>, T: Object + DeserializeOwned, V>(
    map: &mut A,
    field: &mut Option<Vec<T>>,
    key: Key<'de>,
    position: u32,
    additional: &mut Properties<V>,
) -> Result<(), A::Error> {
    read_in_place(map, field, key, position, additional)
}

/// [`read_object`] and [`read_list`]: the value or `null` read into `field` where it stands.
fn read_in_place<'de, A: MapAccess<'de>, T: InPlaceValue + DeserializeOwned, V>(
    map: &mut A,
    field: &mut Option<T>,
    key: Key<'de>,
    position: u32,
    additional: &mut Properties<V>,
) -> Result<(), A::Error> {
    if lenient() {
        return read_cold(map, field, key, position, additional);
    }
    map.next_value_seed(InPlace(field))?;
    if field.is_none() {
        additional.read_null(position, key);
    }
    Ok(())
}

thread_local! {
    /// Whether this thread decodes leniently ([`decode_lenient`]).
    static LENIENT: Cell<bool> = const { Cell::new(false) };
    /// The JSON path being read leniently, for warnings.
    static PATH: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

#[inline]
fn lenient() -> bool {
    LENIENT.with(Cell::get)
}

/// The lenient reading of a field, kept out of the strict path's code.
#[cold]
#[inline(never)]
fn read_cold<'de, A: MapAccess<'de>, T: DeserializeOwned, V>(
    map: &mut A,
    field: &mut Option<T>,
    key: Key<'de>,
    position: u32,
    additional: &mut Properties<V>,
) -> Result<(), A::Error> {
    let value = map.next_value()?;
    read_leniently(value, field, key, position, additional);
    Ok(())
}

/// Sets or clears lenient decoding on this thread until dropped, then restores it.
struct Mode {
    was: bool,
}

impl Mode {
    fn set(lenient: bool) -> Mode {
        Mode {
            was: LENIENT.with(|l| l.replace(lenient)),
        }
    }
}

impl Drop for Mode {
    fn drop(&mut self) {
        LENIENT.with(|l| l.set(self.was));
    }
}

/// Decodes `body` leniently (see the module documentation): `None` when it is not JSON or
/// does not fit even so (a top-level value of another type).
pub(crate) fn decode_lenient<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let root = if value.is_array() { "$[*]" } else { "$" };
    let saved = PATH.with(|p| std::mem::replace(&mut *p.borrow_mut(), vec![root.to_string()]));
    let decoded = {
        let _mode = Mode::set(true);
        T::deserialize(value).ok()
    };
    PATH.with(|p| *p.borrow_mut() = saved);
    decoded
}

fn read_leniently<T: DeserializeOwned, V>(
    value: serde_json::Value,
    field: &mut Option<T>,
    key: Key<'_>,
    position: u32,
    additional: &mut Properties<V>,
) {
    if value.is_null() {
        *field = None;
        additional.read_null(position, key);
        return;
    }
    let segment = if value.is_array() {
        format!("{key}[*]")
    } else {
        key.to_string()
    };
    PATH.with(|p| p.borrow_mut().push(segment));
    let decoded = T::deserialize(&value);
    let path = PATH.with(|p| {
        let mut p = p.borrow_mut();
        let path = decoded.is_err().then(|| p.join("."));
        p.pop();
        path
    });
    match decoded {
        Ok(v) => *field = Some(v),
        Err(e) => {
            tracing::warn!(
                path = %path.unwrap_or_default(),
                found = json_type(&value),
                error = %e,
                "a value of another JSON type than the spec's is kept as it came"
            );
            *field = None;
            additional.keep_raw(key, value);
        }
    }
}

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) if n.is_f64() => "number",
        serde_json::Value::Number(_) => "integer",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// Decodes the first variant of an untagged union that `value` fits strictly (also while
/// decoding leniently, so that a variant is chosen by what fits it), trying `variants` in
/// order; `None` if none does.
pub fn untagged<T>(
    value: &serde_json::Value,
    variants: &[fn(&serde_json::Value) -> Option<T>],
) -> Option<T> {
    let _mode = Mode::set(false);
    variants.iter().find_map(|variant| variant(value))
}

/// `Deserialize` for an untagged union: the first of `variants` that the value fits
/// strictly ([`untagged`]), or else the value kept whole by `other`.
pub fn deserialize_untagged<'de, D: de::Deserializer<'de>, T>(
    deserializer: D,
    variants: &[fn(&serde_json::Value) -> Option<T>],
    other: fn(serde_json::Value) -> T,
) -> Result<T, D::Error> {
    let value = <serde_json::Value as de::Deserialize>::deserialize(deserializer)?;
    Ok(untagged(&value, variants).unwrap_or_else(|| other(value)))
}

/// One variant of [`untagged`]: `value` decoded as `V`, wrapped by `wrap`.
pub fn variant<V: DeserializeOwned, T>(value: &serde_json::Value, wrap: fn(V) -> T) -> Option<T> {
    V::deserialize(value).ok().map(wrap)
}

/// What a field reads in place: an object model, or a list of them.
trait InPlaceValue: Sized {
    /// What a misfit was expected to be.
    fn expecting(f: &mut fmt::Formatter<'_>) -> fmt::Result;

    /// Reads a value that is not `null` into `slot`, replacing what it held.
    fn read_into<'de, D: de::Deserializer<'de>>(
        slot: &mut Option<Self>,
        deserializer: D,
    ) -> Result<(), D::Error>;
}

impl<T: Object> InPlaceValue for T {
    fn expecting(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object or null", T::NAME)
    }

    fn read_into<'de, D: de::Deserializer<'de>>(
        slot: &mut Option<T>,
        deserializer: D,
    ) -> Result<(), D::Error> {
        // A repeated property replaces the earlier value, as with any other field.
        let value = slot.insert(T::default());
        deserializer.deserialize_map(ObjectInPlace(value))
    }
}

impl<T: Object> InPlaceValue for Vec<T> {
    fn expecting(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of {} objects or null", T::NAME)
    }

    fn read_into<'de, D: de::Deserializer<'de>>(
        slot: &mut Option<Vec<T>>,
        deserializer: D,
    ) -> Result<(), D::Error> {
        *slot = Some(deserializer.deserialize_seq(ObjectsInPlace(Vec::new()))?);
        Ok(())
    }
}

/// A field's value or `null`, read into the field it is given.
struct InPlace<'a, T>(&'a mut Option<T>);

impl<'de, T: InPlaceValue> DeserializeSeed<'de> for InPlace<'_, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: InPlaceValue> Visitor<'de> for InPlace<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        T::expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        *self.0 = None;
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        *self.0 = None;
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        T::read_into(self.0, deserializer)
    }
}

struct ObjectInPlace<'a, T>(&'a mut T);

impl<'de, T: Object> Visitor<'de> for ObjectInPlace<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeySeed)? {
            self.0.read(key, &mut map)?;
        }
        Ok(())
    }
}

/// How a list page's body becomes its items: [`read_objects`] for object models,
/// [`read_values`] for any other item type. The second argument is the number of items to
/// make room for at once (the page's `limit`, at most), so that the vector is not grown by
/// copying.
pub type ReadList<T> = fn(&[u8], usize) -> serde_json::Result<Vec<T>>;

/// Reads a JSON array of object models, each one decoded where it stays in the vector: a
/// model is not built elsewhere and moved (a user is about 3 KB, a page holds hundreds).
pub fn read_objects<T: Object>(body: &[u8], capacity: usize) -> serde_json::Result<Vec<T>> {
    read_array(body, ObjectsInPlace(Vec::with_capacity(capacity)))
}

/// Reads a JSON array of any items, making room for `capacity` of them at once.
pub fn read_values<T: DeserializeOwned>(
    body: &[u8],
    capacity: usize,
) -> serde_json::Result<Vec<T>> {
    read_array(body, Values(Vec::with_capacity(capacity)))
}

/// Reads the JSON array `body` with `visitor`, which fills the vector it holds; nothing may
/// follow the array but whitespace.
fn read_array<'b, T, V: Visitor<'b, Value = Vec<T>>>(
    body: &'b [u8],
    visitor: V,
) -> serde_json::Result<Vec<T>> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let items = de::Deserializer::deserialize_seq(&mut deserializer, visitor)?;
    deserializer.end()?;
    Ok(items)
}

/// Object models read into the vector where they stay.
struct ObjectsInPlace<T>(Vec<T>);

impl<'de, T: Object> Visitor<'de> for ObjectsInPlace<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of {} objects", T::NAME)
    }

    fn visit_seq<S: de::SeqAccess<'de>>(mut self, mut seq: S) -> Result<Vec<T>, S::Error> {
        while seq.next_element_seed(PushObject(&mut self.0))?.is_some() {}
        Ok(self.0)
    }
}

/// Reads one object model into a new last item of the vector it is given (pushed only once
/// an item is there, so that a page of exactly the room made never grows the vector).
struct PushObject<'a, T>(&'a mut Vec<T>);

impl<'de, T: Object> DeserializeSeed<'de> for PushObject<'_, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.0.push(T::default());
        let item = self.0.last_mut().expect("just pushed");
        deserializer.deserialize_map(ObjectInPlace(item))
    }
}

/// Items read into the vector given room for them.
struct Values<T>(Vec<T>);

impl<'de, T: de::Deserialize<'de>> Visitor<'de> for Values<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<S: de::SeqAccess<'de>>(mut self, mut seq: S) -> Result<Vec<T>, S::Error> {
        while let Some(item) = seq.next_element()? {
            self.0.push(item);
        }
        Ok(self.0)
    }
}

/// Keeps the next value of `map`, under `key`, in `additional`.
pub fn keep<'de, A: MapAccess<'de>, V: de::Deserialize<'de>>(
    map: &mut A,
    additional: &mut Properties<V>,
    key: Key<'de>,
) -> Result<(), A::Error> {
    let value = map.next_value()?;
    additional.keep(key, value);
    Ok(())
}

/// `Deserialize` for an [`Object`]: a JSON object, in any property order, repeated
/// properties keeping the last value.
pub fn deserialize_object<'de, T: Object, D: de::Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// `Serialize` for an [`Object`]: the fields that are set, then the additional properties.
pub fn serialize_object<T: Object, S: ser::Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut object = ObjectWriter {
        map: serializer.serialize_map(None)?,
        error: None,
        kept: &Kept::NONE,
        nulls: 0,
        next: 0,
        written: Vec::new(),
    };
    value.write(&mut object);
    match object.error {
        Some(e) => Err(e),
        None => object.map.end(),
    }
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        let mut value = T::default();
        ObjectInPlace(&mut value).visit_map(map)?;
        Ok(value)
    }
}

/// Writes an object model's properties; the first error stops the writing and is returned
/// by [`serialize_object`].
pub struct ObjectWriter<'a, M: SerializeMap> {
    map: M,
    error: Option<M::Error>,
    /// What the model's `additional_properties` keeps for its listed properties.
    kept: &'a Kept,
    /// The listed properties, by position, that it read as `null`.
    nulls: u64,
    /// The position of the next field.
    next: u32,
    /// Which of `kept.values` a field has written or overridden (empty when there are none).
    written: Vec<bool>,
}

impl<'a, M: SerializeMap> ObjectWriter<'a, M> {
    /// Starts writing a model whose additional properties are `additional`.
    pub fn start<V>(&mut self, additional: &'a Properties<V>) {
        self.kept = additional.kept_values();
        self.nulls = additional.read_nulls();
        self.written = vec![false; self.kept.values.len()];
    }

    /// Writes the next field, `key`: its value when it is set; otherwise the `null` or value
    /// kept for it, if any; otherwise nothing.
    #[inline]
    pub fn field<T: ser::Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        // Most models keep no value for their listed fields, at most the `null`s they read:
        // then a field is written when it is set or read as `null` (inlined into each
        // model's `write`).
        if self.written.is_empty() {
            let position = self.next;
            self.next += 1;
            if self.error.is_none() {
                self.error = match value {
                    Some(value) => self.map.serialize_entry(key, value).err(),
                    None if position < 64 && self.nulls & (1 << position) != 0 => {
                        self.map.serialize_entry(key, &()).err()
                    }
                    None => None,
                };
            }
            return;
        }
        self.field_kept(key, value);
    }

    /// [`field`](Self::field) for a model that keeps values for listed fields.
    fn field_kept<T: ser::Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        let position = self.next;
        self.next += 1;
        if self.error.is_some() {
            return;
        }
        let kept = if self.written.is_empty() {
            None
        } else {
            self.kept.position(key)
        };
        if let Some(i) = kept {
            self.written[i] = true;
        }
        self.error = match (value, kept) {
            (Some(value), _) => self.map.serialize_entry(key, value).err(),
            (None, Some(i)) => self.map.serialize_entry(key, &self.kept.values[i].1).err(),
            (None, None) if position < 64 && self.nulls & (1 << position) != 0 => {
                self.map.serialize_entry(key, &()).err()
            }
            (None, None) => None,
        };
    }

    /// Writes the additional properties, then the `null`s set for names no field has.
    pub fn rest<V: ser::Serialize>(&mut self, additional: &Properties<V>) {
        for (key, value) in additional {
            if self.error.is_some() {
                return;
            }
            self.error = self.map.serialize_entry(key, value).err();
        }
        for (i, (key, value)) in self.kept.values.iter().enumerate() {
            if self.error.is_some() {
                return;
            }
            if !self.written[i] {
                self.error = self.map.serialize_entry(key.as_str(), value).err();
            }
        }
    }
}

/// Decodes a variant from the object already read, reporting failures through `E`.
pub fn decode_variant<T: DeserializeOwned, E: de::Error>(
    value: serde_json::Value,
) -> Result<Box<T>, E> {
    serde_json::from_value(value)
        .map(Box::new)
        .map_err(E::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `object_serde!` writes (that macro is written only into crates with objects).
    macro_rules! serde_impls {
        ($name:ident) => {
            impl ser::Serialize for $name {
                fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serialize_object(self, serializer)
                }
            }

            impl<'de> de::Deserialize<'de> for $name {
                fn deserialize<D: de::Deserializer<'de>>(
                    deserializer: D,
                ) -> Result<Self, D::Error> {
                    deserialize_object(deserializer)
                }
            }
        };
    }

    #[derive(Debug, Default, PartialEq)]
    struct Probe {
        name: Option<String>,
        count: Option<i64>,
        additional_properties: Properties,
    }

    impl Object for Probe {
        const NAME: &'static str = "Probe";

        fn read<'de, A: MapAccess<'de>>(
            &mut self,
            key: Key<'de>,
            map: &mut A,
        ) -> Result<(), A::Error> {
            match &*key {
                "name" => read(map, &mut self.name, key, 0, &mut self.additional_properties),
                "count" => read(
                    map,
                    &mut self.count,
                    key,
                    1,
                    &mut self.additional_properties,
                ),
                _ => keep(map, &mut self.additional_properties, key),
            }
        }

        fn write<'a, M: SerializeMap>(&'a self, object: &mut ObjectWriter<'a, M>) {
            object.start(&self.additional_properties);
            object.field("name", &self.name);
            object.field("count", &self.count);
            object.rest(&self.additional_properties);
        }
    }

    serde_impls!(Probe);

    #[derive(Debug, Default, PartialEq)]
    struct Holder {
        inner: Option<Probe>,
        list: Option<Vec<Probe>>,
        additional_properties: Properties,
    }

    impl Object for Holder {
        const NAME: &'static str = "Holder";

        fn read<'de, A: MapAccess<'de>>(
            &mut self,
            key: Key<'de>,
            map: &mut A,
        ) -> Result<(), A::Error> {
            match &*key {
                "inner" => read_object(
                    map,
                    &mut self.inner,
                    key,
                    0,
                    &mut self.additional_properties,
                ),
                "list" => read_list(map, &mut self.list, key, 1, &mut self.additional_properties),
                _ => keep(map, &mut self.additional_properties, key),
            }
        }

        fn write<'a, M: SerializeMap>(&'a self, object: &mut ObjectWriter<'a, M>) {
            object.start(&self.additional_properties);
            object.field("inner", &self.inner);
            object.field("list", &self.list);
            object.rest(&self.additional_properties);
        }
    }

    serde_impls!(Holder);

    #[test]
    fn nested_objects_read_in_place_as_if_read_by_value() {
        let h: Holder = serde_json::from_str(r#"{"inner":{"name":"a","x":1},"y":2}"#).unwrap();
        let inner = h.inner.as_ref().unwrap();
        assert_eq!(inner.name.as_deref(), Some("a"));
        assert_eq!(inner.additional_properties["x"], 1);
        assert_eq!(h.additional_properties["y"], 2);
        // A repeated property replaces the earlier object; it is not merged into it.
        let h: Holder =
            serde_json::from_str(r#"{"inner":{"name":"a","count":1},"inner":{"count":2}}"#)
                .unwrap();
        let inner = h.inner.unwrap();
        assert_eq!((inner.name, inner.count), (None, Some(2)));
        // `null` (also after a value) is None, and is written back; a non-object names the type.
        let h: Holder = serde_json::from_str(r#"{"inner":{"name":"a"},"inner":null}"#).unwrap();
        assert_eq!(h.inner, None);
        assert_eq!(serde_json::to_string(&h).unwrap(), r#"{"inner":null}"#);
        let e = serde_json::from_str::<Holder>(r#"{"inner":[1]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a Probe object"), "{e}");
    }

    #[test]
    fn list_fields_of_objects_read_in_place_as_if_read_by_value() {
        let text = r#"{"list":[{"name":"a","x":1},{"name":null,"count":2},{}]}"#;
        let h: Holder = serde_json::from_str(text).unwrap();
        let by_value: Vec<Probe> =
            serde_json::from_str(r#"[{"name":"a","x":1},{"count":2,"name":null},{}]"#).unwrap();
        assert_eq!(h.list.as_ref(), Some(&by_value));
        assert_eq!(
            serde_json::to_string(&h).unwrap(),
            text,
            "written back as read"
        );
        // `null` and an empty list are told apart; a repeat replaces; misfits name the type.
        let h: Holder = serde_json::from_str(r#"{"list":[{}],"list":null}"#).unwrap();
        assert_eq!(
            (h.list, serde_json::to_string(&Holder::default()).unwrap()),
            (None, "{}".into())
        );
        let h: Holder = serde_json::from_str(r#"{"list":[{"count":1}],"list":[]}"#).unwrap();
        assert_eq!(h.list, Some(vec![]));
        let e = serde_json::from_str::<Holder>(r#"{"list":{"name":"a"}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a list of Probe objects"), "{e}");
        let e = serde_json::from_str::<Holder>(r#"{"list":[3]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a Probe object"), "{e}");
        // Read leniently, a list that does not fit is kept as it came.
        let h: Holder = decode_lenient(br#"{"list":{"name":"a"}}"#).unwrap();
        assert_eq!(
            (h.list.as_ref(), h.additional_properties.kept("list")),
            (None, Some(&serde_json::json!({"name":"a"})))
        );
    }

    #[test]
    fn lists_read_in_place_as_serde_reads_them() {
        let text = br#"[{"name":"a","x":1},{"count":2,"name":null},{}]"#;
        let by_serde: Vec<Probe> = serde_json::from_slice(text).unwrap();
        for capacity in [0, 1, 3, 200] {
            assert_eq!(read_objects::<Probe>(text, capacity).unwrap(), by_serde);
            assert_eq!(read_values::<Probe>(text, capacity).unwrap(), by_serde);
        }
        assert_eq!(read_objects::<Probe>(b" [ ] ", 10).unwrap(), vec![]);
        // A page of exactly the room made fills it without growing the vector.
        assert_eq!(read_objects::<Probe>(text, 3).unwrap().capacity(), 3);
        assert_eq!(read_values::<Probe>(text, 3).unwrap().capacity(), 3);
        assert_eq!(
            read_values::<String>(br#"["a","b"]"#, 0).unwrap(),
            ["a", "b"]
        );
        // What does not fit fails as serde fails: a null item, a non-list, trailing text.
        let e = read_objects::<Probe>(br#"[{},null]"#, 2)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a Probe object"), "{e}");
        let e = read_objects::<Probe>(br#"{"name":"a"}"#, 2)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a list of Probe objects"), "{e}");
        assert!(read_objects::<Probe>(b"[] x", 0).is_err());
        assert!(read_values::<Probe>(b"[] x", 0).is_err());
        assert!(read_objects::<Probe>(br#"[{"count":"x"}]"#, 1).is_err());
    }

    struct FailingMap;

    impl SerializeMap for FailingMap {
        type Ok = ();
        type Error = serde_json::Error;
        fn serialize_key<T: ?Sized + ser::Serialize>(&mut self, _: &T) -> Result<(), Self::Error> {
            Err(ser::Error::custom("refused"))
        }
        fn serialize_value<T: ?Sized + ser::Serialize>(
            &mut self,
            _: &T,
        ) -> Result<(), Self::Error> {
            Err(ser::Error::custom("refused"))
        }
        fn serialize_entry<K: ?Sized + ser::Serialize, V: ?Sized + ser::Serialize>(
            &mut self,
            k: &K,
            _: &V,
        ) -> Result<(), Self::Error> {
            let key = serde_json::to_string(k).unwrap();
            Err(ser::Error::custom(format!("refused {key}")))
        }
        fn end(self) -> Result<(), Self::Error> {
            Ok(())
        }
    }

    #[test]
    fn the_first_write_error_is_the_one_returned() {
        let probe = Probe {
            name: None,
            count: Some(1),
            additional_properties: [("x", serde_json::json!(1))].into(),
        };
        let mut object = ObjectWriter {
            map: FailingMap,
            error: None,
            kept: &Kept::NONE,
            nulls: 0,
            next: 0,
            written: Vec::new(),
        };
        probe.write(&mut object);
        assert_eq!(object.error.unwrap().to_string(), r#"refused "count""#);
    }

    #[test]
    fn objects_keep_unknown_properties_read_nulls_as_unset_and_write_back_what_was_read() {
        let text = r#"{"extra":[1,{"a":null}],"name":"n\"q","count":null,"count":3,"z":true}"#;
        let probe: Probe = serde_json::from_str(text).unwrap();
        assert_eq!(probe.name.as_deref(), Some("n\"q"));
        assert_eq!(
            probe.count,
            Some(3),
            "a repeated property keeps the last value"
        );
        assert_eq!(probe.additional_properties.len(), 2);
        let back = serde_json::to_value(&probe).unwrap();
        assert_eq!(
            back,
            serde_json::json!({"name": "n\"q", "count": 3, "extra": [1, {"a": null}], "z": true})
        );
        let unset = serde_json::to_string(&Probe::default()).unwrap();
        assert_eq!(unset, "{}");
        // A null read is written back as null, in the field's place.
        let probe: Probe = serde_json::from_str(r#"{"count":1,"name":null}"#).unwrap();
        assert_eq!(probe.name, None);
        assert_eq!(
            serde_json::to_string(&probe).unwrap(),
            r#"{"name":null,"count":1}"#
        );
        assert_ne!(
            probe,
            Probe {
                count: Some(1),
                ..Probe::default()
            },
            "the null is part of the value"
        );
    }

    #[test]
    fn set_null_writes_a_null_until_the_field_is_set() {
        let mut probe = Probe {
            count: Some(2),
            ..Probe::default()
        };
        probe.additional_properties.set_null("name");
        probe.additional_properties.set_null("unlisted");
        assert_eq!(
            serde_json::to_string(&probe).unwrap(),
            r#"{"name":null,"count":2,"unlisted":null}"#
        );
        probe.name = Some("n".into());
        assert_eq!(
            serde_json::to_string(&probe).unwrap(),
            r#"{"name":"n","count":2,"unlisted":null}"#
        );
        probe.additional_properties.clear_kept();
        assert_eq!(
            serde_json::to_string(&probe).unwrap(),
            r#"{"name":"n","count":2}"#
        );
    }

    #[test]
    fn a_lenient_decode_keeps_a_value_of_another_type_and_writes_it_back() {
        let text = br#"{"name":5,"count":3,"z":1}"#;
        assert!(
            serde_json::from_slice::<Probe>(text).is_err(),
            "the strict pass fails"
        );
        let probe: Probe = decode_lenient(text).expect("the lenient pass reads around it");
        assert_eq!((probe.name.as_deref(), probe.count), (None, Some(3)));
        assert_eq!(
            probe.additional_properties.kept("name"),
            Some(&serde_json::json!(5))
        );
        assert_eq!(
            serde_json::to_value(&probe).unwrap(),
            serde_json::json!({"name": 5, "count": 3, "z": 1})
        );
        // Nested, in a list: only the item's field is read around.
        let list: Vec<Holder> =
            decode_lenient(br#"[{"inner":{"name":"a"}},{"inner":{"name":[1],"count":2}}]"#)
                .unwrap();
        let inner = list[1].inner.as_ref().unwrap();
        assert_eq!((inner.name.as_deref(), inner.count), (None, Some(2)));
        assert_eq!(list[0].inner.as_ref().unwrap().name.as_deref(), Some("a"));
        // Not JSON, or a top level of another type: no lenient reading helps.
        assert!(decode_lenient::<Probe>(b"{").is_none());
        assert!(decode_lenient::<Probe>(b"[1]").is_none());
        assert!(!lenient(), "the mode ends with the decode");
    }

    #[test]
    fn untagged_variants_are_chosen_by_what_fits_them_strictly() {
        #[derive(Debug, PartialEq)]
        enum Either {
            Number(i64),
            Probe(Box<Probe>),
        }
        let pick = |v: &serde_json::Value| {
            untagged(
                v,
                &[
                    |v| variant(v, Either::Number),
                    |v| variant(v, Either::Probe),
                ],
            )
        };
        assert_eq!(pick(&serde_json::json!(4)), Some(Either::Number(4)));
        let _mode = Mode::set(true);
        // Leniently, a probe would read `"x"` around; strictly it does not fit.
        assert_eq!(pick(&serde_json::json!({"count": "x"})), None);
        assert!(lenient(), "the lenient mode comes back after the trial");
    }

    #[test]
    fn an_object_model_refuses_other_json_types_naming_the_model() {
        let e = serde_json::from_str::<Probe>("[1]")
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a Probe object"), "{e}");
        let e = serde_json::from_str::<Probe>(r#"{"count":"x"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid type: string"), "{e}");
    }
}
