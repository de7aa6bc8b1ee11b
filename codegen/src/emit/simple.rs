//! Simple types: Rust enums for enumerated strings, newtypes that check
//! their facets for other restrictions, `Vec` newtypes for lists and enums
//! for unions.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::GenerateError;
use crate::emit::builtin::{self, Digits, LengthUnit, Order};
use crate::emit::ctx::{Ctx, ident};
use crate::emit::docs;
use crate::model::{Builtin, Facets, SimpleType, TypeRef, Variety, WhiteSpace};
use crate::naming::{self, Namespace};

fn ws_tokens(ws: WhiteSpace) -> TokenStream {
    match ws {
        WhiteSpace::Preserve => quote!(rt::lexical::WhiteSpace::Preserve),
        WhiteSpace::Replace => quote!(rt::lexical::WhiteSpace::Replace),
        WhiteSpace::Collapse => quote!(rt::lexical::WhiteSpace::Collapse),
    }
}

/// Emits the item for one simple type.
pub fn emit(ctx: &Ctx<'_>, st: &SimpleType, module: &str) -> Result<TokenStream, GenerateError> {
    let name = ident(&ctx.types[&st.id].ident);
    let doc = docs::doc_attrs(
        st.doc.as_deref(),
        &format!("XSD simple type `{}`.", st.id.name),
    );
    match &st.variety {
        Variety::Atomic(b) => match st.enumeration() {
            Some(values) if is_string_enum(st) => Ok(emit_string_enum(ctx, st, &name, doc, values)),
            _ => emit_atomic(st, *b, &name, doc),
        },
        Variety::List(item) => emit_list(ctx, st, item, &name, doc, module),
        Variety::Union(members) => emit_union(ctx, st, members, &name, doc, module),
    }
}

/// Is the type emitted as a Rust enum (an enumeration of strings and
/// nothing else to check)? Its strategy then comes with `string_enum!`.
pub fn is_string_enum(st: &SimpleType) -> bool {
    match &st.variety {
        Variety::Atomic(b) => {
            builtin::repr(*b).is_string && st.enumeration().is_some() && !has_other_facets(st)
        }
        _ => false,
    }
}

/// Facets besides enumeration and whitespace, which a Rust enum could not check.
fn has_other_facets(st: &SimpleType) -> bool {
    st.steps.iter().any(|f| {
        let mut f = f.clone();
        f.enumeration.clear();
        f.whitespace = None;
        !f.is_empty()
    })
}

fn emit_string_enum(
    ctx: &Ctx<'_>,
    st: &SimpleType,
    name: &proc_macro2::Ident,
    doc: TokenStream,
    values: &[String],
) -> TokenStream {
    // The strategy comes with the enum (its values are the only candidates).
    let strategy = match (&st.variety, ctx.proptest) {
        (crate::model::Variety::Atomic(b), true) => {
            let b = Literal::string(crate::model::builtin_xsd_name(*b));
            quote!(, strategy = #b)
        }
        _ => quote!(),
    };
    let mut seen = std::collections::BTreeSet::new();
    let values: Vec<String> = values
        .iter()
        .filter(|v| seen.insert((*v).clone()))
        .cloned()
        .collect();
    let variants: Vec<_> = naming::enumeration_variants(&values)
        .iter()
        .map(|v| ident(v))
        .collect();
    let docs: Vec<String> = values.iter().map(|v| format!(" `{v}`")).collect();
    let lits: Vec<Literal> = values.iter().map(|v| Literal::string(v)).collect();
    let ws = match st.whitespace() {
        WhiteSpace::Preserve => quote!(Preserve),
        WhiteSpace::Replace => quote!(Replace),
        WhiteSpace::Collapse => quote!(Collapse),
    };
    quote! {
        #doc
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #( #[doc = #docs] #variants, )*
        }

        rt::string_enum!(#name, #ws, { #( #variants => #lits ),* } #strategy);
    }
}

/// Checks of the facets of all steps: those on the normalized lexical form
/// (`s: &str`, patterns) and those on the value (`v: &T`).
struct Checks {
    lexical: Vec<TokenStream>,
    value: Vec<TokenStream>,
}

fn violation(facet: TokenStream, shown: TokenStream) -> TokenStream {
    quote! {
        out.push(rt::FacetViolation { facet: #facet, value: #shown });
    }
}

fn pattern_checks(steps: &[Facets]) -> Result<Vec<TokenStream>, GenerateError> {
    let mut out = Vec::new();
    for f in steps {
        if f.patterns.is_empty() {
            continue;
        }
        let refs: Vec<&str> = f.patterns.iter().map(String::as_str).collect();
        if let Err(e) = xsd_runtime::pattern::Pattern::any_of(&refs) {
            return Err(GenerateError::Pattern {
                pattern: f.patterns.join(" | "),
                message: e.to_string(),
            });
        }
        let lits = f.patterns.iter().map(|p| Literal::string(p));
        let shown = Literal::string(&f.patterns.join(" | "));
        out.push(quote! {
            {
                static PATTERN: rt::pattern::PatternFacet =
                    rt::pattern::PatternFacet::new(&[#(#lits),*], #shown);
                out.extend(PATTERN.check(s));
            }
        });
    }
    Ok(out)
}

fn length_checks(steps: &[Facets], len: TokenStream, shown: &TokenStream) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for f in steps {
        for (bound, facet, op) in [
            (f.length, quote!(Length), quote!(!=)),
            (f.min_length, quote!(MinLength), quote!(<)),
            (f.max_length, quote!(MaxLength), quote!(>)),
        ] {
            if let Some(n) = bound {
                // minLength 0 always holds (and comparing with it would not compile cleanly).
                if n == 0 && op.to_string() == "<" {
                    continue;
                }
                let _ = op;
                let n = Literal::u64_unsuffixed(n);
                out.push(quote! {
                    rt::newtype::length(out, #len, rt::Facet::#facet(#n), || #shown);
                });
            }
        }
    }
    out
}

fn int_literal(s: &str) -> Option<i128> {
    let t = s.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i128 = digits.trim_start_matches('0').parse().unwrap_or(0);
    Some(if neg { -v } else { v })
}

fn order_checks(
    st: &SimpleType,
    b: Builtin,
    rust: &TokenStream,
    parse: &TokenStream,
    shown: &TokenStream,
) -> Result<Vec<TokenStream>, GenerateError> {
    let repr = builtin::repr(b);
    let mut out = Vec::new();
    for f in &st.steps {
        let bounds = [
            (
                &f.min_inclusive,
                quote!(MinInclusive),
                quote!(::std::cmp::Ordering::Less),
                true,
            ),
            (
                &f.max_inclusive,
                quote!(MaxInclusive),
                quote!(::std::cmp::Ordering::Greater),
                true,
            ),
            (
                &f.min_exclusive,
                quote!(MinExclusive),
                quote!(::std::cmp::Ordering::Greater),
                false,
            ),
            (
                &f.max_exclusive,
                quote!(MaxExclusive),
                quote!(::std::cmp::Ordering::Less),
                false,
            ),
        ];
        for (bound, facet, bad_or_good, inclusive) in bounds {
            let Some(lit) = bound else { continue };
            let lit_s = Literal::string(lit);
            let facet_t = quote!(rt::Facet::#facet(#lit_s));
            let v = violation(facet_t, shown.clone());
            // Inclusive: violated when the comparison gives `bad_or_good`.
            // Exclusive: satisfied only when it gives `bad_or_good`.
            let bad = |cmp: TokenStream| {
                if inclusive {
                    quote!(match #cmp { Some(o) => o == #bad_or_good, None => true })
                } else {
                    quote!(match #cmp { Some(o) => o != #bad_or_good, None => true })
                }
            };
            match repr.order {
                Order::Int => {
                    let n = int_literal(lit).ok_or_else(|| GenerateError::Facet {
                        origin: st.origin.to_string(),
                        message: format!("'{lit}' is not a valid bound for {b:?}"),
                    })?;
                    let n = Literal::i128_suffixed(n);
                    let cond = bad(quote!(Some(::std::cmp::Ord::cmp(&i128::from(*v), &#n))));
                    out.push(quote! { if #cond { #v } });
                }
                Order::Float => {
                    let cond = if b == Builtin::Float {
                        let x = xsd_runtime::xsd::float(lit).map_err(|e| GenerateError::Facet {
                            origin: st.origin.to_string(),
                            message: format!("bound '{lit}': {e}"),
                        })?;
                        let bits = Literal::u32_suffixed(x.to_bits());
                        bad(quote!(::std::cmp::PartialOrd::partial_cmp(v, &f32::from_bits(#bits))))
                    } else {
                        let x =
                            xsd_runtime::xsd::double(lit).map_err(|e| GenerateError::Facet {
                                origin: st.origin.to_string(),
                                message: format!("bound '{lit}': {e}"),
                            })?;
                        let bits = Literal::u64_suffixed(x.to_bits());
                        bad(quote!(::std::cmp::PartialOrd::partial_cmp(v, &f64::from_bits(#bits))))
                    };
                    out.push(quote! { if #cond { #v } });
                }
                Order::Value => {
                    xsd_runtime::xsd::check_builtin_literal(builtin_local(b), lit).map_err(
                        |e| GenerateError::Facet {
                            origin: st.origin.to_string(),
                            message: format!("bound '{lit}' of {b:?}: {e}"),
                        },
                    )?;
                    let cond = bad(quote!(rt::xsd::XsdOrd::xsd_cmp(v, b)));
                    out.push(quote! {
                        {
                            static BOUND: ::std::sync::LazyLock<Option<#rust>> =
                                ::std::sync::LazyLock::new(|| #parse(#lit_s).ok());
                            if let Some(b) = &*BOUND {
                                if #cond { #v }
                            }
                        }
                    });
                }
                Order::None => {
                    return Err(GenerateError::Facet {
                        origin: st.origin.to_string(),
                        message: format!("{facet} does not apply to {b:?}"),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The XSD local name of a built-in type, for the runtime's literal check.
fn builtin_local(b: Builtin) -> &'static str {
    crate::model::builtin_xsd_name(b)
}

fn digit_checks(st: &SimpleType, digits: Digits, shown: &TokenStream) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for f in &st.steps {
        if let Some(n) = f.total_digits {
            let lit = Literal::u32_unsuffixed(n);
            let facet = quote!(rt::Facet::TotalDigits(#lit));
            match digits {
                Digits::Methods => out.push(quote! {
                    rt::newtype::digits(out, v.total_digits(), #facet, || #shown);
                }),
                Digits::Int => out.push(quote! {
                    rt::newtype::digits(out, rt::xsd::int_total_digits(i128::from(*v)), #facet, || #shown);
                }),
                Digits::None => {}
            }
        }
        if let Some(n) = f.fraction_digits {
            let lit = Literal::u32_unsuffixed(n);
            if digits == Digits::Methods {
                out.push(quote! {
                    rt::newtype::digits(out, v.fraction_digits(), rt::Facet::FractionDigits(#lit), || #shown);
                });
            }
        }
    }
    out
}

fn enumeration_check(
    st: &SimpleType,
    rust: &TokenStream,
    parse: &TokenStream,
    shown: &TokenStream,
) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for f in &st.steps {
        if f.enumeration.is_empty() {
            continue;
        }
        let lits: Vec<Literal> = f.enumeration.iter().map(|v| Literal::string(v)).collect();
        let v = violation(quote!(rt::Facet::Enumeration(VALUES)), shown.clone());
        out.push(quote! {
            {
                const VALUES: &[&str] = &[#(#lits),*];
                static PARSED: ::std::sync::LazyLock<Vec<#rust>> =
                    ::std::sync::LazyLock::new(|| VALUES.iter().filter_map(|s| #parse(s).ok()).collect());
                if !PARSED.iter().any(|e| e == v) { #v }
            }
        });
    }
    out
}

fn atomic_checks(st: &SimpleType, b: Builtin) -> Result<Checks, GenerateError> {
    let repr = builtin::repr(b);
    let shown = quote!(rt::xsd::Lexical::to_lexical(v));
    let lexical = pattern_checks(&st.steps)?;
    let mut value = Vec::new();
    let len = match repr.length {
        LengthUnit::Chars => Some(quote!(v.chars().count())),
        LengthUnit::Octets | LengthUnit::Items => Some(quote!(v.len())),
        LengthUnit::Ignored | LengthUnit::None => None,
    };
    if let Some(len) = len {
        value.extend(length_checks(&st.steps, len, &shown));
    }
    value.extend(order_checks(st, b, &repr.rust, &repr.parse, &shown)?);
    value.extend(digit_checks(st, repr.digits, &shown));
    value.extend(enumeration_check(st, &repr.rust, &repr.parse, &shown));
    Ok(Checks { lexical, value })
}

/// What differs between restricted newtypes; the rest comes from the
/// runtime's `restricted_newtype!`.
struct Newtype {
    inner: TokenStream,
    eq: bool,
    ws: TokenStream,
    checks: Checks,
    /// Body of `Facets::parse(s: &str)`, `s` normalized.
    parse: TokenStream,
    /// Body of `read_value(r, text, site)` when reading needs more than
    /// parsing and checking; `None`: the runtime's.
    read: Option<TokenStream>,
}

/// A newtype: the struct, its facets (`xsd_runtime::newtype::Facets`), and
/// one `restricted_newtype!` for constructors, accessors, parsing and traits.
fn newtype(name: &proc_macro2::Ident, doc: TokenStream, t: Newtype) -> TokenStream {
    let Newtype {
        inner,
        eq,
        ws,
        checks,
        parse,
        read,
    } = t;
    let derives = if eq {
        quote!(Clone, Debug, PartialEq, Eq, Hash)
    } else {
        quote!(Clone, Debug, PartialEq)
    };
    let lexical = &checks.lexical;
    let value = &checks.value;
    let lexical_fn = (!lexical.is_empty()).then(|| {
        quote! {
            const LEXICAL: bool = true;

            fn check_lexical(s: &str, out: &mut Vec<rt::FacetViolation>) {
                #(#lexical)*
            }
        }
    });
    let value_fn = (!value.is_empty()).then(|| {
        quote! {
            fn check_value(v: &#inner, out: &mut Vec<rt::FacetViolation>) {
                #(#value)*
            }
        }
    });
    let (read_flag, read_fn) = match read {
        None => (quote!(, read), quote!()),
        Some(body) => (
            quote!(),
            quote! {
                impl #name {
                    #[doc(hidden)]
                    pub fn read_value(
                        r: &mut rt::xml::XmlReader<'_>,
                        text: &str,
                        site: rt::xml::Site<'_>,
                    ) -> rt::xml::ReadResult<Self> {
                        #body
                    }
                }
            },
        ),
    };
    quote! {
        #doc
        #[derive(#derives)]
        pub struct #name(#inner);

        rt::restricted_newtype!(#name(#inner) #read_flag);

        impl rt::newtype::Facets for #name {
            type Inner = #inner;
            const WHITESPACE: rt::lexical::WhiteSpace = #ws;

            fn parse(s: &str) -> Result<#inner, rt::ValueError> {
                #parse
            }

            #lexical_fn
            #value_fn
        }

        #read_fn
    }
}

fn emit_atomic(
    st: &SimpleType,
    b: Builtin,
    name: &proc_macro2::Ident,
    doc: TokenStream,
) -> Result<TokenStream, GenerateError> {
    let repr = builtin::repr(b);
    let parse = &repr.parse;
    let hook = crate::emit::ctx::id_hook(b, quote!(v), quote!(site));
    let read = (!hook.is_empty()).then(|| {
        quote! {
            let v = rt::newtype::read::<Self>(r, text, site)?;
            #hook
            Ok(Self(v))
        }
    });
    let t = Newtype {
        inner: repr.rust.clone(),
        eq: repr.eq,
        ws: ws_tokens(st.whitespace()),
        checks: atomic_checks(st, b)?,
        parse: quote!(#parse(s)),
        read,
    };
    Ok(newtype(name, doc, t))
}

fn emit_list(
    ctx: &Ctx<'_>,
    st: &SimpleType,
    item: &TypeRef,
    name: &proc_macro2::Ident,
    doc: TokenStream,
    module: &str,
) -> Result<TokenStream, GenerateError> {
    let item_t = ctx.rust_type(item, module);
    let inner = quote!(Vec<#item_t>);
    let shown = quote!(rt::xsd::Lexical::to_lexical(v));
    let mut value = length_checks(&st.steps, quote!(v.len()), &shown);
    let mut lexical = pattern_checks(&st.steps)?;
    for f in &st.steps {
        if f.enumeration.is_empty() {
            continue;
        }
        let lits: Vec<Literal> = f.enumeration.iter().map(|v| Literal::string(v)).collect();
        let v = violation(quote!(rt::Facet::Enumeration(VALUES)), quote!(s.to_owned()));
        lexical.push(quote! {
            {
                const VALUES: &[&str] = &[#(#lits),*];
                if !VALUES.iter().any(|e| rt::lexical::normalize(e, rt::lexical::WhiteSpace::Collapse) == s) { #v }
            }
        });
    }
    value.shrink_to_fit();
    let checks = Checks { lexical, value };
    let item_parse = ctx.parse_checked(item, module, quote!(tok));
    let item_read = ctx.read_simple(item, module, quote!(tok), quote!(site));
    let parse = quote! {
        let mut v = Vec::new();
        for tok in s.split(' ').filter(|t| !t.is_empty()) {
            v.push(#item_parse?);
        }
        Ok(v)
    };
    let read = quote! {
        let s = rt::lexical::normalize(text, rt::lexical::WhiteSpace::Collapse);
        let mut v = Vec::new();
        let mut ok = true;
        for tok in s.split(' ').filter(|t| !t.is_empty()) {
            match rt::xml::recover(#item_read)? {
                Some(x) => v.push(x),
                None => ok = false,
            }
        }
        if !ok {
            return Err(rt::xml::Fail::Invalid);
        }
        rt::newtype::check_read::<Self>(r, &s, &v, site);
        Ok(Self(v))
    };
    let t = Newtype {
        inner,
        eq: ctx.is_eq(item),
        ws: quote!(rt::lexical::WhiteSpace::Collapse),
        checks,
        parse,
        read: Some(read),
    };
    Ok(newtype(name, doc, t))
}

fn emit_union(
    ctx: &Ctx<'_>,
    st: &SimpleType,
    members: &[TypeRef],
    name: &proc_macro2::Ident,
    doc: TokenStream,
    module: &str,
) -> Result<TokenStream, GenerateError> {
    let mut vns = Namespace::default();
    let mut variants = Vec::new();
    let mut types = Vec::new();
    let mut tries = Vec::new();
    for m in members {
        let vname = match m {
            TypeRef::Builtin(b) => naming::variant_name(crate::model::builtin_xsd_name(*b)),
            TypeRef::Simple(id) | TypeRef::Complex(id) => ctx
                .types
                .get(id)
                .map(|n| n.ident.clone())
                .unwrap_or_else(|| naming::variant_name(&id.name)),
            TypeRef::AnyType => "Any".into(),
        };
        let v = ident(&vns.claim(&vname));
        let t = ctx.rust_type(m, module);
        let p = ctx.parse_checked(m, module, quote!(text));
        tries.push(quote! {
            match #p {
                Ok(x) => return Ok(Self::#v(x)),
                Err(rt::ValueError::Facets(v)) => facets.extend(v),
                Err(_) => {}
            }
        });
        variants.push(v);
        types.push(t);
    }
    let lexical = pattern_checks(&st.steps)?;
    let mut enum_checks = Vec::new();
    for f in &st.steps {
        if f.enumeration.is_empty() {
            continue;
        }
        let lits: Vec<Literal> = f.enumeration.iter().map(|v| Literal::string(v)).collect();
        let v = violation(quote!(rt::Facet::Enumeration(VALUES)), quote!(s.to_owned()));
        enum_checks.push(quote! {
            {
                const VALUES: &[&str] = &[#(#lits),*];
                if !VALUES.iter().any(|e| *e == s) { #v }
            }
        });
    }
    let eq = members.iter().all(|m| ctx.is_eq(m));
    let derives = if eq {
        quote!(Clone, Debug, PartialEq, Eq, Hash)
    } else {
        quote!(Clone, Debug, PartialEq)
    };
    let shown_name = Literal::string(&st.id.name);
    let union_checks = if lexical.is_empty() && enum_checks.is_empty() {
        quote!()
    } else {
        quote! {
            if r.validating() {
                let s = rt::lexical::normalize(text, rt::lexical::WhiteSpace::Collapse);
                let s: &str = &s;
                let mut out = Vec::new();
                #(#lexical)*
                #(#enum_checks)*
                if !out.is_empty() {
                    r.facet_errors(site, out);
                }
            }
        }
    };
    Ok(quote! {
        #doc
        #[derive(#derives)]
        pub enum #name {
            #( #variants(#types), )*
        }

        impl #name {
            #[doc(hidden)]
            pub fn parse_lexical(text: &str) -> Result<Self, rt::ValueError> {
                // A value that some member reads but whose facets reject it
                // is reported by those facets; otherwise as a datatype error.
                let mut facets = Vec::new();
                #(#tries)*
                if !facets.is_empty() {
                    return Err(rt::ValueError::Facets(facets));
                }
                Err(rt::ValueError::Datatype {
                    datatype: #shown_name,
                    value: text.to_owned(),
                    reason: "the value matches none of the union's member types".into(),
                })
            }

            #[doc(hidden)]
            pub fn read_value(
                r: &mut rt::xml::XmlReader<'_>,
                text: &str,
                site: rt::xml::Site<'_>,
            ) -> rt::xml::ReadResult<Self> {
                let v = r.value(text, site, Self::parse_lexical)?;
                #union_checks
                Ok(v)
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = rt::ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse_lexical(s)
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&rt::xsd::Lexical::to_lexical(self))
            }
        }

        impl rt::xsd::Lexical for #name {
            fn write_lexical(&self, out: &mut String) {
                match self {
                    #( Self::#variants(x) => rt::xsd::Lexical::write_lexical(x, out), )*
                }
            }
        }
    })
}
