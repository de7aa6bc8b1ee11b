//! Values of the XSD 1.0 built-in datatypes: parsing from the (whitespace-normalized) lexical
//! space, printing, and value-based comparison as needed by enumeration and range facets.
//!
//! Edge cases follow libxml2 (`xmllint`), the reference validator of this project; where it
//! deviates from the letter of XSD 1.0 the item's documentation says so.

mod binary;
mod datetime;
mod decimal;
mod duration;
mod numeric;

/// The value of every string-valued XSD type (`xs:string`, `xs:token`, `xs:NCName`, their
/// restrictions, the items of their lists): stored inline up to 24 bytes (most values of
/// business documents: codes, identifiers, names), on the heap beyond. It derefs to `str`,
/// compares with `str` and `String`, and converts from and into `String`
/// (`CompactString::from("…")`, `"…".into()`, `String::from(value)`).
pub use compact_str::CompactString;

pub use binary::{Base64Binary, HexBinary};
pub use datetime::{Date, DateTime, GDay, GMonth, GMonthDay, GYear, GYearMonth, Time};
pub use decimal::{Decimal, Integer};
pub use duration::Duration;
pub use numeric::{
    format_double, format_float, parse_boolean, parse_double, parse_float, parse_int,
};

/// A lexical form that is not in the datatype's lexical space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("invalid {datatype}: {reason}")]
pub struct ParseError {
    /// The XSD type name, e.g. `"xs:date"`.
    pub datatype: &'static str,
    /// Short explanation, e.g. `"month out of range"`.
    pub reason: &'static str,
}

impl ParseError {
    pub(crate) const fn new(datatype: &'static str, reason: &'static str) -> Self {
        ParseError { datatype, reason }
    }
}
