//! Generated code stays sound at hundreds of global elements: a schema set
//! made by `build.rs` (300 global elements, types of several KB when held
//! inline) is generated as a user's build script would and compiled in
//! this crate's profile (debug under `cargo test`). Reading and writing a
//! document must fit a 256 KiB stack, and the `Document` enum and every
//! root must stay small: large types are boxed where they sit, and roots
//! are read out of line.

use std::path::Path;

#[deny(warnings)]
#[allow(dead_code, clippy::all)]
mod large {
    include!(concat!(env!("OUT_DIR"), "/large.rs"));
}

/// What `size_of` of the `Document` enum may be.
const DOCUMENT_MAX: usize = 64;
/// What `size_of` of any root may be.
const ROOT_MAX: usize = 4096;
const STACK: usize = 256 * 1024;

fn instance() -> String {
    std::fs::read_to_string(Path::new(env!("LARGE_DIR")).join("instance.xml")).expect("instance")
}

#[test]
fn the_document_enum_and_every_root_stay_small() {
    let roots: &[(&str, usize)] = include!(concat!(env!("OUT_DIR"), "/large_roots.rs"));
    assert_eq!(roots.len(), 300);
    let document = std::mem::size_of::<large::Document>();
    assert!(
        document <= DOCUMENT_MAX,
        "size_of::<Document>() = {document}"
    );
    let too_big: Vec<_> = roots.iter().filter(|(_, s)| *s > ROOT_MAX).collect();
    assert!(
        too_big.is_empty(),
        "roots over {ROOT_MAX} bytes: {too_big:?}"
    );
    // Boxing is what keeps them small: unboxed, a root would hold its types inline.
    let part = std::mem::size_of::<large::large_schema::Part00>();
    assert!(
        part > 512,
        "Part00 is {part} bytes: not a large type any more"
    );
}

#[test]
fn a_document_reads_and_writes_on_a_256_kib_stack() {
    let xml = instance();
    let outcome = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let doc = large::Document::from_xml(&xml).map_err(|e| e.to_string())?;
            let written = doc.to_xml().map_err(|e| e.to_string())?;
            let again = large::Document::from_xml(&written).map_err(|e| e.to_string())?;
            doc.validate().map_err(|e| e.to_string())?;
            Ok::<_, String>((doc == again, written))
        })
        .expect("thread")
        .join()
        .expect("no stack overflow, no panic");
    let (equal, written) = outcome.unwrap_or_else(|e| panic!("{e}"));
    assert!(equal, "reads back different");
    let out = std::env::temp_dir().join(format!("cas-large-{}.xml", std::process::id()));
    std::fs::write(&out, &written).expect("temp file");
    let verdict = cas_tests::xmllint(&Path::new(env!("LARGE_DIR")).join("large_schema.xsd"), &out);
    let _ = std::fs::remove_file(&out);
    assert!(
        verdict.valid,
        "xmllint rejects the written document:\n{}",
        verdict.output
    );
}

#[test]
fn a_wrong_root_names_the_element_found_and_how_many_roots_there_are() {
    let xml = "<Other xmlns=\"urn:else\"/>";
    let e = large::Document::from_xml(xml).expect_err("not a root");
    let message = e.to_string();
    assert!(message.contains("{urn:else}Other"), "{message}");
    assert!(
        message.contains("one of the 300 global elements"),
        "{message}"
    );
    assert!(message.len() < 300, "{message}");
}
