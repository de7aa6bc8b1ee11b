//! XSD regular expressions: translation never panics, and what translates
//! compiles and can be matched (on the pattern itself and on a sample).
//! Input: `pattern\nsample`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xsd_runtime::pattern::{Pattern, translate};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (xsd, sample) = text.split_once('\n').unwrap_or((text, ""));
    let translated = translate(xsd);
    match Pattern::new(xsd) {
        Ok(p) => {
            assert!(
                translated.is_ok(),
                "Pattern::new accepts what translate refuses"
            );
            let _ = p.is_match(sample);
            let _ = p.is_match(xsd);
            assert_eq!(p.as_xsd(), xsd);
        }
        Err(_) => {}
    }
});
