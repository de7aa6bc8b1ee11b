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
/// more than the comparison. Eight bytes at a time, the last word
/// overlapping the one before (no byte-by-byte tail); shorter names as two
/// overlapping 4-byte words, or byte by byte under four.
#[inline]
pub(crate) fn same_name(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            if word::<8>(a, i) != word::<8>(b, i) {
                return false;
            }
            i += 8;
        }
        return word::<8>(a, n - 8) == word::<8>(b, n - 8);
    }
    if n >= 4 {
        return word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// The `N` bytes of `s` from `at` (`N` = 4 or 8) as one integer; zero past
/// the end (callers stay within).
#[inline(always)]
fn word<const N: usize>(s: &[u8], at: usize) -> u64 {
    let Some(w) = s.get(at..).and_then(|t| t.first_chunk::<N>()) else {
        return 0;
    };
    let mut buf = [0u8; 8];
    buf[..N].copy_from_slice(w);
    u64::from_ne_bytes(buf)
}

#[cfg(test)]
mod tests {
    use super::same_name;

    #[test]
    fn same_name_agrees_with_slice_equality() {
        let base: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for n in 0..=base.len() {
            let a = &base[..n];
            assert!(same_name(a, a), "length {n}");
            assert!(!same_name(a, &base[..n.saturating_sub(1)]) || n == 0);
            // One byte different, at every position: in a full word, in
            // the overlapping last word, in the short forms.
            for at in 0..n {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!same_name(a, &b), "length {n}, byte {at}");
            }
        }
    }
}
