//! Identity constraints are declared once: each element declaration's set
//! is one hidden `const` that its reader and every document strategy name,
//! however many roots can reach it (here through a lax wildcard).

use std::path::PathBuf;

use xsd_codegen::Generator;

const SCHEMA: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:o="urn:example:orders:1"
           targetNamespace="urn:example:orders:1"
           elementFormDefault="qualified">
  <xs:complexType name="LineType">
    <xs:attribute name="no" type="xs:int" use="required"/>
    <xs:attribute name="ref" type="xs:int"/>
  </xs:complexType>
  <xs:complexType name="ExtType">
    <xs:sequence>
      <xs:any processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
  <xs:element name="Order">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Line" type="o:LineType" maxOccurs="unbounded"/>
        <xs:element name="Ext" type="o:ExtType" minOccurs="0"/>
      </xs:sequence>
    </xs:complexType>
    <xs:key name="lineKey">
      <xs:selector xpath="o:Line"/>
      <xs:field xpath="@no"/>
    </xs:key>
    <xs:keyref name="lineRef" refer="o:lineKey">
      <xs:selector xpath=".//o:Line"/>
      <xs:field xpath="@ref"/>
    </xs:keyref>
  </xs:element>
  <xs:element name="Invoice">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Line" type="o:LineType" maxOccurs="unbounded"/>
        <xs:element name="Ext" type="o:ExtType" minOccurs="0"/>
      </xs:sequence>
    </xs:complexType>
    <xs:unique name="invoiceLineUnique">
      <xs:selector xpath="o:Line"/>
      <xs:field xpath="@no"/>
    </xs:unique>
  </xs:element>
</xs:schema>
"#;

fn generate() -> String {
    let dir = std::env::temp_dir().join(format!("xsd-codegen-identity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path: PathBuf = dir.join("orders.xsd");
    std::fs::write(&path, SCHEMA).expect("write schema");
    let out = Generator::new()
        .schema(&path)
        .source_root(&dir)
        .proptest(true)
        .generate()
        .expect("generate");
    let _ = std::fs::remove_dir_all(&dir);
    out.files.values().cloned().collect::<Vec<_>>().join("\n")
}

#[test]
fn each_constraint_set_is_declared_once_and_named_where_used() {
    let code = generate();
    // Compared without whitespace: the formatter decides the line breaks.
    let flat: String = code.split_whitespace().collect();
    for def in [
        r#"rt::IdcDef::key("lineKey","#,
        r#"rt::IdcDef::keyref("lineRef","lineKey","#,
        r#"rt::IdcDef::unique("invoiceLineUnique","#,
    ] {
        let n = flat.matches(def).count();
        assert_eq!(n, 1, "{def} declared {n} times in:\n{code}");
    }
    for set in ["ORDER_IDENTITY", "INVOICE_IDENTITY"] {
        let decl = format!("pubconst{set}:rt::Scoped");
        assert_eq!(flat.matches(&decl).count(), 1, "{set} declared once");
        let read = format!("rt::complex_idc({set}.defs,");
        assert_eq!(
            flat.matches(&read).count(),
            1,
            "{set}: read with its constraints"
        );
        // The declaration, its reader and both roots' document strategies
        // (the lax wildcard lets either root contain the other).
        let uses = flat.matches(set).count();
        assert_eq!(uses, 4, "{set} named {uses} times in:\n{code}");
    }
    assert!(flat.contains(r#"rt::IdcPath::descendant(&[NS.step("Line")])"#));
    assert!(flat.contains(r#"rt::IdcPath::child(&[]).attr(rt::Ns::NONE.step("no"))"#));
}
