//! Reading any document, dispatched on its root element over every global
//! element of the schemas, without validation (structure only): no panic,
//! a failure always says why, and streamed and in-memory reading agree.
#![no_main]

use cas_messages::Document;
use libfuzzer_sys::fuzz_target;
use xsd_runtime::xml::ReadOptions;

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        validate: false,
        ..ReadOptions::default()
    };
    if let Err(errors) = Document::from_slice_with(data, &opts) {
        assert!(!errors.0.is_empty(), "a failed read without an error");
    }
    // The streaming entry point (tokenized by quick-xml) reads the same
    // bytes to the same result as the in-memory one (tokenized by
    // `xml::lex`): the same value, or the same errors at the same places.
    let streamed = Document::from_reader_with(data, &opts);
    let sliced = Document::from_slice_with(data, &opts);
    assert_eq!(
        streamed.map_err(|e| e.to_string()),
        sliced.map_err(|e| e.to_string()),
        "from_reader and from_slice disagree"
    );
});
