//! The interpretation of an HTTP answer (status, Content-Type, Retry-After,
//! body), as a proxy or a broken server might send it.
//! Input: two bytes of status, then `content-type\nretry-after\nbody`.
#![no_main]

use std::time::{Duration, SystemTime};

use cas_api::client::{Answer, read_answer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let code = u16::from_be_bytes([data[0], data[1]]) % 1000;
    let text = String::from_utf8_lossy(&data[2..]);
    let mut parts = text.splitn(3, '\n');
    let ct = parts.next().filter(|s| !s.is_empty());
    let ra = parts.next().filter(|s| !s.is_empty());
    let body = parts.next().unwrap_or_default().to_owned();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
    match read_answer(code, ct, ra, now, body.clone()) {
        Answer::Accepted(_) => assert_eq!(code, 202),
        Answer::AcceptedWithoutReference(b) => {
            assert_eq!(code, 202);
            assert_eq!(b, body, "the body is kept");
        }
        Answer::Rejected(r) => {
            assert_ne!(code, 202);
            assert_eq!(r.code, code);
            assert_eq!(r.body, body, "the body is kept");
            // Displaying the error never panics (it cuts the body at a char boundary).
            let _ = format!("{:?} {:?}", r.status, r.problem);
        }
    }
});
