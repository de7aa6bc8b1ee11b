//! The generator's own model of a schema set: what the front end lowers
//! XSDs into and what emission reads. It holds resolved, flattened facts
//! (a complex type's full content after extension, a simple type's facets
//! per derivation step) and nothing of xsd-parser or of Rust tokens.
//!
//! Everything is kept in ordered maps keyed by XSD names, so emission order
//! never depends on the order in which the front end discovered things.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// A namespace-qualified XSD name. An empty `ns` means no namespace.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QName {
    pub ns: String,
    pub local: String,
}

impl QName {
    pub fn new(ns: impl Into<String>, local: impl Into<String>) -> Self {
        QName {
            ns: ns.into(),
            local: local.into(),
        }
    }
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.ns.is_empty() {
            f.write_str(&self.local)
        } else {
            write!(f, "{{{}}}{}", self.ns, self.local)
        }
    }
}

/// Where a construct was declared, for error messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Origin {
    pub file: PathBuf,
    /// The XSD component, e.g. `complexType GoodsItemType` or `element CustomsShipment`.
    pub component: String,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.file.display(), self.component)
    }
}

/// The identity of a type: its namespace and a name that is stable across
/// runs: the XSD name for named types; for anonymous types, a name derived
/// from the path of the element that declares them (`CustomsShipment/GoodsItem`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId {
    pub ns: String,
    pub name: String,
    pub anonymous: bool,
}

/// The built-in datatypes of XSD 1.0 (anyType aside, which is complex).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Builtin {
    AnySimpleType,
    String,
    NormalizedString,
    Token,
    Language,
    Name,
    NCName,
    Id,
    IdRef,
    IdRefs,
    Entity,
    Entities,
    NmToken,
    NmTokens,
    AnyUri,
    QName,
    Notation,
    Boolean,
    Decimal,
    Integer,
    NonPositiveInteger,
    NegativeInteger,
    NonNegativeInteger,
    PositiveInteger,
    Long,
    Int,
    Short,
    Byte,
    UnsignedLong,
    UnsignedInt,
    UnsignedShort,
    UnsignedByte,
    Float,
    Double,
    Duration,
    DateTime,
    Date,
    Time,
    GYear,
    GYearMonth,
    GMonth,
    GMonthDay,
    GDay,
    HexBinary,
    Base64Binary,
}

impl Builtin {
    /// The built-in type of an XSD local name in the XML Schema namespace.
    pub fn from_xsd(local: &str) -> Option<Builtin> {
        use Builtin::*;
        Some(match local {
            "anySimpleType" => AnySimpleType,
            "string" => String,
            "normalizedString" => NormalizedString,
            "token" => Token,
            "language" => Language,
            "Name" => Name,
            "NCName" => NCName,
            "ID" => Id,
            "IDREF" => IdRef,
            "IDREFS" => IdRefs,
            "ENTITY" => Entity,
            "ENTITIES" => Entities,
            "NMTOKEN" => NmToken,
            "NMTOKENS" => NmTokens,
            "anyURI" => AnyUri,
            "QName" => QName,
            "NOTATION" => Notation,
            "boolean" => Boolean,
            "decimal" => Decimal,
            "integer" => Integer,
            "nonPositiveInteger" => NonPositiveInteger,
            "negativeInteger" => NegativeInteger,
            "nonNegativeInteger" => NonNegativeInteger,
            "positiveInteger" => PositiveInteger,
            "long" => Long,
            "int" => Int,
            "short" => Short,
            "byte" => Byte,
            "unsignedLong" => UnsignedLong,
            "unsignedInt" => UnsignedInt,
            "unsignedShort" => UnsignedShort,
            "unsignedByte" => UnsignedByte,
            "float" => Float,
            "double" => Double,
            "duration" => Duration,
            "dateTime" => DateTime,
            "date" => Date,
            "time" => Time,
            "gYear" => GYear,
            "gYearMonth" => GYearMonth,
            "gMonth" => GMonth,
            "gMonthDay" => GMonthDay,
            "gDay" => GDay,
            "hexBinary" => HexBinary,
            "base64Binary" => Base64Binary,
            _ => return None,
        })
    }

    /// Whitespace handling of the built-in type (XSD Part 2, §4.3.6).
    pub fn whitespace(self) -> WhiteSpace {
        match self {
            Builtin::String | Builtin::AnySimpleType => WhiteSpace::Preserve,
            Builtin::NormalizedString => WhiteSpace::Replace,
            _ => WhiteSpace::Collapse,
        }
    }

    /// Built-in list types and their item type.
    pub fn list_item(self) -> Option<Builtin> {
        match self {
            Builtin::IdRefs => Some(Builtin::IdRef),
            Builtin::Entities => Some(Builtin::Entity),
            Builtin::NmTokens => Some(Builtin::NmToken),
            _ => None,
        }
    }
}

/// The `whiteSpace` facet's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WhiteSpace {
    Preserve,
    Replace,
    Collapse,
}

/// A reference to a type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    Builtin(Builtin),
    Simple(TypeId),
    Complex(TypeId),
    /// `xs:anyType`: any content, kept whole.
    AnyType,
}

/// The facets of one restriction step, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Facets {
    /// OR-ed patterns of this step.
    pub patterns: Vec<String>,
    pub enumeration: Vec<String>,
    pub length: Option<u64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_inclusive: Option<String>,
    pub max_inclusive: Option<String>,
    pub min_exclusive: Option<String>,
    pub max_exclusive: Option<String>,
    pub total_digits: Option<u32>,
    pub fraction_digits: Option<u32>,
    pub whitespace: Option<WhiteSpace>,
}

impl Facets {
    pub fn is_empty(&self) -> bool {
        *self == Facets::default()
    }
}

/// A simple type: its variety and, per restriction step from the variety's
/// root down to this type, the facets of that step (patterns of different
/// steps are AND-ed, those of one step OR-ed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleType {
    pub id: TypeId,
    pub doc: Option<String>,
    pub origin: Origin,
    pub variety: Variety,
    /// The restriction steps applied on top of the variety (outermost last).
    pub steps: Vec<Facets>,
    /// The named simple type this one restricts, if any (for documentation
    /// and for reusing its checks).
    pub base: Option<TypeRef>,
}

impl SimpleType {
    /// The effective whitespace handling (the last step that sets it wins).
    pub fn whitespace(&self) -> WhiteSpace {
        let from_steps = self.steps.iter().rev().find_map(|f| f.whitespace);
        match &self.variety {
            Variety::Atomic(b) => from_steps.unwrap_or(b.whitespace()),
            Variety::List(_) | Variety::Union(_) => WhiteSpace::Collapse,
        }
    }

    /// The enumeration in force (the last step that has one).
    pub fn enumeration(&self) -> Option<&[String]> {
        self.steps
            .iter()
            .rev()
            .find(|f| !f.enumeration.is_empty())
            .map(|f| f.enumeration.as_slice())
    }
}

/// What a simple type is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Variety {
    /// A restriction (possibly indirect) of a built-in atomic type.
    Atomic(Builtin),
    /// A whitespace-separated list of items.
    List(Box<TypeRef>),
    /// Any one of the member types, tried in order.
    Union(Vec<TypeRef>),
}

/// How many times a particle may occur.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Occurs {
    pub min: u32,
    /// `None`: unbounded.
    pub max: Option<u32>,
}

impl Occurs {
    pub const ONE: Occurs = Occurs {
        min: 1,
        max: Some(1),
    };

    /// May occur more than once.
    pub fn repeats(self) -> bool {
        self.max != Some(1)
    }
}

/// A particle of a content model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Particle {
    pub occurs: Occurs,
    pub term: Term,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    Element(Box<Element>),
    Sequence(Vec<Particle>),
    Choice(Vec<Particle>),
    All(Vec<Particle>),
    Any(Wildcard),
}

/// An element declaration, local or global (a reference to a global
/// element is resolved into a copy of its declaration).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    pub name: QName,
    pub ty: TypeRef,
    pub nillable: bool,
    pub default: Option<String>,
    pub fixed: Option<String>,
    pub doc: Option<String>,
    pub identity: Vec<IdentityConstraint>,
    pub origin: Origin,
}

/// Which namespaces a wildcard accepts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NsConstraint {
    Any,
    /// Any namespace but this one (and not "no namespace").
    Other(String),
    /// These namespaces; an empty string stands for "no namespace".
    List(Vec<String>),
}

/// `processContents` of a wildcard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Process {
    Strict,
    Lax,
    Skip,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Wildcard {
    pub namespaces: NsConstraint,
    pub process: Process,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub name: QName,
    pub ty: TypeRef,
    pub required: bool,
    pub default: Option<String>,
    pub fixed: Option<String>,
    pub doc: Option<String>,
}

/// The content of a complex type, after extension has been applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    Empty,
    /// Text of a simple type (simpleContent).
    Simple(TypeRef),
    /// Element-only content.
    Elements(Particle),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComplexType {
    pub id: TypeId,
    pub doc: Option<String>,
    pub origin: Origin,
    /// The type this one derives from, for documentation.
    pub base: Option<TypeRef>,
    pub attributes: Vec<Attribute>,
    pub any_attribute: Option<Wildcard>,
    pub content: Content,
    /// `mixed="true"`: text may stand between the children of
    /// [`Content::Elements`] (a mixed type without children has
    /// [`Content::Simple`] of `xs:string`).
    pub mixed: bool,
}

/// One step of an identity-constraint XPath.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum XStep {
    Name(QName),
    Any,
    AnyIn(String),
}

/// One alternative of a selector or field XPath.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct XPath {
    pub descendant: bool,
    pub steps: Vec<XStep>,
    pub attribute: Option<XStep>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdentityKind {
    Unique,
    Key,
    Keyref { refer: QName },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityConstraint {
    pub name: QName,
    pub kind: IdentityKind,
    pub selector: Vec<XPath>,
    pub fields: Vec<Vec<XPath>>,
}

/// A target namespace of the set, and the Rust module its components go to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceInfo {
    pub uri: String,
    /// The schema files that make up the namespace (main file first).
    pub files: Vec<PathBuf>,
    /// Prefix used when writing XML (deterministic; from the schemas' own
    /// declarations where they agree).
    pub prefix: String,
    /// Whether some local element of this namespace is unqualified, which
    /// forbids using a default namespace when writing.
    pub has_unqualified_locals: bool,
}

/// A whole schema set, resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Model {
    pub namespaces: BTreeMap<String, NamespaceInfo>,
    pub simple_types: BTreeMap<TypeId, SimpleType>,
    pub complex_types: BTreeMap<TypeId, ComplexType>,
    /// Global element declarations.
    pub elements: BTreeMap<QName, Element>,
}

/// The XSD local name of a built-in type.
pub fn builtin_xsd_name(b: Builtin) -> &'static str {
    use Builtin::*;
    match b {
        AnySimpleType => "anySimpleType",
        String => "string",
        NormalizedString => "normalizedString",
        Token => "token",
        Language => "language",
        Name => "Name",
        NCName => "NCName",
        Id => "ID",
        IdRef => "IDREF",
        IdRefs => "IDREFS",
        Entity => "ENTITY",
        Entities => "ENTITIES",
        NmToken => "NMTOKEN",
        NmTokens => "NMTOKENS",
        AnyUri => "anyURI",
        QName => "QName",
        Notation => "NOTATION",
        Boolean => "boolean",
        Decimal => "decimal",
        Integer => "integer",
        NonPositiveInteger => "nonPositiveInteger",
        NegativeInteger => "negativeInteger",
        NonNegativeInteger => "nonNegativeInteger",
        PositiveInteger => "positiveInteger",
        Long => "long",
        Int => "int",
        Short => "short",
        Byte => "byte",
        UnsignedLong => "unsignedLong",
        UnsignedInt => "unsignedInt",
        UnsignedShort => "unsignedShort",
        UnsignedByte => "unsignedByte",
        Float => "float",
        Double => "double",
        Duration => "duration",
        DateTime => "dateTime",
        Date => "date",
        Time => "time",
        GYear => "gYear",
        GYearMonth => "gYearMonth",
        GMonth => "gMonth",
        GMonthDay => "gMonthDay",
        GDay => "gDay",
        HexBinary => "hexBinary",
        Base64Binary => "base64Binary",
    }
}
