//! A local stand-in for CAS's integration API, for testing clients.
//!
//! Routed with axum (`routes`): the ingestion endpoints of
//! `cas_api::ENDPOINTS` (`POST /v1/...`, one XML message per request,
//! checked at once with the generated `cas_messages::Message` reader;
//! `202 {"referenceId"}` on success, `400 application/problem+json` with
//! per-field errors otherwise, `415` for a non-XML content type, `404` for
//! unknown paths), `GET /v1/authorizationStatus`, the Declarations API
//! (`GET /v1/declarations`, `GET /v1/declarations/{id}`, see
//! [`declarations`]) and `GET /v1/movementorders/{id}`.
//!
//! With [`ServerConfig::auth`], it is an OAuth 2.0 client-credentials
//! server as CAS documents it ([`auth`]): `POST /oauth2/v2.0/token`, and
//! every `/v1` request needs a valid bearer token (`401` otherwise) with
//! the route's scope (`403` otherwise). Without it, nothing is checked.
//!
//! Ingestions are de-duplicated by `Idempotency-Key` (a header CAS does
//! not document; this toolkit's client sends it): a repeated key gets the
//! same reference id and is not ingested again.
//!
//! With [`TestServer::start_with`], every newly ingested message is also
//! "processed": an accepted CustomsShipment becomes a declaration in the
//! [`DeclarationStore`], walking its statuses, and with a webhook URL the
//! events are delivered to a subscriber in CAS's envelope (unsigned, as CAS
//! sends them, unless configured); see [`webhooks`] for the events and the
//! business rules.
//!
//! Faults are scripted per test: a queue of [`Fault`]s, one taken per
//! authorised `/v1` request. It listens on `127.0.0.1` only, on a port the
//! OS picks (or the one configured).
//!
//! Every ingestion is kept in a history served at `GET /ingestions` and
//! `GET /ingestions/{referenceId}` ([`IngestionRecord`] as JSON, no
//! authentication: the sandbox's own inspection API); with
//! [`ServerConfig::database`] the history lives in a SQLite file, written
//! before the `202`, so a restart on the same file loses no ingestion and
//! keeps de-duplicating by key (see [`store`]); the declarations are kept
//! in the same file. This, with the master-data rules, is what `cas sandbox` runs.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub mod auth;
pub mod declarations;
mod routes;
pub mod store;
pub mod webhooks;

pub use auth::{AuthConfig, AuthConfigError, OAuthClient, TOKEN_PATH};
pub use declarations::{Declaration, DeclarationError, DeclarationStore, FieldReference};
pub use store::{IngestionRecord, StoreError};
pub use webhooks::{
    BUSINESS_PARTNER_UNKNOWN, COMMODITY_CODE_UNKNOWN, FailedDelivery, MasterData,
    NET_MASS_EXCEEDS_GROSS, ServerConfig, redelivery_delays,
};

use auth::Authority;
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
    pub(crate) fn header(self) -> String {
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
    /// `None`: no authentication (every request is allowed).
    authority: Option<Authority>,
    declarations: Arc<DeclarationStore>,
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

/// What a server is started with (besides its port).
struct Parts {
    port: u16,
    webhooks: Option<Arc<Deliverer>>,
    history: Arc<History>,
    answer_delay: Duration,
    auth: Option<AuthConfig>,
    declarations: Arc<DeclarationStore>,
}

impl TestServer {
    /// Binds `127.0.0.1:0` and serves on the current tokio runtime, without
    /// authentication and without processing.
    pub async fn start() -> io::Result<TestServer> {
        Self::start_inner(Parts {
            port: 0,
            webhooks: None,
            history: Arc::default(),
            answer_delay: Duration::ZERO,
            auth: None,
            declarations: Arc::default(),
        })
        .await
    }

    /// Like [`start`](Self::start), and processes every new ingestion:
    /// business checks, the outcome in the history, the declarations of
    /// accepted shipments, and webhook events (unsigned unless configured) delivered to
    /// `config.webhook_url` (which must be on `127.0.0.1`; fails with
    /// `InvalidInput` for any other URL). With `config.auth`, every `/v1`
    /// request needs a bearer token from the token endpoint. With a
    /// database file, the history is loaded from it first, and ingestions
    /// whose processing had not finished are processed again.
    pub async fn start_with(config: ServerConfig) -> io::Result<TestServer> {
        let (history, replay) = match &config.database {
            Some(path) => History::open(path).map_err(io::Error::other)?,
            None => (History::default(), Vec::new()),
        };
        let history = Arc::new(history);
        let declarations = Arc::new(match &config.database {
            Some(path) => DeclarationStore::open(path).map_err(io::Error::other)?,
            None => DeclarationStore::default(),
        });
        let deliverer = Deliverer::new(&config, Arc::clone(&history), Arc::clone(&declarations))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let server = Self::start_inner(Parts {
            port: config.port,
            webhooks: Some(Arc::clone(&deliverer)),
            history,
            answer_delay: config.answer_delay,
            auth: config.auth.clone(),
            declarations,
        })
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

    async fn start_inner(parts: Parts) -> io::Result<TestServer> {
        let ingested = parts
            .history
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
            webhooks: parts.webhooks,
            history: parts.history,
            answer_delay: parts.answer_delay,
            ingested: Mutex::new(ingested),
            authority: parts.auth.as_ref().map(Authority::new),
            declarations: parts.declarations,
            faults: Mutex::default(),
            requests: Mutex::default(),
            unkeyed: Mutex::default(),
            in_flight: Mutex::default(),
        });
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, parts.port)).await?;
        let addr = listener.local_addr()?;
        let router = routes::router(Arc::clone(&state));
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let router = router.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| serve(router.clone(), req));
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

impl TestServer {
    /// The declarations the processing created (and tests may add).
    pub fn declarations(&self) -> Arc<DeclarationStore> {
        Arc::clone(&self.state.declarations)
    }

    /// Removes an OAuth client: its tokens stop working and it gets no new
    /// ones. `false` if there was no such client (or no authentication).
    pub fn revoke_client(&self, client_id: &str) -> bool {
        self.state
            .authority
            .as_ref()
            .is_some_and(|a| a.revoke(client_id))
    }

    /// Makes every token issued so far invalid (as if expired).
    pub fn expire_tokens(&self) {
        if let Some(a) = &self.state.authority {
            a.expire_all();
        }
    }

    /// Tokens issued by the token endpoint so far.
    pub fn tokens_issued(&self) -> u32 {
        self.state.authority.as_ref().map_or(0, Authority::issued)
    }
}

/// One request through the router; a response marked [`routes::Reset`]
/// drops the connection instead of answering.
async fn serve(
    router: axum::Router,
    req: hyper::Request<Incoming>,
) -> Result<axum::response::Response, io::Error> {
    use tower::ServiceExt;
    let resp = match router.oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    if resp.extensions().get::<routes::Reset>().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "scripted reset",
        ));
    }
    Ok(resp)
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
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
