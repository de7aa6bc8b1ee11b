//! `schemas/manifest.toml`: the one list of CAS's ingestion messages, and
//! `schemas/examples/manifest.toml`: what each invalid example breaks.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::GenerateError;

/// One ingestion endpoint and the message it takes.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct MessageEntry {
    /// Message name, e.g. `CustomsShipment`.
    pub name: String,
    /// The message's XSD, relative to the manifest.
    pub schema: PathBuf,
    /// Local name of the root element.
    pub root: String,
    /// Namespace of the root element.
    pub namespace: String,
    /// Endpoint path relative to the API base URL.
    pub endpoint: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    message: Vec<MessageEntry>,
}

/// The messages manifest, with paths made absolute.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub dir: PathBuf,
    pub messages: Vec<MessageEntry>,
}

impl Manifest {
    /// Reads a manifest file.
    pub fn load(path: &Path) -> Result<Manifest, GenerateError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| GenerateError::Io { path: path.to_owned(), message: e.to_string() })?;
        Self::parse(&text, path)
    }

    /// Parses manifest text; `path` locates it (and its schemas).
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, GenerateError> {
        let file: ManifestFile = toml::from_str(text)
            .map_err(|e| GenerateError::Manifest { path: path.to_owned(), message: e.to_string() })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut names = std::collections::BTreeSet::new();
        for m in &file.message {
            if !names.insert(m.name.clone()) {
                return Err(GenerateError::Manifest {
                    path: path.to_owned(),
                    message: format!("message {} is listed twice", m.name),
                });
            }
            if !m.endpoint.starts_with('/') {
                return Err(GenerateError::Manifest {
                    path: path.to_owned(),
                    message: format!("endpoint of {} must start with '/': {}", m.name, m.endpoint),
                });
            }
        }
        Ok(Manifest { dir, messages: file.message })
    }

    /// Absolute paths of the message schemas, in manifest order.
    pub fn schema_paths(&self) -> Vec<PathBuf> {
        self.messages.iter().map(|m| self.dir.join(&m.schema)).collect()
    }
}

/// One invalid example and the constraint it breaks.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct InvalidExample {
    pub file: PathBuf,
    pub message: String,
    pub constraint: String,
    pub path: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExamplesFile {
    invalid: Vec<InvalidExample>,
}

/// Reads `schemas/examples/manifest.toml`.
pub fn load_invalid_examples(path: &Path) -> Result<Vec<InvalidExample>, GenerateError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| GenerateError::Io { path: path.to_owned(), message: e.to_string() })?;
    let file: ExamplesFile = toml::from_str(&text)
        .map_err(|e| GenerateError::Manifest { path: path.to_owned(), message: e.to_string() })?;
    Ok(file.invalid)
}
