//! What generated code is written against, behind one short path
//! (`use ::xsd_runtime::rt;`): the reader and writer, and the interpreters
//! of the content tables that generated types declare.
//!
//! A complex type's content is emitted as data, one [`Child`] per particle
//! in document order (its names, occurrences and label), and its reader and
//! writer walk that table with a cursor ([`Content`], [`Out`]) one call per
//! field. Nothing in generated code numbers its fields: inserting an element
//! in a schema adds the lines that describe it and changes no neighbour.
//!
//! Not a stable API: only generated code should use it.

mod name;
mod read;
mod root;
mod write;

pub use name::{Child, Name, Ns, Term, UNBOUNDED, Wild};
pub use read::{
    Att, Content, any, any_simple, boxed, builtin, complex, complex_idc, group, lax, nillable,
    nillable_idc, nillable_simple, req, simple, simple_with, strict,
};
pub use write::{Element, Group, Out, Tag, Wildcard, end, write_attr, write_opt_attr, write_text};

pub use crate::Nillable;
pub use crate::xml::idc::{IdcDef, IdcKind, IdcPath, Scoped, Step};
pub use crate::xml::{
    AnyAttribute, AnyContent, AnyElement, Fail, ReadResult, SchemaLocation, Site, TextRuns,
    XmlReader as Reader, XmlWriter as Writer, recover,
};
pub use crate::xsd;
pub use crate::xsd::Lexical;
pub use crate::{ValueError, XmlRoot};

pub use crate::newtype::FacetTable;
pub use crate::{
    ErrorKind, Facet, FacetErrors, FacetViolation, Location, ValidationError, ValidationErrors,
    WriteError,
};
#[cfg(feature = "proptest")]
pub use crate::{complex_strategy, impl_arbitrary, simple_strategy, strategy};
pub use crate::{document_reads, restricted_newtype, string_enum, union_facets};
pub use crate::{error, lexical, newtype, pattern, types, xml};
