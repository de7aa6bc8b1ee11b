//! Receives CAS webhook events on 127.0.0.1, verifies their signatures
//! (Standard Webhooks) and correlates them with sent messages.
//!
//! ```sh
//! CAS_WEBHOOK_SECRET=whsec_... cargo run -p cas-examples --example webhook_receiver -- 8080
//! ```
//!
//! Any web framework works the same way: hand the three `webhook-*`
//! headers and the raw body to `Verifier::verify`, answer 2xx only for
//! events that verified.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use cas_api::webhook::{Correlator, Verifier, WebhookEvent};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // No default: a receiver with a known secret would accept forged events.
    let Ok(secret) = std::env::var("CAS_WEBHOOK_SECRET") else {
        eprintln!("set CAS_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)");
        std::process::exit(2);
    };
    let verifier = Arc::new(Verifier::new(&secret)?);
    let correlator = Arc::new(Mutex::new(Correlator::new()));
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let (verifier, correlator) = (verifier.clone(), correlator.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let (verifier, correlator) = (verifier.clone(), correlator.clone());
                async move { Ok::<_, Infallible>(handle(req, &verifier, &correlator).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    req: Request<Incoming>,
    verifier: &Verifier,
    correlator: &Mutex<Correlator>,
) -> Response<Full<Bytes>> {
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return reply(StatusCode::BAD_REQUEST, "unreadable body"),
    };
    let event: WebhookEvent = match verifier.verify(&headers, &body) {
        Ok(e) => e,
        // Forged, altered or replayed: refuse, and do not act on it.
        Err(e) => return reply(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    println!(
        "{} {}: {:?}",
        event.event_type(),
        event.event_id,
        event.payload.ingestion_references()
    );
    if let Ok(mut c) = correlator.lock() {
        c.observe(&event);
    }
    reply(StatusCode::NO_CONTENT, "")
}

fn reply(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(text.to_owned())));
    *r.status_mut() = status;
    r
}
