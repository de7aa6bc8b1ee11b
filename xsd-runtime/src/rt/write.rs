//! Writing: the cursor that walks a content table while a generated writer
//! writes its fields in order, one call per field, and the traits through
//! which it writes the values.

use crate::Nillable;
use crate::xml::any::WriteElement;
use crate::xml::{AnyContent, AnyElement, ReadResult, TextRuns, XmlReader, XmlWriter};
use crate::xsd::Lexical;

use super::name::{Child, Name};

/// The name of the element being written: its namespace's index, and the
/// prefixed and local forms (see [`XmlWriter::qname`]).
#[derive(Clone, Copy, Debug)]
pub struct Tag<'n> {
    pub ns: Option<u16>,
    pub prefixed: &'n str,
    pub local: &'n str,
}

/// Ends the element `t` (its end tag).
pub fn end(w: &mut XmlWriter, t: Tag<'_>) {
    w.end_el(t.ns, t.prefixed, t.local);
}

/// A complex type: its content table, its reader and its writer.
pub trait Element: Sized {
    /// The particles of its content, in order (empty for simple or empty content).
    const CONTENT: &'static [Child] = &[];

    /// Reads the rest of the element whose start tag the reader just consumed.
    fn read_started(r: &mut XmlReader<'_>) -> ReadResult<Self>;

    /// Writes attributes, content and the end tag of `t`.
    fn write_started(&self, w: &mut XmlWriter, t: Tag<'_>);
}

impl<T: Element> Element for Box<T> {
    const CONTENT: &'static [Child] = T::CONTENT;

    fn read_started(r: &mut XmlReader<'_>) -> ReadResult<Self> {
        T::read_started(r).map(Box::new)
    }

    fn write_started(&self, w: &mut XmlWriter, t: Tag<'_>) {
        (**self).write_started(w, t)
    }
}

impl<T: Element> Element for Nillable<T> {
    const CONTENT: &'static [Child] = T::CONTENT;

    fn read_started(r: &mut XmlReader<'_>) -> ReadResult<Self> {
        T::read_started(r).map(Nillable::Value)
    }

    fn write_started(&self, w: &mut XmlWriter, t: Tag<'_>) {
        match self {
            Nillable::Nil => w.nil(),
            Nillable::Value(v) => v.write_started(w, t),
        }
    }
}

/// A nested group's type (a helper type of a content model): its table,
/// reader and writer.
pub trait Group: Sized {
    /// The particles of the group, in order (a choice's alternatives).
    const CONTENT: &'static [Child];

    /// Reads the group's children.
    fn read_content(r: &mut XmlReader<'_>) -> ReadResult<Self>;

    /// Writes the group's children; `o` is the enclosing content's cursor
    /// (it carries a mixed element's text runs).
    fn write_content(&self, w: &mut XmlWriter, o: &mut Out<'_, '_>);
}

impl<T: Group> Group for Box<T> {
    const CONTENT: &'static [Child] = T::CONTENT;

    fn read_content(r: &mut XmlReader<'_>) -> ReadResult<Self> {
        T::read_content(r).map(Box::new)
    }

    fn write_content(&self, w: &mut XmlWriter, o: &mut Out<'_, '_>) {
        (**self).write_content(w, o)
    }
}

/// Wildcard content: an element kept whole, or a declared one.
pub trait Wildcard {
    fn write_any(&self, w: &mut XmlWriter);
}

impl Wildcard for AnyElement {
    fn write_any(&self, w: &mut XmlWriter) {
        self.write_xml(w)
    }
}

impl<D: WriteElement> Wildcard for AnyContent<D> {
    fn write_any(&self, w: &mut XmlWriter) {
        self.write_xml(w)
    }
}

/// Walks a content table while a writer writes the fields in order. Values
/// come as iterators: `[&v]` for a required field, `&Option<T>`, `&Vec<T>`.
pub struct Out<'a, 'r> {
    children: &'static [Child],
    i: usize,
    /// A mixed element's text runs: one is written before each child element.
    text: Option<&'a mut TextRuns<'r>>,
}

impl<'a, 'r> Out<'a, 'r> {
    /// Element-only content.
    pub fn new(children: &'static [Child]) -> Self {
        Out {
            children,
            i: 0,
            text: None,
        }
    }

    /// Mixed content, with its text runs.
    pub fn mixed(children: &'static [Child], text: &'a mut TextRuns<'r>) -> Self {
        Out {
            children,
            i: 0,
            text: Some(text),
        }
    }

    /// The cursor of a nested group's content, sharing the text runs.
    pub fn nested(&mut self, children: &'static [Child]) -> Out<'_, 'r> {
        Out {
            children,
            i: 0,
            text: self.text.as_deref_mut(),
        }
    }

    /// After the last child: the remaining text runs.
    pub fn rest(&mut self, w: &mut XmlWriter) {
        if let Some(t) = self.text.as_deref_mut() {
            t.rest(w);
        }
    }

    /// The next field's element name.
    fn next_element(&mut self) -> Option<Name> {
        let name = self.children.get(self.i).and_then(|c| c.name);
        self.i += 1;
        name
    }

    fn text_before(&mut self, w: &mut XmlWriter) {
        if let Some(t) = self.text.as_deref_mut() {
            t.next(w);
        }
    }

    /// The next field, simple-typed: each value as an element.
    pub fn simple<'v, T: Lexical + 'v>(
        &mut self,
        w: &mut XmlWriter,
        values: impl IntoIterator<Item = &'v T>,
    ) {
        let Some(n) = self.next_element() else {
            return;
        };
        for v in values {
            self.simple_value(w, n, v);
        }
    }

    /// The text run before a child element, and its start tag.
    fn start_child(&mut self, w: &mut XmlWriter, n: Name) {
        self.text_before(w);
        w.start_el(n.ns.index, n.prefixed, n.local);
    }

    /// One simple-typed element; not generic, so one copy serves every type.
    fn simple_value(&mut self, w: &mut XmlWriter, n: Name, v: &dyn Lexical) {
        self.start_child(w, n);
        w.text_value(v);
        w.end_el(n.ns.index, n.prefixed, n.local);
    }

    /// The next field, simple-typed and nillable.
    pub fn nillable<'v, T: Lexical + 'v>(
        &mut self,
        w: &mut XmlWriter,
        values: impl IntoIterator<Item = &'v Nillable<T>>,
    ) {
        let Some(n) = self.next_element() else {
            return;
        };
        for v in values {
            match v {
                Nillable::Nil => {
                    self.start_child(w, n);
                    w.nil();
                }
                Nillable::Value(v) => self.simple_value(w, n, v),
            }
        }
    }

    /// The next field, complex-typed.
    pub fn complex<'v, T: Element + 'v>(
        &mut self,
        w: &mut XmlWriter,
        values: impl IntoIterator<Item = &'v T>,
    ) {
        let Some(n) = self.next_element() else {
            return;
        };
        for v in values {
            self.start_child(w, n);
            v.write_started(w, n.tag());
        }
    }

    /// The next field, wildcard or `xs:anyType` content.
    pub fn any<'v, T: Wildcard + 'v>(
        &mut self,
        w: &mut XmlWriter,
        values: impl IntoIterator<Item = &'v T>,
    ) {
        self.i += 1;
        for v in values {
            self.text_before(w);
            v.write_any(w);
        }
    }

    /// The next field, a nested group.
    pub fn group<'v, T: Group + 'v>(
        &mut self,
        w: &mut XmlWriter,
        values: impl IntoIterator<Item = &'v T>,
    ) {
        self.i += 1;
        for v in values {
            v.write_content(w, self);
        }
    }

    /// Moves to the alternative of a choice that `label` names (labels
    /// are distinct within a choice: its alternatives start differently).
    pub fn alt(&mut self, label: &str) -> &mut Self {
        self.i = self
            .children
            .iter()
            .position(|c| c.label == label)
            .unwrap_or(self.children.len());
        self
    }
}

/// A required attribute.
pub fn write_attr<T: Lexical>(w: &mut XmlWriter, qname: &str, v: &T) {
    w.attr_value(qname, v);
}

/// An optional attribute, when present.
pub fn write_opt_attr<T: Lexical>(w: &mut XmlWriter, qname: &str, v: &Option<T>) {
    if let Some(v) = v {
        write_attr(w, qname, v);
    }
}

/// A simple value as the text of the element being written.
pub fn write_text<T: Lexical>(v: &T, w: &mut XmlWriter) {
    w.text_value(v);
}
