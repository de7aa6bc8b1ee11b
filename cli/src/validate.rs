//! `cas validate`: every file read and validated in parallel, every error
//! printed with file, line, column and element path.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use cas_messages::Message;
use serde::Serialize;
use serde_json::json;
use xsd_runtime::ValidationErrors;

use crate::{CliError, Format, Outcome, files};

#[derive(clap::Args)]
pub struct Args {
    /// Files and directories (searched recursively for *.xml).
    #[arg(required = true, value_name = "FILE|DIR")]
    inputs: Vec<PathBuf>,
    /// `human` (one line per error) or `json` (one document for all files).
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Threads reading files (default: one per core).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
}

/// One error, as printed.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorReport {
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub path: String,
    pub constraint: &'static str,
    pub message: String,
}

/// The verdict on one file.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    pub file: String,
    /// From the root element; `None` if it names no CAS message.
    pub message_type: Option<String>,
    pub valid: bool,
    pub errors: Vec<ErrorReport>,
}

/// The local name of the root element, when the document gets that far.
fn root_name(bytes: &[u8]) -> Option<String> {
    use xsd_runtime::quick_xml::events::Event;
    let mut reader = xsd_runtime::quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return Some(e.local_name().into_inner().to_owned());
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => buf.clear(),
        }
    }
}

/// Reads and validates one document: the message, or its errors and the
/// message type its root element names (if any).
pub fn read(bytes: &[u8]) -> Result<Message, (Option<String>, ValidationErrors)> {
    Message::from_slice(bytes).map_err(|errors| {
        let root = root_name(bytes).filter(|r| cas_api::endpoint_named(r).is_some());
        (root, errors)
    })
}

pub fn error_reports(errors: &ValidationErrors) -> Vec<ErrorReport> {
    errors
        .iter()
        .map(|e| ErrorReport {
            line: e.location.map(|l| l.line),
            column: e.location.map(|l| l.column),
            path: e.path.clone(),
            constraint: e.constraint(),
            message: e.kind.to_string(),
        })
        .collect()
}

pub fn check_file(path: &Path) -> FileReport {
    let file = path.display().to_string();
    let bytes = match crate::files::read_message(path) {
        Ok(b) => b,
        Err(e) => {
            return FileReport {
                file,
                message_type: None,
                valid: false,
                errors: vec![ErrorReport {
                    line: None,
                    column: None,
                    path: String::new(),
                    constraint: "io",
                    message: format!("cannot read the file: {e}"),
                }],
            };
        }
    };
    // Validate-only: every check and error of a read, no value built.
    let message_type = root_name(&bytes)
        .and_then(|r| cas_api::endpoint_named(&r))
        .map(|e| e.message.to_owned());
    match Message::validate_reader(&bytes[..]) {
        Ok(()) => FileReport {
            file,
            message_type,
            valid: true,
            errors: Vec::new(),
        },
        Err(errors) => FileReport {
            file,
            message_type,
            valid: false,
            errors: error_reports(&errors),
        },
    }
}

/// Checks every file on `jobs` threads; reports in input order.
pub fn check_all(paths: &[PathBuf], jobs: usize) -> Vec<FileReport> {
    let next = AtomicUsize::new(0);
    let mut reports: Vec<(usize, FileReport)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..jobs.clamp(1, paths.len().max(1)))
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = paths.get(i) else { break };
                        done.push((i, check_file(path)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                // A worker that panicked must not make its files vanish from
                // the report (and the exit code): the panic goes on.
                w.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
            })
            .collect()
    });
    reports.sort_by_key(|(i, _)| *i);
    reports.into_iter().map(|(_, r)| r).collect()
}

/// `file:line:column: path: message [constraint]`.
pub fn human_line(file: &str, e: &ErrorReport) -> String {
    let at = match (e.line, e.column) {
        (Some(l), Some(c)) => format!("{l}:{c}:"),
        _ => String::new(),
    };
    let path = if e.path.is_empty() {
        String::new()
    } else {
        format!(" {}:", e.path)
    };
    format!("{file}:{at}{path} {} [{}]", e.message, e.constraint)
}

pub fn run(args: &Args) -> Result<Outcome, CliError> {
    let paths = files::collect(&args.inputs)?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let reports = check_all(&paths, jobs);
    let invalid = reports.iter().filter(|r| !r.valid).count();
    match args.format {
        Format::Human => {
            for r in &reports {
                for e in &r.errors {
                    println!("{}", human_line(&r.file, e));
                }
            }
            println!(
                "{} file(s) checked: {} valid, {invalid} invalid",
                reports.len(),
                reports.len() - invalid
            );
        }
        Format::Json => {
            let doc = json!({
                "checked": reports.len(),
                "valid": reports.len() - invalid,
                "invalid": invalid,
                "files": reports,
            });
            println!("{doc:#}");
        }
    }
    Ok(if invalid == 0 {
        Outcome::Ok
    } else {
        Outcome::SomeFailed
    })
}
