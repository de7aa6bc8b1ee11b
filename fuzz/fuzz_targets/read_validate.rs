//! Reading with validation (facets, identity constraints, IDs), then
//! validating the value built: a document read as valid validates.
#![no_main]

use cas_messages::Document;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Document::from_slice(data) {
        Ok(doc) => {
            if let Err(e) = doc.validate() {
                panic!("read as valid, but validate() says: {e}");
            }
        }
        Err(errors) => assert!(!errors.0.is_empty(), "a failed read without an error"),
    }
});
