//! `cas-runtime`: what generated CAS message types build on.
//!
//! Generated code (the `cas-messages` crate, or any crate made by
//! `cargo xtask gen`) reaches its dependencies only through this crate: the
//! pull reader and writer in [`xml`], the XSD datatypes in [`types`] with
//! their parsers in [`xsd`], whitespace and name rules in [`lexical`], XSD
//! regular expressions in [`pattern`], the error types in [`error`], and
//! the traits in [`message`]. Nothing here knows any particular schema.
//!
//! # Limits when reading
//!
//! Documents are read from memory (`&str` / `&[u8]`). What the reader
//! refuses or bounds, with its default ([`xml::ReadOptions`]):
//!
//! | what | default | on excess |
//! |---|---|---|
//! | element nesting depth | 256 (`max_depth`) | a `limit` error; reading stops |
//! | errors kept per document | 1000 (`max_errors`) | the rest are counted in one `limit` error |
//! | DTDs (`<!DOCTYPE`) | refused | an `unsupported` error: no entity is expanded, nothing is fetched |
//! | encodings | UTF-8 (with or without BOM) | UTF-16 and invalid UTF-8 are `encoding` errors at the element where they occur |
//!
//! Behind default features, for applications: `client` (send messages to
//! the ingestion endpoints: retries, idempotency keys, typed errors) and
//! `webhook` (typed events, signature verification, correlation of
//! outcomes with sent messages). Generated crates depend on this crate
//! without them. Feature `proptest` (off by default): [`strategy`], what the
//! strategies of generated types (valid values, for property tests) build on.

#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod lexical;
pub mod message;
pub mod pattern;
#[cfg(feature = "proptest")]
pub mod strategy;
pub mod types;
#[cfg(feature = "webhook")]
pub mod webhook;
pub mod xml;
pub mod xsd;

pub use error::{
    ErrorKind, Facet, FacetErrors, FacetViolation, Location, ValidationError, ValidationErrors,
    ValueError, WriteError,
};
pub use message::{IngestionMessage, XmlRoot, read_document};

/// The value of a nillable element: `xsi:nil="true"`, or a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Nillable<T> {
    Nil,
    Value(T),
}

impl<T> Nillable<T> {
    /// The value, unless nil.
    pub fn value(&self) -> Option<&T> {
        match self {
            Nillable::Nil => None,
            Nillable::Value(v) => Some(v),
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Nillable::Nil)
    }
}

impl<T> From<T> for Nillable<T> {
    fn from(v: T) -> Self {
        Nillable::Value(v)
    }
}

/// Re-exported so generated code and users need not match versions.
pub use quick_xml;
/// Re-exported so users of the client need not match versions.
#[cfg(feature = "client")]
pub use reqwest;
#[cfg(feature = "client")]
pub use tokio;
