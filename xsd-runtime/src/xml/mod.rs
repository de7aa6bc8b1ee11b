//! Reading and writing XML for generated types: the pull reader, the
//! writer, `xs:any` content and identity constraints.

pub mod any;
pub mod idc;
pub mod mixed;
mod names;
pub mod reader;
mod stream;
pub mod writer;

pub use any::{AnyAttribute, AnyContent, AnyElement, AnyNode, WriteElement};
pub use mixed::TextRuns;
pub use reader::{Fail, ReadOptions, ReadResult, SchemaLocation, Site, XmlReader, recover};
pub use stream::NameArena;
pub use writer::XmlWriter;

pub use crate::message::read_root_as;
