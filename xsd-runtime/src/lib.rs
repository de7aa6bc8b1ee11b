//! `xsd-runtime`: what code generated from XML Schemas (by `xsd-codegen`)
//! builds on: reading, writing and validating XML, schema-agnostic.
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
//! Documents are read from memory (`from_xml`, `from_slice`) or from a
//! stream (`XmlRoot::from_reader`: parsed as it arrives, holding a 64 KiB
//! buffer rather than the document, with the same values, errors and
//! line/column as `from_slice`; read up to the size limit and no further,
//! so a hostile sender cannot make the reader hold more). What the reader
//! refuses or bounds, with its default ([`xml::ReadOptions`]); every limit
//! is far above any real business document:
//!
//! | what | default | on excess |
//! |---|---|---|
//! | document size | 256 MiB (`max_document_bytes`) | a `limit` error; a stream is read no further |
//! | one text content or attribute value | 16 MiB (`max_value_bytes`) | a `limit` error at the element or attribute; reading stops |
//! | attributes on one element | 1024 (`max_attributes`) | a `limit` error at the element; reading stops |
//! | element nesting depth | 256 (`max_depth`) | a `limit` error; reading stops (no recursion deeper, so no stack overflow) |
//! | errors kept per document | 1000 (`max_errors`) | the rest are counted in one `limit` error |
//! | nodes kept from wildcard (`xs:any`) content | 1,000,000 (`max_wildcard_nodes`) | a `limit` error; reading stops (each node is an owned tree node, far larger than its tag) |
//! | namespace bindings in scope | 128 (quick-xml's own limit) | `malformed` |
//!
//! Costs stay linear in the input: sibling counting switches to an index
//! for parents with many distinct child names (wildcard content), and line
//! and column of errors come from checkpoints, not from rescanning.
//!
//! Always refused, whatever the options:
//!
//! | what | error |
//! |---|---|
//! | DTDs (`<!DOCTYPE`): entity bombs, external entities and DTDs, parameter entities | `unsupported`: no entity is expanded, nothing is read from disk or network |
//! | entity references other than the five predefined ones and character references | `malformed` |
//! | encodings other than UTF-8 (with or without BOM): UTF-16 (with or without BOM), a declaration naming another encoding (ISO-8859-1, ...), `US-ASCII` with non-ASCII bytes | `encoding` (a declaration that lies is never read as UTF-8 silently) |
//! | invalid UTF-8; characters XML 1.0 forbids (NUL, C0 controls, U+FFFE, U+FFFF), also as references | `encoding` / `malformed`, at the element where they occur |
//! | undeclared namespace prefixes | `malformed` |
//! | `xsi:type` (even naming the declared type, which xmllint accepts): types come from the schema | `unsupported` at the attribute |
//! | `xsi:nil` on an element that is not nillable, or a nil element with content | `nillable` (as xmllint) |
//!
//! Comments and processing instructions are skipped anywhere; a CDATA
//! section is text (in element-only content even a blank one is an
//! error, as for xmllint).
//!
//! Nothing here knows any particular schema or service. Feature `proptest`
//! (off by default): [`strategy`], what the strategies of generated types
//! (valid values, for property tests) build on.

pub mod error;
pub mod lexical;
pub mod message;
pub mod newtype;
pub mod pattern;
#[doc(hidden)]
pub mod rt;
#[cfg(feature = "proptest")]
pub mod strategy;
pub mod types;
pub mod xml;
pub mod xsd;

pub use error::{
    ErrorKind, Facet, FacetErrors, FacetViolation, Location, ValidationError, ValidationErrors,
    ValueError, WriteError,
};
pub use message::{XmlRoot, read_document};

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
