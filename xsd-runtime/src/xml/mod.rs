//! Reading and writing XML for generated types: the pull reader, the
//! writer, `xs:any` content and identity constraints.

pub mod any;
pub mod idc;
mod lex;
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

/// Pushes `v`; a `Vec`'s first push takes room for exactly one (most
/// lists read hold one item, and `push` alone would take room for four).
#[inline]
pub(crate) fn push_first_exact<T>(items: &mut Vec<T>, v: T) {
    if items.capacity() == 0 {
        items.reserve_exact(1);
    }
    items.push(v);
}
