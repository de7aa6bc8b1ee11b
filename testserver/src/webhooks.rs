//! Simulated business processing and signed webhook delivery.
//!
//! After an ingestion is accepted (`202`), the server plans the events CAS
//! would report for the message and a spawned task delivers them, in
//! order, to the configured subscriber: `POST` with a JSON body
//! ([`WebhookEvent::to_json`]) and the Standard Webhooks headers
//! `webhook-id` (the event id), `webhook-timestamp` (Unix seconds) and
//! `webhook-signature` ([`sign`]). Failed deliveries (connection errors,
//! non-2xx answers) are retried with a doubling back-off; each attempt is
//! signed afresh with the current time, under the same event id.
//!
//! # Simulated business processing
//!
//! - Every message: `CreationSuccessful` with `ingestionReferences:
//!   [referenceId]` and `messageType`.
//! - Business rule (`CustomsShipment` only): when the shipment declares a
//!   `TotalGrossMass`, the goods items' summed `NetMass` must not exceed
//!   it (net mass is part of gross mass). Masses in a unit other than `KGM`
//!   (or without a unit, which means `KGM`) skip the rule. A violation gives
//!   `CreationUnsuccessful` with one error, code [`NET_MASS_EXCEEDS_GROSS`],
//!   path `/CustomsShipment/TotalGrossMass`, field `TotalGrossMass`, and no
//!   status events.
//! - An accepted `CustomsShipment` is then declared: `DeclarationStatusChanged`
//!   `Submitted` → `Accepted` (with an MRN) → `Released`, keyed by
//!   `customsShipmentReference` = the shipment's `LocalReferenceNumber`
//!   (also given as `businessKey` and `customsShipmentReference` of the
//!   `CreationSuccessful`).

use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cas_messages::Message;
use cas_messages::customs_shipment::CustomsShipment;
use cas_runtime::webhook::{
    BusinessError, DeclarationStatus, DeclarationStatusChanged, EventPayload, HEADER_ID,
    HEADER_SIGNATURE, HEADER_TIMESTAMP, IngestionFailed, IngestionSucceeded, Secret, WebhookError,
    WebhookEvent, sign,
};
use serde_json::Map;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::lock;

/// Error code of the simulated business rule.
pub const NET_MASS_EXCEEDS_GROSS: &str = "NET_MASS_EXCEEDS_GROSS_MASS";

/// How the server starts: optionally with a webhook subscriber.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where events are POSTed; must be `http://127.0.0.1:<port>/…`.
    /// `None`: no events are produced.
    pub webhook_url: Option<String>,
    /// The signing secret (`whsec_…`), shared with the subscriber.
    pub webhook_secret: Secret,
    /// Wait before "business processing" starts after the `202`.
    pub processing_delay: Duration,
    /// Attempts per event before it is given up (at least 1).
    pub max_delivery_attempts: u32,
    /// Back-off before the first retry; doubled for each further one.
    pub retry_backoff: Duration,
    /// Time-out of one delivery attempt.
    pub delivery_timeout: Duration,
}

impl ServerConfig {
    /// Webhooks to `webhook_url`, signed with `secret` (`whsec_<base64>`);
    /// 20 ms processing delay, 4 attempts, 50 ms first back-off.
    pub fn new(webhook_url: impl Into<String>, secret: &str) -> Result<Self, WebhookError> {
        Ok(ServerConfig {
            webhook_url: Some(webhook_url.into()),
            webhook_secret: Secret::parse(secret)?,
            processing_delay: Duration::from_millis(20),
            max_delivery_attempts: 4,
            retry_backoff: Duration::from_millis(50),
            delivery_timeout: Duration::from_secs(2),
        })
    }
}

/// An event the server gave up on after all attempts.
#[derive(Clone, Debug, PartialEq)]
pub struct FailedDelivery {
    pub event: WebhookEvent,
    pub attempts: u32,
    /// The last attempt's error or status.
    pub last_error: String,
}

/// Delivery state shared by the server and its tasks.
pub(crate) struct Deliverer {
    url: String,
    secret: Secret,
    processing_delay: Duration,
    max_attempts: u32,
    backoff: Duration,
    http: reqwest::Client,
    delivered: Mutex<Vec<WebhookEvent>>,
    failed: Mutex<Vec<FailedDelivery>>,
    attempts: AtomicUsize,
    in_progress: AtomicUsize,
}

/// Accepts only `http://127.0.0.1[:port]/…`: the server never contacts another host.
fn check_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("bad webhook URL: {e}"))?;
    if parsed.scheme() != "http" {
        return Err("webhook URL must use http".into());
    }
    let local = parsed
        .host_str()
        .and_then(|h| h.parse::<Ipv4Addr>().ok())
        .is_some_and(|ip| ip == Ipv4Addr::LOCALHOST);
    if local {
        Ok(())
    } else {
        Err("webhook URL must point at 127.0.0.1".into())
    }
}

impl Deliverer {
    /// `Ok(None)` when the config has no URL.
    pub(crate) fn new(config: ServerConfig) -> Result<Option<Arc<Deliverer>>, String> {
        let Some(url) = config.webhook_url else {
            return Ok(None);
        };
        check_url(&url)?;
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.delivery_timeout)
            .build()
            .map_err(|e| format!("webhook HTTP client: {e}"))?;
        Ok(Some(Arc::new(Deliverer {
            url,
            secret: config.webhook_secret,
            processing_delay: config.processing_delay,
            max_attempts: config.max_delivery_attempts.max(1),
            backoff: config.retry_backoff,
            http,
            delivered: Mutex::new(Vec::new()),
            failed: Mutex::new(Vec::new()),
            attempts: AtomicUsize::new(0),
            in_progress: AtomicUsize::new(0),
        })))
    }

    pub(crate) fn delivered(&self) -> Vec<WebhookEvent> {
        lock(&self.delivered).clone()
    }

    pub(crate) fn failed(&self) -> Vec<FailedDelivery> {
        lock(&self.failed).clone()
    }

    pub(crate) fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }

    pub(crate) fn in_progress(&self) -> usize {
        self.in_progress.load(Ordering::SeqCst)
    }

    /// Plans the events for one newly ingested message and delivers them
    /// on a spawned task.
    pub(crate) fn process(self: &Arc<Self>, message: Message, reference_id: Uuid) {
        self.in_progress.fetch_add(1, Ordering::SeqCst);
        let this = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(this.processing_delay).await;
            for event in plan(&message, reference_id, OffsetDateTime::now_utc()) {
                this.deliver(event).await;
            }
            this.in_progress.fetch_sub(1, Ordering::SeqCst);
        });
    }

    async fn deliver(&self, event: WebhookEvent) {
        let body = match event.to_json() {
            Ok(b) => b,
            Err(e) => {
                lock(&self.failed).push(FailedDelivery {
                    event,
                    attempts: 0,
                    last_error: e.to_string(),
                });
                return;
            }
        };
        let mut last_error = String::new();
        for attempt in 1..=self.max_attempts {
            if attempt > 1 {
                let factor = 1u32 << (attempt - 2).min(10);
                tokio::time::sleep(self.backoff.saturating_mul(factor)).await;
            }
            self.attempts.fetch_add(1, Ordering::SeqCst);
            let timestamp = unix_seconds(SystemTime::now());
            let signature = sign(&self.secret, &event.event_id, timestamp, &body);
            let sent = self
                .http
                .post(&self.url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(HEADER_ID, &event.event_id)
                .header(HEADER_TIMESTAMP, timestamp.to_string())
                .header(HEADER_SIGNATURE, signature)
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => {
                    lock(&self.delivered).push(event);
                    return;
                }
                Ok(r) => last_error = format!("status {}", r.status()),
                Err(e) => last_error = e.to_string(),
            }
        }
        lock(&self.failed).push(FailedDelivery {
            event,
            attempts: self.max_attempts,
            last_error,
        });
    }
}

fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn envelope(payload: EventPayload, occurred_at: OffsetDateTime) -> WebhookEvent {
    WebhookEvent {
        event_id: format!("evt_{}", Uuid::new_v4().simple()),
        occurred_at,
        payload,
        extra: Map::new(),
    }
}

/// The events CAS would report for one accepted message, in order.
pub fn plan(message: &Message, reference_id: Uuid, now: OffsetDateTime) -> Vec<WebhookEvent> {
    let message_type = message.message_name().to_owned();
    let shipment = match message {
        Message::CustomsShipment(s) => Some(s),
        _ => None,
    };
    let lrn = shipment.map(|s| s.local_reference_number.get().clone());
    if let Some(s) = shipment
        && let Some(error) = check_masses(s)
    {
        return vec![envelope(
            EventPayload::CreationUnsuccessful(IngestionFailed {
                ingestion_references: vec![reference_id],
                message_type: Some(message_type),
                business_key: lrn,
                errors: vec![error],
                extra: Map::new(),
            }),
            now,
        )];
    }
    let mut events = vec![envelope(
        EventPayload::CreationSuccessful(IngestionSucceeded {
            ingestion_references: vec![reference_id],
            message_type: Some(message_type),
            business_key: lrn.clone(),
            customs_shipment_reference: lrn.clone(),
            extra: Map::new(),
        }),
        now,
    )];
    if let Some(reference) = lrn {
        let mrn = format!(
            "{}DE{}",
            now.year() % 100,
            reference_id
                .simple()
                .to_string()
                .chars()
                .take(14)
                .collect::<String>()
                .to_ascii_uppercase()
        );
        let steps = [
            (None, DeclarationStatus::Submitted, None),
            (
                Some(DeclarationStatus::Submitted),
                DeclarationStatus::Accepted,
                Some(mrn.clone()),
            ),
            (
                Some(DeclarationStatus::Accepted),
                DeclarationStatus::Released,
                Some(mrn),
            ),
        ];
        for (i, (previous, new, mrn)) in (1i64..).zip(steps) {
            let at = now + time::Duration::milliseconds(i * 10);
            events.push(envelope(
                EventPayload::DeclarationStatusChanged(DeclarationStatusChanged {
                    customs_shipment_reference: reference.clone(),
                    mrn,
                    previous_status: previous,
                    new_status: new,
                    changed_at: at,
                    extra: Map::new(),
                }),
                at,
            ));
        }
    }
    events
}

/// Mass in kilograms, or `None` for another unit.
fn kilograms(m: &cas_messages::common_types::MeasureType) -> Option<f64> {
    match &m.unit_code {
        None => Some(m.value.get().to_f64()),
        Some(u) if u.get() == "KGM" => Some(m.value.get().to_f64()),
        Some(_) => None,
    }
}

/// The business rule: summed goods-item net mass must not exceed the
/// declared total gross mass.
fn check_masses(s: &CustomsShipment) -> Option<BusinessError> {
    let gross = kilograms(s.total_gross_mass.as_ref()?)?;
    let mut net = 0.0;
    for item in &s.goods_item {
        net += kilograms(&item.net_mass)?;
    }
    // A gram of slack for decimal-to-float rounding.
    (net > gross + 0.001).then(|| BusinessError {
        code: NET_MASS_EXCEEDS_GROSS.to_owned(),
        message: format!(
            "the goods items' net mass ({net} kg) exceeds the total gross mass ({gross} kg)"
        ),
        path: Some("/CustomsShipment/TotalGrossMass".to_owned()),
        field: Some("TotalGrossMass".to_owned()),
        extra: Map::new(),
    })
}
