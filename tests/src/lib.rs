//! Helpers shared by the cross-crate tests: where the repository is, and
//! running `xmllint`, the reference for what is valid.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// `schemas/` in the repository.
pub fn schemas_dir() -> PathBuf {
    repo_root().join("schemas")
}

pub mod examples;
/// `schemas/manifest.toml`, read with the code `cargo xtask regen` reads it with.
#[path = "../../xtask/src/manifest.rs"]
pub mod manifest;

/// The messages manifest.
pub fn manifest() -> manifest::Manifest {
    let path = schemas_dir().join("manifest.toml");
    match manifest::Manifest::load(&path) {
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

pub mod mutate;

/// One variant on which we and xmllint disagree.
#[derive(Debug, Clone)]
pub struct Disagreement {
    /// `<example file> :: <mutation>`, the key of the known-differences file.
    pub key: String,
    pub xmllint_valid: bool,
    pub our_errors: String,
}

/// Results of a mutation run.
#[derive(Debug, Default)]
pub struct MutationReport {
    /// Per message: (variants, agreeing).
    pub per_message: std::collections::BTreeMap<String, (usize, usize)>,
    pub disagreements: Vec<Disagreement>,
}

/// Mutates every valid example (every `step`-th variant, for a bounded
/// run) and compares our verdict with xmllint's on each variant.
pub fn mutation_run(step: usize) -> MutationReport {
    let m = manifest();
    // A directory of this run's own (runs may share a test process).
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = std::env::temp_dir().join(format!("cas-mutations-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let mut report = MutationReport::default();
    for msg in &m.messages {
        let schema = m.dir.join(&msg.schema);
        let mut files = Vec::new();
        let mut keys = Vec::new();
        let mut texts = Vec::new();
        for doc in xml_files(&schemas_dir().join("examples").join(&msg.name).join("valid")) {
            let xml = std::fs::read_to_string(&doc).expect("example");
            let rel = doc
                .strip_prefix(schemas_dir().join("examples"))
                .unwrap_or(&doc)
                .display()
                .to_string();
            for (k, v) in mutate::mutations(&xml).into_iter().enumerate() {
                if k % step.max(1) != 0 {
                    continue;
                }
                let path = tmp.join(format!("{}-{}.xml", msg.name, files.len()));
                std::fs::write(&path, &v.xml).expect("variant");
                files.push(path);
                keys.push(format!("{rel} :: {}", v.what));
                texts.push(v.xml);
            }
        }
        let theirs = mutate::xmllint_many(&schema, &files);
        let mut agree = 0;
        for ((key, text), xmllint_valid) in keys.into_iter().zip(&texts).zip(theirs) {
            let ours = cas_messages::Message::from_xml(text);
            if ours.is_ok() == xmllint_valid {
                agree += 1;
            } else {
                let our_errors = match ours {
                    Ok(_) => "accepted".to_owned(),
                    Err(e) => e
                        .iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                };
                report.disagreements.push(Disagreement {
                    key,
                    xmllint_valid,
                    our_errors,
                });
            }
        }
        report
            .per_message
            .insert(msg.name.clone(), (files.len(), agree));
    }
    let _ = std::fs::remove_dir_all(&tmp);
    report
}

/// Keys of the documented differences (`conformance/mutation-known-differences.txt`).
pub fn known_mutation_differences() -> std::collections::BTreeSet<String> {
    std::fs::read_to_string(repo_root().join("conformance/mutation-known-differences.txt"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.split(" # ").next().unwrap_or("").trim().to_owned())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}
