//! Property tests over the generated strategies (`cas-messages` feature
//! `proptest`): random valid messages are written, accepted by
//! `xmllint --schema`, read back equal and validate clean; random single
//! mutations of them get the same verdict from us as from xmllint.
//!
//! `cargo test` runs a bounded number of cases with a fixed seed; the long
//! run is `cargo xtask proptest [--cases N] [--seed S]` (the ignored tests
//! here, with `CAS_PROPTEST_CASES` / `CAS_PROPTEST_SEED`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use cas_messages::Message;
use cas_tests::mutate;
use xsd_runtime::strategy::proptest::prelude::Rng as _;
use xsd_runtime::strategy::proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use xsd_runtime::strategy::proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use xsd_runtime::strategy::{self, DropReason};

/// Messages per kind in `cargo test` (eight kinds).
const QUICK_CASES: usize = 12;
/// Mutated variants checked per message kind in `cargo test`.
const QUICK_MUTATIONS: usize = 40;
const DEFAULT_SEED: u64 = 0x05ee_dca5;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    // Rejected candidates are counted over the whole run, not per value;
    // the bound is finite, so a strategy rejecting everything fails, not hangs.
    let config = Config {
        max_local_rejects: 1_000_000,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// `n` values of each message kind (drawn from `Message::strategy()`, which
/// covers every kind), grouped by message name.
fn messages(per_kind: usize, seed: u64) -> BTreeMap<&'static str, Vec<Message>> {
    let strategy: BoxedStrategy<Message> = Message::strategy();
    let mut runner = runner(seed);
    strategy::record_dropped();
    let mut out: BTreeMap<&'static str, Vec<Message>> = BTreeMap::new();
    let kinds = cas_tests::manifest().messages.len();
    let mut draws = 0;
    while out.len() < kinds || out.values().any(|v| v.len() < per_kind) {
        draws += 1;
        assert!(
            draws < per_kind * kinds * 50,
            "the strategy does not reach every message kind: {:?}",
            out.keys()
        );
        let tree = strategy
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("strategy gave up: {e}"));
        let m = tree.current();
        let v = out.entry(m.element_name()).or_default();
        if v.len() < per_kind {
            v.push(m);
        }
    }
    if std::env::var_os("CAS_PROPTEST_SHOW").is_some() {
        println!("{draws} messages drawn; candidates rejected on the way:\n{runner}");
    }
    no_valid_document_was_dropped(strategy::take_dropped());
    out
}

/// The candidates the strategies dropped, held against xmllint: one that
/// xmllint accepts and our reader rejected is our bug, and so is one we
/// could not write or read back at all.
fn no_valid_document_was_dropped(dropped: Vec<strategy::Dropped>) {
    let mut by_root: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for d in dropped {
        match d.reason {
            DropReason::Rejected(_) => by_root.entry(d.root.1).or_default().push(d.xml),
            other => panic!(
                "{}: a generated value was dropped: {other:?}\n{}",
                d.root.1, d.xml
            ),
        }
    }
    let dir = temp_dir("dropped");
    for (root, docs) in &by_root {
        let verdicts = xmllint_all(&schema_of(root), &dir, docs);
        for (xml, valid) in docs.iter().zip(verdicts) {
            if valid {
                let ours = Message::from_xml(xml)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                panic!(
                    "{root}: xmllint accepts a generated document our reader rejected:\n{ours}\n{xml}"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn schema_of(message: &str) -> PathBuf {
    let m = cas_tests::manifest();
    let entry = m
        .messages
        .iter()
        .find(|e| e.name == message)
        .unwrap_or_else(|| panic!("{message} not in the manifest"));
    m.dir.join(&entry.schema)
}

/// A fresh directory of this call's own: property tests run in parallel in
/// one process, and each removes its directory when done.
fn temp_dir(what: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let pid = std::process::id();
    let dir = std::env::temp_dir().join(format!("cas-properties-{what}-{pid}-{n}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Writes each document to a file and asks xmllint about all of them at once.
fn xmllint_all(schema: &std::path::Path, dir: &std::path::Path, docs: &[String]) -> Vec<bool> {
    let files: Vec<PathBuf> = docs
        .iter()
        .enumerate()
        .map(|(i, xml)| {
            let p = dir.join(format!("{i}.xml"));
            std::fs::write(&p, xml).expect("temp file");
            p
        })
        .collect();
    mutate::xmllint_many(schema, &files)
}

fn valid_messages_round_trip(per_kind: usize, seed: u64) {
    let dir = temp_dir("valid");
    let mut failures = Vec::new();
    let mut total = 0;
    for (name, values) in messages(per_kind, seed) {
        let mut docs = Vec::new();
        for v in &values {
            let xml = v
                .to_xml()
                .unwrap_or_else(|e| panic!("{name}: not written: {e}"));
            if docs.is_empty() && std::env::var_os("CAS_PROPTEST_SHOW").is_some() {
                println!("{name}, a generated document:\n{xml}\n");
            }
            match Message::from_xml(&xml) {
                Ok(back) if back == *v => {}
                Ok(back) => failures.push(format!(
                    "{name}: reads back different:\n{xml}\n{v:?}\n{back:?}"
                )),
                Err(e) => failures.push(format!(
                    "{name}: written XML does not read back:\n{e}\n{xml}"
                )),
            }
            if let Err(e) = v.validate() {
                failures.push(format!("{name}: validate() reports:\n{e}\n{xml}"));
            }
            docs.push(xml);
        }
        for (ok, xml) in xmllint_all(&schema_of(name), &dir, &docs)
            .into_iter()
            .zip(&docs)
        {
            if !ok {
                failures.push(format!(
                    "{name}: xmllint rejects a generated document:\n{xml}"
                ));
            }
        }
        total += docs.len();
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(total >= per_kind * 8, "only {total} documents");
    assert!(
        failures.is_empty(),
        "seed {seed}: {} of {total} documents fail:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// A disagreement that is a documented difference: libxml2 rejects integers
/// of more than 24 digits, XSD does not (conformance/mutation-known-differences.txt).
fn known_difference(what: &str, xmllint_valid: bool, ours_valid: bool) -> bool {
    let long_integer = what.ends_with(&format!("{:?}", "0123456789".repeat(8)));
    long_integer && !xmllint_valid && ours_valid
}

fn mutations_agree(per_kind: usize, seed: u64) {
    let dir = temp_dir("mutations");
    let docs_per_kind = (per_kind / 8).max(2);
    let mut rng = runner(seed ^ 0x6d75_7461_7465);
    let mut disagreements = Vec::new();
    let mut total = 0;
    let mut invalid = 0;
    for (name, values) in messages(docs_per_kind, seed) {
        let mut variants: Vec<(String, mutate::Variant)> = Vec::new();
        for v in &values {
            let xml = v.to_xml().expect("written");
            let all = mutate::mutations(&xml);
            if all.is_empty() {
                continue;
            }
            // A random sample of this document's single mutations.
            let take = per_kind.div_ceil(values.len());
            for _ in 0..take {
                let k = (rng.rng().next_u64() % all.len() as u64) as usize;
                variants.push((xml.clone(), all[k].clone()));
            }
        }
        let texts: Vec<String> = variants.iter().map(|(_, v)| v.xml.clone()).collect();
        let theirs = xmllint_all(&schema_of(name), &dir, &texts);
        for ((original, v), xmllint_valid) in variants.iter().zip(theirs) {
            let ours = Message::from_xml(&v.xml);
            invalid += usize::from(!xmllint_valid);
            if ours.is_ok() != xmllint_valid
                && !known_difference(&v.what, xmllint_valid, ours.is_ok())
            {
                let ours = match ours {
                    Ok(_) => "valid".to_owned(),
                    Err(e) => format!("invalid: {e}"),
                };
                disagreements.push(format!(
                    "{name}: {} -- xmllint: {}, ours: {ours}\noriginal:\n{original}",
                    v.what,
                    if xmllint_valid { "valid" } else { "invalid" }
                ));
            }
        }
        total += variants.len();
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(total >= per_kind * 8, "only {total} variants");
    // Most single mutations break something: the sample is not trivially valid.
    assert!(
        invalid * 2 > total,
        "only {invalid} of {total} variants are invalid"
    );
    assert!(
        disagreements.is_empty(),
        "seed {seed}: {} of {total} mutations disagree with xmllint:\n{}",
        disagreements.len(),
        disagreements.join("\n\n")
    );
}

#[test]
fn random_valid_messages_round_trip_and_satisfy_xmllint() {
    valid_messages_round_trip(QUICK_CASES, DEFAULT_SEED);
}

#[test]
fn random_mutations_get_xmllints_verdict() {
    mutations_agree(QUICK_MUTATIONS, DEFAULT_SEED);
}

/// The long run (`cargo xtask proptest`): `CAS_PROPTEST_CASES` messages
/// per kind and as many mutations, from `CAS_PROPTEST_SEED`.
#[test]
#[ignore = "long run: cargo xtask proptest"]
fn long_run() {
    let cases = env_or("CAS_PROPTEST_CASES", 1000) as usize;
    let seed = env_or("CAS_PROPTEST_SEED", DEFAULT_SEED);
    println!("proptest: {cases} messages and {cases} mutations per kind, seed {seed}");
    valid_messages_round_trip(cases, seed);
    mutations_agree(cases, seed);
}
