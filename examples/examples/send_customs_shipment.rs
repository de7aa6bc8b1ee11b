//! Sends a customs shipment to CAS's ingestion API and prints its referenceId.
//!
//! ```sh
//! CAS_BASE_URL=https://cas.example.com CAS_API_KEY=... \
//!     cargo run -p cas-examples --example send_customs_shipment -- shipment.xml
//! ```
//!
//! Without `CAS_BASE_URL`, it starts the local test server (on 127.0.0.1)
//! and sends there, so the example runs anywhere. Without a file, it sends
//! the typical example shipment from `schemas/examples`.

use std::error::Error;
use std::path::PathBuf;

use cas_api::client::{Auth, Client};
use cas_messages::customs_shipment::CustomsShipment;
use xsd_runtime::XmlRoot;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let file = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../schemas/examples/CustomsShipment/valid/typical.xml")
        });
    // Reading validates: a document CAS would refuse is reported here, with every error.
    let shipment = CustomsShipment::from_xml(&std::fs::read_to_string(&file)?)?;

    let local;
    let base_url = match std::env::var("CAS_BASE_URL") {
        Ok(url) => url,
        Err(_) => {
            local = cas_sandbox::TestServer::start().await?;
            println!(
                "no CAS_BASE_URL: sending to the local test server at {}",
                local.base_url()
            );
            local.base_url()
        }
    };
    // The key is read for every request, so a rotated key is picked up.
    let client = Client::builder(base_url)
        .auth(Auth::api_key("X-API-Key", || {
            std::env::var("CAS_API_KEY").unwrap_or_default()
        }))
        .build()?;

    match client.send(&shipment).await {
        Ok(accepted) => println!(
            "accepted: referenceId {} (idempotency key {}, {} attempt(s))",
            accepted.reference_id, accepted.idempotency_key, accepted.attempts
        ),
        Err(e) => {
            eprintln!("not accepted: {e}");
            if let Some(key) = e.idempotency_key() {
                eprintln!("resend with idempotency key {key} to avoid a duplicate");
            }
            std::process::exit(1);
        }
    }
    Ok(())
}
