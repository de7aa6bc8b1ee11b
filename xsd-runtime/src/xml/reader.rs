//! The pull reader that generated code drives.
//!
//! It wraps quick-xml's namespace-aware slice reader and adds what a
//! schema-driven reader needs: a one-element look-ahead (so a content model
//! can ask "is the next child an `X`?"), the element path for error messages,
//! error collection that goes on after the first problem, and limits.
//!
//! Protocol used by generated code, for one element whose start tag is the
//! pending child:
//! 1. [`XmlReader::begin`] consumes the start tag, pushes the path and loads
//!    the attributes;
//! 2. for element content: [`XmlReader::next_child`], then one
//!    [`XmlReader::is`] / read per particle; for simple content:
//!    [`XmlReader::text`];
//! 3. [`XmlReader::finish`] reports children nobody consumed, consumes the
//!    end tag, pops the path and loads the parent's next child.
//!
//! Errors that leave the document readable are recorded and reading goes on;
//! a read function returns [`Fail::Invalid`] when its value could not be
//! built, and [`Fail::Fatal`] only when reading cannot go on (malformed XML,
//! a limit).

use std::borrow::Cow;
use std::cell::Cell;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};

use crate::error::{
    ErrorKind, FacetViolation, Location, ValidationError, ValidationErrors, ValueError,
};
use crate::xml::idc::IdcEngine;
use crate::xml::lex::PlainTag;
use crate::xml::names::NsSource;
use crate::xml::same_name;
use crate::xml::stream::{ArenaTail, Checked, NameArena};

/// The XML Schema instance namespace (`xsi:nil`, `xsi:type`, ...).
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The namespace bound to the `xml` prefix.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Limits and switches for reading.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Check facets, fixed values and identity constraints while reading.
    /// Structure (order, occurrences, required attributes) is always checked,
    /// since the typed value could not be built otherwise.
    pub validate: bool,
    /// Deepest element nesting accepted. Real documents stay far below the
    /// default (256); the limit keeps hostile input from exhausting the stack.
    pub max_depth: u32,
    /// At most this many errors are kept; the rest are counted.
    pub max_errors: usize,
    /// Largest document accepted, in bytes. A stream (`from_reader`) is
    /// read no further than this, so memory stays bounded.
    pub max_document_bytes: u64,
    /// Largest text content of one element or value of one attribute, in
    /// bytes (after references are expanded).
    pub max_value_bytes: u64,
    /// Most attributes on one element (namespace declarations included).
    pub max_attributes: u32,
    /// Most nodes (elements and text runs) kept from wildcard (`xs:any`)
    /// content in one document. Each becomes an owned tree node, many times
    /// the size of a short tag, so this bounds what `<a/><a/>...` can cost.
    pub max_wildcard_nodes: u64,
}

/// Defaults of [`ReadOptions`]: far above any real CAS document.
impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            validate: true,
            max_depth: 256,
            max_errors: 1000,
            max_document_bytes: 256 << 20,
            max_value_bytes: 16 << 20,
            max_attributes: 1024,
            max_wildcard_nodes: 1_000_000,
        }
    }
}

/// Why a read function returned without a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fail {
    /// The value could not be built; its errors are recorded; the reader is
    /// positioned after the element, so the caller can go on.
    Invalid,
    /// Reading cannot go on; the error is recorded.
    Fatal,
}

/// Result of a generated read function.
pub type ReadResult<T> = Result<T, Fail>;

/// Turns a child's [`Fail::Invalid`] into `None` so the parent can go on,
/// and passes [`Fail::Fatal`] up.
#[inline]
pub fn recover<T>(r: ReadResult<T>) -> ReadResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Fail::Invalid) => Ok(None),
        Err(Fail::Fatal) => Err(Fail::Fatal),
    }
}

/// Where a simple value sits: the current element's text, or one of its attributes.
#[derive(Clone, Copy, Debug)]
pub enum Site<'s> {
    Element,
    Attribute(&'s str),
}

pub(crate) enum Pending<'a> {
    /// Nothing looked ahead yet.
    Nothing,
    /// The next child's start tag, not yet consumed.
    Start(BytesStart<'a>),
    /// The end tag of the current element.
    End,
}

struct Frame<'a> {
    start: BytesStart<'a>,
    /// Where the local name starts in the tag's name (after `prefix:`).
    local_at: usize,
    /// The element's namespace, interned (see [`NsSource::uri`]).
    ns: usize,
    index: Option<u32>,
    pos: u64,
    nil: bool,
    /// Text in element-only content was reported once for this element.
    text_reported: bool,
    /// No identity constraint can take this element or its text (see
    /// [`IdcEngine::may_match`]).
    idc_skip: bool,
    /// Mixed content: the text runs read so far (one more than the child
    /// elements met), see [`XmlReader::mixed_content`].
    mixed: Option<Vec<String>>,
}

#[derive(Clone, Copy)]
enum AttrNs {
    None,
    Xsi,
    Xml,
    /// Byte range in `attr_ns_buf`.
    Other(u32, u32),
}

struct Marker {
    depth: usize,
    name: String,
    min: u32,
    found: u32,
    /// Where the element that stood in its place is.
    stood_path: String,
    stood_local: String,
    pos: u64,
}

struct RawAttr<'a> {
    ns: AttrNs,
    local: &'a str,
    raw: AttrText<'a>,
    pos: u64,
}

/// An attribute's value as written: in the input, or (streamed input) a
/// byte range of [`XmlReader::tag_text`].
#[derive(Clone, Copy)]
enum AttrText<'a> {
    Input(&'a str),
    Copied(u32, u32),
}

/// See the module documentation.
pub struct XmlReader<'a> {
    ns: NsSource<'a>,
    input: &'a str,
    pub(crate) opts: ReadOptions,
    pub(crate) pending: Pending<'a>,
    /// The pending child's namespace, interned (see [`NsSource::uri`]).
    pending_ns: usize,
    /// Where the pending child's local name starts in its name (found once
    /// per start tag: name tests are many).
    pending_local_at: usize,
    /// Static namespace strings found equal to an interned namespace, as
    /// (index, address, length), a slot per index modulo 4: a name test's
    /// namespace is then matched without comparing the URIs again.
    /// Interned URIs never change and a `&'static str` at one address is
    /// always the same text, so a hit is exact.
    ns_known: [Cell<(usize, usize, usize)>; 4],
    pub(crate) pending_pos: u64,
    path: Vec<Frame<'a>>,
    attrs: Vec<RawAttr<'a>>,
    /// The attribute names of the current start tag, for the duplicate check.
    attr_keys: AttrKeys,
    attr_ns_buf: String,
    /// A syntax error or another fatal error was met: nothing more is read.
    broken: bool,
    /// Streamed input: the current element's attribute values, copied.
    tag_text: String,
    /// Streamed input: where attribute names are kept, and those kept so far.
    names: Option<(ArenaTail<'a>, std::collections::HashSet<&'a str>)>,
    /// Streamed input whose declaration says ASCII: where it says so, and
    /// the error if a byte turns out not to be.
    ascii_decl: Option<(u64, String)>,
    text_buf: String,
    /// Required children found missing while another element stood in
    /// their place: reported at `finish` unless the element turns up later
    /// out of order, which makes the earlier one the misplaced element.
    markers: Vec<Marker>,
    /// Set when the input was cut at an encoding error or a character XML
    /// does not allow: reaching its end is reported as that error.
    truncated: Option<ErrorKind>,
    /// `xs:ID` values seen, and `xs:IDREF`s to resolve at the end (value, path, position).
    ids: std::collections::HashSet<String>,
    idrefs: Vec<(String, String, u64)>,
    /// Sibling counts of counted children: (parent depth, local name, count).
    /// Names borrow from the input where they can: no allocation per parent.
    counts: Vec<(usize, Cow<'a, str>, u32)>,
    /// For parents with more than [`COUNT_SCAN`] distinct child names (only
    /// wildcard content has them): name → position in `counts`, by depth,
    /// so that many distinct names do not make counting quadratic.
    count_index: std::collections::HashMap<usize, std::collections::HashMap<Cow<'a, str>, usize>>,
    /// Wildcard nodes read so far (see [`ReadOptions::max_wildcard_nodes`]).
    pub(crate) wildcard_nodes: u64,
    errors: Vec<ValidationError>,
    dropped_errors: u64,
    /// Cache for offset → line/column, since errors come in document order.
    line_cache: (usize, u32, u32),
    /// (offset, line, column) at every [`LINE_CHECKPOINT`] bytes scanned, so
    /// that an error reported behind the cache (at a parent, say) is located
    /// from a nearby point instead of from the start of the document.
    line_checkpoints: Vec<(usize, u32, u32)>,
    pub(crate) idc: IdcEngine,
    /// `xsi:schemaLocation` / `xsi:noNamespaceSchemaLocation` of the root element.
    root_schema_location: SchemaLocation,
    /// Validate-only: repeated children are checked and dropped as read, so
    /// memory does not grow with the document (see [`Self::set_discard`]).
    discard: bool,
}

/// The `xsi:schemaLocation` and `xsi:noNamespaceSchemaLocation` hints of a
/// document's root element, kept so that a document is written back with
/// them (they do not take part in validation: schemas come from the
/// generated code).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SchemaLocation {
    /// `xsi:schemaLocation`: namespace and location pairs, as written
    /// (after attribute-value normalization).
    pub schema_location: Option<String>,
    /// `xsi:noNamespaceSchemaLocation`.
    pub no_namespace: Option<String>,
}

impl<'a> XmlReader<'a> {
    /// A reader over a whole document held in memory.
    pub fn new(input: &'a str, opts: ReadOptions) -> Self {
        Self::with_input(input, opts)
    }

    fn with_input(input: &'a str, opts: ReadOptions) -> Self {
        // Read up to the first character XML 1.0 forbids (NUL, most C0
        // controls, U+FFFE/U+FFFF), which no writer can write back.
        let (input, truncated) = match forbidden_char(input) {
            None => (input, None),
            Some((at, c)) => {
                let message = format!("character U+{:04X} is not allowed in XML", u32::from(c));
                (&input[..at], Some(ErrorKind::Malformed { message }))
            }
        };
        Self::with_source(NsSource::from_str(input), input, truncated, opts)
    }

    /// A reader that parses a stream as it arrives (see
    /// `xml::stream`): the same checks, errors and positions as
    /// reading the whole stream into memory first, but only a small buffer
    /// of the input held at any time. `names` keeps the attribute names the
    /// reader lends out. The stream is read no further than
    /// [`ReadOptions::max_document_bytes`] (one byte more is the `limit` error).
    pub fn from_stream(
        src: impl std::io::Read + 'a,
        opts: ReadOptions,
        names: &'a NameArena,
    ) -> Result<Self, ValidationErrors> {
        let src: Box<dyn std::io::Read + 'a> = Box::new(src);
        let mut checked = Checked::new(src, opts.max_document_bytes);
        let head = checked.prime();
        let utf16 = [&b"\xFE\xFF"[..], b"\xFF\xFE", b"<\0?\0", b"\0<\0?"];
        let refused = head.is_err()
            || head
                .as_ref()
                .is_ok_and(|h| utf16.iter().any(|p| h.starts_with(p)));
        if refused {
            return Err(stream_refusal(&mut checked, opts.max_document_bytes));
        }
        let mut r = Self::with_source(NsSource::from_stream(checked), "", None, opts);
        r.names = Some((names.tail(), std::collections::HashSet::new()));
        Ok(r)
    }

    fn with_source(
        ns: NsSource<'a>,
        input: &'a str,
        truncated: Option<ErrorKind>,
        opts: ReadOptions,
    ) -> Self {
        XmlReader {
            ns,
            input,
            opts,
            pending: Pending::Nothing,
            pending_ns: 0,
            pending_local_at: 0,
            ns_known: Default::default(),
            pending_pos: 0,
            path: Vec::new(),
            attrs: Vec::new(),
            attr_keys: AttrKeys::default(),
            attr_ns_buf: String::new(),
            broken: false,
            tag_text: String::new(),
            names: None,
            ascii_decl: None,
            text_buf: String::new(),
            counts: Vec::new(),
            count_index: std::collections::HashMap::new(),
            wildcard_nodes: 0,
            ids: std::collections::HashSet::new(),
            idrefs: Vec::new(),
            markers: Vec::new(),
            truncated,
            errors: Vec::new(),
            dropped_errors: 0,
            line_cache: (0, 1, 1),
            line_checkpoints: Vec::new(),
            idc: IdcEngine::default(),
            root_schema_location: SchemaLocation::default(),
            discard: false,
        }
    }

    /// A reader over bytes (UTF-8, with or without BOM). Invalid UTF-8 is
    /// reported as an encoding error at the element where it occurs: the
    /// valid part is read (so its path is known) and the rest is not.
    pub fn from_bytes(bytes: &'a [u8], opts: ReadOptions) -> Result<Self, ValidationErrors> {
        check_document_size(bytes.len() as u64, &opts)?;
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        // With a byte order mark, or without one (`<?` as UTF-16 code units).
        let utf16 = [&b"\xFE\xFF"[..], b"\xFF\xFE", b"<\0?\0", b"\0<\0?"];
        if utf16.iter().any(|p| body.starts_with(p)) {
            return Err(utf16_refusal());
        }
        match std::str::from_utf8(body) {
            Ok(s) => Ok(Self::with_input(s, opts)),
            Err(e) => {
                let good = e.valid_up_to();
                let prefix = std::str::from_utf8(&body[..good]).unwrap_or_default();
                let mut r = Self::with_input(prefix, opts);
                if r.truncated.is_none() {
                    let message = format!(
                        "invalid UTF-8 byte 0x{:02X} at byte offset {}",
                        body.get(good).copied().unwrap_or(0),
                        good + (bytes.len() - body.len())
                    );
                    r.truncated = Some(ErrorKind::Encoding { message });
                }
                Ok(r)
            }
        }
    }

    /// Whether facets, fixed values and identity constraints are checked.
    #[inline]
    pub fn validating(&self) -> bool {
        self.opts.validate
    }

    /// The errors recorded so far, and whether any was recorded at all.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.dropped_errors > 0
    }

    /// Ends reading: the value if no error was recorded, else every error.
    pub fn into_result<T>(self, value: ReadResult<T>) -> Result<T, ValidationErrors> {
        let checked = self.finish_errors(value.is_ok());
        checked.and_then(|()| value.map_err(|_| ValidationErrors(vec![unreadable()])))
    }

    /// The end of the document: the checks left for it, then every error
    /// in document order. `Ok` only when the value was read (`value_ok`)
    /// and nothing was wrong. Not generic: one copy serves every root.
    fn finish_errors(mut self, value_ok: bool) -> Result<(), ValidationErrors> {
        if let Some(refused) = self.stream_refusal() {
            return Err(refused);
        }
        if value_ok {
            self.idc.finish_document();
            self.drain_idc_errors();
            if self.opts.validate {
                for (v, path, pos) in std::mem::take(&mut self.idrefs) {
                    if !self.ids.contains(&v) {
                        self.push(path, Some(pos), ErrorKind::UnknownIdref { value: v });
                    }
                }
            }
        }
        if self.dropped_errors > 0 {
            let kind = ErrorKind::Limit {
                what: "number of errors",
                limit: self.opts.max_errors as u64,
            };
            self.errors.push(ValidationError {
                path: "/".into(),
                location: None,
                kind,
            });
        }
        // Document order; errors found later about earlier places (a
        // misplaced element) move up.
        self.errors.sort_by_key(|e| e.location);
        if value_ok && self.errors.is_empty() {
            return Ok(());
        }
        if self.errors.is_empty() {
            // A read function failed without saying why: never hide that.
            self.errors.push(unreadable());
        }
        Err(ValidationErrors(self.errors))
    }

    // ----- positions and paths -------------------------------------------------

    fn location(&mut self, pos: u64) -> Location {
        if let Some(l) = self.ns.stream_location(pos) {
            return l;
        }
        let pos = (pos as usize).min(self.input.len());
        // Start from the nearest known point at or before `pos`: the cache,
        // or a checkpoint (every point before the furthest scanned one has one).
        let i = self.line_checkpoints.partition_point(|c| c.0 <= pos);
        let mut cur = if i == 0 {
            (0, 1, 1)
        } else {
            self.line_checkpoints[i - 1]
        };
        if self.line_cache.0 <= pos && self.line_cache.0 > cur.0 {
            cur = self.line_cache;
        }
        while cur.0 < pos {
            let boundary = (cur.0 / LINE_CHECKPOINT + 1) * LINE_CHECKPOINT;
            let next = line_col(self.input, boundary.min(pos), cur);
            if next.0 <= cur.0 {
                break;
            }
            cur = next;
            if cur.0 >= boundary && self.line_checkpoints.last().is_none_or(|c| c.0 < cur.0) {
                self.line_checkpoints.push(cur);
            }
        }
        self.line_cache = cur;
        Location {
            line: cur.1,
            column: cur.2,
        }
    }

    fn path_string(&self, extra: Option<(&str, Option<u32>)>, attr: Option<&str>) -> String {
        let mut s = String::new();
        write_path(&mut s, &self.path, extra, attr);
        s
    }

    fn push(&mut self, path: String, pos: Option<u64>, kind: ErrorKind) {
        if self.errors.len() >= self.opts.max_errors {
            self.dropped_errors += 1;
            return;
        }
        let location = pos.map(|p| self.location(p));
        self.errors.push(ValidationError {
            path,
            location,
            kind,
        });
    }

    fn current_pos(&self) -> u64 {
        self.path.last().map_or(0, |f| f.pos)
    }

    /// Records an error at the current element (or one of its attributes).
    pub fn error(&mut self, site: Site<'_>, kind: ErrorKind) {
        let path = match site {
            Site::Element => self.path_string(None, None),
            Site::Attribute(a) => self.path_string(None, Some(a)),
        };
        let pos = self.current_pos();
        self.push(path, Some(pos), kind);
    }

    /// Records facet violations of a value at `site`.
    pub fn facet_errors(&mut self, site: Site<'_>, violations: Vec<FacetViolation>) {
        for v in violations {
            self.error(site, ErrorKind::Facet(v));
        }
    }

    /// Turns the result of parsing a simple value into a read result,
    /// recording what is wrong at `site`.
    #[inline]
    pub fn value<T>(
        &mut self,
        text: &str,
        site: Site<'_>,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> ReadResult<T> {
        match parse(text) {
            Ok(v) => Ok(v),
            Err(ValueError::Datatype {
                datatype,
                value,
                reason,
            }) => {
                self.error(
                    site,
                    ErrorKind::Datatype {
                        datatype,
                        value,
                        reason,
                    },
                );
                Err(Fail::Invalid)
            }
            Err(ValueError::Facets(v)) => {
                self.facet_errors(site, v);
                Err(Fail::Invalid)
            }
        }
    }

    /// Registers an `xs:ID` value of the current element or attribute; a
    /// second use in the document is an error.
    pub fn register_id(&mut self, site: Site<'_>, value: &str) {
        if self.opts.validate && !self.ids.insert(value.to_owned()) {
            self.error(
                site,
                ErrorKind::DuplicateId {
                    value: value.to_owned(),
                },
            );
        }
    }

    /// Notes an `xs:IDREF` value, checked against the document's IDs at the end.
    pub fn register_idref(&mut self, site: Site<'_>, value: &str) {
        if self.opts.validate {
            let path = match site {
                Site::Element => self.path_string(None, None),
                Site::Attribute(a) => self.path_string(None, Some(a)),
            };
            let pos = self.current_pos();
            self.idrefs.push((value.to_owned(), path, pos));
        }
    }

    /// Records a lexical error of a built-in datatype; the value cannot be built.
    pub fn datatype_error(
        &mut self,
        site: Site<'_>,
        datatype: &'static str,
        value: &str,
        reason: impl Into<String>,
    ) -> Fail {
        self.error(
            site,
            ErrorKind::Datatype {
                datatype,
                value: value.to_owned(),
                reason: reason.into(),
            },
        );
        Fail::Invalid
    }

    /// Records an error after which the document is not read on: callers
    /// that go on (a simple element's end after its failed content, say)
    /// read nothing more, in memory as on a stream (whose rest
    /// [`Self::truncation`] has drained), so both report this error last.
    fn fatal(&mut self, pos: u64, kind: ErrorKind) -> Fail {
        self.broken = true;
        let path = self.path_string(None, None);
        // Input cut at an encoding error: running out of it is that error.
        let (pos, kind) = match (self.truncation(), &kind) {
            (Some(cut), ErrorKind::Malformed { .. }) => cut,
            _ => (pos, kind),
        };
        self.push(path, Some(pos), kind);
        Fail::Fatal
    }

    fn malformed(&mut self, e: quick_xml::Error) -> Fail {
        // After a syntax error the parser's state is not the document's: no
        // more is read (in memory and streamed alike, which recover differently).
        self.broken = true;
        let pos = self.ns.error_position();
        let message = match &e {
            quick_xml::Error::Encoding(_) => {
                return self.fatal(
                    pos,
                    ErrorKind::Encoding {
                        message: e.to_string(),
                    },
                );
            }
            _ => e.to_string(),
        };
        self.fatal(pos, ErrorKind::Malformed { message })
    }

    /// Reads the next event; for a start tag, its namespace goes to
    /// `pending_ns`. Returns the byte offset where the event began.
    pub(crate) fn read_ev(&mut self) -> ReadResult<(u64, Event<'a>)> {
        if self.broken {
            return Err(Fail::Fatal);
        }
        let pos = self.ns.event_pos();
        let ev = match self.ns.read_event() {
            Ok(ev) => ev,
            Err(e) => return Err(self.malformed(e)),
        };
        if let Event::Start(s) = &ev {
            self.resolve_pending(pos, s)?;
        }
        Ok((pos, ev))
    }

    /// Finds the namespace and the local name of a start tag just read.
    #[inline]
    fn resolve_pending(&mut self, pos: u64, s: &BytesStart<'_>) -> ReadResult<()> {
        self.resolve_name(pos, s, local_at(s.name().into_inner()))
    }

    /// [`Self::resolve_pending`] with the local name's start known (see
    /// [`local_at`]).
    #[inline]
    fn resolve_name(&mut self, pos: u64, s: &BytesStart<'_>, at: usize) -> ReadResult<()> {
        let name = s.name().into_inner();
        self.pending_local_at = at;
        match self.ns.element_ns(name.get(..at).unwrap_or_default()) {
            Ok(id) => self.pending_ns = id,
            Err(prefix) => return Err(self.undeclared_prefix(pos, &prefix)),
        }
        Ok(())
    }

    pub(crate) fn fatal_at(&mut self, pos: u64, kind: ErrorKind) -> Fail {
        self.fatal(pos, kind)
    }

    /// Where the input was cut at its first encoding problem or forbidden
    /// character, and that problem, if it was. A stream is read on up to it
    /// (reading stops anyway), as the in-memory path knows it beforehand.
    fn truncation(&mut self) -> Option<(u64, ErrorKind)> {
        match self.ns.stream_mut() {
            None => self.truncated.clone().map(|k| (self.input.len() as u64, k)),
            Some(c) => {
                c.skip_rest();
                let (_, kind) = c.cut.clone()?;
                Some((crate::xml::stream::pack(c.here()), kind))
            }
        }
    }

    /// Streamed input: the errors that replace all others, as reading the
    /// whole stream first would have found them (a failing stream, the size
    /// limit, a declaration of ASCII that the bytes contradict).
    fn stream_refusal(&mut self) -> Option<ValidationErrors> {
        let ascii = self.ascii_decl.take();
        let limit = self.opts.max_document_bytes;
        let end = self.ns.stream_mut()?.drain().clone();
        if let Some(refused) = refusal_of(&end, limit) {
            return Some(refused);
        }
        let (pos, message) = ascii.filter(|_| end.non_ascii)?;
        Some(ValidationErrors(vec![ValidationError {
            path: "/".into(),
            location: Some(crate::xml::stream::unpack(pos)),
            kind: ErrorKind::Encoding { message },
        }]))
    }

    // ----- the look-ahead --------------------------------------------------------

    /// Reads the prolog up to the root element's start tag, which becomes the
    /// pending element. DTDs are refused: no entity is ever expanded and no
    /// external resource is ever read.
    pub fn start_document(&mut self) -> ReadResult<()> {
        if self.ns.stream().is_none()
            && let Err(e) = check_document_size(self.input.len() as u64, &self.opts)
        {
            self.errors.extend(e.0);
            return Err(Fail::Fatal);
        }
        loop {
            let (pos, ev) = self.read_ev()?;
            match ev {
                Event::Decl(d) => {
                    let declared = match d.encoding() {
                        Some(Ok(e)) => e.into_owned(),
                        _ => continue,
                    };
                    if self.ns.stream().is_some() {
                        // Whether the document is ASCII is known at its end.
                        match (
                            encoding_problem(&declared, ""),
                            encoding_problem(&declared, "é"),
                        ) {
                            (None, None) => {}
                            (None, Some(message)) => self.ascii_decl = Some((pos, message)),
                            (Some(message), _) => {
                                return Err(self.fatal(pos, ErrorKind::Encoding { message }));
                            }
                        }
                    } else if let Some(message) = encoding_problem(&declared, self.input) {
                        return Err(self.fatal(pos, ErrorKind::Encoding { message }));
                    }
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if is_xml_whitespace(&t) => {}
                Event::DocType(_) => {
                    return Err(self.fatal(
                        pos,
                        ErrorKind::Unsupported {
                            what: "document type declarations (DTDs) are refused for safety".into(),
                        },
                    ));
                }
                Event::Start(s) => {
                    self.pending = Pending::Start(s);
                    self.pending_pos = pos;
                    return Ok(());
                }
                Event::Eof => {
                    return Err(self.fatal(
                        pos,
                        ErrorKind::Malformed {
                            message: "no root element".into(),
                        },
                    ));
                }
                _ => {
                    return Err(self.fatal(
                        pos,
                        ErrorKind::Malformed {
                            message: "content before the root element".into(),
                        },
                    ));
                }
            }
        }
    }

    /// End of input inside an element, or a declaration after the prolog.
    pub(crate) fn misplaced_event(&mut self, pos: u64, kind: &EventKind) -> Fail {
        let message = match kind {
            EventKind::Eof => "unexpected end of document",
            EventKind::Declaration => "declaration inside the document",
        };
        self.fatal(
            pos,
            ErrorKind::Malformed {
                message: message.into(),
            },
        )
    }

    fn undeclared_prefix(&mut self, pos: u64, prefix: &str) -> Fail {
        self.fatal(
            pos,
            ErrorKind::Malformed {
                message: format!("namespace prefix '{prefix}' is not declared"),
            },
        )
    }

    /// Loads the next child of the current element (or its end) as pending,
    /// skipping comments, processing instructions and whitespace; other text
    /// in element-only content is reported.
    pub fn next_child(&mut self) -> ReadResult<()> {
        loop {
            if self.mixed_runs().is_none() {
                // Indentation would be read as text and dropped here.
                self.ns.skip_blank();
                if self.plain_child()? {
                    return Ok(());
                }
            }
            let (pos, ev) = self.read_ev()?;
            if self.mixed_runs().is_some() {
                if let Some(done) = self.mixed_event(pos, ev)? {
                    return Ok(done);
                }
                continue;
            }
            match ev {
                Event::Start(s) => {
                    self.pending = Pending::Start(s);
                    self.pending_pos = pos;
                    return Ok(());
                }
                Event::End(_) => {
                    self.pending = Pending::End;
                    return Ok(());
                }
                Event::Text(t) => {
                    if !is_xml_whitespace(&t) {
                        let text = t.xml10_content().into_owned();
                        self.unexpected_text(pos, text);
                    }
                }
                // Even a blank CDATA section is character content to
                // libxml2 (the reference), so it is reported too.
                Event::CData(c) => {
                    let text = c.xml10_content().into_owned();
                    self.unexpected_text(pos, text);
                }
                Event::GeneralRef(g) => {
                    let text: &str = &g;
                    self.unexpected_text(pos, format!("&{text};"));
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof | Event::Decl(_) | Event::DocType(_) | Event::Empty(_) => {
                    return Err(self.misplaced_event(pos, &ev_kind(&ev)));
                }
            }
        }
    }

    /// [`Self::next_child`] for the usual tags, `<name>` and the current
    /// element's `</name>` (documents in memory): `true` when one was read.
    #[inline]
    fn plain_child(&mut self) -> ReadResult<bool> {
        if self.broken {
            return Ok(false);
        }
        let pos = self.ns.event_pos();
        match self.ns.plain_tag() {
            None => Ok(false),
            Some(PlainTag::End) => {
                self.pending = Pending::End;
                Ok(true)
            }
            Some(PlainTag::Start(s, local_at)) => {
                self.resolve_name(pos, &s, local_at)?;
                self.pending = Pending::Start(s);
                self.pending_pos = pos;
                Ok(true)
            }
        }
    }

    /// Keeps a schema-location hint of the root element (normalized like
    /// any CDATA attribute value).
    fn keep_schema_location(&mut self, local: &str, raw: &str) {
        let value =
            quick_xml::escape::unescape(raw).map_or_else(|_| raw.to_owned(), |v| v.into_owned());
        let value = value.replace(['\t', '\n', '\r'], " ");
        if local == "schemaLocation" {
            self.root_schema_location.schema_location = Some(value);
        } else {
            self.root_schema_location.no_namespace = Some(value);
        }
    }

    /// The root element's schema-location hints, once it has been read
    /// whole (none for an element read inside a document).
    pub fn take_root_schema_location(&mut self) -> SchemaLocation {
        if self.path.is_empty() {
            std::mem::take(&mut self.root_schema_location)
        } else {
            SchemaLocation::default()
        }
    }

    /// The text runs of the current element, if its content is mixed.
    pub(crate) fn mixed_runs(&mut self) -> Option<&mut Vec<String>> {
        self.path.last_mut().and_then(|f| f.mixed.as_mut())
    }

    /// Marks the current element's content as mixed (see [`crate::xml::mixed`]).
    pub fn mixed_content(&mut self) {
        if let Some(f) = self.path.last_mut() {
            f.mixed = Some(vec![String::new()]);
        }
    }

    fn unexpected_text(&mut self, pos: u64, text: String) {
        if let Some(f) = self.path.last_mut() {
            if f.text_reported {
                return;
            }
            f.text_reported = true;
        }
        let text: String = text.trim().chars().take(40).collect();
        let path = self.path_string(None, None);
        self.push(path, Some(pos), ErrorKind::UnexpectedText { text });
    }

    /// Is the pending child the element `{ns}local`? (`ns` empty: no namespace.)
    #[inline]
    pub fn is(&self, ns: &str, local: &str) -> bool {
        match &self.pending {
            Pending::Start(s) => {
                same_name(
                    local_of(s, self.pending_local_at).as_bytes(),
                    local.as_bytes(),
                ) && self.ns.uri(self.pending_ns) == ns
            }
            _ => false,
        }
    }

    /// [`Self::is`] for a name whose namespace is a static string (the
    /// schema's): a namespace seen equal before is not compared again.
    #[inline]
    pub(crate) fn is_static(&self, ns: &'static str, local: &str) -> bool {
        let Pending::Start(s) = &self.pending else {
            return false;
        };
        if !same_name(
            local_of(s, self.pending_local_at).as_bytes(),
            local.as_bytes(),
        ) {
            return false;
        }
        let id = self.pending_ns;
        let key = (id, ns.as_ptr() as usize, ns.len());
        let slot = &self.ns_known[id % 4];
        if slot.get() == key {
            return true;
        }
        let equal = self.ns.uri(id) == ns;
        if equal {
            slot.set(key);
        }
        equal
    }

    /// Validate-only reading: the occurrences of repeated children are
    /// checked like any others, then dropped instead of kept, so the value
    /// read is hollow and memory is bounded by depth and identity-constraint
    /// tables, not by the document's size.
    pub fn set_discard(&mut self, on: bool) {
        self.discard = on;
    }

    /// See [`Self::set_discard`].
    #[inline]
    pub fn discarding(&self) -> bool {
        self.discard
    }

    /// Is there a pending child element at all?
    #[inline]
    pub fn at_element(&self) -> bool {
        matches!(self.pending, Pending::Start(_))
    }

    /// The pending child's namespace (empty: none) and local name, if any.
    pub fn pending_name(&self) -> Option<(&str, &str)> {
        match &self.pending {
            Pending::Start(s) => Some((
                self.ns.uri(self.pending_ns),
                local_of(s, self.pending_local_at),
            )),
            _ => None,
        }
    }

    /// The namespace of the pending child (or of the element just begun).
    pub(crate) fn pending_namespace(&self) -> &str {
        self.ns.uri(self.pending_ns)
    }

    pub(crate) fn pending_local(&self) -> String {
        self.pending_local_str().to_owned()
    }

    pub(crate) fn pending_local_str(&self) -> &str {
        match &self.pending {
            Pending::Start(s) => local_of(s, self.pending_local_at),
            _ => "",
        }
    }

    /// Consumes the pending start tag: pushes it on the path and loads its
    /// attributes. `counted`: the element may repeat, so its path step
    /// carries its 1-based index among same-named siblings.
    pub fn begin(&mut self, counted: bool) -> ReadResult<()> {
        let start = match std::mem::replace(&mut self.pending, Pending::Nothing) {
            Pending::Start(s) => s,
            other => {
                self.pending = other;
                let pos = self.ns.buffer_position();
                return Err(self.fatal(
                    pos,
                    ErrorKind::Malformed {
                        message: "internal: no element to begin".into(),
                    },
                ));
            }
        };
        let pos = self.pending_pos;
        if self.path.len() as u64 >= u64::from(self.opts.max_depth) {
            return Err(self.fatal(
                pos,
                ErrorKind::Limit {
                    what: "element depth",
                    limit: u64::from(self.opts.max_depth),
                },
            ));
        }
        let local_at = self.pending_local_at;
        let index = if counted {
            Some(self.next_index(local_of(&start, local_at)))
        } else {
            None
        };
        self.path.push(Frame {
            start,
            local_at,
            ns: self.pending_ns,
            index,
            pos,
            nil: false,
            text_reported: false,
            idc_skip: false,
            mixed: None,
        });
        self.load_attributes()?;
        if self.idc.active() {
            self.idc_start();
        }
        Ok(())
    }

    /// The next 1-based index of a counted child of local name `local`
    /// under the current element.
    fn next_index(&mut self, local: &str) -> u32 {
        let depth = self.path.len();
        // Schemas give a parent few child names: a short scan finds them.
        let mut run = 0;
        for (d, name, n) in self.counts.iter_mut().rev() {
            if *d != depth || run == COUNT_SCAN {
                break;
            }
            run += 1;
            if name == local {
                *n += 1;
                return *n;
            }
        }
        if run == COUNT_SCAN
            && let Some(&i) = self.count_index.get(&depth).and_then(|m| m.get(local))
            && let Some(c) = self.counts.get_mut(i)
        {
            c.2 += 1;
            return c.2;
        }
        let name = match slice_of(self.input, self.input.as_ptr() as usize, local) {
            Some(borrowed) => Cow::Borrowed(borrowed),
            None => Cow::Owned(local.to_owned()),
        };
        self.counts.push((depth, name, 1));
        if run + 1 >= COUNT_SCAN {
            // The run now holds COUNT_SCAN names or more: index all of it
            // (the earlier ones once, when it gets there).
            let first = if run + 1 == COUNT_SCAN {
                self.counts.len() - COUNT_SCAN
            } else {
                self.counts.len() - 1
            };
            let index = self.count_index.entry(depth).or_default();
            for (i, c) in self.counts.iter().enumerate().skip(first) {
                index.insert(c.1.clone(), i);
            }
        }
        1
    }

    fn load_attributes(&mut self) -> ReadResult<()> {
        self.attrs.clear();
        self.attr_ns_buf.clear();
        self.tag_text.clear();
        let Some(frame) = self.path.last() else {
            return Ok(());
        };
        if frame.start.attributes_raw().trim_ascii_start().is_empty() {
            return Ok(());
        }
        let pos = frame.pos;
        let start = frame.start.clone();
        let base = self.input.as_ptr() as usize;
        let name_at = start.name().into_inner().as_ptr() as usize;
        let mut nil: Option<AttrText<'a>> = None;
        let mut attributes = start.attributes();
        // Duplicates are found here, without the `Vec` quick-xml's check
        // allocates for every tag.
        attributes.with_checks(false);
        self.attr_keys.clear();
        for (n, attr) in attributes.enumerate() {
            if n as u64 >= u64::from(self.opts.max_attributes) {
                let limit = u64::from(self.opts.max_attributes);
                return Err(self.fatal(
                    pos,
                    ErrorKind::Limit {
                        what: "attributes on one element",
                        limit,
                    },
                ));
            }
            let attr = match attr.and_then(|a| {
                let key = a.key.into_inner().as_bytes();
                self.attr_keys.check(start.as_bytes(), key).map(|()| a)
            }) {
                Ok(a) => a,
                Err(e) => {
                    return Err(self.fatal(
                        pos,
                        ErrorKind::Malformed {
                            message: e.to_string(),
                        },
                    ));
                }
            };
            if attr.value.len() as u64 > self.opts.max_value_bytes {
                let (limit, local) = (self.opts.max_value_bytes, attr.key.local_name());
                let path = self.path_string(None, Some(local.into_inner()));
                self.push(
                    path,
                    Some(pos),
                    ErrorKind::Limit {
                        what: "value size in bytes",
                        limit,
                    },
                );
                return Err(Fail::Fatal);
            }
            if !space_before(start.as_bytes(), attr.key.into_inner().as_bytes()) {
                let key = attr.key.into_inner();
                let message = format!("no white space before attribute {key}");
                return Err(self.tag_error(name_at, key.as_ptr() as usize, message));
            }
            if let Some(fail) = self.lt_in_value(name_at, &attr) {
                return Err(fail);
            }
            if attr.key.as_namespace_binding().is_some() {
                self.check_ns_decl(attr.key.into_inner(), &attr.value, pos);
                continue;
            }
            let key = attr.key.into_inner();
            let value: &str = &attr.value;
            let (key_s, raw, attr_pos) = if let Some((tail, kept)) = &mut self.names {
                // Streamed: the name kept for the reader's lifetime, the value copied.
                let key_s = match kept.get(key) {
                    Some(k) => *k,
                    None => {
                        let k = tail.alloc(key);
                        kept.insert(k);
                        k
                    }
                };
                let from = self.tag_text.len() as u32;
                self.tag_text.push_str(value);
                let raw = AttrText::Copied(from, self.tag_text.len() as u32);
                let rel = (key.as_ptr() as usize).saturating_sub(name_at) as u64;
                (key_s, raw, self.ns.pos_in_event(1 + rel))
            } else {
                let (Some(key_s), Some(raw)) = (
                    slice_of(self.input, base, key),
                    slice_of(self.input, base, value),
                ) else {
                    return Err(self.fatal(
                        pos,
                        ErrorKind::Malformed {
                            message: "internal: attribute outside the input".into(),
                        },
                    ));
                };
                let at = (key.as_ptr() as usize).saturating_sub(base) as u64;
                (key_s, AttrText::Input(raw), at)
            };
            let colon = key_s.bytes().position(|b| b == b':');
            let (ns, local) = match colon.and_then(|at| key_s.get(at + 1..)) {
                None => (AttrNs::None, key_s),
                Some(local) => {
                    let (res, _) = self.ns.resolver().resolve_attribute(QName(key));
                    match res {
                        ResolveResult::Bound(n) if n.into_inner() == XSI_NS => (AttrNs::Xsi, local),
                        ResolveResult::Bound(n) if n.into_inner() == XML_NS => (AttrNs::Xml, local),
                        ResolveResult::Bound(n) => {
                            let from = self.attr_ns_buf.len() as u32;
                            self.attr_ns_buf.push_str(n.into_inner());
                            (AttrNs::Other(from, self.attr_ns_buf.len() as u32), local)
                        }
                        ResolveResult::Unbound | ResolveResult::Unknown(_) => {
                            let prefix = key_s.split(':').next().unwrap_or_default().to_owned();
                            return Err(self.undeclared_prefix(attr_pos, &prefix));
                        }
                    }
                }
            };
            if let AttrNs::Xsi = ns {
                if local == "nil" {
                    // Kept as written (no copy): looked at once the tag is read.
                    nil = Some(raw);
                    continue;
                }
                let raw = self.attr_text(raw).to_owned();
                let raw = raw.as_str();
                match local {
                    "schemaLocation" | "noNamespaceSchemaLocation" if self.path.len() == 1 => {
                        self.keep_schema_location(local, raw);
                    }
                    "schemaLocation" | "noNamespaceSchemaLocation" => {}
                    "type" => {
                        let path = self.path_string(None, Some("xsi:type"));
                        self.push(
                            path,
                            Some(attr_pos),
                            ErrorKind::Unsupported {
                                what: format!("xsi:type=\"{raw}\" (types are taken from the schema, never from the document)"),
                            },
                        );
                    }
                    other => {
                        let path = self.path_string(None, Some(other));
                        self.push(
                            path,
                            Some(attr_pos),
                            ErrorKind::UnexpectedAttribute {
                                name: format!("xsi:{other}"),
                            },
                        );
                    }
                }
                continue;
            }
            self.attrs.push(RawAttr {
                ns,
                local,
                raw,
                pos: attr_pos,
            });
        }
        if let Some(raw) = nil {
            let v = self.attr_text(raw).trim_matches([' ', '\t', '\n', '\r']);
            let is_nil = match v {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => {
                    let value = v.to_owned();
                    self.error(
                        Site::Attribute("xsi:nil"),
                        ErrorKind::Datatype {
                            datatype: "xs:boolean",
                            value,
                            reason: "expected true, false, 1 or 0".into(),
                        },
                    );
                    false
                }
            };
            if let Some(f) = self.path.last_mut() {
                f.nil = is_nil;
            }
        }
        Ok(())
    }

    /// A fatal `malformed` error at byte address `at` of the start tag just
    /// loaded, whose name is at address `name_at` (what XML 1.0 forbids in
    /// a tag and quick-xml lets through).
    fn tag_error(&mut self, name_at: usize, at: usize, message: String) -> Fail {
        let rel = at.saturating_sub(name_at) as u64;
        let pos = match self.names {
            Some(_) => self.ns.pos_in_event(1 + rel),
            None => (name_at.saturating_sub(self.input.as_ptr() as usize) as u64) + rel,
        };
        self.fatal(pos, ErrorKind::Malformed { message })
    }

    /// Namespace names are resolved as written (quick-xml's resolver expands
    /// no reference and normalizes no white space): a declaration whose
    /// value those would change is refused rather than read as another
    /// name, and so is a `"` (the writer could not declare the name again
    /// without a reference). A `<` never gets here: it is not well-formed
    /// in any attribute value.
    fn check_ns_decl(&mut self, key: &str, value: &str, pos: u64) {
        if !value.contains(['&', '"', '\t', '\n', '\r']) {
            return;
        }
        let path = self.path_string(None, Some(key));
        let what = format!(
            "namespace name {value:?} written with a reference, a '\"' or white space other than spaces"
        );
        self.push(path, Some(pos), ErrorKind::Unsupported { what });
    }

    /// Number of attributes of the current element (namespace declarations
    /// and `xsi:` attributes excluded).
    #[inline]
    pub fn attr_count(&self) -> usize {
        self.attrs.len()
    }

    /// Is attribute `i` named `{ns}local`? (`ns` empty: unqualified.)
    #[inline]
    pub fn attr_is(&self, i: usize, ns: &str, local: &str) -> bool {
        let Some(a) = self.attrs.get(i) else {
            return false;
        };
        if a.local != local {
            return false;
        }
        match a.ns {
            AttrNs::None => ns.is_empty(),
            AttrNs::Xsi => ns == XSI_NS,
            AttrNs::Xml => ns == XML_NS,
            AttrNs::Other(from, to) => self
                .attr_ns_buf
                .get(from as usize..to as usize)
                .is_some_and(|n| n == ns),
        }
    }

    /// The namespace (empty: none) and local name of attribute `i`.
    pub fn attr_name(&self, i: usize) -> (String, &'a str) {
        match self.attrs.get(i) {
            None => (String::new(), ""),
            Some(a) => {
                let ns = match a.ns {
                    AttrNs::None => String::new(),
                    AttrNs::Xsi => XSI_NS.to_owned(),
                    AttrNs::Xml => XML_NS.to_owned(),
                    AttrNs::Other(from, to) => self
                        .attr_ns_buf
                        .get(from as usize..to as usize)
                        .unwrap_or_default()
                        .to_owned(),
                };
                (ns, a.local)
            }
        }
    }

    /// The value of attribute `i`, references expanded and whitespace
    /// normalized as XML requires for attribute values.
    pub fn attr_value(&mut self, i: usize) -> ReadResult<Cow<'a, str>> {
        let Some(a) = self.attrs.get(i) else {
            return Ok(Cow::Borrowed(""));
        };
        let pos = a.pos;
        let raw: Cow<'a, str> = match a.raw {
            AttrText::Input(s) => Cow::Borrowed(s),
            AttrText::Copied(..) => Cow::Owned(self.attr_text(a.raw).to_owned()),
        };
        // Most values need neither: one pass over their few bytes says so.
        if !raw
            .bytes()
            .any(|b| matches!(b, b'\t' | b'\n' | b'\r' | b'&'))
        {
            return Ok(raw);
        }
        let normalized: Cow<'a, str> =
            if memchr::memchr3(b'\t', b'\n', b'\r', raw.as_bytes()).is_some() {
                Cow::Owned(raw.replace("\r\n", " ").replace(['\t', '\n', '\r'], " "))
            } else {
                raw
            };
        if memchr::memchr(b'&', normalized.as_bytes()).is_none() {
            return Ok(normalized);
        }
        match quick_xml::escape::unescape(&normalized) {
            Ok(v) => match forbidden_char(&v) {
                None => Ok(Cow::Owned(v.into_owned())),
                Some((_, c)) => {
                    let message = format!(
                        "character reference to U+{:04X}, which XML does not allow",
                        u32::from(c)
                    );
                    Err(self.fatal(pos, ErrorKind::Malformed { message }))
                }
            },
            Err(e) => Err(self.fatal(
                pos,
                ErrorKind::Malformed {
                    message: e.to_string(),
                },
            )),
        }
    }

    /// An attribute's value as written.
    fn attr_text(&self, t: AttrText<'a>) -> &str {
        match t {
            AttrText::Input(s) => s,
            AttrText::Copied(from, to) => {
                self.tag_text.get(from as usize..to as usize).unwrap_or("")
            }
        }
    }

    /// Reports attribute `i` as not allowed here.
    pub fn unexpected_attr(&mut self, i: usize) {
        let Some(a) = self.attrs.get(i) else { return };
        let (local, pos) = (a.local, a.pos);
        let path = self.path_string(None, Some(local));
        self.push(
            path,
            Some(pos),
            ErrorKind::UnexpectedAttribute {
                name: local.to_owned(),
            },
        );
    }

    /// Reports a missing required attribute of the current element.
    pub fn missing_attr(&mut self, name: &str) {
        self.error(
            Site::Element,
            ErrorKind::MissingAttribute {
                name: name.to_owned(),
            },
        );
    }

    /// Did the current element say `xsi:nil="true"`?
    #[inline]
    pub fn is_nil(&self) -> bool {
        self.path.last().is_some_and(|f| f.nil)
    }

    /// Reports `xsi:nil` on an element that is not nillable (when it was set).
    #[inline]
    pub fn check_not_nil(&mut self) {
        if self.is_nil() {
            self.error(
                Site::Element,
                ErrorKind::Nil {
                    message: "xsi:nil is not allowed: the element is not nillable".into(),
                },
            );
        }
    }

    // ----- content ---------------------------------------------------------------

    /// Reads the text content of the current element up to its end tag
    /// (character data, CDATA and references, comments skipped). Child
    /// elements are reported and skipped.
    pub fn text(&mut self) -> ReadResult<Cow<'a, str>> {
        if !self.broken
            && let Some(text) = self.ns.text_then_end(self.opts.max_value_bytes)
        {
            // The common case: text, then the element's end tag.
            self.pending = Pending::End;
            if self.idc_follows() {
                self.idc.on_text(self.path.len(), &text);
            }
            return Ok(text);
        }
        let mut first: Option<Cow<'a, str>> = None;
        let mut joined = false;
        self.text_buf.clear();
        loop {
            let (pos, ev) = self.read_ev()?;
            let piece: Cow<'a, str> = match ev {
                Event::Text(t) => crate::xml::text_content(t),
                Event::CData(c) => crate::xml::cdata_content(c),
                Event::GeneralRef(g) => match resolve_ref(&g) {
                    Some(c) => Cow::Owned(c.to_string()),
                    None => {
                        let name: &str = &g;
                        return Err(self.fatal(
                            pos,
                            ErrorKind::Malformed {
                                message: format!("undefined entity '&{name};'"),
                            },
                        ));
                    }
                },
                Event::Comment(_) | Event::PI(_) => continue,
                Event::End(_) => {
                    self.pending = Pending::End;
                    break;
                }
                Event::Start(s) => {
                    self.pending = Pending::Start(s);
                    self.pending_pos = pos;
                    self.unexpected(&[]);
                    self.skip_pending_quiet()?;
                    continue;
                }
                Event::Eof | Event::Decl(_) | Event::DocType(_) | Event::Empty(_) => {
                    return Err(self.misplaced_event(pos, &ev_kind(&ev)));
                }
            };
            let len = piece.len() + first.as_ref().map_or(0, |f| f.len()) + self.text_buf.len();
            if len as u64 > self.opts.max_value_bytes {
                let limit = self.opts.max_value_bytes;
                return Err(self.fatal(
                    pos,
                    ErrorKind::Limit {
                        what: "value size in bytes",
                        limit,
                    },
                ));
            }
            match first.take() {
                None if !joined => first = Some(piece),
                None => self.text_buf.push_str(&piece),
                Some(f) => {
                    joined = true;
                    self.text_buf.push_str(&f);
                    self.text_buf.push_str(&piece);
                }
            }
        }
        let text = if joined {
            Cow::Owned(self.text_buf.clone())
        } else {
            first.unwrap_or_default()
        };
        if self.idc_follows() {
            self.idc.on_text(self.path.len(), &text);
        }
        Ok(text)
    }

    /// Reports that the root element is not the expected one.
    pub fn wrong_root(&mut self, ns: &str, local: &str) {
        if self.lt_in_pending_tag() {
            return;
        }
        let expected = if ns.is_empty() {
            local.to_owned()
        } else {
            format!("{{{ns}}}{local}")
        };
        let found = match self.pending_name() {
            Some((n, l)) => format!("{{{n}}}{l}"),
            None => "nothing".into(),
        };
        let local = self.pending_local();
        let path = self.path_string(Some((&local, None)), None);
        let pos = self.pending_pos;
        self.push(path, Some(pos), ErrorKind::WrongRoot { expected, found });
    }

    /// Reports that the root element is none of the `roots` global elements
    /// an enum over roots accepts (too many to name them all).
    pub fn wrong_root_among(&mut self, roots: usize) {
        if self.lt_in_pending_tag() {
            return;
        }
        let found = match self.pending_name() {
            Some(("", l)) => l.to_owned(),
            Some((n, l)) => format!("{{{n}}}{l}"),
            None => "nothing".into(),
        };
        let expected = format!("one of the {roots} global elements the schemas declare");
        let local = self.pending_local();
        let path = self.path_string(Some((&local, None)), None);
        let pos = self.pending_pos;
        self.push(path, Some(pos), ErrorKind::WrongRoot { expected, found });
    }

    /// A root element is recognized by its name before its attributes are
    /// read, and its namespace may come from a declaration holding a `<`
    /// (not well-formed; quick-xml's resolver takes it): such a tag is
    /// reported as [`Self::begin`] would report it, `malformed` at the
    /// `<`, rather than as an unknown root. `true` when it was.
    fn lt_in_pending_tag(&mut self) -> bool {
        let Pending::Start(s) = &self.pending else {
            return false;
        };
        if memchr::memchr(b'<', s.attributes_raw().as_bytes()).is_none() {
            return false;
        }
        let start = s.clone();
        let name_at = start.name().into_inner().as_ptr() as usize;
        let mut attributes = start.attributes();
        attributes.with_checks(false);
        attributes
            .flatten()
            .any(|attr| self.lt_in_value(name_at, &attr).is_some())
    }

    /// A `<` in the value of `attr` (of the tag whose name starts at
    /// `name_at`), which quick-xml lets through and XML 1.0 does not:
    /// reported at the `<`.
    fn lt_in_value(
        &mut self,
        name_at: usize,
        attr: &quick_xml::events::attributes::Attribute<'_>,
    ) -> Option<Fail> {
        let lt = memchr::memchr(b'<', attr.value.as_bytes())?;
        let key = attr.key.into_inner();
        let message = format!("'<' in the value of attribute {key}");
        Some(self.tag_error(name_at, attr.value.as_ptr() as usize + lt, message))
    }

    pub(crate) fn path_string_with(&self, child: &str) -> String {
        self.path_string(Some((child, None)), None)
    }

    pub(crate) fn push_error(&mut self, path: String, pos: u64, kind: ErrorKind) {
        self.push(path, Some(pos), kind);
    }

    /// Reports the pending child as unexpected here.
    pub fn unexpected(&mut self, expected: &[&str]) {
        let name = self.pending_local();
        let path = self.path_string(Some((&name, None)), None);
        let pos = self.pending_pos;
        self.push(
            path,
            Some(pos),
            ErrorKind::UnexpectedElement {
                name,
                expected: expected.iter().map(|s| (*s).to_owned()).collect(),
            },
        );
    }

    /// Reports the pending child as one occurrence too many.
    pub fn too_many(&mut self, name: &str, max: u32, index: u32) {
        let path = self.path_string(Some((name, Some(index))), None);
        let pos = self.pending_pos;
        self.push(
            path,
            Some(pos),
            ErrorKind::TooMany {
                name: name.to_owned(),
                max,
            },
        );
    }

    /// Reports a required child that did not occur often enough. When
    /// another element stands where it was expected, the report waits: if
    /// the missing element turns up later ([`Self::stray`]), the one that
    /// stood in its place is reported as out of order instead.
    pub fn missing(&mut self, name: &str, min: u32, found: u32) {
        if let Pending::Start(_) = self.pending {
            let stood_local = self.pending_local();
            let stood_path = self.path_string(Some((&stood_local, None)), None);
            self.markers.push(Marker {
                depth: self.path.len(),
                name: name.to_owned(),
                min,
                found,
                stood_path,
                stood_local,
                pos: self.pending_pos,
            });
            return;
        }
        let path = self.path_string(None, None);
        let pos = self.current_pos();
        self.push(
            path,
            Some(pos),
            ErrorKind::MissingElement {
                name: name.to_owned(),
                min,
                found,
            },
        );
    }

    /// Handles a pending child that no particle from here on can take: if a
    /// required element of that name was found missing earlier, the element
    /// that stood there is out of order; otherwise this one is unexpected.
    /// The child is skipped either way.
    pub fn stray(&mut self) -> ReadResult<()> {
        self.stray_at(None)
    }

    /// Handles a child that no field from the current one on can take, told
    /// by generated code which earlier field it matches, if any: `(kind,
    /// seen)` with kind 1 for a single element (one too many if it was
    /// already read), 2 for a repeated element (out of order, with its
    /// index), 0 for anything else.
    pub fn stray_among(&mut self, earlier: Option<(u8, bool)>) -> ReadResult<()> {
        match earlier {
            Some((1, true)) => {
                let name = self.pending_local();
                self.too_many(&name, 1, 2);
                self.skip_pending()
            }
            Some((2, _)) => self.stray_repeatable(),
            _ => self.stray(),
        }
    }

    /// Like [`Self::stray`] for a child whose declaration here repeats: its
    /// path step carries its index among same-named siblings.
    pub fn stray_repeatable(&mut self) -> ReadResult<()> {
        let index = match &self.pending {
            Pending::Start(s) => {
                let s = s.clone();
                Some(self.next_index(local_of(&s, self.pending_local_at)))
            }
            _ => None,
        };
        self.stray_at(index)
    }

    fn stray_at(&mut self, index: Option<u32>) -> ReadResult<()> {
        let local = self.pending_local();
        let depth = self.path.len();
        if let Some(i) = self
            .markers
            .iter()
            .position(|m| m.depth == depth && m.name == local)
        {
            let m = self.markers.remove(i);
            let already = self.errors.iter().any(|e| {
                e.path == m.stood_path && matches!(e.kind, ErrorKind::UnexpectedElement { .. })
            });
            if !already {
                self.push(
                    m.stood_path,
                    Some(m.pos),
                    ErrorKind::UnexpectedElement {
                        name: m.stood_local,
                        expected: vec![m.name],
                    },
                );
            }
        } else {
            let path = self.path_string(Some((&local, index)), None);
            let pos = self.pending_pos;
            self.push(
                path,
                Some(pos),
                ErrorKind::UnexpectedElement {
                    name: local,
                    expected: Vec::new(),
                },
            );
        }
        self.skip_pending()
    }

    fn flush_markers(&mut self) {
        let depth = self.path.len();
        while self.markers.last().is_some_and(|m| m.depth >= depth) {
            let Some(m) = self.markers.pop() else { break };
            if m.depth > depth {
                continue;
            }
            let path = self.path_string(None, None);
            self.push(
                path,
                Some(m.pos),
                ErrorKind::MissingElement {
                    name: m.name,
                    min: m.min,
                    found: m.found,
                },
            );
        }
    }

    /// Skips the pending child element (its whole subtree) without a report,
    /// then loads the next child.
    pub fn skip_pending(&mut self) -> ReadResult<()> {
        self.skip_pending_quiet()?;
        self.next_child()
    }

    fn skip_pending_quiet(&mut self) -> ReadResult<()> {
        if let Pending::Start(s) = std::mem::replace(&mut self.pending, Pending::Nothing) {
            let end = s.name();
            if self.broken {
                return Err(Fail::Fatal);
            }
            if let Err(e) = self.ns.read_to_end(end) {
                return Err(self.malformed(e));
            }
        }
        Ok(())
    }

    /// Ends the current element: reports and skips children nobody consumed,
    /// consumes the end tag and loads the parent's next child.
    pub fn finish(&mut self) -> ReadResult<()> {
        loop {
            match self.pending {
                Pending::End => break,
                Pending::Start(_) => self.stray()?,
                Pending::Nothing => self.next_child()?,
            }
        }
        self.pending = Pending::Nothing;
        self.flush_markers();
        self.pop_frame();
        if self.path.is_empty() {
            self.end_document()
        } else {
            self.next_child()
        }
    }

    pub(crate) fn pop_frame(&mut self) {
        if self.idc.active() {
            let depth = self.path.len();
            if self.idc_follows() || self.idc.scope_at(depth) {
                self.idc.on_end(depth);
                self.drain_idc_errors();
            }
        }
        self.path.pop();
        let depth = self.path.len();
        while self.counts.last().is_some_and(|c| c.0 > depth) {
            self.counts.pop();
        }
        if !self.count_index.is_empty() {
            self.count_index.retain(|d, _| *d <= depth);
        }
    }

    fn end_document(&mut self) -> ReadResult<()> {
        loop {
            if self.broken {
                return Err(Fail::Fatal);
            }
            let pos = self.ns.event_pos();
            let ev = match self.ns.read_event() {
                Ok(ev) => ev,
                Err(e) => return Err(self.malformed(e)),
            };
            match ev {
                Event::Eof => match self.truncation() {
                    // Cut after the root element: what follows is still wrong.
                    Some((at, cut)) => return Err(self.fatal(at, cut)),
                    None => return Ok(()),
                },
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if is_xml_whitespace(&t) => {}
                _ => {
                    return Err(self.fatal(
                        pos,
                        ErrorKind::Malformed {
                            message: "content after the root element".into(),
                        },
                    ));
                }
            }
        }
    }

    /// Reads a whole element of simple type: `parse` turns its text into
    /// the value, recording what is wrong. An empty element takes the
    /// declaration's `default` or `fixed` value; a `fixed` value must match.
    pub fn simple_element<T>(
        &mut self,
        counted: bool,
        default: Option<&str>,
        fixed: Option<&str>,
        parse: impl FnOnce(&mut Self, &str, Site<'_>) -> ReadResult<T>,
    ) -> ReadResult<T> {
        self.begin(counted)?;
        self.reject_attributes();
        self.check_not_nil();
        let value = self.simple_content(default, fixed, parse);
        self.finish()?;
        value
    }

    /// Like [`Self::simple_element`] for a nillable element: `Ok(None)` when
    /// it is `xsi:nil="true"` (and then empty, as it must be).
    pub fn nillable_simple_element<T>(
        &mut self,
        counted: bool,
        default: Option<&str>,
        fixed: Option<&str>,
        parse: impl FnOnce(&mut Self, &str, Site<'_>) -> ReadResult<T>,
    ) -> ReadResult<Option<T>> {
        self.begin(counted)?;
        self.reject_attributes();
        if self.is_nil() {
            self.nil_content()?;
            self.finish()?;
            return Ok(None);
        }
        let value = self.simple_content(default, fixed, parse);
        self.finish()?;
        value.map(Some)
    }

    /// Checks that a nilled element is empty (reading up to its end tag).
    pub fn nil_content(&mut self) -> ReadResult<()> {
        let before = self.errors.len();
        let text = self.text()?;
        let has_children = self.errors.len() > before;
        if !text.is_empty() || has_children {
            self.error(
                Site::Element,
                ErrorKind::Nil {
                    message: "an element with xsi:nil=\"true\" must be empty".into(),
                },
            );
        }
        Ok(())
    }

    fn simple_content<T>(
        &mut self,
        default: Option<&str>,
        fixed: Option<&str>,
        parse: impl FnOnce(&mut Self, &str, Site<'_>) -> ReadResult<T>,
    ) -> ReadResult<T> {
        let text = self.simple_text(fixed)?;
        match (text.is_empty(), fixed.or(default)) {
            (true, Some(d)) => parse(self, d, Site::Element),
            _ => parse(self, &text, Site::Element),
        }
    }

    /// The text of a simple element, checked against its `fixed` value
    /// when it has any. Not generic: one copy serves every simple type.
    fn simple_text(&mut self, fixed: Option<&str>) -> ReadResult<Cow<'a, str>> {
        let text = self.text()?;
        if let Some(f) = fixed
            && !text.is_empty()
            && self.opts.validate
            && collapse_ws(&text) != collapse_ws(f)
        {
            self.error(
                Site::Element,
                ErrorKind::Fixed {
                    expected: f.to_owned(),
                    value: text.clone().into_owned(),
                },
            );
        }
        Ok(text)
    }

    /// Checks an attribute value against the declaration's `fixed` value.
    pub fn check_fixed_attr(&mut self, name: &str, value: &str, fixed: &str) {
        if self.opts.validate && collapse_ws(value) != collapse_ws(fixed) {
            self.error(
                Site::Attribute(name),
                ErrorKind::Fixed {
                    expected: fixed.to_owned(),
                    value: value.to_owned(),
                },
            );
        }
    }

    /// Reports every attribute of the current element as unexpected.
    #[inline]
    pub fn reject_attributes(&mut self) {
        for i in 0..self.attrs.len() {
            self.unexpected_attr(i);
        }
    }

    // ----- identity constraints --------------------------------------------------

    #[inline]
    fn drain_idc_errors(&mut self) {
        if self.idc.has_errors() {
            self.drain_idc_errors_now();
        }
    }

    fn drain_idc_errors_now(&mut self) {
        for e in self.idc.take_errors() {
            let location = Some(self.location(e.pos));
            if self.errors.len() >= self.opts.max_errors {
                self.dropped_errors += 1;
                continue;
            }
            // No path: the element being closed (still on the path).
            let path = e.path.unwrap_or_else(|| self.path_string(None, None));
            self.errors.push(ValidationError {
                path,
                location,
                kind: e.kind,
            });
        }
    }

    /// Opens the scope of identity constraints declared on the current element.
    pub fn idc_scope(&mut self, defs: &'static [crate::xml::idc::IdcDef]) {
        if !self.opts.validate || defs.is_empty() {
            return;
        }
        let depth = self.path.len();
        let pos = self.current_pos();
        let path = self.path_string(None, None);
        self.idc.open_scope(depth, defs, pos, path);
    }

    /// Does the identity-constraint engine follow the current element
    /// (active, and the element not skipped at its start)?
    #[inline]
    fn idc_follows(&self) -> bool {
        self.idc.active() && self.path.last().is_none_or(|f| !f.idc_skip)
    }

    fn idc_start(&mut self) {
        let depth = self.path.len();
        let within_reach = self.idc.within_reach(depth);
        let Some(frame) = self.path.last_mut() else {
            return;
        };
        // Below the horizon the engine neither follows the element nor
        // looks at its attributes; the horizon is the same again when its
        // text and its end come (what opens below closes before).
        if !within_reach {
            frame.idc_skip = true;
            return;
        }
        let pos = frame.pos;
        let which = self
            .idc
            .may_match(local_of(&frame.start, frame.local_at).as_bytes());
        let skip = which.is_none();
        frame.idc_skip = skip;
        if let Some(which) = which {
            let names = FrameNames {
                frames: &self.path,
                ns: &self.ns,
            };
            self.idc.on_start(depth, &names, which);
            if self.idc.take_opened() {
                let frames = &self.path;
                self.idc
                    .set_selected_pos(depth, pos, |out| write_path(out, frames, None, None));
            }
        }
        if !self.idc.selecting() || !self.idc.within_reach(depth) {
            return;
        }
        for i in 0..self.attrs.len() {
            let a = &self.attrs[i];
            let wanted = !skip
                && self
                    .idc
                    .wants_attr(depth, attr_ns(&self.attr_ns_buf, a.ns).as_bytes(), a.local);
            if !wanted {
                // Its value is still expanded when expanding can fail (a
                // reference in it), as it always was: the same errors.
                if memchr::memchr(b'&', self.attr_text(a.raw).as_bytes()).is_some() {
                    let _ = self.attr_value(i);
                }
                continue;
            }
            let Ok(v) = self.attr_value(i) else {
                continue;
            };
            // Fields borrowed apart: no copy of the namespace per attribute.
            let a = &self.attrs[i];
            let ns = attr_ns(&self.attr_ns_buf, a.ns);
            let names = FrameNames {
                frames: &self.path,
                ns: &self.ns,
            };
            self.idc
                .on_attr(&names, depth, (ns.as_bytes(), a.local), &v);
        }
    }
}

/// Is the attribute name `key` (within `tag`) preceded by white space, as
/// XML 1.0 §3.1 requires and quick-xml does not check?
fn space_before(tag: &[u8], key: &[u8]) -> bool {
    (key.as_ptr() as usize)
        .checked_sub(tag.as_ptr() as usize)
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| tag.get(i))
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// The open elements' names as identity constraints read them.
struct FrameNames<'r, 'a> {
    frames: &'r [Frame<'a>],
    ns: &'r NsSource<'a>,
}

impl crate::xml::idc::OpenNames for FrameNames<'_, '_> {
    fn name_at(&self, depth: usize) -> (&[u8], &[u8]) {
        match depth.checked_sub(1).and_then(|i| self.frames.get(i)) {
            Some(f) => (
                self.ns.uri(f.ns).as_bytes(),
                local_of(&f.start, f.local_at).as_bytes(),
            ),
            None => (b"", b""),
        }
    }
}

/// The namespace of an attribute (empty: none); `buf` holds the others'.
#[inline]
fn attr_ns(buf: &str, ns: AttrNs) -> &str {
    match ns {
        AttrNs::None => "",
        AttrNs::Xsi => XSI_NS,
        AttrNs::Xml => XML_NS,
        AttrNs::Other(from, to) => buf.get(from as usize..to as usize).unwrap_or_default(),
    }
}

/// The events no content loop accepts, told apart for the message.
pub(crate) enum EventKind {
    Eof,
    Declaration,
}

pub(crate) fn ev_kind(ev: &Event<'_>) -> EventKind {
    if matches!(ev, Event::Eof) {
        EventKind::Eof
    } else {
        EventKind::Declaration
    }
}

fn collapse_ws(s: &str) -> String {
    s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes the path of the open elements `frames` (and of a child, an
/// attribute) to `s`: `/a/b[2]/@c`, or `/` for none.
fn write_path(
    s: &mut String,
    frames: &[Frame<'_>],
    extra: Option<(&str, Option<u32>)>,
    attr: Option<&str>,
) {
    for f in frames {
        push_step(s, local_of(&f.start, f.local_at), f.index);
    }
    if let Some((local, index)) = extra {
        push_step(s, local, index);
    }
    if let Some(a) = attr {
        s.push_str("/@");
        s.push_str(a);
    }
    if s.is_empty() {
        s.push('/');
    }
}

/// Where the local name starts in a qualified name: after the first `:`.
#[inline]
fn local_at(name: &str) -> usize {
    memchr::memchr(b':', name.as_bytes()).map_or(0, |i| i + 1)
}

/// The local name of a start tag whose local name starts at `at` (see [`local_at`]).
#[inline]
fn local_of<'s>(start: &'s BytesStart<'_>, at: usize) -> &'s str {
    let name = start.name().into_inner();
    name.get(at..).unwrap_or(name)
}

fn push_step(s: &mut String, local: &str, index: Option<u32>) {
    s.push('/');
    s.push_str(local);
    if let Some(i) = index {
        s.push('[');
        push_decimal(s, i);
        s.push(']');
    }
}

/// Writes `n` in decimal, as `{n}` formats it (without the formatting
/// machinery: a keyref's path is written for every node it selects).
fn push_decimal(s: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        s.push(char::from(d));
    }
}

/// Line and column of byte `pos`, scanning on from a cached `(offset, line, col)`.
/// Names scanned before [`XmlReader::next_index`] turns to its index.
const COUNT_SCAN: usize = 32;

/// Bytes between two line/column checkpoints.
const LINE_CHECKPOINT: usize = 64 * 1024;

fn line_col(input: &str, pos: usize, from: (usize, u32, u32)) -> (usize, u32, u32) {
    let (mut off, mut line, mut col) = from;
    let Some(rest) = input.get(off..) else {
        return from;
    };
    // Up to the first character boundary at or after `pos`.
    for c in rest.chars() {
        if off >= pos {
            break;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
        off += c.len_utf8();
    }
    (off, line, col)
}

fn is_xml_whitespace(t: &str) -> bool {
    t.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// quick-xml's check that no attribute name repeats in a start tag (the
/// same error, at the same positions), with buffers kept from tag to tag:
/// names compared one by one, then through a set of their hashes past
/// [`AttrKeys::SCAN`] attributes, so that a hostile tag costs linear time.
#[derive(Default)]
struct AttrKeys {
    /// Where each name so far starts and ends in the tag.
    ranges: Vec<(usize, usize)>,
    hashes: std::collections::HashSet<u64>,
    hasher: std::hash::RandomState,
}

impl AttrKeys {
    const SCAN: usize = 32;

    fn clear(&mut self) {
        self.ranges.clear();
        self.hashes.clear();
    }

    /// Records `key`, a slice of `tag`; an error if it was there already.
    fn check(
        &mut self,
        tag: &[u8],
        key: &[u8],
    ) -> Result<(), quick_xml::events::attributes::AttrError> {
        use std::hash::BuildHasher;
        let at = (key.as_ptr() as usize).wrapping_sub(tag.as_ptr() as usize);
        let fresh = match self.ranges.len() {
            n if n < Self::SCAN => true,
            n => {
                if n == Self::SCAN {
                    for &(s, e) in &self.ranges {
                        self.hashes.insert(self.hasher.hash_one(tag.get(s..e)));
                    }
                }
                self.hashes.insert(self.hasher.hash_one(Some(key)))
            }
        };
        let seen = match fresh && self.ranges.len() >= Self::SCAN {
            true => None,
            false => self
                .ranges
                .iter()
                .find(|&&(s, e)| tag.get(s..e) == Some(key)),
        };
        if let Some(&(prev, _)) = seen {
            return Err(quick_xml::events::attributes::AttrError::Duplicated(
                at, prev,
            ));
        }
        self.ranges.push((at, at + key.len()));
        Ok(())
    }
}

/// The `'a` slice of `input` that `part` points into, if it does.
fn slice_of<'a>(input: &'a str, base: usize, part: &str) -> Option<&'a str> {
    let from = (part.as_ptr() as usize).checked_sub(base)?;
    input.get(from..from.checked_add(part.len())?)
}

pub(crate) fn resolve_ref(name: &str) -> Option<char> {
    match name.as_bytes() {
        b"amp" => Some('&'),
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        [b'#', b'x', hex @ ..] => {
            let s = std::str::from_utf8(hex).ok()?;
            u32::from_str_radix(s, 16).ok().and_then(xml_char)
        }
        [b'#', dec @ ..] => {
            let s = std::str::from_utf8(dec).ok()?;
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse::<u32>().ok().and_then(xml_char)
        }
        _ => None,
    }
}

/// A code point that XML 1.0 allows as a character.
fn xml_char(c: u32) -> Option<char> {
    let ok = matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF);
    if ok { char::from_u32(c) } else { None }
}

/// The errors a stream that failed or went past the size limit is refused
/// with (the in-memory path reports nothing else either).
fn refusal_of(end: &crate::xml::stream::StreamEnd, limit: u64) -> Option<ValidationErrors> {
    if let Some(message) = &end.io_error {
        return Some(ValidationErrors(vec![ValidationError {
            path: "/".into(),
            location: None,
            kind: ErrorKind::Io {
                message: message.clone(),
            },
        }]));
    }
    let opts = ReadOptions {
        max_document_bytes: limit,
        ..ReadOptions::default()
    };
    end.over_limit
        .then(|| check_document_size(limit.saturating_add(1), &opts).err())
        .flatten()
}

/// Why a stream is refused before parsing: it failed or went past the
/// limit while its first bytes were read, or it is UTF-16.
fn stream_refusal<R: std::io::Read>(checked: &mut Checked<R>, limit: u64) -> ValidationErrors {
    let end = checked.drain().clone();
    refusal_of(&end, limit).unwrap_or_else(utf16_refusal)
}

fn utf16_refusal() -> ValidationErrors {
    ValidationErrors(vec![ValidationError {
        path: "/".into(),
        location: Some(Location { line: 1, column: 1 }),
        kind: ErrorKind::Encoding {
            message: "UTF-16 documents are not supported; CAS messages are UTF-8".into(),
        },
    }])
}

/// The document-size limit, as the error a reader reports.
pub(crate) fn check_document_size(len: u64, opts: &ReadOptions) -> Result<(), ValidationErrors> {
    if len <= opts.max_document_bytes {
        return Ok(());
    }
    Err(ValidationErrors(vec![ValidationError {
        path: "/".into(),
        location: None,
        kind: ErrorKind::Limit {
            what: "document size in bytes",
            limit: opts.max_document_bytes,
        },
    }]))
}

/// Why a document declaring `declared` cannot be read as it is (UTF-8), if
/// it cannot: reading other encodings' bytes as UTF-8 would change the text.
fn encoding_problem(declared: &str, input: &str) -> Option<String> {
    let name = declared.trim();
    if name.eq_ignore_ascii_case("UTF-8") || name.eq_ignore_ascii_case("UTF8") {
        return None;
    }
    if (name.eq_ignore_ascii_case("US-ASCII") || name.eq_ignore_ascii_case("ASCII"))
        && input.is_ascii()
    {
        return None;
    }
    Some(format!(
        "the XML declaration says encoding \"{name}\"; only UTF-8 (or ASCII) is supported"
    ))
}

/// The first character XML 1.0 does not allow, and where: C0 controls
/// other than tab, newline and carriage return, and U+FFFE/U+FFFF
/// (surrogates cannot occur in a `str`).
pub(crate) fn forbidden_char(input: &str) -> Option<(usize, char)> {
    // Chunks with no C0 control but tab/newline/return and no 0xEF lead
    // byte (U+F000..U+FFFF) are passed over whole (the test of a chunk of
    // fixed size compiles to vector compares); the others are looked at
    // byte by byte.
    const CHUNK: usize = 32;
    let suspect = |b: u8| (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') | (b == 0xEF);
    let chunks = input.as_bytes().chunks_exact(CHUNK);
    let tail = input.len() - chunks.remainder().len();
    for (n, chunk) in chunks.enumerate() {
        if chunk.iter().fold(false, |acc, &b| acc | suspect(b))
            && let Some(found) = forbidden_in(input, n * CHUNK, n * CHUNK + CHUNK)
        {
            return Some(found);
        }
    }
    forbidden_in(input, tail, input.len())
}

/// [`forbidden_char`] in `input[from..to]`, byte by byte (a character
/// starting there may end past `to`).
fn forbidden_in(input: &str, from: usize, to: usize) -> Option<(usize, char)> {
    let bytes = input.as_bytes();
    for i in from..to {
        let b = bytes[i];
        if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') {
            return Some((i, char::from(b)));
        }
        if b == 0xEF
            && bytes.get(i + 1) == Some(&0xBF)
            && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
        {
            return input[i..].chars().next().map(|c| (i, c));
        }
    }
    None
}

/// The error of a document whose reading failed without a recorded reason.
fn unreadable() -> ValidationError {
    ValidationError {
        path: "/".into(),
        location: None,
        kind: ErrorKind::Malformed {
            message: "document could not be read".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_behind_the_cache_agree_with_a_scan_from_the_start() {
        // About 300 KB over many lines, with two-byte characters.
        let mut doc = String::new();
        for i in 0..20_000 {
            doc.push_str(&format!("<a>é{i}</a>\n"));
        }
        let mut r = XmlReader::new(&doc, ReadOptions::default());
        let n = doc.len();
        for p in [
            n - 5,
            10,
            200_000,
            70_000,
            n / 2,
            3,
            n - 5,
            131_072,
            131_073,
            0,
        ] {
            let p = (0..=p)
                .rev()
                .find(|&q| doc.is_char_boundary(q))
                .unwrap_or(0);
            let got = r.location(p as u64);
            let (_, line, column) = line_col(&doc, p, (0, 1, 1));
            assert_eq!((got.line, got.column), (line, column), "at byte {p}");
        }
        // Checkpoints cover what was scanned, one per step.
        assert_eq!(r.line_checkpoints.len(), (n - 5) / LINE_CHECKPOINT);
    }

    #[test]
    fn indices_are_written_as_formatting_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 12345, u32::MAX - 1, u32::MAX] {
            let mut s = String::from("x");
            push_decimal(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }

    #[test]
    fn forbidden_characters_are_found_wherever_they_sit() {
        for at in [0, 5, 31, 32, 33, 63, 64, 100] {
            for bad in ["\u{1}", "\u{1f}", "\u{fffe}", "\u{ffff}"] {
                let doc = format!("{}{bad}{}", "a".repeat(at), "b".repeat(40));
                let c = bad.chars().next().unwrap_or_default();
                assert_eq!(forbidden_char(&doc), Some((at, c)), "{bad:?} at {at}");
            }
        }
        // Allowed: tab, newline, return, and other characters led by 0xEF.
        let fine = format!("{}\t\n\r\u{f8ff}\u{fffd}{}", "x".repeat(30), "y".repeat(40));
        assert_eq!(forbidden_char(&fine), None);
        let late = format!("{fine}\u{fffe}");
        assert_eq!(forbidden_char(&late), Some((fine.len(), '\u{fffe}')));
    }

    #[test]
    fn namespace_names_a_reference_would_change_are_refused() {
        for (xml, refused) in [
            ("<a xmlns:p='u&amp;v'/>", true),
            ("<a xmlns='u&#62;v'/>", true),
            ("<a xmlns='u\tv'/>", true),
            ("<a xmlns:p='u\"v'/>", true),
            ("<a xmlns:p='u>v' xmlns='w x'/>", false),
        ] {
            let mut r = XmlReader::new(xml, ReadOptions::default());
            assert!(r.start_document().is_ok(), "{xml}");
            assert!(r.begin(false).is_ok(), "{xml}");
            assert_eq!(r.has_errors(), refused, "{xml}");
        }
        // A '<' is not well-formed there, as in any attribute value.
        let mut r = XmlReader::new("<a xmlns='u<v'/>", ReadOptions::default());
        assert!(r.start_document().is_ok());
        assert!(r.begin(false).is_err());
        let errors = r.into_result::<()>(Err(Fail::Fatal)).unwrap_err();
        let found: Vec<_> = errors.iter().map(|e| e.constraint()).collect();
        assert_eq!(found, ["malformed"]);
    }

    #[test]
    fn duplicate_attributes_are_found_as_quick_xml_finds_them() {
        let many: String = (0..40).map(|i| format!(" a{i}='x'")).collect();
        for tag in [
            "a x='1' y='2' x='3'".to_owned(),
            "a x='1' x='1' x='2'".to_owned(),
            "a xmlns:p='u' p:x='1' p:x='2' x='3'".to_owned(),
            format!("a{many} a35='y' a0='z' b='1'"),
            format!("a{many}"),
        ] {
            let start = BytesStart::from_content(tag.as_str(), 1);
            let theirs: Vec<Result<(), String>> = start
                .attributes()
                .map(|a| a.map(|_| ()).map_err(|e| e.to_string()))
                .collect();
            let mut keys = AttrKeys::default();
            let mut unchecked = start.attributes();
            unchecked.with_checks(false);
            let ours: Vec<Result<(), String>> = unchecked
                .map(|a| {
                    a.and_then(|a| keys.check(start.as_bytes(), a.key.into_inner().as_bytes()))
                        .map_err(|e| e.to_string())
                })
                .collect();
            assert_eq!(theirs, ours, "{tag}");
            assert!(theirs.iter().any(Result::is_err) || tag.ends_with("a39='x'"));
        }
    }

    #[test]
    fn sibling_counts_stay_exact_past_the_scan() {
        let mut r = XmlReader::new("<r/>", ReadOptions::default());
        let mut count = |name: &str| r.next_index(name);
        for i in 0..(COUNT_SCAN * 3) {
            assert_eq!(count(&format!("n{i}")), 1);
        }
        assert_eq!(count("n5"), 2, "an early name, found through the index");
        assert_eq!(
            count(&format!("n{}", COUNT_SCAN * 3 - 1)),
            2,
            "a recent one, by the scan"
        );
        assert_eq!(count("n0"), 2);
        assert_eq!(count("n0"), 3);
        assert_eq!(
            count(&format!("n{}", COUNT_SCAN - 1)),
            2,
            "the last name indexed at once"
        );
        assert_eq!(count("new"), 1);
        assert_eq!(count("new"), 2);
    }
}
