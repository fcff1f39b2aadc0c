//! `okta-codegen`: generates the `okta-client` crate from an OpenAPI 3.0 description of the
//! Okta API.
//!
//! The pipeline has one module per step:
//! [`load`] (YAML/JSON → `openapiv3`), [`lower`] (→ [`ir`]), [`emit`] (→ `TokenStream`s with
//! `quote`) and [`format`](mod@format) (→ prettyplease text, written only when changed, or checked).
//! [`generate`] runs them all in memory.

pub mod diff;
pub mod emit;
pub mod error;
pub mod format;
pub mod import;
pub mod ir;
pub mod load;
pub mod lower;
pub mod names;
pub mod overlay;
pub mod parallel;
pub mod pointer;
pub mod repair;
pub mod yaml;

use std::path::Path;

pub use emit::CrateSettings;
pub use error::{Error, ErrorKind};
pub use format::OutputFile;

/// The result of a run: the model and the files of the crate.
#[derive(Debug, Clone)]
pub struct Generated {
    pub api: ir::Api,
    pub files: Vec<OutputFile>,
}

/// What to generate and how strictly.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Options {
    /// Unsupported or broken parts become warnings with a sound fallback
    /// (`serde_json::Value`, numbered names) instead of errors.
    #[serde(default)]
    pub lenient: bool,
    /// Only operations with one of these tags (and the types they use).
    #[serde(default)]
    pub include_tags: Vec<String>,
    /// Only these operations (operationIds or method names), and the types they use.
    #[serde(default)]
    pub include_operations: Vec<String>,
    /// Also generate the round-trip table (`roundtrip.rs`, behind the crate's `roundtrip`
    /// feature) that conformance tests call every operation through.
    #[serde(default)]
    pub roundtrip: bool,
}

/// The optional configuration file read from the spec's folder.
pub const CONFIG_FILE: &str = "okta-codegen.toml";

impl Options {
    /// Reads `okta-codegen.toml` beside the spec, if there is one.
    pub fn from_config_beside(spec: &Path) -> Result<Options, Error> {
        let path = spec
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                Error::new(
                    ErrorKind::Syntax,
                    &path,
                    format!("invalid configuration: {e}"),
                )
                .hint("known keys: lenient, include-tags, include-operations, roundtrip")
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Options::default()),
            Err(e) => Err(Error::new(
                ErrorKind::Io,
                &path,
                format!("cannot read: {e}"),
            )),
        }
    }
}

/// Loads, lowers, emits and formats the spec at `spec`, in memory.
pub fn generate(spec: &Path, settings: &CrateSettings) -> Result<Generated, Error> {
    generate_with(spec, settings, &Options::default())
}

/// [`generate`] with options.
pub fn generate_with(
    spec: &Path,
    settings: &CrateSettings,
    options: &Options,
) -> Result<Generated, Error> {
    let loaded = load::load_with(
        spec,
        load::LoadOptions {
            lenient: options.lenient,
            ..Default::default()
        },
    )?;
    generate_loaded_with(&loaded, settings, options)
}

/// Like [`generate`], for a spec already loaded.
pub fn generate_loaded(
    loaded: &load::LoadedSpec,
    settings: &CrateSettings,
) -> Result<Generated, Error> {
    generate_loaded_with(loaded, settings, &Options::default())
}

/// Like [`generate_with`], for a spec already loaded.
pub fn generate_loaded_with(
    loaded: &load::LoadedSpec,
    settings: &CrateSettings,
    options: &Options,
) -> Result<Generated, Error> {
    let mut api = lower::lower(loaded)?;
    subset(&mut api, options, &loaded.path)?;
    let threads = parallel::cores();
    let settings = CrateSettings {
        roundtrip: settings.roundtrip || options.roundtrip,
        ..settings.clone()
    };
    let files = format::render_parallel(&api, &settings, threads)?;
    Ok(Generated { api, files })
}

/// Keeps only the operations the options include (all when they name none).
fn subset(api: &mut ir::Api, options: &Options, file: &Path) -> Result<(), Error> {
    if options.include_tags.is_empty() && options.include_operations.is_empty() {
        return Ok(());
    }
    let tag_matches = |op: &ir::Operation, t: &str| {
        op.tag.eq_ignore_ascii_case(t) || names::snake(&op.tag) == names::snake(t)
    };
    let op_matches = |op: &ir::Operation, o: &str| op.operation_id == o || op.name == o;
    for t in &options.include_tags {
        if !api.operations().any(|op| tag_matches(op, t)) {
            let mut tags: Vec<&str> = api.modules.iter().map(|m| m.tag.as_str()).collect();
            tags.dedup();
            return Err(Error::new(
                ErrorKind::Structure,
                file,
                format!("no operation has the tag `{t}`"),
            )
            .hint(format!("tags in this spec: {}", tags.join(", "))));
        }
    }
    for o in &options.include_operations {
        if !api.operations().any(|op| op_matches(op, o)) {
            return Err(Error::new(
                ErrorKind::Structure,
                file,
                format!("no operation has the operationId or method name `{o}`"),
            ));
        }
    }
    api.retain_operations(|op| {
        options.include_tags.iter().any(|t| tag_matches(op, t))
            || options.include_operations.iter().any(|o| op_matches(op, o))
    });
    Ok(())
}

impl CrateSettings {
    /// The default name and the version already in `out_dir/Cargo.toml` (so a version bump
    /// there survives regeneration), or 0.1.0.
    pub fn for_out_dir(out_dir: &Path) -> Self {
        let version = std::fs::read_to_string(out_dir.join("Cargo.toml"))
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .and_then(|t| {
                t.get("package")?
                    .get("version")?
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "0.1.0".to_string());
        CrateSettings {
            name: "okta-client".to_string(),
            version,
            roundtrip: false,
        }
    }
}
