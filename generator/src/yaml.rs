//! Reading a large YAML spec on several threads.
//!
//! The entries of a block mapping start at lines of one indentation, so the text of a run of
//! entries is a YAML mapping of its own. A spec is cut at such lines (the top-level keys, and
//! inside a large entry such as `paths` or `components`/`schemas`, that entry's keys), the
//! pieces are read at once, and their mappings are put together again.
//!
//! A piece that cannot be read alone (an alias of an anchor in another piece, a flow
//! collection spread over lines at the cut indentation) fails to parse, and so does anything
//! else that does not fit; then [`parse_in_pieces`] gives `None` and the caller reads the text
//! in one go, so the value, and any error message, are always those of the whole document.

use serde_json::{Map, Value};

/// Below this size the text is read in one go: threads would cost more than they save.
const MIN_SIZE: usize = 256 * 1024;

/// How deep a large entry is cut into the entries of its value (`components` → `schemas` →
/// each schema is depth 2).
const MAX_DEPTH: usize = 2;

/// A run of mapping entries and where the mapping they belong to sits in the document.
#[derive(Debug)]
struct Piece<'a> {
    at: Vec<&'a str>,
    text: &'a str,
}

/// Reads `text` as YAML on up to `threads` threads, or gives `None` when the text is small,
/// cannot be cut, or a piece does not read as a mapping of its own.
pub fn parse_in_pieces(text: &str, threads: usize) -> Option<Value> {
    if threads < 2 || text.len() < MIN_SIZE || has_document_markers(text) {
        return None;
    }
    let target = text.len() / (threads * 8);
    let mut pieces = Vec::new();
    cut(
        text,
        &entry_starts(text, 0)?,
        Vec::new(),
        target,
        0,
        &mut pieces,
    );
    if pieces.len() < 2 {
        return None;
    }
    let values = parse_all(&pieces, threads)?;
    let mut root = Map::new();
    for (piece, value) in pieces.iter().zip(values) {
        let Value::Object(entries) = value else {
            return None;
        };
        let mut target = &mut root;
        for key in &piece.at {
            target = target
                .entry(*key)
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()?;
        }
        for (key, value) in entries {
            if target.insert(key, value).is_some() {
                return None; // a repeated key: the whole document reports it
            }
        }
    }
    Some(Value::Object(root))
}

/// `---`, `...` and directives belong to the whole stream; such a text is read in one go.
fn has_document_markers(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("---") || l.starts_with("...") || l.starts_with('%'))
}

/// Cuts `body`, the entries of a mapping found at `at` that start at `starts`, into pieces
/// of about `target` bytes; an entry larger than that is cut into its own entries.
fn cut<'a>(
    body: &'a str,
    starts: &[usize],
    at: Vec<&'a str>,
    target: usize,
    depth: usize,
    pieces: &mut Vec<Piece<'a>>,
) {
    let mut run_start: Option<usize> = None;
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(body.len());
        let entry = &body[start..end];
        let inner = (entry.len() > target && depth < MAX_DEPTH)
            .then(|| nested(entry))
            .flatten();
        match inner {
            Some((key, rest, child_starts)) => {
                if let Some(s) = run_start.take() {
                    pieces.push(Piece {
                        at: at.clone(),
                        text: &body[s..start],
                    });
                }
                let mut child_at = at.clone();
                child_at.push(key);
                cut(rest, &child_starts, child_at, target, depth + 1, pieces);
            }
            None => {
                let s = *run_start.get_or_insert(start);
                if end - s >= target {
                    pieces.push(Piece {
                        at: at.clone(),
                        text: &body[s..end],
                    });
                    run_start = None;
                }
            }
        }
    }
    if let Some(s) = run_start {
        pieces.push(Piece {
            at,
            text: &body[s..],
        });
    }
}

/// Byte offsets of the lines of `body` that start an entry at `indent`. Anything before the
/// first entry must be blank or a comment, and an entry line must start a key, not a list item
/// or a flow collection.
fn entry_starts(body: &str, indent: usize) -> Option<Vec<usize>> {
    let bytes = body.as_bytes();
    let mut starts = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        let end = bytes[offset..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| offset + i + 1);
        let line = &bytes[offset..end];
        let spaces = line.iter().take_while(|&&b| b == b' ').count();
        let first = line[spaces..]
            .iter()
            .copied()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        match first {
            None | Some(b'#') => {}
            Some(b) if spaces == indent => {
                if matches!(b, b'-' | b'[' | b'{' | b'?') || line[spaces] != b {
                    return None;
                }
                starts.push(offset);
            }
            Some(_) if starts.is_empty() => return None,
            Some(_) => {}
        }
        offset = end;
    }
    (!starts.is_empty()).then_some(starts)
}

/// For an entry `key:` whose value is a block mapping on the following lines: the key, the
/// text of those lines and where its entries start (`None` for anything else, which stays
/// whole). Only plain keys that YAML reads as the same string are taken.
fn nested(entry: &str) -> Option<(&str, &str, Vec<usize>)> {
    let (first, rest) = entry.split_once('\n')?;
    let indent = first.len() - first.trim_start_matches(' ').len();
    let key = first[indent..].trim_end().strip_suffix(':')?;
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '_' | '$'))
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_-.{}$".contains(c))
        && !["null", "true", "false", "yes", "no", "on", "off", "y", "n"]
            .iter()
            .any(|w| key.eq_ignore_ascii_case(w));
    if !plain {
        return None;
    }
    let child_indent = rest
        .lines()
        .find(|l| {
            let t = l.trim_start_matches(' ');
            !t.trim_end().is_empty() && !t.starts_with('#')
        })
        .map(|l| l.len() - l.trim_start_matches(' ').len())?;
    if child_indent <= indent {
        return None;
    }
    Some((key, rest, entry_starts(rest, child_indent)?))
}

/// Parses every piece, on up to `threads` threads; `None` if any piece fails.
fn parse_all(pieces: &[Piece<'_>], threads: usize) -> Option<Vec<Value>> {
    crate::parallel::map(pieces.len(), threads, |i| {
        serde_yaml_ng::from_str(pieces[i].text).map_err(drop)
    })
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(text: &str) -> Value {
        serde_yaml_ng::from_str(text).expect("the test text is YAML")
    }

    /// A spec-shaped document of about `n` schemas, large enough to be cut.
    fn big(extra: &str) -> String {
        let mut s =
            String::from("# comment\nopenapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\npaths:\n");
        for i in 0..600 {
            s.push_str(&format!(
                "  /api/v1/things/{{id}}/{i}:\n    get:\n      operationId: get{i}\n      responses:\n        '200':\n          description: ok # trailing\n"
            ));
        }
        s.push_str("components:\n  schemas:\n");
        for i in 0..1500 {
            s.push_str(&format!(
                "    Thing{i}:\n      type: object\n      description: |\n        Text\n\n        with a blank line: {i}\n      properties:\n        id: {{type: string}}\n"
            ));
        }
        s.push_str(extra);
        s
    }

    #[test]
    fn pieces_read_as_the_whole_document() {
        let text = big("x-tail:\n  - 1\n  - 2\n");
        assert!(text.len() > MIN_SIZE);
        let mut pieces = Vec::new();
        let starts = entry_starts(&text, 0).expect("top-level keys");
        cut(&text, &starts, Vec::new(), text.len() / 16, 0, &mut pieces);
        assert!(pieces.len() > 8, "{} pieces", pieces.len());
        assert!(pieces.iter().any(|p| p.at == ["components", "schemas"]));
        assert_eq!(parse_in_pieces(&text, 2), Some(whole(&text)));
        assert_eq!(parse_in_pieces(&text, 3), Some(whole(&text)));
    }

    #[test]
    fn what_does_not_read_alone_falls_back_to_the_whole_document() {
        // An anchor in the first schemas and its alias at the end.
        let text = big("").replacen(
            "Thing0:\n      type: object",
            "Thing0:\n      type: &t object",
            1,
        ) + "    Last:\n      type: *t\n";
        assert_eq!(parse_in_pieces(&text, 2), None);
        // A key given twice in different pieces.
        let text = big("paths:\n  /x: {}\n");
        assert_eq!(parse_in_pieces(&text, 2), None);
        // Document markers, a top-level list and a small text are read whole.
        assert_eq!(parse_in_pieces(&format!("---\n{}", big("")), 2), None);
        assert_eq!(
            parse_in_pieces(&format!("- {}", "x\n- y\n".repeat(100_000)), 2),
            None
        );
        assert_eq!(parse_in_pieces("a: 1\nb: 2\n", 2), None);
        assert_eq!(parse_in_pieces(&big(""), 1), None);
    }

    #[test]
    fn only_plain_string_keys_are_cut_into() {
        assert_eq!(
            nested("paths:\n  /a: 1\n  /b: 2\n"),
            Some(("paths", "  /a: 1\n  /b: 2\n", vec![0, 8]))
        );
        assert_eq!(
            nested("  schemas:\n    # c\n    A: 1\n").map(|n| n.2),
            Some(vec![8])
        );
        assert_eq!(nested("'paths':\n  /a: 1\n"), None);
        assert_eq!(nested("true:\n  a: 1\n"), None);
        assert_eq!(nested("200:\n  a: 1\n"), None);
        assert_eq!(nested("paths: {}\n"), None);
        assert_eq!(nested("paths:\n- 1\n"), None);
        assert_eq!(nested("tags:\n  - name: a\n"), None);
    }

    #[test]
    fn okta_specs_read_in_pieces_as_in_one_go() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs");
        let mut read = 0;
        for name in [
            "okta-management-5.1.0.yaml",
            "management-oas3-v2026.06.3-minimal.yaml",
        ] {
            let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
                eprintln!("skipped {name}: ../shared/specs is not beside the checkout");
                continue;
            };
            let pieces = parse_in_pieces(&text, 2).expect("an Okta spec can be cut");
            assert!(pieces == whole(&text), "{name} reads differently in pieces");
            read += 1;
        }
        eprintln!("{read} Okta specs compared");
    }
}
