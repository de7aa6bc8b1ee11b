//! The XML writer that generated code drives: quick-xml's writer over an
//! in-memory buffer, with escaping that survives a read back (carriage
//! returns and attribute whitespace become character references) and a
//! check for characters XML 1.0 cannot carry.

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;

use crate::error::WriteError;

/// See the module documentation. Errors are kept and reported by
/// [`XmlWriter::finish`], so generated code needs no error plumbing.
pub struct XmlWriter {
    w: Writer<Vec<u8>>,
    start: BytesStart<'static>,
    open: bool,
    scratch: String,
    escaped: String,
    error: Option<WriteError>,
    /// Index (into the generated crate's namespace table) of the namespace
    /// written as the default namespace, if any.
    default_ns: Option<u16>,
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlWriter {
    pub fn new() -> Self {
        Self::with_capacity(4096)
    }

    pub fn with_capacity(bytes: usize) -> Self {
        XmlWriter {
            w: Writer::new(Vec::with_capacity(bytes)),
            start: BytesStart::new(String::new()),
            open: false,
            scratch: String::new(),
            escaped: String::new(),
            error: None,
            default_ns: None,
        }
    }

    fn fail(&mut self, e: WriteError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    fn emit(&mut self, ev: Event<'_>) {
        if let Err(e) = self.w.write_event(ev) {
            self.fail(WriteError::Io(e));
        }
    }

    /// `<?xml version="1.0" encoding="UTF-8"?>`
    pub fn declaration(&mut self) {
        self.emit(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    }

    /// Sets which namespace (by index in the generated namespace table) is
    /// the document's default namespace; the root declares it.
    pub fn set_default_ns(&mut self, ns: Option<u16>) {
        self.default_ns = ns;
    }

    /// The current default namespace (see [`Self::set_default_ns`]).
    pub fn default_ns(&self) -> Option<u16> {
        self.default_ns
    }

    /// The name to write for an element of namespace `ns`: unprefixed when
    /// `ns` is the default namespace, else the prefixed form.
    #[inline]
    pub fn qname<'n>(&self, ns: Option<u16>, prefixed: &'n str, local: &'n str) -> &'n str {
        if ns.is_some() && ns == self.default_ns {
            local
        } else {
            prefixed
        }
    }

    /// Begins the start tag of an element of namespace `ns` (see [`Self::qname`]).
    pub fn start_el(&mut self, ns: Option<u16>, prefixed: &str, local: &str) {
        let q = self.qname(ns, prefixed, local);
        self.start(q);
    }

    /// Ends an element begun with [`Self::start_el`].
    pub fn end_el(&mut self, ns: Option<u16>, prefixed: &str, local: &str) {
        let q = self.qname(ns, prefixed, local);
        self.end(q);
    }

    /// `xsi:nil="true"` on the start tag being built, then ends it as empty.
    pub fn nil(&mut self) {
        self.attr("xsi:nil", "true");
        self.empty();
    }

    /// Begins a start tag; attributes follow, then [`Self::open`] or [`Self::empty`].
    pub fn start(&mut self, qname: &str) {
        self.flush_start(false);
        self.start.set_name(qname);
        self.start.clear_attributes();
        self.open = true;
    }

    /// Declares a namespace on the start tag being built (`None`: the default namespace).
    pub fn ns_decl(&mut self, prefix: Option<&str>, uri: &str) {
        match prefix {
            None => self.attr("xmlns", uri),
            Some(p) => {
                self.scratch.clear();
                self.scratch.push_str("xmlns:");
                self.scratch.push_str(p);
                let key = std::mem::take(&mut self.scratch);
                self.attr(&key, uri);
                self.scratch = key;
            }
        }
    }

    /// The schema-location hints of a root element, on the start tag being
    /// built; `declare_xsi`: the `xsi` prefix is not declared yet.
    pub fn schema_location(&mut self, loc: &crate::xml::SchemaLocation, declare_xsi: bool) {
        if loc.schema_location.is_none() && loc.no_namespace.is_none() {
            return;
        }
        if declare_xsi {
            self.ns_decl(Some("xsi"), crate::xml::reader::XSI_NS);
        }
        if let Some(v) = &loc.schema_location {
            self.attr("xsi:schemaLocation", v);
        }
        if let Some(v) = &loc.no_namespace {
            self.attr("xsi:noNamespaceSchemaLocation", v);
        }
    }

    /// Adds an attribute to the start tag being built.
    pub fn attr(&mut self, qname: &str, value: &str) {
        self.escaped.clear();
        if let Err(c) = escape_into(value, &mut self.escaped, true) {
            self.fail(invalid_char(c, qname));
        }
        // Already escaped: hand quick-xml the raw value.
        self.start.push_attribute(Attribute {
            key: QName(qname),
            value: Cow::Borrowed(self.escaped.as_str()),
        });
    }

    /// Adds an attribute whose value `f` writes.
    pub fn attr_with(&mut self, qname: &str, f: impl FnOnce(&mut String)) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        f(&mut s);
        self.attr(qname, &s);
        self.scratch = s;
    }

    fn flush_start(&mut self, empty: bool) {
        if !self.open {
            return;
        }
        self.open = false;
        let start = std::mem::replace(&mut self.start, BytesStart::new(String::new()));
        if empty {
            self.emit(Event::Empty(start.borrow()));
        } else {
            self.emit(Event::Start(start.borrow()));
        }
        self.start = start;
    }

    /// Ends the start tag; content follows.
    pub fn open(&mut self) {
        self.flush_start(false);
    }

    /// Ends the start tag as an empty element (`<a/>`).
    pub fn empty(&mut self) {
        self.flush_start(true);
    }

    /// Character data, escaped.
    pub fn text(&mut self, s: &str) {
        self.flush_start(false);
        self.escaped.clear();
        if let Err(c) = escape_into(s, &mut self.escaped, false) {
            self.fail(invalid_char(c, "text"));
        }
        let escaped = std::mem::take(&mut self.escaped);
        self.emit(Event::Text(BytesText::from_escaped(escaped.as_str())));
        self.escaped = escaped;
    }

    /// Character data that `f` writes.
    pub fn text_with(&mut self, f: impl FnOnce(&mut String)) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        f(&mut s);
        self.text(&s);
        self.scratch = s;
    }

    /// An end tag.
    pub fn end(&mut self, qname: &str) {
        self.flush_start(false);
        self.emit(Event::End(BytesEnd::new(qname)));
    }

    /// A whole element with text content.
    pub fn text_element(&mut self, qname: &str, f: impl FnOnce(&mut String)) {
        self.start(qname);
        self.text_with(f);
        self.end(qname);
    }

    /// The document, or the first error met.
    pub fn finish(mut self) -> Result<Vec<u8>, WriteError> {
        self.flush_start(false);
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.w.into_inner()),
        }
    }

    /// The document as a string, or the first error met.
    pub fn finish_string(self) -> Result<String, WriteError> {
        let bytes = self.finish()?;
        String::from_utf8(bytes).map_err(|e| WriteError::Xml(e.to_string()))
    }
}

fn invalid_char(c: char, at: &str) -> WriteError {
    WriteError::Xml(format!(
        "character U+{:04X} cannot be represented in XML 1.0 (in {at})",
        c as u32
    ))
}

/// Escapes `s` into `out`. In attributes, whitespace other than space is
/// written as a character reference so that attribute-value normalization
/// on reading gives back the same value; `\r` likewise in text.
fn escape_into(s: &str, out: &mut String, attribute: bool) -> Result<(), char> {
    let needs = |b: u8| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\r' | b'\t' | b'\n') || b < 0x20;
    if !s.bytes().any(needs) && !s.contains(['\u{FFFE}', '\u{FFFF}']) {
        out.push_str(s);
        return Ok(());
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => return Err(c),
            c => out.push(c),
        }
    }
    Ok(())
}
