//! The Declarations API: get one declaration (by id, or by an event's
//! `declarationUrl`), search with every documented query parameter, and
//! page through the results as an async stream (`limit` ≤ 100, `offset`).
//!
//! CAS documents the query parameters and the error members; it does not
//! spell out the answer's JSON beyond the fields events carry. So every
//! field of [`Declaration`] but `id` is optional, unknown fields are kept
//! in `extra`, and a search answer is read as a JSON array or as an object
//! holding the array under `items`, `declarations`, `data`, `results` or
//! `value` (see the crate docs).

use futures_util::stream::{self, Stream};
use serde::{Deserialize, Deserializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::client::{ApiError, Client, encode_segment};

/// At most this many declarations per page (CAS's documented maximum and default).
pub const MAX_PAGE: usize = 100;

/// The open status enum, shared with the webhook events
/// (`DeclarationStatusChanged` carries the same values).
pub use crate::webhook::DeclarationStatus;

/// One declaration. Field names follow the search parameters and the
/// event fields; dates are kept as CAS writes them.
#[derive(Clone, Debug, PartialEq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Declaration {
    pub id: String,
    pub external_reference: Option<String>,
    pub customs_shipment_reference: Option<String>,
    pub direction: Option<String>,
    pub ship_from: Option<String>,
    pub ship_to: Option<String>,
    pub lrn: Option<String>,
    pub mrn: Option<String>,
    pub arc: Option<String>,
    pub ucr: Option<String>,
    pub customs_flow: Option<String>,
    pub customs_flow_step: Option<String>,
    pub current_status: Option<DeclarationStatus>,
    pub jurisdiction: Option<String>,
    pub storage_location: Option<String>,
    pub trader_reference: Option<String>,
    pub declaration_date: Option<String>,
    pub creation_date: Option<String>,
    pub last_updated: Option<String>,
    /// Listed in status `Invalid` or `CustomsError`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub errors: Vec<DeclarationError>,
    /// Fields this toolkit does not know (CAS adds fields over time).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Declaration {
    /// `externalReference`, else `customsShipmentReference`.
    pub fn reference(&self) -> Option<&str> {
        self.external_reference
            .as_deref()
            .or(self.customs_shipment_reference.as_deref())
    }
}

fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// One error of a declaration (the documented members).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclarationError {
    pub error_code: Option<String>,
    pub message: Option<String>,
    pub description: Option<String>,
    pub field_reference: Option<FieldReference>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldReference {
    pub field_name: Option<String>,
    pub path: Option<String>,
}

/// A search: every documented parameter; unset ones are not sent. List
/// parameters match any of their values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeclarationSearch {
    pub external_reference: Option<String>,
    /// `IN` or `OUT`.
    pub direction: Option<String>,
    pub ship_from: Option<String>,
    pub ship_to: Option<String>,
    pub lrn: Option<String>,
    pub mrn: Option<String>,
    pub arc: Option<String>,
    pub customs_flow: Option<String>,
    pub ucr: Option<String>,
    pub customs_flow_step: Vec<String>,
    pub current_status: Vec<String>,
    pub jurisdiction: Vec<String>,
    pub storage_location: Vec<String>,
    pub declaration_date_from: Option<OffsetDateTime>,
    pub declaration_date_to: Option<OffsetDateTime>,
    pub creation_date_from: Option<OffsetDateTime>,
    pub creation_date_to: Option<OffsetDateTime>,
    pub last_updated_from: Option<OffsetDateTime>,
    pub last_updated_to: Option<OffsetDateTime>,
}

impl DeclarationSearch {
    /// The declarations of one external reference.
    pub fn external_reference(reference: impl Into<String>) -> Self {
        DeclarationSearch {
            external_reference: Some(reference.into()),
            ..Self::default()
        }
    }

    /// The query parameters of one page.
    pub fn query(&self, limit: usize, offset: usize) -> Vec<(String, String)> {
        let mut q = Vec::new();
        let mut one = |name: &str, v: &Option<String>| {
            if let Some(v) = v {
                q.push((name.to_owned(), v.clone()));
            }
        };
        one("externalReference", &self.external_reference);
        one("direction", &self.direction);
        one("shipFrom", &self.ship_from);
        one("shipTo", &self.ship_to);
        one("lrn", &self.lrn);
        one("mrn", &self.mrn);
        one("arc", &self.arc);
        one("customsFlow", &self.customs_flow);
        one("ucr", &self.ucr);
        let lists = [
            ("customsFlowStep[]", &self.customs_flow_step),
            ("currentStatus[]", &self.current_status),
            ("jurisdiction[]", &self.jurisdiction),
            ("storageLocation[]", &self.storage_location),
        ];
        for (name, values) in lists {
            q.extend(values.iter().map(|v| (name.to_owned(), v.clone())));
        }
        let dates = [
            ("declarationDateFrom", self.declaration_date_from),
            ("declarationDateTo", self.declaration_date_to),
            ("creationDateFrom", self.creation_date_from),
            ("creationDateTo", self.creation_date_to),
            ("lastUpdatedFrom", self.last_updated_from),
            ("lastUpdatedTo", self.last_updated_to),
        ];
        for (name, at) in dates {
            if let Some(text) = at.and_then(|t| t.format(&Rfc3339).ok()) {
                q.push((name.to_owned(), text));
            }
        }
        q.push(("limit".to_owned(), limit.clamp(1, MAX_PAGE).to_string()));
        q.push(("offset".to_owned(), offset.to_string()));
        q
    }
}

/// A search answer: a bare array, or an object holding it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Page {
    List(Vec<Declaration>),
    Wrapped(serde_json::Map<String, serde_json::Value>),
}

const WRAPPERS: &[&str] = &["items", "declarations", "data", "results", "value"];

impl Page {
    fn into_list(self) -> Result<Vec<Declaration>, String> {
        match self {
            Page::List(v) => Ok(v),
            Page::Wrapped(mut m) => {
                let key = WRAPPERS
                    .iter()
                    .find(|k| m.get(**k).is_some_and(serde_json::Value::is_array))
                    .ok_or_else(|| format!("no array of declarations under any of {WRAPPERS:?}"))?;
                let list = m.remove(*key).unwrap_or_default();
                serde_json::from_value(list).map_err(|e| e.to_string())
            }
        }
    }
}

impl Client {
    /// `GET /v1/declarations/{id}` (scope `read:declarations`).
    pub async fn declaration(&self, id: &str) -> Result<Declaration, ApiError> {
        let path = format!(
            "{}/{}",
            self.api_paths().declarations.trim_end_matches('/'),
            encode_segment(id)
        );
        self.get_json(&path, &[]).await
    }

    /// The declaration at an event's `declarationUrl`; the URL must be on
    /// the API's host (the token is sent nowhere else).
    pub async fn declaration_at(&self, url: &str) -> Result<Declaration, ApiError> {
        self.get_json_at(url).await
    }

    /// One page of a search: at most `limit` (1..=100) declarations from `offset`.
    pub async fn search_declarations_page(
        &self,
        search: &DeclarationSearch,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<Declaration>, ApiError> {
        let path = self.api_paths().declarations.clone();
        let page: Page = self.get_json(&path, &search.query(limit, offset)).await?;
        page.into_list()
            .map_err(|reason| ApiError::Body { url: path, reason })
    }

    /// Every declaration matching `search`, fetched page by page
    /// (`page_size` per request, 1..=100) as the stream is read. The
    /// stream ends after a short page, or after the first error.
    pub fn search_declarations(
        &self,
        search: DeclarationSearch,
        page_size: usize,
    ) -> impl Stream<Item = Result<Declaration, ApiError>> + Send + '_ {
        let limit = page_size.clamp(1, MAX_PAGE);
        let state = (Some(0usize), Vec::<Declaration>::new().into_iter());
        stream::unfold(state, move |(mut next, mut buffered)| {
            let search = search.clone();
            async move {
                loop {
                    if let Some(d) = buffered.next() {
                        return Some((Ok(d), (next, buffered)));
                    }
                    let offset = next?;
                    match self.search_declarations_page(&search, limit, offset).await {
                        Ok(page) => {
                            next = (page.len() == limit).then_some(offset + limit);
                            buffered = page.into_iter();
                        }
                        Err(e) => return Some((Err(e), (None, buffered))),
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_open() {
        assert_eq!(
            DeclarationStatus::parse("CustomsError"),
            DeclarationStatus::CustomsError
        );
        assert_eq!(
            DeclarationStatus::parse("SomethingNew"),
            DeclarationStatus::Other("SomethingNew".into())
        );
        assert_eq!(DeclarationStatus::parse("BcpQueued").as_str(), "BcpQueued");
    }

    #[test]
    fn pages_read_as_arrays_or_wrapped() {
        let bare: Page = serde_json::from_str(r#"[{"id":"a","future":1}]"#).expect("bare");
        let list = bare.into_list().expect("list");
        assert_eq!(list[0].id, "a");
        assert_eq!(list[0].extra["future"], 1);
        let wrapped: Page =
            serde_json::from_str(r#"{"total":1,"items":[{"id":"b","errors":null}]}"#)
                .expect("wrapped");
        assert_eq!(wrapped.into_list().expect("list")[0].id, "b");
        let odd: Page = serde_json::from_str(r#"{"total":1}"#).expect("object");
        assert!(odd.into_list().is_err());
    }

    #[test]
    fn the_query_has_every_set_parameter() {
        let s = DeclarationSearch {
            current_status: vec!["Invalid".into(), "CustomsError".into()],
            direction: Some("OUT".into()),
            ..DeclarationSearch::default()
        };
        let q = s.query(500, 7);
        let has = |k: &str, v: &str| q.iter().any(|(a, b)| a == k && b == v);
        assert!(has("currentStatus[]", "Invalid") && has("currentStatus[]", "CustomsError"));
        assert!(has("direction", "OUT") && has("limit", "100") && has("offset", "7"));
        assert_eq!(q.len(), 5);
    }
}
