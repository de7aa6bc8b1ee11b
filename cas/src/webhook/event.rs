//! The event envelope, the typed `data` chosen by `eventType`, and the
//! fallbacks that keep whatever CAS adds later.

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::data::{
    CertificateOfOriginPdf, CustomsDataReturned, DeclarationData, ShipmentInformation,
};
use super::{DeclarationStatus, EventTime, Field, WebhookError};

/// Largest body [`WebhookEvent::from_json`] accepts, so a hostile sender
/// cannot make us buffer and parse arbitrarily large documents.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// The `eventType`s CAS documents, as spelled on the wire.
pub mod event_types {
    pub const CUSTOMS_SHIPMENT_INFORMATION: &str = "CustomsShipmentInformation";
    /// The spelling one documentation table uses; read like the other.
    pub const CUSTOMS_SHIPMENT_INFORMATION_PAYLOAD: &str = "CustomsShipmentInformationPayload";
    pub const DECLARATION_STATUS_CHANGED: &str = "DeclarationStatusChanged";
    pub const DECLARATION_PDF_CREATED: &str = "DeclarationPdfCreated";
    pub const DECLARATION_ACTION_FINISHED: &str = "DeclarationActionFinished";
    pub const COO_PDF_CREATED: &str = "CoOPDFCreated";
    pub const CUSTOMS_DATA_RETURNED: &str = "CustomsDataReturned";
}

/// The `eventSubType`s of `CustomsShipmentInformation`.
pub mod sub_types {
    pub const CREATION_UNSUCCESSFUL: &str = "CreationUnsuccessful";
    pub const REPLACE_SUCCESSFUL: &str = "ReplaceSuccessful";
    pub const REPLACE_UNSUCCESSFUL: &str = "ReplaceUnsuccessful";
}

/// One event as CAS delivers it: the envelope and its typed `data`.
///
/// Written back ([`to_json`](Self::to_json)) as it was read: every member,
/// known or not, with its value, `null`s included. The one change: member
/// names are read trimmed (a documentation example writes `"mawb "`), and
/// written trimmed.
///
/// ```
/// use cas_api::webhook::{EventData, WebhookEvent};
///
/// let body = br#"{"id":"5b0c","tenantId":"t1","plantId":"p1",
///     "eventTime":"2026-11-24T10:00:00.1234567Z",
///     "eventType":"CustomsShipmentInformation","eventSubType":"CreationUnsuccessful",
///     "data":{"ingestionReferences":["ref-1"],"businessReference":"SHP-1","direction":"OUT",
///             "errorDescriptions":["Unknown commodity code"]}}"#;
/// let event = WebhookEvent::from_json(body)?;
/// let EventData::ShipmentInformation(info) = &event.data else { panic!() };
/// assert_eq!(info.references(), ["ref-1"]);
/// assert_eq!(info.errors(), ["Unknown commodity code"]);
/// # Ok::<(), cas_api::webhook::WebhookError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookEvent {
    /// Unique event key, repeated on redelivery: the dedup key.
    pub id: String,
    pub tenant_id: Field<String>,
    /// Empty for some events (e.g. `CustomsDataReturned`).
    pub plant_id: Field<String>,
    /// When the event happened (UTC), as written.
    pub event_time: EventTime,
    /// As received (both spellings of `CustomsShipmentInformation` are kept).
    pub event_type: String,
    pub event_sub_type: Field<String>,
    /// `data`, typed by `eventType`.
    pub data: EventData,
    /// Envelope members not modelled here.
    pub extra: Map<String, Value>,
}

/// The `data` of an event, by `eventType`.
#[derive(Clone, Debug, PartialEq)]
pub enum EventData {
    /// `CustomsShipmentInformation` / `CustomsShipmentInformationPayload`.
    ShipmentInformation(ShipmentInformation),
    DeclarationStatusChanged(DeclarationData),
    DeclarationPdfCreated(DeclarationData),
    DeclarationActionFinished(DeclarationData),
    CoOPdfCreated(CertificateOfOriginPdf),
    CustomsDataReturned(CustomsDataReturned),
    /// An event type this crate does not type (e.g. the duties and
    /// guarantee events, whose members are not documented), or a known
    /// type whose `data` does not have the documented shape (`mismatch`
    /// says how). Kept as JSON, never refused.
    Untyped {
        data: Value,
        mismatch: Option<String>,
    },
}

impl EventData {
    fn from_parts(event_type: &str, data: Value) -> EventData {
        use event_types as t;
        let typed = match event_type.trim() {
            t::CUSTOMS_SHIPMENT_INFORMATION | t::CUSTOMS_SHIPMENT_INFORMATION_PAYLOAD => {
                serde_json::from_value(data.clone()).map(EventData::ShipmentInformation)
            }
            t::DECLARATION_STATUS_CHANGED => {
                serde_json::from_value(data.clone()).map(EventData::DeclarationStatusChanged)
            }
            t::DECLARATION_PDF_CREATED => {
                serde_json::from_value(data.clone()).map(EventData::DeclarationPdfCreated)
            }
            t::DECLARATION_ACTION_FINISHED => {
                serde_json::from_value(data.clone()).map(EventData::DeclarationActionFinished)
            }
            t::COO_PDF_CREATED => {
                serde_json::from_value(data.clone()).map(EventData::CoOPdfCreated)
            }
            t::CUSTOMS_DATA_RETURNED => {
                serde_json::from_value(data.clone()).map(EventData::CustomsDataReturned)
            }
            _ => {
                return EventData::Untyped {
                    data,
                    mismatch: None,
                };
            }
        };
        typed.unwrap_or_else(|e| EventData::Untyped {
            data,
            mismatch: Some(e.to_string()),
        })
    }

    fn to_value(&self) -> Result<Value, serde_json::Error> {
        match self {
            EventData::ShipmentInformation(d) => serde_json::to_value(d),
            EventData::DeclarationStatusChanged(d)
            | EventData::DeclarationPdfCreated(d)
            | EventData::DeclarationActionFinished(d) => serde_json::to_value(d),
            EventData::CoOPdfCreated(d) => serde_json::to_value(d),
            EventData::CustomsDataReturned(d) => serde_json::to_value(d),
            EventData::Untyped { data, .. } => Ok(data.clone()),
        }
    }

    /// The declaration members, for the three declaration events.
    pub fn declaration(&self) -> Option<&DeclarationData> {
        match self {
            EventData::DeclarationStatusChanged(d)
            | EventData::DeclarationPdfCreated(d)
            | EventData::DeclarationActionFinished(d) => Some(d),
            _ => None,
        }
    }
}

/// The envelope as it is on the wire, before `data` is typed.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEnvelope {
    id: String,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    tenant_id: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    plant_id: Field<String>,
    event_time: EventTime,
    event_type: String,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    event_sub_type: Field<String>,
    #[serde(default)]
    data: Value,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// Member names trimmed, in the envelope and in `data` (not deeper); a
/// trimmed name that would collide with another member keeps its spelling.
fn trim_keys(value: &mut Value) {
    let Value::Object(map) = value else { return };
    if map.keys().any(|k| k.trim() != k) {
        let old = std::mem::take(map);
        let wanted: Vec<String> = old.keys().map(|k| k.trim().to_owned()).collect();
        for ((key, v), trimmed) in old.into_iter().zip(wanted.iter()) {
            let clash = trimmed != &key && wanted.iter().filter(|w| *w == trimmed).count() > 1;
            map.insert(if clash { key } else { trimmed.clone() }, v);
        }
    }
}

impl WebhookEvent {
    /// Parses a delivery body, refusing bodies over [`DEFAULT_MAX_BODY`].
    /// Does not authenticate it (see [`Receiver`](super::Receiver)).
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
        let mut value: Value = serde_json::from_slice(body).map_err(WebhookError::Json)?;
        Self::from_value(&mut value)
    }

    fn from_value(value: &mut Value) -> Result<Self, WebhookError> {
        trim_keys(value);
        if let Some(data) = value.get_mut("data") {
            trim_keys(data);
        }
        let raw = RawEnvelope::deserialize(&*value).map_err(WebhookError::Json)?;
        Ok(WebhookEvent {
            data: EventData::from_parts(&raw.event_type, raw.data),
            id: raw.id,
            tenant_id: raw.tenant_id,
            plant_id: raw.plant_id,
            event_time: raw.event_time,
            event_type: raw.event_type,
            event_sub_type: raw.event_sub_type,
            extra: raw.extra,
        })
    }

    /// Serializes to the wire JSON (the inverse of [`from_json`](Self::from_json)).
    pub fn to_json(&self) -> Result<Vec<u8>, WebhookError> {
        serde_json::to_vec(self).map_err(WebhookError::Json)
    }

    /// `eventSubType`, if set.
    pub fn sub_type(&self) -> Option<&str> {
        self.event_sub_type.as_deref()
    }

    /// The ingestion `referenceId`s this event reports on (only
    /// `CustomsShipmentInformation` carries them).
    pub fn ingestion_references(&self) -> &[String] {
        match &self.data {
            EventData::ShipmentInformation(d) => d.references(),
            _ => &[],
        }
    }

    /// The external reference of the shipment the event is about: the
    /// `businessReference` of a shipment outcome, the
    /// `customsShipmentReference` of a declaration or CoO event.
    pub fn shipment_reference(&self) -> Option<&str> {
        match &self.data {
            EventData::ShipmentInformation(d) => d.business_reference.as_deref(),
            EventData::CoOPdfCreated(d) => d.customs_shipment_reference.as_deref(),
            other => other.declaration()?.customs_shipment_reference.as_deref(),
        }
    }

    /// The declaration status a `DeclarationStatusChanged` reports:
    /// `currentStatus`, else the subtype.
    pub fn declaration_status(&self) -> Option<DeclarationStatus> {
        let EventData::DeclarationStatusChanged(d) = &self.data else {
            return None;
        };
        d.current_status
            .get()
            .cloned()
            .or_else(|| self.sub_type().map(DeclarationStatus::parse))
    }
}

impl Serialize for WebhookEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw = RawEnvelope {
            id: self.id.clone(),
            tenant_id: self.tenant_id.clone(),
            plant_id: self.plant_id.clone(),
            event_time: self.event_time.clone(),
            event_type: self.event_type.clone(),
            event_sub_type: self.event_sub_type.clone(),
            data: self.data.to_value().map_err(serde::ser::Error::custom)?,
            extra: self.extra.clone(),
        };
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for WebhookEvent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut value = Value::deserialize(d)?;
        WebhookEvent::from_value(&mut value).map_err(serde::de::Error::custom)
    }
}
