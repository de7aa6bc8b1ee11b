//! `xs:duration`, with XSD 1.0's partial order (Appendix E reference dateTimes).

use super::ParseError;
use super::datetime::days_from_civil;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// An `xs:duration` such as `-P1Y2M3DT4H5M6.7S`, keeping its lexical form.
///
/// Equality is by value (same month count and same second count, so `PT60S == PT1M` but
/// `P1M != P30D`); [`Duration::partial_cmp_xsd`] gives XSD's partial order.
#[derive(Clone, Debug)]
pub struct Duration {
    lexical: compact_str::CompactString,
    negative: bool,
    years: u64,
    months: u64,
    days: u64,
    hours: u64,
    minutes: u64,
    seconds: u64,
    /// Byte range of the fractional-second digits in `lexical`.
    frac: (usize, usize),
}

const DT: &str = "xs:duration";

/// `1 - 0.f` for trimmed fraction digits `f` (non-empty, last digit non-zero).
fn complement(frac: &str) -> String {
    let b = frac.as_bytes();
    let mut out: String = b[..b.len() - 1]
        .iter()
        .map(|&d| char::from(b'9' - d + b'0'))
        .collect();
    if let Some(&last) = b.last() {
        out.push(char::from(b'0' + 10 - (last - b'0')));
    }
    out
}

impl Duration {
    /// True for durations written with a leading `-`.
    pub fn is_negative(&self) -> bool {
        self.negative
    }
    /// The `Y` component as written.
    pub fn years(&self) -> u64 {
        self.years
    }
    /// The `M` (months) component as written.
    pub fn months(&self) -> u64 {
        self.months
    }
    /// The `D` component as written.
    pub fn days(&self) -> u64 {
        self.days
    }
    /// The `H` component as written.
    pub fn hours(&self) -> u64 {
        self.hours
    }
    /// The `M` (minutes) component as written.
    pub fn minutes(&self) -> u64 {
        self.minutes
    }
    /// Whole seconds of the `S` component.
    pub fn seconds(&self) -> u64 {
        self.seconds
    }
    /// Fractional-second digits as written after the `.` (may be empty).
    pub fn fractional_seconds(&self) -> &str {
        &self.lexical[self.frac.0..self.frac.1]
    }
    /// The lexical form as read.
    pub fn as_str(&self) -> &str {
        &self.lexical
    }

    /// Signed total months (`years × 12 + months`).
    pub fn total_months(&self) -> i128 {
        let m = i128::from(self.years) * 12 + i128::from(self.months);
        if self.negative { -m } else { m }
    }

    /// Signed total of the day-time part as whole seconds plus a fraction in [0, 1) given by
    /// its digits (trailing zeros trimmed): comparable with the derived tuple order.
    fn seconds_key(&self) -> (i128, String) {
        let whole = i128::from(self.days) * 86_400
            + i128::from(self.hours) * 3600
            + i128::from(self.minutes) * 60
            + i128::from(self.seconds);
        let frac = self.fractional_seconds().trim_end_matches('0');
        match (self.negative, frac.is_empty()) {
            (false, _) => (whole, frac.to_owned()),
            (true, true) => (-whole, String::new()),
            (true, false) => (-whole - 1, complement(frac)),
        }
    }

    /// XSD 1.0 partial order: compare the results of adding both durations to the dateTimes
    /// 1696-09-01, 1697-02-01, 1903-03-01 and 1903-07-01 (all `Z`); `None` unless all four
    /// agree. Durations with equal month counts are compared directly.
    pub fn partial_cmp_xsd(&self, other: &Self) -> Option<Ordering> {
        let (ma, mb) = (self.total_months(), other.total_months());
        let (sa, sb) = (self.seconds_key(), other.seconds_key());
        if ma == mb {
            return Some(sa.cmp(&sb));
        }
        let at = |y: i128, m: i128, months: i128, key: &(i128, String)| {
            let t = y * 12 + (m - 1) + months;
            let month = u8::try_from(t.rem_euclid(12) + 1).unwrap_or(1);
            let base = days_from_civil(t.div_euclid(12), month, 1) * 86_400;
            (base + key.0, key.1.clone())
        };
        let mut result = None;
        for (y, m) in [(1696, 9), (1697, 2), (1903, 3), (1903, 7)] {
            let o = at(y, m, ma, &sa).cmp(&at(y, m, mb, &sb));
            match result {
                None => result = Some(o),
                Some(r) if r != o => return None,
                Some(_) => {}
            }
        }
        result
    }
}

impl PartialEq for Duration {
    fn eq(&self, other: &Self) -> bool {
        self.total_months() == other.total_months() && self.seconds_key() == other.seconds_key()
    }
}
impl Eq for Duration {}
impl Hash for Duration {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.total_months().hash(state);
        self.seconds_key().hash(state);
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lexical)
    }
}

impl FromStr for Duration {
    type Err = ParseError;

    /// `-?P(nY)?(nM)?(nD)?(T(nH)?(nM)?(n(.n*)?S)?)?` with at least one component and none
    /// after a bare `T`. Like libxml2, each number must fit in a signed 64-bit integer and
    /// `PT1.S` / `PT.5S` are accepted.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let b = s.as_bytes();
        let mut i = 0;
        let negative = b.first() == Some(&b'-');
        if negative {
            i = 1;
        }
        if b.get(i) != Some(&b'P') {
            return Err(ParseError::new(DT, "expected 'P'"));
        }
        i += 1;
        let mut d = Duration {
            lexical: s.into(),
            negative,
            years: 0,
            months: 0,
            days: 0,
            hours: 0,
            minutes: 0,
            seconds: 0,
            frac: (0, 0),
        };
        let mut any = false;
        let mut in_time = false;
        // Index of the next designator allowed within the current part.
        let mut next = 0;
        while i < b.len() {
            if b[i] == b'T' {
                if in_time {
                    return Err(ParseError::new(DT, "duplicate 'T'"));
                }
                in_time = true;
                next = 0;
                i += 1;
                if i == b.len() {
                    return Err(ParseError::new(
                        DT,
                        "'T' must be followed by a time component",
                    ));
                }
                continue;
            }
            let st = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let int = &s[st..i];
            let mut frac = None;
            if b.get(i) == Some(&b'.') {
                i += 1;
                let fs = i;
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                frac = Some((fs, i));
            }
            if int.is_empty() && frac.is_none_or(|(a, z)| a == z) {
                return Err(ParseError::new(DT, "expected a number before a designator"));
            }
            let order: &[u8] = if in_time { b"HMS" } else { b"YMD" };
            let Some(k) = b.get(i).and_then(|c| order.iter().position(|o| o == c)) else {
                return Err(ParseError::new(
                    DT,
                    "expected a designator (Y, M, D, H, M or S)",
                ));
            };
            if k < next {
                return Err(ParseError::new(DT, "components out of order or repeated"));
            }
            if frac.is_some() && !(in_time && k == 2) {
                return Err(ParseError::new(DT, "only seconds may have a fraction"));
            }
            i += 1;
            next = k + 1;
            any = true;
            let v: u64 = if int.is_empty() {
                0
            } else {
                int.parse()
                    .ok()
                    .filter(|&v| v <= i64::MAX as u64)
                    .ok_or(ParseError::new(DT, "component out of range"))?
            };
            match (in_time, k) {
                (false, 0) => d.years = v,
                (false, 1) => d.months = v,
                (false, _) => d.days = v,
                (true, 0) => d.hours = v,
                (true, 1) => d.minutes = v,
                (true, _) => {
                    d.seconds = v;
                    if let Some(f) = frac {
                        d.frac = f;
                    }
                }
            }
        }
        if !any {
            return Err(ParseError::new(DT, "at least one component is required"));
        }
        if i128::from(d.years) * 12 + i128::from(d.months) > i128::from(i64::MAX) {
            return Err(ParseError::new(DT, "component out of range"));
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn du(s: &str) -> Duration {
        s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn lexical() {
        // Verdicts from xmllint 2.9.14.
        for s in [
            "P1Y2M3DT4H5M6.7S",
            "-P1Y",
            "PT1S",
            "P1D",
            "PT1.S",
            "PT.5S",
            "PT1.5S",
            "P0Y",
            "PT0S",
            "PT36H",
            "PT1.123456789012S",
            "-P0D",
            "P100000000000000000Y",
            "P1000000000000000000M",
            "P1000000000000000000D",
            "PT1000000000000000000H",
            "P1Y2MT3M",
        ] {
            let d = du(s);
            assert_eq!(d.to_string(), s);
        }
        for s in [
            "P",
            "PT",
            "P1YT",
            "P1S",
            "P-1Y",
            "+P1Y",
            "P1.5Y",
            "PT1H1H",
            "P1M1Y",
            "P1W",
            "PT1,5S",
            "P1DT",
            "P12345678901234567890D",
            "P99999999999999999999Y",
            "P9223372036854775807Y",
            "P1000000000000000000Y",
            "PT10000000000000000000H",
            "p1Y",
            "",
            "-",
            "PT.S",
            "P1DT1D",
            "PTT1H",
            "P1Y ",
            "PT1.5M",
        ] {
            assert!(s.parse::<Duration>().is_err(), "{s:?}");
        }
        let d = du("-P1Y2M3DT4H5M6.70S");
        assert!(d.is_negative());
        assert_eq!(
            (
                d.years(),
                d.months(),
                d.days(),
                d.hours(),
                d.minutes(),
                d.seconds()
            ),
            (1, 2, 3, 4, 5, 6)
        );
        assert_eq!(d.fractional_seconds(), "70");
        assert_eq!(d.total_months(), -14);
    }

    #[test]
    fn equality() {
        assert_eq!(du("PT60S"), du("PT1M"));
        assert_eq!(du("P1Y"), du("P12M"));
        assert_eq!(du("PT1.50S"), du("PT1.5S"));
        assert_eq!(du("P1D"), du("PT24H"));
        assert_eq!(du("-P0D"), du("PT0S"));
        assert_ne!(du("P1M"), du("P30D"));
        assert_ne!(du("-PT1S"), du("PT1S"));
    }

    #[test]
    fn order() {
        let c = |a: &str, b: &str| du(a).partial_cmp_xsd(&du(b));
        assert_eq!(c("P1Y", "P13M"), Some(Ordering::Less));
        assert_eq!(c("PT1H", "PT59M"), Some(Ordering::Greater));
        assert_eq!(c("P1M", "P30D"), None);
        assert_eq!(c("P1M", "P27D"), Some(Ordering::Greater));
        assert_eq!(c("P1M", "P32D"), Some(Ordering::Less));
        assert_eq!(c("P1Y", "P365D"), None);
        assert_eq!(c("P1Y", "P364D"), Some(Ordering::Greater));
        assert_eq!(c("P1Y", "P367D"), Some(Ordering::Less));
        assert_eq!(c("P5M", "P149D"), Some(Ordering::Greater));
        assert_eq!(c("P5M", "P153D"), None);
        assert_eq!(c("P5M", "P154D"), Some(Ordering::Less));
        assert_eq!(c("P5M", "P150D"), None);
        assert_eq!(c("-PT1.5S", "-PT1.25S"), Some(Ordering::Less));
        assert_eq!(c("-PT1.5S", "PT0S"), Some(Ordering::Less));
        assert_eq!(c("-PT0.5S", "-PT1S"), Some(Ordering::Greater));
        assert_eq!(c("-P1M", "P0D"), Some(Ordering::Less));
        assert_eq!(c("-P1M", "-P30D"), None);
        assert_eq!(c("PT86400S", "P1D"), Some(Ordering::Equal));
        assert_eq!(complement("5"), "5");
        assert_eq!(complement("25"), "75");
        assert_eq!(complement("01"), "99");
    }
}
