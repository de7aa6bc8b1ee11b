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

/// Where a facet table is for: an atomic type rooted in a built-in, or a
/// list or union (whose tables name no built-in, collapse whitespace, and
/// hold only the facets XSD allows them).
#[derive(Clone, Copy)]
enum Variant {
    Atomic(Builtin),
    List,
    Union,
}

/// The `FACETS` table of a restricted type: every step's facets, as data
/// that the runtime's checks and strategies both read. Entries come in the
/// order errors report them: lengths, bounds, digits, then enumerations.
fn facet_table(st: &SimpleType, variant: Variant) -> Result<TokenStream, GenerateError> {
    let mut fields = Vec::new();
    let ws = match variant {
        Variant::Atomic(b) => {
            let name = Literal::string(crate::model::builtin_xsd_name(b));
            fields.push(quote!(builtin: #name));
            st.whitespace()
        }
        Variant::List | Variant::Union => WhiteSpace::Collapse,
    };
    if ws != WhiteSpace::Preserve {
        let ws = ws_tokens(ws);
        fields.push(quote!(whitespace: #ws));
    }
    let patterns = pattern_steps(&st.steps)?;
    if !patterns.is_empty() {
        fields.push(quote!(patterns: &[#(#patterns),*]));
    }
    let mut facets = Vec::new();
    match variant {
        Variant::Atomic(b) => {
            let repr = builtin::repr(b);
            if matches!(
                repr.length,
                LengthUnit::Chars | LengthUnit::Octets | LengthUnit::Items
            ) {
                facets.extend(length_facets(&st.steps));
            }
            facets.extend(bound_facets(st, b)?);
            facets.extend(digit_facets(&st.steps, repr.digits));
        }
        Variant::List => facets.extend(length_facets(&st.steps)),
        Variant::Union => {}
    }
    for f in &st.steps {
        if !f.enumeration.is_empty() {
            let lits = f.enumeration.iter().map(|v| Literal::string(v));
            facets.push(quote!(rt::Facet::Enumeration(&[#(#lits),*])));
        }
    }
    if !facets.is_empty() {
        fields.push(quote!(facets: &[#(#facets),*]));
    }
    Ok(quote!(rt::FacetTable { #(#fields,)* ..rt::FacetTable::NONE }))
}

/// Each step's patterns (`&["a", "b"]`), compiled here first so a schema
/// whose pattern we cannot check is refused, not silently unchecked.
fn pattern_steps(steps: &[Facets]) -> Result<Vec<TokenStream>, GenerateError> {
    let mut out = Vec::new();
    for f in steps.iter().filter(|f| !f.patterns.is_empty()) {
        let refs: Vec<&str> = f.patterns.iter().map(String::as_str).collect();
        if let Err(e) = xsd_runtime::pattern::Pattern::any_of(&refs) {
            return Err(GenerateError::Pattern {
                pattern: f.patterns.join(" | "),
                message: e.to_string(),
            });
        }
        let lits = f.patterns.iter().map(|p| Literal::string(p));
        out.push(quote!(&[#(#lits),*]));
    }
    Ok(out)
}

fn length_facets(steps: &[Facets]) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for f in steps {
        // minLength 0 always holds.
        let min_length = f.min_length.filter(|&n| n > 0);
        for (bound, facet) in [
            (f.length, quote!(Length)),
            (min_length, quote!(MinLength)),
            (f.max_length, quote!(MaxLength)),
        ] {
            if let Some(n) = bound {
                let n = Literal::u64_unsuffixed(n);
                out.push(quote!(rt::Facet::#facet(#n)));
            }
        }
    }
    out
}

/// The range facets, each bound checked here to be a value of `b` (the
/// runtime parses it into one and compares).
fn bound_facets(st: &SimpleType, b: Builtin) -> Result<Vec<TokenStream>, GenerateError> {
    let mut out = Vec::new();
    for f in &st.steps {
        for (bound, facet) in [
            (&f.min_inclusive, quote!(MinInclusive)),
            (&f.max_inclusive, quote!(MaxInclusive)),
            (&f.min_exclusive, quote!(MinExclusive)),
            (&f.max_exclusive, quote!(MaxExclusive)),
        ] {
            let Some(lit) = bound else { continue };
            if builtin::repr(b).order == Order::None {
                return Err(GenerateError::Facet {
                    origin: st.origin.to_string(),
                    message: format!("{facet} does not apply to {b:?}"),
                });
            }
            xsd_runtime::xsd::check_builtin_literal(crate::model::builtin_xsd_name(b), lit)
                .map_err(|e| GenerateError::Facet {
                    origin: st.origin.to_string(),
                    message: format!("bound '{lit}' of {b:?}: {e}"),
                })?;
            let lit = Literal::string(lit);
            out.push(quote!(rt::Facet::#facet(#lit)));
        }
    }
    Ok(out)
}

fn digit_facets(steps: &[Facets], digits: Digits) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for f in steps {
        if let (Some(n), Digits::Methods | Digits::Int) = (f.total_digits, digits) {
            let n = Literal::u32_unsuffixed(n);
            out.push(quote!(rt::Facet::TotalDigits(#n)));
        }
        if let (Some(n), Digits::Methods) = (f.fraction_digits, digits) {
            let n = Literal::u32_unsuffixed(n);
            out.push(quote!(rt::Facet::FractionDigits(#n)));
        }
    }
    out
}

/// What differs between restricted newtypes; the rest comes from the
/// runtime's `restricted_newtype!`.
struct Newtype {
    inner: TokenStream,
    eq: bool,
    /// The `FACETS` table.
    facets: TokenStream,
    /// `fn(&str) -> Result<Inner, ValueError>` reading the normalized form.
    parse: TokenStream,
    /// Body of `read_value(r, text, site)` when reading needs more than
    /// parsing and checking; `None`: the runtime's.
    read: Option<TokenStream>,
}

/// The hidden `read_value(r, text, site)` of a simple type, with `body`.
fn read_value(body: TokenStream) -> TokenStream {
    quote! {
        #[doc(hidden)]
        pub fn read_value(
            r: &mut rt::xml::XmlReader<'_>,
            text: &str,
            site: rt::xml::Site<'_>,
        ) -> rt::xml::ReadResult<Self> {
            #body
        }
    }
}

/// A newtype: the struct, its facet table, and one `restricted_newtype!`
/// for constructors, accessors, parsing, checking and traits.
fn newtype(name: &proc_macro2::Ident, doc: TokenStream, t: Newtype) -> TokenStream {
    let Newtype {
        inner,
        eq,
        facets,
        parse,
        read,
    } = t;
    let derives = if eq {
        quote!(Clone, Debug, PartialEq, Eq, Hash)
    } else {
        quote!(Clone, Debug, PartialEq)
    };
    let (read_flag, read_fn) = match read {
        None => (quote!(, read), quote!()),
        Some(body) => (quote!(), read_value(body)),
    };
    quote! {
        #doc
        #[derive(#derives)]
        pub struct #name(#inner);

        impl #name {
            /// The facets of this type, as the schema declares them.
            pub const FACETS: rt::FacetTable = #facets;

            #read_fn
        }

        rt::restricted_newtype!(#name(#inner), #parse #read_flag);
    }
}

fn emit_atomic(
    st: &SimpleType,
    b: Builtin,
    name: &proc_macro2::Ident,
    doc: TokenStream,
) -> Result<TokenStream, GenerateError> {
    let repr = builtin::repr(b);
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
        facets: facet_table(st, Variant::Atomic(b))?,
        parse: repr.parse,
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
    let item_parse = ctx.parse_fn(item, module);
    let item_read = ctx.read_simple(item, module, quote!(tok), quote!(site));
    let parse = quote!(|s| rt::newtype::list(s, #item_parse));
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
        facets: facet_table(st, Variant::List)?,
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
    let has_facets = st
        .steps
        .iter()
        .any(|f| !f.patterns.is_empty() || !f.enumeration.is_empty());
    let eq = members.iter().all(|m| ctx.is_eq(m));
    let derives = if eq {
        quote!(Clone, Debug, PartialEq, Eq, Hash)
    } else {
        quote!(Clone, Debug, PartialEq)
    };
    let shown_name = Literal::string(&st.id.name);
    // The union's own facets (patterns, enumerations) as a table, checked
    // after a member has read the value.
    let (facets, union_checks, from_str) = if has_facets {
        let table = facet_table(st, Variant::Union)?;
        (
            quote! {
                impl #name {
                    /// The facets of this type, as the schema declares them.
                    pub const FACETS: rt::FacetTable = #table;
                }

                rt::union_facets!(#name);
            },
            quote!(rt::newtype::check_text::<Self>(r, text, &v, site);),
            quote!(rt::newtype::from_str::<Self>(s)),
        )
    } else {
        (quote!(), quote!(), quote!(Self::parse_lexical(s)))
    };
    let read_fn = read_value(quote! {
        let v = r.value(text, site, Self::parse_lexical)?;
        #union_checks
        Ok(v)
    });
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

            #read_fn
        }

        #facets

        impl ::std::str::FromStr for #name {
            type Err = rt::ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                #from_str
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
