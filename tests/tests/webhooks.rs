//! The whole webhook loop on 127.0.0.1: the client sends messages to the
//! test server, which "processes" them and delivers signed events to a
//! subscriber running in the test; the subscriber verifies each delivery
//! with `Verifier` and feeds it to a `Correlator`.
//!
//! Waits are bounded polls (at most 5 s), never fixed sleeps.

use cas_api::MessageExt;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use cas_api::client::{Client, IdempotencyKey, Jitter, Outbound, RetryPolicy};
use cas_api::webhook::{
    Correlator, DeclarationStatus, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, OutcomeKind,
    Secret, Verifier, WebhookError, WebhookHeaders, sign,
};
use cas_messages::Message;
use cas_sandbox::{NET_MASS_EXCEEDS_GROSS, ServerConfig, TestServer};
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
const WAIT: Duration = Duration::from_secs(5);

/// One delivery the subscriber accepted, as received.
#[derive(Clone, Debug)]
struct Raw {
    id: String,
    timestamp: String,
    signature: String,
    body: Bytes,
}

#[derive(Default)]
struct SubState {
    correlator: Mutex<Correlator>,
    accepted: Mutex<Vec<Raw>>,
    /// Answer 503 to this many next requests, before verifying.
    fail_next: AtomicU32,
    unavailable: AtomicU32,
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

fn header<'a>(req: &'a Request<Incoming>, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn receive(
    verifier: Arc<Verifier>,
    state: Arc<SubState>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let reply = |status: StatusCode, text: String| {
        let mut r = Response::new(Full::new(Bytes::from(text)));
        *r.status_mut() = status;
        Ok(r)
    };
    if state
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        state.unavailable.fetch_add(1, Ordering::SeqCst);
        return reply(StatusCode::SERVICE_UNAVAILABLE, "down".into());
    }
    let id = header(&req, HEADER_ID).to_owned();
    let timestamp = header(&req, HEADER_TIMESTAMP).to_owned();
    let signature = header(&req, HEADER_SIGNATURE).to_owned();
    let body = req.into_body().collect().await?.to_bytes();
    let headers = WebhookHeaders {
        id: &id,
        timestamp: &timestamp,
        signature: &signature,
    };
    match verifier.verify(&headers, &body) {
        Ok(event) => {
            state.correlator.lock().expect("correlator").observe(&event);
            state.accepted.lock().expect("raw").push(Raw {
                id,
                timestamp,
                signature,
                body,
            });
            reply(StatusCode::NO_CONTENT, String::new())
        }
        Err(e) => {
            let status = match e {
                WebhookError::NoMatchingSignature
                | WebhookError::TimestampOutsideTolerance { .. }
                | WebhookError::MissingHeader(_)
                | WebhookError::BadTimestamp(_) => StatusCode::UNAUTHORIZED,
                _ => StatusCode::BAD_REQUEST,
            };
            state.rejected.lock().expect("rejected").push(e.to_string());
            reply(status, e.to_string())
        }
    }
}

async fn subscriber() -> Subscriber {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let verifier = Arc::new(Verifier::new(SECRET).expect("secret"));
    let state = Arc::new(SubState::default());
    let st = Arc::clone(&state);
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (v, st) = (Arc::clone(&verifier), Arc::clone(&st));
            tokio::spawn(async move {
                let svc = service_fn(move |req| receive(Arc::clone(&v), Arc::clone(&st), req));
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

fn config(url: &str) -> ServerConfig {
    ServerConfig::new(url, SECRET).expect("config")
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

/// The typical CustomsShipment (LRN EXP-2024-000123, net 1340.5 kg, gross 1520 kg).
fn good_shipment() -> String {
    example("CustomsShipment", "valid/typical.xml")
}

/// The same shipment with another LRN and a total gross mass below the
/// goods items' net mass: breaks the server's business rule.
fn heavy_shipment() -> String {
    let xml = good_shipment();
    assert!(xml.contains("<TotalGrossMass>1520</TotalGrossMass>"));
    xml.replace(
        "<TotalGrossMass>1520</TotalGrossMass>",
        "<TotalGrossMass>1000</TotalGrossMass>",
    )
    .replace("EXP-2024-000123", "EXP-2024-000999")
}

/// Sends `xml` (read first to find its endpoint) and records it as sent.
async fn send(client: &Client, sub: &Subscriber, xml: String, key: &str) -> uuid::Uuid {
    let msg = Message::from_xml(&xml).expect("valid document");
    let out = Outbound::new(msg.endpoint(), msg.message_name(), xml)
        .with_key(IdempotencyKey::new(key).expect("key"));
    let acc = client.send_outbound(out).await.expect("accepted");
    sub.state
        .correlator
        .lock()
        .expect("correlator")
        .record_sent(
            acc.reference_id,
            msg.message_name(),
            Some(key.to_owned()),
            SystemTime::now(),
        );
    acc.reference_id
}

/// Polls until `done` holds for the correlator, at most [`WAIT`].
async fn wait_for(sub: &Subscriber, done: impl Fn(&Correlator) -> bool) {
    let start = tokio::time::Instant::now();
    loop {
        if done(&sub.state.correlator.lock().expect("correlator")) {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "webhooks not delivered within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn snapshot(sub: &Subscriber) -> Correlator {
    sub.state.correlator.lock().expect("correlator").clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_ingestion_gets_one_outcome_and_the_shipment_is_released() {
    let sub = subscriber().await;
    let server = TestServer::start_with(config(&sub.url))
        .await
        .expect("server");
    let client = client(&server);

    let mut successes = Vec::new();
    for name in [
        "ArticleDataItem",
        "BusinessPartners",
        "MaterialList",
        "Formula",
    ] {
        let id = send(
            &client,
            &sub,
            example(name, "valid/typical.xml"),
            &format!("k-{name}"),
        )
        .await;
        successes.push((id, name));
    }
    let shipment = send(&client, &sub, good_shipment(), "k-shipment").await;
    successes.push((shipment, "CustomsShipment"));
    let heavy = send(&client, &sub, heavy_shipment(), "k-heavy").await;
    let all: Vec<_> = successes.iter().map(|(id, _)| *id).chain([heavy]).collect();
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len());

    wait_for(&sub, |c| {
        all.iter().all(|id| c.outcome(*id).is_some())
            && c.status_history("EXP-2024-000123").len() == 3
    })
    .await;
    assert!(
        server.wait_webhooks_idle(WAIT).await,
        "server still delivering"
    );

    let c = snapshot(&sub);
    for (id, name) in &successes {
        let outcomes = c.outcomes(*id);
        assert_eq!(outcomes.len(), 1, "{name}: {outcomes:?}");
        assert_eq!(outcomes[0].kind, OutcomeKind::Created, "{name}");
        assert!(outcomes[0].errors.is_empty());
    }
    assert_eq!(
        c.outcome(shipment)
            .and_then(|o| o.customs_shipment_reference.as_deref()),
        Some("EXP-2024-000123")
    );
    let failed = c.outcomes(heavy);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].kind, OutcomeKind::CreationRejected);
    assert_eq!(failed[0].errors.len(), 1);
    assert_eq!(failed[0].errors[0].code, NET_MASS_EXCEEDS_GROSS);
    assert_eq!(failed[0].errors[0].field.as_deref(), Some("TotalGrossMass"));
    // A rejected shipment is not declared.
    assert!(c.status_history("EXP-2024-000999").is_empty());

    let history = c.status_history("EXP-2024-000123");
    let statuses: Vec<_> = history.iter().map(|h| h.new.clone()).collect();
    assert_eq!(
        statuses,
        [
            DeclarationStatus::Submitted,
            DeclarationStatus::Accepted,
            DeclarationStatus::Released
        ]
    );
    assert_eq!(history[0].previous, None);
    assert_eq!(history[1].previous, Some(DeclarationStatus::Submitted));
    assert_eq!(history[2].previous, Some(DeclarationStatus::Accepted));
    assert!(history[1].mrn.is_some());
    assert_eq!(
        c.current_status("EXP-2024-000123"),
        Some(&DeclarationStatus::Released)
    );

    assert!(c.pending_since(SystemTime::now()).is_empty());
    assert!(c.unmatched().is_empty(), "{:?}", c.unmatched());

    // 6 outcomes + 3 status changes, each delivered once, and what the
    // server logged is exactly what the subscriber accepted.
    let delivered = server.delivered_events();
    assert_eq!(delivered.len(), 9);
    assert_eq!(c.events().len(), 9);
    let server_ids: HashSet<_> = delivered.iter().map(|e| e.event_id.clone()).collect();
    let seen_ids: HashSet<_> = c.events().iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(server_ids, seen_ids);
    assert!(server.failed_deliveries().is_empty());
    assert_eq!(server.delivery_attempts(), 9);
    assert!(sub.state.rejected.lock().expect("rejected").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resend_under_the_same_key_produces_no_second_round_of_events() {
    let sub = subscriber().await;
    let server = TestServer::start_with(config(&sub.url))
        .await
        .expect("server");
    let client = client(&server);

    let first = send(&client, &sub, good_shipment(), "same-key").await;
    wait_for(&sub, |c| {
        c.outcome(first).is_some() && c.status_history("EXP-2024-000123").len() == 3
    })
    .await;
    assert!(server.wait_webhooks_idle(WAIT).await);
    let before = server.delivered_events();
    assert_eq!(before.len(), 4);

    // The retry (e.g. after a lost response) gets the same reference id...
    let again = send(&client, &sub, good_shipment(), "same-key").await;
    assert_eq!(again, first);
    assert_eq!(server.ingestions("same-key"), 1);
    // ...and no processing is started for it (it would be counted as in
    // progress before the 202 was answered).
    assert_eq!(server.webhooks_in_progress(), 0);
    assert!(server.wait_webhooks_idle(WAIT).await);
    assert_eq!(server.delivered_events(), before);
    assert_eq!(sub.state.accepted.lock().expect("raw").len(), 4);
    let c = snapshot(&sub);
    assert_eq!(c.outcomes(first).len(), 1);
    assert_eq!(c.status_history("EXP-2024-000123").len(), 3);

    // A new key is a new ingestion, with its own events.
    let other = send(&client, &sub, good_shipment(), "other-key").await;
    assert_ne!(other, first);
    wait_for(&sub, |c| c.outcome(other).is_some()).await;
    assert!(server.wait_webhooks_idle(WAIT).await);
    assert_eq!(server.delivered_events().len(), 8);
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

async fn post(url: &str, id: &str, timestamp: i64, signature: &str, body: Vec<u8>) -> u16 {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("http")
        .post(url)
        .header("content-type", "application/json")
        .header(HEADER_ID, id)
        .header(HEADER_TIMESTAMP, timestamp.to_string())
        .header(HEADER_SIGNATURE, signature)
        .body(body)
        .send()
        .await
        .expect("subscriber answers")
        .status()
        .as_u16()
}

fn same_state(a: &Correlator, b: &Correlator, ids: &[uuid::Uuid]) {
    assert_eq!(a.events(), b.events());
    for id in ids {
        assert_eq!(a.outcomes(*id), b.outcomes(*id));
    }
    assert_eq!(
        a.status_history("EXP-2024-000123"),
        b.status_history("EXP-2024-000123")
    );
    assert_eq!(a.unmatched().len(), b.unmatched().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_altered_and_replayed_events_are_refused() {
    let sub = subscriber().await;
    let server = TestServer::start_with(config(&sub.url))
        .await
        .expect("server");
    let client = client(&server);
    let id = send(&client, &sub, good_shipment(), "k-1").await;
    wait_for(&sub, |c| {
        c.outcome(id).is_some() && c.status_history("EXP-2024-000123").len() == 3
    })
    .await;
    let before = snapshot(&sub);
    let genuine = sub.state.accepted.lock().expect("raw")[0].clone();

    // A genuine delivery, re-posted as received, verifies (the control).
    let verifier = Verifier::new(SECRET).expect("secret");
    let headers = WebhookHeaders {
        id: &genuine.id,
        timestamp: &genuine.timestamp,
        signature: &genuine.signature,
    };
    assert!(verifier.verify(&headers, &genuine.body).is_ok());

    // Forged: a rejection for the same reference id, signed with another secret.
    let mut forged: serde_json::Value = serde_json::from_slice(&genuine.body).expect("json");
    forged["eventId"] = "evt_forged".into();
    forged["eventType"] = "CreationUnsuccessful".into();
    forged["data"]["errors"] = serde_json::json!([{ "code": "E1", "message": "forged" }]);
    let forged = serde_json::to_vec(&forged).expect("json");
    let now = unix_now();
    let bad_sig = sign(
        &Secret::parse(OTHER_SECRET).expect("secret"),
        "evt_forged",
        now,
        &forged,
    );
    assert_eq!(
        post(&sub.url, "evt_forged", now, &bad_sig, forged.clone()).await,
        401
    );

    // Altered: genuine headers, body changed after signing.
    let mut altered: serde_json::Value = serde_json::from_slice(&genuine.body).expect("json");
    altered["eventId"] = "evt_altered".into();
    altered["eventType"] = "CreationUnsuccessful".into();
    let altered = serde_json::to_vec(&altered).expect("json");
    let ts: i64 = genuine.timestamp.parse().expect("ts");
    assert_eq!(
        post(&sub.url, &genuine.id, ts, &genuine.signature, altered).await,
        401
    );

    // Replayed: correctly signed, but with a timestamp 10 minutes old
    // (outside the 5-minute tolerance); the body is a fresh event so that
    // accepting it would change the correlator.
    let mut replay: serde_json::Value = serde_json::from_slice(&genuine.body).expect("json");
    replay["eventId"] = "evt_replayed".into();
    let replay = serde_json::to_vec(&replay).expect("json");
    let old = now - 600;
    let old_sig = sign(
        &Secret::parse(SECRET).expect("secret"),
        "evt_replayed",
        old,
        &replay,
    );
    assert_eq!(
        post(&sub.url, "evt_replayed", old, &old_sig, replay).await,
        401
    );
    // And the genuine delivery itself, replayed much later, is refused too.
    let later = SystemTime::now() + Duration::from_secs(3600);
    assert!(matches!(
        verifier.verify_at(&headers, &genuine.body, later),
        Err(WebhookError::TimestampOutsideTolerance { .. })
    ));

    let rejected = sub.state.rejected.lock().expect("rejected").clone();
    assert_eq!(rejected.len(), 3, "{rejected:?}");
    let after = snapshot(&sub);
    same_state(&before, &after, &[id]);
    assert_eq!(after.outcomes(id).len(), 1);
    assert!(after.outcome(id).is_some_and(|o| o.is_success()));
    assert!(after.unmatched().is_empty());
    // Sanity: the forged body, signed with the right secret, would have counted.
    assert!(
        verifier
            .verify(
                &WebhookHeaders {
                    id: "evt_forged",
                    timestamp: &now.to_string(),
                    signature: &sign(
                        &Secret::parse(SECRET).expect("s"),
                        "evt_forged",
                        now,
                        &forged
                    )
                },
                &forged,
            )
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_deliveries_are_retried_then_given_up() {
    let sub = subscriber().await;
    let server = TestServer::start_with(config(&sub.url))
        .await
        .expect("server");
    let client = client(&server);

    // The subscriber is unavailable for two requests: the first event
    // needs three attempts, then everything flows.
    sub.state.fail_next.store(2, Ordering::SeqCst);
    let id = send(
        &client,
        &sub,
        example("Formula", "valid/typical.xml"),
        "k-f",
    )
    .await;
    wait_for(&sub, |c| c.outcome(id).is_some()).await;
    assert!(server.wait_webhooks_idle(WAIT).await);
    assert_eq!(sub.state.unavailable.load(Ordering::SeqCst), 2);
    assert_eq!(server.delivery_attempts(), 3);
    assert_eq!(server.delivered_events().len(), 1);
    assert!(server.failed_deliveries().is_empty());
    assert_eq!(snapshot(&sub).outcomes(id).len(), 1);

    // A subscriber that is down: every attempt fails, the event is given up
    // and not logged as delivered.
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", closed.local_addr().expect("addr"));
    drop(closed);
    let mut cfg = config(&url);
    cfg.max_delivery_attempts = 3;
    cfg.retry_backoff = Duration::from_millis(10);
    let down = TestServer::start_with(cfg).await.expect("server");
    let c2 = Client::builder(down.base_url()).build().expect("client");
    let msg = Message::from_xml(&example("Formula", "valid/typical.xml")).expect("valid");
    c2.send_xml(
        msg.endpoint(),
        msg.message_name(),
        example("Formula", "valid/typical.xml"),
    )
    .await
    .expect("accepted");
    assert!(down.wait_webhooks_idle(WAIT).await);
    assert!(down.delivered_events().is_empty());
    let failed = down.failed_deliveries();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attempts, 3);
    assert_eq!(down.delivery_attempts(), 3);
}

#[tokio::test]
async fn the_server_only_delivers_to_127_0_0_1() {
    for url in [
        "http://example.com/hook",
        "http://10.0.0.1/hook",
        "https://127.0.0.1/hook",
        "not a url",
    ] {
        let err = TestServer::start_with(config(url)).await.err();
        assert_eq!(
            err.map(|e| e.kind()),
            Some(std::io::ErrorKind::InvalidInput),
            "{url}"
        );
    }
    let mut cfg = config("http://127.0.0.1:9/x");
    cfg.webhook_url = None;
    let server = TestServer::start_with(cfg).await.expect("no webhooks");
    assert!(server.delivered_events().is_empty());
}
