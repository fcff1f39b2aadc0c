//! Serde support for the generated string enums, which keep values they do not know.
//! Written only into crates that have string enums.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Visitor};

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

/// `Display`, `Ord`, `Serialize` and `Deserialize` for string enums, through their `as_str`
/// and `From<&str>`. Values order as their JSON text does (an `Other` after the known value of
/// the same text), not by the order of the variants, which Okta's releases reshuffle.
macro_rules! string_enum_serde {
    ($name:ident) => {
        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                let unknown = |v: &Self| matches!(v, Self::Other(_));
                self.as_str()
                    .cmp(other.as_str())
                    .then_with(|| unknown(self).cmp(&unknown(other)))
            }
        }

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
pub(crate) use string_enum_serde;

#[cfg(test)]
mod tests {
    // Declared out of the values' order, as Okta's specs may list them.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Color {
        Red,
        Blue,
        Other(String),
    }

    impl Color {
        fn as_str(&self) -> &str {
            match self {
                Self::Red => "red",
                Self::Blue => "blue",
                Self::Other(value) => value,
            }
        }
    }

    impl From<&str> for Color {
        fn from(value: &str) -> Self {
            match value {
                "red" => Self::Red,
                "blue" => Self::Blue,
                other => Self::Other(other.to_owned()),
            }
        }
    }

    #[test]
    fn string_enums_order_by_their_values_not_their_variants() {
        let mut colors = vec![
            Color::Other("teal".into()),
            Color::Red,
            Color::Other("red".into()),
            Color::Blue,
            Color::Other("azure".into()),
        ];
        colors.sort();
        assert_eq!(
            colors,
            [
                Color::Other("azure".into()),
                Color::Blue,
                Color::Red,
                Color::Other("red".into()),
                Color::Other("teal".into()),
            ]
        );
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
}
