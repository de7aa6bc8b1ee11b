//! Namespace resolution over [`Lexer`] (documents in memory) or quick-xml's
//! raw `Reader` (streams).
//!
//! quick-xml's `NsReader` parses every start tag's attributes looking for
//! `xmlns` declarations, which halves the raw reader's speed on documents
//! whose tags declare nothing. [`NsSource`] keeps quick-xml's own
//! [`NamespaceResolver`] (so bindings, their scoping per element and every
//! error are the ones `NsReader` gives) but pushes a tag's attributes into it
//! only when the tag contains `xmlns`; any other tag just opens an empty
//! scope. Element namespaces are interned: a start tag's namespace is an
//! index into a small table of the URIs met so far, resolved once per tag.

use std::borrow::Cow;
use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::{NamespaceError, NamespaceResolver, QName, ResolveResult};

use crate::error::Location;
use crate::xml::lex::{Lexer, PlainTag};
use crate::xml::same_name;
use crate::xml::stream::{Checked, pack};

/// Where events come from: a document in memory (events borrow from it) or
/// a stream (events are owned; positions are packed line and column, see
/// [`crate::xml::stream`]).
enum Source<'a> {
    Slice(Lexer<'a>),
    Stream {
        reader: Box<Reader<Checked<Box<dyn Read + 'a>>>>,
        buf: Vec<u8>,
    },
}

/// The raw reader, its namespace bindings and the interned element namespaces.
pub(crate) struct NsSource<'a> {
    reader: Source<'a>,
    resolver: NamespaceResolver,
    /// The scope of the last `End` is popped before the next event is read
    /// (as `NsReader` does), so that the end tag could still be resolved.
    pending_pop: bool,
    /// Element namespace URIs met so far; index 0 is "no namespace".
    uris: Vec<String>,
    /// The index last returned by [`NsSource::element_ns`]: most tags share it.
    last: usize,
    /// Changes whenever the bindings in scope may have: when a tag that
    /// declares opens, and when it closes.
    bindings_gen: u64,
    /// The nesting levels of the open tags whose declarations were pushed.
    declared: Vec<u16>,
    /// The nesting level (open tags). The resolver's own level is brought
    /// up to it only when a tag declares (and down when that tag closes):
    /// setting it scans the bindings, which most tags would pay for
    /// nothing.
    level: u16,
    /// Element prefixes resolved while the bindings were those of a
    /// generation: (generation, prefix, index), a slot per prefix (see
    /// [`prefix_slot`]). A hit is exact: the same bindings resolve the same
    /// prefix to the same namespace.
    resolved: [(u64, String, usize); 4],
}

impl<'a> NsSource<'a> {
    pub(crate) fn from_str(input: &'a str) -> Self {
        Self::with(Source::Slice(Lexer::new(input)))
    }

    pub(crate) fn from_stream(input: Checked<Box<dyn Read + 'a>>) -> Self {
        let mut reader = Reader::from_reader(input);
        configure(reader.config_mut());
        Self::with(Source::Stream {
            reader: Box::new(reader),
            buf: Vec::new(),
        })
    }

    fn with(reader: Source<'a>) -> Self {
        NsSource {
            reader,
            resolver: NamespaceResolver::default(),
            pending_pop: false,
            uris: vec![String::new()],
            last: 0,
            // No slot is of the first generation until filled.
            bindings_gen: 1,
            declared: Vec::new(),
            level: 0,
            resolved: Default::default(),
        }
    }

    /// The checked stream, when reading one.
    pub(crate) fn stream(&self) -> Option<&Checked<Box<dyn Read + 'a>>> {
        match &self.reader {
            Source::Slice(_) => None,
            Source::Stream { reader, .. } => Some(reader.get_ref()),
        }
    }

    pub(crate) fn stream_mut(&mut self) -> Option<&mut Checked<Box<dyn Read + 'a>>> {
        match &mut self.reader {
            Source::Slice(_) => None,
            Source::Stream { reader, .. } => Some(reader.get_mut()),
        }
    }

    /// Where the next event starts: a byte offset in memory, a packed
    /// location on a stream (which starts a new window there).
    #[inline]
    pub(crate) fn event_pos(&mut self) -> u64 {
        match &mut self.reader {
            Source::Slice(r) => r.buffer_position(),
            Source::Stream { reader, .. } => {
                let at = reader.buffer_position();
                pack(reader.get_mut().mark_at(at))
            }
        }
    }

    /// The position of a byte offset of the input, as [`Self::event_pos`]
    /// gives positions (on a stream: an offset since the last event start).
    pub(crate) fn pos_of(&self, offset: u64) -> u64 {
        match &self.reader {
            Source::Slice(_) => offset,
            Source::Stream { reader, .. } => pack(reader.get_ref().location(offset)),
        }
    }

    /// The position of the byte `rel` bytes after the start of the event
    /// just read (on a stream; in memory, positions are offsets).
    pub(crate) fn pos_in_event(&self, rel: u64) -> u64 {
        match &self.reader {
            Source::Slice(_) => rel,
            Source::Stream { reader, .. } => pack(reader.get_ref().location_in_event(rel)),
        }
    }

    /// The location of a position, on a stream (in memory the reader
    /// counts lines itself).
    pub(crate) fn stream_location(&self, pos: u64) -> Option<Location> {
        match &self.reader {
            Source::Slice(_) => None,
            Source::Stream { .. } => Some(crate::xml::stream::unpack(pos)),
        }
    }

    /// The next event, namespace scopes opened and closed as `NsReader` does.
    #[inline]
    pub(crate) fn read_event(&mut self) -> quick_xml::Result<Event<'a>> {
        self.pop_pending();
        let ev = match &mut self.reader {
            Source::Slice(r) => r.read_event()?,
            Source::Stream { reader, buf } => {
                buf.clear();
                match reader.read_event_into(buf)? {
                    // Nobody reads an end tag's or a comment's content (quick-xml
                    // has checked the end tag's name): no copy.
                    Event::End(_) => Event::End(BytesEnd::new("")),
                    Event::Comment(_) => Event::Comment(BytesText::new("")),
                    // Indentation between elements, as written, without a copy.
                    Event::Text(t) => match static_blank(&t) {
                        Some(blank) => Event::Text(BytesText::from_escaped(blank)),
                        None => Event::Text(t.into_owned()),
                    },
                    ev => ev.into_owned(),
                }
            }
        };
        match &ev {
            Event::Start(s) => self.push(s)?,
            Event::Empty(s) => {
                self.push(s)?;
                self.pending_pop = true;
            }
            Event::End(_) => self.pending_pop = true,
            _ => {}
        }
        Ok(ev)
    }

    /// See [`Lexer::text_then_end`] (documents in memory only); the
    /// element's scope closes as after its end tag.
    #[inline]
    pub(crate) fn text_then_end(&mut self, limit: u64) -> Option<Cow<'a, str>> {
        if !matches!(self.reader, Source::Slice(_)) {
            return None;
        }
        self.pop_pending();
        let Source::Slice(lexer) = &mut self.reader else {
            return None;
        };
        let text = lexer.text_then_end(limit)?;
        self.pending_pop = true;
        Some(text)
    }

    /// See [`Lexer::plain_tag`] (documents in memory only): the start tag
    /// opens a scope that declares nothing, the end tag closes one, as
    /// after [`Self::read_event`].
    #[inline]
    pub(crate) fn plain_tag(&mut self) -> Option<PlainTag<'a>> {
        if !matches!(self.reader, Source::Slice(_)) {
            return None;
        }
        self.pop_pending();
        let level = self.level;
        let Source::Slice(lexer) = &mut self.reader else {
            return None;
        };
        if level == u16::MAX {
            return None;
        }
        let tag = lexer.plain_tag()?;
        match &tag {
            // Raising the level adds no binding and removes none.
            PlainTag::Start(..) => self.level = level + 1,
            PlainTag::End => self.pending_pop = true,
        }
        Some(tag)
    }

    /// See [`Lexer::skip_blank`] (documents in memory only).
    #[inline]
    pub(crate) fn skip_blank(&mut self) {
        if let Source::Slice(lexer) = &mut self.reader {
            lexer.skip_blank();
        }
    }

    /// Skips to the end tag of the start tag just read, closing its scope.
    pub(crate) fn read_to_end(&mut self, end: QName<'_>) -> quick_xml::Result<()> {
        self.pop_pending();
        match &mut self.reader {
            Source::Slice(r) => r.read_to_end(end)?,
            Source::Stream { reader, buf } => {
                buf.clear();
                reader.read_to_end_into(end, buf).map(|_| ())?
            }
        };
        self.pop_scope();
        Ok(())
    }

    /// The parser's position (see [`Self::event_pos`]).
    #[inline]
    pub(crate) fn buffer_position(&self) -> u64 {
        match &self.reader {
            Source::Slice(r) => r.buffer_position(),
            Source::Stream { reader, .. } => {
                pack(reader.get_ref().location(reader.buffer_position()))
            }
        }
    }

    /// Where the last error was found (see [`Self::event_pos`]).
    #[inline]
    pub(crate) fn error_position(&self) -> u64 {
        match &self.reader {
            Source::Slice(r) => r.error_position(),
            Source::Stream { reader, .. } => self.pos_of(reader.error_position()),
        }
    }

    /// The bindings in scope (for attribute names).
    #[inline]
    pub(crate) fn resolver(&self) -> &NamespaceResolver {
        &self.resolver
    }

    /// The URI of an interned namespace index.
    #[inline]
    pub(crate) fn uri(&self, id: usize) -> &str {
        self.uris.get(id).map_or("", String::as_str)
    }

    /// The interned namespace of a start tag just read, or the undeclared
    /// prefix it uses; `prefix` is its name up to the local name (`p:`, or
    /// empty for none).
    #[inline]
    pub(crate) fn element_ns(&mut self, prefix: &str) -> Result<usize, String> {
        let slot = prefix_slot(prefix);
        if let Some((g, p, id)) = self.resolved.get(slot)
            && *g == self.bindings_gen
            && same_name(p.as_bytes(), prefix.as_bytes())
        {
            self.last = *id;
            return Ok(*id);
        }
        let id = self.resolve_element_ns(prefix)?;
        if let Some(entry) = self.resolved.get_mut(slot) {
            entry.0 = self.bindings_gen;
            entry.1.clear();
            entry.1.push_str(prefix);
            entry.2 = id;
        }
        Ok(id)
    }

    /// [`Self::element_ns`] without the cache of resolved prefixes.
    fn resolve_element_ns(&mut self, prefix: &str) -> Result<usize, String> {
        // The `:` is the last byte: the prefix is found without a scan of the name.
        let uri = match self.resolver.resolve_prefix(QName(prefix).prefix(), true) {
            ResolveResult::Bound(n) => n.into_inner(),
            ResolveResult::Unbound => return Ok(0),
            ResolveResult::Unknown(p) => return Err(p),
        };
        if self.uris[self.last] == uri {
            return Ok(self.last);
        }
        let id = match self.uris.iter().position(|u| u == uri) {
            Some(id) => id,
            None => {
                self.uris.push(uri.to_owned());
                self.uris.len() - 1
            }
        };
        self.last = id;
        Ok(id)
    }

    #[inline]
    fn pop_pending(&mut self) {
        if self.pending_pop {
            self.pop_scope();
            self.pending_pop = false;
        }
    }

    /// Closes the innermost scope (its bindings, if it declared any, go).
    #[inline]
    fn pop_scope(&mut self) {
        let Some(outer) = self.level.checked_sub(1) else {
            return;
        };
        if self.declared.last() == Some(&self.level) {
            self.declared.pop();
            self.bindings_gen += 1;
            // Its bindings go (the deepest binding's level is this one).
            self.resolver.set_level(outer);
        }
        self.level = outer;
    }

    /// Opens the tag's scope; only a tag that mentions `xmlns` can declare
    /// anything, so only such a tag has its attributes parsed here.
    #[inline]
    fn push(&mut self, start: &BytesStart<'_>) -> Result<(), NamespaceError> {
        let level = self.level;
        if level == u16::MAX {
            return Err(NamespaceError::TooDeeplyNested(usize::from(u16::MAX)));
        }
        if declares(start) {
            self.bindings_gen += 1;
            self.declared.push(level + 1);
            // Up to this tag's parent, then the tag's own scope.
            self.resolver.set_level(level);
            self.level = level + 1;
            return self.resolver.push(start);
        }
        self.level = level + 1;
        Ok(())
    }
}

/// The slot of [`NsSource::resolved`] for an element prefix (`p:`, or
/// empty): the usual few prefixes of a document fall in different slots.
#[inline]
fn prefix_slot(prefix: &str) -> usize {
    (prefix.len() + usize::from(prefix.as_bytes().first().copied().unwrap_or(0))) & 3
}

/// `text` as a static string, when it is a line end followed by spaces or
/// by tabs (how documents are indented), so that a streamed event of it
/// needs no copy.
fn static_blank(text: &str) -> Option<&'static str> {
    const SPACES: &str = concat!(
        "\n",
        "                                                                ",
        "                                                                ",
    );
    const TABS: &str = "\n\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    [SPACES, TABS]
        .into_iter()
        .find_map(|blank| blank.get(..text.len()).filter(|b| *b == text))
}

fn configure(cfg: &mut quick_xml::reader::Config) {
    cfg.expand_empty_elements = true;
    cfg.check_end_names = true;
    cfg.check_comments = true;
    cfg.trim_text(false);
}

/// Might the start tag declare a namespace (`xmlns` somewhere in its attributes)?
#[inline]
fn declares(start: &BytesStart<'_>) -> bool {
    // Each `x`, then the four bytes after it: `memmem` would build its
    // searcher anew for every tag, and attribute lists are short.
    let mut rest = start.attributes_raw().as_bytes();
    while let Some(at) = memchr::memchr(b'x', rest) {
        rest = rest.get(at..).unwrap_or_default();
        if rest.starts_with(b"xmlns") {
            return true;
        }
        rest = rest.get(1..).unwrap_or_default();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaring_tags_are_told_by_xmlns_in_their_attributes() {
        let declares_in = |content: &str| {
            let name_len = content.find(' ').unwrap_or(content.len());
            declares(&BytesStart::from_content(content, name_len))
        };
        assert!(declares_in("a xmlns='u'"));
        assert!(declares_in("a x='1' xx='x' xmlns:p='u'"));
        assert!(declares_in("a b='xmlns'"), "may declare: looked at again");
        assert!(!declares_in("a"));
        assert!(!declares_in("a x='xmln' y='x'"));
        assert!(!declares_in("xmlns"), "the name is no attribute");
    }

    /// A start tag's name up to its local name.
    fn prefix_of<'s>(s: &'s BytesStart<'_>) -> &'s str {
        let name = s.name().into_inner();
        name.find(':').map_or("", |i| &name[..=i])
    }

    /// Resolves every start tag and returns (uri, local) in document order.
    fn names(xml: &str) -> Result<Vec<(String, String)>, String> {
        let mut src = NsSource::from_str(xml);
        let mut out = Vec::new();
        loop {
            match src.read_event().map_err(|e| e.to_string())? {
                Event::Eof => return Ok(out),
                Event::Start(s) => {
                    let id = src.element_ns(prefix_of(&s))?;
                    let local = s.local_name().into_inner().to_owned();
                    out.push((src.uri(id).to_owned(), local));
                }
                _ => {}
            }
        }
    }

    #[test]
    fn indentation_is_found_as_a_static_string() {
        for text in ["\n", "\n  ", "\n\t\t", &format!("\n{}", " ".repeat(128))] {
            assert_eq!(static_blank(text), Some(text), "{text:?}");
        }
        let too_deep = format!("\n{}", " ".repeat(129));
        for text in ["", " \n", "\n \t", "\r\n ", "x", "\n  x", too_deep.as_str()] {
            let found = static_blank(text);
            assert!(
                found.is_none() || text.is_empty(),
                "{text:?} gave {found:?}"
            );
        }
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(u, l)| ((*u).to_owned(), (*l).to_owned()))
            .collect()
    }

    #[test]
    fn bindings_are_scoped_per_element() {
        let xml =
            r#"<a xmlns="u1"><b xmlns="u2" xmlns:p="u3"><p:c/><d/></b><e/><q:f xmlns:q="u3"/></a>"#;
        let got = names(xml).unwrap();
        let want = [
            ("u1", "a"),
            ("u2", "b"),
            ("u3", "c"),
            ("u2", "d"),
            ("u1", "e"),
            ("u3", "f"),
        ];
        assert_eq!(got, owned(&want));
    }

    #[test]
    fn a_prefix_resolved_before_follows_the_bindings_in_scope() {
        // The same prefixes, resolved again and again while declarations
        // come and go (resolutions are cached per set of bindings).
        let xml = concat!(
            r#"<a xmlns="u1" xmlns:p="u2"><p:b/><c/>"#,
            r#"<d xmlns:p="u3"><p:e/><f/><g xmlns="u4"><p:h/><i/></g><j/></d>"#,
            r#"<p:k/><l/><m xmlns=""><n/></m><o/><q:r xmlns:q="u5"/></a>"#,
        );
        let got = names(xml).unwrap();
        let want = [
            ("u1", "a"),
            ("u2", "b"),
            ("u1", "c"),
            ("u1", "d"),
            ("u3", "e"),
            ("u1", "f"),
            ("u4", "g"),
            ("u3", "h"),
            ("u4", "i"),
            ("u1", "j"),
            ("u2", "k"),
            ("u1", "l"),
            ("", "m"),
            ("", "n"),
            ("u1", "o"),
            ("u5", "r"),
        ];
        assert_eq!(got, owned(&want));
        // A prefix resolved inside a scope is not taken for one outside it.
        assert_eq!(
            names(r#"<a><b xmlns:p="u"><p:c/><p:c/></b><p:d/></a>"#),
            Err("p".to_owned())
        );
    }

    #[test]
    fn a_prefix_out_of_scope_is_undeclared() {
        let xml = r#"<a><b xmlns:p="u"><p:c/></b><p:d/></a>"#;
        assert_eq!(names(xml), Err("p".to_owned()));
        // An empty element's declarations end with it too.
        assert_eq!(
            names(r#"<a><b xmlns:p="u"/><p:d/></a>"#),
            Err("p".to_owned())
        );
    }

    #[test]
    fn undeclaring_the_default_namespace_is_no_namespace() {
        let got = names(r#"<a xmlns="u"><b xmlns=""/><c/></a>"#).unwrap();
        assert_eq!(got[1], (String::new(), "b".to_owned()));
        assert_eq!(got[2], ("u".to_owned(), "c".to_owned()));
    }

    #[test]
    fn reserved_prefixes_are_refused_like_ns_reader_does() {
        let xml = r#"<a xmlns:xmlns="u"/>"#;
        let ours = names(xml).unwrap_err();
        let mut theirs = quick_xml::NsReader::from_str(xml);
        let err = loop {
            match theirs.read_event() {
                Err(e) => break e.to_string(),
                Ok(Event::Eof) => panic!("NsReader accepted {xml}"),
                Ok(_) => {}
            }
        };
        assert_eq!(ours, err);
    }

    #[test]
    fn a_skipped_subtree_closes_its_scope() {
        let xml = r#"<a><b xmlns:p="u"><p:c><p:x/></p:c></b><p:d/></a>"#;
        let mut src = NsSource::from_str(xml);
        let mut seen = Vec::new();
        loop {
            let ev = src.read_event().unwrap_or(Event::Eof);
            match ev {
                Event::Eof => break,
                Event::Start(s) if s.local_name().into_inner() == "b" => {
                    let end = s.name();
                    src.read_to_end(end).unwrap();
                }
                Event::Start(s) => seen.push(src.element_ns(prefix_of(&s))),
                _ => {}
            }
        }
        assert_eq!(seen, vec![Ok(0), Err("p".to_owned())]);
    }
}
