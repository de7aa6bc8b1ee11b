//! Secrets come from an environment variable or a file, never from a flag
//! (flags end up in shell history and `ps`).

use std::path::Path;

use crate::CliError;

/// The value of `env`, else the first line of `file`; `None` if neither is given.
pub fn read(env: &str, file: Option<&Path>) -> Result<Option<String>, CliError> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| CliError::io(path, e))?;
        let value = text.lines().next().unwrap_or("").trim().to_owned();
        if value.is_empty() {
            return Err(CliError::Usage(format!(
                "{}: the file is empty",
                path.display()
            )));
        }
        return Ok(Some(value));
    }
    Ok(std::env::var(env)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.trim().to_owned()))
}
