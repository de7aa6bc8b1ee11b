//! Which files the FILE|DIR arguments name.

use std::path::{Path, PathBuf};

use crate::CliError;

/// Named files as given; directories walked recursively for `*.xml`, each
/// directory's files sorted, so runs see the same order.
pub fn collect(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| CliError::io(input, e))?;
        if meta.is_dir() {
            walk(input, &mut out)?;
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let mut entries = std::fs::read_dir(dir)
        .map_err(|e| CliError::io(dir, e))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::io(dir, e))?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("xml"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// A message file's bytes, read no further than one byte past the reader's
/// document size limit: a huge file costs no more memory than that, and the
/// reader reports it as too large.
pub fn read_message(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let limit = xsd_runtime::xml::ReadOptions::default().max_document_bytes;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}
