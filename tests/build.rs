//! Generates code for every fixture schema in `tests/fixtures/` (a fixture
//! is an `.xsd` with an `.xml` instance beside it) into `OUT_DIR`, the way a
//! user's build script would, so the tests compile and run the output that
//! the snapshot tests show (plus the proptest strategies, which the snapshots
//! leave out).
//!
//! Real-world schema sets too (`real_schemas.rs`): public standards that
//! ship in the source of the xsd-parser package this workspace already
//! depends on (found through `cargo metadata`, never copied into the
//! repository): the iDEAL merchant-acquirer protocol, which imports the W3C
//! XML-Signature schema, and `tests/realworld/signed_order.xsd`, which
//! imports that same `xmldsig-core-schema.xsd` (both copied into `OUT_DIR`).

use std::error::Error;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xsd") && p.with_extension("xml").is_file())
        .collect();
    fixtures.sort();
    for xsd in fixtures {
        println!("cargo::rerun-if-changed={}", xsd.display());
        let stem = xsd
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        generate(&xsd, &dir, &out.join(format!("fixture_{stem}.rs")))?;
    }
    real_world(&out)
}

fn generate(xsd: &Path, source_root: &Path, to: &Path) -> Result<(), Box<dyn Error>> {
    let generated = xsd_codegen::Generator::new()
        .schema(xsd)
        .source_root(source_root)
        .proptest(true)
        .generate()
        .map_err(|e| format!("{}: {e}", xsd.display()))?;
    std::fs::write(to, generated.single_file()?)?;
    Ok(())
}

/// The real-world schema sets; their directories go to the tests as
/// `IDEAL_DIR` and `SIGNED_ORDER_DIR`.
fn real_world(out: &Path) -> Result<(), Box<dyn Error>> {
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("realworld/signed_order.xsd");
    println!("cargo::rerun-if-changed={}", own.display());
    let ideal = xsd_parser_dir()?.join("tests/schema/ideal_merchant_acquirer");
    generate(
        &ideal.join("schema.xsd"),
        &ideal,
        &out.join("real_ideal.rs"),
    )?;
    let signed = out.join("signed_order");
    std::fs::create_dir_all(&signed)?;
    std::fs::copy(&own, signed.join("signed_order.xsd"))?;
    let dsig = "xmldsig-core-schema.xsd";
    std::fs::copy(ideal.join(dsig), signed.join(dsig))?;
    generate(
        &signed.join("signed_order.xsd"),
        &signed,
        &out.join("real_signed_order.rs"),
    )?;
    println!("cargo::rustc-env=IDEAL_DIR={}", ideal.display());
    println!("cargo::rustc-env=SIGNED_ORDER_DIR={}", signed.display());
    Ok(())
}

/// The source directory of the xsd-parser package, from its manifest path
/// in `cargo metadata` (so it is found wherever the registry lives).
fn xsd_parser_dir() -> Result<PathBuf, Box<dyn Error>> {
    let cargo = std::env::var("CARGO")?;
    // Offline, for the packages this build has (others would be downloaded).
    let target = std::env::var("TARGET")?;
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--filter-platform", &target])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()?;
    if !output.status.success() {
        let e = String::from_utf8_lossy(&output.stderr);
        return Err(format!("cargo metadata failed: {e}").into());
    }
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let manifest = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "xsd-parser")
        .and_then(|p| p["manifest_path"].as_str())
        .ok_or("cargo metadata lists no xsd-parser package")?;
    Path::new(manifest)
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("{manifest} has no parent directory").into())
}
