//! Ties asynchronous outcomes back to the messages that caused them.

use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

use time::OffsetDateTime;
use uuid::Uuid;

use super::{BusinessError, DeclarationStatus, EventPayload, WebhookEvent};

/// A message sent to the ingestion endpoint and answered with `202 Accepted`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMessage {
    /// The `referenceId` from the `202 Accepted`.
    pub reference_id: Uuid,
    /// Which message it was (e.g. `CustomsShipmentInformation`).
    pub message_name: String,
    pub idempotency_key: Option<String>,
    pub sent_at: SystemTime,
}

/// What kind of outcome an event reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutcomeKind {
    Created,
    CreationRejected,
    Replaced,
    ReplaceRejected,
}

/// The outcome CAS reported for one ingestion `referenceId`.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub kind: OutcomeKind,
    /// The event that reported it, to find the full delivery again.
    pub event_id: String,
    pub occurred_at: OffsetDateTime,
    /// Business validation errors; empty on success.
    pub errors: Vec<BusinessError>,
    /// The shipment reference status events will use, if CAS gave one.
    pub customs_shipment_reference: Option<String>,
}

impl Outcome {
    /// True for `Created` and `Replaced`.
    pub fn is_success(&self) -> bool {
        matches!(self.kind, OutcomeKind::Created | OutcomeKind::Replaced)
    }
}

/// One entry of a declaration's status history.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusChange {
    pub event_id: String,
    pub previous: Option<DeclarationStatus>,
    pub new: DeclarationStatus,
    pub mrn: Option<String>,
    pub changed_at: OffsetDateTime,
}

/// In-memory correlation of sent messages with webhook events.
///
/// Keeps every distinct event (by `eventId`), so redeliveries are no-ops
/// and events that arrive before [`record_sent`](Self::record_sent) (the
/// webhook can race the `202` response) still resolve once recorded.
/// Memory grows with traffic; meant for a process's working set or tests.
///
/// ```
/// use std::time::SystemTime;
/// use cas_api::webhook::{Correlator, Uuid, WebhookEvent};
///
/// let id = Uuid::parse_str("6f1c1d52-4c3b-4b8e-9a51-2f7f3d0c1a10")?;
/// let mut correlator = Correlator::new();
/// correlator.record_sent(id, "CustomsShipmentInformation", None, SystemTime::now());
///
/// let event = WebhookEvent::from_json(br#"{"eventId":"evt_1","eventType":"CreationUnsuccessful",
///     "occurredAt":"2026-11-24T10:00:00Z",
///     "data":{"ingestionReferences":["6f1c1d52-4c3b-4b8e-9a51-2f7f3d0c1a10"],
///             "errors":[{"code":"E042","message":"Unknown port"}]}}"#)?;
/// correlator.observe(&event);
///
/// let outcome = correlator.outcome(id).ok_or("no outcome")?;
/// assert!(!outcome.is_success());
/// assert_eq!(outcome.errors[0].code, "E042");
/// assert!(correlator.pending_since(SystemTime::now()).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Correlator {
    sent: HashMap<Uuid, SentMessage>,
    outcomes: HashMap<Uuid, Vec<Outcome>>,
    histories: HashMap<String, Vec<StatusChange>>,
    seen: HashSet<String>,
    events: Vec<WebhookEvent>,
}

impl Correlator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a message accepted by the ingestion endpoint. Recording the
    /// same `reference_id` again replaces the earlier record.
    pub fn record_sent(
        &mut self,
        reference_id: Uuid,
        message_name: impl Into<String>,
        idempotency_key: Option<String>,
        sent_at: SystemTime,
    ) {
        self.sent.insert(
            reference_id,
            SentMessage {
                reference_id,
                message_name: message_name.into(),
                idempotency_key,
                sent_at,
            },
        );
    }

    /// Feeds one event. Returns `false` if its `eventId` was already seen
    /// (a redelivery), in which case nothing changes.
    pub fn observe(&mut self, event: &WebhookEvent) -> bool {
        if !self.seen.insert(event.event_id.clone()) {
            return false;
        }
        let outcome = |kind, errors: &[BusinessError], csr: &Option<String>| Outcome {
            kind,
            event_id: event.event_id.clone(),
            occurred_at: event.occurred_at,
            errors: errors.to_vec(),
            customs_shipment_reference: csr.clone(),
        };
        let resolved = match &event.payload {
            EventPayload::CreationSuccessful(p) => Some(outcome(
                OutcomeKind::Created,
                &[],
                &p.customs_shipment_reference,
            )),
            EventPayload::ReplaceSuccessful(p) => Some(outcome(
                OutcomeKind::Replaced,
                &[],
                &p.customs_shipment_reference,
            )),
            EventPayload::CreationUnsuccessful(p) => {
                Some(outcome(OutcomeKind::CreationRejected, &p.errors, &None))
            }
            EventPayload::ReplaceUnsuccessful(p) => {
                Some(outcome(OutcomeKind::ReplaceRejected, &p.errors, &None))
            }
            EventPayload::DeclarationStatusChanged(p) => {
                let history = self
                    .histories
                    .entry(p.customs_shipment_reference.clone())
                    .or_default();
                let change = StatusChange {
                    event_id: event.event_id.clone(),
                    previous: p.previous_status.clone(),
                    new: p.new_status.clone(),
                    mrn: p.mrn.clone(),
                    changed_at: p.changed_at,
                };
                // Deliveries may arrive out of order: keep the history
                // sorted by when the change happened (stable for ties).
                let at = history.partition_point(|c| c.changed_at <= change.changed_at);
                history.insert(at, change);
                None
            }
            EventPayload::Unknown { .. } => None,
        };
        if let Some(o) = resolved {
            for id in event.payload.ingestion_references() {
                let list = self.outcomes.entry(*id).or_default();
                let at = list.partition_point(|x| x.occurred_at <= o.occurred_at);
                list.insert(at, o.clone());
            }
        }
        self.events.push(event.clone());
        true
    }

    /// The latest outcome reported for `reference_id`, if any.
    pub fn outcome(&self, reference_id: Uuid) -> Option<&Outcome> {
        self.outcomes.get(&reference_id).and_then(|v| v.last())
    }

    /// Every outcome reported for `reference_id`, oldest first (normally one).
    pub fn outcomes(&self, reference_id: Uuid) -> &[Outcome] {
        self.outcomes.get(&reference_id).map_or(&[], Vec::as_slice)
    }

    /// The record made by [`record_sent`](Self::record_sent).
    pub fn sent(&self, reference_id: Uuid) -> Option<&SentMessage> {
        self.sent.get(&reference_id)
    }

    /// Status changes of a customs shipment, ordered by `changedAt`.
    pub fn status_history(&self, customs_shipment_reference: &str) -> &[StatusChange] {
        self.histories
            .get(customs_shipment_reference)
            .map_or(&[], Vec::as_slice)
    }

    /// The most recent status of a customs shipment.
    pub fn current_status(&self, customs_shipment_reference: &str) -> Option<&DeclarationStatus> {
        self.status_history(customs_shipment_reference)
            .last()
            .map(|c| &c.new)
    }

    /// Messages sent before `cutoff` that still have no outcome, oldest
    /// first: the ones worth chasing or resending.
    pub fn pending_since(&self, cutoff: SystemTime) -> Vec<&SentMessage> {
        let mut pending: Vec<&SentMessage> = self
            .sent
            .values()
            .filter(|m| m.sent_at < cutoff && !self.outcomes.contains_key(&m.reference_id))
            .collect();
        pending.sort_by(|a, b| {
            a.sent_at
                .cmp(&b.sent_at)
                .then(a.reference_id.cmp(&b.reference_id))
        });
        pending
    }

    /// Events that could not be tied to a recorded message: outcome events
    /// naming a `referenceId` never passed to `record_sent`, and events of
    /// unknown type. Status changes are tied to their shipment reference
    /// and are not listed.
    pub fn unmatched(&self) -> Vec<&WebhookEvent> {
        self.events
            .iter()
            .filter(|e| match &e.payload {
                EventPayload::Unknown { .. } => true,
                EventPayload::DeclarationStatusChanged(_) => false,
                p => {
                    let refs = p.ingestion_references();
                    refs.is_empty() || refs.iter().any(|id| !self.sent.contains_key(id))
                }
            })
            .collect()
    }

    /// Every distinct event observed, in arrival order.
    pub fn events(&self) -> &[WebhookEvent] {
        &self.events
    }
}
