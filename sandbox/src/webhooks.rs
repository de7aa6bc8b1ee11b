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
//! - With [`ServerConfig::master_data_rules`] (the sandbox), master data
//!   sent earlier is remembered (article commodity codes from
//!   `ArticleDataItem`, partner EORI numbers from `BusinessPartners`, once
//!   their own processing succeeded) and a `CustomsShipment` must refer to
//!   it: each goods item's `CommodityCode` must be the CN code (or the
//!   first eight digits of the TARIC code) of a known article
//!   ([`COMMODITY_CODE_UNKNOWN`]), and the exporter's, importer's and
//!   declarant's `EoriNumber` must be a known partner's
//!   ([`BUSINESS_PARTNER_UNKNOWN`]). All violations go into one
//!   `CreationUnsuccessful`.
//!
//! Event ids are derived from the reference id and the event's position,
//! so events re-planned after a restart keep their ids and a subscriber
//! can drop the repeats.

use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cas_api::MessageExt;
use cas_api::webhook::{
    BusinessError, DeclarationStatus, DeclarationStatusChanged, EventPayload, HEADER_ID,
    HEADER_SIGNATURE, HEADER_TIMESTAMP, IngestionFailed, IngestionSucceeded, Secret, WebhookError,
    WebhookEvent, sign,
};
use cas_messages::Message;
use cas_messages::customs_shipment::CustomsShipment;
use serde_json::Map;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::declarations::DeclarationStore;
use crate::lock;
use crate::store::{History, is_master_data};

/// Error code of the simulated business rule.
pub const NET_MASS_EXCEEDS_GROSS: &str = "NET_MASS_EXCEEDS_GROSS_MASS";
/// A goods item's commodity code is no known article's (master-data rules).
pub const COMMODITY_CODE_UNKNOWN: &str = "COMMODITY_CODE_UNKNOWN";
/// A party's EORI number is no known business partner's (master-data rules).
pub const BUSINESS_PARTNER_UNKNOWN: &str = "BUSINESS_PARTNER_UNKNOWN";

/// How the server starts: optionally with a webhook subscriber, a port, a
/// database file and the master-data rules (what `cas sandbox` sets).
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
    /// Port to bind on 127.0.0.1 (0: the OS picks).
    pub port: u16,
    /// SQLite file holding the ingestion history (created if missing);
    /// `None`: in memory only.
    pub database: Option<PathBuf>,
    /// Check shipments against master data sent earlier (see the module docs).
    pub master_data_rules: bool,
    /// Wait before answering every valid request (a slow API).
    pub answer_delay: Duration,
    /// OAuth clients and token lifetime; `None`: no authentication.
    pub auth: Option<crate::AuthConfig>,
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
            port: 0,
            database: None,
            master_data_rules: false,
            answer_delay: Duration::ZERO,
            auth: None,
        })
    }

    /// No webhooks: processing (outcomes, declarations) without events sent.
    pub fn local() -> Self {
        ServerConfig {
            webhook_url: None,
            // A constant (no events are signed without a URL).
            webhook_secret: Secret::parse("whsec_c2FuZGJveC1sb2NhbA==")
                .expect("a constant, valid secret"),
            processing_delay: Duration::from_millis(20),
            max_delivery_attempts: 1,
            retry_backoff: Duration::from_millis(50),
            delivery_timeout: Duration::from_secs(2),
            port: 0,
            database: None,
            master_data_rules: false,
            answer_delay: Duration::ZERO,
            auth: None,
        }
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
    /// `None`: events are planned and recorded, not sent.
    url: Option<String>,
    history: Arc<History>,
    declarations: Arc<DeclarationStore>,
    /// `Some` with the master-data rules on.
    master: Option<Mutex<MasterData>>,
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
            max_attempts: config.max_delivery_attempts.max(1),
            backoff: config.retry_backoff,
            http,
            delivered: Mutex::new(Vec::new()),
            failed: Mutex::new(Vec::new()),
            attempts: AtomicUsize::new(0),
            in_progress: AtomicUsize::new(0),
        }))
    }

    /// Learns the master data of an ingestion that succeeded before a restart.
    pub(crate) fn learn(&self, message: &Message) {
        if let Some(m) = &self.master {
            lock(m).learn(message);
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

    /// Plans the events for one newly ingested message and delivers them
    /// on a spawned task.
    pub(crate) fn process(self: &Arc<Self>, message: Message, reference_id: Uuid) {
        self.in_progress.fetch_add(1, Ordering::SeqCst);
        let this = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(this.processing_delay).await;
            let events = match &this.master {
                Some(m) => {
                    let mut master = lock(m);
                    let events = plan_with(
                        &message,
                        reference_id,
                        OffsetDateTime::now_utc(),
                        Some(&master),
                    );
                    if is_master_data(message.message_name()) && succeeded(&events) {
                        master.learn(&message);
                    }
                    events
                }
                None => plan(&message, reference_id, OffsetDateTime::now_utc()),
            };
            let (status, errors) = match events.first().map(|e| &e.payload) {
                Some(EventPayload::CreationUnsuccessful(f)) => (
                    "failed",
                    f.errors
                        .iter()
                        .filter_map(|e| serde_json::to_value(e).ok())
                        .collect(),
                ),
                _ => ("succeeded", Vec::new()),
            };
            this.declare(&message, reference_id, &events);
            let ids = events.iter().map(|e| e.event_id.clone()).collect();
            // A failed write only loses the outcome shown by GET /ingestions;
            // the row stays unprocessed and is processed again after a restart.
            let recorded = this
                .history
                .set_outcome(reference_id, status, errors, ids)
                .is_ok();
            if this.url.is_some() {
                for event in events {
                    this.deliver(event).await;
                }
            }
            if recorded {
                let _ = this.history.set_processed(reference_id);
            }
            this.in_progress.fetch_sub(1, Ordering::SeqCst);
        });
    }

    /// The declaration of an accepted shipment, moved through the statuses
    /// its events report (the last one wins).
    fn declare(&self, message: &Message, reference_id: Uuid, events: &[WebhookEvent]) {
        let Message::CustomsShipment(shipment) = message else {
            return;
        };
        if !succeeded(events) {
            return;
        }
        let d = self
            .declarations
            .create_for_shipment(shipment, reference_id);
        for e in events {
            if let EventPayload::DeclarationStatusChanged(c) = &e.payload {
                self.declarations.update(&d.id, |d| {
                    d.current_status = c.new_status.as_str().to_owned();
                    if c.mrn.is_some() {
                        d.mrn = c.mrn.clone();
                    }
                });
            }
        }
    }

    async fn deliver(&self, event: WebhookEvent) {
        let Some(url) = &self.url else {
            return;
        };
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
                .post(url)
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

fn succeeded(events: &[WebhookEvent]) -> bool {
    matches!(
        events.first().map(|e| &e.payload),
        Some(EventPayload::CreationSuccessful(_))
    )
}

/// The `n`th event of an ingestion: its id depends on nothing else.
fn envelope(
    reference_id: Uuid,
    n: usize,
    payload: EventPayload,
    occurred_at: OffsetDateTime,
) -> WebhookEvent {
    WebhookEvent {
        event_id: format!("evt_{}_{n}", reference_id.simple()),
        occurred_at,
        payload,
        extra: Map::new(),
    }
}

/// The events CAS would report for one accepted message, in order.
pub fn plan(message: &Message, reference_id: Uuid, now: OffsetDateTime) -> Vec<WebhookEvent> {
    plan_with(message, reference_id, now, None)
}

/// Like [`plan`], with the master-data rules checked against `master`.
pub fn plan_with(
    message: &Message,
    reference_id: Uuid,
    now: OffsetDateTime,
    master: Option<&MasterData>,
) -> Vec<WebhookEvent> {
    let message_type = message.message_name().to_owned();
    let shipment = match message {
        Message::CustomsShipment(s) => Some(s),
        _ => None,
    };
    let lrn = shipment.map(|s| s.local_reference_number.get().clone());
    let mut errors = Vec::new();
    if let Some(s) = shipment {
        errors.extend(check_masses(s));
        if let Some(m) = master {
            errors.extend(m.check(s));
        }
    }
    if !errors.is_empty() {
        return vec![envelope(
            reference_id,
            0,
            EventPayload::CreationUnsuccessful(IngestionFailed {
                ingestion_references: vec![reference_id],
                message_type: Some(message_type),
                business_key: lrn,
                errors,
                extra: Map::new(),
            }),
            now,
        )];
    }
    let mut events = vec![envelope(
        reference_id,
        0,
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
                reference_id,
                events.len(),
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
                        Code::CnCode(c) => c.get().clone(),
                        Code::TaricCode(t) => t.get().chars().take(8).collect(),
                    };
                    self.commodity_codes.insert(code);
                }
            }
            Message::BusinessPartners(b) => {
                for partner in &b.business_partner {
                    if let Some(eori) = &partner.eori_number {
                        self.partner_eoris.insert(eori.get().clone());
                    }
                }
            }
            _ => {}
        }
    }

    /// The shipment's references to master data that was never sent.
    pub fn check(&self, s: &CustomsShipment) -> Vec<BusinessError> {
        let mut errors = Vec::new();
        for (i, item) in s.goods_item.iter().enumerate() {
            let code = item.commodity_code.get();
            if !self.commodity_codes.contains(code) {
                errors.push(BusinessError {
                    code: COMMODITY_CODE_UNKNOWN.to_owned(),
                    message: format!("commodity code {code} is no known article's (send its ArticleDataItem first)"),
                    path: Some(format!("/CustomsShipment/GoodsItem[{}]/CommodityCode", i + 1)),
                    field: Some("CommodityCode".to_owned()),
                    extra: Map::new(),
                });
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
            if !self.partner_eoris.contains(eori) {
                errors.push(BusinessError {
                    code: BUSINESS_PARTNER_UNKNOWN.to_owned(),
                    message: format!("{role} EORI {eori} is no known business partner's (send its BusinessPartners first)"),
                    path: Some(format!("/CustomsShipment/Parties/{role}/EoriNumber")),
                    field: Some("EoriNumber".to_owned()),
                    extra: Map::new(),
                });
            }
        }
        errors
    }
}
