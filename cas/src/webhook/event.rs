//! Typed webhook events: the envelope, the known payloads, and the
//! fallbacks that keep whatever the server adds later.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::WebhookError;

/// Largest body [`WebhookEvent::from_json`] accepts, so a hostile sender
/// cannot make us buffer and parse arbitrarily large documents.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// One webhook delivery: the common envelope plus its typed payload.
///
/// Serializes back to the same JSON shape it was read from (see the module
/// docs), including envelope fields this crate does not know.
///
/// ```
/// use cas_api::webhook::{EventPayload, WebhookEvent};
///
/// let body = br#"{"eventId":"evt_1","eventType":"CreationSuccessful",
///     "occurredAt":"2026-11-24T10:00:00Z",
///     "data":{"ingestionReferences":["6f1c1d52-4c3b-4b8e-9a51-2f7f3d0c1a10"],
///             "messageType":"CustomsShipmentInformation","businessKey":"SHP-1"}}"#;
/// let event = WebhookEvent::from_json(body)?;
/// assert_eq!(event.event_type(), "CreationSuccessful");
/// assert!(matches!(event.payload, EventPayload::CreationSuccessful(_)));
/// # Ok::<(), cas_api::webhook::WebhookError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookEvent {
    /// Unique per event; repeated on redelivery, so it is the dedup key.
    pub event_id: String,
    /// When CAS says the event happened (not when it was delivered).
    pub occurred_at: OffsetDateTime,
    /// The typed `data`, chosen by `eventType`.
    pub payload: EventPayload,
    /// Envelope fields not modelled here, kept so nothing the server sends is lost.
    pub extra: Map<String, Value>,
}

/// The `data` of an event, by `eventType`.
#[derive(Clone, Debug, PartialEq)]
pub enum EventPayload {
    CreationSuccessful(IngestionSucceeded),
    CreationUnsuccessful(IngestionFailed),
    ReplaceSuccessful(IngestionSucceeded),
    ReplaceUnsuccessful(IngestionFailed),
    DeclarationStatusChanged(DeclarationStatusChanged),
    /// An event type this crate does not know yet; kept verbatim rather
    /// than rejected, because CAS may add types at any time.
    Unknown {
        event_type: String,
        data: Value,
    },
}

impl EventPayload {
    /// The wire name of the event type (`eventType`).
    pub fn event_type(&self) -> &str {
        match self {
            EventPayload::CreationSuccessful(_) => "CreationSuccessful",
            EventPayload::CreationUnsuccessful(_) => "CreationUnsuccessful",
            EventPayload::ReplaceSuccessful(_) => "ReplaceSuccessful",
            EventPayload::ReplaceUnsuccessful(_) => "ReplaceUnsuccessful",
            EventPayload::DeclarationStatusChanged(_) => "DeclarationStatusChanged",
            EventPayload::Unknown { event_type, .. } => event_type,
        }
    }

    /// The ingestion `referenceId`s this event reports on; empty for
    /// events that do not carry them (status changes, unknown types).
    pub fn ingestion_references(&self) -> &[Uuid] {
        match self {
            EventPayload::CreationSuccessful(p) | EventPayload::ReplaceSuccessful(p) => {
                &p.ingestion_references
            }
            EventPayload::CreationUnsuccessful(p) | EventPayload::ReplaceUnsuccessful(p) => {
                &p.ingestion_references
            }
            EventPayload::DeclarationStatusChanged(_) | EventPayload::Unknown { .. } => &[],
        }
    }

    fn from_parts(event_type: String, data: Value) -> Result<Self, WebhookError> {
        let typed = |e| WebhookError::Payload {
            event_type: event_type.clone(),
            source: e,
        };
        Ok(match event_type.as_str() {
            "CreationSuccessful" => {
                EventPayload::CreationSuccessful(serde_json::from_value(data).map_err(typed)?)
            }
            "CreationUnsuccessful" => {
                EventPayload::CreationUnsuccessful(serde_json::from_value(data).map_err(typed)?)
            }
            "ReplaceSuccessful" => {
                EventPayload::ReplaceSuccessful(serde_json::from_value(data).map_err(typed)?)
            }
            "ReplaceUnsuccessful" => {
                EventPayload::ReplaceUnsuccessful(serde_json::from_value(data).map_err(typed)?)
            }
            "DeclarationStatusChanged" => {
                EventPayload::DeclarationStatusChanged(serde_json::from_value(data).map_err(typed)?)
            }
            _ => EventPayload::Unknown { event_type, data },
        })
    }

    fn to_data(&self) -> Result<Value, serde_json::Error> {
        match self {
            EventPayload::CreationSuccessful(p) | EventPayload::ReplaceSuccessful(p) => {
                serde_json::to_value(p)
            }
            EventPayload::CreationUnsuccessful(p) | EventPayload::ReplaceUnsuccessful(p) => {
                serde_json::to_value(p)
            }
            EventPayload::DeclarationStatusChanged(p) => serde_json::to_value(p),
            EventPayload::Unknown { data, .. } => Ok(data.clone()),
        }
    }
}

/// Payload of `CreationSuccessful` and `ReplaceSuccessful`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestionSucceeded {
    /// The `referenceId`s from the ingestion endpoint's `202 Accepted`.
    pub ingestion_references: Vec<Uuid>,
    /// Which message this was (e.g. `CustomsShipmentInformation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    /// The sender's own key for the business object (e.g. a shipment number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_key: Option<String>,
    /// The shipment reference later status events use, when CAS assigns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customs_shipment_reference: Option<String>,
    /// Fields not modelled here, kept for forward compatibility.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Payload of `CreationUnsuccessful` and `ReplaceUnsuccessful`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestionFailed {
    /// The `referenceId`s from the ingestion endpoint's `202 Accepted`.
    pub ingestion_references: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_key: Option<String>,
    /// Why CAS refused the message (business validation).
    #[serde(default)]
    pub errors: Vec<BusinessError>,
    /// Fields not modelled here, kept for forward compatibility.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One business validation error reported by CAS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessError {
    /// Machine-readable code, stable across languages.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Location in the message (e.g. an XPath), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Offending field name, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Payload of `DeclarationStatusChanged`: progress of a declaration,
/// keyed by shipment reference (no ingestion references here).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclarationStatusChanged {
    pub customs_shipment_reference: String,
    /// Movement Reference Number, once customs has allocated one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrn: Option<String>,
    /// Absent for the first status a declaration gets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<DeclarationStatus>,
    pub new_status: DeclarationStatus,
    /// When the status changed at customs.
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Status of a customs declaration. Unknown values are kept in `Other`
/// so a new server-side status does not break parsing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DeclarationStatus {
    Draft,
    Submitted,
    Accepted,
    Invalid,
    UnderControl,
    Released,
    Rejected,
    Cancelled,
    Other(String),
}

impl DeclarationStatus {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            DeclarationStatus::Draft => "Draft",
            DeclarationStatus::Submitted => "Submitted",
            DeclarationStatus::Accepted => "Accepted",
            DeclarationStatus::Invalid => "Invalid",
            DeclarationStatus::UnderControl => "UnderControl",
            DeclarationStatus::Released => "Released",
            DeclarationStatus::Rejected => "Rejected",
            DeclarationStatus::Cancelled => "Cancelled",
            DeclarationStatus::Other(s) => s,
        }
    }

    /// Parses the wire spelling; never fails (unknown → `Other`).
    pub fn parse(s: &str) -> Self {
        match s {
            "Draft" => DeclarationStatus::Draft,
            "Submitted" => DeclarationStatus::Submitted,
            "Accepted" => DeclarationStatus::Accepted,
            "Invalid" => DeclarationStatus::Invalid,
            "UnderControl" => DeclarationStatus::UnderControl,
            "Released" => DeclarationStatus::Released,
            "Rejected" => DeclarationStatus::Rejected,
            "Cancelled" => DeclarationStatus::Cancelled,
            other => DeclarationStatus::Other(other.to_owned()),
        }
    }
}

impl std::fmt::Display for DeclarationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DeclarationStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DeclarationStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(DeclarationStatus::parse(&s))
    }
}

/// The envelope as it is on the wire, before `data` is typed.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEnvelope {
    event_id: String,
    event_type: String,
    #[serde(with = "time::serde::rfc3339")]
    occurred_at: OffsetDateTime,
    #[serde(default)]
    data: Value,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl WebhookEvent {
    /// Parses a webhook body, refusing bodies over [`DEFAULT_MAX_BODY`].
    ///
    /// Does not check the signature: use
    /// [`Verifier::verify`](super::Verifier::verify) on untrusted input.
    pub fn from_json(body: &[u8]) -> Result<Self, WebhookError> {
        Self::from_json_with_limit(body, DEFAULT_MAX_BODY)
    }

    /// Like [`from_json`](Self::from_json) with a caller-chosen size limit in bytes.
    pub fn from_json_with_limit(body: &[u8], limit: usize) -> Result<Self, WebhookError> {
        if body.len() > limit {
            return Err(WebhookError::BodyTooLarge {
                len: body.len(),
                limit,
            });
        }
        let raw: RawEnvelope = serde_json::from_slice(body).map_err(WebhookError::Json)?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: RawEnvelope) -> Result<Self, WebhookError> {
        Ok(WebhookEvent {
            event_id: raw.event_id,
            occurred_at: raw.occurred_at,
            payload: EventPayload::from_parts(raw.event_type, raw.data)?,
            extra: raw.extra,
        })
    }

    /// Serializes to the wire JSON (the inverse of [`from_json`](Self::from_json)).
    pub fn to_json(&self) -> Result<Vec<u8>, WebhookError> {
        serde_json::to_vec(self).map_err(WebhookError::Json)
    }

    /// The wire name of the event type (`eventType`).
    pub fn event_type(&self) -> &str {
        self.payload.event_type()
    }
}

impl Serialize for WebhookEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw = RawEnvelope {
            event_id: self.event_id.clone(),
            event_type: self.event_type().to_owned(),
            occurred_at: self.occurred_at,
            data: self.payload.to_data().map_err(serde::ser::Error::custom)?,
            extra: self.extra.clone(),
        };
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for WebhookEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawEnvelope::deserialize(d)?;
        WebhookEvent::from_raw(raw).map_err(serde::de::Error::custom)
    }
}
