//! Emitting: IR → files of `TokenStream`s (and the runtime and manifest, which are text).

mod features;
mod mock;
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

/// The manifest's `[features]`: one per API area, `full` with every area (the default), and
/// `roundtrip` when the round-trip table is written (it calls every operation), and `mock`.
fn manifest_features(api: &Api, roundtrip: bool) -> String {
    let areas = &api.features.areas;
    let list = |names: &mut dyn Iterator<Item = &String>| -> String {
        names
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::from(
        "\n[features]\ndefault = [\"full\"]\n# Every API area. With `default-features = false`, name the areas you call: only their\n# operations and the types those reach are compiled.\n",
    );
    let full = list(&mut areas.keys());
    if full.len() + 9 <= 96 {
        out.push_str(&format!("full = [{full}]\n"));
    } else {
        out.push_str("full = [\n");
        for line in wrap(&full, 92) {
            out.push_str(&format!("    {line}\n"));
        }
        out.push_str("]\n");
    }
    if roundtrip {
        out.push_str(
            "# A table of every operation's JSON models with typed round-trip functions, for conformance\n# tests (`okta_client::roundtrip::OPERATIONS`). Off by default: it costs compile time.\nroundtrip = [\"full\"]\n",
        );
    }
    out.push_str(
        "# A mock Okta server for your tests (`mock::MockOkta`), stubbed per operation; built on\n# wiremock.\nmock = [\"dep:wiremock\"]\n",
    );
    for (feature, modules) in areas {
        let tags: Vec<&str> = api
            .modules
            .iter()
            .filter(|m| modules.contains(&m.name))
            .map(|m| m.tag.as_str())
            .collect();
        for line in wrap(&tags.join(", "), 96) {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str(&format!("{feature} = []\n"));
    }
    out
}

/// `text` cut at spaces into lines of at most `width` characters (a longer word stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let line = lines.last_mut().expect("never empty");
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// Types per section of a models file: big files are emitted and formatted in sections, in
/// parallel. The split is fixed (never depends on the number of threads), and formatting
/// items apart gives the same text as formatting them together.
const TYPES_PER_SECTION: usize = 48;

/// A file of the generated crate, planned but not emitted: the plain data that lets each of
/// its sections be emitted on any thread.
#[derive(Debug, Clone)]
pub struct FilePlan {
    /// Relative to the crate root.
    pub path: PathBuf,
    pub content: FileContent,
}

#[derive(Debug, Clone)]
pub enum FileContent {
    /// Rust code: its sections, emitted and formatted one by one and joined in order.
    Rust(Vec<Section>),
    /// A file of the hand-written runtime, written as it is.
    Copied {
        /// Where it is kept, relative to the workspace root.
        source: String,
        text: &'static str,
    },
    /// Text produced by the generator that is not Rust (the manifest).
    Text(String),
}

/// A run of whole items of a Rust file that can be emitted (and formatted) on its own.
#[derive(Debug, Clone)]
pub enum Section {
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
    /// The `use` lines of a models file.
    ModelsImports(String),
    /// Some of the types of a models file.
    Models(Vec<String>),
    OperationsMod,
    Roundtrip,
    /// The operations module at this index of `Api::modules`.
    Operations(usize),
    /// `mock/mod.rs`, the public mock module.
    MockMod,
    /// The stubs of the operations module at this index of `Api::modules`.
    Mock(usize),
}

/// The files of the crate, and what emitting their sections needs: which file each type
/// goes in.
#[derive(Debug, Clone)]
pub struct CratePlan<'a> {
    api: &'a Api,
    /// The types of each models file.
    groups: BTreeMap<String, BTreeSet<String>>,
    /// The models file of each type.
    owner: BTreeMap<String, String>,
    pub files: Vec<FilePlan>,
}

/// Plans every file of the crate for `api`.
pub fn plan<'a>(api: &'a Api, settings: &CrateSettings) -> CratePlan<'a> {
    let groups = model_groups(api);
    let owner = groups
        .iter()
        .flat_map(|(g, ts)| ts.iter().map(move |t| (t.clone(), g.clone())))
        .collect();
    let mut plan = CratePlan {
        api,
        groups,
        owner,
        files: Vec::new(),
    };
    plan.files = plan.plan_files(settings);
    plan
}

impl<'a> CratePlan<'a> {
    /// The model the crate is planned from.
    pub fn api(&self) -> &'a Api {
        self.api
    }

    /// Every Rust section, with the index of its file, in file order.
    pub fn sections(&self) -> Vec<(usize, &Section)> {
        self.files
            .iter()
            .enumerate()
            .flat_map(|(i, f)| match &f.content {
                FileContent::Rust(sections) => sections.iter().map(|s| (i, s)).collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    fn plan_files(&self, settings: &CrateSettings) -> Vec<FilePlan> {
        let roundtrip = settings.roundtrip;
        let needs = runtime::Needs::of(self.api, roundtrip);
        let features = manifest_features(self.api, roundtrip);
        let api = self.api;
        let code = |path: &str, sections: Vec<Section>| FilePlan {
            path: path.into(),
            content: FileContent::Rust(sections),
        };
        let mut files = vec![
            FilePlan {
                path: "Cargo.toml".into(),
                content: FileContent::Text(
                    MANIFEST_TEMPLATE
                        .replace("{dependencies}", &runtime::dependencies())
                        .replace("{features}", &features)
                        .replace("{name}", &settings.name)
                        .replace("{version}", &settings.version)
                        .replace(
                            "{description}",
                            &toml_escape(&format!("Rust client for {}", api.title)),
                        ),
                ),
            },
            FilePlan {
                path: "rustfmt.toml".into(),
                content: FileContent::Text(
                    "# The generator formats this crate (prettyplease); `cargo fmt` leaves it as written.\ndisable_all_formatting = true\n".to_string(),
                ),
            },
            code("src/lib.rs", vec![Section::Lib { needs }]),
            code("src/runtime/mod.rs", vec![Section::RuntimeMod { needs }]),
        ];
        for (name, text) in needs.docs() {
            files.push(FilePlan {
                path: PathBuf::from("src/runtime").join(name),
                content: FileContent::Copied {
                    source: format!("generator/runtime/{name}"),
                    text,
                },
            });
        }
        for file in needs.files() {
            let name = format!("{}.rs", file.module);
            files.push(FilePlan {
                path: PathBuf::from("src/runtime").join(&name),
                content: FileContent::Copied {
                    source: format!("generator/runtime/{name}"),
                    text: file.text,
                },
            });
        }
        files.push(code(
            "src/generated/mod.rs",
            vec![Section::GeneratedMod { roundtrip }],
        ));
        files.push(code(
            "src/generated/models/mod.rs",
            vec![Section::ModelsMod],
        ));
        for (group, type_names) in &self.groups {
            let names: Vec<&String> = type_names.iter().collect();
            let mut sections = vec![Section::ModelsImports(group.clone())];
            sections.extend(
                names
                    .chunks(TYPES_PER_SECTION)
                    .map(|chunk| Section::Models(chunk.iter().map(|n| (*n).clone()).collect())),
            );
            files.push(FilePlan {
                path: PathBuf::from("src/generated/models").join(format!("{group}.rs")),
                content: FileContent::Rust(sections),
            });
        }
        files.push(code(
            "src/generated/operations/mod.rs",
            vec![Section::OperationsMod],
        ));
        if roundtrip {
            files.push(code("src/generated/roundtrip.rs", vec![Section::Roundtrip]));
        }
        for (i, module) in api.modules.iter().enumerate() {
            files.push(FilePlan {
                path: PathBuf::from("src/generated/operations").join(format!("{}.rs", module.name)),
                content: FileContent::Rust(vec![Section::Operations(i)]),
            });
        }
        files.push(code("src/generated/mock/mod.rs", vec![Section::MockMod]));
        for (i, module) in api.modules.iter().enumerate() {
            files.push(FilePlan {
                path: PathBuf::from("src/generated/mock").join(format!("{}.rs", module.name)),
                content: FileContent::Rust(vec![Section::Mock(i)]),
            });
        }
        files
    }

    /// The code of one section.
    pub fn emit(&self, section: &Section) -> TokenStream {
        let api = self.api;
        match section {
            Section::Lib { needs } => lib_rs(api, needs),
            Section::RuntimeMod { needs } => runtime::mod_rs(needs),
            Section::GeneratedMod { roundtrip } => {
                let table = roundtrip.then(|| {
                    quote! {
                        // The table calls deprecated operations too.
                        #[cfg(feature = "roundtrip")]
                        #[allow(deprecated)]
                        pub mod roundtrip;
                    }
                });
                quote! {
                    //! Code generated from the spec: models, one module of operations per tag
                    //! and their mock stubs.
                    pub mod models;
                    pub mod operations;
                    #table
                    #[cfg(feature = "mock")]
                    pub mod mock;
                }
            }
            Section::ModelsMod => {
                let model_mods: Vec<_> =
                    self.groups.keys().map(|g| names::ident_tokens(g)).collect();
                let cfgs: Vec<_> = self
                    .groups
                    .values()
                    .map(|types| models::file_reach(api, types).cfg())
                    .collect();
                quote! {
                    //! The spec's schemas as Rust types, in files named by the first word of
                    //! the type's name, all re-exported here.
                    #(#cfgs mod #model_mods;)*
                    #(#cfgs pub use #model_mods::*;)*
                }
            }
            Section::ModelsImports(group) => {
                models::models_imports(api, group, &self.groups[group], &self.owner)
            }
            Section::Models(type_names) => {
                let group = type_names.first().map(|n| &self.owner[n]);
                let within = match group {
                    Some(group) => models::file_reach(api, &self.groups[group]),
                    None => features::Reach::Always,
                };
                models::models_items(api, type_names, &within)
            }
            Section::OperationsMod => {
                let op_mods = api.modules.iter().map(|m| {
                    let ident = names::ident_tokens(&m.name);
                    let doc = types::doc_attrs(m.doc.as_deref());
                    let cfg = features::Reach::of_module(api, &m.name).cfg();
                    quote! { #doc #cfg pub mod #ident; }
                });
                quote! {
                    //! Request builders, one module per tag. Each operation is a method on
                    //! [`Client`](crate::Client) returning its builder.
                    #(#op_mods)*
                }
            }
            Section::Roundtrip => roundtrip_table(api),
            Section::Operations(i) => operations::module_file(api, &api.modules[*i]),
            Section::MockMod => mock::mod_file(api),
            Section::Mock(i) => mock::module_file(&api.modules[*i]),
        }
    }
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
        // docs.rs documents every feature and marks what each item needs.
        #![cfg_attr(docsrs, feature(doc_cfg))]

        mod generated;
        // Without every API area, parts of the runtime have no caller.
        #[cfg_attr(not(feature = "full"), allow(dead_code, unused_imports, unused_macros))]
        mod runtime;

        pub use generated::{models, operations};
        #table
        #[cfg(feature = "mock")]
        pub use generated::mock;
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
                quote!(Some(support::round_trip::<#ty> as support::RoundTrip))
            }
            _ => quote!(None),
        };
        let responses = op.responses.iter().chain(&op.errors).filter_map(|r| {
            let b = r.body.as_ref().filter(|b| b.format == BodyFormat::Json)?;
            let ty = types::type_tokens(&b.ty, types::Scope::Outside);
            let key = match r.status {
                Status::Code(c) => {
                    let c = proc_macro2::Literal::u16_unsuffixed(c);
                    quote!(support::StatusKey::Code(#c))
                }
                Status::Range(r) => {
                    let r = proc_macro2::Literal::u16_unsuffixed(r);
                    quote!(support::StatusKey::Range(#r))
                }
                Status::Default => quote!(support::StatusKey::Default),
            };
            Some(quote!((#key, support::round_trip::<#ty> as support::RoundTrip)))
        });
        quote! {
            support::OperationModels {
                name: #name,
                method: #method,
                path: #path,
                request: #request,
                responses: &[#(#responses),*],
            },
        }
    });
    let body = quote! { #(#entries)* };
    let arms: Vec<TokenStream> = api.operations().map(operations::call_arm).collect();
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
        use crate::__private as support;
        #use_models

        /// One entry per client method, in module and name order.
        pub static OPERATIONS: &[support::OperationModels] = &[#body];

        /// Calls the client method `name` with typed values read from `args`, decoding the
        /// response; `None` for a name that is not a method.
        pub fn call(
            client: &crate::Client,
            name: &str,
            args: &dyn support::CallArgs,
        ) -> Option<support::CallFuture> {
            #ignore_args
            Some(match name {
                #(#arms)*
                _ => return None,
            })
        }
    }
}

/// Which file each named type goes in: the first word of its name (`UserProfile` and
/// `UserType` in `user.rs`, `OAuth2Claim` in `oauth2.rs`). The file depends on the name
/// alone, so a type stays where it is whatever uses it, and a spec change moves no type.
fn model_groups(api: &Api) -> BTreeMap<String, BTreeSet<String>> {
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in api.types.keys() {
        groups
            .entry(model_file(name))
            .or_default()
            .insert(name.clone());
    }
    groups
}

/// The models file (without `.rs`) of the type `name`.
fn model_file(name: &str) -> String {
    let snake = names::snake(name);
    // Made a name again: a first word may be `self` or start with a digit.
    let word = names::snake(snake.split('_').find(|w| !w.is_empty()).unwrap_or("value"));
    if word == "mod" {
        // `mod.rs` is the models module itself.
        "mod_".to_string()
    } else {
        word
    }
}

fn toml_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
