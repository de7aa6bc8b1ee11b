//! Ties asynchronous outcomes back to the messages (and files) that caused them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, SystemTime};

use time::OffsetDateTime;

use super::{DeclarationStatus, EventData, EventTime, WebhookEvent, sub_types};

/// The identity of a customs shipment in CAS: external reference + direction.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShipmentKey {
    pub external_reference: String,
    /// `IN` or `OUT`.
    pub direction: String,
}

/// A message sent to the ingestion API and answered with `202 Accepted`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMessage {
    /// The `referenceId` of the `202` (opaque).
    pub reference_id: String,
    /// Which message it was (e.g. `CustomsShipment`).
    pub message_name: String,
    /// The file it came from, if any.
    pub file: Option<String>,
    /// For a CustomsShipment: its key and `messageType`, read from the message.
    pub shipment: Option<ShipmentKey>,
    pub message_type: Option<String>,
    pub sent_at: SystemTime,
}

/// What a `CustomsShipmentInformation` event reported for an ingestion.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OutcomeKind {
    CreationUnsuccessful,
    ReplaceSuccessful,
    ReplaceUnsuccessful,
    /// A subtype this crate does not know, kept as written.
    Other(String),
}

impl OutcomeKind {
    fn parse(sub_type: &str) -> OutcomeKind {
        match sub_type {
            sub_types::CREATION_UNSUCCESSFUL => OutcomeKind::CreationUnsuccessful,
            sub_types::REPLACE_SUCCESSFUL => OutcomeKind::ReplaceSuccessful,
            sub_types::REPLACE_UNSUCCESSFUL => OutcomeKind::ReplaceUnsuccessful,
            other => OutcomeKind::Other(other.to_owned()),
        }
    }
}

/// The outcome CAS reported for one ingestion `referenceId`.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub kind: OutcomeKind,
    /// The event that reported it.
    pub event_id: String,
    pub event_time: EventTime,
    /// CAS's `errorDescriptions` (empty on success).
    pub error_descriptions: Vec<String>,
    /// The shipment's external reference and direction, as CAS reported them.
    pub business_reference: Option<String>,
    pub direction: Option<String>,
}

impl Outcome {
    /// True for `ReplaceSuccessful`.
    pub fn is_success(&self) -> bool {
        self.kind == OutcomeKind::ReplaceSuccessful
    }
}

/// One status a declaration reached.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusChange {
    pub event_id: String,
    pub status: DeclarationStatus,
    pub event_time: EventTime,
    pub mrn: Option<String>,
}

/// A declaration of a shipment and its statuses, ordered by `eventTime`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeclarationHistory {
    /// The declaration's id (`data.id`); empty when the event had none.
    pub id: String,
    pub history: Vec<StatusChange>,
}

impl DeclarationHistory {
    /// The status of the latest change by `eventTime` (not by arrival).
    pub fn current(&self) -> Option<&DeclarationStatus> {
        self.history.last().map(|c| &c.status)
    }
}

/// What the correlator knows of an ingestion.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolution<'a> {
    /// A `CustomsShipmentInformation` event named its `referenceId`.
    Outcome(&'a Outcome),
    /// No outcome event, but declarations of its shipment changed status
    /// at or after it was sent (CAS reports no "creation successful").
    Progressing,
    /// Nothing yet.
    Pending,
}

/// In-memory correlation of sent messages with events.
///
/// - By `referenceId`: `CustomsShipmentInformation` events name the
///   ingestions behind them in `ingestionReferences`.
/// - By shipment: declaration events carry `customsShipmentReference` (the
///   external reference) but neither ingestion references nor the
///   direction; two sent shipments with the same external reference and
///   different directions therefore see the same declarations (and
///   [`is_ambiguous`](Self::is_ambiguous) says so): confirm through the
///   Declarations API, which can search by reference and direction.
///
/// Redeliveries (same event `id`) change nothing; events out of order are
/// placed by `eventTime`; events that arrive before
/// [`record_sent`](Self::record_sent) resolve once it is called.
///
/// ```
/// use std::time::SystemTime;
/// use cas_api::webhook::{Correlator, OutcomeKind, SentMessage, WebhookEvent};
///
/// let mut correlator = Correlator::new();
/// correlator.record_sent(SentMessage {
///     reference_id: "ref-1".into(), message_name: "CustomsShipment".into(),
///     file: Some("shipment.xml".into()), shipment: None, message_type: None,
///     sent_at: SystemTime::now(),
/// });
/// let event = WebhookEvent::from_json(br#"{"id":"e1","eventTime":"2026-11-24T10:00:00Z",
///     "eventType":"CustomsShipmentInformation","eventSubType":"CreationUnsuccessful",
///     "data":{"ingestionReferences":["ref-1"],"errorDescriptions":["Unknown port"]}}"#)?;
/// correlator.observe(&event);
/// let outcome = correlator.outcome("ref-1").ok_or("no outcome")?;
/// assert_eq!(outcome.kind, OutcomeKind::CreationUnsuccessful);
/// assert_eq!(outcome.error_descriptions, ["Unknown port"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Correlator {
    sent: HashMap<String, SentMessage>,
    outcomes: HashMap<String, Vec<Outcome>>,
    /// External reference -> declaration id -> history.
    declarations: HashMap<String, BTreeMap<String, DeclarationHistory>>,
    seen: HashSet<String>,
    events: Vec<WebhookEvent>,
}

impl Correlator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a message accepted by the ingestion API (again: replaces).
    pub fn record_sent(&mut self, message: SentMessage) {
        self.sent.insert(message.reference_id.clone(), message);
    }

    /// Feeds one event. Returns `false` for an `id` seen before.
    pub fn observe(&mut self, event: &WebhookEvent) -> bool {
        if !self.seen.insert(event.id.clone()) {
            return false;
        }
        match &event.data {
            EventData::ShipmentInformation(info) => {
                let outcome = Outcome {
                    kind: OutcomeKind::parse(event.sub_type().unwrap_or_default()),
                    event_id: event.id.clone(),
                    event_time: event.event_time.clone(),
                    error_descriptions: info.errors().to_vec(),
                    business_reference: info.business_reference.as_deref().map(str::to_owned),
                    direction: info.direction.as_deref().map(str::to_owned),
                };
                for reference in info.references() {
                    let list = self.outcomes.entry(reference.clone()).or_default();
                    let at = list.partition_point(|o| o.event_time.at() <= outcome.event_time.at());
                    list.insert(at, outcome.clone());
                }
            }
            EventData::DeclarationStatusChanged(d) => {
                if let (Some(reference), Some(status)) = (
                    d.customs_shipment_reference.as_deref(),
                    event.declaration_status(),
                ) {
                    let change = StatusChange {
                        event_id: event.id.clone(),
                        status,
                        event_time: event.event_time.clone(),
                        mrn: d.mrn.as_deref().map(str::to_owned),
                    };
                    let id = d.id.as_deref().unwrap_or_default().to_owned();
                    let declaration = self
                        .declarations
                        .entry(reference.to_owned())
                        .or_default()
                        .entry(id.clone())
                        .or_insert_with(|| DeclarationHistory {
                            id,
                            history: Vec::new(),
                        });
                    let at = declaration
                        .history
                        .partition_point(|c| c.event_time.at() <= change.event_time.at());
                    declaration.history.insert(at, change);
                }
            }
            _ => {}
        }
        self.events.push(event.clone());
        true
    }

    /// The latest outcome (by `eventTime`) reported for `reference_id`.
    pub fn outcome(&self, reference_id: &str) -> Option<&Outcome> {
        self.outcomes.get(reference_id).and_then(|v| v.last())
    }

    /// Every outcome reported for `reference_id`, oldest first.
    pub fn outcomes(&self, reference_id: &str) -> &[Outcome] {
        self.outcomes.get(reference_id).map_or(&[], Vec::as_slice)
    }

    /// The record made by [`record_sent`](Self::record_sent).
    pub fn sent(&self, reference_id: &str) -> Option<&SentMessage> {
        self.sent.get(reference_id)
    }

    /// The messages sent for a shipment, oldest first.
    pub fn sent_for(&self, key: &ShipmentKey) -> Vec<&SentMessage> {
        let mut list: Vec<&SentMessage> = self
            .sent
            .values()
            .filter(|m| m.shipment.as_ref() == Some(key))
            .collect();
        list.sort_by(|a, b| {
            a.sent_at
                .cmp(&b.sent_at)
                .then(a.reference_id.cmp(&b.reference_id))
        });
        list
    }

    /// The declarations of the shipment with this external reference, by id.
    pub fn declarations(&self, external_reference: &str) -> Vec<&DeclarationHistory> {
        self.declarations
            .get(external_reference)
            .map(|m| m.values().collect())
            .unwrap_or_default()
    }

    /// True when shipments with this external reference were sent in both
    /// directions, so its declaration events cannot be told apart here.
    pub fn is_ambiguous(&self, external_reference: &str) -> bool {
        let directions: HashSet<&str> = self
            .sent
            .values()
            .filter_map(|m| m.shipment.as_ref())
            .filter(|k| k.external_reference == external_reference)
            .map(|k| k.direction.as_str())
            .collect();
        directions.len() > 1
    }

    /// What is known of the ingestion `reference_id`.
    pub fn resolution(&self, reference_id: &str) -> Resolution<'_> {
        if let Some(o) = self.outcome(reference_id) {
            return Resolution::Outcome(o);
        }
        let Some(message) = self.sent.get(reference_id) else {
            return Resolution::Pending;
        };
        // A Replace always gets an outcome event; the others succeed silently.
        let silent_success = message.message_type.as_deref() != Some("Replace");
        let sent_at = OffsetDateTime::from(message.sent_at);
        let progressed = message.shipment.as_ref().is_some_and(|key| {
            self.declarations(&key.external_reference)
                .iter()
                .flat_map(|d| &d.history)
                .any(|c| c.event_time.at() >= sent_at)
        });
        if silent_success && progressed {
            Resolution::Progressing
        } else {
            Resolution::Pending
        }
    }

    /// Ingestions sent more than `after` before `now` that still have no
    /// outcome and no progress, oldest first: the ones to chase (confirm
    /// through the Declarations API, or resend a shipment as `Upsert`).
    pub fn pending(&self, now: SystemTime, after: Duration) -> Vec<&SentMessage> {
        let cutoff = now.checked_sub(after).unwrap_or(SystemTime::UNIX_EPOCH);
        let mut pending: Vec<&SentMessage> = self
            .sent
            .values()
            .filter(|m| m.sent_at <= cutoff)
            .filter(|m| self.resolution(&m.reference_id) == Resolution::Pending)
            .collect();
        pending.sort_by(|a, b| {
            a.sent_at
                .cmp(&b.sent_at)
                .then(a.reference_id.cmp(&b.reference_id))
        });
        pending
    }

    /// Events tied to nothing recorded: outcome events naming no recorded
    /// `referenceId`, declaration and CoO events about no sent shipment,
    /// and events of types not typed here.
    pub fn unmatched(&self) -> Vec<&WebhookEvent> {
        self.events
            .iter()
            .filter(|e| {
                let refs = e.ingestion_references();
                if !refs.is_empty() {
                    return !refs.iter().any(|r| self.sent.contains_key(r));
                }
                match e.shipment_reference() {
                    Some(reference) => !self.sent.values().any(|m| {
                        m.shipment
                            .as_ref()
                            .is_some_and(|k| k.external_reference == reference)
                    }),
                    None => true,
                }
            })
            .collect()
    }

    /// Every distinct event observed, in arrival order.
    pub fn events(&self) -> &[WebhookEvent] {
        &self.events
    }
}
