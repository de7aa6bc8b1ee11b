//! `cas events listen|status|verify`: receive CAS's webhook events, record
//! them durably, and tie each one to the file it is about.
//!
//! CAS does not sign its deliveries, so `listen` accepts unsigned ones;
//! the checks are the user's options: a token in the subscription URL
//! (`?token=…`), HTTP basic auth, or a Standard Webhooks signature (for a
//! signing proxy, or `cas sandbox --sign`). Every new event is appended to
//! the events log and synced to disk before the `2xx`, so an acknowledged
//! event is never lost; a redelivery (same `id`, also across restarts) is
//! acknowledged and not recorded again. Events carry little: for anything
//! that matters, read the declaration through the Declarations API.

use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use cas_api::webhook::{
    Correlator, Delivery, EventData, EventLog, Received, Receiver, ReceiverConfig, Resolution,
    Verifier, WebhookEvent, WebhookHeaders,
};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;

use crate::results::{self, Entry};
use crate::{CliError, Format, Outcome, secrets};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Receive events on 127.0.0.1, record them, print each with its file.
    Listen(ListenArgs),
    /// Per sent file: its outcome, its declarations' statuses, or pending.
    Status(StatusArgs),
    /// Check the Standard Webhooks signature of one saved delivery.
    Verify(VerifyArgs),
}

#[derive(clap::Args)]
pub struct Common {
    /// Results log of `cas send`, to name the file each event is about.
    #[arg(long, default_value = "cas-results.jsonl")]
    log: PathBuf,
    /// Where received events are recorded (JSON lines).
    #[arg(long, default_value = "cas-events.jsonl")]
    events: PathBuf,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(clap::Args)]
pub struct ListenArgs {
    /// Port on 127.0.0.1 (0: any free port; the first line printed names it).
    #[arg(long, default_value_t = 8788)]
    port: u16,
    /// Stop after this many new events (default: run until Ctrl-C).
    #[arg(long, value_name = "N")]
    exit_after: Option<usize>,
    /// Require `?token=<value>` on the URL; the value is read from this
    /// file, else from CAS_WEBHOOK_TOKEN.
    #[arg(long, value_name = "PATH")]
    token_file: Option<PathBuf>,
    /// Require HTTP basic auth `user:password`, read from this file, else
    /// from CAS_WEBHOOK_BASIC_AUTH.
    #[arg(long, value_name = "PATH")]
    basic_auth_file: Option<PathBuf>,
    /// Require Standard Webhooks signatures (CAS itself does not sign):
    /// the secret (whsec_...) from --secret-file, else CAS_WEBHOOK_SECRET.
    #[arg(long)]
    require_signature: bool,
    #[arg(long, value_name = "PATH")]
    secret_file: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

#[derive(clap::Args)]
pub struct StatusArgs {
    /// An ingestion with no outcome and no progress after this many
    /// seconds is reported as pending.
    #[arg(long, default_value_t = 600)]
    pending_after: u64,
    #[command(flatten)]
    common: Common,
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The event body as received (- for stdin).
    body: PathBuf,
    #[arg(long)]
    id: String,
    #[arg(long)]
    timestamp: String,
    #[arg(long)]
    signature: String,
    /// Accept an old timestamp (for replays of saved events).
    #[arg(long)]
    ignore_time: bool,
    /// File holding the signing secret (whsec_...); else CAS_WEBHOOK_SECRET.
    #[arg(long, value_name = "PATH")]
    secret_file: Option<PathBuf>,
}

pub fn run(command: Command) -> Result<Outcome, CliError> {
    match command {
        Command::Listen(args) => crate::runtime()?.block_on(listen(args)),
        Command::Status(args) => status(&args),
        Command::Verify(args) => verify(&args),
    }
}

fn verifier(secret_file: Option<&Path>) -> Result<Verifier, CliError> {
    let secret = secrets::read("CAS_WEBHOOK_SECRET", secret_file)?.ok_or_else(|| {
        CliError::Usage("no webhook secret: set CAS_WEBHOOK_SECRET or pass --secret-file".into())
    })?;
    Verifier::new(&secret).map_err(|e| CliError::Usage(format!("webhook secret: {e}")))
}

fn receiver_config(args: &ListenArgs) -> Result<ReceiverConfig, CliError> {
    let basic_auth = secrets::read("CAS_WEBHOOK_BASIC_AUTH", args.basic_auth_file.as_deref())?
        .map(|v| {
            v.split_once(':')
                .map(|(u, p)| (u.to_owned(), p.to_owned()))
                .ok_or_else(|| CliError::Usage("basic auth must be written user:password".into()))
        })
        .transpose()?;
    Ok(ReceiverConfig {
        max_body: None,
        url_token: secrets::read("CAS_WEBHOOK_TOKEN", args.token_file.as_deref())?,
        basic_auth,
        signature: if args.require_signature {
            Some(verifier(args.secret_file.as_deref())?)
        } else {
            None
        },
    })
}

/// The results log, re-read when an event names something it lacks (a
/// send may still be running).
struct Files {
    path: PathBuf,
    entries: Vec<Entry>,
}

impl Files {
    fn new(path: &Path) -> Result<Files, CliError> {
        Ok(Files {
            path: path.to_owned(),
            entries: results::load(path)?,
        })
    }

    fn find(&self, event: &WebhookEvent) -> Vec<String> {
        let refs = event.ingestion_references();
        let shipment = event.shipment_reference();
        let mut files: Vec<String> = self
            .entries
            .iter()
            .filter(|e| {
                if !refs.is_empty() {
                    e.reference_id.as_ref().is_some_and(|id| refs.contains(id))
                } else {
                    shipment.is_some() && e.external_reference.as_deref() == shipment
                }
            })
            .map(|e| e.file.clone())
            .collect();
        files.dedup();
        files
    }

    fn lookup(&mut self, event: &WebhookEvent) -> Vec<String> {
        let found = self.find(event);
        if found.is_empty()
            && let Ok(entries) = results::load(&self.path)
        {
            self.entries = entries;
            return self.find(event);
        }
        found
    }
}

/// What the event says, in one line.
fn describe(event: &WebhookEvent) -> String {
    match &event.data {
        EventData::ShipmentInformation(i) => {
            let mut line = format!(
                "{} {} referenceId {}",
                i.business_reference.as_deref().unwrap_or("?"),
                i.direction.as_deref().unwrap_or("?"),
                i.references().join(",")
            );
            if !i.errors().is_empty() {
                line.push_str(": ");
                line.push_str(&i.errors().join("; "));
            }
            line
        }
        EventData::Untyped { mismatch, .. } => match mismatch {
            Some(m) => format!("(data kept untyped: {m})"),
            None => "(type not typed here: data kept)".into(),
        },
        data => match data.declaration() {
            Some(d) => format!(
                "{} declaration {} {}{}",
                d.customs_shipment_reference.as_deref().unwrap_or("?"),
                d.id.as_deref().unwrap_or("?"),
                event
                    .declaration_status()
                    .map_or_else(String::new, |s| s.to_string()),
                d.mrn
                    .as_deref()
                    .map(|m| format!(" (MRN {m})"))
                    .unwrap_or_default()
            ),
            None => event.shipment_reference().unwrap_or("").to_owned(),
        },
    }
}

fn print_event(event: &WebhookEvent, files: &[String], format: Format) {
    let kind = match event.sub_type() {
        Some(sub) => format!("{}/{sub}", event.event_type),
        None => event.event_type.clone(),
    };
    match format {
        Format::Human => {
            let about = if files.is_empty() {
                String::new()
            } else {
                format!(" [{}]", files.join(", "))
            };
            println!("event {kind} {} {}{about}", event.id, describe(event));
        }
        Format::Json => {
            let body = event
                .to_json()
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
            let line = json!({
                "id": event.id,
                "eventType": event.event_type,
                "eventSubType": event.sub_type(),
                "referenceIds": event.ingestion_references(),
                "shipmentReference": event.shipment_reference(),
                "files": files,
                "event": body,
            });
            println!("{line}");
        }
    }
}

struct Listener {
    receiver: Receiver<EventLog>,
    files: Mutex<Files>,
    format: Format,
    recorded: AtomicUsize,
    exit_after: Option<usize>,
    done: tokio::sync::Notify,
}

async fn listen(args: ListenArgs) -> Result<Outcome, CliError> {
    let store =
        EventLog::open(&args.common.events).map_err(|e| CliError::io(&args.common.events, e))?;
    let state = Arc::new(Listener {
        receiver: Receiver::new(receiver_config(&args)?, store),
        files: Mutex::new(Files::new(&args.common.log)?),
        format: args.common.format,
        recorded: AtomicUsize::new(0),
        exit_after: args.exit_after,
        done: tokio::sync::Notify::new(),
    });
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
        .await
        .map_err(|e| CliError::Other(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::Other(e.to_string()))?;
    println!("listening on http://{addr}");
    if state.exit_after == Some(0) {
        return Ok(Outcome::Ok);
    }
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let st = Arc::clone(&state);
                tokio::spawn(async move {
                    let svc = service_fn(move |req| receive(Arc::clone(&st), req));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
                });
            }
            () = state.done.notified() => break,
            r = tokio::signal::ctrl_c() => {
                r.map_err(|e| CliError::Other(e.to_string()))?;
                break;
            }
        }
    }
    Ok(Outcome::Ok)
}

async fn receive(
    state: Arc<Listener>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let answer = |status: u16, text: String| {
        let mut r = Response::new(Full::new(Bytes::from(text)));
        *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
        Ok(r)
    };
    let query = req.uri().query().map(str::to_owned);
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let limit = state.receiver.max_body();
    let body = match Limited::new(req.into_body(), limit).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            eprintln!("refused a delivery: body over {limit} bytes");
            return answer(413, "body too large".into());
        }
    };
    let delivery = Delivery {
        query: query.as_deref(),
        headers: &headers,
        body: &body,
    };
    // Recording syncs the log to disk: a blocking call.
    let received = tokio::task::block_in_place(|| state.receiver.receive(&delivery));
    let status = received.status();
    match received {
        Received::Recorded(event) => {
            let files = state
                .files
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .lookup(&event);
            print_event(&event, &files, state.format);
            let n = state.recorded.fetch_add(1, Ordering::SeqCst) + 1;
            if state.exit_after.is_some_and(|max| n >= max) {
                state.done.notify_one();
            }
            answer(status, String::new())
        }
        Received::Duplicate(event) => {
            eprintln!("duplicate {} acknowledged, not recorded again", event.id);
            answer(status, String::new())
        }
        Received::Refused(e) => {
            eprintln!("refused a delivery ({status}): {e}");
            answer(status, e.to_string())
        }
    }
}

/// The correlator fed with the results log and the events log.
fn correlate(common: &Common) -> Result<(Correlator, Vec<Entry>), CliError> {
    let entries = results::load(&common.log)?;
    let events = EventLog::read(&common.events).map_err(|e| CliError::io(&common.events, e))?;
    let mut correlator = Correlator::new();
    for entry in &entries {
        if let Some(sent) = entry.sent_message() {
            correlator.record_sent(sent);
        }
    }
    for event in &events {
        correlator.observe(event);
    }
    Ok((correlator, entries))
}

fn status(args: &StatusArgs) -> Result<Outcome, CliError> {
    let (correlator, entries) = correlate(&args.common)?;
    let pending: Vec<String> = correlator
        .pending(SystemTime::now(), Duration::from_secs(args.pending_after))
        .iter()
        .map(|m| m.reference_id.clone())
        .collect();
    let mut lines = Vec::new();
    for entry in entries.iter().filter(|e| e.reference_id.is_some()) {
        let Some(sent) = entry.sent_message() else {
            continue;
        };
        let state = match correlator.resolution(&sent.reference_id) {
            Resolution::Outcome(o) => {
                let kind = format!("{:?}", o.kind);
                if o.error_descriptions.is_empty() {
                    kind
                } else {
                    format!("{kind}: {}", o.error_descriptions.join("; "))
                }
            }
            Resolution::Progressing => "progressing".into(),
            Resolution::Pending if pending.contains(&sent.reference_id) => "pending".into(),
            Resolution::Pending => "waiting".into(),
        };
        let declarations: Vec<serde_json::Value> = entry
            .external_reference
            .as_deref()
            .map(|r| correlator.declarations(r))
            .unwrap_or_default()
            .iter()
            .map(|d| {
                json!({"id": d.id, "statuses": d.history.iter().map(|c| c.status.as_str()).collect::<Vec<_>>()})
            })
            .collect();
        lines.push(json!({
            "file": entry.file, "referenceId": sent.reference_id,
            "externalReference": entry.external_reference, "direction": entry.direction,
            "messageType": entry.shipment_message_type, "state": state,
            "declarations": declarations,
        }));
    }
    for line in &lines {
        match args.common.format {
            Format::Json => println!("{line}"),
            Format::Human => print_status_line(line),
        }
    }
    Ok(if pending.is_empty() {
        Outcome::Ok
    } else {
        Outcome::SomeFailed
    })
}

fn print_status_line(line: &serde_json::Value) {
    let text = |k: &str| line[k].as_str().unwrap_or("-").to_owned();
    let declarations: Vec<String> = line["declarations"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    let statuses: Vec<&str> = d["statuses"]
                        .as_array()
                        .map(|s| s.iter().filter_map(|x| x.as_str()).collect())
                        .unwrap_or_default();
                    format!(
                        "{}: {}",
                        d["id"].as_str().unwrap_or("?"),
                        statuses.join(" -> ")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    println!(
        "{} {} {} {} {}: {}{}",
        text("file"),
        text("referenceId"),
        text("externalReference"),
        text("direction"),
        text("messageType"),
        text("state"),
        if declarations.is_empty() {
            String::new()
        } else {
            format!(" [{}]", declarations.join("; "))
        }
    );
}

fn verify(args: &VerifyArgs) -> Result<Outcome, CliError> {
    let verifier = verifier(args.secret_file.as_deref())?;
    let body = if args.body.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .map_err(|e| CliError::io("<stdin>", e))?;
        b
    } else {
        std::fs::read(&args.body).map_err(|e| CliError::io(&args.body, e))?
    };
    let headers = WebhookHeaders {
        id: &args.id,
        timestamp: &args.timestamp,
        signature: &args.signature,
    };
    let now = if args.ignore_time {
        args.timestamp
            .trim()
            .parse::<u64>()
            .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
            .unwrap_or_else(|_| SystemTime::now())
    } else {
        SystemTime::now()
    };
    match verifier.verify_at(&headers, &body, now) {
        Ok(event) => {
            println!(
                "verified {} {} {}",
                event.event_type,
                event.id,
                describe(&event)
            );
            Ok(Outcome::Ok)
        }
        Err(e) => {
            println!("NOT verified: {e}");
            Ok(Outcome::SomeFailed)
        }
    }
}
