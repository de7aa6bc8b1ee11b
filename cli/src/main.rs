//! `cas`: validate and send CAS messages from files, run a local sandbox
//! of the ingestion API, and watch its webhook events.
//!
//! Exit codes: 0 all good, 1 some file invalid / not accepted / an event
//! not verified, 2 the command itself failed (bad arguments, unreadable
//! paths, no server).

mod connect;
mod declarations;
mod events;
mod files;
mod results;
mod sandbox;
mod secrets;
mod send;
mod validate;
mod whoami;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "cas",
    version,
    about = "Validate and send CAS messages; run a local sandbox of the ingestion API"
)]
struct Cli {
    /// Log what the client does to stderr: -v each attempt, retry and
    /// token fetch; -vv more detail. Secrets are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Detect each file's message type, validate it, and print every error
    /// with file, line, column and element path.
    Validate(validate::Args),
    /// Validate, then send files to the ingestion API, resuming from the results log.
    Send(send::Args),
    /// Who the credentials are: source system, tenants, scopes.
    Whoami(whoami::Args),
    /// Read declarations: get one, or search.
    Declarations {
        #[command(subcommand)]
        command: declarations::Command,
    },
    /// Run the ingestion API locally (127.0.0.1), with business rules,
    /// webhook events as CAS sends them and a persistent history.
    Sandbox(sandbox::Args),
    /// Receive CAS's webhook events, tie them to the files sent, check signatures.
    Events {
        #[command(subcommand)]
        command: events::Command,
    },
}

/// A failure of the command itself (not of a file it checked).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Other(String),
}

impl CliError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CliError::Io {
            path: path.into(),
            source,
        }
    }
}

/// What a command reports: everything fine, or some item failed.
pub enum Outcome {
    Ok,
    SomeFailed,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging(cli.verbose);
    let result = match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Send(args) => runtime().and_then(|rt| rt.block_on(send::run(args))),
        Command::Whoami(args) => runtime().and_then(|rt| rt.block_on(whoami::run(args))),
        Command::Declarations { command } => {
            runtime().and_then(|rt| rt.block_on(declarations::run(command)))
        }
        Command::Sandbox(args) => runtime().and_then(|rt| rt.block_on(sandbox::run(args))),
        Command::Events { command } => events::run(command),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::SomeFailed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("cas: {e}");
            ExitCode::from(2)
        }
    }
}

/// With `-v`, the client's tracing events (attempts, retries, tokens) on stderr.
fn logging(verbose: u8) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let level = match verbose {
        0 => return,
        1 => LevelFilter::INFO,
        _ => LevelFilter::DEBUG,
    };
    let filter = Targets::new().with_target("cas_api", level);
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false);
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .try_init();
}

pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(format!("cannot start the async runtime: {e}")))
}
