//! The reading methods of a generated enum over root elements (`Document`,
//! `Message`): the same entry points as [`crate::XmlRoot`], dispatching on
//! the root element through the enum's own `read_root`, through the same
//! entry functions (`message::read_with`, `message::stream_with`).

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
                $crate::message::read_with(
                    $crate::xml::XmlReader::new(input, opts.clone()),
                    Self::read_root,
                )
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
                $crate::message::read_with(
                    $crate::xml::XmlReader::from_bytes(input, opts.clone())?,
                    Self::read_root,
                )
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
                $crate::message::stream_with(input, opts, false, Self::read_root)
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
                $crate::message::stream_with(input, opts, true, Self::read_root).map(|_| ())
            }
        }
    };
}
