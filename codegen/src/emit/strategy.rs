//! `proptest` strategies for generated types (`Generator::proptest`),
//! emitted behind `#[cfg(feature = "proptest")]`.
//!
//! Everything is derived from the model: a simple type's facets become a
//! `xsd_runtime::strategy::Spec` (candidates built to satisfy them, checked
//! by the type's own parser); a complex type's strategy follows the fields
//! its reader and writer use (occurrence bounds, choices, nillable, fixed
//! values, wildcards); a root's `strategy()` also makes keyrefs and IDREFs
//! resolve (`xsd_runtime::strategy::resolve`) and keeps only documents
//! that validate, so keys and IDs are unique.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use crate::emit::RootItem;
use crate::emit::complex::{Aux, Field, FieldTerm, Shape, TypeEmitter, xpath_tokens};
use crate::emit::ctx::{Ctx, ident};
use crate::model::{
    Attribute, Builtin, Content, Element, Facets, IdentityKind, Model, NsConstraint, Process,
    QName, SimpleType, Term, TypeId, TypeRef, Variety, Wildcard, builtin_xsd_name,
};
use crate::naming::{self, Namespace};

fn rt() -> TokenStream {
    quote!(::xsd_runtime::strategy)
}

fn boxed_ty(t: TokenStream) -> TokenStream {
    quote!(::xsd_runtime::strategy::proptest::strategy::BoxedStrategy<#t>)
}

fn just(v: TokenStream) -> TokenStream {
    quote!(::xsd_runtime::strategy::just(#v))
}

const IMPORT: &str =
    "#[allow(unused_imports)] use ::xsd_runtime::strategy::proptest::strategy::Strategy as _;";

fn import() -> TokenStream {
    IMPORT.parse().unwrap_or_default()
}

/// `impl Arbitrary for T` through `T::strategy()`.
fn arbitrary(name: &TokenStream) -> TokenStream {
    quote! {
        #[cfg(feature = "proptest")]
        ::xsd_runtime::impl_arbitrary!(#name);
    }
}

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v {
        Some(n) => {
            let n = Literal::u64_suffixed(n);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    }
}

fn opt_u32(v: Option<u32>) -> TokenStream {
    match v {
        Some(n) => {
            let n = Literal::u32_suffixed(n);
            quote!(::std::option::Option::Some(#n))
        }
        None => quote!(::std::option::Option::None),
    }
}

fn strs<'a>(v: impl IntoIterator<Item = &'a String>) -> TokenStream {
    let l = v.into_iter().map(|s| Literal::string(s));
    quote!(&[#(#l),*])
}

/// The `Spec` literal of a simple type's facets (all steps).
fn spec(builtin: &str, steps: &[Facets], enumeration: Option<&[String]>) -> TokenStream {
    let rt = rt();
    let b = Literal::string(builtin);
    let patterns = steps
        .iter()
        .filter(|f| !f.patterns.is_empty())
        .map(|f| strs(&f.patterns));
    let enumeration = strs(enumeration.unwrap_or(&[]));
    let min_length = steps.iter().filter_map(|f| f.length.or(f.min_length)).max();
    let max_length = steps.iter().filter_map(|f| f.length.or(f.max_length)).min();
    let (min_length, max_length) = (opt_u64(min_length), opt_u64(max_length));
    let min_inc = strs(steps.iter().filter_map(|f| f.min_inclusive.as_ref()));
    let max_inc = strs(steps.iter().filter_map(|f| f.max_inclusive.as_ref()));
    let min_exc = strs(steps.iter().filter_map(|f| f.min_exclusive.as_ref()));
    let max_exc = strs(steps.iter().filter_map(|f| f.max_exclusive.as_ref()));
    let total = opt_u32(steps.iter().filter_map(|f| f.total_digits).min());
    let fraction = opt_u32(steps.iter().filter_map(|f| f.fraction_digits).min());
    let patterns: Vec<TokenStream> = patterns.collect();
    let mut fields = Vec::new();
    if !builtin.is_empty() {
        fields.push(quote!(builtin: #b));
    }
    if !patterns.is_empty() {
        fields.push(quote!(patterns: &[#(#patterns),*]));
    }
    let none = |t: &TokenStream| {
        t.to_string() == quote!(&[]).to_string() || t.to_string() == opt_u64(None).to_string()
    };
    for (name, t) in [
        ("enumeration", enumeration),
        ("min_length", min_length),
        ("max_length", max_length),
        ("min_inclusive", min_inc),
        ("max_inclusive", max_inc),
        ("min_exclusive", min_exc),
        ("max_exclusive", max_exc),
        ("total_digits", total),
        ("fraction_digits", fraction),
    ] {
        if !none(&t) {
            let n = ident(name);
            fields.push(quote!(#n: #t));
        }
    }
    quote!(#rt::Spec { #(#fields,)* ..#rt::Spec::EMPTY })
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
    quote!(::xsd_runtime::strategy::fixed(#parse))
}

/// Strategies of a simple type (enumeration, atomic newtype, list, union).
pub fn simple(ctx: &Ctx<'_>, st: &SimpleType) -> TokenStream {
    let module = &ctx.types[&st.id].module;
    let name = ident(&ctx.types[&st.id].ident);
    let rt = rt();
    let has_lexical_facets =
        st.enumeration().is_some() || st.steps.iter().any(|f| !f.patterns.is_empty());
    let candidates = match &st.variety {
        Variety::Atomic(b) => {
            let spec = spec(builtin_xsd_name(*b), &st.steps, st.enumeration());
            quote!(#rt::lexical(&#spec))
        }
        _ if has_lexical_facets => {
            let spec = spec("", &st.steps, st.enumeration());
            quote!(#rt::lexical(&#spec))
        }
        Variety::List(item) => {
            let spec = spec("", &st.steps, None);
            let item = value(ctx, item, module);
            quote!(#rt::list(#item, &#spec, |x| ::xsd_runtime::xsd::Lexical::to_lexical(x)))
        }
        Variety::Union(members) => {
            let ms = members.iter().map(|m| {
                let v = value(ctx, m, module);
                quote!(#v.prop_map(|x| ::xsd_runtime::xsd::Lexical::to_lexical(&x)).boxed())
            });
            quote!(#rt::one_of(::std::vec![#(#ms),*]))
        }
    };
    let b = boxed_ty(quote!(Self));
    let imp = if matches!(st.variety, Variety::Union(_)) && !has_lexical_facets {
        import()
    } else {
        quote!()
    };
    let arb = arbitrary(&quote!(#name));
    quote! {
        #[cfg(feature = "proptest")]
        impl #name {
            /// Valid values (every facet respected), for property tests.
            pub fn strategy() -> #b {
                #imp
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
            quote!(::xsd_runtime::strategy::OTHER_NAMESPACE)
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
                quote!(#t::strategy_at(#depth).prop_map(::std::boxed::Box::new).boxed())
            } else {
                quote!(#t::strategy_at(#depth))
            }
        }
        TypeRef::AnyType => {
            let ns = Literal::string(&e.name.ns);
            let l = Literal::string(&e.name.local);
            quote!(::xsd_runtime::strategy::any_named(#ns, #l))
        }
        ty => match (&e.fixed, &e.default) {
            (Some(f), _) => literal(te.ctx, ty, module, f),
            (None, Some(_)) => {
                let v = value(te.ctx, ty, module);
                quote!(::xsd_runtime::strategy::not_empty_text(#v))
            }
            (None, None) => value(te.ctx, ty, module),
        },
    };
    if !e.nillable {
        return base;
    }
    // A nil element may not have a fixed value.
    if e.fixed.is_some() {
        return quote!(#base.prop_map(::xsd_runtime::Nillable::Value).boxed());
    }
    quote!(::xsd_runtime::strategy::nillable(#base))
}

fn term(te: &TypeEmitter<'_, '_>, t: &FieldTerm, many: bool, optional: bool) -> TokenStream {
    match t {
        FieldTerm::Element(e) => element(te, e, many, quote!(depth + 1)),
        FieldTerm::Group { ty, .. } => {
            if (optional || many) && te.mixed {
                quote!(::xsd_runtime::strategy::non_empty(#ty::strategy_at(depth), |g, w| {
                    g.write_content(w, &mut ::xsd_runtime::xml::TextRuns::new(&[]))
                }))
            } else if optional || many {
                quote!(::xsd_runtime::strategy::non_empty(#ty::strategy_at(depth), #ty::write_content))
            } else {
                quote!(#ty::strategy_at(depth))
            }
        }
        FieldTerm::Any(w) => {
            let ns = wildcard_ns(w);
            let other = quote!(::xsd_runtime::strategy::any_element(#ns));
            match w.process {
                Process::Skip => other,
                Process::Lax => {
                    quote!(#other.prop_map(::xsd_runtime::xml::AnyContent::Other).boxed())
                }
                Process::Strict => {
                    let allow = ns_filter(w);
                    // Built lazily, when a value is drawn: built at once, every
                    // root containing a strict wildcard would build every root
                    // again, (roots)^depth strategies before the first value.
                    quote! {
                        ::xsd_runtime::strategy::proptest::strategy::Just(())
                            .prop_flat_map(move |()| match super::Document::strategy_for(#allow, depth + 1) {
                                ::std::option::Option::Some(s) => s
                                    .prop_map(|d| ::xsd_runtime::xml::AnyContent::Known(::std::boxed::Box::new(d)))
                                    .boxed(),
                                // No declared element fits: the root's validation drops the document.
                                ::std::option::Option::None => #other.prop_map(::xsd_runtime::xml::AnyContent::Other).boxed(),
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
                let none = just(quote!(::std::option::Option::None));
                quote!(if depth >= #rt::MAX_DEPTH { #none } else { #opt })
            } else {
                opt
            }
        }
        Shape::Many => {
            let one = term(te, &f.term, true, false);
            let min = Literal::u32_suffixed(f.occurs.min);
            let max = opt_u32(f.occurs.max);
            quote!(#rt::repeated(#min, #max, depth, || #one))
        }
    }
}

/// `(strategy, pattern)` pairs combined into nested tuples of at most
/// eight (proptest implements `Strategy` for tuples up to twelve).
fn tuple(parts: Vec<(TokenStream, TokenStream)>) -> (TokenStream, TokenStream) {
    if parts.len() <= 8 {
        let (s, p): (Vec<_>, Vec<_>) = parts.into_iter().unzip();
        return (quote!((#(#s,)*)), quote!((#(#p,)*)));
    }
    let chunks: Vec<(TokenStream, TokenStream)> =
        parts.chunks(8).map(|c| tuple(c.to_vec())).collect();
    tuple(chunks)
}

/// A struct value built from named field strategies.
fn build_struct(ty: TokenStream, parts: Vec<(Ident, TokenStream)>) -> TokenStream {
    if parts.is_empty() {
        return just(quote!(#ty {}));
    }
    let names: Vec<Ident> = parts.iter().map(|(n, _)| n.clone()).collect();
    let binds: Vec<(TokenStream, TokenStream)> = parts
        .into_iter()
        .enumerate()
        .map(|(i, (n, s))| {
            let v = ident(&format!("v{i}"));
            let _ = n;
            (s, quote!(#v))
        })
        .collect();
    let vars: Vec<TokenStream> = binds.iter().map(|(_, p)| p.clone()).collect();
    let (s, p) = tuple(binds);
    quote! {
        #s.prop_map(|#p| #ty { #(#names: #vars,)* }).boxed()
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
        quote!(::xsd_runtime::strategy::optional(#v))
    }
}

/// Is this complex type the own type of a global element (so its root impl
/// defines `strategy()`)?
fn is_own_root(model: &Model, id: &TypeId) -> bool {
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
    (fields, aux, text): (&[Field], &[Aux], Option<&Ident>),
) -> TokenStream {
    let mut parts = Vec::new();
    for (n, a) in attrs {
        parts.push((n.clone(), attr(te, a)));
    }
    if let Some((n, _)) = any_attr {
        parts.push((n.clone(), just(quote!(::std::vec::Vec::new()))));
    }
    if let Some((n, ty)) = simple_value {
        parts.push((n.clone(), value(te.ctx, ty, &te.module)));
    }
    for f in fields {
        parts.push((f.name.clone(), field(te, f, aux)));
    }
    if let Some(n) = text {
        parts.push((n.clone(), quote!(::xsd_runtime::strategy::mixed_text())));
    }
    let body = build_struct(quote!(Self), parts);
    let b = boxed_ty(quote!(Self));
    let imp = import();
    let plain = if is_own_root(te.ctx.model, id) {
        quote!()
    } else {
        let a = arbitrary(&quote!(#name));
        quote! {
            #[cfg(feature = "proptest")]
            impl #name {
                /// Values whose content is valid (facets, occurrences,
                /// choices, fixed values), for property tests. Keys and IDs
                /// are document-wide: a root's `strategy()` also makes them hold.
                pub fn strategy() -> #b {
                    Self::strategy_at(0)
                }
            }

            #a
        }
    };
    let aux_items = aux.iter().map(|a| aux_strategy(te, a, aux));
    quote! {
        #[cfg(feature = "proptest")]
        impl #name {
            /// Like `strategy()`, for an element `depth` levels down: from
            /// `xsd_runtime::strategy::MAX_DEPTH` on, content that could
            /// recurse is left out, so values stay finite.
            #[allow(unused_variables)]
            pub fn strategy_at(depth: u32) -> #b {
                #imp
                #body
            }
        }

        #plain

        #(#aux_items)*
    }
}

fn aux_strategy(te: &TypeEmitter<'_, '_>, a: &Aux, all_aux: &[Aux]) -> TokenStream {
    let b = boxed_ty(quote!(Self));
    let imp = import();
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
                        #imp
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
                    let min = Literal::u32_suffixed(v.occurs.min.max(1));
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
            let pick = |v: &[TokenStream]| quote!(#rt::one_of(::std::vec![#(#v),*]));
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
                        #imp
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
        Builtin::Id => Some(quote!(::xsd_runtime::strategy::IdKind::Id)),
        Builtin::IdRef => Some(quote!(::xsd_runtime::strategy::IdKind::IdRef)),
        Builtin::IdRefs => Some(quote!(::xsd_runtime::strategy::IdKind::IdRefs)),
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
                    quote!(::std::option::Option::Some((#ans, #al)))
                }
                None => quote!(::std::option::Option::None),
            };
            out.ids.push(quote!(::xsd_runtime::strategy::IdSite { ns: #ns, local: #local, attribute: #a, kind: #kind }));
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

fn idc_def(c: &crate::model::IdentityConstraint) -> TokenStream {
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
        ::xsd_runtime::xml::idc::IdcDef { name: #name, kind: #kind, selector: &[#(#selector),*], fields: &[#(#fields),*] }
    }
}

/// Strategies of a root element's type (`name`): `strategy_at` for a
/// wrapper, and the document-level `strategy()`.
pub fn root(ctx: &mut Ctx<'_>, module: &str, e: &Element, name: &str, own: bool) -> TokenStream {
    let model = ctx.model;
    let ni = ident(name);
    let b = boxed_ty(quote!(Self));
    let imp = import();
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
                #imp
                #el.prop_map(Self).boxed()
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
    let scoped = refs.scoped.iter().map(|(q, cs)| {
        let (ns, l) = (Literal::string(&q.ns), Literal::string(&q.local));
        let defs = cs.iter().map(idc_def);
        quote!(#rt::Scoped { ns: #ns, local: #l, defs: &[#(#defs),*] })
    });
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
    let imp = import();
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
            .map(|(v, p, _)| quote!(#p::strategy().prop_map(Self::#v).boxed()));
        quote!(::xsd_runtime::strategy::one_of(::std::vec![#(#arms),*]))
    };
    let doc = variants(roots);
    let doc_union = union(&doc);
    let pushes = doc.iter().map(|(v, p, ns)| {
        let ns = Literal::string(ns);
        quote! {
            if allow(#ns) {
                v.push(#p::strategy_at(depth).prop_map(Self::#v).boxed());
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
                    #imp
                    #doc_union
                }

                /// Content for a strict wildcard: elements whose namespace
                /// `allow`s, or `None` if none does (or nesting is too deep).
                #[doc(hidden)]
                pub fn strategy_for(allow: fn(&str) -> bool, depth: u32) -> ::std::option::Option<#b> {
                    #imp
                    if depth > ::xsd_runtime::strategy::MAX_DEPTH + 4 {
                        return ::std::option::Option::None;
                    }
                    let mut v = ::std::vec::Vec::new();
                    #(#pushes)*
                    if v.is_empty() {
                        ::std::option::Option::None
                    } else {
                        ::std::option::Option::Some(::xsd_runtime::strategy::one_of(v))
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
                    #imp
                    #u
                }
            }

            #arb
        }
    });
    quote!(#doc_items #(#chosen_items)*)
}
