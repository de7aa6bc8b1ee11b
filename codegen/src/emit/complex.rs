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
    Attribute, ComplexType, Content, Element, IdentityKind, NsConstraint, Occurs, Particle,
    Process, QName, Term, TypeRef, Wildcard, XPath, XStep,
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
            return quote!(::std::option::Option::None);
        }
        match self.ctx.model.namespaces.keys().position(|k| k == ns) {
            Some(i) => {
                let i = Literal::u16_suffixed(i as u16);
                quote!(::std::option::Option::Some(#i))
            }
            None => quote!(::std::option::Option::None),
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

    /// Is `e` of a type that contains the type being emitted? Then a single
    /// occurrence is boxed (repeated ones sit in a `Vec`, on the heap already).
    pub(crate) fn boxed(&self, e: &Element, many: bool) -> bool {
        !many
            && self
                .owner
                .as_ref()
                .is_some_and(|o| self.ctx.cycles_back(&e.ty, o))
    }

    fn element_value_type(&self, e: &Element, many: bool) -> TokenStream {
        let t = self.ctx.rust_type(&e.ty, &self.module);
        let t = if self.boxed(e, many) {
            quote!(::std::boxed::Box<#t>)
        } else {
            t
        };
        if e.nillable {
            quote!(::xsd_runtime::Nillable<#t>)
        } else {
            t
        }
    }

    fn term_type(&self, t: &FieldTerm, many: bool) -> TokenStream {
        match t {
            FieldTerm::Element(e) => self.element_value_type(e, many),
            FieldTerm::Group { ty, .. } => quote!(#ty),
            FieldTerm::Any(w) if w.process != Process::Skip => {
                quote!(::xsd_runtime::xml::AnyContent<super::Document>)
            }
            FieldTerm::Any(_) => quote!(::xsd_runtime::xml::AnyElement),
        }
    }

    fn field_type(&self, f: &Field) -> TokenStream {
        let t = self.term_type(&f.term, f.shape == Shape::Many);
        match f.shape {
            Shape::One => t,
            Shape::Opt => quote!(::std::option::Option<#t>),
            Shape::Many => quote!(::std::vec::Vec<#t>),
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

    // ----- reading ---------------------------------------------------------------

    /// A condition: is the pending child one the first-set allows?
    fn starts_cond(&self, first: &First) -> TokenStream {
        let mut conds: Vec<TokenStream> = first
            .names
            .iter()
            .map(|q| {
                let ns = Literal::string(&q.ns);
                let l = Literal::string(&q.local);
                quote!(r.is(#ns, #l))
            })
            .collect();
        for w in &first.wildcards {
            conds.push(wildcard_cond(w));
        }
        if conds.is_empty() {
            return quote!(false);
        }
        quote!(#(#conds)||*)
    }

    /// An expression reading the pending element `e` (a `ReadResult`).
    fn read_element_expr(&self, e: &Element, counted: bool) -> TokenStream {
        let idc = self.idc_scope(e);
        match &e.ty {
            TypeRef::Complex(id) => {
                let t = self.ctx.type_path(id, &self.module);
                // `counted` is set exactly for repeated occurrences, which are not boxed.
                let boxing = if self.boxed(e, counted) {
                    quote!(.map(::std::boxed::Box::new))
                } else {
                    quote!()
                };
                if e.nillable {
                    quote! {{
                        r.begin(#counted)?;
                        #idc
                        if r.is_nil() {
                            r.nil_content()?;
                            r.finish()?;
                            Ok(::xsd_runtime::Nillable::Nil)
                        } else {
                            #t::read_started(r)#boxing.map(::xsd_runtime::Nillable::Value)
                        }
                    }}
                } else {
                    quote! {{
                        r.begin(#counted)?;
                        r.check_not_nil();
                        #idc
                        #t::read_started(r)#boxing
                    }}
                }
            }
            TypeRef::AnyType => quote!(r.read_any(#counted)),
            ty => {
                let read = self
                    .ctx
                    .read_simple(ty, &self.module, quote!(text), quote!(site));
                let default = opt_lit(&e.default);
                let fixed = opt_lit(&e.fixed);
                if e.nillable {
                    quote! {
                        r.nillable_simple_element(#counted, #default, #fixed, |r, text, site| #read)
                            .map(|v| match v {
                                ::std::option::Option::Some(v) => ::xsd_runtime::Nillable::Value(v),
                                ::std::option::Option::None => ::xsd_runtime::Nillable::Nil,
                            })
                    }
                } else {
                    quote!(r.simple_element(#counted, #default, #fixed, |r, text, site| #read))
                }
            }
        }
    }

    fn idc_scope(&self, e: &Element) -> TokenStream {
        if e.identity.is_empty() {
            return quote!();
        }
        let defs = e.identity.iter().map(|c| {
            let name = Literal::string(&c.name.local);
            let kind = match &c.kind {
                IdentityKind::Unique => quote!(::xsd_runtime::xml::idc::IdcKind::Unique),
                IdentityKind::Key => quote!(::xsd_runtime::xml::idc::IdcKind::Key),
                IdentityKind::Keyref { refer } => {
                    let r = Literal::string(&refer.local);
                    quote!(::xsd_runtime::xml::idc::IdcKind::Keyref { refer: #r })
                }
            };
            let selector = c.selector.iter().map(xpath_tokens);
            let fields = c.fields.iter().map(|alts| {
                let alts = alts.iter().map(xpath_tokens);
                quote!(&[#(#alts),*])
            });
            quote! {
                ::xsd_runtime::xml::idc::IdcDef {
                    name: #name,
                    kind: #kind,
                    selector: &[#(#selector),*],
                    fields: &[#(#fields),*],
                }
            }
        });
        quote! {
            {
                static IDENTITY: &[::xsd_runtime::xml::idc::IdcDef] = &[#(#defs),*];
                r.idc_scope(IDENTITY);
            }
        }
    }

    /// Reads one occurrence of a term: an expression of `ReadResult<T>`.
    fn read_term_expr(&self, t: &FieldTerm, counted: bool) -> TokenStream {
        match t {
            FieldTerm::Element(e) => self.read_element_expr(e, counted),
            FieldTerm::Group { ty, .. } => quote!(#ty::read_content(r)),
            FieldTerm::Any(w) => match w.process {
                Process::Skip => quote!(r.read_any(#counted)),
                // Declared elements are read and validated as such.
                Process::Lax => quote! {
                    match super::Document::read_known(r) {
                        ::std::option::Option::Some(res) => res.map(|d| ::xsd_runtime::xml::AnyContent::Known(::std::boxed::Box::new(d))),
                        ::std::option::Option::None => r.read_any(#counted).map(::xsd_runtime::xml::AnyContent::Other),
                    }
                },
                Process::Strict => quote! {
                    match super::Document::read_known(r) {
                        ::std::option::Option::Some(res) => res.map(|d| ::xsd_runtime::xml::AnyContent::Known(::std::boxed::Box::new(d))),
                        ::std::option::Option::None => {
                            r.undeclared()?;
                            Err(::xsd_runtime::xml::Fail::Invalid)
                        }
                    }
                },
            },
        }
    }

    fn term_cond(&self, t: &FieldTerm) -> TokenStream {
        match t {
            FieldTerm::Element(e) => {
                let ns = Literal::string(&e.name.ns);
                let l = Literal::string(&e.name.local);
                quote!(r.is(#ns, #l))
            }
            FieldTerm::Group { first, .. } => self.starts_cond(first),
            FieldTerm::Any(w) => wildcard_cond(w),
        }
    }

    fn term_label(t: &FieldTerm) -> String {
        match t {
            FieldTerm::Element(e) => e.name.local.clone(),
            FieldTerm::Group { describe, .. } => describe.clone(),
            FieldTerm::Any(_) => "any element".into(),
        }
    }

    /// Statements reading a field of a sequence into `f_<name>`.
    fn read_field(&self, f: &Field) -> (TokenStream, TokenStream) {
        let var = var_ident(&f.name);
        let cond = self.term_cond(&f.term);
        let label = Literal::string(&Self::term_label(&f.term));
        let elem_like = !matches!(f.term, FieldTerm::Group { .. });
        match f.shape {
            Shape::One | Shape::Opt => {
                let read = self.read_term_expr(&f.term, false);
                let decl = quote!(let mut #var = ::std::option::Option::None;);
                let missing = if f.shape == Shape::One {
                    quote! { else { r.missing(#label, 1, 0); ok = false; } }
                } else {
                    quote!()
                };
                let stmt = quote! {
                    if #cond {
                        match ::xsd_runtime::xml::recover(#read)? {
                            ::std::option::Option::Some(v) => #var = ::std::option::Option::Some(v),
                            ::std::option::Option::None => ok = false,
                        }
                    } #missing
                };
                (decl, stmt)
            }
            Shape::Many => {
                let read = self.read_term_expr(&f.term, elem_like);
                let count = count_ident(&f.name);
                // Counted only when a bound needs checking.
                let counted = f.occurs.max.is_some() || f.occurs.min > 0;
                let decl = if counted {
                    quote! {
                        let mut #var = ::std::vec::Vec::new();
                        let mut #count: u32 = 0;
                    }
                } else {
                    quote!(let mut #var = ::std::vec::Vec::new();)
                };
                let incr = if counted {
                    quote!(#count += 1;)
                } else {
                    quote!()
                };
                let over = match f.occurs.max {
                    Some(max) if elem_like => {
                        let max = Literal::u32_suffixed(max);
                        quote! {
                            if #count > #max {
                                r.too_many(#label, #max, #count);
                                r.skip_pending()?;
                                continue;
                            }
                        }
                    }
                    Some(max) => {
                        let max = Literal::u32_suffixed(max);
                        quote! { if #count > #max { break; } }
                    }
                    None => quote!(),
                };
                let under = if f.occurs.min > 0 {
                    let min = Literal::u32_suffixed(f.occurs.min);
                    quote! { if #count < #min { r.missing(#label, #min, #count); ok = false; } }
                } else {
                    quote!()
                };
                let stmt = quote! {
                    while #cond {
                        #incr
                        #over
                        match ::xsd_runtime::xml::recover(#read)? {
                            ::std::option::Option::Some(v) => #var.push(v),
                            ::std::option::Option::None => ok = false,
                        }
                    }
                    // A Vec grown by push keeps room for four or more: in large
                    // documents that slack outweighed the values themselves.
                    #var.shrink_to_fit();
                    #under
                };
                (decl, stmt)
            }
        }
    }

    /// `xs:all`: children in any order, each at most once.
    fn read_all(&self, fields: &[Field]) -> (Vec<TokenStream>, TokenStream) {
        let mut decls = Vec::new();
        let mut arms = Vec::new();
        let mut checks = Vec::new();
        for f in fields {
            let var = var_ident(&f.name);
            let seen = count_ident(&f.name);
            decls.push(quote! {
                let mut #var = ::std::option::Option::None;
                let mut #seen = false;
            });
            let cond = self.term_cond(&f.term);
            let read = self.read_term_expr(&f.term, false);
            let label = Literal::string(&Self::term_label(&f.term));
            arms.push(quote! {
                if #cond {
                    if #seen {
                        r.too_many(#label, 1, 2);
                        r.skip_pending()?;
                    } else {
                        #seen = true;
                        match ::xsd_runtime::xml::recover(#read)? {
                            ::std::option::Option::Some(v) => #var = ::std::option::Option::Some(v),
                            ::std::option::Option::None => ok = false,
                        }
                    }
                    continue;
                }
            });
            if f.shape == Shape::One {
                checks.push(quote! { if !#seen { r.missing(#label, 1, 0); ok = false; } });
            }
        }
        let stmt = quote! {
            loop {
                #(#arms)*
                break;
            }
            #(#checks)*
        };
        (decls, stmt)
    }

    fn build_fields(&self, fields: &[Field]) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let mut lets = Vec::new();
        let mut inits = Vec::new();
        for f in fields {
            let var = var_ident(&f.name);
            let name = &f.name;
            if f.shape == Shape::One {
                lets.push(quote! {
                    let ::std::option::Option::Some(#var) = #var else {
                        return Err(::xsd_runtime::xml::Fail::Invalid);
                    };
                });
            }
            inits.push(quote!(#name: #var));
        }
        (lets, inits)
    }

    /// Statements that skip children no field from `i` on can take (only
    /// at the top level of a type's content: a group's reader must leave
    /// the parent's elements). What such a child is, is decided once, by
    /// [`Self::child_position_fn`] and the reader: a repeat of an earlier
    /// single element is one too many, an earlier repeated element is out
    /// of order with its index, anything else goes to `stray`.
    fn skip_strays(i: usize) -> TokenStream {
        quote! {
            while r.at_element() && Self::child_position(r, #i).is_none() {
                let earlier = Self::child_position(r, 0).map(|j| (KINDS[j], seen[j]));
                r.stray_among(earlier)?;
            }
        }
    }

    /// `fn child_position(r, from)`: the first field at or after `from`
    /// whose element (or group, or wildcard) the pending child can be.
    fn child_position_fn(&self, fields: &[Field]) -> TokenStream {
        let arms = fields.iter().enumerate().map(|(k, f)| {
            let cond = self.term_cond(&f.term);
            quote! { if from <= #k && (#cond) { return ::std::option::Option::Some(#k); } }
        });
        quote! {
            /// The first field at or after `from` that the pending child can start.
            #[doc(hidden)]
            pub fn child_position(r: &::xsd_runtime::xml::XmlReader<'_>, from: usize) -> ::std::option::Option<usize> {
                #(#arms)*
                ::std::option::Option::None
            }
        }
    }

    /// Body statements reading the fields of a sequence or all group, ending
    /// in `Ok(Self { .. })` (after `before_build`).
    fn read_fields_body(
        &self,
        fields: &[Field],
        all: bool,
        top: bool,
        before_build: TokenStream,
        extra_inits: &[TokenStream],
    ) -> TokenStream {
        let (decls, stmts) = if all {
            let (d, s) = self.read_all(fields);
            (d, vec![s])
        } else {
            let mut decls = Vec::new();
            let mut stmts = Vec::new();
            if top && !fields.is_empty() {
                // Per field: 1 = a single element, 2 = a repeated one, 0 = a group or wildcard.
                let kinds = fields.iter().map(|f| match (&f.term, f.shape) {
                    (FieldTerm::Element(_), Shape::Many) => 2u8,
                    (FieldTerm::Element(_), _) => 1u8,
                    _ => 0u8,
                });
                let n = fields.len();
                decls.push(quote! {
                    const KINDS: [u8; #n] = [#(#kinds),*];
                    let mut seen = [false; #n];
                });
            }
            for (i, f) in fields.iter().enumerate() {
                let (d, s) = self.read_field(f);
                decls.push(d);
                if top {
                    stmts.push(Self::skip_strays(i));
                }
                stmts.push(s);
                // Read by the stray checks of later fields only.
                if top && f.shape != Shape::Many && i + 1 < fields.len() {
                    let var = var_ident(&f.name);
                    stmts.push(quote!(seen[#i] = #var.is_some();));
                }
            }
            (decls, stmts)
        };
        let (lets, inits) = self.build_fields(fields);
        quote! {
            #(#decls)*
            #(#stmts)*
            #before_build
            if !ok {
                return Err(::xsd_runtime::xml::Fail::Invalid);
            }
            #(#lets)*
            Ok(Self { #(#inits,)* #(#extra_inits,)* })
        }
    }

    // ----- writing ---------------------------------------------------------------

    fn write_element(&self, e: &Element, v: TokenStream) -> TokenStream {
        let (ns, prefixed, local) = self.write_name(&e.name);
        let plain = match &e.ty {
            TypeRef::Complex(_) => quote!(x.write_xml(w, #ns, #prefixed, #local);),
            TypeRef::AnyType => quote!(x.write_xml(w);),
            _ => quote! {
                w.start_el(#ns, #prefixed, #local);
                w.text_with(|o| ::xsd_runtime::xsd::Lexical::write_lexical(x, o));
                w.end_el(#ns, #prefixed, #local);
            },
        };
        if e.nillable {
            quote! {
                match #v {
                    ::xsd_runtime::Nillable::Nil => {
                        w.start_el(#ns, #prefixed, #local);
                        w.nil();
                    }
                    ::xsd_runtime::Nillable::Value(x) => { #plain }
                }
            }
        } else {
            quote! {{ let x = #v; #plain }}
        }
    }

    fn write_term(&self, t: &FieldTerm, v: TokenStream) -> TokenStream {
        let text = if self.mixed {
            quote!(t.next(w);)
        } else {
            quote!()
        };
        match t {
            FieldTerm::Element(e) => {
                let write = self.write_element(e, v);
                quote! { #text #write }
            }
            FieldTerm::Group { .. } if self.mixed => quote!((#v).write_content(w, t);),
            FieldTerm::Group { .. } => quote!((#v).write_content(w);),
            FieldTerm::Any(_) => quote! { #text (#v).write_xml(w); },
        }
    }

    /// The parameters of a helper type's `write_content`.
    fn content_params(&self) -> TokenStream {
        if self.mixed {
            quote!(w: &mut ::xsd_runtime::xml::XmlWriter, t: &mut ::xsd_runtime::xml::TextRuns<'_>)
        } else {
            quote!(w: &mut ::xsd_runtime::xml::XmlWriter)
        }
    }

    fn write_field(&self, f: &Field) -> TokenStream {
        let name = &f.name;
        match f.shape {
            Shape::One => self.write_term(&f.term, quote!(&self.#name)),
            Shape::Opt => {
                let body = self.write_term(&f.term, quote!(v));
                quote! { if let ::std::option::Option::Some(v) = &self.#name { #body } }
            }
            Shape::Many => {
                let body = self.write_term(&f.term, quote!(v));
                quote! { for v in &self.#name { #body } }
            }
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
        if a.required {
            t
        } else {
            quote!(::std::option::Option<#t>)
        }
    }

    /// Attribute reading: the loop with the required-attribute checks (run
    /// while the element is current, so errors carry its path), the
    /// bindings of required values (after the element is finished) and the
    /// field initializers.
    fn read_attrs(
        &self,
        attrs: &[(Ident, Attribute)],
        any: Option<&(Ident, Wildcard)>,
    ) -> (TokenStream, TokenStream, Vec<TokenStream>) {
        let mut decls = Vec::new();
        let mut arms = Vec::new();
        let mut checks = Vec::new();
        let mut after = Vec::new();
        let mut inits = Vec::new();
        for (name, a) in attrs {
            let var = var_ident(name);
            let seen = count_ident(name);
            let ns = Literal::string(&a.name.ns);
            let local = Literal::string(&a.name.local);
            let read = self.ctx.read_simple(
                &a.ty,
                &self.module,
                quote!(&text),
                quote!(::xsd_runtime::xml::Site::Attribute(#local)),
            );
            let fixed = match &a.fixed {
                Some(f) => {
                    let f = Literal::string(f);
                    quote!(r.check_fixed_attr(#local, &text, #f);)
                }
                None => quote!(),
            };
            decls.push(quote! {
                let mut #var = ::std::option::Option::None;
                let mut #seen = false;
            });
            arms.push(quote! {
                if r.attr_is(i, #ns, #local) {
                    #seen = true;
                    let text = r.attr_value(i)?;
                    #fixed
                    match ::xsd_runtime::xml::recover(#read)? {
                        ::std::option::Option::Some(v) => #var = ::std::option::Option::Some(v),
                        ::std::option::Option::None => ok = false,
                    }
                    continue;
                }
            });
            if a.required {
                checks.push(quote! { if !#seen { r.missing_attr(#local); ok = false; } });
                after.push(quote! {
                    let ::std::option::Option::Some(#var) = #var else {
                        return Err(::xsd_runtime::xml::Fail::Invalid);
                    };
                });
            } else {
                checks.push(quote!(let _ = #seen;));
            }
            inits.push(quote!(#name: #var));
        }
        let fallback = match any {
            Some((name, w)) => {
                let var = var_ident(name);
                decls.push(quote!(let mut #var = ::std::vec::Vec::new();));
                inits.push(quote!(#name: #var));
                let allow = attr_wildcard_cond(w);
                quote! {
                    if #allow {
                        let (namespace, name) = r.attr_name(i);
                        let value = r.attr_value(i)?.into_owned();
                        #var.push(::xsd_runtime::xml::AnyAttribute { namespace, name: name.to_owned(), value });
                    } else {
                        r.unexpected_attr(i);
                    }
                }
            }
            None => quote!(r.unexpected_attr(i);),
        };
        let read = quote! {
            #(#decls)*
            #[allow(clippy::never_loop)]
            for i in 0..r.attr_count() {
                #(#arms)*
                #fallback
            }
            #(#checks)*
        };
        let after = quote!(#(#after)*);
        (read, after, inits)
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
                out.push(quote! { w.attr_with(#q, |o| ::xsd_runtime::xsd::Lexical::write_lexical(&self.#name, o)); });
            } else {
                out.push(quote! {
                    if let ::std::option::Option::Some(v) = &self.#name {
                        w.attr_with(#q, |o| ::xsd_runtime::xsd::Lexical::write_lexical(v, o));
                    }
                });
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
            field_defs
                .push(quote! { #d pub #fname: ::std::vec::Vec<::xsd_runtime::xml::AnyAttribute> });
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
                pub #n: ::std::vec::Vec<::std::string::String>
            });
        }

        // Reader.
        let (attr_read, attr_after, attr_inits) = self.read_attrs(&attrs, any_attr.as_ref());
        let body = match &simple_value {
            Some((fname, ty)) => {
                let read = self.ctx.read_simple(
                    ty,
                    &self.module,
                    quote!(&text),
                    quote!(::xsd_runtime::xml::Site::Element),
                );
                quote! {
                    let text = r.text()?;
                    let value = ::xsd_runtime::xml::recover(#read)?;
                    r.finish()?;
                    #attr_after
                    let ::std::option::Option::Some(value) = value else {
                        return Err(::xsd_runtime::xml::Fail::Invalid);
                    };
                    if !ok {
                        return Err(::xsd_runtime::xml::Fail::Invalid);
                    }
                    Ok(Self { #(#attr_inits,)* #fname: value })
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
                let fields_body = self.read_fields_body(
                    &content_fields,
                    all,
                    true,
                    quote! { #take r.finish()?; #attr_after },
                    &inits,
                );
                quote! {
                    #mark
                    r.next_child()?;
                    #fields_body
                }
            }
        };

        // Writer.
        let attr_write = self.write_attrs(&attrs, any_attr.as_ref());
        let content_write = match &simple_value {
            Some((fname, _)) => quote! {
                w.text_with(|o| ::xsd_runtime::xsd::Lexical::write_lexical(&self.#fname, o));
            },
            None => {
                let ws = content_fields.iter().map(|f| self.write_field(f));
                match &text {
                    Some(n) => quote! {
                        let t = &mut ::xsd_runtime::xml::TextRuns::new(&self.#n);
                        #(#ws)*
                        t.rest(w);
                    },
                    None => quote!(#(#ws)*),
                }
            }
        };
        let child_position = if simple_value.is_none() && !all && !content_fields.is_empty() {
            self.child_position_fn(&content_fields)
        } else {
            quote!()
        };
        let empty = matches!(ct.content, Content::Empty);
        let close = if empty {
            quote! { w.empty(); let _ = (ns, prefixed, local); }
        } else {
            quote! { w.end_el(ns, prefixed, local); }
        };
        let derives = quote!(Clone, Debug, PartialEq);
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
            let parts = (&content_fields[..], &aux[..], text.as_ref());
            crate::emit::strategy::complex(&self, c.0, c.1, c.2, c.3, c.4, parts)
        } else {
            quote!()
        };
        quote! {
            #doc
            #[derive(#derives)]
            pub struct #name {
                #(#field_defs,)*
            }

            impl #name {
                #child_position

                /// Reads the rest of the element whose start tag the reader just consumed.
                #[doc(hidden)]
                #[allow(unused_mut, unused_variables, clippy::never_loop)]
                pub fn read_started(r: &mut ::xsd_runtime::xml::XmlReader<'_>) -> ::xsd_runtime::xml::ReadResult<Self> {
                    let mut ok = true;
                    #attr_read
                    #body
                }

                /// Writes the value as an element with the given name.
                #[doc(hidden)]
                pub fn write_xml(&self, w: &mut ::xsd_runtime::xml::XmlWriter, ns: ::std::option::Option<u16>, prefixed: &str, local: &str) {
                    w.start_el(ns, prefixed, local);
                    self.write_started(w, ns, prefixed, local);
                }

                /// Writes attributes, content and end tag after the start tag was begun.
                #[doc(hidden)]
                pub fn write_started(&self, w: &mut ::xsd_runtime::xml::XmlWriter, ns: ::std::option::Option<u16>, prefixed: &str, local: &str) {
                    #attr_write
                    #content_write
                    #close
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
                let starts = self.group_starts(fields, *all);
                let body = self.read_fields_body(fields, *all, false, quote!(), &[]);
                let writes = fields.iter().map(|f| self.write_field(f));
                let params = self.content_params();
                quote! {
                    #doc
                    #[derive(Clone, Debug, PartialEq)]
                    pub struct #name {
                        #(#defs,)*
                    }

                    impl #name {
                        /// Could the pending child begin this group?
                        #[doc(hidden)]
                        pub fn starts(r: &::xsd_runtime::xml::XmlReader<'_>) -> bool {
                            #starts
                        }

                        #[doc(hidden)]
                        #[allow(unused_mut, clippy::never_loop)]
                        pub fn read_content(r: &mut ::xsd_runtime::xml::XmlReader<'_>) -> ::xsd_runtime::xml::ReadResult<Self> {
                            let mut ok = true;
                            #body
                        }

                        #[doc(hidden)]
                        pub fn write_content(&self, #params) {
                            #(#writes)*
                        }
                    }
                }
            }
            Aux::Enum {
                name,
                variants,
                doc,
            } => {
                let doc = docs::doc_attrs(None, doc);
                let mut defs = Vec::new();
                let mut reads = Vec::new();
                let mut writes = Vec::new();
                let mut conds = Vec::new();
                for v in variants {
                    let vn = &v.name;
                    let t = self.term_type(&v.term, v.occurs.repeats());
                    let cond = self.term_cond(&v.term);
                    conds.push(cond.clone());
                    let label = Literal::string(&Self::term_label(&v.term));
                    let vdoc = docs::doc_attrs(
                        None,
                        &format!("{}{}.", Self::term_label(&v.term), occurs_text(v.occurs)),
                    );
                    let elem_like = !matches!(v.term, FieldTerm::Group { .. });
                    if v.occurs.repeats() {
                        defs.push(quote! { #vdoc #vn(::std::vec::Vec<#t>) });
                        let read = self.read_term_expr(&v.term, elem_like);
                        let over = match v.occurs.max {
                            Some(max) if elem_like => {
                                let max = Literal::u32_suffixed(max);
                                quote! { if n > #max { r.too_many(#label, #max, n); r.skip_pending()?; continue; } }
                            }
                            Some(max) => {
                                let max = Literal::u32_suffixed(max);
                                quote! { if n > #max { break; } }
                            }
                            None => quote!(),
                        };
                        let min = Literal::u32_suffixed(v.occurs.min.max(1));
                        reads.push(quote! {
                            if #cond {
                                let mut items = ::std::vec::Vec::new();
                                let mut n: u32 = 0;
                                let mut ok = true;
                                while #cond {
                                    n += 1;
                                    #over
                                    match ::xsd_runtime::xml::recover(#read)? {
                                        ::std::option::Option::Some(v) => items.push(v),
                                        ::std::option::Option::None => ok = false,
                                    }
                                }
                                if n < #min { r.missing(#label, #min, n); ok = false; }
                                return if ok { Ok(Self::#vn(items)) } else { Err(::xsd_runtime::xml::Fail::Invalid) };
                            }
                        });
                        let body = self.write_term(&v.term, quote!(v));
                        writes.push(quote! { Self::#vn(items) => { for v in items { #body } } });
                    } else {
                        defs.push(quote! { #vdoc #vn(#t) });
                        let read = self.read_term_expr(&v.term, false);
                        reads.push(quote! {
                            if #cond {
                                return #read.map(Self::#vn);
                            }
                        });
                        let body = self.write_term(&v.term, quote!(v));
                        writes.push(quote! { Self::#vn(v) => { #body } });
                    }
                }
                let params = self.content_params();
                quote! {
                    #doc
                    #[derive(Clone, Debug, PartialEq)]
                    pub enum #name {
                        #(#defs,)*
                    }

                    impl #name {
                        /// Could the pending child begin one of the alternatives?
                        #[doc(hidden)]
                        pub fn starts(r: &::xsd_runtime::xml::XmlReader<'_>) -> bool {
                            #(#conds)||*
                        }

                        #[doc(hidden)]
                        pub fn read_content(r: &mut ::xsd_runtime::xml::XmlReader<'_>) -> ::xsd_runtime::xml::ReadResult<Self> {
                            #(#reads)*
                            Err(::xsd_runtime::xml::Fail::Invalid)
                        }

                        #[doc(hidden)]
                        pub fn write_content(&self, #params) {
                            match self {
                                #(#writes)*
                            }
                        }
                    }
                }
            }
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
            let read = self.read_element_expr(&plain, false);
            return (read, quote!(self.write_started(w, ns, prefixed, local);));
        }
        let read = self.read_element_expr(e, false);
        let read = quote!(#read.map(Self));
        let plain = match &e.ty {
            TypeRef::Complex(_) => quote!(x.write_started(w, ns, prefixed, local);),
            TypeRef::AnyType => quote!(x.write_started(w, prefixed);),
            _ => quote! {
                w.text_with(|o| ::xsd_runtime::xsd::Lexical::write_lexical(x, o));
                w.end_el(ns, prefixed, local);
            },
        };
        let write = if e.nillable {
            quote! {
                match &self.0 {
                    ::xsd_runtime::Nillable::Nil => w.nil(),
                    ::xsd_runtime::Nillable::Value(x) => { #plain }
                }
            }
        } else {
            quote! {{ let x = &self.0; #plain }}
        };
        (read, write)
    }

    fn group_starts(&self, fields: &[Field], all: bool) -> TokenStream {
        // The first-set of a sequence: fields up to the first required one.
        let mut conds = Vec::new();
        for f in fields {
            conds.push(self.term_cond(&f.term));
            let required = f.occurs.min > 0 && f.shape != Shape::Opt;
            if required && !all {
                break;
            }
        }
        if conds.is_empty() {
            return quote!(false);
        }
        quote!(#(#conds)||*)
    }
}

fn var_ident(name: &Ident) -> Ident {
    ident(&format!("f_{}", name.to_string().trim_start_matches("r#")))
}

fn count_ident(name: &Ident) -> Ident {
    ident(&format!("n_{}", name.to_string().trim_start_matches("r#")))
}

fn opt_lit(v: &Option<String>) -> TokenStream {
    match v {
        Some(s) => {
            let l = Literal::string(s);
            quote!(::std::option::Option::Some(#l))
        }
        None => quote!(::std::option::Option::None),
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

fn wildcard_cond(w: &Wildcard) -> TokenStream {
    match &w.namespaces {
        NsConstraint::Any => quote!(r.at_element()),
        NsConstraint::Other(t) => {
            let t = Literal::string(t);
            quote!(r.pending_name().is_some_and(|(ns, _)| !ns.is_empty() && ns != #t))
        }
        NsConstraint::List(l) => {
            let l = l.iter().map(|s| Literal::string(s));
            quote!(r.pending_name().is_some_and(|(ns, _)| [#(#l),*].contains(&ns)))
        }
    }
}

fn attr_wildcard_cond(w: &Wildcard) -> TokenStream {
    match &w.namespaces {
        NsConstraint::Any => quote!(true),
        NsConstraint::Other(t) => {
            let t = Literal::string(t);
            quote!({ let (ns, _) = r.attr_name(i); !ns.is_empty() && ns != #t })
        }
        NsConstraint::List(l) => {
            let l = l.iter().map(|s| Literal::string(s));
            quote!({ let (ns, _) = r.attr_name(i); [#(#l),*].contains(&ns.as_str()) })
        }
    }
}

fn step_tokens(s: &XStep) -> TokenStream {
    match s {
        XStep::Name(q) => {
            let ns = Literal::byte_string(q.ns.as_bytes());
            let l = Literal::byte_string(q.local.as_bytes());
            quote!(::xsd_runtime::xml::idc::Step::Name { ns: #ns, local: #l })
        }
        XStep::Any => quote!(::xsd_runtime::xml::idc::Step::Any),
        XStep::AnyIn(ns) => {
            let ns = Literal::byte_string(ns.as_bytes());
            quote!(::xsd_runtime::xml::idc::Step::AnyIn { ns: #ns })
        }
    }
}

pub(crate) fn xpath_tokens(x: &XPath) -> TokenStream {
    let d = x.descendant;
    let steps = x.steps.iter().map(step_tokens);
    let attr = match &x.attribute {
        Some(s) => {
            let s = step_tokens(s);
            quote!(::std::option::Option::Some(#s))
        }
        None => quote!(::std::option::Option::None),
    };
    quote! {
        ::xsd_runtime::xml::idc::IdcPath { descendant: #d, steps: &[#(#steps),*], attribute: #attr }
    }
}
