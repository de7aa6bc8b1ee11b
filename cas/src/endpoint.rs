//! Which ingestion endpoint each message goes to: the one table of paths.
//!
//! CAS's documentation states one ingestion path, `POST /v1/movementorders`
//! (MovementOrder, which replaced the deprecated `POST /v1/movements`). The
//! other seven are **not documented**: their paths here are this
//! toolkit's guess in the documented one's style (`/v1/` and the message
//! name, lower case, plural) and are marked [`Endpoint::confirmed`]` ==
//! false`. Check them with Customs4trade before relying on them; the
//! client builder ([`crate::client::ClientBuilder::path`]) and `cas send
//! --path` override any of them.

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
    ArticleDataItem => "/v1/articledataitems", false;
    BusinessPartners => "/v1/businesspartners", false;
    CertificateOfOrigin => "/v1/certificatesoforigin", false;
    CustomsShipment => "/v1/customsshipments", false;
    Formula => "/v1/formulas", false;
    MaterialList => "/v1/materiallists", false;
    MaterialListInvalidationRequest => "/v1/materiallistinvalidationrequests", false;
    MovementOrder => "/v1/movementorders", true;
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
