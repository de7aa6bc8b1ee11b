//! Broken documents never panic: every truncation and a spread of
//! single-byte corruptions of every valid example either read (when the
//! change happens to be harmless) or return errors that say where.

use cas_messages::Message;
use cas_tests::{manifest, schemas_dir, xml_files};

fn valid_examples() -> Vec<(String, Vec<u8>)> {
    let m = manifest();
    let mut out = Vec::new();
    for msg in &m.messages {
        for f in xml_files(&schemas_dir().join("examples").join(&msg.name).join("valid")) {
            out.push((f.display().to_string(), std::fs::read(&f).expect("example")));
        }
    }
    out
}

#[test]
fn every_truncation_is_an_error_with_a_location() {
    for (name, bytes) in valid_examples() {
        // Every 5th cut, and every cut in the last 64 bytes (the closing tags).
        let tail = bytes.len().saturating_sub(64);
        for cut in (0..bytes.len()).filter(|c| c % 5 == 0 || *c >= tail) {
            let prefix = &bytes[..cut];
            // Only trailing whitespace after the root element may go harmlessly.
            if bytes[cut..].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match Message::from_slice(prefix) {
                Ok(_) => panic!("{name}: accepted when cut at byte {cut}"),
                Err(errors) => {
                    assert!(!errors.is_empty(), "{name} cut at {cut}: no error reported");
                    let located = errors.iter().all(|e| e.location.is_some() || e.path == "/");
                    assert!(
                        located,
                        "{name} cut at {cut}: error without location: {errors}"
                    );
                }
            }
        }
    }
}

#[test]
fn corrupted_bytes_never_panic() {
    let replacements: &[u8] = &[
        b'<', b'>', b'&', b'"', b'/', b'=', b' ', 0, 0xFF, 0xC3, b'x',
    ];
    let mut reads = 0;
    for (name, bytes) in valid_examples() {
        // Every 11th position, each replacement byte.
        for pos in (0..bytes.len()).step_by(11) {
            for r in replacements {
                let mut v = bytes.clone();
                v[pos] = *r;
                let result = std::panic::catch_unwind(|| Message::from_slice(&v).map(|_| ()));
                assert!(result.is_ok(), "{name}: panic with byte {r:#04x} at {pos}");
                reads += 1;
            }
        }
    }
    assert!(reads > 5_000, "only {reads} corrupted documents read");
}

/// The constraints of the errors `Message::from_slice` reports for `bytes`.
fn constraints(bytes: &[u8]) -> Vec<&'static str> {
    match Message::from_slice(bytes) {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(|x| x.constraint()).collect(),
    }
}

#[test]
fn dtds_are_refused_and_entities_never_expanded() {
    let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<ArticleDataItem xmlns="urn:cas:ingestion:article-data-item:1">&lol2;</ArticleDataItem>"#;
    assert_eq!(constraints(bomb.as_bytes()), ["unsupported"]);
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>"#;
    assert_eq!(constraints(xxe.as_bytes()), ["unsupported"]);
}

#[test]
fn deep_nesting_hits_the_depth_limit_without_overflowing_the_stack() {
    let depth = 100_000;
    let mut doc = String::from(
        r#"<ArticleDataItem xmlns="urn:cas:ingestion:article-data-item:1" schemaVersion="1.0">"#,
    );
    doc.push_str(&"<x>".repeat(depth));
    doc.push_str(&"</x>".repeat(depth));
    doc.push_str("</ArticleDataItem>");
    // Unknown children are skipped without recursion; a declared deep path would hit the limit.
    let found = constraints(doc.as_bytes());
    assert!(
        !found.is_empty(),
        "a document of unknown nested elements must be invalid"
    );
    let opts = xsd_runtime::xml::ReadOptions {
        max_depth: 3,
        ..Default::default()
    };
    let bytes = std::fs::read(schemas_dir().join("examples/CustomsShipment/valid/maximal.xml"))
        .expect("example");
    let errors =
        Message::from_slice_with(&bytes, &opts).expect_err("depth 3 is too shallow for a shipment");
    assert!(errors.iter().any(|e| e.constraint() == "limit"), "{errors}");
}

#[test]
fn utf16_is_refused_clearly() {
    let mut doc = vec![0xFF, 0xFE];
    for unit in "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>".encode_utf16() {
        doc.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(constraints(&doc), ["encoding"]);
}

#[test]
fn errors_are_capped_and_the_rest_counted() {
    let bytes = std::fs::read(schemas_dir().join("examples/ArticleDataItem/valid/maximal.xml"))
        .expect("example");
    let text = String::from_utf8(bytes).expect("utf-8");
    // Many unknown attributes: one error each.
    let attrs: String = (0..50).map(|i| format!(" bogus{i}=\"1\"")).collect();
    let doc = text.replacen("schemaVersion=", &format!("{attrs} schemaVersion="), 1);
    let opts = xsd_runtime::xml::ReadOptions {
        max_errors: 10,
        ..Default::default()
    };
    let errors = Message::from_xml_with(&doc, &opts).expect_err("invalid");
    assert_eq!(errors.len(), 11, "10 kept and one limit error: {errors}");
    assert_eq!(
        errors.iter().filter(|e| e.constraint() == "limit").count(),
        1
    );
}

/// Line and column (1-based, in characters) of byte `at` of `text`.
fn line_col(text: &str, at: usize) -> (u32, u32) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u32, col as u32)
}

/// `doc`, read in memory and streamed, gives one error: `malformed`, at
/// byte `at` (`what` says what was done to example `name`).
fn assert_one_malformed_at(name: &str, what: &str, doc: &str, at: usize) {
    let expected = line_col(doc, at);
    for (how, result) in [
        ("in memory", Message::from_slice(doc.as_bytes())),
        ("streamed", Message::from_reader(doc.as_bytes())),
    ] {
        let errors = match result {
            Ok(_) => panic!("{name}: {what} accepted {how}"),
            Err(e) => e,
        };
        let found: Vec<_> = errors
            .iter()
            .map(|e| (e.constraint(), e.location.map(|l| (l.line, l.column))))
            .collect();
        assert_eq!(
            found,
            [("malformed", Some(expected))],
            "{name}, {what}, {how}: {errors}"
        );
    }
}

#[test]
fn a_lt_in_an_attribute_value_is_malformed_where_it_stands() {
    // quick-xml lets a '<' in an attribute value through; XML 1.0 (and
    // xmllint) does not. Each attribute value of each valid example, in
    // memory and streamed: one error, `malformed`, at the '<'. Namespace
    // declarations too: the examples declare them on the root, which a
    // message read recognizes by its name before reading its attributes
    // (a '<' in the default namespace's name must not make it an unknown
    // root).
    let mut checked = 0;
    for (name, bytes) in valid_examples() {
        let text = String::from_utf8(bytes).expect("examples are UTF-8");
        let values = text.match_indices("=\"").map(|(i, _)| i + 2).filter(|&i| {
            let name = text[..i - 2].rsplit([' ', '\n', '\t']).next().unwrap_or("");
            !["version", "encoding"].contains(&name)
        });
        for at in values {
            let mut doc = text.clone();
            doc.insert(at, '<');
            assert_one_malformed_at(&name, &format!("'<' at byte {at}"), &doc, at);
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} attribute values");
}

#[test]
fn attributes_without_white_space_between_them_are_malformed() {
    // `a="1"b="2"`: quick-xml reads both attributes; XML 1.0 requires white
    // space between them. Every such pair in the valid examples.
    let mut checked = 0;
    for (name, bytes) in valid_examples() {
        let text = String::from_utf8(bytes).expect("examples are UTF-8");
        // After the XML declaration (whose pseudo-attributes are no tag's).
        let body = text.find("?>").map_or(0, |i| i + 2);
        let gaps = text.match_indices("\" ").map(|(i, _)| i + 1).filter(|&i| {
            // Inside a start tag: another attribute follows on the line.
            let line = text[i..].split('\n').next().unwrap_or("");
            i > body && line.contains("=\"")
        });
        for gap in gaps {
            let mut doc = text.clone();
            doc.remove(gap);
            assert_one_malformed_at(&name, &format!("no space at byte {gap}"), &doc, gap);
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} attribute pairs");
}
