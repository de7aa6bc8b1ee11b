//! What can go wrong when sending, one variant per way the outcome differs
//! for the caller: not sent, refused, accepted without id, or unknown.

use std::time::Duration;

use serde::Deserialize;

use super::IdempotencyKey;
use super::auth::AuthError;
use xsd_runtime::error::{ValidationErrors, WriteError};

/// An RFC 7807 / 9457 problem document, as CAS returns for refused
/// messages. CAS does not document the name of its per-field extension, so
/// every member other than the standard five is kept in `extensions`, and
/// `errors` gathers the objects of every array member (whatever its name)
/// that name a field (`pointer`, `path`, `field`, `fieldName`, `name`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "RawProblem")]
pub struct Problem {
    pub type_uri: Option<String>,
    pub title: Option<String>,
    pub status: Option<u16>,
    pub detail: Option<String>,
    pub instance: Option<String>,
    /// Per-field errors found in the extension members.
    pub errors: Vec<FieldError>,
    /// Every member but `type`, `title`, `status`, `detail`, `instance`.
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct RawProblem {
    #[serde(rename = "type")]
    type_uri: Option<String>,
    title: Option<String>,
    status: Option<u16>,
    detail: Option<String>,
    instance: Option<String>,
    #[serde(flatten)]
    extensions: serde_json::Map<String, serde_json::Value>,
}

impl From<RawProblem> for Problem {
    fn from(r: RawProblem) -> Self {
        let errors = r
            .extensions
            .values()
            .filter_map(serde_json::Value::as_array)
            .flatten()
            .filter_map(FieldError::from_json)
            .collect();
        Problem {
            type_uri: r.type_uri,
            title: r.title,
            status: r.status,
            detail: r.detail,
            instance: r.instance,
            errors,
            extensions: r.extensions,
        }
    }
}

/// One per-field error of a [`Problem`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct FieldError {
    /// A JSON pointer or XPath-like pointer to the field.
    pub pointer: Option<String>,
    /// The path or name of the field, when given instead of `pointer`.
    pub path: Option<String>,
    pub detail: Option<String>,
}

impl FieldError {
    /// `pointer`, else `path`.
    pub fn location(&self) -> Option<&str> {
        self.pointer.as_deref().or(self.path.as_deref())
    }

    /// A field error from an object naming a field; `None` otherwise.
    fn from_json(v: &serde_json::Value) -> Option<FieldError> {
        let o = v.as_object()?;
        let text = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| o.get(*k).and_then(serde_json::Value::as_str))
                .map(str::to_owned)
        };
        let e = FieldError {
            pointer: text(&["pointer"]),
            path: text(&["path", "field", "fieldName", "name"]),
            detail: text(&["detail", "message", "description", "reason"]),
        };
        (e.pointer.is_some() || e.path.is_some()).then_some(e)
    }
}

/// The HTTP statuses the API documents, so callers can match on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    RequestTimeout,
    PayloadTooLarge,
    UnsupportedMediaType,
    UnprocessableContent,
    TooManyRequests,
    InternalServerError,
    BadGateway,
    ServiceUnavailable,
    GatewayTimeout,
    /// Any other status (including unexpected 2xx/3xx).
    Other(u16),
}

impl Status {
    pub fn from_code(code: u16) -> Self {
        match code {
            400 => Status::BadRequest,
            401 => Status::Unauthorized,
            403 => Status::Forbidden,
            404 => Status::NotFound,
            408 => Status::RequestTimeout,
            413 => Status::PayloadTooLarge,
            415 => Status::UnsupportedMediaType,
            422 => Status::UnprocessableContent,
            429 => Status::TooManyRequests,
            500 => Status::InternalServerError,
            502 => Status::BadGateway,
            503 => Status::ServiceUnavailable,
            504 => Status::GatewayTimeout,
            other => Status::Other(other),
        }
    }

    /// Whether a retry may succeed: 408, 429, 500, 502, 503, 504 (CAS
    /// advises retrying 429/500/502/503 with back-off). `401` is handled
    /// apart: a fresh credential, then one retry.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Status::RequestTimeout
                | Status::TooManyRequests
                | Status::InternalServerError
                | Status::BadGateway
                | Status::ServiceUnavailable
                | Status::GatewayTimeout
        )
    }
}

/// A response other than 202.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub status: Status,
    pub code: u16,
    /// The problem document, if the body was `application/problem+json`.
    pub problem: Option<Problem>,
    /// The body as text (the fallback when there is no problem document).
    pub body: String,
    /// The server's `Retry-After`, as a delay.
    pub retry_after: Option<Duration>,
}

/// Why a message was not (known to be) accepted. Every variant raised after
/// a request carries the number of attempts made.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Local validation failed; nothing was sent.
    #[error("the message is invalid; nothing was sent: {0}")]
    Invalid(ValidationErrors),
    /// The message could not be written as XML; nothing was sent.
    #[error("the message could not be written; nothing was sent: {0}")]
    Write(#[from] WriteError),
    /// The endpoint does not form a valid URL with the base URL.
    #[error("invalid endpoint URL {url:?}")]
    Url { url: String },
    /// Authentication failed: no credential could be had (token endpoint
    /// refused or unreachable, unusable callback value), or the API
    /// answered `401` to a fresh one too.
    #[error("authentication failed: {source} (after {attempts} attempts)")]
    Auth { source: AuthError, attempts: u32 },
    /// The server answered with a status other than 202.
    #[error("{} {}: {} (after {attempts} attempts)", .rejection.code, short(&.rejection.body), problem_summary(.rejection.problem.as_ref()))]
    Rejected {
        rejection: Box<Rejection>,
        idempotency_key: IdempotencyKey,
        attempts: u32,
    },
    /// 202: the message was accepted, but the body did not say its
    /// reference id. Do not resend under a new key.
    #[error(
        "accepted (202) but the reference id is missing or malformed (idempotency key {idempotency_key}, after {attempts} attempts)"
    )]
    AcceptedWithoutReference {
        idempotency_key: IdempotencyKey,
        body: String,
        attempts: u32,
    },
    /// No connection could be made: the message certainly was not sent.
    #[error("could not connect (after {attempts} attempts): {source}")]
    Connect {
        source: reqwest::Error,
        attempts: u32,
    },
    /// The request timed out (possibly after the body was sent).
    #[error("timed out (after {attempts} attempts)")]
    Timeout {
        source: reqwest::Error,
        attempts: u32,
    },
    /// The connection failed after the request started.
    #[error("transport error (after {attempts} attempts): {source}")]
    Transport {
        source: reqwest::Error,
        attempts: u32,
    },
    /// Retries ran out after at least one attempt whose body may have
    /// reached the server: the message may or may not have been ingested.
    /// Resend with the same idempotency key to find out.
    #[error(
        "the outcome cannot be known (idempotency key {idempotency_key}, after {attempts} attempts): {last}"
    )]
    Unknown {
        idempotency_key: IdempotencyKey,
        attempts: u32,
        last: Box<SendError>,
    },
}

fn short(body: &str) -> &str {
    match body.char_indices().nth(200) {
        Some((i, _)) => &body[..i],
        None => body,
    }
}

fn problem_summary(p: Option<&Problem>) -> String {
    match p {
        None => String::new(),
        Some(p) => {
            let mut s = p.title.clone().unwrap_or_default();
            if let Some(d) = &p.detail {
                s.push_str(": ");
                s.push_str(d);
            }
            if !p.errors.is_empty() {
                s.push_str(&format!(" ({} field errors)", p.errors.len()));
            }
            s
        }
    }
}

impl SendError {
    /// Requests made (0: nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            SendError::Invalid(_) | SendError::Write(_) | SendError::Url { .. } => 0,
            SendError::Auth { attempts, .. }
            | SendError::Rejected { attempts, .. }
            | SendError::AcceptedWithoutReference { attempts, .. }
            | SendError::Connect { attempts, .. }
            | SendError::Timeout { attempts, .. }
            | SendError::Transport { attempts, .. }
            | SendError::Unknown { attempts, .. } => *attempts,
        }
    }

    /// The idempotency key used, when requests were made with it known.
    pub fn idempotency_key(&self) -> Option<&IdempotencyKey> {
        match self {
            SendError::Rejected {
                idempotency_key, ..
            }
            | SendError::AcceptedWithoutReference {
                idempotency_key, ..
            }
            | SendError::Unknown {
                idempotency_key, ..
            } => Some(idempotency_key),
            _ => None,
        }
    }

    /// The server's answer, if this is a refusal.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            SendError::Rejected { rejection, .. } => Some(rejection),
            _ => None,
        }
    }

    pub(crate) fn set_attempts(&mut self, n: u32) {
        match self {
            SendError::Auth { attempts, .. }
            | SendError::Rejected { attempts, .. }
            | SendError::AcceptedWithoutReference { attempts, .. }
            | SendError::Connect { attempts, .. }
            | SendError::Timeout { attempts, .. }
            | SendError::Transport { attempts, .. }
            | SendError::Unknown { attempts, .. } => *attempts = n,
            SendError::Invalid(_) | SendError::Write(_) | SendError::Url { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_keeps_every_member_and_finds_field_errors_under_any_name() {
        let body = r#"{"type":"about:blank","title":"Bad","status":400,"traceId":"t-1",
            "validationErrors":[{"field":"Consignee","message":"required"},{"note":"no field"}],
            "errors":[{"pointer":"/a","detail":"d"}]}"#;
        let p: Problem = serde_json::from_str(body).expect("parses");
        assert_eq!(p.status, Some(400));
        assert_eq!(p.extensions["traceId"], "t-1");
        assert!(p.extensions.contains_key("validationErrors"));
        let mut found: Vec<_> = p
            .errors
            .iter()
            .map(|e| (e.location().map(str::to_owned), e.detail.clone()))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                (Some("/a".into()), Some("d".into())),
                (Some("Consignee".into()), Some("required".into()))
            ]
        );
    }
}
