//! Documents parsed from a stream as they arrive (`from_reader`), so that
//! reading holds the value and a small buffer, not the whole input.
//!
//! [`Checked`] sits between the stream and quick-xml and does, chunk by
//! chunk, what the in-memory path does to the whole input before parsing:
//! the size limit, the byte order mark, UTF-8 validation and the characters
//! XML forbids (the stream ends, for the parser, where the first problem
//! is, and the problem is reported when the parser gets there). It also
//! counts lines and columns of the bytes the parser consumes: positions in
//! a streamed document are kept as line and column, since the bytes behind
//! them are gone.

use std::cell::OnceCell;
use std::io::{self, BufRead, Read};

use crate::error::{ErrorKind, Location};

/// Bytes asked of the stream at a time.
const CHUNK: usize = 64 * 1024;

/// Where reading the stream stopped early, if it did.
#[derive(Clone, Debug, Default)]
pub(crate) struct StreamEnd {
    /// More than `limit` bytes were offered.
    pub over_limit: bool,
    /// The stream failed.
    pub io_error: Option<String>,
    /// A byte other than ASCII was seen (for a document declaring ASCII).
    pub non_ascii: bool,
}

/// The stream, checked as it is read. See the module documentation.
pub(crate) struct Checked<R> {
    inner: R,
    buf: Vec<u8>,
    /// `buf[start..valid]`: checked bytes not yet consumed by the parser;
    /// `buf[valid..end]`: the start of a character cut by the chunk end.
    start: usize,
    valid: usize,
    end: usize,
    eof: bool,
    /// Bytes taken from the stream (byte order mark included).
    taken: u64,
    limit: u64,
    /// Length of the byte order mark skipped (0 or 3).
    bom: u64,
    /// Bytes consumed by the parser (their line and column come from the
    /// window: each consumed byte is counted once, when it is located).
    offset: u64,
    /// The bytes consumed since [`Checked::mark_at`], and where that was.
    window: Vec<u8>,
    mark: (u64, u32, u32),
    /// The first problem in the document: where it is (offset in the body)
    /// and what it is; the parser sees the stream end there.
    pub(crate) cut: Option<(u64, ErrorKind)>,
    pub(crate) end_state: StreamEnd,
}

impl<R: Read> Checked<R> {
    pub(crate) fn new(inner: R, limit: u64) -> Self {
        Checked {
            inner,
            buf: Vec::new(),
            start: 0,
            valid: 0,
            end: 0,
            eof: false,
            taken: 0,
            limit,
            bom: 0,
            offset: 0,
            window: Vec::new(),
            mark: (0, 1, 1),
            cut: None,
            end_state: StreamEnd::default(),
        }
    }

    /// Reads the first bytes: skips a UTF-8 byte order mark and returns
    /// the first four bytes of the body (fewer if the stream is shorter).
    pub(crate) fn prime(&mut self) -> io::Result<Vec<u8>> {
        while self.end < 4 && !self.eof {
            self.read_more()?;
        }
        if self.buf[..self.end].starts_with(b"\xEF\xBB\xBF") {
            self.start = 3;
            self.valid = 3;
            self.bom = 3;
        }
        let head = self.buf[self.start..self.end.min(self.start + 4)].to_vec();
        self.check_new()?;
        Ok(head)
    }

    /// Reads and drops the rest of the stream, no further than the limit,
    /// so that the size limit, a failing stream and (for a document that
    /// declares ASCII) a non-ASCII byte are known as the in-memory path
    /// knows them.
    pub(crate) fn drain(&mut self) -> &StreamEnd {
        while !(self.end_state.over_limit || self.end_state.io_error.is_some() || self.eof) {
            if self.cut.is_none() {
                // Checked as the parser would have (the in-memory path
                // knows where the document's first problem is).
                self.start = self.valid;
                if self.read_more().is_ok() {
                    let _ = self.check_new();
                }
            } else {
                // Past the first problem only the size counts.
                let _ = self.read_more();
                self.start = 0;
                self.valid = 0;
                self.end = 0;
            }
        }
        &self.end_state
    }

    /// Reads one more chunk from the stream into `buf[end..]`.
    fn read_more(&mut self) -> io::Result<()> {
        if self.end_state.over_limit || self.end_state.io_error.is_some() {
            return Err(io::Error::other("the stream was refused"));
        }
        if self.start > 0 && self.start == self.end {
            self.start = 0;
            self.valid = 0;
            self.end = 0;
        } else if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.valid -= self.start;
            self.end -= self.start;
            self.start = 0;
        }
        if self.buf.len() < self.end + CHUNK {
            self.buf.resize(self.end + CHUNK, 0);
        }
        // One byte past the limit tells that it is exceeded; no more is read.
        let room = self.limit.saturating_add(1).saturating_sub(self.taken);
        let want = CHUNK.min(usize::try_from(room).unwrap_or(CHUNK)).max(1);
        let n = loop {
            match self.inner.read(&mut self.buf[self.end..self.end + want]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.end_state.io_error = Some(e.to_string());
                    return Err(e);
                }
            }
        };
        self.taken += n as u64;
        if self.taken > self.limit {
            self.end_state.over_limit = true;
            return Err(io::Error::other("document size limit exceeded"));
        }
        if n == 0 {
            self.eof = true;
        }
        self.end += n;
        Ok(())
    }

    /// Checks `buf[valid..end]`: moves `valid` over what is fine, sets
    /// `cut` at the first problem.
    fn check_new(&mut self) -> io::Result<()> {
        if self.cut.is_some() {
            return Ok(());
        }
        let from = self.valid;
        let (good_len, bad, forbidden, non_ascii) = {
            let (good, bad) = match std::str::from_utf8(&self.buf[from..self.end]) {
                Ok(s) => (s, None),
                Err(e) => {
                    let n = e.valid_up_to();
                    let s = std::str::from_utf8(&self.buf[from..from + n]).unwrap_or_default();
                    // An incomplete character at the chunk end waits for the next chunk.
                    let incomplete = e.error_len().is_none() && !self.eof;
                    (s, (!incomplete).then_some(from + n))
                }
            };
            let forbidden = crate::xml::reader::forbidden_char(good);
            let checked = forbidden.map_or(good, |(at, _)| &good[..at]);
            (good.len(), bad, forbidden, !checked.is_ascii())
        };
        self.end_state.non_ascii |= non_ascii;
        let body_at = |i: usize| self.offset + (i - self.start) as u64;
        if let Some((at, c)) = forbidden {
            let message = format!("character U+{:04X} is not allowed in XML", u32::from(c));
            self.cut = Some((body_at(from + at), ErrorKind::Malformed { message }));
            self.valid = from + at;
            return Ok(());
        }
        if let Some(i) = bad {
            let at = body_at(i);
            let message = format!(
                "invalid UTF-8 byte 0x{:02X} at byte offset {}",
                self.buf.get(i).copied().unwrap_or(0),
                at + self.bom
            );
            self.cut = Some((at, ErrorKind::Encoding { message }));
        }
        self.valid = from + good_len;
        Ok(())
    }

    /// Starts a new window at body offset `at` (the parser's own position,
    /// at each event's start; not behind the last mark) and returns its
    /// line and column.
    pub(crate) fn mark_at(&mut self, at: u64) -> Location {
        let loc = self.location(at);
        let skip = (at.saturating_sub(self.mark.0) as usize).min(self.window.len());
        self.window.drain(..skip);
        self.mark = (self.mark.0 + skip as u64, loc.line, loc.column);
        loc
    }

    /// Line and column of body offset `at`, which lies between the last
    /// [`Checked::mark_at`] and the parser's position (clamped to them).
    pub(crate) fn location(&self, at: u64) -> Location {
        let (from, mut line, mut column) = self.mark;
        if at == 0 {
            // quick-xml reports some errors at offset 0.
            return Location { line: 1, column: 1 };
        }
        let n = (at.saturating_sub(from) as usize).min(self.window.len());
        (line, column) = advance(line, column, &self.window[..n]);
        Location { line, column }
    }

    /// Line and column of the byte `rel` bytes after the last mark.
    pub(crate) fn location_in_event(&self, rel: u64) -> Location {
        self.location(self.mark.0 + rel)
    }

    /// Consumes what is left up to the first problem (or the end), counting
    /// lines but keeping nothing: reading has stopped, and the problem's
    /// position is wanted.
    pub(crate) fn skip_rest(&mut self) {
        loop {
            let n = match self.fill_buf() {
                Ok(b) if !b.is_empty() => b.len(),
                _ => return,
            };
            let here = self.here();
            self.window.clear();
            self.mark = (self.offset, here.line, here.column);
            self.consume(n);
        }
    }

    /// Line and column of the parser's position.
    pub(crate) fn here(&self) -> Location {
        if self.offset == 0 {
            return Location { line: 1, column: 1 };
        }
        self.location(self.offset)
    }
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(out.len());
            out[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Checked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.start == self.valid && self.cut.is_none() && !self.eof {
            self.read_more()?;
            self.check_new()?;
        }
        Ok(&self.buf[self.start..self.valid])
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.valid - self.start);
        let bytes = &self.buf[self.start..self.start + n];
        self.window.extend_from_slice(bytes);
        self.start += n;
        self.offset += n as u64;
    }
}

/// Line and column after `bytes` (UTF-8), from `line` and `column`: a
/// newline starts a line, every other character is a column.
fn advance(line: u32, column: u32, bytes: &[u8]) -> (u32, u32) {
    // Newlines found and counted a vector at a time; columns are the
    // characters (bytes that are not UTF-8 continuations) after the last.
    let (line, column, tail) = match memchr::memrchr(b'\n', bytes) {
        None => (line, column, bytes),
        Some(last) => {
            let newlines = memchr::memchr_iter(b'\n', &bytes[..=last]).count();
            (line.wrapping_add(newlines as u32), 1, &bytes[last + 1..])
        }
    };
    let chars = match tail.is_ascii() {
        true => tail.len(),
        false => tail.iter().filter(|&&b| b & 0xC0 != 0x80).count(),
    };
    (line, column.wrapping_add(chars as u32))
}

/// Packs a location into the `u64` positions the reader keeps (line in the
/// high half: document order is kept).
pub(crate) fn pack(l: Location) -> u64 {
    (u64::from(l.line) << 32) | u64::from(l.column)
}

pub(crate) fn unpack(pos: u64) -> Location {
    Location {
        line: (pos >> 32) as u32,
        column: pos as u32,
    }
}

/// Attribute names of a streamed document, kept for as long as the reader
/// lends them out (`XmlReader::attr_name` returns names that outlive the
/// element). Append-only; the reader interns, so each distinct name is
/// stored once.
#[derive(Default)]
pub struct NameArena {
    head: NameChunk,
}

#[derive(Default)]
struct NameChunk {
    slots: [OnceCell<Box<str>>; 32],
    next: OnceCell<Box<NameChunk>>,
}

/// Where the next name goes: a chunk of the arena and a slot in it.
pub(crate) struct ArenaTail<'a> {
    chunk: &'a NameChunk,
    slot: usize,
}

impl NameArena {
    pub(crate) fn tail(&self) -> ArenaTail<'_> {
        ArenaTail {
            chunk: &self.head,
            slot: 0,
        }
    }
}

impl<'a> ArenaTail<'a> {
    /// Stores `s` and returns it for the arena's lifetime.
    pub(crate) fn alloc(&mut self, s: &str) -> &'a str {
        if self.slot == self.chunk.slots.len() {
            self.chunk = self.chunk.next.get_or_init(Box::default);
            self.slot = 0;
        }
        let slot = &self.chunk.slots[self.slot];
        self.slot += 1;
        slot.get_or_init(|| s.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(src: &[u8], limit: u64, piece: usize) -> (String, Option<(u64, ErrorKind)>) {
        /// A stream that gives at most `piece` bytes per read.
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.1.min(out.len()).min(self.0.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut c = Checked::new(Trickle(src, piece), limit);
        c.prime().unwrap_or_default();
        let mut out = Vec::new();
        let _ = c.read_to_end(&mut out);
        (String::from_utf8(out).unwrap_or_default(), c.cut)
    }

    #[test]
    fn characters_cut_by_chunk_ends_are_joined() {
        let doc = "<a>é€😀</a>".repeat(50);
        for piece in [1, 2, 3, 5, 7, 4096] {
            let (got, cut) = read_all(doc.as_bytes(), u64::MAX, piece);
            assert_eq!(got, doc, "pieces of {piece}");
            assert!(cut.is_none());
        }
    }

    #[test]
    fn the_stream_ends_at_the_first_problem() {
        let mut doc = b"\xEF\xBB\xBF<a>ok".to_vec();
        doc.extend_from_slice(b"\xFF<b/>");
        for piece in [1, 3, 100] {
            let (got, cut) = read_all(&doc, u64::MAX, piece);
            assert_eq!(got, "<a>ok");
            let (at, kind) = cut.unwrap_or((
                0,
                ErrorKind::Malformed {
                    message: "-".into(),
                },
            ));
            assert_eq!(at, 5);
            assert_eq!(
                kind.to_string(),
                ErrorKind::Encoding {
                    message: "invalid UTF-8 byte 0xFF at byte offset 8".into()
                }
                .to_string()
            );
        }
        let (got, cut) = read_all(b"<a>x\x01y</a>", u64::MAX, 2);
        assert_eq!(got, "<a>x");
        assert_eq!(cut.map(|c| c.0), Some(4));
    }

    #[test]
    fn runs_cut_anywhere_are_counted_as_the_whole() {
        let text = "ab\n  <é x=\"ü\"/>\n\n\tçà€𝄞 end\n".repeat(9);
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            let (head, tail) = bytes.split_at(cut);
            let (l, c) = advance(1, 1, head);
            assert_eq!(advance(l, c, tail), advance(1, 1, bytes), "cut at {cut}");
        }
    }

    #[test]
    fn lines_and_columns_count_characters() {
        assert_eq!(advance(1, 1, b""), (1, 1));
        assert_eq!(advance(1, 1, "ab".as_bytes()), (1, 3));
        assert_eq!(advance(3, 5, "é€😀".as_bytes()), (3, 8));
        assert_eq!(advance(1, 9, "x\nab\n\nçd".as_bytes()), (4, 3));
        assert_eq!(advance(2, 2, b"\r\n"), (3, 1));
        // Longer than a vector, newlines and wide characters anywhere.
        let long = format!(
            "{}\n{}é\n\n{}€x",
            "a".repeat(70),
            "b".repeat(40),
            "c".repeat(33)
        );
        assert_eq!(advance(1, 1, long.as_bytes()), (4, 36));
        let one_line = "é".repeat(50);
        assert_eq!(advance(7, 3, one_line.as_bytes()), (7, 53));
    }

    #[test]
    fn arena_names_outlive_their_tail() {
        let arena = NameArena::default();
        let names: Vec<&str> = {
            let mut tail = arena.tail();
            (0..100).map(|i| tail.alloc(&format!("n{i}"))).collect()
        };
        assert_eq!(names[0], "n0");
        assert_eq!(names[99], "n99");
    }
}
