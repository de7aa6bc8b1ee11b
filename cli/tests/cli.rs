//! The `cas` binary, run as a user would: against the example documents,
//! and against `cas sandbox` processes on 127.0.0.1 (killed and restarted
//! mid-load), with `cas events listen` recording CAS's events.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use assert_cmd::prelude::*;
use predicates::prelude::*;
use serde_json::Value;

const CAS: &str = env!("CARGO_BIN_EXE_cas");
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const DEADLINE: Duration = Duration::from_secs(60);

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/examples")
}

fn example(rel: &str) -> String {
    std::fs::read_to_string(examples().join(rel)).expect("example")
}

/// A fresh directory under the system temp dir.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cas-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// A running `cas` process whose stdout lines arrive on a channel; killed when dropped.
struct Proc {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Proc {
    fn spawn(args: &[&str], envs: &[(&str, &str)]) -> Proc {
        Self::spawn_with(args, envs, Stdio::null())
    }

    /// Like `spawn`, with stderr written to `stderr`.
    fn spawn_logging(args: &[&str], envs: &[(&str, &str)], stderr: &Path) -> Proc {
        let file = std::fs::File::create(stderr).expect("stderr file");
        Self::spawn_with(args, envs, Stdio::from(file))
    }

    fn spawn_with(args: &[&str], envs: &[(&str, &str)], stderr: Stdio) -> Proc {
        let mut cmd = Command::new(CAS);
        cmd.args(args).stdout(Stdio::piped()).stderr(stderr);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn cas");
        let stdout: ChildStdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Proc { child, lines }
    }

    /// The next line, waiting at most until the deadline.
    fn line(&self) -> String {
        self.lines
            .recv_timeout(DEADLINE)
            .expect("a line from cas in time")
    }

    /// Reads lines until one satisfies `f`; the lines read.
    fn until(&self, mut f: impl FnMut(&str) -> bool) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let l = self.line();
            let done = f(&l);
            seen.push(l);
            if done {
                return seen;
            }
        }
    }

    /// The base URL from the first line, `listening on http://127.0.0.1:PORT`.
    fn listening(&self) -> String {
        let first = self.line();
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        url.to_owned()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the exit (with a deadline); whether it succeeded.
    fn wait(&mut self) -> bool {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.success();
            }
            assert!(start.elapsed() < DEADLINE, "cas did not finish in time");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

fn sandbox(db: &Path, port: &str, extra: &[&str]) -> (Proc, String) {
    let mut args = vec![
        "sandbox",
        "--port",
        port,
        "--db",
        db.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(extra);
    let p = Proc::spawn(&args, &[("CAS_WEBHOOK_SECRET", SECRET)]);
    let url = p.listening();
    (p, url)
}

fn get_json(url: &str) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        reqwest::get(url)
            .await
            .expect("GET")
            .json::<Value>()
            .await
            .expect("JSON")
    })
}

fn history(base: &str) -> Vec<Value> {
    get_json(&format!("{base}/ingestions"))
        .as_array()
        .expect("array")
        .clone()
}

fn log_lines(log: &Path) -> Vec<Value> {
    String::from_utf8_lossy(&std::fs::read(log).unwrap_or_default())
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// `n` copies of a valid Formula (no business rule applies to it).
fn load_dir(name: &str, n: usize) -> PathBuf {
    let dir = scratch(name).join("messages");
    std::fs::create_dir_all(&dir).expect("dir");
    let formula = example("Formula/valid/typical.xml");
    for i in 0..n {
        std::fs::write(dir.join(format!("formula-{i:03}.xml")), &formula).expect("write");
    }
    dir
}

fn send_args<'a>(dir: &'a str, base: &'a str, log: &'a str) -> Vec<&'a str> {
    vec![
        "send",
        dir,
        "--base-url",
        base,
        "--log",
        log,
        "--concurrency",
        "4",
        "--max-attempts",
        "8",
    ]
}

/// Every file has exactly one accepted line, every accepted key was
/// ingested exactly once, and nothing else was.
fn assert_exactly_once(dir: &Path, log: &Path, base: &str, n: usize) {
    let lines = log_lines(log);
    let mut accepted: HashMap<String, u32> = HashMap::new();
    let mut keys = HashSet::new();
    for l in &lines {
        if l["status"] == "accepted" {
            *accepted
                .entry(l["file"].as_str().expect("file").to_owned())
                .or_default() += 1;
            keys.insert(l["idempotencyKey"].as_str().expect("key").to_owned());
        }
    }
    assert_eq!(accepted.len(), n, "files with an accepted line");
    assert!(
        accepted.values().all(|&c| c == 1),
        "a file accepted twice: {accepted:?}"
    );
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = std::fs::canonicalize(entry.expect("entry").path()).expect("canonical");
        assert!(
            accepted.contains_key(&path.display().to_string()),
            "{} lost",
            path.display()
        );
    }
    let ingested = history(base);
    assert_eq!(ingested.len(), n, "ingestions on the server");
    let server_keys: HashSet<String> = ingested
        .iter()
        .map(|r| r["idempotencyKey"].as_str().expect("key").to_owned())
        .collect();
    assert_eq!(server_keys, keys, "the log's keys are the server's");
}

#[test]
fn validate_reports_the_recorded_error_of_every_example() {
    #[derive(serde::Deserialize)]
    struct Manifest {
        invalid: Vec<Invalid>,
    }
    #[derive(serde::Deserialize)]
    struct Invalid {
        file: String,
        constraint: String,
        path: String,
    }
    let manifest: Manifest = toml::from_str(
        &std::fs::read_to_string(examples().join("manifest.toml")).expect("manifest"),
    )
    .expect("toml");
    let out = Command::new(CAS)
        .args(["validate", "--format", "json"])
        .arg(examples())
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "invalid files make the exit code 1"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    let files = doc["files"].as_array().expect("files");
    let by_name: HashMap<String, &Value> = files
        .iter()
        .map(|f| {
            let p = Path::new(f["file"].as_str().expect("file"));
            let rel = p.strip_prefix(examples()).expect("under examples");
            (rel.display().to_string(), f)
        })
        .collect();
    let expected_invalid: HashSet<&str> =
        manifest.invalid.iter().map(|i| i.file.as_str()).collect();
    for (name, f) in &by_name {
        let valid = f["valid"].as_bool().expect("valid");
        assert_eq!(
            !valid,
            expected_invalid.contains(name.as_str()),
            "{name}: {f}"
        );
        if valid {
            assert!(f["errors"].as_array().expect("errors").is_empty());
        }
    }
    assert_eq!(doc["invalid"], expected_invalid.len());
    assert_eq!(doc["checked"], by_name.len());
    for inv in &manifest.invalid {
        let f = by_name
            .get(&inv.file)
            .unwrap_or_else(|| panic!("{} not reported", inv.file));
        let message = inv.file.split('/').next().expect("dir");
        assert_eq!(
            f["messageType"], message,
            "{}: message type from the root",
            inv.file
        );
        let errors = f["errors"].as_array().expect("errors");
        let hit = errors
            .iter()
            .find(|e| e["constraint"] == inv.constraint.as_str() && e["path"] == inv.path.as_str());
        let hit = hit.unwrap_or_else(|| {
            panic!(
                "{}: expected {} at {}, got {errors:?}",
                inv.file, inv.constraint, inv.path
            )
        });
        assert!(
            hit["line"].as_u64().is_some_and(|l| l > 0),
            "{}: line {hit}",
            inv.file
        );
        assert!(
            hit["column"].as_u64().is_some_and(|c| c > 0),
            "{}: column {hit}",
            inv.file
        );
    }
}

#[test]
fn validate_prints_file_line_column_and_path() {
    let file = examples().join("ArticleDataItem/invalid/cn-code-pattern.xml");
    let shown = file.display().to_string();
    let out = Command::new(CAS)
        .arg("validate")
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    // The CN code of the second article has seven digits.
    let doc = std::fs::read_to_string(&file).expect("read");
    let line = doc
        .lines()
        .position(|l| l.contains("<CnCode>") && !l.contains("<CnCode>8413"))
        .map(|i| i + 1);
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with(&shown)).collect();
    assert_eq!(errors.len(), 1, "{text}");
    let prefix = format!("{shown}:{}:", line.expect("the bad CnCode line"));
    assert!(
        errors[0].starts_with(&prefix),
        "{} does not start with {prefix}",
        errors[0]
    );
    assert!(
        errors[0].contains(" /ArticleDataItem/Article[2]/Classification/CnCode: ")
            && errors[0].ends_with("[pattern]"),
        "{}",
        errors[0]
    );
    assert!(
        text.ends_with("1 file(s) checked: 0 valid, 1 invalid\n"),
        "{text}"
    );

    Command::new(CAS)
        .arg("validate")
        .arg(examples().join("Formula/valid"))
        .assert()
        .success()
        .stdout("3 file(s) checked: 3 valid, 0 invalid\n");
    Command::new(CAS)
        .args(["validate", "/nonexistent/cas-file.xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/cas-file.xml"));
}

#[test]
fn an_interrupted_send_resumes_without_loss_or_duplicate() {
    const N: usize = 40;
    let dir = load_dir("resume", N);
    let work = dir.parent().expect("parent").to_owned();
    let log = work.join("results.jsonl");
    // A slow API, so that the kill lands mid-load.
    let (_sandbox, base) = sandbox(&work.join("sandbox.db"), "0", &["--answer-delay-ms", "40"]);
    let (d, l) = (dir.to_str().expect("utf-8"), log.to_str().expect("utf-8"));

    let mut first = Proc::spawn(&send_args(d, &base, l), &[]);
    let mut accepted = 0;
    first.until(|l| {
        accepted += usize::from(l.starts_with("accepted "));
        accepted == 10
    });
    first.kill();
    let before = log_lines(&log)
        .iter()
        .filter(|l| l["status"] == "accepted")
        .count();
    assert!(
        (10..N).contains(&before),
        "killed mid-load: {before} accepted"
    );

    let out = Command::new(CAS)
        .args(send_args(d, &base, l))
        .output()
        .expect("resume");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let skipped = text.lines().filter(|l| l.starts_with("skipped ")).count();
    assert_eq!(
        skipped, before,
        "files accepted in the first run are skipped"
    );
    assert_exactly_once(&dir, &log, &base, N);

    // A third run has nothing left to do.
    Command::new(CAS)
        .args(send_args(d, &base, l))
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "done: 0 accepted, {N} skipped"
        )));
}

#[test]
fn a_torn_log_resumes_and_a_log_in_use_is_refused() {
    use std::io::Write;
    const N: usize = 6;
    let dir = load_dir("torn", N);
    let work = dir.parent().expect("parent").to_owned();
    let log = work.join("results.jsonl");
    let (_sandbox, base) = sandbox(&work.join("sandbox.db"), "0", &[]);
    let (d, l) = (dir.to_str().expect("utf-8"), log.to_str().expect("utf-8"));
    Command::new(CAS)
        .args(send_args(d, &base, l))
        .assert()
        .success();

    // A killed run's last line, cut inside a multi-byte character: the log
    // is no longer UTF-8, and resuming must still read every whole line.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("log");
    f.write_all(b"{\"file\":\"/tmp/caf\xc3").expect("torn line");
    drop(f);
    Command::new(CAS)
        .args(send_args(d, &base, l))
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "done: 0 accepted, {N} skipped"
        )));
    assert_exactly_once(&dir, &log, &base, N);

    // While another `cas send` holds the log, a second one is refused and
    // sends nothing (both would otherwise send every file not yet logged).
    std::fs::write(dir.join("late.xml"), example("Formula/valid/typical.xml")).expect("write");
    let held = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("log");
    held.lock().expect("lock");
    Command::new(CAS)
        .args(send_args(d, &base, l))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("in use by another `cas send`"));
    assert_eq!(
        history(&base).len(),
        N,
        "nothing sent while the log was in use"
    );
    drop(held);
    Command::new(CAS)
        .args(send_args(d, &base, l))
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "done: 1 accepted, {N} skipped"
        )));
}

#[test]
fn a_sandbox_restarted_mid_load_loses_nothing() {
    const N: usize = 40;
    let dir = load_dir("restart", N);
    let work = dir.parent().expect("parent").to_owned();
    let log = work.join("results.jsonl");
    let db = work.join("sandbox.db");
    let (mut sb, base) = sandbox(
        &db,
        "0",
        &["--answer-delay-ms", "40", "--processing-delay-ms", "300"],
    );
    let port = base.rsplit(':').next().expect("port").to_owned();
    let (d, l) = (dir.to_str().expect("utf-8"), log.to_str().expect("utf-8"));

    let mut send = Proc::spawn(&send_args(d, &base, l), &[]);
    let mut accepted = Vec::new();
    send.until(|l| {
        if let Some(rest) = l.strip_prefix("accepted ") {
            accepted.push(rest.rsplit(' ').next().expect("id").to_owned());
        }
        accepted.len() == 10
    });
    sb.kill();
    let (_sb2, base2) = sandbox(
        &db,
        &port,
        &["--answer-delay-ms", "40", "--processing-delay-ms", "300"],
    );
    assert_eq!(base2, base, "restarted on the same port");
    // The ingestions answered before the kill are all still known.
    let known: HashSet<String> = history(&base)
        .iter()
        .map(|r| r["referenceId"].as_str().expect("id").to_owned())
        .collect();
    for id in &accepted {
        assert!(known.contains(id), "{id} lost in the restart");
        let one = get_json(&format!("{base}/ingestions/{id}"));
        assert_eq!(one["referenceId"], id.as_str());
    }
    // The running send retries through the restart; whatever it could not
    // finish, a re-run does.
    if !send.wait() {
        Command::new(CAS)
            .args(send_args(d, &base, l))
            .assert()
            .success();
    }
    assert_exactly_once(&dir, &log, &base, N);
    // Processing that the kill interrupted is done after the restart.
    let start = Instant::now();
    while history(&base).iter().any(|r| r["status"] == "processing") {
        assert!(
            start.elapsed() < DEADLINE,
            "unfinished processing not resumed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(history(&base).iter().all(|r| r["status"] == "succeeded"));
}

/// The shipment examples, as files: `known` (minimal: its article and
/// declarant are in the master data sent first) and `unknown` (typical:
/// commodity codes of no article sent), plus the master data.
struct Shipments {
    msgs: PathBuf,
    known: PathBuf,
    unknown: PathBuf,
}

fn shipments(work: &Path) -> Shipments {
    let msgs = work.join("messages");
    std::fs::create_dir_all(&msgs).expect("dir");
    let partners =
        example("BusinessPartners/valid/typical.xml").replace("CHE123456789", "DE123456789012345");
    std::fs::write(msgs.join("partners.xml"), partners).expect("write");
    std::fs::copy(
        examples().join("ArticleDataItem/valid/typical.xml"),
        msgs.join("articles.xml"),
    )
    .expect("copy");
    let known = msgs.join("shipment-known.xml");
    let unknown = msgs.join("shipment-unknown.xml");
    std::fs::copy(examples().join("CustomsShipment/valid/minimal.xml"), &known).expect("copy");
    std::fs::copy(
        examples().join("CustomsShipment/valid/typical.xml"),
        &unknown,
    )
    .expect("copy");
    Shipments {
        msgs,
        known,
        unknown,
    }
}

fn send_file(base: &str, log: &Path, file: &Path) {
    Command::new(CAS)
        .arg("send")
        .arg(file)
        .args(["--base-url", base, "--log"])
        .arg(log)
        .assert()
        .success();
}

fn wait_processed(base: &str) {
    let start = Instant::now();
    while history(base).iter().any(|r| r["status"] == "processing") {
        assert!(start.elapsed() < DEADLINE, "not processed in time");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn abs(p: &Path) -> String {
    std::path::absolute(p).expect("abs").display().to_string()
}

#[test]
fn listen_ties_cas_events_to_files_by_reference_id_and_external_reference() {
    let work = scratch("events");
    let log = work.join("results.jsonl");
    let events = work.join("events.jsonl");
    let s = shipments(&work);
    let mut listen = Proc::spawn(
        &[
            "events",
            "listen",
            "--port",
            "0",
            "--exit-after",
            "4",
            "--log",
            log.to_str().expect("utf-8"),
            "--events",
            events.to_str().expect("utf-8"),
        ],
        &[],
    );
    let hook = format!("{}/hook", listen.listening());
    let (_sb, base) = sandbox(
        &work.join("sandbox.db"),
        "0",
        &[
            "--webhook-url",
            &hook,
            "--processing-delay-ms",
            "10",
            "--status-step-ms",
            "50",
        ],
    );
    send_file(&base, &log, &s.msgs.join("partners.xml"));
    send_file(&base, &log, &s.msgs.join("articles.xml"));
    // The shipments are checked against master data whose processing is done.
    wait_processed(&base);
    send_file(&base, &log, &s.known);
    send_file(&base, &log, &s.unknown);
    let lines: Vec<String> = (0..4).map(|_| listen.line()).collect();
    assert!(listen.wait(), "listen exits after 4 events");
    let text = lines.join("\n");
    assert!(lines.iter().all(|l| l.starts_with("event ")), "{text}");

    // The refusal, tied by referenceId to the file.
    let refused: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("CustomsShipmentInformation/CreationUnsuccessful"))
        .collect();
    assert_eq!(refused.len(), 1, "{text}");
    assert!(
        refused[0].contains(&format!("[{}]", abs(&s.unknown))),
        "{text}"
    );
    assert!(
        refused[0].contains("SHP-2024-0002 OUT referenceId "),
        "{text}"
    );
    assert_eq!(
        refused[0].matches("COMMODITY_CODE_UNKNOWN").count(),
        2,
        "{text}"
    );
    assert!(
        refused[0].contains("/CustomsShipment/GoodsItem[2]/CommodityCode"),
        "{text}"
    );

    // The declaration's statuses, tied by external reference to the file.
    let statuses: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("DeclarationStatusChanged/"))
        .collect();
    assert_eq!(statuses.len(), 3, "{text}");
    for (line, status) in statuses.iter().zip(["InProgress", "Accepted", "Released"]) {
        assert!(line.contains("SHP-2024-0001 declaration decl-"), "{text}");
        assert!(line.contains(&format!(" {status}")), "{text}");
        assert!(line.ends_with(&format!("[{}]", abs(&s.known))), "{text}");
    }
    assert!(statuses[1].contains("(MRN "), "{text}");

    // Recorded: one line per event.
    let recorded = log_lines(&events);
    assert_eq!(recorded.len(), 4);

    // `cas events status`: per file, its outcome, its declarations, or pending.
    let out = Command::new(CAS)
        .args([
            "events",
            "status",
            "--format",
            "json",
            "--pending-after",
            "0",
            "--log",
        ])
        .arg(&log)
        .arg("--events")
        .arg(&events)
        .output()
        .expect("status");
    // The master data never gets an outcome event (CAS documents none): pending.
    assert_eq!(out.status.code(), Some(1));
    let rows: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let row = |file: &Path| {
        rows.iter()
            .find(|r| r["file"] == abs(file).as_str())
            .unwrap_or_else(|| panic!("{rows:?}"))
    };
    assert_eq!(row(&s.known)["state"], "progressing");
    assert_eq!(row(&s.known)["externalReference"], "SHP-2024-0001");
    assert_eq!(
        row(&s.known)["declarations"][0]["statuses"],
        serde_json::json!(["InProgress", "Accepted", "Released"])
    );
    let refused = row(&s.unknown)["state"].as_str().expect("state");
    assert!(
        refused.starts_with("CreationUnsuccessful: COMMODITY_CODE_UNKNOWN"),
        "{refused}"
    );
    assert_eq!(row(&s.msgs.join("partners.xml"))["state"], "pending");

    // The history shows the outcomes too.
    let records = history(&base);
    assert_eq!(records.len(), 4);
    assert_eq!(
        records.iter().filter(|r| r["status"] == "failed").count(),
        1
    );
}

/// `n` CustomsShipments with distinct external references.
fn shipment_dir(work: &Path, name: &str, n: usize) -> PathBuf {
    let dir = work.join(name);
    std::fs::create_dir_all(&dir).expect("dir");
    let xml = example("CustomsShipment/valid/minimal.xml");
    for i in 0..n {
        let x = xml.replace("SHP-2024-0001", &format!("SHP-LOAD-{i:03}"));
        std::fs::write(dir.join(format!("shipment-{i:03}.xml")), x).expect("write");
    }
    dir
}

#[test]
fn listen_killed_mid_stream_and_restarted_records_every_event_exactly_once() {
    let work = scratch("listen-restart");
    let log = work.join("results.jsonl");
    let events = work.join("events.jsonl");
    let listen_args = |port: &str| -> Vec<String> {
        [
            "events",
            "listen",
            "--port",
            port,
            "--log",
            log.to_str().expect("utf-8"),
            "--events",
            events.to_str().expect("utf-8"),
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let args = listen_args("0");
    let mut listen = Proc::spawn(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let url = listen.listening();
    let port = url.rsplit(':').next().expect("port").to_owned();
    // No master data: every shipment is refused (1 event each) ...
    let n = 8;
    let dir = shipment_dir(&work, "shipments", n);
    // The same shipments in other files (other idempotency keys).
    let again = shipment_dir(&work, "shipments-again", n);
    let (_sb, base) = sandbox(
        &work.join("sandbox.db"),
        "0",
        &[
            "--webhook-url",
            &format!("{url}/hook"),
            "--processing-delay-ms",
            "5",
            "--redelivery-scale",
            "0.005",
        ],
    );
    Command::new(CAS)
        .args([
            "send",
            dir.to_str().expect("utf-8"),
            "--base-url",
            &base,
            "--log",
        ])
        .arg(&log)
        .assert()
        .success();
    // Killed after the first event, while the sandbox keeps delivering.
    listen.until(|l| l.starts_with("event "));
    listen.kill();
    // ... and sent again, each a second New: refused again (16 events in all),
    // produced while no one listens.
    Command::new(CAS)
        .args([
            "send",
            again.to_str().expect("utf-8"),
            "--base-url",
            &base,
            "--log",
        ])
        .arg(&log)
        .assert()
        .success();
    let recorded_at_kill = log_lines(&events).len();
    let args = listen_args(&port);
    let stderr = work.join("listen-again.stderr");
    let _again = Proc::spawn_logging(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        &[],
        &stderr,
    );
    let start = Instant::now();
    loop {
        let lines = log_lines(&events);
        let ids: HashSet<String> = lines
            .iter()
            .map(|l| l["id"].as_str().expect("id").to_owned())
            .collect();
        assert_eq!(ids.len(), lines.len(), "an event recorded twice");
        if lines.len() == 2 * n {
            break;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{} of {} events recorded ({recorded_at_kill} at the kill); listener: {}; history: {:?}",
            lines.len(),
            2 * n,
            std::fs::read_to_string(&stderr).unwrap_or_default(),
            history(&base)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        recorded_at_kill < 2 * n,
        "the kill came too late to test anything"
    );
    // Nothing more arrives: the sandbox got a 2xx for each.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(log_lines(&events).len(), 2 * n);
}

#[test]
fn a_url_token_refuses_deliveries_without_it_and_logs_the_refusal() {
    let work = scratch("token");
    let log = work.join("results.jsonl");
    let events = work.join("events.jsonl");
    let stderr = work.join("listen.stderr");
    let mut listen = Proc::spawn_logging(
        &[
            "events",
            "listen",
            "--port",
            "0",
            "--exit-after",
            "1",
            "--log",
            log.to_str().expect("utf-8"),
            "--events",
            events.to_str().expect("utf-8"),
        ],
        &[("CAS_WEBHOOK_TOKEN", "s3cret-t0ken")],
        &stderr,
    );
    let url = listen.listening();
    let s = shipments(&work);
    {
        let (_sb, base) = sandbox(
            &work.join("sandbox.db"),
            "0",
            &[
                "--webhook-url",
                &format!("{url}/hook"),
                "--processing-delay-ms",
                "5",
            ],
        );
        send_file(&base, &log, &s.unknown);
        let start = Instant::now();
        while !std::fs::read_to_string(&stderr)
            .unwrap_or_default()
            .contains("refused a delivery (401)")
        {
            assert!(start.elapsed() < DEADLINE, "no refusal logged");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    assert!(log_lines(&events).is_empty());
    let logged = std::fs::read_to_string(&stderr).expect("stderr");
    assert!(logged.contains("URL token is missing or wrong"), "{logged}");
    assert!(!logged.contains("s3cret"), "{logged}");

    // Subscribed with the token: accepted.
    let (_sb, base) = sandbox(
        &work.join("sandbox2.db"),
        "0",
        &[
            "--webhook-url",
            &format!("{url}/hook?token=s3cret-t0ken"),
            "--processing-delay-ms",
            "5",
        ],
    );
    send_file(&base, &work.join("results2.jsonl"), &s.unknown);
    assert!(listen.wait(), "listen records the event and exits");
    assert_eq!(log_lines(&events).len(), 1);
}

#[test]
fn events_verify_checks_a_saved_event() {
    use cas_api::webhook::{Secret, sign};
    let work = scratch("verify");
    let body = br#"{"id":"evt_1","tenantId":"t","plantId":"p","eventTime":"2026-11-24T10:00:00.1234567Z","eventType":"CustomsShipmentInformation","eventSubType":"CreationUnsuccessful","data":{"ingestionReferences":["5f0c6a1e-2f4b-4c8e-9a57-0d1f4b3c2a10"],"businessReference":"SHP-1","direction":"OUT","errorDescriptions":["duplicate"]}}"#;
    let file = work.join("event.json");
    std::fs::write(&file, body).expect("write");
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs();
    let sig = sign(
        &Secret::parse(SECRET).expect("secret"),
        "msg_1",
        ts as i64,
        body,
    );
    let ts = ts.to_string();
    let verify = |sig: &str| {
        let mut c = Command::new(CAS);
        c.args([
            "events",
            "verify",
            file.to_str().expect("utf-8"),
            "--id",
            "msg_1",
            "--timestamp",
            &ts,
            "--signature",
            sig,
        ])
        .env("CAS_WEBHOOK_SECRET", SECRET);
        c
    };
    verify(&sig)
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "verified CustomsShipmentInformation evt_1 SHP-1 OUT referenceId 5f0c6a1e-",
        ));
    let forged = format!("v1,{}", "A".repeat(44));
    verify(&forged)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("NOT verified"));
    // Without a secret the command cannot check anything.
    Command::new(CAS)
        .args([
            "events",
            "verify",
            file.to_str().expect("utf-8"),
            "--id",
            "x",
            "--timestamp",
            &ts,
            "--signature",
            &sig,
        ])
        .env_remove("CAS_WEBHOOK_SECRET")
        .assert()
        .code(2);
}

#[test]
fn the_api_key_comes_from_the_environment_or_a_file_never_a_flag() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt
        .block_on(cas_sandbox::TestServer::start())
        .expect("server");
    let work = scratch("credentials");
    let msg = work.join("formula.xml");
    std::fs::write(&msg, example("Formula/valid/typical.xml")).expect("write");
    let key_file = work.join("key");
    std::fs::write(&key_file, "from-the-file\n").expect("write");
    let log = work.join("results.jsonl");
    let send = || {
        let mut c = Command::new(CAS);
        c.arg("send")
            .arg(&msg)
            .args(["--base-url", &server.base_url(), "--log"])
            .arg(&log)
            .env_remove("CAS_API_KEY");
        c
    };
    send().env("CAS_API_KEY", "from-the-env").assert().success();
    let _ = std::fs::remove_file(&log);
    send()
        .arg("--api-key-file")
        .arg(&key_file)
        .assert()
        .success();
    let keys: Vec<Option<String>> = server
        .request_log()
        .into_iter()
        .map(|r| r.api_key)
        .collect();
    assert_eq!(
        keys,
        [
            Some("from-the-env".to_owned()),
            Some("from-the-file".to_owned())
        ]
    );
    send()
        .args(["--api-key", "secret"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--api-key"));
    assert_eq!(
        server.requests(),
        2,
        "nothing sent with a key given as a flag"
    );
}
