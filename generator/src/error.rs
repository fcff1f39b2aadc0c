//! The generator's error type: every failure names the file and, where it can, the place in it.

use std::fmt;
use std::path::PathBuf;

/// What went wrong, coarsely, so callers and tests can tell failures apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file could not be read or written.
    Io,
    /// The file is not well-formed YAML or JSON.
    Syntax,
    /// The document is not an OpenAPI version this generator reads.
    Version,
    /// The document is well-formed but does not have the OpenAPI structure.
    Structure,
    /// A `$ref` points nowhere, or refers to itself without end.
    Reference,
    /// Two things that must be distinct are not (operationIds, generated names).
    Duplicate,
    /// A construct that is valid OpenAPI but that this generator cannot turn into Rust.
    Unsupported,
}

/// Where in the input a problem sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A JSON pointer into the document, such as `#/paths/~1api~1v1~1users/get`.
    Pointer(String),
    /// A line and column (1-based) in the source text.
    LineColumn { line: usize, column: usize },
}

/// A generator failure: the file, where in it, what is wrong and, if known, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub file: PathBuf,
    pub location: Option<Location>,
    pub message: String,
    pub hint: Option<String>,
}

impl Error {
    pub fn new(kind: ErrorKind, file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            kind,
            file: file.into(),
            location: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Places the error at a JSON pointer.
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.location = Some(Location::Pointer(pointer.into()));
        self
    }

    /// Places the error at a line and column.
    pub fn at_line(mut self, line: usize, column: usize) -> Self {
        self.location = Some(Location::LineColumn { line, column });
        self
    }

    /// Adds advice on what to do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The JSON pointer, if the error has one.
    pub fn pointer(&self) -> Option<&str> {
        match &self.location {
            Some(Location::Pointer(p)) => Some(p),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        match &self.location {
            Some(Location::Pointer(p)) => write!(f, " at {p}")?,
            Some(Location::LineColumn { line, column }) => write!(f, ":{line}:{column}")?,
            None => {}
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Escapes one reference token of a JSON pointer (RFC 6901); see [`crate::pointer`].
pub fn escape_pointer_token(token: &str) -> String {
    crate::pointer::escape(token)
}
