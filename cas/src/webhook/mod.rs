//! CAS webhook events: the documented envelope and types, a receiver that
//! accepts deliveries the way CAS sends them, and correlation of outcomes
//! with what was sent.
//!
//! # What CAS documents (see `cas-api.md` of the project)
//!
//! CAS `POST`s each event as JSON to a subscription's URL; any `2xx`
//! acknowledges it, anything else is retried (about 10 s, 30 s, 1 min,
//! 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h up to 24 h, with
//! jitter), so a receiver sees duplicates and events out of order.
//! **Deliveries are not signed**: [`Receiver`] accepts unsigned deliveries
//! by default; a secret token in the URL, HTTP basic auth or a Standard
//! Webhooks signature ([`Verifier`], for proxies and the sandbox) are the
//! user's options ([`ReceiverConfig`]). Events carry little; for anything
//! that matters, confirm by reading the declaration through the
//! Declarations API.
//!
//! The envelope: `id` (unique, the dedup key), `tenantId`, `plantId`,
//! `eventTime` (UTC, up to 7 fractional digits), `eventType`,
//! `eventSubType`, `data`. Typed `data` ([`EventData`]) by `eventType`:
//!
//! | `eventType` | `eventSubType` | [`EventData`] |
//! |---|---|---|
//! | `CustomsShipmentInformation` (also `…Payload`) | `CreationUnsuccessful`, `ReplaceSuccessful`, `ReplaceUnsuccessful` | [`ShipmentInformation`]: `ingestionReferences`, `businessReference`, `direction`, `errorDescriptions`, … |
//! | `DeclarationStatusChanged` | a status | [`DeclarationData`] (`currentStatus` an open [`DeclarationStatus`]) |
//! | `DeclarationPdfCreated` | PDF kind | [`DeclarationData`] with `url`, `type` |
//! | `DeclarationActionFinished` | action | [`DeclarationData`] with `action`, `arc`, `sequenceNumber` |
//! | `CoOPDFCreated` | `CertificateOfOrigin` | [`CertificateOfOriginPdf`] |
//! | `CustomsDataReturned` | `AWBCreated` | [`CustomsDataReturned`] |
//!
//! CAS documents no "creation successful" event: a shipment that was
//! accepted shows up as declarations changing status, tied to it by
//! `customsShipmentReference` (its external reference), with no ingestion
//! references; see [`Correlator`].
//!
//! # What CAS does not document, and what this crate does about it
//!
//! - The members of the duties-received and guarantee-threshold events:
//!   such events parse (envelope typed) with [`EventData::Untyped`].
//! - Which `data` members are always present: every typed member is a
//!   [`Field`] (absent, `null` or set), and unknown members are kept.
//! - The subscription API's paths and bodies: not implemented; create the
//!   subscription through CAS's tools and point it at the receiver.
//! - Statuses beyond the partial list: [`DeclarationStatus::Other`].
//!
//! Reading is tolerant: member names are trimmed (a documentation example
//! writes `"mawb "`), a known type whose `data` has another shape becomes
//! [`EventData::Untyped`] with the mismatch, and everything is written back
//! as read. Bodies are limited to [`DEFAULT_MAX_BODY`] bytes unless
//! configured.
//!
//! [Standard Webhooks]: https://www.standardwebhooks.com/

mod correlate;
mod data;
mod event;
mod field;
mod receiver;
mod signature;
#[cfg(test)]
mod tests;

pub use correlate::{
    Correlator, DeclarationHistory, Outcome, OutcomeKind, Resolution, SentMessage, ShipmentKey,
    StatusChange,
};
pub use data::{CertificateOfOriginPdf, CustomsDataReturned, DeclarationData, ShipmentInformation};
pub use event::{DEFAULT_MAX_BODY, EventData, WebhookEvent, event_types, sub_types};
pub use field::{DeclarationStatus, EventTime, Field};
pub use receiver::{
    Delivery, EventLog, EventStore, MemoryStore, Received, Receiver, ReceiverConfig,
};
pub use signature::{
    DEFAULT_TOLERANCE, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, HeaderLookup, Secret,
    Verifier, WebhookHeaders, sign,
};

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
    #[error("the URL token is missing or wrong")]
    BadUrlToken,
    #[error("wrong basic-auth credentials")]
    BadCredentials,
    #[error("the event could not be recorded: {0}")]
    Store(#[source] std::io::Error),
}

impl WebhookError {
    /// The HTTP status a receiver answers for this refusal: `413` too
    /// large, `400` not an event, `503` not recorded (CAS retries), `401`
    /// for a failed check.
    pub fn status(&self) -> u16 {
        match self {
            WebhookError::BodyTooLarge { .. } => 413,
            WebhookError::Json(_) => 400,
            WebhookError::Store(_) => 503,
            _ => 401,
        }
    }
}
