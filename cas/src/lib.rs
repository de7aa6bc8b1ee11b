//! `cas-api`: the CAS layer over the generated messages (`cas-messages`)
//! and the XSD runtime (`xsd-runtime`): which endpoint each message goes to
//! ([`endpoint`]), an async client for the ingestion API with OAuth 2.0
//! client credentials and CAS's environments ([`client`]), the
//! Declarations API ([`declarations`]), and webhook events with their
//! correlation to what was sent ([`webhook`]).
//!
//! What CAS documents, what it leaves unstated (and what this crate
//! assumes there, configurably), and where this crate differs: [`contract`].
//!
//! Everything about XML (reading, writing, validation) is in `xsd-runtime`
//! and the generated types; this crate only knows CAS's contract.
//!
//! # Retrying a CustomsShipment whose outcome is unknown
//!
//! CAS documents no idempotency header (the client sends one; whether CAS
//! honours it is unknown). What CAS documents is the shipment's identity,
//! `ExternalReference` + `Direction`, and its `MessageType`. So a shipment
//! whose `202` never arrived is re-sent either unchanged (if CAS had it, the
//! duplicate `New` is refused asynchronously with a `CreationUnsuccessful`
//! event naming the new referenceId) or as `Upsert` (created if absent,
//! else updated); never as a second, edited `New`. The outcome shows as
//! events ([`webhook`]); confirm through the Declarations API.

pub mod client;
pub mod contract;
pub mod declarations;
pub mod endpoint;
pub mod webhook;

pub use endpoint::{
    ENDPOINTS, Endpoint, IngestionMessage, MessageExt, endpoint_named, endpoint_of,
};

/// Re-exported so users need not match versions.
pub use cas_messages;
pub use reqwest;
pub use tokio;
pub use xsd_runtime;
