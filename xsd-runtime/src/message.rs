//! The traits that generated root elements implement: how a document is
//! read, written and validated.

use crate::error::{ErrorKind, ValidationError, ValidationErrors, WriteError};
use crate::xml::{Fail, ReadOptions, ReadResult, XmlReader, XmlWriter};

/// A global element that can be the root of a document.
pub trait XmlRoot: Sized {
    /// Local name of the root element.
    const ELEMENT: &'static str;
    /// Namespace URI of the root element (empty: none).
    const NAMESPACE: &'static str;

    /// Reads the root element, which is the reader's pending element.
    #[doc(hidden)]
    fn read_root(r: &mut XmlReader<'_>) -> ReadResult<Self>;

    /// Writes the root element with its namespace declarations.
    #[doc(hidden)]
    fn write_root(&self, w: &mut XmlWriter);

    /// Reads and validates a document: the value, or every error found.
    fn from_xml(input: &str) -> Result<Self, ValidationErrors> {
        Self::from_xml_with(input, &ReadOptions::default())
    }

    /// Like [`XmlRoot::from_xml`], with explicit options.
    fn from_xml_with(input: &str, opts: &ReadOptions) -> Result<Self, ValidationErrors> {
        read_with(XmlReader::new(input, opts.clone()), named_root::<Self>)
    }

    /// Reads a document from bytes (UTF-8, with or without BOM).
    fn from_slice(input: &[u8]) -> Result<Self, ValidationErrors> {
        Self::from_slice_with(input, &ReadOptions::default())
    }

    /// Like [`XmlRoot::from_slice`], with explicit options.
    fn from_slice_with(input: &[u8], opts: &ReadOptions) -> Result<Self, ValidationErrors> {
        read_with(
            XmlReader::from_bytes(input, opts.clone())?,
            named_root::<Self>,
        )
    }

    /// Reads a document from a stream (a file, a request body), parsing it
    /// as it arrives: memory holds the value and a small buffer, not the
    /// document. The stream is read no further than
    /// [`ReadOptions::max_document_bytes`]; verdicts, errors and their
    /// line/column are those of [`XmlRoot::from_slice`] on the same bytes.
    fn from_reader(input: impl std::io::Read) -> Result<Self, ValidationErrors> {
        Self::from_reader_with(input, &ReadOptions::default())
    }

    /// Like [`XmlRoot::from_reader`], with explicit options.
    fn from_reader_with(
        input: impl std::io::Read,
        opts: &ReadOptions,
    ) -> Result<Self, ValidationErrors> {
        stream_with(input, opts, false, named_root::<Self>)
    }

    /// Validates a document from a stream without building its value: the
    /// same checks and errors as [`XmlRoot::from_reader`], with memory
    /// bounded by the document's depth and its identity-constraint tables
    /// (repeated children are checked, then dropped).
    fn validate_reader(input: impl std::io::Read) -> Result<(), ValidationErrors> {
        Self::validate_reader_with(input, &ReadOptions::default())
    }

    /// Like [`XmlRoot::validate_reader`], with explicit options.
    fn validate_reader_with(
        input: impl std::io::Read,
        opts: &ReadOptions,
    ) -> Result<(), ValidationErrors> {
        stream_with(input, opts, true, named_root::<Self>).map(|_| ())
    }

    /// Writes the document (UTF-8, with an XML declaration).
    fn to_xml(&self) -> Result<String, WriteError> {
        let mut w = XmlWriter::new();
        w.declaration();
        self.write_root(&mut w);
        w.finish_string()
    }

    /// Checks a value built in code against every constraint of its schema:
    /// the value is written and read back with validation, so the check is
    /// exactly the one applied to documents. Errors carry paths, not lines.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let xml = self.to_xml().map_err(|e| {
            ValidationErrors(vec![ValidationError {
                path: format!("/{}", Self::ELEMENT),
                location: None,
                kind: ErrorKind::Unsupported {
                    what: e.to_string(),
                },
            }])
        })?;
        match Self::from_xml(&xml) {
            Ok(_) => Ok(()),
            Err(mut errors) => {
                for e in &mut errors.0 {
                    e.location = None;
                }
                Err(errors)
            }
        }
    }
}

/// Reads one document whose root is `T`.
pub fn read_document<T: XmlRoot>(r: XmlReader<'_>) -> Result<T, ValidationErrors> {
    read_with(r, named_root::<T>)
}

/// The root `T`, if the pending element is it (else a fatal `wrong root`).
fn named_root<T: XmlRoot>(r: &mut XmlReader<'_>) -> ReadResult<T> {
    if r.is(T::NAMESPACE, T::ELEMENT) {
        T::read_root(r)
    } else {
        r.wrong_root(T::NAMESPACE, T::ELEMENT);
        Err(Fail::Fatal)
    }
}

/// Reads one document with `read_root` (a root type's, or an enum over
/// roots' dispatch): the value, or every error found.
#[doc(hidden)]
pub fn read_with<T>(
    mut r: XmlReader<'_>,
    read_root: impl FnOnce(&mut XmlReader<'_>) -> ReadResult<T>,
) -> Result<T, ValidationErrors> {
    let value = match r.start_document() {
        Ok(()) => read_root(&mut r),
        Err(f) => Err(f),
    };
    r.into_result(value)
}

/// Like [`read_with`] on a stream parsed as it arrives; `discard` reads
/// validate-only (see [`XmlReader::set_discard`]).
#[doc(hidden)]
pub fn stream_with<T>(
    input: impl std::io::Read,
    opts: &ReadOptions,
    discard: bool,
    read_root: impl FnOnce(&mut XmlReader<'_>) -> ReadResult<T>,
) -> Result<T, ValidationErrors> {
    let names = crate::xml::NameArena::default();
    let mut r = XmlReader::from_stream(input, opts.clone(), &names)?;
    r.set_discard(discard);
    read_with(r, read_root)
}

/// Reads the pending root `T` and wraps it (into a variant of an enum over
/// roots). Out of line, so that the frame of the enum's reader holds no
/// `T`: with many roots, debug builds would otherwise give it a slot for
/// each of them.
#[doc(hidden)]
#[inline(never)]
pub fn read_root_as<T: XmlRoot, D>(
    r: &mut XmlReader<'_>,
    wrap: impl FnOnce(T) -> D,
) -> ReadResult<D> {
    T::read_root(r).map(wrap)
}
