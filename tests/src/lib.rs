//! Helpers shared by the cross-crate tests: where the repository is, and
//! running `xmllint`, the reference for what is valid.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// `schemas/` in the repository.
pub fn schemas_dir() -> PathBuf {
    repo_root().join("schemas")
}

/// The messages manifest.
pub fn manifest() -> cas_codegen::manifest::Manifest {
    let path = schemas_dir().join("manifest.toml");
    match cas_codegen::manifest::Manifest::load(&path) {
        Ok(m) => m,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}

/// What xmllint said about one document.
#[derive(Debug)]
pub struct XmllintVerdict {
    pub valid: bool,
    pub exit_code: Option<i32>,
    pub output: String,
}

/// Validates `doc` against `schema` with `xmllint --noout --schema`.
/// Panics with an install hint when xmllint is missing: the tests need it.
pub fn xmllint(schema: &Path, doc: &Path) -> XmllintVerdict {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(schema)
        .arg(doc)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run xmllint ({e}); install it: apt-get install -y libxml2-utils")
        });
    XmllintVerdict {
        valid: out.status.success(),
        exit_code: out.status.code(),
        output: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// XML files directly in `dir`, sorted.
pub fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "xml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}
