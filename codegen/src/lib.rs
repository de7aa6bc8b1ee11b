//! `cas-codegen`: a generator from XML Schemas to Rust types that read,
//! write and validate XML.
//!
//! Three layers, one direction: the front end (`frontend`, the only place
//! that knows xsd-parser) lowers schemas into the [`model`]; emission turns
//! the model into Rust source. `generate` does no I/O beyond reading the
//! schemas; writing files is the caller's business (`xtask`, a `build.rs`).

pub mod emit;
pub mod manifest;
pub mod model;
pub mod naming;


use std::path::PathBuf;

/// Everything that can stop generation.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{path}: invalid manifest: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("{location}: {message}")]
    Schema { location: String, message: String },
    #[error("{origin}: unsupported XSD construct: {construct}")]
    Unsupported { origin: String, construct: String },
    #[error("invalid pattern '{pattern}': {message}")]
    Pattern { pattern: String, message: String },
    #[error("internal generator error: {message}")]
    Internal { message: String },
    #[error("{origin}: invalid facet: {message}")]
    Facet { origin: String, message: String },
}
