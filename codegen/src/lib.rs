//! `xsd-codegen`: a generator from XML Schemas to Rust types that read,
//! write and validate XML.
//!
//! Three layers, one direction: the front end (the only place that knows
//! xsd-parser) lowers schemas into our own model; emission turns the model
//! into Rust source. The public API is the builder ([`Generator`], with
//! [`RootEnum`]), its result ([`Generated`]) and its error
//! ([`GenerateError`]); generated code depends on the `xsd-runtime` crate
//! alone. [`Generator::generate`] does no I/O beyond
//! reading the schemas: it returns file contents, and [`write_files`] (or
//! the caller) writes them.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
//!     let generated = xsd_codegen::Generator::new().schema("schemas/order.xsd").generate()?;
//!     std::fs::write(out.join("order.rs"), generated.single_file()?)?;
//!     println!("cargo::rerun-if-changed=schemas");
//!     Ok(())
//! }
//! // src/lib.rs: pub mod order { include!(concat!(env!("OUT_DIR"), "/order.rs")); }
//! ```

mod dtd;
mod emit;
mod frontend;
mod model;
mod naming;

use std::path::PathBuf;

/// An enum over chosen global elements of the schemas, in the given order:
/// `pub enum NAME { Element(path::Element), ... }` with `from_xml`,
/// `to_xml`, `validate` and `element_name`. Its variants are named after
/// the elements.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RootEnum {
    /// The enum's Rust name.
    pub name: String,
    /// Its doc comment.
    pub doc: String,
    /// (namespace URI, local name) of each root; empty URI: no namespace.
    pub roots: Vec<(String, String)>,
}

impl RootEnum {
    pub fn new(name: impl Into<String>, doc: impl Into<String>) -> Self {
        RootEnum {
            name: name.into(),
            doc: doc.into(),
            roots: Vec::new(),
        }
    }

    /// Adds a root element.
    pub fn root(mut self, namespace: impl Into<String>, local: impl Into<String>) -> Self {
        self.roots.push((namespace.into(), local.into()));
        self
    }
}

/// Everything that can stop generation.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{path}: invalid manifest: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("{location}: {message}")]
    Schema { location: String, message: String },
    #[error("{origin}: unsupported XSD construct: {construct}")]
    Unsupported { origin: String, construct: String },
    #[error("invalid pattern '{pattern}': {message}")]
    Pattern { pattern: String, message: String },
    #[error("internal generator error: {message}")]
    Internal { message: String },
    #[error("{origin}: invalid facet: {message}")]
    Facet { origin: String, message: String },
}

use std::collections::BTreeMap;
use std::path::Path;

/// Settings of one generator run (a small builder, in the manner of `prost-build`).
#[derive(Clone, Debug, Default)]
pub struct Generator {
    schemas: Vec<PathBuf>,
    root_enums: Vec<RootEnum>,
    source_root: Option<PathBuf>,
    crate_doc: Option<String>,
    proptest: bool,
}

/// The result of a run: files relative to the crate's `src/`, and figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    pub files: BTreeMap<PathBuf, String>,
    /// Schema files read (includes and imports counted).
    pub schema_files: usize,
    /// Named and anonymous types generated.
    pub types: usize,
}

impl Generated {
    /// All files as one, for `include!(concat!(env!("OUT_DIR"), "/..."))`
    /// from a build script's output.
    pub fn single_file(&self) -> Result<String, GenerateError> {
        emit::single_file(&self.files)
    }
}

impl Generator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a schema; its includes and imports are followed.
    pub fn schema(mut self, path: impl Into<PathBuf>) -> Self {
        self.schemas.push(path.into());
        self
    }

    /// Adds schemas.
    pub fn schemas<I: IntoIterator<Item = P>, P: Into<PathBuf>>(mut self, paths: I) -> Self {
        self.schemas.extend(paths.into_iter().map(Into::into));
        self
    }

    /// Adds an enum over chosen global elements (besides `Document`, which
    /// has every one): reading dispatches on the root, like `Document`.
    /// Generation fails if the schemas do not declare one of them.
    pub fn root_enum(mut self, root_enum: RootEnum) -> Self {
        self.root_enums.push(root_enum);
        self
    }

    /// Schema paths in file headers are shown relative to this directory
    /// (default: the common parent of the schemas), so output does not
    /// depend on where the repository is checked out.
    pub fn source_root(mut self, dir: impl Into<PathBuf>) -> Self {
        self.source_root = Some(dir.into());
        self
    }

    /// The generated crate's doc comment.
    pub fn crate_doc(mut self, doc: impl Into<String>) -> Self {
        self.crate_doc = Some(doc.into());
        self
    }

    /// Also emits `proptest` strategies (`T::strategy()` and `impl Arbitrary`
    /// for every type, valid documents from each root) behind
    /// `#[cfg(feature = "proptest")]`: the crate that compiles the output
    /// needs a `proptest` feature enabling `xsd-runtime/proptest`.
    pub fn proptest(mut self, on: bool) -> Self {
        self.proptest = on;
        self
    }

    /// Reads and checks the schemas without emitting code: what
    /// [`Generator::generate`] would refuse, it refuses with the same error.
    pub fn check_schemas(&self) -> Result<(), GenerateError> {
        frontend::load(&self.schemas).map(drop)
    }

    /// Reads the schemas and returns the generated files. Writes nothing.
    pub fn generate(&self) -> Result<Generated, GenerateError> {
        if self.schemas.is_empty() {
            return Err(GenerateError::Manifest {
                path: PathBuf::new(),
                message: "no schema given".into(),
            });
        }
        let model = frontend::load(&self.schemas)?;
        let source_root = match &self.source_root {
            Some(r) => r.clone(),
            None => common_parent(&self.schemas),
        };
        let opts = emit::EmitOptions {
            source_root,
            root_enums: self.root_enums.clone(),
            crate_doc: self
                .crate_doc
                .clone()
                .unwrap_or_else(|| "Types generated from XML Schemas by xsd-codegen.".into()),
            proptest: self.proptest,
        };
        let files = emit::emit(&model, &opts)?;
        let schema_files = model.namespaces.values().map(|n| n.files.len()).sum();
        let types = model.simple_types.len() + model.complex_types.len();
        Ok(Generated {
            files,
            schema_files,
            types,
        })
    }
}

fn common_parent(paths: &[PathBuf]) -> PathBuf {
    let mut parent = paths
        .first()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for p in paths {
        while !p.starts_with(&parent) {
            match parent.parent() {
                Some(up) => parent = up.to_path_buf(),
                None => return PathBuf::new(),
            }
        }
    }
    parent
}

/// How a directory differs from generated files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stale {
    Changed(PathBuf),
    Missing(PathBuf),
    /// A `.rs` file the generator no longer makes.
    Extra(PathBuf),
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Changed(p) => write!(f, "{} differs from the generator's output", p.display()),
            Stale::Missing(p) => write!(f, "{} is missing", p.display()),
            Stale::Extra(p) => write!(f, "{} is not generated any more", p.display()),
        }
    }
}

/// Compares `dir` with `files` without writing: every stale file.
pub fn check_files(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Vec<Stale> {
    let mut stale = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        match std::fs::read_to_string(&path) {
            Ok(on_disk) if on_disk == *text => {}
            Ok(_) => stale.push(Stale::Changed(path)),
            Err(_) => stale.push(Stale::Missing(path)),
        }
    }
    for extra in rust_files(dir) {
        let rel = extra.strip_prefix(dir).unwrap_or(&extra).to_path_buf();
        if !files.contains_key(&rel) {
            stale.push(Stale::Extra(extra));
        }
    }
    stale
}

/// Writes the files that changed into `dir` and removes `.rs` files that
/// are no longer generated; returns how many files changed.
pub fn write_files(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Result<usize, GenerateError> {
    let io = |path: &Path, e: std::io::Error| GenerateError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let mut changed = 0;
    for s in check_files(dir, files) {
        match s {
            Stale::Changed(path) | Stale::Missing(path) => {
                let rel = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
                }
                std::fs::write(&path, &files[&rel]).map_err(|e| io(&path, e))?;
                changed += 1;
            }
            Stale::Extra(path) => {
                std::fs::remove_file(&path).map_err(|e| io(&path, e))?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
