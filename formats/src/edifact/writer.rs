//! EDIFACT writing: the reader's tree back to an interchange, with the caller's delimiters, release characters and computed trailers.
//!
//! Segments of a known message are written in the order its definition lists them (the tree's
//! objects do not keep document order); a segment the definition does not know is written right
//! after the first segment of the group occurrence holding it, which is where the reader files it
//! again. UNT01, UNE01 and UNZ01 are counted; UNT02, UNE02 and UNZ02 repeat UNH01, UNG05 and
//! UNB05 from the tree. A UNA always comes first, so the partner reads the delimiters chosen.

use serde_json::{Map, Value};

use super::envelope::{Field, UNB_FIELDS, UNG_FIELDS, UNH_FIELDS, parse_key};
use super::lexer::is_tag;
use super::sets;
use crate::edi::structure::Block;
use crate::edi::writer::{InterchangeWriter, StructureWriter, terminator, text_of, write_document};
use crate::error::TreePath;
use crate::{EdifactDelimiters, EncodeError, EncodeOptions, Format};

/// Encodes `{"interchanges": [...]}` as EDIFACT.
pub(crate) fn encode(doc: &Value, opts: &EncodeOptions) -> Result<Vec<u8>, EncodeError> {
    let d = &opts.edifact_delimiters;
    let terminator = check_delimiters(d)?;
    let mut w = Writer {
        out: String::new(),
        d,
        terminator,
        repeat: false,
        count: 0,
        path: TreePath::default(),
    };
    write_document(&mut w, doc)?;
    Ok(w.out.into_bytes())
}

/// Refuses delimiters the reader could not tell apart from data or from each other, and returns
/// the terminator character (the first of `segment`; the rest may only be line breaks).
fn check_delimiters(d: &EdifactDelimiters) -> Result<char, EncodeError> {
    let fail = |m: String| EncodeError::new(Format::Edifact, m, None);
    let terminator = terminator(&d.segment, "edifact").map_err(fail)?;
    let all = [
        ("component separator", d.component),
        ("element separator", d.element),
        ("decimal mark", d.decimal),
        ("release character", d.release),
        ("repetition separator", d.repetition),
        ("segment terminator", terminator),
    ];
    for (name, c) in all {
        if !c.is_ascii() || c.is_ascii_alphanumeric() || c.is_ascii_whitespace() || c.is_ascii_control() {
            return Err(fail(format!(
                "the edifact {name} `{}` must be a printable ASCII character other than a letter, digit or space",
                c.escape_debug()
            )));
        }
    }
    for (i, (_, a)) in all.iter().enumerate() {
        if all[i + 1..].iter().any(|(_, b)| b == a) {
            return Err(fail(format!(
                "the edifact delimiter `{}` is used twice",
                a.escape_debug()
            )));
        }
    }
    Ok(terminator)
}

struct Writer<'o> {
    out: String,
    d: &'o EdifactDelimiters,
    terminator: char,
    /// Whether the repetition separator is in force (syntax version 4 and later).
    repeat: bool,
    /// Segments written in the current message, for UNT01.
    count: usize,
    path: TreePath,
}

/// Element values by position, each a list of repetitions of component lists.
type Elements = Vec<Vec<Vec<String>>>;

fn set(elements: &mut Elements, n: usize, rep: usize, c: usize, value: String) {
    if elements.len() < n {
        elements.resize_with(n, Vec::new);
    }
    let reps = &mut elements[n - 1];
    if reps.len() <= rep {
        reps.resize_with(rep + 1, Vec::new);
    }
    let comps = &mut reps[rep];
    if comps.len() < c {
        comps.resize_with(c, String::new);
    }
    comps[c - 1] = value;
}

impl InterchangeWriter for Writer<'_> {
    const FORMAT: Format = Format::Edifact;

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
    const OWN_KEY: bool = false;

    fn is_header_key(key: &str) -> bool {
        is_message_key(key)
    }

    fn is_free_tag(key: &str) -> bool {
        is_tag(key) && !is_service_tag(key)
    }

    fn nests_in_itself(_: &Block) -> bool {
        false
    }

    fn segments(&mut self, tag: &str, value: &Value) -> Result<(), EncodeError> {
        match value {
            Value::Array(list) => {
                self.path.push_key(tag);
                for (i, item) in list.iter().enumerate() {
                    self.path.push_index(i);
                    let Some(map) = item.as_object() else {
                        return Err(self.fail("a segment must be an object keyed by element position"));
                    };
                    self.segment_map(tag, map)?;
                    self.path.pop();
                }
                self.path.pop();
                Ok(())
            }
            Value::Object(map) => {
                self.path.push_key(tag);
                self.segment_map(tag, map)?;
                self.path.pop();
                Ok(())
            }
            _ => Err(self.fail_at(tag, "a segment must be an object keyed by element position")),
        }
    }
}

impl Writer<'_> {
    /// Appends element text, putting the release character before every service character.
    fn text(&mut self, s: &str) {
        let d = self.d;
        for c in s.chars() {
            if c == d.component
                || c == d.element
                || c == d.release
                || c == self.terminator
                || (self.repeat && c == d.repetition)
            {
                self.out.push(d.release);
            }
            self.out.push(c);
        }
    }

    /// Writes `tag` and its elements, leaving out trailing empty elements and components.
    fn write_segment(&mut self, tag: &str, elements: &Elements) {
        self.out.push_str(tag);
        let used = elements
            .iter()
            .rposition(|reps| reps.iter().any(|r| r.iter().any(|c| !c.is_empty())));
        for reps in &elements[..used.map_or(0, |u| u + 1)] {
            self.out.push(self.d.element);
            let last_rep = reps.iter().rposition(|r| r.iter().any(|c| !c.is_empty()));
            for (i, comps) in reps[..last_rep.map_or(0, |u| u + 1)].iter().enumerate() {
                if i > 0 {
                    self.out.push(self.d.repetition);
                }
                let last = comps.iter().rposition(|c| !c.is_empty()).map_or(0, |u| u + 1);
                for (j, comp) in comps[..last].iter().enumerate() {
                    if j > 0 {
                        self.out.push(self.d.component);
                    }
                    self.text(comp);
                }
            }
        }
        self.out.push_str(&self.d.segment);
        self.count += 1;
    }

    /// Writes an envelope segment from its named values and `TAGnn-c` references; keys in
    /// `other` belong to the tree around it and are skipped.
    fn envelope(
        &mut self,
        tag: &str,
        map: &Map<String, Value>,
        fields: &[Field],
        other: &[&str],
    ) -> Result<(), EncodeError> {
        let mut elements = Elements::new();
        for (key, value) in map {
            if other.contains(&key.as_str()) {
                continue;
            }
            let (n, c) = match fields.iter().find(|f| f.2 == key) {
                Some(&(n, c, _)) => (n, c),
                None => match parse_key(tag, key) {
                    Some((n, Some(c))) => (n, c),
                    _ => return Err(self.fail_at(key, format!("unexpected key in a {tag} envelope"))),
                },
            };
            let text = text_of(value).ok_or_else(|| self.fail_at(key, "must be a string"))?;
            set(&mut elements, n, 0, c, text);
        }
        self.write_segment(tag, &elements);
        Ok(())
    }

    fn interchange(&mut self, ic: &Value) -> Result<(), EncodeError> {
        let Some(ic) = ic.as_object() else {
            return Err(self.fail("an interchange must be an object"));
        };
        for key in [
            "syntax_identifier",
            "syntax_version",
            "sender_id",
            "recipient_id",
            "date",
            "time",
        ] {
            self.required(ic, key)?;
        }
        let control = self.required(ic, "control_reference")?;
        if ic.contains_key("groups") && ic.contains_key("messages") {
            return Err(self.fail_at("groups", "an interchange holds `groups` or `messages`, not both"));
        }
        let version = self.required(ic, "syntax_version")?;
        self.repeat = version.parse::<u32>().is_ok_and(|v| v >= 4);
        let d = self.d;
        // The tree's values carry the decimal mark they were read with: the UNA declares it.
        let decimal = match ic.get("decimal_mark") {
            None => d.decimal,
            Some(Value::String(mark)) if mark == "." || mark == "," => mark.chars().next().unwrap_or(d.decimal),
            Some(_) => return Err(self.fail_at("decimal_mark", "the decimal mark is `.` or `,`")),
        };
        if [d.component, d.element, d.release, d.repetition].contains(&decimal) {
            return Err(self.fail_at(
                "decimal_mark",
                format!("decimal mark `{decimal}` is also a delimiter of this interchange"),
            ));
        }
        self.out.push_str("UNA");
        for c in [d.component, d.element, decimal, d.release] {
            self.out.push(c);
        }
        // UNA position 5 is reserved (a space) before syntax version 4.
        self.out.push(if self.repeat { d.repetition } else { ' ' });
        self.out.push_str(&d.segment);
        self.envelope(
            "UNB",
            ic,
            UNB_FIELDS,
            &["groups", "messages", "warnings", "decimal_mark"],
        )?;
        let count = if ic.contains_key("groups") {
            let groups = self.list(ic, "groups")?;
            self.each("groups", groups, Self::group)?;
            groups.len()
        } else {
            self.messages(ic)?
        };
        self.trailer("UNZ", count, &control);
        Ok(())
    }

    fn trailer(&mut self, tag: &str, count: usize, reference: &str) {
        let elements = vec![vec![vec![count.to_string()]], vec![vec![reference.to_owned()]]];
        self.write_segment(tag, &elements);
    }

    fn messages(&mut self, map: &Map<String, Value>) -> Result<usize, EncodeError> {
        let messages = self.list(map, "messages")?;
        self.each("messages", messages, Self::message)?;
        Ok(messages.len())
    }

    fn group(&mut self, group: &Value) -> Result<(), EncodeError> {
        let Some(group) = group.as_object() else {
            return Err(self.fail("a functional group must be an object"));
        };
        let control = self.required(group, "control_reference")?;
        self.envelope("UNG", group, UNG_FIELDS, &["messages"])?;
        let count = self.messages(group)?;
        self.trailer("UNE", count, &control);
        Ok(())
    }

    fn message(&mut self, msg: &Value) -> Result<(), EncodeError> {
        let Some(msg) = msg.as_object() else {
            return Err(self.fail("a message must be an object"));
        };
        let reference = self.required(msg, "message_reference")?;
        let message_type = self.required(msg, "message_type")?;
        for key in ["version", "release", "agency"] {
            self.required(msg, key)?;
        }
        let header: Map<String, Value> = msg
            .iter()
            .filter(|(k, _)| is_message_key(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.count = 0;
        self.envelope("UNH", &header, UNH_FIELDS, &[])?;
        match sets::lookup(&message_type) {
            Some(set) => {
                if msg.contains_key("segments") {
                    return Err(self.fail_at(
                        "segments",
                        format!("message {message_type} has a structure definition, so its segments go under their tags and groups"),
                    ));
                }
                self.write_block(set, 0, msg, 0)?;
            }
            None => {
                for key in msg.keys() {
                    if !is_message_key(key) && key != "segments" {
                        return Err(self.fail_at(
                            key,
                            format!(
                                "message {message_type} has no structure definition here, so its segments go in `segments`, in order"
                            ),
                        ));
                    }
                }
                let list = self.list(msg, "segments")?;
                self.flat_segments(list)?;
            }
        }
        let count = self.count + 1;
        self.trailer("UNT", count, &reference);
        Ok(())
    }

    fn segment(&mut self, tag: &str, value: &Value) -> Result<(), EncodeError> {
        if !is_tag(tag) || is_service_tag(tag) {
            return Err(self.fail_at(tag, "not a segment tag"));
        }
        self.segments(tag, value)
    }

    fn segment_map(&mut self, tag: &str, map: &Map<String, Value>) -> Result<(), EncodeError> {
        let mut elements = Elements::new();
        for (key, value) in map {
            let Some((n, None)) = parse_key(tag, key) else {
                return Err(self.fail_at(
                    key,
                    format!("not an element of `{tag}`; elements are keyed `{tag}01`, `{tag}02`, ..."),
                ));
            };
            match value {
                Value::Array(reps) => {
                    if !self.repeat {
                        return Err(self.fail_at(key, "a repeated element needs syntax version 4 (`syntax_version`)"));
                    }
                    self.path.push_key(key.clone());
                    for (r, rep) in reps.iter().enumerate() {
                        self.path.push_index(r);
                        self.element(&mut elements, key, n, r, rep)?;
                        self.path.pop();
                    }
                    self.path.pop();
                }
                _ => {
                    self.path.push_key(key.clone());
                    self.element(&mut elements, key, n, 0, value)?;
                    self.path.pop();
                }
            }
        }
        self.write_segment(tag, &elements);
        Ok(())
    }

    /// One repetition of element `n`: text, or a composite keyed `TAGnn-c`.
    fn element(
        &self,
        elements: &mut Elements,
        key: &str,
        n: usize,
        rep: usize,
        value: &Value,
    ) -> Result<(), EncodeError> {
        match value {
            Value::Object(comps) => {
                for (ckey, cvalue) in comps {
                    let c = ckey
                        .strip_prefix(key)
                        .and_then(|rest| rest.strip_prefix('-'))
                        .and_then(|c| c.parse::<usize>().ok())
                        .filter(|&c| (1..=999).contains(&c) && *ckey == format!("{key}-{c}"));
                    let Some(c) = c else {
                        return Err(self.fail_at(
                            ckey,
                            format!("not a component of `{key}`; components are keyed `{key}-1`, `{key}-2`, ..."),
                        ));
                    };
                    let text = text_of(cvalue).ok_or_else(|| self.fail_at(ckey, "a component must be a string"))?;
                    set(elements, n, rep, c, text);
                }
                Ok(())
            }
            _ => {
                let text = text_of(value).ok_or_else(|| {
                    self.fail("an element must be a string, a composite object or an array of repetitions")
                })?;
                set(elements, n, rep, 1, text);
                Ok(())
            }
        }
    }
}

/// Whether `key` of a message object belongs to its UNH (a name, or a `UNHnn-c` reference).
fn is_message_key(key: &str) -> bool {
    UNH_FIELDS.iter().any(|f| f.2 == key) || matches!(parse_key("UNH", key), Some((_, Some(_))))
}

/// Service segments the writer derives and never takes from a message body.
fn is_service_tag(tag: &str) -> bool {
    matches!(tag, "UNA" | "UNB" | "UNG" | "UNH" | "UNT" | "UNE" | "UNZ")
}
