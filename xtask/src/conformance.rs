//! `cargo xtask conformance <DIR>`: the W3C XML Schema test suite's NIST
//! datatype tests against the generated validators.
//!
//! Each test group is a schema (one global element of a restricted simple
//! type) and instances whose file names encode the expected verdict
//! (`NISTXML-SV-IV-...` valid, `NISTXML-SV-II-...` invalid). All schemas that
//! the generator accepts are generated into one crate, built once, and a
//! small runner reads every instance with `Document::from_slice`. Agreement
//! is printed per datatype and per facet; the run fails when agreement falls
//! below the floor or a test not listed in the known-failures file fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use xsd_codegen::{Generator, write_files};

/// Fails below this share of agreeing instances.
const FLOOR: f64 = 0.995;

/// The runner compiled into the conformance crate: reads each file named
/// in the list file given as its argument and prints `valid` or `invalid`
/// with the first error.
const RUNNER: &str = r#"// Written by `cargo xtask conformance`.
fn main() {
    let list = std::env::args().nth(1).map(std::fs::read_to_string).and_then(Result::ok).unwrap_or_default();
    for path in list.lines() {
        let verdict = match std::fs::read(&path) {
            Err(e) => format!("error\t{e}"),
            Ok(bytes) => match conformance::Document::from_slice(&bytes) {
                Ok(_) => "valid".to_owned(),
                Err(e) => format!("invalid\t{}", e.iter().next().map(|x| x.to_string()).unwrap_or_default().replace(['\t', '\n'], " ")),
            },
        };
        println!("{path}\t{verdict}");
    }
}
"#;

struct Instance {
    path: PathBuf,
    expect_valid: bool,
    /// e.g. `atomic/int`
    datatype: String,
    facet: String,
    /// Test id: the file name without extension.
    id: String,
}

fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

/// `NISTXML-SV-IV-atomic-int-enumeration-1-3` → (valid, "atomic/int", "enumeration").
fn classify(dir: &Path, path: &Path) -> Option<Instance> {
    let id = path.file_stem()?.to_string_lossy().into_owned();
    let rest = id.strip_prefix("NISTXML-SV-")?;
    let (verdict, rest) = rest.split_once('-')?;
    let expect_valid = match verdict {
        "IV" => true,
        "II" => false,
        _ => return None,
    };
    let rel = path.strip_prefix(dir).ok()?;
    let mut comps = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let kind = comps.next()?;
    let datatype = format!("{kind}/{}", comps.next()?);
    // The facet is the part before the two trailing numbers.
    let parts: Vec<&str> = rest.split('-').collect();
    let facet = parts
        .get(parts.len().checked_sub(3)?)
        .map(|s| (*s).to_owned())?;
    Some(Instance {
        path: path.to_path_buf(),
        expect_valid,
        datatype,
        facet,
        id,
    })
}

pub fn run(args: &[String], root: &Path) -> Result<(), String> {
    let dir = args
        .first()
        .map(PathBuf::from)
        .ok_or("usage: cargo xtask conformance <DIR> [--known-failures FILE]")?;
    let dir = std::path::absolute(&dir).map_err(|e| e.to_string())?;
    let known_path = match args.iter().position(|a| a == "--known-failures") {
        Some(i) => args
            .get(i + 1)
            .map(PathBuf::from)
            .ok_or("--known-failures needs a file")?,
        None => root.join("conformance/nist-known-failures.txt"),
    };
    let known: BTreeSet<String> = std::fs::read_to_string(&known_path)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();

    let mut schemas = Vec::new();
    walk(&dir, "xsd", &mut schemas);
    schemas.sort();
    if schemas.is_empty() {
        return Err(format!("no schemas under {}", dir.display()));
    }
    // Schemas the generator refuses count as failures of their instances.
    let mut refused: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut accepted = Vec::new();
    for s in &schemas {
        match Generator::new().schema(s).check_schemas() {
            Ok(_) => accepted.push(s.clone()),
            Err(e) => {
                refused.insert(s.clone(), e.to_string());
            }
        }
    }
    eprintln!(
        "conformance: {} schemas, {} refused by the generator",
        schemas.len(),
        refused.len()
    );
    let generated = Generator::new()
        .schemas(accepted.iter().cloned())
        .source_root(&dir)
        .crate_doc("NIST conformance crate, written by `cargo xtask conformance`.")
        .generate()
        .map_err(|e| e.to_string())?;
    let krate = root.join("target/conformance");
    std::fs::create_dir_all(krate.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"conformance\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nxsd-runtime = {{ path = {:?} }}\n\n[profile.dev]\ndebug = false\nincremental = false\n\n[workspace]\n",
        root.join("xsd-runtime").display().to_string()
    );
    std::fs::write(krate.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    write_files(&krate.join("src"), &generated.files).map_err(|e| e.to_string())?;
    std::fs::write(krate.join("src/main.rs"), RUNNER).map_err(|e| e.to_string())?;
    eprintln!("conformance: {} types generated; building", generated.types);
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--quiet", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", krate.join("target"))
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("the generated conformance crate does not build".into());
    }

    let mut files = Vec::new();
    walk(&dir, "xml", &mut files);
    files.sort();
    let instances: Vec<Instance> = files.iter().filter_map(|f| classify(&dir, f)).collect();
    let input: String = instances
        .iter()
        .map(|i| format!("{}\n", i.path.display()))
        .collect();
    let list = krate.join("instances.txt");
    std::fs::write(&list, input).map_err(|e| e.to_string())?;
    let out = Command::new(krate.join("target/debug/conformance"))
        .arg(&list)
        .output()
        .map_err(|e| format!("cannot run the conformance runner: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut verdicts: BTreeMap<String, (bool, String)> = BTreeMap::new();
    for line in text.lines() {
        let mut parts = line.splitn(3, '\t');
        let (Some(path), Some(v)) = (parts.next(), parts.next()) else {
            continue;
        };
        verdicts.insert(
            path.to_owned(),
            (v == "valid", parts.next().unwrap_or("").to_owned()),
        );
    }

    let schema_of = |i: &Instance| -> Option<PathBuf> {
        // NISTXML-SV-IV-atomic-int-enumeration-1-3 → NISTSchema-SV-IV-atomic-int-enumeration-1.xsd
        let stem = i.id.strip_prefix("NISTXML-")?;
        let cut = stem.rfind('-')?;
        Some(
            i.path
                .with_file_name(format!("NISTSchema-{}.xsd", &stem[..cut])),
        )
    };
    let mut by_type: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut by_facet: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut failing = Vec::new();
    for i in &instances {
        let refused_reason = schema_of(i).and_then(|s| refused.get(&s).cloned());
        let (ok, detail) = match (&refused_reason, verdicts.get(&i.path.display().to_string())) {
            (Some(reason), _) => (false, format!("schema refused: {reason}")),
            (None, Some((valid, detail))) => (*valid == i.expect_valid, detail.clone()),
            (None, None) => (false, "no verdict".into()),
        };
        for (map, key) in [(&mut by_type, &i.datatype), (&mut by_facet, &i.facet)] {
            let e = map.entry(key.clone()).or_insert((0, 0));
            e.1 += 1;
            if ok {
                e.0 += 1;
            }
        }
        if !ok {
            failing.push((i.id.clone(), i.expect_valid, detail));
        }
    }

    let total = instances.len() as u32;
    let agree = total - failing.len() as u32;
    println!(
        "{:<28} {:>8} {:>8} {:>8}",
        "datatype", "agree", "total", "share"
    );
    for (k, (a, t)) in &by_type {
        println!(
            "{k:<28} {a:>8} {t:>8} {:>7.2}%",
            100.0 * f64::from(*a) / f64::from(*t)
        );
    }
    println!();
    println!(
        "{:<28} {:>8} {:>8} {:>8}",
        "facet", "agree", "total", "share"
    );
    for (k, (a, t)) in &by_facet {
        println!(
            "{k:<28} {a:>8} {t:>8} {:>7.2}%",
            100.0 * f64::from(*a) / f64::from(*t)
        );
    }
    let share = f64::from(agree) / f64::from(total.max(1));
    println!();
    println!(
        "conformance: {agree} of {total} instances agree with the expected verdict ({:.2}%)",
        100.0 * share
    );

    let unexpected: Vec<_> = failing
        .iter()
        .filter(|(id, ..)| !known.contains(id))
        .collect();
    let failing_ids: BTreeSet<&String> = failing.iter().map(|(id, ..)| id).collect();
    let fixed: Vec<_> = known
        .iter()
        .filter(|id| !failing_ids.contains(id))
        .collect();
    if std::env::var_os("CONFORMANCE_LIST").is_some() {
        for (id, expect, detail) in &failing {
            println!(
                "{id}\t# expected {}: {detail}",
                if *expect { "valid" } else { "invalid" }
            );
        }
    }
    if !fixed.is_empty() {
        println!(
            "{} known failures pass now; remove them from {}",
            fixed.len(),
            known_path.display()
        );
    }
    if share < FLOOR {
        return Err(format!(
            "agreement {:.2}% is below the floor of {:.2}%",
            100.0 * share,
            100.0 * FLOOR
        ));
    }
    if !unexpected.is_empty() {
        let list: Vec<String> = unexpected
            .iter()
            .map(|(id, expect, d)| {
                format!(
                    "{id} (expected {}): {d}",
                    if *expect { "valid" } else { "invalid" }
                )
            })
            .collect();
        return Err(format!(
            "{} new failures (not in {}):\n  {}",
            unexpected.len(),
            known_path.display(),
            list.join("\n  ")
        ));
    }
    Ok(())
}
