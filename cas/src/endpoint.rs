//! Which ingestion endpoint each message goes to: the one table of paths.
//!
//! CAS's documentation states one ingestion path, `POST /v1/movementorders`
//! (MovementOrder). The other seven are not documented: their paths here
//! are this toolkit's and are marked [`Endpoint::confirmed`]` == false`;
//! the client lets the caller send to any path.

use cas_messages::Message;
use cas_messages::article_data_item::ArticleDataItem;
use cas_messages::business_partners::BusinessPartners;
use cas_messages::certificate_of_origin::CertificateOfOrigin;
use cas_messages::customs_shipment::CustomsShipment;
use cas_messages::formula::Formula;
use cas_messages::material_list::MaterialList;
use cas_messages::material_list_invalidation_request::MaterialListInvalidationRequest;
use cas_messages::movement_order::MovementOrder;
use xsd_runtime::XmlRoot;

/// One ingestion endpoint and the message it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The message's name, e.g. `CustomsShipment` (its root element).
    pub message: &'static str,
    /// The path, relative to the API's base URL.
    pub path: &'static str,
    /// Whether CAS's public documentation states this path.
    pub confirmed: bool,
}

/// A message that one of CAS's ingestion endpoints accepts.
pub trait IngestionMessage: XmlRoot {
    /// The message's name (`CustomsShipment`).
    const MESSAGE: &'static str;
    /// The endpoint path, relative to the API's base URL.
    const ENDPOINT: &'static str;
}

macro_rules! endpoints {
    ($($ty:ident => $path:literal, $confirmed:literal;)*) => {
        /// Every ingestion endpoint, in the order of the schemas manifest.
        pub const ENDPOINTS: &[Endpoint] = &[
            $(Endpoint { message: stringify!($ty), path: $path, confirmed: $confirmed },)*
        ];

        $(impl IngestionMessage for $ty {
            const MESSAGE: &'static str = stringify!($ty);
            const ENDPOINT: &'static str = $path;
        })*

        /// The endpoint of a message read without knowing its type.
        pub fn endpoint_of(message: &Message) -> &'static Endpoint {
            match message {
                $(Message::$ty(_) => &Endpoint { message: stringify!($ty), path: $path, confirmed: $confirmed },)*
            }
        }
    };
}

endpoints! {
    ArticleDataItem => "/ingestion/v1/article-data-item", false;
    BusinessPartners => "/ingestion/v1/business-partners", false;
    CertificateOfOrigin => "/ingestion/v1/certificate-of-origin", false;
    CustomsShipment => "/ingestion/v1/customs-shipment", false;
    Formula => "/ingestion/v1/formula", false;
    MaterialList => "/ingestion/v1/material-list", false;
    MaterialListInvalidationRequest => "/ingestion/v1/material-list-invalidation-request", false;
    MovementOrder => "/ingestion/v1/movement-order", false;
}

/// The endpoint table by message name (`CustomsShipment`).
pub fn endpoint_named(message: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().find(|e| e.message == message)
}

/// Where a [`Message`] (any of the eight, read from a file) goes.
pub trait MessageExt {
    /// The endpoint path this message is sent to.
    fn endpoint(&self) -> &'static str;
    /// The message's name (`CustomsShipment`).
    fn message_name(&self) -> &'static str;
}

impl MessageExt for Message {
    fn endpoint(&self) -> &'static str {
        endpoint_of(self).path
    }

    fn message_name(&self) -> &'static str {
        endpoint_of(self).message
    }
}
