//! Receives CAS webhook events on 127.0.0.1, records them durably and
//! correlates them with sent messages.
//!
//! ```sh
//! cargo run -p cas-examples --example webhook_receiver -- 8080 events.jsonl
//! ```
//!
//! CAS does not sign its deliveries, so none of the checks is on by
//! default; set `CAS_WEBHOOK_TOKEN` to require `?token=<value>` on the URL
//! (put the same URL in the subscription). Any web framework works the
//! same way: hand the query string, the headers and the raw body to
//! `Receiver::receive` and answer the status it gives; it answers `2xx`
//! only once the event is in the log.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use cas_api::webhook::{Correlator, Delivery, EventLog, Received, Receiver, ReceiverConfig};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

struct State {
    receiver: Receiver<EventLog>,
    correlator: Mutex<Correlator>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let log = PathBuf::from(args.next().unwrap_or_else(|| "events.jsonl".into()));
    let config = ReceiverConfig {
        url_token: std::env::var("CAS_WEBHOOK_TOKEN").ok(),
        ..ReceiverConfig::default()
    };
    let state = Arc::new(State {
        receiver: Receiver::new(config, EventLog::open(&log)?),
        correlator: Mutex::new(Correlator::new()),
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let state = Arc::clone(&state);
                async move { Ok::<_, Infallible>(handle(req, &state).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(req: Request<Incoming>, state: &State) -> Response<Full<Bytes>> {
    let query = req.uri().query().map(str::to_owned);
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let limit = state.receiver.max_body();
    let Ok(body) = Limited::new(req.into_body(), limit).collect().await else {
        return reply(413);
    };
    let body = body.to_bytes();
    let delivery = Delivery {
        query: query.as_deref(),
        headers: &headers,
        body: &body,
    };
    let received = state.receiver.receive(&delivery);
    let status = received.status();
    match received {
        Received::Recorded(event) => {
            println!(
                "{} {:?} {}: references {:?}, shipment {:?}",
                event.event_type,
                event.sub_type(),
                event.id,
                event.ingestion_references(),
                event.shipment_reference()
            );
            if let Ok(mut c) = state.correlator.lock() {
                c.observe(&event);
            }
        }
        Received::Duplicate(_) => {}
        // Never log the request target: it may carry the token.
        Received::Refused(e) => eprintln!("refused a delivery: {e}"),
    }
    reply(status)
}

fn reply(status: u16) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    r
}
