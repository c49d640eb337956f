//! EDIFACT reading: envelopes checked against their trailers, messages nested into segment groups, elements keyed by position.
//!
//! The tree shape is described in `formats/README.md` ("EDIFACT tree shape").

use serde_json::{Map, Value};

use super::envelope::{Field, UNB_FIELDS, UNG_FIELDS, UNH_FIELDS, component_key, element_key, same_reference};
use super::lexer::{Element, Item, Lexer, Segment};
use super::sets;
use crate::edi::lexer::LexError;
use crate::edi::tree::Tree;
use crate::edi::values;
use crate::edi::warnings::Warnings;
use crate::error::UTF8_BOM;
use crate::{DecodeError, DecodeErrorKind, DecodeOptions, Format, SegmentPosition};

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
        warnings: Warnings::default(),
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
    warnings: Warnings,
}

/// What ended a loop over the segments of an envelope.
enum Next<'a> {
    Segment(Segment<'a>),
    End,
}

impl<'a> Reader<'a, '_> {
    fn lex_error(&self, e: LexError) -> DecodeError {
        e.into_decode_error(Format::Edifact, self.input)
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
    fn next(&mut self) -> Result<Next<'a>, DecodeError> {
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
        if self.warnings.is_full() {
            self.warnings.leave_out();
            return;
        }
        let e = self.error(seg, element, DecodeErrorKind::Malformed, message);
        self.warnings.push(e);
    }

    /// A trailer that disagrees with what it closes: an error when strict, else a warning.
    fn mismatch(&mut self, seg: &Segment, element: usize, message: String) -> Result<(), DecodeError> {
        if self.opts.strict {
            return Err(self.error(seg, Some(element), DecodeErrorKind::Malformed, message));
        }
        self.warn(seg, Some(element), message);
        Ok(())
    }

    /// Records what filing `seg` in the message tree found: its warnings, or the error about
    /// nesting too deep.
    fn filed(&mut self, seg: &Segment, filed: Result<Vec<String>, String>) -> Result<(), DecodeError> {
        let warnings = filed.map_err(|message| self.error(seg, None, DecodeErrorKind::TooDeep, message))?;
        for message in warnings {
            self.warn(seg, None, message);
        }
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
        self.warnings.push(err);
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
        for (i, element) in seg.elements().enumerate() {
            let n = i + 1;
            if element.repetitions().nth(1).is_some() {
                self.warn(
                    seg,
                    Some(n),
                    format!("{} element {n} is repeated; only its first repetition is kept", seg.tag),
                );
            }
            for (c, value) in element.repetitions().next().into_iter().flatten().enumerate() {
                if value.text.is_empty() {
                    continue;
                }
                let key = fields
                    .iter()
                    .find(|f| f.0 == n && f.1 == c + 1)
                    .map_or_else(|| component_key(&element_key(&seg.tag, n), c + 1), |f| f.2.to_owned());
                map.insert(key, Value::String(value.text.to_string()));
            }
        }
        map
    }

    fn interchange(&mut self, unb: &Segment) -> Result<Value, DecodeError> {
        let mut ic = self.envelope(unb, UNB_FIELDS);
        // Values keep the decimal mark as sent; a UNA declaring `,` (the standard's other mark)
        // says so, so that a mapping reads `19,9` right (`to_decimal(v, decimal_mark: ",")`).
        if self.lexer.d.decimal == b',' {
            ic.insert(
                "decimal_mark".into(),
                Value::String(char::from(self.lexer.d.decimal).to_string()),
            );
        }
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
            match seg.tag.as_ref() {
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
        self.warnings.take_into(&mut ic);
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
            match seg.tag.as_ref() {
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
        let message_type = unh.element(2).map_or("", |e| e.first()).to_owned();
        let reference = unh.value(1).to_owned();
        let mut tree = sets::lookup(&message_type).map(|set| Tree::new(set, self.opts.max_depth));
        let mut flat = Vec::new();
        let mut count = 1;
        let mut ended = false;
        loop {
            let Next::Segment(seg) = self.next()? else {
                self.missing_trailer(format!("message {reference} has no UNT trailer"))?;
                ended = true;
                break;
            };
            match seg.tag.as_ref() {
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
                    match &mut tree {
                        Some(tree) => {
                            let filed = tree.push(&seg.tag, segment_value(&seg));
                            self.filed(&seg, filed)?;
                        }
                        None => {
                            let mut entry = Map::new();
                            entry.insert(seg.tag.to_string(), segment_value(&seg));
                            flat.push(Value::Object(entry));
                        }
                    }
                }
            }
        }
        match tree {
            Some(tree) => msg.extend(tree.finish()),
            None => {
                msg.insert("segments".to_owned(), Value::Array(flat));
            }
        }
        Ok((Value::Object(msg), ended))
    }
}

/// A segment as an object keyed by element position, empty elements left out.
pub(crate) fn segment_value(seg: &Segment<'_>) -> Value {
    // Keys come in order, so the map is built in one pass from a list rather than by inserting.
    let mut entries = Vec::with_capacity(seg.elements().len());
    for (i, element) in seg.elements().enumerate() {
        if element.is_empty() {
            continue;
        }
        let key = element_key(&seg.tag, i + 1);
        if let Some(value) = element_value(&element, &key) {
            entries.push((key, value));
        }
    }
    Value::Object(entries.into_iter().collect())
}

/// An element: a string, a composite object, or an array of repetitions of either. Trailing
/// empty repetitions and components carry nothing and are dropped, so `A:` reads as `A`.
fn element_value(element: &Element<'_, '_>, key: &str) -> Option<Value> {
    let mut repetitions = element.repetitions();
    match (repetitions.next(), repetitions.next()) {
        // The usual case: one repetition, so no list of them to build.
        (Some(only), None) => values::components(only, key),
        _ => values::repetitions(element.repetitions().map(|r| values::components(r, key))),
    }
}
