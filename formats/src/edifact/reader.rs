//! EDIFACT reading: envelopes checked against their trailers, messages nested into segment groups, elements keyed by position.
//!
//! The tree shape is described in `formats/README.md` ("EDIFACT tree shape").

use serde_json::{Map, Value};

use super::envelope::{Field, UNB_FIELDS, UNG_FIELDS, UNH_FIELDS, component_key, element_key, same_reference};
use super::lexer::{Element, Item, LexError, Lexer, Segment};
use super::sets::{self, ChildKind, MessageDef};
use crate::error::UTF8_BOM;
use crate::{DecodeError, DecodeErrorKind, DecodeOptions, Format, SegmentPosition};

/// At most this many warnings are listed per interchange, so a file of a million unknown
/// segments cannot make the tree (or the time spent on line numbers) grow without bound.
const MAX_WARNINGS: usize = 100;

/// Decodes EDIFACT bytes into `{"interchanges": [...]}`.
pub(crate) fn decode(input: &[u8], opts: &DecodeOptions) -> Result<Value, DecodeError> {
    if input.len() > opts.max_size {
        return Err(DecodeError::too_large(Format::Edifact, input.len(), opts.max_size));
    }
    let base = if input.starts_with(UTF8_BOM) { UTF8_BOM.len() } else { 0 };
    let latin1 = match std::str::from_utf8(input) {
        Ok(_) => false,
        // UNOC is ISO 8859-1, whose bytes are the first 256 code points; other input must be UTF-8.
        Err(_) if declares_unoc(input) => true,
        Err(e) => {
            return Err(DecodeError::new(
                Format::Edifact,
                DecodeErrorKind::Unsupported,
                "input is not valid UTF-8 (EDIFACT is read as UTF-8, or as ISO 8859-1 when UNB declares UNOC)",
            )
            .at_offset(input, e.valid_up_to()));
        }
    };
    let mut reader = Reader {
        input,
        lexer: Lexer::new(input, base, latin1),
        opts,
        warnings: Vec::new(),
        left_out: 0,
    };
    let mut interchanges = Vec::new();
    let mut after_una = false;
    while let Some(item) = reader.lexer.next_item().map_err(|e| reader.lex_error(e))? {
        match item {
            Item::Una { .. } if !after_una => after_una = true,
            Item::Una { offset, ordinal } => {
                return Err(reader.at(offset, ordinal, "UNA", None, "a second UNA before UNB".to_owned()));
            }
            Item::Segment(seg) if seg.tag == "UNB" => {
                after_una = false;
                if !seg.terminated {
                    reader.warn(&seg, None, "the last segment has no segment terminator".to_owned());
                }
                interchanges.push(reader.interchange(&seg)?);
            }
            Item::Segment(seg) => {
                let expected = if after_una { "UNB after UNA" } else { "UNA or UNB" };
                return Err(reader.error(
                    &seg,
                    None,
                    DecodeErrorKind::Malformed,
                    format!("expected {expected} to start an interchange, found `{}`", seg.tag),
                ));
            }
        }
    }
    if after_una || interchanges.is_empty() {
        let mut err = DecodeError::new(
            Format::Edifact,
            DecodeErrorKind::Malformed,
            "unexpected end of input: an EDIFACT interchange starts with UNB (after an optional UNA)",
        )
        .at_offset(input, input.len());
        err.segment = Some(Box::new(SegmentPosition {
            ordinal: reader.lexer.ordinal() + 1,
            tag: String::new(),
            element: None,
        }));
        return Err(err);
    }
    let mut root = Map::new();
    root.insert("interchanges".to_owned(), Value::Array(interchanges));
    Ok(Value::Object(root))
}

/// Whether the first UNB declares syntax identifier UNOC (found without tokenizing, to pick the
/// character set before reading).
fn declares_unoc(input: &[u8]) -> bool {
    input
        .windows(8)
        .find(|w| w.starts_with(b"UNB"))
        .is_some_and(|w| &w[4..8] == b"UNOC")
}

struct Reader<'a, 'o> {
    input: &'a [u8],
    lexer: Lexer<'a>,
    opts: &'o DecodeOptions,
    /// The current interchange's warnings.
    warnings: Vec<Value>,
    left_out: usize,
}

/// What ended a loop over the segments of an envelope.
enum Next {
    Segment(Segment),
    End,
}

impl Reader<'_, '_> {
    fn lex_error(&self, e: LexError) -> DecodeError {
        let mut err = DecodeError::new(Format::Edifact, e.kind, e.message).at_offset(self.input, e.offset);
        err.segment = Some(Box::new(SegmentPosition {
            ordinal: e.ordinal,
            tag: e.tag.unwrap_or_default(),
            element: None,
        }));
        err
    }

    fn at(&self, offset: usize, ordinal: usize, tag: &str, element: Option<usize>, message: String) -> DecodeError {
        let mut err =
            DecodeError::new(Format::Edifact, DecodeErrorKind::Malformed, message).at_offset(self.input, offset);
        err.segment = Some(Box::new(SegmentPosition {
            ordinal,
            tag: tag.to_owned(),
            element,
        }));
        err
    }

    /// An error about `seg` (and its element `element`, 1-based), positioned on it.
    fn error(&self, seg: &Segment, element: Option<usize>, kind: DecodeErrorKind, message: String) -> DecodeError {
        let offset = element.map_or(seg.offset, |n| seg.element_offset(n));
        let mut err = self.at(offset, seg.ordinal, &seg.tag, element, message);
        err.kind = kind;
        err
    }

    /// The next segment inside an interchange; a UNA there is an error, a last segment without
    /// a terminator is accepted with a warning.
    fn next(&mut self) -> Result<Next, DecodeError> {
        match self.lexer.next_item().map_err(|e| self.lex_error(e))? {
            None => Ok(Next::End),
            Some(Item::Una { offset, ordinal }) => Err(self.at(
                offset,
                ordinal,
                "UNA",
                None,
                "una inside an interchange: the interchange before it has no UNZ".to_owned(),
            )),
            Some(Item::Segment(seg)) => {
                if !seg.terminated {
                    self.warn(&seg, None, "the last segment has no segment terminator".to_owned());
                }
                Ok(Next::Segment(seg))
            }
        }
    }

    /// Records a warning in the current interchange.
    fn warn(&mut self, seg: &Segment, element: Option<usize>, message: String) {
        let e = self.error(seg, element, DecodeErrorKind::Malformed, message);
        self.push_warning(e);
    }

    fn push_warning(&mut self, e: DecodeError) {
        if self.warnings.len() >= MAX_WARNINGS {
            self.left_out += 1;
            return;
        }
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
        if let Some(p) = position.filter(|p| !p.tag.is_empty()) {
            w.insert("tag".to_owned(), Value::String(p.tag.clone()));
        }
        self.warnings.push(Value::Object(w));
    }

    /// A trailer that disagrees with what it closes: an error when strict, else a warning.
    fn mismatch(&mut self, seg: &Segment, element: usize, message: String) -> Result<(), DecodeError> {
        if self.opts.strict {
            return Err(self.error(seg, Some(element), DecodeErrorKind::Malformed, message));
        }
        self.warn(seg, Some(element), message);
        Ok(())
    }

    /// A trailer missing at the end of input: an error when strict, else a warning.
    fn missing_trailer(&mut self, message: String) -> Result<(), DecodeError> {
        let mut err = DecodeError::new(
            Format::Edifact,
            DecodeErrorKind::Malformed,
            format!("unexpected end of input: {message}"),
        )
        .at_offset(self.input, self.lexer.end_offset());
        err.segment = Some(Box::new(SegmentPosition {
            ordinal: self.lexer.ordinal() + 1,
            tag: String::new(),
            element: None,
        }));
        if self.opts.strict {
            return Err(err);
        }
        self.push_warning(err);
        Ok(())
    }

    /// Checks a count in a trailer (UNT01, UNE01, UNZ01) against what was read.
    fn check_count(&mut self, seg: &Segment, what: &str, of: &str, actual: usize) -> Result<(), DecodeError> {
        let said = seg.value(1);
        if said.parse::<usize>().ok() != Some(actual) {
            let name = format!("{}01", seg.tag.to_ascii_lowercase());
            self.mismatch(seg, 1, format!("{name} says `{said}` {what} but {of} has {actual}"))?;
        }
        Ok(())
    }

    /// Checks a reference in a trailer (UNT02, UNE02, UNZ02) against its header's.
    fn check_reference(&mut self, seg: &Segment, header: &str, expected: &str) -> Result<(), DecodeError> {
        let said = seg.value(2);
        if !same_reference(said, expected) {
            let name = format!("{}02", seg.tag.to_ascii_lowercase());
            self.mismatch(
                seg,
                2,
                format!("{name} reference `{said}` does not match {header} `{expected}`"),
            )?;
        }
        Ok(())
    }

    /// An envelope segment's values under their names (`sender_id`); values without a name keep
    /// their element and component reference (`UNG07-4`).
    fn envelope(&mut self, seg: &Segment, fields: &[Field]) -> Map<String, Value> {
        let mut map = Map::new();
        for (i, element) in seg.elements.iter().enumerate() {
            let n = i + 1;
            if element.repetitions.len() > 1 {
                self.warn(
                    seg,
                    Some(n),
                    format!("{} element {n} is repeated; only its first repetition is kept", seg.tag),
                );
            }
            for (c, value) in element.repetitions.first().into_iter().flatten().enumerate() {
                if value.is_empty() {
                    continue;
                }
                let key = fields
                    .iter()
                    .find(|f| f.0 == n && f.1 == c + 1)
                    .map_or_else(|| component_key(&element_key(&seg.tag, n), c + 1), |f| f.2.to_owned());
                map.insert(key, Value::String(value.clone()));
            }
        }
        map
    }

    fn interchange(&mut self, unb: &Segment) -> Result<Value, DecodeError> {
        let mut ic = self.envelope(unb, UNB_FIELDS);
        let syntax = unb.element(1).map_or("", |e| e.component(2)).to_owned();
        self.lexer.set_version(&syntax);
        let control = unb.value(5).to_owned();
        let mut groups = Vec::new();
        let mut messages = Vec::new();
        loop {
            let Next::Segment(seg) = self.next()? else {
                self.missing_trailer(format!("interchange {control} has no UNZ trailer"))?;
                break;
            };
            match seg.tag.as_str() {
                "UNG" if messages.is_empty() => groups.push(self.group(&seg)?),
                "UNH" if groups.is_empty() => {
                    let (message, ended) = self.message(&seg)?;
                    messages.push(message);
                    if ended {
                        self.missing_trailer(format!("interchange {control} has no UNZ trailer"))?;
                        break;
                    }
                }
                "UNG" | "UNH" => {
                    return Err(self.error(
                        &seg,
                        None,
                        DecodeErrorKind::Malformed,
                        format!(
                            "interchange {control} mixes messages inside and outside functional groups; use UNG/UNE around all or none"
                        ),
                    ));
                }
                "UNZ" => {
                    let (count, what) = if groups.is_empty() {
                        (messages.len(), "messages")
                    } else {
                        (groups.len(), "functional groups")
                    };
                    self.check_count(&seg, what, &format!("interchange {control}"), count)?;
                    self.check_reference(&seg, "unb05", &control)?;
                    break;
                }
                "UNB" => {
                    return Err(self.error(
                        &seg,
                        None,
                        DecodeErrorKind::Malformed,
                        format!("interchange {control} is not closed: UNB before its UNZ"),
                    ));
                }
                other => {
                    return Err(self.error(
                        &seg,
                        None,
                        DecodeErrorKind::Malformed,
                        format!(
                            "segment `{other}` is outside a message in interchange {control}; expected UNH, UNG or UNZ"
                        ),
                    ));
                }
            }
        }
        if groups.is_empty() {
            ic.insert("messages".to_owned(), Value::Array(messages));
        } else {
            ic.insert("groups".to_owned(), Value::Array(groups));
        }
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

    fn group(&mut self, ung: &Segment) -> Result<Value, DecodeError> {
        let mut group = self.envelope(ung, UNG_FIELDS);
        let control = ung.value(5).to_owned();
        let mut messages = Vec::new();
        loop {
            let Next::Segment(seg) = self.next()? else {
                self.missing_trailer(format!("functional group {control} has no UNE trailer"))?;
                break;
            };
            match seg.tag.as_str() {
                "UNH" => {
                    let (message, ended) = self.message(&seg)?;
                    messages.push(message);
                    if ended {
                        self.missing_trailer(format!("functional group {control} has no UNE trailer"))?;
                        break;
                    }
                }
                "UNE" => {
                    let of = format!("functional group {control}");
                    self.check_count(&seg, "messages", &of, messages.len())?;
                    self.check_reference(&seg, "ung05", &control)?;
                    break;
                }
                "UNG" | "UNZ" | "UNB" => {
                    return Err(self.error(
                        &seg,
                        None,
                        DecodeErrorKind::Malformed,
                        format!("functional group {control} is not closed: {} before its UNE", seg.tag),
                    ));
                }
                other => {
                    return Err(self.error(
                        &seg,
                        None,
                        DecodeErrorKind::Malformed,
                        format!("segment `{other}` is outside a message in group {control}; expected UNH or UNE"),
                    ));
                }
            }
        }
        group.insert("messages".to_owned(), Value::Array(messages));
        Ok(Value::Object(group))
    }

    /// One message, and whether the input ended inside it (so the envelopes around it need not
    /// look for their trailers).
    fn message(&mut self, unh: &Segment) -> Result<(Value, bool), DecodeError> {
        let mut msg = self.envelope(unh, UNH_FIELDS);
        let message_type = unh.element(2).map_or("", Element::first).to_owned();
        let reference = unh.value(1).to_owned();
        let mut builder = sets::lookup(&message_type).map(Builder::new);
        let mut flat = Vec::new();
        let mut count = 1;
        let mut ended = false;
        loop {
            let Next::Segment(seg) = self.next()? else {
                self.missing_trailer(format!("message {reference} has no UNT trailer"))?;
                ended = true;
                break;
            };
            match seg.tag.as_str() {
                "UNT" => {
                    count += 1;
                    let of = format!("message {reference} (UNH to UNT)");
                    self.check_count(&seg, "segments", &of, count)?;
                    self.check_reference(&seg, "unh01", &reference)?;
                    break;
                }
                "UNH" | "UNE" | "UNG" | "UNZ" | "UNB" => {
                    return Err(self.error(
                        &seg,
                        None,
                        DecodeErrorKind::Malformed,
                        format!("message {reference} is not closed: {} before its UNT", seg.tag),
                    ));
                }
                _ => {
                    count += 1;
                    match &mut builder {
                        Some(b) => b.push(&seg, self)?,
                        None => {
                            let mut entry = Map::new();
                            entry.insert(seg.tag.clone(), segment_value(&seg));
                            flat.push(Value::Object(entry));
                        }
                    }
                }
            }
        }
        match builder {
            Some(b) => msg.extend(b.finish()),
            None => {
                msg.insert("segments".to_owned(), Value::Array(flat));
            }
        }
        Ok((Value::Object(msg), ended))
    }
}

/// A segment as an object keyed by element position, empty elements left out.
pub(crate) fn segment_value(seg: &Segment) -> Value {
    let mut map = Map::new();
    for (i, element) in seg.elements.iter().enumerate() {
        let key = element_key(&seg.tag, i + 1);
        if let Some(value) = element_value(element, &key) {
            map.insert(key, value);
        }
    }
    Value::Object(map)
}

/// An element: a string, a composite object, or an array of repetitions of either. Trailing
/// empty repetitions and components carry nothing and are dropped, so `A:` reads as `A`.
fn element_value(element: &Element, key: &str) -> Option<Value> {
    let mut reps: Vec<Option<Value>> = element.repetitions.iter().map(|r| component_value(r, key)).collect();
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

fn component_value(parts: &[String], key: &str) -> Option<Value> {
    let used = parts.iter().rposition(|p| !p.is_empty())? + 1;
    if used == 1 {
        return Some(Value::String(parts[0].clone()));
    }
    let mut map = Map::new();
    for (c, part) in parts[..used].iter().enumerate() {
        if !part.is_empty() {
            map.insert(component_key(key, c + 1), Value::String(part.clone()));
        }
    }
    Some(Value::Object(map))
}

/// One open or finished group occurrence while a message is read.
struct Node {
    /// Index of its group in the message definition (0: the message body).
    def: usize,
    map: Map<String, Value>,
    parent: usize,
    depth: usize,
    /// Finished child groups, in reverse order, with the group index naming their key.
    kids: Vec<(usize, Value)>,
}

/// Files the segments of one message into its segment groups.
///
/// Group occurrences live in an arena (parents before children) and are turned into tree values
/// bottom-up at the end, so nothing recurses on the input's nesting.
struct Builder {
    set: &'static MessageDef,
    nodes: Vec<Node>,
    /// The open occurrences, outermost (the body) first.
    stack: Vec<usize>,
}

impl Builder {
    fn new(set: &'static MessageDef) -> Self {
        Builder {
            set,
            nodes: vec![Node {
                def: 0,
                map: Map::new(),
                parent: 0,
                depth: 0,
                kids: Vec::new(),
            }],
            stack: vec![0],
        }
    }

    /// Files `seg` in the innermost open group that has a place for it, closing the groups
    /// inside that one; a segment no open group knows stays in the innermost one, with a warning.
    fn push(&mut self, seg: &Segment, reader: &mut Reader<'_, '_>) -> Result<(), DecodeError> {
        for level in (0..self.stack.len()).rev() {
            let node = self.stack[level];
            let def = self.set.get(self.nodes[node].def);
            // The group's own first segment starts its next occurrence, one level up.
            if level > 0 && def.trigger == seg.tag {
                continue;
            }
            let Some(child) = def.find(&seg.tag) else { continue };
            self.stack.truncate(level + 1);
            match child.kind {
                ChildKind::Segment { repeats } => self.add_segment(node, seg, repeats, reader),
                ChildKind::Group(def) => {
                    let new = self.open(node, def, seg, reader)?;
                    self.nodes[new].map.insert(seg.tag.clone(), segment_value(seg));
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
                "segment `{}` is not part of message {}; kept where it occurs",
                seg.tag, self.set.id
            ),
        );
        self.add_segment(top, seg, true, reader);
        Ok(())
    }

    fn add_segment(&mut self, node: usize, seg: &Segment, repeats: bool, reader: &mut Reader<'_, '_>) {
        let value = segment_value(seg);
        let map = &mut self.nodes[node].map;
        match map.get_mut(seg.tag.as_str()) {
            None => {
                let value = if repeats { Value::Array(vec![value]) } else { value };
                map.insert(seg.tag.clone(), value);
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

    /// Opens an occurrence of group `def` under `parent`, refusing nesting deeper than max_depth.
    fn open(
        &mut self,
        parent: usize,
        def: usize,
        seg: &Segment,
        reader: &Reader<'_, '_>,
    ) -> Result<usize, DecodeError> {
        let depth = self.nodes[parent].depth + 1;
        if depth > reader.opts.max_depth {
            return Err(reader.error(
                seg,
                None,
                DecodeErrorKind::TooDeep,
                format!("segment groups nest deeper than the limit of {}", reader.opts.max_depth),
            ));
        }
        self.nodes.push(Node {
            def,
            map: Map::new(),
            parent,
            depth,
            kids: Vec::new(),
        });
        Ok(self.nodes.len() - 1)
    }

    /// The message body, with every group occurrence filed under its parent.
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
