//! `cas send`: validate, then send with bounded concurrency and retries,
//! appending each outcome to the results log; a re-run resumes.
//!
//! The idempotency key of a file is derived from its absolute path and its
//! content, so every run sends a file under the same key: a file whose
//! send was interrupted after the server got it is de-duplicated by the
//! server, and one accepted in an earlier run is skipped.
//!
//! CAS documents no idempotency header, so across runs the safe retry of
//! a CustomsShipment whose outcome is unknown is CAS's own: re-send it
//! unchanged (a duplicate `New` is refused asynchronously with
//! `CreationUnsuccessful`, which names the referenceId) or as
//! `MessageType` `Upsert`, never as a second, edited `New`. The results log
//! records each shipment's external reference, direction and message type,
//! so `cas events` can tie CAS's events back to the file.

use cas_api::MessageExt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use cas_api::client::{IdempotencyKey, Outbound, RetryPolicy, SendError};
use futures_util::stream::{self, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::connect::ConnectArgs;
use crate::results::{self, Entry, Log, Status};
use crate::validate::{error_reports, human_line, read};
use crate::{CliError, Outcome, files};

#[derive(clap::Args)]
pub struct Args {
    /// Files and directories (searched recursively for *.xml).
    #[arg(required = true, value_name = "FILE|DIR")]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    connect: ConnectArgs,
    /// Send a message type to another path than the built-in (unconfirmed)
    /// one, e.g. --path CustomsShipment=/v1/customsshipments; repeatable.
    #[arg(long = "path", value_name = "MESSAGE=PATH", value_parser = parse_path)]
    paths: Vec<(String, String)>,
    /// The results log (JSON lines) to append to and resume from.
    #[arg(long, default_value = "cas-results.jsonl")]
    log: PathBuf,
    /// Messages in flight at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Attempts per message (retries of 408/429/5xx and connection failures included).
    #[arg(long, default_value_t = 5)]
    max_attempts: u32,
}

fn parse_path(s: &str) -> Result<(String, String), String> {
    let (message, path) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected MESSAGE=PATH"))?;
    if cas_api::endpoint_named(message).is_none() {
        let known: Vec<_> = cas_api::ENDPOINTS.iter().map(|e| e.message).collect();
        return Err(format!(
            "{message:?} is not a message type ({})",
            known.join(", ")
        ));
    }
    if !path.starts_with('/') {
        return Err(format!("{path:?}: a path starts with /"));
    }
    Ok((message.to_owned(), path.to_owned()))
}

/// One file after reading and validating.
enum Prepared {
    /// Accepted in an earlier run under the same key.
    Skip,
    /// Not to be sent: invalid or unreadable.
    Done(Entry, Vec<String>),
    Ready(Outbound, Entry),
}

/// A stable key: the same file with the same content gets the same key in every run.
fn derive_key(file: &str, bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(file.as_bytes());
    h.update([0]);
    h.update(bytes);
    let digest = h.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("cas-{hex}")
}

fn prepare(path: &Path, accepted: &std::collections::HashSet<(String, String)>) -> Prepared {
    // Canonical, so that `dir/../a.xml`, `a.xml` and a symlink to it name
    // one file (and get one key): otherwise one file could be sent twice.
    let file = std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_owned())
        .display()
        .to_string();
    let entry =
        |status, message_type: Option<String>, error: Option<String>, key: Option<String>| Entry {
            file: file.clone(),
            message_type,
            status,
            reference_id: None,
            error,
            idempotency_key: key,
            external_reference: None,
            direction: None,
            shipment_message_type: None,
            sent_at: None,
        };
    let bytes = match crate::files::read_message(path) {
        Ok(b) => b,
        Err(e) => {
            let msg = format!("cannot read the file: {e}");
            return Prepared::Done(
                entry(Status::Failed, None, Some(msg.clone()), None),
                vec![msg],
            );
        }
    };
    let key = derive_key(&file, &bytes);
    if accepted.contains(&(file.clone(), key.clone())) {
        return Prepared::Skip;
    }
    match read(&bytes) {
        Err((message_type, errors)) => {
            let lines: Vec<String> = error_reports(&errors)
                .iter()
                .map(|e| human_line(&path.display().to_string(), e))
                .collect();
            let summary = format!("{} validation error(s): {}", errors.len(), errors);
            Prepared::Done(
                entry(Status::Invalid, message_type, Some(summary), None),
                lines,
            )
        }
        Ok(message) => {
            // Validation passed, so the bytes are a readable document; it is
            // sent as written (a BOM dropped), not re-serialised.
            let text = String::from_utf8_lossy(&bytes);
            let xml = text.trim_start_matches('\u{feff}').to_owned();
            let out = match IdempotencyKey::new(key.clone()) {
                Ok(k) => Outbound::new(message.endpoint(), message.message_name(), xml).with_key(k),
                Err(e) => {
                    return Prepared::Done(
                        entry(Status::Failed, None, Some(e.to_string()), None),
                        Vec::new(),
                    );
                }
            };
            Prepared::Ready(
                out,
                entry(
                    Status::Accepted,
                    Some(message.message_name().to_owned()),
                    None,
                    Some(key),
                )
                .with_shipment(&message),
            )
        }
    }
}

fn outcome_of(mut entry: Entry, result: Result<cas_api::client::Accepted, SendError>) -> Entry {
    match result {
        Ok(a) => {
            entry.status = Status::Accepted;
            entry.reference_id = Some(a.reference_id);
            entry.sent_at = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
                .map(|d| d.as_secs());
        }
        Err(e) => {
            entry.status = match &e {
                SendError::Unknown { .. } | SendError::AcceptedWithoutReference { .. } => {
                    Status::Unknown
                }
                SendError::Rejected { rejection, .. } if !rejection.status.is_retryable() => {
                    Status::Rejected
                }
                _ => Status::Failed,
            };
            entry.error = Some(e.to_string());
        }
    }
    entry
}

pub async fn run(args: Args) -> Result<Outcome, CliError> {
    let paths = files::collect(&args.inputs)?;
    let (mut log, previous) = Log::open(&args.log)?;
    let accepted = std::sync::Arc::new(results::accepted(&previous));

    let mut builder = args
        .connect
        .builder()?
        .retry(RetryPolicy {
            max_attempts: args.max_attempts.max(1),
            ..RetryPolicy::default()
        })
        // Validated here already, from the file's own bytes.
        .validate(false);
    for (message, path) in &args.paths {
        builder = builder.path(message.clone(), path.clone());
    }
    let client = builder
        .build()
        .map_err(|e| CliError::Usage(e.to_string()))?;

    let terminal = std::io::stderr().is_terminal();
    let bar = if terminal {
        let bar = ProgressBar::new(paths.len() as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta} {msg}")
        {
            bar.set_style(style);
        }
        Some(bar)
    } else {
        None
    };

    let sends = stream::iter(paths).map(|path| {
        let client = client.clone();
        let accepted = std::sync::Arc::clone(&accepted);
        async move {
            let shown = path.display().to_string();
            let prepared = tokio::task::spawn_blocking(move || prepare(&path, &accepted))
                .await
                .map_err(|e| CliError::Other(format!("validation task: {e}")))?;
            Ok::<_, CliError>(match prepared {
                Prepared::Skip => (shown, None, Vec::new()),
                Prepared::Done(entry, lines) => (shown, Some(entry), lines),
                Prepared::Ready(out, entry) => {
                    let result = client.send_outbound(out).await;
                    (shown, Some(outcome_of(entry, result)), Vec::new())
                }
            })
        }
    });
    let mut results = sends.buffer_unordered(args.concurrency.max(1));

    let (mut ok, mut skipped, mut bad) = (0usize, 0usize, 0usize);
    while let Some(done) = results.next().await {
        let (shown, entry, lines) = done?;
        let line = match &entry {
            None => {
                skipped += 1;
                format!("skipped {shown} (accepted earlier)")
            }
            Some(e) => {
                log.append(e)?;
                match (e.status, &e.reference_id) {
                    (Status::Accepted, Some(id)) => {
                        ok += 1;
                        format!("accepted {shown} {id}")
                    }
                    (Status::Invalid, _) => {
                        bad += 1;
                        format!("invalid {shown} (not sent):")
                    }
                    (status, _) => {
                        bad += 1;
                        let word = serde_json::to_value(status)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default();
                        format!("{word} {shown}: {}", e.error.as_deref().unwrap_or(""))
                    }
                }
            }
        };
        match &bar {
            Some(bar) => {
                bar.inc(1);
                if entry.as_ref().is_some_and(|e| e.status != Status::Accepted) {
                    bar.println(&line);
                    for l in &lines {
                        bar.println(format!("  {l}"));
                    }
                }
            }
            None => {
                println!("{line}");
                for l in &lines {
                    println!("  {l}");
                }
            }
        }
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    println!(
        "done: {ok} accepted, {skipped} skipped (accepted earlier), {bad} not accepted; log {}",
        args.log.display()
    );
    Ok(if bad == 0 {
        Outcome::Ok
    } else {
        Outcome::SomeFailed
    })
}
