//! A schema file's document type declaration. Some published schemas start
//! with one (the W3C XML-Signature schema declares entities and attribute
//! defaults for the schema-for-schemas' DTD); the XML reader under the
//! front end does not process DTDs. This applies what a schema can rely on
//! from an internal subset: internal general entities are expanded where
//! they are referenced (outside comments and CDATA sections, nested
//! references too, within a size bound), and the declaration is replaced by
//! as many line breaks as it spanned, so line numbers stay right. External
//! entities are never read: a reference to one is an error. Parameter
//! entities and attribute-list declarations (defaults) are not applied.

use std::collections::BTreeMap;

/// Expansion stops at this nesting depth and output size (a schema with a
/// "billion laughs" subset is refused, not expanded).
const MAX_DEPTH: usize = 8;
const MAX_GROWTH: usize = 1 << 20;

#[derive(Clone, Debug)]
enum Entity {
    Internal(String),
    External,
}

/// The document with its DTD applied, or `None` when it has none.
pub fn apply(text: &str) -> Result<Option<String>, String> {
    let Some((start, end)) = doctype_span(text) else {
        return Ok(None);
    };
    let decl = &text[start..end];
    let entities = entities(decl);
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.extend(std::iter::repeat_n('\n', decl.matches('\n').count()));
    let limit = text.len() + MAX_GROWTH;
    expand_document(&text[end..], &entities, &mut out, limit)?;
    Ok(Some(out))
}

/// Byte range of `<!DOCTYPE ...>` (with its internal subset), if the
/// prolog has one.
fn doctype_span(text: &str) -> Option<(usize, usize)> {
    let start = text.find("<!DOCTYPE")?;
    // Only in the prolog: before the first element.
    let first_element = text
        .match_indices('<')
        .find(|(i, _)| {
            text[i + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        })
        .map_or(text.len(), |(i, _)| i);
    if start > first_element {
        return None;
    }
    let mut in_subset = false;
    let mut quote: Option<char> = None;
    let mut i = start + "<!DOCTYPE".len();
    while let Some(c) = text[i..].chars().next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => in_subset = true,
            (None, ']') => in_subset = false,
            (None, '<') if in_subset && text[i..].starts_with("<!--") => {
                i += text[i..].find("-->").map_or(text.len() - i, |e| e + 2);
            }
            (None, '>') if !in_subset => return Some((start, i + 1)),
            _ => {}
        }
        i += c.len_utf8();
    }
    None
}

/// The general entities declared in an internal subset.
fn entities(decl: &str) -> BTreeMap<String, Entity> {
    let mut out = BTreeMap::new();
    let mut rest = decl;
    while let Some(at) = rest.find("<!ENTITY") {
        rest = rest[at + "<!ENTITY".len()..].trim_start();
        if rest.starts_with('%') {
            continue;
        }
        let name_end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
        let name = rest[..name_end].to_owned();
        rest = rest[name_end..].trim_start();
        let entity = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => match rest[1..].find(q) {
                Some(e) => Entity::Internal(rest[1..1 + e].to_owned()),
                None => continue,
            },
            _ => Entity::External,
        };
        // The first declaration of an entity is binding.
        out.entry(name).or_insert(entity);
    }
    out
}

/// Copies the document after the DTD, expanding entity references outside
/// comments, CDATA sections and processing instructions.
fn expand_document(
    text: &str,
    entities: &BTreeMap<String, Entity>,
    out: &mut String,
    limit: usize,
) -> Result<(), String> {
    let mut rest = text;
    loop {
        let next_raw = ["<!--", "<![CDATA[", "<?"]
            .iter()
            .zip(["-->", "]]>", "?>"])
            .filter_map(|(open, close)| rest.find(open).map(|i| (i, *open, close)))
            .min_by_key(|(i, _, _)| *i);
        let Some((i, open, close)) = next_raw else {
            return expand(rest, entities, out, 0, limit);
        };
        expand(&rest[..i], entities, out, 0, limit)?;
        let end = rest[i + open.len()..]
            .find(close)
            .map_or(rest.len(), |e| i + open.len() + e + close.len());
        out.push_str(&rest[i..end]);
        rest = &rest[end..];
    }
}

/// Copies `text`, replacing references to declared entities by their
/// (expanded) replacement text; other references stay as written.
fn expand(
    text: &str,
    entities: &BTreeMap<String, Entity>,
    out: &mut String,
    depth: usize,
    limit: usize,
) -> Result<(), String> {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let name = after.find(';').map(|e| &after[..e]);
        match name.and_then(|n| entities.get(n).map(|e| (n, e))) {
            Some((n, Entity::Internal(value))) => {
                if depth >= MAX_DEPTH {
                    return Err(format!(
                        "entity '&{n};' nests deeper than {MAX_DEPTH} levels"
                    ));
                }
                expand(value, entities, out, depth + 1, limit)?;
                rest = &after[n.len() + 1..];
            }
            Some((n, Entity::External)) => {
                return Err(format!(
                    "entity '&{n};' is external; external entities are never read"
                ));
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
        if out.len() > limit {
            return Err("entity expansion makes the schema too large".into());
        }
    }
    out.push_str(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::apply;

    #[test]
    fn internal_entities_are_expanded_and_the_doctype_removed() {
        let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE schema [\n  <!ATTLIST schema a CDATA #FIXED \"x>y\">\n  <!ENTITY ns 'urn:a'>\n  <!ENTITY % p ''>\n  <!ENTITY both \"&ns;#b\">\n]>\n<schema t=\"&ns;\" u=\"&both;\" v=\"&lt;&#65;\"><!-- &ns; --><![CDATA[&ns;]]></schema>";
        let out = apply(doc).expect("applies").expect("has a DTD");
        assert_eq!(
            out,
            "<?xml version=\"1.0\"?>\n\n\n\n\n\n\n<schema t=\"urn:a\" u=\"urn:a#b\" v=\"&lt;&#65;\"><!-- &ns; --><![CDATA[&ns;]]></schema>"
        );
        assert_eq!(out.lines().count(), doc.lines().count());
    }

    #[test]
    fn no_doctype_no_change() {
        assert_eq!(apply("<a>&amp;</a>"), Ok(None));
        // A DOCTYPE-like text after the root element is not a declaration.
        assert_eq!(apply("<a><!-- <!DOCTYPE x> --></a>"), Ok(None));
    }

    #[test]
    fn external_and_exploding_entities_are_refused() {
        let ext = "<!DOCTYPE s [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><s a=\"&x;\"/>";
        assert!(apply(ext).unwrap_err().contains("external"));
        let mut subset = String::from("<!ENTITY l0 'lol'>");
        for i in 1..10 {
            subset.push_str(&format!(
                "<!ENTITY l{i} '{}'>",
                format!("&l{};", i - 1).repeat(10)
            ));
        }
        let bomb = format!("<!DOCTYPE s [{subset}]><s a=\"&l9;\"/>");
        assert!(apply(&bomb).is_err());
        let deep = "<!DOCTYPE s [<!ENTITY a '&a;'>]><s x=\"&a;\"/>";
        assert!(apply(deep).unwrap_err().contains("deeper"));
    }
}
