//! `GET` requests of the read APIs (authorization status, declarations,
//! movement orders): authenticated like sends (a `401` gets a fresh
//! credential and one retry), retried on 408/429/5xx and transport errors
//! within the [`RetryPolicy`](super::RetryPolicy) (a `GET` changes nothing,
//! so every retry is safe), JSON answers.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use serde::Deserialize;
use tracing::Instrument;

use super::{AuthError, Client, Rejection, Status, parse_retry_after};

/// Why a read did not give its answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid URL {0:?}")]
    Url(String),
    /// The URL given (e.g. an event's `declarationUrl`) is not on the API's
    /// host: the token is not sent there.
    #[error("{url} is not on the API's host {base}: not following it with the credentials")]
    ForeignUrl { url: String, base: String },
    #[error("authentication failed: {0}")]
    Auth(#[from] AuthError),
    /// Any status but 200 (after retries, for the retryable ones).
    #[error("{} {}: {}", .0.code, status_word(.0.status), short(&.0.body))]
    Rejected(Box<Rejection>),
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// 200, but not the JSON expected.
    #[error("unexpected answer from {url}: {reason}")]
    Body { url: String, reason: String },
}

impl ApiError {
    /// The status of a refusal (`404`: no such declaration).
    pub fn status(&self) -> Option<Status> {
        match self {
            ApiError::Rejected(r) => Some(r.status),
            _ => None,
        }
    }
}

fn status_word(s: Status) -> String {
    match s {
        Status::Other(_) => String::new(),
        s => format!("{s:?}"),
    }
}

fn short(body: &str) -> &str {
    match body.char_indices().nth(300) {
        Some((i, _)) => &body[..i],
        None => body,
    }
}

/// One attempt's failure.
struct Failed {
    error: ApiError,
    retryable: bool,
    retry_after: Option<Duration>,
    unauthorized: bool,
}

impl Client {
    /// `GET path` (relative to the base URL, with `query`) as JSON of type `T`.
    pub(crate) async fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> Result<T, ApiError> {
        let url = self.url(path);
        let text = self.get_text(&url, query).await?;
        serde_json::from_str(&text).map_err(|e| ApiError::Body {
            url,
            reason: e.to_string(),
        })
    }

    /// `GET` of an absolute URL on the API's host (scheme, host and port
    /// as the base URL's).
    pub(crate) async fn get_json_at<T: for<'de> Deserialize<'de>>(
        &self,
        url: &str,
    ) -> Result<T, ApiError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| ApiError::Url(url.to_owned()))?;
        let base = reqwest::Url::parse(&self.inner.base_url)
            .map_err(|_| ApiError::Url(self.inner.base_url.clone()))?;
        if parsed.origin() != base.origin() {
            return Err(ApiError::ForeignUrl {
                url: url.to_owned(),
                base: self.inner.base_url.clone(),
            });
        }
        let text = self.get_text(url, &[]).await?;
        serde_json::from_str(&text).map_err(|e| ApiError::Body {
            url: url.to_owned(),
            reason: e.to_string(),
        })
    }

    async fn get_text(&self, url: &str, query: &[(String, String)]) -> Result<String, ApiError> {
        if reqwest::Url::parse(url).is_err() {
            return Err(ApiError::Url(url.to_owned()));
        }
        let span = tracing::info_span!("cas_get", url = %url);
        self.get_loop(url, query).instrument(span).await
    }

    async fn get_loop(&self, url: &str, query: &[(String, String)]) -> Result<String, ApiError> {
        let policy = &self.inner.retry;
        let clock = &self.inner.clock;
        let start = clock.now();
        let (mut attempts, mut refreshed) = (0u32, false);
        loop {
            attempts += 1;
            let failed = match self.get_once(url, query).await {
                Ok(text) => {
                    tracing::info!(attempt = attempts, status = 200, "answered");
                    return Ok(text);
                }
                Err(f) => f,
            };
            if failed.unauthorized && !refreshed {
                tracing::warn!(
                    attempt = attempts,
                    status = 401,
                    "unauthorized: fetching a fresh credential and retrying once"
                );
                refreshed = true;
                continue;
            }
            let delay = failed
                .retry_after
                .unwrap_or_else(|| policy.backoff(attempts));
            let elapsed = clock.now().duration_since(start);
            let again = failed.retryable
                && attempts < policy.max_attempts
                && elapsed.saturating_add(delay) < policy.deadline;
            if !again {
                tracing::warn!(attempt = attempts, reason = %failed.error, "failed");
                return Err(failed.error);
            }
            tracing::info!(attempt = attempts, reason = %failed.error, retry_in_ms = delay.as_millis() as u64, "retrying");
            clock.sleep(delay).await;
        }
    }

    async fn get_once(&self, url: &str, query: &[(String, String)]) -> Result<String, Failed> {
        let fail = |error, retryable| Failed {
            error,
            retryable,
            retry_after: None,
            unauthorized: false,
        };
        let auth = match self.auth_header().await {
            Ok(a) => a,
            Err(e) => {
                let retryable = e.is_retryable();
                return Err(fail(ApiError::Auth(e), retryable));
            }
        };
        let mut req = self
            .inner
            .http
            .get(url)
            .query(query)
            .timeout(self.inner.timeout)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some((name, value)) = &auth {
            req = req.header(name, value);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| fail(ApiError::Transport(e), true))?;
        let code = resp.status().as_u16();
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (content_type, retry_after) = (header(CONTENT_TYPE), header(RETRY_AFTER));
        let text = resp
            .text()
            .await
            .map_err(|e| fail(ApiError::Transport(e), true))?;
        if code == 200 {
            return Ok(text);
        }
        let unauthorized = code == 401 && auth.is_some();
        if unauthorized && let (Some(a), Some((_, used))) = (&self.inner.auth, &auth) {
            a.invalidate(used);
        }
        let status = Status::from_code(code);
        let retry_after = retry_after
            .as_deref()
            .and_then(|v| parse_retry_after(v, self.inner.clock.wall()));
        let problem = content_type
            .is_some_and(|ct| ct.to_ascii_lowercase().contains("problem+json"))
            .then(|| serde_json::from_str(&text).ok())
            .flatten();
        let error = if unauthorized {
            ApiError::Auth(AuthError::Unauthorized {
                detail: short(&text).to_owned(),
            })
        } else {
            ApiError::Rejected(Box::new(Rejection {
                status,
                code,
                problem,
                body: text,
                retry_after,
            }))
        };
        Err(Failed {
            error,
            retryable: status.is_retryable(),
            retry_after,
            unauthorized,
        })
    }
}

/// What `GET /v1/authorizationStatus` echoes about the credentials.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationStatus {
    pub source_sys_ref: Option<String>,
    /// The tenants (an array; a single string is taken as one tenant).
    #[serde(default, deserialize_with = "one_or_many")]
    pub tenant_ids: Vec<String>,
    /// The granted scopes, space-separated as CAS sends them.
    #[serde(default)]
    pub scopes: String,
    /// Members CAS adds later.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl AuthorizationStatus {
    /// The scopes one by one.
    pub fn scope_list(&self) -> Vec<&str> {
        self.scopes.split_whitespace().collect()
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
        Nothing(()),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
        OneOrMany::Nothing(()) => Vec::new(),
    })
}

impl Client {
    /// `GET /v1/authorizationStatus`: source system, tenants and scopes of
    /// the credentials.
    pub async fn authorization_status(&self) -> Result<AuthorizationStatus, ApiError> {
        let path = self.inner.api_paths.authorization_status.clone();
        self.get_json(&path, &[]).await
    }

    /// `GET /v1/movementorders/{id}` (scope `read:wms`), as JSON: CAS does
    /// not document the answer's fields.
    pub async fn movement_order(&self, id: &str) -> Result<serde_json::Value, ApiError> {
        let path = format!(
            "{}/{}",
            self.inner.api_paths.movement_orders.trim_end_matches('/'),
            encode_segment(id)
        );
        self.get_json(&path, &[]).await
    }
}

/// A path segment with everything but unreserved characters percent-encoded.
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
