use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET: &str = "whsec_c2VjcmV0LW51bWJlci10d28tZm9yLXRlc3Rz";
const TS: i64 = 1_764_000_000;

fn at(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs as u64)
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(name)).unwrap()
}

fn event(v: &Value) -> WebhookEvent {
    WebhookEvent::from_json(v.to_string().as_bytes()).unwrap()
}

/// The JSON with member names trimmed in the envelope and in `data`, as
/// the reader reads them.
fn trimmed(v: &Value) -> Value {
    fn trim(m: &serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
        m.iter()
            .map(|(k, v)| (k.trim().to_owned(), v.clone()))
            .collect()
    }
    let mut top = trim(v.as_object().unwrap());
    if let Some(Value::Object(d)) = top.get("data") {
        let d = trim(d);
        top.insert("data".into(), Value::Object(d));
    }
    Value::Object(top)
}

// ---- events -------------------------------------------------------------

/// (fixture, eventType, which typed variant).
const FIXTURES: &[(&str, &str, &str)] = &[
    (
        "creation-unsuccessful.json",
        "CustomsShipmentInformation",
        "ShipmentInformation",
    ),
    (
        "replace-successful.json",
        "CustomsShipmentInformationPayload",
        "ShipmentInformation",
    ),
    (
        "replace-unsuccessful.json",
        "CustomsShipmentInformation",
        "ShipmentInformation",
    ),
    (
        "declaration-status-changed.json",
        "DeclarationStatusChanged",
        "DeclarationStatusChanged",
    ),
    (
        "declaration-pdf-created.json",
        "DeclarationPdfCreated",
        "DeclarationPdfCreated",
    ),
    (
        "declaration-action-finished.json",
        "DeclarationActionFinished",
        "DeclarationActionFinished",
    ),
    ("coo-pdf-created.json", "CoOPDFCreated", "CoOPdfCreated"),
    (
        "customs-data-returned.json",
        "CustomsDataReturned",
        "CustomsDataReturned",
    ),
    ("duties-received.json", "DutiesReceived", "Untyped"),
];

fn variant(data: &EventData) -> &'static str {
    match data {
        EventData::ShipmentInformation(_) => "ShipmentInformation",
        EventData::DeclarationStatusChanged(_) => "DeclarationStatusChanged",
        EventData::DeclarationPdfCreated(_) => "DeclarationPdfCreated",
        EventData::DeclarationActionFinished(_) => "DeclarationActionFinished",
        EventData::CoOPdfCreated(_) => "CoOPdfCreated",
        EventData::CustomsDataReturned(_) => "CustomsDataReturned",
        EventData::Untyped { .. } => "Untyped",
    }
}

#[test]
fn every_fixture_parses_typed_and_writes_back_equal() {
    let mut files: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|f| f.0.to_owned()).collect();
    listed.sort();
    assert_eq!(files, listed, "every fixture is checked");
    for (file, ty, var) in FIXTURES {
        let text = fixture(file);
        let ev = WebhookEvent::from_json(text.as_bytes()).unwrap();
        assert_eq!(ev.event_type, *ty, "{file}");
        assert_eq!(variant(&ev.data), *var, "{file}");
        if let EventData::Untyped { mismatch, .. } = &ev.data {
            assert_eq!(mismatch, &None, "{file}");
        }
        let original: Value = serde_json::from_str(&text).unwrap();
        let back: Value = serde_json::from_slice(&ev.to_json().unwrap()).unwrap();
        assert_eq!(back, trimmed(&original), "{file}: written back");
        assert_eq!(
            WebhookEvent::from_json(&ev.to_json().unwrap()).unwrap(),
            ev,
            "{file}"
        );
    }
}

#[test]
fn typed_members_are_read() {
    let ev = WebhookEvent::from_json(fixture("creation-unsuccessful.json").as_bytes()).unwrap();
    assert_eq!(ev.sub_type(), Some("CreationUnsuccessful"));
    assert_eq!(ev.tenant_id.as_deref(), Some("tenant-0001"));
    assert_eq!(
        ev.ingestion_references(),
        ["0b6a3f1e-2222-4c1d-8e3f-9a8b7c6d5e4f"]
    );
    assert_eq!(ev.shipment_reference(), Some("SHP-2024-0002"));
    let EventData::ShipmentInformation(info) = &ev.data else {
        panic!("{ev:?}")
    };
    assert_eq!(info.direction.as_deref(), Some("OUT"));
    assert_eq!(info.errors().len(), 2);
    assert!(info.errors()[0].contains("already exists"));

    // Seven fractional digits, exact to 100 ns.
    let ev =
        WebhookEvent::from_json(fixture("declaration-status-changed.json").as_bytes()).unwrap();
    assert_eq!(ev.event_time.as_str(), "2026-11-24T12:30:45.9876543Z");
    assert_eq!(ev.event_time.at().nanosecond(), 987_654_300);
    assert_eq!(ev.declaration_status(), Some(DeclarationStatus::Accepted));
    let d = ev.data.declaration().unwrap();
    assert_eq!(d.customs_flow_step_instance_count, Field::Value(1));
    assert_eq!(d.storage_location, Field::Null);
    assert_eq!(d.arc, Field::Absent);
    assert_eq!(d.mrn.as_deref(), Some("26BEE1000000123456"));

    let ev =
        WebhookEvent::from_json(fixture("declaration-action-finished.json").as_bytes()).unwrap();
    let EventData::DeclarationActionFinished(d) = &ev.data else {
        panic!("{ev:?}")
    };
    assert_eq!(d.action.as_deref(), Some("GoodsArrived"));
    assert_eq!(d.sequence_number, Field::Value(json!(3)));
    assert_eq!(
        d.current_status.get(),
        Some(&DeclarationStatus::GoodsArrived)
    );

    // Keys with stray spaces read trimmed; the address members are kept.
    let ev = WebhookEvent::from_json(fixture("customs-data-returned.json").as_bytes()).unwrap();
    assert_eq!(ev.plant_id.as_deref(), Some(""));
    let EventData::CustomsDataReturned(d) = &ev.data else {
        panic!("{ev:?}")
    };
    assert_eq!(d.mawb.as_deref(), Some("176-12345675"));
    assert_eq!(d.shed_code.as_deref(), Some("BRU1"));
    assert_eq!(d.num_of_packages_received.as_deref(), Some("11"));
    assert!(d.extra.contains_key("shipperAddress"));

    let ev = WebhookEvent::from_json(fixture("coo-pdf-created.json").as_bytes()).unwrap();
    assert_eq!(ev.shipment_reference(), Some("SHP-2024-0002"));
}

#[test]
fn statuses_are_an_open_enum() {
    for s in [
        "InProgress",
        "Accepted",
        "Released",
        "Invalid",
        "BcpQueued",
        "ExitConfirmed",
    ] {
        let parsed = DeclarationStatus::parse(s);
        assert!(!matches!(parsed, DeclarationStatus::Other(_)), "{s}");
        assert_eq!(parsed.as_str(), s);
    }
    let other = DeclarationStatus::parse("SomethingNew");
    assert_eq!(other, DeclarationStatus::Other("SomethingNew".into()));
    let v = json!({"id": "e", "eventTime": "2026-11-24T10:00:00Z",
                   "eventType": "DeclarationStatusChanged", "eventSubType": "SomethingNew",
                   "data": {"customsShipmentReference": "S", "currentStatus": "SomethingNew"}});
    let ev = event(&v);
    assert_eq!(ev.declaration_status(), Some(other));
    let back: Value = serde_json::from_slice(&ev.to_json().unwrap()).unwrap();
    assert_eq!(back, v);
}

#[test]
fn unknown_types_subtypes_and_members_survive() {
    let v = json!({"id": "e1", "tenantId": "t", "plantId": "p",
                   "eventTime": "2026-11-24T10:00:00.1234567Z",
                   "eventType": "CustomsShipmentInformation", "eventSubType": "CreationParked",
                   "data": {"ingestionReferences": ["r1"], "newThing": {"a": [1, 2.5, null]},
                            "errorDescriptions": null},
                   "schemaVersion": 3});
    let ev = event(&v);
    assert!(matches!(ev.data, EventData::ShipmentInformation(_)));
    assert_eq!(ev.extra["schemaVersion"], json!(3));
    let back: Value = serde_json::from_slice(&ev.to_json().unwrap()).unwrap();
    assert_eq!(back, v);

    // A known type whose data has another shape: kept, with the mismatch.
    let v = json!({"id": "e2", "eventTime": "2026-11-24T10:00:00Z",
                   "eventType": "DeclarationStatusChanged", "eventSubType": "Accepted",
                   "data": {"customsFlowStepInstanceCount": "one"}});
    let ev = event(&v);
    let EventData::Untyped {
        mismatch: Some(m), ..
    } = &ev.data
    else {
        panic!("{ev:?}")
    };
    assert!(m.contains("invalid type"), "{m}");
    let back: Value = serde_json::from_slice(&ev.to_json().unwrap()).unwrap();
    assert_eq!(back, v);
}

#[test]
fn event_times() {
    for (text, nanos) in [
        ("2026-11-24T10:00:00Z", 0),
        ("2026-11-24T10:00:00.1Z", 100_000_000),
        ("2026-11-24T10:00:00.1234567Z", 123_456_700),
        ("2026-11-24T11:00:00.5+01:00", 500_000_000),
        ("2026-11-24T10:00:00.25", 250_000_000),
    ] {
        let t = EventTime::parse(text).unwrap_or_else(|| panic!("{text}"));
        assert_eq!(t.at().nanosecond(), nanos, "{text}");
        assert_eq!(t.at().to_offset(time::UtcOffset::UTC).hour(), 10, "{text}");
        assert_eq!(t.as_str(), text);
    }
    for bad in ["", "yesterday", "2026-13-01T00:00:00Z", "2026-11-24"] {
        assert!(EventTime::parse(bad).is_none(), "{bad}");
    }
    let now = time::OffsetDateTime::now_utc();
    let written = EventTime::from_instant(now);
    assert_eq!(written.as_str().len(), "2026-11-24T10:00:00.1234567Z".len());
    let read = EventTime::parse(written.as_str()).unwrap();
    assert_eq!(
        read.at().unix_timestamp_nanos() / 100,
        now.unix_timestamp_nanos() / 100
    );
}

#[test]
fn not_events_are_errors() {
    let cases: &[&[u8]] = &[
        b"",
        b"not json",
        b"[]",
        b"{}",
        br#"{"eventType":"X","eventTime":"2026-11-24T10:00:00Z","data":{}}"#,
        br#"{"id":"e","eventType":"X","data":{}}"#,
        br#"{"id":"e","eventType":"X","eventTime":"soon","data":{}}"#,
        br#"{"id":7,"eventType":"X","eventTime":"2026-11-24T10:00:00Z"}"#,
    ];
    for body in cases {
        let err = WebhookEvent::from_json(body).unwrap_err();
        assert!(matches!(err, WebhookError::Json(_)), "{err:?}");
        assert_eq!(err.status(), 400);
    }
}

#[test]
fn body_size_is_limited() {
    let body = fixture("coo-pdf-created.json");
    let err = WebhookEvent::from_json_with_limit(body.as_bytes(), 100).unwrap_err();
    assert!(
        matches!(err, WebhookError::BodyTooLarge { limit: 100, .. }),
        "{err:?}"
    );
    assert_eq!(err.status(), 413);
}

// ---- receiver -----------------------------------------------------------

fn no_headers() -> Vec<(String, String)> {
    Vec::new()
}

#[test]
fn receiver_accepts_unsigned_and_drops_duplicates() {
    let receiver = Receiver::new(ReceiverConfig::default(), MemoryStore::default());
    let h = no_headers();
    for file in [
        "creation-unsuccessful.json",
        "declaration-status-changed.json",
    ] {
        let body = fixture(file);
        let d = Delivery {
            query: None,
            headers: &h,
            body: body.as_bytes(),
        };
        let first = receiver.receive(&d);
        assert!(matches!(first, Received::Recorded(_)), "{first:?}");
        assert_eq!(first.status(), 200);
        let again = receiver.receive(&d);
        assert!(matches!(again, Received::Duplicate(_)), "{again:?}");
        assert_eq!(again.status(), 200);
    }
    assert_eq!(receiver.with_store(|s| s.events.len()), 2);

    let d = Delivery {
        query: None,
        headers: &h,
        body: b"{\"hello\": 1}",
    };
    assert_eq!(receiver.receive(&d).status(), 400);
    let big = vec![b' '; DEFAULT_MAX_BODY + 1];
    let d = Delivery {
        query: None,
        headers: &h,
        body: &big,
    };
    assert_eq!(receiver.receive(&d).status(), 413);
}

#[test]
fn receiver_checks_what_the_user_turns_on() {
    let body = fixture("coo-pdf-created.json");
    let config = ReceiverConfig {
        url_token: Some("s3cr3t-token".into()),
        ..ReceiverConfig::default()
    };
    let receiver = Receiver::new(config, MemoryStore::default());
    let h = no_headers();
    for query in [
        None,
        Some("token=wrong"),
        Some("x=1"),
        Some("token=s3cr3t-toke"),
    ] {
        let d = Delivery {
            query,
            headers: &h,
            body: body.as_bytes(),
        };
        let r = receiver.receive(&d);
        assert!(
            matches!(r, Received::Refused(WebhookError::BadUrlToken)),
            "{query:?}: {r:?}"
        );
        assert_eq!(r.status(), 401);
        assert!(!format!("{r:?} {}", WebhookError::BadUrlToken).contains("s3cr3t"));
    }
    let d = Delivery {
        query: Some("a=b&token=s3cr3t-token"),
        headers: &h,
        body: body.as_bytes(),
    };
    assert!(matches!(receiver.receive(&d), Received::Recorded(_)));

    let config = ReceiverConfig {
        basic_auth: Some(("cas".into(), "pa55".into())),
        ..ReceiverConfig::default()
    };
    assert!(!format!("{config:?}").contains("pa55"));
    let receiver = Receiver::new(config, MemoryStore::default());
    let auth = |v: &str| vec![("Authorization".to_owned(), v.to_owned())];
    for (h, ok) in [
        (no_headers(), false),
        (auth("Basic Y2FzOnBhNTU="), true),  // cas:pa55
        (auth("Basic Y2FzOnBhNTY="), false), // cas:pa56
        (auth("Bearer Y2FzOnBhNTU="), false),
    ] {
        let d = Delivery {
            query: None,
            headers: &h,
            body: body.as_bytes(),
        };
        let r = receiver.receive(&d);
        assert_eq!(r.status(), if ok { 200 } else { 401 }, "{h:?}: {r:?}");
    }

    let config = ReceiverConfig {
        signature: Some(Verifier::new(SECRET).unwrap()),
        ..ReceiverConfig::default()
    };
    let receiver = Receiver::new(config, MemoryStore::default());
    let sig = signed(SECRET, "msg_1", TS, body.as_bytes());
    let d = Delivery {
        query: None,
        headers: &h,
        body: body.as_bytes(),
    };
    assert_eq!(receiver.receive_at(&d, at(TS)).status(), 401);
    let hs = headers("msg_1", &TS.to_string(), &sig);
    let d = Delivery {
        query: None,
        headers: &hs,
        body: body.as_bytes(),
    };
    assert!(matches!(
        receiver.receive_at(&d, at(TS)),
        Received::Recorded(_)
    ));
}

struct FailingStore;

impl EventStore for FailingStore {
    fn recorded_ids(&self) -> Vec<String> {
        Vec::new()
    }
    fn record(&mut self, _: &WebhookEvent, _: &[u8]) -> std::io::Result<()> {
        Err(std::io::Error::other("disk full"))
    }
}

#[test]
fn receiver_does_not_acknowledge_what_it_could_not_record() {
    let receiver = Receiver::new(ReceiverConfig::default(), FailingStore);
    let body = fixture("replace-successful.json");
    let h = no_headers();
    let d = Delivery {
        query: None,
        headers: &h,
        body: body.as_bytes(),
    };
    for _ in 0..2 {
        let r = receiver.receive(&d);
        assert!(
            matches!(r, Received::Refused(WebhookError::Store(_))),
            "{r:?}"
        );
        assert_eq!(r.status(), 503);
    }
}

#[test]
fn event_log_survives_reopening_and_torn_lines() {
    let dir = std::env::temp_dir().join(format!("cas-eventlog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("events.jsonl");
    let _ = std::fs::remove_file(&path);
    let h = no_headers();
    {
        let receiver = Receiver::new(ReceiverConfig::default(), EventLog::open(&path).unwrap());
        for file in ["creation-unsuccessful.json", "customs-data-returned.json"] {
            let body = fixture(file);
            let d = Delivery {
                query: None,
                headers: &h,
                body: body.as_bytes(),
            };
            assert!(matches!(receiver.receive(&d), Received::Recorded(_)));
        }
    }
    // A crash in the middle of a line.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"id\":\"torn"))
        .unwrap();
    let receiver = Receiver::new(ReceiverConfig::default(), EventLog::open(&path).unwrap());
    let body = fixture("creation-unsuccessful.json");
    let d = Delivery {
        query: None,
        headers: &h,
        body: body.as_bytes(),
    };
    assert!(matches!(receiver.receive(&d), Received::Duplicate(_)));
    let body = fixture("duties-received.json");
    let d = Delivery {
        query: None,
        headers: &h,
        body: body.as_bytes(),
    };
    assert!(matches!(receiver.receive(&d), Received::Recorded(_)));
    let ids: Vec<String> = EventLog::read(&path)
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert_eq!(ids[2], "1b2c3d4e-8888-4f90-a1b2-c3d4e5f6a7b8");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- signatures ---------------------------------------------------------

fn body() -> Vec<u8> {
    fixture("creation-unsuccessful.json")
        .replace("3f7d2a10-8c1e-4b6a-9f21-0d4e5c6b7a81", "evt_cu")
        .into_bytes()
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
    assert_eq!(ev.id, "evt_cu");

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

fn sent(reference: &str, file: &str, ext: &str, dir: &str, mt: &str, at_secs: i64) -> SentMessage {
    SentMessage {
        reference_id: reference.into(),
        message_name: "CustomsShipment".into(),
        file: Some(file.into()),
        shipment: Some(ShipmentKey {
            external_reference: ext.into(),
            direction: dir.into(),
        }),
        message_type: Some(mt.into()),
        sent_at: at(at_secs),
    }
}

fn info(
    id: &str,
    sub: &str,
    refs: &[&str],
    ext: &str,
    time: &str,
    errors: &[&str],
) -> WebhookEvent {
    let mut data =
        json!({"ingestionReferences": refs, "businessReference": ext, "direction": "OUT"});
    if !errors.is_empty() {
        data["errorDescriptions"] = json!(errors);
    }
    event(
        &json!({"id": id, "tenantId": "t", "plantId": "p", "eventTime": time,
                  "eventType": "CustomsShipmentInformation", "eventSubType": sub, "data": data}),
    )
}

fn status(id: &str, decl: &str, ext: &str, st: &str, time: &str) -> WebhookEvent {
    event(
        &json!({"id": id, "eventTime": time, "eventType": "DeclarationStatusChanged",
                  "eventSubType": st,
                  "data": {"id": decl, "customsShipmentReference": ext, "currentStatus": st}}),
    )
}

// 2026-11-24T10:00:00Z
const T0: i64 = 1_795_514_400;

#[test]
fn outcomes_resolve_reference_ids() {
    let mut c = Correlator::new();
    c.record_sent(sent("r-new", "a.xml", "SHP-1", "OUT", "New", T0));
    c.record_sent(sent("r-new2", "b.xml", "SHP-1", "OUT", "New", T0 + 1));
    c.record_sent(sent("r-rep", "c.xml", "SHP-1", "OUT", "Replace", T0 + 2));
    // The outcome can arrive before the record of the send.
    assert!(c.observe(&info(
        "e1",
        "CreationUnsuccessful",
        &["r-new2"],
        "SHP-1",
        "2026-11-24T10:00:05Z",
        &["already exists"]
    )));
    assert!(c.observe(&info(
        "e2",
        "ReplaceSuccessful",
        &["r-rep"],
        "SHP-1",
        "2026-11-24T10:00:06Z",
        &[]
    )));
    let o = c.outcome("r-new2").unwrap();
    assert_eq!(o.kind, OutcomeKind::CreationUnsuccessful);
    assert_eq!(o.error_descriptions, ["already exists"]);
    assert_eq!(c.sent("r-new2").unwrap().file.as_deref(), Some("b.xml"));
    assert!(c.outcome("r-rep").unwrap().is_success());
    assert_eq!(c.outcome("r-new"), None);
    assert_eq!(c.resolution("r-new"), Resolution::Pending);
    assert!(c.unmatched().is_empty());
    assert_eq!(
        c.sent_for(&ShipmentKey {
            external_reference: "SHP-1".into(),
            direction: "OUT".into()
        })
        .len(),
        3
    );
}

#[test]
fn declarations_by_external_reference_in_event_time_order() {
    let mut c = Correlator::new();
    c.record_sent(sent("r1", "a.xml", "SHP-9", "OUT", "New", T0));
    // Out of order and duplicated.
    let released = status(
        "s3",
        "d1",
        "SHP-9",
        "Released",
        "2026-11-24T10:00:03.0000003Z",
    );
    let accepted = status(
        "s2",
        "d1",
        "SHP-9",
        "Accepted",
        "2026-11-24T10:00:03.0000002Z",
    );
    let progress = status("s1", "d1", "SHP-9", "InProgress", "2026-11-24T10:00:01Z");
    let other = status("s4", "d2", "SHP-9", "InProgress", "2026-11-24T10:00:02Z");
    for e in [
        &released, &accepted, &released, &other, &progress, &accepted,
    ] {
        c.observe(e);
    }
    let decls = c.declarations("SHP-9");
    assert_eq!(decls.len(), 2);
    let d1 = decls.iter().find(|d| d.id == "d1").unwrap();
    let statuses: Vec<&str> = d1.history.iter().map(|h| h.status.as_str()).collect();
    assert_eq!(statuses, ["InProgress", "Accepted", "Released"]);
    assert_eq!(d1.current(), Some(&DeclarationStatus::Released));
    assert_eq!(c.events().len(), 4);
    assert_eq!(c.resolution("r1"), Resolution::Progressing);
    assert!(!c.is_ambiguous("SHP-9"));
    c.record_sent(sent("r2", "b.xml", "SHP-9", "IN", "New", T0));
    assert!(c.is_ambiguous("SHP-9"));
}

#[test]
fn pending_after_a_configurable_time() {
    let mut c = Correlator::new();
    c.record_sent(sent("old", "a.xml", "SHP-A", "OUT", "New", T0));
    c.record_sent(sent("young", "b.xml", "SHP-B", "OUT", "New", T0 + 100));
    c.record_sent(sent("done", "c.xml", "SHP-C", "OUT", "New", T0));
    c.record_sent(sent("replace", "d.xml", "SHP-D", "OUT", "Replace", T0));
    c.observe(&info(
        "e1",
        "CreationUnsuccessful",
        &["done"],
        "SHP-C",
        "2026-11-24T10:00:01Z",
        &["x"],
    ));
    // Declarations moving do not resolve a Replace: it always gets an outcome.
    c.observe(&status(
        "s1",
        "d",
        "SHP-D",
        "InProgress",
        "2026-11-24T10:00:01Z",
    ));
    let now = at(T0 + 120);
    let pending: Vec<&str> = c
        .pending(now, Duration::from_secs(60))
        .iter()
        .map(|m| m.reference_id.as_str())
        .collect();
    assert_eq!(pending, ["old", "replace"]);
    let pending = c.pending(now, Duration::from_secs(10));
    assert_eq!(pending.len(), 3);
    // A status change from before the send is no sign of progress.
    c.observe(&status(
        "s0",
        "d",
        "SHP-A",
        "InProgress",
        "2026-11-24T09:00:00Z",
    ));
    assert_eq!(c.resolution("old"), Resolution::Pending);
    c.observe(&status(
        "s2",
        "d",
        "SHP-A",
        "InProgress",
        "2026-11-24T10:00:30Z",
    ));
    assert_eq!(c.resolution("old"), Resolution::Progressing);
}

#[test]
fn unmatched_events_are_listed() {
    let mut c = Correlator::new();
    c.record_sent(sent("r1", "a.xml", "SHP-1", "OUT", "New", T0));
    c.observe(&info(
        "e1",
        "CreationUnsuccessful",
        &["nobody"],
        "SHP-X",
        "2026-11-24T10:00:01Z",
        &[],
    ));
    c.observe(&status(
        "s1",
        "d",
        "SHP-2",
        "InProgress",
        "2026-11-24T10:00:01Z",
    ));
    c.observe(&status(
        "s2",
        "d",
        "SHP-1",
        "InProgress",
        "2026-11-24T10:00:01Z",
    ));
    c.observe(&WebhookEvent::from_json(fixture("duties-received.json").as_bytes()).unwrap());
    let ids: Vec<&str> = c.unmatched().iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["e1", "s1", "1b2c3d4e-8888-4f90-a1b2-c3d4e5f6a7b8"]);
}
