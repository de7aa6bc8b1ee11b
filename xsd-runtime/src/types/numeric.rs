//! Booleans, fixed-width integers and IEEE floating point in their XSD lexical forms.

use super::ParseError;
use std::str::FromStr;

/// Parses a width-limited integer type (`xs:int`, `xs:unsignedByte`, …) into a Rust integer.
///
/// XSD's lexical form is `[+-]?[0-9]+`; the range comes from `T`. As libxml2 does, the
/// `xs:unsigned*` types (detected as `T` rejecting `-1`) accept no sign at all — not even
/// `+0` or `-0` — whereas `xs:nonNegativeInteger` (an [`super::Integer`]) does.
pub fn parse_int<T: FromStr>(s: &str, datatype: &'static str) -> Result<T, ParseError> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::new(
            datatype,
            "expected an optionally signed integer",
        ));
    }
    if digits.len() != s.len() && "-1".parse::<T>().is_err() {
        return Err(ParseError::new(
            datatype,
            "sign not allowed for unsigned types",
        ));
    }
    s.parse::<T>()
        .map_err(|_| ParseError::new(datatype, "value out of range"))
}

/// `xs:boolean`: exactly `true`, `false`, `1` or `0`.
pub fn parse_boolean(s: &str) -> Result<bool, ParseError> {
    match s {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ParseError::new(
            "xs:boolean",
            "expected true, false, 1 or 0",
        )),
    }
}

/// Checks the `xs:double`/`xs:float` lexical form and rewrites it into one Rust's parser reads
/// identically. libxml2 also accepts an empty exponent (`1e`, `1E+`), so we do too.
fn float_lexical(s: &str, datatype: &'static str) -> Result<String, ParseError> {
    const BAD: &str = "expected a decimal number with optional exponent, INF, -INF or NaN";
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = String::with_capacity(s.len() + 4);
    if let Some(&c @ (b'+' | b'-')) = b.first() {
        if c == b'-' {
            out.push('-');
        }
        i = 1;
    }
    let int_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let int_part = &s[int_start..i];
    let mut frac_part = "";
    if b.get(i) == Some(&b'.') {
        i += 1;
        let fs = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        frac_part = &s[fs..i];
    }
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(ParseError::new(datatype, BAD));
    }
    out.push_str(if int_part.is_empty() { "0" } else { int_part });
    out.push('.');
    out.push_str(if frac_part.is_empty() { "0" } else { frac_part });
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        out.push('e');
        if let Some(&c @ (b'+' | b'-')) = b.get(i) {
            if c == b'-' {
                out.push('-');
            }
            i += 1;
        }
        let es = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        out.push_str(if es == i { "0" } else { &s[es..i] });
    }
    if i != b.len() {
        return Err(ParseError::new(datatype, BAD));
    }
    Ok(out)
}

/// `xs:double`. Out-of-range magnitudes round to ±INF or ±0 as IEEE parsing does (libxml2
/// accepts them too). `+INF`, `-NaN`, `inf`, `Infinity`, `nan` are rejected.
pub fn parse_double(s: &str) -> Result<f64, ParseError> {
    match s {
        "INF" => Ok(f64::INFINITY),
        "-INF" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => float_lexical(s, "xs:double")?
            .parse()
            .map_err(|_| ParseError::new("xs:double", "not a number")),
    }
}

/// `xs:float`, parsed straight to `f32` (going through `f64` would round twice).
pub fn parse_float(s: &str) -> Result<f32, ParseError> {
    match s {
        "INF" => Ok(f32::INFINITY),
        "-INF" => Ok(f32::NEG_INFINITY),
        "NaN" => Ok(f32::NAN),
        _ => float_lexical(s, "xs:float")?
            .parse()
            .map_err(|_| ParseError::new("xs:float", "not a number")),
    }
}

/// Plain decimal notation for everyday magnitudes, scientific otherwise; always the shortest
/// digits that parse back to the same value.
fn format_ieee(
    is_nan: bool,
    is_inf: bool,
    neg: bool,
    plain: bool,
    disp: String,
    exp: String,
) -> String {
    if is_nan {
        "NaN".to_owned()
    } else if is_inf {
        if neg {
            "-INF".to_owned()
        } else {
            "INF".to_owned()
        }
    } else if plain {
        disp
    } else {
        // `{:E}` gives e.g. `1E300`; XSD's canonical mantissa has a fractional digit.
        match exp.split_once('E') {
            Some((m, e)) if !m.contains('.') => format!("{m}.0E{e}"),
            _ => exp,
        }
    }
}

/// Formats an `xs:double` so that [`parse_double`] returns the identical value.
pub fn format_double(v: f64) -> String {
    let a = v.abs();
    let plain = a == 0.0 || (1e-6..1e15).contains(&a);
    format_ieee(
        v.is_nan(),
        v.is_infinite(),
        v < 0.0,
        plain,
        format!("{v}"),
        format!("{v:E}"),
    )
}

/// Formats an `xs:float` so that [`parse_float`] returns the identical value.
pub fn format_float(v: f32) -> String {
    let a = v.abs();
    let plain = a == 0.0 || (1e-6..1e7).contains(&a);
    format_ieee(
        v.is_nan(),
        v.is_infinite(),
        v < 0.0,
        plain,
        format!("{v}"),
        format!("{v:E}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        assert_eq!(parse_int::<i32>("+0", "xs:int"), Ok(0));
        assert_eq!(parse_int::<i32>("-0", "xs:int"), Ok(0));
        assert_eq!(parse_int::<i32>("-2147483648", "xs:int"), Ok(i32::MIN));
        assert_eq!(parse_int::<i32>("0002147483647", "xs:int"), Ok(i32::MAX));
        assert_eq!(parse_int::<u32>("00005", "xs:unsignedInt"), Ok(5));
        assert_eq!(
            parse_int::<u32>("4294967295", "xs:unsignedInt"),
            Ok(u32::MAX)
        );
        assert_eq!(parse_int::<u8>("255", "xs:unsignedByte"), Ok(255));
        assert_eq!(
            parse_int::<i64>("-9223372036854775808", "xs:long"),
            Ok(i64::MIN)
        );
        // Rejected by xmllint: signs on unsigned types, overflow, empty, double sign.
        for (s, reason) in [
            ("-0", "sign not allowed for unsigned types"),
            ("+0", "sign not allowed for unsigned types"),
            ("+5", "sign not allowed for unsigned types"),
            ("4294967296", "value out of range"),
            ("", "expected an optionally signed integer"),
            ("+", "expected an optionally signed integer"),
            ("1.0", "expected an optionally signed integer"),
            ("１", "expected an optionally signed integer"),
        ] {
            let e = parse_int::<u32>(s, "xs:unsignedInt").err();
            assert_eq!(e.map(|e| e.reason), Some(reason), "{s:?}");
        }
        for s in ["2147483648", "+-1", "", "1 ", "0x10", "1_0"] {
            assert!(parse_int::<i32>(s, "xs:int").is_err(), "{s:?}");
        }
        let e = parse_int::<i8>("128", "xs:byte")
            .err()
            .map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("invalid xs:byte: value out of range"));
    }

    #[test]
    fn booleans() {
        for (s, v) in [("true", true), ("1", true), ("false", false), ("0", false)] {
            assert_eq!(parse_boolean(s), Ok(v));
        }
        for s in ["TRUE", "True", "yes", "", "01", " true"] {
            assert!(parse_boolean(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn doubles() {
        let ok: &[(&str, f64)] = &[
            ("INF", f64::INFINITY),
            ("-INF", f64::NEG_INFINITY),
            ("1e5", 1e5),
            ("1E5", 1e5),
            ("1e+5", 1e5),
            ("1e-5", 1e-5),
            ("1.e5", 1e5),
            (".5e1", 5.0),
            ("+1.5", 1.5),
            ("5.", 5.0),
            ("00001.5000", 1.5),
            ("1e0005", 1e5),
            ("1e", 1.0),
            ("1E-", 1.0),
            ("1.e", 1.0),
            ("+.5", 0.5),
            ("1.7976931348623157E309", f64::INFINITY),
            ("1e-400", 0.0),
        ];
        for &(s, v) in ok {
            assert_eq!(parse_double(s), Ok(v), "{s:?}");
        }
        assert!(parse_double("NaN").is_ok_and(f64::is_nan));
        assert!(parse_double("-0").is_ok_and(|v| v == 0.0 && v.is_sign_negative()));
        for s in [
            "+INF", "-NaN", "+NaN", "inf", "Infinity", "nan", ".", "e5", "1e1.5", "0x10", "1_0",
            "1 e5", ".e5", "-.e1", "+", "-", "+e", "", " 1", "infinity", "1d",
        ] {
            assert!(parse_double(s).is_err(), "{s:?}");
            assert!(parse_float(s).is_err(), "{s:?}");
        }
        assert_eq!(parse_float("3.4028235E38"), Ok(f32::MAX));
        assert_eq!(parse_float("1e39"), Ok(f32::INFINITY));
        // Direct f32 parse: this literal double-rounds if it goes through f64.
        assert_eq!(
            parse_float("1.00000005960464477539062500001"),
            Ok(1.000_000_1_f32)
        );
    }

    #[test]
    fn format_round_trips() {
        for v in [
            0.0,
            -0.0,
            1.0,
            1.5,
            -2.25,
            0.1,
            1e-7,
            1e300,
            -1e-300,
            123456789.125,
            1e15,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let s = format_double(v);
            let back = parse_double(&s).expect("parses");
            assert_eq!(back.to_bits(), v.to_bits(), "{v} -> {s}");
        }
        assert_eq!(format_double(1.5), "1.5");
        assert_eq!(format_double(1e300), "1.0E300");
        assert_eq!(format_double(f64::NAN), "NaN");
        assert_eq!(format_double(f64::NEG_INFINITY), "-INF");
        for v in [
            0.0f32,
            1.5,
            0.1,
            3.4028235e38,
            1e-45,
            -7.0e-10,
            f32::INFINITY,
        ] {
            let s = format_float(v);
            assert_eq!(
                parse_float(&s).map(f32::to_bits),
                Ok(v.to_bits()),
                "{v} -> {s}"
            );
        }
        assert_eq!(format_float(0.1), "0.1");
    }
}
