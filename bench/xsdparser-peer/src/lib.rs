#![allow(clippy::all, missing_docs, dead_code, unused)]
include!(concat!(env!("OUT_DIR"), "/peer.rs"));
