//! `cas sandbox`: the test server of the toolkit run as a product, on
//! 127.0.0.1, with the master-data rules and its history in SQLite.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use cas_sandbox::{AuthConfig, ServerConfig, TestServer};

use crate::{CliError, Outcome, secrets};

#[derive(clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (0: any free port; the first line printed names it).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Where webhook events are POSTed (http://127.0.0.1:PORT/...), in
    /// CAS's envelope and unsigned, as CAS sends them.
    #[arg(long, value_name = "URL")]
    webhook_url: Option<String>,
    /// Sign deliveries (Standard Webhooks), as a signing proxy would; CAS
    /// itself does not sign.
    #[arg(long)]
    sign: bool,
    /// With --sign: file holding the signing secret (whsec_...); else the
    /// CAS_WEBHOOK_SECRET environment variable; neither: a fresh secret,
    /// printed at start.
    #[arg(long, value_name = "PATH")]
    webhook_secret_file: Option<PathBuf>,
    /// Factor on CAS's redelivery schedule (10 s, 30 s, 1 min, ... up to
    /// 24 h): 1 is real time, 0.01 makes the first retry come after 100 ms.
    #[arg(long, default_value_t = 0.01)]
    redelivery_scale: f64,
    /// Time between two statuses of a declaration, in milliseconds.
    #[arg(long, default_value_t = 500)]
    status_step_ms: u64,
    /// The SQLite file holding the ingestion history (created if missing).
    #[arg(long, default_value = "cas-sandbox.db")]
    db: PathBuf,
    /// Time between the 202 and the business checks, in milliseconds.
    #[arg(long, default_value_t = 200)]
    processing_delay_ms: u64,
    /// Extra wait before every 202, in milliseconds (a slow API).
    #[arg(long, default_value_t = 0)]
    answer_delay_ms: u64,
    /// TOML file of OAuth clients (`[[client]]` with client_id,
    /// client_secret, optional scopes, tenant_ids, source_sys_ref; and
    /// token_lifetime_secs): every /v1 request then needs a token from
    /// POST /oauth2/v2.0/token. Without it, nothing is checked.
    #[arg(long, value_name = "PATH")]
    clients: Option<PathBuf>,
    /// Token lifetime in seconds (overrides the clients file's).
    #[arg(long, requires = "clients")]
    token_lifetime_secs: Option<u64>,
}

/// `whsec_` and 24 random bytes.
fn fresh_secret() -> String {
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes.extend_from_slice(&uuid::Uuid::new_v4().as_bytes()[..8]);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

pub async fn run(args: Args) -> Result<Outcome, CliError> {
    let given = if args.sign {
        secrets::read("CAS_WEBHOOK_SECRET", args.webhook_secret_file.as_deref())?
    } else {
        None
    };
    let generated = args.sign && given.is_none() && args.webhook_url.is_some();
    let secret = given.unwrap_or_else(fresh_secret);
    let mut config = ServerConfig::new(args.webhook_url.clone().unwrap_or_default());
    if args.sign {
        config = config
            .signed(&secret)
            .map_err(|e| CliError::Usage(format!("webhook secret: {e}")))?;
    }
    config.webhook_url = args.webhook_url.clone();
    config.redelivery_scale = args.redelivery_scale;
    config.status_step = Duration::from_millis(args.status_step_ms);
    config.port = args.port;
    config.database = Some(args.db.clone());
    config.master_data_rules = true;
    config.processing_delay = Duration::from_millis(args.processing_delay_ms);
    config.answer_delay = Duration::from_millis(args.answer_delay_ms);
    if let Some(path) = &args.clients {
        let mut auth = AuthConfig::from_file(path).map_err(|e| CliError::Usage(e.to_string()))?;
        if let Some(secs) = args.token_lifetime_secs {
            auth.token_lifetime = Duration::from_secs(secs.max(1));
        }
        config.auth = Some(auth);
    }
    let server = TestServer::start_with(config)
        .await
        .map_err(|e| CliError::Other(format!("sandbox: {e}")))?;
    let mut out = std::io::stdout().lock();
    // The first line is the contract tests and scripts parse.
    let _ = writeln!(out, "listening on {}", server.base_url());
    let _ = writeln!(
        out,
        "history: {} ingestion(s) in {} (GET {}/ingestions)",
        server.history().len(),
        args.db.display(),
        server.base_url()
    );
    match &args.clients {
        Some(path) => {
            let _ = writeln!(
                out,
                "authentication: OAuth clients from {}; tokens at {}{}",
                path.display(),
                server.base_url(),
                cas_sandbox::TOKEN_PATH
            );
        }
        None => {
            let _ = writeln!(out, "authentication: none (no --clients file)");
        }
    }
    match &args.webhook_url {
        Some(url) => {
            let signed = if args.sign { "signed" } else { "unsigned" };
            let _ = writeln!(out, "webhook events to {url} ({signed})");
            if generated {
                let _ = writeln!(
                    out,
                    "webhook secret (set CAS_WEBHOOK_SECRET to this for `cas events listen --require-signature`): {secret}"
                );
            }
        }
        None => {
            let _ = writeln!(out, "no webhook URL: outcomes only in GET /ingestions");
        }
    }
    let _ = out.flush();
    drop(out);
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::Other(format!("waiting for Ctrl-C: {e}")))?;
    drop(server);
    Ok(Outcome::Ok)
}
