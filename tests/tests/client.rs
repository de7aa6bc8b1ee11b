//! The HTTP client against the local test server (127.0.0.1, OS-chosen
//! port): acceptance, retries with `Retry-After`, de-duplication across
//! resets and time-outs, typed refusals, validation, bulk sending and auth.
//!
//! Back-off waits go through a `RecordingClock`, which records the delays
//! and returns at once: tokio's paused time would auto-advance while the
//! client waits on real sockets and fire request time-outs at random.

use cas_api::MessageExt;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use cas_api::client::{
    Auth, Client, ClientBuilder, IdempotencyKey, Jitter, Outbound, RecordingClock, RetryPolicy,
    SendError, Status,
};
use cas_messages::Message;
use cas_messages::customs_shipment::CustomsShipment;
use cas_sandbox::{Fault, RetryAfter, TestServer};
use cas_tests::{schemas_dir, xml_files};
use xsd_runtime::XmlRoot;

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(2),
        deadline: Duration::from_secs(120),
        jitter: Jitter::None,
    }
}

fn builder(server: &TestServer, clock: &RecordingClock) -> ClientBuilder {
    Client::builder(server.base_url())
        .clock(clock.clone())
        .timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(2))
        .retry(policy())
}

fn client(server: &TestServer, clock: &RecordingClock) -> Client {
    builder(server, clock).build().expect("client")
}

fn example(name: &str, file: &str) -> String {
    std::fs::read_to_string(schemas_dir().join("examples").join(name).join(file)).expect("example")
}

fn shipment() -> CustomsShipment {
    CustomsShipment::from_xml(&example("CustomsShipment", "valid/minimal.xml"))
        .expect("valid example")
}

/// Every valid example document, read as the generated enum.
fn all_examples() -> Vec<Message> {
    let mut out = Vec::new();
    let dir = schemas_dir().join("examples");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples")
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    for d in names {
        for f in xml_files(&d.join("valid")) {
            let text = std::fs::read_to_string(&f).expect("read");
            out.push(Message::from_xml(&text).expect("valid example reads"));
        }
    }
    assert!(out.len() >= 8, "examples found: {}", out.len());
    out
}

async fn server() -> TestServer {
    TestServer::start().await.expect("test server")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_message_is_accepted_with_the_documented_headers() {
    let server = server().await;
    let clock = RecordingClock::new();
    let acc = client(&server, &clock)
        .send(&shipment())
        .await
        .expect("accepted");
    assert_eq!(acc.attempts, 1);
    let ing = server
        .ingestion(acc.idempotency_key.as_str())
        .expect("ingested under the key");
    assert_eq!(ing.reference_id.to_string(), acc.reference_id);
    assert_eq!(ing.message_name, "CustomsShipment");
    let log = server.request_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[0].path, "/v1/customsshipments");
    assert_eq!(log[0].content_type.as_deref(), Some("application/xml"));
    assert_eq!(log[0].accept.as_deref(), Some("application/json"));
    let key = log[0].idempotency_key.as_deref().expect("key sent");
    assert_eq!(
        uuid::Uuid::parse_str(key)
            .expect("uuid key")
            .get_version_num(),
        4
    );
    assert!(clock.delays().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_accepts_its_message_through_send_xml() {
    let server = server().await;
    let clock = RecordingClock::new();
    let c = client(&server, &clock);
    let mut seen = HashSet::new();
    for m in all_examples() {
        let acc = c
            .send_xml(m.endpoint(), m.message_name(), m.to_xml().expect("write"))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", m.message_name()));
        assert_eq!(
            server
                .ingestion(acc.idempotency_key.as_str())
                .map(|i| i.message_name),
            Some(m.message_name().to_owned())
        );
        seen.insert(m.endpoint());
    }
    assert_eq!(seen.len(), server.endpoints().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_seconds_is_honoured() {
    let server = server().await;
    server.push_faults([
        Fault::unavailable(RetryAfter::Seconds(7)),
        Fault::too_many_requests(RetryAfter::Seconds(3)),
    ]);
    let clock = RecordingClock::new();
    let acc = client(&server, &clock)
        .send(&shipment())
        .await
        .expect("accepted");
    assert_eq!(acc.attempts, 3);
    assert_eq!(
        clock.delays(),
        [Duration::from_secs(7), Duration::from_secs(3)]
    );
    assert_eq!(server.requests(), 3);
    assert_eq!(server.ingestions(acc.idempotency_key.as_str()), 1);
    let keys: HashSet<_> = server
        .request_log()
        .into_iter()
        .map(|r| r.idempotency_key)
        .collect();
    assert_eq!(keys.len(), 1, "one key across retries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_http_date_is_honoured() {
    let server = server().await;
    let clock = RecordingClock::new();
    let at = SystemTime::now() + Duration::from_secs(30);
    server.push_fault(Fault::unavailable(RetryAfter::Date(at)));
    let acc = client(&server, &clock)
        .send(&shipment())
        .await
        .expect("accepted");
    assert_eq!(acc.attempts, 2);
    let delays = clock.delays();
    assert_eq!(delays.len(), 1);
    // The date has one-second resolution.
    assert!(
        delays[0] > Duration::from_secs(28) && delays[0] <= Duration::from_secs(31),
        "{delays:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_beyond_the_deadline_ends_the_retries() {
    let server = server().await;
    server.push_fault(Fault::unavailable(RetryAfter::Seconds(600)));
    let clock = RecordingClock::new();
    let c = builder(&server, &clock)
        .retry(RetryPolicy {
            deadline: Duration::from_secs(60),
            ..policy()
        })
        .build()
        .expect("client");
    let err = c.send(&shipment()).await.expect_err("gives up");
    let rej = err.rejection().expect("the 503 itself");
    assert_eq!(rej.status, Status::ServiceUnavailable);
    assert_eq!(rej.retry_after, Some(Duration::from_secs(600)));
    assert_eq!(err.attempts(), 1);
    assert!(clock.delays().is_empty());
    assert_eq!(server.requests(), 1);
    assert_eq!(server.total_ingestions(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exponential_backoff_without_retry_after() {
    let server = server().await;
    server.push_faults([Fault::status(502), Fault::status(504), Fault::status(408)]);
    let clock = RecordingClock::new();
    let acc = client(&server, &clock)
        .send(&shipment())
        .await
        .expect("accepted");
    assert_eq!(acc.attempts, 4);
    assert_eq!(
        clock.delays(),
        [
            Duration::from_millis(100),
            Duration::from_millis(200),
            Duration::from_millis(400)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_stop_at_max_attempts_with_the_last_error() {
    let server = server().await;
    server.push_faults((0..5).map(|_| Fault::unavailable(RetryAfter::Seconds(1))));
    let clock = RecordingClock::new();
    let err = client(&server, &clock)
        .send(&shipment())
        .await
        .expect_err("exhausted");
    assert!(matches!(&err, SendError::Rejected { .. }), "{err:?}");
    assert_eq!(err.rejection().map(|r| r.code), Some(503));
    assert_eq!(err.attempts(), 5);
    assert_eq!(server.requests(), 5);
    assert_eq!(clock.delays().len(), 4);
    assert_eq!(server.total_ingestions(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_after_the_body_does_not_ingest_twice() {
    let server = server().await;
    server.push_fault(Fault::ResetAfterBody);
    let clock = RecordingClock::new();
    let acc = client(&server, &clock)
        .send(&shipment())
        .await
        .expect("accepted on retry");
    assert_eq!(acc.attempts, 2);
    let ing = server
        .ingestion(acc.idempotency_key.as_str())
        .expect("ingested");
    assert_eq!(ing.ingestions, 1);
    assert_eq!(ing.deliveries, 2);
    assert_eq!(ing.reference_id.to_string(), acc.reference_id);
    assert_eq!(server.total_ingestions(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_time_out_after_the_body_does_not_ingest_twice() {
    let server = server().await;
    server.push_fault(Fault::Delay(Duration::from_secs(5)));
    let clock = RecordingClock::new();
    let c = builder(&server, &clock)
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let acc = c.send(&shipment()).await.expect("accepted on retry");
    assert_eq!(acc.attempts, 2);
    let ing = server
        .ingestion(acc.idempotency_key.as_str())
        .expect("ingested");
    assert_eq!((ing.ingestions, ing.deliveries), (1, 2));
    assert_eq!(ing.reference_id.to_string(), acc.reference_id);
    assert_eq!(server.total_ingestions(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resets_until_retries_run_out_give_an_unknown_outcome() {
    let server = server().await;
    server.push_faults([Fault::ResetAfterBody, Fault::ResetAfterBody]);
    let clock = RecordingClock::new();
    let c = builder(&server, &clock)
        .retry(RetryPolicy {
            max_attempts: 2,
            ..policy()
        })
        .build()
        .expect("client");
    let msg = shipment();
    let err = c.send(&msg).await.expect_err("no answer");
    let SendError::Unknown {
        idempotency_key,
        attempts,
        last,
    } = &err
    else {
        panic!("expected Unknown, got {err:?}");
    };
    assert_eq!(*attempts, 2);
    assert!(matches!(**last, SendError::Transport { .. }), "{last:?}");
    assert_eq!(
        server.ingestions(idempotency_key.as_str()),
        1,
        "it was in fact ingested"
    );
    // Resending under the same key settles it without a duplicate.
    let acc = c
        .send_with_key(&msg, idempotency_key.clone())
        .await
        .expect("settled");
    assert_eq!(
        Some(acc.reference_id),
        server
            .ingestion(idempotency_key.as_str())
            .map(|i| i.reference_id.to_string())
    );
    assert_eq!(server.total_ingestions(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_time_out_on_the_last_attempt_is_an_unknown_outcome() {
    let server = server().await;
    server.push_fault(Fault::Delay(Duration::from_secs(5)));
    let clock = RecordingClock::new();
    let c = builder(&server, &clock)
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    let err = c.send(&shipment()).await.expect_err("timed out");
    let SendError::Unknown {
        idempotency_key,
        attempts: 1,
        last,
    } = &err
    else {
        panic!("expected Unknown after 1 attempt, got {err:?}");
    };
    assert!(matches!(**last, SendError::Timeout { .. }), "{last:?}");
    assert_eq!(server.ingestions(idempotency_key.as_str()), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_202_without_a_valid_reference_id_keeps_the_key() {
    let server = server().await;
    server.push_fault(Fault::MalformedAccepted);
    let clock = RecordingClock::new();
    let err = client(&server, &clock)
        .send(&shipment())
        .await
        .expect_err("no id");
    let SendError::AcceptedWithoutReference {
        idempotency_key,
        attempts: 1,
        ..
    } = &err
    else {
        panic!("expected AcceptedWithoutReference, got {err:?}");
    };
    assert_eq!(server.ingestions(idempotency_key.as_str()), 1);
    assert_eq!(server.requests(), 1, "an accepted message is not resent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_400_problem_lists_the_field_errors() {
    let server = server().await;
    let clock = RecordingClock::new();
    let xml = example("CustomsShipment", "invalid/lrn-too-long.xml");
    let err = client(&server, &clock)
        .send_xml("/v1/customsshipments", "CustomsShipment", xml)
        .await
        .expect_err("refused");
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.requests(), 1);
    let rej = err.rejection().expect("rejection");
    assert_eq!(rej.status, Status::BadRequest);
    let problem = rej.problem.as_ref().expect("problem+json parsed");
    assert_eq!(problem.status, Some(400));
    assert!(problem.title.is_some() && problem.type_uri.is_some() && problem.instance.is_some());
    assert!(!problem.errors.is_empty());
    assert!(
        problem.errors.iter().any(|e| e
            .location()
            .is_some_and(|p| p.contains("LocalReferenceNumber"))
            && e.detail.is_some()),
        "{:?}",
        problem.errors
    );
    assert_eq!(server.total_ingestions(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_422_problem_is_parsed_and_not_retried() {
    let server = server().await;
    server.push_fault(Fault::Unprocessable);
    let clock = RecordingClock::new();
    let err = client(&server, &clock)
        .send(&shipment())
        .await
        .expect_err("refused");
    let rej = err.rejection().expect("rejection");
    assert_eq!(rej.status, Status::UnprocessableContent);
    let problem = rej.problem.as_ref().expect("problem");
    assert_eq!(problem.errors[0].location(), Some("/CustomsShipment"));
    assert_eq!(server.requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_retryable_statuses_are_not_retried() {
    for (code, status) in [
        // Without credentials there is nothing to refresh: a 401 is final.
        (401, Status::Unauthorized),
        (403, Status::Forbidden),
        (404, Status::NotFound),
        (413, Status::PayloadTooLarge),
        (415, Status::UnsupportedMediaType),
        (418, Status::Other(418)),
    ] {
        let server = server().await;
        server.push_fault(Fault::Status {
            status: code,
            retry_after: Some(RetryAfter::Seconds(1)),
        });
        let clock = RecordingClock::new();
        let err = client(&server, &clock)
            .send(&shipment())
            .await
            .expect_err("refused");
        let rej = err.rejection().unwrap_or_else(|| panic!("{code}: {err:?}"));
        assert_eq!((rej.code, rej.status), (code, status));
        assert_eq!(rej.body, format!("scripted {code}"), "plain-text fallback");
        assert!(rej.problem.is_none());
        assert_eq!(err.attempts(), 1);
        assert_eq!(server.requests(), 1, "{code} retried");
        assert!(clock.delays().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_endpoint_is_a_404() {
    let server = server().await;
    let clock = RecordingClock::new();
    let err = client(&server, &clock)
        .send_xml("/v1/nothing", "Nothing", "<x/>".into())
        .await
        .expect_err("404");
    assert_eq!(err.rejection().map(|r| r.status), Some(Status::NotFound));
    assert_eq!(server.requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_message_is_not_sent() {
    let server = server().await;
    let clock = RecordingClock::new();
    let mut msg = shipment();
    msg.schema_version = "2.0".into();
    let err = client(&server, &clock)
        .send(&msg)
        .await
        .expect_err("invalid");
    let SendError::Invalid(errors) = &err else {
        panic!("expected Invalid, got {err:?}")
    };
    assert!(!errors.is_empty());
    assert_eq!(err.attempts(), 0);
    assert_eq!(server.requests(), 0);
    // With validation off the server is the judge.
    let c = builder(&server, &clock)
        .validate(false)
        .build()
        .expect("client");
    let err = c.send(&msg).await.expect_err("refused by the server");
    assert_eq!(err.rejection().map(|r| r.status), Some(Status::BadRequest));
    assert_eq!(server.requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_refused_is_a_connect_error_not_unknown() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let clock = RecordingClock::new();
    let c = Client::builder(format!("http://127.0.0.1:{port}"))
        .clock(clock.clone())
        .retry(RetryPolicy {
            max_attempts: 3,
            ..policy()
        })
        .build()
        .expect("client");
    let err = c.send(&shipment()).await.expect_err("nobody listening");
    assert!(
        matches!(err, SendError::Connect { attempts: 3, .. }),
        "{err:?}"
    );
    assert_eq!(clock.delays().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_all_returns_one_result_per_message_in_order() {
    let server = server().await;
    // Faults hit whichever requests come first; every message must still end accepted once.
    server.push_faults([
        Fault::ResetAfterBody,
        Fault::unavailable(RetryAfter::Seconds(2)),
        Fault::Delay(Duration::from_secs(5)),
        Fault::too_many_requests(RetryAfter::Seconds(1)),
        Fault::ResetAfterBody,
        Fault::status(502),
    ]);
    let clock = RecordingClock::new();
    let c = builder(&server, &clock)
        .timeout(Duration::from_secs(1))
        .build()
        .expect("client");
    let examples = all_examples();
    let outbound: Vec<Outbound> = (0..200)
        .map(|i| {
            let m = &examples[i % examples.len()];
            Outbound::new(m.endpoint(), m.message_name(), m.to_xml().expect("write"))
                .with_key(IdempotencyKey::new(format!("msg-{i:03}")).expect("key"))
        })
        .collect();
    let results = c.send_all(outbound, 8).await;
    assert_eq!(results.len(), 200);
    let mut ids = HashSet::new();
    for (i, r) in results.iter().enumerate() {
        let acc = r.as_ref().unwrap_or_else(|e| panic!("message {i}: {e}"));
        assert_eq!(acc.idempotency_key.as_str(), format!("msg-{i:03}"), "order");
        let ing = server
            .ingestion(acc.idempotency_key.as_str())
            .expect("ingested");
        assert_eq!(ing.ingestions, 1);
        assert_eq!(ing.reference_id.to_string(), acc.reference_id);
        assert_eq!(
            ing.message_name,
            examples[i % examples.len()].message_name()
        );
        assert!(
            ids.insert(acc.reference_id.clone()),
            "reference ids are distinct"
        );
    }
    assert_eq!(server.total_ingestions(), 200);
    assert_eq!(server.pending_faults(), 0);
    // 200 plus one per fault; more only if a loaded machine made a request time out.
    assert!(server.requests() >= 206);
    assert!(
        server.max_in_flight() <= 8,
        "concurrency {}",
        server.max_in_flight()
    );
}

/// A batch with refusals, local failures and lost answers: every message
/// ends in exactly one reference id or a surfaced error, and nothing is
/// ingested twice or behind an error that claims it was not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_of_a_mixed_batch_has_exactly_one_outcome() {
    let server = server().await;
    server.push_faults((0..12).map(|i| match i % 4 {
        0 => Fault::ResetAfterBody,
        1 => Fault::Delay(Duration::from_secs(5)),
        2 => Fault::unavailable(RetryAfter::Seconds(1)),
        _ => Fault::MalformedAccepted,
    }));
    let clock = RecordingClock::new();
    let c = builder(&server, &clock)
        .timeout(Duration::from_secs(1))
        .retry(RetryPolicy {
            max_attempts: 2,
            ..policy()
        })
        .build()
        .expect("client");
    let good = shipment();
    let mut bad = shipment();
    bad.schema_version = "9.9".into();
    let batch: Vec<&CustomsShipment> = (0..60)
        .map(|i| if i % 10 == 3 { &bad } else { &good })
        .collect();
    let results = c.send_all_messages(batch, 6).await;
    assert_eq!(results.len(), 60);
    let mut ok = 0;
    let mut ids = HashSet::new();
    for (i, r) in results.iter().enumerate() {
        match r {
            Ok(acc) => {
                ok += 1;
                let ing = server
                    .ingestion(acc.idempotency_key.as_str())
                    .expect("ingested");
                assert_eq!(
                    (ing.ingestions, ing.reference_id.to_string()),
                    (1, acc.reference_id.clone())
                );
                assert!(ids.insert(acc.reference_id.clone()));
            }
            Err(SendError::Invalid(_)) => {
                assert_eq!(i % 10, 3, "only the invalid ones fail locally")
            }
            Err(SendError::AcceptedWithoutReference {
                idempotency_key, ..
            }) => {
                assert_eq!(server.ingestions(idempotency_key.as_str()), 1);
            }
            Err(SendError::Unknown {
                idempotency_key, ..
            }) => {
                assert!(server.ingestions(idempotency_key.as_str()) <= 1);
            }
            Err(e) => {
                let key = e.idempotency_key().expect("a sent message names its key");
                assert_eq!(server.ingestions(key.as_str()), 0, "{e}");
            }
        }
    }
    assert!(ok >= 40, "accepted {ok}");
    let keys: Vec<_> = server
        .ingested()
        .into_values()
        .map(|i| i.ingestions)
        .collect();
    assert!(keys.iter().all(|&n| n == 1));
    assert_eq!(server.total_ingestions() as usize, keys.len());
    assert!(
        results
            .iter()
            .filter(|r| matches!(r, Err(SendError::Invalid(_))))
            .count()
            == 6
    );
}

#[test]
fn idempotency_keys_must_be_header_safe() {
    assert!(IdempotencyKey::new("order-42").is_ok());
    assert!(IdempotencyKey::new("").is_err());
    assert!(IdempotencyKey::new("with space").is_err());
    assert!(IdempotencyKey::new("x".repeat(256)).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auth_callback_runs_per_attempt_and_stays_secret() {
    let server = server().await;
    server.push_fault(Fault::unavailable(RetryAfter::Seconds(1)));
    let calls = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&calls);
    let clock = RecordingClock::new();
    let c = builder(&server, &clock)
        .auth(Auth::bearer(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            format!("s3cr3t-token-{n}")
        }))
        .build()
        .expect("client");
    let acc = c.send(&shipment()).await.expect("accepted");
    assert_eq!(acc.attempts, 2);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let auths: Vec<_> = server
        .request_log()
        .into_iter()
        .map(|r| r.authorization)
        .collect();
    assert_eq!(
        auths,
        [
            Some("Bearer s3cr3t-token-1".into()),
            Some("Bearer s3cr3t-token-2".into())
        ]
    );
    let debug = format!("{c:?}");
    assert!(!debug.contains("s3cr3t"), "{debug}");
    assert!(debug.contains("redacted"));

    let c = builder(&server, &clock)
        .auth(Auth::api_key("X-Api-Key", || "s3cr3t-key".to_owned()))
        .build()
        .expect("client");
    c.send(&shipment()).await.expect("accepted");
    assert_eq!(
        server
            .request_log()
            .last()
            .and_then(|r| r.api_key.clone())
            .as_deref(),
        Some("s3cr3t-key")
    );
    assert!(!format!("{c:?}").contains("s3cr3t"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_auth_value_fails_without_retrying() {
    let server = server().await;
    let clock = RecordingClock::new();
    let c = builder(&server, &clock)
        .auth(Auth::bearer(|| "bad\nvalue".into()))
        .build()
        .expect("client");
    let err = c.send(&shipment()).await.expect_err("bad header");
    assert!(
        matches!(err, SendError::Auth { attempts: 0, .. }),
        "{err:?}"
    );
    assert_eq!(server.requests(), 0);
}

#[test]
fn the_base_url_must_be_absolute_http() {
    assert!(Client::builder("cas.example").build().is_err());
    assert!(Client::builder("ftp://cas.example").build().is_err());
    assert!(Client::builder("https://cas.example/").build().is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_checks_content_type_method_and_keys() {
    use cas_api::reqwest;
    let server = server().await;
    let http = reqwest::Client::new();
    let url = format!("{}/v1/customsshipments", server.base_url());
    let xml = example("CustomsShipment", "valid/minimal.xml");
    let r = http
        .post(&url)
        .header("content-type", "text/plain")
        .body(xml.clone())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 415);
    let r = http.get(&url).send().await.expect("send");
    assert_eq!(r.status().as_u16(), 405);
    // The wrong message for the endpoint is a 400.
    let other = example("Formula", "valid/minimal.xml");
    let r = http
        .post(&url)
        .header("content-type", "application/xml")
        .body(other)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 400);
    // The same key twice: one ingestion, the same reference id.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = http
            .post(&url)
            .header("content-type", "application/xml")
            .header("idempotency-key", "k-1")
            .body(xml.clone())
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), 202);
        ids.push(r.text().await.expect("body"));
    }
    assert_eq!(ids[0], ids[1]);
    assert_eq!(
        server
            .ingestion("k-1")
            .map(|i| (i.ingestions, i.deliveries)),
        Some((1, 2))
    );
    assert_eq!(server.total_ingestions(), 1);
    assert_eq!(server.requests(), 5);
}
