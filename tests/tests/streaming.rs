//! `from_reader` parses the stream as it arrives (xsd-runtime's
//! `xml::stream`): the same value, verdict and errors, with the same paths
//! and line/column, as `from_slice` on the same bytes, whatever the pieces
//! the stream arrives in; and it stops reading at the size limit.
//! Validate-only (`validate_reader`, which checks repeated children and
//! drops them) gives the same verdict and errors.

use std::io::Read;
use std::path::Path;

use cas_messages::article_data_item::ArticleDataItem;
use cas_messages::business_partners::BusinessPartners;
use cas_messages::certificate_of_origin::CertificateOfOrigin;
use cas_messages::customs_shipment::CustomsShipment;
use cas_messages::formula::Formula;
use cas_messages::material_list::MaterialList;
use cas_messages::material_list_invalidation_request::MaterialListInvalidationRequest;
use cas_messages::movement_order::MovementOrder;
use cas_tests::schemas_dir;
use xsd_runtime::xml::ReadOptions;
use xsd_runtime::{ErrorKind, XmlRoot};

/// A stream that gives at most `piece` bytes per read and counts them.
struct Trickle<'a> {
    data: &'a [u8],
    piece: usize,
    served: u64,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.piece.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.served += n as u64;
        Ok(n)
    }
}

fn trickle(data: &[u8], piece: usize) -> Trickle<'_> {
    Trickle {
        data,
        piece,
        served: 0,
    }
}

/// Both readings of `bytes` as `T`, compared in full (value or every
/// error), and validate-only, which must give the same verdict and errors.
fn same<T: XmlRoot + std::fmt::Debug + PartialEq>(name: &str, bytes: &[u8], opts: &ReadOptions) {
    let sliced = T::from_slice_with(bytes, opts);
    let verdict = sliced.as_ref().map(|_| ()).map_err(Clone::clone);
    for piece in [1, 7, 1 << 20] {
        let streamed = T::from_reader_with(trickle(bytes, piece), opts);
        assert!(
            streamed == sliced,
            "{name} (pieces of {piece}): from_reader and from_slice differ\nstreamed: {streamed:?}\nsliced:   {sliced:?}"
        );
        let validated = T::validate_reader_with(trickle(bytes, piece), opts);
        assert!(
            validated == verdict,
            "{name} (pieces of {piece}): validate_reader and from_slice differ\nvalidate-only: {validated:?}\nsliced:        {verdict:?}"
        );
    }
    let whole = cas_messages::Message::validate_reader_with(bytes, opts);
    let read = cas_messages::Message::from_slice_with(bytes, opts).map(|_| ());
    assert!(
        whole == read,
        "{name}: Message::validate_reader and Message::from_slice differ\nvalidate-only: {whole:?}\nread:          {read:?}"
    );
}

/// Variants of a document that exercise every path of the stream checks:
/// the document, a byte order mark, invalid UTF-8, forbidden characters,
/// cuts, a lying declaration, an undeclared prefix, attributes over lines.
fn variants(doc: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![("as is".to_owned(), doc.to_vec())];
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(doc);
    out.push(("with a BOM".into(), bom));
    let n = doc.len();
    for at in [n / 7, n / 3, n / 2, n - n / 5, n.saturating_sub(2)] {
        for (what, bad) in [
            ("0xFF", &b"\xFF"[..]),
            ("U+0001", b"\x01"),
            ("U+FFFE", "\u{fffe}".as_bytes()),
            ("a cut é", &"é".as_bytes()[..1]),
        ] {
            let mut v = doc[..at].to_vec();
            v.extend_from_slice(bad);
            v.extend_from_slice(&doc[at..]);
            out.push((format!("{what} at {at}"), v));
        }
        out.push((format!("cut at {at}"), doc[..at].to_vec()));
    }
    let text = String::from_utf8_lossy(doc);
    if let Some(first_gt) = text.find("?>") {
        let ascii = text.replacen("UTF-8", "US-ASCII", 1);
        out.push(("declared ASCII".into(), ascii.into_bytes()));
        let latin = text.replacen("UTF-8", "ISO-8859-1", 1);
        out.push(("declared Latin-1".into(), latin.into_bytes()));
        let _ = first_gt;
    }
    // The root start tag: an undeclared prefix, an attribute on a later line.
    if let Some(root) = text.find('<').and_then(|i| {
        let rest = &text[i..];
        let j = if rest.starts_with("<?") {
            rest.find("?>")
                .and_then(|k| rest[k..].find('<').map(|m| i + k + m))
        } else {
            Some(i)
        }?;
        text[j..].find('>').map(|k| j + k)
    }) {
        let mut v = text.clone().into_owned();
        v.insert_str(root, "\n   bogus:attr=\"1\"");
        out.push(("undeclared prefix".into(), v.into_bytes()));
        let mut v = text.clone().into_owned();
        v.insert_str(root, "\n\t  stray=\"x&amp;y\"\n  xsi:nil=\"maybe\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
        out.push(("attributes over lines".into(), v.into_bytes()));
    }
    out
}

fn check_examples<T: XmlRoot + std::fmt::Debug + PartialEq>(message: &str) {
    let dir = schemas_dir().join("examples").join(message);
    let mut files = Vec::new();
    for sub in ["valid", "invalid"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        files.extend(entries.filter_map(Result::ok).map(|e| e.path()));
    }
    files.sort();
    assert!(!files.is_empty(), "no examples of {message}");
    let opts = ReadOptions::default();
    let lax = ReadOptions {
        validate: false,
        ..ReadOptions::default()
    };
    for file in &files {
        let doc = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (what, bytes) in variants(&doc) {
            let name = format!("{} ({what})", short(file));
            same::<T>(&name, &bytes, &opts);
            same::<T>(&name, &bytes, &lax);
        }
    }
}

fn short(p: &Path) -> String {
    let parts: Vec<_> = p.iter().rev().take(3).collect();
    parts
        .iter()
        .rev()
        .map(|s| s.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn streamed_examples_read_exactly_as_in_memory() {
    check_examples::<ArticleDataItem>("ArticleDataItem");
    check_examples::<BusinessPartners>("BusinessPartners");
    check_examples::<CertificateOfOrigin>("CertificateOfOrigin");
    check_examples::<CustomsShipment>("CustomsShipment");
    check_examples::<Formula>("Formula");
    check_examples::<MaterialList>("MaterialList");
    check_examples::<MaterialListInvalidationRequest>("MaterialListInvalidationRequest");
    check_examples::<MovementOrder>("MovementOrder");
}

fn minimal() -> Vec<u8> {
    std::fs::read(schemas_dir().join("examples/ArticleDataItem/valid/minimal.xml"))
        .expect("example")
}

#[test]
fn a_stream_larger_than_the_limit_stops_there_with_the_limit_error() {
    // A valid document followed by megabytes of whitespace: the value
    // would be fine, the size is not.
    let mut doc = minimal();
    doc.extend(std::iter::repeat_n(b' ', 3 << 20));
    let opts = ReadOptions {
        max_document_bytes: 1 << 20,
        ..ReadOptions::default()
    };
    for piece in [4096, 1 << 20] {
        let mut src = trickle(&doc, piece);
        let e = ArticleDataItem::from_reader_with(&mut src, &opts).expect_err("over the limit");
        assert_eq!(e.len(), 1, "{e}");
        assert_eq!(e.0[0].path, "/");
        assert_eq!(e.0[0].location, None);
        assert_eq!(
            e.0[0].kind,
            ErrorKind::Limit {
                what: "document size in bytes",
                limit: 1 << 20
            }
        );
        assert_eq!(src.served, (1 << 20) + 1, "read past the limit");
    }
    // Errors before the limit do not hide it (as in memory: the size is checked first).
    let mut bad = minimal();
    bad.splice(10..10, *b"\x01");
    bad.extend(std::iter::repeat_n(b' ', 2 << 20));
    let e = ArticleDataItem::from_reader_with(trickle(&bad, 777), &opts).expect_err("too big");
    assert_eq!(e.len(), 1, "{e}");
    assert!(matches!(e.0[0].kind, ErrorKind::Limit { .. }), "{e}");
    // Exactly at the limit is fine.
    let doc = minimal();
    let at_limit = ReadOptions {
        max_document_bytes: doc.len() as u64,
        ..ReadOptions::default()
    };
    ArticleDataItem::from_reader_with(trickle(&doc, 1000), &at_limit).expect("at the limit");
}

#[test]
fn streamed_errors_keep_their_line_and_column() {
    let doc = String::from_utf8(minimal()).expect("UTF-8");
    // A misplaced element on a known line, after multi-byte characters.
    let bad = doc.replacen("</Header>", "</Header>\n  <Bogus>ä€😀</Bogus>", 1);
    let line = bad[..bad.find("<Bogus>").expect("inserted")]
        .matches('\n')
        .count() as u32
        + 1;
    let e = ArticleDataItem::from_reader(trickle(bad.as_bytes(), 5)).expect_err("invalid");
    let first = &e.0[0];
    let at = first.location.expect("a location");
    assert_eq!((at.line, at.column), (line, 3), "{e}");
    assert_eq!(
        Some(e),
        ArticleDataItem::from_slice(bad.as_bytes()).err(),
        "the same errors in memory"
    );
    // Invalid UTF-8 deep in the document: the error is where the valid part ends.
    let mut bytes = doc.clone().into_bytes();
    let cut = doc.rfind("</").expect("an end tag");
    bytes.insert(cut, 0xC3);
    bytes.insert(cut + 1, b'(');
    let e = ArticleDataItem::from_reader(trickle(&bytes, 3)).expect_err("invalid UTF-8");
    assert!(
        e.0.iter().any(
            |x| matches!(&x.kind, ErrorKind::Encoding { message } if message.contains("0xC3"))
        ),
        "{e}"
    );
    assert_eq!(Some(e), ArticleDataItem::from_slice(&bytes).err());
}

#[test]
fn a_failing_stream_is_an_io_error() {
    struct Broken(usize);
    impl Read for Broken {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("connection reset"));
            }
            let n = self.0.min(out.len()).min(10);
            out[..n].fill(b' ');
            self.0 -= n;
            Ok(n)
        }
    }
    for after in [0, 3, 25] {
        let e = ArticleDataItem::from_reader(Broken(after)).expect_err("broken stream");
        assert_eq!(e.len(), 1, "{e}");
        assert!(
            matches!(&e.0[0].kind, ErrorKind::Io { message } if message.contains("connection reset")),
            "{e}"
        );
    }
}
