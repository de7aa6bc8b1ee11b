//! Generates code for every fixture schema in `tests/fixtures/` (a fixture
//! is an `.xsd` with an `.xml` instance beside it) into `OUT_DIR`, the way a
//! user's build script would, so the tests compile and run the output that
//! the snapshot tests show (plus the proptest strategies, which the snapshots
//! leave out).

use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
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
        let generated = xsd_codegen::Generator::new()
            .schema(&xsd)
            .source_root(&dir)
            .proptest(true)
            .generate()
            .map_err(|e| format!("fixture {stem}: {e}"))?;
        std::fs::write(
            out.join(format!("fixture_{stem}.rs")),
            generated.single_file()?,
        )?;
    }
    Ok(())
}
