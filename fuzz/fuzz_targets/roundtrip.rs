//! Read, write, read: whatever is read (valid) is written without error
//! and reads back equal, and writing is a fixpoint.
#![no_main]

use cas_messages::Document;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = Document::from_slice(data) else {
        return;
    };
    let xml = match doc.to_xml() {
        Ok(x) => x,
        Err(e) => panic!("read as valid but cannot be written: {e}"),
    };
    let back = match Document::from_xml(&xml) {
        Ok(d) => d,
        Err(e) => panic!("written document does not read back: {e}\n{xml}"),
    };
    assert_eq!(back, doc, "read back differs\n{xml}");
    let again = back.to_xml().expect("written once, so writable");
    assert_eq!(again, xml, "writing is not a fixpoint");
});
