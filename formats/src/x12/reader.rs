//! X12 reading: envelopes checked against their trailers, transaction sets nested into loops, elements keyed by reference.
//!
//! The tree shape is described in `formats/README.md` ("X12 tree shape").

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::envelope::{GS_FIELDS, ISA_FIELDS, ST_FIELDS, element_key, same_number};
use super::lexer::{Delimiters, Lexer, Segment};
use super::sets;
use crate::edi::lexer::LexError;
use crate::edi::structure::{ChildKind, Structure};
use crate::edi::tree::{BODY, Tree};
use crate::edi::values;
use crate::edi::warnings::Warnings;
use crate::error::UTF8_BOM;
use crate::{DecodeError, DecodeErrorKind, DecodeOptions, Format, SegmentPosition};

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
        warnings: Warnings::default(),
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
    warnings: Warnings,
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
        e.into_decode_error(Format::X12, self.input)
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
        if self.warnings.is_full() {
            self.warnings.leave_out();
            return;
        }
        let e = self.error(seg, element, DecodeErrorKind::Malformed, message);
        self.warnings.push(e);
    }

    /// Records what filing `seg` in the transaction set's tree found: its warnings, or the error
    /// about nesting too deep.
    fn filed(&mut self, seg: &Segment<'_>, filed: Result<Vec<String>, String>) -> Result<(), DecodeError> {
        let warnings = filed.map_err(|message| self.error(seg, None, DecodeErrorKind::TooDeep, message))?;
        for message in warnings {
            self.warn(seg, None, message);
        }
        Ok(())
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
        self.warnings.take_into(&mut ic);
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
        let mut builder = sets::lookup(set_id).map(|set| Builder::new(set, self.opts.max_depth));
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
    ///
    /// One pass over the segment's bytes finds the elements and notes which hold a component or
    /// repetition separator, so a plain element (nearly all of them) is copied once and never
    /// scanned again. Keys come in order (`N101`, `N102`, ...), so the map is built in one pass
    /// from a list, which takes far fewer key comparisons than inserting them one by one.
    fn segment_value(&self, seg: &Segment<'_>) -> Value {
        // `rest` is empty or starts with the element separator.
        let Some(body) = seg.rest.get(1..) else {
            return Value::Object(Map::new());
        };
        // At most one non-empty element per two bytes.
        let mut entries = Vec::with_capacity(body.len() / 2 + 1);
        let Delimiters { element, component, .. } = self.d;
        // Without a repetition separator the element separator stands in, which never gets there.
        let repetition = self.d.repetition.unwrap_or(element);
        let (mut start, mut n, mut marked) = (0, 1, false);
        for (i, &b) in body.as_bytes().iter().enumerate() {
            if b == element {
                self.push_element(&mut entries, seg.tag, n, &body[start..i], marked);
                (start, n, marked) = (i + 1, n + 1, false);
            } else if b == component || b == repetition {
                marked = true;
            }
        }
        self.push_element(&mut entries, seg.tag, n, &body[start..], marked);
        Value::Object(entries.into_iter().collect())
    }

    /// Adds element `n` of segment `tag`, read as `raw`, to `entries` unless it is empty.
    /// `marked` says whether `raw` holds a component or repetition separator.
    fn push_element(&self, entries: &mut Vec<(String, Value)>, tag: &str, n: usize, raw: &str, marked: bool) {
        if raw.is_empty() {
            return;
        }
        let key = element_key(tag, n);
        let value = if marked {
            self.element_value(raw, &key)
        } else {
            Some(Value::String(raw.to_owned()))
        };
        if let Some(value) = value {
            entries.push((key, value));
        }
    }

    /// An element: a string, a composite object, or an array of repetitions of either. Trailing
    /// empty repetitions and components carry nothing and are dropped, so `A^` reads as `A`.
    fn element_value(&self, raw: &str, key: &str) -> Option<Value> {
        let Some(rep) = self.d.repetition.filter(|&r| raw.as_bytes().contains(&r)) else {
            return self.component_value(raw, key);
        };
        values::repetitions(raw.split(char::from(rep)).map(|r| self.component_value(r, key)))
    }

    fn component_value(&self, raw: &str, key: &str) -> Option<Value> {
        if !raw.as_bytes().contains(&self.d.component) {
            return (!raw.is_empty()).then(|| Value::String(raw.to_owned()));
        }
        let parts: Vec<&str> = raw.split(char::from(self.d.component)).collect();
        values::components(&parts, key)
    }
}

/// Files the segments of one transaction set into its loops: the shared [`Tree`], plus the HL
/// loop, whose segments nest by the parent id in HL02 rather than by the structure.
struct Builder {
    tree: Tree,
    /// HL01 -> node, for HL02 parent references.
    hl_ids: HashMap<String, usize>,
    /// Node -> HL03, for HL loops, to place an HL whose parent (HL02) is omitted.
    hl_levels: HashMap<usize, String>,
    /// The HL loop, when this set's body has one: HL segments nest by parent id.
    hl_loop: Option<usize>,
}

impl Builder {
    fn new(set: &'static Structure, max_depth: usize) -> Self {
        let hl_loop = set.body().find("HL").and_then(|c| match c.kind {
            ChildKind::Block(i) => Some(i),
            ChildKind::Segment { .. } => None,
        });
        Builder {
            tree: Tree::new(set, max_depth),
            hl_ids: HashMap::new(),
            hl_levels: HashMap::new(),
            hl_loop,
        }
    }

    /// Files `seg` where the structure (or, for HL, HL02) puts it.
    fn push(&mut self, seg: &Segment<'_>, reader: &mut Reader<'_, '_>) -> Result<(), DecodeError> {
        if seg.tag == "HL"
            && let Some(hl) = self.hl_loop
        {
            return self.push_hl(seg, reader, hl);
        }
        let filed = self.tree.push(seg.tag, reader.segment_value(seg));
        reader.filed(seg, filed)
    }

    /// Files an HL loop under the HL its HL02 names, or, when HL02 is omitted (`HL*2**O`), under
    /// the nearest open HL of a higher level (shipment > order > tare > pack > item).
    fn push_hl(&mut self, seg: &Segment<'_>, reader: &mut Reader<'_, '_>, hl: usize) -> Result<(), DecodeError> {
        let sep = reader.d.element;
        let (id, parent_id, level) = (seg.element(sep, 1), seg.element(sep, 2), seg.element(sep, 3));
        let parent = if parent_id.is_empty() {
            self.tree
                .open_nodes()
                .iter()
                .rev()
                .copied()
                .find(|n| self.hl_levels.get(n).is_some_and(|l| is_above(l, level)))
                .unwrap_or(BODY)
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
            BODY
        };
        let value = reader.segment_value(seg);
        let new = self
            .tree
            .open(parent, hl, "HL", value)
            .map_err(|message| reader.error(seg, None, DecodeErrorKind::TooDeep, message))?;
        self.hl_levels.insert(new, level.to_owned());
        if !id.is_empty() && self.hl_ids.insert(id.to_owned(), new).is_some() {
            reader.warn(
                seg,
                Some(1),
                format!("hl01 `{id}` is used by an earlier HL too; later HL02 references mean this one"),
            );
        }
        self.tree.focus(new);
        Ok(())
    }

    /// The transaction set body, with every loop occurrence filed under its parent.
    fn finish(self) -> Map<String, Value> {
        self.tree.finish()
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
