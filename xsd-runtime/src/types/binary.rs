//! `xs:hexBinary` and `xs:base64Binary`. Length facets count octets, hence [`HexBinary::len`].

use super::ParseError;
use std::fmt;
use std::str::FromStr;

/// `xs:hexBinary`: pairs of hex digits, either case; printed in upper case (canonical).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HexBinary(pub Vec<u8>);

impl HexBinary {
    /// Length in octets.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True when there are no octets.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl FromStr for HexBinary {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        const T: &str = "xs:hexBinary";
        let b = s.as_bytes();
        if !b.len().is_multiple_of(2) {
            return Err(ParseError::new(T, "odd number of hex digits"));
        }
        b.chunks_exact(2)
            .map(|p| match (hex_val(p[0]), hex_val(p[1])) {
                (Some(h), Some(l)) => Ok(h << 4 | l),
                _ => Err(ParseError::new(T, "invalid hex digit")),
            })
            .collect::<Result<Vec<u8>, _>>()
            .map(HexBinary)
    }
}

impl fmt::Display for HexBinary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.0 {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

/// `xs:base64Binary`: RFC 2045 base64 with XSD's strictness (padding required, unused bits
/// zero) and spaces allowed between characters; printed canonically (no whitespace).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Base64Binary(pub Vec<u8>);

impl Base64Binary {
    /// Length in octets.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True when there are no octets.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_val(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

impl FromStr for Base64Binary {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        const T: &str = "xs:base64Binary";
        let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
        if s.as_bytes().first().is_some_and(is_ws) || s.as_bytes().last().is_some_and(is_ws) {
            return Err(ParseError::new(T, "leading or trailing whitespace"));
        }
        let chars: Vec<u8> = s.bytes().filter(|b| !is_ws(b)).collect();
        if !chars.len().is_multiple_of(4) {
            return Err(ParseError::new(
                T,
                "length is not a multiple of four characters",
            ));
        }
        let mut out = Vec::with_capacity(chars.len() / 4 * 3);
        let quads = chars.len() / 4;
        for (qi, q) in chars.chunks_exact(4).enumerate() {
            let last = qi + 1 == quads;
            let pad = q.iter().rev().take_while(|&&b| b == b'=').count();
            if pad > 2 || (pad > 0 && !last) {
                return Err(ParseError::new(T, "misplaced '=' padding"));
            }
            let mut v = [0u8; 4];
            for (k, &c) in q[..4 - pad].iter().enumerate() {
                v[k] = b64_val(c).ok_or(ParseError::new(T, "invalid base64 character"))?;
            }
            let n = u32::from(v[0]) << 18
                | u32::from(v[1]) << 12
                | u32::from(v[2]) << 6
                | u32::from(v[3]);
            let bytes = n.to_be_bytes();
            match pad {
                0 => out.extend_from_slice(&bytes[1..4]),
                1 => {
                    if v[2] & 0b11 != 0 {
                        return Err(ParseError::new(T, "non-zero bits in final quantum"));
                    }
                    out.extend_from_slice(&bytes[1..3]);
                }
                _ => {
                    if v[1] & 0b1111 != 0 {
                        return Err(ParseError::new(T, "non-zero bits in final quantum"));
                    }
                    out.push(bytes[1]);
                }
            }
        }
        Ok(Base64Binary(out))
    }
}

impl fmt::Display for Base64Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = String::with_capacity(self.0.len().div_ceil(3) * 4);
        for c in self.0.chunks(3) {
            let n = u32::from(c[0]) << 16
                | u32::from(c.get(1).copied().unwrap_or(0)) << 8
                | u32::from(c.get(2).copied().unwrap_or(0));
            let sym = |shift: u32| char::from(ALPHABET[(n >> shift & 63) as usize]);
            buf.push(sym(18));
            buf.push(sym(12));
            buf.push(if c.len() > 1 { sym(6) } else { '=' });
            buf.push(if c.len() > 2 { sym(0) } else { '=' });
        }
        f.write_str(&buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex() {
        for (s, v) in [
            ("0a", vec![10]),
            ("0A", vec![10]),
            ("", vec![]),
            ("abCD01", vec![0xab, 0xcd, 1]),
        ] {
            let h: HexBinary = s.parse().expect(s);
            assert_eq!(h.0, v);
            assert_eq!(h.len(), v.len());
            assert_eq!(h.to_string(), s.to_uppercase());
        }
        for s in ["0", "abc", "0g", "ab cd", " ab", "xx"] {
            assert!(s.parse::<HexBinary>().is_err(), "{s:?}");
        }
    }

    #[test]
    fn base64() {
        // Accepted by xmllint; spaces inside count for nothing (length facet counts octets).
        let ok: &[(&str, &[u8])] = &[
            ("QUJD RA==", b"ABCD"),
            ("QUJDRA==", b"ABCD"),
            ("QU JD", b"ABC"),
            ("Q U J D", b"ABC"),
            ("QUJDR A==", b"ABCD"),
            ("QUJDRA= =", b"ABCD"),
            ("", b""),
            ("QUI=", b"AB"),
            ("QQ==", b"A"),
            ("+/+/", &[0xfb, 0xff, 0xbf]),
        ];
        for &(s, v) in ok {
            let b: Base64Binary = s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert_eq!(b.0, v, "{s:?}");
            assert_eq!(b.len(), v.len());
            assert_eq!(
                b.to_string().parse::<Base64Binary>().map(|x| x.0),
                Ok(v.to_vec())
            );
        }
        assert_eq!(Base64Binary(b"ABCD".to_vec()).to_string(), "QUJDRA==");
        for s in [
            "QUJDRA",
            "QUJDRA=",
            "QUJDRB==",
            "QUJDRA==QUJD",
            "QUJ=",
            "QR==",
            "Q===",
            "====",
            " QUJD",
            "QUJD ",
            "QU-D",
            "QUJD_A==",
        ] {
            assert!(s.parse::<Base64Binary>().is_err(), "{s:?}");
        }
        // Round-trip all lengths 0..=7 over varied bytes.
        for n in 0..8u8 {
            let v: Vec<u8> = (0..n)
                .map(|i| i.wrapping_mul(97).wrapping_add(200))
                .collect();
            let s = Base64Binary(v.clone()).to_string();
            assert_eq!(s.parse::<Base64Binary>().map(|b| b.0), Ok(v));
        }
    }
}
