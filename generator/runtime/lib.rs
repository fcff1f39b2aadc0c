//! The runtime of the generated Okta client, compiled and tested on its own.
//!
//! okta-codegen writes the files beside this one into `src/runtime/` of every crate it
//! generates (never this file, nor a dependency on this crate: a generated crate stands on
//! its own). This crate lays them out as a generated crate does: the runtime is the module
//! `runtime`, and its items are re-exported at the root, so that paths such as `crate::Error`
//! and `$crate::runtime::model::…` mean the same here and there.
//!
//! `mod.rs` here declares every runtime file; a generated crate gets a `mod.rs` written by
//! okta-codegen with only the files it uses (`generator/src/emit/runtime.rs`, whose tests
//! check that the two agree).

#![forbid(unsafe_code)]

// What only generated code uses has no user here: `Client::operation` (every operation)
// and the models' serde macros, re-exported through `runtime::model`.
#[allow(dead_code, unused_imports, unused_macros)]
#[path = "mod.rs"]
mod runtime;

pub use runtime::*;
