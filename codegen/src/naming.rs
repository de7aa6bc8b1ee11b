//! XSD names to Rust identifiers: the one place that decides them.
//!
//! Names go through `heck` for case, then through `sanitize` for what Rust
//! cannot take (keywords, leading digits, characters outside identifiers).
//! Collisions are resolved by [`Namespace::claim`], which appends a number in
//! claim order; callers claim in a deterministic order, so the result is
//! stable.

use std::collections::BTreeSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved, 2024 edition) that cannot be identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Names that `r#` cannot escape.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Type names generated code must not shadow (prelude and std types it uses).
const RESERVED_TYPES: &[&str] = &[
    "Option", "Some", "None", "Result", "Ok", "Err", "Vec", "String", "Box", "Self", "Default",
    "Clone", "Copy", "Send", "Sync", "Sized", "Iterator", "ToString", "From", "Into",
];

/// Replaces characters that are not allowed in identifiers with `_`, maps
/// non-ASCII letters to ASCII where heck leaves them, prefixes a leading
/// digit, and makes keywords usable.
fn sanitize(raw: &str, fallback: &str) -> String {
    let mut s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    let trimmed = s.trim_matches('_');
    let mut s = if trimmed.is_empty() {
        fallback.to_owned()
    } else {
        trimmed.to_owned()
    };
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        let lower = fallback.starts_with(|c: char| c.is_ascii_lowercase());
        s.insert(0, if lower { 'n' } else { 'N' });
    }
    s
}

/// Spells out non-ASCII letters that have a plain ASCII reading, so that
/// `Größe` becomes `Groesse` rather than `Gr_e`.
fn transliterate(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'Ä' => out.push_str("Ae"),
            'Ö' => out.push_str("Oe"),
            'Ü' => out.push_str("Ue"),
            'ß' => out.push_str("ss"),
            'à' | 'á' | 'â' | 'ã' | 'å' => out.push('a'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' => out.push('u'),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            'À' | 'Á' | 'Â' | 'Ã' | 'Å' => out.push('A'),
            'È' | 'É' | 'Ê' | 'Ë' => out.push('E'),
            'Ç' => out.push('C'),
            'Ñ' => out.push('N'),
            c => out.push(c),
        }
    }
    out
}

/// An XSD name as a Rust type name (`UpperCamelCase`).
pub fn type_name(xsd: &str) -> String {
    let s = sanitize(&transliterate(xsd).to_upper_camel_case(), "Type");
    if RESERVED_TYPES.contains(&s.as_str()) || KEYWORDS.contains(&s.as_str()) {
        format!("{s}Type")
    } else {
        s
    }
}

/// An XSD name as an enum variant (`UpperCamelCase`; `Self` is avoided).
pub fn variant_name(xsd: &str) -> String {
    let s = sanitize(&transliterate(xsd).to_upper_camel_case(), "Value");
    if s == "Self" { "SelfValue".into() } else { s }
}

/// An XSD name as a field or function name (`snake_case`). Keywords get a
/// trailing underscore (`type_`), which reads better in struct literals
/// than `r#type`.
pub fn field_name(xsd: &str) -> String {
    let s = sanitize(&transliterate(xsd).to_snake_case(), "value");
    let s = s.to_ascii_lowercase();
    if KEYWORDS.contains(&s.as_str()) || NOT_RAW.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// An XSD name as a constant name (`SCREAMING_SNAKE_CASE`).
pub fn const_name(xsd: &str) -> String {
    sanitize(&transliterate(xsd).to_shouty_snake_case(), "VALUE")
}

/// An XSD name as a module name (`snake_case`).
pub fn module_name(xsd: &str) -> String {
    field_name(xsd)
}

/// Enum variants for enumeration values, which are arbitrary strings
/// (`"1"`, `"EXW"`, `"a b"`, `""`): made unique in order of appearance.
pub fn enumeration_variants(values: &[String]) -> Vec<String> {
    let mut ns = Namespace::default();
    values
        .iter()
        .map(|v| {
            let base = if v.trim().is_empty() {
                "Empty".to_owned()
            } else if v.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') {
                let digits = v
                    .replace('-', "Minus")
                    .replace('+', "Plus")
                    .replace('.', "Dot");
                let v = variant_name(&format!("V{digits}"));
                if v.is_empty() { "Value".into() } else { v }
            } else {
                variant_name(v)
            };
            ns.claim(&base)
        })
        .collect()
}

/// A set of names in one Rust scope (a module's items, a struct's fields,
/// an enum's variants). Names that differ only in case after conversion
/// collide here and are told apart by a number.
#[derive(Default, Debug, Clone)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A scope in which `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namespace {
            taken: reserved.iter().map(|s| s.to_ascii_lowercase()).collect(),
        }
    }

    /// Takes `name`, or `name2`, `name3`, ... if taken. Comparison ignores
    /// case, so `Item` and `ITEM` cannot both be items of one module (they
    /// could be confusing even where Rust would allow them).
    pub fn claim(&mut self, name: &str) -> String {
        if self.taken.insert(name.to_ascii_lowercase()) {
            return name.to_owned();
        }
        let sep = if name.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        for i in 2.. {
            let candidate = format!("{name}{sep}{i}");
            if self.taken.insert(candidate.to_ascii_lowercase()) {
                return candidate;
            }
        }
        unreachable!("an unbounded counter always finds a free name")
    }

    /// Is `name` taken (ignoring case)?
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(&name.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn const_names() {
        let cases = [
            ("CustomsShipment", "CUSTOMS_SHIPMENT"),
            ("goods.item-list", "GOODS_ITEM_LIST"),
            ("Größe", "GROESSE"),
            ("1st", "N1ST"),
            ("_", "VALUE"),
        ];
        for (xsd, want) in cases {
            assert_eq!(const_name(xsd), want, "{xsd}");
        }
    }

    #[test]
    fn type_names() {
        let cases = [
            ("CustomsShipment", "CustomsShipment"),
            ("customsShipmentType", "CustomsShipmentType"),
            ("goods-item", "GoodsItem"),
            ("Type", "Type"),
            ("type", "Type"),
            ("self", "SelfType"),
            ("Option", "OptionType"),
            ("String", "StringType"),
            ("3DModel", "N3dModel"),
            ("Größe", "Groesse"),
            ("Prénom", "Prenom"),
            ("名前", "Type"),
            ("a.b.c", "ABC"),
            ("_private", "Private"),
            ("HTTPHeader", "HttpHeader"),
        ];
        for (xsd, rust) in cases {
            assert_eq!(type_name(xsd), rust, "type_name({xsd:?})");
        }
    }

    #[test]
    fn field_names() {
        let cases = [
            ("GoodsItem", "goods_item"),
            ("type", "type_"),
            ("Type", "type_"),
            ("self", "self_"),
            ("Self", "self_"),
            ("match", "match_"),
            ("async", "async_"),
            ("3rdParty", "n3rd_party"),
            ("MRN", "mrn"),
            ("netMass", "net_mass"),
            ("xml:lang", "xml_lang"),
            ("", "value"),
        ];
        for (xsd, rust) in cases {
            assert_eq!(field_name(xsd), rust, "field_name({xsd:?})");
        }
    }

    #[test]
    fn collisions_are_numbered_case_insensitively() {
        let mut ns = Namespace::default();
        assert_eq!(ns.claim("Item"), "Item");
        assert_eq!(ns.claim("ITEM"), "ITEM2");
        assert_eq!(ns.claim("Item"), "Item3");
        assert_eq!(ns.claim("Code1"), "Code1");
        assert_eq!(ns.claim("Code1"), "Code1_2");
    }

    #[test]
    fn names_differing_only_in_case_map_apart() {
        let mut ns = Namespace::default();
        let a = ns.claim(&type_name("address"));
        let b = ns.claim(&type_name("Address"));
        assert_ne!(a, b);
        assert_eq!((a.as_str(), b.as_str()), ("Address", "Address2"));
    }

    #[test]
    fn enumeration_values() {
        let values: Vec<String> = ["EXW", "exw", "1", "-1", "1.5", "", "a b", "Self"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            enumeration_variants(&values),
            [
                "Exw",
                "Exw2",
                "V1",
                "VMinus1",
                "V1Dot5",
                "Empty",
                "AB",
                "SelfValue"
            ]
        );
    }

    #[test]
    fn every_generated_name_is_an_identifier() {
        for raw in [
            "", "1", "-", "a-b", "über", "fn", "crate", "super", "_", "__x__", "9lives",
        ] {
            for name in [type_name(raw), field_name(raw), variant_name(raw)] {
                assert!(
                    syn::parse_str::<syn::Ident>(&name).is_ok(),
                    "{raw:?} gave {name:?}"
                );
            }
        }
    }
}
