//! Webhook deliveries: the event parser (and its round trip), the receiver
//! with a signature check on arbitrary headers, and the correlator fed
//! what parses. Input: `id\ntimestamp\nsignature\nbody`.
#![no_main]

use std::time::{Duration, SystemTime};

use cas_api::webhook::{
    Correlator, Delivery, MemoryStore, Receiver, ReceiverConfig, Secret, Verifier, WebhookEvent,
    WebhookHeaders, sign,
};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |b| *b == b'\n');
    let id = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let ts = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let sig = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let body = parts.next().unwrap_or(data);

    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
    let Ok(verifier) = Verifier::new(SECRET) else {
        return;
    };
    let headers = WebhookHeaders {
        id: &id,
        timestamp: &ts,
        signature: &sig,
    };
    let _ = verifier.verify_at(&headers, body, now);

    // Unsigned, as CAS sends: accepted iff it parses.
    let receiver = Receiver::new(ReceiverConfig::default(), MemoryStore::default());
    let delivery = Delivery { query: Some(&id), headers: &headers, body };
    let status = receiver.receive_at(&delivery, now).status();
    let parsed = WebhookEvent::from_json(body);
    assert_eq!(status == 200, parsed.is_ok(), "receiver and parser disagree");

    // A correctly signed delivery of the same body verifies iff it parses.
    if let Ok(secret) = Secret::parse(SECRET) {
        let good = sign(&secret, "msg_f", 1_764_000_000, body);
        let headers = WebhookHeaders {
            id: "msg_f",
            timestamp: "1764000000",
            signature: &good,
        };
        let verified = verifier.verify_at(&headers, body, now);
        assert_eq!(
            verified.is_ok(),
            parsed.is_ok(),
            "signed delivery and plain parse disagree"
        );
    }

    if let Ok(event) = parsed {
        let json = event.to_json().expect("a parsed event can be written");
        let back = WebhookEvent::from_json(&json).expect("a written event parses");
        assert_eq!(back, event, "event round trip differs");
        let mut c = Correlator::new();
        c.observe(&event);
        let _ = c.unmatched();
        let _ = c.pending(now, Duration::from_secs(60));
    }
});
