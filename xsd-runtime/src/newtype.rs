//! What generated restricted types (a built-in or a list with facets) are
//! made of: the type declares its facets ([`Facets`]) and one
//! [`restricted_newtype!`](crate::restricted_newtype) call gives it its
//! constructors, accessors, parsing and traits, so generated code states
//! only what differs from one type to the next.

use crate::error::{Facet, FacetErrors, FacetViolation, ValueError};
use crate::lexical::{WhiteSpace, normalize};
use crate::xml::{ReadResult, Site, XmlReader};
use crate::xsd::Lexical;

/// The facets of a generated restricted type, and how its lexical form
/// becomes a value. Used by generated code only.
#[doc(hidden)]
pub trait Facets {
    /// The value inside the newtype.
    type Inner: Lexical;
    /// How the lexical form is normalized before parsing and checking.
    const WHITESPACE: WhiteSpace;
    /// Whether [`Facets::check_lexical`] checks anything (patterns,
    /// enumerations of lists), so the lexical form of a value built in code
    /// is computed only when needed.
    const LEXICAL: bool = false;

    /// Parses a normalized lexical form.
    fn parse(s: &str) -> Result<Self::Inner, ValueError>;

    /// Facets on the lexical form: pushes every violation.
    fn check_lexical(_s: &str, _out: &mut Vec<FacetViolation>) {}

    /// Facets on the value: pushes every violation.
    fn check_value(_v: &Self::Inner, _out: &mut Vec<FacetViolation>) {}
}

/// A restricted type's facets as plain functions: the steps below are
/// generic over the value type only (a handful of copies), not over each
/// generated type.
struct Checks<V> {
    whitespace: WhiteSpace,
    lexical: bool,
    parse: fn(&str) -> Result<V, ValueError>,
    check_lexical: fn(&str, &mut Vec<FacetViolation>),
    check_value: fn(&V, &mut Vec<FacetViolation>),
}

impl<V: Lexical> Checks<V> {
    fn of<T: Facets<Inner = V>>() -> Self {
        Checks {
            whitespace: T::WHITESPACE,
            lexical: T::LEXICAL,
            parse: T::parse,
            check_lexical: T::check_lexical,
            check_value: T::check_value,
        }
    }

    fn violations(&self, s: &str, v: &V) -> Vec<FacetViolation> {
        let mut out = Vec::new();
        (self.check_lexical)(s, &mut out);
        (self.check_value)(v, &mut out);
        out
    }

    #[inline(never)]
    fn check_new(&self, value: V) -> Result<V, FacetErrors> {
        let mut out = Vec::new();
        if self.lexical {
            (self.check_lexical)(&value.to_lexical(), &mut out);
        }
        (self.check_value)(&value, &mut out);
        if out.is_empty() {
            Ok(value)
        } else {
            Err(FacetErrors(out))
        }
    }

    #[inline(never)]
    fn parse_checked(&self, text: &str) -> Result<V, ValueError> {
        let s = normalize(text, self.whitespace);
        let v = (self.parse)(&s)?;
        let out = self.violations(&s, &v);
        if out.is_empty() {
            Ok(v)
        } else {
            Err(ValueError::Facets(out))
        }
    }

    #[inline(never)]
    fn read(&self, r: &mut XmlReader<'_>, text: &str, site: Site<'_>) -> ReadResult<V> {
        let s = normalize(text, self.whitespace);
        let v = r.value(&s, site, self.parse)?;
        self.check_read(r, &s, &v, site);
        Ok(v)
    }

    fn check_read(&self, r: &mut XmlReader<'_>, s: &str, v: &V, site: Site<'_>) {
        if r.validating() {
            let out = self.violations(s, v);
            if !out.is_empty() {
                r.facet_errors(site, out);
            }
        }
    }
}

/// A value built in code, checked against every facet of `T`.
#[doc(hidden)]
pub fn new<T: Facets>(value: T::Inner) -> Result<T::Inner, FacetErrors> {
    Checks::of::<T>().check_new(value)
}

/// A lexical form parsed and checked against every facet of `T`.
#[doc(hidden)]
pub fn from_str<T: Facets>(text: &str) -> Result<T::Inner, ValueError> {
    Checks::of::<T>().parse_checked(text)
}

/// Reads a value of `T` at `site`: a value that breaks facets is reported
/// (when validating) and kept, so reading goes on.
#[doc(hidden)]
pub fn read<T: Facets>(r: &mut XmlReader<'_>, text: &str, site: Site<'_>) -> ReadResult<T::Inner> {
    Checks::of::<T>().read(r, text, site)
}

/// Reports the facets a value read at `site` breaks (when validating).
#[doc(hidden)]
pub fn check_read<T: Facets>(r: &mut XmlReader<'_>, s: &str, v: &T::Inner, site: Site<'_>) {
    Checks::of::<T>().check_read(r, s, v, site)
}

/// The constructors, accessors, parsing and traits of a generated
/// restricted newtype `Name(Inner)` that implements [`Facets`]. With
/// `read`, also its `read_value` (types needing more than parsing and
/// checking when read, such as lists and IDs, write their own).
#[doc(hidden)]
#[macro_export]
macro_rules! restricted_newtype {
    ($name:ident($inner:ty), read) => {
        impl $name {
            #[doc(hidden)]
            pub fn read_value(
                r: &mut $crate::xml::XmlReader<'_>,
                text: &str,
                site: $crate::xml::Site<'_>,
            ) -> $crate::xml::ReadResult<Self> {
                $crate::newtype::read::<Self>(r, text, site).map(Self)
            }
        }

        $crate::restricted_newtype!($name($inner));
    };
    ($name:ident($inner:ty)) => {
        impl $name {
            /// Checks the facets; the value if it satisfies them all, else every violation.
            pub fn new(
                value: impl ::std::convert::Into<$inner>,
            ) -> ::std::result::Result<Self, $crate::FacetErrors> {
                $crate::newtype::new::<Self>(value.into()).map(Self)
            }

            /// Wraps a value without checking it; [`XmlRoot::validate`]($crate::XmlRoot::validate)
            /// still reports it if it breaks a facet.
            pub fn new_unchecked(value: $inner) -> Self {
                Self(value)
            }

            pub fn get(&self) -> &$inner {
                &self.0
            }

            pub fn into_inner(self) -> $inner {
                self.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ValueError;
            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                $crate::newtype::from_str::<Self>(text).map(Self)
            }
        }

        impl ::std::convert::TryFrom<$inner> for $name {
            type Error = $crate::FacetErrors;
            fn try_from(value: $inner) -> ::std::result::Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl ::std::ops::Deref for $name {
            type Target = $inner;
            fn deref(&self) -> &$inner {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::xsd::Lexical::to_lexical(&self.0))
            }
        }

        impl $crate::xsd::Lexical for $name {
            fn write_lexical(&self, out: &mut ::std::string::String) {
                $crate::xsd::Lexical::write_lexical(&self.0, out)
            }
        }
    };
}

/// The methods and traits of a generated enumeration of strings: `VALUES`,
/// `as_str`, parsing (after the given whitespace normalization; anything
/// else is an `enumeration` violation), reading and writing.
#[doc(hidden)]
#[macro_export]
macro_rules! string_enum {
    ($name:ident, $ws:ident, { $($variant:ident => $lit:literal),* $(,)? } $(, strategy = $builtin:literal)?) => {
        $(
            #[cfg(feature = "proptest")]
            impl $name {
                /// Valid values (the enumeration), for property tests.
                pub fn strategy() -> $crate::strategy::Boxed<Self> {
                    $crate::strategy::checked($crate::strategy::lexical(&$crate::strategy::Spec {
                        builtin: $builtin,
                        enumeration: Self::VALUES,
                        ..$crate::strategy::Spec::EMPTY
                    }))
                }
            }

            #[cfg(feature = "proptest")]
            $crate::impl_arbitrary!($name);
        )?

        impl $name {
            /// The enumeration values, as written in the schema.
            pub const VALUES: &'static [&'static str] = &[$($lit),*];

            /// The value as written in XML.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(Self::$variant => $lit,)*
                }
            }

            #[doc(hidden)]
            pub fn parse_lexical(text: &str) -> ::std::result::Result<Self, $crate::ValueError> {
                let s = $crate::lexical::normalize(text, $crate::lexical::WhiteSpace::$ws);
                match &*s {
                    $($lit => Ok(Self::$variant),)*
                    _ => Err($crate::newtype::not_enumerated(Self::VALUES, s.into_owned())),
                }
            }

            #[doc(hidden)]
            pub fn read_value(
                r: &mut $crate::xml::XmlReader<'_>,
                text: &str,
                site: $crate::xml::Site<'_>,
            ) -> $crate::xml::ReadResult<Self> {
                r.value(text, site, Self::parse_lexical)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ValueError;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::parse_lexical(s)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::xsd::Lexical for $name {
            fn write_lexical(&self, out: &mut ::std::string::String) {
                out.push_str(self.as_str());
            }
        }
    };
}

/// The error of a value outside an enumeration.
#[doc(hidden)]
pub fn not_enumerated(values: &'static [&'static str], value: String) -> ValueError {
    ValueError::Facets(vec![FacetViolation {
        facet: crate::error::Facet::Enumeration(values),
        value,
    }])
}

/// A length facet (`length`, `minLength`, `maxLength`) on a value of length
/// `len`: its violation, shown as `shown()`, when it does not hold.
#[doc(hidden)]
pub fn length(
    out: &mut Vec<FacetViolation>,
    len: usize,
    facet: Facet,
    shown: impl FnOnce() -> String,
) {
    let len = len as u64;
    let holds = match facet {
        Facet::Length(n) => len == n,
        Facet::MinLength(n) => len >= n,
        Facet::MaxLength(n) => len <= n,
        _ => true,
    };
    if !holds {
        out.push(FacetViolation {
            facet,
            value: shown(),
        });
    }
}

/// A digits facet (`totalDigits`, `fractionDigits`) on a value with
/// `digits` of that kind.
#[doc(hidden)]
pub fn digits(
    out: &mut Vec<FacetViolation>,
    digits: u32,
    facet: Facet,
    shown: impl FnOnce() -> String,
) {
    let holds = match facet {
        Facet::TotalDigits(n) | Facet::FractionDigits(n) => digits <= n,
        _ => true,
    };
    if !holds {
        out.push(FacetViolation {
            facet,
            value: shown(),
        });
    }
}
