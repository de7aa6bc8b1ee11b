//! The typed `data` of each documented event type.
//!
//! Every member is optional (`Field`): the documentation lists the members
//! but not which are always present, and a receiver must not refuse an
//! event because one is missing. Members not listed here are kept in
//! `extra` and written back unchanged.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{DeclarationStatus, Field};

/// `data` of `CustomsShipmentInformation` (subtypes `CreationUnsuccessful`,
/// `ReplaceSuccessful`, `ReplaceUnsuccessful`): the outcome of ingested
/// customs shipments, tied to them by `ingestionReferences`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentInformation {
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub tenant_id: Field<String>,
    /// The `referenceId`s of the ingestions behind this outcome (opaque strings).
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub ingestion_references: Field<Vec<String>>,
    /// The shipment's external reference.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub business_reference: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub trader_reference: Field<String>,
    /// `IN` or `OUT`.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub direction: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub company: Field<String>,
    /// Why CAS refused the shipment (the unsuccessful subtypes).
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub error_descriptions: Field<Vec<String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ShipmentInformation {
    /// The ingestion references, empty when absent.
    pub fn references(&self) -> &[String] {
        self.ingestion_references.get().map_or(&[], Vec::as_slice)
    }

    /// The error descriptions, empty when absent.
    pub fn errors(&self) -> &[String] {
        self.error_descriptions.get().map_or(&[], Vec::as_slice)
    }
}

/// `data` of the declaration events: `DeclarationStatusChanged`,
/// `DeclarationPdfCreated` (adds `url`, `type`) and
/// `DeclarationActionFinished` (adds `action`; newer pages `arc`,
/// `sequenceNumber`). Tied to a sent shipment by `customsShipmentReference`
/// (its external reference); it carries no ingestion references.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclarationData {
    /// The declaration's id (read it through the Declarations API).
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub id: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub customs_shipment_reference: Field<String>,
    /// ISO country code.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub jurisdiction: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub trader_reference: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub customs_flow: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub customs_flow_step: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub customs_flow_step_instance_count: Field<i64>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub customs_flow_step_instance_seq: Field<i64>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub mrn: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub lrn: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub declaration_url: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub current_status: Field<DeclarationStatus>,
    /// A date-time, kept as written.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub acceptance_date: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub storage_location: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub plant: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub company: Field<String>,
    /// `DeclarationPdfCreated`: tokenized download URL.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub url: Field<String>,
    /// `DeclarationPdfCreated`: the kind of PDF.
    #[serde(default, rename = "type", skip_serializing_if = "Field::is_absent")]
    pub kind: Field<String>,
    /// `DeclarationActionFinished`: the action.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub action: Field<String>,
    /// `DeclarationActionFinished` (newer pages).
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub arc: Field<String>,
    /// `DeclarationActionFinished` (newer pages); its JSON type is not
    /// documented, so it is kept as JSON.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub sequence_number: Field<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of `CoOPDFCreated` (subtype `CertificateOfOrigin`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateOfOriginPdf {
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub certificate_of_origin_id: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub customs_shipment_reference: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub storage_location: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub declaration_reference: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub url: Field<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of `CustomsDataReturned` (subtype `AWBCreated`). The two
/// address members' names are not given in words by the documentation:
/// they stay in `extra`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomsDataReturned {
    /// Master air waybill.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub mawb: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub shed_code: Field<String>,
    /// A string, as documented.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub num_of_packages_expected: Field<String>,
    /// A string, as documented.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub num_of_packages_received: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub mucr: Field<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
