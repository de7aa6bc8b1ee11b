//! Identity constraints (`xs:unique`, `xs:key`, `xs:keyref`), evaluated on
//! the element stream while reading.
//!
//! Generated code declares each constraint as static data ([`IdcDef`]) with
//! its selector and field XPaths already parsed into steps (the restricted
//! XPath subset of XSD 1.0 §3.11.6), and opens a scope on the element that
//! declares them. Values are compared after whitespace collapsing, as
//! strings.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use crate::error::ErrorKind;
use crate::xml::same_name;

/// One name test of a selector or field path.
#[derive(Clone, Copy, Debug)]
pub enum Step {
    /// `ns:local` or `local` (empty `ns`: no namespace).
    Name {
        ns: &'static [u8],
        local: &'static [u8],
    },
    /// `*`
    Any,
    /// `prefix:*`
    AnyIn { ns: &'static [u8] },
}

impl Step {
    /// `local` in the namespace `uri` (empty: no namespace).
    pub const fn name(uri: &'static str, local: &'static str) -> Step {
        Step::Name {
            ns: uri.as_bytes(),
            local: local.as_bytes(),
        }
    }

    /// `prefix:*`, the prefix bound to `uri`.
    pub const fn any_in(uri: &'static str) -> Step {
        Step::AnyIn { ns: uri.as_bytes() }
    }

    fn matches(&self, ns: &[u8], local: &[u8]) -> bool {
        match self {
            // Local names differ more often, and are shorter.
            Step::Name { ns: n, local: l } => same_name(l, local) && same_name(n, ns),
            Step::Any => true,
            Step::AnyIn { ns: n } => same_name(n, ns),
        }
    }
}

/// One alternative of a selector or field: `(.//)? step/step/... (/@attr)?`.
#[derive(Clone, Copy, Debug)]
pub struct IdcPath {
    /// Starts with `.//`: the steps may match at any depth below.
    pub descendant: bool,
    /// Element steps (`.` steps removed).
    pub steps: &'static [Step],
    /// The final `@name` of a field, if it selects an attribute.
    pub attribute: Option<Step>,
}

impl IdcPath {
    /// `step/step/...` from the context node.
    pub const fn child(steps: &'static [Step]) -> IdcPath {
        IdcPath {
            descendant: false,
            steps,
            attribute: None,
        }
    }

    /// `.//step/step/...`: the steps at any depth below the context node.
    pub const fn descendant(steps: &'static [Step]) -> IdcPath {
        IdcPath {
            descendant: true,
            steps,
            attribute: None,
        }
    }

    /// The path ending in `/@attribute`.
    pub const fn attr(self, attribute: Step) -> IdcPath {
        IdcPath {
            attribute: Some(attribute),
            ..self
        }
    }

    /// Does the path match the open element at `depth`, taken from the
    /// context node at `context` (`depth - context` elements down)?
    fn matches_at(&self, names: &impl OpenNames, context: usize, depth: usize) -> bool {
        let (n, len) = (self.steps.len(), depth.saturating_sub(context));
        if if self.descendant { len < n } else { len != n } {
            return false;
        }
        // From the last step back: the element just started is the one
        // that differs most often.
        self.steps.iter().rev().enumerate().all(|(k, s)| {
            let (ns, local) = names.name_at(depth - k);
            s.matches(ns, local)
        })
    }
}

/// The names of the open elements, which the reader keeps: the engine
/// copies none.
pub(crate) trait OpenNames {
    /// Namespace (empty: none) and local name of the open element at
    /// `depth` (1: the root).
    fn name_at(&self, depth: usize) -> (&[u8], &[u8]);
}

/// The kind of an identity constraint.
#[derive(Clone, Copy, Debug)]
pub enum IdcKind {
    Unique,
    Key,
    /// Refers to the key or unique constraint named here.
    Keyref {
        refer: &'static str,
    },
}

/// One identity constraint, as generated code declares it.
#[derive(Clone, Copy, Debug)]
pub struct IdcDef {
    pub name: &'static str,
    pub kind: IdcKind,
    /// Alternatives of the selector (`a | b`).
    pub selector: &'static [IdcPath],
    /// The fields, each with its alternatives.
    pub fields: &'static [&'static [IdcPath]],
}

impl IdcDef {
    /// `xs:unique`.
    pub const fn unique(
        name: &'static str,
        selector: &'static [IdcPath],
        fields: &'static [&'static [IdcPath]],
    ) -> IdcDef {
        IdcDef {
            name,
            kind: IdcKind::Unique,
            selector,
            fields,
        }
    }

    /// `xs:key`.
    pub const fn key(
        name: &'static str,
        selector: &'static [IdcPath],
        fields: &'static [&'static [IdcPath]],
    ) -> IdcDef {
        IdcDef {
            name,
            kind: IdcKind::Key,
            selector,
            fields,
        }
    }

    /// `xs:keyref` referring to the key or unique constraint `refer`.
    pub const fn keyref(
        name: &'static str,
        refer: &'static str,
        selector: &'static [IdcPath],
        fields: &'static [&'static [IdcPath]],
    ) -> IdcDef {
        IdcDef {
            name,
            kind: IdcKind::Keyref { refer },
            selector,
            fields,
        }
    }
}

/// The identity constraints one element declaration scopes, with the
/// element's name: generated code declares each set once and both the
/// reader and the property-test strategies use it.
#[derive(Clone, Copy, Debug)]
pub struct Scoped {
    pub ns: &'static str,
    pub local: &'static str,
    pub defs: &'static [IdcDef],
}

pub(crate) struct IdcError {
    /// `None`: the element being closed, whose path the reader knows (a
    /// key's or unique's error comes while its element is still open, so no
    /// path is built for selections that turn out fine).
    pub path: Option<String>,
    pub pos: u64,
    pub kind: ErrorKind,
}

/// A node a selector matched, while its fields are read. Kept in place
/// once closed, so its buffers serve the next selection: following the
/// element stream allocates nothing per selected node (a tuple and a
/// keyref's path are copied into their table's or scope's buffers), and
/// moves none.
#[derive(Default)]
struct Selected {
    /// The scope whose definition `def` selected the node.
    scope: usize,
    def: usize,
    depth: usize,
    /// The node's path, for keyrefs only (their errors come when the scope
    /// closes); a key's or unique's error names the element still open.
    path: String,
    pos: u64,
    /// Per field: its value (whitespace collapsed), when `present`.
    values: Vec<String>,
    present: Vec<bool>,
    /// Field index whose element value is being read, with its depth.
    pending_text: Vec<(usize, usize)>,
    /// The deepest element its fields can reach.
    reach: usize,
}

impl Selected {
    fn set(&mut self, field: usize, value: &str) {
        if let (Some(v), Some(p)) = (self.values.get_mut(field), self.present.get_mut(field)) {
            collapse_into(v, value);
            *p = true;
        }
    }

    fn fields(&self) -> impl Iterator<Item = Option<&str>> + Clone {
        self.values
            .iter()
            .zip(&self.present)
            .map(|(v, &p)| p.then_some(v.as_str()))
    }
}

struct Scope {
    depth: usize,
    defs: &'static [IdcDef],
    /// Per constraint: the key tuples seen.
    tables: Vec<Table>,
    /// Per keyref constraint: tuples to resolve when the scope closes.
    refs: Vec<Refs>,
    path: String,
    pos: u64,
}

/// See the module documentation.
#[derive(Default)]
pub struct IdcEngine {
    scopes: Vec<Scope>,
    /// Depth of the first element below the outermost scope's element.
    base_depth: usize,
    /// The open selections (the first `open`, in the order they opened),
    /// then closed ones, their buffers kept for reuse.
    selected: Vec<Selected>,
    open: usize,
    /// Set when a selector matched on the last start; the reader supplies
    /// the position (and for keyrefs the path).
    opened: bool,
    /// The deepest element an open selector or field path can still
    /// reach (`usize::MAX` with a `.//` path); elements below it are not
    /// followed at all. Recomputed when scopes or selections open or close.
    horizon: usize,
    /// The deepest element the open scopes' selectors can reach.
    scopes_reach: usize,
    errors: Vec<IdcError>,
    /// Finished key tables of closed scopes, by constraint name, for keyrefs of ancestors.
    closed_keys: HashMap<&'static str, Table>,
    /// Hashes key tuples (keyed per engine: values come from the input).
    hasher: TupleHasher,
    /// The tuple of the selection being closed, encoded (reused).
    tuple_buf: Vec<u8>,
    /// What the element just started must be called to take part at all.
    /// Recomputed when scopes open or close.
    names: Names,
}

/// The deepest element `paths` can reach from the context node at depth
/// `from` (`usize::MAX` with a `.//` path).
fn reach<'p>(from: usize, paths: impl Iterator<Item = &'p IdcPath>) -> usize {
    paths.fold(from, |h, p| {
        if p.descendant {
            usize::MAX
        } else {
            h.max(from.saturating_add(p.steps.len()))
        }
    })
}

/// The local names the last element step of an open scope's selector or
/// field paths tests, each with the selectors and fields that step ends
/// (its triggers): an element whose local name is none of them (when no
/// such step is a wildcard) is not selected, is no field, carries no
/// field attribute and awaits no text. Most elements within reach are
/// such elements; the engine is not called for them, and for the others
/// it tries only the paths their name can end.
#[derive(Default)]
struct Names {
    locals: Vec<&'static [u8]>,
    /// Per local name (same order): what an element of that name may be,
    /// the wildcard steps' triggers included.
    on: Vec<Triggers>,
    /// Some last step is `*` or `prefix:*`: every element may match.
    any: bool,
    /// What the wildcard last steps may make of any other element.
    wild: Triggers,
    /// Bit `n % 64` set for each local name of length `n`: most names are
    /// told apart by their length alone.
    lens: u64,
    /// Local names the attribute steps of fields test; `any_attr` when one
    /// is `@*` or `@prefix:*`.
    attrs: Vec<&'static [u8]>,
    any_attr: bool,
}

/// The paths an element's local name can end, by constraint: `(scope,
/// def)` whose selector, `(scope, def, field)` whose field (an element,
/// or the element that carries the field's attribute). In scope and
/// definition order, each once, as the engine tried them all before.
#[derive(Clone, Default)]
struct Triggers {
    selectors: Vec<(usize, usize)>,
    fields: Vec<(usize, usize, usize)>,
}

impl Triggers {
    fn add(&mut self, other: &Triggers) {
        self.selectors.extend_from_slice(&other.selectors);
        self.fields.extend_from_slice(&other.fields);
    }

    fn tidy(&mut self) {
        self.selectors.sort_unstable();
        self.selectors.dedup();
        self.fields.sort_unstable();
        self.fields.dedup();
    }
}

/// Which [`Triggers`] an element takes part through (see [`Names::find`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Which(usize);

impl Names {
    fn of(scopes: &[Scope]) -> Names {
        let mut names = Names::default();
        for (si, scope) in scopes.iter().enumerate() {
            for (di, d) in scope.defs.iter().enumerate() {
                for p in d.selector {
                    names.last_step(p, |t| t.selectors.push((si, di)));
                }
                for (fi, alts) in d.fields.iter().enumerate() {
                    for p in alts.iter() {
                        names.last_step(p, |t| t.fields.push((si, di, fi)));
                        names.attr_step(p);
                    }
                }
            }
        }
        for t in &mut names.on {
            t.add(&names.wild);
            t.tidy();
        }
        names.wild.tidy();
        names
    }

    /// Files `trigger` under the local name `p`'s last element step tests
    /// (or under the wildcards).
    fn last_step(&mut self, p: &IdcPath, trigger: impl FnOnce(&mut Triggers)) {
        match p.steps.last() {
            Some(Step::Name { local, .. }) => {
                let at = match self.locals.iter().position(|n| n == local) {
                    Some(at) => at,
                    None => {
                        self.locals.push(local);
                        self.on.push(Triggers::default());
                        self.lens |= 1 << (local.len() % 64);
                        self.locals.len() - 1
                    }
                };
                trigger(&mut self.on[at]);
            }
            Some(Step::Any | Step::AnyIn { .. }) => {
                self.any = true;
                trigger(&mut self.wild);
            }
            // The context node itself: it matched a selector already.
            None => {}
        }
    }

    fn attr_step(&mut self, p: &IdcPath) {
        match p.attribute {
            Some(Step::Name { local, .. }) if !self.attrs.contains(&local) => {
                self.attrs.push(local)
            }
            Some(Step::Any | Step::AnyIn { .. }) => self.any_attr = true,
            _ => {}
        }
    }

    /// The triggers of an element of local name `local`, if any.
    #[inline]
    fn find(&self, local: &[u8]) -> Option<Which> {
        if self.lens >> (local.len() % 64) & 1 != 0
            && let Some(at) = self.locals.iter().position(|n| same_name(n, local))
        {
            return Some(Which(at));
        }
        self.any.then_some(Which(usize::MAX))
    }

    fn triggers(&self, which: Which) -> &Triggers {
        self.on.get(which.0).unwrap_or(&self.wild)
    }

    /// Can an attribute of local name `local` be a field?
    #[inline]
    fn may_be_attr(&self, local: &[u8]) -> bool {
        self.any_attr || self.attrs.iter().any(|n| same_name(n, local))
    }
}

impl IdcEngine {
    #[inline]
    pub(crate) fn active(&self) -> bool {
        !self.scopes.is_empty()
    }

    pub(crate) fn open_scope(
        &mut self,
        depth: usize,
        defs: &'static [IdcDef],
        pos: u64,
        path: String,
    ) {
        if self.scopes.is_empty() {
            self.base_depth = depth + 1;
        }
        self.scopes.push(Scope {
            depth,
            defs,
            tables: defs.iter().map(|_| Table::new(self.hasher)).collect(),
            refs: defs.iter().map(|_| Refs::default()).collect(),
            path,
            pos,
        });
        self.scopes_changed();
    }

    /// Can the element of local name `local` just started be selected, be
    /// a field, carry one or await a field's text (see [`Names`])? When
    /// not, neither [`Self::on_start`], [`Self::on_attr`] nor
    /// [`Self::on_text`] needs to hear of it, nor [`Self::on_end`] unless
    /// a scope closes with it ([`Self::scope_at`]). When it can, what to
    /// hand [`Self::on_start`].
    #[inline]
    pub(crate) fn may_match(&self, local: &[u8]) -> Option<Which> {
        self.names.find(local)
    }

    /// Does a scope open at `depth`?
    #[inline]
    pub(crate) fn scope_at(&self, depth: usize) -> bool {
        self.scopes.last().is_some_and(|s| s.depth == depth)
    }

    /// See [`IdcEngine::horizon`]: what the open scopes' selectors reach
    /// (kept in [`IdcEngine::scopes_reach`], recomputed only when scopes
    /// change) and what each open selection's fields reach (computed when
    /// it opens).
    fn update_horizon(&mut self) {
        let fields = self.selected[..self.open].iter().map(|sel| sel.reach);
        self.horizon = fields.fold(self.scopes_reach, usize::max);
    }

    /// The scopes changed: what their selectors reach, then the horizon.
    fn scopes_changed(&mut self) {
        self.scopes_reach = self
            .scopes
            .iter()
            .flat_map(|s| {
                s.defs
                    .iter()
                    .map(move |d| reach(s.depth, d.selector.iter()))
            })
            .fold(0, usize::max);
        self.names = Names::of(&self.scopes);
        self.update_horizon();
    }

    /// Can an element at `depth` be selected, or be (or carry) a field?
    #[inline]
    pub(crate) fn within_reach(&self, depth: usize) -> bool {
        depth <= self.horizon
    }

    /// The element at `depth` (the deepest in `names`) has started; `which`
    /// is what [`Self::may_match`] found for its name.
    pub(crate) fn on_start(&mut self, depth: usize, names: &impl OpenNames, which: Which) {
        if depth < self.base_depth || !self.within_reach(depth) {
            return;
        }
        let triggers = self.names.triggers(which);
        // Fields of selected nodes that are elements.
        for &(si, di, fi) in &triggers.fields {
            let Some(alts) = self
                .scopes
                .get(si)
                .and_then(|s| s.defs.get(di)?.fields.get(fi))
            else {
                continue;
            };
            // The scope that selected the node (an inner scope may lie
            // between it and the node).
            for sel in self.selected[..self.open]
                .iter_mut()
                .filter(|sel| sel.scope == si && sel.def == di && depth > sel.depth)
            {
                if alts
                    .iter()
                    .any(|p| p.attribute.is_none() && p.matches_at(names, sel.depth, depth))
                {
                    sel.pending_text.push((fi, depth));
                }
            }
        }
        // Selectors of open scopes.
        let before = self.open;
        for &(si, di) in &triggers.selectors {
            let Some(scope) = self.scopes.get(si).filter(|s| depth > s.depth) else {
                continue;
            };
            let Some(def) = scope.defs.get(di) else {
                continue;
            };
            if def
                .selector
                .iter()
                .any(|p| p.matches_at(names, scope.depth, depth))
            {
                if self.open == self.selected.len() {
                    self.selected.push(Selected::default());
                }
                let sel = &mut self.selected[self.open];
                self.open += 1;
                sel.scope = si;
                sel.def = di;
                sel.depth = depth;
                sel.path.clear();
                sel.pos = 0;
                let n = def.fields.len();
                sel.values.truncate(n);
                sel.values.resize_with(n, String::new);
                sel.present.clear();
                sel.present.resize(n, false);
                sel.pending_text.clear();
                sel.reach = reach(depth, def.fields.iter().flat_map(|f| f.iter()));
                self.opened = true;
            }
        }
        if self.open != before {
            self.update_horizon();
        }
    }

    /// Did the last start open a selection? (Then the reader calls
    /// [`Self::set_selected_pos`].)
    pub(crate) fn take_opened(&mut self) -> bool {
        std::mem::take(&mut self.opened)
    }

    /// Whether a selection is open (attributes matter only then).
    #[inline]
    pub(crate) fn selecting(&self) -> bool {
        self.open > 0
    }

    /// Gives the position of the element just started to the selections
    /// it opened, and its path (`path` writes it) to those of keyrefs.
    pub(crate) fn set_selected_pos(
        &mut self,
        depth: usize,
        pos: u64,
        mut path: impl FnMut(&mut String),
    ) {
        for sel in self.selected[..self.open].iter_mut().rev() {
            if sel.depth != depth {
                break;
            }
            sel.pos = pos;
            let keyref = matches!(
                self.scopes[sel.scope].defs[sel.def].kind,
                IdcKind::Keyref { .. }
            );
            if keyref && sel.path.is_empty() {
                path(&mut sel.path);
            }
        }
    }

    /// Can attribute `{ns}local` of the element at `depth` be a field of
    /// an open selection? (Else its value is not needed.)
    pub(crate) fn wants_attr(&self, depth: usize, ns: &[u8], local: &str) -> bool {
        if !self.within_reach(depth)
            || depth < self.base_depth
            || !self.names.may_be_attr(local.as_bytes())
        {
            return false;
        }
        self.selected[..self.open].iter().any(|sel| {
            depth >= sel.depth
                && self.scopes[sel.scope].defs[sel.def]
                    .fields
                    .iter()
                    .flat_map(|alts| alts.iter())
                    .any(|p| p.attribute.is_some_and(|a| a.matches(ns, local.as_bytes())))
        })
    }

    /// Attribute `{ns}local` of the element at `depth` (the deepest in `names`).
    pub(crate) fn on_attr(
        &mut self,
        names: &impl OpenNames,
        depth: usize,
        (ns, local): (&[u8], &str),
        value: &str,
    ) {
        // Below the horizon no field can be.
        if !self.within_reach(depth) || depth < self.base_depth {
            return;
        }
        for sel in &mut self.selected[..self.open] {
            if depth < sel.depth {
                continue;
            }
            let def = &self.scopes[sel.scope].defs[sel.def];
            for (fi, alts) in def.fields.iter().enumerate() {
                let hit = alts.iter().any(|p| {
                    p.attribute.is_some_and(|a| a.matches(ns, local.as_bytes()))
                        && p.matches_at(names, sel.depth, depth)
                });
                if hit {
                    sel.set(fi, value);
                }
            }
        }
    }

    pub(crate) fn on_text(&mut self, depth: usize, text: &str) {
        // Selections and the elements their fields wait for are all within
        // the horizon.
        if !self.within_reach(depth) {
            return;
        }
        for sel in &mut self.selected[..self.open] {
            let def = &self.scopes[sel.scope].defs[sel.def];
            // A field `.` selects the node's own value.
            if depth == sel.depth {
                for (fi, alts) in def.fields.iter().enumerate() {
                    if alts
                        .iter()
                        .any(|p| p.steps.is_empty() && p.attribute.is_none() && !p.descendant)
                    {
                        sel.set(fi, text);
                    }
                }
            }
            let mut k = 0;
            while let Some(&(fi, d)) = sel.pending_text.get(k) {
                if d == depth {
                    sel.set(fi, text);
                    sel.pending_text.remove(k);
                } else {
                    k += 1;
                }
            }
        }
    }

    pub(crate) fn on_end(&mut self, depth: usize) {
        // Below the horizon no scope, selection or awaited field is open,
        // and no name is kept: nothing to close.
        if !self.within_reach(depth) {
            return;
        }
        let (selections, scopes) = (self.open, self.scopes.len());
        // Close selections of this element.
        while self.open > 0 && self.selected[self.open - 1].depth == depth {
            self.open -= 1;
            self.close_selection(self.open);
        }
        for sel in &mut self.selected[..self.open] {
            sel.pending_text.retain(|&(_, d)| d != depth);
        }
        // Close scopes of this element.
        while self.scopes.last().is_some_and(|s| s.depth == depth) {
            if let Some(scope) = self.scopes.pop() {
                self.close_scope(scope);
            }
        }
        if scopes != self.scopes.len() {
            self.scopes_changed();
        } else if selections != self.open {
            self.update_horizon();
        }
    }

    /// Closes selection `i` (its buffers stay for the next).
    fn close_selection(&mut self, i: usize) {
        let sel = &self.selected[i];
        let scope = &mut self.scopes[sel.scope];
        let def = &scope.defs[sel.def];
        let complete = sel.present.iter().all(|&p| p);
        // Into the engine's buffer: a key or unique tuple is copied into its
        // table's arena, so selecting a node allocates nothing of its own.
        let buf = &mut self.tuple_buf;
        let hash = encode_tuple(sel.fields(), &self.hasher, buf);
        match def.kind {
            IdcKind::Unique | IdcKind::Key => {
                if !complete {
                    if let IdcKind::Key = def.kind {
                        self.errors.push(IdcError {
                            path: None,
                            pos: sel.pos,
                            kind: ErrorKind::Key {
                                constraint: def.name.to_owned(),
                                value: shown(buf, def.fields.len()),
                                message: "a key field is missing".into(),
                            },
                        });
                    }
                    return;
                }
                let inserted = scope.tables[sel.def].insert(hash, buf);
                if inserted == Inserted::Full {
                    self.errors.push(IdcError {
                        path: None,
                        pos: sel.pos,
                        kind: ErrorKind::Limit {
                            what: "key values of one identity constraint",
                            limit: scope.tables[sel.def].max as u64,
                        },
                    });
                } else if inserted == Inserted::Duplicate {
                    let shown = shown(buf, def.fields.len());
                    let kind = match def.kind {
                        IdcKind::Key => ErrorKind::Key {
                            constraint: def.name.to_owned(),
                            value: shown,
                            message: "duplicate key value".into(),
                        },
                        _ => ErrorKind::Unique {
                            constraint: def.name.to_owned(),
                            value: shown,
                        },
                    };
                    self.errors.push(IdcError {
                        path: None,
                        pos: sel.pos,
                        kind,
                    });
                }
            }
            IdcKind::Keyref { .. } => {
                if complete {
                    scope.refs[sel.def].push(hash, buf, &sel.path, sel.pos);
                }
            }
        }
    }

    fn close_scope(&mut self, scope: Scope) {
        let _ = (&scope.path, scope.pos);
        for (di, def) in scope.defs.iter().enumerate() {
            let IdcKind::Keyref { refer } = def.kind else {
                continue;
            };
            let table = scope
                .defs
                .iter()
                .position(|d| d.name == refer)
                .map(|i| &scope.tables[i])
                .or_else(|| self.closed_keys.get(refer))
                .or_else(|| {
                    self.scopes.iter().rev().find_map(|s| {
                        s.defs
                            .iter()
                            .position(|d| d.name == refer)
                            .map(|i| &s.tables[i])
                    })
                });
            for (hash, tuple, path, pos) in scope.refs[di].iter() {
                if !table.is_some_and(|t| t.holds(hash, tuple)) {
                    self.errors.push(IdcError {
                        path: Some(path.to_owned()),
                        pos,
                        kind: ErrorKind::Keyref {
                            constraint: def.name.to_owned(),
                            value: shown(tuple, def.fields.len()),
                            refer: refer.to_owned(),
                        },
                    });
                }
            }
        }
        // Keep key tables for keyrefs declared on ancestors (moved, not
        // copied: the scope is gone; none are kept when no ancestor is open).
        if self.scopes.is_empty() {
            return;
        }
        for (def, table) in scope.defs.iter().zip(scope.tables) {
            if !matches!(def.kind, IdcKind::Keyref { .. }) {
                let hasher = self.hasher;
                let kept = self
                    .closed_keys
                    .entry(def.name)
                    .or_insert_with(|| Table::new(hasher));
                if kept.is_empty() {
                    *kept = table;
                } else {
                    kept.extend(table);
                }
            }
        }
    }

    pub(crate) fn finish_document(&mut self) {
        while let Some(scope) = self.scopes.pop() {
            self.close_scope(scope);
        }
        self.scopes_changed();
    }

    #[inline]
    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub(crate) fn take_errors(&mut self) -> Vec<IdcError> {
        let mut e = std::mem::take(&mut self.errors);
        e.sort_by_key(|e| e.pos);
        e
    }
}

/// `s` with whitespace collapsed (runs of XML whitespace to one space, none
/// at either end) into `out`, replacing what it held; most values have none
/// to collapse and are copied as they are.
fn collapse_into(out: &mut String, s: &str) {
    out.clear();
    let b = s.as_bytes();
    // The bytes `split_ascii_whitespace` splits on.
    let ws = |c: &u8| c.is_ascii_whitespace();
    let clean = !b.first().is_some_and(ws)
        && !b.last().is_some_and(ws)
        && !b
            .windows(2)
            .any(|w| ws(&w[0]) && (w[0] != b' ' || ws(&w[1])));
    if clean {
        out.push_str(s);
        return;
    }
    for word in s.split_ascii_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Inserts `t` unless it is there already, in which case it is handed back
/// (for the message). One lookup either way.
#[cfg(test)]
fn insert_new(table: &mut Table, t: Tuple) -> Result<(), Tuple> {
    match table.insert(t.hash, &t.bytes) {
        Inserted::New => Ok(()),
        _ => Err(t),
    }
}

/// The references of a keyref constraint in one scope, resolved when the
/// scope closes: tuples and paths end to end in two buffers (no allocation
/// per reference, none freed one by one).
#[derive(Default)]
struct Refs {
    bytes: Vec<u8>,
    paths: String,
    /// Per reference: its hash, where its tuple and path end, its position.
    entries: Vec<(u64, usize, usize, u64)>,
}

impl Refs {
    fn push(&mut self, hash: u64, tuple: &[u8], path: &str, pos: u64) {
        self.bytes.extend_from_slice(tuple);
        self.paths.push_str(path);
        self.entries
            .push((hash, self.bytes.len(), self.paths.len(), pos));
    }

    /// (hash, tuple, path, position) of each reference, in document order.
    fn iter(&self) -> impl Iterator<Item = (u64, &[u8], &str, u64)> {
        let starts = std::iter::once((0, 0)).chain(self.entries.iter().map(|e| (e.1, e.2)));
        self.entries
            .iter()
            .zip(starts)
            .map(|(&(hash, bytes, path, pos), (b0, p0))| {
                let tuple = self.bytes.get(b0..bytes).unwrap_or_default();
                (
                    hash,
                    tuple,
                    self.paths.get(p0..path).unwrap_or_default(),
                    pos,
                )
            })
    }
}

/// A set of key tuples (encoded as [`encode_tuple`] encodes them): their
/// bytes end to end in one buffer, each entry where its bytes end, found
/// through an open-addressed index (linear probing, at most three quarters
/// full) whose slots hold an entry's number and the top bits of its
/// tuple's hash: most slots of a probe are passed over without looking at
/// the entry. Growing hashes the tuples again (with the engine's hasher)
/// rather than keeping their hashes. Inserting copies the bytes in: no
/// allocation per tuple, none freed one by one when the table goes. About
/// 9 to 15 bytes per tuple besides its bytes (validate-only keeps every
/// key of a document: a `HashMap` and a chained entry took about 60).
struct Table {
    /// Per slot: 0 empty, else the tuple's tag (its hash's top
    /// [`TAG_BITS`] bits) above its entry's number plus one.
    slots: Vec<u32>,
    /// Per entry: where its bytes end (they start where the previous
    /// entry's end).
    ends: Vec<u32>,
    bytes: Vec<u8>,
    /// The most entries the table takes ([`MAX_TUPLES`] but in tests).
    max: usize,
    hasher: TupleHasher,
}

/// Bits of a slot that number entries; the others hold the tag.
const INDEX_BITS: u32 = 26;
const TAG_BITS: u32 = 32 - INDEX_BITS;

/// The most tuples one table holds: slots number entries in
/// [`INDEX_BITS`] bits (67 million keys of one constraint: a document of
/// tens of gigabytes), and entries end their bytes within 4 GiB.
const MAX_TUPLES: usize = (1 << INDEX_BITS) - 1;

/// What [`Table::insert`] did with a tuple.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inserted {
    New,
    /// It was there already.
    Duplicate,
    /// The table holds its most tuples already: not kept.
    Full,
}

impl Table {
    /// An empty table whose tuples `hasher` hashes.
    fn new(hasher: TupleHasher) -> Table {
        Table {
            slots: Vec::new(),
            ends: Vec::new(),
            bytes: Vec::new(),
            max: MAX_TUPLES,
            hasher,
        }
    }

    /// Adds the tuple (whose hash by the table's hasher is `hash`) unless
    /// it is there already.
    fn insert(&mut self, hash: u64, tuple: &[u8]) -> Inserted {
        // Growing places tuples by the table's own hash of them.
        debug_assert_eq!(hash, self.hasher.hash(tuple), "a hash of another hasher");
        if (self.ends.len() + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let slot = match self.probe(hash, tuple) {
            Ok(_) => return Inserted::Duplicate,
            Err(slot) => slot,
        };
        let (Some(s), Ok(end), true) = (
            self.slots.get_mut(slot),
            u32::try_from(self.bytes.len() + tuple.len()),
            self.ends.len() < self.max,
        ) else {
            return Inserted::Full;
        };
        *s = slot_of(hash, self.ends.len());
        self.bytes.extend_from_slice(tuple);
        self.ends.push(end);
        Inserted::New
    }

    /// Is the tuple in the table?
    fn holds(&self, hash: u64, tuple: &[u8]) -> bool {
        !self.slots.is_empty() && self.probe(hash, tuple).is_ok()
    }

    /// `Ok` with the slot of the tuple, or `Err` with the empty slot where
    /// it would go. The index is never full, so the probe ends.
    fn probe(&self, hash: u64, tuple: &[u8]) -> Result<usize, usize> {
        let mask = self.slots.len().wrapping_sub(1);
        let tag = slot_of(hash, 0) >> INDEX_BITS;
        let mut i = (hash as usize) & mask;
        loop {
            let Some(&s) = self.slots.get(i) else {
                return Err(i);
            };
            if s == 0 {
                return Err(i);
            }
            if s >> INDEX_BITS == tag && self.tuple(entry_of(s)) == tuple {
                return Ok(i);
            }
            i = (i + 1) & mask;
        }
    }

    /// The bytes of entry `e`.
    fn tuple(&self, e: usize) -> &[u8] {
        let start = e
            .checked_sub(1)
            .and_then(|p| self.ends.get(p))
            .map_or(0, |&p| p as usize);
        let end = self.ends.get(e).map_or(start, |&x| x as usize);
        self.bytes.get(start..end).unwrap_or_default()
    }

    /// Twice the slots (at least 16), every entry placed again by its
    /// tuple's hash.
    fn grow(&mut self) {
        let n = (self.slots.len() * 2).max(16);
        let mask = n - 1;
        let mut slots = vec![0u32; n];
        for e in 0..self.ends.len() {
            let hash = self.hasher.hash(self.tuple(e));
            let mut i = (hash as usize) & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = slot_of(hash, e);
        }
        self.slots = slots;
    }

    #[cfg(test)]
    fn contains(&self, t: &Tuple) -> bool {
        self.holds(t.hash, &t.bytes)
    }

    /// Adds the tuples of `other` that are not in this table (as many as
    /// it takes).
    fn extend(&mut self, other: Table) {
        for e in 0..other.ends.len() {
            let tuple = other.tuple(e);
            if self.insert(self.hasher.hash(tuple), tuple) == Inserted::Full {
                return;
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// The slot of entry `e` (below [`MAX_TUPLES`]) whose tuple hashes to `hash`.
#[inline]
fn slot_of(hash: u64, e: usize) -> u32 {
    ((hash >> (64 - TAG_BITS)) as u32) << INDEX_BITS | (e as u32 + 1)
}

/// The entry a non-empty slot holds.
#[inline]
fn entry_of(slot: u32) -> usize {
    (slot & ((1 << INDEX_BITS) - 1)) as usize - 1
}

/// A key tuple on its own (the tests'; the engine keeps tuples in the
/// buffers of [`Table`] and [`Refs`]), encoded by [`encode_tuple`].
#[derive(Clone, Debug)]
#[cfg(test)]
struct Tuple {
    hash: u64,
    bytes: Box<[u8]>,
    fields: usize,
}

#[cfg(test)]
impl PartialEq for Tuple {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.bytes == other.bytes
    }
}

#[cfg(test)]
impl Eq for Tuple {}

#[cfg(test)]
impl Tuple {
    #[cfg(test)]
    fn new<'v>(
        values: impl Iterator<Item = Option<&'v str>> + Clone,
        hasher: &TupleHasher,
    ) -> Tuple {
        let mut buf = Vec::new();
        let fields = values.clone().count();
        let hash = encode_tuple(values, hasher, &mut buf);
        Tuple {
            hash,
            bytes: buf.into_boxed_slice(),
            fields,
        }
    }

    /// The fields, joined by `, ` (as errors show them).
    fn shown(&self) -> String {
        shown(&self.bytes, self.fields)
    }
}

/// Encodes a tuple into `buf`, replacing what it held, and returns its hash
/// (tuples are hashed and compared as one buffer, no `Vec` of `String`s per
/// tuple): a single field as its bytes; several as each field's byte length
/// (4 bytes, little-endian), then its bytes, so that distinct tuples never
/// share an encoding (the tuples one table or reference compares all have
/// its constraint's number of fields). A missing field is empty.
fn encode_tuple<'v>(
    values: impl Iterator<Item = Option<&'v str>> + Clone,
    hasher: &TupleHasher,
    buf: &mut Vec<u8>,
) -> u64 {
    buf.clear();
    let mut fields = values.clone();
    if let (Some(only), None) = (fields.next(), fields.next()) {
        buf.extend_from_slice(only.unwrap_or_default().as_bytes());
        return hasher.hash(buf);
    }
    let len = values.clone().map(|v| 4 + v.map_or(0, str::len)).sum();
    buf.reserve(len);
    for v in values {
        let v = v.unwrap_or_default();
        buf.extend_from_slice(&(v.len() as u32).to_le_bytes());
        buf.extend_from_slice(v.as_bytes());
    }
    hasher.hash(buf)
}

/// A keyed hash for encoded tuples: 64-bit words folded in by a 64 x 64
/// -> 128-bit multiply with secret keys (the construction of foldhash and
/// aHash's fallback), several times cheaper than SipHash on the short
/// tuples keys are. The keys are drawn per engine from the standard
/// library's random source: tuples come from the input, and a table an
/// input could flood with collisions would take quadratic time.
#[derive(Clone, Copy)]
struct TupleHasher {
    k0: u64,
    k1: u64,
}

impl Default for TupleHasher {
    fn default() -> Self {
        let random = RandomState::new();
        TupleHasher {
            k0: random.hash_one(0u8),
            // Odd: a multiplier that keeps every bit.
            k1: random.hash_one(1u8) | 1,
        }
    }
}

impl TupleHasher {
    fn hash(&self, bytes: &[u8]) -> u64 {
        let mut h = self.k0 ^ bytes.len() as u64;
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            h = fold_mul(h ^ u64::from_le_bytes(word), self.k1);
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            h = fold_mul(h ^ u64::from_le_bytes(word), self.k1);
        }
        // Every input bit into the low bits the tables index by.
        fold_mul(h, self.k0 | 1)
    }
}

/// The 128-bit product of `a` and `b`, its halves xor-ed.
#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// An encoded tuple's fields, joined by `, ` (as errors show them).
fn shown(bytes: &[u8], fields: usize) -> String {
    if fields == 1 {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut out = String::new();
    let mut rest = bytes;
    let mut first = true;
    while let Some((len, tail)) = rest.split_first_chunk::<4>() {
        let len = (u32::from_le_bytes(*len) as usize).min(tail.len());
        if !std::mem::take(&mut first) {
            out.push_str(", ");
        }
        out.push_str(&String::from_utf8_lossy(&tail[..len]));
        rest = &tail[len..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // One hasher for all, as one engine has.
    thread_local!(static HASHER: TupleHasher = TupleHasher::default());

    fn tuple(fields: &[Option<&str>]) -> Tuple {
        HASHER.with(|h| Tuple::new(fields.iter().copied(), h))
    }

    /// A table hashing as [`tuple`] does.
    fn table() -> Table {
        HASHER.with(|h| Table::new(*h))
    }

    /// A hasher that hashes every tuple to 0.
    const COLLIDING: TupleHasher = TupleHasher { k0: 0, k1: 0 };

    #[test]
    fn tuples_are_equal_exactly_when_their_fields_are() {
        assert_eq!(
            tuple(&[Some("a"), Some("b")]),
            tuple(&[Some("a"), Some("b")])
        );
        assert_ne!(
            tuple(&[Some("ab"), Some("")]),
            tuple(&[Some("a"), Some("b")])
        );
        assert_ne!(tuple(&[Some("a")]), tuple(&[Some("a"), Some("")]));
        // A missing field reads as empty, as the joined message always showed it.
        assert_eq!(tuple(&[None, Some("x")]), tuple(&[Some(""), Some("x")]));
    }

    #[test]
    fn tuple_hashes_spread_over_the_bits_tables_index_by() {
        // Keys as documents number them: a common prefix, a counter.
        let h = TupleHasher::default();
        let n = 100_000;
        let mut low16 = std::collections::HashSet::new();
        let mut low32 = std::collections::HashSet::new();
        let mut buf = Vec::new();
        for i in 0..n {
            let key = format!("P{i}");
            let hash = encode_tuple([Some(key.as_str())].into_iter(), &h, &mut buf);
            low16.insert(hash as u16);
            low32.insert(hash as u32);
        }
        // Random 16-bit values: about 65,536 x (1 - e^(-n/65,536)) = 51,000
        // distinct; 32-bit ones: one or two collisions.
        assert!(low16.len() > 48_000, "{} distinct low 16 bits", low16.len());
        assert!(low32.len() > n - 20, "{} distinct low 32 bits", low32.len());
        // Each engine draws its own keys.
        let other = TupleHasher::default();
        assert_ne!(h.hash(b"P1"), other.hash(b"P1"));
        assert_eq!(h.hash(b"P1"), h.hash(b"P1"));
        assert_ne!(h.hash(b"P1"), h.hash(b"P1\0"));
    }

    #[test]
    fn tables_find_duplicates_after_growing() {
        let mut table = table();
        for i in 0..5000 {
            let t = tuple(&[Some(&format!("k{i}")), Some("x")]);
            assert!(insert_new(&mut table, t).is_ok(), "k{i} is new");
        }
        for i in [0, 17, 4999] {
            let again = tuple(&[Some(&format!("k{i}")), Some("x")]);
            let back = insert_new(&mut table, again).err().map(|t| t.shown());
            assert_eq!(back, Some(format!("k{i}, x")));
        }
        assert!(!table.contains(&tuple(&[Some("k1"), Some("y")])));
        assert!(!table.contains(&tuple(&[Some("k1x")])));
        assert_eq!(table.len(), 5000);
    }

    #[test]
    fn tuples_sharing_a_hash_are_told_apart_by_their_bytes() {
        assert_eq!(COLLIDING.hash(b"t1"), 0);
        assert_eq!(COLLIDING.hash(b"a longer tuple"), 0);
        let mut table = Table::new(COLLIDING);
        // Every tuple with the same hash (and tag): one probe chain holds
        // them all, across the growths.
        for i in 0..100 {
            let new = table.insert(0, format!("t{i}").as_bytes());
            assert_eq!(new, Inserted::New, "t{i} is new");
        }
        for i in 0..100 {
            let again = table.insert(0, format!("t{i}").as_bytes());
            assert_eq!(again, Inserted::Duplicate, "t{i} again");
            assert!(table.holds(0, format!("t{i}").as_bytes()));
        }
        assert!(!table.holds(0, b"t100"));
        assert!(!Table::new(COLLIDING).holds(0, b"t1"));
        assert_eq!(table.len(), 100);
        // Extended with another that shares some tuples.
        let mut other = Table::new(COLLIDING);
        for i in 95..120 {
            other.insert(0, format!("t{i}").as_bytes());
        }
        table.extend(other);
        assert_eq!(table.len(), 120);
        assert!(table.holds(0, b"t99") && table.holds(0, b"t119"));
    }

    #[test]
    fn tags_and_growth_keep_every_tuple_findable() {
        // Real hashes: tags differ, tuples are placed again as the table
        // grows, and a table extended with another hashes its tuples anew.
        let mut a = table();
        let mut b = table();
        for i in 0..3000 {
            let t = tuple(&[Some(&format!("k{i}"))]);
            let into = if i % 2 == 0 { &mut a } else { &mut b };
            assert_eq!(into.insert(t.hash, &t.bytes), Inserted::New);
        }
        a.extend(b);
        assert_eq!(a.len(), 3000);
        for i in 0..3000 {
            assert!(a.contains(&tuple(&[Some(&format!("k{i}"))])), "k{i}");
        }
        assert!(!a.contains(&tuple(&[Some("k3000")])));
        // Slots: the tag above the entry's number.
        assert_eq!(entry_of(slot_of(u64::MAX, 5)), 5);
        assert_eq!(slot_of(u64::MAX, 5) >> INDEX_BITS, (1 << TAG_BITS) - 1);
        assert_eq!(entry_of(slot_of(0, MAX_TUPLES - 1)), MAX_TUPLES - 1);
    }

    #[test]
    fn a_full_table_says_so_and_keeps_what_it_holds() {
        let mut table = Table { max: 3, ..table() };
        let [a, b, c, d] = ["a", "b", "c", "d"].map(|v| tuple(&[Some(v)]));
        for t in [&a, &b, &c] {
            assert_eq!(table.insert(t.hash, &t.bytes), Inserted::New);
        }
        assert_eq!(table.insert(d.hash, &d.bytes), Inserted::Full);
        assert_eq!(table.insert(a.hash, &a.bytes), Inserted::Duplicate);
        assert!(table.contains(&c) && !table.contains(&d));
        assert_eq!(table.len(), 3);
    }

    #[test]
    fn tuples_are_shown_joined_by_commas() {
        assert_eq!(tuple(&[Some("a"), Some("b c")]).shown(), "a, b c");
        assert_eq!(tuple(&[Some("only")]).shown(), "only");
        assert_eq!(tuple(&[Some(""), Some("x")]).shown(), ", x");
        assert_eq!(tuple(&[Some("x"), None]).shown(), "x, ");
        assert_eq!(tuple(&[]).shown(), "");
    }

    #[test]
    fn collapsing_matches_splitting_on_whitespace() {
        for s in [
            "a", "a b", " a", "a ", "a  b", "a\tb", "a\nb", "\r", "", " ", "a b c", "x \ty",
            "a\u{c}b",
        ] {
            let want = s.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
            // Into a buffer that held something else: replaced, not appended to.
            let mut got = String::from("old value");
            collapse_into(&mut got, s);
            assert_eq!(got, want, "{s:?}");
        }
    }
}

/// The engine as the reader drives it, on documents read as wildcard
/// content (every element through `begin`): the name filter
/// ([`IdcEngine::may_match`]) must leave every verdict as it was, whatever
/// the steps pass through.
#[cfg(test)]
mod filtered {
    use super::*;
    use crate::rt;
    use crate::xml::{ReadOptions, XmlReader};

    /// The identity-constraint errors of `doc` with `defs` on its root, as
    /// (kind, value) pairs. Elements named in `leaves` hold text.
    fn idc_errors(doc: &str, defs: &'static [IdcDef], leaves: &[&str]) -> Vec<(String, String)> {
        error_kinds(doc, defs, leaves)
            .into_iter()
            .map(|kind| match kind {
                ErrorKind::Key { value, .. } => ("key".into(), value),
                ErrorKind::Unique { value, .. } => ("unique".into(), value),
                ErrorKind::Keyref { value, .. } => ("keyref".into(), value),
                other => ("other".into(), format!("{other:?}")),
            })
            .collect()
    }

    /// The errors of `doc` with `defs` on its root, in the order reported.
    fn error_kinds(doc: &str, defs: &'static [IdcDef], leaves: &[&str]) -> Vec<ErrorKind> {
        let mut r = XmlReader::new(doc, ReadOptions::default());
        let value = r.start_document().and_then(|()| {
            rt::complex_idc(defs, |r: &mut XmlReader<'_>| children(r, leaves))(&mut r, false)
        });
        match r.into_result(value) {
            Err(errors) => errors.iter().map(|e| e.kind.clone()).collect(),
            Ok(()) => Vec::new(),
        }
    }

    /// The children of the element just begun, then its end.
    fn children(r: &mut XmlReader<'_>, leaves: &[&str]) -> crate::xml::ReadResult<()> {
        r.next_child()?;
        while r.at_element() {
            let leaf = r.pending_name().is_some_and(|(_, l)| leaves.contains(&l));
            r.begin(false)?;
            if leaf {
                r.text()?;
                r.finish()?;
            } else {
                children(r, leaves)?;
            }
        }
        r.finish()
    }

    const fn name(local: &'static str) -> Step {
        Step::name("", local)
    }

    fn pair(kind: &str, value: &str) -> (String, String) {
        (kind.into(), value.into())
    }

    #[test]
    fn fields_reached_through_elements_no_step_ends_with() {
        // Selector a/b, field c/@v: `a` ends no path, so it is skipped at
        // its start, yet it must still be seen as `b`'s parent.
        const DEFS: &[IdcDef] = &[IdcDef::unique(
            "u",
            &[IdcPath::child(&[name("a"), name("b")])],
            &[&[IdcPath::child(&[name("c")]).attr(name("v"))]],
        )];
        const LEAVES: &[&str] = &[];
        let dup = "<r><a><b><c v='1'/></b><x/><b><c v='1'/></b></a></r>";
        assert_eq!(idc_errors(dup, DEFS, LEAVES), [pair("unique", "1")]);
        let distinct = "<r><a><b><c v='1'/></b><b><c v='2'/></b></a></r>";
        assert_eq!(idc_errors(distinct, DEFS, LEAVES), []);
        // `b` under a skipped `x` is not `a/b`.
        let elsewhere = "<r><x><b><c v='1'/></b><b><c v='1'/></b></x></r>";
        assert_eq!(idc_errors(elsewhere, DEFS, LEAVES), []);
    }

    #[test]
    fn wildcard_steps_let_every_element_through() {
        const DEFS: &[IdcDef] = &[IdcDef::key(
            "k",
            &[IdcPath::child(&[Step::Any])],
            &[&[IdcPath::child(&[Step::Any])]],
        )];
        const LEAVES: &[&str] = &["q", "t"];
        let dup = "<r><p><q>1</q></p><s><t>1</t></s></r>";
        assert_eq!(idc_errors(dup, DEFS, LEAVES), [pair("key", "1")]);
        let missing = "<r><p><q>1</q></p><s/></r>";
        assert_eq!(idc_errors(missing, DEFS, LEAVES).len(), 1);
    }

    #[test]
    fn own_values_descendants_and_references_through_skipped_elements() {
        const DEFS: &[IdcDef] = &[
            IdcDef::key(
                "id",
                &[IdcPath::descendant(&[name("item")])],
                &[&[IdcPath::child(&[])]],
            ),
            IdcDef::keyref(
                "ref",
                "id",
                &[IdcPath::child(&[name("refs"), name("to")])],
                &[&[IdcPath::child(&[]).attr(name("item"))]],
            ),
        ];
        const LEAVES: &[&str] = &["item"];
        let ok = "<r><g><h><item>A</item></h><item>B</item></g>\
                  <refs><to item='A'/><to item='B'/></refs></r>";
        assert_eq!(idc_errors(ok, DEFS, LEAVES), []);
        let bad = "<r><g><h><item>A</item></h><item>A</item></g>\
                   <refs><x><to item='A'/></x><to item='C'/></refs></r>";
        assert_eq!(
            idc_errors(bad, DEFS, LEAVES),
            [pair("key", "A"), pair("keyref", "C")]
        );
    }

    #[test]
    fn a_node_two_selector_alternatives_reach_is_selected_once() {
        // `x | .//x`: both alternatives end in `x` and select the same
        // children; selected twice, each node would clash with itself.
        const DEFS: &[IdcDef] = &[IdcDef::key(
            "k",
            &[
                IdcPath::child(&[name("x")]),
                IdcPath::descendant(&[name("x")]),
            ],
            &[&[IdcPath::child(&[]).attr(name("v"))]],
        )];
        const LEAVES: &[&str] = &[];
        let ok = "<r><x v='1'/><x v='2'/><g><x v='3'/></g></r>";
        assert_eq!(idc_errors(ok, DEFS, LEAVES), []);
        let dup = "<r><x v='1'/><g><x v='1'/></g></r>";
        assert_eq!(idc_errors(dup, DEFS, LEAVES), [pair("key", "1")]);
    }

    #[test]
    fn named_and_wildcard_steps_trigger_in_definition_order() {
        // `b` ends a named selector and a wildcard one; `c` only the
        // wildcard's. The errors come in the order the definitions give.
        const DEFS: &[IdcDef] = &[
            IdcDef::unique(
                "any",
                &[IdcPath::child(&[Step::Any])],
                &[&[IdcPath::child(&[]).attr(name("v"))]],
            ),
            IdcDef::unique(
                "b",
                &[IdcPath::child(&[name("b")])],
                &[&[IdcPath::child(&[]).attr(name("v"))]],
            ),
            IdcDef::unique(
                "ws",
                &[IdcPath::child(&[Step::Any])],
                &[&[IdcPath::child(&[name("w")]).attr(name("v"))]],
            ),
        ];
        const LEAVES: &[&str] = &[];
        let doc = "<r><b v='1'><w v='5'/></b><c v='2'><w v='5'/></c>\
                   <b v='1' u='0'/><c v='2'/></r>";
        // Two constraints fail on the second `b`: which comes first is
        // the order of the selections it opened.
        let found: Vec<_> = error_kinds(doc, DEFS, LEAVES)
            .into_iter()
            .map(|kind| match kind {
                ErrorKind::Unique { constraint, value } => (constraint, value),
                other => ("other".into(), format!("{other:?}")),
            })
            .collect();
        let want = [("ws", "5"), ("b", "1"), ("any", "1"), ("any", "2")];
        assert_eq!(found, want.map(|(c, v)| (c.to_owned(), v.to_owned())));
    }

    #[test]
    fn attribute_fields_are_found_among_other_attributes() {
        // Only `v` and `@*` name attributes: `w` is filtered out for the
        // first constraint, taken by the second.
        const DEFS: &[IdcDef] = &[
            IdcDef::unique(
                "v",
                &[IdcPath::child(&[name("b")])],
                &[&[IdcPath::child(&[]).attr(name("v"))]],
            ),
            IdcDef::unique(
                "any",
                &[IdcPath::child(&[name("c")])],
                &[&[IdcPath::child(&[]).attr(Step::Any)]],
            ),
        ];
        const LEAVES: &[&str] = &[];
        let doc = "<r><b w='1' v='1'/><b v='1' w='2'/><b w='3'/>\
                   <c w='7'/><c v='7'/></r>";
        assert_eq!(
            idc_errors(doc, DEFS, LEAVES),
            [pair("unique", "1"), pair("unique", "7")]
        );
    }
}
