//! The generated types against the example documents: every valid example
//! reads, writes XML that xmllint accepts, and reads back equal; every
//! invalid example is rejected with the constraint and path the examples
//! manifest records.

use cas_messages::Message;
use cas_tests::examples::load_invalid_examples;
use cas_tests::{manifest, schemas_dir, xml_files, xmllint};

#[test]
fn valid_examples_round_trip_through_xmllint() {
    let m = manifest();
    let tmp = std::env::temp_dir().join(format!("cas-roundtrip-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let mut failures = Vec::new();
    let mut count = 0;
    for msg in &m.messages {
        let schema = m.dir.join(&msg.schema);
        for doc in xml_files(&schemas_dir().join("examples").join(&msg.name).join("valid")) {
            count += 1;
            let bytes = std::fs::read(&doc).expect("read example");
            let value = match Message::from_slice(&bytes) {
                Ok(v) => v,
                Err(e) => {
                    failures.push(format!("{}: not read:\n{e}", doc.display()));
                    continue;
                }
            };
            assert_eq!(
                value.element_name(),
                msg.root,
                "{}: dispatched to the wrong message",
                doc.display()
            );
            let written = match value.to_xml() {
                Ok(x) => x,
                Err(e) => {
                    failures.push(format!("{}: not written: {e}", doc.display()));
                    continue;
                }
            };
            let out = tmp.join(format!(
                "{}-{}",
                msg.name,
                doc.file_name().unwrap().to_string_lossy()
            ));
            std::fs::write(&out, &written).expect("write temp");
            let verdict = xmllint(&schema, &out);
            if !verdict.valid {
                failures.push(format!(
                    "{}: written XML rejected by xmllint:\n{}\n{written}",
                    doc.display(),
                    verdict.output
                ));
                continue;
            }
            match Message::from_xml(&written) {
                Ok(again) if again == value => {}
                Ok(_) => failures.push(format!("{}: reads back different", doc.display())),
                Err(e) => failures.push(format!(
                    "{}: written XML does not read back:\n{e}",
                    doc.display()
                )),
            }
            if let Err(e) = value.validate() {
                failures.push(format!(
                    "{}: validate() reports errors on a valid document:\n{e}",
                    doc.display()
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        count >= 24,
        "expected at least 24 valid examples, found {count}"
    );
    assert!(
        failures.is_empty(),
        "{} of {count} failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn invalid_examples_report_the_recorded_constraint_and_path() {
    let dir = schemas_dir().join("examples");
    let entries = load_invalid_examples(&dir.join("manifest.toml")).expect("examples manifest");
    let mut failures = Vec::new();
    for e in &entries {
        let bytes = std::fs::read(dir.join(&e.file)).expect("read example");
        match Message::from_slice(&bytes) {
            Ok(_) => failures.push(format!(
                "{}: accepted, but breaks {} at {}",
                e.file.display(),
                e.constraint,
                e.path
            )),
            Err(errors) => {
                let hit = errors
                    .iter()
                    .any(|x| x.constraint() == e.constraint && x.path == e.path);
                if !hit {
                    let got: Vec<String> = errors
                        .iter()
                        .map(|x| format!("{} {} ({})", x.constraint(), x.path, x.kind))
                        .collect();
                    failures.push(format!(
                        "{}: expected {} at {}, got:\n    {}",
                        e.file.display(),
                        e.constraint,
                        e.path,
                        got.join("\n    ")
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} invalid examples:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}
