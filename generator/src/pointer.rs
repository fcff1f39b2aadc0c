//! JSON Pointers (RFC 6901) into the spec, written as URI fragments: `#/paths/~1users/get`.
//!
//! Messages and the IR name places in the document with them. [`Pointer::join`] escapes a
//! reference token (`~` → `~0`, `/` → `~1`) in this one place, so a key such as a path
//! template (`/users/{id}`) or a media type (`application/json`) is never written raw.

use std::fmt;

/// A JSON Pointer as a URI fragment (`#` for the whole document).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pointer(String);

impl Pointer {
    /// `#`: the whole document.
    pub fn root() -> Self {
        Pointer("#".to_string())
    }

    /// The pointer from the root through `tokens` (unescaped): `["paths", "/users"]` →
    /// `#/paths/~1users`.
    pub fn from_tokens<S: fmt::Display>(tokens: impl IntoIterator<Item = S>) -> Self {
        tokens
            .into_iter()
            .fold(Pointer::root(), |pointer, token| pointer.join(token))
    }

    /// A pointer that is already written out, escaped, such as a local `$ref` (`#/a/b~1c`).
    pub fn from_escaped(text: impl Into<String>) -> Self {
        Pointer(text.into())
    }

    /// This pointer and then one more reference token, escaped; a number gives an array index.
    pub fn join(&self, token: impl fmt::Display) -> Self {
        let token = token.to_string();
        let mut out = String::with_capacity(self.0.len() + 1 + token.len());
        out.push_str(&self.0);
        out.push('/');
        out.push_str(&escape(&token));
        Pointer(out)
    }

    /// The pointer as written (escaped).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The pointer without the leading `#`, as `serde_json::Value::pointer` takes it.
    pub fn json_pointer(&self) -> &str {
        self.0.strip_prefix('#').unwrap_or(&self.0)
    }

    /// Whether `other` points inside the value this pointer names (and is not this pointer).
    pub fn encloses(&self, other: &Pointer) -> bool {
        other
            .0
            .strip_prefix(&self.0)
            .is_some_and(|rest| rest.starts_with('/'))
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Pointer {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<Pointer> for String {
    fn from(pointer: Pointer) -> String {
        pointer.0
    }
}

impl From<&Pointer> for String {
    fn from(pointer: &Pointer) -> String {
        pointer.0.clone()
    }
}

/// Escapes one reference token (`~` → `~0`, then `/` → `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one reference token (`~1` → `/`, then `~0` → `~`).
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_escaped() {
        let p = Pointer::from_tokens(["paths", "/users/{id}"]).join("get");
        assert_eq!(p.to_string(), "#/paths/~1users~1{id}/get");
        assert_eq!(
            Pointer::root()
                .join("content")
                .join("application/json")
                .as_str(),
            "#/content/application~1json"
        );
        assert_eq!(Pointer::root().join("a~b").as_str(), "#/a~0b");
        // `~1` in a key is a tilde followed by a one, not a slash.
        assert_eq!(Pointer::root().join("~1").as_str(), "#/~01");
        assert_eq!(Pointer::root().join(3).as_str(), "#/3");
        assert_eq!(Pointer::root().to_string(), "#");
        assert_eq!(p.json_pointer(), "/paths/~1users~1{id}/get");
    }

    #[test]
    fn escaping_round_trips() {
        for token in ["plain", "a/b", "a~b", "~1", "~0/~", ""] {
            assert_eq!(unescape(&escape(token)), token);
        }
    }

    #[test]
    fn an_escaped_pointer_is_kept_as_written() {
        let p = Pointer::from_escaped("#/components/schemas/A~1B");
        assert_eq!(
            p.join("properties").as_str(),
            "#/components/schemas/A~1B/properties"
        );
        assert_eq!(String::from(p), "#/components/schemas/A~1B");
    }

    #[test]
    fn enclosing_pointers() {
        let schema = Pointer::from_tokens(["components", "schemas", "User"]);
        assert!(schema.encloses(&schema.join("properties")));
        assert!(!schema.encloses(&schema));
        assert!(!schema.encloses(&Pointer::from_tokens(["components", "schemas", "UserType"])));
    }
}
