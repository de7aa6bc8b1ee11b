//! `proptest` strategies for XSD values (feature `proptest`), which the
//! strategies of generated types build on.
//!
//! Generated code describes a simple type's facets as data (its `FACETS`
//! table, a [`FacetTable`], the same one its checks read); [`lexical`]
//! turns that into candidate lexical forms built to satisfy
//! them (enumeration values, strings from the pattern, numbers inside the
//! bounds and digit limits, lengths inside the length facets). The type's
//! own checked parser then has the last word, so a value that comes out is
//! valid; candidates it rejects (a pattern combined with a length facet,
//! say) are dropped, which the construction keeps rare.
//!
//! Identity constraints and `xs:ID`/`xs:IDREF` are document-wide: [`resolve`]
//! points each keyref and IDREF of a written document at an existing key or
//! ID, and the document is read back with validation; only valid documents
//! are kept.

use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, LazyJust, Union};
use regex_syntax::hir::{self, Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};

pub use proptest;

use crate::Facet;
use crate::newtype::FacetTable;
use crate::xml::idc::{IdcDef, IdcKind, IdcPath, Step};
use crate::xml::{AnyElement, AnyNode, ReadOptions, XmlReader, XmlWriter};

/// A facet table summed up for generating: the tightest bounds of all steps.
#[derive(Clone, Debug, Default)]
struct Spec {
    /// XSD local name of the built-in type the variety is rooted in.
    builtin: &'static str,
    /// Patterns per restriction step (AND-ed), each step's OR-ed.
    patterns: &'static [&'static [&'static str]],
    /// The enumeration in force (empty: none).
    enumeration: &'static [&'static str],
    /// The tightest length bounds of all steps (`length` sets both).
    min_length: Option<u64>,
    max_length: Option<u64>,
    /// Order bounds of all steps, as written.
    min_inclusive: Vec<&'static str>,
    max_inclusive: Vec<&'static str>,
    min_exclusive: Vec<&'static str>,
    max_exclusive: Vec<&'static str>,
    total_digits: Option<u32>,
    fraction_digits: Option<u32>,
}

impl Spec {
    fn of(table: &FacetTable) -> Spec {
        let mut spec = Spec {
            builtin: table.builtin,
            patterns: table.patterns,
            ..Spec::default()
        };
        let min = |a: Option<u64>, b: u64| Some(a.map_or(b, |a| a.min(b)));
        let max = |a: Option<u64>, b: u64| Some(a.map_or(b, |a| a.max(b)));
        for f in table.facets {
            match *f {
                Facet::Enumeration(values) => spec.enumeration = values,
                Facet::Length(n) => {
                    spec.min_length = max(spec.min_length, n);
                    spec.max_length = min(spec.max_length, n);
                }
                Facet::MinLength(n) => spec.min_length = max(spec.min_length, n),
                Facet::MaxLength(n) => spec.max_length = min(spec.max_length, n),
                Facet::MinInclusive(b) => spec.min_inclusive.push(b),
                Facet::MaxInclusive(b) => spec.max_inclusive.push(b),
                Facet::MinExclusive(b) => spec.min_exclusive.push(b),
                Facet::MaxExclusive(b) => spec.max_exclusive.push(b),
                Facet::TotalDigits(n) => {
                    spec.total_digits = Some(spec.total_digits.map_or(n, |t| t.min(n)))
                }
                Facet::FractionDigits(n) => {
                    spec.fraction_digits = Some(spec.fraction_digits.map_or(n, |t| t.min(n)))
                }
                Facet::Pattern(_) => {}
            }
        }
        spec
    }
}

/// Longest free-running repetition or string generated where no facet
/// bounds it: values stay short, so documents stay readable and fast.
const FREE_LEN: u64 = 8;

/// Candidate lexical forms for a simple type with the facets of `table`.
pub fn lexical(table: &FacetTable) -> BoxedStrategy<String> {
    spec_lexical(&Spec::of(table))
}

fn spec_lexical(spec: &Spec) -> BoxedStrategy<String> {
    if !spec.enumeration.is_empty() {
        let values: Vec<String> = spec.enumeration.iter().map(|s| (*s).to_owned()).collect();
        return proptest::sample::select(values).boxed();
    }
    if let Some(step) = spec.patterns.last() {
        let alts: Vec<BoxedStrategy<String>> = step
            .iter()
            .filter_map(|p| pattern(p, spec.max_length))
            .collect();
        if !alts.is_empty() {
            return Union::new(alts).boxed();
        }
    }
    builtin_lexical(spec)
}

/// Strings matching one XSD pattern, or `None` when proptest cannot
/// generate from it. Unbounded repetitions are cut to a few items (or to
/// `max_len`), and character classes are narrowed to characters that
/// survive a trip through XML unchanged.
pub fn pattern(xsd: &str, max_len: Option<u64>) -> Option<BoxedStrategy<String>> {
    let body = crate::pattern::translate(xsd).ok()?;
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&body)
        .ok()?;
    let cap = max_len.unwrap_or(FREE_LEN).min(FREE_LEN * 4) as u32;
    let hir = tame(hir, cap)?;
    proptest::string::string_regex_parsed(&hir)
        .ok()
        .map(|s| s.boxed())
}

/// Characters preferred in generated text: printable ASCII, and a few
/// others that exercise escaping and UTF-8.
fn preferred() -> ClassUnicode {
    ClassUnicode::new([
        ClassUnicodeRange::new(' ', '~'),
        ClassUnicodeRange::new('\u{C0}', '\u{FF}'),
        ClassUnicodeRange::new('\u{20AC}', '\u{20AC}'),
    ])
}

/// Characters XML 1.0 allows that come back unchanged from a parser (no
/// CR, which line-end normalization would turn into LF).
fn xml_chars() -> ClassUnicode {
    ClassUnicode::new([
        ClassUnicodeRange::new('\t', '\n'),
        ClassUnicodeRange::new(' ', '\u{D7FF}'),
        ClassUnicodeRange::new('\u{E000}', '\u{FFFD}'),
        ClassUnicodeRange::new('\u{10000}', '\u{10FFFF}'),
    ])
}

/// Rewrites a parsed pattern for generation: anchors dropped, repetitions
/// bounded by `cap`, classes narrowed. `None` if a class has no character
/// that can be written.
fn tame(h: Hir, cap: u32) -> Option<Hir> {
    Some(match h.into_kind() {
        HirKind::Empty | HirKind::Look(_) => Hir::empty(),
        HirKind::Literal(l) => Hir::literal(l.0),
        HirKind::Class(Class::Unicode(c)) => {
            let mut nice = c.clone();
            nice.intersect(&preferred());
            if nice.ranges().is_empty() {
                nice = c;
                nice.intersect(&xml_chars());
            }
            if nice.ranges().is_empty() {
                return None;
            }
            Hir::class(Class::Unicode(nice))
        }
        HirKind::Class(Class::Bytes(b)) => Hir::class(Class::Bytes(b)),
        HirKind::Repetition(r) => {
            let max = match r.max {
                Some(m) => m.min(r.min.max(cap)),
                None => r.min.saturating_add(cap.min(FREE_LEN as u32)).max(r.min),
            };
            Hir::repetition(hir::Repetition {
                min: r.min,
                max: Some(max),
                greedy: r.greedy,
                sub: Box::new(tame(*r.sub, cap)?),
            })
        }
        HirKind::Capture(c) => tame(*c.sub, cap)?,
        HirKind::Concat(v) => Hir::concat(
            v.into_iter()
                .map(|x| tame(x, cap))
                .collect::<Option<Vec<_>>>()?,
        ),
        HirKind::Alternation(v) => {
            let alts: Vec<Hir> = v.into_iter().filter_map(|x| tame(x, cap)).collect();
            if alts.is_empty() {
                return None;
            }
            Hir::alternation(alts)
        }
    })
}

/// Length bounds for generated strings and lists: inside the facets, and
/// short where they leave room.
fn length_range(spec: &Spec, floor: u64) -> (u64, u64) {
    let min = spec.min_length.unwrap_or(0).max(floor);
    let max = spec
        .max_length
        .unwrap_or(min + FREE_LEN)
        .min(min + FREE_LEN)
        .max(min);
    (min, max)
}

fn chars_from(alphabet: &'static str, min: u64, max: u64) -> BoxedStrategy<String> {
    let chars: Vec<char> = alphabet.chars().collect();
    proptest::collection::vec(proptest::sample::select(chars), min as usize..=max as usize)
        .prop_map(|v| v.into_iter().collect())
        .boxed()
}

fn regex(re: &str) -> BoxedStrategy<String> {
    match proptest::string::string_regex(re) {
        Ok(s) => s.boxed(),
        Err(_) => Just(String::new()).boxed(),
    }
}

const TEXT: &str = "abcxyzABCXYZ0123456789 -_.,:;/<>&\"'éÄß€";
const NAME_START: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
const NAME_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789.-";

fn ncname(min: u64, max: u64) -> BoxedStrategy<String> {
    let (min, max) = (min.max(1), max.max(1));
    (
        chars_from(NAME_START, 1, 1),
        chars_from(NAME_CHARS, min - 1, max - 1),
    )
        .prop_map(|(a, b)| a + &b)
        .boxed()
}

fn builtin_lexical(spec: &Spec) -> BoxedStrategy<String> {
    match spec.builtin {
        "string" | "anySimpleType" | "normalizedString" => {
            let (min, max) = length_range(spec, 0);
            chars_from(TEXT, min, max)
        }
        "token" => {
            let (min, max) = length_range(spec, 0);
            // Collapsed already: no space at either end, none doubled.
            chars_from(TEXT, min, max)
                .prop_map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .boxed()
        }
        "language" => regex("[a-z]{2}(-[A-Z]{2})?"),
        "Name" | "NCName" | "ID" | "IDREF" | "ENTITY" | "QName" | "NOTATION" => {
            let (min, max) = length_range(spec, 1);
            ncname(min, max)
        }
        "NMTOKEN" => {
            let (min, max) = length_range(spec, 1);
            chars_from(NAME_CHARS, min, max)
        }
        "IDREFS" | "ENTITIES" | "NMTOKENS" => {
            let (min, max) = length_range(spec, 1);
            proptest::collection::vec(ncname(1, 6), min as usize..=max.min(min + 3) as usize)
                .prop_map(|v| v.join(" "))
                .boxed()
        }
        "anyURI" => regex("https://example\\.org/[a-z]{1,6}|urn:[a-z]{1,6}:[a-z0-9]{1,6}"),
        "boolean" => proptest::sample::select(vec!["true", "false", "1", "0"])
            .prop_map(str::to_owned)
            .boxed(),
        "decimal" | "float" | "double" => decimal(spec, false),
        "integer" | "nonPositiveInteger" | "negativeInteger" | "nonNegativeInteger"
        | "positiveInteger" | "long" | "int" | "short" | "byte" | "unsignedLong"
        | "unsignedInt" | "unsignedShort" | "unsignedByte" => decimal(spec, true),
        "hexBinary" | "base64Binary" => {
            let (min, max) = length_range(spec, 0);
            let hex = spec.builtin == "hexBinary";
            proptest::collection::vec(any::<u8>(), min as usize..=max as usize)
                .prop_map(move |b| {
                    if hex {
                        crate::types::HexBinary(b).to_string()
                    } else {
                        crate::types::Base64Binary(b).to_string()
                    }
                })
                .boxed()
        }
        "duration" => (
            any::<bool>(),
            proptest::collection::vec(0u32..40, 6),
            1u8..64,
        )
            .prop_map(|(neg, n, mask)| {
                let mut s = String::from(if neg { "-P" } else { "P" });
                for (i, unit) in ["Y", "M", "D"].iter().enumerate() {
                    if mask & (1 << i) != 0 {
                        let _ = write!(s, "{}{unit}", n[i]);
                    }
                }
                if mask & 0b111000 != 0 {
                    s.push('T');
                    for (i, unit) in ["H", "M", "S"].iter().enumerate() {
                        if mask & (8 << i) != 0 {
                            let _ = write!(s, "{}{unit}", n[3 + i]);
                        }
                    }
                }
                s
            })
            .boxed(),
        "dateTime" | "date" | "time" | "gYear" | "gYearMonth" | "gMonth" | "gMonthDay" | "gDay" => {
            temporal(spec)
        }
        _ => chars_from(TEXT, 0, FREE_LEN),
    }
}

/// Dates and times: a day every month has, an optional time zone.
fn temporal(spec: &Spec) -> BoxedStrategy<String> {
    let kind = spec.builtin;
    let tz = prop_oneof![
        Just(String::new()),
        Just("Z".to_owned()),
        (-14i32..=14, prop_oneof![Just(0), Just(30)]).prop_map(|(h, m): (i32, i32)| {
            if h == 14 || h == -14 {
                format!("{}{:02}:00", if h < 0 { '-' } else { '+' }, h.abs())
            } else {
                format!("{}{:02}:{m:02}", if h < 0 { '-' } else { '+' }, h.abs())
            }
        })
    ];
    // Years near the bounds when there are some, so they rarely reject.
    let year_hint = spec
        .min_inclusive
        .iter()
        .chain(&spec.min_exclusive)
        .chain(&spec.max_inclusive)
        .chain(&spec.max_exclusive)
        .find_map(|b| {
            b.trim_start_matches('-')
                .get(..4)
                .and_then(|y| y.parse::<i64>().ok())
        });
    let years = match year_hint {
        Some(y) => (y - 2).max(1)..=y + 2,
        None => 1970..=2037,
    };
    (
        years,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
        prop_oneof![Just(None), (0u32..1000).prop_map(Some)],
        tz,
    )
        .prop_map(move |(y, mo, d, h, mi, s, frac, tz)| {
            let time = match frac {
                Some(f) => format!("{h:02}:{mi:02}:{s:02}.{f:03}"),
                None => format!("{h:02}:{mi:02}:{s:02}"),
            };
            match kind {
                "dateTime" => format!("{y:04}-{mo:02}-{d:02}T{time}{tz}"),
                "date" => format!("{y:04}-{mo:02}-{d:02}{tz}"),
                "time" => format!("{time}{tz}"),
                "gYear" => format!("{y:04}{tz}"),
                "gYearMonth" => format!("{y:04}-{mo:02}{tz}"),
                "gMonth" => format!("--{mo:02}{tz}"),
                "gMonthDay" => format!("--{mo:02}-{d:02}{tz}"),
                _ => format!("---{d:02}{tz}"),
            }
        })
        .boxed()
}

/// The range of a built-in integer type.
fn int_range(builtin: &str) -> (f64, f64) {
    match builtin {
        "nonPositiveInteger" => (-1e30, 0.0),
        "negativeInteger" => (-1e30, -1.0),
        "nonNegativeInteger" => (0.0, 1e30),
        "positiveInteger" => (1.0, 1e30),
        "long" => (i64::MIN as f64, i64::MAX as f64),
        "int" => (f64::from(i32::MIN), f64::from(i32::MAX)),
        "short" => (f64::from(i16::MIN), f64::from(i16::MAX)),
        "byte" => (f64::from(i8::MIN), f64::from(i8::MAX)),
        "unsignedLong" => (0.0, u64::MAX as f64),
        "unsignedInt" => (0.0, f64::from(u32::MAX)),
        "unsignedShort" => (0.0, f64::from(u16::MAX)),
        "unsignedByte" => (0.0, f64::from(u8::MAX)),
        _ => (-1e30, 1e30),
    }
}

/// Decimal numbers (integers when `int`): a scale within
/// `fractionDigits`, digits within `totalDigits`, a value within the
/// bounds. Bounds are compared approximately here (as `f64`); the parser
/// checks them exactly.
fn decimal(spec: &Spec, int: bool) -> BoxedStrategy<String> {
    let (mut lo, mut hi) = int_range(spec.builtin);
    // Whether the tightest bound is exclusive (then the bound itself is out).
    let (mut lo_excl, mut hi_excl) = (false, false);
    let parse = |s: &&str| s.trim().parse::<f64>().ok();
    for (b, excl) in (spec
        .min_inclusive
        .iter()
        .filter_map(parse)
        .map(|b| (b, false)))
    .chain(
        spec.min_exclusive
            .iter()
            .filter_map(parse)
            .map(|b| (b, true)),
    ) {
        if b > lo || (b == lo && excl) {
            (lo, lo_excl) = (b, excl);
        }
    }
    for (b, excl) in (spec
        .max_inclusive
        .iter()
        .filter_map(parse)
        .map(|b| (b, false)))
    .chain(
        spec.max_exclusive
            .iter()
            .filter_map(parse)
            .map(|b| (b, true)),
    ) {
        if b < hi || (b == hi && excl) {
            (hi, hi_excl) = (b, excl);
        }
    }
    // Without totalDigits: 18 digits, or as many as finite bounds need, but
    // at most 24 (libxml2's limit, beyond which xmllint would disagree).
    let need = [lo, hi]
        .iter()
        .filter(|b| b.is_finite())
        .map(|b| b.abs().max(1.0).log10().ceil() as u32 + 1)
        .max()
        .unwrap_or(0);
    let total = spec.total_digits.unwrap_or(need.clamp(18, 24)).clamp(1, 30);
    let max_scale = if int {
        0
    } else {
        spec.fraction_digits
            .unwrap_or(3)
            .min(total.saturating_sub(1))
            .min(6)
    };
    (0..=max_scale, any::<u64>(), 0u8..16)
        .prop_map(move |(scale, r, edge)| {
            let p = 10f64.powi(scale as i32);
            let limit = 10f64.powi(total as i32) - 1.0;
            let (mut mlo, mut mhi) = ((lo * p).ceil().max(-limit), (hi * p).floor().min(limit));
            if lo_excl && mlo == lo * p {
                mlo += 1.0;
            }
            if hi_excl && mhi == hi * p {
                mhi -= 1.0;
            }
            if mlo > mhi {
                return String::new();
            }
            // Mostly small magnitudes (readable documents), sometimes the
            // edges; rarely equal values, so keys seldom collide.
            let m = match edge {
                0 => mlo,
                1 => mhi,
                2..=5 => {
                    let span = (mhi - mlo).min(1e15);
                    mlo + (r % (span as u64).saturating_add(1)) as f64
                }
                _ => {
                    let (a, b) = if mhi < -1000.0 || mlo > 1000.0 {
                        (mlo, (mlo + 2000.0).min(mhi))
                    } else {
                        (mlo.max(-1000.0), mhi.min(1000.0))
                    };
                    a + (r % ((b - a) as u64).saturating_add(1)) as f64
                }
            };
            let m = m as i128;
            crate::types::Decimal::from_parts(m, scale).to_string()
        })
        .boxed()
}

/// Lists: `items` joined by spaces, with a count inside the length facets.
pub fn list<T: std::fmt::Debug + Clone + 'static>(
    item: BoxedStrategy<T>,
    table: &FacetTable,
    lexical: fn(&T) -> String,
) -> BoxedStrategy<String> {
    let (min, max) = length_range(&Spec::of(table), 0);
    let max = max.min(min + 4);
    proptest::collection::vec(item, min as usize..=max as usize)
        .prop_map(move |v| v.iter().map(lexical).collect::<Vec<_>>().join(" "))
        .boxed()
}

/// How many occurrences of a particle to generate: `min..=max`, with
/// unbounded and large maxima cut to a few beyond the minimum, and only the
/// minimum once `depth` reaches [`MAX_DEPTH`].
pub fn occurrences(min: u32, max: Option<u32>, depth: u32) -> std::ops::RangeInclusive<usize> {
    let min = min as usize;
    if depth >= MAX_DEPTH {
        return min..=min;
    }
    let cap = min + 3;
    let max = max.map_or(cap, |m| (m as usize).min(cap)).max(min);
    min..=max
}

/// Nesting depth after which optional content is left out, so recursive
/// types give finite values.
pub const MAX_DEPTH: u32 = 6;

/// Values of a built-in type: candidates from its name, through its parser.
pub fn builtin<T: std::fmt::Debug + 'static>(
    name: &'static str,
    parse: fn(&str) -> Result<T, crate::ValueError>,
) -> BoxedStrategy<T> {
    lexical(&FacetTable {
        builtin: name,
        ..FacetTable::NONE
    })
    .prop_filter_map("a valid value", move |s| parse(&s).ok())
    .boxed()
}

/// Values of a generated simple type: candidates through its checked
/// parser (`FromStr`), so every facet holds and a union value is the member
/// a reader would pick.
pub fn checked<T: std::str::FromStr + std::fmt::Debug + 'static>(
    candidates: BoxedStrategy<String>,
) -> BoxedStrategy<T> {
    candidates
        .prop_filter_map("a value the facets accept", |s| s.parse::<T>().ok())
        .boxed()
}

/// The value of a fixed literal (rejected if it does not parse).
pub fn fixed<T: std::fmt::Debug + Clone + 'static, E>(parsed: Result<T, E>) -> BoxedStrategy<T> {
    let v = parsed.ok();
    Just(())
        .prop_filter_map("the fixed value", move |_| v.clone())
        .boxed()
}

/// Values with a non-empty lexical form: an element with a default value
/// reads its empty content as the default.
pub fn not_empty_text<T: crate::xsd::Lexical + std::fmt::Debug + 'static>(
    s: BoxedStrategy<T>,
) -> BoxedStrategy<T> {
    s.prop_filter("text other than empty", |v| !v.to_lexical().is_empty())
        .boxed()
}

/// One value, always.
pub fn just<T: std::fmt::Debug + Clone + 'static>(v: T) -> BoxedStrategy<T> {
    Just(v).boxed()
}

/// An optional value.
pub fn optional<T: std::fmt::Debug + 'static>(s: BoxedStrategy<T>) -> BoxedStrategy<Option<T>> {
    proptest::option::of(s).boxed()
}

/// `min..=max` occurrences (see [`occurrences`]); `item` is only built
/// when some occurrence may be generated, so recursion ends.
pub fn repeated<T: std::fmt::Debug + 'static>(
    min: u32,
    max: Option<u32>,
    depth: u32,
    item: impl FnOnce() -> BoxedStrategy<T>,
) -> BoxedStrategy<Vec<T>> {
    let n = occurrences(min, max, depth);
    if *n.end() == 0 {
        LazyJust::new(Vec::new).boxed()
    } else {
        proptest::collection::vec(item(), n).boxed()
    }
}

/// A nillable element's value: sometimes nil.
pub fn nillable<T: std::fmt::Debug + Clone + 'static>(
    s: BoxedStrategy<T>,
) -> BoxedStrategy<crate::Nillable<T>> {
    Union::new_weighted(vec![
        (1, Just(crate::Nillable::Nil).boxed()),
        (4, s.prop_map(crate::Nillable::Value).boxed()),
    ])
    .boxed()
}

/// One of several strategies.
pub fn one_of<T: std::fmt::Debug + 'static>(
    alternatives: Vec<BoxedStrategy<T>>,
) -> BoxedStrategy<T> {
    Union::new(alternatives).boxed()
}

/// Group values that write something (an optional or repeated group that
/// writes nothing would read back as absent).
pub fn non_empty<T: std::fmt::Debug + 'static>(
    s: BoxedStrategy<T>,
    write: fn(&T, &mut XmlWriter),
) -> BoxedStrategy<T> {
    s.prop_filter("a group that writes something", move |g| {
        writes_something(|w| write(g, w))
    })
    .boxed()
}

/// Valid documents from a root's content strategy: written, references
/// resolved ([`resolve`]), read back with validation; what fails is
/// dropped, and recorded when [`record_dropped`] is on (so a test can hold
/// every dropped candidate against a reference validator: a document we
/// wrongly reject must not vanish silently). A document that needed no
/// change gives the generated value itself, so a round-trip test compares
/// with what was generated.
pub fn document<T: crate::XmlRoot + std::fmt::Debug + 'static>(
    content: BoxedStrategy<T>,
    refs: &'static References,
) -> BoxedStrategy<T> {
    (content, any::<u64>())
        .prop_filter_map("a document that validates", move |(v, seed)| {
            let xml = match v.to_xml() {
                Ok(xml) => xml,
                Err(e) => {
                    return drop_candidate::<T>(
                        String::new(),
                        DropReason::NotWritten(e.to_string()),
                    );
                }
            };
            let Some(fixed) = resolve(&xml, refs, seed) else {
                return drop_candidate::<T>(xml, DropReason::NotReadable);
            };
            match T::from_xml(&fixed) {
                Ok(back) => Some(if fixed == xml { v } else { back }),
                Err(e) => drop_candidate::<T>(fixed, DropReason::Rejected(e.to_string())),
            }
        })
        .boxed()
}

/// Why [`document`] dropped a candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// Our reader rejected the written document (with these errors): right
    /// for duplicate keys and IDs, a bug if the document is valid.
    Rejected(String),
    /// The generated value could not be written.
    NotWritten(String),
    /// The written document could not be read back as XML.
    NotReadable,
}

/// A candidate document that [`document`] dropped.
#[derive(Clone, Debug)]
pub struct Dropped {
    /// Namespace and local name of the root element.
    pub root: (&'static str, &'static str),
    /// The document as written (empty when it could not be written).
    pub xml: String,
    pub reason: DropReason,
}

thread_local! {
    static DROPPED: std::cell::RefCell<Option<Vec<Dropped>>> = const { std::cell::RefCell::new(None) };
}

/// Starts recording, on this thread, the candidates [`document`] drops.
pub fn record_dropped() {
    DROPPED.with(|d| *d.borrow_mut() = Some(Vec::new()));
}

/// The candidates dropped on this thread since [`record_dropped`]; recording
/// goes on.
pub fn take_dropped() -> Vec<Dropped> {
    DROPPED.with(|d| {
        d.borrow_mut()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    })
}

fn drop_candidate<T: crate::XmlRoot>(xml: String, reason: DropReason) -> Option<T> {
    DROPPED.with(|d| {
        if let Some(list) = d.borrow_mut().as_mut() {
            list.push(Dropped {
                root: (T::NAMESPACE, T::ELEMENT),
                xml,
                reason,
            });
        }
    });
    None
}

/// The strategies generated types return.
pub type Boxed<T> = BoxedStrategy<T>;

/// Values of a restricted atomic type: candidates built for its facets
/// (`table`), kept when the type's own parser accepts them.
pub fn facets<T: std::str::FromStr + std::fmt::Debug + 'static>(
    table: &FacetTable,
) -> BoxedStrategy<T> {
    checked(lexical(table))
}

/// For a generated simple type with a facet table `FACETS`: its
/// `strategy()` (candidates built for the facets, kept when the type's own
/// parser accepts them) and `impl Arbitrary` through it.
#[macro_export]
macro_rules! simple_strategy {
    ($t:ident) => {
        impl $t {
            /// Valid values (every facet respected), for property tests.
            pub fn strategy() -> $crate::strategy::Boxed<Self> {
                $crate::strategy::facets(&Self::FACETS)
            }
        }

        $crate::impl_arbitrary!($t);
    };
}

/// For a generated complex type with `strategy_at(depth)`: its public
/// `strategy()` (from depth 0) and `impl Arbitrary` through it.
#[macro_export]
macro_rules! complex_strategy {
    ($t:ident) => {
        impl $t {
            /// Values whose content is valid (facets, occurrences, choices,
            /// fixed values), for property tests. Keys and IDs are
            /// document-wide: a root's `strategy()` also makes them hold.
            pub fn strategy() -> $crate::strategy::Boxed<Self> {
                Self::strategy_at(0)
            }
        }

        $crate::impl_arbitrary!($t);
    };
}

/// `impl Arbitrary for T` through `T::strategy()`, for generated types.
#[macro_export]
macro_rules! impl_arbitrary {
    ($t:ty) => {
        impl $crate::strategy::proptest::arbitrary::Arbitrary for $t {
            type Parameters = ();
            type Strategy = $crate::strategy::proptest::strategy::BoxedStrategy<Self>;
            fn arbitrary_with(_: ()) -> Self::Strategy {
                Self::strategy()
            }
        }
    };
}

/// An element for a skip or lax wildcard: in an allowed namespace, with a
/// name no schema is likely to declare, and some text.
pub fn any_element(namespace: &'static str) -> BoxedStrategy<AnyElement> {
    chars_from("abcdefghijklmnopqrstuvwxyz0123456789", 0, 6)
        .prop_map(move |t| {
            let e = AnyElement::new(namespace, "proptestAny");
            if t.is_empty() { e } else { e.with_text(t) }
        })
        .boxed()
}

/// The element of an `xs:anyType` element declaration: its name, some text.
pub fn any_named(namespace: &'static str, name: &'static str) -> BoxedStrategy<AnyElement> {
    chars_from("abcdefghijklmnopqrstuvwxyz0123456789", 0, 6)
        .prop_map(move |t| {
            let e = AnyElement::new(namespace, name);
            if t.is_empty() { e } else { e.with_text(t) }
        })
        .boxed()
}

/// The text runs of a mixed element ([`crate::xml::mixed`]): none, or one
/// run before the first child (it reads back as the only run, whatever the
/// number of children, so values round-trip). Markup characters included.
pub fn mixed_text() -> BoxedStrategy<Vec<String>> {
    prop_oneof![
        Just(Vec::new()),
        chars_from("ab z&<>'\"\n\t", 1, 8).prop_map(|t| vec![t]),
    ]
    .boxed()
}

/// Whether `write` writes anything: a group value that writes nothing reads
/// back as absent, so optional and repeated groups are generated non-empty.
pub fn writes_something(write: impl FnOnce(&mut XmlWriter)) -> bool {
    let mut w = XmlWriter::new();
    write(&mut w);
    w.finish().is_ok_and(|b| !b.is_empty())
}

/// A namespace a wildcard accepts, for [`any_element`]: `""` for no
/// namespace.
pub const OTHER_NAMESPACE: &str = "urn:x-cas-proptest:other";

/// Where `xs:ID` and `xs:IDREF(S)` values sit in a document: element
/// `(ns, local)` and an attribute local name (`None`: the element's text).
#[derive(Clone, Copy, Debug)]
pub struct IdSite {
    pub ns: &'static str,
    pub local: &'static str,
    pub attribute: Option<(&'static str, &'static str)>,
    pub kind: IdKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    Id,
    IdRef,
    IdRefs,
}

/// The identity constraints of one element declaration.
pub use crate::xml::idc::Scoped;

/// The document-level references of a root element: what [`resolve`] fixes.
#[derive(Clone, Copy, Debug, Default)]
pub struct References {
    pub identity: &'static [Scoped],
    pub ids: &'static [IdSite],
}

impl References {
    pub fn is_empty(&self) -> bool {
        self.identity.is_empty() && self.ids.is_empty()
    }
}

/// Makes a written document's references resolve: each keyref tuple is
/// replaced by a key tuple of its scope, each IDREF by an ID of the
/// document (chosen with `seed`). Returns the document unchanged when
/// there is nothing to fix, and `None` when it cannot be read.
pub fn resolve(xml: &str, refs: &References, seed: u64) -> Option<String> {
    if refs.is_empty() {
        return Some(xml.to_owned());
    }
    let opts = ReadOptions {
        validate: false,
        ..ReadOptions::default()
    };
    let mut r = XmlReader::new(xml, opts);
    r.start_document().ok()?;
    let mut root = r.read_any(false).ok()?;
    // Compared at the end: a document needing no change is returned as it
    // was written (so round-trip tests compare with the generated value).
    let before = root.clone();
    let mut rng = seed;
    for _ in 0..2 {
        // Twice: a keyref may refer to a key whose fields are themselves keyrefs.
        resolve_identity(&mut root, refs.identity, &mut rng);
    }
    if !refs.ids.is_empty() {
        let mut ids = Vec::new();
        collect_ids(&root, refs.ids, &mut ids);
        if !ids.is_empty() {
            fix_idrefs(&mut root, refs.ids, &ids, &mut rng);
        }
    }
    if root == before {
        return Some(xml.to_owned());
    }
    let mut w = XmlWriter::new();
    w.declaration();
    root.write_xml(&mut w);
    w.finish_string().ok()
}

fn next(rng: &mut u64) -> u64 {
    // SplitMix64: deterministic from the generated seed, so shrinking works.
    *rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *rng;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn step_matches(s: &Step, ns: &str, local: &str) -> bool {
    match s {
        Step::Name { ns: n, local: l } => *n == ns.as_bytes() && *l == local.as_bytes(),
        Step::Any => true,
        Step::AnyIn { ns: n } => *n == ns.as_bytes(),
    }
}

/// Paths (child indexes) of the elements below `e` that `path`'s element
/// steps select.
fn select(e: &AnyElement, path: &IdcPath) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    walk(e, path.steps, path.descendant, &mut Vec::new(), &mut out);
    out
}

fn walk(
    e: &AnyElement,
    steps: &[Step],
    descendant: bool,
    at: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
) {
    let Some((first, rest)) = steps.split_first() else {
        out.push(at.clone());
        return;
    };
    for (i, c) in e.children.iter().enumerate() {
        let AnyNode::Element(c) = c else { continue };
        at.push(i);
        if step_matches(first, &c.namespace, &c.name) {
            walk(c, rest, false, at, out);
        }
        if descendant {
            walk(c, steps, true, at, out);
        }
        at.pop();
    }
}

fn node<'e>(e: &'e AnyElement, path: &[usize]) -> Option<&'e AnyElement> {
    let mut cur = e;
    for &i in path {
        cur = match cur.children.get(i) {
            Some(AnyNode::Element(c)) => c,
            _ => return None,
        };
    }
    Some(cur)
}

fn node_mut<'e>(e: &'e mut AnyElement, path: &[usize]) -> Option<&'e mut AnyElement> {
    let mut cur = e;
    for &i in path {
        cur = match cur.children.get_mut(i) {
            Some(AnyNode::Element(c)) => c,
            _ => return None,
        };
    }
    Some(cur)
}

/// Where a field's value is: an element path and maybe an attribute index.
type FieldAt = (Vec<usize>, Option<usize>);

fn field_at(e: &AnyElement, alts: &[IdcPath]) -> Option<FieldAt> {
    for alt in alts {
        for p in select(e, alt) {
            let Some(n) = node(e, &p) else { continue };
            match &alt.attribute {
                None => return Some((p, None)),
                Some(s) => {
                    if let Some(i) = n
                        .attributes
                        .iter()
                        .position(|a| step_matches(s, &a.namespace, &a.name))
                    {
                        return Some((p, Some(i)));
                    }
                }
            }
        }
    }
    None
}

fn get(e: &AnyElement, at: &FieldAt) -> Option<String> {
    let n = node(e, &at.0)?;
    Some(match at.1 {
        Some(i) => n.attributes.get(i)?.value.to_string(),
        None => n.text(),
    })
}

fn set(e: &mut AnyElement, at: &FieldAt, value: &str) {
    let Some(n) = node_mut(e, &at.0) else { return };
    match at.1 {
        Some(i) => {
            if let Some(a) = n.attributes.get_mut(i) {
                a.value = value.into();
            }
        }
        None => {
            if n.children.iter().all(|c| matches!(c, AnyNode::Text(_))) {
                n.children = vec![AnyNode::Text(value.into())];
            }
        }
    }
}

/// Key tuples of `def` in the scope `e`.
fn tuples(e: &AnyElement, def: &IdcDef) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for alt in def.selector {
        for p in select(e, alt) {
            let Some(n) = node(e, &p) else { continue };
            let t: Option<Vec<String>> = def
                .fields
                .iter()
                .map(|f| field_at(n, f).and_then(|at| get(n, &at)))
                .collect();
            if let Some(t) = t {
                out.push(t);
            }
        }
    }
    out
}

fn resolve_identity(e: &mut AnyElement, scoped: &[Scoped], rng: &mut u64) {
    for c in e.children.iter_mut() {
        if let AnyNode::Element(c) = c {
            resolve_identity(c, scoped, rng);
        }
    }
    let (ns, name) = (e.namespace.clone(), e.name.clone());
    for s in scoped.iter().filter(|s| s.ns == ns && s.local == name) {
        for def in s.defs {
            let IdcKind::Keyref { refer } = def.kind else {
                continue;
            };
            let Some(target) = s.defs.iter().find(|d| d.name == refer) else {
                continue;
            };
            let keys = tuples(e, target);
            if keys.is_empty() {
                continue;
            }
            for alt in def.selector {
                for p in select(e, alt) {
                    let key = &keys[(next(rng) % keys.len() as u64) as usize];
                    let Some(n) = node(e, &p) else { continue };
                    let ats: Vec<Option<FieldAt>> =
                        def.fields.iter().map(|f| field_at(n, f)).collect();
                    for (at, v) in ats.into_iter().zip(key) {
                        if let Some((sub, attr)) = at {
                            let mut full = p.clone();
                            full.extend(sub);
                            set(e, &(full, attr), v);
                        }
                    }
                }
            }
        }
    }
}

fn id_value_at(e: &AnyElement, site: &IdSite) -> Option<Option<usize>> {
    if e.namespace != site.ns || e.name != site.local {
        return None;
    }
    match site.attribute {
        Some((ns, local)) => e
            .attributes
            .iter()
            .position(|a| a.namespace == ns && a.name == local)
            .map(Some),
        None => Some(None),
    }
}

fn collect_ids(e: &AnyElement, sites: &[IdSite], out: &mut Vec<String>) {
    for s in sites.iter().filter(|s| s.kind == IdKind::Id) {
        if let Some(at) = id_value_at(e, s)
            && let Some(v) = get(e, &(Vec::new(), at))
        {
            out.push(v.trim().to_owned());
        }
    }
    for c in &e.children {
        if let AnyNode::Element(c) = c {
            collect_ids(c, sites, out);
        }
    }
}

fn fix_idrefs(e: &mut AnyElement, sites: &[IdSite], ids: &[String], rng: &mut u64) {
    for s in sites.iter().filter(|s| s.kind != IdKind::Id) {
        if let Some(at) = id_value_at(e, s)
            && let Some(v) = get(e, &(Vec::new(), at))
        {
            let fixed: Vec<&str> = v
                .split_whitespace()
                .map(|_| ids[(next(rng) % ids.len() as u64) as usize].as_str())
                .collect();
            let fixed = if s.kind == IdKind::IdRef {
                fixed.first().copied().unwrap_or_default().to_owned()
            } else {
                fixed.join(" ")
            };
            set(e, &(Vec::new(), at), &fixed);
        }
    }
    for c in e.children.iter_mut() {
        if let AnyNode::Element(c) = c {
            fix_idrefs(c, sites, ids, rng);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    fn samples(s: BoxedStrategy<String>, n: usize) -> Vec<String> {
        let mut runner = TestRunner::deterministic();
        (0..n)
            .map(|_| {
                s.new_tree(&mut runner)
                    .map(|t| t.current())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn patterns_generate_matching_strings() {
        for p in [
            "[A-Z]{2}[0-9A-Z+*]{2,13}",
            "[^@\\s]+@[^@\\s]+\\.[^@\\s]+",
            "\\+[0-9 ]{4,34}",
            "\\i\\c*",
            "[\\p{L}-[a-z]]+",
        ] {
            let re = crate::pattern::Pattern::new(p).expect("pattern");
            let s = pattern(p, None).expect("generator");
            for v in samples(s, 200) {
                assert!(re.is_match(&v), "{p} generated {v:?}");
            }
        }
    }

    #[test]
    fn numbers_stay_inside_bounds_and_digits() {
        let table = FacetTable {
            builtin: "decimal",
            facets: &[
                Facet::MinInclusive("0.5"),
                Facet::MaxExclusive("100"),
                Facet::TotalDigits(4),
                Facet::FractionDigits(2),
            ],
            ..FacetTable::NONE
        };
        for v in samples(lexical(&table), 500) {
            let d: crate::types::Decimal = v.parse().expect("decimal");
            assert!(d.total_digits() <= 4 && d.fraction_digits() <= 2, "{v}");
            let f = d.to_f64();
            assert!((0.5..100.0).contains(&f), "{v}");
        }
    }

    #[test]
    fn keyrefs_and_idrefs_are_pointed_at_existing_values() {
        static SEL_KEY: [Step; 1] = [Step::Name {
            ns: b"",
            local: b"p",
        }];
        static SEL_REF: [Step; 1] = [Step::Name {
            ns: b"",
            local: b"r",
        }];
        static DEFS: [IdcDef; 2] = [
            IdcDef {
                name: "k",
                kind: IdcKind::Key,
                selector: &[IdcPath {
                    descendant: false,
                    steps: &SEL_KEY,
                    attribute: None,
                }],
                fields: &[&[IdcPath {
                    descendant: false,
                    steps: &[],
                    attribute: Some(Step::Name {
                        ns: b"",
                        local: b"id",
                    }),
                }]],
            },
            IdcDef {
                name: "kr",
                kind: IdcKind::Keyref { refer: "k" },
                selector: &[IdcPath {
                    descendant: false,
                    steps: &SEL_REF,
                    attribute: None,
                }],
                fields: &[&[IdcPath {
                    descendant: false,
                    steps: &[],
                    attribute: None,
                }]],
            },
        ];
        static SCOPED: [Scoped; 1] = [Scoped {
            ns: "",
            local: "doc",
            defs: &DEFS,
        }];
        let refs = References {
            identity: &SCOPED,
            ids: &[],
        };
        let out = resolve(
            r#"<doc><p id="a"/><p id="b"/><r>zz</r><r>yy</r></doc>"#,
            &refs,
            7,
        )
        .expect("resolved");
        assert!(!out.contains("zz") && !out.contains("yy"), "{out}");
        assert_eq!(
            out.matches("<r>a</r>").count() + out.matches("<r>b</r>").count(),
            2,
            "{out}"
        );

        static IDS: [IdSite; 2] = [
            IdSite {
                ns: "",
                local: "p",
                attribute: Some(("", "id")),
                kind: IdKind::Id,
            },
            IdSite {
                ns: "",
                local: "q",
                attribute: Some(("", "to")),
                kind: IdKind::IdRefs,
            },
        ];
        let refs = References {
            identity: &[],
            ids: &IDS,
        };
        let out = resolve(r#"<doc><p id="a"/><q to="x y z"/></doc>"#, &refs, 1).expect("resolved");
        let to = out
            .split("to=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default();
        assert_eq!(to.split(' ').count(), 3, "{out}");
        assert!(to.split(' ').all(|t| t == "a"), "{out}");
    }
}
