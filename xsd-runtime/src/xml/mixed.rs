//! Mixed content (`mixed="true"`): text allowed between the children of an
//! element whose children follow a content model.
//!
//! Generated types keep their children in typed fields, as for
//! element-only content (so the content model is checked the same way), and
//! the text as runs by position: `runs[0]` stands before the first child
//! element, `runs[i]` after the `i`-th. Since the content model fixes the
//! order of the children (mixed `xs:all` is refused by the generator), the
//! typed fields and the runs give back the document's order. A read drops
//! trailing empty runs, so content without text has no runs at all.

use quick_xml::events::Event;

use crate::error::ErrorKind;
use crate::xml::reader::{Pending, ReadResult, XmlReader, ev_kind, resolve_ref};
use crate::xml::writer::XmlWriter;

impl<'a> XmlReader<'a> {
    /// One event of mixed content: `Some(())` once a child or the end is
    /// pending (a child starts a new run), `None` after text or a comment.
    pub(crate) fn mixed_event(&mut self, pos: u64, ev: Event<'a>) -> ReadResult<Option<()>> {
        let piece = match ev {
            Event::Start(s) => {
                if let Some(runs) = self.mixed_runs() {
                    runs.push(String::new());
                }
                self.pending = Pending::Start(s);
                self.pending_pos = pos;
                return Ok(Some(()));
            }
            Event::End(_) => {
                self.pending = Pending::End;
                return Ok(Some(()));
            }
            Event::Text(t) => crate::xml::text_content(t),
            Event::CData(c) => crate::xml::cdata_content(c),
            Event::GeneralRef(g) => match resolve_ref(&g) {
                Some(c) => c.to_string().into(),
                None => {
                    let name: &str = &g;
                    return Err(self.fatal_at(
                        pos,
                        ErrorKind::Malformed {
                            message: format!("undefined entity '&{name};'"),
                        },
                    ));
                }
            },
            Event::Comment(_) | Event::PI(_) => return Ok(None),
            Event::Eof | Event::Decl(_) | Event::DocType(_) | Event::Empty(_) => {
                return Err(self.misplaced_event(pos, &ev_kind(&ev)));
            }
        };
        let limit = self.opts.max_value_bytes;
        let Some(runs) = self.mixed_runs() else {
            return Ok(None);
        };
        if runs.is_empty() {
            runs.push(String::new());
        }
        let too_long = match runs.last_mut() {
            Some(run) if (run.len() + piece.len()) as u64 <= limit => {
                run.push_str(&piece);
                false
            }
            _ => true,
        };
        if too_long {
            return Err(self.fatal_at(
                pos,
                ErrorKind::Limit {
                    what: "value size in bytes",
                    limit,
                },
            ));
        }
        Ok(None)
    }

    /// The text runs of the current (mixed) element read so far, trailing
    /// empty runs dropped. Called once its last child was read.
    pub fn take_text_runs(&mut self) -> Vec<String> {
        let mut runs = self.mixed_runs().map(std::mem::take).unwrap_or_default();
        while runs.last().is_some_and(String::is_empty) {
            runs.pop();
        }
        runs.shrink_to_fit();
        runs
    }
}

/// Writes the text runs of a mixed element between its children: generated
/// writers call [`TextRuns::next`] before each child element and
/// [`TextRuns::rest`] after the last one.
pub struct TextRuns<'v> {
    runs: &'v [String],
    next: usize,
}

impl<'v> TextRuns<'v> {
    pub fn new(runs: &'v [String]) -> Self {
        TextRuns { runs, next: 0 }
    }

    /// Writes the run that stands before the next child element.
    pub fn next(&mut self, w: &mut XmlWriter) {
        if let Some(run) = self.runs.get(self.next)
            && !run.is_empty()
        {
            w.text(run);
        }
        self.next += 1;
    }

    /// Writes the run after the last child element (and any runs beyond it).
    pub fn rest(&mut self, w: &mut XmlWriter) {
        for run in self.runs.iter().skip(self.next) {
            if !run.is_empty() {
                w.text(run);
            }
        }
        self.next = self.runs.len();
    }
}
