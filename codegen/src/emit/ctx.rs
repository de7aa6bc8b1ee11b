//! The emission context: the model plus the Rust names chosen for it.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::emit::builtin;
use crate::model::{Model, TypeId, TypeRef};
use crate::naming::{self, Namespace};

/// Where a type lives in the generated crate.
#[derive(Clone, Debug)]
pub struct RustName {
    pub module: String,
    pub ident: String,
}

pub struct Ctx<'m> {
    pub model: &'m Model,
    /// Module of each target namespace.
    pub modules: BTreeMap<String, String>,
    pub types: BTreeMap<TypeId, RustName>,
    /// Item names taken per module (types, plus helper types claimed during emission).
    pub taken: BTreeMap<String, Namespace>,
    /// Complex types each complex type contains (transitively), to box
    /// fields that would make a type contain itself.
    reach: BTreeMap<TypeId, std::collections::BTreeSet<TypeId>>,
    /// The field holding the schema-location hints of each own type of a root.
    pub location_fields: BTreeMap<TypeId, Ident>,
    /// Estimated sizes and the fields boxed for them.
    pub sizes: crate::emit::size::Sizes,
    /// Emit `proptest` strategies (see `emit::strategy`).
    pub proptest: bool,
    /// Types whose name no other type of the set has: other modules import
    /// them (`use super::m::Name;`) and write the bare name.
    importable: std::collections::BTreeSet<TypeId>,
    /// Each element declaration's identity-constraint set and its `const`.
    pub identity: crate::emit::identity::Identity,
    /// The imports each module's code used (module -> (source module, name)).
    imports: std::cell::RefCell<BTreeMap<String, std::collections::BTreeSet<(String, String)>>>,
}

/// Complex types directly referenced by the content of `ct`.
fn direct_refs(ct: &crate::model::ComplexType) -> Vec<TypeId> {
    use crate::model::{Content, Term};
    let mut out = Vec::new();
    if let Content::Elements(p) = &ct.content {
        let mut stack = vec![p];
        while let Some(p) = stack.pop() {
            match &p.term {
                Term::Element(e) => {
                    if let TypeRef::Complex(id) = &e.ty {
                        out.push(id.clone());
                    }
                }
                Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) => stack.extend(ps.iter()),
                Term::Any(_) => {}
            }
        }
    }
    out
}

/// Names every generated module keeps for itself.
const RESERVED_ITEMS: &[&str] = &["Document", "NAMESPACE", "ValueError", "FacetViolation"];

/// The types whose name is unique in the whole set (ignoring case). Each
/// is reserved in every other module's names up front, so no helper type
/// claimed later can take a name that module may import.
fn importable(
    types: &BTreeMap<TypeId, RustName>,
    modules: &BTreeMap<String, String>,
    taken: &mut BTreeMap<String, Namespace>,
) -> std::collections::BTreeSet<TypeId> {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for n in types.values() {
        *count.entry(n.ident.to_ascii_lowercase()).or_default() += 1;
    }
    let unique: std::collections::BTreeSet<TypeId> = types
        .iter()
        .filter(|(_, n)| count.get(&n.ident.to_ascii_lowercase()) == Some(&1))
        .map(|(id, _)| id.clone())
        .collect();
    for module in modules.values() {
        let scope = taken
            .entry(module.clone())
            .or_insert_with(|| Namespace::with_reserved(RESERVED_ITEMS));
        for id in &unique {
            if let Some(n) = types.get(id)
                && n.module != *module
                && !scope.contains(&n.ident)
            {
                scope.claim(&n.ident);
            }
        }
    }
    unique
}

pub fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

impl<'m> Ctx<'m> {
    /// Chooses every module and type name up front, in a fixed order:
    /// named types first, then anonymous ones, each in `TypeId` order, so a
    /// type's name never depends on which other types exist later on.
    pub fn new(model: &'m Model) -> Self {
        let mut module_ns = Namespace::with_reserved(&["lib", "document"]);
        let mut modules = BTreeMap::new();
        for (uri, info) in &model.namespaces {
            let stem = info
                .files
                .first()
                .and_then(|f| f.file_stem())
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "schema".into());
            modules.insert(uri.clone(), module_ns.claim(&naming::module_name(&stem)));
        }
        let mut taken: BTreeMap<String, Namespace> = BTreeMap::new();
        let mut types = BTreeMap::new();
        let ids = model.simple_types.keys().chain(model.complex_types.keys());
        let mut ordered: Vec<&TypeId> = ids.collect();
        ordered.sort_by(|a, b| (a.anonymous, a).cmp(&(b.anonymous, b)));
        for id in ordered {
            let module = modules
                .get(&id.ns)
                .cloned()
                .unwrap_or_else(|| "no_namespace".into());
            let scope = taken
                .entry(module.clone())
                .or_insert_with(|| Namespace::with_reserved(RESERVED_ITEMS));
            let ident = if id.anonymous {
                // `Outer/Inner/Leaf`: try `Leaf`, then `InnerLeaf`, ...
                let parts: Vec<&str> = id.name.split('/').collect();
                let mut chosen = None;
                for n in 1..=parts.len() {
                    let candidate: String = parts[parts.len() - n..]
                        .iter()
                        .map(|p| naming::type_name(p))
                        .collect();
                    if !scope.contains(&candidate) {
                        chosen = Some(scope.claim(&candidate));
                        break;
                    }
                }
                chosen.unwrap_or_else(|| scope.claim(&naming::type_name(&id.name)))
            } else {
                scope.claim(&naming::type_name(&id.name))
            };
            types.insert(id.clone(), RustName { module, ident });
        }
        let mut reach = BTreeMap::new();
        for id in model.complex_types.keys() {
            let mut seen = std::collections::BTreeSet::new();
            let mut stack: Vec<TypeId> = model
                .complex_types
                .get(id)
                .map(direct_refs)
                .unwrap_or_default();
            while let Some(t) = stack.pop() {
                if seen.insert(t.clone())
                    && let Some(ct) = model.complex_types.get(&t)
                {
                    stack.extend(direct_refs(ct));
                }
            }
            reach.insert(id.clone(), seen);
        }
        let cycles_back = |ty: &TypeRef, owner: &TypeId| match ty {
            TypeRef::Complex(id) => id == owner || reach.get(id).is_some_and(|r| r.contains(owner)),
            _ => false,
        };
        let sizes = crate::emit::size::Sizes::new(model, &cycles_back);
        let importable = importable(&types, &modules, &mut taken);
        let identity = crate::emit::identity::Identity::new(model, &modules);
        Ctx {
            model,
            modules,
            types,
            taken,
            reach,
            sizes,
            location_fields: BTreeMap::new(),
            proptest: false,
            importable,
            identity,
            imports: Default::default(),
        }
    }

    /// The `rt::Ns` constant of the namespace `ns`, from `module`.
    pub fn ns_path(&self, ns: &str, module: &str) -> TokenStream {
        if ns.is_empty() {
            return quote!(rt::Ns::NONE);
        }
        match self.modules.get(ns) {
            Some(m) if m == module => quote!(NS),
            Some(m) => {
                let m = ident(m);
                quote!(super::#m::NS)
            }
            None => {
                let u = proc_macro2::Literal::string(ns);
                quote!(rt::Ns { index: None, uri: #u })
            }
        }
    }

    /// `use super::m::{A, B};` for the other modules' types `module`'s code used.
    pub fn imports_of(&self, module: &str) -> TokenStream {
        let imports = self.imports.borrow();
        let Some(used) = imports.get(module) else {
            return quote!();
        };
        let mut by_module: BTreeMap<&str, Vec<Ident>> = BTreeMap::new();
        for (m, name) in used {
            by_module.entry(m.as_str()).or_default().push(ident(name));
        }
        let uses = by_module.into_iter().map(|(m, names)| {
            let m = ident(m);
            quote!(#[allow(unused_imports)] use super::#m::{#(#names),*};)
        });
        quote!(#(#uses)*)
    }

    /// Would a field of type `ty` inside `owner` make `owner` contain
    /// itself (so the field must be boxed)?
    pub fn cycles_back(&self, ty: &TypeRef, owner: &TypeId) -> bool {
        match ty {
            TypeRef::Complex(id) => {
                id == owner || self.reach.get(id).is_some_and(|r| r.contains(owner))
            }
            _ => false,
        }
    }

    /// Claims a helper type name (a choice enum, a group struct) in `module`.
    pub fn claim(&mut self, module: &str, wanted: &str) -> String {
        self.taken
            .entry(module.to_owned())
            .or_default()
            .claim(wanted)
    }

    /// Path to a generated type as seen from `from_module`.
    pub fn type_path(&self, id: &TypeId, from_module: &str) -> TokenStream {
        match self.types.get(id) {
            Some(n) if n.module == from_module => {
                let i = ident(&n.ident);
                quote!(#i)
            }
            // Imported (see `importable`), where a module uses it.
            Some(n)
                if self.importable.contains(id)
                    && self.modules.values().any(|m| m == from_module) =>
            {
                self.imports
                    .borrow_mut()
                    .entry(from_module.to_owned())
                    .or_default()
                    .insert((n.module.clone(), n.ident.clone()));
                let i = ident(&n.ident);
                quote!(#i)
            }
            // Sibling modules, so the output also works when included
            // inside a user's module (`include!` from a build script).
            Some(n) => {
                let m = ident(&n.module);
                let i = ident(&n.ident);
                quote!(super::#m::#i)
            }
            // The front end guarantees every reference resolves; an unknown
            // one is a generator bug and fails to compile loudly.
            None => {
                let i = format_ident!("UnresolvedType_{}", naming::type_name(&id.name));
                quote!(#i)
            }
        }
    }

    /// The Rust type of a value of `ty`.
    pub fn rust_type(&self, ty: &TypeRef, from_module: &str) -> TokenStream {
        match ty {
            TypeRef::Builtin(b) => builtin::repr(*b).rust,
            TypeRef::Simple(id) | TypeRef::Complex(id) => self.type_path(id, from_module),
            TypeRef::AnyType => quote!(rt::xml::AnyElement),
        }
    }

    /// An expression reading a simple value of `ty` from `text` at `site`
    /// (a `ReadResult<T>`).
    pub fn read_simple(
        &self,
        ty: &TypeRef,
        from_module: &str,
        text: TokenStream,
        site: TokenStream,
    ) -> TokenStream {
        match ty {
            TypeRef::Builtin(b) => {
                let parse = builtin::repr(*b).parse;
                let hook = id_hook(*b, quote!(v), site.clone());
                if hook.is_empty() {
                    quote!(r.value(#text, #site, #parse))
                } else {
                    quote!(r.value(#text, #site, #parse).map(|v| { #hook v }))
                }
            }
            TypeRef::Simple(id) => {
                let p = self.type_path(id, from_module);
                quote!(#p::read_value(r, #text, #site))
            }
            TypeRef::Complex(_) | TypeRef::AnyType => {
                quote!(rt::xsd::any_simple_type(#text).map_err(|_| rt::xml::Fail::Invalid))
            }
        }
    }

    /// A reader of a simple value of `ty` as a function of the reader,
    /// the text and the site (`T::read_value`, `rt::builtin(parse)`).
    pub fn read_simple_fn(&self, ty: &TypeRef, from_module: &str) -> TokenStream {
        match ty {
            TypeRef::Builtin(b) => {
                let parse = builtin::repr(*b).parse;
                let hook = id_hook(*b, quote!(v), quote!(site));
                if hook.is_empty() {
                    quote!(rt::builtin(#parse))
                } else {
                    quote!(|r: &mut rt::Reader<'_>, text: &str, site: rt::Site<'_>| r.value(text, site, #parse).map(|v| { #hook v }))
                }
            }
            TypeRef::Simple(id) => {
                let p = self.type_path(id, from_module);
                quote!(#p::read_value)
            }
            TypeRef::Complex(_) | TypeRef::AnyType => quote!(rt::any_simple),
        }
    }

    /// An expression parsing and fully checking a simple value of `ty` from
    /// `s` without a reader (`Result<T, ValueError>`), as unions need when
    /// trying their members.
    pub fn parse_checked(&self, ty: &TypeRef, from_module: &str, s: TokenStream) -> TokenStream {
        let parse = self.parse_fn(ty, from_module);
        quote!(#parse(#s))
    }

    /// The function behind [`Ctx::parse_checked`]: `fn(&str) -> Result<T, ValueError>`.
    pub fn parse_fn(&self, ty: &TypeRef, from_module: &str) -> TokenStream {
        match ty {
            TypeRef::Builtin(b) => builtin::repr(*b).parse,
            TypeRef::Simple(id) => {
                let p = self.type_path(id, from_module);
                quote!(<#p as ::std::str::FromStr>::from_str)
            }
            TypeRef::Complex(_) | TypeRef::AnyType => quote!(rt::xsd::any_simple_type),
        }
    }

    /// Can values of `ty` derive `Eq` and `Hash`?
    pub fn is_eq(&self, ty: &TypeRef) -> bool {
        self.is_eq_depth(ty, 0)
    }

    fn is_eq_depth(&self, ty: &TypeRef, depth: u32) -> bool {
        if depth > 64 {
            return false;
        }
        match ty {
            TypeRef::Builtin(b) => builtin::repr(*b).eq,
            TypeRef::AnyType => true,
            TypeRef::Simple(id) => match self.model.simple_types.get(id) {
                None => false,
                Some(st) => match &st.variety {
                    crate::model::Variety::Atomic(b) => builtin::repr(*b).eq,
                    crate::model::Variety::List(item) => self.is_eq_depth(item, depth + 1),
                    crate::model::Variety::Union(ms) => {
                        ms.iter().all(|m| self.is_eq_depth(m, depth + 1))
                    }
                },
            },
            // Complex types derive only PartialEq: they may hold floats deep down.
            TypeRef::Complex(_) => false,
        }
    }
}

/// Statements registering an `xs:ID` / `xs:IDREF(S)` value `v` with the
/// reader (document-wide uniqueness and resolution); empty for other types.
pub fn id_hook(b: crate::model::Builtin, v: TokenStream, site: TokenStream) -> TokenStream {
    use crate::model::Builtin;
    match b {
        Builtin::Id => quote!(r.register_id(#site, &#v);),
        Builtin::IdRef => quote!(r.register_idref(#site, &#v);),
        Builtin::IdRefs => quote!(for x in #v.iter() { r.register_idref(#site, x); }),
        _ => quote!(),
    }
}
