//! Serde support for the generated models: objects that keep the properties the spec does not
//! list, string enums that keep values they do not know, and unions selected by a
//! discriminator.
//!
//! The models implement `Serialize` and `Deserialize` through these helpers rather than
//! through `#[derive]` with `#[serde(flatten)]`: flatten buffers every object in an
//! intermediate tree before reading it, which costs decode speed and a large amount of
//! generated code per type.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use serde::ser::{self, SerializeMap};

pub use super::properties::Properties;

/// A property name as read: borrowed from the input when it can be.
pub type Key<'de> = Cow<'de, str>;

/// A generated object model, read and written one property at a time.
pub trait Object: Default {
    /// The type's name, for error messages.
    const NAME: &'static str;

    /// Reads the value of the property `key` from `map` into its field (with [`read`]); a
    /// property the spec does not list goes to `additional_properties` (with [`keep`]).
    fn read<'de, A: MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> Result<(), A::Error>;

    /// Writes the fields that are set, then the additional properties.
    fn write<M: SerializeMap>(&self, object: &mut ObjectWriter<M>);
}

/// Reads the next value of `map` into `field`.
pub fn read<'de, A: MapAccess<'de>, T: de::Deserialize<'de>>(
    map: &mut A,
    field: &mut T,
) -> Result<(), A::Error> {
    *field = map.next_value()?;
    Ok(())
}

/// Reads the next value of `map`, an object or `null`, into `field` where it stands: a nested
/// model is filled in place rather than built elsewhere and moved, which matters for the
/// large ones (a user's profile).
pub fn read_object<'de, A: MapAccess<'de>, T: Object>(
    map: &mut A,
    field: &mut Option<T>,
) -> Result<(), A::Error> {
    map.next_value_seed(InPlace(field))
}

struct InPlace<'a, T>(&'a mut Option<T>);

impl<'de, T: Object> DeserializeSeed<'de> for InPlace<'_, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: Object> Visitor<'de> for InPlace<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object or null", T::NAME)
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
        // A repeated property replaces the earlier value, as with any other field.
        let value = self.0.insert(T::default());
        deserializer.deserialize_map(ObjectInPlace(value))
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
    };
    value.write(&mut object);
    match object.error {
        Some(e) => Err(e),
        None => object.map.end(),
    }
}

/// `Serialize` and `Deserialize` for [`Object`] types, through [`serialize_object`] and
/// [`deserialize_object`].
#[allow(unused_macros)] // in specs without objects
macro_rules! object_serde {
    ($name:ident) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::runtime::model::serialize_object(self, serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::runtime::model::deserialize_object(deserializer)
            }
        }
    };
}
#[allow(unused_imports)] // in specs without such types
pub(crate) use object_serde;

/// `Display`, `Serialize` and `Deserialize` for string enums, through their `as_str` and
/// `From<&str>`.
#[allow(unused_macros)] // in specs without string enums
macro_rules! string_enum_serde {
    ($name:ident) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::runtime::model::deserialize_enum(deserializer)
            }
        }
    };
}
#[allow(unused_imports)] // in specs without such types
pub(crate) use string_enum_serde;

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

pub(crate) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Cow::Owned(v))
    }
}

/// Writes an object model's properties; the first error stops the writing and is returned
/// by [`serialize_object`].
pub struct ObjectWriter<M: SerializeMap> {
    map: M,
    error: Option<M::Error>,
}

impl<M: SerializeMap> ObjectWriter<M> {
    /// Writes `key` when the field is set; an unset field is left out.
    pub fn field<T: ser::Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if let (Some(value), None) = (value, &self.error) {
            self.error = self.map.serialize_entry(key, value).err();
        }
    }

    /// Writes the additional properties.
    pub fn rest<V: ser::Serialize>(&mut self, additional: &Properties<V>) {
        for (key, value) in additional {
            if self.error.is_some() {
                return;
            }
            self.error = self.map.serialize_entry(key, value).err();
        }
    }
}

/// `Deserialize` for a string enum: any string, known values becoming their variant.
pub fn deserialize_enum<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: for<'a> From<&'a str>,
    D: de::Deserializer<'de>,
{
    deserializer.deserialize_str(EnumVisitor(PhantomData))
}

struct EnumVisitor<T>(PhantomData<T>);

impl<T: for<'a> From<&'a str>> Visitor<'_> for EnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok(T::from(v))
    }
}

/// Decodes a variant from the object already read, reporting failures through `E`.
pub fn decode_variant<T: DeserializeOwned, E: de::Error>(
    value: serde_json::Value,
) -> Result<Box<T>, E> {
    serde_json::from_value(value).map(Box::new).map_err(E::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Probe {
        name: Option<String>,
        count: Option<i64>,
        additional_properties: Properties,
    }

    impl Object for Probe {
        const NAME: &'static str = "Probe";

        fn read<'de, A: MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> Result<(), A::Error> {
            match &*key {
                "name" => read(map, &mut self.name),
                "count" => read(map, &mut self.count),
                _ => keep(map, &mut self.additional_properties, key),
            }
        }

        fn write<M: SerializeMap>(&self, object: &mut ObjectWriter<M>) {
            object.field("name", &self.name);
            object.field("count", &self.count);
            object.rest(&self.additional_properties);
        }
    }

    object_serde!(Probe);

    #[derive(Debug, Default, PartialEq)]
    struct Holder {
        inner: Option<Probe>,
        additional_properties: Properties,
    }

    impl Object for Holder {
        const NAME: &'static str = "Holder";

        fn read<'de, A: MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> Result<(), A::Error> {
            match &*key {
                "inner" => read_object(map, &mut self.inner),
                _ => keep(map, &mut self.additional_properties, key),
            }
        }

        fn write<M: SerializeMap>(&self, object: &mut ObjectWriter<M>) {
            object.field("inner", &self.inner);
            object.rest(&self.additional_properties);
        }
    }

    object_serde!(Holder);

    #[test]
    fn nested_objects_read_in_place_as_if_read_by_value() {
        let h: Holder = serde_json::from_str(r#"{"inner":{"name":"a","x":1},"y":2}"#).unwrap();
        let inner = h.inner.as_ref().unwrap();
        assert_eq!(inner.name.as_deref(), Some("a"));
        assert_eq!(inner.additional_properties["x"], 1);
        assert_eq!(h.additional_properties["y"], 2);
        // A repeated property replaces the earlier object; it is not merged into it.
        let h: Holder =
            serde_json::from_str(r#"{"inner":{"name":"a","count":1},"inner":{"count":2}}"#).unwrap();
        let inner = h.inner.unwrap();
        assert_eq!((inner.name, inner.count), (None, Some(2)));
        // `null` (also after a value) is None; a non-object names the type.
        let h: Holder = serde_json::from_str(r#"{"inner":{"name":"a"},"inner":null}"#).unwrap();
        assert_eq!(h.inner, None);
        let e = serde_json::from_str::<Holder>(r#"{"inner":[1]}"#).unwrap_err().to_string();
        assert!(e.contains("a Probe object"), "{e}");
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Color {
        Red,
        Other(String),
    }

    impl Color {
        fn as_str(&self) -> &str {
            match self {
                Self::Red => "red",
                Self::Other(value) => value,
            }
        }
    }

    impl From<&str> for Color {
        fn from(value: &str) -> Self {
            match value {
                "red" => Self::Red,
                other => Self::Other(other.to_owned()),
            }
        }
    }

    string_enum_serde!(Color);

    #[test]
    fn string_enums_keep_unknown_values_and_write_them_back() {
        let colors: Vec<Color> = serde_json::from_str(r#"["red","teal"]"#).unwrap();
        assert_eq!(colors, [Color::Red, Color::Other("teal".into())]);
        assert_eq!(serde_json::to_string(&colors).unwrap(), r#"["red","teal"]"#);
        assert_eq!(colors[1].to_string(), "teal");
        let e = serde_json::from_str::<Color>("1").unwrap_err().to_string();
        assert!(e.contains("expected a string"), "{e}");
    }

    struct FailingMap;

    impl SerializeMap for FailingMap {
        type Ok = ();
        type Error = serde_json::Error;
        fn serialize_key<T: ?Sized + ser::Serialize>(&mut self, _: &T) -> Result<(), Self::Error> {
            Err(ser::Error::custom("refused"))
        }
        fn serialize_value<T: ?Sized + ser::Serialize>(&mut self, _: &T) -> Result<(), Self::Error> {
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
        };
        probe.write(&mut object);
        assert_eq!(object.error.unwrap().to_string(), r#"refused "count""#);
    }

    #[test]
    fn objects_keep_unknown_properties_read_nulls_as_unset_and_write_back_what_was_set() {
        let text = r#"{"extra":[1,{"a":null}],"name":"n\"q","count":null,"count":3,"z":true}"#;
        let probe: Probe = serde_json::from_str(text).unwrap();
        assert_eq!(probe.name.as_deref(), Some("n\"q"));
        assert_eq!(probe.count, Some(3), "a repeated property keeps the last value");
        assert_eq!(probe.additional_properties.len(), 2);
        let back = serde_json::to_value(&probe).unwrap();
        assert_eq!(
            back,
            serde_json::json!({"name": "n\"q", "count": 3, "extra": [1, {"a": null}], "z": true})
        );
        let unset = serde_json::to_string(&Probe::default()).unwrap();
        assert_eq!(unset, "{}");
    }

    #[test]
    fn an_object_model_refuses_other_json_types_naming_the_model() {
        let e = serde_json::from_str::<Probe>("[1]").unwrap_err().to_string();
        assert!(e.contains("expected a Probe object"), "{e}");
        let e = serde_json::from_str::<Probe>(r#"{"count":"x"}"#).unwrap_err().to_string();
        assert!(e.contains("invalid type: string"), "{e}");
    }
}
