//! Names and the content table: what a generated type says about its
//! children, as data.

use crate::xml::XmlReader;

/// A namespace of the schema set: its URI and its index in the writer's
/// namespace table (`None`: no namespace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ns {
    pub index: Option<u16>,
    pub uri: &'static str,
}

impl Ns {
    /// No namespace (unqualified names).
    pub const NONE: Ns = Ns {
        index: None,
        uri: "",
    };

    pub const fn new(index: u16, uri: &'static str) -> Ns {
        Ns {
            index: Some(index),
            uri,
        }
    }

    /// The name `prefixed`/`local` in this namespace.
    pub const fn name(self, prefixed: &'static str, local: &'static str) -> Name {
        Name::new(self, prefixed, local)
    }

    /// A content particle: the element `prefixed`/`local` of this
    /// namespace, `min..=max` times.
    pub const fn el(
        self,
        prefixed: &'static str,
        local: &'static str,
        min: u32,
        max: u32,
    ) -> Child {
        Child::el(Name::new(self, prefixed, local), min, max)
    }

    /// An identity-constraint path step: `local` in this namespace.
    pub const fn step(self, local: &'static str) -> crate::xml::idc::Step {
        crate::xml::idc::Step::name(self.uri, local)
    }

    /// An identity-constraint path step: `prefix:*` for this namespace.
    pub const fn any(self) -> crate::xml::idc::Step {
        crate::xml::idc::Step::any_in(self.uri)
    }
}

/// An element name: its namespace, the prefixed form written when the
/// namespace is not the default one, and the local name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Name {
    pub ns: Ns,
    pub prefixed: &'static str,
    pub local: &'static str,
}

impl Name {
    pub const fn new(ns: Ns, prefixed: &'static str, local: &'static str) -> Name {
        Name {
            ns,
            prefixed,
            local,
        }
    }

    /// The name as the writer takes it.
    pub fn tag(&self) -> super::Tag<'static> {
        super::Tag {
            ns: self.ns.index,
            prefixed: self.prefixed,
            local: self.local,
        }
    }

    /// Is the reader's pending child this element?
    #[inline]
    pub fn is_pending(&self, r: &XmlReader<'_>) -> bool {
        r.is_static(self.ns.uri, self.local)
    }
}

/// The namespace constraint of a wildcard (`xs:any`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wild {
    /// `##any`
    Any,
    /// `##other` of the given target namespace (never unqualified names).
    Other(&'static str),
    /// A list of namespaces (`""`: unqualified names).
    List(&'static [&'static str]),
}

impl Wild {
    /// Can the pending child be matched by this wildcard?
    pub fn is_pending(&self, r: &XmlReader<'_>) -> bool {
        match self {
            Wild::Any => r.at_element(),
            Wild::Other(t) => r
                .pending_name()
                .is_some_and(|(ns, _)| !ns.is_empty() && ns != *t),
            Wild::List(l) => r.pending_name().is_some_and(|(ns, _)| l.contains(&ns)),
        }
    }

    /// Does an attribute of namespace `ns` match this wildcard?
    pub fn allows_attr(&self, ns: &str) -> bool {
        match self {
            Wild::Any => true,
            Wild::Other(t) => !ns.is_empty() && ns != *t,
            Wild::List(l) => l.contains(&ns),
        }
    }
}

/// What a particle is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Term {
    /// An element declaration.
    Element,
    /// A nested sequence, choice or all group (a helper type).
    Group,
    /// A wildcard.
    Any,
}

/// One particle of a content model, in document order: what it starts
/// with, how often it occurs, and how errors name it.
#[derive(Clone, Copy, Debug)]
pub struct Child {
    pub term: Term,
    /// The element, for [`Term::Element`]; its name is written.
    pub name: Option<Name>,
    /// The other element names it can start with (groups).
    pub first: &'static [Name],
    /// The wildcards it can start with.
    pub wild: &'static [Wild],
    /// What a `missing`/`too many` error calls it.
    pub label: &'static str,
    pub min: u32,
    /// `u32::MAX`: unbounded.
    pub max: u32,
    /// It can match nothing although `min > 0` (a group whose content is
    /// all optional): read as optional.
    pub emptiable: bool,
}

/// `maxOccurs="unbounded"`.
pub const UNBOUNDED: u32 = u32::MAX;

impl Child {
    /// An element declaration occurring `min..=max` times.
    pub const fn el(name: Name, min: u32, max: u32) -> Child {
        Child {
            term: Term::Element,
            name: Some(name),
            first: &[],
            wild: &[],
            label: name.local,
            min,
            max,
            emptiable: false,
        }
    }

    /// A wildcard occurring `min..=max` times.
    pub const fn any(wild: &'static [Wild], min: u32, max: u32) -> Child {
        Child {
            term: Term::Any,
            name: None,
            first: &[],
            wild,
            label: "any element",
            min,
            max,
            emptiable: false,
        }
    }

    /// A nested group that starts with `first`/`wild`.
    pub const fn group(
        label: &'static str,
        first: &'static [Name],
        wild: &'static [Wild],
        min: u32,
        max: u32,
        emptiable: bool,
    ) -> Child {
        Child {
            term: Term::Group,
            name: None,
            first,
            wild,
            label,
            min,
            max,
            emptiable,
        }
    }

    /// Can the pending child start this particle?
    #[inline]
    pub fn starts(&self, r: &XmlReader<'_>) -> bool {
        self.name.is_some_and(|n| n.is_pending(r))
            || self.first.iter().any(|n| n.is_pending(r))
            || self.wild.iter().any(|w| w.is_pending(r))
    }

    /// May occur more than once (a list field).
    pub(crate) fn repeats(&self) -> bool {
        self.max != 1
    }

    pub(crate) fn bounded(&self) -> Option<u32> {
        (self.max != UNBOUNDED).then_some(self.max)
    }

    /// A single (not repeated) required particle: absent is `missing`.
    pub(crate) fn one(&self) -> bool {
        !self.repeats() && self.min > 0 && !self.emptiable
    }

    /// For stray children: 1 a single element, 2 a repeated one, 0 other.
    pub(crate) fn stray_kind(&self) -> u8 {
        match (self.term, self.repeats()) {
            (Term::Element, true) => 2,
            (Term::Element, false) => 1,
            _ => 0,
        }
    }
}
