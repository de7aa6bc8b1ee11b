//! The tokenizer of a document held in memory.
//!
//! quick-xml's reader of a slice checks every event's bytes for UTF-8 again
//! (`from_utf8`, about 8% of the instructions of reading and validating a
//! document), although a `&str` is UTF-8 already and every event boundary
//! is an ASCII delimiter, hence a character boundary. [`Lexer`] reads the
//! events quick-xml's `Reader::from_str` reads with this crate's
//! configuration (empty elements expanded, end names and comments checked,
//! text not trimmed, no dangling `&`), with the same errors at the same
//! positions: it builds quick-xml's own event and error types, finds the
//! end of tags with quick-xml's public tag parsers and leaves a document
//! type declaration (rare, and refused by the reader) to quick-xml itself.
//! A test compares the two on generated input. Streams are still read by
//! quick-xml.

use std::borrow::Cow;

use memchr::{memchr, memchr2, memchr3};
use quick_xml::errors::{Error, IllFormedError, SyntaxError};
use quick_xml::events::{
    BytesCData, BytesDecl, BytesEnd, BytesPI, BytesRef, BytesStart, BytesText, Event,
};
use quick_xml::name::QName;
use quick_xml::parser::{ElementParser, Parser, PiParser};
use quick_xml::utils::is_whitespace;

use crate::xml::same_name;

type LexResult<T> = Result<T, Error>;

/// What each byte is to a name in a tag read by [`Lexer::plain_start`]
/// (part of it, its end, a `:` in it): one load per byte of the name.
const NAME_CLASS: [u8; 256] = {
    let mut t = [NAME; 256];
    let mut i = 0;
    let ends = b">/\"' \t\n\r";
    while i < ends.len() {
        t[ends[i] as usize] = END;
        i += 1;
    }
    t[b':' as usize] = COLON;
    t
};

/// Classes of [`NAME_CLASS`]: a byte of the name, its end, a `:` in it.
const NAME: u8 = 0;
const END: u8 = 1;
const COLON: u8 = 2;

/// A tag read by [`Lexer::plain_tag`].
pub(crate) enum PlainTag<'a> {
    /// The tag, and where its local name starts (after the first `:`;
    /// 0 without one), found while the name was scanned.
    Start(BytesStart<'a>, usize),
    End,
}

/// What the next byte starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Text, or markup or a reference right away.
    Text,
    /// A reference (`&`).
    Reference,
    /// Markup (`<`).
    Markup,
    /// Nothing: the end tag of the empty element just read is due.
    Empty,
    /// The end of the document or an unrecoverable error.
    Done,
}

/// See the module documentation.
pub(crate) struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    state: State,
    last_error: usize,
    /// The names of the open elements, as (start, length) in `input`.
    open: Vec<(usize, usize)>,
    /// The input has a carriage return somewhere: text needs its line ends
    /// normalized (most documents have none, and their text is taken as is).
    has_cr: bool,
}

impl<'a> Lexer<'a> {
    /// A tokenizer of `input`; a UTF-8 byte order mark is skipped (and, as
    /// quick-xml does, positions count from after it).
    pub(crate) fn new(input: &'a str) -> Self {
        Lexer {
            input: input.strip_prefix('\u{FEFF}').unwrap_or(input),
            pos: 0,
            state: State::Text,
            last_error: 0,
            open: Vec::new(),
            has_cr: memchr(b'\r', input.as_bytes()).is_some(),
        }
    }

    /// The offset of the next byte to read.
    #[inline]
    pub(crate) fn buffer_position(&self) -> u64 {
        self.pos as u64
    }

    /// Where the last error was found.
    #[inline]
    pub(crate) fn error_position(&self) -> u64 {
        self.last_error as u64
    }

    /// The next event. After an error other than an ill-formed construct,
    /// and after the end, only `Eof` follows.
    #[inline]
    pub(crate) fn read_event(&mut self) -> LexResult<Event<'a>> {
        let ev = self.next_event();
        match &ev {
            // quick-xml recovers from these; the reader stops at any error.
            Err(Error::IllFormed(_)) => {}
            Err(_) | Ok(Event::Eof) => self.state = State::Done,
            Ok(_) => {}
        }
        ev
    }

    /// Reads up to the end tag of the start tag `end` just read.
    pub(crate) fn read_to_end(&mut self, end: QName<'_>) -> LexResult<()> {
        let mut depth = 0u32;
        loop {
            match self.read_event()? {
                Event::Start(e) if e.name() == end => depth += 1,
                Event::End(e) if e.name() == end => match depth.checked_sub(1) {
                    None => return Ok(()),
                    Some(d) => depth = d,
                },
                Event::Eof => {
                    let name = end.as_ref().to_owned();
                    return Err(Error::IllFormed(IllFormedError::MissingEndTag(name)));
                }
                _ => {}
            }
        }
    }

    /// A simple element's content: when text without markup or references
    /// (at most `limit` bytes) and then the end tag of the innermost open
    /// element, as `</name>`, come next, both are consumed and the text is
    /// returned, its line ends normalized. Otherwise nothing is consumed:
    /// the events are read one by one as usual (and any error is theirs to
    /// report).
    #[inline]
    pub(crate) fn text_then_end(&mut self, limit: u64) -> Option<Cow<'a, str>> {
        if self.state != State::Text {
            return None;
        }
        let rest = self.rest();
        let i = memchr2(b'<', b'&', rest)?;
        let &(at, len) = self.open.last()?;
        let tail = rest.get(i..i + len + 3)?;
        let name = self.input.as_bytes().get(at..at + len)?;
        let fits = i as u64 <= limit;
        if !fits
            || !tail.starts_with(b"</")
            || tail[len + 2] != b'>'
            || !same_name(&tail[2..len + 2], name)
        {
            return None;
        }
        self.open.pop();
        let text = self.slice(self.pos, self.pos + i);
        self.pos += i + len + 3;
        Some(match self.has_cr {
            true => BytesText::from_escaped(text).xml10_content(),
            false => Cow::Borrowed(text),
        })
    }

    /// At markup (after [`Self::skip_blank`]): a `<name>` start tag or the
    /// innermost element's `</name>`, consumed, as the events
    /// [`Self::read_event`] would give. `None`, and nothing consumed, for
    /// anything else.
    #[inline]
    pub(crate) fn plain_tag(&mut self) -> Option<PlainTag<'a>> {
        if self.state != State::Markup {
            return None;
        }
        let start = self.pos;
        let tag = match self.rest().get(1) {
            Some(b'/') => self.plain_end(start).map(|_| PlainTag::End),
            Some(b'!' | b'?') | None => None,
            Some(_) => self
                .plain_start(start)
                .map(|(tag, local_at)| PlainTag::Start(tag, local_at)),
        };
        if tag.is_some() {
            self.state = State::Text;
        }
        tag
    }

    /// Skips white space that markup follows (indentation between
    /// elements), which would otherwise be read as a text event.
    #[inline]
    pub(crate) fn skip_blank(&mut self) {
        if self.state != State::Text {
            return;
        }
        let rest = self.rest();
        let n = rest
            .iter()
            .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        if rest.get(n) == Some(&b'<') {
            self.pos += n;
            self.state = State::Markup;
        }
    }

    fn next_event(&mut self) -> LexResult<Event<'a>> {
        match self.state {
            State::Text => self.text(),
            State::Reference => self.reference(),
            State::Markup => self.markup(),
            State::Empty => Ok(self.close_empty()),
            State::Done => Ok(Event::Eof),
        }
    }

    #[inline]
    fn rest(&self) -> &'a [u8] {
        self.input.as_bytes().get(self.pos..).unwrap_or_default()
    }

    /// `input[from..to]`; bounds always fall on ASCII delimiters.
    #[inline]
    fn slice(&self, from: usize, to: usize) -> &'a str {
        self.input.get(from..to).unwrap_or_default()
    }

    /// Text up to markup, a reference or the end.
    fn text(&mut self) -> LexResult<Event<'a>> {
        let rest = self.rest();
        let Some(i) = memchr2(b'<', b'&', rest) else {
            let text = self.slice(self.pos, self.input.len());
            self.pos = self.input.len();
            self.state = State::Done;
            return Ok(match text.is_empty() {
                true => Event::Eof,
                false => Event::Text(BytesText::from_escaped(text)),
            });
        };
        self.state = match rest[i] {
            b'<' => State::Markup,
            _ => State::Reference,
        };
        if i == 0 {
            return self.next_event();
        }
        let text = self.slice(self.pos, self.pos + i);
        self.pos += i;
        Ok(Event::Text(BytesText::from_escaped(text)))
    }

    /// `&name;`: a reference, or an error if no `;` comes before the next
    /// `&`, `<` or the end.
    fn reference(&mut self) -> LexResult<Event<'a>> {
        let start = self.pos;
        let after = self.rest().get(1..).unwrap_or_default();
        let found = memchr3(b';', b'&', b'<', after);
        if let Some(i) = found
            && after[i] == b';'
        {
            self.pos = start + i + 2;
            self.state = State::Text;
            let name = self.slice(start + 1, start + 1 + i);
            return Ok(Event::GeneralRef(BytesRef::new(name)));
        }
        self.last_error = start;
        match found {
            Some(i) => {
                self.pos = start + i + 1;
                if after[i] == b'<' {
                    self.state = State::Markup;
                }
            }
            None => {
                self.pos = self.input.len();
                self.state = State::Done;
            }
        }
        Err(Error::IllFormed(IllFormedError::UnclosedReference))
    }

    /// Markup, at `<`.
    fn markup(&mut self) -> LexResult<Event<'a>> {
        self.state = State::Text;
        let start = self.pos;
        match self.rest().get(1) {
            Some(b'!') => self.bang(start),
            Some(b'/') => {
                if let Some(end) = self.plain_end(start) {
                    return Ok(Event::End(end));
                }
                let tag = self.tag(start, ElementParser::Outside)?;
                self.end(start, tag)
            }
            Some(b'?') => {
                let tag = self.tag(start, PiParser(false))?;
                self.question(start, tag)
            }
            Some(_) => {
                if let Some((tag, _)) = self.plain_start(start) {
                    return Ok(Event::Start(tag));
                }
                let tag = self.tag(start, ElementParser::Outside)?;
                Ok(self.start(start, tag))
            }
            None => {
                self.last_error = start;
                Err(Error::Syntax(SyntaxError::UnclosedTag))
            }
        }
    }

    /// The tag from `start` up to the `>` that `parser` finds, consumed.
    fn tag(&mut self, start: usize, mut parser: impl Parser) -> LexResult<&'a str> {
        let rest = self.rest();
        match parser.feed(rest) {
            Some(i) => {
                self.pos = start + i + 1;
                Ok(self.slice(start, self.pos))
            }
            None => {
                self.pos = self.input.len();
                self.last_error = start;
                Err(Error::Syntax(parser.eof_error(rest)))
            }
        }
    }

    /// The most common start tag, `<name>` (no attribute, no white
    /// space), read in one pass over the name: what [`Self::start`] makes
    /// of it, without a search for the tag's end that must mind quotes.
    /// `None` (nothing consumed) for any other tag.
    #[inline]
    fn plain_start(&mut self, start: usize) -> Option<(BytesStart<'a>, usize)> {
        let rest = self.rest();
        let name = rest.get(1..)?;
        let (mut n, mut local_at) = (0, 0);
        loop {
            let class = NAME_CLASS[usize::from(*name.get(n)?)];
            if class == END {
                break;
            }
            // Without a branch: prefixed and unprefixed names alternate.
            let first_colon = (class == COLON) & (local_at == 0);
            local_at = if first_colon { n + 1 } else { local_at };
            n += 1;
        }
        if n == 0 || rest[n + 1] != b'>' {
            return None;
        }
        self.pos = start + n + 2;
        self.open.push((start + 1, n));
        let name = self.slice(start + 1, start + 1 + n);
        Some((BytesStart::from_content(name, n), local_at))
    }

    /// The end tag `</name>` of the innermost open element, exactly so:
    /// what [`Self::end`] makes of it, without a search for the tag's end.
    /// `None` (nothing consumed) for any other tag.
    #[inline]
    fn plain_end(&mut self, start: usize) -> Option<BytesEnd<'a>> {
        let &(at, len) = self.open.last()?;
        let rest = self.rest();
        let name = self.input.as_bytes().get(at..at + len)?;
        if rest.get(len + 2) != Some(&b'>') || !same_name(&rest[2..len + 2], name) {
            return None;
        }
        self.open.pop();
        self.pos = start + len + 3;
        Some(BytesEnd::new(self.slice(start + 2, start + 2 + len)))
    }

    /// A start tag `<name ...>` or an empty element `<name .../>`, whose
    /// end tag is then the next event.
    fn start(&mut self, start: usize, tag: &'a str) -> Event<'a> {
        let inner = tag.get(1..tag.len() - 1).unwrap_or_default();
        let content = match inner.strip_suffix('/') {
            Some(content) => {
                self.state = State::Empty;
                content
            }
            None => inner,
        };
        let name_len = content
            .bytes()
            .position(is_whitespace)
            .unwrap_or(content.len());
        self.open.push((start + 1, name_len));
        Event::Start(BytesStart::from_content(content, name_len))
    }

    /// The end tag of the empty element just read.
    fn close_empty(&mut self) -> Event<'a> {
        self.state = State::Text;
        let (at, len) = self.open.pop().unwrap_or_default();
        Event::End(BytesEnd::new(self.slice(at, at + len)))
    }

    /// An end tag `</name>`, which must close the innermost open element.
    fn end(&mut self, start: usize, tag: &'a str) -> LexResult<Event<'a>> {
        let content = tag.get(2..tag.len() - 1).unwrap_or_default();
        let name = match content.bytes().rposition(|b| !is_whitespace(b)) {
            Some(last) => &content[..=last],
            None => content,
        };
        let Some((at, len)) = self.open.pop() else {
            self.last_error = start;
            let found = name.to_owned();
            return Err(Error::IllFormed(IllFormedError::UnmatchedEndTag(found)));
        };
        let expected = self.slice(at, at + len);
        if !same_name(name.as_bytes(), expected.as_bytes()) {
            self.last_error = start;
            return Err(Error::IllFormed(IllFormedError::MismatchedEndTag {
                expected: expected.to_owned(),
                found: name.to_owned(),
            }));
        }
        Ok(Event::End(BytesEnd::new(name)))
    }

    /// `<?xml ...?>` or a processing instruction.
    fn question(&mut self, start: usize, tag: &'a str) -> LexResult<Event<'a>> {
        let Some(content) = tag.get(2..tag.len() - 2).filter(|_| tag.len() > 3) else {
            self.last_error = start;
            return Err(Error::Syntax(PiParser(false).eof_error(tag.as_bytes())));
        };
        let bytes = content.as_bytes();
        if bytes.starts_with(b"xml") && bytes.get(3).is_none_or(|&b| is_whitespace(b)) {
            let decl = BytesStart::from_content(content, 3);
            return Ok(Event::Decl(BytesDecl::from_start(decl)));
        }
        Ok(Event::PI(BytesPI::new(content)))
    }

    /// `<!`: a comment, a CDATA section or a document type declaration.
    fn bang(&mut self, start: usize) -> LexResult<Event<'a>> {
        let rest = self.rest();
        match rest.get(2) {
            Some(b'-') => self.comment(start),
            Some(b'[') => self.cdata(start),
            Some(b'D' | b'd') => self.doctype(start),
            _ => {
                self.last_error = start;
                Err(Error::Syntax(SyntaxError::InvalidBangMarkup))
            }
        }
    }

    /// A document type declaration, read by quick-xml itself (its internal
    /// subset has a grammar of its own; the reader refuses it anyway).
    fn doctype(&mut self, start: usize) -> LexResult<Event<'a>> {
        let mut reader = quick_xml::Reader::from_str(self.slice(start, self.input.len()));
        let ev = reader.read_event();
        self.pos = start + reader.buffer_position() as usize;
        if ev.is_err() {
            self.last_error = start + reader.error_position() as usize;
        }
        ev
    }

    /// The end of a `<!` construct: the first `>` after `closing` (at
    /// least `min` bytes from `start`), consumed.
    fn bang_end(&mut self, start: usize, closing: &[u8], min: usize) -> Option<&'a str> {
        let rest = self.rest();
        let end =
            memchr::memchr_iter(b'>', rest).find(|&i| i >= min && rest[..i].ends_with(closing));
        let end = end?;
        self.pos = start + end + 1;
        Some(self.slice(start, self.pos))
    }

    fn comment(&mut self, start: usize) -> LexResult<Event<'a>> {
        let tag = self.bang_tag(start, "<!--", b"--", 6, SyntaxError::UnclosedComment)?;
        let bytes = tag.as_bytes();
        let body = bytes.get(4..bytes.len() - 3).unwrap_or_default();
        // `--` anywhere inside, or a `-` just before the closing `--`.
        let (mut hay, mut off) = (body, 0);
        while let Some(p) = memchr(b'-', hay) {
            off += p + 1;
            if bytes.get(4 + off) == Some(&b'-') {
                // quick-xml counts from the start of the slice it searched last.
                self.last_error = start + 4 + p;
                return Err(Error::IllFormed(IllFormedError::DoubleHyphenInComment));
            }
            hay = &hay[p + 1..];
        }
        Ok(Event::Comment(BytesText::from_escaped(
            self.slice(start + 4, self.pos - 3),
        )))
    }

    fn cdata(&mut self, start: usize) -> LexResult<Event<'a>> {
        self.bang_tag(start, "<![CDATA[", b"]]", 0, SyntaxError::UnclosedCData)?;
        Ok(Event::CData(BytesCData::new(
            self.slice(start + 9, self.pos - 3),
        )))
    }

    /// A comment or CDATA section from `start`, consumed (see
    /// [`Self::bang_end`]): `e` when it does not open with `opening` or
    /// runs to the end of the input.
    fn bang_tag(
        &mut self,
        start: usize,
        opening: &str,
        closing: &[u8],
        min: usize,
        e: SyntaxError,
    ) -> LexResult<&'a str> {
        let tag = self.bang_end(start, closing, min);
        if tag.is_none() {
            self.pos = self.input.len();
        }
        match tag.filter(|t| t.starts_with(opening)) {
            Some(t) => Ok(t),
            None => {
                self.last_error = start;
                Err(Error::Syntax(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::Reader;

    /// Every event (or error) and the positions around it, as quick-xml
    /// reads `xml` with the reader's configuration and as [`Lexer`] does.
    fn both(xml: &str) -> (Vec<String>, Vec<String>) {
        let mut theirs = Reader::from_str(xml);
        let cfg = theirs.config_mut();
        cfg.expand_empty_elements = true;
        cfg.check_end_names = true;
        cfg.check_comments = true;
        cfg.trim_text(false);
        let mut ours = Lexer::new(xml);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..64 {
            let before = (theirs.buffer_position(), ours.buffer_position());
            let (ta, tb) = (theirs.read_event(), ours.read_event());
            let done =
                matches!(ta, Ok(Event::Eof) | Err(_)) || matches!(tb, Ok(Event::Eof) | Err(_));
            a.push(describe(
                before.0,
                ta,
                theirs.buffer_position(),
                theirs.error_position(),
            ));
            b.push(describe(
                before.1,
                tb,
                ours.buffer_position(),
                ours.error_position(),
            ));
            if done {
                break;
            }
        }
        (a, b)
    }

    fn describe(before: u64, ev: LexResult<Event<'_>>, after: u64, err: u64) -> String {
        match ev {
            // Whether a name is borrowed or owned is no difference to the reader.
            Ok(ev) => format!("{before}..{after} {ev:?}").replace("Owned(", "Borrowed("),
            Err(e) => format!("{before} error at {err}: {e}"),
        }
    }

    fn same(xml: &str) {
        let (theirs, ours) = both(xml);
        assert_eq!(theirs, ours, "{xml:?}");
    }

    #[test]
    fn well_formed_documents_read_as_quick_xml_reads_them() {
        for xml in [
            "",
            "\u{FEFF}<a/>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x='1' y=\"a>b\">t&amp;u&#x41;<b/><!-- c - d --><![CDATA[<x>]]></a>\n",
            "<p:a xmlns:p=\"urn:x\"><p:b  >text</p:b ><?pi data?><?pi?></p:a>",
            "<a>\r\n <b>1</b>\r\n <b/>\n</a><!---->",
            "<a><![CDATA[]]><!-- -->&lt;&gt;</a>",
            // Tags read in one pass (`<name>`, `</name>`) beside others.
            "<a><b>x</b><c></c><d/><é>y</é><e\n>z</e><f>1</f\t></a>",
            "<n:a><n:b></n:b><b></b></n:a>",
        ] {
            same(xml);
        }
    }

    #[test]
    fn malformed_documents_fail_as_quick_xml_fails_on_them() {
        for xml in [
            "<",
            "<a",
            "<a b='>",
            "<a b=\"x>",
            "<a></b>",
            "</a>",
            "<a>&amp</a>",
            "<a>&amp&lt;</a>",
            "<a>&",
            "<a><!-- a -- b --></a>",
            "<a><!-- a ---></a>",
            "<a><!--></a>",
            "<a><!---></a>",
            "<!--->-->",
            "<a><!-- open",
            "<a><![CDATA[ open",
            "<a><![CDAT[x]]></a>",
            "<a><!x></a>",
            "<a><!",
            "<a><!-x--></a>",
            "<?>",
            "<?xml",
            "<?pi",
            "<??>",
            "<a></a ",
            "<a></ a>",
            "<a/></a>",
            "<a>text",
            "<><//>",
            "<a></a\t>",
            "<a><b></a></b>",
            "<a></ab>",
            "<ab></a>",
            "<a'b>x</a'b>",
            "<a\"b>x</a>",
            "<a/b>x</a/b>",
            "<a><b></b></a></c>",
        ] {
            same(xml);
        }
    }

    #[test]
    fn doctypes_read_as_quick_xml_reads_them() {
        for xml in [
            "<!DOCTYPE a [<!ENTITY e 'x'>]><a/>",
            "<?xml version='1.0'?>\n<!doctype a SYSTEM \"a>b\"><a/>",
            "<!DOCTYPE a [<!-- ]> --><!ELEMENT a ANY>] ><a/>",
            "<!DOCTYPE>",
            "<!DOCTYPE a [",
            "<!Dx><a/>",
            "<a><!DOCTYPE a></a>",
        ] {
            same(xml);
        }
    }

    #[test]
    fn skipping_to_the_end_tag_counts_nested_namesakes() {
        let mut lexer = Lexer::new("<a><a><b/></a></a><c/>");
        assert!(matches!(lexer.read_event(), Ok(Event::Start(_))));
        assert!(lexer.read_to_end(QName("a")).is_ok());
        assert!(matches!(lexer.read_event(), Ok(Event::Start(s)) if s.name() == QName("c")));
        let mut lexer = Lexer::new("<a><b>");
        assert!(matches!(lexer.read_event(), Ok(Event::Start(_))));
        let err = lexer.read_to_end(QName("a")).map_err(|e| e.to_string());
        assert!(err.is_err_and(|e| e.contains("a")));
    }

    /// The events of `xml` as the reader takes them from the lexer: blanks
    /// before markup skipped, a simple element's text and end tag taken in
    /// one step where they can be; (events, error).
    fn shortcut_events(xml: &str) -> (Vec<String>, Option<String>) {
        let mut lexer = Lexer::new(xml);
        let mut out = Vec::new();
        let mut after_start = false;
        for _ in 0..64 {
            lexer.skip_blank();
            if after_start && let Some(text) = lexer.text_then_end(u64::MAX) {
                out.push(format!("{:?}", text));
                out.push("End".to_owned());
                after_start = false;
                continue;
            }
            match lexer.plain_tag() {
                Some(PlainTag::Start(tag, local_at)) => {
                    // Where the local name starts, as the reader finds it
                    // for any other tag.
                    let name = tag.name().into_inner();
                    let first_colon = name.find(':').map_or(0, |i| i + 1);
                    assert_eq!(local_at, first_colon, "{xml:?}: {name}");
                    out.push(format!("{:?}", Event::Start(tag)));
                    after_start = true;
                    continue;
                }
                Some(PlainTag::End) => {
                    out.push("End".to_owned());
                    after_start = false;
                    continue;
                }
                None => {}
            }
            let ev = match lexer.read_event() {
                Ok(Event::Eof) => return (out, None),
                Ok(ev) => ev,
                Err(e) => return (out, Some(e.to_string())),
            };
            after_start = matches!(ev, Event::Start(_));
            out.push(match ev {
                Event::End(_) => "End".to_owned(),
                Event::Text(t) => format!("{:?}", t.xml10_content()),
                ev => format!("{ev:?}"),
            });
        }
        (out, None)
    }

    /// The events of `xml` read one by one, without blank text events (as
    /// the reader's element-only content drops them).
    fn plain_events(xml: &str) -> (Vec<String>, Option<String>) {
        let mut lexer = Lexer::new(xml);
        let mut out = Vec::new();
        for _ in 0..64 {
            let ev = match lexer.read_event() {
                Ok(Event::Eof) => return (out, None),
                Ok(ev) => ev,
                Err(e) => return (out, Some(e.to_string())),
            };
            out.push(match ev {
                Event::End(_) => "End".to_owned(),
                Event::Text(t)
                    if t.bytes().all(is_whitespace) && lexer.rest().first() == Some(&b'<') =>
                {
                    continue;
                }
                Event::Text(t) => format!("{:?}", t.xml10_content()),
                ev => format!("{ev:?}"),
            });
        }
        (out, None)
    }

    #[test]
    fn shortcuts_read_what_events_read() {
        for xml in [
            "<a>\n  <b>text</b>\n  <b></b>\n<c>x<d/></c><c>&amp;</c><e>t</f></a>",
            "<a><b>t</b ></a>",
            "<a><b>x\r\ny\rz</b></a>",
            "<p:a xmlns:p='u'><p:b>1</p:b></p:a>",
            "<a><p:b:c>1</p:b:c><:d/></a>",
            "<a>  </a>",
            "<a>t",
            "<a>t</a",
        ] {
            assert_eq!(shortcut_events(xml), plain_events(xml), "{xml:?}");
        }
    }

    /// Documents put together from pieces of markup, well-formed or not:
    /// quick-xml and the lexer agree on every one, and so do the lexer's
    /// shortcuts.
    #[test]
    fn generated_fragments_read_as_quick_xml_reads_them() {
        const PIECES: &[&str] = &[
            "<a>",
            "</a>",
            "<b x='1'>",
            "</b>",
            "<a/>",
            "<b y=\"'>\"/>",
            "text",
            " ",
            "\r\n",
            "&amp;",
            "&",
            ";",
            "<!-- c -->",
            "<!--",
            "-->",
            "--",
            "<![CDATA[",
            "]]>",
            "]]",
            "<?p d?>",
            "<?",
            "?>",
            "<",
            ">",
            "/",
            "'",
            "\"",
            "<!",
            "<!x",
            "</",
            "é",
            "</a >",
            "<p:a xmlns:p='u'>",
            "</p:a>",
            "<!DOCTYPE a [",
            "<!DOCTYPE a>",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut xml = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 12) as usize + 1;
            let mut s = seed;
            for _ in 0..len {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                xml.push_str(PIECES[(s >> 33) as usize % PIECES.len()]);
            }
            same(&xml);
            assert_eq!(shortcut_events(&xml), plain_events(&xml), "{xml:?}");
        }
    }
}
