//! Runnable examples live in `examples/`: `cargo run -p cas-examples --example send_customs_shipment`.
