//! `cas events listen` / `cas events verify`: webhook events checked
//! against the signing secret (Standard Webhooks) and printed, with the
//! file each one is about (from the results log of `cas send`).

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use bytes::Bytes;
use cas_api::webhook::{
    EventPayload, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, Verifier, WebhookEvent,
    WebhookHeaders,
};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use uuid::Uuid;

use crate::results::{self, Entry};
use crate::{CliError, Format, Outcome, secrets};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Receive events on 127.0.0.1, verify and print them.
    Listen(ListenArgs),
    /// Verify one saved event: its body (a file, or - for stdin) and headers.
    Verify(VerifyArgs),
}

#[derive(clap::Args)]
pub struct Common {
    /// File holding the signing secret (whsec_...); else CAS_WEBHOOK_SECRET.
    #[arg(long, value_name = "PATH")]
    secret_file: Option<PathBuf>,
    /// Results log of `cas send`, to name the file each event is about.
    #[arg(long, default_value = "cas-results.jsonl")]
    log: PathBuf,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(clap::Args)]
pub struct ListenArgs {
    /// Port on 127.0.0.1 (0: any free port; the first line printed names it).
    #[arg(long, default_value_t = 8788)]
    port: u16,
    /// Stop after this many verified events (default: run until Ctrl-C).
    #[arg(long, value_name = "N")]
    exit_after: Option<usize>,
    #[command(flatten)]
    common: Common,
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The event body as received (- for stdin).
    body: PathBuf,
    /// The `webhook-id` header.
    #[arg(long)]
    id: String,
    /// The `webhook-timestamp` header.
    #[arg(long)]
    timestamp: String,
    /// The `webhook-signature` header.
    #[arg(long)]
    signature: String,
    /// Accept an old timestamp (for replays of saved events).
    #[arg(long)]
    ignore_time: bool,
    #[command(flatten)]
    common: Common,
}

pub fn run(command: Command) -> Result<Outcome, CliError> {
    match command {
        Command::Listen(args) => crate::runtime()?.block_on(listen(args)),
        Command::Verify(args) => verify(&args),
    }
}

fn verifier(common: &Common) -> Result<Verifier, CliError> {
    let secret =
        secrets::read("CAS_WEBHOOK_SECRET", common.secret_file.as_deref())?.ok_or_else(|| {
            CliError::Usage(
                "no webhook secret: set CAS_WEBHOOK_SECRET or pass --secret-file".into(),
            )
        })?;
    Verifier::new(&secret).map_err(|e| CliError::Usage(format!("webhook secret: {e}")))
}

/// The results log, re-read when an event names a reference id it lacks
/// (a send may still be running).
struct Files {
    path: PathBuf,
    by_ref: HashMap<Uuid, Entry>,
}

impl Files {
    fn new(path: &Path) -> Result<Files, CliError> {
        Ok(Files {
            path: path.to_owned(),
            by_ref: results::by_reference(&results::load(path)?),
        })
    }

    fn lookup(&mut self, ids: &[Uuid]) -> Vec<Entry> {
        if ids.iter().any(|id| !self.by_ref.contains_key(id))
            && let Ok(entries) = results::load(&self.path)
        {
            self.by_ref = results::by_reference(&entries);
        }
        ids.iter()
            .filter_map(|id| self.by_ref.get(id).cloned())
            .collect()
    }
}

/// What the event says, in one line.
fn describe(event: &WebhookEvent) -> String {
    match &event.payload {
        EventPayload::CreationSuccessful(s) => format!(
            "{} {}",
            s.message_type.as_deref().unwrap_or("?"),
            refs(&s.ingestion_references)
        ),
        EventPayload::CreationUnsuccessful(f) => {
            let errors: Vec<String> = f
                .errors
                .iter()
                .map(|e| {
                    format!(
                        "{} at {}: {}",
                        e.code,
                        e.path.as_deref().unwrap_or("?"),
                        e.message
                    )
                })
                .collect();
            format!(
                "{} {}: {}",
                f.message_type.as_deref().unwrap_or("?"),
                refs(&f.ingestion_references),
                errors.join("; ")
            )
        }
        EventPayload::DeclarationStatusChanged(d) => format!(
            "{} {} -> {}{}",
            d.customs_shipment_reference,
            d.previous_status.as_ref().map_or("-", |s| s.as_str()),
            d.new_status.as_str(),
            d.mrn
                .as_ref()
                .map(|m| format!(" (MRN {m})"))
                .unwrap_or_default()
        ),
        _ => refs(event.payload.ingestion_references()),
    }
}

fn refs(ids: &[Uuid]) -> String {
    ids.iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn print_event(event: &WebhookEvent, files: &[Entry], format: Format) {
    match format {
        Format::Human => {
            let names: Vec<&str> = files.iter().map(|e| e.file.as_str()).collect();
            let about = if names.is_empty() {
                String::new()
            } else {
                format!(" [{}]", names.join(", "))
            };
            println!(
                "verified {} {} {}{about}",
                event.event_type(),
                event.event_id,
                describe(event)
            );
        }
        Format::Json => {
            let line = json!({
                "verified": true,
                "eventId": event.event_id,
                "eventType": event.event_type(),
                "referenceIds": event.payload.ingestion_references(),
                "files": files.iter().map(|e| e.file.clone()).collect::<Vec<_>>(),
                "event": serde_json::from_slice::<serde_json::Value>(&event.to_json().unwrap_or_default()).unwrap_or_default(),
            });
            println!("{line}");
        }
    }
}

fn verify(args: &VerifyArgs) -> Result<Outcome, CliError> {
    let verifier = verifier(&args.common)?;
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
            .map(|s| SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(s))
            .unwrap_or_else(|_| SystemTime::now())
    } else {
        SystemTime::now()
    };
    match verifier.verify_at(&headers, &body, now) {
        Ok(event) => {
            let mut files = Files::new(&args.common.log)?;
            let about = files.lookup(event.payload.ingestion_references());
            print_event(&event, &about, args.common.format);
            Ok(Outcome::Ok)
        }
        Err(e) => {
            println!("NOT verified: {e}");
            Ok(Outcome::SomeFailed)
        }
    }
}

struct Listener {
    verifier: Verifier,
    files: Mutex<Files>,
    seen: Mutex<HashSet<String>>,
    format: Format,
    verified: AtomicUsize,
    exit_after: Option<usize>,
    done: tokio::sync::Notify,
}

async fn listen(args: ListenArgs) -> Result<Outcome, CliError> {
    let state = Arc::new(Listener {
        verifier: verifier(&args.common)?,
        files: Mutex::new(Files::new(&args.common.log)?),
        seen: Mutex::new(HashSet::new()),
        format: args.common.format,
        verified: AtomicUsize::new(0),
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
    let answer = |status: StatusCode, text: String| {
        let mut r = Response::new(Full::new(Bytes::from(text)));
        *r.status_mut() = status;
        Ok(r)
    };
    let headers: Vec<(String, String)> = [HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE]
        .iter()
        .filter_map(|name| {
            let v = req.headers().get(*name)?.to_str().ok()?;
            Some(((*name).to_owned(), v.to_owned()))
        })
        .collect();
    let body = match Limited::new(req.into_body(), cas_api::webhook::DEFAULT_MAX_BODY)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => return answer(StatusCode::PAYLOAD_TOO_LARGE, "body too large".into()),
    };
    let event = match state.verifier.verify(&headers, &body) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("rejected a delivery: {e}");
            return answer(StatusCode::UNAUTHORIZED, e.to_string());
        }
    };
    // Repeats (retries, re-deliveries after a sandbox restart) keep their id.
    let new = state
        .seen
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(event.event_id.clone());
    if new {
        let about = state
            .files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .lookup(event.payload.ingestion_references());
        print_event(&event, &about, state.format);
        let n = state.verified.fetch_add(1, Ordering::SeqCst) + 1;
        if state.exit_after.is_some_and(|max| n >= max) {
            state.done.notify_one();
        }
    }
    answer(StatusCode::NO_CONTENT, String::new())
}
