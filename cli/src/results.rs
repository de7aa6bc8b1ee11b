//! The results log of `cas send`: one JSON line per file and attempt run,
//! appended as each outcome is known. It is what a re-run resumes from
//! (files with an `accepted` line under the same idempotency key are
//! skipped) and what `cas events listen` correlates events with.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::CliError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// 202: CAS has it, under `referenceId`.
    Accepted,
    /// Invalid locally: not sent.
    Invalid,
    /// Refused by the server (4xx): sending again will not help.
    Rejected,
    /// Not sent, or given up after retries; a re-run sends it again.
    Failed,
    /// May or may not have been ingested; a re-run resends under the same
    /// key, so the server de-duplicates.
    Unknown,
}

/// One line of the log.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Absolute path of the file.
    pub file: String,
    pub message_type: Option<String>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub idempotency_key: Option<String>,
    /// A CustomsShipment's external reference, direction and messageType,
    /// read from the message at send time: what CAS's declaration events
    /// are tied back to the file by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_message_type: Option<String>,
    /// When the outcome of the send was known (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<u64>,
}

impl Entry {
    /// Records the shipment identity of a CustomsShipment (others: unchanged).
    pub fn with_shipment(mut self, message: &cas_messages::Message) -> Entry {
        if let cas_messages::Message::CustomsShipment(s) = message {
            self.external_reference = Some(s.external_reference.get().to_string());
            self.direction = Some(s.direction.as_str().to_owned());
            self.shipment_message_type = Some(
                s.message_type
                    .as_ref()
                    .map_or("New", |t| t.as_str())
                    .to_owned(),
            );
        }
        self
    }

    /// What the correlator needs of an accepted line.
    pub fn sent_message(&self) -> Option<cas_api::webhook::SentMessage> {
        Some(cas_api::webhook::SentMessage {
            reference_id: self.reference_id.clone()?,
            message_name: self.message_type.clone().unwrap_or_default(),
            file: Some(self.file.clone()),
            shipment: self
                .external_reference
                .clone()
                .zip(self.direction.clone())
                .map(
                    |(external_reference, direction)| cas_api::webhook::ShipmentKey {
                        external_reference,
                        direction,
                    },
                ),
            message_type: self.shipment_message_type.clone(),
            sent_at: self.sent_at.map_or(std::time::UNIX_EPOCH, |s| {
                std::time::UNIX_EPOCH + std::time::Duration::from_secs(s)
            }),
        })
    }
}

/// The log opened for appending, with what it already says.
pub struct Log {
    path: PathBuf,
    file: File,
}

impl Log {
    /// Opens (creating) the log; returns it with its lines so far. A
    /// partly written last line (a killed run) is skipped and the next line
    /// starts on a fresh one.
    pub fn open(path: &Path) -> Result<(Log, Vec<Entry>), CliError> {
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| CliError::io(path, e))?;
        // Two runs appending to one log would both send every file: the
        // second one is refused instead.
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(CliError::Other(format!(
                    "results log {}: in use by another `cas send`",
                    path.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(CliError::io(path, e)),
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| CliError::io(path, e))?;
        let text = String::from_utf8_lossy(&bytes);
        let entries = parse(&text);
        if !text.is_empty() && !text.ends_with('\n') {
            file.seek(SeekFrom::End(0))
                .map_err(|e| CliError::io(path, e))?;
            file.write_all(b"\n").map_err(|e| CliError::io(path, e))?;
        }
        Ok((
            Log {
                path: path.to_owned(),
                file,
            },
            entries,
        ))
    }

    /// Appends one line in a single write, so lines never interleave.
    pub fn append(&mut self, entry: &Entry) -> Result<(), CliError> {
        let mut line = serde_json::to_string(entry)
            .map_err(|e| CliError::Other(format!("results log: {e}")))?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| CliError::io(&self.path, e))
    }
}

/// One entry per well-formed line; a torn line (a killed run, possibly cut
/// inside a multi-byte character, hence the lossy decoding) is skipped.
fn parse(text: &str) -> Vec<Entry> {
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Reads the log without opening it for writing (missing: empty).
pub fn load(path: &Path) -> Result<Vec<Entry>, CliError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(parse(&String::from_utf8_lossy(&bytes))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(CliError::io(path, e)),
    }
}

/// (file, idempotency key) of every accepted line.
pub fn accepted(entries: &[Entry]) -> HashSet<(String, String)> {
    entries
        .iter()
        .filter(|e| e.status == Status::Accepted)
        .filter_map(|e| Some((e.file.clone(), e.idempotency_key.clone()?)))
        .collect()
}
