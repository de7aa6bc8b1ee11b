//! `schemas/examples/manifest.toml`: what each invalid example breaks.

use std::path::{Path, PathBuf};

use serde::Deserialize;

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
pub fn load_invalid_examples(path: &Path) -> Result<Vec<InvalidExample>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: ExamplesFile =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(file.invalid)
}
