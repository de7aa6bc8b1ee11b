//! `cas send --env`, `cas whoami` and `cas declarations` with OAuth client
//! credentials, against the sandbox (in this process, 127.0.0.1) with
//! authentication on.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use assert_cmd::prelude::*;
use cas_sandbox::{AuthConfig, OAuthClient, ServerConfig, TestServer};
use serde_json::Value;

const CAS: &str = env!("CARGO_BIN_EXE_cas");
const CLIENT: &str = "cli-client";
const SECRET: &str = "cli-secret-never-printed";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cas-cli-oauth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn copy_example(dir: &Path, kind: &str, file: &str) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../schemas/examples")
        .join(kind)
        .join("valid")
        .join(file);
    std::fs::copy(from, dir.join(format!("{kind}-{file}"))).expect("copy example");
}

fn start(rt: &tokio::runtime::Runtime) -> TestServer {
    let mut config = ServerConfig::local();
    config.processing_delay = Duration::ZERO;
    config.auth = Some(AuthConfig::new(vec![OAuthClient::new(CLIENT, SECRET)]));
    rt.block_on(TestServer::start_with(config))
        .expect("sandbox")
}

/// `cas ARGS --env URL` with the client id and secret in the environment.
fn cas(server: &TestServer, args: &[&str]) -> Command {
    let mut c = Command::new(CAS);
    c.args(args)
        .args(["--env", &server.base_url()])
        .env("CAS_CLIENT_ID", CLIENT)
        .env("CAS_CLIENT_SECRET", SECRET)
        .env_remove("CAS_API_KEY")
        .env_remove("CAS_ENV");
    c
}

fn run(mut c: Command) -> (i32, String, String) {
    let out = c.output().expect("run cas");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn send_whoami_and_declarations_with_client_credentials() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = start(&rt);
    let work = scratch("e2e");
    let inbox = work.join("messages");
    std::fs::create_dir_all(&inbox).expect("dir");
    copy_example(&inbox, "CustomsShipment", "minimal.xml");
    copy_example(&inbox, "Formula", "typical.xml");
    copy_example(&inbox, "MovementOrder", "minimal.xml");
    let log = work.join("results.jsonl");

    let mut send = cas(&server, &["-v", "send"]);
    send.arg(&inbox).arg("--log").arg(&log);
    let (code, stdout, stderr) = run(send);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("done: 3 accepted"), "{stdout}");
    // -v: the token fetch and each attempt, never the secret or the token.
    assert!(stderr.contains("access token fetched"), "{stderr}");
    assert_eq!(stderr.matches("accepted").count(), 3, "{stderr}");
    assert!(stderr.contains("idempotency_key="), "{stderr}");
    assert!(!stderr.contains(SECRET) && !stdout.contains(SECRET));
    assert!(!stderr.contains("sbx_"), "a token was logged: {stderr}");
    assert_eq!(server.tokens_issued(), 1);
    assert_eq!(server.total_ingestions(), 3);
    let paths: Vec<String> = server
        .request_log()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/v1/"))
        .map(|r| r.path)
        .collect();
    assert!(
        paths.contains(&"/v1/movementorders".to_owned()),
        "{paths:?}"
    );

    let (code, stdout, _) = run(cas(&server, &["whoami"]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("source system: sandbox-cli-client"),
        "{stdout}"
    );
    assert!(stdout.contains("create:messages"), "{stdout}");

    assert!(rt.block_on(server.wait_webhooks_idle(Duration::from_secs(10))));
    let declared = server.declarations().all();
    assert_eq!(declared.len(), 1, "one accepted shipment");
    let reference = declared[0].external_reference.clone();
    let (code, stdout, stderr) = run(cas(
        &server,
        &[
            "declarations",
            "search",
            "--external-reference",
            &reference,
            "--format",
            "json",
        ],
    ));
    assert_eq!(code, 0, "{stderr}");
    let found: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert_eq!(found[0]["id"], declared[0].id.as_str());
    let (code, stdout, _) = run(cas(
        &server,
        &[
            "declarations",
            "search",
            "--external-reference",
            "nothing-like-it",
        ],
    ));
    assert_eq!(code, 0);
    assert!(stdout.contains("0 declaration(s)"), "{stdout}");
    let (code, stdout, _) = run(cas(&server, &["declarations", "get", &declared[0].id]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains(&declared[0].id) && stdout.contains(&reference),
        "{stdout}"
    );
}

#[test]
fn missing_or_wrong_credentials_are_clear_errors() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = start(&rt);
    let work = scratch("creds");
    std::fs::create_dir_all(&work).expect("dir");
    copy_example(&work, "Formula", "typical.xml");
    let log = work.join("results.jsonl");

    let mut no_secret = cas(&server, &["send"]);
    no_secret
        .arg(&work)
        .arg("--log")
        .arg(&log)
        .env_remove("CAS_CLIENT_SECRET");
    let (code, _, stderr) = run(no_secret);
    assert_eq!(code, 2);
    assert!(stderr.contains("CAS_CLIENT_SECRET"), "{stderr}");

    let secret_file = work.join("secret");
    std::fs::write(&secret_file, "not-the-secret\n").expect("write");
    let mut wrong = cas(&server, &["send"]);
    wrong
        .arg(work.join("Formula-typical.xml"))
        .arg("--log")
        .arg(&log)
        .arg("--client-secret-file")
        .arg(&secret_file)
        .env_remove("CAS_CLIENT_SECRET");
    let (code, stdout, stderr) = run(wrong);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("authentication failed"), "{stdout}");
    assert!(stdout.contains("invalid_client"), "{stdout}");
    assert!(!stdout.contains("not-the-secret") && !stderr.contains("not-the-secret"));
    assert_eq!(server.total_ingestions(), 0);

    let mut bad_env = Command::new(CAS);
    bad_env.args(["whoami", "--env", "staging"]);
    bad_env.assert().code(2);
}

/// Kills the child when dropped.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn cas_sandbox_with_the_example_clients_file_speaks_oauth() {
    use std::io::{BufRead, BufReader};
    let work = scratch("sandbox-proc");
    let clients = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sandbox/clients.example.toml");
    let mut child = Command::new(CAS)
        .args(["sandbox", "--port", "0", "--db"])
        .arg(work.join("sandbox.db"))
        .arg("--clients")
        .arg(&clients)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn cas sandbox");
    let stdout = child.stdout.take().expect("stdout");
    let _guard = Killed(child);
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).expect("first line");
    let base = first
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_owned();
    let whoami = |id: &str, secret: &str| {
        let mut c = Command::new(CAS);
        c.args(["whoami", "--format", "json", "--env", &base])
            .env("CAS_CLIENT_ID", id)
            .env("CAS_CLIENT_SECRET", secret)
            .env_remove("CAS_API_KEY");
        run(c)
    };
    let (code, stdout, stderr) = whoami("demo-client", "demo-secret");
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v["sourceSysRef"], "DEMO-ERP");
    assert_eq!(v["tenantIds"][0], "demo-tenant");
    let (code, _, stderr) = whoami("demo-client", "wrong");
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid_client"), "{stderr}");
    // Without a token the API answers 401.
    let mut anonymous = Command::new(CAS);
    anonymous
        .args(["whoami", "--env", &base])
        .env_remove("CAS_CLIENT_ID")
        .env_remove("CAS_API_KEY");
    let (code, _, stderr) = run(anonymous);
    assert_eq!(code, 2);
    assert!(stderr.contains("401"), "{stderr}");
}
