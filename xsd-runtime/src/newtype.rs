//! What generated restricted types (a built-in, a list or a union with
//! facets) are made of: the type declares its facets once, as data (a
//! [`FacetTable`] in its `FACETS` constant, which checking and property-test
//! strategies both read), and one [`restricted_newtype!`](crate::restricted_newtype)
//! call gives it its constructors, accessors, parsing, checking and traits,
//! so generated code states only what differs from one type to the next.

use std::cmp::Ordering;
use std::sync::OnceLock;

use crate::error::{Facet, FacetErrors, FacetViolation, ValueError};
use crate::lexical::{WhiteSpace, normalize};
use crate::pattern::Pattern;
use crate::types::{Base64Binary, Date, DateTime, Decimal, Duration, GDay, GMonth, GMonthDay};
use crate::types::{GYear, GYearMonth, HexBinary, Integer, Time};
use crate::xml::{ReadResult, Site, XmlReader};
use crate::xsd::{Lexical, XsdOrd};

/// The facets of a restricted simple type, all its derivation steps, as the
/// schema writes them: the one description that checking ([`Restriction`])
/// and property-test strategies read.
#[derive(Clone, Copy, Debug)]
pub struct FacetTable {
    /// XSD local name of the built-in type the type is rooted in (empty for
    /// lists and unions).
    pub builtin: &'static str,
    /// How the lexical form is normalized before parsing and checking.
    pub whitespace: WhiteSpace,
    /// The patterns of each restriction step: every step must hold, and a
    /// step holds when any of its patterns matches.
    pub patterns: &'static [&'static [&'static str]],
    /// Every other facet of every step (lengths, bounds, digits, then
    /// enumerations), each checked on its own.
    pub facets: &'static [Facet],
}

impl FacetTable {
    /// No facet (for `..FacetTable::NONE` in generated code).
    pub const NONE: FacetTable = FacetTable {
        builtin: "",
        whitespace: WhiteSpace::Preserve,
        patterns: &[],
        facets: &[],
    };
}

/// How facets measure values of a Rust type: lengths, order and digits
/// where they apply (the generator lists only the facets that apply).
#[doc(hidden)]
pub trait FacetValue: Lexical + PartialEq + Send + Sync + 'static {
    /// Enumerations compare lexical forms (lists and unions), not values.
    const LEXICAL_ENUMERATION: bool = false;

    /// The length as the length facets count it.
    fn facet_length(&self) -> u64 {
        0
    }

    /// [`Self::facet_length`] compared with a length facet's `n` (strings
    /// count their characters only when their byte length cannot tell).
    fn facet_length_cmp(&self, n: u64) -> Ordering {
        self.facet_length().cmp(&n)
    }

    /// The order of the range facets (`None`: incomparable).
    fn facet_order(&self, _bound: &Self) -> Option<Ordering> {
        None
    }

    /// Total and fraction digits, where the digits facets apply.
    fn facet_digits(&self) -> Option<(u32, u32)> {
        None
    }
}

impl FacetValue for String {
    fn facet_length(&self) -> u64 {
        self.chars().count() as u64
    }

    fn facet_length_cmp(&self, n: u64) -> Ordering {
        str_length_cmp(self, n)
    }
}

impl FacetValue for crate::types::CompactString {
    fn facet_length(&self) -> u64 {
        self.chars().count() as u64
    }

    fn facet_length_cmp(&self, n: u64) -> Ordering {
        str_length_cmp(self, n)
    }
}

/// The number of characters of `s` compared with `n`: a string of fewer
/// bytes than `n` has fewer characters, an ASCII string as many as bytes.
fn str_length_cmp(s: &str, n: u64) -> Ordering {
    let bytes = s.len() as u64;
    if bytes < n {
        Ordering::Less
    } else if s.is_ascii() {
        bytes.cmp(&n)
    } else {
        (s.chars().count() as u64).cmp(&n)
    }
}

impl FacetValue for bool {}

impl<T: Lexical + PartialEq + Send + Sync + 'static> FacetValue for Vec<T> {
    const LEXICAL_ENUMERATION: bool = true;

    fn facet_length(&self) -> u64 {
        self.len() as u64
    }
}

macro_rules! facet_ints {
    ($($t:ty),*) => {$(
        impl FacetValue for $t {
            fn facet_order(&self, bound: &Self) -> Option<Ordering> {
                Some(self.cmp(bound))
            }

            fn facet_digits(&self) -> Option<(u32, u32)> {
                Some((crate::xsd::int_total_digits(i128::from(*self)), 0))
            }
        }
    )*};
}
facet_ints!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! facet_floats {
    ($($t:ty),*) => {$(
        impl FacetValue for $t {
            fn facet_order(&self, bound: &Self) -> Option<Ordering> {
                self.partial_cmp(bound)
            }
        }
    )*};
}
facet_floats!(f32, f64);

macro_rules! facet_numbers {
    ($($t:ty),*) => {$(
        impl FacetValue for $t {
            fn facet_order(&self, bound: &Self) -> Option<Ordering> {
                self.xsd_cmp(bound)
            }

            fn facet_digits(&self) -> Option<(u32, u32)> {
                Some((self.total_digits(), self.fraction_digits()))
            }
        }
    )*};
}
facet_numbers!(Decimal, Integer);

macro_rules! facet_temporals {
    ($($t:ty),*) => {$(
        impl FacetValue for $t {
            fn facet_order(&self, bound: &Self) -> Option<Ordering> {
                self.xsd_cmp(bound)
            }
        }
    )*};
}
facet_temporals!(
    Duration, DateTime, Date, Time, GYear, GYearMonth, GMonth, GMonthDay, GDay
);

macro_rules! facet_binaries {
    ($($t:ty),*) => {$(
        impl FacetValue for $t {
            fn facet_length(&self) -> u64 {
                self.0.len() as u64
            }
        }
    )*};
}
facet_binaries!(HexBinary, Base64Binary);

/// A restricted type's facets ready to check: the table, the parser of the
/// type's lexical form, and what the table needs compiled or parsed (on
/// first use). One `static` per generated type.
#[doc(hidden)]
pub struct Restriction<V: 'static> {
    table: &'static FacetTable,
    parse: fn(&str) -> Result<V, ValueError>,
    compiled: OnceLock<Compiled<V>>,
}

/// What the table needs before checking: each pattern step's regex and its
/// name in errors, each bound and enumeration parsed into a value.
struct Compiled<V> {
    /// `None`: the step did not compile here (the generator compiled it
    /// already), so it checks nothing rather than failing every value.
    patterns: Vec<(Option<Pattern>, String)>,
    /// Per entry of `FacetTable::facets`: the bound or the enumeration's
    /// values (none for other facets, or a bound that does not parse).
    values: Vec<Vec<V>>,
}

impl<V: FacetValue> Compiled<V> {
    fn new(table: &FacetTable, parse: fn(&str) -> Result<V, ValueError>) -> Self {
        let patterns = table
            .patterns
            .iter()
            .map(|step| (Pattern::any_of(step).ok(), step.join(" | ")))
            .collect();
        let parsed = |lit: &str| parse(&normalize(lit, WhiteSpace::Collapse)).ok();
        let values = table
            .facets
            .iter()
            .map(|f| match *f {
                Facet::MinInclusive(b)
                | Facet::MaxInclusive(b)
                | Facet::MinExclusive(b)
                | Facet::MaxExclusive(b) => parsed(b).into_iter().collect(),
                Facet::Enumeration(values) if !V::LEXICAL_ENUMERATION => {
                    values.iter().filter_map(|e| parsed(e)).collect()
                }
                _ => Vec::new(),
            })
            .collect();
        Compiled { patterns, values }
    }
}

impl<V: FacetValue> Restriction<V> {
    pub const fn new(table: &'static FacetTable, parse: fn(&str) -> Result<V, ValueError>) -> Self {
        Restriction {
            table,
            parse,
            compiled: OnceLock::new(),
        }
    }

    fn compiled(&'static self) -> &'static Compiled<V> {
        self.compiled
            .get_or_init(|| Compiled::new(self.table, self.parse))
    }

    /// Does any facet look at the lexical form (so that a value built in
    /// code is written out before checking)?
    fn lexical(&self) -> bool {
        !self.table.patterns.is_empty()
            || (V::LEXICAL_ENUMERATION
                && self
                    .table
                    .facets
                    .iter()
                    .any(|f| matches!(f, Facet::Enumeration(_))))
    }

    /// Facets on the normalized lexical form `s`: patterns, and enumerations
    /// compared lexically.
    fn check_lexical(&'static self, s: &str, out: &mut Vec<FacetViolation>) {
        for (pattern, shown) in &self.compiled().patterns {
            if pattern.as_ref().is_some_and(|p| !p.is_match(s)) {
                out.push(FacetViolation {
                    facet: Facet::Pattern(shown),
                    value: s.to_owned(),
                });
            }
        }
        if !V::LEXICAL_ENUMERATION {
            return;
        }
        for f in self.table.facets {
            if let Facet::Enumeration(values) = *f
                && !values
                    .iter()
                    .any(|e| normalize(e, WhiteSpace::Collapse) == s)
            {
                out.push(FacetViolation {
                    facet: *f,
                    value: s.to_owned(),
                });
            }
        }
    }

    /// Facets on the value: pushes one violation per facet that fails.
    fn check_value(&'static self, v: &V, out: &mut Vec<FacetViolation>) {
        let compiled = self.compiled();
        for (f, values) in self.table.facets.iter().zip(&compiled.values) {
            if !holds(f, v, values) {
                out.push(FacetViolation {
                    facet: *f,
                    value: v.to_lexical(),
                });
            }
        }
    }

    fn violations(&'static self, s: &str, v: &V) -> Vec<FacetViolation> {
        let mut out = Vec::new();
        self.check_lexical(s, &mut out);
        self.check_value(v, &mut out);
        out
    }

    #[inline(never)]
    fn check_new(&'static self, value: V) -> Result<V, FacetErrors> {
        let mut out = Vec::new();
        if self.lexical() {
            self.check_lexical(&value.to_lexical(), &mut out);
        }
        self.check_value(&value, &mut out);
        if out.is_empty() {
            Ok(value)
        } else {
            Err(FacetErrors(out))
        }
    }

    #[inline(never)]
    fn parse_checked(&'static self, text: &str) -> Result<V, ValueError> {
        let s = normalize(text, self.table.whitespace);
        let v = (self.parse)(&s)?;
        let out = self.violations(&s, &v);
        if out.is_empty() {
            Ok(v)
        } else {
            Err(ValueError::Facets(out))
        }
    }

    #[inline(never)]
    fn read(&'static self, r: &mut XmlReader<'_>, text: &str, site: Site<'_>) -> ReadResult<V> {
        let s = normalize(text, self.table.whitespace);
        let v = r.value(&s, site, self.parse)?;
        self.check_read(r, &s, &v, site);
        Ok(v)
    }

    fn check_read(&'static self, r: &mut XmlReader<'_>, s: &str, v: &V, site: Site<'_>) {
        if r.validating() {
            let out = self.violations(s, v);
            if !out.is_empty() {
                r.facet_errors(site, out);
            }
        }
    }
}

/// Does the value-side facet `f` hold for `v` (`values`: its parsed bound
/// or enumeration)? Lexical facets hold here (checked on the lexical form).
fn holds<V: FacetValue>(f: &Facet, v: &V, values: &[V]) -> bool {
    // A bound holds when the comparison gives one of `good`; a bound that
    // did not parse checks nothing.
    let bound = |good: &[Ordering]| match values.first() {
        Some(b) => v.facet_order(b).is_some_and(|o| good.contains(&o)),
        None => true,
    };
    match *f {
        Facet::Length(n) => v.facet_length_cmp(n).is_eq(),
        Facet::MinLength(n) => v.facet_length_cmp(n).is_ge(),
        Facet::MaxLength(n) => v.facet_length_cmp(n).is_le(),
        Facet::MinInclusive(_) => bound(&[Ordering::Greater, Ordering::Equal]),
        Facet::MaxInclusive(_) => bound(&[Ordering::Less, Ordering::Equal]),
        Facet::MinExclusive(_) => bound(&[Ordering::Greater]),
        Facet::MaxExclusive(_) => bound(&[Ordering::Less]),
        Facet::TotalDigits(n) => v.facet_digits().is_none_or(|(total, _)| total <= n),
        Facet::FractionDigits(n) => v.facet_digits().is_none_or(|(_, fraction)| fraction <= n),
        Facet::Enumeration(_) if !V::LEXICAL_ENUMERATION => values.contains(v),
        Facet::Enumeration(_) | Facet::Pattern(_) => true,
    }
}

/// The facets of a generated restricted type: its [`Restriction`] (a
/// `static` that [`restricted_newtype!`](crate::restricted_newtype)
/// declares). Used by generated code only.
#[doc(hidden)]
pub trait Facets {
    /// The value inside the newtype.
    type Inner: FacetValue;

    fn restriction() -> &'static Restriction<Self::Inner>;
}

/// A value built in code, checked against every facet of `T`.
#[doc(hidden)]
pub fn new<T: Facets>(value: T::Inner) -> Result<T::Inner, FacetErrors> {
    T::restriction().check_new(value)
}

/// A lexical form parsed and checked against every facet of `T`.
#[doc(hidden)]
pub fn from_str<T: Facets>(text: &str) -> Result<T::Inner, ValueError> {
    T::restriction().parse_checked(text)
}

/// Reads a value of `T` at `site`: a value that breaks facets is reported
/// (when validating) and kept, so reading goes on.
#[doc(hidden)]
pub fn read<T: Facets>(r: &mut XmlReader<'_>, text: &str, site: Site<'_>) -> ReadResult<T::Inner> {
    T::restriction().read(r, text, site)
}

/// Reports the facets a value read at `site` breaks (when validating); `s`
/// is its normalized lexical form.
#[doc(hidden)]
pub fn check_read<T: Facets>(r: &mut XmlReader<'_>, s: &str, v: &T::Inner, site: Site<'_>) {
    T::restriction().check_read(r, s, v, site)
}

/// Reports the facets a value read from `text` at `site` breaks (when
/// validating), normalizing `text` first: for unions, whose members read
/// the text before the union's own facets look at it.
#[doc(hidden)]
pub fn check_text<T: Facets>(r: &mut XmlReader<'_>, text: &str, v: &T::Inner, site: Site<'_>) {
    if r.validating() {
        let restriction = T::restriction();
        let s = normalize(text, restriction.table.whitespace);
        restriction.check_read(r, &s, v, site)
    }
}

/// A list's lexical form (normalized) as items, each parsed by `item`.
#[doc(hidden)]
pub fn list<T>(s: &str, item: fn(&str) -> Result<T, ValueError>) -> Result<Vec<T>, ValueError> {
    s.split(' ').filter(|t| !t.is_empty()).map(item).collect()
}

/// The constructors, accessors, parsing, checking and traits of a generated
/// restricted newtype `Name(Inner)` whose facets are `Name::FACETS` and
/// whose normalized lexical form `parse` reads. With `read`, also its
/// `read_value` (types needing more than parsing and checking when read,
/// such as lists and IDs, write their own).
#[doc(hidden)]
#[macro_export]
macro_rules! restricted_newtype {
    ($name:ident($inner:ty), $parse:expr, read) => {
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

        $crate::restricted_newtype!($name($inner), $parse);
    };
    ($name:ident($inner:ty), $parse:expr) => {
        impl $crate::newtype::Facets for $name {
            type Inner = $inner;

            fn restriction() -> &'static $crate::newtype::Restriction<$inner> {
                static RESTRICTION: $crate::newtype::Restriction<$inner> =
                    $crate::newtype::Restriction::new(&$name::FACETS, $parse);
                &RESTRICTION
            }
        }

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

/// The facets of a generated union `Name` that declares `Name::FACETS`
/// (patterns and enumerations, on the lexical form) and reads its members
/// with `Name::parse_lexical`.
#[doc(hidden)]
#[macro_export]
macro_rules! union_facets {
    ($name:ident) => {
        impl $crate::newtype::FacetValue for $name {
            const LEXICAL_ENUMERATION: bool = true;
        }

        impl $crate::newtype::Facets for $name {
            type Inner = $name;

            fn restriction() -> &'static $crate::newtype::Restriction<$name> {
                static RESTRICTION: $crate::newtype::Restriction<$name> =
                    $crate::newtype::Restriction::new(&$name::FACETS, $name::parse_lexical);
                &RESTRICTION
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
                    $crate::strategy::checked($crate::strategy::lexical(&$crate::newtype::FacetTable {
                        builtin: $builtin,
                        facets: &[$crate::Facet::Enumeration(Self::VALUES)],
                        ..$crate::newtype::FacetTable::NONE
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_lengths_compare_as_their_characters_counted() {
        for v in [
            "",
            "a",
            "abc",
            "é",
            "aé",
            "€€",
            "😀x",
            "ab😀",
            "日本語テキスト",
        ] {
            for n in 0..12 {
                let counted = (v.chars().count() as u64).cmp(&n);
                assert_eq!(str_length_cmp(v, n), counted, "{v:?} against {n}");
                let c = crate::types::CompactString::from(v);
                assert_eq!(c.facet_length_cmp(n), counted, "{v:?} against {n}");
                assert_eq!(v.to_string().facet_length_cmp(n), counted);
            }
        }
    }

    static DECIMAL: FacetTable = FacetTable {
        builtin: "decimal",
        whitespace: WhiteSpace::Collapse,
        patterns: &[&["[0-9.]+", "-[0-9.]+"]],
        facets: &[
            Facet::MinInclusive("-10"),
            Facet::MaxExclusive("100"),
            Facet::TotalDigits(4),
            Facet::FractionDigits(1),
            Facet::Enumeration(&["1", "2.5", "500", "-0.5"]),
        ],
    };
    static DECIMALS: Restriction<Decimal> = Restriction::new(&DECIMAL, crate::xsd::decimal);

    fn facets_broken(r: &'static Restriction<Decimal>, text: &str) -> Vec<String> {
        match r.parse_checked(text) {
            Ok(_) => Vec::new(),
            Err(ValueError::Facets(v)) => v.iter().map(|f| f.facet.to_string()).collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn each_facet_of_the_table_is_checked_on_its_own() {
        // Enumerations compare values: 1.0 is 1.
        assert!(facets_broken(&DECIMALS, " 1.0 ").is_empty());
        let broken = facets_broken(&DECIMALS, "500");
        assert_eq!(broken, ["maxExclusive 100"], "{broken:?}");
        assert!(facets_broken(&DECIMALS, "-0.5").is_empty());
        let broken = facets_broken(&DECIMALS, "+2.5");
        assert_eq!(broken, ["pattern '[0-9.]+ | -[0-9.]+'"], "{broken:?}");
        let broken = facets_broken(&DECIMALS, "3.25");
        assert_eq!(broken.len(), 2, "{broken:?}");
        assert!(broken[0].starts_with("fractionDigits"), "{broken:?}");
        assert!(broken[1].starts_with("enumeration"), "{broken:?}");
    }

    static TWO_STEPS: FacetTable = FacetTable {
        builtin: "string",
        whitespace: WhiteSpace::Preserve,
        patterns: &[&["[a-z]+"], &[".{2,3}"]],
        facets: &[Facet::MaxLength(5), Facet::MaxLength(3)],
    };
    static STRINGS: Restriction<crate::types::CompactString> =
        Restriction::new(&TWO_STEPS, crate::xsd::string);

    #[test]
    fn every_step_holds_and_every_violation_is_reported() {
        assert!(STRINGS.check_new("abc".into()).is_ok());
        let errors = STRINGS.check_new("abcdef".into()).unwrap_err();
        let shown: Vec<String> = errors.0.iter().map(|f| f.facet.to_string()).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert_eq!(shown[0], "pattern '.{2,3}'");
        assert!(
            shown[1].contains('5') && shown[2].contains('3'),
            "{shown:?}"
        );
    }

    static LIST: FacetTable = FacetTable {
        facets: &[Facet::MinLength(2), Facet::Enumeration(&[" a  b ", "c d"])],
        whitespace: WhiteSpace::Collapse,
        ..FacetTable::NONE
    };
    static LISTS: Restriction<Vec<crate::types::CompactString>> =
        Restriction::new(&LIST, |s| list(s, crate::xsd::token));

    #[test]
    fn list_enumerations_compare_collapsed_lexical_forms() {
        assert!(LISTS.parse_checked("a   b").is_ok());
        let Err(ValueError::Facets(v)) = LISTS.parse_checked("b") else {
            panic!("b is neither long enough nor enumerated");
        };
        assert_eq!(v.len(), 2, "{v:?}");
    }
}
