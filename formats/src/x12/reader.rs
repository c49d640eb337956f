//! X12 reading: envelopes checked against their trailers, transaction sets nested into loops, elements keyed by reference.
//!
//! The tree shape is described in `formats/README.md` ("X12 tree shape").

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::envelope::{GS_FIELDS, ISA_FIELDS, ST_FIELDS, component_key, element_key, same_number};
use super::lexer::{Delimiters, LexError, Lexer, Segment};
use super::sets::{self, ChildKind, SetDef};
use crate::error::UTF8_BOM;
use crate::{DecodeError, DecodeErrorKind, DecodeOptions, Format, SegmentPosition};

/// At most this many warnings are listed per interchange, so a file of a million unknown
/// segments cannot make the tree (or the time spent on line numbers) grow without bound.
const MAX_WARNINGS: usize = 100;

/// Decodes X12 bytes into `{"interchanges": [...]}`.
pub(crate) fn decode(input: &[u8], opts: &DecodeOptions) -> Result<Value, DecodeError> {
    if input.len() > opts.max_size {
        return Err(DecodeError::too_large(Format::X12, input.len(), opts.max_size));
    }
    let (body, base) = match input.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, UTF8_BOM.len()),
        None => (input, 0),
    };
    let text = std::str::from_utf8(body).map_err(|e| {
        DecodeError::new(
            Format::X12,
            DecodeErrorKind::Malformed,
            "input is not valid UTF-8 (X12 is read as ASCII or UTF-8)",
        )
        .at_offset(input, base + e.valid_up_to())
    })?;
    let mut reader = Reader {
        input,
        lexer: Lexer::new(text, base),
        opts,
        d: Delimiters {
            element: b'*',
            component: b':',
            repetition: None,
            terminator: "~",
        },
        warnings: Vec::new(),
        left_out: 0,
    };
    let mut interchanges = Vec::new();
    while let Some(seg) = reader.next()? {
        if seg.tag != "ISA" {
            return Err(reader.error(
                &seg,
                None,
                DecodeErrorKind::Malformed,
                format!("expected ISA to start the next interchange, found `{}`", seg.tag),
            ));
        }
        interchanges.push(reader.interchange(&seg)?);
    }
    if interchanges.is_empty() {
        return Err(DecodeError::new(
            Format::X12,
            DecodeErrorKind::Malformed,
            "input is empty; an X12 interchange starts with ISA",
        )
        .at_offset(input, input.len()));
    }
    let mut root = Map::new();
    root.insert("interchanges".to_owned(), Value::Array(interchanges));
    Ok(Value::Object(root))
}

struct Reader<'a, 'o> {
    input: &'a [u8],
    lexer: Lexer<'a>,
    opts: &'o DecodeOptions,
    /// The delimiters of the current interchange.
    d: Delimiters<'a>,
    /// The current interchange's warnings.
    warnings: Vec<Value>,
    left_out: usize,
}

impl<'a> Reader<'a, '_> {
    /// The next segment; a last segment without a terminator is accepted with a warning.
    fn next(&mut self) -> Result<Option<Segment<'a>>, DecodeError> {
        let seg = self.lexer.next_segment().map_err(|e| self.lex_error(e))?;
        if let Some(seg) = &seg {
            if seg.tag == "ISA"
                && let Some(d) = self.lexer.delimiters()
            {
                self.d = d;
            }
            if !seg.terminated {
                self.warn(seg, None, "the last segment has no segment terminator".to_owned());
            }
        }
        Ok(seg)
    }

    fn lex_error(&self, e: LexError) -> DecodeError {
        let mut err = DecodeError::new(Format::X12, e.kind, e.message).at_offset(self.input, e.offset);
        err.segment = Some(Box::new(SegmentPosition {
            ordinal: e.ordinal,
            tag: e.tag.unwrap_or_default(),
            element: e.element,
        }));
        err
    }

    /// An error about `seg` (and its element `element`, 1-based), positioned on it.
    fn error(&self, seg: &Segment<'_>, element: Option<usize>, kind: DecodeErrorKind, message: String) -> DecodeError {
        let offset = element.map_or(seg.offset, |n| seg.element_offset(self.d.element, n));
        let mut err = DecodeError::new(Format::X12, kind, message).at_offset(self.input, offset);
        err.segment = Some(Box::new(SegmentPosition {
            ordinal: seg.ordinal,
            tag: seg.tag.to_owned(),
            element,
        }));
        err
    }

    /// An error at the end of input (a missing trailer).
    fn eof(&self, message: String) -> DecodeError {
        let mut err = DecodeError::new(
            Format::X12,
            DecodeErrorKind::Malformed,
            format!("unexpected end of input: {message}"),
        )
        .at_offset(self.input, self.lexer.end_offset());
        err.segment = Some(Box::new(SegmentPosition {
            ordinal: self.lexer.ordinal() + 1,
            tag: String::new(),
            element: None,
        }));
        err
    }

    /// Records a warning in the current interchange.
    fn warn(&mut self, seg: &Segment<'_>, element: Option<usize>, message: String) {
        if self.warnings.len() >= MAX_WARNINGS {
            self.left_out += 1;
            return;
        }
        let e = self.error(seg, element, DecodeErrorKind::Malformed, message);
        let mut w = Map::new();
        w.insert("message".to_owned(), Value::String(e.message));
        let position = e.segment.as_deref();
        for (key, value) in [
            ("segment", position.map(|p| p.ordinal)),
            ("element", position.and_then(|p| p.element)),
            ("line", e.line),
            ("column", e.column),
            ("offset", e.offset),
        ] {
            if let Some(value) = value {
                w.insert(key.to_owned(), Value::from(value));
            }
        }
        if let Some(p) = position {
            w.insert("tag".to_owned(), Value::String(p.tag.clone()));
        }
        self.warnings.push(Value::Object(w));
    }

    /// A trailer that disagrees with what it closes: an error when strict, else a warning.
    fn mismatch(&mut self, seg: &Segment<'_>, element: usize, message: String) -> Result<(), DecodeError> {
        if self.opts.strict {
            return Err(self.error(seg, Some(element), DecodeErrorKind::Malformed, message));
        }
        self.warn(seg, Some(element), message);
        Ok(())
    }

    /// Checks a count in a trailer (SE01, GE01, IEA01) against what was read.
    fn check_count(&mut self, seg: &Segment<'_>, what: &str, of: &str, actual: usize) -> Result<(), DecodeError> {
        let said = seg.element(self.d.element, 1);
        if said.parse::<usize>().ok() != Some(actual) {
            let name = format!("{}01", seg.tag.to_ascii_lowercase());
            self.mismatch(seg, 1, format!("{name} says `{said}` {what} but {of} has {actual}"))?;
        }
        Ok(())
    }

    /// Checks a control number in a trailer (SE02, GE02, IEA02) against its header's.
    fn check_control(&mut self, seg: &Segment<'_>, header: &str, expected: &str) -> Result<(), DecodeError> {
        let said = seg.element(self.d.element, 2);
        if !same_number(said, expected) {
            let name = format!("{}02", seg.tag.to_ascii_lowercase());
            self.mismatch(
                seg,
                2,
                format!("{name} control number `{said}` does not match {header} `{expected}`"),
            )?;
        }
        Ok(())
    }

    fn interchange(&mut self, isa: &Segment<'a>) -> Result<Value, DecodeError> {
        let fields: Vec<&str> = isa.elements(self.d.element).collect();
        let mut ic = Map::new();
        for (n, key, _) in ISA_FIELDS {
            // ISA elements are fixed-width and padded with spaces; the tree holds the value.
            let value = fields.get(n - 1).map_or("", |f| f.trim());
            if !value.is_empty() {
                ic.insert(key.to_owned(), Value::String(value.to_owned()));
            }
        }
        let control = fields.get(12).map_or("", |f| f.trim()).to_owned();
        let mut groups = Vec::new();
        let mut ta1 = Vec::new();
        loop {
            let Some(seg) = self.next()? else {
                return Err(self.eof(format!("interchange {control} has no IEA trailer")));
            };
            match seg.tag {
                "GS" => groups.push(self.group(&seg)?),
                "TA1" => ta1.push(self.segment_value(&seg)),
                "IEA" => {
                    self.check_count(
                        &seg,
                        "functional groups",
                        &format!("interchange {control}"),
                        groups.len(),
                    )?;
                    self.check_control(&seg, "isa13", &control)?;
                    break;
                }
                "ISA" => {
                    return Err(self.error(
                        &seg,
                        None,
                        DecodeErrorKind::Malformed,
                        format!("interchange {control} is not closed: ISA before its IEA"),
                    ));
                }
                other => {
                    return Err(self.error(
                        &seg,
                        None,
                        DecodeErrorKind::Malformed,
                        format!("unexpected segment `{other}` in interchange {control}; expected GS or IEA"),
                    ));
                }
            }
        }
        if !ta1.is_empty() {
            ic.insert("TA1".to_owned(), Value::Array(ta1));
        }
        ic.insert("groups".to_owned(), Value::Array(groups));
        if self.left_out > 0 {
            let note = format!("{} more warnings were left out", self.left_out);
            let mut w = Map::new();
            w.insert("message".to_owned(), Value::String(note));
            self.warnings.push(Value::Object(w));
            self.left_out = 0;
        }
        if !self.warnings.is_empty() {
            ic.insert("warnings".to_owned(), Value::Array(std::mem::take(&mut self.warnings)));
        }
        Ok(Value::Object(ic))
    }

    fn group(&mut self, gs: &Segment<'a>) -> Result<Value, DecodeError> {
        let mut group = Map::new();
        let mut count = 0;
        for (i, value) in gs.elements(self.d.element).enumerate() {
            count = i + 1;
            if value.is_empty() {
                continue;
            }
            let key = GS_FIELDS
                .get(i)
                .map_or_else(|| element_key("GS", i + 1), |&k| k.to_owned());
            group.insert(key, Value::String(value.to_owned()));
        }
        if count > GS_FIELDS.len() {
            self.warn(
                gs,
                Some(GS_FIELDS.len() + 1),
                format!("gs has {count} elements, 8 expected; the extra ones are kept as GS09 and on"),
            );
        }
        let control = gs.element(self.d.element, 6).to_owned();
        let mut transactions = Vec::new();
        loop {
            let Some(seg) = self.next()? else {
                return Err(self.eof(format!("functional group {control} has no GE trailer")));
            };
            match seg.tag {
                "ST" => transactions.push(self.transaction(&seg)?),
                "GE" => {
                    let of = format!("functional group {control}");
                    self.check_count(&seg, "transaction sets", &of, transactions.len())?;
                    self.check_control(&seg, "gs06", &control)?;
                    break;
                }
                "GS" | "IEA" | "ISA" => {
                    return Err(self.error(
                        &seg,
                        None,
                        DecodeErrorKind::Malformed,
                        format!("functional group {control} is not closed: {} before its GE", seg.tag),
                    ));
                }
                other => {
                    return Err(self.error(
                        &seg,
                        None,
                        DecodeErrorKind::Malformed,
                        format!("segment `{other}` is outside a transaction set in group {control}; expected ST or GE"),
                    ));
                }
            }
        }
        group.insert("transactions".to_owned(), Value::Array(transactions));
        Ok(Value::Object(group))
    }

    fn transaction(&mut self, st: &Segment<'a>) -> Result<Value, DecodeError> {
        let mut tx = Map::new();
        for (i, value) in st.elements(self.d.element).enumerate() {
            if value.is_empty() {
                continue;
            }
            let key = ST_FIELDS
                .get(i)
                .map_or_else(|| element_key("ST", i + 1), |&k| k.to_owned());
            tx.insert(key, Value::String(value.to_owned()));
        }
        let set_id = st.element(self.d.element, 1);
        let control = st.element(self.d.element, 2);
        let mut builder = sets::lookup(set_id).map(Builder::new);
        let mut flat = Vec::new();
        let mut count = 1;
        loop {
            let Some(seg) = self.next()? else {
                return Err(self.eof(format!("transaction set {control} has no SE trailer")));
            };
            match seg.tag {
                "SE" => {
                    count += 1;
                    self.check_count(
                        &seg,
                        "segments",
                        &format!("transaction set {control} (ST to SE)"),
                        count,
                    )?;
                    self.check_control(&seg, "st02", control)?;
                    break;
                }
                "ST" | "GE" | "GS" | "IEA" | "ISA" => {
                    return Err(self.error(
                        &seg,
                        None,
                        DecodeErrorKind::Malformed,
                        format!("transaction set {control} is not closed: {} before its SE", seg.tag),
                    ));
                }
                _ => {
                    count += 1;
                    match &mut builder {
                        Some(b) => b.push(&seg, self)?,
                        None => {
                            let mut entry = Map::new();
                            entry.insert(seg.tag.to_owned(), self.segment_value(&seg));
                            flat.push(Value::Object(entry));
                        }
                    }
                }
            }
        }
        match builder {
            Some(b) => tx.extend(b.finish()),
            None => {
                tx.insert("segments".to_owned(), Value::Array(flat));
            }
        }
        Ok(Value::Object(tx))
    }

    /// A segment as an object keyed by element reference, empty elements left out.
    fn segment_value(&self, seg: &Segment<'_>) -> Value {
        let mut map = Map::new();
        for (i, raw) in seg.elements(self.d.element).enumerate() {
            if raw.is_empty() {
                continue;
            }
            let key = element_key(seg.tag, i + 1);
            if let Some(value) = self.element_value(raw, &key) {
                map.insert(key, value);
            }
        }
        Value::Object(map)
    }

    /// An element: a string, a composite object, or an array of repetitions of either. Trailing
    /// empty repetitions and components carry nothing and are dropped, so `A^` reads as `A`.
    fn element_value(&self, raw: &str, key: &str) -> Option<Value> {
        let Some(rep) = self.d.repetition.filter(|&r| raw.as_bytes().contains(&r)) else {
            return self.component_value(raw, key);
        };
        let mut reps: Vec<Option<Value>> = raw
            .split(char::from(rep))
            .map(|r| self.component_value(r, key))
            .collect();
        while reps.last().is_some_and(Option::is_none) {
            reps.pop();
        }
        match reps.len() {
            0 => None,
            1 => reps.pop().flatten(),
            _ => Some(Value::Array(
                reps.into_iter()
                    .map(|r| r.unwrap_or_else(|| Value::String(String::new())))
                    .collect(),
            )),
        }
    }

    fn component_value(&self, raw: &str, key: &str) -> Option<Value> {
        if !raw.as_bytes().contains(&self.d.component) {
            return (!raw.is_empty()).then(|| Value::String(raw.to_owned()));
        }
        let parts: Vec<&str> = raw.split(char::from(self.d.component)).collect();
        let used = parts.iter().rposition(|p| !p.is_empty())? + 1;
        if used == 1 {
            return Some(Value::String(parts[0].to_owned()));
        }
        let mut map = Map::new();
        for (c, part) in parts[..used].iter().enumerate() {
            if !part.is_empty() {
                map.insert(component_key(key, c + 1), Value::String((*part).to_owned()));
            }
        }
        Some(Value::Object(map))
    }
}

/// One open or finished loop occurrence while a transaction set is read.
struct Node {
    /// Index of its loop in the set (0: the transaction set body).
    def: usize,
    map: Map<String, Value>,
    parent: usize,
    depth: usize,
    /// HL03 for HL loops, to place an HL whose parent (HL02) is omitted.
    hl_level: Option<String>,
    /// Finished child loops, in reverse order, with the loop index naming their key.
    kids: Vec<(usize, Value)>,
}

/// Files the segments of one transaction set into its loops.
///
/// Loop occurrences live in an arena (parents before children) and are turned into tree values
/// bottom-up at the end, so nothing recurses on the input's nesting.
struct Builder {
    set: &'static SetDef,
    nodes: Vec<Node>,
    /// The open occurrences, outermost (the body) first.
    stack: Vec<usize>,
    /// HL01 -> node, for HL02 parent references.
    hl_ids: HashMap<String, usize>,
    /// The HL loop, when this set's body has one: HL segments nest by parent id.
    hl_loop: Option<usize>,
}

impl Builder {
    fn new(set: &'static SetDef) -> Self {
        let hl_loop = set.body().find("HL").and_then(|c| match c.kind {
            ChildKind::Loop(i) => Some(i),
            ChildKind::Segment { .. } => None,
        });
        Builder {
            set,
            nodes: vec![Node {
                def: 0,
                map: Map::new(),
                parent: 0,
                depth: 0,
                hl_level: None,
                kids: Vec::new(),
            }],
            stack: vec![0],
            hl_ids: HashMap::new(),
            hl_loop,
        }
    }

    /// Files `seg` in the innermost open loop that has a place for it, closing the loops inside
    /// that one; a segment no open loop knows stays in the innermost one, with a warning.
    fn push(&mut self, seg: &Segment<'_>, reader: &mut Reader<'_, '_>) -> Result<(), DecodeError> {
        if seg.tag == "HL"
            && let Some(hl) = self.hl_loop
        {
            return self.push_hl(seg, reader, hl);
        }
        for level in (0..self.stack.len()).rev() {
            let node = self.stack[level];
            let def = self.set.get(self.nodes[node].def);
            // The loop's own first segment starts its next occurrence, one level up.
            if level > 0 && def.trigger == seg.tag {
                continue;
            }
            let Some(child) = def.find(seg.tag) else { continue };
            self.stack.truncate(level + 1);
            match child.kind {
                ChildKind::Segment { repeats, .. } => self.add_segment(node, seg, repeats, reader),
                ChildKind::Loop(def) => {
                    let value = reader.segment_value(seg);
                    let new = self.open(node, def, seg, reader)?;
                    self.nodes[new].map.insert(seg.tag.to_owned(), value);
                    self.stack.push(new);
                }
            }
            return Ok(());
        }
        let top = self.stack.last().copied().unwrap_or(0);
        reader.warn(
            seg,
            None,
            format!(
                "segment `{}` is not part of transaction set {}; kept where it occurs",
                seg.tag, self.set.id
            ),
        );
        self.add_segment(top, seg, true, reader);
        Ok(())
    }

    fn add_segment(&mut self, node: usize, seg: &Segment<'_>, repeats: bool, reader: &mut Reader<'_, '_>) {
        let value = reader.segment_value(seg);
        let map = &mut self.nodes[node].map;
        match map.get_mut(seg.tag) {
            None => {
                let value = if repeats { Value::Array(vec![value]) } else { value };
                map.insert(seg.tag.to_owned(), value);
            }
            Some(Value::Array(list)) => list.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
                reader.warn(
                    seg,
                    None,
                    format!(
                        "segment `{}` occurs again where it may occur once; both are kept, as an array",
                        seg.tag
                    ),
                );
            }
        }
    }

    /// Opens an occurrence of loop `def` under `parent`, refusing nesting deeper than max_depth.
    fn open(
        &mut self,
        parent: usize,
        def: usize,
        seg: &Segment<'_>,
        reader: &Reader<'_, '_>,
    ) -> Result<usize, DecodeError> {
        let depth = self.nodes[parent].depth + 1;
        if depth > reader.opts.max_depth {
            return Err(reader.error(
                seg,
                None,
                DecodeErrorKind::TooDeep,
                format!("loops nest deeper than the limit of {}", reader.opts.max_depth),
            ));
        }
        self.nodes.push(Node {
            def,
            map: Map::new(),
            parent,
            depth,
            hl_level: None,
            kids: Vec::new(),
        });
        Ok(self.nodes.len() - 1)
    }

    /// Files an HL loop under the HL its HL02 names, or, when HL02 is omitted (`HL*2**O`), under
    /// the nearest open HL of a higher level (shipment > order > tare > pack > item).
    fn push_hl(&mut self, seg: &Segment<'_>, reader: &mut Reader<'_, '_>, hl: usize) -> Result<(), DecodeError> {
        let sep = reader.d.element;
        let (id, parent_id, level) = (seg.element(sep, 1), seg.element(sep, 2), seg.element(sep, 3));
        let parent = if parent_id.is_empty() {
            self.stack
                .iter()
                .rev()
                .copied()
                .find(|&n| self.nodes[n].hl_level.as_deref().is_some_and(|l| is_above(l, level)))
                .unwrap_or(0)
        } else if let Some(&p) = self.hl_ids.get(parent_id) {
            p
        } else {
            reader.warn(
                seg,
                Some(2),
                format!(
                    "hl02 parent `{parent_id}` is not the HL01 of an earlier HL; this HL is placed at the top level"
                ),
            );
            0
        };
        let value = reader.segment_value(seg);
        let new = self.open(parent, hl, seg, reader)?;
        self.nodes[new].hl_level = Some(level.to_owned());
        self.nodes[new].map.insert("HL".to_owned(), value);
        if !id.is_empty() && self.hl_ids.insert(id.to_owned(), new).is_some() {
            reader.warn(
                seg,
                Some(1),
                format!("hl01 `{id}` is used by an earlier HL too; later HL02 references mean this one"),
            );
        }
        self.stack.clear();
        let mut at = new;
        while at != 0 {
            self.stack.push(at);
            at = self.nodes[at].parent;
        }
        self.stack.push(0);
        self.stack.reverse();
        Ok(())
    }

    /// The transaction set body, with every loop occurrence filed under its parent.
    fn finish(mut self) -> Map<String, Value> {
        for i in (1..self.nodes.len()).rev() {
            let value = Value::Object(self.take_node(i));
            let (def, parent) = (self.nodes[i].def, self.nodes[i].parent);
            self.nodes[parent].kids.push((def, value));
        }
        self.take_node(0)
    }

    fn take_node(&mut self, i: usize) -> Map<String, Value> {
        let node = &mut self.nodes[i];
        let mut map = std::mem::take(&mut node.map);
        for (def, value) in std::mem::take(&mut node.kids).into_iter().rev() {
            let key = &self.set.get(def).key;
            match map.get_mut(key.as_str()) {
                Some(Value::Array(list)) => list.push(value),
                _ => {
                    map.insert(key.clone(), Value::Array(vec![value]));
                }
            }
        }
        map
    }
}

/// Whether HL level `upper` may be the parent of level `lower` when HL02 does not say. Known
/// levels rank shipment, order, tare, pack, item; an unknown level is taken as a parent of any
/// other level but not of its own.
fn is_above(upper: &str, lower: &str) -> bool {
    let rank = |l: &str| match l {
        "S" => Some(1),
        "O" => Some(2),
        "T" => Some(3),
        "P" => Some(4),
        "I" => Some(5),
        _ => None,
    };
    match (rank(upper), rank(lower)) {
        (Some(u), Some(l)) => u < l,
        _ => upper != lower,
    }
}
