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

/// A text event's content, line ends normalized (XML 1.0 §2.11), taken
/// over without a copy when there is nothing to normalize (quick-xml's
/// `xml10_content` copies an owned event's content: streamed text was
/// copied twice).
#[inline]
pub(crate) fn text_content(t: quick_xml::events::BytesText<'_>) -> std::borrow::Cow<'_, str> {
    if memchr::memchr(b'\r', t.as_bytes()).is_some() {
        return t.xml10_content();
    }
    t.into_inner()
}

/// The same for a CDATA section.
#[inline]
pub(crate) fn cdata_content(c: quick_xml::events::BytesCData<'_>) -> std::borrow::Cow<'_, str> {
    if memchr::memchr(b'\r', c.as_bytes()).is_some() {
        return c.xml10_content();
    }
    c.into_inner()
}

/// Equality of two names without a call to `memcmp`: names are a few bytes
/// long and compared on every tag, where the call and its branches cost
/// more than the comparison (8 bytes at a time, then byte by byte).
#[inline]
pub(crate) fn same_name(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut a, mut b) = (a, b);
    while let (Some((x, ra)), Some((y, rb))) =
        (a.split_first_chunk::<8>(), b.split_first_chunk::<8>())
    {
        if u64::from_ne_bytes(*x) != u64::from_ne_bytes(*y) {
            return false;
        }
        (a, b) = (ra, rb);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}
