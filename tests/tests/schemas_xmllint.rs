//! The schemas and their examples, held against xmllint: every XSD
//! compiles, every valid example validates, every invalid one is rejected,
//! and the examples manifest describes exactly the invalid files.

use std::collections::BTreeSet;

use cas_tests::examples::load_invalid_examples;
use cas_tests::{manifest, schemas_dir, xml_files, xmllint};

const CONSTRAINTS: &[&str] = &[
    "pattern",
    "enumeration",
    "length",
    "minLength",
    "maxLength",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "totalDigits",
    "fractionDigits",
    "whiteSpace",
    "datatype",
    "minOccurs",
    "maxOccurs",
    "unexpectedElement",
    "requiredAttribute",
    "unexpectedAttribute",
    "fixed",
    "nillable",
    "unique",
    "key",
    "keyref",
    "encoding",
    "malformed",
];

#[test]
fn every_valid_example_validates_and_every_invalid_one_is_rejected() {
    let m = manifest();
    assert_eq!(m.messages.len(), 8, "CAS has eight ingestion endpoints");
    let mut failures = Vec::new();
    for msg in &m.messages {
        let schema = m.dir.join(&msg.schema);
        let dir = schemas_dir().join("examples").join(&msg.name);
        let valid = xml_files(&dir.join("valid"));
        let invalid = xml_files(&dir.join("invalid"));
        assert!(
            valid.len() >= 3,
            "{}: at least 3 valid examples, found {}",
            msg.name,
            valid.len()
        );
        assert!(
            invalid.len() >= 10,
            "{}: at least 10 invalid examples, found {}",
            msg.name,
            invalid.len()
        );
        for doc in &valid {
            let v = xmllint(&schema, doc);
            if !v.valid {
                failures.push(format!("{} should validate:\n{}", doc.display(), v.output));
            }
        }
        for doc in &invalid {
            let v = xmllint(&schema, doc);
            if v.valid {
                failures.push(format!("{} should be rejected", doc.display()));
            }
            // Exit code 5 means the schema itself did not compile.
            if v.exit_code == Some(5) {
                failures.push(format!(
                    "{} does not compile:\n{}",
                    schema.display(),
                    v.output
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn examples_manifest_lists_exactly_the_invalid_files() {
    let dir = schemas_dir().join("examples");
    let entries = load_invalid_examples(&dir.join("manifest.toml")).expect("examples manifest");
    let m = manifest();
    let messages: BTreeSet<&str> = m.messages.iter().map(|x| x.name.as_str()).collect();
    let mut listed = BTreeSet::new();
    for e in &entries {
        assert!(
            CONSTRAINTS.contains(&e.constraint.as_str()),
            "{}: unknown constraint {}",
            e.file.display(),
            e.constraint
        );
        assert!(
            messages.contains(e.message.as_str()),
            "{}: unknown message {}",
            e.file.display(),
            e.message
        );
        let root = m
            .messages
            .iter()
            .find(|x| x.name == e.message)
            .map(|x| x.root.as_str())
            .unwrap_or("");
        assert!(
            e.path == "/"
                || e.path == format!("/{root}")
                || e.path.starts_with(&format!("/{root}/"))
                || e.path.starts_with(&format!("/{root}[")),
            "{}: path {} does not start at the root {}",
            e.file.display(),
            e.path,
            root
        );
        assert!(
            listed.insert(e.file.clone()),
            "{} listed twice",
            e.file.display()
        );
    }
    let mut on_disk = BTreeSet::new();
    for msg in &m.messages {
        for f in xml_files(&dir.join(&msg.name).join("invalid")) {
            on_disk.insert(f.strip_prefix(&dir).expect("under examples").to_path_buf());
        }
    }
    let missing: Vec<_> = on_disk.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "not in manifest: {missing:?}; no such file: {extra:?}"
    );
}
