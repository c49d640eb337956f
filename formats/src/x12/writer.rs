//! X12 writing: the reader's tree back to an interchange, with the caller's delimiters and computed trailers.
//!
//! Segments of a known transaction set are written in the order its definition lists them (the
//! tree's objects do not keep document order); a segment the definition does not know is written
//! right after the first segment of the loop occurrence holding it, which is where the reader
//! files it again. SE01, GE01 and IEA01 are counted; SE02, GE02 and IEA02 repeat ST02, GS06 and
//! ISA13 from the tree.

use serde_json::{Map, Value};

use super::envelope::{GS_FIELDS, ISA_FIELDS, ST_FIELDS, element_key};
use super::lexer::is_tag;
use super::sets;
use crate::edi::structure::Block;
use crate::edi::writer::{InterchangeWriter, StructureWriter, terminator, text_of, write_document};
use crate::error::TreePath;
use crate::{EncodeError, EncodeOptions, Format, X12Delimiters};

/// Encodes `{"interchanges": [...]}` as X12.
pub(crate) fn encode(doc: &Value, opts: &EncodeOptions) -> Result<Vec<u8>, EncodeError> {
    let d = &opts.x12_delimiters;
    let terminator = check_delimiters(d)?;
    let mut w = Writer {
        out: String::new(),
        d,
        terminator,
        repetition: None,
        count: 0,
        path: TreePath::default(),
    };
    write_document(&mut w, doc)?;
    Ok(w.out.into_bytes())
}

/// Refuses delimiters the reader could not tell apart from data or from each other, and returns
/// the terminator character (the first of `segment`; the rest may only be line breaks).
fn check_delimiters(d: &X12Delimiters) -> Result<char, EncodeError> {
    let fail = |m: String| EncodeError::new(Format::X12, m, None);
    let terminator = terminator(&d.segment, "x12").map_err(fail)?;
    let seps = [
        ("element", d.element),
        ("component", d.component),
        ("repetition", d.repetition),
    ];
    for (name, c) in seps {
        if !c.is_ascii() || c.is_ascii_alphanumeric() || c.is_ascii_whitespace() || c == '\x0b' {
            return Err(fail(format!(
                "the x12 {name} separator `{}` must be an ASCII character other than a letter, digit or white space",
                c.escape_debug()
            )));
        }
    }
    if terminator.is_alphanumeric() || terminator == ' ' {
        return Err(fail(format!(
            "the x12 segment terminator `{}` must not be a letter, digit or space",
            terminator.escape_debug()
        )));
    }
    let all = [d.element, d.component, d.repetition, terminator];
    for (i, a) in all.iter().enumerate() {
        if all[i + 1..].contains(a) {
            return Err(fail(format!("the x12 delimiter `{}` is used twice", a.escape_debug())));
        }
    }
    Ok(terminator)
}

struct Writer<'o> {
    out: String,
    d: &'o X12Delimiters,
    terminator: char,
    /// The repetition separator, in interchanges of version 00402 and later.
    repetition: Option<char>,
    /// Segments written in the current transaction set, for SE01.
    count: usize,
    path: TreePath,
}

impl InterchangeWriter for Writer<'_> {
    const FORMAT: Format = Format::X12;

    fn path(&self) -> &TreePath {
        &self.path
    }

    fn path_mut(&mut self) -> &mut TreePath {
        &mut self.path
    }

    fn write_interchange(&mut self, ic: &Value) -> Result<(), EncodeError> {
        self.interchange(ic)
    }

    fn write_segment_entry(&mut self, tag: &str, value: &Value) -> Result<(), EncodeError> {
        self.segment(tag, value)
    }
}

impl StructureWriter for Writer<'_> {
    const OWN_KEY: bool = true;

    fn is_header_key(key: &str) -> bool {
        is_transaction_key(key)
    }

    fn is_free_tag(key: &str) -> bool {
        is_tag(key)
    }

    fn nests_in_itself(block: &Block) -> bool {
        block.trigger == "HL"
    }

    fn segments(&mut self, tag: &str, value: &Value) -> Result<(), EncodeError> {
        self.path.push_key(tag);
        match value {
            Value::Array(list) => {
                for (i, item) in list.iter().enumerate() {
                    self.path.push_index(i);
                    self.segment_here(tag, item)?;
                    self.path.pop();
                }
            }
            _ => self.segment_here(tag, value)?,
        }
        self.path.pop();
        Ok(())
    }
}

impl Writer<'_> {
    /// Appends element text, refusing text that contains a delimiter.
    fn text(&mut self, s: &str, key: &str) -> Result<(), EncodeError> {
        self.text_at(s, Some(key))
    }

    /// Appends text, refusing text that contains a delimiter; an error names `key` of the object
    /// at the current path, or (`None`) the value the path points at.
    fn text_at(&mut self, s: &str, key: Option<&str>) -> Result<(), EncodeError> {
        let d = self.d;
        let names = [
            ("element separator", Some(d.element)),
            ("component separator", Some(d.component)),
            ("repetition separator", self.repetition),
            ("segment terminator", Some(self.terminator)),
            // The reader drops a CR before a line-feed terminator, as part of a CRLF line end.
            (
                "carriage return, which a line-feed terminator makes part of a line end,",
                (self.terminator == '\n').then_some('\r'),
            ),
        ];
        for (name, c) in names {
            if let Some(c) = c
                && s.contains(c)
            {
                let message = format!(
                    "`{}` contains the {name} `{}`; choose other delimiters in EncodeOptions::x12_delimiters",
                    s.escape_debug(),
                    c.escape_debug()
                );
                return Err(self.fail_maybe_at(key, message));
            }
        }
        self.out.push_str(s);
        Ok(())
    }

    fn end_segment(&mut self) {
        self.out.push_str(&self.d.segment);
        self.count += 1;
    }

    fn interchange(&mut self, ic: &Value) -> Result<(), EncodeError> {
        let Some(ic) = ic.as_object() else {
            return Err(self.fail("an interchange must be an object"));
        };
        for key in ic.keys() {
            let known = ISA_FIELDS.iter().any(|&(_, k, _)| k == key);
            if !known && !matches!(key.as_str(), "groups" | "TA1" | "warnings") {
                return Err(self.fail_at(key, "unexpected key in an interchange"));
            }
        }
        let version = ic.get("version").and_then(text_of).unwrap_or_default();
        // ISA11 became the repetition separator in 004020; before that it is the standards id `U`.
        let repeats = version.parse::<u32>().is_ok_and(|v| v >= 402);
        self.repetition = repeats.then_some(self.d.repetition);
        self.out.push_str("ISA");
        let mut control = String::new();
        for n in 1..=16 {
            self.out.push(self.d.element);
            match n {
                11 => self.out.push(if repeats { self.d.repetition } else { 'U' }),
                16 => self.out.push(self.d.component),
                _ => {
                    let Some(&(_, key, width)) = ISA_FIELDS.iter().find(|f| f.0 == n) else {
                        continue;
                    };
                    let value = self.isa_field(ic, n, key, width)?;
                    if n == 13 {
                        control.clone_from(&value);
                    }
                    self.text(&value, key)?;
                }
            }
        }
        self.end_segment();
        if let Some(ta1) = ic.get("TA1") {
            self.segments("TA1", ta1)?;
        }
        let groups = self.list(ic, "groups")?;
        self.each("groups", groups, Self::group)?;
        self.out.push_str("IEA");
        self.out.push(self.d.element);
        self.out.push_str(&groups.len().to_string());
        self.out.push(self.d.element);
        self.out.push_str(&control);
        self.end_segment();
        Ok(())
    }

    /// An ISA element padded to its fixed width (control numbers with leading zeros).
    fn isa_field(&self, ic: &Map<String, Value>, n: usize, key: &str, width: usize) -> Result<String, EncodeError> {
        let value = match ic.get(key) {
            Some(v) => text_of(v).ok_or_else(|| self.fail_at(key, "must be a string"))?,
            None => match n {
                1 | 3 => "00".to_owned(),
                2 | 4 => String::new(),
                14 => "0".to_owned(),
                _ => return Err(self.fail_at(key, format!("missing; ISA{n:02} is required"))),
            },
        };
        // The reader takes an ISA whose ISA12 or ISA13 is not a number for something else.
        if matches!(n, 12 | 13) && (value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit())) {
            return Err(self.fail_at(
                key,
                format!("`{}` is not a number; ISA{n:02} must be digits", value.escape_debug()),
            ));
        }
        let len = value.chars().count();
        if len > width {
            return Err(self.fail_at(key, format!("`{value}` is {len} characters; ISA{n:02} holds {width}")));
        }
        let pad = width - len;
        Ok(if n == 13 {
            "0".repeat(pad) + &value
        } else {
            value + &" ".repeat(pad)
        })
    }

    fn group(&mut self, group: &Value) -> Result<(), EncodeError> {
        let Some(group) = group.as_object() else {
            return Err(self.fail("a functional group must be an object"));
        };
        let mut extra = Vec::new();
        for (key, value) in group {
            if GS_FIELDS.contains(&key.as_str()) || key == "transactions" {
                continue;
            }
            match envelope_extra(key, "GS") {
                Some(n) => extra.push((n, key.as_str(), value)),
                None => return Err(self.fail_at(key, "unexpected key in a functional group")),
            }
        }
        let control = self.required(group, "control_number")?;
        self.required(group, "functional_id")?;
        let mut fields: Vec<(usize, &str, &Value)> = GS_FIELDS
            .iter()
            .enumerate()
            .filter_map(|(i, &key)| group.get(key).map(|v| (i + 1, key, v)))
            .collect();
        fields.extend(extra);
        self.envelope_segment("GS", &mut fields)?;
        let transactions = self.list(group, "transactions")?;
        self.each("transactions", transactions, Self::transaction)?;
        self.out.push_str("GE");
        self.out.push(self.d.element);
        self.out.push_str(&transactions.len().to_string());
        self.out.push(self.d.element);
        self.text(&control, "control_number")?;
        self.end_segment();
        Ok(())
    }

    /// Writes GS or ST from `(element number, key, value)` triples.
    fn envelope_segment(&mut self, tag: &str, fields: &mut [(usize, &str, &Value)]) -> Result<(), EncodeError> {
        fields.sort_by_key(|f| f.0);
        self.out.push_str(tag);
        let mut at = 0;
        for &(n, key, value) in fields.iter() {
            for _ in at..n {
                self.out.push(self.d.element);
            }
            at = n;
            let text = text_of(value).ok_or_else(|| self.fail_at(key, "must be a string"))?;
            self.text(&text, key)?;
        }
        self.end_segment();
        Ok(())
    }

    fn transaction(&mut self, tx: &Value) -> Result<(), EncodeError> {
        let Some(tx) = tx.as_object() else {
            return Err(self.fail("a transaction set must be an object"));
        };
        let set_id = self.required(tx, "set_id")?;
        let control = self.required(tx, "control_number")?;
        let mut fields: Vec<(usize, &str, &Value)> = ST_FIELDS
            .iter()
            .enumerate()
            .filter_map(|(i, &key)| tx.get(key).map(|v| (i + 1, key, v)))
            .collect();
        fields.extend(
            tx.iter()
                .filter_map(|(k, v)| envelope_extra(k, "ST").map(|n| (n, k.as_str(), v))),
        );
        self.count = 0;
        self.envelope_segment("ST", &mut fields)?;
        match sets::lookup(&set_id) {
            Some(set) => self.write_block(set, 0, tx, 0)?,
            None => {
                for key in tx.keys() {
                    if !is_transaction_key(key) && key != "segments" {
                        return Err(self.fail_at(
                            key,
                            format!(
                                "transaction set {set_id} has no structure definition here, so its segments go in `segments`, in order"
                            ),
                        ));
                    }
                }
                let list = self.list(tx, "segments")?;
                self.flat_segments(list)?;
            }
        }
        self.out.push_str("SE");
        self.out.push(self.d.element);
        self.out.push_str(&(self.count + 1).to_string());
        self.out.push(self.d.element);
        self.text(&control, "control_number")?;
        self.end_segment();
        Ok(())
    }

    fn segment(&mut self, tag: &str, value: &Value) -> Result<(), EncodeError> {
        self.path.push_key(tag);
        self.segment_here(tag, value)?;
        self.path.pop();
        Ok(())
    }

    /// Writes segment `tag` from its object (the path already points at it).
    fn segment_here(&mut self, tag: &str, value: &Value) -> Result<(), EncodeError> {
        if !is_tag(tag) {
            return Err(self.fail(format!(
                "`{tag}` is not a segment tag (2 or 3 upper-case letters and digits)"
            )));
        }
        // The reader takes these for the envelope, so written from the tree they would end it.
        if matches!(tag, "ISA" | "IEA" | "GS" | "GE" | "ST" | "SE") {
            return Err(self.fail(format!(
                "`{tag}` is an envelope segment, which the writer derives from the tree; it cannot be written from one"
            )));
        }
        let Some(obj) = value.as_object() else {
            return Err(self.fail("a segment must be an object keyed by element reference"));
        };
        let mut elements = Vec::with_capacity(obj.len());
        for (key, v) in obj {
            match element_number(key, tag) {
                Some(n) => elements.push((n, key.as_str(), v)),
                None => {
                    return Err(self.fail_at(
                        key,
                        format!(
                            "not an element of `{tag}` (expected {}, {}, ...)",
                            element_key(tag, 1),
                            element_key(tag, 2)
                        ),
                    ));
                }
            }
        }
        // Keys sort as text, so `N1100` would come before `N111`.
        elements.sort_by_key(|e| e.0);
        let start = self.out.len();
        self.out.push_str(tag);
        let mut at = 0;
        for (n, key, v) in elements {
            for _ in at..n {
                self.out.push(self.d.element);
            }
            at = n;
            self.element(v, key)?;
        }
        // Empty trailing elements (null or "") carry nothing; leave their separators out.
        while self.out.len() > start + tag.len() && self.out.ends_with(self.d.element) {
            self.out.pop();
        }
        self.end_segment();
        Ok(())
    }

    /// An error about `key` of the object at the current path, or about the value there (`None`).
    fn fail_maybe_at(&self, key: Option<&str>, message: impl Into<String>) -> EncodeError {
        match key {
            Some(key) => self.fail_at(key, message),
            None => self.fail(message),
        }
    }

    fn element(&mut self, v: &Value, key: &str) -> Result<(), EncodeError> {
        match v {
            Value::Array(reps) => {
                let Some(rep) = self.repetition else {
                    return Err(self.fail_at(
                        key,
                        "a repeated element (an array) needs an interchange version (ISA12) of 00402 or later",
                    ));
                };
                // Errors about a repetition name it: `.N1.N102[1]`.
                self.path.push_key(key);
                for (i, item) in reps.iter().enumerate() {
                    if i > 0 {
                        self.out.push(rep);
                    }
                    self.path.push_index(i);
                    if item.is_array() {
                        return Err(self.fail("an array inside a repeated element"));
                    }
                    self.simple_or_composite(item, key, None)?;
                    self.path.pop();
                }
                self.path.pop();
                Ok(())
            }
            _ => self.simple_or_composite(v, key, Some(key)),
        }
    }

    /// Writes one value of element `key`; `under` is its key in the object at the current path,
    /// or `None` when the path points at the value itself (a repetition).
    fn simple_or_composite(&mut self, v: &Value, key: &str, under: Option<&str>) -> Result<(), EncodeError> {
        match v {
            Value::Object(components) => {
                // Errors about a component name it under its element: `.N1.N102."N102-1"`.
                if let Some(under) = under {
                    self.path.push_key(under);
                }
                let mut parts = Vec::with_capacity(components.len());
                for (ck, cv) in components {
                    let n = ck
                        .strip_prefix(key)
                        .and_then(|rest| rest.strip_prefix('-'))
                        .and_then(|n| n.parse::<usize>().ok())
                        .filter(|&n| (1..=99).contains(&n));
                    match n {
                        Some(n) => parts.push((n, ck.as_str(), cv)),
                        None => {
                            return Err(self.fail_at(
                                ck,
                                format!("not a component of `{key}` (expected {key}-1, {key}-2, ...)"),
                            ));
                        }
                    }
                }
                parts.sort_by_key(|p| p.0);
                let mut at = 1;
                for (n, ck, cv) in parts {
                    for _ in at..n {
                        self.out.push(self.d.component);
                    }
                    at = n;
                    if cv.is_object() || cv.is_array() {
                        return Err(self.fail_at(ck, "a component must be a string"));
                    }
                    self.scalar(cv, Some(ck))?;
                }
                if under.is_some() {
                    self.path.pop();
                }
                Ok(())
            }
            _ => self.scalar(v, under),
        }
    }

    /// Writes a simple value; `key` as in [`Self::text_at`].
    fn scalar(&mut self, v: &Value, key: Option<&str>) -> Result<(), EncodeError> {
        match v {
            Value::String(s) => self.text_at(s, key),
            Value::Number(n) => self.text_at(&n.to_string(), key),
            Value::Null => Ok(()),
            Value::Bool(_) => Err(self.fail_maybe_at(key, "a boolean has no X12 form; use a string")),
            Value::Array(_) | Value::Object(_) => Err(self.fail_maybe_at(key, "expected a string")),
        }
    }
}

/// The element number of `key` in segment `tag` (`BEG03` -> 3), if it is one.
fn element_number(key: &str, tag: &str) -> Option<usize> {
    let digits = key.strip_prefix(tag)?;
    if !(2..=3).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n >= 1)
}

/// `GS09`-style keys for envelope elements beyond the named ones.
fn envelope_extra(key: &str, tag: &str) -> Option<usize> {
    element_number(key, tag)
}

/// Keys of a transaction set object that describe its ST rather than its body.
fn is_transaction_key(key: &str) -> bool {
    ST_FIELDS.contains(&key) || envelope_extra(key, "ST").is_some()
}
