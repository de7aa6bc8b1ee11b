//! The sandbox's own contract over raw HTTP (127.0.0.1): tokens, 401/403,
//! the declarations of accepted shipments, and search.

use std::time::Duration;

use cas_sandbox::{AuthConfig, OAuthClient, ServerConfig, TOKEN_PATH, TestServer};
use serde_json::Value;

const SECRET: &str = "s3cret-value";

fn shipment() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/examples/CustomsShipment/valid/minimal.xml"
    );
    std::fs::read_to_string(path).expect("example shipment")
}

async fn server(clients: Vec<OAuthClient>, lifetime: Duration) -> TestServer {
    let mut config = ServerConfig::local();
    config.processing_delay = Duration::ZERO;
    config.auth = Some(AuthConfig::new(clients).token_lifetime(lifetime));
    TestServer::start_with(config).await.expect("server")
}

async fn token(http: &reqwest::Client, base: &str, id: &str, secret: &str) -> reqwest::Response {
    let body = format!(
        "grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=https%3A%2F%2Fc4taccb2c.onmicrosoft.com%2F{id}%2F.default"
    );
    http.post(format!("{base}{TOKEN_PATH}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("token request")
}

async fn bearer(http: &reqwest::Client, base: &str, id: &str) -> String {
    let r = token(http, base, id, SECRET).await;
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["token_type"], "Bearer");
    format!("Bearer {}", v["access_token"].as_str().expect("token"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_scopes_and_expiry() {
    let reader = OAuthClient::new("reader", SECRET).with_scopes(&["read:declarations"]);
    let s = server(
        vec![OAuthClient::new("full", SECRET), reader],
        Duration::from_secs(1),
    )
    .await;
    let (http, base) = (reqwest::Client::new(), s.base_url());
    let wrong = token(&http, &base, "full", "nope").await;
    assert_eq!(wrong.status().as_u16(), 401);
    let body: Value = wrong.json().await.expect("json");
    assert_eq!(body["error"], "invalid_client");
    assert!(!body.to_string().contains(SECRET));

    let post = |auth: Option<String>| {
        let mut r = http
            .post(format!("{base}/v1/customsshipments"))
            .header("content-type", "application/xml")
            .body(shipment());
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        r.send()
    };
    assert_eq!(post(None).await.expect("send").status().as_u16(), 401);
    let full = bearer(&http, &base, "full").await;
    assert_eq!(
        post(Some(full.clone()))
            .await
            .expect("send")
            .status()
            .as_u16(),
        202
    );
    let read_only = bearer(&http, &base, "reader").await;
    assert_eq!(
        post(Some(read_only.clone()))
            .await
            .expect("send")
            .status()
            .as_u16(),
        403
    );
    let status: Value = http
        .get(format!("{base}/v1/authorizationStatus"))
        .header("authorization", &read_only)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(status["scopes"], "read:declarations");
    assert_eq!(status["sourceSysRef"], "sandbox-reader");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        post(Some(full)).await.expect("send").status().as_u16(),
        401,
        "expired"
    );
    assert_eq!(s.tokens_issued(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_shipment_becomes_a_declaration_to_search() {
    let s = server(
        vec![OAuthClient::new("full", SECRET)],
        Duration::from_secs(60),
    )
    .await;
    let (http, base) = (reqwest::Client::new(), s.base_url());
    let auth = bearer(&http, &base, "full").await;
    let r = http
        .post(format!("{base}/v1/customsshipments"))
        .header("content-type", "application/xml")
        .header("authorization", &auth)
        .body(shipment())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 202);
    assert!(s.wait_webhooks_idle(Duration::from_secs(10)).await);
    let all = s.declarations().all();
    assert_eq!(all.len(), 1);
    let d = &all[0];
    assert_eq!(d.current_status, "Released");
    assert!(d.mrn.is_some());
    let found: Value = http
        .get(format!("{base}/v1/declarations"))
        .query(&[("externalReference", d.external_reference.as_str())])
        .header("authorization", &auth)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(found[0]["id"], d.id.as_str());
    assert_eq!(found[0]["currentStatus"], "Released");
    let none: Value = http
        .get(format!("{base}/v1/declarations?externalReference=other"))
        .header("authorization", &auth)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(none, Value::Array(Vec::new()));
    let one = http
        .get(format!("{base}/v1/declarations/{}", d.id))
        .header("authorization", &auth)
        .send()
        .await
        .expect("send");
    assert_eq!(one.status().as_u16(), 200);
    let bad = http
        .get(format!("{base}/v1/declarations?limit=101"))
        .header("authorization", &auth)
        .send()
        .await
        .expect("send");
    assert_eq!(bad.status().as_u16(), 400);
}

#[test]
fn the_example_clients_file_reads() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("clients.example.toml");
    let config = AuthConfig::from_file(&path).expect("reads");
    assert_eq!(config.clients.len(), 2);
    assert_eq!(config.token_lifetime, Duration::from_secs(3600));
    assert_eq!(config.clients[0].scopes.len(), 8);
    assert_eq!(config.clients[1].scopes, ["read:declarations"]);
    let shown = format!("{config:?}");
    assert!(!shown.contains("demo-secret"), "{shown}");
    let bad = std::env::temp_dir().join(format!("cas-bad-clients-{}.toml", std::process::id()));
    std::fs::write(&bad, "[[client]]\nclient_id = 1\n").expect("write");
    let err = AuthConfig::from_file(&bad).expect_err("bad file");
    assert!(err.to_string().contains("cas-bad-clients"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declarations_survive_a_restart_on_the_same_database() {
    let db = std::env::temp_dir().join(format!("cas-sandbox-decl-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let config = || {
        let mut c = ServerConfig::local();
        c.processing_delay = Duration::ZERO;
        c.database = Some(db.clone());
        c
    };
    let first = TestServer::start_with(config()).await.expect("server");
    let r = reqwest::Client::new()
        .post(format!("{}/v1/customsshipments", first.base_url()))
        .header("content-type", "application/xml")
        .body(shipment())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 202);
    assert!(first.wait_webhooks_idle(Duration::from_secs(10)).await);
    let mut extra = cas_sandbox::Declaration::new("SEEDED");
    extra.current_status = "Invalid".into();
    first.declarations().insert(extra);
    let before = first.declarations().all();
    assert_eq!(before.len(), 2);
    drop(first);
    let second = TestServer::start_with(config()).await.expect("restarted");
    assert_eq!(second.declarations().all(), before);
    drop(second);
    let _ = std::fs::remove_file(&db);
}
