//! CAS webhooks: typed events, signature verification, correlation.
//!
//! CAS processes ingested messages asynchronously and reports outcomes as
//! webhook deliveries. This module lets a receiver, in any web framework:
//!
//! 1. authenticate a delivery with [`Verifier`] ([Standard Webhooks]:
//!    `webhook-id`, `webhook-timestamp`, `webhook-signature`, HMAC-SHA256
//!    over `"{id}.{timestamp}.{body}"`, secrets as `whsec_<base64>`),
//! 2. parse it into a [`WebhookEvent`], and
//! 3. tie outcomes back to what was sent with a [`Correlator`].
//!
//! # Assumed JSON shape
//!
//! CAS's event schema is not public; this is the shape assumed here, from
//! the API description. Every object may carry more fields: they are kept
//! (`extra`), not rejected, and an unknown `eventType` is kept as
//! [`EventPayload::Unknown`]. Timestamps are RFC 3339.
//!
//! ```json
//! {
//!   "eventId": "evt_01HZX…",                  // unique, repeated on redelivery
//!   "eventType": "CreationUnsuccessful",
//!   "occurredAt": "2026-11-24T10:00:00Z",
//!   "data": { … }                            // depends on eventType
//! }
//! ```
//!
//! `data` by `eventType`:
//!
//! - `CreationSuccessful`, `ReplaceSuccessful` ([`IngestionSucceeded`]):
//!   `ingestionReferences` (array of UUIDs, the `referenceId`s of the
//!   `202 Accepted`), optional `messageType`, `businessKey`,
//!   `customsShipmentReference`.
//! - `CreationUnsuccessful`, `ReplaceUnsuccessful` ([`IngestionFailed`]):
//!   `ingestionReferences`, optional `messageType`, `businessKey`, and
//!   `errors`: `[{"code", "message", "path"?, "field"?}]`.
//! - `DeclarationStatusChanged` ([`DeclarationStatusChanged`]):
//!   `customsShipmentReference`, optional `mrn`, optional `previousStatus`,
//!   `newStatus` (`Draft`, `Submitted`, `Accepted`, `Invalid`,
//!   `UnderControl`, `Released`, `Rejected`, `Cancelled`, or any other
//!   string), `changedAt`. No `ingestionReferences`.
//!
//! Bodies are limited to [`DEFAULT_MAX_BODY`] bytes unless configured.
//!
//! [Standard Webhooks]: https://www.standardwebhooks.com/

mod correlate;
mod event;
mod signature;
#[cfg(test)]
mod tests;

pub use correlate::{Correlator, Outcome, OutcomeKind, SentMessage, StatusChange};
pub use event::{
    BusinessError, DEFAULT_MAX_BODY, DeclarationStatus, DeclarationStatusChanged, EventPayload,
    IngestionFailed, IngestionSucceeded, WebhookEvent,
};
pub use signature::{
    DEFAULT_TOLERANCE, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, HeaderLookup, Secret,
    Verifier, WebhookHeaders, sign,
};
/// Re-exported so callers use the same `Uuid` as the event types.
pub use uuid::Uuid;

use std::time::Duration;

/// Why a delivery was refused. Messages never contain secret material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    #[error("missing or empty header `{0}`")]
    MissingHeader(&'static str),
    #[error("`webhook-timestamp` is not an integer number of seconds: {0:?}")]
    BadTimestamp(String),
    #[error(
        "`webhook-timestamp` {timestamp} is more than {}s from now ({now}); possible replay",
        tolerance.as_secs()
    )]
    TimestampOutsideTolerance {
        timestamp: i64,
        now: i64,
        tolerance: Duration,
    },
    #[error("no `v1` signature matches any configured secret")]
    NoMatchingSignature,
    #[error("bad webhook secret: {0}")]
    BadSecret(&'static str),
    #[error("body of {len} bytes exceeds the limit of {limit}")]
    BodyTooLarge { len: usize, limit: usize },
    #[error("webhook body is not a valid event envelope: {0}")]
    Json(#[source] serde_json::Error),
    #[error("`data` of a {event_type} event does not match its schema: {source}")]
    Payload {
        event_type: String,
        #[source]
        source: serde_json::Error,
    },
}
