//! The reader and writer that xsd-parser's quick-xml renderer generates for
//! the eight message schemas (see build.rs), plus two entry points for the bench.

#[allow(
    clippy::all,
    clippy::pedantic,
    missing_docs,
    dead_code,
    unused,
    non_camel_case_types
)]
mod peer {
    include!(concat!(env!("OUT_DIR"), "/peer.rs"));
}

pub use peer::{bp, cs, ml};
pub use xsd_parser_types::quick_xml::Error;
use xsd_parser_types::quick_xml::{
    DeserializeSync, SerializeSync, SliceReader, WithDeserializer, WithSerializer, Writer,
};

/// Reads a whole document held in memory into `T`.
pub fn read<T: WithDeserializer>(xml: &str) -> Result<T, Error> {
    let mut reader = SliceReader::new(xml);
    T::deserialize(&mut reader)
}

/// Writes `value` as the root element `root` (a prefixed name, e.g. `bp:BusinessPartners`).
pub fn write<T: WithSerializer>(value: &T, root: &str, out: &mut Vec<u8>) -> Result<(), Error> {
    let mut writer = Writer::new(out);
    value.serialize(root, &mut writer)
}
