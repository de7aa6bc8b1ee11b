//! `cas-runtime`: what generated CAS message types build on.
//!
//! Generated code (the `cas-messages` crate, or any crate made by
//! `cargo xtask gen`) reaches its dependencies only through this crate: the
//! pull reader and writer in [`xml`], the XSD datatypes in [`types`] with
//! their parsers in [`xsd`], whitespace and name rules in [`lexical`], XSD
//! regular expressions in [`pattern`], the error types in [`error`], and
//! the traits in [`message`]. Nothing here knows any particular schema.

pub mod error;
pub mod lexical;
pub mod message;
pub mod pattern;
pub mod types;
pub mod xml;
pub mod xsd;

pub use error::{
    ErrorKind, Facet, FacetErrors, FacetViolation, Location, ValidationError, ValidationErrors,
    ValueError, WriteError,
};
pub use message::{IngestionMessage, XmlRoot, read_document};

/// Re-exported so generated code and users need not match versions.
pub use quick_xml;
