// Copied unchanged by okta-codegen from generator/runtime/object_serde.rs; edit it there.

//! `Serialize` and `Deserialize` for the generated object models, in one line per type.
//! Written only into crates that have object models.

/// `Serialize` and `Deserialize` for [`Object`] types, through [`serialize_object`] and
/// [`deserialize_object`].
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
pub(crate) use object_serde;

#[cfg(test)]
mod tests {
    use serde::de::MapAccess;
    use serde::ser::SerializeMap;

    use crate::runtime::model::{Key, Object, ObjectWriter, Properties, keep, read};

    #[derive(Debug, Default, PartialEq)]
    struct Probe {
        name: Option<String>,
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
                _ => keep(map, &mut self.additional_properties, key),
            }
        }

        fn write<'a, M: SerializeMap>(&'a self, object: &mut ObjectWriter<'a, M>) {
            object.start(&self.additional_properties);
            object.field("name", &self.name);
            object.rest(&self.additional_properties);
        }
    }

    object_serde!(Probe);

    #[test]
    fn object_serde_reads_and_writes_through_the_object_model() {
        let probe: Probe = serde_json::from_str(r#"{"x":1,"name":"n"}"#).unwrap();
        assert_eq!(probe.name.as_deref(), Some("n"));
        assert_eq!(
            serde_json::to_string(&probe).unwrap(),
            r#"{"name":"n","x":1}"#
        );
    }
}
