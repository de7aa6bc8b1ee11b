use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET: &str = "whsec_c2VjcmV0LW51bWJlci10d28tZm9yLXRlc3Rz";
const TS: i64 = 1_764_000_000;
const REF_A: &str = "6f1c1d52-4c3b-4b8e-9a51-2f7f3d0c1a10";
const REF_B: &str = "0b6a3f1e-2222-4c1d-8e3f-9a8b7c6d5e4f";
const REF_C: &str = "9d2e7c44-1111-4aaa-bbbb-cccccccccccc";

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap()
}

fn at(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs as u64)
}

fn event(v: Value) -> WebhookEvent {
    WebhookEvent::from_json(v.to_string().as_bytes()).unwrap()
}

fn creation_successful() -> Value {
    json!({"eventId": "evt_cs", "eventType": "CreationSuccessful",
           "occurredAt": "2026-11-24T10:00:00Z",
           "data": {"ingestionReferences": [REF_A], "messageType": "CustomsShipmentInformation",
                    "businessKey": "SHP-1", "customsShipmentReference": "CSR-1"}})
}

fn creation_unsuccessful() -> Value {
    json!({"eventId": "evt_cu", "eventType": "CreationUnsuccessful",
           "occurredAt": "2026-11-24T10:01:00Z",
           "data": {"ingestionReferences": [REF_B], "messageType": "CustomsShipmentInformation",
                    "businessKey": "SHP-2",
                    "errors": [{"code": "E042", "message": "Unknown port", "path": "/shipment/port",
                                "field": "port"},
                               {"code": "E001", "message": "Missing weight"}]}})
}

fn replace_successful() -> Value {
    json!({"eventId": "evt_rs", "eventType": "ReplaceSuccessful",
           "occurredAt": "2026-11-24T10:02:00Z",
           "data": {"ingestionReferences": [REF_A], "businessKey": "SHP-1"}})
}

fn replace_unsuccessful() -> Value {
    json!({"eventId": "evt_ru", "eventType": "ReplaceUnsuccessful",
           "occurredAt": "2026-11-24T10:03:00Z",
           "data": {"ingestionReferences": [REF_C], "messageType": "CustomsShipmentInformation",
                    "errors": [{"code": "E100", "message": "Already released"}]}})
}

fn status(id: &str, prev: Option<&str>, new: &str, changed_at: &str) -> Value {
    let mut data = json!({"customsShipmentReference": "CSR-1", "newStatus": new,
                          "changedAt": changed_at});
    if let Some(p) = prev {
        data["previousStatus"] = json!(p);
        data["mrn"] = json!("26DE123456789012A1");
    }
    json!({"eventId": id, "eventType": "DeclarationStatusChanged",
           "occurredAt": changed_at, "data": data})
}

// ---- events -------------------------------------------------------------

#[test]
fn typed_events_round_trip() {
    let cases = [
        ("CreationSuccessful", creation_successful()),
        ("CreationUnsuccessful", creation_unsuccessful()),
        ("ReplaceSuccessful", replace_successful()),
        ("ReplaceUnsuccessful", replace_unsuccessful()),
        (
            "DeclarationStatusChanged",
            status(
                "evt_s",
                Some("Submitted"),
                "UnderControl",
                "2026-11-24T11:00:00Z",
            ),
        ),
    ];
    for (ty, json) in cases {
        let ev = event(json.clone());
        assert_eq!(ev.event_type(), ty);
        assert!(
            !matches!(ev.payload, EventPayload::Unknown { .. }),
            "{ty} parsed as Unknown"
        );
        let back: Value = serde_json::from_slice(&ev.to_json().unwrap()).unwrap();
        assert_eq!(back, json, "{ty} round trip");
        assert_eq!(event(back), ev, "{ty} typed round trip");
    }
}

#[test]
fn typed_fields_are_read() {
    let ev = event(creation_unsuccessful());
    let EventPayload::CreationUnsuccessful(p) = &ev.payload else {
        panic!("wrong variant: {ev:?}");
    };
    assert_eq!(p.ingestion_references, vec![uuid(REF_B)]);
    assert_eq!(p.business_key.as_deref(), Some("SHP-2"));
    assert_eq!(p.errors.len(), 2);
    assert_eq!(p.errors[0].path.as_deref(), Some("/shipment/port"));
    assert_eq!(p.errors[0].field.as_deref(), Some("port"));
    assert_eq!(p.errors[1].path, None);

    let ev = event(status(
        "e",
        Some("Accepted"),
        "Released",
        "2026-11-24T11:00:00+01:00",
    ));
    let EventPayload::DeclarationStatusChanged(p) = &ev.payload else {
        panic!("wrong variant: {ev:?}");
    };
    assert_eq!(p.previous_status, Some(DeclarationStatus::Accepted));
    assert_eq!(p.new_status, DeclarationStatus::Released);
    assert_eq!(p.mrn.as_deref(), Some("26DE123456789012A1"));
    // 11:00 at +01:00 is 10:00Z (`date -d 2026-11-24T10:00:00Z +%s`).
    assert_eq!(p.changed_at.unix_timestamp(), 1_795_514_400);
}

#[test]
fn statuses_parse_and_unknown_status_is_kept() {
    let cases = [
        ("Draft", DeclarationStatus::Draft),
        ("Submitted", DeclarationStatus::Submitted),
        ("Accepted", DeclarationStatus::Accepted),
        ("Invalid", DeclarationStatus::Invalid),
        ("UnderControl", DeclarationStatus::UnderControl),
        ("Released", DeclarationStatus::Released),
        ("Rejected", DeclarationStatus::Rejected),
        ("Cancelled", DeclarationStatus::Cancelled),
        (
            "AwaitingPayment",
            DeclarationStatus::Other("AwaitingPayment".into()),
        ),
    ];
    for (wire, status) in cases {
        let parsed: DeclarationStatus = serde_json::from_value(json!(wire)).unwrap();
        assert_eq!(parsed, status);
        assert_eq!(serde_json::to_value(&parsed).unwrap(), json!(wire));
    }
}

#[test]
fn unknown_event_type_is_kept() {
    let json = json!({"eventId": "evt_x", "eventType": "GoodsArrived",
                      "occurredAt": "2026-11-24T10:00:00Z",
                      "data": {"location": "DEHAM", "nested": {"a": [1, 2]}}});
    let ev = event(json.clone());
    assert_eq!(ev.event_type(), "GoodsArrived");
    let EventPayload::Unknown { event_type, data } = &ev.payload else {
        panic!("expected Unknown: {ev:?}");
    };
    assert_eq!(event_type, "GoodsArrived");
    assert_eq!(data["location"], "DEHAM");
    let back: Value = serde_json::from_slice(&ev.to_json().unwrap()).unwrap();
    assert_eq!(back, json);
}

#[test]
fn unknown_fields_are_kept() {
    let mut json = creation_unsuccessful();
    json["deliveryAttempt"] = json!(3);
    json["data"]["newServerField"] = json!({"x": true});
    json["data"]["errors"][0]["severity"] = json!("ERROR");
    let ev = event(json.clone());
    assert_eq!(ev.extra["deliveryAttempt"], 3);
    let EventPayload::CreationUnsuccessful(p) = &ev.payload else {
        panic!("wrong variant: {ev:?}");
    };
    assert_eq!(p.extra["newServerField"], json!({"x": true}));
    assert_eq!(p.errors[0].extra["severity"], "ERROR");
    let back: Value = serde_json::from_slice(&ev.to_json().unwrap()).unwrap();
    assert_eq!(back, json);
}

#[test]
fn bad_json_is_an_error() {
    let cases: [(&str, &[u8]); 7] = [
        ("not json", b"{not json"),
        ("empty", b""),
        ("array", b"[]"),
        (
            "no eventId",
            br#"{"eventType":"X","occurredAt":"2026-11-24T10:00:00Z","data":{}}"#,
        ),
        (
            "bad time",
            br#"{"eventId":"e","eventType":"X","occurredAt":"yesterday","data":{}}"#,
        ),
        ("invalid utf-8", b"\xff\xfe"),
        (
            "truncated",
            br#"{"eventId":"e","eventType":"CreationSuccessful","occurredAt":"#,
        ),
    ];
    for (name, body) in cases {
        let err = WebhookEvent::from_json(body).unwrap_err();
        assert!(matches!(err, WebhookError::Json(_)), "{name}: {err:?}");
    }
}

#[test]
fn known_type_with_wrong_data_is_a_payload_error() {
    let cases = [
        json!({"ingestionReferences": ["not-a-uuid"]}),
        json!({"businessKey": "no references"}),
        json!({"ingestionReferences": [REF_A], "errors": [{"code": "E1"}]}),
    ];
    for data in cases {
        let body = json!({"eventId": "e", "eventType": "CreationUnsuccessful",
                          "occurredAt": "2026-11-24T10:00:00Z", "data": data});
        let err = WebhookEvent::from_json(body.to_string().as_bytes()).unwrap_err();
        assert!(
            matches!(&err, WebhookError::Payload { event_type, .. } if event_type == "CreationUnsuccessful"),
            "{data}: {err:?}"
        );
    }
}

#[test]
fn body_size_is_limited() {
    let body = creation_successful().to_string();
    let err = WebhookEvent::from_json_with_limit(body.as_bytes(), 10).unwrap_err();
    assert!(matches!(err, WebhookError::BodyTooLarge { limit: 10, .. }));
    let big = vec![b' '; DEFAULT_MAX_BODY + 1];
    assert!(matches!(
        WebhookEvent::from_json(&big),
        Err(WebhookError::BodyTooLarge { .. })
    ));
}

// ---- signatures ---------------------------------------------------------

fn body() -> Vec<u8> {
    creation_successful().to_string().into_bytes()
}

fn signed(secret: &str, id: &str, ts: i64, body: &[u8]) -> String {
    sign(&Secret::parse(secret).unwrap(), id, ts, body)
}

fn headers(id: &str, ts: &str, sig: &str) -> Vec<(String, String)> {
    vec![
        ("Webhook-Id".to_owned(), id.to_owned()),
        ("Webhook-Timestamp".to_owned(), ts.to_owned()),
        ("Webhook-Signature".to_owned(), sig.to_owned()),
    ]
}

#[test]
fn independent_test_vector() {
    // Computed with Python's hmac/hashlib/base64, not with this code:
    // base64(HMAC-SHA256(b64decode("MfKQ…"), b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}"))
    let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    let body = br#"{"test": 2432232314}"#;
    assert_eq!(signed(SECRET, id, 1_614_265_330, body), expected);

    let verifier = Verifier::new(SECRET).unwrap();
    let h = WebhookHeaders {
        id,
        timestamp: "1614265330",
        signature: expected,
    };
    verifier
        .verify_signature_at(&h, body, at(1_614_265_330))
        .unwrap();
}

#[test]
fn valid_signature_is_accepted() {
    let body = body();
    let sig = signed(SECRET, "msg_1", TS, &body);
    let verifier = Verifier::new(SECRET).unwrap();
    let ev = verifier
        .verify_at(&headers("msg_1", &TS.to_string(), &sig), &body, at(TS + 10))
        .unwrap();
    assert_eq!(ev.event_id, "evt_cs");

    // Same check through the other header sources.
    let map: HashMap<&str, String> = [
        ("webhook-id", "msg_1".to_owned()),
        ("webhook-timestamp", TS.to_string()),
        ("webhook-signature", sig.clone()),
    ]
    .into();
    verifier.verify_at(&map, &body, at(TS)).unwrap();
    let ts = TS.to_string();
    let h = WebhookHeaders {
        id: "msg_1",
        timestamp: &ts,
        signature: &sig,
    };
    verifier.verify_at(&h, &body, at(TS)).unwrap();
}

#[test]
fn tampered_deliveries_are_rejected() {
    let body = body();
    let sig = signed(SECRET, "msg_1", TS, &body);
    let forged = signed(OTHER_SECRET, "msg_1", TS, &body);
    let mut altered = body.clone();
    altered[10] ^= 1;
    let ts = TS.to_string();
    let ts_moved = (TS + 1).to_string();
    let cases: [(&str, &str, &str, &str, &[u8]); 7] = [
        ("body altered", "msg_1", &ts, &sig, &altered),
        (
            "body extended",
            "msg_1",
            &ts,
            &sig,
            &[&body[..], b" "].concat(),
        ),
        ("id altered", "msg_2", &ts, &sig, &body),
        ("timestamp altered", "msg_1", &ts_moved, &sig, &body),
        ("other secret", "msg_1", &ts, &forged, &body),
        ("not base64", "msg_1", &ts, "v1,!!!", &body),
        (
            "wrong version",
            "msg_1",
            &ts,
            &sig.replace("v1,", "v2,"),
            &body,
        ),
    ];
    let verifier = Verifier::new(SECRET).unwrap();
    for (name, id, ts, sig, body) in cases {
        let err = verifier
            .verify_at(&headers(id, ts, sig), body, at(TS))
            .unwrap_err();
        assert!(
            matches!(err, WebhookError::NoMatchingSignature),
            "{name}: {err:?}"
        );
    }
}

#[test]
fn key_rotation() {
    let body = body();
    let old = signed(OTHER_SECRET, "msg_1", TS, &body);
    let new = signed(SECRET, "msg_1", TS, &body);
    let ts = TS.to_string();

    // Sender signs with two keys; the receiver knows only the second.
    let verifier = Verifier::new(SECRET).unwrap();
    let both = format!("v1,AAAA {old} {new}");
    verifier
        .verify_at(&headers("msg_1", &ts, &both), &body, at(TS))
        .unwrap();

    // Receiver knows two keys; the sender used the second.
    let verifier = Verifier::with_secrets(["whsec_c29tZS1vbGQta2V5", SECRET]).unwrap();
    verifier
        .verify_at(&headers("msg_1", &ts, &new), &body, at(TS))
        .unwrap();
}

#[test]
fn timestamps_outside_tolerance_are_rejected() {
    let body = body();
    let sig = signed(SECRET, "msg_1", TS, &body);
    let ts = TS.to_string();
    let verifier = Verifier::new(SECRET).unwrap();
    let five_min = 5 * 60;
    let cases = [
        ("just inside (old)", TS + five_min, true),
        ("just inside (future)", TS - five_min, true),
        ("replay", TS + five_min + 1, false),
        ("much later replay", TS + 86_400, false),
        ("future", TS - five_min - 1, false),
    ];
    for (name, now, ok) in cases {
        let res = verifier.verify_at(&headers("msg_1", &ts, &sig), &body, at(now));
        match (ok, res) {
            (true, Ok(_)) => {}
            (false, Err(WebhookError::TimestampOutsideTolerance { timestamp, .. })) => {
                assert_eq!(timestamp, TS, "{name}");
            }
            (_, res) => panic!("{name}: {res:?}"),
        }
    }
    let lenient = Verifier::new(SECRET)
        .unwrap()
        .with_tolerance(Duration::from_secs(86_400));
    lenient
        .verify_at(&headers("msg_1", &ts, &sig), &body, at(TS + 86_400))
        .unwrap();
}

#[test]
fn header_and_secret_errors() {
    let body = body();
    let sig = signed(SECRET, "msg_1", TS, &body);
    let ts = TS.to_string();
    let verifier = Verifier::new(SECRET).unwrap();

    let mut missing = headers("msg_1", &ts, &sig);
    missing.remove(2);
    assert!(matches!(
        verifier.verify_at(&missing, &body, at(TS)),
        Err(WebhookError::MissingHeader(HEADER_SIGNATURE))
    ));
    assert!(matches!(
        verifier.verify_at(&headers("", &ts, &sig), &body, at(TS)),
        Err(WebhookError::MissingHeader(HEADER_ID))
    ));
    for bad in ["soon", "1.5", "99999999999999999999", "-"] {
        assert!(
            matches!(
                verifier.verify_at(&headers("msg_1", bad, &sig), &body, at(TS)),
                Err(WebhookError::BadTimestamp(_))
            ),
            "{bad}"
        );
    }
    for bad in [
        "",
        "whsec_",
        "whsec_***",
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ] {
        assert!(
            matches!(Verifier::new(bad), Err(WebhookError::BadSecret(_))),
            "{bad:?}"
        );
    }
    assert!(matches!(
        Verifier::with_secrets(Vec::<String>::new()),
        Err(WebhookError::BadSecret(_))
    ));

    // Authentic but not an event: the JSON error comes after the signature check.
    let not_event = b"{}";
    let sig = signed(SECRET, "msg_1", TS, not_event);
    assert!(matches!(
        verifier.verify_at(&headers("msg_1", &ts, &sig), not_event, at(TS)),
        Err(WebhookError::Json(_))
    ));
    let small = Verifier::new(SECRET).unwrap().with_max_body(5);
    let sig = signed(SECRET, "msg_1", TS, &body);
    assert!(matches!(
        small.verify_at(&headers("msg_1", &ts, &sig), &body, at(TS)),
        Err(WebhookError::BodyTooLarge { .. })
    ));
}

#[test]
fn secret_never_in_debug_output() {
    let verifier = Verifier::with_secrets([SECRET, OTHER_SECRET]).unwrap();
    let dbg = format!("{verifier:?} {:?}", Secret::parse(SECRET).unwrap());
    for s in [SECRET, OTHER_SECRET] {
        let b64 = s.trim_start_matches("whsec_");
        assert!(!dbg.contains(b64), "{dbg}");
        assert!(!dbg.contains(&b64[..8]), "{dbg}");
    }
    let err = Verifier::new("whsec_***").unwrap_err().to_string();
    assert!(!err.contains("***"), "{err}");
}

// ---- correlation --------------------------------------------------------

#[test]
fn outcomes_resolve_reference_ids() {
    let mut c = Correlator::new();
    c.record_sent(
        uuid(REF_A),
        "CustomsShipmentInformation",
        Some("idem-a".into()),
        at(TS),
    );
    c.record_sent(uuid(REF_B), "CustomsShipmentInformation", None, at(TS + 1));
    assert!(c.outcome(uuid(REF_A)).is_none());

    assert!(c.observe(&event(creation_successful())));
    assert!(c.observe(&event(creation_unsuccessful())));

    let a = c.outcome(uuid(REF_A)).unwrap();
    assert_eq!(a.kind, OutcomeKind::Created);
    assert!(a.is_success());
    assert_eq!(a.customs_shipment_reference.as_deref(), Some("CSR-1"));
    let b = c.outcome(uuid(REF_B)).unwrap();
    assert_eq!(b.kind, OutcomeKind::CreationRejected);
    assert_eq!(
        b.errors.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(),
        ["E042", "E001"]
    );
    assert_eq!(
        c.sent(uuid(REF_A)).unwrap().idempotency_key.as_deref(),
        Some("idem-a")
    );
    assert!(c.unmatched().is_empty());

    // A later replace of A becomes its latest outcome; the creation stays.
    c.observe(&event(replace_successful()));
    assert_eq!(c.outcome(uuid(REF_A)).unwrap().kind, OutcomeKind::Replaced);
    assert_eq!(c.outcomes(uuid(REF_A)).len(), 2);
}

#[test]
fn status_history_is_ordered() {
    let mut c = Correlator::new();
    // Delivered out of order: the history follows changedAt.
    for ev in [
        status("s1", None, "Submitted", "2026-11-24T10:00:00Z"),
        status("s3", Some("Accepted"), "Released", "2026-11-24T12:00:00Z"),
        status("s2", Some("Submitted"), "Accepted", "2026-11-24T11:00:00Z"),
    ] {
        c.observe(&event(ev));
    }
    let h = c.status_history("CSR-1");
    assert_eq!(
        h.iter().map(|s| s.event_id.as_str()).collect::<Vec<_>>(),
        ["s1", "s2", "s3"]
    );
    assert_eq!(h[0].previous, None);
    assert_eq!(h[1].previous, Some(DeclarationStatus::Submitted));
    assert_eq!(
        c.current_status("CSR-1"),
        Some(&DeclarationStatus::Released)
    );
    assert!(c.status_history("CSR-unknown").is_empty());
    assert!(c.unmatched().is_empty());
}

#[test]
fn pending_since_lists_only_unresolved_old_messages() {
    let mut c = Correlator::new();
    c.record_sent(uuid(REF_A), "CustomsShipmentInformation", None, at(TS)); // resolved
    c.record_sent(
        uuid(REF_B),
        "CustomsShipmentInformation",
        None,
        at(TS + 100),
    ); // resolved
    c.record_sent(uuid(REF_C), "CustomsShipmentInformation", None, at(TS + 50)); // old, open
    let recent = Uuid::from_u128(42);
    c.record_sent(recent, "CustomsShipmentInformation", None, at(TS + 1000)); // too recent
    c.observe(&event(creation_successful()));
    c.observe(&event(creation_unsuccessful()));

    let pending = c.pending_since(at(TS + 500));
    assert_eq!(
        pending.iter().map(|m| m.reference_id).collect::<Vec<_>>(),
        [uuid(REF_C)]
    );
    assert_eq!(c.pending_since(at(TS + 2000)).len(), 2);
    assert!(c.pending_since(at(TS)).is_empty());
}

#[test]
fn duplicate_deliveries_are_idempotent() {
    let mut c = Correlator::new();
    c.record_sent(uuid(REF_A), "CustomsShipmentInformation", None, at(TS));
    assert!(c.observe(&event(creation_successful())));
    assert!(!c.observe(&event(creation_successful())));
    let s = event(status("s1", None, "Submitted", "2026-11-24T10:00:00Z"));
    assert!(c.observe(&s));
    assert!(!c.observe(&s));

    assert_eq!(c.outcomes(uuid(REF_A)).len(), 1);
    assert_eq!(c.status_history("CSR-1").len(), 1);
    assert_eq!(c.events().len(), 2);
}

#[test]
fn unmatched_events_are_kept() {
    let mut c = Correlator::new();
    // No record_sent yet: the webhook raced the 202 response.
    c.observe(&event(replace_unsuccessful()));
    c.observe(&event(
        json!({"eventId": "evt_x", "eventType": "GoodsArrived",
                            "occurredAt": "2026-11-24T10:00:00Z", "data": {}}),
    ));
    let unmatched: Vec<&str> = c.unmatched().iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(unmatched, ["evt_ru", "evt_x"]);
    // The outcome was kept and resolves once the send is recorded.
    assert_eq!(
        c.outcome(uuid(REF_C)).unwrap().kind,
        OutcomeKind::ReplaceRejected
    );
    c.record_sent(uuid(REF_C), "CustomsShipmentInformation", None, at(TS));
    assert!(c.pending_since(at(TS + 1)).is_empty());
    let unmatched: Vec<&str> = c.unmatched().iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(unmatched, ["evt_x"]);
}
