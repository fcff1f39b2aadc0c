//! Emitting: IR → files of `TokenStream`s (and the runtime and manifest, which are text).

mod models;
mod operations;
pub mod runtime;
mod types;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::Api;
use crate::names;

/// One file of the generated crate, relative to its root.
#[derive(Debug, Clone)]
pub struct EmittedFile {
    pub path: PathBuf,
    pub content: Content,
}

#[derive(Debug, Clone)]
pub enum Content {
    /// Rust code to be formatted and given the do-not-edit header.
    Code(TokenStream),
    /// Text written as it is (the hand-written runtime).
    Verbatim(&'static str),
    /// Text produced by the generator that is not Rust (the manifest).
    Text(String),
}

/// Settings of the crate being written.
#[derive(Debug, Clone)]
pub struct CrateSettings {
    pub name: String,
    pub version: String,
    /// Whether to write the round-trip table (`src/generated/roundtrip.rs`) and the
    /// `roundtrip` feature that compiles it.
    pub roundtrip: bool,
}

/// The generated manifest; `{dependencies}` becomes the runtime crate's (see [`runtime`]).
const MANIFEST_TEMPLATE: &str = include_str!("../../runtime/Cargo.toml.in");

/// What `{features}` in the manifest becomes when the round-trip table is written.
const ROUNDTRIP_FEATURE: &str = "
[features]
# A table of every operation's JSON models with typed round-trip functions, for conformance
# tests (`okta_client::roundtrip::OPERATIONS`). Off by default: it costs compile time.
roundtrip = []
";

/// Types per part of a models file: big files are emitted and formatted in parts, in
/// parallel. The split is fixed (never depends on the number of threads), and formatting
/// items apart gives the same text as formatting them together.
const TYPES_PER_PART: usize = 48;

/// A file of the generated crate, planned but not emitted: the plain data that lets each of
/// its parts be emitted on any thread.
#[derive(Debug, Clone)]
pub struct PlannedFile {
    pub path: PathBuf,
    pub content: PlannedContent,
}

#[derive(Debug, Clone)]
pub enum PlannedContent {
    /// Rust code: the parts, emitted and formatted one by one and joined in order.
    Code(Vec<Part>),
    /// Text written as it is (the hand-written runtime).
    Verbatim(&'static str),
    /// Text produced by the generator that is not Rust (the manifest).
    Text(String),
}

/// A piece of a Rust file that can be emitted on its own.
#[derive(Debug, Clone)]
pub enum Part {
    /// `lib.rs`, re-exporting what the runtime files written export.
    Lib {
        needs: runtime::Needs,
    },
    /// `runtime/mod.rs`, declaring the runtime files written.
    RuntimeMod {
        needs: runtime::Needs,
    },
    /// `generated/mod.rs`; with the round-trip table or not.
    GeneratedMod {
        roundtrip: bool,
    },
    ModelsMod,
    /// The `use` lines of a models group.
    ModelsImports(String),
    /// Some of the types of a models group.
    Models(Vec<String>),
    OperationsMod,
    Roundtrip,
    /// The operations module at this index of `Api::modules`.
    Operations(usize),
}

/// What planning works out once for all parts: which file each type goes in.
#[derive(Debug, Clone)]
pub struct Emitter<'a> {
    api: &'a Api,
    /// The types of each models file.
    groups: BTreeMap<String, BTreeSet<String>>,
    /// The models file of each type.
    owner: BTreeMap<String, String>,
}

impl<'a> Emitter<'a> {
    pub fn new(api: &'a Api) -> Self {
        let groups = model_groups(api);
        let owner = groups
            .iter()
            .flat_map(|(g, ts)| ts.iter().map(move |t| (t.clone(), g.clone())))
            .collect();
        Self { api, groups, owner }
    }

    /// Every file of the generated crate, planned.
    pub fn plan(&self, settings: &CrateSettings) -> Vec<PlannedFile> {
        let roundtrip = settings.roundtrip;
        let needs = runtime::Needs::of(self.api, roundtrip);
        // The `roundtrip` feature exists only when the table is written.
        let features = if roundtrip { ROUNDTRIP_FEATURE } else { "" };
        let api = self.api;
        let code = |path: &str, parts: Vec<Part>| PlannedFile {
            path: path.into(),
            content: PlannedContent::Code(parts),
        };
        let mut files = vec![
            PlannedFile {
                path: "Cargo.toml".into(),
                content: PlannedContent::Text(
                    MANIFEST_TEMPLATE
                        .replace("{dependencies}", &runtime::dependencies())
                        .replace("{features}", features)
                        .replace("{name}", &settings.name)
                        .replace("{version}", &settings.version)
                        .replace(
                            "{description}",
                            &toml_escape(&format!("Rust client for {}", api.title)),
                        ),
                ),
            },
            PlannedFile {
                path: "rustfmt.toml".into(),
                content: PlannedContent::Text(
                    "# The generator formats this crate (prettyplease); `cargo fmt` leaves it as written.\ndisable_all_formatting = true\n".to_string(),
                ),
            },
            code("src/lib.rs", vec![Part::Lib { needs }]),
            code("src/runtime/mod.rs", vec![Part::RuntimeMod { needs }]),
        ];
        for (name, text) in needs.docs() {
            files.push(PlannedFile {
                path: PathBuf::from("src/runtime").join(name),
                content: PlannedContent::Verbatim(text),
            });
        }
        for file in needs.files() {
            files.push(PlannedFile {
                path: PathBuf::from("src/runtime").join(format!("{}.rs", file.module)),
                content: PlannedContent::Verbatim(file.text),
            });
        }
        files.push(code(
            "src/generated/mod.rs",
            vec![Part::GeneratedMod { roundtrip }],
        ));
        files.push(code("src/generated/models/mod.rs", vec![Part::ModelsMod]));
        for (group, type_names) in &self.groups {
            let names: Vec<&String> = type_names.iter().collect();
            let mut parts = vec![Part::ModelsImports(group.clone())];
            parts.extend(
                names
                    .chunks(TYPES_PER_PART)
                    .map(|chunk| Part::Models(chunk.iter().map(|n| (*n).clone()).collect())),
            );
            files.push(PlannedFile {
                path: PathBuf::from("src/generated/models").join(format!("{group}.rs")),
                content: PlannedContent::Code(parts),
            });
        }
        files.push(code(
            "src/generated/operations/mod.rs",
            vec![Part::OperationsMod],
        ));
        if roundtrip {
            files.push(code("src/generated/roundtrip.rs", vec![Part::Roundtrip]));
        }
        for (i, module) in api.modules.iter().enumerate() {
            files.push(PlannedFile {
                path: PathBuf::from("src/generated/operations").join(format!("{}.rs", module.name)),
                content: PlannedContent::Code(vec![Part::Operations(i)]),
            });
        }
        files
    }

    /// The code of one part.
    pub fn emit_part(&self, part: &Part) -> TokenStream {
        let api = self.api;
        match part {
            Part::Lib { needs } => lib_rs(api, needs),
            Part::RuntimeMod { needs } => runtime::mod_rs(needs),
            Part::GeneratedMod { roundtrip } => {
                let table = roundtrip.then(|| {
                    quote! {
                        // The table calls deprecated operations too.
                        #[cfg(feature = "roundtrip")]
                        #[allow(deprecated)]
                        pub mod roundtrip;
                    }
                });
                quote! {
                    //! Code generated from the spec: models and one module of operations per tag.
                    pub mod models;
                    pub mod operations;
                    #table
                }
            }
            Part::ModelsMod => {
                let model_mods: Vec<_> =
                    self.groups.keys().map(|g| names::ident_tokens(g)).collect();
                quote! {
                    //! The spec's schemas as Rust types, grouped by the tag that uses them
                    //! (`common` holds those used by several), all re-exported here.
                    #(mod #model_mods;)*
                    #(pub use #model_mods::*;)*
                }
            }
            Part::ModelsImports(group) => {
                models::models_imports(api, group, &self.groups[group], &self.owner)
            }
            Part::Models(type_names) => models::models_items(api, type_names),
            Part::OperationsMod => {
                let op_mods = api.modules.iter().map(|m| {
                    let ident = names::ident_tokens(&m.name);
                    let doc = types::doc_attrs(m.doc.as_deref());
                    quote! { #doc pub mod #ident; }
                });
                quote! {
                    //! Request builders, one module per tag. Each operation is a method on
                    //! [`Client`](crate::Client) returning its builder.
                    #(#op_mods)*
                }
            }
            Part::Roundtrip => roundtrip_table(api),
            Part::Operations(i) => operations::module_file(api, &api.modules[*i]),
        }
    }
}

/// Every file of the generated crate, emitted in one piece each (single-threaded; see
/// [`Emitter`] for the parts that `format::render_parallel` spreads over threads).
pub fn emit(api: &Api, settings: &CrateSettings) -> Vec<EmittedFile> {
    let emitter = Emitter::new(api);
    emitter
        .plan(settings)
        .into_iter()
        .map(|f| EmittedFile {
            path: f.path,
            content: match f.content {
                PlannedContent::Code(parts) => {
                    let code = parts.iter().map(|p| emitter.emit_part(p));
                    Content::Code(quote! { #(#code)* })
                }
                PlannedContent::Verbatim(text) => Content::Verbatim(text),
                PlannedContent::Text(text) => Content::Text(text),
            },
        })
        .collect()
}

fn lib_rs(api: &Api, needs: &runtime::Needs) -> TokenStream {
    let title = format!(" Rust client for {}, version {}.", api.title, api.version);
    let desc = types::inner_doc_attrs(api.description.as_deref());
    let table = needs.roundtrip.then(|| {
        quote! {
            #[cfg(feature = "roundtrip")]
            #[doc(hidden)]
            pub use generated::roundtrip;
        }
    });
    // Only what the runtime files written export, in this order.
    let written = |names: &[&str]| -> Vec<proc_macro2::Ident> {
        names
            .iter()
            .filter(|n| needs.exports(n))
            .map(|n| quote::format_ident!("{}", n))
            .collect()
    };
    let docs = needs.docs().map(|(name, _)| format!("runtime/{name}"));
    let public = written(&[
        "ApiError",
        "Client",
        "ClientBuilder",
        "DEFAULT_CONNECT_TIMEOUT",
        "DEFAULT_DEADLINE",
        "DEFAULT_TIMEOUT",
        "Error",
        "ItemStream",
        "ListStyle",
        "MAX_REDIRECTS",
        "Multipart",
        "OktaError",
        "OktaErrorCause",
        "Page",
        "PageFuture",
        "PageStream",
        "PrivateKeyJwt",
        "Properties",
        "RateLimit",
        "RawResponse",
        "Request",
        "Response",
        "RetryPolicy",
        "SendFullFuture",
        "SendFuture",
        "encode_path",
        "encode_path_list",
    ]);
    let private = written(&[
        "CallArgs",
        "CallFuture",
        "Decoder",
        "OperationModels",
        "RoundTrip",
        "RoundTripError",
        "StatusKey",
        "arg",
        "body_arg",
        "bytes_body",
        "first_page",
        "items",
        "json_text",
        "no_body",
        "opt_arg",
        "pages",
        "prepare",
        "round_trip",
    ]);
    quote! {
        #![doc = #title]
        //!
        #desc
        //!
        #(#![doc = include_str!(#docs)])*
        #![forbid(unsafe_code)]

        mod generated;
        mod runtime;

        pub use generated::{models, operations};
        #table
        pub use runtime::{#(#public),*};
        pub use reqwest::Method;

        /// Support for the generated code; not a stable interface.
        #[doc(hidden)]
        pub mod __private {
            pub use crate::runtime::{#(#private),*};
            pub use crate::runtime::model;
        }
    }
}

/// `OPERATIONS`: every operation's JSON models with their round-trip functions.
fn roundtrip_table(api: &Api) -> TokenStream {
    use crate::ir::{BodyFormat, Status};
    let entries = api.operations().map(|op| {
        let name = &op.name;
        let method = op.method.as_str();
        let path = &op.path;
        let request = match &op.body {
            Some(b) if b.format == BodyFormat::Json => {
                let ty = types::type_tokens(&b.ty, types::Scope::Outside);
                quote!(Some(rt::round_trip::<#ty> as rt::RoundTrip))
            }
            _ => quote!(None),
        };
        let responses = op.responses.iter().chain(&op.errors).filter_map(|r| {
            let b = r.body.as_ref().filter(|b| b.format == BodyFormat::Json)?;
            let ty = types::type_tokens(&b.ty, types::Scope::Outside);
            let key = match r.status {
                Status::Code(c) => {
                    let c = proc_macro2::Literal::u16_unsuffixed(c);
                    quote!(rt::StatusKey::Code(#c))
                }
                Status::Range(r) => {
                    let r = proc_macro2::Literal::u16_unsuffixed(r);
                    quote!(rt::StatusKey::Range(#r))
                }
                Status::Default => quote!(rt::StatusKey::Default),
            };
            Some(quote!((#key, rt::round_trip::<#ty> as rt::RoundTrip)))
        });
        quote! {
            rt::OperationModels {
                name: #name,
                method: #method,
                path: #path,
                request: #request,
                responses: &[#(#responses),*],
            },
        }
    });
    let body = quote! { #(#entries)* };
    let arms: Vec<TokenStream> = api
        .operations()
        .map(|op| operations::call_arm(api, op))
        .collect();
    let reads_args = arms.iter().any(|a| types::mentions(a, "args"));
    // No operation of this spec takes arguments.
    let ignore_args = (!reads_args).then(|| quote!(let _ = args;));
    let everything = quote! { #body #(#arms)* };
    let use_map = types::btreemap_import(&everything);
    let mentions_models = types::mentions(&everything, "models");
    let use_models = mentions_models.then(|| {
        quote!(
            use crate::models;
        )
    });
    quote! {
        //! Every operation's JSON models with typed round-trip functions, and a way to call
        //! every operation by name (the `roundtrip` feature), for conformance and contract
        //! tests.
        #use_map
        use crate::__private as rt;
        #use_models

        /// One entry per client method, in module and name order.
        pub static OPERATIONS: &[rt::OperationModels] = &[#body];

        /// Calls the client method `name` with typed values read from `args`, decoding the
        /// response; `None` for a name that is not a method.
        pub fn call(
            client: &crate::Client,
            name: &str,
            args: &dyn rt::CallArgs,
        ) -> Option<rt::CallFuture> {
            #ignore_args
            Some(match name {
                #(#arms)*
                _ => return None,
            })
        }
    }
}

/// Which file each named type goes in: the one module whose operations use it, or `common`.
fn model_groups(api: &Api) -> BTreeMap<String, BTreeSet<String>> {
    let mut users: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for module in &api.modules {
        let mut reached = BTreeSet::new();
        for op in &module.operations {
            for r in op.type_refs() {
                api.reach(r, &mut reached);
            }
        }
        for t in reached {
            users.entry(t).or_default().insert(module.name.as_str());
        }
    }
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in api.types.keys() {
        let group = match users.get(name) {
            Some(mods) if mods.len() == 1 => {
                (*mods.iter().next().expect("one element")).to_string()
            }
            _ => "common".to_string(),
        };
        groups.entry(group).or_default().insert(name.clone());
    }
    groups
}

fn toml_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
