//! The ingestion history, and its optional SQLite file.
//!
//! Every ingestion gets an [`IngestionRecord`]; with a database file the
//! record (and the message body) is written before the `202` is answered,
//! so a server restarted on the same file still knows every reference id
//! and idempotency key, and re-processes (re-plans and re-delivers the
//! events of) ingestions whose processing had not finished. The in-memory
//! copy serves `GET /ingestions`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, params};
use serde::Serialize;
use uuid::Uuid;

use crate::lock;

/// What the history says about one ingestion.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestionRecord {
    pub reference_id: Uuid,
    pub idempotency_key: Option<String>,
    pub message_type: String,
    /// RFC 3339.
    pub received_at: String,
    /// Valid requests that carried the key (retries included).
    pub deliveries: u32,
    /// `processing`, `succeeded` or `failed` (business checks).
    pub status: String,
    /// The business errors of a failed ingestion (as in `CreationUnsuccessful`).
    pub errors: Vec<serde_json::Value>,
    /// Ids of the webhook events planned for it, in order.
    pub events: Vec<String>,
}

/// A persistence failure; the request gets a 500 and can be retried.
#[derive(Debug, thiserror::Error)]
#[error("sandbox database: {0}")]
pub struct StoreError(#[from] rusqlite::Error);

/// The history: in memory, optionally backed by SQLite.
#[derive(Default)]
pub(crate) struct History {
    records: Mutex<Records>,
    db: Option<Mutex<Connection>>,
}

#[derive(Default)]
struct Records {
    list: Vec<IngestionRecord>,
    by_id: HashMap<Uuid, usize>,
}

/// A stored ingestion to replay after a restart: its processing when it
/// had not finished, else only its master data.
pub(crate) struct Replay {
    pub reference_id: Uuid,
    pub body: String,
    pub processed: bool,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ingestions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    reference_id TEXT NOT NULL UNIQUE,
    idempotency_key TEXT UNIQUE,
    message_type TEXT NOT NULL,
    received_at TEXT NOT NULL,
    deliveries INTEGER NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    errors TEXT NOT NULL,
    events TEXT NOT NULL,
    processed INTEGER NOT NULL
);";

impl History {
    /// Opens (creating if needed) the database and loads its history.
    pub(crate) fn open(path: &Path) -> Result<(History, Vec<Replay>), StoreError> {
        let conn = Connection::open(path)?;
        // WAL: each commit is one append; NORMAL sync survives a killed process.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        let mut records = Records::default();
        let mut replay = Vec::new();
        {
            let mut stmt = conn.prepare(
                "SELECT reference_id, idempotency_key, message_type, received_at, deliveries,
                        status, errors, events, processed, body FROM ingestions ORDER BY seq",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let Ok(reference_id) = Uuid::parse_str(&id) else {
                    continue;
                };
                let errors: String = row.get(6)?;
                let events: String = row.get(7)?;
                let record = IngestionRecord {
                    reference_id,
                    idempotency_key: row.get(1)?,
                    message_type: row.get(2)?,
                    received_at: row.get(3)?,
                    deliveries: row.get(4)?,
                    status: row.get(5)?,
                    errors: serde_json::from_str(&errors).unwrap_or_default(),
                    events: serde_json::from_str(&events).unwrap_or_default(),
                };
                let processed: bool = row.get(8)?;
                // Finished ingestions are replayed only as master data.
                if !processed
                    || (record.status == "succeeded" && is_master_data(&record.message_type))
                {
                    replay.push(Replay {
                        reference_id,
                        body: row.get(9)?,
                        processed,
                    });
                }
                records.insert(record);
            }
        }
        let history = History {
            records: Mutex::new(records),
            db: Some(Mutex::new(conn)),
        };
        Ok((history, replay))
    }

    /// Adds a new ingestion (persisted first when there is a database).
    pub(crate) fn add(&self, record: IngestionRecord, body: &str) -> Result<(), StoreError> {
        if let Some(db) = &self.db {
            lock(db).execute(
                "INSERT INTO ingestions (reference_id, idempotency_key, message_type, received_at,
                     deliveries, body, status, errors, events, processed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '[]', '[]', 0)",
                params![
                    record.reference_id.to_string(),
                    record.idempotency_key,
                    record.message_type,
                    record.received_at,
                    record.deliveries,
                    body,
                    record.status,
                ],
            )?;
        }
        lock(&self.records).insert(record);
        Ok(())
    }

    /// Counts one more request under an existing key.
    pub(crate) fn add_delivery(&self, reference_id: Uuid) -> Result<(), StoreError> {
        if let Some(db) = &self.db {
            lock(db).execute(
                "UPDATE ingestions SET deliveries = deliveries + 1 WHERE reference_id = ?1",
                params![reference_id.to_string()],
            )?;
        }
        let mut records = lock(&self.records);
        if let Some(&i) = records.by_id.get(&reference_id) {
            records.list[i].deliveries += 1;
        }
        Ok(())
    }

    /// Records the business outcome (before its events are delivered).
    pub(crate) fn set_outcome(
        &self,
        reference_id: Uuid,
        status: &str,
        errors: Vec<serde_json::Value>,
        events: Vec<String>,
    ) -> Result<(), StoreError> {
        if let Some(db) = &self.db {
            lock(db).execute(
                "UPDATE ingestions SET status = ?2, errors = ?3, events = ?4 WHERE reference_id = ?1",
                params![
                    reference_id.to_string(),
                    status,
                    serde_json::Value::from(errors.clone()).to_string(),
                    serde_json::Value::from(events.clone()).to_string(),
                ],
            )?;
        }
        let mut records = lock(&self.records);
        if let Some(&i) = records.by_id.get(&reference_id) {
            let r = &mut records.list[i];
            r.status = status.to_owned();
            r.errors = errors;
            r.events = events;
        }
        Ok(())
    }

    /// Marks processing (event delivery included) as finished.
    pub(crate) fn set_processed(&self, reference_id: Uuid) -> Result<(), StoreError> {
        if let Some(db) = &self.db {
            lock(db).execute(
                "UPDATE ingestions SET processed = 1 WHERE reference_id = ?1",
                params![reference_id.to_string()],
            )?;
        }
        Ok(())
    }

    pub(crate) fn list(&self) -> Vec<IngestionRecord> {
        lock(&self.records).list.clone()
    }

    pub(crate) fn get(&self, reference_id: Uuid) -> Option<IngestionRecord> {
        let records = lock(&self.records);
        records
            .by_id
            .get(&reference_id)
            .map(|&i| records.list[i].clone())
    }
}

impl Records {
    fn insert(&mut self, record: IngestionRecord) {
        self.by_id.insert(record.reference_id, self.list.len());
        self.list.push(record);
    }
}

/// Messages whose content later business checks look up.
pub(crate) fn is_master_data(message_type: &str) -> bool {
    matches!(message_type, "ArticleDataItem" | "BusinessPartners")
}
