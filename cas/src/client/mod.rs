//! An async client for CAS's ingestion API and its read APIs.
//!
//! Every message is validated locally (unless turned off), written as XML and
//! POSTed with an `Idempotency-Key` that stays the same across retries (CAS
//! does not document the header: see [`crate::contract`]). Retryable
//! failures (408, 429, 500, 502, 503, 504, transport errors) are retried
//! with back-off and jitter within [`RetryPolicy`], honouring `Retry-After`;
//! a `401` gets a fresh credential and one retry; when the last attempts
//! may have reached the server but gave no answer, the result is
//! [`SendError::Unknown`], not a plain failure. Nothing is sent again once
//! a `202` was seen.
//!
//! Authentication is OAuth 2.0 client credentials ([`Auth::client_credentials`],
//! one token shared by all clones and concurrent sends), or an API key or
//! bearer callback for proxies and the sandbox. Each send runs in a
//! `cas_send` tracing span (message type, idempotency key, path) with an
//! event per attempt (status, retry delay, reason); nothing secret is logged.
//!
//! ```no_run
//! # async fn demo(msg: &impl cas_api::IngestionMessage) -> Result<(), Box<dyn std::error::Error>> {
//! use cas_api::client::{Client, ClientSecret, Environment};
//! let env = Environment::Acceptance;
//! let client = Client::for_environment(&env)
//!     .client_credentials(
//!         &env,
//!         std::env::var("CAS_CLIENT_ID")?,
//!         ClientSecret::new(std::env::var("CAS_CLIENT_SECRET")?),
//!     )
//!     .build()?;
//! let accepted = client.send(msg).await?;
//! println!("reference id {}", accepted.reference_id);
//! # Ok(()) }
//! ```

mod auth;
mod clock;
mod error;
mod oauth;
mod read;
mod retry;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue, RETRY_AFTER};
use serde::Deserialize;
use tracing::Instrument;
use uuid::Uuid;

pub use auth::{Auth, AuthError};
pub use clock::{Clock, RecordingClock, Sleep, TokioClock};
pub use error::{FieldError, Problem, Rejection, SendError, Status};
pub use oauth::{ClientCredentials, ClientSecret, Environment, SANDBOX_TOKEN_PATH};
pub(crate) use read::encode_segment;
pub use read::{ApiError, AuthorizationStatus};
pub use retry::{Jitter, RetryPolicy, parse_retry_after};

use crate::endpoint::IngestionMessage;

/// The header that makes retries safe.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
const XML: &str = "application/xml";
const ACCEPTS: &str = "application/json";

/// The key under which the server de-duplicates one message's attempts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(String);

/// The caller's idempotency key is not a usable header value.
#[derive(Debug, thiserror::Error)]
#[error("an idempotency key must be 1 to 255 visible ASCII characters")]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    /// A fresh random key (UUID v4).
    pub fn new_v4() -> Self {
        IdempotencyKey(Uuid::new_v4().to_string())
    }

    /// A caller-chosen key, e.g. one stored with the message to resend it later.
    pub fn new(key: impl Into<String>) -> Result<Self, InvalidIdempotencyKey> {
        let key = key.into();
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidIdempotencyKey);
        }
        Ok(IdempotencyKey(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Uuid> for IdempotencyKey {
    fn from(u: Uuid) -> Self {
        IdempotencyKey(u.to_string())
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A message the server accepted (202).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// CAS's id for the ingestion, from the 202 body: an opaque string (CAS
    /// shows UUID-shaped ones but promises no format).
    pub reference_id: String,
    pub idempotency_key: IdempotencyKey,
    /// Requests made, the successful one included.
    pub attempts: u32,
}

/// A message already written as XML, with where it goes: what `send_all`
/// sends, and how dynamically typed messages (an enum of all messages) are
/// fed to the client. It is not validated again.
#[derive(Clone, Debug)]
pub struct Outbound {
    pub endpoint: String,
    pub message_name: String,
    pub xml: String,
    /// The key to use; a fresh one if `None`.
    pub idempotency_key: Option<IdempotencyKey>,
}

impl Outbound {
    pub fn new(endpoint: impl Into<String>, message_name: impl Into<String>, xml: String) -> Self {
        Outbound {
            endpoint: endpoint.into(),
            message_name: message_name.into(),
            xml,
            idempotency_key: None,
        }
    }

    /// Validates (if `validate`) and writes a typed message.
    pub fn from_message<T: IngestionMessage>(msg: &T, validate: bool) -> Result<Self, SendError> {
        if validate {
            msg.validate().map_err(SendError::Invalid)?;
        }
        Ok(Outbound::new(T::ENDPOINT, T::MESSAGE, msg.to_xml()?))
    }

    pub fn with_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self
    }
}

/// Configures a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    auth: Option<Auth>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    validate: bool,
    clock: Arc<dyn Clock>,
    user_agent: String,
    paths: HashMap<String, String>,
    api_paths: ApiPaths,
}

/// The paths of the read APIs, relative to the base URL. CAS documents
/// `/v1/authorizationStatus` and `/v1/movementorders/{id}`; of the
/// Declarations API only the `/v1/declarations…` prefix: get is taken to
/// be `{declarations}/{id}` and search `{declarations}?…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiPaths {
    pub authorization_status: String,
    pub declarations: String,
    pub movement_orders: String,
}

impl Default for ApiPaths {
    fn default() -> Self {
        ApiPaths {
            authorization_status: "/v1/authorizationStatus".into(),
            declarations: "/v1/declarations".into(),
            movement_orders: "/v1/movementorders".into(),
        }
    }
}

/// The HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("invalid base URL {0:?}: it must be an absolute http(s) URL")]
    BaseUrl(String),
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

impl ClientBuilder {
    /// Authentication (none by default).
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }
    /// Time limit of one attempt, from connecting to the end of the answer (default 30 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }
    /// Time limit for connecting (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }
    /// Whether typed messages are validated before sending (default on).
    pub fn validate(mut self, on: bool) -> Self {
        self.validate = on;
        self
    }
    /// The clock for deadlines and back-off sleeps (default [`TokioClock`]).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }
    /// OAuth 2.0 client credentials against `env`'s token endpoint, with
    /// the documented scope (see [`Auth::client_credentials`] for more control).
    pub fn client_credentials(
        self,
        env: &Environment,
        client_id: impl Into<String>,
        secret: ClientSecret,
    ) -> Self {
        self.auth(Auth::client_credentials(ClientCredentials::new(
            env, client_id, secret,
        )))
    }
    /// Sends `message` (e.g. `CustomsShipment`) to `path` instead of the
    /// endpoint table's (unconfirmed) one.
    pub fn path(mut self, message: impl Into<String>, path: impl Into<String>) -> Self {
        self.paths.insert(message.into(), path.into());
        self
    }
    /// Other paths for the read APIs.
    pub fn api_paths(mut self, paths: ApiPaths) -> Self {
        self.api_paths = paths;
        self
    }

    pub fn build(self) -> Result<Client, BuildError> {
        let base = self.base_url.trim_end_matches('/').to_owned();
        match reqwest::Url::parse(&base) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => {}
            _ => return Err(BuildError::BaseUrl(self.base_url)),
        }
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent)
            .build()?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                paths: self.paths,
                api_paths: self.api_paths,
                base_url: base,
                auth: self.auth,
                timeout: self.timeout,
                connect_timeout: self.connect_timeout,
                retry: self.retry,
                validate: self.validate,
                clock: self.clock,
            }),
        })
    }
}

/// The client; cheap to clone (clones share connections).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    paths: HashMap<String, String>,
    api_paths: ApiPaths,
    base_url: String,
    auth: Option<Auth>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    validate: bool,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &i.base_url)
            .field("auth", &i.auth)
            .field("timeout", &i.timeout)
            .field("connect_timeout", &i.connect_timeout)
            .field("retry", &i.retry)
            .field("validate", &i.validate)
            .field("paths", &i.paths)
            .field("api_paths", &i.api_paths)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct AcceptedBody {
    #[serde(rename = "referenceId")]
    reference_id: String,
}

/// One attempt's failure, with what the retry loop needs to know.
struct Failure {
    error: SendError,
    retryable: bool,
    /// The request may have reached the server.
    maybe_delivered: bool,
    retry_after: Option<Duration>,
}

impl Client {
    /// A builder for the API at `base_url` (e.g. `https://cas.example`).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            auth: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            validate: true,
            clock: Arc::new(TokioClock),
            user_agent: concat!("cas-api/", env!("CARGO_PKG_VERSION")).to_owned(),
            paths: HashMap::new(),
            api_paths: ApiPaths::default(),
        }
    }

    /// A builder for `env`'s API (add credentials, e.g.
    /// [`ClientBuilder::client_credentials`]).
    pub fn for_environment(env: &Environment) -> ClientBuilder {
        Self::builder(env.api_base())
    }

    /// The paths of the read APIs.
    pub fn api_paths(&self) -> &ApiPaths {
        &self.inner.api_paths
    }

    /// The authentication configured, if any (e.g. to count tokens fetched).
    pub fn auth(&self) -> Option<&Auth> {
        self.inner.auth.as_ref()
    }

    /// Validates (unless turned off), writes and sends one message under a fresh key.
    pub async fn send<T: IngestionMessage>(&self, msg: &T) -> Result<Accepted, SendError> {
        let out = Outbound::from_message(msg, self.inner.validate)?;
        self.send_outbound(out).await
    }

    /// Like [`Client::send`], under the caller's key (e.g. to resend after
    /// [`SendError::Unknown`] without risking a duplicate).
    pub async fn send_with_key<T: IngestionMessage>(
        &self,
        msg: &T,
        key: IdempotencyKey,
    ) -> Result<Accepted, SendError> {
        let out = Outbound::from_message(msg, self.inner.validate)?.with_key(key);
        self.send_outbound(out).await
    }

    /// Sends a document already written, e.g. from the generated `Message`
    /// enum: `send_xml(m.endpoint(), m.message_name(), m.to_xml()?)`. Not validated here.
    pub async fn send_xml(
        &self,
        endpoint: &str,
        message_name: &str,
        xml: String,
    ) -> Result<Accepted, SendError> {
        self.send_outbound(Outbound::new(endpoint, message_name, xml))
            .await
    }

    /// Sends many messages, at most `concurrency` at a time (at least 1);
    /// one result per message, in input order.
    pub async fn send_all<I>(
        &self,
        messages: I,
        concurrency: usize,
    ) -> Vec<Result<Accepted, SendError>>
    where
        I: IntoIterator<Item = Outbound>,
    {
        stream::iter(messages.into_iter().map(|m| self.send_outbound(m)))
            .buffered(concurrency.max(1))
            .collect()
            .await
    }

    /// Like [`Client::send_all`] for typed messages, each validated (unless
    /// turned off) and written first; a message that fails locally gets its
    /// error in its place and nothing is sent for it.
    pub async fn send_all_messages<'a, T, I>(
        &self,
        messages: I,
        concurrency: usize,
    ) -> Vec<Result<Accepted, SendError>>
    where
        T: IngestionMessage + 'a,
        I: IntoIterator<Item = &'a T>,
    {
        let sends = messages.into_iter().map(|m| {
            let prepared = self.prepare(m);
            async move { self.send_outbound(prepared?).await }
        });
        stream::iter(sends)
            .buffered(concurrency.max(1))
            .collect()
            .await
    }

    /// Validates (unless turned off) and writes a typed message, ready for
    /// [`Client::send_outbound`] or [`Client::send_all`].
    pub fn prepare<T: IngestionMessage>(&self, msg: &T) -> Result<Outbound, SendError> {
        Outbound::from_message(msg, self.inner.validate)
    }

    /// Sends one written message with retries, in a `cas_send` span
    /// (message, idempotency key, path) with one event per attempt.
    pub async fn send_outbound(&self, out: Outbound) -> Result<Accepted, SendError> {
        let path = self
            .inner
            .paths
            .get(&out.message_name)
            .cloned()
            .unwrap_or(out.endpoint);
        let url = self.url(&path);
        if reqwest::Url::parse(&url).is_err() {
            return Err(SendError::Url { url });
        }
        let key = out.idempotency_key.unwrap_or_else(IdempotencyKey::new_v4);
        let span = tracing::info_span!(
            "cas_send",
            message_type = %out.message_name,
            idempotency_key = %key,
            path = %path,
        );
        self.send_loop(&url, key, bytes::Bytes::from(out.xml))
            .instrument(span)
            .await
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.inner.base_url, path.trim_start_matches('/'))
    }

    /// The authentication header for one request, if any.
    async fn auth_header(&self) -> Result<Option<(HeaderName, HeaderValue)>, AuthError> {
        match &self.inner.auth {
            None => Ok(None),
            Some(auth) => auth.header(&self.inner.http).await.map(Some),
        }
    }

    async fn send_loop(
        &self,
        url: &str,
        key: IdempotencyKey,
        body: bytes::Bytes,
    ) -> Result<Accepted, SendError> {
        let policy = &self.inner.retry;
        let clock = &self.inner.clock;
        let start = clock.now();
        let mut attempts = 0u32;
        let mut waits = 0u32;
        let mut maybe_delivered = false;
        let mut refreshed = false;
        loop {
            let elapsed = clock.now().duration_since(start);
            let auth = match self.auth_header().await {
                Ok(a) => a,
                Err(source) => {
                    let delay = policy.backoff(waits + 1);
                    let again = source.is_retryable()
                        && waits + 1 < policy.max_attempts
                        && elapsed.saturating_add(delay) < policy.deadline;
                    tracing::warn!(attempts, reason = %source, retry_in_ms = again.then_some(delay.as_millis() as u64), "authentication failed");
                    if !again {
                        let error = SendError::Auth { source, attempts };
                        return Err(settle(maybe_delivered, &key, error));
                    }
                    waits += 1;
                    clock.sleep(delay).await;
                    continue;
                }
            };
            attempts += 1;
            let timeout = self
                .inner
                .timeout
                .min(policy.deadline.saturating_sub(elapsed))
                .max(Duration::from_millis(1));
            let failure = match self
                .attempt(url, &key, body.clone(), timeout, auth.clone())
                .await
            {
                Ok(reference_id) => {
                    tracing::info!(attempt = attempts, status = 202, %reference_id, "accepted");
                    return Ok(Accepted {
                        reference_id,
                        idempotency_key: key,
                        attempts,
                    });
                }
                Err(f) => f,
            };
            let Failure {
                mut error,
                retryable,
                maybe_delivered: md,
                retry_after,
            } = failure;
            maybe_delivered |= md;
            error.set_attempts(attempts);
            let status = error.rejection().map(|r| r.code);
            if let (Some(401), Some((_, used))) = (status, &auth) {
                if !refreshed {
                    tracing::warn!(
                        attempt = attempts,
                        status = 401,
                        "unauthorized: fetching a fresh credential and retrying once"
                    );
                    refreshed = true;
                    if let Some(a) = &self.inner.auth {
                        a.invalidate(used);
                    }
                    continue;
                }
                tracing::warn!(
                    attempt = attempts,
                    status = 401,
                    "unauthorized again: giving up"
                );
                let detail = error.to_string();
                let error = SendError::Auth {
                    source: AuthError::Unauthorized { detail },
                    attempts,
                };
                return Err(settle(maybe_delivered, &key, error));
            }
            if !retryable {
                tracing::warn!(attempt = attempts, status, reason = %error, "refused: not retried");
                // The server's own answer settles the outcome.
                return Err(error);
            }
            let delay = retry_after.unwrap_or_else(|| policy.backoff(attempts));
            let elapsed = clock.now().duration_since(start);
            if attempts >= policy.max_attempts || elapsed.saturating_add(delay) >= policy.deadline {
                tracing::warn!(attempt = attempts, status, reason = %error, "failed: no retries left");
                return Err(settle(maybe_delivered, &key, error));
            }
            tracing::info!(attempt = attempts, status, reason = %error, retry_in_ms = delay.as_millis() as u64, "retrying");
            waits += 1;
            clock.sleep(delay).await;
        }
    }

    /// One request: the reference id, or why not.
    async fn attempt(
        &self,
        url: &str,
        key: &IdempotencyKey,
        body: bytes::Bytes,
        timeout: Duration,
        auth: Option<(HeaderName, HeaderValue)>,
    ) -> Result<String, Failure> {
        let mut req = self
            .inner
            .http
            .post(url)
            .timeout(timeout)
            .header(CONTENT_TYPE, HeaderValue::from_static(XML))
            .header(ACCEPT, HeaderValue::from_static(ACCEPTS))
            .header(IDEMPOTENCY_KEY, key.as_str())
            .body(body);
        if let Some((name, value)) = auth {
            req = req.header(name, value);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return Err(transport_failure(e)),
        };
        let code = resp.status().as_u16();
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (content_type, retry_after) = (header(CONTENT_TYPE), header(RETRY_AFTER));
        let text = match resp.text().await {
            Ok(t) => t,
            // Accepted: from here on the message is in CAS, whatever the body.
            Err(_) if code == 202 => String::new(),
            Err(e) => return Err(transport_failure(e)),
        };
        let answer = read_answer(
            code,
            content_type.as_deref(),
            retry_after.as_deref(),
            self.inner.clock.wall(),
            text,
        );
        match answer {
            Answer::Accepted(reference_id) => Ok(reference_id),
            Answer::AcceptedWithoutReference(body) => Err(Failure {
                error: SendError::AcceptedWithoutReference {
                    idempotency_key: key.clone(),
                    body,
                    attempts: 0,
                },
                retryable: false,
                maybe_delivered: true,
                retry_after: None,
            }),
            Answer::Rejected(rejection) => {
                let status = rejection.status;
                let retry_after = rejection.retry_after;
                Err(Failure {
                    retryable: status.is_retryable(),
                    // A 408/502/504 may come from a proxy after the body
                    // reached CAS; a 500 may come after it was taken in.
                    maybe_delivered: matches!(
                        status,
                        Status::BadGateway
                            | Status::GatewayTimeout
                            | Status::RequestTimeout
                            | Status::InternalServerError
                    ),
                    retry_after,
                    error: SendError::Rejected {
                        rejection: Box::new(rejection),
                        idempotency_key: key.clone(),
                        attempts: 0,
                    },
                })
            }
        }
    }
}

/// What one HTTP answer to a POST says, apart from the transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `202` with the reference id (an opaque, non-empty string).
    Accepted(String),
    /// `202` whose body names no (valid) reference id: the body as received.
    AcceptedWithoutReference(String),
    /// Any other status.
    Rejected(Rejection),
}

/// Interprets an answer from its status, `Content-Type`, `Retry-After`
/// and body: pure, so whatever a server (or a proxy) sends can be tested
/// and fuzzed without one. A problem document is parsed only when the
/// content type says `application/problem+json`; one that does not parse
/// leaves `problem` empty, the body is always kept.
pub fn read_answer(
    code: u16,
    content_type: Option<&str>,
    retry_after: Option<&str>,
    now: std::time::SystemTime,
    body: String,
) -> Answer {
    if code == 202 {
        return match serde_json::from_str::<AcceptedBody>(&body) {
            Ok(b) if !b.reference_id.trim().is_empty() => Answer::Accepted(b.reference_id),
            Ok(_) => Answer::AcceptedWithoutReference(body),
            Err(_) => Answer::AcceptedWithoutReference(body),
        };
    }
    let retry_after = retry_after.and_then(|v| parse_retry_after(v, now));
    let is_problem = content_type.is_some_and(|ct| {
        ct.trim_start()
            .to_ascii_lowercase()
            .starts_with("application/problem+json")
    });
    let problem = if is_problem {
        serde_json::from_str::<Problem>(&body).ok()
    } else {
        None
    };
    Answer::Rejected(Rejection {
        status: Status::from_code(code),
        code,
        problem,
        body,
        retry_after,
    })
}

/// The error to report when retries end: [`SendError::Unknown`] when
/// some attempt may have reached CAS without an answer saying so.
fn settle(maybe_delivered: bool, key: &IdempotencyKey, error: SendError) -> SendError {
    if maybe_delivered {
        SendError::Unknown {
            idempotency_key: key.clone(),
            attempts: error.attempts(),
            last: Box::new(error),
        }
    } else {
        error
    }
}

/// Classifies a transport error: a failed connect certainly sent nothing;
/// anything later (reset, time-out) may have delivered the body.
fn transport_failure(e: reqwest::Error) -> Failure {
    if e.is_connect() {
        Failure {
            error: SendError::Connect {
                source: e,
                attempts: 0,
            },
            retryable: true,
            maybe_delivered: false,
            retry_after: None,
        }
    } else if e.is_timeout() {
        Failure {
            error: SendError::Timeout {
                source: e,
                attempts: 0,
            },
            retryable: true,
            maybe_delivered: true,
            retry_after: None,
        }
    } else if e.is_builder() {
        Failure {
            error: SendError::Transport {
                source: e,
                attempts: 0,
            },
            retryable: false,
            maybe_delivered: false,
            retry_after: None,
        }
    } else {
        Failure {
            error: SendError::Transport {
                source: e,
                attempts: 0,
            },
            retryable: true,
            maybe_delivered: true,
            retry_after: None,
        }
    }
}

#[cfg(test)]
mod answer_tests {
    use super::{Answer, read_answer};

    fn accepted(body: &str) -> Answer {
        read_answer(
            202,
            Some("application/json"),
            None,
            std::time::SystemTime::now(),
            body.to_owned(),
        )
    }

    #[test]
    fn a_reference_id_is_an_opaque_string() {
        // CAS documents no format: a UUID-shaped id and any other string are kept as sent.
        let uuid = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";
        assert_eq!(
            accepted(&format!(r#"{{"referenceId":"{uuid}"}}"#)),
            Answer::Accepted(uuid.to_owned())
        );
        assert_eq!(
            accepted(r#"{"referenceId":"ING-2026-000042","extra":1}"#),
            Answer::Accepted("ING-2026-000042".to_owned())
        );
    }

    #[test]
    fn a_202_without_a_usable_reference_id_is_kept_as_received() {
        for body in [
            r#"{"referenceId":""}"#,
            r#"{"referenceId":"  "}"#,
            r#"{"referenceId":42}"#,
            "{}",
            "accepted",
        ] {
            assert_eq!(
                accepted(body),
                Answer::AcceptedWithoutReference(body.to_owned()),
                "{body}"
            );
        }
    }
}
