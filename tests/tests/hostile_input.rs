//! Hostile input: documents built to hurt (entity bombs, XXE, deep nesting,
//! huge values, lying encodings, namespace tricks). Each case asserts the
//! specific error (or the correct reading) within bounded memory and time;
//! where the case is about validity, xmllint's verdict is compared too.

use std::io::Read;
use std::path::PathBuf;

use cas_messages::Message;
use cas_messages::article_data_item::ArticleDataItem;
use cas_tests::{schemas_dir, xmllint};
use xsd_runtime::xml::ReadOptions;
use xsd_runtime::{ErrorKind, ValidationErrors, XmlRoot};

const ROOT: &str = r#"<ArticleDataItem xmlns="urn:cas:ingestion:article-data-item:1" xmlns:cmn="urn:cas:common:1" schemaVersion="1.0">"#;
const HEADER: &str = "<Header><cmn:SenderId>DE123456789012345</cmn:SenderId><cmn:MessageId>ART-0001</cmn:MessageId>\
<cmn:CreationDateTime>2024-05-14T08:30:00Z</cmn:CreationDateTime><cmn:Action>create</cmn:Action></Header>";

fn minimal() -> String {
    std::fs::read_to_string(schemas_dir().join("examples/ArticleDataItem/valid/minimal.xml"))
        .expect("example")
}

/// The minimal ArticleDataItem with `from` replaced by `to` (once; it must occur).
fn variant(from: &str, to: &str) -> String {
    let doc = minimal();
    assert!(doc.contains(from), "{from:?} not in the minimal example");
    doc.replacen(from, to, 1)
}

fn errors(bytes: &[u8]) -> ValidationErrors {
    match Message::from_slice(bytes) {
        Ok(_) => panic!(
            "accepted:\n{}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(400)])
        ),
        Err(e) => e,
    }
}

/// The one error of a document that must fail with exactly one.
fn only_error(bytes: &[u8]) -> xsd_runtime::ValidationError {
    let e = errors(bytes);
    assert_eq!(e.len(), 1, "expected one error, got: {e}");
    e.0.into_iter().next().expect("one error")
}

/// xmllint's verdict on `doc` against the ArticleDataItem schema.
fn xmllint_valid(name: &str, doc: &[u8]) -> bool {
    let dir = std::env::temp_dir().join(format!("cas-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path: PathBuf = dir.join(format!("{name}.xml"));
    std::fs::write(&path, doc).expect("write temp doc");
    let verdict = xmllint(&schemas_dir().join("ArticleDataItem.xsd"), &path);
    let _ = std::fs::remove_file(&path);
    verdict.valid
}

/// Our verdict agrees with xmllint's, and is `valid`.
fn agrees_with_xmllint(name: &str, doc: &str, valid: bool) {
    let ours = Message::from_xml(doc);
    assert_eq!(
        ours.is_ok(),
        valid,
        "{name}: ours: {:?}",
        ours.err().map(|e| e.to_string())
    );
    assert_eq!(
        xmllint_valid(name, doc.as_bytes()),
        valid,
        "{name}: xmllint disagrees"
    );
}

/// A stream that makes up `prefix`, then `fill` bytes of `byte`, then
/// `suffix`, without holding them: what a 1 GB upload looks like to the
/// reader, at no memory cost to the test.
struct Synth {
    prefix: Vec<u8>,
    fill: u64,
    byte: u8,
    suffix: Vec<u8>,
    served: u64,
}

impl Synth {
    fn new(prefix: &str, fill: u64, byte: u8, suffix: &str) -> Self {
        Synth {
            prefix: prefix.into(),
            fill,
            byte,
            suffix: suffix.into(),
            served: 0,
        }
    }
    fn len(&self) -> u64 {
        self.prefix.len() as u64 + self.fill + self.suffix.len() as u64
    }
}

impl Read for Synth {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let (p, f) = (self.prefix.len() as u64, self.fill);
        let mut n = 0;
        while n < buf.len() && self.served < self.len() {
            let at = self.served;
            buf[n] = if at < p {
                self.prefix[at as usize]
            } else if at < p + f {
                self.byte
            } else {
                self.suffix[(at - p - f) as usize]
            };
            n += 1;
            self.served += 1;
        }
        Ok(n)
    }
}

// ----- DTDs ----------------------------------------------------------------------

fn assert_dtd_refused(doc: &str) {
    let e = only_error(doc.as_bytes());
    match &e.kind {
        ErrorKind::Unsupported { what } => assert!(what.contains("DTD"), "{e}"),
        other => panic!("expected the DTD to be refused, got {other:?}"),
    }
}

#[test]
fn billion_laughs_is_refused_before_any_expansion() {
    let mut dtd = String::from(r#"<!ENTITY lol0 "lol">"#);
    for i in 1..10 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!(r#"<!ENTITY lol{i} "{refs}">"#));
    }
    let doc = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE ArticleDataItem [{dtd}]>{ROOT}{HEADER}<Article>&lol9;</Article></ArticleDataItem>"
    );
    assert_dtd_refused(&doc);
}

#[test]
fn external_entities_and_dtds_are_never_read() {
    // A file that exists: if it were read, its content would show up.
    let xxe = format!(
        "<!DOCTYPE ArticleDataItem [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>{ROOT}{HEADER}<Article><ArticleNumber>&xxe;</ArticleNumber></Article></ArticleDataItem>"
    );
    assert_dtd_refused(&xxe);
    let external_dtd = format!(
        "<!DOCTYPE ArticleDataItem SYSTEM \"http://127.0.0.1:9/evil.dtd\">{}",
        minimal().replacen("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "", 1)
    );
    assert_dtd_refused(&external_dtd);
    let public = format!(
        "<!DOCTYPE ArticleDataItem PUBLIC \"-//X//Y\" \"file:///etc/hostname\">{ROOT}{HEADER}</ArticleDataItem>"
    );
    assert_dtd_refused(&public);
}

#[test]
fn parameter_entities_are_refused() {
    let doc = format!(
        "<!DOCTYPE ArticleDataItem [<!ENTITY % ext SYSTEM \"file:///etc/passwd\"> %ext; <!ENTITY % p \"<!ENTITY q 'x'>\"> %p;]>{ROOT}{HEADER}</ArticleDataItem>"
    );
    assert_dtd_refused(&doc);
}

#[test]
fn an_entity_reference_without_a_dtd_is_malformed_not_looked_up() {
    for doc in [
        variant("<ArticleNumber>100-2000-A", "<ArticleNumber>&xxe;"),
        variant("schemaVersion=\"1.0\"", "schemaVersion=\"&xxe;\""),
    ] {
        let e = only_error(doc.as_bytes());
        match &e.kind {
            ErrorKind::Malformed { message } => assert!(message.contains("xxe"), "{e}"),
            other => panic!("expected malformed, got {other:?}"),
        }
        assert!(e.location.is_some(), "{e}");
    }
}

// ----- depth -----------------------------------------------------------------------

#[test]
fn deep_nesting_in_wildcard_content_stops_at_the_depth_limit() {
    // Extensions takes any foreign element (lax), each read as a tree:
    // the recursion a hostile document could drive. 100,000 levels.
    let depth = 100_000;
    let mut deep = String::from("<Extensions xmlns:e=\"urn:e\">");
    deep.push_str(&"<e:a>".repeat(depth));
    deep.push_str(&"</e:a>".repeat(depth));
    deep.push_str("</Extensions></Article>");
    let doc = variant("</Article>", &deep);
    let e = only_error(doc.as_bytes());
    assert_eq!(
        e.kind,
        ErrorKind::Limit {
            what: "element depth",
            limit: 256
        },
        "{e}"
    );
    assert!(
        e.path
            .starts_with("/ArticleDataItem/Article[1]/Extensions/a[1]/a/"),
        "{}",
        e.path
    );
    assert_eq!(
        e.path.matches('/').count(),
        256,
        "the path names the element at the limit"
    );

    // The limit is configurable: a shallower one stops earlier, a deeper
    // document within it reads.
    let opts = ReadOptions {
        max_depth: 16,
        ..ReadOptions::default()
    };
    let e = Message::from_xml_with(&doc, &opts).expect_err("too deep");
    assert_eq!(
        e.0[0].kind,
        ErrorKind::Limit {
            what: "element depth",
            limit: 16
        }
    );
    let mut ok = String::from("<Extensions xmlns:e=\"urn:e\">");
    ok.push_str(&"<e:a>".repeat(200));
    ok.push_str(&"</e:a>".repeat(200));
    ok.push_str("</Extensions></Article>");
    let doc = variant("</Article>", &ok);
    Message::from_xml(&doc).expect("200 levels are within the default limit");
}

// ----- size ------------------------------------------------------------------------

#[test]
fn a_huge_stream_is_read_only_up_to_the_document_limit() {
    // A 1 GB text node, streamed: reading stops at the limit.
    let prefix = format!("{ROOT}{HEADER}<Article><ArticleNumber>");
    let mut src = Synth::new(
        &prefix,
        1 << 30,
        b'a',
        "</ArticleNumber></Article></ArticleDataItem>",
    );
    let opts = ReadOptions {
        max_document_bytes: 1 << 20,
        ..ReadOptions::default()
    };
    let e = Message::from_reader_with(&mut src, &opts).expect_err("over the limit");
    assert_eq!(e.len(), 1, "{e}");
    assert_eq!(
        e.0[0].kind,
        ErrorKind::Limit {
            what: "document size in bytes",
            limit: 1 << 20
        }
    );
    assert!(
        src.served <= (1 << 20) + 64 * 1024,
        "read {} bytes of a 1 GB stream",
        src.served
    );

    // The same limit holds for documents already in memory.
    let big = variant("Hydraulic pump", &"x".repeat(2 << 20));
    let e = Message::from_xml_with(&big, &opts).expect_err("over the limit");
    assert_eq!(
        e.0[0].kind,
        ErrorKind::Limit {
            what: "document size in bytes",
            limit: 1 << 20
        }
    );
    let e = Message::from_slice_with(big.as_bytes(), &opts).expect_err("over the limit");
    assert_eq!(
        e.0[0].kind,
        ErrorKind::Limit {
            what: "document size in bytes",
            limit: 1 << 20
        }
    );
}

#[test]
fn from_reader_reads_what_from_slice_reads() {
    let doc = minimal();
    let from_reader = ArticleDataItem::from_reader(doc.as_bytes()).expect("valid");
    assert_eq!(
        from_reader,
        ArticleDataItem::from_slice(doc.as_bytes()).expect("valid")
    );
    let msg = Message::from_reader(doc.as_bytes()).expect("valid");
    assert!(matches!(msg, Message::ArticleDataItem(_)));
    // A failing stream is an `io` error, not a panic or a partial read.
    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("connection reset"))
        }
    }
    let e = Message::from_reader(Broken).expect_err("broken stream");
    assert!(
        matches!(&e.0[0].kind, ErrorKind::Io { message } if message.contains("connection reset")),
        "{e}"
    );
}

#[test]
fn a_huge_text_node_is_a_value_limit_error() {
    let opts = ReadOptions {
        max_value_bytes: 1 << 20,
        ..ReadOptions::default()
    };
    let doc = variant("Hydraulic pump HP-200", &"p".repeat(3 << 20));
    let e = Message::from_xml_with(&doc, &opts).expect_err("too long a value");
    assert_eq!(e.len(), 1, "{e}");
    assert_eq!(
        e.0[0].kind,
        ErrorKind::Limit {
            what: "value size in bytes",
            limit: 1 << 20
        }
    );
    assert_eq!(e.0[0].path, "/ArticleDataItem/Article[1]/Description[1]");
    // Pieces (references, CDATA) count together.
    let pieces = "&amp;<![CDATA[xx]]>".repeat(400_000);
    let doc = variant("Hydraulic pump HP-200", &pieces);
    let e = Message::from_xml_with(&doc, &opts).expect_err("too long a value");
    assert_eq!(
        e.0[0].kind,
        ErrorKind::Limit {
            what: "value size in bytes",
            limit: 1 << 20
        }
    );
    // Within the default limit, a long text is an ordinary value: here one
    // too long for its type (maxLength), as xmllint says too.
    let doc = variant("Hydraulic pump HP-200", &"p".repeat(3 << 20));
    let e = errors(doc.as_bytes());
    assert!(e.iter().all(|x| x.constraint() == "maxLength"), "{e}");
    assert!(!xmllint_valid("long-description", doc.as_bytes()));
}

#[test]
fn a_huge_attribute_value_is_a_value_limit_error() {
    let opts = ReadOptions {
        max_value_bytes: 1 << 20,
        ..ReadOptions::default()
    };
    let doc = variant(
        "schemaVersion=\"1.0\"",
        &format!("schemaVersion=\"{}\"", "9".repeat(2 << 20)),
    );
    let e = Message::from_xml_with(&doc, &opts).expect_err("too long a value");
    assert_eq!(e.len(), 1, "{e}");
    assert_eq!(
        e.0[0].kind,
        ErrorKind::Limit {
            what: "value size in bytes",
            limit: 1 << 20
        }
    );
    assert_eq!(e.0[0].path, "/ArticleDataItem/@schemaVersion");
}

#[test]
fn millions_of_attributes_stop_at_the_attribute_limit() {
    let n = 2_000_000;
    let mut attrs = String::with_capacity(n * 12);
    for i in 0..n {
        attrs.push_str(&format!(" a{i}=\"\""));
    }
    let doc = variant(
        "schemaVersion=\"1.0\"",
        &format!("schemaVersion=\"1.0\"{attrs}"),
    );
    let e = only_error(doc.as_bytes());
    assert_eq!(
        e.kind,
        ErrorKind::Limit {
            what: "attributes on one element",
            limit: 1024
        },
        "{e}"
    );
    assert_eq!(e.path, "/ArticleDataItem");
    // Below the limit, each unknown attribute is reported (capped by max_errors).
    let few: String = (0..10).map(|i| format!(" a{i}=\"\"")).collect();
    let doc = variant(
        "schemaVersion=\"1.0\"",
        &format!("schemaVersion=\"1.0\"{few}"),
    );
    let e = errors(doc.as_bytes());
    assert_eq!(e.len(), 10, "{e}");
    assert!(
        e.iter()
            .all(|x| matches!(x.kind, ErrorKind::UnexpectedAttribute { .. })),
        "{e}"
    );
}

#[test]
fn the_documented_defaults() {
    let d = ReadOptions::default();
    assert_eq!(
        (
            d.validate,
            d.max_depth,
            d.max_errors,
            d.max_document_bytes,
            d.max_value_bytes,
            d.max_attributes,
            d.max_wildcard_nodes
        ),
        (true, 256, 1000, 256 << 20, 16 << 20, 1024, 1_000_000),
        "xsd-runtime/src/lib.rs documents these: update both together"
    );
    let docs = include_str!("../../xsd-runtime/src/lib.rs");
    for row in [
        "256 MiB",
        "16 MiB",
        "1024",
        "256 (`max_depth`)",
        "1000 (`max_errors`)",
        "1,000,000 (`max_wildcard_nodes`)",
    ] {
        assert!(docs.contains(row), "the limits table lacks {row}");
    }
}

// ----- encodings ---------------------------------------------------------------------

fn assert_encoding_error(bytes: &[u8], needle: &str) {
    let e = only_error(bytes);
    match &e.kind {
        ErrorKind::Encoding { message } => assert!(message.contains(needle), "{e}"),
        other => panic!("expected an encoding error, got {other:?}"),
    }
}

#[test]
fn invalid_utf8_is_an_encoding_error_where_it_occurs() {
    let doc = variant("Hydraulic pump", "Hydraulic pump \u{fc}");
    let at = doc.find('\u{fc}').expect("umlaut");
    let mut bytes = doc.into_bytes();
    bytes.splice(at..at + 2, [0xFC]); // Latin-1 ü in a UTF-8 document
    let e = only_error(&bytes);
    assert!(
        matches!(&e.kind, ErrorKind::Encoding { message } if message.contains("0xFC")),
        "{e}"
    );
    assert_eq!(e.path, "/ArticleDataItem/Article[1]/Description[1]");
    assert!(
        !xmllint_valid("bad-utf8", &bytes),
        "xmllint accepts invalid UTF-8"
    );
}

#[test]
fn a_utf8_bom_is_read() {
    let doc = minimal();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(doc.as_bytes());
    let with_bom = ArticleDataItem::from_slice(&bytes).expect("a BOM is allowed");
    assert_eq!(with_bom, ArticleDataItem::from_xml(&doc).expect("valid"));
    assert!(xmllint_valid("bom", &bytes));
}

#[test]
fn utf16_with_its_declaration_is_refused_clearly() {
    let doc = minimal().replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
    let units: Vec<u16> = doc.encode_utf16().collect();
    let le: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    let be: Vec<u8> = units.iter().flat_map(|u| u.to_be_bytes()).collect();
    for (name, body) in [("le", &le), ("be", &be)] {
        let bom: &[u8] = if name == "le" {
            b"\xFF\xFE"
        } else {
            b"\xFE\xFF"
        };
        let with_bom = [bom, body.as_slice()].concat();
        assert_encoding_error(&with_bom, "UTF-16");
        // Without a byte order mark, recognized by `<?` in UTF-16.
        assert_encoding_error(body, "UTF-16");
        // xmllint reads it (a valid document): ours is a clear refusal, not a misreading.
        assert!(xmllint_valid(&format!("utf16-{name}"), &with_bom));
    }
}

#[test]
fn a_lying_encoding_declaration_is_refused() {
    // Says ISO-8859-1, is UTF-8: read as declared, the text would change.
    let doc = variant("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"")
        .replace("Hydraulic pump", "Hydraulikpumpe für Öl");
    assert_encoding_error(doc.as_bytes(), "ISO-8859-1");
    // Says UTF-8, is Latin-1: the first non-UTF-8 byte is the error (xmllint agrees).
    let latin1: Vec<u8> = variant("Hydraulic pump", "Hydraulikpumpe f\u{fc}r \u{d6}l")
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1"))
        .collect();
    assert_encoding_error(&latin1, "0xFC");
    assert!(!xmllint_valid("utf8-but-latin1", &latin1));
    // Says US-ASCII: fine while it is.
    let ascii = variant("encoding=\"UTF-8\"", "encoding=\"US-ASCII\"");
    Message::from_xml(&ascii).expect("ASCII is UTF-8");
    assert!(xmllint_valid("ascii", ascii.as_bytes()));
    let not_ascii = ascii.replace("Hydraulic pump", "Hydraulikpumpe für Öl");
    assert_encoding_error(not_ascii.as_bytes(), "US-ASCII");
    assert!(!xmllint_valid("ascii-lie", not_ascii.as_bytes()));
    // Any other spelling of UTF-8.
    Message::from_xml(&variant("encoding=\"UTF-8\"", "encoding=\"utf-8\""))
        .expect("case-insensitive");
}

// ----- namespaces ----------------------------------------------------------------------

#[test]
fn one_namespace_under_different_prefixes_reads_the_same() {
    let expected = ArticleDataItem::from_xml(&minimal()).expect("valid");
    // The common namespace as `c:` on one element, `cmn:` elsewhere; the
    // message's own namespace as a prefix instead of the default.
    let doc = variant(
        "<cmn:MessageId>ART-0001</cmn:MessageId>",
        "<c:MessageId xmlns:c=\"urn:cas:common:1\">ART-0001</c:MessageId>",
    )
    .replace(
        "<ArticleDataItem xmlns=",
        "<a:ArticleDataItem xmlns:a=\"urn:cas:ingestion:article-data-item:1\" xmlns=",
    )
    .replace("</ArticleDataItem>", "</a:ArticleDataItem>")
    .replace("<Article>", "<a:Article>")
    .replace("</Article>", "</a:Article>");
    assert_eq!(
        ArticleDataItem::from_xml(&doc).expect("same names"),
        expected
    );
    assert!(xmllint_valid("prefixes", doc.as_bytes()));
}

#[test]
fn a_redeclared_default_namespace_is_honoured() {
    // Redeclared to the same URI: the same document.
    let same = variant(
        "<Article>",
        "<Article xmlns=\"urn:cas:ingestion:article-data-item:1\">",
    );
    agrees_with_xmllint("default-same", &same, true);
    // Redeclared to another URI: Article is then another element.
    let other = variant("<Article>", "<Article xmlns=\"urn:other\">");
    agrees_with_xmllint("default-other", &other, false);
    let e = errors(other.as_bytes());
    assert!(
        e.iter()
            .any(|x| x.path.starts_with("/ArticleDataItem/Article")),
        "{e}"
    );
    // Undeclared (xmlns=""): no namespace, also another element.
    let none = variant("<Article>", "<Article xmlns=\"\">");
    agrees_with_xmllint("default-none", &none, false);
}

#[test]
fn an_undeclared_prefix_is_malformed() {
    for (name, doc) in [
        (
            "element",
            variant("<Article>", "<zz:Article>").replace("</Article>", "</zz:Article>"),
        ),
        (
            "attribute",
            variant("<Article>", "<Article zz:status=\"active\">"),
        ),
    ] {
        let e = only_error(doc.as_bytes());
        assert!(
            matches!(&e.kind, ErrorKind::Malformed { message } if message.contains("'zz' is not declared")),
            "{name}: {e}"
        );
        assert!(e.location.is_some(), "{name}: {e}");
        assert!(
            !xmllint_valid(&format!("undeclared-{name}"), doc.as_bytes()),
            "{name}"
        );
    }
}

// ----- xsi:type and xsi:nil --------------------------------------------------------------

const XSI: &str = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

fn with_xsi(doc: &str) -> String {
    doc.replacen(
        "schemaVersion=\"1.0\"",
        &format!("{XSI} xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" schemaVersion=\"1.0\""),
        1,
    )
}

#[test]
fn xsi_nil_only_on_nillable_elements_and_then_empty() {
    // ValidUntil is nillable.
    let nil = with_xsi(&variant(
        "</Article>",
        "<ValidUntil xsi:nil=\"true\"/></Article>",
    ));
    agrees_with_xmllint("nil-ok", &nil, true);
    // ArticleNumber is not (xmllint agrees).
    let not_nillable = with_xsi(&variant(
        "<ArticleNumber>100-2000-A</ArticleNumber>",
        "<ArticleNumber xsi:nil=\"true\"></ArticleNumber>",
    ));
    agrees_with_xmllint("nil-not-nillable", &not_nillable, false);
    let e = errors(not_nillable.as_bytes());
    assert!(
        e.iter().any(|x| matches!(x.kind, ErrorKind::Nil { .. })
            && x.path == "/ArticleDataItem/Article[1]/ArticleNumber"),
        "{e}"
    );
    // Nil with content.
    let nil_content = with_xsi(&variant(
        "</Article>",
        "<ValidUntil xsi:nil=\"true\">2024-01-01</ValidUntil></Article>",
    ));
    agrees_with_xmllint("nil-content", &nil_content, false);
    assert!(
        errors(nil_content.as_bytes())
            .iter()
            .any(|x| matches!(x.kind, ErrorKind::Nil { .. }))
    );
    // Not a boolean.
    let maybe = with_xsi(&variant(
        "</Article>",
        "<ValidUntil xsi:nil=\"maybe\"/></Article>",
    ));
    agrees_with_xmllint("nil-maybe", &maybe, false);
    assert!(
        errors(maybe.as_bytes())
            .iter()
            .any(|x| x.path.ends_with("/@xsi:nil") && x.constraint() == "datatype")
    );
    // xsi:nil="false" on a nillable element is just its value.
    let not_nil = with_xsi(&variant(
        "</Article>",
        "<ValidUntil xsi:nil=\"false\">2025-01-01</ValidUntil></Article>",
    ));
    agrees_with_xmllint("nil-false", &not_nil, true);
}

#[test]
fn xsi_type_is_refused_by_name() {
    // Another type than the declared one: invalid for both.
    let other = with_xsi(&variant(
        "<ArticleNumber>",
        "<ArticleNumber xsi:type=\"xs:int\">",
    ));
    assert!(!xmllint_valid("type-other", other.as_bytes()));
    let e = errors(other.as_bytes());
    assert!(
        e.iter().any(|x| matches!(&x.kind, ErrorKind::Unsupported { what } if what.contains("xsi:type=\"xs:int\""))
            && x.path == "/ArticleDataItem/Article[1]/ArticleNumber/@xsi:type"),
        "{e}"
    );
    // The declared type itself (xs:date for ValidFrom): xmllint accepts it;
    // we refuse every xsi:type, since the type always comes from the
    // schema (a known, documented difference: nothing is read differently).
    let same = with_xsi(&variant("<ValidFrom>", "<ValidFrom xsi:type=\"xs:date\">"));
    assert!(xmllint_valid("type-same", same.as_bytes()));
    assert_eq!(only_error(same.as_bytes()).constraint(), "unsupported");
}

// ----- CDATA, comments, processing instructions, whitespace -----------------------------

#[test]
fn comments_and_pis_between_elements_and_inside_text_are_ignored() {
    let expected = ArticleDataItem::from_xml(&minimal()).expect("valid");
    let doc = variant("<ArticleNumber>100-2000-A</ArticleNumber>", "<!-- c --><?pi data?><ArticleNumber>100-<!--x-->2000<?pi y?>-<![CDATA[A]]></ArticleNumber><!--after-->")
        .replace("<Header>", "<?before header?><!--h--><Header>");
    assert_eq!(
        ArticleDataItem::from_xml(&doc).expect("same values"),
        expected
    );
    assert!(xmllint_valid("comments", doc.as_bytes()));
    // After the root element too.
    let tail = format!("{}<!-- end --><?end?>\n", minimal());
    assert_eq!(ArticleDataItem::from_xml(&tail).expect("valid"), expected);
}

#[test]
fn cdata_between_elements_is_text_where_none_is_allowed() {
    let doc = variant("<Classification>", "<![CDATA[ surprise ]]><Classification>");
    agrees_with_xmllint("cdata-between", &doc, false);
    let e = only_error(doc.as_bytes());
    assert!(
        matches!(&e.kind, ErrorKind::UnexpectedText { text } if text == "surprise"),
        "{e}"
    );
    // Even a blank CDATA section is character content to xmllint (the
    // reference), unlike whitespace outside CDATA.
    let ws = variant("<Classification>", "<![CDATA[  ]]><Classification>");
    agrees_with_xmllint("cdata-ws", &ws, false);
    assert!(matches!(
        &only_error(ws.as_bytes()).kind,
        ErrorKind::UnexpectedText { .. }
    ));
    let plain = variant("<Classification>", "  \n\t <Classification>");
    agrees_with_xmllint("ws", &plain, true);
}

#[test]
fn whitespace_only_text_where_a_value_is_expected() {
    // A decimal, a pattern-restricted token, a date: each invalid when blank.
    for (name, from, to) in [
        (
            "decimal",
            "<NetMass>12.5</NetMass>",
            "<NetMass>  \n\t </NetMass>",
        ),
        (
            "pattern",
            "<CnCode>84136031</CnCode>",
            "<CnCode>   </CnCode>",
        ),
        (
            "date",
            "<ValidFrom>2024-01-01</ValidFrom>",
            "<ValidFrom> </ValidFrom>",
        ),
    ] {
        let doc = variant(from, to);
        agrees_with_xmllint(name, &doc, false);
        let e = errors(doc.as_bytes());
        assert!(
            e.iter()
                .all(|x| matches!(x.kind, ErrorKind::Datatype { .. } | ErrorKind::Facet(_))),
            "{name}: {e}"
        );
    }
    // Surrounding whitespace on a collapsed value is fine.
    let padded = variant("<NetMass>12.5</NetMass>", "<NetMass>\n  12.5 \n</NetMass>");
    agrees_with_xmllint("padded", &padded, true);
}

// ----- wildcard content --------------------------------------------------------------

fn maximal_article() -> String {
    std::fs::read_to_string(schemas_dir().join("examples/ArticleDataItem/valid/maximal.xml"))
        .expect("example")
}

/// The maximal ArticleDataItem with `content` in its first Extensions (a lax wildcard).
fn with_extension(content: &str) -> String {
    let doc = maximal_article();
    let from = "<ext:PlmRevision>C</ext:PlmRevision>";
    assert!(doc.contains(from));
    doc.replacen(from, content, 1)
}

#[test]
fn wildcard_nodes_are_bounded() {
    // Each `<ext:a/>` becomes an owned tree node many times its size: the
    // count is limited, so memory stays a small multiple of the input.
    let opts = ReadOptions {
        max_wildcard_nodes: 1000,
        ..ReadOptions::default()
    };
    let doc = with_extension(&"<ext:a/>".repeat(2000));
    let e = Message::from_xml_with(&doc, &opts).expect_err("too many wildcard nodes");
    assert_eq!(e.len(), 1, "{e}");
    assert_eq!(
        e.0[0].kind,
        ErrorKind::Limit {
            what: "wildcard (xs:any) nodes",
            limit: 1000
        }
    );
    assert!(
        e.0[0].path == "/ArticleDataItem/Article[1]/Extensions/a[1001]",
        "{}",
        e.0[0].path
    );
    // Within the limit the same content reads, and xmllint accepts it too.
    let doc = with_extension(&"<ext:a/>".repeat(500));
    agrees_with_xmllint("wildcard-500", &doc, true);
    // Text counts too, and a text in wildcard content obeys the value limit.
    let opts = ReadOptions {
        max_value_bytes: 1 << 16,
        ..ReadOptions::default()
    };
    let doc = with_extension(&format!("<ext:t>{}</ext:t>", "x&amp;".repeat(40_000)));
    let e = Message::from_xml_with(&doc, &opts).expect_err("too long a wildcard text");
    assert_eq!(
        e.0[0].kind,
        ErrorKind::Limit {
            what: "value size in bytes",
            limit: 1 << 16
        }
    );
}

#[test]
fn many_distinct_wildcard_names_are_counted_right() {
    // 5,000 distinct names, then repeats: sibling counting goes through its
    // index (linear, not quadratic), and the indexes in paths stay right.
    let mut content = String::new();
    for i in 0..5000 {
        content.push_str(&format!("<ext:n{i}/>"));
    }
    // The node limit reports the path of the node past it: its sibling
    // count (found through the index, past the first names) is exact.
    content.push_str("<ext:n7/><ext:n4999/><ext:n0/><ext:n7/>");
    let doc = with_extension(&content);
    let opts = ReadOptions {
        max_wildcard_nodes: 5003,
        ..ReadOptions::default()
    };
    let e = Message::from_xml_with(&doc, &opts).expect_err("past the node limit");
    assert_eq!(
        e.0[0].path, "/ArticleDataItem/Article[1]/Extensions/n7[3]",
        "{e}"
    );
    // Within it, the document is valid (xmllint agrees).
    assert!(Message::from_xml(&doc).is_ok());
    assert!(xmllint_valid("many-names", doc.as_bytes()));
}
