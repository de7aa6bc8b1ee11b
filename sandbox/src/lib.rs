//! A local stand-in for CAS's ingestion API, for testing clients.
//!
//! It implements the documented contract for the endpoints of
//! `cas_api::ENDPOINTS`: one XML message per POST, checked at once with
//! the generated `cas_messages::Message` reader; `202 {"referenceId"}` on
//! success, `400 application/problem+json` with per-field errors otherwise,
//! `415` for a non-XML content type, `404` for unknown paths. Ingestions
//! are de-duplicated by `Idempotency-Key`: a repeated key gets the same
//! reference id and is not ingested again.
//!
//! With [`TestServer::start_with`] and a webhook URL, every newly
//! ingested message is also "processed" and reported to a subscriber as
//! webhook events in CAS's envelope (unsigned, as CAS sends them, unless
//! configured); see [`webhooks`] for the events and the business rules.
//!
//! Faults are scripted per test: a queue of [`Fault`]s, one taken per
//! request. It listens on `127.0.0.1` only, on a port the OS picks (or the
//! one configured).
//!
//! Every ingestion is kept in a history served at `GET /ingestions` and
//! `GET /ingestions/{referenceId}` ([`IngestionRecord`] as JSON); with
//! [`ServerConfig::database`] the history lives in a SQLite file, written
//! before the `202`, so a restart on the same file loses no ingestion and
//! keeps de-duplicating by key (see [`store`]). This, with the
//! master-data rules, is what `cas sandbox` runs.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub mod store;
pub mod webhooks;

pub use store::{IngestionRecord, StoreError};
pub use webhooks::{
    BUSINESS_PARTNER_UNKNOWN, COMMODITY_CODE_UNKNOWN, FailedDelivery, MasterData,
    NET_MASS_EXCEEDS_GROSS, SandboxDeclaration, ServerConfig, redelivery_delays,
};

use cas_api::MessageExt;
use cas_api::webhook::WebhookEvent;
use store::History;
use webhooks::Deliverer;

/// Bodies larger than this get 413.
pub const MAX_BODY: u64 = 8 * 1024 * 1024;

/// A `Retry-After` value in either form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    Seconds(u64),
    Date(SystemTime),
}

impl RetryAfter {
    fn header(self) -> String {
        match self {
            RetryAfter::Seconds(s) => s.to_string(),
            RetryAfter::Date(t) => httpdate::fmt_http_date(t),
        }
    }
}

/// What to do to one request instead of (or on top of) the normal contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer `status` without ingesting (e.g. 503 in a maintenance window),
    /// with a plain-text body and optionally `Retry-After`.
    Status {
        status: u16,
        retry_after: Option<RetryAfter>,
    },
    /// Read the body, ingest the message, then drop the connection without
    /// an answer: the client cannot know the outcome.
    ResetAfterBody,
    /// Ingest, then answer only after this delay (longer than the client's time-out).
    Delay(Duration),
    /// Ingest, then answer 202 with a body that has no valid reference id.
    MalformedAccepted,
    /// Answer 422 `application/problem+json` with one field error, without ingesting.
    Unprocessable,
}

impl Fault {
    /// 503 with `Retry-After`.
    pub fn unavailable(retry_after: RetryAfter) -> Self {
        Fault::Status {
            status: 503,
            retry_after: Some(retry_after),
        }
    }
    /// 429 with `Retry-After`.
    pub fn too_many_requests(retry_after: RetryAfter) -> Self {
        Fault::Status {
            status: 429,
            retry_after: Some(retry_after),
        }
    }
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            retry_after: None,
        }
    }
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub idempotency_key: Option<String>,
    pub content_type: Option<String>,
    pub accept: Option<String>,
    pub authorization: Option<String>,
    pub api_key: Option<String>,
}

/// What the server holds for one idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ingestion {
    pub reference_id: Uuid,
    pub message_name: String,
    /// Times the message was ingested (stays 1 when de-duplication works).
    pub ingestions: u32,
    /// Valid requests that carried this key (retries included).
    pub deliveries: u32,
}

#[derive(Default)]
struct State {
    endpoints: HashMap<String, String>,
    faults: Mutex<VecDeque<Fault>>,
    requests: Mutex<Vec<RequestRecord>>,
    ingested: Mutex<HashMap<String, Ingestion>>,
    /// Ingestions without a key (never de-duplicated).
    unkeyed: Mutex<u32>,
    /// Requests being handled now, and the most at any time.
    in_flight: Mutex<(usize, usize)>,
    /// Business processing and webhook delivery, when configured.
    webhooks: Option<Arc<Deliverer>>,
    history: Arc<History>,
    /// Wait before answering every valid request.
    answer_delay: Duration,
}

/// Counts a request as in flight until dropped.
struct InFlight(Arc<State>);

impl InFlight {
    fn new(state: &Arc<State>) -> Self {
        let mut g = lock(&state.in_flight);
        g.0 += 1;
        g.1 = g.1.max(g.0);
        drop(g);
        InFlight(Arc::clone(state))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut g = lock(&self.0.in_flight);
        g.0 = g.0.saturating_sub(1);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock only means a test thread panicked; the data is plain.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running server; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Binds `127.0.0.1:0` and serves on the current tokio runtime.
    pub async fn start() -> io::Result<TestServer> {
        Self::start_inner(0, None, Arc::default(), Duration::ZERO).await
    }

    /// Like [`start`](Self::start), and processes every new ingestion:
    /// business checks, the outcome in the history, and webhook
    /// events delivered to `config.webhook_url` (which must be on
    /// `127.0.0.1`; fails with `InvalidInput` for any other URL). With a
    /// database file, the history is loaded from it first, and ingestions
    /// whose processing had not finished are processed again.
    pub async fn start_with(config: ServerConfig) -> io::Result<TestServer> {
        let (history, replay) = match &config.database {
            Some(path) => History::open(path).map_err(io::Error::other)?,
            None => (History::default(), Vec::new()),
        };
        let history = Arc::new(history);
        let deliverer = Deliverer::new(&config, Arc::clone(&history))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let server = Self::start_inner(
            config.port,
            Some(Arc::clone(&deliverer)),
            history,
            config.answer_delay,
        )
        .await?;
        for r in replay {
            // The body was valid when it was ingested; one that no longer
            // reads (the schemas changed) is left as it is.
            let Ok(message) = cas_messages::Message::from_xml(&r.body) else {
                continue;
            };
            if r.processed {
                deliverer.learn(&message, r.reference_id);
            } else {
                deliverer.process(message, r.reference_id);
            }
        }
        Ok(server)
    }

    async fn start_inner(
        port: u16,
        webhooks: Option<Arc<Deliverer>>,
        history: Arc<History>,
        answer_delay: Duration,
    ) -> io::Result<TestServer> {
        let ingested = history
            .list()
            .into_iter()
            .filter_map(|r| {
                let key = r.idempotency_key?;
                Some((
                    key,
                    Ingestion {
                        reference_id: r.reference_id,
                        message_name: r.message_type,
                        ingestions: 1,
                        deliveries: r.deliveries,
                    },
                ))
            })
            .collect();
        let state = Arc::new(State {
            endpoints: cas_api::ENDPOINTS
                .iter()
                .map(|e| (e.path.to_owned(), e.message.to_owned()))
                .collect(),
            webhooks,
            history,
            answer_delay,
            ingested: Mutex::new(ingested),
            ..State::default()
        });
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let addr = listener.local_addr()?;
        let st = Arc::clone(&state);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let st = Arc::clone(&st);
                tokio::spawn(async move {
                    let svc = service_fn(move |req| handle(Arc::clone(&st), req));
                    // Errors here are the scripted resets or clients going away.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Ok(TestServer { addr, state, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The endpoint paths served, with their message names.
    pub fn endpoints(&self) -> HashMap<String, String> {
        self.state.endpoints.clone()
    }

    /// Queues a fault for the next request that finds the queue's head.
    pub fn push_fault(&self, fault: Fault) {
        lock(&self.state.faults).push_back(fault);
    }

    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.state.faults).extend(faults);
    }

    /// Faults not yet consumed.
    pub fn pending_faults(&self) -> usize {
        lock(&self.state.faults).len()
    }

    /// Requests received (any path, any outcome).
    pub fn requests(&self) -> usize {
        lock(&self.state.requests).len()
    }

    pub fn request_log(&self) -> Vec<RequestRecord> {
        lock(&self.state.requests).clone()
    }

    /// What was ingested under `key`.
    pub fn ingestion(&self, key: &str) -> Option<Ingestion> {
        lock(&self.state.ingested).get(key).cloned()
    }

    /// Times the message under `key` was ingested (0 if never).
    pub fn ingestions(&self, key: &str) -> u32 {
        self.ingestion(key).map_or(0, |i| i.ingestions)
    }

    /// Every key's ingestion.
    pub fn ingested(&self) -> HashMap<String, Ingestion> {
        lock(&self.state.ingested).clone()
    }

    /// The most requests handled at the same time so far.
    pub fn max_in_flight(&self) -> usize {
        lock(&self.state.in_flight).1
    }

    /// The ingestion history, oldest first (what `GET /ingestions` answers).
    pub fn history(&self) -> Vec<IngestionRecord> {
        self.state.history.list()
    }

    /// Messages ingested in total, keyed or not.
    pub fn total_ingestions(&self) -> u32 {
        let keyed: u32 = lock(&self.state.ingested)
            .values()
            .map(|i| i.ingestions)
            .sum();
        keyed + *lock(&self.state.unkeyed)
    }
}

impl TestServer {
    /// Webhook events the subscriber acknowledged (2xx), in delivery order.
    /// Empty without webhooks.
    pub fn delivered_events(&self) -> Vec<WebhookEvent> {
        self.state
            .webhooks
            .as_ref()
            .map_or_else(Vec::new, |d| d.delivered())
    }

    /// The declarations made for accepted shipments, with their statuses.
    pub fn declarations(&self) -> Vec<SandboxDeclaration> {
        self.state
            .webhooks
            .as_ref()
            .map_or_else(Vec::new, |d| d.declarations())
    }

    /// Events given up after every attempt failed.
    pub fn failed_deliveries(&self) -> Vec<FailedDelivery> {
        self.state
            .webhooks
            .as_ref()
            .map_or_else(Vec::new, |d| d.failed())
    }

    /// Delivery attempts made so far (retries included).
    pub fn delivery_attempts(&self) -> usize {
        self.state.webhooks.as_ref().map_or(0, |d| d.attempts())
    }

    /// Ingestions whose events are still being processed or delivered.
    pub fn webhooks_in_progress(&self) -> usize {
        self.state.webhooks.as_ref().map_or(0, |d| d.in_progress())
    }

    /// Waits (polling) until no events are being processed or delivered;
    /// `false` if that did not happen within `timeout`.
    pub async fn wait_webhooks_idle(&self, timeout: Duration) -> bool {
        let start = tokio::time::Instant::now();
        loop {
            if self.webhooks_in_progress() == 0 {
                return true;
            }
            if start.elapsed() >= timeout {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Resp = Response<Full<Bytes>>;

fn header(req: &Request<Incoming>, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn respond(status: u16, content_type: &str, body: String) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    r
}

fn problem(status: u16, title: &str, detail: &str, errors: serde_json::Value) -> Resp {
    let body = json!({
        "type": "urn:cas:problem:invalid-message",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": format!("urn:uuid:{}", Uuid::new_v4()),
        "errors": errors,
    });
    respond(status, "application/problem+json", body.to_string())
}

fn accepted(id: Uuid) -> Resp {
    respond(
        202,
        "application/json",
        json!({ "referenceId": id }).to_string(),
    )
}

/// The outcome of ingesting one valid message: its reference id, and
/// whether it is new (not a repeat of an earlier key). The history has it
/// (on disk, with a database) before this returns.
fn ingest(
    state: &State,
    key: Option<&str>,
    message_name: &str,
    body: &str,
) -> Result<(Uuid, bool), StoreError> {
    let record = |reference_id| IngestionRecord {
        reference_id,
        idempotency_key: key.map(str::to_owned),
        message_type: message_name.to_owned(),
        received_at: OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .unwrap_or_default(),
        deliveries: 1,
        status: "processing".to_owned(),
        errors: Vec::new(),
        events: Vec::new(),
    };
    let Some(key) = key else {
        let id = Uuid::new_v4();
        state.history.add(record(id), body)?;
        *lock(&state.unkeyed) += 1;
        return Ok((id, true));
    };
    let mut map = lock(&state.ingested);
    if let Some(entry) = map.get_mut(key) {
        state.history.add_delivery(entry.reference_id)?;
        entry.deliveries += 1;
        return Ok((entry.reference_id, false));
    }
    let id = Uuid::new_v4();
    state.history.add(record(id), body)?;
    map.insert(
        key.to_owned(),
        Ingestion {
            reference_id: id,
            message_name: message_name.to_owned(),
            ingestions: 1,
            deliveries: 1,
        },
    );
    Ok((id, true))
}

/// `GET /ingestions[/{referenceId}]`.
fn history_response(state: &State, path: &str) -> Resp {
    let rest = path.trim_start_matches("/ingestions").trim_matches('/');
    if rest.is_empty() {
        let list = serde_json::to_string(&state.history.list()).unwrap_or_else(|_| "[]".into());
        return respond(200, "application/json", list);
    }
    let found = Uuid::parse_str(rest)
        .ok()
        .and_then(|id| state.history.get(id));
    match found.and_then(|r| serde_json::to_string(&r).ok()) {
        Some(body) => respond(200, "application/json", body),
        None => respond(404, "text/plain", format!("no ingestion {rest}")),
    }
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Resp, io::Error> {
    let _in_flight = InFlight::new(&state);
    let record = RequestRecord {
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
        idempotency_key: header(&req, "idempotency-key"),
        content_type: header(&req, "content-type"),
        accept: header(&req, "accept"),
        authorization: header(&req, "authorization"),
        api_key: header(&req, "x-api-key"),
    };
    lock(&state.requests).push(record.clone());
    if record.path == "/ingestions" || record.path.starts_with("/ingestions/") {
        if req.method() != Method::GET {
            let mut r = respond(405, "text/plain", "use GET".into());
            r.headers_mut()
                .insert("allow", HeaderValue::from_static("GET"));
            return Ok(r);
        }
        return Ok(history_response(&state, &record.path));
    }
    let fault = lock(&state.faults).pop_front();

    let Some(message_name) = state.endpoints.get(&record.path).cloned() else {
        return Ok(respond(
            404,
            "text/plain",
            format!("no endpoint {}", record.path),
        ));
    };
    if req.method() != Method::POST {
        let mut r = respond(405, "text/plain", "use POST".into());
        r.headers_mut()
            .insert("allow", HeaderValue::from_static("POST"));
        return Ok(r);
    }
    let xml_type = record.content_type.as_deref().is_some_and(|ct| {
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        mime == "application/xml" || mime == "text/xml"
    });
    if !xml_type {
        return Ok(respond(
            415,
            "text/plain",
            "expected application/xml".into(),
        ));
    }
    let too_large = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > MAX_BODY);
    if too_large {
        return Ok(respond(413, "text/plain", "message too large".into()));
    }
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return Err(io::Error::other(e)),
    };

    match &fault {
        Some(Fault::Status {
            status,
            retry_after,
        }) => {
            let mut r = respond(*status, "text/plain", format!("scripted {status}"));
            if let Some(ra) = retry_after
                && let Ok(v) = HeaderValue::from_str(&ra.header())
            {
                r.headers_mut().insert(RETRY_AFTER, v);
            }
            return Ok(r);
        }
        Some(Fault::Unprocessable) => {
            return Ok(problem(
                422,
                "The message cannot be processed",
                "business rule violated",
                json!([{ "pointer": format!("/{message_name}"), "detail": "scripted rule failure" }]),
            ));
        }
        _ => {}
    }

    let text = match std::str::from_utf8(&body) {
        Ok(t) => t,
        Err(_) => {
            return Ok(problem(
                400,
                "The message is not valid",
                "the body is not UTF-8",
                json!([]),
            ));
        }
    };
    let message = match cas_messages::Message::from_xml(text) {
        Ok(m) => m,
        Err(errors) => {
            let list: Vec<_> = errors
                .iter()
                .map(|e| json!({ "pointer": e.path, "detail": e.kind.to_string() }))
                .collect();
            let detail = format!("{} error(s) in the message", list.len());
            return Ok(problem(
                400,
                "The message is not valid",
                &detail,
                serde_json::Value::Array(list),
            ));
        }
    };
    if message.message_name() != message_name {
        return Ok(problem(
            400,
            "Wrong message for this endpoint",
            &format!(
                "{} expects {message_name}, got {}",
                record.path,
                message.message_name()
            ),
            json!([{ "pointer": "/", "detail": "unexpected root element" }]),
        ));
    }

    let (id, new) = match ingest(
        &state,
        record.idempotency_key.as_deref(),
        &message_name,
        text,
    ) {
        Ok(r) => r,
        Err(e) => {
            // Not recorded, so not accepted: 503 with Retry-After tells the
            // client to retry (a 500 would read as a permanent rejection).
            let mut r = respond(503, "text/plain", format!("ingestion store: {e}"));
            r.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
            return Ok(r);
        }
    };
    if new && let Some(d) = &state.webhooks {
        d.process(message, id);
    }
    if !state.answer_delay.is_zero() {
        tokio::time::sleep(state.answer_delay).await;
    }
    match fault {
        Some(Fault::ResetAfterBody) => Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "scripted reset",
        )),
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            Ok(accepted(id))
        }
        Some(Fault::MalformedAccepted) => Ok(respond(
            202,
            "application/json",
            "{\"referenceId\": \"not-a-uuid\"".into(),
        )),
        _ => Ok(accepted(id)),
    }
}
