//! `cargo xtask bigdoc`: large valid documents for the benchmarks.
//!
//! A document is the maximal valid example of a message with its repeated
//! element copied `items` times (cycling through the example's own
//! occurrences) and the fields that identity constraints key on renumbered,
//! so the result stays valid. The text is built directly (xtask never
//! depends on the generated crate); a test checks the result with xmllint.

use std::path::Path;

/// A message whose documents repeat one element, and how to keep copies valid.
pub struct Repeating {
    pub message: &'static str,
    /// The repeated child of the root.
    item: &'static str,
    /// The schema's maximum for the repeated element, if bounded.
    pub max_items: Option<usize>,
    /// Unique fields of an item, renumbered per copy.
    keys: &'static [Key],
}

enum Key {
    /// Text of the first `<name>` in the item: `format(n)`.
    Element(&'static str, fn(usize) -> String),
    /// Value of the first `name="…"` attribute in the item: `format(n)`.
    Attribute(&'static str, fn(usize) -> String),
}

/// The messages whose documents grow by repetition.
pub const MESSAGES: &[Repeating] = &[
    Repeating {
        message: "BusinessPartners",
        item: "BusinessPartner",
        max_items: None,
        keys: &[
            Key::Attribute("partnerId", |n| format!("P{n}")),
            Key::Attribute("partnerRef", |_| "P1".to_owned()),
            Key::Element("EoriNumber", |n| format!("DE{n:012}")),
        ],
    },
    Repeating {
        message: "MaterialList",
        item: "Component",
        max_items: None,
        keys: &[
            Key::Attribute("position", |n| n.to_string()),
            Key::Element("ArticleNumber", |n| format!("ART-{n:08}")),
        ],
    },
    Repeating {
        message: "CustomsShipment",
        item: "GoodsItem",
        max_items: Some(999),
        keys: &[Key::Element("SequenceNumber", |n| n.to_string())],
    },
];

pub fn find(message: &str) -> Result<&'static Repeating, String> {
    MESSAGES
        .iter()
        .find(|m| m.message == message)
        .ok_or_else(|| {
            let names: Vec<&str> = MESSAGES.iter().map(|m| m.message).collect();
            format!(
                "bigdoc: no repeating message '{message}' (one of: {})",
                names.join(", ")
            )
        })
}

impl Repeating {
    /// The document with `items` copies of the repeated element.
    pub fn document(&self, root: &Path, items: usize) -> Result<String, String> {
        if let Some(max) = self.max_items
            && items > max
        {
            return Err(format!(
                "bigdoc: {} allows at most {max} {} elements",
                self.message, self.item
            ));
        }
        let (head, templates, tail) = self.parts(root)?;
        let mut out = String::with_capacity(head.len() + tail.len() + items * average(&templates));
        out.push_str(&head);
        for n in 1..=items {
            let mut item = templates[(n - 1) % templates.len()].clone();
            for key in self.keys {
                item = renumber(&item, key, n);
            }
            out.push_str("  ");
            out.push_str(&item);
            out.push('\n');
        }
        out.push_str(&tail);
        Ok(out)
    }

    /// How many items make a document of about `bytes` bytes (capped at the schema's maximum).
    pub fn items_for_size(&self, root: &Path, bytes: usize) -> Result<usize, String> {
        let (head, templates, tail) = self.parts(root)?;
        let per_item = average(&templates) + 3;
        let n = bytes.saturating_sub(head.len() + tail.len()) / per_item;
        Ok(n.max(1).min(self.max_items.unwrap_or(usize::MAX)))
    }

    fn example(&self, root: &Path) -> Result<String, String> {
        let path = root.join(format!(
            "schemas/examples/{}/valid/maximal.xml",
            self.message
        ));
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The example split into what comes before the first item, the items, and what follows the last.
    fn parts(&self, root: &Path) -> Result<(String, Vec<String>, String), String> {
        let text = self.example(root)?;
        let open = format!("<{}", self.item);
        let close = format!("</{}>", self.item);
        let mut items = Vec::new();
        let mut from = 0;
        let mut first = None;
        let mut last_end = 0;
        while let Some(i) = text[from..].find(&open).map(|i| i + from) {
            // `<Item ` or `<Item>`, not `<ItemSomething`.
            let after = text.as_bytes().get(i + open.len()).copied();
            if !matches!(after, Some(b' ' | b'>' | b'\n' | b'\t' | b'\r')) {
                from = i + open.len();
                continue;
            }
            let end = text[i..]
                .find(&close)
                .map(|e| i + e + close.len())
                .ok_or_else(|| {
                    format!(
                        "bigdoc: unclosed <{}> in the {} example",
                        self.item, self.message
                    )
                })?;
            first.get_or_insert(i);
            items.push(text[i..end].to_owned());
            last_end = end;
            from = end;
        }
        let first = first
            .ok_or_else(|| format!("bigdoc: no <{}> in the {} example", self.item, self.message))?;
        let head = text[..first].trim_end_matches([' ', '\t']).to_owned();
        let tail = text[last_end..].trim_start_matches(['\r', '\n']).to_owned();
        Ok((head, items, tail))
    }
}

fn average(items: &[String]) -> usize {
    items.iter().map(|i| i.len()).sum::<usize>() / items.len().max(1)
}

fn renumber(item: &str, key: &Key, n: usize) -> String {
    match key {
        Key::Element(name, f) => {
            let open = format!("<{name}>");
            let close = format!("</{name}>");
            match (item.find(&open), item.find(&close)) {
                (Some(a), Some(b)) if a < b => {
                    format!("{}{}{}", &item[..a + open.len()], f(n), &item[b..])
                }
                _ => item.to_owned(),
            }
        }
        Key::Attribute(name, f) => {
            let pat = format!(" {name}=\"");
            match item.find(&pat) {
                Some(a) => {
                    let v = a + pat.len();
                    match item[v..].find('"') {
                        Some(len) => format!("{}{}{}", &item[..v], f(n), &item[v + len..]),
                        None => item.to_owned(),
                    }
                }
                None => item.to_owned(),
            }
        }
    }
}

/// Parses `1MB`, `20MB`, `100MB`, `500KB` or a plain byte count.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let upper = s.to_ascii_uppercase();
    let (num, mult) = if let Some(n) = upper.strip_suffix("MB") {
        (n, 1_000_000)
    } else if let Some(n) = upper.strip_suffix("KB") {
        (n, 1_000)
    } else {
        (upper.as_str(), 1)
    };
    num.trim()
        .parse::<usize>()
        .map(|n| n * mult)
        .map_err(|_| format!("bigdoc: bad size '{s}'"))
}

/// `cargo xtask bigdoc <message> (--items N | --size 20MB) [--out FILE]`.
pub fn run(args: &[String], root: &Path) -> Result<(), String> {
    let mut message = None;
    let mut items = None;
    let mut size = None;
    let mut out = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--items" => {
                let v = it.next().ok_or("bigdoc: --items needs a number")?;
                items = Some(
                    v.parse::<usize>()
                        .map_err(|_| format!("bigdoc: bad item count '{v}'"))?,
                );
            }
            "--size" => size = Some(parse_size(it.next().ok_or("bigdoc: --size needs a size")?)?),
            "--out" => out = it.next().cloned(),
            s if s.starts_with("--") => return Err(format!("bigdoc: unknown option {s}")),
            s => message = Some(s.to_owned()),
        }
    }
    let m = find(
        message
            .as_deref()
            .ok_or("bigdoc: which message? (e.g. BusinessPartners)")?,
    )?;
    let items = match (items, size) {
        (Some(n), _) => n,
        (None, Some(bytes)) => m.items_for_size(root, bytes)?,
        (None, None) => return Err("bigdoc: give --items N or --size 20MB".into()),
    };
    let doc = m.document(root, items)?;
    match out {
        Some(path) => {
            std::fs::write(&path, &doc).map_err(|e| format!("{path}: {e}"))?;
            eprintln!(
                "bigdoc: {} with {items} {} elements, {} bytes -> {path}",
                m.message,
                m.item,
                doc.len()
            );
        }
        None => print!("{doc}"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every repeating message at about 1 MB (CustomsShipment at its 999 items)
    /// is valid against its schema according to xmllint.
    #[test]
    fn one_megabyte_documents_are_valid_for_xmllint() {
        let root = crate::repo_root();
        let dir = root.join("target/bigdoc-test");
        std::fs::create_dir_all(&dir).expect("target dir");
        for m in MESSAGES {
            let items = m.items_for_size(&root, 1_000_000).expect("size");
            let doc = m.document(&root, items).expect("document");
            assert!(
                doc.len() > 200_000,
                "{}: only {} bytes",
                m.message,
                doc.len()
            );
            assert_eq!(
                doc.matches(&format!("</{}>", m.item)).count(),
                items,
                "{}",
                m.message
            );
            let file = dir.join(format!("{}.xml", m.message));
            std::fs::write(&file, &doc).expect("write");
            let out = std::process::Command::new("xmllint")
                .arg("--noout")
                .arg("--schema")
                .arg(root.join(format!("schemas/{}.xsd", m.message)))
                .arg(&file)
                .output()
                .expect("xmllint runs (apt-get install libxml2-utils)");
            assert!(
                out.status.success(),
                "{} is not valid:\n{}",
                m.message,
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .take(10)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }

    /// The same arguments give the same bytes.
    #[test]
    fn documents_are_deterministic() {
        let root = crate::repo_root();
        let m = find("MaterialList").expect("message");
        assert_eq!(
            m.document(&root, 50).expect("doc"),
            m.document(&root, 50).expect("doc")
        );
    }

    #[test]
    fn bounded_messages_refuse_more_items_than_the_schema_allows() {
        let m = find("CustomsShipment").expect("message");
        assert!(m.document(&crate::repo_root(), 1000).is_err());
        assert_eq!(
            m.items_for_size(&crate::repo_root(), 100_000_000)
                .expect("size"),
            999
        );
    }
}
