//! Mutations of valid documents, for comparing our verdict with xmllint's.
//!
//! A document is read into a flat list of quick-xml events; each mutation
//! edits that list (a value pushed past a facet, an element dropped,
//! duplicated or moved, an attribute removed, something unknown added) and
//! writes it back. Namespace declarations stay where they were, so every
//! variant is well-formed and differs from the original in one place.

use std::collections::BTreeSet;

use xsd_runtime::quick_xml::events::{BytesStart, BytesText, Event};
use xsd_runtime::quick_xml::{Reader, Writer};

/// One variant of a document.
#[derive(Clone, Debug)]
pub struct Variant {
    /// What was changed, e.g. `text of /A/B[2] -> ""`.
    pub what: String,
    pub xml: String,
}

/// Values tried in place of element text and attribute values: around
/// common facets (lengths, digits, signs, ranges, dates, patterns).
const VALUES: &[&str] = &[
    "",
    "X",
    "0",
    "-1",
    "1.5",
    "1.123456",
    "99999999999999999999",
    "1e3",
    "2024-02-30",
    "2024-13-01T00:00:00Z",
    "true",
    "ZZ",
    "abc def",
    "  padded  ",
    "ÄÖÜ",
    "01234567890123456789012345678901234567890123456789012345678901234567890123456789",
];

fn events(xml: &str) -> Option<Vec<Event<'static>>> {
    let mut r = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event() {
            Ok(Event::Eof) => return Some(out),
            Ok(e) => out.push(e.into_owned()),
            Err(_) => return None,
        }
    }
}

fn write(evs: &[Event<'static>]) -> String {
    let mut w = Writer::new(Vec::new());
    for e in evs {
        if w.write_event(e.borrow()).is_err() {
            return String::new();
        }
    }
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

/// Index of the `End` matching the `Start` at `i`.
fn matching_end(evs: &[Event<'_>], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, e) in evs.iter().enumerate().skip(i) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// A readable path of the element starting at `i` (local names, 1-based
/// indexes among same-named siblings).
fn path_of(evs: &[Event<'_>], i: usize) -> String {
    let mut stack: Vec<(String, std::collections::BTreeMap<String, u32>)> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    for (j, e) in evs.iter().enumerate() {
        match e {
            Event::Start(s) | Event::Empty(s) => {
                let local = s.local_name().into_inner().to_owned();
                let n = stack.last_mut().map_or(1, |(_, counts)| {
                    let c = counts.entry(local.clone()).or_insert(0);
                    *c += 1;
                    *c
                });
                let step = format!("{local}[{n}]");
                if j == i {
                    path.push(step);
                    return format!("/{}", path.join("/"));
                }
                if let Event::Start(_) = e {
                    path.push(step);
                    stack.push((local, Default::default()));
                }
            }
            Event::End(_) => {
                path.pop();
                stack.pop();
            }
            _ => {}
        }
    }
    String::new()
}

fn is_blank(e: &Event<'_>) -> bool {
    match e {
        Event::Text(t) => t.bytes().all(|b| b.is_ascii_whitespace()),
        Event::Comment(_) | Event::PI(_) => true,
        _ => false,
    }
}

/// The next sibling element of the element spanning `start..=end`.
fn next_sibling(evs: &[Event<'_>], end: usize) -> Option<(usize, usize)> {
    let mut k = end + 1;
    while k < evs.len() && is_blank(&evs[k]) {
        k += 1;
    }
    match evs.get(k) {
        Some(Event::Start(_)) => matching_end(evs, k).map(|e| (k, e)),
        _ => None,
    }
}

fn with_attrs(
    s: &BytesStart<'_>,
    f: impl Fn(&str, &str) -> Option<(String, String)>,
) -> BytesStart<'static> {
    let name = s.name().into_inner().to_owned();
    let mut out = BytesStart::new(name);
    for a in s.attributes().flatten() {
        let key: &str = a.key.into_inner();
        let value = xsd_runtime::quick_xml::escape::unescape(&a.value)
            .map(|v| v.into_owned())
            .unwrap_or_default();
        if let Some((k, v)) = f(key, &value) {
            out.push_attribute((k.as_str(), v.as_str()));
        }
    }
    out
}

/// Every single-place mutation of `xml` (deduplicated, in a fixed order).
pub fn mutations(xml: &str) -> Vec<Variant> {
    let Some(evs) = events(xml) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let root = evs
        .iter()
        .position(|e| matches!(e, Event::Start(_) | Event::Empty(_)))
        .unwrap_or(0);
    for i in 0..evs.len() {
        let Event::Start(s) = &evs[i] else { continue };
        let Some(end) = matching_end(&evs, i) else {
            continue;
        };
        let path = path_of(&evs, i);
        let leaf = end == i + 2 && matches!(evs[i + 1], Event::Text(_)) || end == i + 1;
        // Values of leaf elements.
        if leaf {
            for v in VALUES {
                let mut e = evs.clone();
                let text = Event::Text(BytesText::new(v).into_owned());
                if end == i + 1 {
                    e.insert(i + 1, text);
                } else {
                    e[i + 1] = text;
                }
                out.push(Variant {
                    what: format!("text of {path} -> {v:?}"),
                    xml: write(&e),
                });
            }
        }
        // Attribute values, and removal.
        for a in s.attributes().flatten() {
            let key: String = a.key.into_inner().to_owned();
            if key.starts_with("xmlns") || key.starts_with("xsi:") {
                continue;
            }
            for v in VALUES {
                let mut e = evs.clone();
                e[i] = Event::Start(with_attrs(s, |k, val| {
                    Some((
                        k.to_owned(),
                        if k == key {
                            (*v).to_owned()
                        } else {
                            val.to_owned()
                        },
                    ))
                }));
                out.push(Variant {
                    what: format!("attribute {path}/@{key} -> {v:?}"),
                    xml: write(&e),
                });
            }
            let mut e = evs.clone();
            e[i] = Event::Start(with_attrs(s, |k, val| {
                (k != key).then(|| (k.to_owned(), val.to_owned()))
            }));
            out.push(Variant {
                what: format!("attribute {path}/@{key} removed"),
                xml: write(&e),
            });
        }
        // An unknown attribute.
        {
            let mut e = evs.clone();
            let mut st = with_attrs(s, |k, v| Some((k.to_owned(), v.to_owned())));
            st.push_attribute(("bogus", "1"));
            e[i] = Event::Start(st);
            out.push(Variant {
                what: format!("unknown attribute on {path}"),
                xml: write(&e),
            });
        }
        if i == root {
            continue;
        }
        // Structure: drop, duplicate, swap with the next sibling, unknown child.
        let mut e = evs.clone();
        e.drain(i..=end);
        out.push(Variant {
            what: format!("{path} dropped"),
            xml: write(&e),
        });
        let mut e = evs.clone();
        let copy: Vec<Event<'static>> = evs[i..=end].to_vec();
        e.splice(end + 1..end + 1, copy);
        out.push(Variant {
            what: format!("{path} duplicated"),
            xml: write(&e),
        });
        if let Some((ns, ne)) = next_sibling(&evs, end) {
            let mut e = evs[..i].to_vec();
            e.extend_from_slice(&evs[ns..=ne]);
            e.extend_from_slice(&evs[end + 1..ns]);
            e.extend_from_slice(&evs[i..=end]);
            e.extend_from_slice(&evs[ne + 1..]);
            out.push(Variant {
                what: format!("{path} swapped with its next sibling"),
                xml: write(&e),
            });
        }
        if !leaf {
            let mut e = evs.clone();
            e.insert(i + 1, Event::Empty(BytesStart::new("Unknown")));
            out.push(Variant {
                what: format!("unknown first child in {path}"),
                xml: write(&e),
            });
        }
    }
    let mut seen = BTreeSet::new();
    out.retain(|v| !v.xml.is_empty() && v.xml != xml && seen.insert(v.xml.clone()));
    out
}

/// xmllint's verdicts on many documents against one schema, in one run.
pub fn xmllint_many(schema: &std::path::Path, docs: &[std::path::PathBuf]) -> Vec<bool> {
    let mut verdicts = Vec::with_capacity(docs.len());
    for chunk in docs.chunks(500) {
        let out = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--nonet")
            .arg("--schema")
            .arg(schema)
            .args(chunk)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run xmllint ({e}); install it: apt-get install -y libxml2-utils")
            });
        let stderr = String::from_utf8_lossy(&out.stderr);
        for d in chunk {
            let name = d.display().to_string();
            verdicts.push(stderr.lines().any(|l| l == format!("{name} validates")));
        }
    }
    verdicts
}
