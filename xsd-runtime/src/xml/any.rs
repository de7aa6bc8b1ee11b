//! Content matched by `xs:any` / `xs:anyAttribute`: kept whole, with
//! resolved namespaces, so that nothing read is lost and it can be written
//! back namespace-correct.

use quick_xml::events::Event;

use crate::error::ErrorKind;
use crate::types::CompactString;
use crate::xml::reader::{Pending, ReadResult, XmlReader};
use crate::xml::writer::XmlWriter;

/// An attribute matched by `xs:anyAttribute`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AnyAttribute {
    /// Namespace URI; empty for an unqualified attribute.
    pub namespace: CompactString,
    pub name: CompactString,
    pub value: CompactString,
}

/// A child of an [`AnyElement`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AnyNode {
    Element(AnyElement),
    Text(CompactString),
}

/// An element matched by `xs:any`, with its whole subtree.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct AnyElement {
    /// Namespace URI; empty for an element in no namespace.
    pub namespace: CompactString,
    pub name: CompactString,
    pub attributes: Vec<AnyAttribute>,
    pub children: Vec<AnyNode>,
}

impl AnyElement {
    /// An element with no attributes and no content.
    pub fn new(namespace: impl Into<CompactString>, name: impl Into<CompactString>) -> Self {
        AnyElement {
            namespace: namespace.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    /// Adds a text child (builder style).
    pub fn with_text(mut self, text: impl Into<CompactString>) -> Self {
        self.children.push(AnyNode::Text(text.into()));
        self
    }

    /// Adds an element child (builder style).
    pub fn with_child(mut self, child: AnyElement) -> Self {
        self.children.push(AnyNode::Element(child));
        self
    }

    /// Adds an attribute (builder style).
    pub fn with_attribute(
        mut self,
        namespace: impl Into<CompactString>,
        name: impl Into<CompactString>,
        value: impl Into<CompactString>,
    ) -> Self {
        self.attributes.push(AnyAttribute {
            namespace: namespace.into(),
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// The concatenated text children.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|c| match c {
                AnyNode::Text(t) => Some(t.as_str()),
                AnyNode::Element(_) => None,
            })
            .collect()
    }

    /// Writes the element. Its namespace is declared on it as the default
    /// namespace (so it does not depend on the prefixes of the enclosing
    /// document); attribute namespaces get prefixes `a0`, `a1`, ...
    pub fn write_xml(&self, w: &mut XmlWriter) {
        self.write_in(w, None);
    }

    /// Writes attributes, children and the end tag after a start tag named
    /// `qname` was begun (for a root element of type `xs:anyType`).
    pub fn write_started(&self, w: &mut XmlWriter, qname: &str) {
        self.write_rest(w, qname, Some(&self.namespace));
    }

    fn write_in(&self, w: &mut XmlWriter, default_ns: Option<&str>) {
        w.start(&self.name);
        if default_ns != Some(self.namespace.as_str()) {
            w.ns_decl(None, &self.namespace);
        }
        self.write_rest(w, &self.name, default_ns);
    }

    fn write_rest(&self, w: &mut XmlWriter, qname: &str, _default_ns: Option<&str>) {
        let mut prefixes: Vec<&str> = Vec::new();
        for a in &self.attributes {
            if a.namespace.is_empty() {
                w.attr(&a.name, &a.value);
                continue;
            }
            let i = match prefixes.iter().position(|p| *p == a.namespace) {
                Some(i) => i,
                None => {
                    prefixes.push(&a.namespace);
                    w.ns_decl(Some(&format!("a{}", prefixes.len() - 1)), &a.namespace);
                    prefixes.len() - 1
                }
            };
            w.attr(&format!("a{i}:{}", a.name), &a.value);
        }
        if self.children.is_empty() {
            w.empty();
            return;
        }
        w.open();
        for c in &self.children {
            match c {
                AnyNode::Text(t) => w.text(t),
                AnyNode::Element(e) => e.write_in(w, Some(&self.namespace)),
            }
        }
        w.end(qname);
    }
}

impl<'a> XmlReader<'a> {
    /// Reads the pending child as an [`AnyElement`], whole.
    pub fn read_any(&mut self, counted: bool) -> ReadResult<AnyElement> {
        let el = self.read_any_tree(counted)?;
        self.pending = Pending::End;
        self.finish()?;
        Ok(el)
    }

    /// Reads the pending child and its subtree; returns with the element's
    /// end tag consumed and its frame still pushed.
    fn read_any_tree(&mut self, counted: bool) -> ReadResult<AnyElement> {
        let namespace = CompactString::from(self.pending_namespace());
        let name = CompactString::from(self.pending_local_str());
        self.begin(counted)?;
        let mut attributes = Vec::with_capacity(self.attr_count());
        for i in 0..self.attr_count() {
            let (ns, local) = self.attr_name(i);
            let value = CompactString::from(self.attr_value(i)?);
            attributes.push(AnyAttribute {
                namespace: CompactString::from(ns),
                name: CompactString::from(local),
                value,
            });
        }
        self.count_wildcard_node()?;
        let mut children: Vec<AnyNode> = Vec::new();
        loop {
            let (pos, ev) = self.read_ev()?;
            match ev {
                Event::Text(t) => {
                    self.push_any_text(&mut children, pos, &crate::xml::text_content(t))?
                }
                Event::CData(c) => {
                    self.push_any_text(&mut children, pos, &crate::xml::cdata_content(c))?
                }
                Event::GeneralRef(g) => match crate::xml::reader::resolve_ref(&g) {
                    Some(c) => {
                        self.push_any_text(&mut children, pos, c.encode_utf8(&mut [0; 4]))?
                    }
                    None => {
                        let name: &str = &g;
                        return Err(self.fatal_at(
                            pos,
                            ErrorKind::Malformed {
                                message: format!("undefined entity '&{name};'"),
                            },
                        ));
                    }
                },
                Event::Comment(_) | Event::PI(_) => {}
                Event::Start(s) => {
                    self.pending = Pending::Start(s);
                    self.pending_pos = pos;
                    let child = self.read_any_tree(false)?;
                    self.pop_frame();
                    crate::xml::push_first_exact(&mut children, AnyNode::Element(child));
                }
                Event::End(_) => break,
                Event::Eof | Event::Decl(_) | Event::DocType(_) | Event::Empty(_) => {
                    return Err(self.misplaced_event(pos, &crate::xml::reader::ev_kind(&ev)));
                }
            }
        }
        // Most wildcard elements hold one text node; a Vec grown by push keeps
        // room for four, which dominated the memory of documents with extensions.
        children.shrink_to_fit();
        Ok(AnyElement {
            namespace,
            name,
            attributes,
            children,
        })
    }

    /// Counts one more wildcard node against [`ReadOptions::max_wildcard_nodes`](crate::xml::ReadOptions::max_wildcard_nodes).
    fn count_wildcard_node(&mut self) -> ReadResult<()> {
        self.wildcard_nodes += 1;
        let limit = self.opts.max_wildcard_nodes;
        if self.wildcard_nodes > limit {
            let pos = self.pending_pos;
            return Err(self.fatal_at(
                pos,
                ErrorKind::Limit {
                    what: "wildcard (xs:any) nodes",
                    limit,
                },
            ));
        }
        Ok(())
    }

    /// Appends text to the last text node (or starts one), within
    /// [`ReadOptions::max_value_bytes`](crate::xml::ReadOptions::max_value_bytes).
    fn push_any_text(&mut self, children: &mut Vec<AnyNode>, pos: u64, t: &str) -> ReadResult<()> {
        let limit = self.opts.max_value_bytes;
        let so_far = match children.last() {
            Some(AnyNode::Text(prev)) => prev.len(),
            _ => 0,
        };
        if (so_far + t.len()) as u64 > limit {
            return Err(self.fatal_at(
                pos,
                ErrorKind::Limit {
                    what: "value size in bytes",
                    limit,
                },
            ));
        }
        match children.last_mut() {
            Some(AnyNode::Text(prev)) => prev.push_str(t),
            _ => {
                self.count_wildcard_node()?;
                crate::xml::push_first_exact(children, AnyNode::Text(CompactString::from(t)));
            }
        }
        Ok(())
    }
}

impl XmlWriter {
    /// Writes an attribute matched by `xs:anyAttribute`; a namespaced one
    /// gets its own prefix declaration.
    pub fn any_attr(&mut self, a: &AnyAttribute) {
        if a.namespace.is_empty() {
            self.attr(&a.name, &a.value);
        } else if a.namespace == crate::xml::reader::XML_NS {
            self.attr(&format!("xml:{}", a.name), &a.value);
        } else {
            let prefix = format!("x{}", fnv(&a.namespace) % 10_000);
            self.ns_decl(Some(&prefix), &a.namespace);
            self.attr(&format!("{prefix}:{}", a.name), &a.value);
        }
    }
}

/// A stable small hash, so a namespace gets the same prefix in every run.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// Content matched by a `lax` or `strict` wildcard: an element the schema
/// set declares, read and validated as such (`D` is the generated
/// `Document`), or any other element, kept whole.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyContent<D> {
    Known(Box<D>),
    Other(AnyElement),
}

/// A value that writes itself as a whole element (generated `Document`s).
pub trait WriteElement {
    fn write_element(&self, w: &mut XmlWriter);
}

impl<D: WriteElement> AnyContent<D> {
    pub fn write_xml(&self, w: &mut XmlWriter) {
        match self {
            AnyContent::Known(d) => d.write_element(w),
            AnyContent::Other(e) => e.write_xml(w),
        }
    }
}

impl<'a> XmlReader<'a> {
    /// A wildcard with `processContents="strict"` met an element that no
    /// schema of the set declares: reported, and skipped.
    pub fn undeclared(&mut self) -> ReadResult<()> {
        let name = self.pending_local();
        let path = self.path_string_with(&name);
        let pos = self.pending_pos;
        self.push_error(
            path,
            pos,
            ErrorKind::UnexpectedElement {
                name,
                expected: vec![
                    "an element declared by the schemas (processContents strict)".into(),
                ],
            },
        );
        self.skip_pending()
    }
}
