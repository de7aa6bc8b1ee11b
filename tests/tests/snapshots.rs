//! Snapshots of the generator's output for one small fixture schema per XSD
//! construct (`tests/fixtures/`). The same output is compiled and exercised
//! by `fixtures_compiled.rs`. Review changes with `cargo insta review`;
//! nothing accepts snapshots automatically.

use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Fixture schemas: `.xsd` files with an `.xml` instance beside them.
fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xsd") && p.with_extension("xml").is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn generated_code_matches_snapshots() {
    let all = fixtures();
    assert!(
        all.len() >= 20,
        "expected a fixture per construct, found {}",
        all.len()
    );
    for xsd in all {
        let stem = xsd.file_stem().unwrap().to_string_lossy().into_owned();
        let generated = xsd_codegen::Generator::new()
            .schema(&xsd)
            .source_root(fixtures_dir())
            .generate()
            .unwrap_or_else(|e| panic!("{stem}: {e}"));
        let code = generated
            .single_file()
            .unwrap_or_else(|e| panic!("{stem}: {e}"));
        insta::assert_snapshot!(stem, code);
    }
}

#[test]
fn generation_is_deterministic_for_every_fixture() {
    for xsd in fixtures() {
        let a = xsd_codegen::Generator::new()
            .schema(&xsd)
            .generate()
            .expect("first run");
        let b = xsd_codegen::Generator::new()
            .schema(&xsd)
            .generate()
            .expect("second run");
        assert_eq!(a, b, "{}", xsd.display());
    }
}

#[test]
fn mixed_content_with_xs_all_is_refused_naming_the_construct_and_file() {
    let dir = std::env::temp_dir().join(format!("cas-mixed-all-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let xsd = dir.join("mixed_all.xsd");
    std::fs::write(
        &xsd,
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t">
  <xs:element name="R">
    <xs:complexType mixed="true">
      <xs:all><xs:element name="a" type="xs:string"/><xs:element name="b" type="xs:string"/></xs:all>
    </xs:complexType>
  </xs:element>
</xs:schema>"#,
    )
    .expect("schema written");
    let e = xsd_codegen::Generator::new()
        .schema(&xsd)
        .generate()
        .expect_err("mixed xs:all is refused");
    let _ = std::fs::remove_dir_all(&dir);
    let message = e.to_string();
    assert!(
        message.contains("mixed content with xs:all") && message.contains("mixed_all.xsd"),
        "{message}"
    );
}

/// The order schema importing the real W3C `xmldsig-core-schema.xsd`
/// (copied next to it into `OUT_DIR` by `build.rs`, from the xsd-parser
/// package; see `real_schemas.rs`).
#[test]
fn signed_order_with_xmldsig_matches_snapshot() {
    let dir = Path::new(env!("SIGNED_ORDER_DIR"));
    let generated = xsd_codegen::Generator::new()
        .schema(dir.join("signed_order.xsd"))
        .source_root(dir)
        .generate()
        .unwrap_or_else(|e| panic!("signed_order: {e}"));
    let code = generated
        .single_file()
        .unwrap_or_else(|e| panic!("signed_order: {e}"));
    insta::assert_snapshot!("real_signed_order", code);
}

#[test]
fn internal_dtd_entities_of_a_schema_are_applied_and_external_ones_refused() {
    let dir = std::env::temp_dir().join(format!("cas-dtd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let schema = |entity: &str| {
        format!(
            r#"<?xml version="1.0"?>
<!DOCTYPE xs:schema [
  <!ATTLIST xs:schema xmlns:t CDATA #FIXED "urn:entity-test">
  {entity}
  <!ENTITY % p ''>
]>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="&ns;" xmlns:t="&ns;">
  <xs:element name="R" type="t:RT"/>
  <xs:complexType name="RT"><xs:sequence><xs:element name="a" type="xs:string"/></xs:sequence></xs:complexType>
</xs:schema>"#
        )
    };
    let internal = dir.join("internal.xsd");
    std::fs::write(&internal, schema("<!ENTITY ns 'urn:entity-test'>")).expect("written");
    let external = dir.join("external.xsd");
    std::fs::write(
        &external,
        schema("<!ENTITY ns SYSTEM 'file:///etc/hostname'>"),
    )
    .expect("written");
    let generated = xsd_codegen::Generator::new().schema(&internal).generate();
    let refused = xsd_codegen::Generator::new().schema(&external).generate();
    let _ = std::fs::remove_dir_all(&dir);
    let code = generated
        .expect("internal entities are expanded")
        .single_file()
        .expect("one file");
    assert!(code.contains("\"urn:entity-test\""), "{code}");
    let message = refused.expect_err("external entity refused").to_string();
    assert!(
        message.contains("external.xsd") && message.contains("external entities are never read"),
        "{message}"
    );
}
