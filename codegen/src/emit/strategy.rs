//! `proptest` strategies for generated types (`Generator::proptest`),
//! emitted behind `#[cfg(feature = "proptest")]`.
//!
//! Everything is derived from the model: a simple type's strategy reads
//! its facet table (`FACETS`, the one its checks read; candidates built to
//! satisfy them, checked by the type's own parser); a complex type's strategy follows the fields
//! its reader and writer use (occurrence bounds, choices, nillable, fixed
//! values, wildcards); a root's `strategy()` also makes keyrefs and IDREFs
//! resolve (`xsd_runtime::strategy::resolve`) and keeps only documents
//! that validate, so keys and IDs are unique.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use crate::emit::RootItem;
use crate::emit::complex::{Aux, Field, FieldTerm, Shape, TypeEmitter};
use crate::emit::ctx::{Ctx, ident};
use crate::model::{
    Attribute, Builtin, Content, Element, Model, NsConstraint, Process, QName, SimpleType, Term,
    TypeId, TypeRef, Variety, Wildcard, builtin_xsd_name,
};
use crate::naming::{self, Namespace};

fn rt() -> TokenStream {
    quote!(rt::strategy)
}

fn boxed_ty(t: TokenStream) -> TokenStream {
    quote!(rt::strategy::Boxed<#t>)
}

fn just(v: TokenStream) -> TokenStream {
    quote!(rt::strategy::just(#v))
}

const IMPORT: &str =
    "#[allow(unused_imports)] use ::xsd_runtime::strategy::proptest::strategy::Strategy as _;";

/// Once per module: `Strategy` methods (`prop_map`, `boxed`) in scope.
pub(crate) fn import() -> TokenStream {
    let import: TokenStream = IMPORT.parse().unwrap_or_default();
    quote! {
        #[cfg(feature = "proptest")]
        #import
    }
}

/// `impl Arbitrary for T` through `T::strategy()`.
fn arbitrary(name: &TokenStream) -> TokenStream {
    quote! {
        #[cfg(feature = "proptest")]
        rt::impl_arbitrary!(#name);
    }
}

fn opt_u32(v: Option<u32>) -> TokenStream {
    match v {
        Some(n) => {
            let n = Literal::u32_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    }
}

/// An expression of `BoxedStrategy<T>` for values of the simple type `ty`.
fn value(ctx: &Ctx<'_>, ty: &TypeRef, module: &str) -> TokenStream {
    let rt = rt();
    match ty {
        TypeRef::Builtin(b) => {
            let parse = crate::emit::builtin::repr(*b).parse;
            let name = Literal::string(builtin_xsd_name(*b));
            quote!(#rt::builtin(#name, #parse))
        }
        TypeRef::Simple(id) => {
            let p = ctx.type_path(id, module);
            quote!(#p::strategy())
        }
        // Not a simple type: text that any simple type reader accepts.
        TypeRef::Complex(_) | TypeRef::AnyType => {
            value(ctx, &TypeRef::Builtin(Builtin::String), module)
        }
    }
}

/// A strategy that yields the value of a fixed (or default) literal.
fn literal(ctx: &Ctx<'_>, ty: &TypeRef, module: &str, lit: &str) -> TokenStream {
    let l = Literal::string(lit);
    let parse = ctx.parse_checked(ty, module, quote!(#l));
    quote!(rt::strategy::fixed(#parse))
}

/// Strategies of a simple type (enumeration, atomic newtype, list, union).
pub fn simple(ctx: &Ctx<'_>, st: &SimpleType) -> TokenStream {
    let module = &ctx.types[&st.id].module;
    let name = ident(&ctx.types[&st.id].ident);
    let rt = rt();
    let has_lexical_facets =
        st.enumeration().is_some() || st.steps.iter().any(|f| !f.patterns.is_empty());
    if matches!(st.variety, Variety::Atomic(_)) || has_lexical_facets {
        // Candidates built for the type's facet table (`FACETS`).
        return quote! {
            #[cfg(feature = "proptest")]
            rt::simple_strategy!(#name);
        };
    }
    let candidates = match &st.variety {
        Variety::List(item) => {
            let item = value(ctx, item, module);
            quote!(#rt::list(#item, &Self::FACETS, |x| rt::xsd::Lexical::to_lexical(x)))
        }
        Variety::Union(members) => {
            let ms = members.iter().map(|m| {
                let v = value(ctx, m, module);
                quote!(#v.prop_map(|x| rt::xsd::Lexical::to_lexical(&x)).boxed())
            });
            quote!(#rt::one_of(vec![#(#ms),*]))
        }
        Variety::Atomic(_) => quote!(),
    };
    let b = boxed_ty(quote!(Self));
    let arb = arbitrary(&quote!(#name));
    quote! {
        #[cfg(feature = "proptest")]
        impl #name {
            /// Valid values (every facet respected), for property tests.
            pub fn strategy() -> #b {
                #rt::checked(#candidates)
            }
        }

        #arb
    }
}

/// Does a term contain (possibly through helper groups or wildcards) a
/// type that contains `owner`, so that generating it could recurse?
fn cycles(
    te: &TypeEmitter<'_, '_>,
    t: &FieldTerm,
    aux: &[Aux],
    seen: &mut BTreeSet<String>,
) -> bool {
    let Some(owner) = &te.owner else { return false };
    match t {
        FieldTerm::Element(e) => te.ctx.cycles_back(&e.ty, owner),
        FieldTerm::Any(w) => w.process != Process::Skip,
        FieldTerm::Group { ty, .. } => {
            if !seen.insert(ty.to_string()) {
                return true;
            }
            aux.iter().any(|a| match a {
                Aux::Struct { name, fields, .. } if name == ty => {
                    fields.iter().any(|f| cycles(te, &f.term, aux, seen))
                }
                Aux::Enum { name, variants, .. } if name == ty => {
                    variants.iter().any(|v| cycles(te, &v.term, aux, seen))
                }
                _ => false,
            })
        }
    }
}

fn ns_filter(w: &Wildcard) -> TokenStream {
    match &w.namespaces {
        NsConstraint::Any => quote!(|_: &str| true),
        NsConstraint::Other(t) => {
            let t = Literal::string(t);
            quote!(|ns: &str| !ns.is_empty() && ns != #t)
        }
        NsConstraint::List(l) => {
            let l = l.iter().map(|s| Literal::string(s));
            quote!(|ns: &str| [#(#l),*].contains(&ns))
        }
    }
}

/// A namespace the wildcard accepts for an element no schema declares.
fn wildcard_ns(w: &Wildcard) -> TokenStream {
    match &w.namespaces {
        NsConstraint::Any | NsConstraint::Other(_) => {
            quote!(rt::strategy::OTHER_NAMESPACE)
        }
        NsConstraint::List(l) => {
            let ns = l
                .iter()
                .find(|n| !n.is_empty())
                .or(l.first())
                .cloned()
                .unwrap_or_default();
            let ns = Literal::string(&ns);
            quote!(#ns)
        }
    }
}

/// One element of `e` (for a field of shape `many` or not), at `depth`.
pub(crate) fn element(
    te: &TypeEmitter<'_, '_>,
    e: &Element,
    many: bool,
    depth: TokenStream,
) -> TokenStream {
    let module = &te.module;
    let base = match &e.ty {
        TypeRef::Complex(id) => {
            let t = te.ctx.type_path(id, module);
            if te.boxed(e, many) {
                quote!(#t::strategy_at(#depth).prop_map(Box::new).boxed())
            } else {
                quote!(#t::strategy_at(#depth))
            }
        }
        TypeRef::AnyType => {
            let ns = Literal::string(&e.name.ns);
            let l = Literal::string(&e.name.local);
            quote!(rt::strategy::any_named(#ns, #l))
        }
        ty => match (&e.fixed, &e.default) {
            (Some(f), _) => literal(te.ctx, ty, module, f),
            (None, Some(_)) => {
                let v = value(te.ctx, ty, module);
                quote!(rt::strategy::not_empty_text(#v))
            }
            (None, None) => value(te.ctx, ty, module),
        },
    };
    if !e.nillable {
        return base;
    }
    // A nil element may not have a fixed value.
    if e.fixed.is_some() {
        return quote!(#base.prop_map(rt::Nillable::Value).boxed());
    }
    quote!(rt::strategy::nillable(#base))
}

fn term(te: &TypeEmitter<'_, '_>, t: &FieldTerm, many: bool, optional: bool) -> TokenStream {
    match t {
        FieldTerm::Element(e) => element(te, e, many, quote!(depth + 1)),
        FieldTerm::Group { ty, .. } => {
            if optional || many {
                quote!(rt::strategy::non_empty(#ty::strategy_at(depth), |g, w| {
                    rt::Group::write_content(g, w, &mut rt::Out::new(&[]))
                }))
            } else {
                quote!(#ty::strategy_at(depth))
            }
        }
        FieldTerm::Any(w) => {
            let ns = wildcard_ns(w);
            let other = quote!(rt::strategy::any_element(#ns));
            match w.process {
                Process::Skip => other,
                Process::Lax => {
                    quote!(#other.prop_map(rt::xml::AnyContent::Other).boxed())
                }
                Process::Strict => {
                    let allow = ns_filter(w);
                    // Built lazily, when a value is drawn: built at once, every
                    // root containing a strict wildcard would build every root
                    // again, (roots)^depth strategies before the first value.
                    quote! {
                        rt::strategy::proptest::strategy::Just(())
                            .prop_flat_map(move |()| match super::Document::strategy_for(#allow, depth + 1) {
                                Some(s) => s
                                    .prop_map(|d| rt::xml::AnyContent::Known(Box::new(d)))
                                    .boxed(),
                                // No declared element fits: the root's validation drops the document.
                                None => #other.prop_map(rt::xml::AnyContent::Other).boxed(),
                            })
                            .boxed()
                    }
                }
            }
        }
    }
}

/// The strategy of one field of a struct (or helper group struct).
fn field(te: &TypeEmitter<'_, '_>, f: &Field, aux: &[Aux]) -> TokenStream {
    let rt = rt();
    let cyc = cycles(te, &f.term, aux, &mut BTreeSet::new());
    match f.shape {
        Shape::One => term(te, &f.term, false, false),
        Shape::Opt => {
            let one = term(te, &f.term, false, true);
            let opt = quote!(#rt::optional(#one));
            if cyc {
                let none = just(quote!(None));
                quote!(if depth >= #rt::MAX_DEPTH { #none } else { #opt })
            } else {
                opt
            }
        }
        Shape::Many => {
            let one = term(te, &f.term, true, false);
            let min = Literal::u32_unsuffixed(f.occurs.min);
            let max = opt_u32(f.occurs.max);
            quote!(#rt::repeated(#min, #max, depth, || #one))
        }
    }
}

/// `(strategy, pattern)` pairs combined into nested tuples of at most
/// eight (proptest implements `Strategy` for tuples up to twelve).
/// Strategies and their patterns as (nested) tuples of at most 8, the most
/// proptest's tuple strategies take comfortably.
fn tuple(parts: Vec<(TokenStream, TokenStream)>) -> (TokenStream, TokenStream) {
    if parts.len() <= 8 {
        let (s, p): (Vec<_>, Vec<_>) = parts.into_iter().unzip();
        return (quote!((#(#s,)*)), quote!((#(#p,)*)));
    }
    let chunks: Vec<(TokenStream, TokenStream)> =
        parts.chunks(8).map(|c| tuple(c.to_vec())).collect();
    tuple(chunks)
}

/// A struct's strategy: its fields' strategies as a tuple, mapped to the
/// struct with the values bound by field name (no positional names, so a
/// new field adds its own lines).
fn build_struct(ty: TokenStream, parts: Vec<(Ident, TokenStream)>) -> TokenStream {
    if parts.is_empty() {
        return just(quote!(#ty {}));
    }
    let names: Vec<Ident> = parts.iter().map(|(n, _)| n.clone()).collect();
    let binds: Vec<(TokenStream, TokenStream)> =
        parts.into_iter().map(|(n, s)| (s, quote!(#n))).collect();
    let (s, p) = tuple(binds);
    quote! {
        #s.prop_map(|#p| #ty { #(#names,)* }).boxed()
    }
}

fn attr(te: &TypeEmitter<'_, '_>, a: &Attribute) -> TokenStream {
    let module = &te.module;
    let v = match &a.fixed {
        Some(f) => literal(te.ctx, &a.ty, module, f),
        None => value(te.ctx, &a.ty, module),
    };
    if a.required {
        v
    } else {
        quote!(rt::strategy::optional(#v))
    }
}

/// Is this complex type the own type of a global element (so its root impl
/// defines `strategy()`)?
pub(crate) fn is_own_root(model: &Model, id: &TypeId) -> bool {
    id.anonymous
        && model
            .elements
            .values()
            .any(|e| matches!(&e.ty, TypeRef::Complex(t) if t == id && id.name == e.name.local))
}

/// Strategies of a complex type and of its helper types.
#[allow(clippy::too_many_arguments)]
pub(crate) fn complex(
    te: &TypeEmitter<'_, '_>,
    id: &TypeId,
    name: &Ident,
    attrs: &[(Ident, Attribute)],
    any_attr: Option<&(Ident, Wildcard)>,
    simple_value: Option<&(Ident, TypeRef)>,
    (fields, aux, text, location): (&[Field], &[Aux], Option<&Ident>, Option<&Ident>),
) -> TokenStream {
    let mut parts = Vec::new();
    for (n, a) in attrs {
        parts.push((n.clone(), attr(te, a)));
    }
    if let Some((n, _)) = any_attr {
        parts.push((n.clone(), just(quote!(Vec::new()))));
    }
    if let Some((n, ty)) = simple_value {
        parts.push((n.clone(), value(te.ctx, ty, &te.module)));
    }
    for f in fields {
        parts.push((f.name.clone(), field(te, f, aux)));
    }
    if let Some(n) = text {
        parts.push((n.clone(), quote!(rt::strategy::mixed_text())));
    }
    if let Some(n) = location {
        parts.push((n.clone(), just(quote!(Default::default()))));
    }
    let body = build_struct(quote!(Self), parts);
    let b = boxed_ty(quote!(Self));
    let plain = if is_own_root(te.ctx.model, id) {
        quote!()
    } else {
        quote! {
            #[cfg(feature = "proptest")]
            rt::complex_strategy!(#name);
        }
    };
    let aux_items = aux.iter().map(|a| aux_strategy(te, a, aux));
    quote! {
        #[cfg(feature = "proptest")]
        impl #name {
            #[doc(hidden)]
            pub fn strategy_at(depth: u32) -> #b {
                #body
            }
        }

        #plain

        #(#aux_items)*
    }
}

fn aux_strategy(te: &TypeEmitter<'_, '_>, a: &Aux, all_aux: &[Aux]) -> TokenStream {
    let b = boxed_ty(quote!(Self));
    let rt = rt();
    match a {
        Aux::Struct { name, fields, .. } => {
            let parts = fields
                .iter()
                .map(|f| (f.name.clone(), field(te, f, all_aux)))
                .collect();
            let body = build_struct(quote!(Self), parts);
            quote! {
                #[cfg(feature = "proptest")]
                impl #name {
                    #[doc(hidden)]
                    #[allow(unused_variables)]
                    pub fn strategy_at(depth: u32) -> #b {
                        #body
                    }
                }
            }
        }
        Aux::Enum { name, variants, .. } => {
            let mut all = Vec::new();
            let mut finite = Vec::new();
            for v in variants {
                let vn = &v.name;
                let s = if v.occurs.repeats() {
                    let one = term(te, &v.term, true, false);
                    // The reader takes a repeated alternative from one occurrence on.
                    let min = Literal::u32_unsuffixed(v.occurs.min.max(1));
                    let max = opt_u32(v.occurs.max);
                    quote!(#rt::repeated(#min, #max, depth, || #one).prop_map(Self::#vn).boxed())
                } else {
                    let one = term(te, &v.term, false, false);
                    quote!(#one.prop_map(Self::#vn).boxed())
                };
                if !cycles(te, &v.term, all_aux, &mut BTreeSet::new()) {
                    finite.push(s.clone());
                }
                all.push(s);
            }
            let pick = |v: &[TokenStream]| quote!(#rt::one_of(vec![#(#v),*]));
            let body = if finite.is_empty() || finite.len() == all.len() {
                pick(&all)
            } else {
                let (a, f) = (pick(&all), pick(&finite));
                quote!(if depth >= #rt::MAX_DEPTH { #f } else { #a })
            };
            quote! {
                #[cfg(feature = "proptest")]
                impl #name {
                    #[doc(hidden)]
                    #[allow(unused_variables)]
                    pub fn strategy_at(depth: u32) -> #b {
                        #body
                    }
                }
            }
        }
    }
}

// ----- roots ----------------------------------------------------------------------

/// Is `ty` an `xs:ID`, `xs:IDREF` or `xs:IDREFS` (possibly restricted)?
fn id_kind(model: &Model, ty: &TypeRef) -> Option<TokenStream> {
    let b = match ty {
        TypeRef::Builtin(b) => Some(*b),
        TypeRef::Simple(id) => match model.simple_types.get(id).map(|s| &s.variety) {
            Some(Variety::Atomic(b)) => Some(*b),
            Some(Variety::List(item)) => id_kind(model, item).map(|_| Builtin::IdRefs),
            _ => None,
        },
        _ => None,
    }?;
    match b {
        Builtin::Id => Some(quote!(rt::strategy::IdKind::Id)),
        Builtin::IdRef => Some(quote!(rt::strategy::IdKind::IdRef)),
        Builtin::IdRefs => Some(quote!(rt::strategy::IdKind::IdRefs)),
        _ => None,
    }
}

/// Element declarations reachable from `e`: identity constraints and
/// ID/IDREF sites, deduplicated.
#[derive(Default)]
struct Refs {
    scoped: Vec<(QName, Vec<crate::model::IdentityConstraint>)>,
    ids: Vec<TokenStream>,
    seen_ids: BTreeSet<String>,
    seen_types: BTreeSet<TypeRef>,
    all_roots: bool,
}

fn collect_refs(model: &Model, e: &Element, out: &mut Refs) {
    if !e.identity.is_empty()
        && !out
            .scoped
            .iter()
            .any(|(q, c)| *q == e.name && *c == e.identity)
    {
        out.scoped.push((e.name.clone(), e.identity.clone()));
    }
    let (ns, local) = (Literal::string(&e.name.ns), Literal::string(&e.name.local));
    let site = |attr: Option<&QName>, kind: TokenStream, out: &mut Refs| {
        let key = format!("{}|{:?}|{}", e.name, attr, kind);
        if out.seen_ids.insert(key) {
            let a = match attr {
                Some(q) => {
                    let (ans, al) = (Literal::string(&q.ns), Literal::string(&q.local));
                    quote!(Some((#ans, #al)))
                }
                None => quote!(None),
            };
            out.ids.push(
                quote!(rt::strategy::IdSite { ns: #ns, local: #local, attribute: #a, kind: #kind }),
            );
        }
    };
    if let Some(k) = id_kind(model, &e.ty) {
        site(None, k, out);
    }
    let TypeRef::Complex(id) = &e.ty else { return };
    let Some(ct) = model.complex_types.get(id) else {
        return;
    };
    for a in &ct.attributes {
        if let Some(k) = id_kind(model, &a.ty) {
            site(Some(&a.name), k, out);
        }
    }
    if let Content::Simple(ty) = &ct.content
        && let Some(k) = id_kind(model, ty)
    {
        site(None, k, out);
    }
    if !out.seen_types.insert(e.ty.clone()) {
        return;
    }
    if let Content::Elements(p) = &ct.content {
        let mut stack = vec![p];
        while let Some(p) = stack.pop() {
            match &p.term {
                Term::Element(c) => collect_refs(model, c, out),
                Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) => stack.extend(ps.iter()),
                Term::Any(w) => out.all_roots |= w.process != Process::Skip,
            }
        }
    }
}

/// Strategies of a root element's type (`name`): `strategy_at` for a
/// wrapper, and the document-level `strategy()`.
pub fn root(ctx: &mut Ctx<'_>, module: &str, e: &Element, name: &str, own: bool) -> TokenStream {
    let model = ctx.model;
    let ni = ident(name);
    let b = boxed_ty(quote!(Self));
    let rt = rt();
    let wrapper = if own {
        quote!()
    } else {
        let te = TypeEmitter::new(ctx, module);
        let el = element(&te, e, false, quote!(depth));
        // A simple type's strategy has no depth to pass on.
        let param = if el.to_string().contains("depth") {
            quote!(depth)
        } else {
            quote!(_depth)
        };
        quote! {
            #[doc(hidden)]
            pub fn strategy_at(#param: u32) -> #b {
                #el.prop_map(|v| Self(v, Default::default())).boxed()
            }
        }
    };
    let mut refs = Refs::default();
    collect_refs(model, e, &mut refs);
    if refs.all_roots {
        for g in model.elements.values() {
            collect_refs(model, g, &mut refs);
        }
    }
    let scoped = refs
        .scoped
        .iter()
        .filter_map(|(_, cs)| ctx.identity.path(cs, module));
    let ids = &refs.ids;
    let arb = arbitrary(&quote!(#ni));
    quote! {
        #[cfg(feature = "proptest")]
        impl #ni {
            #wrapper

            /// Valid documents, for property tests: content as the types
            /// allow, each keyref and IDREF pointed at an existing key or ID,
            /// and only documents that validate kept (keys and IDs unique).
            pub fn strategy() -> #b {
                static REFERENCES: #rt::References = #rt::References { identity: &[#(#scoped),*], ids: &[#(#ids),*] };
                #rt::document(Self::strategy_at(0), &REFERENCES)
            }
        }

        #arb
    }
}

/// `strategy()` (valid documents) on the `Document` and `Message` enums,
/// and `Document::strategy_for` for strict wildcards.
pub fn root_enums(roots: &[RootItem], chosen: &[(&str, Vec<RootItem>)]) -> TokenStream {
    let b = boxed_ty(quote!(Self));
    let variants = |rs: &[RootItem]| -> Vec<(Ident, TokenStream, String)> {
        let mut vns = Namespace::default();
        rs.iter()
            .map(|(q, m, t)| {
                let v = ident(&vns.claim(&naming::variant_name(&q.local)));
                let (m, t) = (ident(m), ident(t));
                (v, quote!(self::#m::#t), q.ns.clone())
            })
            .collect()
    };
    let union = |vs: &[(Ident, TokenStream, String)]| {
        let arms = vs
            .iter()
            .map(|(v, p, _)| quote!(#p::strategy().prop_map(|x| Self::#v(::std::convert::Into::into(x))).boxed()));
        quote!(rt::strategy::one_of(vec![#(#arms),*]))
    };
    let doc = variants(roots);
    let doc_union = union(&doc);
    let pushes = doc.iter().map(|(v, p, ns)| {
        let ns = Literal::string(ns);
        quote! {
            if allow(#ns) {
                v.push(#p::strategy_at(depth).prop_map(|x| Self::#v(::std::convert::Into::into(x))).boxed());
            }
        }
    });
    let doc_items = if doc.is_empty() {
        quote!()
    } else {
        let arb = arbitrary(&quote!(Document));
        quote! {
            #[cfg(feature = "proptest")]
            impl Document {
                /// Valid documents of any root, for property tests.
                pub fn strategy() -> #b {
                    #doc_union
                }

                /// Content for a strict wildcard: elements whose namespace
                /// `allow`s, or `None` if none does (or nesting is too deep).
                #[doc(hidden)]
                pub fn strategy_for(allow: fn(&str) -> bool, depth: u32) -> Option<#b> {
                    if depth > rt::strategy::MAX_DEPTH + 4 {
                        return None;
                    }
                    let mut v = Vec::new();
                    #(#pushes)*
                    if v.is_empty() {
                        None
                    } else {
                        Some(rt::strategy::one_of(v))
                    }
                }
            }

            #arb
        }
    };
    let chosen_items = chosen.iter().map(|(name, rs)| {
        let u = union(&variants(rs));
        let name = ident(name);
        let arb = arbitrary(&quote!(#name));
        quote! {
            #[cfg(feature = "proptest")]
            impl #name {
                /// Valid documents of every variant, for property tests.
                pub fn strategy() -> #b {
                    #u
                }
            }

            #arb
        }
    });
    quote!(#doc_items #(#chosen_items)*)
}
