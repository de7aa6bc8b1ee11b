//! How each XSD built-in datatype is represented in generated code: its
//! Rust type, the runtime function that parses its lexical form, and which
//! facets apply to it in what way.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Builtin;

/// How length facets count a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthUnit {
    /// Characters (strings, URIs).
    Chars,
    /// Octets (hexBinary, base64Binary).
    Octets,
    /// Items (built-in list types).
    Items,
    /// Length facets do not constrain this type (QName, NOTATION).
    Ignored,
    /// Not applicable.
    None,
}

/// How the order facets (min/max inclusive/exclusive) compare values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// A fixed-width Rust integer: bounds are compared as `i128`.
    Int,
    /// Arbitrary-precision `Integer` / `Decimal`, or a date/time/duration:
    /// bounds are parsed once into the value type and compared with
    /// `partial_cmp_xsd` (a partial order).
    Value,
    /// `f32`/`f64`, compared numerically.
    Float,
    None,
}

pub struct BuiltinRepr {
    /// The Rust type of a value.
    pub rust: TokenStream,
    /// `fn(&str) -> Result<T, ValueError>` in the runtime.
    pub parse: TokenStream,
    pub length: LengthUnit,
    pub order: Order,
    /// Does totalDigits/fractionDigits apply (as methods on the value)?
    pub digits: Digits,
    /// Is the value a `String` (so enumerations can become Rust enums and
    /// patterns can be checked on the value itself)?
    pub is_string: bool,
    /// Can the type derive `Eq` and `Hash`?
    pub eq: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Digits {
    /// `total_digits()` / `fraction_digits()` methods (Decimal, Integer).
    Methods,
    /// A fixed-width integer.
    Int,
    None,
}

pub fn repr(b: Builtin) -> BuiltinRepr {
    use Builtin::*;
    let rt = quote!(rt::types);
    let x = quote!(rt::xsd);
    let string = |parse: TokenStream, length: LengthUnit| BuiltinRepr {
        rust: quote!(#rt::CompactString),
        parse,
        length,
        order: Order::None,
        digits: Digits::None,
        is_string: true,
        eq: true,
    };
    let int = |rust: TokenStream, parse: TokenStream| BuiltinRepr {
        rust,
        parse,
        length: LengthUnit::None,
        order: Order::Int,
        digits: Digits::Int,
        is_string: false,
        eq: true,
    };
    let big = |parse: TokenStream| BuiltinRepr {
        rust: quote!(#rt::Integer),
        parse,
        length: LengthUnit::None,
        order: Order::Value,
        digits: Digits::Methods,
        is_string: false,
        eq: true,
    };
    let temporal = |rust: TokenStream, parse: TokenStream| BuiltinRepr {
        rust,
        parse,
        length: LengthUnit::None,
        order: Order::Value,
        digits: Digits::None,
        is_string: false,
        eq: true,
    };
    let list = |parse: TokenStream| BuiltinRepr {
        rust: quote!(Vec<#rt::CompactString>),
        parse,
        length: LengthUnit::Items,
        order: Order::None,
        digits: Digits::None,
        is_string: false,
        eq: true,
    };
    match b {
        AnySimpleType => string(quote!(#x::any_simple_type), LengthUnit::Chars),
        String => string(quote!(#x::string), LengthUnit::Chars),
        NormalizedString => string(quote!(#x::normalized_string), LengthUnit::Chars),
        Token => string(quote!(#x::token), LengthUnit::Chars),
        Language => string(quote!(#x::language), LengthUnit::Chars),
        Name => string(quote!(#x::name), LengthUnit::Chars),
        NCName => string(quote!(#x::ncname), LengthUnit::Chars),
        Id => string(quote!(#x::id), LengthUnit::Chars),
        IdRef => string(quote!(#x::idref), LengthUnit::Chars),
        Entity => string(quote!(#x::entity), LengthUnit::Chars),
        NmToken => string(quote!(#x::nmtoken), LengthUnit::Chars),
        AnyUri => string(quote!(#x::any_uri), LengthUnit::Chars),
        QName => string(quote!(#x::qname), LengthUnit::Ignored),
        Notation => string(quote!(#x::notation), LengthUnit::Ignored),
        IdRefs => list(quote!(#x::idrefs)),
        Entities => list(quote!(#x::entities)),
        NmTokens => list(quote!(#x::nmtokens)),
        Boolean => BuiltinRepr {
            rust: quote!(bool),
            parse: quote!(#x::boolean),
            length: LengthUnit::None,
            order: Order::None,
            digits: Digits::None,
            is_string: false,
            eq: true,
        },
        Decimal => BuiltinRepr {
            rust: quote!(#rt::Decimal),
            parse: quote!(#x::decimal),
            length: LengthUnit::None,
            order: Order::Value,
            digits: Digits::Methods,
            is_string: false,
            eq: true,
        },
        Integer => big(quote!(#x::integer)),
        NonPositiveInteger => big(quote!(#x::non_positive_integer)),
        NegativeInteger => big(quote!(#x::negative_integer)),
        NonNegativeInteger => big(quote!(#x::non_negative_integer)),
        PositiveInteger => big(quote!(#x::positive_integer)),
        Long => int(quote!(i64), quote!(#x::long)),
        Int => int(quote!(i32), quote!(#x::int)),
        Short => int(quote!(i16), quote!(#x::short)),
        Byte => int(quote!(i8), quote!(#x::byte)),
        UnsignedLong => int(quote!(u64), quote!(#x::unsigned_long)),
        UnsignedInt => int(quote!(u32), quote!(#x::unsigned_int)),
        UnsignedShort => int(quote!(u16), quote!(#x::unsigned_short)),
        UnsignedByte => int(quote!(u8), quote!(#x::unsigned_byte)),
        Float => BuiltinRepr {
            rust: quote!(f32),
            parse: quote!(#x::float),
            length: LengthUnit::None,
            order: Order::Float,
            digits: Digits::None,
            is_string: false,
            eq: false,
        },
        Double => BuiltinRepr {
            rust: quote!(f64),
            parse: quote!(#x::double),
            length: LengthUnit::None,
            order: Order::Float,
            digits: Digits::None,
            is_string: false,
            eq: false,
        },
        Duration => temporal(quote!(#rt::Duration), quote!(#x::duration)),
        DateTime => temporal(quote!(#rt::DateTime), quote!(#x::date_time)),
        Date => temporal(quote!(#rt::Date), quote!(#x::date)),
        Time => temporal(quote!(#rt::Time), quote!(#x::time)),
        GYear => temporal(quote!(#rt::GYear), quote!(#x::g_year)),
        GYearMonth => temporal(quote!(#rt::GYearMonth), quote!(#x::g_year_month)),
        GMonth => temporal(quote!(#rt::GMonth), quote!(#x::g_month)),
        GMonthDay => temporal(quote!(#rt::GMonthDay), quote!(#x::g_month_day)),
        GDay => temporal(quote!(#rt::GDay), quote!(#x::g_day)),
        HexBinary => BuiltinRepr {
            rust: quote!(#rt::HexBinary),
            parse: quote!(#x::hex_binary),
            length: LengthUnit::Octets,
            order: Order::None,
            digits: Digits::None,
            is_string: false,
            eq: true,
        },
        Base64Binary => BuiltinRepr {
            rust: quote!(#rt::Base64Binary),
            parse: quote!(#x::base64_binary),
            length: LengthUnit::Octets,
            order: Order::None,
            digits: Digits::None,
            is_string: false,
            eq: true,
        },
    }
}
