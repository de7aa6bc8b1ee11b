//! Every input a fuzz target (`fuzz/`) crashed on, kept in
//! `tests/fuzz-regressions/<target>/`, checked with the target's own
//! properties, plus the error each one must now give.

use std::path::Path;

use cas_messages::Document;
use cas_tests::repo_root;
use xsd_runtime::xml::ReadOptions;

/// What each kept input must read as: the constraint of its first error, or
/// `None` when it is a valid document.
const EXPECTED: &[(&str, Option<&str>)] = &[
    // U+0000 in a text: was read as valid, then could not be written.
    ("read_validate/nul-in-text.xml", Some("malformed")),
    // An XML declaration inside a simple element's text: after that fatal
    // error the in-memory reader read on (reporting strays and a mismatched
    // end tag) while the stream, drained, reported an unexpected end.
    ("read/declaration-in-text.xml", Some("malformed")),
    // A `>` in a namespace name: written back as `&gt;`, which the reader
    // (taking namespace names as written) read as another namespace.
    ("roundtrip/namespace-with-gt.xml", None),
    // A `<` in a namespace name (not well-formed; quick-xml lets it
    // through): was read as valid, then could not be declared again.
    ("roundtrip/namespace-with-lt.xml", Some("malformed")),
];

/// The properties of the `read`, `read_validate` and `roundtrip` targets.
fn document_properties(name: &str, data: &[u8]) {
    let opts = ReadOptions {
        validate: false,
        ..ReadOptions::default()
    };
    let sliced = Document::from_slice_with(data, &opts);
    if let Err(e) = &sliced {
        assert!(!e.is_empty(), "{name}: a failed read without an error");
    }
    let streamed = Document::from_reader_with(data, &opts);
    assert_eq!(
        streamed.map_err(|e| e.to_string()),
        sliced.map_err(|e| e.to_string()),
        "{name}: from_reader and from_slice disagree"
    );
    if let Ok(doc) = Document::from_slice(data) {
        if let Err(e) = doc.validate() {
            panic!("{name}: read as valid, but validate() says: {e}");
        }
        let xml = doc
            .to_xml()
            .unwrap_or_else(|e| panic!("{name}: read as valid, not writable: {e}"));
        let back =
            Document::from_xml(&xml).unwrap_or_else(|e| panic!("{name}: does not read back: {e}"));
        assert_eq!(back, doc, "{name}: read back differs");
    }
}

#[test]
fn every_kept_crash_input_now_gives_its_expected_result() {
    let dir = repo_root().join("tests/fuzz-regressions");
    let mut seen = 0;
    for target in ["read", "read_validate", "roundtrip"] {
        let Ok(entries) = std::fs::read_dir(dir.join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("entry").path();
            let name = format!(
                "{target}/{}",
                path.file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
            );
            let data = std::fs::read(&path).expect("read input");
            document_properties(&name, &data);
            let expected = EXPECTED
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("{name}: add its expected result to EXPECTED"))
                .1;
            let found = Document::from_slice(&data)
                .err()
                .map(|e| e.0[0].constraint());
            assert_eq!(found, expected, "{name}");
            seen += 1;
        }
    }
    assert_eq!(
        seen,
        EXPECTED.len(),
        "every entry of EXPECTED has its input in {}",
        dir.display()
    );
    assert!(Path::new(&dir).is_dir());
}

/// `webhook` target inputs (`id\ntimestamp\nsignature\nbody`): the body
/// parses, and the event writes and parses back equal.
#[test]
fn kept_webhook_inputs_round_trip() {
    use cas_api::webhook::WebhookEvent;
    let dir = repo_root().join("tests/fuzz-regressions/webhook");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("webhook inputs") {
        let data = std::fs::read(entry.expect("entry").path()).expect("read input");
        let body = data.splitn(4, |b| *b == b'\n').nth(3).expect("four parts");
        // float-roundtrip: a 31-digit number in an unknown event's data came
        // back one ulp off (serde_json's fast float parsing).
        let event = WebhookEvent::from_json(body).expect("parses");
        let back = WebhookEvent::from_json(&event.to_json().expect("writes")).expect("parses back");
        assert_eq!(back, event);
        seen += 1;
    }
    assert!(seen >= 1);
}
