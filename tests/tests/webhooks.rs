//! The whole webhook loop on 127.0.0.1: the client sends messages to the
//! sandbox, which processes them by CAS's business rules and delivers
//! events in CAS's envelope (unsigned, as CAS does, unless configured) to a
//! subscriber running in the test; the subscriber accepts each delivery
//! with a `Receiver` and feeds what it records to a `Correlator`.
//!
//! Waits are bounded polls, never fixed sleeps.

use cas_api::MessageExt;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use cas_api::client::{Client, IdempotencyKey, Jitter, Outbound, RetryPolicy};
use cas_api::webhook::{
    Correlator, DeclarationStatus, Delivery, EventData, HEADER_ID, HEADER_SIGNATURE,
    HEADER_TIMESTAMP, MemoryStore, OutcomeKind, Received, Receiver, ReceiverConfig, Resolution,
    Secret, SentMessage, ShipmentKey, Verifier, WebhookEvent, WebhookHeaders, sign,
};
use cas_messages::Message;
use cas_sandbox::{NET_MASS_EXCEEDS_GROSS, ServerConfig, TestServer, redelivery_delays};
use cas_tests::schemas_dir;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET: &str = "whsec_c2VjcmV0LW9mLWFuLWF0dGFja2VyLTEyMzQ1Njc4";
const WAIT: Duration = Duration::from_secs(20);

/// One delivery the subscriber accepted, as received.
#[derive(Clone, Debug)]
struct Raw {
    headers: Vec<(String, String)>,
    body: Bytes,
}

struct SubState {
    receiver: Receiver<MemoryStore>,
    correlator: Mutex<Correlator>,
    accepted: Mutex<Vec<Raw>>,
    /// Answer 503 to this many next requests, before anything else.
    fail_next: AtomicU32,
    unavailable: AtomicU32,
    /// Refusals, as logged.
    rejected: Mutex<Vec<String>>,
}

/// A webhook receiver on 127.0.0.1:0.
struct Subscriber {
    url: String,
    state: Arc<SubState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    state: Arc<SubState>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let reply = |status: u16| {
        let mut r = Response::new(Full::new(Bytes::new()));
        *r.status_mut() = StatusCode::from_u16(status).expect("status");
        Ok(r)
    };
    if state
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        state.unavailable.fetch_add(1, Ordering::SeqCst);
        return reply(503);
    }
    let query = req.uri().query().map(str::to_owned);
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let body = req.into_body().collect().await?.to_bytes();
    let delivery = Delivery {
        query: query.as_deref(),
        headers: &headers,
        body: &body,
    };
    let received = state.receiver.receive(&delivery);
    let status = received.status();
    match received {
        Received::Recorded(event) => {
            state.correlator.lock().expect("correlator").observe(&event);
            state
                .accepted
                .lock()
                .expect("raw")
                .push(Raw { headers, body });
        }
        Received::Duplicate(_) => {}
        Received::Refused(e) => state.rejected.lock().expect("rejected").push(e.to_string()),
    }
    reply(status)
}

async fn subscriber_with(config: ReceiverConfig) -> Subscriber {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let state = Arc::new(SubState {
        receiver: Receiver::new(config, MemoryStore::default()),
        correlator: Mutex::new(Correlator::new()),
        accepted: Mutex::new(Vec::new()),
        fail_next: AtomicU32::new(0),
        unavailable: AtomicU32::new(0),
        rejected: Mutex::new(Vec::new()),
    });
    let st = Arc::clone(&state);
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let st = Arc::clone(&st);
            tokio::spawn(async move {
                let svc = service_fn(move |req| receive(Arc::clone(&st), req));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Subscriber {
        url: format!("http://{addr}/cas/webhooks"),
        state,
        task,
    }
}

/// A subscriber as a CAS user runs one: no checks.
async fn subscriber() -> Subscriber {
    subscriber_with(ReceiverConfig::default()).await
}

fn client(server: &TestServer) -> Client {
    Client::builder(server.base_url())
        .timeout(Duration::from_secs(5))
        .retry(RetryPolicy {
            max_attempts: 1,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(10),
            deadline: Duration::from_secs(10),
            jitter: Jitter::None,
        })
        .build()
        .expect("client")
}

fn example(name: &str, file: &str) -> String {
    std::fs::read_to_string(schemas_dir().join("examples").join(name).join(file)).expect("example")
}

/// The typical CustomsShipment (external reference SHP-2024-0002, OUT,
/// messageType New, net 1340.5 kg, gross 1520 kg) with another external
/// reference and message type.
fn shipment(external_reference: &str, message_type: &str) -> String {
    let xml = example("CustomsShipment", "valid/typical.xml");
    assert!(xml.contains("<ExternalReference>SHP-2024-0002</ExternalReference>"));
    assert!(xml.contains("<MessageType>New</MessageType>"));
    xml.replace(
        "<ExternalReference>SHP-2024-0002</ExternalReference>",
        &format!("<ExternalReference>{external_reference}</ExternalReference>"),
    )
    .replace(
        "<MessageType>New</MessageType>",
        &format!("<MessageType>{message_type}</MessageType>"),
    )
}

/// A total gross mass below the goods items' net mass: the declaration becomes Invalid.
fn heavy_shipment(external_reference: &str) -> String {
    let xml = shipment(external_reference, "New");
    assert!(xml.contains("<TotalGrossMass>1520</TotalGrossMass>"));
    xml.replace(
        "<TotalGrossMass>1520</TotalGrossMass>",
        "<TotalGrossMass>1000</TotalGrossMass>",
    )
}

/// Sends `xml` under `key` and records it as sent from `file`.
async fn send(client: &Client, sub: &Subscriber, xml: String, key: &str, file: &str) -> String {
    let msg = Message::from_xml(&xml).expect("valid document");
    let (shipment, message_type) = match &msg {
        Message::CustomsShipment(s) => (
            Some(ShipmentKey {
                external_reference: s.external_reference.get().to_string(),
                direction: s.direction.as_str().to_owned(),
            }),
            Some(
                s.message_type
                    .as_ref()
                    .map_or("New", |t| t.as_str())
                    .to_owned(),
            ),
        ),
        _ => (None, None),
    };
    let sent_at = SystemTime::now();
    let out = Outbound::new(msg.endpoint(), msg.message_name(), xml)
        .with_key(IdempotencyKey::new(key).expect("key"));
    let acc = client.send_outbound(out).await.expect("accepted");
    let reference_id = acc.reference_id.to_string();
    sub.state
        .correlator
        .lock()
        .expect("correlator")
        .record_sent(SentMessage {
            reference_id: reference_id.clone(),
            message_name: msg.message_name().to_owned(),
            file: Some(file.to_owned()),
            shipment,
            message_type,
            sent_at,
        });
    reference_id
}

/// Polls until `done` holds for the correlator, at most [`WAIT`].
async fn wait_for(sub: &Subscriber, what: &str, done: impl Fn(&Correlator) -> bool) {
    let start = tokio::time::Instant::now();
    loop {
        if done(&sub.state.correlator.lock().expect("correlator")) {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "{what}: not within {WAIT:?}: {:?}",
            snapshot(sub).events()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn snapshot(sub: &Subscriber) -> Correlator {
    sub.state.correlator.lock().expect("correlator").clone()
}

fn statuses(c: &Correlator, external_reference: &str) -> Vec<Vec<String>> {
    c.declarations(external_reference)
        .iter()
        .map(|d| d.history.iter().map(|h| h.status.to_string()).collect())
        .collect()
}

fn released(c: &Correlator, external_reference: &str) -> bool {
    c.declarations(external_reference)
        .iter()
        .any(|d| d.current() == Some(&DeclarationStatus::Released))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_events_in_cas_envelope_tie_back_to_reference_ids_and_files() {
    let sub = subscriber().await;
    let server = TestServer::start_with(ServerConfig::new(&sub.url))
        .await
        .expect("server");
    let client = client(&server);

    let mut others = Vec::new();
    for name in ["ArticleDataItem", "BusinessPartners", "Formula"] {
        let file = format!("{name}.xml");
        let xml = example(name, "valid/typical.xml");
        others.push(send(&client, &sub, xml, &format!("k-{name}"), &file).await);
    }
    let good = send(
        &client,
        &sub,
        shipment("SHP-GOOD", "New"),
        "k-good",
        "good.xml",
    )
    .await;
    let heavy = send(
        &client,
        &sub,
        heavy_shipment("SHP-HEAVY"),
        "k-heavy",
        "heavy.xml",
    )
    .await;

    wait_for(&sub, "both flows end", |c| {
        released(c, "SHP-GOOD")
            && c.declarations("SHP-HEAVY")
                .iter()
                .any(|d| d.current() == Some(&DeclarationStatus::Invalid))
    })
    .await;
    assert!(server.wait_webhooks_idle(WAIT).await, "server still busy");
    let c = snapshot(&sub);

    assert_eq!(
        statuses(&c, "SHP-GOOD"),
        [["InProgress", "Accepted", "Released"]]
    );
    assert_eq!(statuses(&c, "SHP-HEAVY"), [["InProgress", "Invalid"]]);
    // The Invalid declaration says why, through the Declarations API's store.
    let stored = server.declarations().by_external_reference("SHP-HEAVY");
    assert_eq!(stored.len(), 1);
    let invalid = &stored[0];
    assert_eq!(invalid.current_status, "Invalid");
    assert_eq!(invalid.errors.len(), 1);
    assert_eq!(invalid.errors[0].error_code, NET_MASS_EXCEEDS_GROSS);
    assert_eq!(invalid.direction.as_deref(), Some("OUT"));
    assert_eq!(invalid.customs_flow.as_deref(), Some("Export"));
    assert_eq!(invalid.ingestion_references, std::slice::from_ref(&heavy));
    let good_stored = server.declarations().by_external_reference("SHP-GOOD");
    assert_eq!(good_stored[0].current_status, "Released");
    assert!(good_stored[0].mrn.is_some());
    assert!(good_stored[0].errors.is_empty());

    // CAS reports no success event: the shipments progress, the rest is
    // still waiting for an outcome that never comes (master data).
    assert_eq!(c.resolution(&good), Resolution::Progressing);
    assert_eq!(c.resolution(&heavy), Resolution::Progressing);
    for id in &others {
        assert_eq!(c.resolution(id), Resolution::Pending);
    }
    let accepted = c
        .declarations("SHP-GOOD")
        .into_iter()
        .flat_map(|d| d.history.iter())
        .find(|h| h.status == DeclarationStatus::Accepted)
        .cloned()
        .expect("accepted");
    assert!(accepted.mrn.is_some());
    assert!(c.unmatched().is_empty(), "{:?}", c.unmatched());

    // CAS's envelope, unsigned, 7 fractional digits.
    let raw = sub.state.accepted.lock().expect("raw").clone();
    assert_eq!(raw.len(), 5);
    for r in &raw {
        assert!(
            !r.headers.iter().any(|(k, _)| k.starts_with("webhook-")),
            "{:?}",
            r.headers
        );
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
        for key in [
            "id",
            "tenantId",
            "plantId",
            "eventTime",
            "eventType",
            "eventSubType",
            "data",
        ] {
            assert!(v.get(key).is_some(), "{key} missing in {v}");
        }
        assert_eq!(v["eventType"], "DeclarationStatusChanged");
        let time = v["eventTime"].as_str().expect("time");
        assert_eq!(time.len(), "2026-11-24T10:00:00.1234567Z".len(), "{time}");
        assert_eq!(v["data"]["currentStatus"], v["eventSubType"]);
    }
    let delivered: HashSet<String> = server
        .delivered_events()
        .into_iter()
        .map(|e| e.id)
        .collect();
    let seen: HashSet<String> = c.events().iter().map(|e| e.id.clone()).collect();
    assert_eq!(delivered, seen);
    assert!(server.failed_deliveries().is_empty());
    assert!(sub.state.rejected.lock().expect("rejected").is_empty());
}

/// Waits until a declaration of `ext` is in `status`; the walk is slow
/// enough (see `slow`) to act before its next status.
async fn wait_status(sub: &Subscriber, ext: &str, status: DeclarationStatus) {
    wait_for(sub, &format!("{ext} {status}"), |c| {
        c.declarations(ext)
            .iter()
            .any(|d| d.current() == Some(&status))
    })
    .await;
}

fn slow(url: &str) -> ServerConfig {
    let mut config = ServerConfig::new(url);
    // Time to send a Replace between InProgress and Accepted.
    config.status_step = Duration::from_millis(1500);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_new_again_replace_before_and_after_acceptance_and_upsert() {
    let sub = subscriber().await;
    let server = TestServer::start_with(slow(&sub.url))
        .await
        .expect("server");
    let client = client(&server);

    // New, then New again for the same reference + direction.
    let first = send(&client, &sub, shipment("SHP-A", "New"), "a1", "a-new.xml").await;
    wait_status(&sub, "SHP-A", DeclarationStatus::InProgress).await;
    let again = send(
        &client,
        &sub,
        shipment("SHP-A", "New"),
        "a2",
        "a-new-again.xml",
    )
    .await;
    wait_for(&sub, "second New refused", |c| c.outcome(&again).is_some()).await;
    {
        let c = snapshot(&sub);
        let o = c.outcome(&again).expect("outcome");
        assert_eq!(o.kind, OutcomeKind::CreationUnsuccessful);
        assert!(o.error_descriptions[0].contains("already exists"), "{o:?}");
        assert_eq!(o.business_reference.as_deref(), Some("SHP-A"));
        assert_eq!(o.direction.as_deref(), Some("OUT"));
        assert_eq!(
            c.sent(&again).and_then(|m| m.file.as_deref()),
            Some("a-new-again.xml")
        );
        assert_eq!(
            c.outcome(&first),
            None,
            "the first New has no outcome event"
        );
    }

    // Replace before acceptance: successful, and the flow restarts.
    let b = send(&client, &sub, shipment("SHP-B", "New"), "b1", "b-new.xml").await;
    wait_status(&sub, "SHP-B", DeclarationStatus::InProgress).await;
    let b_replace = send(
        &client,
        &sub,
        shipment("SHP-B", "Replace"),
        "b2",
        "b-replace.xml",
    )
    .await;
    wait_for(&sub, "replace outcome", |c| c.outcome(&b_replace).is_some()).await;
    assert_eq!(
        snapshot(&sub).outcome(&b_replace).map(|o| o.kind.clone()),
        Some(OutcomeKind::ReplaceSuccessful)
    );

    // Replace after acceptance: refused with a description.
    wait_status(&sub, "SHP-A", DeclarationStatus::Released).await;
    let a_replace = send(
        &client,
        &sub,
        shipment("SHP-A", "Replace"),
        "a3",
        "a-replace.xml",
    )
    .await;
    wait_for(&sub, "late replace refused", |c| {
        c.outcome(&a_replace).is_some()
    })
    .await;

    // Upsert: creates an absent shipment.
    let c_upsert = send(
        &client,
        &sub,
        shipment("SHP-C", "Upsert"),
        "c1",
        "c-upsert.xml",
    )
    .await;
    wait_for(&sub, "all released", |c| {
        released(c, "SHP-B") && released(c, "SHP-C")
    })
    .await;
    assert!(server.wait_webhooks_idle(WAIT).await);

    let c = snapshot(&sub);
    let late = c.outcome(&a_replace).expect("outcome");
    assert_eq!(late.kind, OutcomeKind::ReplaceUnsuccessful);
    assert!(
        late.error_descriptions[0].contains("already Accepted"),
        "{late:?}"
    );
    assert_eq!(
        c.sent(&a_replace).and_then(|m| m.file.as_deref()),
        Some("a-replace.xml")
    );

    // SHP-A: one declaration, walked once; the refused messages changed nothing.
    assert_eq!(
        statuses(&c, "SHP-A"),
        [["InProgress", "Accepted", "Released"]]
    );
    // SHP-B: the first declaration stopped at InProgress, the replacement walked on.
    let mut b_statuses = statuses(&c, "SHP-B");
    b_statuses.sort();
    assert_eq!(
        b_statuses,
        [
            vec!["InProgress"],
            vec!["InProgress", "Accepted", "Released"]
        ]
    );
    assert_eq!(
        statuses(&c, "SHP-C"),
        [["InProgress", "Accepted", "Released"]]
    );

    // Every referenceId resolved, none pending; each tied to its own file.
    for id in [&first, &b, &c_upsert] {
        assert_eq!(c.resolution(id), Resolution::Progressing, "{id}");
    }
    for id in [&again, &b_replace, &a_replace] {
        assert!(matches!(c.resolution(id), Resolution::Outcome(_)), "{id}");
    }
    assert!(c.pending(SystemTime::now(), Duration::ZERO).is_empty());
    let key = |ext: &str| ShipmentKey {
        external_reference: ext.into(),
        direction: "OUT".into(),
    };
    let files = |ext: &str| -> Vec<String> {
        c.sent_for(&key(ext))
            .iter()
            .filter_map(|m| m.file.clone())
            .collect()
    };
    assert_eq!(
        files("SHP-A"),
        ["a-new.xml", "a-new-again.xml", "a-replace.xml"]
    );
    assert_eq!(files("SHP-B"), ["b-new.xml", "b-replace.xml"]);
    assert!(c.unmatched().is_empty(), "{:?}", c.unmatched());
    // 3 outcomes + 3 (A) + 1 + 3 (B) + 3 (C) status changes.
    assert_eq!(c.events().len(), 13);

    // Upsert of the existing SHP-C, already Accepted: nothing to redo, no event.
    let before = server.delivered_events().len();
    let c_again = send(
        &client,
        &sub,
        shipment("SHP-C", "Upsert"),
        "c2",
        "c-upsert-2.xml",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(server.wait_webhooks_idle(WAIT).await);
    assert_eq!(server.delivered_events().len(), before);
    assert_eq!(snapshot(&sub).outcome(&c_again), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resend_under_the_same_key_produces_no_second_round_of_events() {
    let sub = subscriber().await;
    let server = TestServer::start_with(ServerConfig::new(&sub.url))
        .await
        .expect("server");
    let client = client(&server);

    let first = send(&client, &sub, shipment("SHP-K", "New"), "same-key", "k.xml").await;
    wait_for(&sub, "released", |c| released(c, "SHP-K")).await;
    assert!(server.wait_webhooks_idle(WAIT).await);
    let before = server.delivered_events();
    assert_eq!(before.len(), 3);

    // The retry (e.g. after a lost response) gets the same reference id...
    let again = send(&client, &sub, shipment("SHP-K", "New"), "same-key", "k.xml").await;
    assert_eq!(again, first);
    assert_eq!(server.ingestions("same-key"), 1);
    // ...and no processing is started for it.
    assert_eq!(server.webhooks_in_progress(), 0);
    assert!(server.wait_webhooks_idle(WAIT).await);
    assert_eq!(server.delivered_events(), before);
    assert_eq!(sub.state.accepted.lock().expect("raw").len(), 3);

    // A new key is a new ingestion: a second New of the shipment, refused.
    let other = send(
        &client,
        &sub,
        shipment("SHP-K", "New"),
        "other-key",
        "k.xml",
    )
    .await;
    assert_ne!(other, first);
    wait_for(&sub, "refused", |c| c.outcome(&other).is_some()).await;
    assert!(server.wait_webhooks_idle(WAIT).await);
    assert_eq!(server.delivered_events().len(), 4);
    assert_eq!(statuses(&snapshot(&sub), "SHP-K").len(), 1);
}

fn unix_now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs(),
    )
    .expect("secs")
}

async fn post(url: &str, headers: &[(&str, String)], body: Vec<u8>) -> u16 {
    let mut req = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("http")
        .post(url)
        .header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    req.body(body)
        .send()
        .await
        .expect("subscriber answers")
        .status()
        .as_u16()
}

fn signed_headers(secret: &str, id: &str, ts: i64, body: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        (HEADER_ID, id.to_owned()),
        (HEADER_TIMESTAMP, ts.to_string()),
        (
            HEADER_SIGNATURE,
            sign(&Secret::parse(secret).expect("secret"), id, ts, body),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_signatures_on_forged_altered_and_replayed_events_are_refused() {
    let sub = subscriber_with(ReceiverConfig {
        signature: Some(Verifier::new(SECRET).expect("secret")),
        ..ReceiverConfig::default()
    })
    .await;
    let config = ServerConfig::new(&sub.url).signed(SECRET).expect("secret");
    let server = TestServer::start_with(config).await.expect("server");
    let client = client(&server);
    send(&client, &sub, shipment("SHP-S", "New"), "k-1", "s.xml").await;
    wait_for(&sub, "released", |c| released(c, "SHP-S")).await;
    assert!(server.wait_webhooks_idle(WAIT).await);
    let before = snapshot(&sub);
    let genuine = sub.state.accepted.lock().expect("raw")[0].clone();
    let get = |name: &str| {
        genuine
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .expect("header")
    };
    let (id, ts, sig) = (get(HEADER_ID), get(HEADER_TIMESTAMP), get(HEADER_SIGNATURE));
    let event = WebhookEvent::from_json(&genuine.body).expect("event");
    assert_eq!(id, event.id, "webhook-id is the event id");

    // The control: a genuine delivery, re-posted as received, verifies.
    let verifier = Verifier::new(SECRET).expect("secret");
    let headers = WebhookHeaders {
        id: &id,
        timestamp: &ts,
        signature: &sig,
    };
    assert!(verifier.verify(&headers, &genuine.body).is_ok());

    // Forged: an outcome signed with another secret.
    let mut forged: serde_json::Value = serde_json::from_slice(&genuine.body).expect("json");
    forged["id"] = "evt_forged".into();
    forged["eventType"] = "CustomsShipmentInformation".into();
    forged["eventSubType"] = "CreationUnsuccessful".into();
    forged["data"] =
        serde_json::json!({"ingestionReferences": ["x"], "errorDescriptions": ["forged"]});
    let forged = serde_json::to_vec(&forged).expect("json");
    let now = unix_now();
    let h = signed_headers(OTHER_SECRET, "evt_forged", now, &forged);
    assert_eq!(post(&sub.url, &h, forged.clone()).await, 401);
    // Unsigned: refused too, since the user turned signatures on.
    assert_eq!(post(&sub.url, &[], forged.clone()).await, 401);

    // Altered: genuine headers, body changed after signing.
    let mut altered: serde_json::Value = serde_json::from_slice(&genuine.body).expect("json");
    altered["id"] = "evt_altered".into();
    let altered = serde_json::to_vec(&altered).expect("json");
    let h = [
        (HEADER_ID, id.clone()),
        (HEADER_TIMESTAMP, ts.clone()),
        (HEADER_SIGNATURE, sig.clone()),
    ];
    assert_eq!(post(&sub.url, &h, altered).await, 401);

    // Replayed: correctly signed, but 10 minutes old.
    let mut replay: serde_json::Value = serde_json::from_slice(&genuine.body).expect("json");
    replay["id"] = "evt_replayed".into();
    let replay = serde_json::to_vec(&replay).expect("json");
    let h = signed_headers(SECRET, "evt_replayed", now - 600, &replay);
    assert_eq!(post(&sub.url, &h, replay).await, 401);

    let rejected = sub.state.rejected.lock().expect("rejected").clone();
    assert_eq!(rejected.len(), 4, "{rejected:?}");
    let after = snapshot(&sub);
    assert_eq!(before.events(), after.events());
    // Sanity: the forged body, signed with the right secret, would have counted.
    let h = signed_headers(SECRET, "evt_forged", now, &forged);
    assert_eq!(post(&sub.url, &h, forged).await, 200);
    assert_eq!(snapshot(&sub).events().len(), before.events().len() + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_token_refuses_deliveries_without_it() {
    let sub = subscriber_with(ReceiverConfig {
        url_token: Some("t0ken-7f3a".into()),
        ..ReceiverConfig::default()
    })
    .await;
    // A subscription URL without the token: every attempt refused, logged.
    let mut config = ServerConfig::new(&sub.url);
    config.max_delivery_attempts = 2;
    let server = TestServer::start_with(config).await.expect("server");
    send(
        &client(&server),
        &sub,
        shipment("SHP-T", "New"),
        "t1",
        "t.xml",
    )
    .await;
    assert!(server.wait_webhooks_idle(WAIT).await);
    assert!(server.delivered_events().is_empty());
    let failed = server.failed_deliveries();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert!(
        failed.iter().all(|f| f.last_error.contains("401")),
        "{failed:?}"
    );
    let rejected = sub.state.rejected.lock().expect("rejected").clone();
    assert_eq!(rejected.len(), 6);
    assert!(
        rejected.iter().all(|r| r.contains("URL token")),
        "{rejected:?}"
    );
    assert!(
        !rejected.iter().any(|r| r.contains("t0ken")),
        "{rejected:?}"
    );

    // With the token in the URL, as the user would subscribe it.
    let url = format!("{}?token=t0ken-7f3a", sub.url);
    let server = TestServer::start_with(ServerConfig::new(&url))
        .await
        .expect("server");
    send(
        &client(&server),
        &sub,
        shipment("SHP-T", "New"),
        "t1",
        "t.xml",
    )
    .await;
    wait_for(&sub, "released", |c| released(c, "SHP-T")).await;
    assert!(server.wait_webhooks_idle(WAIT).await);
    assert_eq!(server.delivered_events().len(), 3);
}

#[test]
fn the_redelivery_schedule_is_cas_s_scaled() {
    let real = redelivery_delays(1.0);
    let expected = [10, 30, 60, 300, 600, 1800, 3600, 10_800, 21_600, 43_200];
    assert_eq!(real.len(), expected.len(), "{real:?}");
    for (d, s) in real.iter().zip(expected) {
        let secs = d.as_secs_f64();
        assert!(
            secs >= s as f64 * 0.9 && secs <= s as f64 * 1.1,
            "{secs} vs {s}"
        );
    }
    let total: f64 = real.iter().map(Duration::as_secs_f64).sum();
    assert!(total <= 24.0 * 3600.0 * 1.1, "{total}");
    let fast = redelivery_delays(0.001);
    assert!(fast[0] >= Duration::from_millis(9) && fast[0] <= Duration::from_millis(11));
    // Jitter: two schedules differ.
    assert_ne!(redelivery_delays(1.0), redelivery_delays(1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_deliveries_are_retried_then_given_up() {
    let sub = subscriber().await;
    let mut config = ServerConfig::new(&sub.url);
    config.status_step = Duration::from_millis(300);
    let server = TestServer::start_with(config).await.expect("server");
    let client = client(&server);

    // The subscriber is unavailable for two requests: the first event
    // needs three attempts (after ~10 ms and ~30 ms), then everything flows.
    sub.state.fail_next.store(2, Ordering::SeqCst);
    send(&client, &sub, shipment("SHP-R", "New"), "k-r", "r.xml").await;
    wait_for(&sub, "released", |c| released(c, "SHP-R")).await;
    assert!(server.wait_webhooks_idle(WAIT).await);
    assert_eq!(sub.state.unavailable.load(Ordering::SeqCst), 2);
    assert_eq!(server.delivery_attempts(), 5);
    assert_eq!(server.delivered_events().len(), 3);
    assert!(server.failed_deliveries().is_empty());
    assert_eq!(snapshot(&sub).events().len(), 3);

    // A subscriber that is down: every attempt fails, the events are given
    // up and not logged as delivered.
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", closed.local_addr().expect("addr"));
    drop(closed);
    let mut cfg = ServerConfig::new(&url);
    cfg.max_delivery_attempts = 3;
    let down = TestServer::start_with(cfg).await.expect("server");
    let c2 = Client::builder(down.base_url()).build().expect("client");
    let xml = shipment("SHP-D", "New");
    let msg = Message::from_xml(&xml).expect("valid");
    c2.send_xml(msg.endpoint(), msg.message_name(), xml)
        .await
        .expect("accepted");
    assert!(down.wait_webhooks_idle(WAIT).await);
    assert!(down.delivered_events().is_empty());
    let failed = down.failed_deliveries();
    assert_eq!(failed.len(), 3);
    assert!(failed.iter().all(|f| f.attempts == 3));
    assert_eq!(down.delivery_attempts(), 9);
    assert!(matches!(
        failed[0].event.data,
        EventData::DeclarationStatusChanged(_)
    ));
}

#[tokio::test]
async fn the_server_only_delivers_to_127_0_0_1() {
    for url in [
        "http://example.com/hook",
        "http://10.0.0.1/hook",
        "https://127.0.0.1/hook",
        "not a url",
    ] {
        let err = TestServer::start_with(ServerConfig::new(url)).await.err();
        assert_eq!(
            err.map(|e| e.kind()),
            Some(std::io::ErrorKind::InvalidInput),
            "{url}"
        );
    }
    let mut cfg = ServerConfig::new("http://127.0.0.1:9/x");
    cfg.webhook_url = None;
    let server = TestServer::start_with(cfg).await.expect("no webhooks");
    assert!(server.delivered_events().is_empty());
}
