// Copied unchanged by okta-codegen from generator/runtime/properties.rs; edit it there.

//! [`Properties`]: the properties of a JSON object that its model does not list.

use std::fmt;
use std::marker::PhantomData;

use compact_str::CompactString;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::{self, SerializeMap};

/// The properties of a JSON object that its model does not list (an org's custom profile
/// attributes, fields newer than the spec), kept in the order they came and written back in
/// that order.
///
/// A map with the lookups of `BTreeMap<String, V>`, made for the few entries an object
/// usually carries: the entries sit in one vector, and names of up to 24 bytes are stored
/// inline, so reading a property costs no allocation beyond its value. A name appears at
/// most once: inserting it again replaces the value. Two `Properties` are equal when they
/// hold the same names with equal values, in any order.
///
/// ```
/// use okta_client::Properties;
/// use serde_json::json;
///
/// let mut extra: Properties = [("favouriteLanguage", json!("Rust"))].into();
/// extra.insert("contractor".into(), json!(false));
/// assert_eq!(extra["favouriteLanguage"], "Rust");
/// assert_eq!(extra.keys().collect::<Vec<_>>(), ["favouriteLanguage", "contractor"]);
/// ```
///
/// In a model, it also keeps what the model's own fields do not hold, so that writing the model
/// back sends what was read: the listed properties that came as `null` (written back as `null`
/// while their field is `None`), and values of another JSON type than the spec's (kept as they
/// came, see [`kept`](Self::kept)). [`set_null`](Self::set_null) sends a property as `null`,
/// which Okta reads in a partial update as "clear this value":
///
/// ```
/// use okta_client::models::UserProfile;
///
/// let mut profile = UserProfile::default();
/// profile.additional_properties.set_null("postalAddress");
/// assert_eq!(serde_json::to_string(&profile).unwrap(), r#"{"postalAddress":null}"#);
///
/// // A null read is written back; setting the field wins over it.
/// let mut read: UserProfile = serde_json::from_str(r#"{"mobilePhone":null}"#).unwrap();
/// assert_eq!(serde_json::to_string(&read).unwrap(), r#"{"mobilePhone":null}"#);
/// read.mobile_phone = Some("+1 555 0100".into());
/// assert_eq!(serde_json::to_string(&read).unwrap(), r#"{"mobilePhone":"+1 555 0100"}"#);
/// ```
///
/// Empty, it takes two words and allocates nothing: a model nests many objects (a user's 15
/// links, each with its hints), and most of them hold nothing here. The `null`s read for
/// listed properties are bits beside the pointer, so reading them allocates nothing either.
#[derive(Clone)]
pub struct Properties<V = serde_json::Value> {
    /// The listed properties, by position (below 64), that came as `null`.
    nulls: u64,
    /// `None` while there are no entries and nothing kept by name.
    inner: Option<Box<Inner<V>>>,
}

#[derive(Clone)]
struct Inner<V> {
    entries: Vec<(CompactString, V)>,
    kept: Kept,
}

/// What a model's listed fields do not hold, kept by name to be written back.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Kept {
    /// By name: values of another JSON type than the field's, `null`s set with `set_null`,
    /// and `null`s of listed properties from position 64 on.
    pub(crate) values: Vec<(CompactString, serde_json::Value)>,
}

impl Kept {
    pub(crate) const NONE: Kept = Kept { values: Vec::new() };

    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.values.iter().position(|(k, _)| k == name)
    }

    fn keep(&mut self, name: CompactString, value: serde_json::Value) {
        match self.position(&name) {
            Some(i) => self.values[i].1 = value,
            None => self.values.push((name, value)),
        }
    }
}

/// What an empty [`Properties`] keeps.
static NO_KEPT: Kept = Kept::NONE;

impl<V> Properties<V> {
    /// No properties (allocates nothing).
    pub const fn new() -> Self {
        Self {
            nulls: 0,
            inner: None,
        }
    }

    fn entries(&self) -> &[(CompactString, V)] {
        match &self.inner {
            Some(inner) => &inner.entries,
            None => &[],
        }
    }

    fn entries_mut(&mut self) -> &mut [(CompactString, V)] {
        match &mut self.inner {
            Some(inner) => &mut inner.entries,
            None => &mut [],
        }
    }

    fn inner_mut(&mut self) -> &mut Inner<V> {
        self.inner.get_or_insert_with(|| {
            Box::new(Inner {
                entries: Vec::new(),
                kept: Kept::NONE,
            })
        })
    }

    /// Writes the property `name` as `null` while the model's field for it is `None` (for a
    /// name the model does not list, `null` is written as it is). Okta reads `null` in a
    /// partial update (`POST /api/v1/users/{id}`, for instance) as "clear this value".
    pub fn set_null(&mut self, name: &str) {
        self.inner_mut()
            .kept
            .keep(CompactString::from(name), serde_json::Value::Null);
    }

    /// The value kept for the listed property `name` instead of its field: a value of another
    /// JSON type than the spec's, read as it came (the field is then `None`), or the `null`
    /// of [`set_null`](Self::set_null).
    pub fn kept(&self, name: &str) -> Option<&serde_json::Value> {
        let kept = self.kept_values();
        kept.position(name).map(|i| &kept.values[i].1)
    }

    /// Forgets the `null`s read and the values kept for listed properties: the model is then
    /// written with only what its fields and unlisted properties hold.
    pub fn clear_kept(&mut self) {
        self.nulls = 0;
        if let Some(inner) = &mut self.inner {
            inner.kept = Kept::NONE;
        }
    }

    /// Notes that the listed property at `position`, named `name`, came as `null`.
    #[inline]
    pub(crate) fn read_null(&mut self, position: u32, name: super::key::Key<'_>) {
        if position < 64 {
            self.nulls |= 1 << position;
        } else {
            self.keep_raw(name, serde_json::Value::Null);
        }
    }

    /// The listed properties, by position (below 64), read as `null`.
    #[inline]
    pub(crate) fn read_nulls(&self) -> u64 {
        self.nulls
    }

    /// Keeps `value` of the listed property `name`, which its field cannot hold.
    pub(crate) fn keep_raw(&mut self, name: super::key::Key<'_>, value: serde_json::Value) {
        self.inner_mut().kept.keep(CompactString::from(name), value);
    }

    pub(crate) fn kept_values(&self) -> &Kept {
        match &self.inner {
            Some(inner) => &inner.kept,
            None => &NO_KEPT,
        }
    }

    /// The number of properties.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.position(key).map(|i| &self.entries()[i].1)
    }

    /// The value of `key`, to change in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.position(key).map(|i| &mut self.entries_mut()[i].1)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` to `value`; returns the value it replaces (the property keeps its place).
    /// Takes a `String`, as `BTreeMap<String, V>::insert` does.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        self.insert_name(CompactString::from(key), value)
    }

    /// Removes `key`; the others keep their order.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let i = self.position(key)?;
        self.inner.as_mut().map(|inner| inner.entries.remove(i).1)
    }

    /// Removes every property.
    pub fn clear(&mut self) {
        if let Some(inner) = &mut self.inner {
            inner.entries.clear();
        }
    }

    /// The properties in order.
    pub fn iter(&self) -> Iter<'_, V> {
        Iter(self.entries().iter())
    }

    /// The properties in order, their values changeable.
    pub fn iter_mut(&mut self) -> IterMut<'_, V> {
        IterMut(self.entries_mut().iter_mut())
    }

    /// The names in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.entries().iter().map(|(k, _)| k.as_str())
    }

    /// The values in order.
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.entries().iter().map(|(_, v)| v)
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries().iter().position(|(k, _)| k == key)
    }

    fn insert_name(&mut self, key: CompactString, value: V) -> Option<V> {
        match self.position(&key) {
            Some(i) => Some(std::mem::replace(&mut self.entries_mut()[i].1, value)),
            None => {
                self.inner_mut().entries.push((key, value));
                None
            }
        }
    }

    /// Keeps `value` under a name as read from JSON (the model runtime's path).
    pub(crate) fn keep(&mut self, key: super::key::Key<'_>, value: V) {
        self.insert_name(CompactString::from(key), value);
    }
}

impl<V> Default for Properties<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V: fmt::Debug> fmt::Debug for Properties<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        map.entries(self.iter());
        if self.nulls != 0 {
            map.entry(
                &"(listed properties read as null, by position)",
                &format_args!("{:#b}", self.nulls),
            );
        }
        if *self.kept_values() != Kept::NONE {
            map.entry(&"(kept for listed properties)", self.kept_values());
        }
        map.finish()
    }
}

impl<V: PartialEq> PartialEq for Properties<V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self.nulls == other.nulls
            && self.iter().all(|(k, v)| other.get(k) == Some(v))
            && self.kept_values() == other.kept_values()
    }
}

impl<V: Eq> Eq for Properties<V> {}

impl<V> std::ops::Index<&str> for Properties<V> {
    type Output = V;

    /// The value of `key`. Panics when it is missing, as `BTreeMap`'s index does.
    fn index(&self, key: &str) -> &V {
        match self.get(key) {
            Some(value) => value,
            None => panic!("no property named {key:?}"),
        }
    }
}

impl<K: AsRef<str>, V> FromIterator<(K, V)> for Properties<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut properties = Self::new();
        properties.extend(iter);
        properties
    }
}

impl<K: AsRef<str>, V> Extend<(K, V)> for Properties<V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert_name(CompactString::from(key.as_ref()), value);
        }
    }
}

impl<K: AsRef<str>, V, const N: usize> From<[(K, V); N]> for Properties<V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<V> From<std::collections::BTreeMap<String, V>> for Properties<V> {
    fn from(map: std::collections::BTreeMap<String, V>) -> Self {
        map.into_iter().collect()
    }
}

/// The properties of a [`Properties`] in order: `(&str, &V)`.
#[derive(Debug, Clone)]
pub struct Iter<'a, V>(std::slice::Iter<'a, (CompactString, V)>);

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a str, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k.as_str(), v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<V> ExactSizeIterator for Iter<'_, V> {}

/// The properties of a [`Properties`] in order: `(&str, &mut V)`.
#[derive(Debug)]
pub struct IterMut<'a, V>(std::slice::IterMut<'a, (CompactString, V)>);

impl<'a, V> Iterator for IterMut<'a, V> {
    type Item = (&'a str, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k.as_str(), v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<V> ExactSizeIterator for IterMut<'_, V> {}

/// The properties of a [`Properties`] in order, taken: `(String, V)`.
#[derive(Debug)]
pub struct IntoIter<V>(std::vec::IntoIter<(CompactString, V)>);

impl<V> Iterator for IntoIter<V> {
    type Item = (String, V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k.into_string(), v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<V> ExactSizeIterator for IntoIter<V> {}

impl<'a, V> IntoIterator for &'a Properties<V> {
    type Item = (&'a str, &'a V);
    type IntoIter = Iter<'a, V>;

    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

impl<'a, V> IntoIterator for &'a mut Properties<V> {
    type Item = (&'a str, &'a mut V);
    type IntoIter = IterMut<'a, V>;

    fn into_iter(self) -> IterMut<'a, V> {
        self.iter_mut()
    }
}

impl<V> IntoIterator for Properties<V> {
    type Item = (String, V);
    type IntoIter = IntoIter<V>;

    fn into_iter(self) -> IntoIter<V> {
        IntoIter(
            self.inner
                .map(|inner| inner.entries)
                .unwrap_or_default()
                .into_iter(),
        )
    }
}

/// A JSON object, in order.
impl<V: ser::Serialize> ser::Serialize for Properties<V> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// A JSON object; a repeated name keeps the last value.
impl<'de, V: de::Deserialize<'de>> de::Deserialize<'de> for Properties<V> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PropertiesVisitor<V>(PhantomData<V>);

        impl<'de, V: de::Deserialize<'de>> Visitor<'de> for PropertiesVisitor<V> {
            type Value = Properties<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Properties<V>, A::Error> {
                let mut properties = Properties::new();
                while let Some(key) = map.next_key_seed(super::key::KeySeed)? {
                    properties.keep(key, map.next_value()?);
                }
                Ok(properties)
            }
        }

        deserializer.deserialize_map(PropertiesVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_map_in_arrival_order_whose_names_are_unique() {
        let mut p: Properties = [("b", json!(1)), ("a", json!(2))].into();
        assert_eq!(
            p.insert("b".into(), json!(3)),
            Some(json!(1)),
            "replaced, in place"
        );
        assert_eq!(p.insert("c".into(), json!(4)), None);
        assert_eq!(p.keys().collect::<Vec<_>>(), ["b", "a", "c"]);
        assert_eq!((p.len(), p["b"].clone(), p.get("z")), (3, json!(3), None));
        assert!(p.contains_key("a") && !p.contains_key("A"));
        *p.get_mut("a").unwrap() = json!("x");
        for (_, v) in &mut p {
            if v == &json!(4) {
                *v = json!(5);
            }
        }
        assert_eq!(p.remove("b"), Some(json!(3)));
        assert_eq!(p.remove("b"), None);
        let owned: Vec<(String, serde_json::Value)> = p.clone().into_iter().collect();
        assert_eq!(owned, [("a".into(), json!("x")), ("c".into(), json!(5))]);
        assert_eq!(format!("{p:?}"), r#"{"a": String("x"), "c": Number(5)}"#);
        p.clear();
        assert!(p.is_empty());
    }

    #[test]
    fn empty_it_takes_two_words_and_nulls_read_allocate_nothing() {
        assert_eq!(std::mem::size_of::<Properties>(), 16);
        let mut p = Properties::<i32>::new();
        p.read_null(3, std::borrow::Cow::Borrowed("d"));
        assert!(p.inner.is_none(), "a null read is a bit");
        assert_eq!(p.read_nulls(), 0b1000);
        assert_ne!(p, Properties::new());
        assert!(format!("{p:?}").contains("0b1000"), "{p:?}");
        p.read_null(64, std::borrow::Cow::Borrowed("far"));
        assert_eq!(
            p.kept("far"),
            Some(&serde_json::Value::Null),
            "kept by name"
        );
        p.clear_kept();
        assert_eq!(p, Properties::new());
        p.set_null("a");
        assert!(
            p.is_empty(),
            "a null kept for a listed property is no entry"
        );
        assert_eq!(p.kept("a"), Some(&serde_json::Value::Null));
        p.clear_kept();
        assert_eq!(p, Properties::new(), "emptied, it equals an empty one");
    }

    #[test]
    fn long_and_short_names_alike() {
        let long = "a-property-name-longer-than-twenty-four-bytes";
        let mut p: Properties<i32> = [(long, 1), ("short", 2)].into();
        p.insert(long.to_string(), 3);
        assert_eq!((p[long], p["short"], p.len()), (3, 2, 2));
    }

    #[test]
    fn equal_whatever_the_order() {
        let a: Properties = [("x", json!(1)), ("y", json!(2))].into();
        let b: Properties = [("y", json!(2)), ("x", json!(1))].into();
        let c: Properties = [("y", json!(2)), ("x", json!(0))].into();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, Properties::new());
        let from_map: Properties = std::collections::BTreeMap::from([
            ("y".to_string(), json!(2)),
            ("x".to_string(), json!(1)),
        ])
        .into();
        assert_eq!(from_map, a);
    }

    #[test]
    fn json_objects_in_and_out_in_order_the_last_repeat_winning() {
        let p: Properties = serde_json::from_str(r#"{"z":1,"a":{"n":null},"z":2}"#).unwrap();
        assert_eq!(p.keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(p["z"], json!(2));
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"z":2,"a":{"n":null}}"#
        );
        let typed: Properties<u8> = serde_json::from_str(r#"{"k":7}"#).unwrap();
        assert_eq!(typed["k"], 7);
        let e = serde_json::from_str::<Properties>("[]")
            .unwrap_err()
            .to_string();
        assert!(e.contains("a JSON object"), "{e}");
        assert!(serde_json::from_str::<Properties<u8>>(r#"{"k":"x"}"#).is_err());
    }

    #[test]
    #[should_panic(expected = "no property named \"missing\"")]
    fn indexing_a_missing_name_panics_naming_it() {
        let _ = &Properties::<i32>::new()["missing"];
    }
}
