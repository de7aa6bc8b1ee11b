//! The client against the sandbox speaking CAS's documented contract
//! (127.0.0.1): OAuth2 client credentials (one token shared by concurrent
//! sends, renewal across expiries, a 401 answered by one fresh token,
//! revocation), the documented statuses, authorizationStatus and the
//! Declarations API (every search parameter, paging).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use cas_api::client::{
    ApiError, AuthError, Client, ClientSecret, Environment, Jitter, RecordingClock, RetryPolicy,
    SendError, Status,
};
use cas_api::declarations::{DeclarationSearch, DeclarationStatus};
use cas_messages::customs_shipment::CustomsShipment;
use cas_sandbox::{
    AuthConfig, Declaration, Fault, OAuthClient, RetryAfter, ServerConfig, TestServer,
};
use cas_tests::schemas_dir;
use futures_util::StreamExt;
use time::OffsetDateTime;
use xsd_runtime::XmlRoot;

const SECRET: &str = "sandbox-secret-do-not-print";

fn shipment() -> CustomsShipment {
    let path = schemas_dir().join("examples/CustomsShipment/valid/minimal.xml");
    CustomsShipment::from_xml(&std::fs::read_to_string(path).expect("example")).expect("valid")
}

async fn server_with(clients: Vec<OAuthClient>, lifetime: Duration, delay: Duration) -> TestServer {
    let mut config = ServerConfig::local();
    config.answer_delay = delay;
    config.auth = Some(AuthConfig::new(clients).token_lifetime(lifetime));
    TestServer::start_with(config).await.expect("server")
}

async fn server() -> TestServer {
    server_with(
        vec![OAuthClient::new("client-1", SECRET)],
        Duration::from_secs(3600),
        Duration::ZERO,
    )
    .await
}

fn client_for(server: &TestServer, id: &str, clock: &RecordingClock) -> Client {
    Client::for_environment(&Environment::custom(server.base_url()))
        .client_credentials(
            &Environment::custom(server.base_url()),
            id,
            ClientSecret::new(SECRET),
        )
        .clock(clock.clone())
        .timeout(Duration::from_secs(10))
        .retry(RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            deadline: Duration::from_secs(120),
            jitter: Jitter::None,
        })
        .build()
        .expect("client")
}

fn client(server: &TestServer) -> Client {
    client_for(server, "client-1", &RecordingClock::new())
}

fn token_requests(server: &TestServer) -> usize {
    server
        .request_log()
        .iter()
        .filter(|r| r.path == cas_sandbox::TOKEN_PATH)
        .count()
}

fn api_requests(server: &TestServer) -> usize {
    server
        .request_log()
        .iter()
        .filter(|r| r.path.starts_with("/v1/"))
        .count()
}

/// Every message accepted once, under its own key, and nothing else ingested.
fn assert_each_ingested_once(server: &TestServer, keys: &[String]) {
    let distinct: HashSet<_> = keys.iter().collect();
    assert_eq!(distinct.len(), keys.len(), "a key was used twice");
    for k in keys {
        assert_eq!(server.ingestions(k), 1, "key {k}");
    }
    assert_eq!(server.total_ingestions() as usize, keys.len());
    assert_eq!(server.history().len(), keys.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_sends_fetch_one_token() {
    let server = server().await;
    let c = client(&server);
    let messages: Vec<_> = (0..200).map(|_| shipment()).collect();
    let results = c.send_all_messages(&messages, 8).await;
    let keys: Vec<String> = results
        .into_iter()
        .map(|r| r.expect("accepted").idempotency_key.to_string())
        .collect();
    assert_eq!(server.tokens_issued(), 1);
    assert_eq!(token_requests(&server), 1);
    assert_eq!(c.auth().map(|a| a.tokens_fetched()), Some(1));
    assert!(server.max_in_flight() > 1, "sent concurrently");
    assert_each_ingested_once(&server, &keys);
    let log = server.request_log();
    let sends: Vec<_> = log
        .iter()
        .filter(|r| r.path == "/v1/customsshipments")
        .collect();
    assert_eq!(sends.len(), 200);
    assert!(sends.iter().all(|r| {
        r.authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("Bearer sbx_"))
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_across_token_expiries_loses_nothing_and_sends_nothing_twice() {
    // Tokens live 2 s; each answer takes 150 ms; 120 messages 4 at a time
    // take about 4.5 s, and every token is also killed every 700 ms, so
    // sends meet both renewals and 401s.
    let server = server_with(
        vec![OAuthClient::new("client-1", SECRET)],
        Duration::from_secs(2),
        Duration::from_millis(150),
    )
    .await;
    let c = client(&server);
    let messages: Vec<_> = (0..120).map(|_| shipment()).collect();
    let sends = c.send_all_messages(&messages, 4);
    let expiries = async {
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_millis(700)).await;
            server.expire_tokens();
        }
    };
    let (results, ()) = tokio::join!(sends, expiries);
    let keys: Vec<String> = results
        .into_iter()
        .map(|r| r.expect("accepted").idempotency_key.to_string())
        .collect();
    assert_each_ingested_once(&server, &keys);
    let issued = server.tokens_issued();
    assert!(issued >= 4, "tokens issued: {issued}");
    // Every 401 was answered by one retry under the same key: at most one
    // extra request per message.
    let sent = server
        .request_log()
        .iter()
        .filter(|r| r.path == "/v1/customsshipments")
        .count();
    assert!((120..=240).contains(&sent), "{sent} requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_gets_one_fresh_token_and_the_same_key() {
    let server = server().await;
    let c = client(&server);
    c.send(&shipment()).await.expect("first");
    server.expire_tokens();
    let acc = c
        .send(&shipment())
        .await
        .expect("second, after a fresh token");
    assert_eq!(acc.attempts, 2);
    assert_eq!(server.tokens_issued(), 2);
    let log = server.request_log();
    let last_two: Vec<_> = log
        .iter()
        .filter(|r| r.path == "/v1/customsshipments")
        .skip(1)
        .collect();
    assert_eq!(last_two.len(), 2);
    assert_eq!(last_two[0].idempotency_key, last_two[1].idempotency_key);
    assert_ne!(last_two[0].authorization, last_two[1].authorization);
    assert_eq!(server.ingestions(acc.idempotency_key.as_str()), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_client_gets_one_authentication_error() {
    let server = server().await;
    let c = client(&server);
    c.send(&shipment()).await.expect("before revocation");
    assert!(server.revoke_client("client-1"));
    let before = server.requests();
    let err = c.send(&shipment()).await.expect_err("revoked");
    let SendError::Auth { source, attempts } = &err else {
        panic!("not an authentication error: {err:?}");
    };
    assert_eq!(*attempts, 1);
    assert!(
        matches!(source, AuthError::TokenRefused { status: 401, error: Some(e), .. } if e == "invalid_client"),
        "{source:?}"
    );
    let shown = err.to_string();
    assert!(shown.contains("authentication failed"), "{shown}");
    assert!(!shown.contains(SECRET) && !format!("{err:?}").contains(SECRET));
    // One send refused (401), one token request refused: no loop.
    assert_eq!(server.requests() - before, 2);
    assert_eq!(server.total_ingestions(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_fail_before_sending() {
    let server = server().await;
    let c = client_for(&server, "nobody", &RecordingClock::new());
    let err = c.send(&shipment()).await.expect_err("unknown client");
    assert!(
        matches!(err, SendError::Auth { attempts: 0, .. }),
        "{err:?}"
    );
    assert_eq!(api_requests(&server), 0);
    assert_eq!(token_requests(&server), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_scope_is_a_403_sent_once() {
    let server = server_with(
        vec![OAuthClient::new("reader", SECRET).with_scopes(&["read:declarations"])],
        Duration::from_secs(3600),
        Duration::ZERO,
    )
    .await;
    let clock = RecordingClock::new();
    let c = client_for(&server, "reader", &clock);
    let err = c.send(&shipment()).await.expect_err("forbidden");
    let rej = err.rejection().expect("a refusal");
    assert_eq!(rej.status, Status::Forbidden);
    assert!(
        rej.problem
            .as_ref()
            .and_then(|p| p.detail.as_deref())
            .is_some_and(|d| d.contains("create:messages"))
    );
    assert_eq!(err.attempts(), 1);
    assert_eq!(api_requests(&server), 1);
    assert!(clock.delays().is_empty());
    // The scope it has works.
    let status = c.authorization_status().await.expect("status");
    assert_eq!(status.scope_list(), ["read:declarations"]);
    assert_eq!(status.source_sys_ref.as_deref(), Some("sandbox-reader"));
    assert_eq!(status.tenant_ids, ["sandbox-tenant"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_415_is_sent_once_and_typed() {
    let server = server().await;
    server.push_fault(Fault::status(415));
    let clock = RecordingClock::new();
    let err = client_for(&server, "client-1", &clock)
        .send(&shipment())
        .await
        .expect_err("415");
    assert_eq!(
        err.rejection().map(|r| r.status),
        Some(Status::UnsupportedMediaType)
    );
    assert_eq!(err.attempts(), 1);
    assert_eq!(api_requests(&server), 1);
    assert!(clock.delays().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_429_500_502_503_are_retried_under_one_key() {
    let server = server().await;
    server.push_faults([
        Fault::too_many_requests(RetryAfter::Seconds(3)),
        Fault::status(500),
        Fault::status(502),
        Fault::unavailable(RetryAfter::Seconds(1)),
    ]);
    let clock = RecordingClock::new();
    let acc = client_for(&server, "client-1", &clock)
        .send(&shipment())
        .await
        .expect("accepted");
    assert_eq!(acc.attempts, 5);
    assert_eq!(
        clock.delays(),
        [
            Duration::from_secs(3),
            Duration::from_millis(200),
            Duration::from_millis(400),
            Duration::from_secs(1)
        ]
    );
    let keys: HashSet<_> = server
        .request_log()
        .into_iter()
        .filter(|r| r.path.starts_with("/v1/"))
        .map(|r| r.idempotency_key)
        .collect();
    assert_eq!(keys.len(), 1);
    assert_eq!(server.ingestions(acc.idempotency_key.as_str()), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_can_be_overridden() {
    let server = server().await;
    let c = Client::builder(server.base_url())
        .path("CustomsShipment", "/v1/movementorders")
        .build()
        .expect("client");
    let err = c.send(&shipment()).await.expect_err("wrong endpoint");
    assert_eq!(err.rejection().map(|r| r.code), Some(401));
    assert_eq!(server.request_log()[0].path, "/v1/movementorders");
}

/// 30 declarations whose fields vary with their index.
fn seed(server: &TestServer) -> Vec<Declaration> {
    let base = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("0 ns")
        - time::Duration::days(30);
    let store = server.declarations();
    let mut all = Vec::new();
    for i in 0..30i64 {
        let mut d = Declaration::new(format!("SHIP-{}", i % 10));
        let pick = |xs: &[&str]| Some(xs[i as usize % xs.len()].to_owned());
        d.direction = pick(&["IN", "OUT"]);
        d.ship_from = pick(&["BE", "DE", "NL"]);
        d.ship_to = pick(&["US", "GB", "CH", "NO"]);
        d.lrn = Some(format!("LRN{i:03}"));
        d.mrn = (i % 2 == 0).then(|| format!("26BE{i:014}"));
        d.arc = (i % 5 == 0).then(|| format!("26ARC{i:03}"));
        d.ucr = pick(&["UCR-A", "UCR-B", "UCR-C", "UCR-D", "UCR-E"]);
        d.customs_flow = pick(&["Export", "Import", "Transit"]);
        d.customs_flow_step = pick(&["Declaration", "Exit", "Arrival", "Release"]);
        d.current_status = [
            "Accepted",
            "Invalid",
            "CustomsError",
            "Released",
            "GoodsArrived",
        ][i as usize % 5]
            .to_owned();
        d.jurisdiction = pick(&["BE", "NL"]);
        d.storage_location = pick(&["WH1", "WH2", "WH3"]);
        d.declaration_date = (i % 3 != 0).then(|| base + time::Duration::hours(i));
        d.creation_date = base + time::Duration::days(i % 7);
        d.last_updated = base + time::Duration::days(i);
        store.insert(d.clone());
        all.push(d);
    }
    all
}

async fn ids(c: &Client, s: DeclarationSearch) -> Vec<String> {
    c.search_declarations(s, 100)
        .map(|r| r.expect("page").id)
        .collect()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_search_parameter_filters() {
    let server = server().await;
    let all = seed(&server);
    let c = client(&server);
    let at = |i: usize| all[i].clone();
    let t = |d: OffsetDateTime| Some(d);
    type Check = (
        &'static str,
        DeclarationSearch,
        Box<dyn Fn(&Declaration) -> bool>,
    );
    let d7 = at(7);
    let checks: Vec<Check> = vec![
        (
            "externalReference",
            DeclarationSearch::external_reference("SHIP-3"),
            Box::new(|d| d.external_reference == "SHIP-3"),
        ),
        (
            "direction",
            DeclarationSearch {
                direction: Some("OUT".into()),
                ..Default::default()
            },
            Box::new(|d| d.direction.as_deref() == Some("OUT")),
        ),
        (
            "shipFrom",
            DeclarationSearch {
                ship_from: Some("DE".into()),
                ..Default::default()
            },
            Box::new(|d| d.ship_from.as_deref() == Some("DE")),
        ),
        (
            "shipTo",
            DeclarationSearch {
                ship_to: Some("CH".into()),
                ..Default::default()
            },
            Box::new(|d| d.ship_to.as_deref() == Some("CH")),
        ),
        (
            "lrn",
            DeclarationSearch {
                lrn: Some("LRN007".into()),
                ..Default::default()
            },
            Box::new(|d| d.lrn.as_deref() == Some("LRN007")),
        ),
        (
            "mrn",
            DeclarationSearch {
                mrn: d7.mrn.clone().or(at(8).mrn),
                ..Default::default()
            },
            Box::new(|d| d.lrn.as_deref() == Some("LRN008")),
        ),
        (
            "arc",
            DeclarationSearch {
                arc: Some("26ARC010".into()),
                ..Default::default()
            },
            Box::new(|d| d.arc.as_deref() == Some("26ARC010")),
        ),
        (
            "customsFlow",
            DeclarationSearch {
                customs_flow: Some("Transit".into()),
                ..Default::default()
            },
            Box::new(|d| d.customs_flow.as_deref() == Some("Transit")),
        ),
        (
            "ucr",
            DeclarationSearch {
                ucr: Some("UCR-B".into()),
                ..Default::default()
            },
            Box::new(|d| d.ucr.as_deref() == Some("UCR-B")),
        ),
        (
            "customsFlowStep[]",
            DeclarationSearch {
                customs_flow_step: vec!["Exit".into(), "Release".into()],
                ..Default::default()
            },
            Box::new(|d| matches!(d.customs_flow_step.as_deref(), Some("Exit" | "Release"))),
        ),
        (
            "currentStatus[]",
            DeclarationSearch {
                current_status: vec!["Invalid".into(), "CustomsError".into()],
                ..Default::default()
            },
            Box::new(|d| matches!(d.current_status.as_str(), "Invalid" | "CustomsError")),
        ),
        (
            "jurisdiction[]",
            DeclarationSearch {
                jurisdiction: vec!["NL".into()],
                ..Default::default()
            },
            Box::new(|d| d.jurisdiction.as_deref() == Some("NL")),
        ),
        (
            "storageLocation[]",
            DeclarationSearch {
                storage_location: vec!["WH1".into(), "WH3".into()],
                ..Default::default()
            },
            Box::new(|d| matches!(d.storage_location.as_deref(), Some("WH1" | "WH3"))),
        ),
        (
            "declarationDateFrom",
            DeclarationSearch {
                declaration_date_from: at(20).declaration_date.and_then(t),
                ..Default::default()
            },
            {
                let lo = at(20).declaration_date;
                Box::new(move |d| d.declaration_date.is_some_and(|x| Some(x) >= lo))
            },
        ),
        (
            "declarationDateTo",
            DeclarationSearch {
                declaration_date_to: at(10).declaration_date.and_then(t),
                ..Default::default()
            },
            {
                let hi = at(10).declaration_date;
                Box::new(move |d| d.declaration_date.is_some_and(|x| Some(x) <= hi))
            },
        ),
        (
            "creationDateFrom",
            DeclarationSearch {
                creation_date_from: t(at(5).creation_date),
                ..Default::default()
            },
            {
                let lo = at(5).creation_date;
                Box::new(move |d| d.creation_date >= lo)
            },
        ),
        (
            "creationDateTo",
            DeclarationSearch {
                creation_date_to: t(at(1).creation_date),
                ..Default::default()
            },
            {
                let hi = at(1).creation_date;
                Box::new(move |d| d.creation_date <= hi)
            },
        ),
        (
            "lastUpdatedFrom",
            DeclarationSearch {
                last_updated_from: t(at(25).last_updated),
                ..Default::default()
            },
            {
                let lo = at(25).last_updated;
                Box::new(move |d| d.last_updated >= lo)
            },
        ),
        (
            "lastUpdatedTo",
            DeclarationSearch {
                last_updated_to: t(at(4).last_updated),
                ..Default::default()
            },
            {
                let hi = at(4).last_updated;
                Box::new(move |d| d.last_updated <= hi)
            },
        ),
    ];
    for (name, search, keep) in checks {
        let expected: Vec<String> = all
            .iter()
            .filter(|d| keep(d))
            .map(|d| d.id.clone())
            .collect();
        assert!(
            !expected.is_empty() && expected.len() < all.len(),
            "{name}: a useless check"
        );
        assert_eq!(ids(&c, search).await, expected, "{name}");
    }
    // Combined parameters all apply.
    let both = DeclarationSearch {
        direction: Some("IN".into()),
        jurisdiction: vec!["BE".into()],
        ..Default::default()
    };
    let expected: Vec<_> = all
        .iter()
        .filter(|d| d.direction.as_deref() == Some("IN") && d.jurisdiction.as_deref() == Some("BE"))
        .map(|d| d.id.clone())
        .collect();
    assert_eq!(ids(&c, both).await, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_returns_every_declaration_once() {
    let server = server().await;
    let all = seed(&server);
    let c = client(&server);
    for (size, requests) in [(1usize, 31usize), (7, 5), (100, 1)] {
        let before = api_requests(&server);
        let paged: Vec<String> = c
            .search_declarations(DeclarationSearch::default(), size)
            .map(|r| r.expect("page").id)
            .collect()
            .await;
        let expected: Vec<String> = all.iter().map(|d| d.id.clone()).collect();
        assert_eq!(paged, expected, "page size {size}");
        // A full last page needs one more (empty) request.
        assert_eq!(api_requests(&server) - before, requests, "page size {size}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declaration_is_read_by_id_and_by_url_with_its_errors() {
    let server = server().await;
    let mut d = Declaration::new("SHIP-ERR");
    d.current_status = "Invalid".into();
    d.errors = vec![cas_sandbox::DeclarationError {
        error_code: "E123".into(),
        message: "bad commodity code".into(),
        description: Some("the code is not in the tariff".into()),
        field_reference: Some(cas_sandbox::FieldReference {
            field_name: "CommodityCode".into(),
            path: "/GoodsItem[1]/CommodityCode".into(),
        }),
    }];
    server.declarations().insert(d.clone());
    let c = client(&server);
    let got = c.declaration(&d.id).await.expect("found");
    assert_eq!(got.current_status, Some(DeclarationStatus::Invalid));
    assert_eq!(got.reference(), Some("SHIP-ERR"));
    let e = &got.errors[0];
    assert_eq!(e.error_code.as_deref(), Some("E123"));
    assert_eq!(
        e.field_reference.as_ref().and_then(|f| f.path.as_deref()),
        Some("/GoodsItem[1]/CommodityCode")
    );
    let url = format!("{}/v1/declarations/{}", server.base_url(), d.id);
    assert_eq!(c.declaration_at(&url).await.expect("by url"), got);
    let foreign = c
        .declaration_at(&format!("http://127.0.0.2:9/v1/declarations/{}", d.id))
        .await
        .expect_err("another host");
    assert!(matches!(foreign, ApiError::ForeignUrl { .. }));
    let missing = c.declaration("no-such-id").await.expect_err("404");
    assert_eq!(missing.status(), Some(Status::NotFound));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_are_retried_and_refreshed() {
    let server = server().await;
    let c = client(&server);
    server.declarations().insert(Declaration::new("R"));
    c.authorization_status().await.expect("status");
    server.expire_tokens();
    server.push_fault(Fault::unavailable(RetryAfter::Seconds(0)));
    let found = ids(&c, DeclarationSearch::external_reference("R")).await;
    assert_eq!(found.len(), 1);
    assert_eq!(server.tokens_issued(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_shipment_is_found_by_its_external_reference() {
    let server = server().await;
    let c = client(&server);
    let s = shipment();
    c.send(&s).await.expect("accepted");
    assert!(server.wait_webhooks_idle(Duration::from_secs(10)).await);
    let reference = s.external_reference.get().clone();
    let found: Vec<_> = c
        .search_declarations(DeclarationSearch::external_reference(reference.clone()), 10)
        .collect::<Vec<_>>()
        .await;
    assert_eq!(found.len(), 1);
    let d = found.into_iter().next().expect("one").expect("ok");
    assert_eq!(d.reference(), Some(reference.as_str()));
    let by_status: HashMap<_, _> = [(d.id.clone(), d.current_status.clone())].into();
    assert!(by_status.values().all(Option::is_some));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_bearer_callback_is_awaited_per_attempt() {
    let server = TestServer::start().await.expect("server");
    server.push_fault(Fault::status(503));
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = std::sync::Arc::clone(&calls);
    let c = Client::builder(server.base_url())
        .clock(RecordingClock::new())
        .auth(cas_api::client::Auth::bearer_async(move || {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            async move {
                tokio::task::yield_now().await;
                format!("async-token-{n}")
            }
        }))
        .build()
        .expect("client");
    c.send(&shipment()).await.expect("accepted");
    let auths: Vec<_> = server
        .request_log()
        .into_iter()
        .map(|r| r.authorization)
        .collect();
    assert_eq!(
        auths,
        [
            Some("Bearer async-token-1".into()),
            Some("Bearer async-token-2".into())
        ]
    );
    assert!(!format!("{c:?}").contains("async-token"));
}
