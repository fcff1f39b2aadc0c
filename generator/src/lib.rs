//! `okta-codegen`: generates the `okta-client` crate from an OpenAPI 3.0 description of the
//! Okta API.
//!
//! The pipeline has one module per step:
//! [`load`] (YAML/JSON → `openapiv3`), [`lower`] (→ [`ir`]), [`emit`] (→ `TokenStream`s with
//! `quote`) and [`format`](mod@format) (→ prettyplease text, written only when changed, or checked).
//! [`generate`] runs them all in memory.

pub mod emit;
pub mod error;
pub mod format;
pub mod ir;
pub mod load;
pub mod lower;
pub mod names;
pub mod repair;

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

/// Loads, lowers, emits and formats the spec at `spec`, in memory.
pub fn generate(spec: &Path, settings: &CrateSettings) -> Result<Generated, Error> {
    let loaded = load::load(spec)?;
    generate_loaded(&loaded, settings)
}

/// Like [`generate`], for a spec already loaded.
pub fn generate_loaded(
    loaded: &load::LoadedSpec,
    settings: &CrateSettings,
) -> Result<Generated, Error> {
    let api = lower::lower(loaded)?;
    let emitted = emit::emit(&api, settings);
    let files = format::render(&api, emitted)?;
    Ok(Generated { api, files })
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
        }
    }
}
