//! The XSD built-in datatypes as generated code uses them: one parse
//! function per built-in (whitespace handling included), the [`Lexical`]
//! trait that writes values back, and [`XsdOrd`], the order used by the
//! range facets.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::str::FromStr;

use crate::error::ValueError;
use crate::lexical::{self, WhiteSpace, normalize};
use crate::types::{
    self, Base64Binary, CompactString, Date, DateTime, Decimal, Duration, GDay, GMonth, GMonthDay,
    GYear, GYearMonth, HexBinary, Integer, ParseError, Time,
};

fn datatype_error(datatype: &'static str, value: &str, reason: &str) -> ValueError {
    ValueError::Datatype {
        datatype,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

impl ValueError {
    fn from_parse(e: ParseError, value: &str) -> ValueError {
        datatype_error(e.datatype, value, e.reason)
    }
}

fn collapsed(s: &str) -> Cow<'_, str> {
    normalize(s, WhiteSpace::Collapse)
}

fn checked_string(
    s: &str,
    ws: WhiteSpace,
    datatype: &'static str,
    ok: fn(&str) -> bool,
    reason: &str,
) -> Result<CompactString, ValueError> {
    let v = normalize(s, ws);
    if ok(&v) {
        Ok(CompactString::from(v))
    } else {
        Err(datatype_error(datatype, &v, reason))
    }
}

/// `xs:anySimpleType`: any text, kept as is.
pub fn any_simple_type(s: &str) -> Result<CompactString, ValueError> {
    Ok(CompactString::from(s))
}

/// `xs:string`: any text, whitespace preserved.
pub fn string(s: &str) -> Result<CompactString, ValueError> {
    Ok(CompactString::from(s))
}

/// `xs:normalizedString`: tabs and line ends become spaces.
pub fn normalized_string(s: &str) -> Result<CompactString, ValueError> {
    Ok(CompactString::from(normalize(s, WhiteSpace::Replace)))
}

/// `xs:token`: whitespace collapsed.
pub fn token(s: &str) -> Result<CompactString, ValueError> {
    Ok(CompactString::from(collapsed(s)))
}

pub fn language(s: &str) -> Result<CompactString, ValueError> {
    checked_string(
        s,
        WhiteSpace::Collapse,
        "xs:language",
        lexical::is_language,
        "not a language tag",
    )
}

pub fn name(s: &str) -> Result<CompactString, ValueError> {
    checked_string(
        s,
        WhiteSpace::Collapse,
        "xs:Name",
        lexical::is_name,
        "not an XML name",
    )
}

pub fn ncname(s: &str) -> Result<CompactString, ValueError> {
    checked_string(
        s,
        WhiteSpace::Collapse,
        "xs:NCName",
        lexical::is_ncname,
        "not a non-colonized name",
    )
}

pub fn id(s: &str) -> Result<CompactString, ValueError> {
    checked_string(
        s,
        WhiteSpace::Collapse,
        "xs:ID",
        lexical::is_ncname,
        "not a non-colonized name",
    )
}

pub fn idref(s: &str) -> Result<CompactString, ValueError> {
    checked_string(
        s,
        WhiteSpace::Collapse,
        "xs:IDREF",
        lexical::is_ncname,
        "not a non-colonized name",
    )
}

pub fn entity(s: &str) -> Result<CompactString, ValueError> {
    checked_string(
        s,
        WhiteSpace::Collapse,
        "xs:ENTITY",
        lexical::is_ncname,
        "not a non-colonized name",
    )
}

pub fn nmtoken(s: &str) -> Result<CompactString, ValueError> {
    checked_string(
        s,
        WhiteSpace::Collapse,
        "xs:NMTOKEN",
        lexical::is_nmtoken,
        "not a name token",
    )
}

pub fn any_uri(s: &str) -> Result<CompactString, ValueError> {
    checked_string(
        s,
        WhiteSpace::Collapse,
        "xs:anyURI",
        lexical::is_any_uri,
        "not a URI reference",
    )
}

/// `xs:QName`: kept in its lexical form (`prefix:local`).
pub fn qname(s: &str) -> Result<CompactString, ValueError> {
    checked_string(
        s,
        WhiteSpace::Collapse,
        "xs:QName",
        lexical::is_qname,
        "not a qualified name",
    )
}

pub fn notation(s: &str) -> Result<CompactString, ValueError> {
    checked_string(
        s,
        WhiteSpace::Collapse,
        "xs:NOTATION",
        lexical::is_qname,
        "not a qualified name",
    )
}

fn name_list(
    s: &str,
    datatype: &'static str,
    ok: fn(&str) -> bool,
) -> Result<Vec<CompactString>, ValueError> {
    let v = collapsed(s);
    let items: Vec<CompactString> = v
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(CompactString::from)
        .collect();
    if items.is_empty() {
        return Err(datatype_error(
            datatype,
            &v,
            "a list of at least one item is required",
        ));
    }
    if let Some(bad) = items.iter().find(|t| !ok(t)) {
        return Err(datatype_error(
            datatype,
            &v,
            &format!("item '{bad}' is not valid"),
        ));
    }
    Ok(items)
}

pub fn idrefs(s: &str) -> Result<Vec<CompactString>, ValueError> {
    name_list(s, "xs:IDREFS", lexical::is_ncname)
}

pub fn entities(s: &str) -> Result<Vec<CompactString>, ValueError> {
    name_list(s, "xs:ENTITIES", lexical::is_ncname)
}

pub fn nmtokens(s: &str) -> Result<Vec<CompactString>, ValueError> {
    name_list(s, "xs:NMTOKENS", lexical::is_nmtoken)
}

pub fn boolean(s: &str) -> Result<bool, ValueError> {
    let v = collapsed(s);
    types::parse_boolean(&v).map_err(|e| ValueError::from_parse(e, &v))
}

fn from_str<T: FromStr<Err = ParseError>>(s: &str) -> Result<T, ValueError> {
    let v = collapsed(s);
    v.parse::<T>().map_err(|e| ValueError::from_parse(e, &v))
}

pub fn decimal(s: &str) -> Result<Decimal, ValueError> {
    from_str(s)
}

pub fn integer(s: &str) -> Result<Integer, ValueError> {
    from_str(s)
}

fn signed_integer(
    s: &str,
    datatype: &'static str,
    ok: fn(&Integer) -> bool,
    reason: &str,
) -> Result<Integer, ValueError> {
    let v = collapsed(s);
    let i: Integer = v
        .parse()
        .map_err(|_| datatype_error(datatype, &v, "not an integer"))?;
    if ok(&i) {
        Ok(i)
    } else {
        Err(datatype_error(datatype, &v, reason))
    }
}

pub fn non_positive_integer(s: &str) -> Result<Integer, ValueError> {
    signed_integer(
        s,
        "xs:nonPositiveInteger",
        |i| i.is_negative() || i.is_zero(),
        "must be ≤ 0",
    )
}

pub fn negative_integer(s: &str) -> Result<Integer, ValueError> {
    signed_integer(s, "xs:negativeInteger", Integer::is_negative, "must be < 0")
}

pub fn non_negative_integer(s: &str) -> Result<Integer, ValueError> {
    signed_integer(
        s,
        "xs:nonNegativeInteger",
        |i| !i.is_negative(),
        "must be ≥ 0",
    )
}

pub fn positive_integer(s: &str) -> Result<Integer, ValueError> {
    signed_integer(
        s,
        "xs:positiveInteger",
        |i| !i.is_negative() && !i.is_zero(),
        "must be > 0",
    )
}

fn fixed_int<T: FromStr>(s: &str, datatype: &'static str) -> Result<T, ValueError> {
    let v = collapsed(s);
    types::parse_int::<T>(&v, datatype).map_err(|e| ValueError::from_parse(e, &v))
}

pub fn long(s: &str) -> Result<i64, ValueError> {
    fixed_int(s, "xs:long")
}
pub fn int(s: &str) -> Result<i32, ValueError> {
    fixed_int(s, "xs:int")
}
pub fn short(s: &str) -> Result<i16, ValueError> {
    fixed_int(s, "xs:short")
}
pub fn byte(s: &str) -> Result<i8, ValueError> {
    fixed_int(s, "xs:byte")
}
pub fn unsigned_long(s: &str) -> Result<u64, ValueError> {
    fixed_int(s, "xs:unsignedLong")
}
pub fn unsigned_int(s: &str) -> Result<u32, ValueError> {
    fixed_int(s, "xs:unsignedInt")
}
pub fn unsigned_short(s: &str) -> Result<u16, ValueError> {
    fixed_int(s, "xs:unsignedShort")
}
pub fn unsigned_byte(s: &str) -> Result<u8, ValueError> {
    fixed_int(s, "xs:unsignedByte")
}

pub fn float(s: &str) -> Result<f32, ValueError> {
    let v = collapsed(s);
    types::parse_float(&v).map_err(|e| ValueError::from_parse(e, &v))
}

pub fn double(s: &str) -> Result<f64, ValueError> {
    let v = collapsed(s);
    types::parse_double(&v).map_err(|e| ValueError::from_parse(e, &v))
}

pub fn duration(s: &str) -> Result<Duration, ValueError> {
    from_str(s)
}
pub fn date_time(s: &str) -> Result<DateTime, ValueError> {
    from_str(s)
}
pub fn date(s: &str) -> Result<Date, ValueError> {
    from_str(s)
}
pub fn time(s: &str) -> Result<Time, ValueError> {
    from_str(s)
}
pub fn g_year(s: &str) -> Result<GYear, ValueError> {
    from_str(s)
}
pub fn g_year_month(s: &str) -> Result<GYearMonth, ValueError> {
    from_str(s)
}
pub fn g_month(s: &str) -> Result<GMonth, ValueError> {
    from_str(s)
}
pub fn g_month_day(s: &str) -> Result<GMonthDay, ValueError> {
    from_str(s)
}
pub fn g_day(s: &str) -> Result<GDay, ValueError> {
    from_str(s)
}
pub fn hex_binary(s: &str) -> Result<HexBinary, ValueError> {
    from_str(s)
}
pub fn base64_binary(s: &str) -> Result<Base64Binary, ValueError> {
    // Base64 allows whitespace inside; the parser skips it.
    let v = collapsed(s);
    v.parse::<Base64Binary>()
        .map_err(|e| ValueError::from_parse(e, &v))
}

/// Checks that `literal` is a valid value of the built-in type named
/// `local` (its XSD local name); the generator uses it on facet values.
pub fn check_builtin_literal(local: &str, literal: &str) -> Result<(), ValueError> {
    fn ok<T>(r: Result<T, ValueError>) -> Result<(), ValueError> {
        r.map(|_| ())
    }
    match local {
        "decimal" => ok(decimal(literal)),
        "integer" => ok(integer(literal)),
        "nonPositiveInteger" => ok(non_positive_integer(literal)),
        "negativeInteger" => ok(negative_integer(literal)),
        "nonNegativeInteger" => ok(non_negative_integer(literal)),
        "positiveInteger" => ok(positive_integer(literal)),
        "long" => ok(long(literal)),
        "int" => ok(int(literal)),
        "short" => ok(short(literal)),
        "byte" => ok(byte(literal)),
        "unsignedLong" => ok(unsigned_long(literal)),
        "unsignedInt" => ok(unsigned_int(literal)),
        "unsignedShort" => ok(unsigned_short(literal)),
        "unsignedByte" => ok(unsigned_byte(literal)),
        "float" => ok(float(literal)),
        "double" => ok(double(literal)),
        "duration" => ok(duration(literal)),
        "dateTime" => ok(date_time(literal)),
        "date" => ok(date(literal)),
        "time" => ok(time(literal)),
        "gYear" => ok(g_year(literal)),
        "gYearMonth" => ok(g_year_month(literal)),
        "gMonth" => ok(g_month(literal)),
        "gMonthDay" => ok(g_month_day(literal)),
        "gDay" => ok(g_day(literal)),
        "boolean" => ok(boolean(literal)),
        "hexBinary" => ok(hex_binary(literal)),
        "base64Binary" => ok(base64_binary(literal)),
        _ => Ok(()),
    }
}

/// Number of digits of an integer, as the `totalDigits` facet counts them.
pub fn int_total_digits(v: i128) -> u32 {
    let mut n = v.unsigned_abs();
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

/// A value that can be written in its XSD lexical form.
pub trait Lexical {
    fn write_lexical(&self, out: &mut String);

    fn to_lexical(&self) -> String {
        let mut s = String::new();
        self.write_lexical(&mut s);
        s
    }
}

impl Lexical for String {
    fn write_lexical(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Lexical for CompactString {
    fn write_lexical(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Lexical for str {
    fn write_lexical(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Lexical for bool {
    fn write_lexical(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

macro_rules! lexical_display {
    ($($t:ty),*) => {$(
        impl Lexical for $t {
            fn write_lexical(&self, out: &mut String) {
                use std::fmt::Write;
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
lexical_display!(
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    Decimal,
    Integer,
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
    Base64Binary
);

impl Lexical for f32 {
    fn write_lexical(&self, out: &mut String) {
        out.push_str(&types::format_float(*self));
    }
}

impl Lexical for f64 {
    fn write_lexical(&self, out: &mut String) {
        out.push_str(&types::format_double(*self));
    }
}

/// Lists are written with single spaces between items.
impl<T: Lexical> Lexical for Vec<T> {
    fn write_lexical(&self, out: &mut String) {
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            item.write_lexical(out);
        }
    }
}

impl<T: Lexical + ?Sized> Lexical for &T {
    fn write_lexical(&self, out: &mut String) {
        (**self).write_lexical(out);
    }
}

/// The order of XSD's range facets: total for numbers, partial for dates,
/// times and durations (`None`: indeterminate).
pub trait XsdOrd {
    fn xsd_cmp(&self, other: &Self) -> Option<Ordering>;
}

impl XsdOrd for Decimal {
    fn xsd_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl XsdOrd for Integer {
    fn xsd_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

macro_rules! xsd_ord_partial {
    ($($t:ty),*) => {$(
        impl XsdOrd for $t {
            fn xsd_cmp(&self, other: &Self) -> Option<Ordering> {
                self.partial_cmp_xsd(other)
            }
        }
    )*};
}
xsd_ord_partial!(
    Duration, DateTime, Date, Time, GYear, GYearMonth, GMonth, GMonthDay, GDay
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_normalize_then_check() {
        assert_eq!(token("  a \n b ").unwrap(), "a b");
        assert_eq!(string("  a ").unwrap(), "  a ");
        assert_eq!(normalized_string("a\tb").unwrap(), "a b");
        assert!(ncname("a:b").is_err());
        assert_eq!(int(" +007 ").unwrap(), 7);
        assert!(unsigned_byte("+5").is_err());
        assert!(byte("128").is_err());
        assert!(positive_integer("0").is_err());
        assert!(non_negative_integer("-0").is_ok());
        assert_eq!(nmtokens(" a  b ").unwrap(), ["a", "b"]);
        assert!(idrefs("   ").is_err());
        assert!(date("2024-02-30").is_err());
    }

    #[test]
    fn lexical_round_trip() {
        let d = decimal("001.50").unwrap();
        assert_eq!(d.to_lexical(), "1.50");
        assert_eq!(vec![1u8, 2, 3].to_lexical(), "1 2 3");
        assert_eq!(true.to_lexical(), "true");
    }

    #[test]
    fn total_digits_of_ints() {
        assert_eq!(int_total_digits(0), 1);
        assert_eq!(int_total_digits(-999), 3);
        assert_eq!(int_total_digits(1000), 4);
        assert_eq!(int_total_digits(i128::MIN), 39);
    }

    #[test]
    fn literal_checks() {
        assert!(check_builtin_literal("decimal", "1.5").is_ok());
        assert!(check_builtin_literal("decimal", "1e5").is_err());
        assert!(check_builtin_literal("date", "2024-13-01").is_err());
    }
}
