//! The hand-written runtime (`generator/runtime/`) as written into a generated crate: the
//! files it needs, a `mod.rs` declaring them and re-exporting what they export, and the
//! manifest's dependencies (`dependencies.toml`, the runtime crate's).
//!
//! The files are also a crate of their own (okta-runtime, manifest in
//! `generator/runtime-crate/`) that compiles and tests them in place; its `mod.rs` declares
//! every file. The tests below check that the table here, with every file written, gives that
//! `mod.rs`, and that the two dependency tables agree.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Api, BodyFormat, TypeKind};

/// When a runtime file is written into a generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Always,
    /// An operation pages (`Page`, `into_stream()`).
    Paging,
    /// An operation takes a `multipart/form-data` body.
    Multipart,
    /// The round-trip table is written.
    RoundTrip,
    /// The crate has object models (`object_serde!`).
    Objects,
    /// The crate has string enums (`string_enum_serde!`).
    StringEnums,
    /// Always written, compiled with the crate's `mock` feature (the mock Okta server).
    Mock,
}

/// One file of the runtime.
#[derive(Debug)]
pub struct RuntimeFile {
    /// The module name; the file is `{module}.rs`.
    pub module: &'static str,
    pub text: &'static str,
    pub need: Need,
    /// Re-exported by the runtime's `mod.rs` (and from there by `lib.rs`, publicly or for
    /// the generated code).
    pub exports: &'static [&'static str],
    /// Re-exported by `runtime::model`, the module the generated models use.
    pub model_exports: &'static [&'static str],
    /// Macros re-exported by `runtime::model` (`pub(crate)`).
    pub model_macros: &'static [&'static str],
}

macro_rules! file {
    ($module:literal, $need:ident, [$($export:ident),*], [$($model:ident),*], [$($mac:ident),*]) => {
        RuntimeFile {
            module: $module,
            text: include_str!(concat!("../../runtime/", $module, ".rs")),
            need: Need::$need,
            exports: &[$(stringify!($export)),*],
            model_exports: &[$(stringify!($model)),*],
            model_macros: &[$(stringify!($mac)),*],
        }
    };
}

/// Every runtime file, in module order.
pub const RUNTIME: &[RuntimeFile] = &[
    file!("auth", Always, [PrivateKeyJwt], [], []),
    file!(
        "call",
        Always,
        [Decoder, SendFullFuture, SendFuture, bytes_body, no_body],
        [],
        []
    ),
    file!(
        "client",
        Always,
        [
            Client,
            ClientBuilder,
            DEFAULT_CONNECT_TIMEOUT,
            DEFAULT_DEADLINE,
            DEFAULT_TIMEOUT,
            MAX_REDIRECTS
        ],
        [],
        []
    ),
    file!(
        "error",
        Always,
        [ApiError, Error, OktaError, OktaErrorCause],
        [],
        []
    ),
    file!("headers", Always, [RateLimit], [], []),
    file!("key", Always, [], [Key], []),
    file!(
        "mock",
        Mock,
        [
            ByStatus,
            BytesBody,
            JsonBody,
            MaybeEmptyBody,
            MockOkta,
            NoBody,
            Paged,
            PathArg,
            RecordedRequest,
            Reply,
            Segment,
            Stub,
            TextBody,
            any,
            okta_error
        ],
        [],
        []
    ),
    file!("multipart", Multipart, [Multipart], [], []),
    file!(
        "object",
        Always,
        [],
        [
            Object,
            ObjectWriter,
            ReadList,
            decode_variant,
            deserialize_object,
            deserialize_untagged,
            keep,
            read,
            read_list,
            read_object,
            read_objects,
            read_values,
            serialize_object,
            untagged,
            variant
        ],
        []
    ),
    file!("object_serde", Objects, [], [], [object_serde]),
    file!(
        "pagination",
        Paging,
        [
            ItemStream, Page, PageFuture, PageStream, first_page, items, pages
        ],
        [],
        []
    ),
    file!(
        "params",
        Always,
        [ListStyle, encode_path, encode_path_list, json_text],
        [],
        []
    ),
    file!("properties", Always, [Properties], [Properties], []),
    file!("redirect", Always, [], [], []),
    file!("request", Always, [Request], [], []),
    file!("response", Always, [RawResponse, Response], [], []),
    file!("retry", Always, [RetryPolicy], [], []),
    file!(
        "roundtrip",
        RoundTrip,
        [
            CallArgs,
            CallFuture,
            OperationModels,
            RoundTrip,
            RoundTripError,
            StatusKey,
            arg,
            body_arg,
            opt_arg,
            prepare,
            round_trip
        ],
        [],
        []
    ),
    file!("send", Always, [], [], []),
    file!(
        "string_enum",
        StringEnums,
        [],
        [deserialize_enum],
        [string_enum_serde]
    ),
];

/// The crate documentation, in the order `lib.rs` includes it: written as it is, with no
/// header (it would show), each part when the crate needs it.
pub const DOCS: &[(&str, &str, Need)] = &[
    (
        "docs.md",
        include_str!("../../runtime/docs.md"),
        Need::Always,
    ),
    (
        "pagination.md",
        include_str!("../../runtime/pagination.md"),
        Need::Paging,
    ),
];

/// The runtime crate's manifest, whose `[dependencies]` a generated crate gets.
const DEPENDENCIES: &str = include_str!("../../runtime/dependencies.toml");

/// What of the runtime a crate needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    pub paging: bool,
    pub multipart: bool,
    pub roundtrip: bool,
    pub objects: bool,
    pub string_enums: bool,
}

impl Needs {
    pub fn of(api: &Api, roundtrip: bool) -> Self {
        Needs {
            paging: api
                .operations()
                .any(|op| super::operations::paginated_item(op).is_some()),
            multipart: api.operations().any(|op| {
                op.body
                    .as_ref()
                    .is_some_and(|b| b.format == BodyFormat::Multipart)
            }),
            roundtrip,
            objects: api
                .types
                .values()
                .any(|t| matches!(t.kind, TypeKind::Struct(_))),
            string_enums: api
                .types
                .values()
                .any(|t| matches!(t.kind, TypeKind::Enum(_))),
        }
    }

    /// Everything: what the runtime crate compiles.
    #[cfg(test)]
    pub const ALL: Needs = Needs {
        paging: true,
        multipart: true,
        roundtrip: true,
        objects: true,
        string_enums: true,
    };

    fn wants(&self, need: Need) -> bool {
        match need {
            Need::Always => true,
            Need::Paging => self.paging,
            Need::Multipart => self.multipart,
            Need::RoundTrip => self.roundtrip,
            Need::Objects => self.objects,
            Need::StringEnums => self.string_enums,
            Need::Mock => true,
        }
    }

    /// The runtime files written, in module order.
    pub fn files(&self) -> impl Iterator<Item = &'static RuntimeFile> + '_ {
        RUNTIME.iter().filter(|f| self.wants(f.need))
    }

    /// The parts of the crate documentation written: file name and text.
    pub fn docs(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        DOCS.iter()
            .filter(|(_, _, need)| self.wants(*need))
            .map(|(name, text, _)| (*name, *text))
    }

    /// Whether a written file exports `name` from the runtime.
    pub fn exports(&self, name: &str) -> bool {
        self.files().any(|f| f.exports.contains(&name))
    }
}

/// `src/runtime/mod.rs`: the written files and their exports.
pub fn mod_rs(needs: &Needs) -> TokenStream {
    let files: Vec<&RuntimeFile> = needs.files().collect();
    let mods = files.iter().map(|f| {
        let cfg = f.cfg();
        let module = format_ident!("{}", f.module);
        quote!(#cfg mod #module;)
    });
    let uses = files.iter().filter(|f| !f.exports.is_empty()).map(|f| {
        let cfg = f.cfg();
        let item = use_item(quote!(pub), quote!(), f.module, f.exports);
        quote!(#cfg #item)
    });
    let model_uses = files.iter().flat_map(|f| {
        let items = (!f.model_exports.is_empty())
            .then(|| use_item(quote!(pub), quote!(super::), f.module, f.model_exports));
        let macros = f
            .model_macros
            .iter()
            .map(|m| use_item(quote!(pub(crate)), quote!(super::), f.module, &[*m]));
        items.into_iter().chain(macros)
    });
    quote! {
        //! The hand-written runtime: HTTP, credentials, retries, pagination, errors and the serde
        //! helpers the generated models use. It is kept in `generator/runtime/` and copied unchanged
        //! into every generated crate; edit it there.

        #(#mods)*

        #(#uses)*

        /// What the generated models use; not a stable interface.
        pub mod model {
            #(#model_uses)*
        }
    }
}

impl RuntimeFile {
    /// The attribute of a file compiled only with a feature of the crate.
    fn cfg(&self) -> TokenStream {
        match self.need {
            Need::Mock => quote!(#[cfg(feature = "mock")]),
            _ => TokenStream::new(),
        }
    }
}

/// `{visibility} use {prefix}{module}::Name;`, or `::{A, B}` for several names.
fn use_item(
    visibility: TokenStream,
    prefix: TokenStream,
    module: &str,
    names: &[&str],
) -> TokenStream {
    let module = format_ident!("{}", module);
    let names: Vec<_> = names.iter().map(|n| format_ident!("{}", n)).collect();
    match names.as_slice() {
        [one] => quote! { #visibility use #prefix #module::#one; },
        _ => quote! { #visibility use #prefix #module::{#(#names),*}; },
    }
}

/// The `[dependencies]` of a generated crate: those of the runtime crate, one per line.
pub fn dependencies() -> String {
    let manifest: toml::Table = DEPENDENCIES
        .parse()
        .expect("generator/runtime/dependencies.toml is TOML");
    let deps = manifest
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .expect("generator/runtime/dependencies.toml has [dependencies]");
    let mut out = String::from("[dependencies]\n");
    for (name, spec) in deps {
        // `Value`'s display writes a table inline.
        out.push_str(&format!("{name} = {spec}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The harness's `mod.rs` as syn reads it (comments dropped), formatted.
    fn normalized(text: &str) -> String {
        prettyplease::unparse(&syn::parse_file(text).expect("mod.rs parses"))
    }

    #[test]
    fn the_table_with_every_file_gives_the_runtime_crates_mod_rs() {
        let harness = include_str!("../../runtime/mod.rs");
        let emitted = syn::parse2(mod_rs(&Needs::ALL)).expect("the emitted mod.rs parses");
        assert_eq!(prettyplease::unparse(&emitted), normalized(harness));
    }

    #[test]
    fn the_documentation_has_no_header_line() {
        for (name, text, _) in DOCS {
            assert!(!text.contains("Copied unchanged"), "{name}");
            assert!(!text.starts_with("//"), "{name}");
        }
    }

    #[test]
    fn every_runtime_file_is_in_the_table() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|n| n.strip_suffix(".rs").map(str::to_string))
            .filter(|n| n != "mod" && n != "lib")
            .collect();
        on_disk.sort();
        let listed: Vec<&str> = RUNTIME.iter().map(|f| f.module).collect();
        assert_eq!(on_disk, listed);
    }

    #[test]
    fn dependencies_are_the_runtime_crates() {
        let deps = dependencies();
        assert!(deps.starts_with("[dependencies]\n"), "{deps}");
        let parsed: toml::Table = deps.parse().unwrap();
        let manifest =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime-crate/Cargo.toml");
        let runtime: toml::Table = std::fs::read_to_string(manifest).unwrap().parse().unwrap();
        assert_eq!(parsed["dependencies"], runtime["dependencies"]);
        assert!(!deps.contains("dev-dependencies"));
    }

    /// The lines of Markdown outside fenced code blocks (where `//` is a Rust comment).
    fn prose(markdown: &str) -> Vec<&str> {
        let mut fenced = false;
        markdown
            .lines()
            .filter(|l| {
                if l.trim_start().starts_with("```") {
                    fenced = !fenced;
                    return false;
                }
                !fenced
            })
            .collect()
    }

    #[test]
    fn the_crate_documentation_of_a_generated_crate_has_no_comment_line() {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/collections.yaml");
        let settings = crate::CrateSettings {
            name: "fixture".into(),
            version: "0.1.0".into(),
            roundtrip: false,
            repository: None,
        };
        let loaded =
            crate::load::load(crate::load::Source::File(&spec), Default::default()).unwrap();
        let generated = crate::generate(&loaded, &settings, &Default::default()).unwrap();
        let file = |path: &str| {
            let f = generated
                .files
                .iter()
                .find(|f| f.path == std::path::Path::new(path));
            f.unwrap_or_else(|| panic!("{path} is written"))
                .contents
                .clone()
        };
        // The crate documentation: lib.rs's inner doc text, then the docs.md it includes.
        let lib = syn::parse_file(&file("src/lib.rs")).unwrap();
        let mut docs = String::new();
        for attr in &lib.attrs {
            let syn::Meta::NameValue(nv) = &attr.meta else {
                continue;
            };
            if nv.path.is_ident("doc") {
                match &nv.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => {
                        docs.push_str(&s.value());
                        docs.push('\n');
                    }
                    // `include_str!("runtime/docs.md")`
                    syn::Expr::Macro(m) => {
                        let path: syn::LitStr = m.mac.parse_body().unwrap();
                        docs.push_str(&file(&format!("src/{}", path.value())));
                    }
                    other => panic!("unexpected doc attribute {}", quote!(#other)),
                }
            }
        }
        assert!(docs.contains("Rust client for"), "{docs}");
        assert!(docs.contains("# Lists"), "{docs}");
        assert!(!docs.contains("Copied unchanged"), "{docs}");
        let comments: Vec<&str> = prose(&docs)
            .into_iter()
            .filter(|l| l.trim_start().starts_with("//"))
            .collect();
        assert!(
            comments.is_empty(),
            "comment lines in the crate documentation: {comments:?}"
        );
    }

    /// The runtime modules each file refers to (`super::x`, `crate::runtime::x`), leaving out
    /// its tests.
    fn references(text: &str) -> std::collections::BTreeSet<&'static str> {
        let code = text.split("#[cfg(test)]").next().unwrap_or(text);
        let mut out = std::collections::BTreeSet::new();
        for prefix in ["super::", "crate::runtime::"] {
            for (i, _) in code.match_indices(prefix) {
                let rest = &code[i + prefix.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if let Some(f) = RUNTIME.iter().find(|f| f.module == name) {
                    out.insert(f.module);
                }
            }
        }
        out
    }

    #[test]
    fn runtime_modules_depend_on_each_other_one_way() {
        let graph: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> = RUNTIME
            .iter()
            .map(|f| {
                let mut refs = references(f.text);
                refs.remove(f.module);
                (f.module, refs)
            })
            .collect();
        // Depth-first, reporting the first cycle found as a path.
        fn visit<'a>(
            node: &'a str,
            graph: &std::collections::BTreeMap<&'a str, std::collections::BTreeSet<&'a str>>,
            path: &mut Vec<&'a str>,
            done: &mut std::collections::BTreeSet<&'a str>,
        ) {
            if let Some(at) = path.iter().position(|n| *n == node) {
                panic!(
                    "the runtime modules form a cycle: {}",
                    [&path[at..], &[node]].concat().join(" -> ")
                );
            }
            if !done.insert(node) {
                return;
            }
            path.push(node);
            for next in &graph[node] {
                visit(next, graph, path, done);
            }
            path.pop();
        }
        let mut done = std::collections::BTreeSet::new();
        for node in graph.keys() {
            visit(node, &graph, &mut Vec::new(), &mut done);
        }
        assert!(
            graph["request"].contains("client"),
            "the references are read: {graph:?}"
        );
    }
}
