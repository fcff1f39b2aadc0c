//! Naming: spec names → Rust identifiers, and doc text → rustdoc that renders and never runs.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words Rust reserves (strict and reserved keywords, all editions up to 2024).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be written as raw identifiers (`r#self` is not allowed).
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Replaces what cannot stand in an identifier, keeping word boundaries for heck.
/// Non-ASCII letters are spelled out (`é` → `e`) where a plain ASCII letter is obvious,
/// otherwise dropped to a boundary, so identifiers stay ASCII and readable.
fn ascii_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if let Some(a) = fold_accent(c) {
            out.push(a);
        } else {
            out.push(' ');
        }
    }
    out
}

fn fold_accent(c: char) -> Option<char> {
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'O',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
        'ç' => 'c',
        'Ç' => 'C',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ý' | 'ÿ' => 'y',
        'Ý' => 'Y',
        'ß' => 's',
        _ => return None,
    };
    Some(base)
}

/// A snake_case identifier for a field, parameter, method or module. The result is a valid
/// identifier once written with [`ident_tokens`] (keywords become raw identifiers there).
pub fn snake(s: &str) -> String {
    let mut out = one_word_brands(&ascii_words(s)).to_snake_case();
    if out.is_empty() {
        out.push_str("value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if NOT_RAW.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// Names that are one word although their capitals say otherwise (`OAuth2` → `oauth2`, not
/// `o_auth2`; `DPoP` → `dpop`).
const BRANDS: [(&str, &str); 4] = [
    ("OAuth", "Oauth"),
    ("DPoP", "Dpop"),
    ("OpenID", "OpenId"),
    ("IdP", "Idp"),
];

fn one_word_brands(s: &str) -> String {
    BRANDS
        .iter()
        .fold(s.to_string(), |s, (from, to)| s.replace(from, to))
}

/// An UpperCamelCase identifier for a type or variant.
pub fn camel(s: &str) -> String {
    let mut out = ascii_words(s).to_upper_camel_case();
    if out.is_empty() {
        out.push_str("Value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if NOT_RAW.contains(&out.as_str()) || out == "Self" {
        out.push('_');
    }
    out
}

/// A `proc_macro2::Ident` for `name`, raw when it is a keyword.
pub fn ident_tokens(name: &str) -> proc_macro2::Ident {
    if is_keyword(name) && !NOT_RAW.contains(&name) {
        proc_macro2::Ident::new_raw(name, proc_macro2::Span::call_site())
    } else {
        proc_macro2::Ident::new(name, proc_macro2::Span::call_site())
    }
}

/// The names already given in one namespace (the fields of a struct, the variants of an
/// enum, the types of a crate…), which [`claim`](NameSet::claim) keeps distinct.
#[derive(Debug, Clone, Default)]
pub struct NameSet {
    taken: BTreeSet<String>,
}

impl NameSet {
    /// A namespace in which `reserved` are already taken.
    pub fn reserving<S: Into<String>>(reserved: impl IntoIterator<Item = S>) -> Self {
        Self {
            taken: reserved.into_iter().map(Into::into).collect(),
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Takes `base`, or, when that is taken, the first free of `base2`, `base3`… (`base_2`…
    /// when `base` ends in a digit), and returns it.
    pub fn claim(&mut self, base: &str) -> String {
        let name = if self.contains(base) {
            let sep = if base.ends_with(|c: char| c.is_ascii_digit()) {
                "_"
            } else {
                ""
            };
            (2..)
                .map(|n| format!("{base}{sep}{n}"))
                .find(|candidate| !self.contains(candidate))
                .expect("an unbounded counter always finds a free name")
        } else {
            base.to_string()
        };
        self.taken.insert(name.clone());
        name
    }
}

/// Turns spec description text (CommonMark) into rustdoc that renders well and never fails:
/// code fences become `text` blocks (so nothing is compiled as a doctest), indented blocks
/// are not mistaken for code, bracketed text is not taken for intra-doc links, and bare URLs
/// are made into autolinks.
pub fn doc_text(text: &str) -> Option<String> {
    let text = text.replace('\t', "    ");
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            if in_fence {
                out.push("```".to_string());
            } else {
                out.push("```text".to_string());
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.trim_end().to_string());
        } else {
            // Lines are unindented (indentation would make code blocks), so a line that
            // continued a list item gets a paragraph of its own instead.
            let after_item = out.last().is_some_and(|l: &String| is_list_item(l));
            if after_item && !trimmed.is_empty() && !is_list_item(trimmed) {
                out.push(String::new());
            }
            out.push(escape_markdown_line(trimmed));
        }
    }
    if in_fence {
        out.push("```".to_string());
    }
    Some(out.join("\n"))
}

/// `[text](url)` at the start of `s`: the text, the URL and the length of the whole link.
fn markdown_link(s: &str) -> Option<(&str, &str, usize)> {
    let rest = s.strip_prefix('[')?;
    let close = rest.find(']')?;
    let text = &rest[..close];
    if text.contains('[') {
        return None;
    }
    let after = rest[close + 1..].strip_prefix('(')?;
    let end = after.find(')')?;
    let url = &after[..end];
    if url.is_empty() || url.contains(char::is_whitespace) {
        return None;
    }
    Some((text, url, 1 + close + 1 + 1 + end + 1))
}

fn is_list_item(line: &str) -> bool {
    let line = line.trim_start();
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && (line[digits..].starts_with(". ") || line[digits..].starts_with(") "))
}

fn escape_markdown_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while !rest.is_empty() {
        // Leave inline code spans alone.
        if let Some(after) = rest.strip_prefix('`') {
            if let Some(end) = after.find('`') {
                out.push('`');
                out.push_str(&after[..=end]);
                rest = &after[end + 1..];
                continue;
            }
        }
        if rest.starts_with("https://") || rest.starts_with("http://") {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | '"' | '\'' | ']'))
                .unwrap_or(rest.len());
            let mut url = &rest[..end];
            while url.ends_with(['.', ',', ';', ':']) {
                url = &url[..url.len() - 1];
            }
            let preceded_by_paren = out.ends_with("](") || out.ends_with('<');
            if preceded_by_paren {
                out.push_str(url);
            } else {
                out.push('<');
                out.push_str(url);
                out.push('>');
            }
            rest = &rest[url.len()..];
            continue;
        }
        if let Some((text, url, len)) = markdown_link(rest) {
            if url.starts_with("https://") || url.starts_with("http://") {
                out.push('[');
                out.push_str(&escape_markdown_line(text).replace(['[', ']'], ""));
                out.push_str("](");
                out.push_str(url);
                out.push(')');
            } else {
                // Relative links point into a site that is not this crate's docs.
                out.push_str(&escape_markdown_line(text));
            }
            rest = &rest[len..];
            continue;
        }
        let c = rest.chars().next().expect("rest is not empty");
        match c {
            '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brands_are_one_word() {
        assert_eq!(snake("listOAuth2Claims"), "list_oauth2_claims");
        assert_eq!(snake("DPoP"), "dpop");
        assert_eq!(
            snake("getWellKnownOpenIDConfiguration"),
            "get_well_known_open_id_configuration"
        );
        assert_eq!(snake("listIdPsForUser"), "list_idps_for_user");
    }

    #[test]
    fn snake_and_camel() {
        assert_eq!(snake("activateApplication"), "activate_application");
        assert_eq!(snake("verifyU2fFactor"), "verify_u2f_factor");
        assert_eq!(snake("_links"), "links");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("type"), "type");
        assert_eq!(snake("2fa"), "_2fa");
        assert_eq!(snake("café"), "cafe");
        assert_eq!(snake("日本"), "value");
        assert_eq!(camel("token:software:totp"), "TokenSoftwareTotp");
        assert_eq!(camel("BASIC_AUTH"), "BasicAuth");
        assert_eq!(camel("3des"), "V3des");
        assert_eq!(camel("Self"), "Self_");
    }

    #[test]
    fn raw_identifiers() {
        assert_eq!(ident_tokens("type").to_string(), "r#type");
        assert_eq!(ident_tokens("self_").to_string(), "self_");
    }

    #[test]
    fn claimed_names_are_numbered_when_taken() {
        let mut names = NameSet::reserving(["User", "User2"]);
        assert_eq!(names.claim("User"), "User3");
        assert_eq!(names.claim("User"), "User4");
        assert_eq!(names.claim("Group"), "Group");
        assert_eq!(names.claim("Group"), "Group2");
        assert_eq!(names.claim("V2"), "V2");
        assert_eq!(names.claim("V2"), "V2_2");
        assert!(names.contains("V2_2"));
    }

    #[test]
    fn docs_are_made_safe() {
        let d = doc_text(
            "See [the docs] at https://example.com/x.\n    indented\n```\nlet x = 1;\n```",
        )
        .unwrap();
        assert_eq!(
            d,
            "See \\[the docs\\] at <https://example.com/x>.\nindented\n```text\nlet x = 1;\n```"
        );
        assert_eq!(doc_text("  "), None);
        assert_eq!(
            doc_text(
                "see [Web Linking](https://www.rfc-editor.org/rfc/rfc8288)) and [guide](/docs/x)."
            )
            .unwrap(),
            "see [Web Linking](https://www.rfc-editor.org/rfc/rfc8288)) and guide."
        );
        assert_eq!(
            doc_text("Modes:\n- one\ncontinued\n2. two\nafter").unwrap(),
            "Modes:\n- one\n\ncontinued\n2. two\n\nafter"
        );
        assert_eq!(doc_text("a `[x]` b <b>").unwrap(), "a `[x]` b &lt;b&gt;");
    }
}
