//! `cas`: validate and send CAS messages from files, run a local sandbox
//! of the ingestion API, and watch its webhook events.
//!
//! Exit codes: 0 all good, 1 some file invalid / not accepted / an event
//! not verified, 2 the command itself failed (bad arguments, unreadable
//! paths, no server).

mod events;
mod files;
mod results;
mod sandbox;
mod secrets;
mod send;
mod validate;

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
    let result = match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Send(args) => runtime().and_then(|rt| rt.block_on(send::run(args))),
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

pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(format!("cannot start the async runtime: {e}")))
}
