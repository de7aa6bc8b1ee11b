//! Documents from a stream: read up to the size limit, never beyond, so a
//! hostile or runaway sender cannot make the reader hold more than
//! [`ReadOptions::max_document_bytes`].

use std::io::Read;

use crate::error::{ErrorKind, ValidationError, ValidationErrors};
use crate::xml::ReadOptions;
use crate::xml::reader::check_document_size;

/// Reads a whole document from `src` into memory, at most
/// `opts.max_document_bytes` bytes: one byte more stops reading with a
/// `limit` error, and the rest of the stream is left unread.
pub fn read_input(src: impl Read, opts: &ReadOptions) -> Result<Vec<u8>, ValidationErrors> {
    let mut buf = Vec::new();
    let mut limited = src.take(opts.max_document_bytes.saturating_add(1));
    if let Err(e) = limited.read_to_end(&mut buf) {
        return Err(ValidationErrors(vec![ValidationError {
            path: "/".into(),
            location: None,
            kind: ErrorKind::Io {
                message: e.to_string(),
            },
        }]));
    }
    check_document_size(buf.len() as u64, opts)?;
    Ok(buf)
}
