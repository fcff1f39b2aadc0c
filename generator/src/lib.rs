//! `okta-codegen`: generates the `okta-client` crate from an OpenAPI 3.0 description of the
//! Okta API.
//!
//! The pipeline has one module per step, and [`generate`] runs them in their order:
//! [`load`] (YAML/JSON → `openapiv3`), [`lower`] (→ the model in [`ir`]), [`emit`] (→ a plan
//! of the crate's files and the `TokenStream`s of their sections, built with `quote`),
//! [`format`](mod@format) (→ prettyplease text with headers) and [`write`](mod@write) (→ files on disk,
//! only those that changed, or the freshness check).

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
pub mod write;
pub mod yaml;

use std::path::Path;

pub use emit::CrateSettings;
pub use error::{Error, ErrorKind};
pub use format::CrateFile;

/// The result of a run: the model and the files of the crate.
#[derive(Debug, Clone)]
pub struct Generated {
    pub api: ir::Api,
    pub files: Vec<CrateFile>,
    /// How long each step took (lowering, planning, emitting and formatting), in order.
    pub timings: Vec<(&'static str, std::time::Duration)>,
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
    /// Cargo features of the generated crate, one per API area: a feature name and the tags
    /// it compiles (exactly, or by a prefix ending in `*`). A tag no feature takes is a
    /// feature of its own.
    #[serde(default)]
    pub features: std::collections::BTreeMap<String, Vec<String>>,
    /// The generated manifest's `repository` (the registry page links it).
    #[serde(default)]
    pub repository: Option<String>,
}

/// The optional configuration file read from the spec's folder.
pub const CONFIG_FILE: &str = "okta-codegen.toml";

impl Options {
    /// How to load the spec under these options.
    pub fn load_options(&self) -> load::LoadOptions {
        load::LoadOptions {
            lenient: self.lenient,
            ..Default::default()
        }
    }

    /// Reads `okta-codegen.toml` beside the spec, if there is one.
    pub fn from_config_beside(spec: &Path) -> Result<Options, Error> {
        let path = config_beside(spec);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                Error::new(
                    ErrorKind::Syntax,
                    &path,
                    format!("invalid configuration: {e}"),
                )
                .hint(
                    "known keys: lenient, include-tags, include-operations, roundtrip, [features]",
                )
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

/// Where the configuration of `spec` stands: [`CONFIG_FILE`] in its folder.
fn config_beside(spec: &Path) -> std::path::PathBuf {
    spec.parent()
        .unwrap_or_else(|| Path::new("."))
        .join(CONFIG_FILE)
}

/// Lowers, emits and formats a loaded spec, in memory: the crate's files, ready for
/// [`write::write`] or [`write::check`].
pub fn generate(
    loaded: &load::LoadedSpec,
    settings: &CrateSettings,
    options: &Options,
) -> Result<Generated, Error> {
    let mut clock = Clock::start();
    let mut api = lower::lower(loaded)?;
    subset(&mut api, options, &loaded.path)?;
    lower::features::assign(&mut api, &options.features, &config_beside(&loaded.path))?;
    clock.lap("lower");
    let settings = CrateSettings {
        roundtrip: settings.roundtrip || options.roundtrip,
        repository: settings.repository.clone().or(options.repository.clone()),
        ..settings.clone()
    };
    let plan = emit::plan(&api, &settings);
    clock.lap("plan");
    let files = emit_and_format(&plan, parallel::cores())?;
    clock.lap("emit and format");
    Ok(Generated {
        api,
        files,
        timings: clock.laps,
    })
}

/// The wall time of each step of a run, for `--timings`.
pub struct Clock {
    last: std::time::Instant,
    pub laps: Vec<(&'static str, std::time::Duration)>,
}

impl Clock {
    pub fn start() -> Clock {
        Clock {
            last: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    /// Records steps timed elsewhere (by [`generate`]), which end now.
    pub fn add(&mut self, laps: &[(&'static str, std::time::Duration)]) {
        self.laps.extend_from_slice(laps);
        self.last = std::time::Instant::now();
    }

    /// Prints the steps to standard error, a line each.
    pub fn print(&self) {
        for (step, took) in &self.laps {
            eprintln!("{step}: {:.1} ms", took.as_secs_f64() * 1e3);
        }
    }

    /// Records the time since the previous lap (or the start) as the step `name`.
    pub fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((name, now - self.last));
        self.last = now;
    }
}

/// Emits and formats every file of `plan` on up to `threads` threads; the files do not
/// depend on the number. Token streams cannot cross threads, so each section is emitted
/// and formatted on the thread that takes it, and the formatted sections of a file are
/// joined in order.
pub fn emit_and_format(plan: &emit::CratePlan, threads: usize) -> Result<Vec<CrateFile>, Error> {
    let sections = plan.sections();
    let texts = parallel::map(sections.len(), threads, |j| {
        let (file, section) = sections[j];
        format::rust(&plan.files[file].path, plan.emit(section))
    })?;
    Ok(format::finish_all(plan, texts))
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
            repository: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_file(path: &Path) -> load::LoadedSpec {
        load::load(load::Source::File(path), Default::default()).expect("the spec loads")
    }

    /// Sections emitted and formatted apart on several threads give the very text of whole
    /// files emitted and formatted at once on one: spec/okta.yaml has models files of many
    /// sections.
    #[test]
    fn sections_formatted_apart_give_the_whole_files() {
        let loaded = load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/okta.yaml"));
        let api = lower::lower(&loaded).expect("and lowers");
        let settings = CrateSettings {
            name: "okta-client".into(),
            version: "0.1.0".into(),
            roundtrip: true,
            repository: None,
        };
        let plan = emit::plan(&api, &settings);
        // Each Rust file emitted and formatted at once: its whole text stands for its first
        // section, and its other sections add nothing.
        let mut texts = Vec::new();
        for f in &plan.files {
            if let emit::FileContent::Rust(sections) = &f.content {
                let tokens = sections.iter().map(|s| plan.emit(s));
                texts.push(format::rust(&f.path, quote::quote!(#(#tokens)*)).expect("formats"));
                texts.extend(std::iter::repeat_n(String::new(), sections.len() - 1));
            }
        }
        let whole = format::finish_all(&plan, texts);
        let most_sections = plan
            .files
            .iter()
            .filter_map(|f| match &f.content {
                emit::FileContent::Rust(sections) => Some(sections.len()),
                _ => None,
            })
            .max();
        assert!(
            most_sections > Some(2),
            "some file is made of several sections"
        );
        for threads in [1, 3] {
            let parallel = emit_and_format(&plan, threads).expect("renders");
            assert_eq!(parallel.len(), whole.len());
            for (a, b) in parallel.iter().zip(&whole) {
                assert_eq!(a.path, b.path);
                assert!(a.contents == b.contents, "{} differs", a.path.display());
            }
        }
    }

    /// The round-trip table, its module and its feature are written only when asked for.
    #[test]
    fn the_round_trip_table_is_opt_in() {
        let loaded =
            load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/params.yaml"));
        for roundtrip in [false, true] {
            let settings = CrateSettings {
                name: "fixture".into(),
                version: "0.1.0".into(),
                roundtrip,
                repository: None,
            };
            let files = generate(&loaded, &settings, &Options::default())
                .expect("generates")
                .files;
            let text = |path: &str| {
                files
                    .iter()
                    .find(|f| f.path == Path::new(path))
                    .map(|f| f.contents.clone())
                    .unwrap_or_else(|| panic!("{path} is written"))
            };
            let table = files
                .iter()
                .any(|f| f.path == Path::new("src/generated/roundtrip.rs"));
            assert_eq!(table, roundtrip);
            assert_eq!(text("Cargo.toml").contains("roundtrip = ["), roundtrip);
            assert_eq!(
                text("src/lib.rs").contains("generated::roundtrip"),
                roundtrip
            );
            assert_eq!(
                text("src/generated/mod.rs").contains("mod roundtrip"),
                roundtrip
            );
        }
    }
}
