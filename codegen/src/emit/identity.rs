//! Identity constraints (`xs:unique`, `xs:key`, `xs:keyref`): each element
//! declaration's set is emitted once, as a hidden `const` of the module of
//! its schema, and named by the reader that scopes it and by the
//! property-test strategies that make keyrefs resolve.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::emit::ctx::{Ctx, ident};
use crate::model::{
    Content, Element, IdentityConstraint, IdentityKind, Model, QName, Term, XPath, XStep,
};
use crate::naming::{self, Namespace};

/// One element declaration's constraints and the `const` that holds them.
#[derive(Clone, Debug)]
pub struct Item {
    pub module: String,
    pub name: String,
    element: QName,
    constraints: Vec<IdentityConstraint>,
}

/// Every constraint set of the model, keyed by its constraints' names
/// (unique in their namespace, so they identify the declaration).
#[derive(Clone, Debug, Default)]
pub struct Identity {
    items: BTreeMap<Vec<QName>, Item>,
}

fn key(identity: &[IdentityConstraint]) -> Vec<QName> {
    identity.iter().map(|c| c.name.clone()).collect()
}

/// Element declarations with constraints, in a fixed order: global
/// elements, then each complex type's content in document order.
fn declarations(model: &Model) -> Vec<&Element> {
    let mut out: Vec<&Element> = model.elements.values().collect();
    for ct in model.complex_types.values() {
        let Content::Elements(p) = &ct.content else {
            continue;
        };
        let mut stack = vec![p];
        while let Some(p) = stack.pop() {
            match &p.term {
                Term::Element(e) => out.push(e),
                Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) => {
                    stack.extend(ps.iter().rev())
                }
                Term::Any(_) => {}
            }
        }
    }
    out.retain(|e| !e.identity.is_empty());
    out
}

impl Identity {
    /// Names every set up front, so a name never depends on emission order.
    pub fn new(model: &Model, modules: &BTreeMap<String, String>) -> Self {
        let mut items = BTreeMap::new();
        let mut names: BTreeMap<String, Namespace> = BTreeMap::new();
        for e in declarations(model) {
            let k = key(&e.identity);
            if items.contains_key(&k) {
                continue;
            }
            let ns = &e.identity[0].name.ns;
            let module = modules
                .get(ns)
                .or_else(|| modules.get(&e.name.ns))
                .or_else(|| modules.values().next())
                .cloned()
                .unwrap_or_default();
            let base = format!("{}_IDENTITY", naming::const_name(&e.name.local));
            let name = names.entry(module.clone()).or_default().claim(&base);
            let item = Item {
                module,
                name,
                element: e.name.clone(),
                constraints: e.identity.clone(),
            };
            items.insert(k, item);
        }
        Identity { items }
    }

    /// The path, from `module`, of the set of an element declaration
    /// whose constraints are `identity` (`None` if it has none).
    pub fn path(&self, identity: &[IdentityConstraint], module: &str) -> Option<TokenStream> {
        let item = self.items.get(&key(identity))?;
        let name = ident(&item.name);
        if item.module == module {
            Some(quote!(#name))
        } else {
            let m = ident(&item.module);
            Some(quote!(super::#m::#name))
        }
    }

    /// The `const`s of `module`.
    pub fn items(&self, ctx: &Ctx<'_>, module: &str) -> TokenStream {
        let consts = self
            .items
            .values()
            .filter(|i| i.module == module)
            .map(|i| item_tokens(ctx, i));
        quote!(#(#consts)*)
    }
}

fn item_tokens(ctx: &Ctx<'_>, item: &Item) -> TokenStream {
    let name = ident(&item.name);
    let ns = ctx.ns_path(&item.element.ns, &item.module);
    let local = Literal::string(&item.element.local);
    let doc = format!(
        " Identity constraints of the element `{}`.",
        item.element.local
    );
    let defs = item
        .constraints
        .iter()
        .map(|c| def_tokens(ctx, c, &item.module));
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        pub const #name: rt::Scoped = rt::Scoped {
            ns: #ns.uri,
            local: #local,
            defs: &[#(#defs),*],
        };
    }
}

fn def_tokens(ctx: &Ctx<'_>, c: &IdentityConstraint, module: &str) -> TokenStream {
    let name = Literal::string(&c.name.local);
    let selector = c.selector.iter().map(|x| path_tokens(ctx, x, module));
    let fields = c.fields.iter().map(|alts| {
        let alts = alts.iter().map(|x| path_tokens(ctx, x, module));
        quote!(&[#(#alts),*])
    });
    let (selector, fields) = (quote!(&[#(#selector),*]), quote!(&[#(#fields),*]));
    match &c.kind {
        IdentityKind::Unique => quote!(rt::IdcDef::unique(#name, #selector, #fields)),
        IdentityKind::Key => quote!(rt::IdcDef::key(#name, #selector, #fields)),
        IdentityKind::Keyref { refer } => {
            let r = Literal::string(&refer.local);
            quote!(rt::IdcDef::keyref(#name, #r, #selector, #fields))
        }
    }
}

fn path_tokens(ctx: &Ctx<'_>, x: &XPath, module: &str) -> TokenStream {
    let steps = x.steps.iter().map(|s| step_tokens(ctx, s, module));
    let path = if x.descendant {
        quote!(rt::IdcPath::descendant(&[#(#steps),*]))
    } else {
        quote!(rt::IdcPath::child(&[#(#steps),*]))
    };
    match &x.attribute {
        Some(a) => {
            let a = step_tokens(ctx, a, module);
            quote!(#path.attr(#a))
        }
        None => path,
    }
}

fn step_tokens(ctx: &Ctx<'_>, s: &XStep, module: &str) -> TokenStream {
    match s {
        XStep::Name(q) => {
            let ns = ctx.ns_path(&q.ns, module);
            let l = Literal::string(&q.local);
            quote!(#ns.step(#l))
        }
        XStep::Any => quote!(rt::Step::Any),
        XStep::AnyIn(uri) => {
            let ns = ctx.ns_path(uri, module);
            quote!(#ns.any())
        }
    }
}
