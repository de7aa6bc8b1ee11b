//! Reviewable diffs: people review schema changes through the diffs of the
//! generated code, so a small schema change must make a small diff. These
//! tests generate a small schema, change it as a schema author would, and
//! count the generated lines that changed (a line diff, as `git diff` shows).

use std::path::PathBuf;

use xsd_codegen::Generator;

const SCHEMA: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:o="urn:example:orders:1"
           targetNamespace="urn:example:orders:1"
           elementFormDefault="qualified">
  <xs:simpleType name="OrderIdType">
    <xs:restriction base="xs:string">
      <xs:pattern value="[A-Z]{2}[0-9]{6}"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="NameType">
    <xs:restriction base="xs:string">
      <xs:minLength value="1"/>
      <xs:maxLength value="70"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:complexType name="LineType">
    <xs:sequence>
      <xs:element name="Sku" type="o:NameType"/>
      <xs:element name="Quantity" type="xs:positiveInteger"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="OrderType">
    <xs:sequence>
      <xs:element name="OrderId" type="o:OrderIdType"/>
      <xs:element name="Buyer" type="o:NameType"/>
      <xs:element name="Seller" type="o:NameType"/>
      <!-- INSERT -->
      <xs:element name="Reference" type="o:NameType" minOccurs="0"/>
      <xs:element name="Note" type="xs:string" minOccurs="0"/>
      <xs:element name="Line" type="o:LineType" maxOccurs="unbounded"/>
    </xs:sequence>
    <xs:attribute name="version" type="xs:string" use="required"/>
  </xs:complexType>
  <xs:element name="Order" type="o:OrderType"/>
</xs:schema>
"#;

/// All generated files, concatenated in a fixed order, as lines.
fn generate(schema: &str, proptest: bool) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!(
        "xsd-codegen-diff-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path: PathBuf = dir.join("orders.xsd");
    std::fs::write(&path, schema).expect("write schema");
    let out = Generator::new()
        .schema(&path)
        .source_root(&dir)
        .proptest(proptest)
        .generate()
        .expect("generate");
    let _ = std::fs::remove_dir_all(&dir);
    out.files
        .values()
        .flat_map(|f| f.lines().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Lines removed plus lines added by the shortest line diff (LCS).
fn changed_lines(a: &[String], b: &[String]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    n + m - 2 * lcs[0][0] as usize
}

fn diff(change: impl Fn(&str) -> String, proptest: bool) -> usize {
    let before = generate(SCHEMA, proptest);
    let changed = change(SCHEMA);
    assert_ne!(changed, SCHEMA, "the change applies");
    let after = generate(&changed, proptest);
    let n = changed_lines(&before, &after);
    eprintln!("{n} generated lines changed (strategies: {proptest})");
    n
}

fn insert_optional(s: &str) -> String {
    s.replace(
        "<!-- INSERT -->",
        r#"<xs:element name="Carrier" type="o:NameType" minOccurs="0"/>"#,
    )
}

fn change_facet(s: &str) -> String {
    s.replace(
        r#"<xs:maxLength value="70"/>"#,
        r#"<xs:maxLength value="35"/>"#,
    )
}

#[test]
fn adding_one_optional_element_changes_only_its_own_lines() {
    let n = diff(insert_optional, false);
    // The field (3 lines with its doc), its row in the content table, its
    // read, its initializer and its write: nothing of its neighbours.
    assert!(n <= 15, "{n} generated lines changed (at most 15 expected)");
    assert!(n >= 5, "{n} lines: the new element must appear");
}

#[test]
fn adding_one_optional_element_with_strategies_stays_small() {
    let n = diff(insert_optional, true);
    assert!(
        n <= 20,
        "{n} generated lines changed with proptest strategies"
    );
}

#[test]
fn changing_one_facet_changes_at_most_four_lines() {
    let n = diff(change_facet, false);
    assert!(n <= 4, "{n} generated lines changed (at most 4 expected)");
    assert!(n >= 1, "the facet must appear in the output");
    let n = diff(change_facet, true);
    assert!(
        n <= 4,
        "{n} generated lines changed with strategies (at most 4 expected)"
    );
}

#[test]
fn the_line_diff_counts_what_changed() {
    let a: Vec<String> = ["x", "y", "z"].map(String::from).to_vec();
    let b: Vec<String> = ["x", "q", "y", "z"].map(String::from).to_vec();
    assert_eq!(changed_lines(&a, &b), 1);
    assert_eq!(changed_lines(&b, &a), 1);
    let c: Vec<String> = ["x", "w", "z"].map(String::from).to_vec();
    assert_eq!(changed_lines(&a, &c), 2);
}
