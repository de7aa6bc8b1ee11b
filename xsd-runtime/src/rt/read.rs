//! Reading: the cursor that walks a content table, and the readers of one
//! occurrence that generated code hands it (`rt::simple(T::read_value)`,
//! `rt::complex(T::read_started)`, ...).
//!
//! A reader of one occurrence takes the reader, with the pending child not
//! yet begun, and whether its index among same-named siblings counts
//! (repeated elements), and reads it whole.

use crate::Nillable;
use crate::xml::idc::IdcDef;
use crate::xml::{AnyContent, AnyElement, Fail, ReadResult, Site, XmlReader, recover};

use super::name::Child;

/// Which fields of a sequence were read, for the stray-child decision: a
/// bit per field, so reading an element allocates nothing (fields past
/// the 64th, rare, go to a `Vec`).
#[derive(Debug, Default)]
struct Seen {
    bits: u64,
    more: Vec<bool>,
}

impl Seen {
    #[inline]
    fn set(&mut self, i: usize, v: bool) {
        if i < 64 {
            let bit = 1u64 << i;
            if v {
                self.bits |= bit
            } else {
                self.bits &= !bit
            }
            return;
        }
        let j = i - 64;
        if self.more.len() <= j {
            self.more.resize(j + 1, false);
        }
        self.more[j] = v;
    }

    #[inline]
    fn get(&self, i: usize) -> bool {
        if i < 64 {
            return self.bits & (1u64 << i) != 0;
        }
        self.more.get(i - 64).copied().unwrap_or(false)
    }
}

/// Walks a content table while a generated reader reads its fields in
/// order, one call per field: it skips what no field from here on can
/// take, reports what is missing or one too many, and remembers whether
/// anything was invalid.
#[derive(Debug)]
pub struct Content {
    children: &'static [Child],
    i: usize,
    seen: Seen,
    ok: bool,
    /// A type's own content (strays are skipped and reported) rather than
    /// a nested group's (which leaves them to its parent).
    top: bool,
    /// In an `xs:all` group: the field the pending child starts, found at
    /// the first field after [`Self::restart`] (one search per child, not
    /// a name test per field).
    all_at: Option<usize>,
}

impl Content {
    /// A type's content: children no field takes are reported and skipped.
    pub fn new(children: &'static [Child]) -> Self {
        Content {
            children,
            i: 0,
            seen: Seen::default(),
            ok: true,
            top: true,
            all_at: None,
        }
    }

    /// A nested group's content: stray children are left to the parent.
    pub fn group(children: &'static [Child]) -> Self {
        Content {
            top: false,
            ..Content::new(children)
        }
    }

    /// Takes a recovered value: `None` marks the element invalid.
    pub fn take<T>(&mut self, v: Option<T>) -> Option<T> {
        if v.is_none() {
            self.ok = false;
        }
        v
    }

    fn next_child(&mut self) -> ReadResult<Child> {
        let c = self.children.get(self.i).copied().ok_or(Fail::Invalid)?;
        self.i += 1;
        Ok(c)
    }

    /// The first particle at or after `from` that the pending child can start.
    fn position(&self, r: &XmlReader<'_>, from: usize) -> Option<usize> {
        (from..self.children.len()).find(|&j| self.children[j].starts(r))
    }

    /// Skips the children that no particle from the current one on can
    /// take. Returns the particle the pending child starts, when it was
    /// looked for (`None`: not looked for, `Some(None)`: no child pending).
    fn skip_strays(&mut self, r: &mut XmlReader<'_>) -> ReadResult<Option<Option<usize>>> {
        if !self.top {
            return Ok(None);
        }
        while r.at_element() {
            if let Some(p) = self.position(r, self.i) {
                return Ok(Some(Some(p)));
            }
            let earlier = self
                .position(r, 0)
                .map(|j| (self.children[j].stray_kind(), self.seen.get(j)));
            r.stray_among(earlier)?;
        }
        Ok(Some(None))
    }

    /// The next field, single or optional.
    pub fn one<T>(
        &mut self,
        r: &mut XmlReader<'_>,
        read: impl FnOnce(&mut XmlReader<'_>, bool) -> ReadResult<T>,
    ) -> ReadResult<Option<T>> {
        let Some(at) = self.begin_one(r)? else {
            return Ok(None);
        };
        let out = recover(read(r, false))?;
        self.ok &= out.is_some();
        self.seen.set(at, out.is_some());
        Ok(out)
    }

    /// Moves to the next field: `Some(its index)` when the pending child
    /// is its element, else reports it missing if it is required. Not
    /// generic: one copy serves every field.
    fn begin_one(&mut self, r: &mut XmlReader<'_>) -> ReadResult<Option<usize>> {
        let found = self.skip_strays(r)?;
        let at = self.i;
        let c = self.next_child()?;
        // The particle the pending child starts is known when strays were
        // looked for: no second name test.
        let starts = match found {
            Some(p) => p == Some(at),
            None => c.starts(r),
        };
        if starts {
            return Ok(Some(at));
        }
        if c.one() {
            r.missing(c.label, 1, 0);
            self.ok = false;
        }
        self.seen.set(at, false);
        Ok(None)
    }

    /// The next field, repeated: every occurrence, with the bounds checked.
    pub fn many<T>(
        &mut self,
        r: &mut XmlReader<'_>,
        mut read: impl FnMut(&mut XmlReader<'_>, bool) -> ReadResult<T>,
    ) -> ReadResult<Vec<T>> {
        self.skip_strays(r)?;
        let c = self.next_child()?;
        let (items, ok) = read_repeated(r, &c, c.min, &mut read)?;
        self.ok &= ok;
        Ok(items)
    }

    /// The next field of an `xs:all` group, whose children come in any
    /// order: `Ok(true)` when the pending child was this field's (read, or
    /// reported as one too many). Call [`Self::restart`] before each child.
    pub fn all<T>(
        &mut self,
        r: &mut XmlReader<'_>,
        slot: &mut Option<T>,
        read: impl FnOnce(&mut XmlReader<'_>, bool) -> ReadResult<T>,
    ) -> ReadResult<bool> {
        let at = self.i;
        if at == 0 {
            self.all_at = self.position(r, 0);
        }
        let c = self.next_child()?;
        if self.all_at != Some(at) {
            return Ok(false);
        }
        if self.seen.get(at) {
            r.too_many(c.label, 1, 2);
            r.skip_pending()?;
        } else {
            self.seen.set(at, true);
            *slot = recover(read(r, false))?;
            if slot.is_none() {
                self.ok = false;
            }
        }
        Ok(true)
    }

    /// Back to the first field of an `xs:all` group, for the next child.
    pub fn restart(&mut self) {
        self.i = 0;
    }

    /// After an `xs:all` group: its required fields that never came.
    pub fn all_done(&mut self, r: &mut XmlReader<'_>) {
        for (j, c) in self.children.iter().enumerate() {
            if c.one() && !self.seen.get(j) {
                r.missing(c.label, 1, 0);
                self.ok = false;
            }
        }
    }

    /// The next alternative of a choice, single: `Some` when the pending
    /// child starts it (then it is the choice's value).
    pub fn variant<T>(
        &mut self,
        r: &mut XmlReader<'_>,
        read: impl FnOnce(&mut XmlReader<'_>, bool) -> ReadResult<T>,
    ) -> ReadResult<Option<T>> {
        let c = self.next_child()?;
        if !c.starts(r) {
            return Ok(None);
        }
        read(r, false).map(Some)
    }

    /// The next alternative of a choice, repeated (at least once when taken).
    pub fn variants<T>(
        &mut self,
        r: &mut XmlReader<'_>,
        mut read: impl FnMut(&mut XmlReader<'_>, bool) -> ReadResult<T>,
    ) -> ReadResult<Option<Vec<T>>> {
        let c = self.next_child()?;
        if !c.starts(r) {
            return Ok(None);
        }
        match read_repeated(r, &c, c.min.max(1), &mut read)? {
            (items, true) => Ok(Some(items)),
            (_, false) => Err(Fail::Invalid),
        }
    }

    /// Ends the element (its end tag, after the content), then fails when
    /// anything in it was invalid.
    pub fn finish(&mut self, r: &mut XmlReader<'_>) -> ReadResult<()> {
        r.finish()?;
        self.done()
    }

    /// Fails when anything read was invalid (a group's content, or after
    /// the element was finished by the caller).
    pub fn done(&self) -> ReadResult<()> {
        if self.ok { Ok(()) } else { Err(Fail::Invalid) }
    }

    // ----- attributes ------------------------------------------------------------

    /// Reads attribute `i` into `slot` if it is the unqualified attribute
    /// `local`: `Ok(true)` when it was (then the caller goes on with the
    /// next attribute).
    pub fn attr<T>(
        &mut self,
        r: &mut XmlReader<'_>,
        i: usize,
        local: &'static str,
        slot: &mut Att<T>,
        read: impl FnOnce(&mut XmlReader<'_>, &str, Site<'_>) -> ReadResult<T>,
    ) -> ReadResult<bool> {
        self.fixed_attr(r, i, ("", local), None, slot, read)
    }

    /// Like [`Self::attr`] for the qualified attribute `{ns}local`.
    pub fn attr_ns<T>(
        &mut self,
        r: &mut XmlReader<'_>,
        i: usize,
        (ns, local): (&str, &'static str),
        slot: &mut Att<T>,
        read: impl FnOnce(&mut XmlReader<'_>, &str, Site<'_>) -> ReadResult<T>,
    ) -> ReadResult<bool> {
        self.fixed_attr(r, i, (ns, local), None, slot, read)
    }

    /// Like [`Self::attr`] for an attribute with a fixed value.
    pub fn fixed_attr<T>(
        &mut self,
        r: &mut XmlReader<'_>,
        i: usize,
        (ns, local): (&str, &'static str),
        fixed: Option<&str>,
        slot: &mut Att<T>,
        read: impl FnOnce(&mut XmlReader<'_>, &str, Site<'_>) -> ReadResult<T>,
    ) -> ReadResult<bool> {
        if !r.attr_is(i, ns, local) {
            return Ok(false);
        }
        let text = r.attr_value(i)?;
        if let Some(f) = fixed {
            r.check_fixed_attr(local, &text, f);
        }
        *slot = match recover(read(r, &text, Site::Attribute(local)))? {
            Some(v) => Att::Value(v),
            None => {
                self.ok = false;
                Att::Invalid
            }
        };
        Ok(true)
    }

    /// Keeps attribute `i` in `out` if the wildcard allows its namespace:
    /// `Ok(true)` when it did.
    pub fn any_attr(
        &mut self,
        r: &mut XmlReader<'_>,
        i: usize,
        wild: super::Wild,
        out: &mut Vec<crate::xml::AnyAttribute>,
    ) -> ReadResult<bool> {
        let (namespace, name) = r.attr_name(i);
        if !wild.allows_attr(&namespace) {
            return Ok(false);
        }
        let value = crate::types::CompactString::from(r.attr_value(i)?);
        let a = crate::xml::AnyAttribute {
            namespace: namespace.into(),
            name: name.into(),
            value,
        };
        crate::xml::push_first_exact(out, a);
        Ok(true)
    }

    /// Reports a required attribute that was absent.
    pub fn require<T>(&mut self, r: &mut XmlReader<'_>, slot: &Att<T>, local: &str) {
        if matches!(slot, Att::Absent) {
            r.missing_attr(local);
            self.ok = false;
        }
    }
}

/// Every occurrence of a repeated particle: the items, and whether all
/// were valid and within bounds.
fn read_repeated<T>(
    r: &mut XmlReader<'_>,
    c: &Child,
    min: u32,
    read: &mut impl FnMut(&mut XmlReader<'_>, bool) -> ReadResult<T>,
) -> ReadResult<(Vec<T>, bool)> {
    let elem_like = c.term != super::Term::Group;
    let mut items = Items::None;
    let mut ok = true;
    let mut count: u32 = 0;
    while c.starts(r) {
        count = count.saturating_add(1);
        if let Some(max) = c.bounded().filter(|&m| count > m) {
            if !elem_like {
                break;
            }
            r.too_many(c.label, max, count);
            r.skip_pending()?;
            continue;
        }
        match recover(read(r, elem_like))? {
            // Validate-only: checked, then dropped.
            Some(_) if r.discarding() => {}
            Some(v) => items.push(v),
            None => ok = false,
        }
    }
    if count < min {
        r.missing(c.label, min, count);
        ok = false;
    }
    Ok((items.into_vec(), ok))
}

/// The occurrences of a repeated particle while they are read: the first
/// is held apart, so that one or two occurrences (the common case) take one
/// allocation of their exact size, and longer runs are shrunk to fit (a
/// `Vec` grown by `push` keeps room for four or more: in large documents
/// that slack outweighed the values themselves).
enum Items<T> {
    None,
    One(T),
    Many(Vec<T>),
}

impl<T> Items<T> {
    /// Moves the vector of a long run in place (a value can be large: the
    /// whole `Items` moved out and back per push was two copies of it).
    fn push(&mut self, v: T) {
        match self {
            Items::Many(items) => items.push(v),
            Items::None => *self = Items::One(v),
            Items::One(_) => {
                if let Items::One(first) = std::mem::replace(self, Items::None) {
                    *self = Items::Many(vec![first, v]);
                }
            }
        }
    }

    fn into_vec(self) -> Vec<T> {
        match self {
            Items::None => Vec::new(),
            Items::One(v) => vec![v],
            Items::Many(mut items) => {
                items.shrink_to_fit();
                items
            }
        }
    }
}

/// An attribute while its element is read: absent, present but invalid
/// (already reported), or its value.
#[derive(Debug, Default)]
pub enum Att<T> {
    #[default]
    Absent,
    Invalid,
    Value(T),
}

impl<T> Att<T> {
    /// The value of an optional attribute.
    pub fn opt(self) -> Option<T> {
        match self {
            Att::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value of a required attribute (absent or invalid was reported).
    pub fn req(self) -> ReadResult<T> {
        self.opt().ok_or(Fail::Invalid)
    }
}

/// The value of a required field (absent or invalid was reported).
pub fn req<T>(v: Option<T>) -> ReadResult<T> {
    v.ok_or(Fail::Invalid)
}

/// A simple-typed element.
pub fn simple<T>(
    parse: impl Fn(&mut XmlReader<'_>, &str, Site<'_>) -> ReadResult<T>,
) -> impl Fn(&mut XmlReader<'_>, bool) -> ReadResult<T> {
    simple_with(None, None, parse)
}

/// A simple-typed element with a default or fixed value.
pub fn simple_with<T>(
    default: Option<&'static str>,
    fixed: Option<&'static str>,
    parse: impl Fn(&mut XmlReader<'_>, &str, Site<'_>) -> ReadResult<T>,
) -> impl Fn(&mut XmlReader<'_>, bool) -> ReadResult<T> {
    move |r, counted| r.simple_element(counted, default, fixed, &parse)
}

/// A nillable simple-typed element.
pub fn nillable_simple<T>(
    default: Option<&'static str>,
    fixed: Option<&'static str>,
    parse: impl Fn(&mut XmlReader<'_>, &str, Site<'_>) -> ReadResult<T>,
) -> impl Fn(&mut XmlReader<'_>, bool) -> ReadResult<Nillable<T>> {
    move |r, counted| {
        r.nillable_simple_element(counted, default, fixed, &parse)
            .map(|v| v.map_or(Nillable::Nil, Nillable::Value))
    }
}

/// A built-in type's parser as a reader of text (`rt::builtin(rt::xsd::int)`).
pub fn builtin<T>(
    parse: fn(&str) -> Result<T, crate::ValueError>,
) -> impl Fn(&mut XmlReader<'_>, &str, Site<'_>) -> ReadResult<T> {
    move |r, text, site| r.value(text, site, parse)
}

/// A complex-typed element.
pub fn complex<T>(
    read: impl Fn(&mut XmlReader<'_>) -> ReadResult<T>,
) -> impl Fn(&mut XmlReader<'_>, bool) -> ReadResult<T> {
    complex_idc(&[], read)
}

/// A complex-typed element that scopes identity constraints.
pub fn complex_idc<T>(
    idc: &'static [IdcDef],
    read: impl Fn(&mut XmlReader<'_>) -> ReadResult<T>,
) -> impl Fn(&mut XmlReader<'_>, bool) -> ReadResult<T> {
    move |r, counted| {
        r.begin(counted)?;
        r.check_not_nil();
        if !idc.is_empty() {
            r.idc_scope(idc);
        }
        read(r)
    }
}

/// A nillable complex-typed element.
pub fn nillable<T>(
    read: impl Fn(&mut XmlReader<'_>) -> ReadResult<T>,
) -> impl Fn(&mut XmlReader<'_>, bool) -> ReadResult<Nillable<T>> {
    nillable_idc(&[], read)
}

/// A nillable complex-typed element that scopes identity constraints.
pub fn nillable_idc<T>(
    idc: &'static [IdcDef],
    read: impl Fn(&mut XmlReader<'_>) -> ReadResult<T>,
) -> impl Fn(&mut XmlReader<'_>, bool) -> ReadResult<Nillable<T>> {
    move |r, counted| {
        r.begin(counted)?;
        if !idc.is_empty() {
            r.idc_scope(idc);
        }
        if r.is_nil() {
            r.nil_content()?;
            r.finish()?;
            return Ok(Nillable::Nil);
        }
        read(r).map(Nillable::Value)
    }
}

/// Boxes what `read` reads (large or recursive types).
pub fn boxed<T>(
    read: impl Fn(&mut XmlReader<'_>, bool) -> ReadResult<T>,
) -> impl Fn(&mut XmlReader<'_>, bool) -> ReadResult<Box<T>> {
    move |r, counted| read(r, counted).map(Box::new)
}

/// A nested group (a helper type's `read_content`).
pub fn group<T>(
    read: impl Fn(&mut XmlReader<'_>) -> ReadResult<T>,
) -> impl Fn(&mut XmlReader<'_>, bool) -> ReadResult<T> {
    move |r, _| read(r)
}

/// `xs:anyType` content or a `processContents="skip"` wildcard: kept whole.
pub fn any(r: &mut XmlReader<'_>, counted: bool) -> ReadResult<AnyElement> {
    r.read_any(counted)
}

/// A `processContents="lax"` wildcard: declared elements (`known`, the
/// schema set's root reader) are read and validated as such.
pub fn lax<D>(
    known: fn(&mut XmlReader<'_>) -> Option<ReadResult<D>>,
) -> impl Fn(&mut XmlReader<'_>, bool) -> ReadResult<AnyContent<D>> {
    move |r, counted| match known(r) {
        Some(res) => res.map(|d| AnyContent::Known(Box::new(d))),
        None => r.read_any(counted).map(AnyContent::Other),
    }
}

/// A `processContents="strict"` wildcard: only declared elements.
pub fn strict<D>(
    known: fn(&mut XmlReader<'_>) -> Option<ReadResult<D>>,
) -> impl Fn(&mut XmlReader<'_>, bool) -> ReadResult<AnyContent<D>> {
    move |r, _| match known(r) {
        Some(res) => res.map(|d| AnyContent::Known(Box::new(d))),
        None => {
            r.undeclared()?;
            Err(Fail::Invalid)
        }
    }
}

/// The text of a complex or `xs:anyType` value in a simple position, as is.
pub fn any_simple(
    _: &mut XmlReader<'_>,
    text: &str,
    _: Site<'_>,
) -> ReadResult<crate::types::CompactString> {
    Ok(crate::types::CompactString::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rt::{Ns, UNBOUNDED};
    use crate::xml::ReadOptions;

    const AT_MOST_TWO: &[Child] = &[Ns::NONE.el("item", "item", 1, 2)];
    const ANY_NUMBER: &[Child] = &[Ns::NONE.el("item", "item", 0, UNBOUNDED)];

    /// Reads `<list>` with the given table: the items kept, and the errors.
    fn read_list(doc: &str, table: &'static [Child], discard: bool) -> (usize, Vec<String>) {
        let mut r = XmlReader::new(doc, ReadOptions::default());
        r.set_discard(discard);
        let value = r.start_document().and_then(|()| {
            complex(|r: &mut XmlReader<'_>| {
                r.reject_attributes();
                let mut c = Content::new(table);
                r.next_child()?;
                let items = c.many(r, simple(builtin(crate::xsd::string)))?;
                c.finish(r).map(|()| items.len())
            })(&mut r, false)
        });
        let kept = *value.as_ref().unwrap_or(&usize::MAX);
        let errors = match r.into_result(value) {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(|e| e.to_string()).collect(),
        };
        (kept, errors)
    }

    #[test]
    fn items_keep_their_order_and_take_exactly_their_room() {
        for n in 0..7 {
            let mut items = Items::None;
            for i in 0..n {
                items.push(i);
            }
            let v = items.into_vec();
            assert_eq!(v, (0..n).collect::<Vec<_>>());
            assert_eq!(v.capacity(), n, "{n} items");
        }
    }

    #[test]
    fn seen_keeps_each_field_apart_below_and_past_64() {
        let mut s = Seen::default();
        for i in [0, 5, 63, 64, 70, 200] {
            assert!(!s.get(i));
            s.set(i, true);
            assert!(s.get(i));
        }
        s.set(63, false);
        s.set(70, false);
        assert!(!s.get(63) && !s.get(70));
        assert!(s.get(0) && s.get(5) && s.get(64) && s.get(200));
        assert!(!s.get(62) && !s.get(65) && !s.get(199));
    }

    #[test]
    fn validate_only_drops_repeated_children_and_reports_the_same_errors() {
        let three = "<list><item>a</item><item>b</item><item>c</item></list>";
        assert_eq!(read_list(three, ANY_NUMBER, false), (3, vec![]));
        assert_eq!(read_list(three, ANY_NUMBER, true), (0, vec![]));
        // One too many: invalid either way, with the same error.
        let (_, errors) = read_list(three, AT_MOST_TWO, false);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(read_list(three, AT_MOST_TWO, true).1, errors);
        let none = "<list/>";
        let (_, missing) = read_list(none, AT_MOST_TWO, false);
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert_eq!(read_list(none, AT_MOST_TWO, true).1, missing);
    }
}
