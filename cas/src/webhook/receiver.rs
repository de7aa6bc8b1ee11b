//! Accepting deliveries, independent of any web framework: checks, body
//! limit, parsing, de-duplication, and the durable record before the `2xx`.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::{DEFAULT_MAX_BODY, HeaderLookup, Verifier, WebhookError, WebhookEvent};

/// Where accepted events are recorded before they are acknowledged.
///
/// `record` must return only once the event is durable (written and
/// flushed to stable storage): the receiver answers `2xx` right after, and
/// CAS does not deliver an acknowledged event again.
pub trait EventStore: Send {
    /// Ids of the events recorded so far (to drop redeliveries after a restart).
    fn recorded_ids(&self) -> Vec<String>;
    /// Records one event with the body as received.
    fn record(&mut self, event: &WebhookEvent, body: &[u8]) -> std::io::Result<()>;
}

/// An in-memory store, for tests and for callers who keep events elsewhere.
#[derive(Debug, Default)]
pub struct MemoryStore {
    pub events: Vec<WebhookEvent>,
}

impl EventStore for MemoryStore {
    fn recorded_ids(&self) -> Vec<String> {
        self.events.iter().map(|e| e.id.clone()).collect()
    }

    fn record(&mut self, event: &WebhookEvent, _body: &[u8]) -> std::io::Result<()> {
        self.events.push(event.clone());
        Ok(())
    }
}

/// An append-only log of events, one JSON line each (the event as written
/// back by [`WebhookEvent::to_json`]), synced to disk (`fsync`) before
/// [`record`](EventStore::record) returns. A torn last line (a crash in
/// the middle of a write) is skipped on open and the next line starts on
/// a fresh one.
#[derive(Debug)]
pub struct EventLog {
    path: PathBuf,
    file: File,
    ids: Vec<String>,
}

impl EventLog {
    /// Opens (creating) the log at `path` and reads the ids it holds.
    pub fn open(path: &Path) -> std::io::Result<EventLog> {
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let ids = Self::parse(&bytes).into_iter().map(|e| e.id).collect();
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            file.seek(SeekFrom::End(0))?;
            file.write_all(b"\n")?;
        }
        Ok(EventLog {
            path: path.to_owned(),
            file,
            ids,
        })
    }

    /// The events of a log file, in order (a missing file: none).
    pub fn read(path: &Path) -> std::io::Result<Vec<WebhookEvent>> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Self::parse(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    fn parse(bytes: &[u8]) -> Vec<WebhookEvent> {
        bytes
            .split(|b| *b == b'\n')
            .filter_map(|line| WebhookEvent::from_json_with_limit(line, usize::MAX).ok())
            .collect()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl EventStore for EventLog {
    fn recorded_ids(&self) -> Vec<String> {
        self.ids.clone()
    }

    fn record(&mut self, event: &WebhookEvent, _body: &[u8]) -> std::io::Result<()> {
        let mut line = event.to_json().map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.file.flush()?;
        self.file.sync_data()?;
        self.ids.push(event.id.clone());
        Ok(())
    }
}

/// The checks a receiver makes. By default none: CAS documents no
/// signature or authentication of its deliveries, so an unsigned delivery
/// is accepted. Each check the user turns on must pass.
#[derive(Clone, Default)]
pub struct ReceiverConfig {
    /// Largest body accepted (default [`DEFAULT_MAX_BODY`]).
    pub max_body: Option<usize>,
    /// A secret the subscription URL carries as query parameter `token`
    /// (`https://you.example/cas-events?token=…`).
    pub url_token: Option<String>,
    /// HTTP basic credentials (user, password), for a URL written as
    /// `https://user:password@…` or a proxy adding them.
    pub basic_auth: Option<(String, String)>,
    /// Standard Webhooks signatures (added by a proxy, or by the sandbox
    /// with `--sign`); CAS itself does not sign.
    pub signature: Option<Verifier>,
}

impl std::fmt::Debug for ReceiverConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverConfig")
            .field("max_body", &self.max_body)
            .field("url_token", &self.url_token.as_ref().map(|_| ".."))
            .field(
                "basic_auth",
                &self.basic_auth.as_ref().map(|(u, _)| (u, "..")),
            )
            .field("signature", &self.signature)
            .finish()
    }
}

/// One HTTP delivery as the web framework received it.
pub struct Delivery<'a, H: HeaderLookup + ?Sized> {
    /// The query string of the request target (without `?`), if any.
    pub query: Option<&'a str>,
    pub headers: &'a H,
    pub body: &'a [u8],
}

/// What happened to a delivery, and the status to answer.
#[derive(Debug)]
pub enum Received {
    /// New and recorded: answer `2xx`.
    Recorded(Box<WebhookEvent>),
    /// Recorded earlier (a redelivery): answer `2xx`, nothing else to do.
    Duplicate(Box<WebhookEvent>),
    /// Refused: answer [`Received::status`]; CAS will deliver it again.
    Refused(WebhookError),
}

impl Received {
    /// The HTTP status to answer.
    pub fn status(&self) -> u16 {
        match self {
            Received::Recorded(_) | Received::Duplicate(_) => 200,
            Received::Refused(e) => e.status(),
        }
    }
}

/// Accepts deliveries: runs the configured checks, parses, drops
/// duplicates (same `id`) and records new events in its [`EventStore`]
/// before saying `2xx`, so an acknowledged event is never lost.
///
/// Events carry little and are not signed: for anything that matters,
/// confirm by reading the declaration through the Declarations API.
///
/// ```
/// use cas_api::webhook::{Delivery, MemoryStore, Received, Receiver, ReceiverConfig};
///
/// let receiver = Receiver::new(ReceiverConfig::default(), MemoryStore::default());
/// let body = br#"{"id":"e1","eventTime":"2026-11-24T10:00:00Z","eventType":"Ping","data":{}}"#;
/// let headers: Vec<(String, String)> = Vec::new();
/// let delivery = Delivery { query: None, headers: &headers, body };
/// assert!(matches!(receiver.receive(&delivery), Received::Recorded(_)));
/// assert!(matches!(receiver.receive(&delivery), Received::Duplicate(_)));
/// ```
pub struct Receiver<S: EventStore> {
    config: ReceiverConfig,
    state: Mutex<(S, HashSet<String>)>,
}

impl<S: EventStore> Receiver<S> {
    pub fn new(config: ReceiverConfig, store: S) -> Self {
        let seen = store.recorded_ids().into_iter().collect();
        Receiver {
            config,
            state: Mutex::new((store, seen)),
        }
    }

    /// The largest body accepted: read no more than this (+1) from the wire.
    pub fn max_body(&self) -> usize {
        self.config.max_body.unwrap_or(DEFAULT_MAX_BODY)
    }

    /// Handles one delivery (checks against the system clock).
    pub fn receive<H: HeaderLookup + ?Sized>(&self, delivery: &Delivery<'_, H>) -> Received {
        self.receive_at(delivery, SystemTime::now())
    }

    /// Handles one delivery as if the time were `now` (signature tolerance).
    pub fn receive_at<H: HeaderLookup + ?Sized>(
        &self,
        delivery: &Delivery<'_, H>,
        now: SystemTime,
    ) -> Received {
        if let Err(e) = self.check(delivery, now) {
            return Received::Refused(e);
        }
        let event = match WebhookEvent::from_json_with_limit(delivery.body, self.max_body()) {
            Ok(e) => e,
            Err(e) => return Received::Refused(e),
        };
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (store, seen) = &mut *guard;
        if seen.contains(&event.id) {
            return Received::Duplicate(Box::new(event));
        }
        if let Err(e) = store.record(&event, delivery.body) {
            return Received::Refused(WebhookError::Store(e));
        }
        seen.insert(event.id.clone());
        Received::Recorded(Box::new(event))
    }

    fn check<H: HeaderLookup + ?Sized>(
        &self,
        delivery: &Delivery<'_, H>,
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let limit = self.max_body();
        if delivery.body.len() > limit {
            return Err(WebhookError::BodyTooLarge {
                len: delivery.body.len(),
                limit,
            });
        }
        if let Some(token) = &self.config.url_token {
            let given = delivery.query.and_then(|q| query_param(q, "token"));
            if !given.is_some_and(|g| same(g.as_bytes(), token.as_bytes())) {
                return Err(WebhookError::BadUrlToken);
            }
        }
        if let Some((user, password)) = &self.config.basic_auth {
            check_basic(delivery.headers, user, password)?;
        }
        if let Some(verifier) = &self.config.signature {
            verifier.verify_signature_at(delivery.headers, delivery.body, now)?;
        }
        Ok(())
    }

    /// Runs `f` on the store (e.g. to read what was recorded).
    pub fn with_store<R>(&self, f: impl FnOnce(&S) -> R) -> R {
        let guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&guard.0)
    }
}

/// The value of `name` in a query string (no percent-decoding beyond `+`
/// is needed for tokens made of URL-safe characters; others are compared
/// as written).
fn query_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn check_basic<H: HeaderLookup + ?Sized>(
    headers: &H,
    user: &str,
    password: &str,
) -> Result<(), WebhookError> {
    let header = headers
        .header("authorization")
        .ok_or(WebhookError::MissingHeader("authorization"))?;
    let encoded = header
        .trim()
        .strip_prefix("Basic ")
        .ok_or(WebhookError::BadCredentials)?;
    let decoded = B64
        .decode(encoded.trim())
        .map_err(|_| WebhookError::BadCredentials)?;
    let expected = format!("{user}:{password}");
    if same(&decoded, expected.as_bytes()) {
        Ok(())
    } else {
        Err(WebhookError::BadCredentials)
    }
}

/// Compares in time independent of where the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
