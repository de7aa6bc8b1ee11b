//! `cargo xtask`: the generator's command line for this repository.
//!
//! - `regen`: rewrite `generated/` from `schemas/manifest.toml`.
//! - `check`: fail, naming every stale file, when `generated/` is not what
//!   `regen` would write. Writes nothing.
//! - `gen <XSD>... --out <DIR>`: generate a standalone crate for any schemas.
//! - `proptest [--cases N] [--seed S]`: the long property-test run.

mod bench;
mod bigdoc;
mod conformance;
mod manifest;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use manifest::Manifest;
use xsd_codegen::{Generated, Generator, RootEnum, check_files, write_files};

const USAGE: &str = "usage: cargo xtask <command>
  regen                         rewrite generated/ from schemas/
  check                         fail if generated/ is stale (writes nothing)
  gen <XSD>... --out <DIR>      generate a standalone crate for any schemas
  conformance <DIR>             run the NIST datatype tests (e.g. ../shared/xsdtests/nist)
  bigdoc <MESSAGE> (--items N | --size 20MB) [--out FILE]
                                a large valid document of a repeating message
  bench [--quick]               throughput, memory and generator tables (BENCHMARKS.md)
  mutate                        compare our verdicts with xmllint's on mutations of every valid example
  proptest [--cases N] [--seed S]  long property run: N random messages per kind (default 1000) and N
                                random mutations of them, against xmllint and our reader";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The generator run that produces `generated/src/`.
fn messages_generator(root: &Path) -> Result<Generator, String> {
    let manifest = Manifest::load(&root.join("schemas/manifest.toml"))?;
    let mut messages = RootEnum::new(
        "Message",
        "A CAS ingestion message: one variant per message of `schemas/manifest.toml`.",
    );
    for m in &manifest.messages {
        messages = messages.root(&m.namespace, &m.root);
    }
    Ok(Generator::new()
        .schemas(manifest.schema_paths())
        .root_enum(messages)
        .source_root(root)
        .crate_doc(CRATE_DOC)
        .proptest(true))
}

/// The doc comment of `cas-messages` (its example is a doc test).
const CRATE_DOC: &str = r#"`cas-messages`: the CAS ingestion messages, generated from `schemas/` by
`cargo xtask regen`.

Each message type reads and writes its XML ([`xsd_runtime::XmlRoot`]);
[`Message`] reads any of the eight, dispatching on the root element. Which
endpoint each goes to is the CAS layer's business (`cas-api`).

Restricted types check their facets when built (`EoriNumberType::new`
refuses a malformed EORI); `validate` checks a whole message against
every constraint of its schema and returns every problem with its path:

```
use cas_messages::common_types::*;
use cas_messages::material_list_invalidation_request::*;
use xsd_runtime::XmlRoot;

assert!(EoriNumberType::new("de123").is_err()); // lower case breaks the EORI pattern

let request = MaterialListInvalidationRequest {
    schema_version: "1.1".into(), // the schema fixes it at 1.0
    header: MessageHeaderType {
        sender_id: EoriNumberType::new_unchecked("de123".into()),
        message_id: MessageIdType::new("MLIR-0001")?,
        creation_date_time: "2024-05-14T08:30:00Z".parse()?,
        action: ActionCodeType::Delete,
        test_indicator: None,
    },
    material_list_id: MaterialListIdType::new("ML-00000001")?,
    version: None,
    reason: InvalidationReasonType {
        code: InvalidationReasonCodeType::V02,
        text: TextType::new("Transmitted in error.")?,
    },
    effective_date: "2024-05-14".parse()?,
    replacement_material_list_id: None,
    requested_by: None,
    extensions: None,
    schema_location: Default::default(), // xsi:schemaLocation hints, kept when read
};
let errors = request.validate().unwrap_err();
for e in &errors {
    println!("{e}");
}
// /MaterialListInvalidationRequest/@schemaVersion: value '1.1' differs from the fixed value '1.0'
// /MaterialListInvalidationRequest/Header/SenderId: value 'de123' violates pattern '[A-Z]{2}[0-9A-Z]{1,15}'
let found: Vec<(&str, &str)> = errors.iter().map(|e| (e.constraint(), e.path.as_str())).collect();
assert_eq!(found, [
    ("fixed", "/MaterialListInvalidationRequest/@schemaVersion"),
    ("pattern", "/MaterialListInvalidationRequest/Header/SenderId"),
]);
# Ok::<(), Box<dyn std::error::Error>>(())
```"#;

fn generate_messages(root: &Path) -> Result<Generated, String> {
    messages_generator(root)?
        .generate()
        .map_err(|e| e.to_string())
}

fn regen(root: &Path) -> Result<(), String> {
    let g = generate_messages(root)?;
    let dir = root.join("generated/src");
    let changed = write_files(&dir, &g.files).map_err(|e| e.to_string())?;
    println!(
        "regen: {} schema files, {} types, {} files in generated/src, {}",
        g.schema_files,
        g.types,
        g.files.len(),
        if changed == 0 {
            "unchanged".to_owned()
        } else {
            format!("{changed} changed")
        }
    );
    Ok(())
}

/// Every stale file of `generated/`, empty when it is fresh.
fn stale(root: &Path) -> Result<Vec<String>, String> {
    let g = generate_messages(root)?;
    Ok(check_files(&root.join("generated/src"), &g.files)
        .iter()
        .map(ToString::to_string)
        .collect())
}

fn check(root: &Path) -> Result<(), String> {
    let stale = stale(root)?;
    if stale.is_empty() {
        println!("check: generated/ is up to date");
        return Ok(());
    }
    Err(format!(
        "generated/ is stale:\n  {}\nrun `cargo xtask regen` and commit the result",
        stale.join("\n  ")
    ))
}

fn gen_crate(args: &[String]) -> Result<(), String> {
    let mut schemas = Vec::new();
    let mut out = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => out = it.next().map(PathBuf::from),
            s if s.starts_with("--") => return Err(format!("unknown option {s}\n{USAGE}")),
            s => schemas.push(PathBuf::from(s)),
        }
    }
    let out = out.ok_or_else(|| format!("--out <DIR> is required\n{USAGE}"))?;
    if schemas.is_empty() {
        return Err(format!("no schema given\n{USAGE}"));
    }
    let schemas: Vec<PathBuf> = schemas
        .iter()
        .map(|p| std::path::absolute(p).map_err(|e| format!("{}: {e}", p.display())))
        .collect::<Result<_, _>>()?;
    let g = Generator::new()
        .schemas(schemas)
        .proptest(true)
        .generate()
        .map_err(|e| e.to_string())?;
    let name = out
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "generated-xsd".into());
    let runtime = repo_root().join("xsd-runtime");
    let cargo_toml = format!(
        "# Generated by `cargo xtask gen`.\n[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nxsd-runtime = {{ path = {:?} }}\n\n[features]\n# `T::strategy()` and `impl Arbitrary` on every type, for property tests.\nproptest = [\"xsd-runtime/proptest\"]\n\n[workspace]\n",
        runtime.display().to_string()
    );
    std::fs::create_dir_all(out.join("src")).map_err(|e| format!("{}: {e}", out.display()))?;
    std::fs::write(out.join("Cargo.toml"), cargo_toml)
        .map_err(|e| format!("{}: {e}", out.display()))?;
    let changed = write_files(&out.join("src"), &g.files).map_err(|e| e.to_string())?;
    println!(
        "gen: {} schema files, {} types, {} files in {}, {changed} written",
        g.schema_files,
        g.types,
        g.files.len(),
        out.display()
    );
    Ok(())
}

/// The full mutation run: every variant of every valid example. It lives
/// in the tests crate (it needs the generated types); xtask only starts it,
/// so that `regen` never depends on the generated code compiling.
fn mutate() -> Result<(), String> {
    let status =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "test",
                "--quiet",
                "-p",
                "cas-tests",
                "--test",
                "mutations",
                "--",
                "--ignored",
                "--nocapture",
            ])
            .current_dir(repo_root())
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("mutation run failed (see above)".into())
    }
}

/// The long property run (tests/tests/properties.rs, ignored test `long_run`),
/// started like `mutate`.
fn proptest(args: &[String]) -> Result<(), String> {
    let mut cmd =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let var = match a.as_str() {
            "--cases" => "CAS_PROPTEST_CASES",
            "--seed" => "CAS_PROPTEST_SEED",
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        };
        let v = it
            .next()
            .filter(|v| v.parse::<u64>().is_ok())
            .ok_or_else(|| format!("{a} needs a number\n{USAGE}"))?;
        cmd.env(var, v);
    }
    let status = cmd
        .args([
            "test",
            "--quiet",
            "-p",
            "cas-tests",
            "--test",
            "properties",
            "--",
            "--ignored",
            "--nocapture",
        ])
        .current_dir(repo_root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("property run failed (see above)".into())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root();
    let result = match args.first().map(String::as_str) {
        Some("regen") => regen(&root),
        Some("check") => check(&root),
        Some("gen") => gen_crate(&args[1..]),
        Some("conformance") => conformance::run(&args[1..], &root),
        Some("mutate") => mutate(),
        Some("proptest") => proptest(&args[1..]),
        Some("bench") => bench::run(&args[1..], &root),
        Some("bigdoc") => bigdoc::run(&args[1..], &root),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same check as `cargo xtask check`: a plain `cargo test` fails
    /// when generated/ is stale, and says how to fix it.
    #[test]
    fn generated_code_is_fresh() {
        let stale = stale(&repo_root()).expect("generator runs");
        assert!(
            stale.is_empty(),
            "generated/ is stale; run `cargo xtask regen`:\n  {}",
            stale.join("\n  ")
        );
    }

    /// `cargo xtask gen` on a schema set outside `schemas/` (a fixture with
    /// an include and an import) gives a crate that builds on its own and
    /// reads and writes the fixture's instance.
    #[test]
    fn gen_makes_a_standalone_crate_that_builds_and_reads() {
        let root = repo_root();
        let fixtures = root.join("tests/fixtures");
        let out = root.join("target/xtask-gen-test/fixture-crate");
        let _ = std::fs::remove_dir_all(&out);
        let args = vec![
            fixtures.join("include_import.xsd").display().to_string(),
            "--out".to_owned(),
            out.display().to_string(),
        ];
        gen_crate(&args).expect("gen");
        let lib = std::fs::read_to_string(out.join("src/lib.rs")).expect("lib.rs");
        assert!(
            lib.contains("pub enum Document"),
            "no Document enum:\n{lib}"
        );
        std::fs::create_dir_all(out.join("tests")).expect("tests dir");
        let instance = fixtures.join("include_import.xml");
        let test = format!(
            "#[test]\nfn reads_and_writes() {{\n    let xml = std::fs::read_to_string({instance:?}).unwrap();\n    let doc = fixture_crate::Document::from_xml(&xml).unwrap();\n    let again = fixture_crate::Document::from_xml(&doc.to_xml().unwrap()).unwrap();\n    assert_eq!(doc, again);\n    doc.validate().unwrap();\n}}\n",
            instance = instance.display().to_string()
        );
        std::fs::write(out.join("tests/roundtrip.rs"), test).expect("test file");
        let status = std::process::Command::new(env!("CARGO"))
            .args(["test", "--quiet", "--manifest-path"])
            .arg(out.join("Cargo.toml"))
            .env(
                "CARGO_TARGET_DIR",
                root.join("target/xtask-gen-test/target"),
            )
            .status()
            .expect("run cargo");
        assert!(
            status.success(),
            "the generated crate does not build or its test fails"
        );
    }

    /// Output is byte-for-byte the same on every run.
    #[test]
    fn generation_is_deterministic() {
        let a = generate_messages(&repo_root()).expect("first run");
        let b = generate_messages(&repo_root()).expect("second run");
        assert_eq!(a, b);
    }
}
