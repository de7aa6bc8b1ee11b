//! Complex types: a struct per type whose fields follow the content model
//! (sequences flattened, choices as enums, repeated or optional groups as
//! helper types), with a reader that matches children greedily against
//! first-sets (XSD's Unique Particle Attribution makes that exact) and a
//! writer that emits them in order.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use crate::emit::ctx::{Ctx, ident};
use crate::emit::docs;
use crate::model::{
    Attribute, ComplexType, Content, Element, NsConstraint, Occurs, Particle, Process, QName, Term,
    TypeRef, Wildcard,
};
use crate::naming::{self, Namespace};

/// The element names (and wildcards) a particle can start with.
#[derive(Clone, Debug, Default)]
pub(crate) struct First {
    names: BTreeSet<QName>,
    wildcards: Vec<Wildcard>,
}

fn first_of(p: &Particle) -> (First, bool) {
    let (mut f, empty) = first_of_term(&p.term);
    if p.occurs.min == 0 {
        return (std::mem::take(&mut f), true);
    }
    (f, empty)
}

/// First-set of a term and whether it can match nothing.
fn first_of_term(t: &Term) -> (First, bool) {
    match t {
        Term::Element(e) => {
            let mut f = First::default();
            f.names.insert(e.name.clone());
            (f, false)
        }
        Term::Any(w) => (
            First {
                names: BTreeSet::new(),
                wildcards: vec![w.clone()],
            },
            false,
        ),
        Term::Sequence(ps) => {
            let mut f = First::default();
            for p in ps {
                let (pf, empty) = first_of(p);
                f.names.extend(pf.names);
                f.wildcards.extend(pf.wildcards);
                if !empty {
                    return (f, false);
                }
            }
            (f, true)
        }
        Term::Choice(ps) | Term::All(ps) => {
            let mut f = First::default();
            let mut any_empty = ps.is_empty();
            let all_empty = ps.iter().all(|p| first_of(p).1);
            for p in ps {
                let (pf, empty) = first_of(p);
                f.names.extend(pf.names);
                f.wildcards.extend(pf.wildcards);
                any_empty |= empty;
            }
            let empty = if matches!(t, Term::All(_)) {
                all_empty
            } else {
                any_empty
            };
            (f, empty)
        }
    }
}

/// Shape of a field: exactly one, optional, or a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    One,
    Opt,
    Many,
}

fn shape(occurs: Occurs, emptiable: bool) -> Shape {
    if occurs.repeats() {
        Shape::Many
    } else if occurs.min == 0 || emptiable {
        Shape::Opt
    } else {
        Shape::One
    }
}

pub(crate) enum FieldTerm {
    Element(Element),
    /// A helper type (struct for a sequence, enum for a choice) in the same module.
    Group {
        ty: Ident,
        first: First,
        describe: String,
    },
    Any(Wildcard),
}

pub(crate) struct Field {
    pub(crate) name: Ident,
    pub(crate) occurs: Occurs,
    pub(crate) shape: Shape,
    pub(crate) term: FieldTerm,
}

pub(crate) enum Aux {
    Struct {
        name: Ident,
        fields: Vec<Field>,
        all: bool,
        doc: String,
    },
    Enum {
        name: Ident,
        variants: Vec<Variant>,
        doc: String,
    },
}

pub(crate) struct Variant {
    pub(crate) name: Ident,
    pub(crate) occurs: Occurs,
    pub(crate) term: FieldTerm,
}

/// Per-type emission state.
pub struct TypeEmitter<'c, 'm> {
    pub(crate) ctx: &'c mut Ctx<'m>,
    pub(crate) module: String,
    aux: Vec<Aux>,
    /// The complex type being emitted (its helper types are part of it).
    pub(crate) owner: Option<crate::model::TypeId>,
    /// Its content is mixed: writers put text runs (a `TextRuns` named `t`)
    /// before child elements.
    pub(crate) mixed: bool,
}

fn describe(first: &First) -> String {
    let mut names: Vec<String> = first.names.iter().map(|q| q.local.clone()).collect();
    if !first.wildcards.is_empty() {
        names.push("any element".into());
    }
    names.join(" or ")
}

impl<'c, 'm> TypeEmitter<'c, 'm> {
    pub fn new(ctx: &'c mut Ctx<'m>, module: &str) -> Self {
        TypeEmitter {
            ctx,
            module: module.to_owned(),
            aux: Vec::new(),
            owner: None,
            mixed: false,
        }
    }

    fn ns_index(&self, ns: &str) -> TokenStream {
        if ns.is_empty() {
            return quote!(None);
        }
        match self.ctx.model.namespaces.keys().position(|k| k == ns) {
            Some(i) => {
                let i = Literal::u16_suffixed(i as u16);
                quote!(Some(#i))
            }
            None => quote!(None),
        }
    }

    /// `(ns index, "prefix:local", "local")` for writing an element name.
    fn write_name(&self, q: &QName) -> (TokenStream, Literal, Literal) {
        let idx = self.ns_index(&q.ns);
        let prefixed = match self.ctx.model.namespaces.get(&q.ns) {
            Some(info) if !q.ns.is_empty() => format!("{}:{}", info.prefix, q.local),
            _ => q.local.clone(),
        };
        (idx, Literal::string(&prefixed), Literal::string(&q.local))
    }

    fn attr_write_name(&self, q: &QName) -> Literal {
        match self.ctx.model.namespaces.get(&q.ns) {
            Some(info) if !q.ns.is_empty() => {
                Literal::string(&format!("{}:{}", info.prefix, q.local))
            }
            _ if q.ns == "http://www.w3.org/XML/1998/namespace" => {
                Literal::string(&format!("xml:{}", q.local))
            }
            _ => Literal::string(&q.local),
        }
    }

    // ----- planning --------------------------------------------------------------

    fn plan_particles(
        &mut self,
        owner: &str,
        ps: &[Particle],
        fields: &mut Vec<Field>,
        names: &mut Namespace,
    ) {
        for p in ps {
            self.plan_particle(owner, p, fields, names);
        }
    }

    fn plan_particle(
        &mut self,
        owner: &str,
        p: &Particle,
        fields: &mut Vec<Field>,
        names: &mut Namespace,
    ) {
        match &p.term {
            Term::Element(e) => {
                let name = ident(&names.claim(&naming::field_name(&e.name.local)));
                fields.push(Field {
                    name,
                    occurs: p.occurs,
                    shape: shape(p.occurs, false),
                    term: FieldTerm::Element((**e).clone()),
                });
            }
            Term::Sequence(children) if p.occurs == Occurs::ONE => {
                self.plan_particles(owner, children, fields, names);
            }
            Term::All(children) => self.plan_particles(owner, children, fields, names),
            Term::Sequence(_) | Term::Choice(_) => {
                let (first, emptiable) = first_of_term(&p.term);
                let (ty, field_base) = self.plan_group(owner, &p.term);
                let field_base = if p.occurs.repeats() {
                    format!("{field_base}_list")
                } else {
                    field_base
                };
                let name = ident(&names.claim(&field_base));
                let describe = describe(&first);
                fields.push(Field {
                    name,
                    occurs: p.occurs,
                    shape: shape(p.occurs, emptiable),
                    term: FieldTerm::Group {
                        ty,
                        first,
                        describe,
                    },
                });
            }
            Term::Any(w) => {
                let name = ident(&names.claim("any"));
                fields.push(Field {
                    name,
                    occurs: p.occurs,
                    shape: shape(p.occurs, false),
                    term: FieldTerm::Any(w.clone()),
                });
            }
        }
    }

    /// Plans a helper type for a group; returns its name and a field name for it.
    fn plan_group(&mut self, owner: &str, term: &Term) -> (Ident, String) {
        let elems: Vec<&str> = match term {
            Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) => ps
                .iter()
                .filter_map(|p| match &p.term {
                    Term::Element(e) => Some(e.name.local.as_str()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        match term {
            Term::Choice(branches) => {
                let (suffix, field) = if elems.len() == branches.len() && elems.len() == 2 {
                    (
                        format!(
                            "{}Or{}",
                            naming::type_name(elems[0]),
                            naming::type_name(elems[1])
                        ),
                        format!(
                            "{}_or_{}",
                            naming::field_name(elems[0]),
                            naming::field_name(elems[1])
                        ),
                    )
                } else {
                    ("Choice".to_owned(), "choice".to_owned())
                };
                let name = ident(&self.ctx.claim(&self.module, &format!("{owner}{suffix}")));
                let mut vnames = Namespace::default();
                let mut variants = Vec::new();
                for b in branches {
                    let (vname, term) = match &b.term {
                        Term::Element(e) => (
                            naming::variant_name(&e.name.local),
                            FieldTerm::Element((**e).clone()),
                        ),
                        Term::Any(w) => ("Any".to_owned(), FieldTerm::Any(w.clone())),
                        t => {
                            let (first, _) = first_of_term(t);
                            let describe = describe(&first);
                            let (ty, _) = self.plan_group(&name.to_string(), t);
                            (
                                ty.to_string(),
                                FieldTerm::Group {
                                    ty,
                                    first,
                                    describe,
                                },
                            )
                        }
                    };
                    variants.push(Variant {
                        name: ident(&vnames.claim(&vname)),
                        occurs: b.occurs,
                        term,
                    });
                }
                let doc = format!("One of: {}.", describe(&first_of_term(term).0));
                self.aux.push(Aux::Enum {
                    name: name.clone(),
                    variants,
                    doc,
                });
                (name, field)
            }
            Term::Sequence(ps) | Term::All(ps) => {
                let base = elems
                    .first()
                    .map(|e| naming::type_name(e))
                    .unwrap_or_default();
                let name = ident(&self.ctx.claim(&self.module, &format!("{owner}{base}Group")));
                let field = if base.is_empty() {
                    "group".to_owned()
                } else {
                    format!("{}_group", naming::field_name(&base))
                };
                let mut fields = Vec::new();
                let mut names = Namespace::default();
                self.plan_particles(&name.to_string(), ps, &mut fields, &mut names);
                let doc = format!("A group of elements in sequence: {}.", elems.join(", "));
                self.aux.push(Aux::Struct {
                    name: name.clone(),
                    fields,
                    all: matches!(term, Term::All(_)),
                    doc,
                });
                (name, field)
            }
            _ => (ident("Unreachable"), String::new()),
        }
    }

    // ----- types of fields -------------------------------------------------------

    /// Is a single occurrence of `e` boxed: of a type that contains the type
    /// being emitted, or large (see `emit::size`)? Repeated ones sit in a
    /// `Vec`, on the heap already.
    pub(crate) fn boxed(&self, e: &Element, many: bool) -> bool {
        !many
            && self.owner.as_ref().is_some_and(|o| {
                self.ctx.cycles_back(&e.ty, o) || self.ctx.sizes.is_boxed(o, &e.name)
            })
    }

    fn element_value_type(&self, e: &Element, many: bool) -> TokenStream {
        let t = self.ctx.rust_type(&e.ty, &self.module);
        let t = if self.boxed(e, many) {
            quote!(Box<#t>)
        } else {
            t
        };
        if e.nillable {
            quote!(rt::Nillable<#t>)
        } else {
            t
        }
    }

    fn term_type(&self, t: &FieldTerm, many: bool) -> TokenStream {
        match t {
            FieldTerm::Element(e) => self.element_value_type(e, many),
            FieldTerm::Group { ty, .. } => quote!(#ty),
            FieldTerm::Any(w) if w.process != Process::Skip => {
                quote!(rt::AnyContent<super::Document>)
            }
            FieldTerm::Any(_) => quote!(rt::AnyElement),
        }
    }

    fn field_type(&self, f: &Field) -> TokenStream {
        let t = self.term_type(&f.term, f.shape == Shape::Many);
        match f.shape {
            Shape::One => t,
            Shape::Opt => quote!(Option<#t>),
            Shape::Many => quote!(Vec<#t>),
        }
    }

    fn field_doc(&self, f: &Field) -> TokenStream {
        let occurs = occurs_text(f.occurs);
        match &f.term {
            FieldTerm::Element(e) => {
                let mut extra = format!("Element `{}`{occurs}.", e.name.local);
                if let Some(d) = &e.default {
                    extra.push_str(&format!(" Default: `{d}`."));
                }
                if let Some(d) = &e.fixed {
                    extra.push_str(&format!(" Fixed: `{d}`."));
                }
                docs::doc_attrs(e.doc.as_deref(), &extra)
            }
            FieldTerm::Group { describe, .. } => {
                docs::doc_attrs(None, &format!("{describe}{occurs}."))
            }
            FieldTerm::Any(w) => {
                docs::doc_attrs(None, &format!("Any element ({}){occurs}.", ns_text(w)))
            }
        }
    }

    // ----- the content table -----------------------------------------------------

    /// The namespace constant for `ns`: this module's `NS`, another
    /// module's, or none.
    fn ns_path(&self, ns: &str) -> TokenStream {
        self.ctx.ns_path(ns, &self.module)
    }

    fn name_tokens(&self, q: &QName) -> TokenStream {
        let ns = self.ns_path(&q.ns);
        let (_, prefixed, local) = self.write_name(q);
        quote!(#ns.name(#prefixed, #local))
    }

    /// One row of a content table: the particle's names and occurrences.
    fn child_row(&self, term: &FieldTerm, occurs: Occurs, emptiable: bool) -> TokenStream {
        let min = Literal::u32_unsuffixed(occurs.min);
        let max = match occurs.max {
            Some(m) => {
                let m = Literal::u32_unsuffixed(m);
                quote!(#m)
            }
            None => quote!(rt::UNBOUNDED),
        };
        match term {
            FieldTerm::Element(e) => {
                let ns = self.ns_path(&e.name.ns);
                let (_, prefixed, local) = self.write_name(&e.name);
                quote!(#ns.el(#prefixed, #local, #min, #max))
            }
            FieldTerm::Any(w) => {
                let w = wild_tokens(w);
                quote!(rt::Child::any(&[#w], #min, #max))
            }
            FieldTerm::Group {
                first, describe, ..
            } => {
                let label = Literal::string(describe);
                let names = first.names.iter().map(|q| self.name_tokens(q));
                let wild = first.wildcards.iter().map(wild_tokens);
                quote!(rt::Child::group(#label, &[#(#names),*], &[#(#wild),*], #min, #max, #emptiable))
            }
        }
    }

    /// `const CONTENT`: the table of a sequence's or all group's fields.
    fn field_table(&self, fields: &[Field]) -> TokenStream {
        let rows = fields.iter().map(|f| {
            let emptiable = f.shape == Shape::Opt && f.occurs.min > 0;
            self.child_row(&f.term, f.occurs, emptiable)
        });
        quote!(const CONTENT: &'static [rt::Child] = &[#(#rows),*];)
    }

    // ----- reading ---------------------------------------------------------------

    /// A reader of one occurrence of the element `e` (see `rt::read`).
    fn read_element_fn(&self, e: &Element, counted: bool) -> TokenStream {
        match &e.ty {
            TypeRef::Complex(id) => {
                let t = self.ctx.type_path(id, &self.module);
                let idc = self.idc_defs(e);
                // `counted` is set exactly for repeated occurrences, which are not boxed.
                let boxed = self.boxed(e, counted);
                match (e.nillable, idc, boxed) {
                    (false, None, false) => quote!(rt::complex(#t::read_started)),
                    (false, None, true) => quote!(rt::boxed(rt::complex(#t::read_started))),
                    (false, Some(d), false) => quote!(rt::complex_idc(#d, #t::read_started)),
                    (false, Some(d), true) => {
                        quote!(rt::boxed(rt::complex_idc(#d, #t::read_started)))
                    }
                    (true, idc, boxed) => {
                        let read = if boxed {
                            quote!(|r| #t::read_started(r).map(Box::new))
                        } else {
                            quote!(#t::read_started)
                        };
                        match idc {
                            Some(d) => quote!(rt::nillable_idc(#d, #read)),
                            None => quote!(rt::nillable(#read)),
                        }
                    }
                }
            }
            TypeRef::AnyType => quote!(rt::any),
            ty => {
                let read = self.ctx.read_simple_fn(ty, &self.module);
                let default = opt_lit(&e.default);
                let fixed = opt_lit(&e.fixed);
                match (e.nillable, e.default.is_some() || e.fixed.is_some()) {
                    (true, _) => quote!(rt::nillable_simple(#default, #fixed, #read)),
                    (false, true) => quote!(rt::simple_with(#default, #fixed, #read)),
                    (false, false) => quote!(rt::simple(#read)),
                }
            }
        }
    }

    /// The identity constraints an element scopes: its set's `const`.
    fn idc_defs(&self, e: &Element) -> Option<TokenStream> {
        let path = self.ctx.identity.path(&e.identity, &self.module)?;
        Some(quote!(#path.defs))
    }

    /// A reader of one occurrence of a term.
    fn read_fn(&self, t: &FieldTerm, counted: bool) -> TokenStream {
        match t {
            FieldTerm::Element(e) => self.read_element_fn(e, counted),
            FieldTerm::Group { ty, .. } => quote!(rt::group(#ty::read_content)),
            FieldTerm::Any(w) => match w.process {
                Process::Skip => quote!(rt::any),
                Process::Lax => quote!(rt::lax(super::Document::read_known)),
                Process::Strict => quote!(rt::strict(super::Document::read_known)),
            },
        }
    }

    /// `let f_x = c.one(r, ...)?;` per field of a sequence, or the loop of an all group.
    fn read_fields(&self, fields: &[Field], all: bool) -> TokenStream {
        if all {
            let decls = fields.iter().map(|f| {
                let var = var_ident(&f.name);
                quote!(let mut #var = None;)
            });
            let arms = fields.iter().map(|f| {
                let var = var_ident(&f.name);
                let read = self.read_fn(&f.term, false);
                quote!(if c.all(r, &mut #var, #read)? { continue; })
            });
            return quote! {
                #(#decls)*
                loop {
                    c.restart();
                    #(#arms)*
                    break;
                }
                c.all_done(r);
            };
        }
        let reads = fields.iter().map(|f| {
            let var = var_ident(&f.name);
            let elem_like = !matches!(f.term, FieldTerm::Group { .. });
            if f.shape == Shape::Many {
                let read = self.read_fn(&f.term, elem_like);
                quote!(let #var = c.many(r, #read)?;)
            } else {
                let read = self.read_fn(&f.term, false);
                quote!(let #var = c.one(r, #read)?;)
            }
        });
        quote!(#(#reads)*)
    }

    /// The field initializers of `Self { .. }` after the fields were read.
    fn field_inits(&self, fields: &[Field]) -> Vec<TokenStream> {
        fields
            .iter()
            .map(|f| {
                let var = var_ident(&f.name);
                let name = &f.name;
                if f.shape == Shape::One {
                    quote!(#name: rt::req(#var)?)
                } else {
                    quote!(#name: #var)
                }
            })
            .collect()
    }

    // ----- writing ---------------------------------------------------------------

    /// `o.simple(w, ...)` and the like: one field through the write cursor `o`.
    fn write_call(&self, o: TokenStream, t: &FieldTerm, values: TokenStream) -> TokenStream {
        match t {
            FieldTerm::Element(e) => match &e.ty {
                TypeRef::Complex(_) => quote!(#o.complex(w, #values)),
                TypeRef::AnyType => quote!(#o.any(w, #values)),
                _ if e.nillable => quote!(#o.nillable(w, #values)),
                _ => quote!(#o.simple(w, #values)),
            },
            FieldTerm::Group { .. } => quote!(#o.group(w, #values)),
            FieldTerm::Any(_) => quote!(#o.any(w, #values)),
        }
    }

    fn write_term(&self, t: &FieldTerm, values: TokenStream) -> TokenStream {
        let call = self.write_call(quote!(o), t, values);
        quote!(#call;)
    }

    fn write_field(&self, f: &Field) -> TokenStream {
        let name = &f.name;
        match f.shape {
            Shape::One => self.write_term(&f.term, quote!([&self.#name])),
            Shape::Opt | Shape::Many => self.write_term(&f.term, quote!(&self.#name)),
        }
    }

    // ----- attributes ------------------------------------------------------------

    fn attr_fields(&self, ct: &ComplexType, names: &mut Namespace) -> Vec<(Ident, Attribute)> {
        ct.attributes
            .iter()
            .map(|a| {
                (
                    ident(&names.claim(&naming::field_name(&a.name.local))),
                    a.clone(),
                )
            })
            .collect()
    }

    fn attr_type(&self, a: &Attribute) -> TokenStream {
        let t = self.ctx.rust_type(&a.ty, &self.module);
        if a.required { t } else { quote!(Option<#t>) }
    }

    /// Attribute reading: the loop with the required-attribute checks (run
    /// while the element is current, so errors carry its path), and the
    /// field initializers.
    fn read_attrs(
        &self,
        attrs: &[(Ident, Attribute)],
        any: Option<&(Ident, Wildcard)>,
    ) -> (TokenStream, Vec<TokenStream>) {
        let mut decls = Vec::new();
        let mut arms = Vec::new();
        let mut checks = Vec::new();
        let mut inits = Vec::new();
        for (name, a) in attrs {
            let var = var_ident(name);
            let ns = Literal::string(&a.name.ns);
            let local = Literal::string(&a.name.local);
            let read = self.ctx.read_simple_fn(&a.ty, &self.module);
            decls.push(quote!(let mut #var = rt::Att::Absent;));
            arms.push(match &a.fixed {
                Some(f) => {
                    let f = Literal::string(f);
                    quote!(if c.fixed_attr(r, i, (#ns, #local), Some(#f), &mut #var, #read)? { continue; })
                }
                None if a.name.ns.is_empty() => {
                    quote!(if c.attr(r, i, #local, &mut #var, #read)? { continue; })
                }
                None => quote!(if c.attr_ns(r, i, (#ns, #local), &mut #var, #read)? { continue; }),
            });
            if a.required {
                checks.push(quote!(c.require(r, &#var, #local);));
                inits.push(quote!(#name: #var.req()?));
            } else {
                inits.push(quote!(#name: #var.opt()));
            }
        }
        if let Some((name, w)) = any {
            let var = var_ident(name);
            let w = wild_tokens(w);
            decls.push(quote!(let mut #var = Vec::new();));
            arms.push(quote!(if c.any_attr(r, i, #w, &mut #var)? { continue; }));
            inits.push(quote!(#name: #var));
        }
        if arms.is_empty() {
            return (quote!(r.reject_attributes();), inits);
        }
        let read = quote! {
            #(#decls)*
            for i in 0..r.attr_count() {
                #(#arms)*
                r.unexpected_attr(i);
            }
            #(#checks)*
        };
        (read, inits)
    }

    fn write_attrs(
        &self,
        attrs: &[(Ident, Attribute)],
        any: Option<&(Ident, Wildcard)>,
    ) -> TokenStream {
        let mut out = Vec::new();
        for (name, a) in attrs {
            let q = self.attr_write_name(&a.name);
            if a.required {
                out.push(quote!(rt::write_attr(w, #q, &self.#name);));
            } else {
                out.push(quote!(rt::write_opt_attr(w, #q, &self.#name);));
            }
        }
        if let Some((name, _)) = any {
            out.push(quote! { for a in &self.#name { w.any_attr(a); } });
        }
        quote!(#(#out)*)
    }

    // ----- the type --------------------------------------------------------------

    /// Emits a complex type and the helper types of its content model.
    pub fn emit(mut self, ct: &ComplexType) -> TokenStream {
        let name_s = self.ctx.types[&ct.id].ident.clone();
        let name = ident(&name_s);
        self.owner = Some(ct.id.clone());
        self.mixed = ct.mixed && matches!(ct.content, Content::Elements(_));
        let doc = docs::doc_attrs(
            ct.doc.as_deref(),
            &format!("XSD complex type `{}`.", ct.id.name),
        );
        let mut names = Namespace::default();
        let attrs = self.attr_fields(ct, &mut names);
        let any_attr = ct
            .any_attribute
            .as_ref()
            .map(|w| (ident(&names.claim("any_attributes")), w.clone()));

        let mut content_fields = Vec::new();
        let mut simple_value: Option<(Ident, TypeRef)> = None;
        let mut all = false;
        match &ct.content {
            Content::Empty => {}
            Content::Simple(ty) => simple_value = Some((ident(&names.claim("value")), ty.clone())),
            Content::Elements(p) => {
                all = matches!(p.term, Term::All(_));
                if p.occurs == Occurs::ONE || all {
                    match &p.term {
                        Term::Sequence(ps) | Term::All(ps) => {
                            self.plan_particles(&name_s, ps, &mut content_fields, &mut names)
                        }
                        _ => self.plan_particle(&name_s, p, &mut content_fields, &mut names),
                    }
                } else {
                    self.plan_particle(&name_s, p, &mut content_fields, &mut names);
                }
            }
        }
        let text = self.mixed.then(|| ident(&names.claim("text")));
        let location = crate::emit::strategy::is_own_root(self.ctx.model, &ct.id)
            .then(|| ident(&names.claim("schema_location")));
        if let Some(n) = &location {
            self.ctx.location_fields.insert(ct.id.clone(), n.clone());
        }

        // Struct definition.
        let mut field_defs = Vec::new();
        for (fname, a) in &attrs {
            let t = self.attr_type(a);
            let mut extra = format!(
                "Attribute `{}`{}.",
                a.name.local,
                if a.required { ", required" } else { "" }
            );
            if let Some(d) = &a.default {
                extra.push_str(&format!(" Default when absent: `{d}`."));
            }
            if let Some(d) = &a.fixed {
                extra.push_str(&format!(" Fixed: `{d}`."));
            }
            let d = docs::doc_attrs(a.doc.as_deref(), &extra);
            field_defs.push(quote! { #d pub #fname: #t });
        }
        if let Some((fname, w)) = &any_attr {
            let d = docs::doc_attrs(
                None,
                &format!("Attributes matched by `xs:anyAttribute` ({}).", ns_text(w)),
            );
            field_defs.push(quote! { #d pub #fname: Vec<rt::AnyAttribute> });
        }
        if let Some((fname, ty)) = &simple_value {
            let t = self.ctx.rust_type(ty, &self.module);
            field_defs.push(quote! { #[doc = " The element's text content."] pub #fname: #t });
        }
        for f in &content_fields {
            let t = self.field_type(f);
            let d = self.field_doc(f);
            let n = &f.name;
            field_defs.push(quote! { #d pub #n: #t });
        }
        if let Some(n) = &text {
            field_defs.push(quote! {
                /// Mixed content: the text runs in document order, `text[0]` before the
                /// first child element, `text[i]` after the `i`-th (missing runs are empty;
                /// a read drops trailing empty runs).
                pub #n: Vec<String>
            });
        }
        if let Some(n) = &location {
            field_defs.push(quote! {
                /// `xsi:schemaLocation`/`xsi:noNamespaceSchemaLocation` of the element when
                /// it is a document's root, written back as read.
                pub #n: rt::SchemaLocation
            });
        }

        // Reader.
        let (attr_read, mut attr_inits) = self.read_attrs(&attrs, any_attr.as_ref());
        if let Some(n) = &location {
            attr_inits.push(quote!(#n: Default::default()));
        }
        let table = match &simple_value {
            None if !content_fields.is_empty() => self.field_table(&content_fields),
            _ => quote!(),
        };
        let body = match &simple_value {
            Some((fname, ty)) => {
                let read = self.ctx.read_simple_fn(ty, &self.module);
                quote! {
                    let text = r.text()?;
                    let value = c.take(rt::recover((#read)(r, &text, rt::Site::Element))?);
                    c.finish(r)?;
                    Ok(Self { #(#attr_inits,)* #fname: rt::req(value)? })
                }
            }
            None => {
                let mut inits = attr_inits.clone();
                let (mark, take) = match &text {
                    Some(n) => {
                        inits.push(quote!(#n: text_runs));
                        (
                            quote!(r.mixed_content();),
                            quote!(let text_runs = r.take_text_runs();),
                        )
                    }
                    None => (quote!(), quote!()),
                };
                let reads = self.read_fields(&content_fields, all);
                inits.extend(self.field_inits(&content_fields));
                quote! {
                    #mark
                    r.next_child()?;
                    #reads
                    #take
                    c.finish(r)?;
                    Ok(Self { #(#inits,)* })
                }
            }
        };

        // Writer.
        let attr_write = self.write_attrs(&attrs, any_attr.as_ref());
        let content_write = match &simple_value {
            Some((fname, _)) => quote! {
                rt::write_text(&self.#fname, w);
                rt::end(w, t);
            },
            None if matches!(ct.content, Content::Empty) => quote! {
                w.empty();
                let _ = t;
            },
            None => {
                let ws = content_fields.iter().map(|f| self.write_field(f));
                let open = match &text {
                    Some(n) => quote! {
                        let runs = &mut rt::TextRuns::new(&self.#n);
                        let mut o = rt::Out::mixed(Self::CONTENT, runs);
                    },
                    None if content_fields.is_empty() => quote!(),
                    None => quote!(let mut o = rt::Out::new(Self::CONTENT);),
                };
                let rest = if text.is_some() {
                    quote!(o.rest(w);)
                } else {
                    quote!()
                };
                quote! {
                    #open
                    #(#ws)*
                    #rest
                    rt::end(w, t);
                }
            }
        };
        let aux = std::mem::take(&mut self.aux);
        let aux_items: Vec<TokenStream> = aux.iter().map(|a| self.emit_aux(a)).collect();
        let strategies = if self.ctx.proptest {
            let c = (
                &ct.id,
                &name,
                &attrs,
                any_attr.as_ref(),
                simple_value.as_ref(),
            );
            let parts = (
                &content_fields[..],
                &aux[..],
                text.as_ref(),
                location.as_ref(),
            );
            crate::emit::strategy::complex(&self, c.0, c.1, c.2, c.3, c.4, parts)
        } else {
            quote!()
        };
        quote! {
            #doc
            #[derive(Clone, Debug, PartialEq)]
            pub struct #name {
                #(#field_defs,)*
            }

            impl rt::Element for #name {
                #table

                fn read_started(r: &mut rt::Reader<'_>) -> rt::ReadResult<Self> {
                    let mut c = rt::Content::new(Self::CONTENT);
                    #attr_read
                    #body
                }

                fn write_started(&self, w: &mut rt::Writer, t: rt::Tag<'_>) {
                    #attr_write
                    #content_write
                }
            }

            #(#aux_items)*

            #strategies
        }
    }

    fn emit_aux(&self, a: &Aux) -> TokenStream {
        match a {
            Aux::Struct {
                name,
                fields,
                all,
                doc,
            } => {
                let doc = docs::doc_attrs(None, doc);
                let defs = fields.iter().map(|f| {
                    let t = self.field_type(f);
                    let d = self.field_doc(f);
                    let n = &f.name;
                    quote! { #d pub #n: #t }
                });
                let table = self.field_table(fields);
                let reads = self.read_fields(fields, *all);
                let inits = self.field_inits(fields);
                let writes = fields.iter().map(|f| self.write_field(f));
                quote! {
                    #doc
                    #[derive(Clone, Debug, PartialEq)]
                    pub struct #name {
                        #(#defs,)*
                    }

                    impl rt::Group for #name {
                        #table

                        fn read_content(r: &mut rt::Reader<'_>) -> rt::ReadResult<Self> {
                            let mut c = rt::Content::group(Self::CONTENT);
                            #reads
                            c.done()?;
                            Ok(Self { #(#inits,)* })
                        }

                        fn write_content(&self, w: &mut rt::Writer, o: &mut rt::Out<'_, '_>) {
                            let mut o = o.nested(Self::CONTENT);
                            #(#writes)*
                        }
                    }
                }
            }
            Aux::Enum {
                name,
                variants,
                doc,
            } => self.emit_choice(name, variants, doc),
        }
    }

    fn emit_choice(&self, name: &Ident, variants: &[Variant], doc: &str) -> TokenStream {
        let doc = docs::doc_attrs(None, doc);
        let mut defs = Vec::new();
        let mut rows = Vec::new();
        let mut reads = Vec::new();
        let mut writes = Vec::new();
        for v in variants {
            let vn = &v.name;
            let many = v.occurs.repeats();
            let t = self.term_type(&v.term, many);
            let label = Self::term_label(&v.term);
            let vdoc = docs::doc_attrs(None, &format!("{label}{}.", occurs_text(v.occurs)));
            rows.push(self.child_row(&v.term, v.occurs, false));
            let label = Literal::string(&label);
            if many {
                let elem_like = !matches!(v.term, FieldTerm::Group { .. });
                defs.push(quote! { #vdoc #vn(Vec<#t>) });
                let read = self.read_fn(&v.term, elem_like);
                reads.push(
                    quote!(if let Some(v) = c.variants(r, #read)? { return Ok(Self::#vn(v)); }),
                );
                let write = self.write_call(quote!(o.alt(#label)), &v.term, quote!(v));
                writes.push(quote!(Self::#vn(v) => #write,));
            } else {
                defs.push(quote! { #vdoc #vn(#t) });
                let read = self.read_fn(&v.term, false);
                reads.push(
                    quote!(if let Some(v) = c.variant(r, #read)? { return Ok(Self::#vn(v)); }),
                );
                let write = self.write_call(quote!(o.alt(#label)), &v.term, quote!([v]));
                writes.push(quote!(Self::#vn(v) => #write,));
            }
        }
        quote! {
            #doc
            #[derive(Clone, Debug, PartialEq)]
            pub enum #name {
                #(#defs,)*
            }

            impl rt::Group for #name {
                const CONTENT: &'static [rt::Child] = &[#(#rows),*];

                fn read_content(r: &mut rt::Reader<'_>) -> rt::ReadResult<Self> {
                    let mut c = rt::Content::group(Self::CONTENT);
                    #(#reads)*
                    Err(rt::Fail::Invalid)
                }

                fn write_content(&self, w: &mut rt::Writer, o: &mut rt::Out<'_, '_>) {
                    let mut o = o.nested(Self::CONTENT);
                    match self {
                        #(#writes)*
                    }
                }
            }
        }
    }

    fn term_label(t: &FieldTerm) -> String {
        match t {
            FieldTerm::Element(e) => e.name.local.clone(),
            FieldTerm::Group { describe, .. } => describe.clone(),
            FieldTerm::Any(_) => "any element".into(),
        }
    }

    /// The element name to write a root with.
    pub fn root_write_name(&self, e: &Element) -> (TokenStream, Literal, Literal) {
        self.write_name(&e.name)
    }

    /// Read and write bodies of a root element's `XmlRoot` impl: on the
    /// type itself (`own`: the element's anonymous type) or on a wrapper.
    pub fn root_parts(&self, e: &Element, own: bool) -> (TokenStream, TokenStream) {
        if own {
            let mut plain = e.clone();
            plain.nillable = false;
            let read = self.read_element_fn(&plain, false);
            return (
                quote!((#read)(r, false)),
                quote!(rt::Element::write_started(self, w, rt::Tag { ns, prefixed, local });),
            );
        }
        let read = self.read_element_fn(e, false);
        let read = quote!((#read)(r, false).map(|v| Self(v, r.take_root_schema_location())));
        let plain = match &e.ty {
            TypeRef::Complex(_) => {
                quote!(rt::Element::write_started(x, w, rt::Tag { ns, prefixed, local });)
            }
            TypeRef::AnyType => quote!(x.write_started(w, prefixed);),
            _ => quote! {
                rt::write_text(x, w);
                w.end_el(ns, prefixed, local);
            },
        };
        let write = if e.nillable {
            quote! {
                match &self.0 {
                    rt::Nillable::Nil => w.nil(),
                    rt::Nillable::Value(x) => { #plain }
                }
            }
        } else {
            quote! {{ let x = &self.0; #plain }}
        };
        (read, write)
    }
}

fn var_ident(name: &Ident) -> Ident {
    ident(&format!("f_{}", name.to_string().trim_start_matches("r#")))
}

fn opt_lit(v: &Option<String>) -> TokenStream {
    match v {
        Some(s) => {
            let l = Literal::string(s);
            quote!(Some(#l))
        }
        None => quote!(None),
    }
}

fn occurs_text(o: Occurs) -> String {
    match (o.min, o.max) {
        (1, Some(1)) => String::new(),
        (0, Some(1)) => ", optional".into(),
        (min, None) => format!(", {min} or more"),
        (min, Some(max)) => format!(", {min} to {max} times"),
    }
}

fn ns_text(w: &Wildcard) -> String {
    let ns = match &w.namespaces {
        NsConstraint::Any => "any namespace".to_owned(),
        NsConstraint::Other(t) => format!("any namespace but {t}"),
        NsConstraint::List(l) => l
            .iter()
            .map(|n| {
                if n.is_empty() {
                    "no namespace".to_owned()
                } else {
                    n.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
    };
    let p = match w.process {
        Process::Strict => "strict",
        Process::Lax => "lax",
        Process::Skip => "skip",
    };
    format!("{ns}, processContents {p}")
}

/// A wildcard's namespace constraint as `rt::Wild`.
fn wild_tokens(w: &Wildcard) -> TokenStream {
    match &w.namespaces {
        NsConstraint::Any => quote!(rt::Wild::Any),
        NsConstraint::Other(t) => {
            let t = Literal::string(t);
            quote!(rt::Wild::Other(#t))
        }
        NsConstraint::List(l) => {
            let l = l.iter().map(|s| Literal::string(s));
            quote!(rt::Wild::List(&[#(#l),*]))
        }
    }
}
