//! Arbitrary-precision `xs:decimal` and `xs:integer`, stored as decimal digit strings: facet
//! checks only need comparison and digit counts, so no big-number arithmetic is required.

use super::ParseError;
use crate::types::CompactString;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// An `xs:decimal`: sign, unscaled digits and the scale as written (`1.50` keeps scale 2).
///
/// Equality, ordering and hashing are by numeric value, so `1.5 == 1.50`.
#[derive(Clone, Debug)]
pub struct Decimal {
    negative: bool,
    /// Unscaled magnitude, ASCII digits without leading zeros; empty for
    /// zero (inline up to 24 digits: no allocation per value read).
    digits: CompactString,
    scale: u32,
}

/// Compares magnitudes `da × 10^-sa` and `db × 10^-sb` without allocating.
fn cmp_magnitude(da: &str, sa: u32, db: &str, sb: u32) -> Ordering {
    // Integer-part lengths decide first (digits carry no leading zeros).
    let ia = da.len() as i64 - i64::from(sa);
    let ib = db.len() as i64 - i64::from(sb);
    if da.is_empty() || db.is_empty() {
        return (!da.is_empty()).cmp(&!db.is_empty());
    }
    if ia != ib {
        return ia.cmp(&ib);
    }
    // Same integer length: compare digit by digit, padding the shorter with zeros.
    let (a, b) = (da.as_bytes(), db.as_bytes());
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(b'0');
        let y = b.get(i).copied().unwrap_or(b'0');
        if x != y {
            return x.cmp(&y);
        }
    }
    Ordering::Equal
}

/// `s` without its leading `0`s (a byte loop: a `char` pattern search
/// costs more on the short digit strings values are).
fn trim_zeros_start(s: &str) -> &str {
    let n = s.bytes().take_while(|&b| b == b'0').count();
    s.get(n..).unwrap_or_default()
}

impl Decimal {
    pub(crate) fn from_raw(negative: bool, digits: &str, scale: u32) -> Decimal {
        let digits = CompactString::from(trim_zeros_start(digits));
        Decimal {
            negative: negative && !digits.is_empty(),
            digits,
            scale,
        }
    }

    /// `mantissa × 10^-scale`, e.g. `from_parts(150, 2)` is `1.50`.
    pub fn from_parts(mantissa: i128, scale: u32) -> Decimal {
        Decimal::from_raw(mantissa < 0, &mantissa.unsigned_abs().to_string(), scale)
    }

    /// Digits and scale with trailing fractional zeros removed: the value's canonical shape.
    fn normalized(&self) -> (&str, u32) {
        if self.digits.is_empty() {
            return ("", 0);
        }
        let tz = self.digits.bytes().rev().take_while(|&b| b == b'0').count();
        let t = (tz as u64).min(u64::from(self.scale)) as usize;
        (&self.digits[..self.digits.len() - t], self.scale - t as u32)
    }

    /// Digits needed for the `totalDigits` facet, as libxml2 counts them: leading zeros and
    /// trailing fractional zeros are not counted (`00012` → 2, `1.50` → 2, `0.05` → 2).
    pub fn total_digits(&self) -> u32 {
        let (d, s) = self.normalized();
        (d.len() as u32).max(s).max(1)
    }

    /// Digits after the point for the `fractionDigits` facet, ignoring trailing zeros
    /// (`1.50` → 1), as libxml2 does.
    pub fn fraction_digits(&self) -> u32 {
        self.normalized().1
    }

    /// Number of fractional digits as written.
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// True for values below zero (`-0` is not negative).
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// True for any spelling of zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// True when the value has no fractional part (`2.00` is an integer).
    pub fn is_integer(&self) -> bool {
        self.normalized().1 == 0
    }

    /// Nearest `f64` (correctly rounded).
    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Numeric comparison with an [`Integer`], for facet bounds of mixed kinds.
    pub fn cmp_integer(&self, other: &Integer) -> Ordering {
        self.cmp(&other.to_decimal())
    }
}

impl FromStr for Decimal {
    type Err = ParseError;

    /// `[+-]? (digits ('.' digits?)? | '.' digits)`; no exponent.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let (negative, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = match body.bytes().position(|b| b == b'.') {
            Some(dot) => (&body[..dot], &body[dot + 1..]),
            None => (body, ""),
        };
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ParseError::new(
                "xs:decimal",
                "expected digits with an optional sign and decimal point",
            ));
        }
        let scale = u32::try_from(frac.len())
            .map_err(|_| ParseError::new("xs:decimal", "too many fraction digits"))?;
        // The digits without leading zeros, put together in place.
        let int = trim_zeros_start(int);
        let frac = if int.is_empty() {
            trim_zeros_start(frac)
        } else {
            frac
        };
        let mut digits = CompactString::with_capacity(int.len() + frac.len());
        digits.push_str(int);
        digits.push_str(frac);
        Ok(Decimal {
            negative: negative && !digits.is_empty(),
            digits,
            scale,
        })
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        let scale = self.scale as usize;
        if self.digits.len() > scale {
            let (i, fr) = self.digits.split_at(self.digits.len() - scale);
            f.write_str(i)?;
            if !fr.is_empty() {
                write!(f, ".{fr}")?;
            }
        } else {
            f.write_str("0")?;
            if scale > 0 {
                f.write_str(".")?;
                for _ in 0..scale - self.digits.len() {
                    f.write_str("0")?;
                }
                f.write_str(&self.digits)?;
            }
        }
        Ok(())
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Decimal {}

impl Hash for Decimal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.negative.hash(state);
        self.normalized().hash(state);
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => cmp_magnitude(&self.digits, self.scale, &other.digits, other.scale),
            (true, true) => cmp_magnitude(&other.digits, other.scale, &self.digits, self.scale),
        }
    }
}
impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<i64> for Decimal {
    fn from(v: i64) -> Self {
        Decimal::from_parts(i128::from(v), 0)
    }
}

impl From<Integer> for Decimal {
    fn from(v: Integer) -> Self {
        v.to_decimal()
    }
}

/// An arbitrary-precision `xs:integer` (also used for its unbounded subtypes such as
/// `xs:nonNegativeInteger`). Displays canonically: no `+`, no leading zeros, `0` for `-0`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Integer {
    negative: bool,
    /// Magnitude without leading zeros; empty for zero (inline up to 24
    /// digits).
    digits: CompactString,
}

impl Integer {
    /// Digits counted by the `totalDigits` facet (leading zeros aside).
    pub fn total_digits(&self) -> u32 {
        self.to_decimal().total_digits()
    }

    /// Always 0: an integer has no fraction digits.
    pub fn fraction_digits(&self) -> u32 {
        0
    }

    /// The value as `i64` if it fits.
    pub fn to_i64(&self) -> Option<i64> {
        self.to_string().parse().ok()
    }

    /// The value as `i128` if it fits.
    pub fn to_i128(&self) -> Option<i128> {
        self.to_string().parse().ok()
    }

    /// True for values below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// The same value as an `xs:decimal` with scale 0.
    pub fn to_decimal(&self) -> Decimal {
        Decimal {
            negative: self.negative,
            digits: self.digits.clone(),
            scale: 0,
        }
    }
}

impl FromStr for Integer {
    type Err = ParseError;

    /// `[+-]?[0-9]+`, leading zeros allowed.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let (negative, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new(
                "xs:integer",
                "expected digits with an optional sign",
            ));
        }
        let digits = CompactString::from(trim_zeros_start(body));
        Ok(Integer {
            negative: negative && !digits.is_empty(),
            digits,
        })
    }
}

impl fmt::Display for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.negative, self.digits.is_empty()) {
            (_, true) => f.write_str("0"),
            (true, false) => write!(f, "-{}", self.digits),
            (false, false) => f.write_str(&self.digits),
        }
    }
}

impl Ord for Integer {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => cmp_magnitude(&self.digits, 0, &other.digits, 0),
            (true, true) => cmp_magnitude(&other.digits, 0, &self.digits, 0),
        }
    }
}
impl PartialOrd for Integer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<i64> for Integer {
    fn from(v: i64) -> Self {
        Integer {
            negative: v < 0,
            digits: if v == 0 {
                CompactString::default()
            } else {
                CompactString::from(v.unsigned_abs().to_string())
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }
    fn h<T: Hash>(v: &T) -> u64 {
        let mut s = DefaultHasher::new();
        v.hash(&mut s);
        s.finish()
    }

    #[test]
    fn decimal_lexical() {
        // (input, display, scale, total_digits, fraction_digits)
        let cases = [
            ("1.50", "1.50", 2, 2, 1),
            ("+001.5", "1.5", 1, 2, 1),
            ("-0", "0", 0, 1, 0),
            ("-0.00", "0.00", 2, 1, 0),
            ("0.5", "0.5", 1, 1, 1),
            ("00012", "12", 0, 2, 0),
            ("0.05", "0.05", 2, 2, 2),
            ("5.0", "5.0", 1, 1, 0),
            ("10", "10", 0, 2, 0),
            ("120", "120", 0, 3, 0),
            ("012.0", "12.0", 1, 2, 0),
            ("1.", "1", 0, 1, 0),
            (".5", "0.5", 1, 1, 1),
            ("-.1", "-0.1", 1, 1, 1),
            ("000", "0", 0, 1, 0),
            (
                "123456789012345678901234567890.123456789",
                "123456789012345678901234567890.123456789",
                9,
                39,
                9,
            ),
        ];
        for (s, disp, scale, td, fd) in cases {
            let v = d(s);
            assert_eq!(v.to_string(), disp, "{s}");
            assert_eq!(
                (v.scale(), v.total_digits(), v.fraction_digits()),
                (scale, td, fd),
                "{s}"
            );
            assert_eq!(d(disp), v);
        }
        for s in [
            "", ".", "+.", "-", "+", "1e5", "1.2.3", " 1", "1 ", "１", "0x1", "--1", "1,5", "INF",
        ] {
            assert!(s.parse::<Decimal>().is_err(), "{s:?}");
        }
        assert_eq!(
            "1e5"
                .parse::<Decimal>()
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("invalid xs:decimal: expected digits with an optional sign and decimal point")
        );
    }

    #[test]
    fn decimal_order_and_hash() {
        assert_eq!(d("1.5"), d("1.50"));
        assert_eq!(h(&d("1.5")), h(&d("001.500")));
        assert_eq!(d("-0"), d("0.000"));
        assert_eq!(h(&d("-0")), h(&d("0.0")));
        let sorted = [
            "-100",
            "-10.5",
            "-10.25",
            "-1",
            "-0.001",
            "0",
            "0.0001",
            "0.001",
            "0.5",
            "1",
            "1.05",
            "1.5",
            "9.99",
            "10",
            "100.000001",
        ];
        for w in sorted.windows(2) {
            assert!(d(w[0]) < d(w[1]), "{} < {}", w[0], w[1]);
            assert!(d(w[1]) > d(w[0]));
        }
        assert!(d("2.00").is_integer() && !d("2.01").is_integer());
        assert!(d("-0.1").is_negative() && !d("-0").is_negative() && d("-0.0").is_zero());
        assert_eq!(Decimal::from_parts(150, 2).to_string(), "1.50");
        assert_eq!(Decimal::from_parts(-5, 3).to_string(), "-0.005");
        assert_eq!(Decimal::from_parts(0, 1).to_string(), "0.0");
        assert_eq!(Decimal::from(-42).to_string(), "-42");
        assert_eq!(d("1.25").to_f64(), 1.25);
        assert_eq!(d("-0.1").to_f64(), -0.1);
        let i: Integer = "12".parse().expect("int");
        assert_eq!(d("12.0").cmp_integer(&i), Ordering::Equal);
        assert_eq!(d("11.99").cmp_integer(&i), Ordering::Less);
        assert_eq!(d("-13").cmp_integer(&i), Ordering::Less);
        assert_eq!(Decimal::from(i), d("12"));
    }

    #[test]
    fn integer() {
        for (s, disp) in [
            ("+1", "1"),
            ("-0", "0"),
            ("0001", "1"),
            ("-007", "-7"),
            ("+0", "0"),
            (
                "99999999999999999999999999999999999999999",
                "99999999999999999999999999999999999999999",
            ),
        ] {
            let v: Integer = s.parse().expect(s);
            assert_eq!(v.to_string(), disp);
        }
        for s in ["", "+", "-", "1.0", "1e3", " 1", "+-1", "a"] {
            assert!(s.parse::<Integer>().is_err(), "{s:?}");
        }
        let i = |s: &str| s.parse::<Integer>().expect(s);
        assert!(i("-10") < i("-9") && i("-9") < i("0") && i("0") < i("9") && i("9") < i("10"));
        assert_eq!(i("-0"), i("0"));
        assert_eq!(i("9223372036854775807").to_i64(), Some(i64::MAX));
        assert_eq!(i("9223372036854775808").to_i64(), None);
        assert_eq!(i("-9223372036854775808").to_i64(), Some(i64::MIN));
        assert_eq!(
            i("9223372036854775808").to_i128(),
            Some(9223372036854775808)
        );
        assert_eq!(Integer::from(-5), i("-5"));
        assert_eq!(Integer::from(0), i("-0"));
        assert!(i("-1").is_negative() && !i("-0").is_negative());
        assert_eq!(i("-12").to_decimal(), d("-12.00"));
    }
}
