//! The declarations the sandbox's processing creates, and the Declarations
//! API over them (`GET /v1/declarations/{id}`, `GET /v1/declarations?…`).
//!
//! Processing (`webhooks`) [`insert`](DeclarationStore::insert)s a
//! declaration per accepted CustomsShipment when its first status is
//! reached and moves it with [`DeclarationStore::update`] as its statuses
//! walk (errors for `Invalid`); [`DeclarationStore::create_for_shipment`]
//! and [`DeclarationStore::set_status`] do the same in one call for tests,
//! which may also insert declarations of their own.
//!
//! Search takes every query parameter CAS documents: `externalReference`,
//! `direction`, `shipFrom`, `shipTo`, `lrn`, `mrn`, `arc`, `customsFlow`,
//! `ucr` (exact match); `customsFlowStep[]`, `currentStatus[]`,
//! `jurisdiction[]`, `storageLocation[]` (repeatable: any of the values;
//! the name without `[]` works too); `declarationDateFrom/To`,
//! `creationDateFrom/To`, `lastUpdatedFrom/To` (RFC 3339, inclusive);
//! `limit` (1..=100, default 100) and `offset` (default 0). Results are in
//! creation order, answered as a JSON array (CAS does not document the
//! answer's shape; see the `cas-api` crate docs). An unknown parameter or
//! a bad value is a `400` problem naming it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use cas_messages::customs_shipment::CustomsShipment;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::lock;
use crate::store::StoreError;

/// At most this many declarations per page (CAS: `limit` ≤ 100).
pub const MAX_LIMIT: usize = 100;

/// A declaration as the Declarations API answers it (JSON, camelCase).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Declaration {
    pub id: String,
    /// The shipment's external reference (`customsShipmentReference`).
    pub external_reference: String,
    pub customs_shipment_reference: String,
    /// `IN` or `OUT`.
    pub direction: Option<String>,
    pub ship_from: Option<String>,
    pub ship_to: Option<String>,
    pub lrn: Option<String>,
    pub mrn: Option<String>,
    pub arc: Option<String>,
    pub ucr: Option<String>,
    pub customs_flow: Option<String>,
    pub customs_flow_step: Option<String>,
    pub current_status: String,
    pub jurisdiction: Option<String>,
    pub storage_location: Option<String>,
    pub trader_reference: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub declaration_date: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub creation_date: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_updated: OffsetDateTime,
    /// The ingestions (reference ids) behind it.
    pub ingestion_references: Vec<String>,
    /// Listed in status `Invalid` or `CustomsError`.
    pub errors: Vec<DeclarationError>,
}

/// One error of a declaration, with the documented members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclarationError {
    pub error_code: String,
    pub message: String,
    pub description: Option<String>,
    pub field_reference: Option<FieldReference>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldReference {
    pub field_name: String,
    pub path: String,
}

impl Declaration {
    /// A declaration in status `Submitted`, created now, every optional field empty.
    pub fn new(external_reference: impl Into<String>) -> Self {
        let now = OffsetDateTime::now_utc();
        let external_reference = external_reference.into();
        Declaration {
            id: Uuid::new_v4().to_string(),
            customs_shipment_reference: external_reference.clone(),
            external_reference,
            direction: None,
            ship_from: None,
            ship_to: None,
            lrn: None,
            mrn: None,
            arc: None,
            ucr: None,
            customs_flow: None,
            customs_flow_step: None,
            current_status: "Submitted".to_owned(),
            jurisdiction: None,
            storage_location: None,
            trader_reference: None,
            declaration_date: None,
            creation_date: now,
            last_updated: now,
            ingestion_references: Vec::new(),
            errors: Vec::new(),
        }
    }
}

/// The declarations, in creation order; in memory, optionally written
/// through to a SQLite file (the sandbox's database).
#[derive(Default)]
pub struct DeclarationStore {
    inner: Mutex<Inner>,
    db: Option<Mutex<Connection>>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS declarations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    json TEXT NOT NULL
);";

#[derive(Default)]
struct Inner {
    list: Vec<Declaration>,
    by_id: HashMap<String, usize>,
}

impl DeclarationStore {
    /// Opens (creating if needed) the declarations table of a SQLite file
    /// and loads what it holds.
    pub fn open(path: &Path) -> Result<DeclarationStore, StoreError> {
        let conn = Connection::open(path)?;
        conn.execute_batch(SCHEMA)?;
        let store = DeclarationStore::default();
        {
            let mut stmt = conn.prepare("SELECT json FROM declarations ORDER BY seq")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let json: String = row.get(0)?;
                // A row this version cannot read is left in the file, unserved.
                if let Ok(d) = serde_json::from_str::<Declaration>(&json) {
                    store.insert(d);
                }
            }
        }
        Ok(DeclarationStore {
            inner: store.inner,
            db: Some(Mutex::new(conn)),
        })
    }

    /// Writes one declaration through to the file, if there is one. A
    /// failed write keeps the declaration in memory (served until a restart).
    fn persist(&self, d: &Declaration) {
        let (Some(db), Ok(json)) = (&self.db, serde_json::to_string(d)) else {
            return;
        };
        let _ = lock(db).execute(
            "INSERT INTO declarations (id, json) VALUES (?1, ?2)
             ON CONFLICT(id) DO UPDATE SET json = excluded.json",
            params![d.id, json],
        );
    }

    /// Adds a declaration as given (its id must be new; an existing id is replaced).
    pub fn insert(&self, d: Declaration) {
        self.persist(&d);
        let mut g = lock(&self.inner);
        match g.by_id.get(&d.id) {
            Some(&i) => g.list[i] = d,
            None => {
                let i = g.list.len();
                g.by_id.insert(d.id.clone(), i);
                g.list.push(d);
            }
        }
    }

    /// A declaration for an accepted shipment: its external reference and
    /// direction, jurisdiction = the country of the office of declaration,
    /// customs flow = the declaration type code (`IM`, `EX`, `CO`), status
    /// `Submitted`. (Processing builds its own, walking CAS's statuses; see
    /// `webhooks`.)
    ///
    /// An ingestion already declared (processed again after a restart)
    /// keeps its declaration: that one is returned.
    pub fn create_for_shipment(&self, s: &CustomsShipment, reference_id: Uuid) -> Declaration {
        let reference = reference_id.to_string();
        let existing = lock(&self.inner)
            .list
            .iter()
            .find(|d| d.ingestion_references.contains(&reference))
            .cloned();
        if let Some(d) = existing {
            return d;
        }
        let mut d = Declaration::new(s.external_reference.get().clone());
        let office = s.customs_offices.office_of_declaration.get();
        d.jurisdiction = Some(office.chars().take(2).collect());
        let flow = s.declaration_type.as_str();
        d.customs_flow = Some(flow.to_owned());
        d.direction = Some(s.direction.as_str().to_owned());
        d.lrn = Some(format!("LRN{}", &d.id.replace('-', "")[..16]).to_ascii_uppercase());
        d.ingestion_references.push(reference_id.to_string());
        self.insert(d.clone());
        d
    }

    /// Moves a declaration to `status` (with its errors; empty clears
    /// them). `None` if there is no such declaration.
    pub fn set_status(
        &self,
        id: &str,
        status: &str,
        errors: Vec<DeclarationError>,
    ) -> Option<Declaration> {
        self.update(id, |d| {
            d.current_status = status.to_owned();
            d.errors = errors;
        })
    }

    /// Changes a declaration and stamps `lastUpdated`.
    pub fn update(&self, id: &str, f: impl FnOnce(&mut Declaration)) -> Option<Declaration> {
        let mut g = lock(&self.inner);
        let i = *g.by_id.get(id)?;
        let d = &mut g.list[i];
        f(d);
        d.last_updated = OffsetDateTime::now_utc().max(d.last_updated);
        let d = d.clone();
        drop(g);
        self.persist(&d);
        Some(d)
    }

    pub fn get(&self, id: &str) -> Option<Declaration> {
        let g = lock(&self.inner);
        g.by_id.get(id).map(|&i| g.list[i].clone())
    }

    /// Every declaration, in creation order.
    pub fn all(&self) -> Vec<Declaration> {
        lock(&self.inner).list.clone()
    }

    /// The declarations of one external reference.
    pub fn by_external_reference(&self, reference: &str) -> Vec<Declaration> {
        let g = lock(&self.inner);
        g.list
            .iter()
            .filter(|d| d.external_reference == reference)
            .cloned()
            .collect()
    }

    /// One page of the declarations matching `q`.
    pub fn search(&self, q: &Query) -> Vec<Declaration> {
        let g = lock(&self.inner);
        g.list
            .iter()
            .filter(|d| q.matches(d))
            .skip(q.offset)
            .take(q.limit)
            .cloned()
            .collect()
    }
}

/// A parsed search.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    exact: Vec<(Field, String)>,
    any_of: Vec<(Field, Vec<String>)>,
    ranges: Vec<(DateField, Option<OffsetDateTime>, Option<OffsetDateTime>)>,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    ExternalReference,
    Direction,
    ShipFrom,
    ShipTo,
    Lrn,
    Mrn,
    Arc,
    CustomsFlow,
    Ucr,
    CustomsFlowStep,
    CurrentStatus,
    Jurisdiction,
    StorageLocation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DateField {
    Declaration,
    Creation,
    LastUpdated,
}

fn exact_field(name: &str) -> Option<Field> {
    Some(match name {
        "externalReference" => Field::ExternalReference,
        "direction" => Field::Direction,
        "shipFrom" => Field::ShipFrom,
        "shipTo" => Field::ShipTo,
        "lrn" => Field::Lrn,
        "mrn" => Field::Mrn,
        "arc" => Field::Arc,
        "customsFlow" => Field::CustomsFlow,
        "ucr" => Field::Ucr,
        _ => return None,
    })
}

fn list_field(name: &str) -> Option<Field> {
    Some(match name.trim_end_matches("[]") {
        "customsFlowStep" => Field::CustomsFlowStep,
        "currentStatus" => Field::CurrentStatus,
        "jurisdiction" => Field::Jurisdiction,
        "storageLocation" => Field::StorageLocation,
        _ => return None,
    })
}

fn date_field(name: &str) -> Option<(DateField, bool)> {
    Some(match name {
        "declarationDateFrom" => (DateField::Declaration, true),
        "declarationDateTo" => (DateField::Declaration, false),
        "creationDateFrom" => (DateField::Creation, true),
        "creationDateTo" => (DateField::Creation, false),
        "lastUpdatedFrom" => (DateField::LastUpdated, true),
        "lastUpdatedTo" => (DateField::LastUpdated, false),
        _ => return None,
    })
}

impl Field {
    fn of(self, d: &Declaration) -> Option<&str> {
        match self {
            Field::ExternalReference => Some(&d.external_reference),
            Field::Direction => d.direction.as_deref(),
            Field::ShipFrom => d.ship_from.as_deref(),
            Field::ShipTo => d.ship_to.as_deref(),
            Field::Lrn => d.lrn.as_deref(),
            Field::Mrn => d.mrn.as_deref(),
            Field::Arc => d.arc.as_deref(),
            Field::CustomsFlow => d.customs_flow.as_deref(),
            Field::Ucr => d.ucr.as_deref(),
            Field::CustomsFlowStep => d.customs_flow_step.as_deref(),
            Field::CurrentStatus => Some(&d.current_status),
            Field::Jurisdiction => d.jurisdiction.as_deref(),
            Field::StorageLocation => d.storage_location.as_deref(),
        }
    }
}

impl DateField {
    fn of(self, d: &Declaration) -> Option<OffsetDateTime> {
        match self {
            DateField::Declaration => d.declaration_date,
            DateField::Creation => Some(d.creation_date),
            DateField::LastUpdated => Some(d.last_updated),
        }
    }
}

impl Query {
    /// Parses a query string (`a=1&b=2`); the error names the parameter.
    pub fn parse(raw: &str) -> Result<Query, String> {
        let mut q = Query {
            limit: MAX_LIMIT,
            ..Query::default()
        };
        for (name, value) in form_urlencoded::parse(raw.as_bytes()) {
            q.add(&name, value.into_owned())?;
        }
        Ok(q)
    }

    fn add(&mut self, name: &str, value: String) -> Result<(), String> {
        if let Some(f) = exact_field(name) {
            self.exact.push((f, value));
        } else if let Some(f) = list_field(name) {
            match self.any_of.iter_mut().find(|(g, _)| *g == f) {
                Some((_, values)) => values.push(value),
                None => self.any_of.push((f, vec![value])),
            }
        } else if let Some((f, from)) = date_field(name) {
            let at = OffsetDateTime::parse(&value, &Rfc3339)
                .map_err(|e| format!("{name}: {value:?} is not an ISO 8601 date-time: {e}"))?;
            let (lo, hi) = if from {
                (Some(at), None)
            } else {
                (None, Some(at))
            };
            self.ranges.push((f, lo, hi));
        } else if name == "limit" {
            self.limit = value
                .parse()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| format!("limit: {value:?} is not a number from 1 to {MAX_LIMIT}"))?;
        } else if name == "offset" {
            self.offset = value
                .parse()
                .map_err(|_| format!("offset: {value:?} is not a non-negative number"))?;
        } else {
            return Err(format!("unknown query parameter {name:?}"));
        }
        Ok(())
    }

    fn matches(&self, d: &Declaration) -> bool {
        let exact = self.exact.iter().all(|(f, v)| f.of(d) == Some(v.as_str()));
        let any = self
            .any_of
            .iter()
            .all(|(f, vs)| f.of(d).is_some_and(|x| vs.iter().any(|v| v == x)));
        let dated = self.ranges.iter().all(|(f, lo, hi)| {
            f.of(d)
                .is_some_and(|at| lo.is_none_or(|lo| at >= lo) && hi.is_none_or(|hi| at <= hi))
        });
        exact && any && dated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_and_name_bad_parameters() {
        let q = Query::parse("currentStatus[]=A&currentStatus%5B%5D=B&limit=7&offset=3")
            .expect("parses");
        assert_eq!((q.limit, q.offset), (7, 3));
        assert_eq!(
            q.any_of,
            vec![(Field::CurrentStatus, vec!["A".to_owned(), "B".to_owned()])]
        );
        assert!(Query::parse("limit=101").unwrap_err().contains("limit"));
        assert!(Query::parse("limit=0").is_err());
        assert!(Query::parse("colour=red").unwrap_err().contains("colour"));
        assert!(
            Query::parse("creationDateFrom=yesterday")
                .unwrap_err()
                .contains("creationDateFrom")
        );
    }
}
