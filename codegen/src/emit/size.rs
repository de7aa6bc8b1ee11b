//! Value sizes, estimated from the model, and the boxing they decide: a
//! field of a large complex type is boxed (so that the structs, helper
//! enums and `Document` variants holding it stay small, and so do the
//! stack frames of the readers that build them), and so is every field that
//! would make a type contain itself.
//!
//! The estimates follow the Rust layout closely enough to decide (strings
//! and vectors 24 bytes, runtime types by their real `size_of`, an option or
//! an enum tag one word); they are never used for anything but boxing.

use std::collections::{BTreeMap, BTreeSet};
use std::mem::size_of;

use crate::model::{
    Builtin, ComplexType, Content, Model, Particle, QName, Term, TypeId, TypeRef, Variety,
};

/// A single field of a complex type larger than this is boxed.
pub const FIELD_BOX: usize = 512;
/// A struct larger than this has its largest complex fields boxed until it
/// fits.
pub const STRUCT_MAX: usize = 2048;
/// A root larger than this is boxed in the `Document`/`Message` enums.
pub const VARIANT_BOX: usize = 64;

const WORD: usize = 8;
const VEC: usize = size_of::<Vec<u8>>();
const BOXED: usize = size_of::<Box<u8>>();

/// Sizes and boxing decisions of every complex type.
#[derive(Default)]
pub struct Sizes {
    size: BTreeMap<TypeId, usize>,
    /// Per complex type: the element names whose single occurrences are boxed.
    boxed: BTreeMap<TypeId, BTreeSet<QName>>,
}

impl Sizes {
    pub fn new(model: &Model, cycles_back: &dyn Fn(&TypeRef, &TypeId) -> bool) -> Self {
        let mut s = Sizes::default();
        for id in model.complex_types.keys() {
            s.complex(model, id, cycles_back);
        }
        s
    }

    /// Is a single `name` element of `owner` boxed?
    pub fn is_boxed(&self, owner: &TypeId, name: &QName) -> bool {
        self.boxed.get(owner).is_some_and(|b| b.contains(name))
    }

    /// The estimated size of a value of `ty`.
    pub fn of(&self, model: &Model, ty: &TypeRef) -> usize {
        match ty {
            TypeRef::Complex(id) => self.size.get(id).copied().unwrap_or(BOXED),
            other => simple_size(model, other, 0),
        }
    }

    fn complex(
        &mut self,
        model: &Model,
        id: &TypeId,
        cycles: &dyn Fn(&TypeRef, &TypeId) -> bool,
    ) -> usize {
        if let Some(s) = self.size.get(id) {
            return *s;
        }
        let Some(ct) = model.complex_types.get(id) else {
            return BOXED;
        };
        // Single complex elements: (name, size), children sized first. A child
        // that leads back here is boxed (and not sized, which would not end).
        let mut boxed = BTreeSet::new();
        let mut candidates = Vec::new();
        if let Content::Elements(p) = &ct.content {
            for e in single_elements(p) {
                if let TypeRef::Complex(child) = &e.ty {
                    if cycles(&e.ty, id) {
                        boxed.insert(e.name.clone());
                    } else {
                        let size = self.complex(model, child, cycles);
                        candidates.push((e.name.clone(), size));
                    }
                }
            }
        }
        for (name, size) in &candidates {
            if *size > FIELD_BOX {
                boxed.insert(name.clone());
            }
        }
        let mut total = self.struct_size(model, ct, &boxed);
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (name, size) in &candidates {
            if total <= STRUCT_MAX || *size <= BOXED {
                break;
            }
            if boxed.insert(name.clone()) {
                total = self.struct_size(model, ct, &boxed);
            }
        }
        self.size.insert(id.clone(), total);
        self.boxed.insert(id.clone(), boxed);
        total
    }

    fn struct_size(&self, model: &Model, ct: &ComplexType, boxed: &BTreeSet<QName>) -> usize {
        let attrs: usize = ct
            .attributes
            .iter()
            .map(|a| simple_size(model, &a.ty, 0) + if a.required { 0 } else { WORD })
            .sum();
        let any = if ct.any_attribute.is_some() { VEC } else { 0 };
        let content = match &ct.content {
            Content::Empty => 0,
            Content::Simple(v) => simple_size(model, v, 0),
            Content::Elements(p) => self.particle(model, p, boxed) + if ct.mixed { VEC } else { 0 },
        };
        (attrs + any + content).max(1)
    }

    fn particle(&self, model: &Model, p: &Particle, boxed: &BTreeSet<QName>) -> usize {
        if p.occurs.repeats() {
            return VEC;
        }
        let inner = match &p.term {
            Term::Element(e) => {
                let v = if boxed.contains(&e.name) {
                    BOXED
                } else {
                    self.of(model, &e.ty)
                };
                v + if e.nillable { WORD } else { 0 }
            }
            Term::Sequence(ps) | Term::All(ps) => {
                ps.iter().map(|c| self.particle(model, c, boxed)).sum()
            }
            Term::Choice(ps) => {
                ps.iter()
                    .map(|c| self.particle(model, c, boxed))
                    .max()
                    .unwrap_or(0)
                    + WORD
            }
            Term::Any(_) => size_of::<xsd_runtime::xml::AnyContent<()>>(),
        };
        inner + if p.occurs.min == 0 { WORD } else { 0 }
    }
}

/// Element particles that occur once where they stand (repeated ones sit in
/// a `Vec`); those inside a repeated group too, since the group's helper
/// type holds them inline.
fn single_elements(p: &Particle) -> Vec<&crate::model::Element> {
    let mut out = Vec::new();
    let mut stack = vec![p];
    while let Some(p) = stack.pop() {
        match &p.term {
            Term::Element(e) if !p.occurs.repeats() => out.push(&**e),
            Term::Element(_) | Term::Any(_) => {}
            Term::Sequence(ps) | Term::Choice(ps) | Term::All(ps) => stack.extend(ps.iter()),
        }
    }
    out
}

fn simple_size(model: &Model, ty: &TypeRef, depth: u32) -> usize {
    let b = match ty {
        TypeRef::Builtin(b) => *b,
        TypeRef::AnyType => return size_of::<xsd_runtime::xml::AnyElement>(),
        TypeRef::Complex(_) => return BOXED,
        TypeRef::Simple(id) => {
            let Some(st) = model.simple_types.get(id) else {
                return VEC;
            };
            return match &st.variety {
                _ if depth > 8 => VEC,
                Variety::List(_) => VEC,
                Variety::Union(ms) => {
                    ms.iter()
                        .map(|m| simple_size(model, m, depth + 1))
                        .max()
                        .unwrap_or(0)
                        + WORD
                }
                Variety::Atomic(b) if st.enumeration().is_some() && builtin_is_string(*b) => WORD,
                Variety::Atomic(_) => st
                    .base
                    .as_ref()
                    .map_or(VEC, |base| simple_size(model, base, depth + 1))
                    .max(atomic(*atomic_of(st))),
            };
        }
    };
    atomic(b)
}

fn atomic_of(st: &crate::model::SimpleType) -> &Builtin {
    match &st.variety {
        Variety::Atomic(b) => b,
        _ => &Builtin::String,
    }
}

fn builtin_is_string(b: Builtin) -> bool {
    atomic(b) == VEC && b.list_item().is_none()
}

fn atomic(b: Builtin) -> usize {
    use Builtin::*;
    use xsd_runtime::types as t;
    match b {
        Boolean | Byte | UnsignedByte => 1,
        Short | UnsignedShort => 2,
        Int | UnsignedInt | Float => 4,
        Long | UnsignedLong | Double => 8,
        Decimal => size_of::<t::Decimal>(),
        Integer | NonPositiveInteger | NegativeInteger | NonNegativeInteger | PositiveInteger => {
            size_of::<t::Integer>()
        }
        Duration => size_of::<t::Duration>(),
        DateTime => size_of::<t::DateTime>(),
        Date => size_of::<t::Date>(),
        Time => size_of::<t::Time>(),
        GYear => size_of::<t::GYear>(),
        GYearMonth => size_of::<t::GYearMonth>(),
        GMonth => size_of::<t::GMonth>(),
        GMonthDay => size_of::<t::GMonthDay>(),
        GDay => size_of::<t::GDay>(),
        HexBinary => size_of::<t::HexBinary>(),
        Base64Binary => size_of::<t::Base64Binary>(),
        _ => VEC,
    }
}
