//! Simulated business processing and webhook delivery, as CAS does it.
//!
//! After an ingestion is accepted (`202`), the server processes the
//! message and reports what CAS would report, in CAS's envelope (`id`,
//! `tenantId`, `plantId`, `eventTime` with 7 fractional digits,
//! `eventType`, `eventSubType`, `data`), `POST`ed as JSON to the configured
//! subscriber. Like CAS, deliveries are **unsigned** unless
//! [`ServerConfig::signed`] is used (then they carry Standard Webhooks
//! headers, signed afresh on each attempt). Each event is delivered on its
//! own, so events can arrive out of order; a delivery not answered `2xx`
//! is retried on CAS's schedule (10 s, 30 s, 1 min, 5 min, 10 min, 30 min,
//! 1 h, 3 h, 6 h, then every 12 h up to 24 h, each with ±10 % jitter),
//! multiplied by [`ServerConfig::redelivery_scale`] (tests use e.g. 0.001).
//!
//! # Business rules (CustomsShipment)
//!
//! A shipment is identified by `ExternalReference` + `Direction`; its
//! `MessageType` says what to do (absent: `New`):
//!
//! | messageType | shipment | result |
//! |---|---|---|
//! | `New` | exists | `CustomsShipmentInformation`/`CreationUnsuccessful` ("already exists") |
//! | `New`, `Upsert` | absent | created: its declaration walks its statuses |
//! | `Replace` | not yet Accepted | `ReplaceSuccessful`, the flow restarts with a new declaration |
//! | `Replace` | Accepted | `ReplaceUnsuccessful` ("already Accepted") |
//! | `Update`, `Upsert` | exists | declarations not yet Accepted restart at `InProgress`; no outcome event |
//!
//! Sandbox choices where CAS's documentation is silent: a `Replace` or
//! `Update` of an absent shipment gives `ReplaceUnsuccessful` /
//! `CreationUnsuccessful` with an error description; a failed rule on an
//! `Update`/`Upsert` of an existing shipment gives `CreationUnsuccessful`.
//!
//! The master-data rules ([`ServerConfig::master_data_rules`]: goods items'
//! commodity codes must be known articles' ([`COMMODITY_CODE_UNKNOWN`]),
//! exporter's, importer's and declarant's EORIs known partners'
//! ([`BUSINESS_PARTNER_UNKNOWN`])) refuse the shipment: `CreationUnsuccessful`
//! (or `ReplaceUnsuccessful`) listing every violation in
//! `errorDescriptions` (`CODE at path: text`).
//!
//! A created shipment gets one declaration (flow `Export` for `OUT`,
//! `Import` for `IN`, id `decl-<referenceId>-<n>`), whose
//! `DeclarationStatusChanged` events walk `InProgress` → `Accepted` (with
//! an MRN) → `Released`, one step every [`ServerConfig::status_step`]; when
//! the goods items' summed `NetMass` exceeds the `TotalGrossMass` (in kg)
//! the declaration goes `InProgress` → `Invalid` instead, with the error
//! ([`NET_MASS_EXCEEDS_GROSS`]) in its `errors`. Each declaration is shown
//! in the [`DeclarationStore`] (the Declarations API) as it moves.
//! Other messages produce no event (CAS documents none for them); master
//! data is remembered for the rules above.
//!
//! Event ids are derived from the reference id and the event's position,
//! so events re-planned after a restart keep their ids.

use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cas_api::MessageExt;
use cas_api::webhook::{
    DeclarationData, DeclarationStatus, EventData, EventTime, Field, HEADER_ID, HEADER_SIGNATURE,
    HEADER_TIMESTAMP, Secret, ShipmentInformation, WebhookError, WebhookEvent, event_types, sign,
    sub_types,
};
use cas_messages::Message;
use cas_messages::customs_shipment::CustomsShipment;
use serde_json::Map;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::declarations::{Declaration, DeclarationError, DeclarationStore};
use crate::lock;
use crate::store::{History, is_master_data};

/// The mass rule's code (the declaration becomes Invalid).
pub const NET_MASS_EXCEEDS_GROSS: &str = "NET_MASS_EXCEEDS_GROSS_MASS";
/// A goods item's commodity code is no known article's (master-data rules).
pub const COMMODITY_CODE_UNKNOWN: &str = "COMMODITY_CODE_UNKNOWN";
/// A party's EORI number is no known business partner's (master-data rules).
pub const BUSINESS_PARTNER_UNKNOWN: &str = "BUSINESS_PARTNER_UNKNOWN";

/// CAS's redelivery schedule before scaling, in seconds after the previous attempt.
const CAS_SCHEDULE: [u64; 10] = [10, 30, 60, 300, 600, 1800, 3600, 10_800, 21_600, 43_200];
/// CAS stops redelivering after this long.
const CAS_REDELIVERY_WINDOW: u64 = 24 * 3600;

/// How the server starts: optionally with a webhook subscriber, a port, a
/// database file and the master-data rules (what `cas sandbox` sets).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where events are POSTed; must be `http://127.0.0.1:<port>/…`.
    /// `None`: events are planned and recorded, not sent.
    pub webhook_url: Option<String>,
    /// `Some`: deliveries carry Standard Webhooks signatures. CAS signs
    /// nothing, so the default is `None`.
    pub webhook_secret: Option<Secret>,
    /// Wait before "business processing" starts after the `202`.
    pub processing_delay: Duration,
    /// Wait between two statuses of a declaration.
    pub status_step: Duration,
    /// Factor on CAS's redelivery schedule (1.0: real time).
    pub redelivery_scale: f64,
    /// Most attempts per event (CAS's schedule makes 11 in its 24 h).
    pub max_delivery_attempts: u32,
    /// Time-out of one delivery attempt.
    pub delivery_timeout: Duration,
    /// Port to bind on 127.0.0.1 (0: the OS picks).
    pub port: u16,
    /// SQLite file holding the ingestion history (created if missing);
    /// `None`: in memory only.
    pub database: Option<PathBuf>,
    /// Check shipments against master data sent earlier (see the module docs).
    pub master_data_rules: bool,
    /// Wait before answering every valid request (a slow API).
    pub answer_delay: Duration,
    /// `tenantId` and `plantId` of the events.
    pub tenant_id: String,
    pub plant_id: String,
    /// OAuth clients and token lifetime; `None`: no authentication.
    pub auth: Option<crate::AuthConfig>,
}

impl ServerConfig {
    /// Unsigned events to `webhook_url` (as CAS sends them); 20 ms
    /// processing delay, 20 ms between statuses, CAS's schedule scaled to
    /// 1/1000 (10 ms, 30 ms, 60 ms, 300 ms, …).
    pub fn new(webhook_url: impl Into<String>) -> Self {
        ServerConfig {
            webhook_url: Some(webhook_url.into()),
            webhook_secret: None,
            processing_delay: Duration::from_millis(20),
            status_step: Duration::from_millis(20),
            redelivery_scale: 0.001,
            max_delivery_attempts: 12,
            delivery_timeout: Duration::from_secs(2),
            port: 0,
            database: None,
            master_data_rules: false,
            answer_delay: Duration::ZERO,
            tenant_id: "sandbox-tenant".into(),
            plant_id: "sandbox-plant".into(),
            auth: None,
        }
    }

    /// No webhooks: processing (outcomes, declarations) without events sent.
    pub fn local() -> Self {
        ServerConfig {
            webhook_url: None,
            ..ServerConfig::new("")
        }
    }

    /// Signs deliveries with `secret` (`whsec_<base64>`), for receivers
    /// behind a signing proxy and tests that want signatures.
    pub fn signed(mut self, secret: &str) -> Result<Self, WebhookError> {
        self.webhook_secret = Some(Secret::parse(secret)?);
        Ok(self)
    }
}

/// The delays before each redelivery: CAS's schedule within its 24 h,
/// times `scale`, with ±10 % jitter.
pub fn redelivery_delays(scale: f64) -> Vec<Duration> {
    let mut delays = Vec::new();
    let mut total = 0;
    for i in 0.. {
        let step = CAS_SCHEDULE[i.min(CAS_SCHEDULE.len() - 1)];
        total += step;
        if total > CAS_REDELIVERY_WINDOW {
            break;
        }
        let jitter = 0.9 + fastrand::f64() * 0.2;
        delays.push(Duration::from_secs_f64(
            (step as f64 * scale.max(0.0) * jitter).min(1e9),
        ));
    }
    delays
}

/// An event the server gave up on after all attempts.
#[derive(Clone, Debug, PartialEq)]
pub struct FailedDelivery {
    pub event: WebhookEvent,
    pub attempts: u32,
    /// The last attempt's error or status.
    pub last_error: String,
}

/// A declaration the sandbox made for an accepted shipment.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SandboxDeclaration {
    pub id: String,
    pub external_reference: String,
    pub direction: String,
    pub customs_flow: String,
    /// Country of the office of declaration.
    pub jurisdiction: String,
    pub lrn: String,
    pub mrn: Option<String>,
    /// Statuses reached so far, oldest first.
    pub history: Vec<(DeclarationStatus, EventTime)>,
    /// Why it is Invalid.
    pub errors: Vec<String>,
    /// The ingestion it came from.
    pub reference_id: Uuid,
}

impl SandboxDeclaration {
    fn status(&self) -> Option<&DeclarationStatus> {
        self.history.last().map(|(s, _)| s)
    }

    fn reached(&self, status: &DeclarationStatus) -> bool {
        self.history.iter().any(|(s, _)| s == status)
    }
}

type ShipmentKey = (String, String);

/// A shipment CAS knows, with its declarations (the latest last).
#[derive(Default)]
struct Shipment {
    /// Bumped by Replace/Update: a walk of an older generation stops.
    generation: u64,
    declarations: Vec<SandboxDeclaration>,
}

impl Shipment {
    fn accepted(&self) -> bool {
        self.declarations
            .iter()
            .any(|d| d.reached(&DeclarationStatus::Accepted))
    }
}

/// What processing decided for one ingestion.
struct Decision {
    outcome: Option<Outcome>,
    /// Declarations to walk (index in the shipment), with their statuses.
    walks: Vec<(usize, Vec<DeclarationStatus>)>,
    key: Option<ShipmentKey>,
    generation: u64,
}

/// Delivery state shared by the server and its tasks.
pub(crate) struct Deliverer {
    url: Option<String>,
    history: Arc<History>,
    declarations: Arc<DeclarationStore>,
    /// `Some` with the master-data rules on.
    master: Option<Mutex<MasterData>>,
    secret: Option<Secret>,
    processing_delay: Duration,
    status_step: Duration,
    scale: f64,
    max_attempts: u32,
    tenant_id: String,
    plant_id: String,
    http: reqwest::Client,
    shipments: Mutex<HashMap<ShipmentKey, Shipment>>,
    delivered: Mutex<Vec<WebhookEvent>>,
    failed: Mutex<Vec<FailedDelivery>>,
    attempts: AtomicUsize,
    in_progress: AtomicUsize,
    generations: AtomicU64,
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

/// Counts a task as in progress until dropped.
struct Busy(Arc<Deliverer>);

impl Busy {
    fn new(d: &Arc<Deliverer>) -> Busy {
        d.in_progress.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(d))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_progress.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Deliverer {
    pub(crate) fn new(
        config: &ServerConfig,
        history: Arc<History>,
        declarations: Arc<DeclarationStore>,
    ) -> Result<Arc<Deliverer>, String> {
        if let Some(url) = &config.webhook_url {
            check_url(url)?;
        }
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.delivery_timeout)
            .build()
            .map_err(|e| format!("webhook HTTP client: {e}"))?;
        Ok(Arc::new(Deliverer {
            url: config.webhook_url.clone(),
            history,
            declarations,
            master: config
                .master_data_rules
                .then(|| Mutex::new(MasterData::default())),
            secret: config.webhook_secret.clone(),
            processing_delay: config.processing_delay,
            status_step: config.status_step,
            scale: config.redelivery_scale,
            max_attempts: config.max_delivery_attempts.max(1),
            tenant_id: config.tenant_id.clone(),
            plant_id: config.plant_id.clone(),
            http,
            shipments: Mutex::new(HashMap::new()),
            delivered: Mutex::new(Vec::new()),
            failed: Mutex::new(Vec::new()),
            attempts: AtomicUsize::new(0),
            in_progress: AtomicUsize::new(0),
            generations: AtomicU64::new(0),
        }))
    }

    /// Learns what an ingestion processed before a restart left behind:
    /// master data, and a shipment (taken as through its flow).
    pub(crate) fn learn(&self, message: &Message, reference_id: Uuid) {
        if let Some(m) = &self.master {
            lock(m).learn(message);
        }
        if let Message::CustomsShipment(s) = message {
            let mut declaration = new_declaration(s, reference_id, 0);
            let now = EventTime::from_instant(OffsetDateTime::now_utc());
            declaration.history = vec![
                (DeclarationStatus::Accepted, now.clone()),
                (DeclarationStatus::Released, now),
            ];
            self.mirror(&declaration);
            lock(&self.shipments)
                .entry(key_of(s))
                .or_default()
                .declarations
                .push(declaration);
        }
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

    /// Processes one newly ingested message and delivers its events.
    pub(crate) fn process(self: &Arc<Self>, message: Message, reference_id: Uuid) {
        let busy = Busy::new(self);
        let this = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(this.processing_delay).await;
            let decision = this.decide(&message, reference_id);
            let mut seq = 0;
            let (status, errors) = match &decision.outcome {
                Some((sub, errors)) if sub.ends_with("Unsuccessful") => ("failed", errors.clone()),
                _ => ("succeeded", Vec::new()),
            };
            let planned = planned_ids(reference_id, &decision);
            // A failed write only loses the outcome shown by GET /ingestions;
            // the row stays unprocessed and is processed again after a restart.
            let recorded = this
                .history
                .set_outcome(
                    reference_id,
                    status,
                    errors.into_iter().map(serde_json::Value::from).collect(),
                    planned,
                )
                .is_ok();
            if let (Some((sub, errors)), Message::CustomsShipment(s)) =
                (&decision.outcome, &message)
            {
                let event = this.outcome_event(s, reference_id, sub, errors);
                seq += 1;
                this.emit(event);
            }
            this.walk(&decision, reference_id, &mut seq).await;
            if recorded {
                let _ = this.history.set_processed(reference_id);
            }
            drop(busy);
        });
    }

    /// Applies the business rules (under the shipments lock, so two
    /// ingestions of one shipment are decided one after the other).
    fn decide(&self, message: &Message, reference_id: Uuid) -> Decision {
        let mut decision = Decision {
            outcome: None,
            walks: Vec::new(),
            key: None,
            generation: 0,
        };
        let Message::CustomsShipment(s) = message else {
            if let Some(m) = &self.master
                && is_master_data(message.message_name())
            {
                lock(m).learn(message);
            }
            return decision;
        };
        let errors = self
            .master
            .as_ref()
            .map(|m| lock(m).check(s))
            .unwrap_or_default();
        let key = key_of(s);
        let message_type = s.message_type.as_ref().map_or("New", |t| t.as_str());
        let mut shipments = lock(&self.shipments);
        let existing = shipments.get(&key);
        let exists = existing.is_some_and(|x| !x.declarations.is_empty());
        let accepted = existing.is_some_and(Shipment::accepted);
        let restart_all = match rule(message_type, exists, accepted, errors, &key) {
            Ok((outcome, restart_all)) => {
                decision.outcome = outcome;
                restart_all
            }
            Err(refusal) => {
                decision.outcome = Some(refusal);
                return decision;
            }
        };
        decision.generation = self.generations.fetch_add(1, Ordering::SeqCst) + 1;
        let shipment = shipments.entry(key.clone()).or_default();
        shipment.generation = decision.generation;
        decision.walks = plan_walks(shipment, s, reference_id, restart_all);
        decision.key = Some(key);
        decision
    }

    /// Walks the declarations' statuses, one step at a time, unless a
    /// later Replace/Update took the shipment over.
    async fn walk(self: &Arc<Self>, decision: &Decision, reference_id: Uuid, seq: &mut usize) {
        let Some(key) = &decision.key else { return };
        let steps = decision
            .walks
            .iter()
            .map(|(_, s)| s.len())
            .max()
            .unwrap_or(0);
        for step in 0..steps {
            tokio::time::sleep(self.status_step).await;
            let mut events = Vec::new();
            {
                let mut shipments = lock(&self.shipments);
                let Some(shipment) = shipments.get_mut(key) else {
                    return;
                };
                if shipment.generation != decision.generation {
                    return;
                }
                for (index, statuses) in &decision.walks {
                    let (Some(status), Some(d)) =
                        (statuses.get(step), shipment.declarations.get_mut(*index))
                    else {
                        continue;
                    };
                    let at = EventTime::from_instant(OffsetDateTime::now_utc());
                    if *status == DeclarationStatus::Accepted {
                        d.mrn = Some(mrn_for(&d.id));
                    }
                    d.history.push((status.clone(), at.clone()));
                    self.mirror(d);
                    events.push(self.status_event(d, reference_id, *seq, at));
                    *seq += 1;
                }
            }
            for e in events {
                self.emit(e);
            }
        }
    }

    /// Shows a declaration in the store the Declarations API serves.
    fn mirror(&self, d: &SandboxDeclaration) {
        let status = d.status().map_or("InProgress", DeclarationStatus::as_str);
        let errors = d
            .errors
            .iter()
            .map(|e| DeclarationError {
                error_code: e.split(' ').next().unwrap_or_default().to_owned(),
                message: e.clone(),
                description: None,
                field_reference: None,
            })
            .collect();
        let accepted = d
            .history
            .iter()
            .find(|(s, _)| *s == DeclarationStatus::Accepted)
            .map(|(_, t)| t.at());
        let update = |stored: &mut Declaration| {
            stored.current_status = status.to_owned();
            stored.mrn.clone_from(&d.mrn);
            stored.declaration_date = accepted;
            stored.errors = if status == "Invalid" {
                errors
            } else {
                Vec::new()
            };
        };
        if self.declarations.update(&d.id, update).is_none() {
            let mut stored = Declaration::new(d.external_reference.clone());
            stored.id = d.id.clone();
            stored.direction = Some(d.direction.clone());
            stored.lrn = Some(d.lrn.clone());
            stored.customs_flow = Some(d.customs_flow.clone());
            stored.customs_flow_step = Some(format!("{}Declaration", d.customs_flow));
            stored.jurisdiction = Some(d.jurisdiction.clone());
            stored.ingestion_references = vec![d.reference_id.to_string()];
            self.declarations.insert(stored);
            self.mirror(d);
        }
    }

    fn outcome_event(
        &self,
        s: &CustomsShipment,
        reference_id: Uuid,
        sub_type: &str,
        errors: &[String],
    ) -> WebhookEvent {
        let data = ShipmentInformation {
            tenant_id: Field::Value(self.tenant_id.clone()),
            ingestion_references: Field::Value(vec![reference_id.to_string()]),
            business_reference: Field::Value(s.external_reference.get().to_string()),
            trader_reference: Field::Value(s.local_reference_number.get().to_string()),
            direction: Field::Value(s.direction.as_str().to_owned()),
            company: Field::Value(s.parties.declarant.name.get().to_string()),
            error_descriptions: if sub_type.ends_with("Unsuccessful") {
                Field::Value(errors.to_vec())
            } else {
                Field::Absent
            },
            extra: Map::new(),
        };
        self.envelope(
            event_id(reference_id, 0),
            event_types::CUSTOMS_SHIPMENT_INFORMATION,
            sub_type,
            EventData::ShipmentInformation(data),
            EventTime::from_instant(OffsetDateTime::now_utc()),
        )
    }

    fn status_event(
        &self,
        d: &SandboxDeclaration,
        reference_id: Uuid,
        seq: usize,
        at: EventTime,
    ) -> WebhookEvent {
        let status = d.status().cloned().unwrap_or(DeclarationStatus::InProgress);
        let acceptance = d
            .history
            .iter()
            .find(|(s, _)| *s == DeclarationStatus::Accepted)
            .map(|(_, t)| t.as_str().to_owned());
        let data = DeclarationData {
            id: Field::Value(d.id.clone()),
            customs_shipment_reference: Field::Value(d.external_reference.clone()),
            customs_flow: Field::Value(d.customs_flow.clone()),
            customs_flow_step: Field::Value(format!("{}Declaration", d.customs_flow)),
            customs_flow_step_instance_count: Field::Value(1),
            customs_flow_step_instance_seq: Field::Value(1),
            mrn: d.mrn.clone().map_or(Field::Null, Field::Value),
            lrn: Field::Value(d.lrn.clone()),
            current_status: Field::Value(status.clone()),
            acceptance_date: acceptance.map_or(Field::Null, Field::Value),
            plant: Field::Value(self.plant_id.clone()),
            ..DeclarationData::default()
        };
        self.envelope(
            event_id(reference_id, seq),
            event_types::DECLARATION_STATUS_CHANGED,
            status.as_str(),
            EventData::DeclarationStatusChanged(data),
            at,
        )
    }

    fn envelope(
        &self,
        id: String,
        event_type: &str,
        sub_type: &str,
        data: EventData,
        at: EventTime,
    ) -> WebhookEvent {
        WebhookEvent {
            id,
            tenant_id: Field::Value(self.tenant_id.clone()),
            plant_id: Field::Value(self.plant_id.clone()),
            event_time: at,
            event_type: event_type.to_owned(),
            event_sub_type: Field::Value(sub_type.to_owned()),
            data,
            extra: Map::new(),
        }
    }

    /// Delivers one event on its own task (so events can overtake each other).
    fn emit(self: &Arc<Self>, event: WebhookEvent) {
        if self.url.is_none() {
            return;
        }
        let busy = Busy::new(self);
        let this = Arc::clone(self);
        tokio::spawn(async move {
            this.deliver(event).await;
            drop(busy);
        });
    }

    async fn deliver(&self, event: WebhookEvent) {
        let Some(url) = &self.url else { return };
        let body = match event.to_json() {
            Ok(b) => b,
            Err(e) => {
                return lock(&self.failed).push(FailedDelivery {
                    event,
                    attempts: 0,
                    last_error: e.to_string(),
                });
            }
        };
        let delays = redelivery_delays(self.scale);
        let attempts = self.max_attempts.min(delays.len() as u32 + 1);
        let mut last_error = String::new();
        for attempt in 0..attempts {
            if let Some(d) = attempt.checked_sub(1).and_then(|i| delays.get(i as usize)) {
                tokio::time::sleep(*d).await;
            }
            self.attempts.fetch_add(1, Ordering::SeqCst);
            let mut request = self
                .http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json");
            if let Some(secret) = &self.secret {
                let timestamp = unix_seconds(SystemTime::now());
                request = request
                    .header(HEADER_ID, &event.id)
                    .header(HEADER_TIMESTAMP, timestamp.to_string())
                    .header(HEADER_SIGNATURE, sign(secret, &event.id, timestamp, &body));
            }
            match request.body(body.clone()).send().await {
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
            attempts,
            last_error,
        });
    }
}

/// An outcome event: its subtype and error descriptions.
type Outcome = (&'static str, Vec<String>);

/// CAS's rules by messageType: the outcome event (if any) and whether the
/// shipment gets a new declaration (else what is not yet Accepted walks
/// again), or the refusal.
fn rule(
    message_type: &str,
    exists: bool,
    accepted: bool,
    errors: Vec<String>,
    key: &ShipmentKey,
) -> Result<(Option<Outcome>, bool), Outcome> {
    let (reference, direction) = key;
    let exists_text = format!(
        "A customs shipment with external reference {reference} and direction {direction} already exists."
    );
    let absent_text = format!(
        "No customs shipment with external reference {reference} and direction {direction} exists."
    );
    match (message_type, exists) {
        ("New", true) => Err((sub_types::CREATION_UNSUCCESSFUL, vec![exists_text])),
        ("Replace", false) => Err((sub_types::REPLACE_UNSUCCESSFUL, vec![absent_text])),
        ("Update", false) => Err((sub_types::CREATION_UNSUCCESSFUL, vec![absent_text])),
        ("Replace", true) if accepted => Err((
            sub_types::REPLACE_UNSUCCESSFUL,
            vec![
                "The declaration is already Accepted: the shipment can no longer be replaced."
                    .into(),
            ],
        )),
        ("Replace", true) if !errors.is_empty() => Err((sub_types::REPLACE_UNSUCCESSFUL, errors)),
        (_, _) if !errors.is_empty() => Err((sub_types::CREATION_UNSUCCESSFUL, errors)),
        ("Replace", true) => Ok((Some((sub_types::REPLACE_SUCCESSFUL, Vec::new())), true)),
        (_, true) => Ok((None, false)),
        (_, false) => Ok((None, true)),
    }
}

/// The declarations to walk: a new one, or (Update/Upsert of an existing
/// shipment) those not yet Accepted, from the start again.
fn plan_walks(
    shipment: &mut Shipment,
    s: &CustomsShipment,
    reference_id: Uuid,
    new_declaration_needed: bool,
) -> Vec<(usize, Vec<DeclarationStatus>)> {
    let statuses = walk_of(s);
    if new_declaration_needed {
        let n = shipment.declarations.len();
        shipment
            .declarations
            .push(new_declaration(s, reference_id, n));
        return vec![(n, statuses)];
    }
    shipment
        .declarations
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.reached(&DeclarationStatus::Accepted))
        .map(|(i, _)| (i, statuses.clone()))
        .collect()
}

fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn event_id(reference_id: Uuid, seq: usize) -> String {
    format!("evt-{}-{seq:02}", reference_id.simple())
}

/// The ids the processing of one ingestion will use (for the history).
fn planned_ids(reference_id: Uuid, decision: &Decision) -> Vec<String> {
    let n = usize::from(decision.outcome.is_some())
        + decision.walks.iter().map(|(_, s)| s.len()).sum::<usize>();
    (0..n).map(|i| event_id(reference_id, i)).collect()
}

fn key_of(s: &CustomsShipment) -> ShipmentKey {
    (
        s.external_reference.get().to_string(),
        s.direction.as_str().to_owned(),
    )
}

fn new_declaration(s: &CustomsShipment, reference_id: Uuid, n: usize) -> SandboxDeclaration {
    let direction = s.direction.as_str().to_owned();
    SandboxDeclaration {
        id: format!("decl-{}-{}", reference_id.simple(), n + 1),
        external_reference: s.external_reference.get().to_string(),
        customs_flow: if direction == "IN" {
            "Import"
        } else {
            "Export"
        }
        .to_owned(),
        direction,
        jurisdiction: s
            .customs_offices
            .office_of_declaration
            .get()
            .chars()
            .take(2)
            .collect(),
        lrn: s.local_reference_number.get().to_string(),
        mrn: None,
        history: Vec::new(),
        errors: check_masses(s).into_iter().collect(),
        reference_id,
    }
}

/// The statuses a new declaration walks.
fn walk_of(s: &CustomsShipment) -> Vec<DeclarationStatus> {
    if check_masses(s).is_some() {
        vec![DeclarationStatus::InProgress, DeclarationStatus::Invalid]
    } else {
        vec![
            DeclarationStatus::InProgress,
            DeclarationStatus::Accepted,
            DeclarationStatus::Released,
        ]
    }
}

fn mrn_for(declaration_id: &str) -> String {
    let digits: String = declaration_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .skip(4)
        .take(14)
        .collect::<String>()
        .to_ascii_uppercase();
    format!("26DE{digits:0>14}")
}

fn describe(code: &str, path: &str, text: &str) -> String {
    format!("{code} at {path}: {text}")
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
fn check_masses(s: &CustomsShipment) -> Option<String> {
    let gross = kilograms(s.total_gross_mass.as_ref()?)?;
    let mut net = 0.0;
    for item in &s.goods_item {
        net += kilograms(&item.net_mass)?;
    }
    // A gram of slack for decimal-to-float rounding.
    (net > gross + 0.001).then(|| {
        describe(
            NET_MASS_EXCEEDS_GROSS,
            "/CustomsShipment/TotalGrossMass",
            &format!(
                "the goods items' net mass ({net} kg) exceeds the total gross mass ({gross} kg)"
            ),
        )
    })
}

/// Master data sent earlier, as the master-data rules see it.
#[derive(Clone, Debug, Default)]
pub struct MasterData {
    commodity_codes: HashSet<String>,
    partner_eoris: HashSet<String>,
}

impl MasterData {
    /// Remembers the articles' commodity codes and the partners' EORI numbers.
    pub fn learn(&mut self, message: &Message) {
        use cas_messages::article_data_item::ClassificationCnCodeOrTaricCode as Code;
        match message {
            Message::ArticleDataItem(a) => {
                for article in &a.article {
                    let code = match &article.classification.cn_code_or_taric_code {
                        Code::CnCode(c) => c.get().to_string(),
                        Code::TaricCode(t) => t.get().chars().take(8).collect(),
                    };
                    self.commodity_codes.insert(code);
                }
            }
            Message::BusinessPartners(b) => {
                for partner in &b.business_partner {
                    if let Some(eori) = &partner.eori_number {
                        self.partner_eoris.insert(eori.get().to_string());
                    }
                }
            }
            _ => {}
        }
    }

    /// The shipment's references to master data that was never sent.
    pub fn check(&self, s: &CustomsShipment) -> Vec<String> {
        let mut errors = Vec::new();
        for (i, item) in s.goods_item.iter().enumerate() {
            let code = item.commodity_code.get();
            if !self.commodity_codes.contains(code.as_str()) {
                errors.push(describe(
                    COMMODITY_CODE_UNKNOWN,
                    &format!("/CustomsShipment/GoodsItem[{}]/CommodityCode", i + 1),
                    &format!("commodity code {code} is no known article's (send its ArticleDataItem first)"),
                ));
            }
        }
        let parties = &s.parties;
        let roles = [
            ("Exporter", parties.exporter.as_ref()),
            ("Importer", parties.importer.as_ref()),
            ("Declarant", Some(&parties.declarant)),
        ];
        for (role, party) in roles {
            let Some(party) = party else { continue };
            let eori = party.eori_number.get();
            if !self.partner_eoris.contains(eori.as_str()) {
                errors.push(describe(
                    BUSINESS_PARTNER_UNKNOWN,
                    &format!("/CustomsShipment/Parties/{role}/EoriNumber"),
                    &format!("{role} EORI {eori} is no known business partner's (send its BusinessPartners first)"),
                ));
            }
        }
        errors
    }
}
