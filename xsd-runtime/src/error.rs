//! Validation and read errors: every problem found in a document or a value,
//! each with the path of the element or attribute it concerns.

use std::fmt;

/// Line and column (both 1-based; the column counts characters) of an error
/// in a document read from XML.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A constraining facet of a restricted simple type, with its value as
/// written in the schema. Generated code holds these as `static` data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Facet {
    /// The pattern(s) of one restriction step, as written in the schema (several are OR-ed).
    Pattern(&'static str),
    /// The allowed values.
    Enumeration(&'static [&'static str]),
    Length(u64),
    MinLength(u64),
    MaxLength(u64),
    MinInclusive(&'static str),
    MaxInclusive(&'static str),
    MinExclusive(&'static str),
    MaxExclusive(&'static str),
    TotalDigits(u32),
    FractionDigits(u32),
}

impl Facet {
    /// The facet's name as XSD spells it (`maxLength`, `pattern`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Facet::Pattern(_) => "pattern",
            Facet::Enumeration(_) => "enumeration",
            Facet::Length(_) => "length",
            Facet::MinLength(_) => "minLength",
            Facet::MaxLength(_) => "maxLength",
            Facet::MinInclusive(_) => "minInclusive",
            Facet::MaxInclusive(_) => "maxInclusive",
            Facet::MinExclusive(_) => "minExclusive",
            Facet::MaxExclusive(_) => "maxExclusive",
            Facet::TotalDigits(_) => "totalDigits",
            Facet::FractionDigits(_) => "fractionDigits",
        }
    }
}

impl fmt::Display for Facet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Facet::Pattern(p) => write!(f, "pattern '{p}'"),
            Facet::Enumeration(values) => {
                write!(f, "enumeration [")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "'{v}'")?;
                }
                f.write_str("]")
            }
            Facet::Length(n) => write!(f, "length {n}"),
            Facet::MinLength(n) => write!(f, "minLength {n}"),
            Facet::MaxLength(n) => write!(f, "maxLength {n}"),
            Facet::MinInclusive(v) => write!(f, "minInclusive {v}"),
            Facet::MaxInclusive(v) => write!(f, "maxInclusive {v}"),
            Facet::MinExclusive(v) => write!(f, "minExclusive {v}"),
            Facet::MaxExclusive(v) => write!(f, "maxExclusive {v}"),
            Facet::TotalDigits(n) => write!(f, "totalDigits {n}"),
            Facet::FractionDigits(n) => write!(f, "fractionDigits {n}"),
        }
    }
}

/// A value that breaks a facet; the path is added by whoever knows it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("value '{value}' violates {facet}")]
pub struct FacetViolation {
    pub facet: Facet,
    pub value: String,
}

/// The facets a value broke when a restricted type was constructed in code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", list(.0))]
pub struct FacetErrors(pub Vec<FacetViolation>);

fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a lexical value could not become a value of its type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// Not in the lexical space of the built-in datatype.
    #[error("'{value}' is not a valid {datatype}: {reason}")]
    Datatype {
        datatype: &'static str,
        value: String,
        reason: String,
    },
    /// A valid lexical value that breaks facets of its type.
    #[error("{}", list(.0))]
    Facets(Vec<FacetViolation>),
}

/// What is wrong, without the where.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The document is not well-formed XML.
    Malformed {
        message: String,
    },
    /// The bytes are not valid in the document's encoding.
    Encoding {
        message: String,
    },
    /// The document could not be read from its stream.
    Io {
        message: String,
    },
    /// A configured limit (depth, size, ...) was exceeded.
    Limit {
        what: &'static str,
        limit: u64,
    },
    /// The root element is not the one expected.
    WrongRoot {
        expected: String,
        found: String,
    },
    /// The lexical value is not valid for the built-in datatype.
    Datatype {
        datatype: &'static str,
        value: String,
        reason: String,
    },
    /// The value breaks a facet of its type.
    Facet(FacetViolation),
    /// A required element is missing (minOccurs).
    MissingElement {
        name: String,
        min: u32,
        found: u32,
    },
    /// More occurrences than maxOccurs.
    TooMany {
        name: String,
        max: u32,
    },
    /// An element that the content model does not allow here (unknown or out of order).
    UnexpectedElement {
        name: String,
        expected: Vec<String>,
    },
    /// Character data where the content model allows only elements.
    UnexpectedText {
        text: String,
    },
    MissingAttribute {
        name: String,
    },
    UnexpectedAttribute {
        name: String,
    },
    /// A fixed value (element or attribute) was not respected.
    Fixed {
        expected: String,
        value: String,
    },
    /// `xsi:nil` used where it is not allowed, or a nil element with content.
    Nil {
        message: String,
    },
    /// Two selected elements share the values of an `xs:unique` constraint.
    Unique {
        constraint: String,
        value: String,
    },
    /// An `xs:key` is duplicated or absent.
    Key {
        constraint: String,
        value: String,
        message: String,
    },
    /// An `xs:keyref` refers to no key.
    Keyref {
        constraint: String,
        value: String,
        refer: String,
    },
    /// An `xs:ID` value used twice in one document.
    DuplicateId {
        value: String,
    },
    /// An `xs:IDREF` value that no `xs:ID` of the document has.
    UnknownIdref {
        value: String,
    },
    /// A construct the toolkit does not support at run time (e.g. `xsi:type`).
    Unsupported {
        what: String,
    },
}

impl ErrorKind {
    /// The name of the constraint broken, in the vocabulary of
    /// `schemas/examples/manifest.toml` (`pattern`, `minOccurs`, `keyref`, ...).
    pub fn constraint(&self) -> &'static str {
        match self {
            ErrorKind::Malformed { .. } => "malformed",
            ErrorKind::Encoding { .. } => "encoding",
            ErrorKind::Io { .. } => "io",
            ErrorKind::Limit { .. } => "limit",
            ErrorKind::WrongRoot { .. } => "unexpectedElement",
            ErrorKind::Datatype { .. } => "datatype",
            ErrorKind::Facet(v) => v.facet.name(),
            ErrorKind::MissingElement { .. } => "minOccurs",
            ErrorKind::TooMany { .. } => "maxOccurs",
            ErrorKind::UnexpectedElement { .. } | ErrorKind::UnexpectedText { .. } => {
                "unexpectedElement"
            }
            ErrorKind::MissingAttribute { .. } => "requiredAttribute",
            ErrorKind::UnexpectedAttribute { .. } => "unexpectedAttribute",
            ErrorKind::Fixed { .. } => "fixed",
            ErrorKind::Nil { .. } => "nillable",
            ErrorKind::Unique { .. } => "unique",
            ErrorKind::Key { .. } => "key",
            ErrorKind::Keyref { .. } => "keyref",
            ErrorKind::DuplicateId { .. } => "unique",
            ErrorKind::UnknownIdref { .. } => "keyref",
            ErrorKind::Unsupported { .. } => "unsupported",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Malformed { message } => write!(f, "not well-formed XML: {message}"),
            ErrorKind::Encoding { message } => write!(f, "encoding error: {message}"),
            ErrorKind::Io { message } => write!(f, "reading the document failed: {message}"),
            ErrorKind::Limit { what, limit } => write!(f, "{what} exceeds the limit of {limit}"),
            ErrorKind::WrongRoot { expected, found } => {
                write!(f, "root element is {found}, expected {expected}")
            }
            ErrorKind::Datatype {
                datatype,
                value,
                reason,
            } => {
                write!(f, "'{value}' is not a valid {datatype}: {reason}")
            }
            ErrorKind::Facet(v) => v.fmt(f),
            ErrorKind::MissingElement { name, min, found } => {
                if *found == 0 {
                    write!(f, "missing required element {name}")
                } else {
                    write!(
                        f,
                        "element {name} occurs {found} times, at least {min} required"
                    )
                }
            }
            ErrorKind::TooMany { name, max } => {
                write!(
                    f,
                    "element {name} occurs more than {max} times (maxOccurs {max})"
                )
            }
            ErrorKind::UnexpectedElement { name, expected } => {
                write!(f, "unexpected element {name}")?;
                if expected.is_empty() {
                    write!(f, ", no more elements allowed here")
                } else {
                    write!(f, ", expected {}", expected.join(" or "))
                }
            }
            ErrorKind::UnexpectedText { text } => {
                write!(f, "text '{text}' not allowed in element-only content")
            }
            ErrorKind::MissingAttribute { name } => write!(f, "missing required attribute {name}"),
            ErrorKind::UnexpectedAttribute { name } => write!(f, "attribute {name} is not allowed"),
            ErrorKind::Fixed { expected, value } => {
                write!(
                    f,
                    "value '{value}' differs from the fixed value '{expected}'"
                )
            }
            ErrorKind::Nil { message } => f.write_str(message),
            ErrorKind::Unique { constraint, value } => {
                write!(
                    f,
                    "duplicate value '{value}' for unique constraint {constraint}"
                )
            }
            ErrorKind::Key {
                constraint,
                value,
                message,
            } => {
                write!(f, "key {constraint}: {message} ('{value}')")
            }
            ErrorKind::Keyref {
                constraint,
                value,
                refer,
            } => {
                write!(
                    f,
                    "keyref {constraint}: no {refer} key with value '{value}'"
                )
            }
            ErrorKind::DuplicateId { value } => write!(f, "ID '{value}' is used more than once"),
            ErrorKind::UnknownIdref { value } => {
                write!(f, "IDREF '{value}' refers to no ID of the document")
            }
            ErrorKind::Unsupported { what } => write!(f, "unsupported: {what}"),
        }
    }
}

/// One problem, with where it is: the element path
/// (`/CustomsShipment/GoodsItem[3]/CommodityCode`, attributes as `/@name`)
/// and, for documents read from XML, the line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    pub path: String,
    pub location: Option<Location>,
    pub kind: ErrorKind,
}

impl ValidationError {
    /// See [`ErrorKind::constraint`].
    pub fn constraint(&self) -> &'static str {
        self.kind.constraint()
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(loc) => write!(f, "{loc}: {}: {}", self.path, self.kind),
            None => write!(f, "{}: {}", self.path, self.kind),
        }
    }
}

impl std::error::Error for ValidationError {}

/// Every problem found in one document or value, in document order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    pub fn iter(&self) -> std::slice::Iter<'_, ValidationError> {
        self.0.iter()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.len() {
            0 => f.write_str("no errors"),
            1 => self.0[0].fmt(f),
            n => {
                write!(f, "{n} errors:")?;
                for e in &self.0 {
                    write!(f, "\n  {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ValidationErrors {}

impl IntoIterator for ValidationErrors {
    type Item = ValidationError;
    type IntoIter = std::vec::IntoIter<ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a ValidationError;
    type IntoIter = std::slice::Iter<'a, ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Failure of writing XML.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("I/O error while writing XML: {0}")]
    Io(#[from] std::io::Error),
    #[error("XML writer error: {0}")]
    Xml(String),
}
