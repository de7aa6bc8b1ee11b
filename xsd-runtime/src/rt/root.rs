//! The reading methods of a generated enum over root elements (`Document`,
//! `Message`): the same entry points as [`crate::XmlRoot`], dispatching on
//! the root element through the enum's own `read_root`.

/// `from_xml`, `from_slice`, `from_reader`, `validate_reader` (each also
/// `_with` options) for `$t`, which has
/// `fn read_root(r: &mut XmlReader<'_>) -> ReadResult<Self>`.
#[macro_export]
macro_rules! document_reads {
    ($t:ident) => {
        impl $t {
            /// Reads a document, dispatching on its root element; the value or every error.
            pub fn from_xml(input: &str) -> Result<Self, $crate::ValidationErrors> {
                Self::from_xml_with(input, &$crate::xml::ReadOptions::default())
            }

            /// Like `from_xml`, with explicit options.
            pub fn from_xml_with(
                input: &str,
                opts: &$crate::xml::ReadOptions,
            ) -> Result<Self, $crate::ValidationErrors> {
                Self::read_document($crate::xml::XmlReader::new(input, opts.clone()))
            }

            /// Reads a document from bytes (UTF-8, with or without BOM).
            pub fn from_slice(input: &[u8]) -> Result<Self, $crate::ValidationErrors> {
                Self::from_slice_with(input, &$crate::xml::ReadOptions::default())
            }

            /// Like `from_slice`, with explicit options.
            pub fn from_slice_with(
                input: &[u8],
                opts: &$crate::xml::ReadOptions,
            ) -> Result<Self, $crate::ValidationErrors> {
                Self::read_document($crate::xml::XmlReader::from_bytes(input, opts.clone())?)
            }

            /// Reads a document from a stream as it arrives, no further than the
            /// options' `max_document_bytes`.
            pub fn from_reader(
                input: impl ::std::io::Read,
            ) -> Result<Self, $crate::ValidationErrors> {
                Self::from_reader_with(input, &$crate::xml::ReadOptions::default())
            }

            /// Like `from_reader`, with explicit options.
            pub fn from_reader_with(
                input: impl ::std::io::Read,
                opts: &$crate::xml::ReadOptions,
            ) -> Result<Self, $crate::ValidationErrors> {
                let names = $crate::xml::NameArena::default();
                Self::read_document($crate::xml::XmlReader::from_stream(
                    input,
                    opts.clone(),
                    &names,
                )?)
            }

            /// Validates a document from a stream without building its value
            /// (repeated children are checked, then dropped): the errors of
            /// `from_reader`, in memory bounded by depth, not by size.
            pub fn validate_reader(
                input: impl ::std::io::Read,
            ) -> Result<(), $crate::ValidationErrors> {
                Self::validate_reader_with(input, &$crate::xml::ReadOptions::default())
            }

            /// Like `validate_reader`, with explicit options.
            pub fn validate_reader_with(
                input: impl ::std::io::Read,
                opts: &$crate::xml::ReadOptions,
            ) -> Result<(), $crate::ValidationErrors> {
                let names = $crate::xml::NameArena::default();
                let mut r = $crate::xml::XmlReader::from_stream(input, opts.clone(), &names)?;
                r.set_discard(true);
                Self::read_document(r).map(|_| ())
            }

            fn read_document(
                mut r: $crate::xml::XmlReader<'_>,
            ) -> Result<Self, $crate::ValidationErrors> {
                let value = match r.start_document() {
                    Ok(()) => Self::read_root(&mut r),
                    Err(f) => Err(f),
                };
                r.into_result(value)
            }
        }
    };
}
