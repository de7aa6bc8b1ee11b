//! The XML writer that generated code drives: markup written straight
//! into a `String` (everything written is `&str`, so the output is UTF-8
//! by construction), with escaping that survives a read back (carriage
//! returns and attribute whitespace become character references) and a
//! check for characters XML 1.0 cannot carry. The bytes are those
//! quick-xml's writer would write for the same events.

use crate::error::WriteError;
use crate::xsd::Lexical;

/// See the module documentation. Errors are kept and reported by
/// [`XmlWriter::finish`], so generated code needs no error plumbing.
pub struct XmlWriter {
    out: String,
    /// A start tag is open: its name and attributes are written, not its `>`.
    open: bool,
    scratch: String,
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
            out: String::with_capacity(bytes),
            open: false,
            scratch: String::new(),
            error: None,
            default_ns: None,
        }
    }

    fn fail(&mut self, e: WriteError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// `<?xml version="1.0" encoding="UTF-8"?>`
    pub fn declaration(&mut self) {
        self.close_start();
        self.out
            .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
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
        self.close_start();
        self.out.push('<');
        self.out.push_str(qname);
        self.open = true;
    }

    /// Declares a namespace on the start tag being built (`None`: the default
    /// namespace). The name is written as it is: readers (quick-xml's, ours)
    /// take a namespace declaration's value as written, without expanding
    /// references, so a name that would need one (`&`, `<`, `"`, or white
    /// space other than a space) cannot be written, and is an error.
    pub fn ns_decl(&mut self, prefix: Option<&str>, uri: &str) {
        if let Some(c) = uri.chars().find(|&c| !ns_name_char(c)) {
            self.fail(WriteError::Xml(format!(
                "namespace name {uri:?} cannot be declared as written: it holds U+{:04X}, which would need a reference",
                c as u32
            )));
            return;
        }
        self.out.push_str(" xmlns");
        if let Some(p) = prefix {
            self.out.push(':');
            self.out.push_str(p);
        }
        self.out.push_str("=\"");
        self.out.push_str(uri);
        self.out.push('"');
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
        self.attr_with(qname, |s| s.push_str(value));
    }

    /// Adds an attribute whose value `f` writes.
    pub fn attr_with(&mut self, qname: &str, f: impl FnOnce(&mut String)) {
        self.out.push(' ');
        self.out.push_str(qname);
        self.out.push_str("=\"");
        self.escaped_with(true, qname, f);
        self.out.push('"');
    }

    /// Adds an attribute holding `v`'s lexical form (one copy of the code
    /// for every type, unlike [`Self::attr_with`]).
    pub fn attr_value(&mut self, qname: &str, v: &dyn Lexical) {
        self.attr_with(qname, |s| v.write_lexical(s));
    }

    /// `v`'s lexical form as character data (see [`Self::attr_value`]).
    pub fn text_value(&mut self, v: &dyn Lexical) {
        self.text_with(|s| v.write_lexical(s));
    }

    /// Writes what `f` writes, escaped: in place, copied only when
    /// something needs escaping.
    fn escaped_with(&mut self, attribute: bool, at: &str, f: impl FnOnce(&mut String)) {
        let from = self.out.len();
        f(&mut self.out);
        self.escape_from(from, attribute, at);
    }

    /// Escapes what was written from `from` on. Not generic: one copy for
    /// every writer of values.
    fn escape_from(&mut self, from: usize, attribute: bool, at: &str) {
        if !needs_escaping(&self.out[from..]) {
            return;
        }
        let mut raw = std::mem::take(&mut self.scratch);
        raw.clear();
        raw.push_str(&self.out[from..]);
        self.out.truncate(from);
        if let Err(c) = escape_into(&raw, &mut self.out, attribute) {
            self.fail(invalid_char(c, at));
        }
        self.scratch = raw;
    }

    fn close_start(&mut self) {
        if self.open {
            self.open = false;
            self.out.push('>');
        }
    }

    /// Ends the start tag; content follows.
    pub fn open(&mut self) {
        self.close_start();
    }

    /// Ends the start tag as an empty element (`<a/>`).
    pub fn empty(&mut self) {
        if self.open {
            self.open = false;
            self.out.push_str("/>");
        }
    }

    /// Character data, escaped.
    pub fn text(&mut self, s: &str) {
        self.text_with(|out| out.push_str(s));
    }

    /// Character data that `f` writes.
    pub fn text_with(&mut self, f: impl FnOnce(&mut String)) {
        self.close_start();
        self.escaped_with(false, "text", f);
    }

    /// An end tag.
    pub fn end(&mut self, qname: &str) {
        self.close_start();
        self.out.push_str("</");
        self.out.push_str(qname);
        self.out.push('>');
    }

    /// A whole element with text content.
    pub fn text_element(&mut self, qname: &str, f: impl FnOnce(&mut String)) {
        self.start(qname);
        self.text_with(f);
        self.end(qname);
    }

    /// The document, or the first error met.
    pub fn finish(self) -> Result<Vec<u8>, WriteError> {
        self.finish_string().map(String::into_bytes)
    }

    /// The document as a string, or the first error met.
    pub fn finish_string(mut self) -> Result<String, WriteError> {
        self.close_start();
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.out),
        }
    }
}

/// Can `c` stand as written in a namespace declaration's value?
fn ns_name_char(c: char) -> bool {
    c >= ' ' && !matches!(c, '&' | '<' | '"' | '\u{FFFE}' | '\u{FFFF}')
}

fn invalid_char(c: char, at: &str) -> WriteError {
    WriteError::Xml(format!(
        "character U+{:04X} cannot be represented in XML 1.0 (in {at})",
        c as u32
    ))
}

/// Might `s` need escaping: markup characters, control characters and
/// whitespace other than space, or a 0xEF lead byte (U+FFFE and U+FFFF,
/// which XML cannot carry, start with it)? One pass over the bytes.
fn needs_escaping(s: &str) -> bool {
    s.bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | 0xEF) || b < 0x20)
}

/// Escapes `s` into `out`. In attributes, whitespace other than space is
/// written as a character reference so that attribute-value normalization
/// on reading gives back the same value; `\r` likewise in text.
fn escape_into(s: &str, out: &mut String, attribute: bool) -> Result<(), char> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(f: impl FnOnce(&mut XmlWriter)) -> Result<String, WriteError> {
        let mut w = XmlWriter::new();
        w.declaration();
        f(&mut w);
        w.finish_string()
    }

    #[test]
    fn namespace_names_are_written_as_they_are_read() {
        let out = doc(|w| {
            w.start("p:a");
            w.ns_decl(Some("p"), "urn:a>b'c");
            w.empty();
        });
        assert!(out.is_ok_and(|x| x.contains(r#"xmlns:p="urn:a>b'c""#)));
        for bad in ["urn:a&b", "urn:a<b", "urn:\"b", "urn:a\tb"] {
            let out = doc(|w| {
                w.start("a");
                w.ns_decl(None, bad);
                w.empty();
            });
            assert!(
                out.is_err_and(|e| e.to_string().contains("namespace name")),
                "{bad}"
            );
        }
    }

    #[test]
    fn writes_the_bytes_quick_xml_wrote() {
        let out = doc(|w| {
            w.start("a:Root");
            w.ns_decl(Some("a"), "urn:a");
            w.attr("k", "x\ty\n\"&<>'");
            w.open();
            w.text_element("a:T", |s| s.push_str("1 < 2 & \"q\"\r\n\t'"));
            w.start("a:E");
            w.empty();
            w.start("a:N");
            w.nil();
            w.start("a:O");
            w.end("a:O");
            w.text("\u{F900}\u{FFFD}");
            w.end("a:Root");
        });
        let expected = concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<a:Root xmlns:a="urn:a" k="x&#9;y&#10;&quot;&amp;&lt;&gt;'">"#,
            "<a:T>1 &lt; 2 &amp; \"q\"&#13;\n\t'</a:T>",
            r#"<a:E/><a:N xsi:nil="true"/><a:O></a:O>"#,
            "\u{F900}\u{FFFD}</a:Root>",
        );
        assert_eq!(out.ok().as_deref(), Some(expected));
    }

    /// The same document through quick-xml's writer, fed the events the
    /// old writer built (escaped text and attribute values handed over raw).
    #[test]
    fn writes_what_quick_xml_writes_for_the_same_events() {
        use quick_xml::events::attributes::Attribute;
        use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
        let (value, text) = ("a\tb\n\"&<>' \r", "x < y & \"z\"\r\n\t' \u{F900}");
        let ours = doc(|w| {
            w.start("p:R");
            w.ns_decl(Some("p"), "urn:p");
            w.attr("k", value);
            w.open();
            w.text_element("p:T", |s| s.push_str(text));
            w.start("p:E");
            w.empty();
            w.start("p:O");
            w.end("p:O");
            w.end("p:R");
        });
        let esc = |s: &str, attribute| {
            let mut out = String::new();
            escape_into(s, &mut out, attribute).map(|()| out)
        };
        let (Ok(value), Ok(text)) = (esc(value, true), esc(text, false)) else {
            panic!("the values can be written");
        };
        let mut q = quick_xml::Writer::new(Vec::new());
        let mut root = BytesStart::new("p:R");
        root.push_attribute(("xmlns:p", "urn:p"));
        root.push_attribute(Attribute {
            key: quick_xml::name::QName("k"),
            value: value.as_str().into(),
        });
        let events = [
            Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)),
            Event::Start(root),
            Event::Start(BytesStart::new("p:T")),
            Event::Text(BytesText::from_escaped(text.as_str())),
            Event::End(BytesEnd::new("p:T")),
            Event::Empty(BytesStart::new("p:E")),
            Event::Start(BytesStart::new("p:O")),
            Event::End(BytesEnd::new("p:O")),
            Event::End(BytesEnd::new("p:R")),
        ];
        for ev in events {
            assert!(q.write_event(ev).is_ok());
        }
        let theirs = String::from_utf8(q.into_inner()).ok();
        assert_eq!(ours.ok(), theirs);
    }

    #[test]
    fn characters_xml_cannot_carry_are_errors_naming_where() {
        for (bad, at) in [("\u{1}", "text"), ("\u{FFFE}", "text"), ("\u{FFFF}", "k")] {
            let out = doc(|w| {
                w.start("R");
                if at == "k" {
                    w.attr("k", bad);
                } else {
                    w.text(bad);
                }
                w.end("R");
            });
            let err = out.expect_err("an invalid character").to_string();
            let code = format!("U+{:04X}", bad.chars().next().map_or(0, |c| c as u32));
            assert!(err.contains(&code) && err.contains(at), "{err}");
        }
    }
}
