//! The front end: xsd-parser reads the schemas and follows `xs:include` /
//! `xs:import`; this module lowers its raw schema model into ours
//! ([`crate::model`]). No xsd-parser type leaves this module.
//!
//! Only xsd-parser's parser stage is used. Its interpreter is not: it drops
//! facets of restricted simple types by default and has no element
//! `default`/`fixed` nor identity constraints, all of which the raw model
//! keeps. Anonymous types are named here, from the path of the declaration
//! that holds them, so names are stable.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use xsd_parser::Parser;
use xsd_parser::models::schema::xs::{
    Annotation, AnnotationContent, AttributeGroupType, AttributeGroupTypeContent, AttributeType,
    AttributeUseType, BasicNamespaceListItemType, ComplexBaseType, ComplexBaseTypeContent,
    ComplexContentContent, ElementType, ElementTypeContent, ExtensionTypeContent, Facet,
    FormChoiceType, GroupType, GroupTypeContent, NamespaceListType, ProcessContentsType,
    RestrictionContent, RestrictionTypeContent, SchemaContent, SimpleBaseType,
    SimpleBaseTypeContent, SimpleContentContent,
};
use xsd_parser::models::schema::{MaxOccurs, QName as XQName, Schemas};
use xsd_parser::pipeline::parser::resolver::{ResolveRequest, ResolveResult, Resolver};

use crate::GenerateError;
use crate::model::*;

const XS: &str = "http://www.w3.org/2001/XMLSchema";
const XML: &str = "http://www.w3.org/XML/1998/namespace";

/// What a declaration needs to know of the schema document it sits in.
#[derive(Clone, Debug)]
struct Doc {
    file: PathBuf,
    target_ns: String,
    elements_qualified: bool,
    attributes_qualified: bool,
    /// `xmlns` declarations on the schema element (prefix → URI), for the
    /// XPaths of identity constraints, which xsd-parser leaves unresolved.
    prefixes: BTreeMap<String, String>,
}

struct Tables<'s> {
    simple: BTreeMap<QName, (&'s SimpleBaseType, usize)>,
    complex: BTreeMap<QName, (&'s ComplexBaseType, usize)>,
    elements: BTreeMap<QName, (&'s ElementType, usize)>,
    attributes: BTreeMap<QName, (&'s AttributeType, usize)>,
    groups: BTreeMap<QName, (&'s GroupType, usize)>,
    attribute_groups: BTreeMap<QName, (&'s AttributeGroupType, usize)>,
    /// Heads of substitution groups.
    substitution_heads: BTreeSet<QName>,
    docs: Vec<Doc>,
}

/// Reads the schemas (and everything they include or import) into a model.
pub fn load(paths: &[PathBuf]) -> Result<Model, GenerateError> {
    for p in paths {
        if !p.is_file() {
            return Err(GenerateError::Io {
                path: p.clone(),
                message: "no such schema file".into(),
            });
        }
    }
    for p in paths {
        let bytes = std::fs::read(p).map_err(|e| GenerateError::Io {
            path: p.clone(),
            message: e.to_string(),
        })?;
        well_formed(&bytes).map_err(|m| GenerateError::Schema {
            location: p.display().to_string(),
            message: m,
        })?;
    }
    let parser = Parser::new()
        .with_resolver(LocalResolver)
        .with_default_namespaces()
        .add_schema_from_files(paths)
        .map_err(|e| GenerateError::Schema {
            location: describe_paths(paths),
            message: e.to_string(),
        })?;
    let schemas = parser.finish();
    let tables = build_tables(&schemas)?;
    let mut lower = Lower {
        t: &tables,
        model: Model::default(),
        in_progress: BTreeSet::new(),
    };
    lower.run()?;
    Ok(lower.model)
}

/// Resolves `schemaLocation`s to local files only, canonicalized (so a file
/// reached by two paths is read once), checked for well-formedness first
/// (xsd-parser 1.5.2 loops forever on a file cut inside `xs:documentation`),
/// and with the file named in every error. Nothing is fetched from the
/// network: the XML namespace's schema is stood in for by an empty one
/// (its attributes are known), any other remote location is an error.
#[derive(Debug)]
struct LocalResolver;

impl Resolver for LocalResolver {
    type Buffer = std::io::Cursor<Vec<u8>>;
    type Error = std::io::Error;

    fn resolve(&mut self, req: &ResolveRequest) -> ResolveResult<Self> {
        use std::io::{Error, ErrorKind};
        let loc = &req.requested_location;
        let from = req
            .current_location
            .as_ref()
            .map(|u| u.as_str().to_owned())
            .unwrap_or_default();
        let url = match &req.current_location {
            Some(cur) => cur.join(loc),
            None => url::Url::parse(loc),
        }
        .map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("bad schemaLocation '{loc}' in {from}: {e}"),
            )
        })?;
        if url.scheme() != "file" {
            let xml_ns = req
                .requested_ns
                .as_ref()
                .is_some_and(|n| n.0.as_ref() == XML.as_bytes());
            if xml_ns {
                let stub = format!(r#"<xs:schema xmlns:xs="{XS}" targetNamespace="{XML}"/>"#);
                return Ok(Some((None, url, std::io::Cursor::new(stub.into_bytes()))));
            }
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "schemaLocation '{url}' in {from} is remote; schemas are only read from local files (download it and refer to the copy)"
                ),
            ));
        }
        let path = url.to_file_path().map_err(|()| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("'{url}' in {from} is not a file path"),
            )
        })?;
        let path = path.canonicalize().map_err(|e| {
            Error::new(
                e.kind(),
                format!("{} (schemaLocation '{loc}' in {from}): {e}", path.display()),
            )
        })?;
        let bytes = std::fs::read(&path)
            .map_err(|e| Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        well_formed(&bytes)
            .map_err(|m| Error::new(ErrorKind::InvalidData, format!("{}: {m}", path.display())))?;
        let bytes = apply_dtd(bytes)
            .map_err(|m| Error::new(ErrorKind::InvalidData, format!("{}: {m}", path.display())))?;
        let name = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned);
        let url = url::Url::from_file_path(&path)
            .map_err(|()| Error::other(format!("{}: not an absolute path", path.display())))?;
        Ok(Some((name, url, std::io::Cursor::new(bytes))))
    }
}

/// The schema with its internal DTD subset applied ([`crate::dtd`]).
fn apply_dtd(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(bytes);
    };
    Ok(match crate::dtd::apply(text)? {
        Some(applied) => applied.into_bytes(),
        None => bytes,
    })
}

/// Checks that a schema file is well-formed XML, naming the line of the first problem.
fn well_formed(bytes: &[u8]) -> Result<(), String> {
    use xsd_runtime::quick_xml::events::Event;
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        format!("line {line}: not valid UTF-8")
    })?;
    let mut r = xsd_runtime::quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    loop {
        match r.read_event() {
            Ok(Event::Start(_)) => depth += 1,
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) if depth == 0 => return Ok(()),
            Ok(Event::Eof) => {
                return Err(format!(
                    "not well-formed: the file ends with {depth} element(s) open"
                ));
            }
            Err(e) => {
                let off = (r.error_position() as usize).min(bytes.len());
                let line = 1 + bytes[..off].iter().filter(|b| **b == b'\n').count();
                return Err(format!("line {line}: not well-formed: {e}"));
            }
            Ok(_) => {}
        }
    }
}

fn describe_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn qname(q: &XQName) -> QName {
    let ns = q
        .namespace()
        .map(|n| String::from_utf8_lossy(&n.0).into_owned())
        .unwrap_or_default();
    QName {
        ns,
        local: String::from_utf8_lossy(q.local_name()).into_owned(),
    }
}

/// A QName from the schema, refusing one whose prefix is not declared
/// (xsd-parser leaves it without a namespace, which would silently refer
/// to something else).
fn checked_qname(q: &XQName) -> Result<QName, String> {
    if q.namespace().is_none()
        && let Some(p) = q.prefix()
    {
        return Err(format!(
            "prefix '{}' of '{}' is not declared",
            String::from_utf8_lossy(p),
            String::from_utf8_lossy(q.as_bytes())
        ));
    }
    Ok(qname(q))
}

/// The `xmlns` declarations of a schema file's root element.
fn read_prefixes(file: &Path) -> BTreeMap<String, String> {
    use xsd_runtime::quick_xml::events::Event;
    let mut out = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(file) else {
        return out;
    };
    let mut r = xsd_runtime::quick_xml::Reader::from_str(&text);
    loop {
        match r.read_event() {
            Ok(Event::Start(s)) | Ok(Event::Empty(s)) => {
                for a in s.attributes().flatten() {
                    let key: &str = a.key.into_inner();
                    let value = xsd_runtime::quick_xml::escape::unescape(&a.value)
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    if key == "xmlns" {
                        out.insert(String::new(), value);
                    } else if let Some(p) = key.strip_prefix("xmlns:") {
                        out.insert(p.to_owned(), value);
                    }
                }
                break;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

fn build_tables(schemas: &Schemas) -> Result<Tables<'_>, GenerateError> {
    let mut t = Tables {
        simple: BTreeMap::new(),
        complex: BTreeMap::new(),
        elements: BTreeMap::new(),
        attributes: BTreeMap::new(),
        groups: BTreeMap::new(),
        attribute_groups: BTreeMap::new(),
        substitution_heads: BTreeSet::new(),
        docs: Vec::new(),
    };
    // Visit schema documents in a fixed order: by file path.
    let mut infos: Vec<_> = schemas
        .schemas()
        .map(|(_, info)| {
            let file = info
                .location
                .as_ref()
                .and_then(|u| u.to_file_path().ok())
                .unwrap_or_else(|| PathBuf::from(info.name.clone().unwrap_or_default()));
            (file, info)
        })
        .collect();
    infos.sort_by(|a, b| a.0.cmp(&b.0));
    for (file, info) in infos {
        let s = &info.schema;
        let target_ns = s.target_namespace.clone().unwrap_or_default();
        let doc_index = t.docs.len();
        t.docs.push(Doc {
            prefixes: read_prefixes(&file),
            file: file.clone(),
            target_ns: target_ns.clone(),
            elements_qualified: matches!(s.element_form_default, FormChoiceType::Qualified),
            attributes_qualified: matches!(s.attribute_form_default, FormChoiceType::Qualified),
        });
        for c in &s.content {
            let name =
                |n: &Option<String>| QName::new(target_ns.clone(), n.clone().unwrap_or_default());
            match c {
                SchemaContent::SimpleType(x) => {
                    t.simple.entry(name(&x.name)).or_insert((x, doc_index));
                }
                SchemaContent::ComplexType(x) => {
                    t.complex.entry(name(&x.name)).or_insert((x, doc_index));
                }
                SchemaContent::Element(x) => {
                    if let Some(heads) = &x.substitution_group {
                        for h in &heads.0 {
                            t.substitution_heads.insert(qname(h));
                        }
                    }
                    t.elements.entry(name(&x.name)).or_insert((x, doc_index));
                }
                SchemaContent::Attribute(x) => {
                    t.attributes.entry(name(&x.name)).or_insert((x, doc_index));
                }
                SchemaContent::Group(x) => {
                    t.groups.entry(name(&x.name)).or_insert((x, doc_index));
                }
                SchemaContent::AttributeGroup(x) => {
                    t.attribute_groups
                        .entry(name(&x.name))
                        .or_insert((x, doc_index));
                }
                SchemaContent::Redefine(_) => {
                    return Err(GenerateError::Unsupported {
                        origin: file.display().to_string(),
                        construct: "xs:redefine".into(),
                    });
                }
                SchemaContent::Override(_) => {
                    return Err(GenerateError::Unsupported {
                        origin: file.display().to_string(),
                        construct: "xs:override (XSD 1.1)".into(),
                    });
                }
                SchemaContent::DefaultOpenContent(_) => {
                    return Err(GenerateError::Unsupported {
                        origin: file.display().to_string(),
                        construct: "xs:defaultOpenContent (XSD 1.1)".into(),
                    });
                }
                SchemaContent::Include(_)
                | SchemaContent::Import(_)
                | SchemaContent::Annotation(_)
                | SchemaContent::Notation(_) => {}
            }
        }
    }
    Ok(t)
}

/// Text of the `xs:documentation` children of an annotation.
fn documentation(a: Option<&Annotation>) -> Option<String> {
    let a = a?;
    let mut parts = Vec::new();
    for c in &a.content {
        if let AnnotationContent::Documentation(el) = c {
            let mut text = String::new();
            collect_text(&el.values, &mut text);
            let text = text.trim().to_owned();
            if !text.is_empty() {
                parts.push(text);
            }
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("\n\n"))
    }
}

fn collect_text(values: &[xsd_parser_types::xml::Value<'_>], out: &mut String) {
    use xsd_parser_types::xml::Value;
    for v in values {
        match v {
            Value::Text(t) => {
                let raw = String::from_utf8_lossy(t);
                match xsd_runtime::quick_xml::escape::unescape(&raw) {
                    Ok(s) => out.push_str(&s),
                    Err(_) => out.push_str(&raw),
                }
            }
            Value::CData(c) => out.push_str(&String::from_utf8_lossy(c)),
            Value::Element(e) => collect_text(&e.values, out),
            Value::Comment(_) => {}
        }
    }
}

fn annotation_of_simple(st: &SimpleBaseType) -> Option<&Annotation> {
    st.content.iter().find_map(|c| match c {
        SimpleBaseTypeContent::Annotation(a) => Some(a),
        _ => None,
    })
}

fn annotation_of_complex(ct: &ComplexBaseType) -> Option<&Annotation> {
    ct.content.iter().find_map(|c| match c {
        ComplexBaseTypeContent::Annotation(a) => Some(a),
        _ => None,
    })
}

fn annotation_of_element(e: &ElementType) -> Option<&Annotation> {
    e.content.iter().find_map(|c| match c {
        ElementTypeContent::Annotation(a) => Some(a),
        _ => None,
    })
}

fn occurs(min: usize, max: &MaxOccurs) -> Occurs {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Occurs {
        min: clamp(min),
        max: match max {
            MaxOccurs::Unbounded => None,
            MaxOccurs::Bounded(n) => Some(clamp(*n)),
        },
    }
}

struct Lower<'t, 's> {
    t: &'t Tables<'s>,
    model: Model,
    /// Types being lowered (to cut reference cycles, which are legal for
    /// complex types: the reference is kept, the definition lowered once).
    in_progress: BTreeSet<TypeId>,
}

impl Lower<'_, '_> {
    fn doc(&self, i: usize) -> &Doc {
        &self.t.docs[i]
    }

    fn origin(&self, doc: usize, component: impl Into<String>) -> Origin {
        Origin {
            file: self.doc(doc).file.clone(),
            component: component.into(),
        }
    }

    fn unsupported(&self, doc: usize, component: &str, construct: &str) -> GenerateError {
        GenerateError::Unsupported {
            origin: self.origin(doc, component).to_string(),
            construct: construct.into(),
        }
    }

    fn schema_error(&self, doc: usize, component: &str, message: String) -> GenerateError {
        GenerateError::Schema {
            location: self.origin(doc, component).to_string(),
            message,
        }
    }

    fn run(&mut self) -> Result<(), GenerateError> {
        // Namespaces: files, prefixes, unqualified locals.
        self.collect_namespaces();
        let simple: Vec<QName> = self.t.simple.keys().cloned().collect();
        for q in simple {
            self.named_simple(&q)?;
        }
        let complex: Vec<QName> = self.t.complex.keys().cloned().collect();
        for q in complex {
            self.named_complex(&q)?;
        }
        let elements: Vec<QName> = self.t.elements.keys().cloned().collect();
        for q in elements {
            let (e, doc) = self.t.elements[&q];
            if e.abstract_ {
                continue;
            }
            let el = self.element_decl(e, doc, &q.local, Some(q.clone()))?;
            self.model.elements.insert(q, el);
        }
        Ok(())
    }

    fn collect_namespaces(&mut self) {
        let mut files: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
        let mut prefixes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut unqualified: BTreeSet<String> = BTreeSet::new();
        for d in &self.t.docs {
            files
                .entry(d.target_ns.clone())
                .or_default()
                .push(d.file.clone());
            if !d.elements_qualified {
                unqualified.insert(d.target_ns.clone());
            }
            for (p, uri) in &d.prefixes {
                if !p.is_empty() {
                    prefixes.entry(uri.clone()).or_default().insert(p.clone());
                }
            }
        }
        let mut used = BTreeSet::new();
        used.insert("xsi".to_owned());
        used.insert("xml".to_owned());
        used.insert("xmlns".to_owned());
        for (i, (uri, mut fs)) in files.into_iter().enumerate() {
            // The main file of a namespace: the one that includes the others
            // (the shortest stem among them serves as a stable stand-in).
            fs.sort_by(|a, b| {
                let sa = a.file_stem().map(|s| s.len()).unwrap_or(0);
                let sb = b.file_stem().map(|s| s.len()).unwrap_or(0);
                (sa, a).cmp(&(sb, b))
            });
            let prefix = prefixes
                .get(&uri)
                .and_then(|ps| ps.iter().find(|p| !used.contains(*p)).cloned())
                .unwrap_or_else(|| format!("ns{i}"));
            let prefix = if uri.is_empty() {
                String::new()
            } else {
                prefix
            };
            used.insert(prefix.clone());
            let has_unqualified_locals =
                unqualified.contains(&uri) && self.has_local_elements(&uri);
            self.model.namespaces.insert(
                uri.clone(),
                NamespaceInfo {
                    uri,
                    files: fs,
                    prefix,
                    has_unqualified_locals,
                },
            );
        }
    }

    /// Does a namespace declare local elements (which its elementFormDefault governs)?
    fn has_local_elements(&self, ns: &str) -> bool {
        fn group_has(g: &GroupType) -> bool {
            g.content.iter().any(|c| match c {
                GroupTypeContent::Element(e) => e.name.is_some(),
                GroupTypeContent::Group(g)
                | GroupTypeContent::All(g)
                | GroupTypeContent::Choice(g)
                | GroupTypeContent::Sequence(g) => group_has(g),
                _ => false,
            })
        }
        fn complex_has(ct: &ComplexBaseType) -> bool {
            ct.content.iter().any(|c| match c {
                ComplexBaseTypeContent::Group(g)
                | ComplexBaseTypeContent::All(g)
                | ComplexBaseTypeContent::Choice(g)
                | ComplexBaseTypeContent::Sequence(g) => group_has(g),
                ComplexBaseTypeContent::ComplexContent(cc) => cc.content.iter().any(|c| {
                    let content: Vec<&GroupType> = match c {
                        ComplexContentContent::Extension(x) => x
                            .content
                            .iter()
                            .filter_map(|c| match c {
                                ExtensionTypeContent::Group(g)
                                | ExtensionTypeContent::All(g)
                                | ExtensionTypeContent::Choice(g)
                                | ExtensionTypeContent::Sequence(g) => Some(g),
                                _ => None,
                            })
                            .collect(),
                        ComplexContentContent::Restriction(x) => x
                            .content
                            .iter()
                            .filter_map(|c| match c {
                                RestrictionTypeContent::Group(g)
                                | RestrictionTypeContent::All(g)
                                | RestrictionTypeContent::Choice(g)
                                | RestrictionTypeContent::Sequence(g) => Some(g),
                                _ => None,
                            })
                            .collect(),
                        ComplexContentContent::Annotation(_) => Vec::new(),
                    };
                    content.into_iter().any(group_has)
                }),
                _ => false,
            })
        }
        let in_ns = |doc: usize| self.t.docs[doc].target_ns == ns;
        self.t
            .complex
            .values()
            .any(|(ct, d)| in_ns(*d) && complex_has(ct))
            || self
                .t
                .groups
                .values()
                .any(|(g, d)| in_ns(*d) && group_has(g))
            || self.t.elements.values().any(|(e, d)| {
                in_ns(*d)
                    && e.content.iter().any(
                        |c| matches!(c, ElementTypeContent::ComplexType(ct) if complex_has(ct)),
                    )
            })
    }

    // ----- type references -------------------------------------------------------

    fn resolve_type(
        &mut self,
        q: &XQName,
        doc: usize,
        component: &str,
    ) -> Result<TypeRef, GenerateError> {
        let q = checked_qname(q).map_err(|m| self.schema_error(doc, component, m))?;
        if q.ns == XS {
            if q.local == "anyType" {
                return Ok(TypeRef::AnyType);
            }
            return Builtin::from_xsd(&q.local)
                .map(TypeRef::Builtin)
                .ok_or_else(|| {
                    self.schema_error(
                        doc,
                        component,
                        format!("unknown built-in type xs:{}", q.local),
                    )
                });
        }
        if self.t.simple.contains_key(&q) {
            return self.named_simple(&q).map(TypeRef::Simple);
        }
        if self.t.complex.contains_key(&q) {
            return self.named_complex(&q).map(TypeRef::Complex);
        }
        Err(self.schema_error(doc, component, format!("type {q} is not declared")))
    }

    fn named_simple(&mut self, q: &QName) -> Result<TypeId, GenerateError> {
        let id = TypeId {
            ns: q.ns.clone(),
            name: q.local.clone(),
            anonymous: false,
        };
        if self.model.simple_types.contains_key(&id) {
            return Ok(id);
        }
        if !self.in_progress.insert(id.clone()) {
            let (_, doc) = self.t.simple[q];
            return Err(self.schema_error(
                doc,
                &format!("simpleType {}", q.local),
                "the type derives from itself".into(),
            ));
        }
        let (st, doc) = self.t.simple[q];
        let lowered = self.simple_type(st, doc, id.clone(), &format!("simpleType {}", q.local))?;
        self.in_progress.remove(&id);
        self.model.simple_types.insert(id.clone(), lowered);
        Ok(id)
    }

    fn anonymous_id(&self, doc: usize, path: &str) -> TypeId {
        TypeId {
            ns: self.doc(doc).target_ns.clone(),
            name: path.to_owned(),
            anonymous: true,
        }
    }

    fn inline_simple(
        &mut self,
        st: &SimpleBaseType,
        doc: usize,
        path: &str,
    ) -> Result<TypeRef, GenerateError> {
        let id = self.anonymous_id(doc, path);
        if !self.model.simple_types.contains_key(&id) {
            let lowered = self.simple_type(
                st,
                doc,
                id.clone(),
                &format!("anonymous simpleType of {path}"),
            )?;
            self.model.simple_types.insert(id.clone(), lowered);
        }
        Ok(TypeRef::Simple(id))
    }

    fn simple_type(
        &mut self,
        st: &SimpleBaseType,
        doc: usize,
        id: TypeId,
        component: &str,
    ) -> Result<SimpleType, GenerateError> {
        let doc_text = documentation(annotation_of_simple(st));
        let origin = self.origin(doc, component);
        let path = id.name.clone();
        for c in &st.content {
            match c {
                SimpleBaseTypeContent::Annotation(_) => {}
                SimpleBaseTypeContent::Restriction(r) => {
                    let mut base = None;
                    let mut facets = Facets::default();
                    for rc in &r.content {
                        match rc {
                            RestrictionContent::Annotation(_) => {}
                            RestrictionContent::SimpleType(inner) => {
                                base = Some(self.inline_simple(
                                    inner,
                                    doc,
                                    &format!("{path}/Base"),
                                )?);
                            }
                            RestrictionContent::Facet(f) => {
                                self.facet(f, &mut facets, doc, component)?
                            }
                        }
                    }
                    let base = match (&r.base, base) {
                        (_, Some(b)) => b,
                        (Some(q), None) => self.resolve_type(q, doc, component)?,
                        (None, None) => {
                            return Err(self.schema_error(
                                doc,
                                component,
                                "restriction without a base type".into(),
                            ));
                        }
                    };
                    let (variety, mut steps) = self.variety_of(&base, doc, component)?;
                    steps.push(facets);
                    return Ok(SimpleType {
                        id,
                        doc: doc_text,
                        origin,
                        variety,
                        steps,
                        base: Some(base),
                    });
                }
                SimpleBaseTypeContent::List(l) => {
                    let item = match (&l.item_type, &l.simple_type) {
                        (_, Some(inner)) => {
                            self.inline_simple(inner, doc, &format!("{path}/Item"))?
                        }
                        (Some(q), None) => self.resolve_type(q, doc, component)?,
                        (None, None) => {
                            return Err(self.schema_error(
                                doc,
                                component,
                                "list without an item type".into(),
                            ));
                        }
                    };
                    return Ok(SimpleType {
                        id,
                        doc: doc_text,
                        origin,
                        variety: Variety::List(Box::new(item)),
                        steps: Vec::new(),
                        base: None,
                    });
                }
                SimpleBaseTypeContent::Union(u) => {
                    let mut members = Vec::new();
                    if let Some(list) = &u.member_types {
                        for q in &list.0 {
                            members.push(self.resolve_type(q, doc, component)?);
                        }
                    }
                    for (i, inner) in u.simple_type.iter().enumerate() {
                        members.push(self.inline_simple(
                            inner,
                            doc,
                            &format!("{path}/Member{}", i + 1),
                        )?);
                    }
                    return Ok(SimpleType {
                        id,
                        doc: doc_text,
                        origin,
                        variety: Variety::Union(members),
                        steps: Vec::new(),
                        base: None,
                    });
                }
            }
        }
        Err(self.schema_error(
            doc,
            component,
            "simple type without restriction, list or union".into(),
        ))
    }

    /// The variety and the restriction steps a simple type inherits from `base`.
    fn variety_of(
        &mut self,
        base: &TypeRef,
        doc: usize,
        component: &str,
    ) -> Result<(Variety, Vec<Facets>), GenerateError> {
        match base {
            TypeRef::Builtin(b) => match b.list_item() {
                Some(item) => Ok((
                    Variety::List(Box::new(TypeRef::Builtin(item))),
                    vec![Facets {
                        min_length: Some(1),
                        ..Facets::default()
                    }],
                )),
                None => Ok((Variety::Atomic(*b), Vec::new())),
            },
            TypeRef::Simple(id) => match self.model.simple_types.get(id) {
                Some(st) => Ok((st.variety.clone(), st.steps.clone())),
                None => Err(self.schema_error(
                    doc,
                    component,
                    format!("base type {} is not available", id.name),
                )),
            },
            TypeRef::AnyType | TypeRef::Complex(_) => Err(self.schema_error(
                doc,
                component,
                "a simple type must restrict a simple type".into(),
            )),
        }
    }

    fn facet(
        &self,
        f: &Facet,
        facets: &mut Facets,
        doc: usize,
        component: &str,
    ) -> Result<(), GenerateError> {
        let num = |v: &str| -> Result<u64, GenerateError> {
            v.trim().parse::<u64>().map_err(|_| {
                self.schema_error(
                    doc,
                    component,
                    format!("facet value '{v}' is not a non-negative integer"),
                )
            })
        };
        match f {
            Facet::Pattern(x) => facets.patterns.push(x.value.clone()),
            Facet::Enumeration(x) => facets.enumeration.push(x.value.clone()),
            Facet::Length(x) => facets.length = Some(num(&x.value)?),
            Facet::MinLength(x) => facets.min_length = Some(num(&x.value)?),
            Facet::MaxLength(x) => facets.max_length = Some(num(&x.value)?),
            Facet::MinInclusive(x) => facets.min_inclusive = Some(x.value.trim().to_owned()),
            Facet::MaxInclusive(x) => facets.max_inclusive = Some(x.value.trim().to_owned()),
            Facet::MinExclusive(x) => facets.min_exclusive = Some(x.value.trim().to_owned()),
            Facet::MaxExclusive(x) => facets.max_exclusive = Some(x.value.trim().to_owned()),
            Facet::TotalDigits(x) => {
                facets.total_digits = Some(u32::try_from(num(&x.value)?).unwrap_or(u32::MAX))
            }
            Facet::FractionDigits(x) => {
                facets.fraction_digits = Some(u32::try_from(num(&x.value)?).unwrap_or(u32::MAX))
            }
            Facet::WhiteSpace(x) => {
                facets.whitespace = Some(match x.value.trim() {
                    "preserve" => WhiteSpace::Preserve,
                    "replace" => WhiteSpace::Replace,
                    "collapse" => WhiteSpace::Collapse,
                    other => {
                        return Err(self.schema_error(
                            doc,
                            component,
                            format!("invalid whiteSpace '{other}'"),
                        ));
                    }
                });
            }
            Facet::Assertion(_) => {
                return Err(self.unsupported(doc, component, "xs:assertion (XSD 1.1)"));
            }
            Facet::ExplicitTimezone(_) => {
                return Err(self.unsupported(doc, component, "xs:explicitTimezone (XSD 1.1)"));
            }
        }
        Ok(())
    }

    // ----- complex types ---------------------------------------------------------

    fn named_complex(&mut self, q: &QName) -> Result<TypeId, GenerateError> {
        let id = TypeId {
            ns: q.ns.clone(),
            name: q.local.clone(),
            anonymous: false,
        };
        if self.model.complex_types.contains_key(&id) || self.in_progress.contains(&id) {
            return Ok(id);
        }
        self.in_progress.insert(id.clone());
        let (ct, doc) = self.t.complex[q];
        let lowered = self.complex_type(
            ct,
            doc,
            id.clone(),
            &q.local,
            &format!("complexType {}", q.local),
        )?;
        self.in_progress.remove(&id);
        self.model.complex_types.insert(id.clone(), lowered);
        Ok(id)
    }

    fn complex_type(
        &mut self,
        ct: &ComplexBaseType,
        doc: usize,
        id: TypeId,
        path: &str,
        component: &str,
    ) -> Result<ComplexType, GenerateError> {
        let origin = self.origin(doc, component);
        let doc_text = documentation(annotation_of_complex(ct));
        let mut attributes = Vec::new();
        let mut any_attribute = None;
        let mut content = Content::Empty;
        let mut base = None;
        let mut mixed = ct.mixed.unwrap_or(false);
        for c in &ct.content {
            match c {
                ComplexBaseTypeContent::Annotation(_) => {}
                ComplexBaseTypeContent::Group(g)
                | ComplexBaseTypeContent::All(g)
                | ComplexBaseTypeContent::Choice(g)
                | ComplexBaseTypeContent::Sequence(g) => {
                    let kind = group_kind(c);
                    content = Content::Elements(self.group(g, kind, doc, path, component)?);
                }
                ComplexBaseTypeContent::Attribute(a) => {
                    self.attribute(a, doc, path, component, &mut attributes)?;
                }
                ComplexBaseTypeContent::AttributeGroup(g) => {
                    self.attribute_group(
                        g,
                        doc,
                        path,
                        component,
                        &mut attributes,
                        &mut any_attribute,
                        0,
                    )?;
                }
                ComplexBaseTypeContent::AnyAttribute(w) => {
                    any_attribute =
                        Some(self.wildcard(w.namespace.as_ref(), &w.process_contents, doc));
                }
                ComplexBaseTypeContent::SimpleContent(sc) => {
                    // Text of a simple type: `mixed` does not apply.
                    mixed = false;
                    for scc in &sc.content {
                        match scc {
                            SimpleContentContent::Annotation(_) => {}
                            SimpleContentContent::Extension(x) => {
                                let b = self.resolve_type(&x.base, doc, component)?;
                                let (value, inherited, inherited_any) =
                                    self.simple_content_base(&b, doc, component)?;
                                attributes.extend(inherited);
                                any_attribute = any_attribute.or(inherited_any);
                                content = Content::Simple(value);
                                base = Some(b);
                                for xc in &x.content {
                                    match xc {
                                        ExtensionTypeContent::Attribute(a) => self.attribute(
                                            a,
                                            doc,
                                            path,
                                            component,
                                            &mut attributes,
                                        )?,
                                        ExtensionTypeContent::AttributeGroup(g) => self
                                            .attribute_group(
                                                g,
                                                doc,
                                                path,
                                                component,
                                                &mut attributes,
                                                &mut any_attribute,
                                                0,
                                            )?,
                                        ExtensionTypeContent::AnyAttribute(w) => {
                                            any_attribute = Some(self.wildcard(
                                                w.namespace.as_ref(),
                                                &w.process_contents,
                                                doc,
                                            ))
                                        }
                                        ExtensionTypeContent::Annotation(_) => {}
                                        _ => {
                                            return Err(self.unsupported(
                                                doc,
                                                component,
                                                "particles in a simpleContent extension",
                                            ));
                                        }
                                    }
                                }
                            }
                            SimpleContentContent::Restriction(x) => {
                                let b = self.resolve_type(&x.base, doc, component)?;
                                let (value, inherited, inherited_any) =
                                    self.simple_content_base(&b, doc, component)?;
                                let mut facets = Facets::default();
                                let mut own = Vec::new();
                                let mut prohibited = BTreeSet::new();
                                for xc in &x.content {
                                    match xc {
                                        RestrictionTypeContent::Facet(f) => self.facet(f, &mut facets, doc, component)?,
                                        xc if self.restriction_attribute(xc, doc, path, component, &mut own, &mut prohibited, &mut any_attribute)? => {}
                                        RestrictionTypeContent::SimpleType(_) => return Err(self.unsupported(doc, component, "an inline simpleType in a simpleContent restriction")),
                                        _ => return Err(self.unsupported(doc, component, "particles in a simpleContent restriction")),
                                    }
                                }
                                attributes = merge_attributes(inherited, own, &prohibited);
                                any_attribute = any_attribute.or(inherited_any);
                                content = Content::Simple(if facets.is_empty() {
                                    value
                                } else {
                                    self.derived_value(&value, facets, doc, path, component)?
                                });
                                base = Some(b);
                            }
                        }
                    }
                }
                ComplexBaseTypeContent::ComplexContent(cc) => {
                    let cc_mixed = cc.mixed.unwrap_or(mixed);
                    let mut base_is_mixed = false;
                    for ccc in &cc.content {
                        match ccc {
                            ComplexContentContent::Annotation(_) => {}
                            ComplexContentContent::Extension(x) => {
                                let b = self.resolve_type(&x.base, doc, component)?;
                                let (base_content, base_attrs, base_any, base_mixed) =
                                    self.complex_base(&b, doc, component)?;
                                attributes.extend(base_attrs);
                                any_attribute = base_any;
                                base_is_mixed = base_mixed;
                                let mut own = None;
                                for xc in &x.content {
                                    match xc {
                                        ExtensionTypeContent::Group(g)
                                        | ExtensionTypeContent::All(g)
                                        | ExtensionTypeContent::Choice(g)
                                        | ExtensionTypeContent::Sequence(g) => {
                                            let kind = match xc {
                                                ExtensionTypeContent::All(_) => GroupKind::All,
                                                ExtensionTypeContent::Choice(_) => {
                                                    GroupKind::Choice
                                                }
                                                ExtensionTypeContent::Sequence(_) => {
                                                    GroupKind::Sequence
                                                }
                                                _ => GroupKind::Ref,
                                            };
                                            own = Some(self.group(g, kind, doc, path, component)?);
                                        }
                                        ExtensionTypeContent::Attribute(a) => self.attribute(
                                            a,
                                            doc,
                                            path,
                                            component,
                                            &mut attributes,
                                        )?,
                                        ExtensionTypeContent::AttributeGroup(g) => self
                                            .attribute_group(
                                                g,
                                                doc,
                                                path,
                                                component,
                                                &mut attributes,
                                                &mut any_attribute,
                                                0,
                                            )?,
                                        ExtensionTypeContent::AnyAttribute(w) => {
                                            any_attribute = Some(self.wildcard(
                                                w.namespace.as_ref(),
                                                &w.process_contents,
                                                doc,
                                            ))
                                        }
                                        ExtensionTypeContent::Annotation(_) => {}
                                        ExtensionTypeContent::OpenContent(_)
                                        | ExtensionTypeContent::Assert(_) => {
                                            return Err(self.unsupported(
                                                doc,
                                                component,
                                                "openContent/assert (XSD 1.1)",
                                            ));
                                        }
                                    }
                                }
                                content = match (base_content, own) {
                                    (Content::Simple(v), None) => Content::Simple(v),
                                    // A mixed base without children: its text is the mixed text.
                                    (Content::Simple(_), Some(p)) if base_mixed => {
                                        Content::Elements(p)
                                    }
                                    (Content::Simple(_), Some(_)) => {
                                        return Err(self.unsupported(
                                            doc,
                                            component,
                                            "adding elements to a type with simple content",
                                        ));
                                    }
                                    (Content::Empty, None) => Content::Empty,
                                    (Content::Empty, Some(p)) => Content::Elements(p),
                                    (Content::Elements(p), None) => Content::Elements(p),
                                    (Content::Elements(b), Some(p)) => {
                                        Content::Elements(Particle {
                                            occurs: Occurs::ONE,
                                            term: Term::Sequence(vec![b, p]),
                                        })
                                    }
                                };
                                base = Some(b);
                            }
                            ComplexContentContent::Restriction(x) => {
                                let b = self.resolve_type(&x.base, doc, component)?;
                                let (_, base_attrs, _, _) = if matches!(b, TypeRef::AnyType) {
                                    (Content::Empty, Vec::new(), None, false)
                                } else {
                                    self.complex_base(&b, doc, component)?
                                };
                                let mut own = Vec::new();
                                let mut prohibited = BTreeSet::new();
                                let mut own_any = None;
                                content = Content::Empty;
                                for xc in &x.content {
                                    match xc {
                                        RestrictionTypeContent::Group(g)
                                        | RestrictionTypeContent::All(g)
                                        | RestrictionTypeContent::Choice(g)
                                        | RestrictionTypeContent::Sequence(g) => {
                                            let kind = match xc {
                                                RestrictionTypeContent::All(_) => GroupKind::All,
                                                RestrictionTypeContent::Choice(_) => GroupKind::Choice,
                                                RestrictionTypeContent::Sequence(_) => GroupKind::Sequence,
                                                _ => GroupKind::Ref,
                                            };
                                            content = Content::Elements(self.group(g, kind, doc, path, component)?);
                                        }
                                        xc if self.restriction_attribute(xc, doc, path, component, &mut own, &mut prohibited, &mut own_any)? => {}
                                        _ => return Err(self.unsupported(doc, component, "openContent/assert/simpleType in a complexContent restriction")),
                                    }
                                }
                                attributes = merge_attributes(base_attrs, own, &prohibited);
                                // A restriction keeps an attribute wildcard only if it restates one.
                                any_attribute = own_any;
                                base = Some(b);
                            }
                        }
                    }
                    // An extension of a mixed base is mixed whatever it says
                    // (XSD requires it to say so).
                    mixed = cc_mixed || base_is_mixed;
                    if mixed && matches!(content, Content::Empty) {
                        content = Content::Simple(TypeRef::Builtin(Builtin::String));
                    }
                }
                ComplexBaseTypeContent::OpenContent(_) | ComplexBaseTypeContent::Assert(_) => {
                    return Err(self.unsupported(doc, component, "openContent/assert (XSD 1.1)"));
                }
            }
        }
        if mixed && matches!(content, Content::Empty) {
            content = Content::Simple(TypeRef::Builtin(Builtin::String));
        }
        if let Content::Elements(Particle {
            term: Term::All(_), ..
        }) = &content
            && mixed
        {
            // Text runs are kept by position among the children, which an
            // `xs:all` (read in any order, written in declaration order) moves.
            return Err(self.unsupported(doc, component, "mixed content with xs:all"));
        }
        check_unique_attributes(&attributes).map_err(|n| {
            self.schema_error(doc, component, format!("attribute {n} is declared twice"))
        })?;
        Ok(ComplexType {
            id,
            doc: doc_text,
            origin,
            base,
            attributes,
            any_attribute,
            content,
            mixed,
        })
    }

    /// Handles the attribute parts of a restriction's content (attributes,
    /// prohibited ones, attribute groups, wildcards, annotations); false
    /// for anything else.
    #[allow(clippy::too_many_arguments)]
    fn restriction_attribute(
        &mut self,
        xc: &RestrictionTypeContent,
        doc: usize,
        path: &str,
        component: &str,
        own: &mut Vec<Attribute>,
        prohibited: &mut BTreeSet<String>,
        any: &mut Option<Wildcard>,
    ) -> Result<bool, GenerateError> {
        match xc {
            RestrictionTypeContent::Attribute(a)
                if matches!(a.use_, AttributeUseType::Prohibited) =>
            {
                if let Some(n) = &a.name {
                    prohibited.insert(n.clone());
                }
            }
            RestrictionTypeContent::Attribute(a) => self.attribute(a, doc, path, component, own)?,
            RestrictionTypeContent::AttributeGroup(g) => {
                self.attribute_group(g, doc, path, component, own, any, 0)?
            }
            RestrictionTypeContent::AnyAttribute(w) => {
                *any = Some(self.wildcard(w.namespace.as_ref(), &w.process_contents, doc))
            }
            RestrictionTypeContent::Annotation(_) => {}
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A simpleContent value restricted by facets: an anonymous simple type.
    fn derived_value(
        &mut self,
        value: &TypeRef,
        facets: Facets,
        doc: usize,
        path: &str,
        component: &str,
    ) -> Result<TypeRef, GenerateError> {
        let id = self.anonymous_id(doc, &format!("{path}/Value"));
        let (variety, mut steps) = self.variety_of(value, doc, component)?;
        steps.push(facets);
        let st = SimpleType {
            id: id.clone(),
            doc: None,
            origin: self.origin(doc, component),
            variety,
            steps,
            base: Some(value.clone()),
        };
        self.model.simple_types.insert(id.clone(), st);
        Ok(TypeRef::Simple(id))
    }

    /// For simpleContent: the value type and inherited attributes of a base.
    fn simple_content_base(
        &mut self,
        b: &TypeRef,
        doc: usize,
        component: &str,
    ) -> Result<(TypeRef, Vec<Attribute>, Option<Wildcard>), GenerateError> {
        match b {
            TypeRef::Builtin(_) | TypeRef::Simple(_) => Ok((b.clone(), Vec::new(), None)),
            TypeRef::Complex(id) => match self.model.complex_types.get(id) {
                Some(ComplexType {
                    content: Content::Simple(v),
                    attributes,
                    any_attribute,
                    ..
                }) => Ok((v.clone(), attributes.clone(), any_attribute.clone())),
                Some(_) => Err(self.schema_error(
                    doc,
                    component,
                    format!("simpleContent base {} has no simple content", id.name),
                )),
                None => Err(self.unsupported(doc, component, "a simpleContent derivation cycle")),
            },
            TypeRef::AnyType => Ok((TypeRef::Builtin(Builtin::String), Vec::new(), None)),
        }
    }

    /// For complexContent: the content and attributes of a base.
    fn complex_base(
        &mut self,
        b: &TypeRef,
        doc: usize,
        component: &str,
    ) -> Result<(Content, Vec<Attribute>, Option<Wildcard>, bool), GenerateError> {
        match b {
            TypeRef::AnyType => Ok((Content::Empty, Vec::new(), None, false)),
            TypeRef::Complex(id) => match self.model.complex_types.get(id) {
                Some(ct) => Ok((
                    ct.content.clone(),
                    ct.attributes.clone(),
                    ct.any_attribute.clone(),
                    ct.mixed,
                )),
                None => Err(self.unsupported(
                    doc,
                    component,
                    &format!(
                        "a type derived from {} which derives from it in turn",
                        id.name
                    ),
                )),
            },
            _ => Err(self.schema_error(
                doc,
                component,
                "complexContent must derive from a complex type".into(),
            )),
        }
    }

    // ----- particles -------------------------------------------------------------

    fn group(
        &mut self,
        g: &GroupType,
        kind: GroupKind,
        doc: usize,
        path: &str,
        component: &str,
    ) -> Result<Particle, GenerateError> {
        let occ = occurs(g.min_occurs, &g.max_occurs);
        if let Some(r) = &g.ref_ {
            let q = checked_qname(r).map_err(|m| self.schema_error(doc, component, m))?;
            let Some(&(def, def_doc)) = self.t.groups.get(&q) else {
                return Err(self.schema_error(
                    doc,
                    component,
                    format!("group {q} is not declared"),
                ));
            };
            // A named group holds exactly one of all / choice / sequence.
            for c in &def.content {
                let kind = match c {
                    GroupTypeContent::All(_) => GroupKind::All,
                    GroupTypeContent::Choice(_) => GroupKind::Choice,
                    GroupTypeContent::Sequence(_) => GroupKind::Sequence,
                    _ => continue,
                };
                if let GroupTypeContent::All(inner)
                | GroupTypeContent::Choice(inner)
                | GroupTypeContent::Sequence(inner) = c
                {
                    let mut p =
                        self.group(inner, kind, def_doc, path, &format!("group {}", q.local))?;
                    p.occurs = occ;
                    return Ok(p);
                }
            }
            return Err(self.schema_error(
                def_doc,
                &format!("group {}", q.local),
                "empty group definition".into(),
            ));
        }
        let mut children = Vec::new();
        for c in &g.content {
            match c {
                GroupTypeContent::Annotation(_) => {}
                GroupTypeContent::Element(e) => {
                    let p = self.particle_element(e, doc, path, component)?;
                    children.push(p);
                }
                GroupTypeContent::Group(inner) => {
                    children.push(self.group(inner, GroupKind::Ref, doc, path, component)?)
                }
                GroupTypeContent::All(inner) => {
                    children.push(self.group(inner, GroupKind::All, doc, path, component)?)
                }
                GroupTypeContent::Choice(inner) => {
                    children.push(self.group(inner, GroupKind::Choice, doc, path, component)?)
                }
                GroupTypeContent::Sequence(inner) => {
                    children.push(self.group(inner, GroupKind::Sequence, doc, path, component)?)
                }
                GroupTypeContent::Any(a) => {
                    let w = self.wildcard(a.namespace.as_ref(), &a.process_contents, doc);
                    children.push(Particle {
                        occurs: occurs(a.min_occurs, &a.max_occurs),
                        term: Term::Any(w),
                    });
                }
            }
        }
        let term = match kind {
            GroupKind::All => Term::All(children),
            GroupKind::Choice => Term::Choice(children),
            GroupKind::Sequence | GroupKind::Ref => Term::Sequence(children),
        };
        Ok(Particle { occurs: occ, term })
    }

    fn particle_element(
        &mut self,
        e: &ElementType,
        doc: usize,
        path: &str,
        component: &str,
    ) -> Result<Particle, GenerateError> {
        let occ = occurs(e.min_occurs, &e.max_occurs);
        if let Some(r) = &e.ref_ {
            let q = checked_qname(r).map_err(|m| self.schema_error(doc, component, m))?;
            let Some(&(global, gdoc)) = self.t.elements.get(&q) else {
                return Err(self.schema_error(
                    doc,
                    component,
                    format!("element {q} is not declared"),
                ));
            };
            if global.abstract_ || self.t.substitution_heads.contains(&q) {
                return Err(self.unsupported(
                    doc,
                    component,
                    &format!("substitution group of element {q}"),
                ));
            }
            let el = self.element_decl(global, gdoc, &q.local, Some(q.clone()))?;
            return Ok(Particle {
                occurs: occ,
                term: Term::Element(Box::new(el)),
            });
        }
        let local = e.name.clone().unwrap_or_default();
        let qualified = match &e.form {
            Some(FormChoiceType::Qualified) => true,
            Some(FormChoiceType::Unqualified) => false,
            None => self.doc(doc).elements_qualified,
        };
        let ns = if qualified {
            e.target_namespace
                .clone()
                .unwrap_or_else(|| self.doc(doc).target_ns.clone())
        } else {
            String::new()
        };
        let child_path = format!("{path}/{local}");
        let el = self.element_body(e, doc, QName::new(ns, local), &child_path, component)?;
        Ok(Particle {
            occurs: occ,
            term: Term::Element(Box::new(el)),
        })
    }

    /// A global element declaration.
    fn element_decl(
        &mut self,
        e: &ElementType,
        doc: usize,
        path: &str,
        name: Option<QName>,
    ) -> Result<Element, GenerateError> {
        let name = name.unwrap_or_else(|| {
            QName::new(
                self.doc(doc).target_ns.clone(),
                e.name.clone().unwrap_or_default(),
            )
        });
        self.element_body(e, doc, name, path, &format!("element {path}"))
    }

    fn element_body(
        &mut self,
        e: &ElementType,
        doc: usize,
        name: QName,
        path: &str,
        component: &str,
    ) -> Result<Element, GenerateError> {
        let mut ty = None;
        let mut identity = Vec::new();
        for c in &e.content {
            match c {
                ElementTypeContent::Annotation(_) => {}
                ElementTypeContent::SimpleType(st) => ty = Some(self.inline_simple(st, doc, path)?),
                ElementTypeContent::ComplexType(ct) => {
                    let id = self.anonymous_id(doc, path);
                    if !self.model.complex_types.contains_key(&id)
                        && !self.in_progress.contains(&id)
                    {
                        self.in_progress.insert(id.clone());
                        let lowered = self.complex_type(
                            ct,
                            doc,
                            id.clone(),
                            path,
                            &format!("anonymous complexType of {path}"),
                        )?;
                        self.in_progress.remove(&id);
                        self.model.complex_types.insert(id.clone(), lowered);
                    }
                    ty = Some(TypeRef::Complex(id));
                }
                ElementTypeContent::Unique(k) | ElementTypeContent::Key(k) => {
                    let kind = if matches!(c, ElementTypeContent::Key(_)) {
                        IdentityKind::Key
                    } else {
                        IdentityKind::Unique
                    };
                    let Some(content) = &k.content else {
                        return Err(self.unsupported(
                            doc,
                            component,
                            "identity-constraint references (XSD 1.1)",
                        ));
                    };
                    let cname = QName::new(
                        self.doc(doc).target_ns.clone(),
                        k.name.clone().unwrap_or_default(),
                    );
                    identity.push(self.identity(
                        cname,
                        kind,
                        &content.selector.xpath,
                        content.field.iter().map(|f| f.xpath.as_str()),
                        doc,
                        component,
                    )?);
                }
                ElementTypeContent::Keyref(k) => {
                    let Some(content) = &k.content else {
                        return Err(self.unsupported(
                            doc,
                            component,
                            "identity-constraint references (XSD 1.1)",
                        ));
                    };
                    let Some(refer) = &k.refer else {
                        return Err(self.schema_error(
                            doc,
                            component,
                            "keyref without refer".into(),
                        ));
                    };
                    let cname = QName::new(
                        self.doc(doc).target_ns.clone(),
                        k.name.clone().unwrap_or_default(),
                    );
                    let kind = IdentityKind::Keyref {
                        refer: qname(refer),
                    };
                    identity.push(self.identity(
                        cname,
                        kind,
                        &content.selector.xpath,
                        content.field.iter().map(|f| f.xpath.as_str()),
                        doc,
                        component,
                    )?);
                }
                ElementTypeContent::Alternative(_) => {
                    return Err(self.unsupported(doc, component, "xs:alternative (XSD 1.1)"));
                }
            }
        }
        let ty = match (ty, &e.type_) {
            (Some(t), _) => t,
            (None, Some(q)) => self.resolve_type(q, doc, component)?,
            (None, None) => TypeRef::AnyType,
        };
        Ok(Element {
            name,
            ty,
            nillable: e.nillable.unwrap_or(false),
            default: e.default.clone(),
            fixed: e.fixed.clone(),
            doc: documentation(annotation_of_element(e)),
            identity,
            origin: self.origin(doc, component),
        })
    }

    fn identity<'x>(
        &self,
        name: QName,
        kind: IdentityKind,
        selector: &str,
        fields: impl Iterator<Item = &'x str>,
        doc: usize,
        component: &str,
    ) -> Result<IdentityConstraint, GenerateError> {
        let selector = self.xpath(selector, false, doc, component)?;
        let fields = fields
            .map(|f| self.xpath(f, true, doc, component))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(IdentityConstraint {
            name,
            kind,
            selector,
            fields,
        })
    }

    /// Parses the restricted XPath of XSD 1.0 identity constraints.
    fn xpath(
        &self,
        text: &str,
        field: bool,
        doc: usize,
        component: &str,
    ) -> Result<Vec<XPath>, GenerateError> {
        let err = |m: String| {
            self.schema_error(
                doc,
                component,
                format!("identity-constraint XPath '{text}': {m}"),
            )
        };
        let mut alts = Vec::new();
        for alt in text.split('|') {
            let mut s = alt.trim();
            let mut descendant = false;
            if let Some(rest) = s.strip_prefix(".//") {
                descendant = true;
                s = rest.trim();
            }
            let mut steps = Vec::new();
            let mut attribute = None;
            let parts: Vec<&str> = s.split('/').map(str::trim).collect();
            for (i, part) in parts.iter().enumerate() {
                let last = i + 1 == parts.len();
                if part.is_empty() {
                    return Err(err("empty step".into()));
                }
                if *part == "." {
                    continue;
                }
                let (is_attr, name) = if let Some(n) = part.strip_prefix('@') {
                    (true, n.trim())
                } else if let Some(n) = part.strip_prefix("attribute::") {
                    (true, n.trim())
                } else {
                    (false, part.strip_prefix("child::").unwrap_or(part).trim())
                };
                let step = self.name_test(name, doc).map_err(err)?;
                if is_attr {
                    if !(field && last) {
                        return Err(err("an attribute step may only end a field".into()));
                    }
                    attribute = Some(step);
                } else {
                    steps.push(step);
                }
            }
            alts.push(XPath {
                descendant,
                steps,
                attribute,
            });
        }
        Ok(alts)
    }

    fn name_test(&self, name: &str, doc: usize) -> Result<XStep, String> {
        if name == "*" {
            return Ok(XStep::Any);
        }
        match name.split_once(':') {
            Some((p, l)) => {
                let uri = self
                    .doc(doc)
                    .prefixes
                    .get(p)
                    .cloned()
                    .ok_or_else(|| format!("prefix '{p}' is not declared"))?;
                if l == "*" {
                    Ok(XStep::AnyIn(uri))
                } else {
                    Ok(XStep::Name(QName::new(uri, l)))
                }
            }
            // XSD 1.0: an unprefixed name in these XPaths is in no namespace.
            None => Ok(XStep::Name(QName::new("", name))),
        }
    }

    // ----- attributes ------------------------------------------------------------

    fn attribute(
        &mut self,
        a: &AttributeType,
        doc: usize,
        path: &str,
        component: &str,
        out: &mut Vec<Attribute>,
    ) -> Result<(), GenerateError> {
        if matches!(a.use_, AttributeUseType::Prohibited) {
            return Ok(());
        }
        let required = matches!(a.use_, AttributeUseType::Required);
        if let Some(r) = &a.ref_ {
            let q = checked_qname(r).map_err(|m| self.schema_error(doc, component, m))?;
            if q.ns == XML {
                out.push(Attribute {
                    name: q,
                    ty: TypeRef::Builtin(Builtin::String),
                    required,
                    default: a.default.clone(),
                    fixed: a.fixed.clone(),
                    doc: documentation(a.annotation.as_ref()),
                });
                return Ok(());
            }
            let Some(&(global, gdoc)) = self.t.attributes.get(&q) else {
                return Err(self.schema_error(
                    doc,
                    component,
                    format!("attribute {q} is not declared"),
                ));
            };
            let ty = self.attribute_type(global, gdoc, &format!("{}_attr", q.local), component)?;
            out.push(Attribute {
                name: q,
                ty,
                required,
                default: a.default.clone().or_else(|| global.default.clone()),
                fixed: a.fixed.clone().or_else(|| global.fixed.clone()),
                doc: documentation(a.annotation.as_ref())
                    .or_else(|| documentation(global.annotation.as_ref())),
            });
            return Ok(());
        }
        let local = a.name.clone().unwrap_or_default();
        let qualified = match &a.form {
            Some(FormChoiceType::Qualified) => true,
            Some(FormChoiceType::Unqualified) => false,
            None => self.doc(doc).attributes_qualified,
        };
        let ns = if qualified {
            a.target_namespace
                .clone()
                .unwrap_or_else(|| self.doc(doc).target_ns.clone())
        } else {
            String::new()
        };
        let ty = self.attribute_type(a, doc, &format!("{path}/{local}_attr"), component)?;
        out.push(Attribute {
            name: QName::new(ns, local),
            ty,
            required,
            default: a.default.clone(),
            fixed: a.fixed.clone(),
            doc: documentation(a.annotation.as_ref()),
        });
        Ok(())
    }

    fn attribute_type(
        &mut self,
        a: &AttributeType,
        doc: usize,
        path: &str,
        component: &str,
    ) -> Result<TypeRef, GenerateError> {
        match (&a.simple_type, &a.type_) {
            (Some(st), _) => self.inline_simple(st, doc, path),
            (None, Some(q)) => {
                let t = self.resolve_type(q, doc, component)?;
                match t {
                    TypeRef::Complex(_) | TypeRef::AnyType => Err(self.schema_error(
                        doc,
                        component,
                        "an attribute must have a simple type".into(),
                    )),
                    t => Ok(t),
                }
            }
            (None, None) => Ok(TypeRef::Builtin(Builtin::AnySimpleType)),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn attribute_group(
        &mut self,
        g: &AttributeGroupType,
        doc: usize,
        path: &str,
        component: &str,
        out: &mut Vec<Attribute>,
        any: &mut Option<Wildcard>,
        depth: u32,
    ) -> Result<(), GenerateError> {
        if depth > 64 {
            return Err(self.schema_error(
                doc,
                component,
                "attribute groups refer to each other in a cycle".into(),
            ));
        }
        let (def, def_doc) = match &g.ref_ {
            Some(r) => {
                let q = checked_qname(r).map_err(|m| self.schema_error(doc, component, m))?;
                match self.t.attribute_groups.get(&q) {
                    Some(&(d, dd)) => (d, dd),
                    None => {
                        return Err(self.schema_error(
                            doc,
                            component,
                            format!("attributeGroup {q} is not declared"),
                        ));
                    }
                }
            }
            None => (g, doc),
        };
        for c in &def.content {
            match c {
                AttributeGroupTypeContent::Annotation(_) => {}
                AttributeGroupTypeContent::Attribute(a) => {
                    self.attribute(a, def_doc, path, component, out)?
                }
                AttributeGroupTypeContent::AttributeGroup(inner) => {
                    self.attribute_group(inner, def_doc, path, component, out, any, depth + 1)?
                }
                AttributeGroupTypeContent::AnyAttribute(w) => {
                    *any = Some(self.wildcard(w.namespace.as_ref(), &w.process_contents, def_doc))
                }
            }
        }
        Ok(())
    }

    fn wildcard(
        &self,
        ns: Option<&NamespaceListType>,
        process: &ProcessContentsType,
        doc: usize,
    ) -> Wildcard {
        let target = self.doc(doc).target_ns.clone();
        let namespaces = match ns {
            None | Some(NamespaceListType::Any) => NsConstraint::Any,
            Some(NamespaceListType::Other) => NsConstraint::Other(target),
            Some(NamespaceListType::BasicNamespaceList(list)) => NsConstraint::List(
                list.0
                    .iter()
                    .map(|i| match i {
                        BasicNamespaceListItemType::String(s) => s.clone(),
                        BasicNamespaceListItemType::TargetNamespace => target.clone(),
                        BasicNamespaceListItemType::Local => String::new(),
                    })
                    .collect(),
            ),
        };
        let process = match process {
            ProcessContentsType::Strict => Process::Strict,
            ProcessContentsType::Lax => Process::Lax,
            ProcessContentsType::Skip => Process::Skip,
        };
        Wildcard {
            namespaces,
            process,
        }
    }
}

#[derive(Clone, Copy)]
enum GroupKind {
    All,
    Choice,
    Sequence,
    /// `xs:group ref=...`: the referenced definition says which.
    Ref,
}

fn group_kind(c: &ComplexBaseTypeContent) -> GroupKind {
    match c {
        ComplexBaseTypeContent::All(_) => GroupKind::All,
        ComplexBaseTypeContent::Choice(_) => GroupKind::Choice,
        ComplexBaseTypeContent::Sequence(_) => GroupKind::Sequence,
        _ => GroupKind::Ref,
    }
}

/// Attributes of a restriction: the base's, replaced by restated ones and
/// without prohibited ones.
fn merge_attributes(
    base: Vec<Attribute>,
    own: Vec<Attribute>,
    prohibited: &BTreeSet<String>,
) -> Vec<Attribute> {
    let mut out: Vec<Attribute> = base
        .into_iter()
        .filter(|a| !prohibited.contains(&a.name.local) && !own.iter().any(|o| o.name == a.name))
        .collect();
    out.extend(own);
    out
}

fn check_unique_attributes(attrs: &[Attribute]) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for a in attrs {
        if !seen.insert(&a.name) {
            return Err(a.name.to_string());
        }
    }
    Ok(())
}
