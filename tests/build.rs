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
    real_world(&out)?;
    large_schema(&out)
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

/// Sizes of the script-made large schema set (`large_schema.rs`).
const LARGE_ROOTS: usize = 300;
const LARGE_PARTS: usize = 30;
const LARGE_PART_FIELDS: usize = 20;
const LARGE_BIGS: usize = 15;
const LARGE_BIG_FIELDS: usize = 12;
/// Nesting of the chain type (`Level`), to give reading some depth.
const LARGE_LEVELS: usize = 12;

/// A schema set with hundreds of global elements and large types, made by
/// this script: the schema, one instance of a root that holds every large
/// type, the generated code (without strategies, like a user's build) and
/// the list of roots for the size checks. See `tests/tests/large_schema.rs`.
fn large_schema(out: &Path) -> Result<(), Box<dyn Error>> {
    let dir = out.join("large");
    std::fs::create_dir_all(&dir)?;
    let xsd = dir.join("large_schema.xsd");
    std::fs::write(&xsd, large_xsd())?;
    std::fs::write(dir.join("instance.xml"), large_instance())?;
    let generated = xsd_codegen::Generator::new()
        .schema(&xsd)
        .source_root(&dir)
        .generate()
        .map_err(|e| format!("{}: {e}", xsd.display()))?;
    std::fs::write(out.join("large.rs"), generated.single_file()?)?;
    let sizes: Vec<String> = (0..LARGE_ROOTS)
        .map(|i| {
            format!("(\"Msg{i:04}\", ::std::mem::size_of::<large::large_schema::Msg{i:04}>())")
        })
        .collect();
    std::fs::write(
        out.join("large_roots.rs"),
        format!("&[{}]", sizes.join(",\n")),
    )?;
    println!("cargo::rustc-env=LARGE_DIR={}", dir.display());
    Ok(())
}

fn large_xsd() -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:l="urn:large" targetNamespace="urn:large" elementFormDefault="qualified">
"#,
    );
    let field_types = [
        "xs:string",
        "xs:decimal",
        "xs:dateTime",
        "xs:integer",
        "xs:token",
    ];
    for k in 0..LARGE_PARTS {
        s.push_str(&format!(
            "<xs:complexType name=\"Part{k:02}\"><xs:sequence>"
        ));
        for f in 0..LARGE_PART_FIELDS {
            let ty = field_types[f % field_types.len()];
            let min = if f % 3 == 2 { " minOccurs=\"0\"" } else { "" };
            s.push_str(&format!(
                "<xs:element name=\"f{f:02}\" type=\"{ty}\"{min}/>"
            ));
        }
        s.push_str(
            "</xs:sequence><xs:attribute name=\"id\" type=\"xs:token\"/></xs:complexType>\n",
        );
    }
    for j in 0..LARGE_BIGS {
        s.push_str(&format!("<xs:complexType name=\"Big{j:02}\"><xs:sequence>"));
        for f in 0..LARGE_BIG_FIELDS {
            let k = (j * 7 + f) % LARGE_PARTS;
            s.push_str(&format!(
                "<xs:element name=\"p{f:02}\" type=\"l:Part{k:02}\"/>"
            ));
        }
        s.push_str("</xs:sequence></xs:complexType>\n");
    }
    s.push_str("<xs:complexType name=\"Level\"><xs:sequence><xs:element name=\"part\" type=\"l:Part00\"/><xs:element name=\"next\" type=\"l:Level\" minOccurs=\"0\"/></xs:sequence></xs:complexType>\n");
    for i in 0..LARGE_ROOTS {
        let (a, b, c) = (i % LARGE_BIGS, (i + 1) % LARGE_BIGS, (i + 2) % LARGE_BIGS);
        let p = i % LARGE_PARTS;
        s.push_str(&format!(
            "<xs:element name=\"Msg{i:04}\"><xs:complexType><xs:sequence>\
<xs:element name=\"ref\" type=\"xs:token\"/>\
<xs:element name=\"first\" type=\"l:Big{a:02}\"/>\
<xs:element name=\"second\" type=\"l:Big{b:02}\" minOccurs=\"0\"/>\
<xs:choice><xs:element name=\"left\" type=\"l:Big{c:02}\"/><xs:element name=\"right\" type=\"l:Part{p:02}\"/></xs:choice>\
<xs:element name=\"level\" type=\"l:Level\" minOccurs=\"0\"/>\
<xs:element name=\"extra\" type=\"l:Part{p:02}\" minOccurs=\"0\" maxOccurs=\"unbounded\"/>\
</xs:sequence></xs:complexType></xs:element>\n"
        ));
    }
    s.push_str("</xs:schema>\n");
    s
}

/// An instance of `Msg0007` with every optional part present.
fn large_instance() -> String {
    let part = |name: &str, k: usize| {
        let mut p = format!("<{name} id=\"p{k}\">");
        let values = ["text & more", "12.50", "2026-12-01T10:00:00Z", "-42", "tok"];
        for f in 0..LARGE_PART_FIELDS {
            p.push_str(&format!(
                "<f{f:02}>{}</f{f:02}>",
                values[f % values.len()].replace('&', "&amp;")
            ));
        }
        p.push_str(&format!("</{name}>"));
        p
    };
    let big = |name: &str, j: usize| {
        let mut b = format!("<{name}>");
        for f in 0..LARGE_BIG_FIELDS {
            b.push_str(&part(&format!("p{f:02}"), (j * 7 + f) % LARGE_PARTS));
        }
        b.push_str(&format!("</{name}>"));
        b
    };
    let i = 7;
    let mut level = String::new();
    for _ in 0..LARGE_LEVELS {
        level.push_str(&format!("<level>{}", part("part", 0)).replace("<level>", "<next>"));
    }
    let level = format!(
        "<level>{}{}{}</level>",
        part("part", 0),
        level,
        "</next>".repeat(LARGE_LEVELS)
    );
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Msg{i:04} xmlns=\"urn:large\"><ref>R-7</ref>{}{}{}{}{}{}</Msg{i:04}>\n",
        big("first", i % LARGE_BIGS),
        big("second", (i + 1) % LARGE_BIGS),
        big("left", (i + 2) % LARGE_BIGS),
        level,
        part("extra", i % LARGE_PARTS),
        part("extra", i % LARGE_PARTS),
    )
}
