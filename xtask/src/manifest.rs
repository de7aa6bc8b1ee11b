//! `schemas/manifest.toml`: the one list of CAS's ingestion messages, read
//! here (and only here) to configure the generator run behind `regen`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One ingestion message: its schema and root element.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
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
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    message: Vec<MessageEntry>,
}

/// The messages manifest, with schema paths made absolute.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub dir: PathBuf,
    pub messages: Vec<MessageEntry>,
}

impl Manifest {
    /// Reads and checks a manifest file: a broken one is an error naming the
    /// file, never an empty list.
    pub fn load(path: &Path) -> Result<Manifest, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file: ManifestFile = toml::from_str(&text)
            .map_err(|e| format!("{}: invalid manifest: {e}", path.display()))?;
        if file.message.is_empty() {
            return Err(format!("{}: invalid manifest: no message", path.display()));
        }
        let mut names = BTreeSet::new();
        for m in &file.message {
            if !names.insert(m.name.as_str()) {
                return Err(format!(
                    "{}: invalid manifest: message {} is listed twice",
                    path.display(),
                    m.name
                ));
            }
            if m.name != m.root {
                return Err(format!(
                    "{}: invalid manifest: message {} has root {}: the `Message` variant is named after the root",
                    path.display(),
                    m.name,
                    m.root
                ));
            }
        }
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Manifest {
            dir,
            messages: file.message,
        })
    }

    /// Absolute paths of the message schemas, in manifest order.
    pub fn schema_paths(&self) -> Vec<PathBuf> {
        self.messages
            .iter()
            .map(|m| self.dir.join(&m.schema))
            .collect()
    }
}
