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
                    assert!(located, "{name} cut at {cut}: error without location: {errors}");
                }
            }
        }
    }
}

#[test]
fn corrupted_bytes_never_panic() {
    let replacements: &[u8] = &[b'<', b'>', b'&', b'"', b'/', b'=', b' ', 0, 0xFF, 0xC3, b'x'];
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
