//! What the X12 and EDIFACT writers share: the document's outer shape, errors that name the tree path, the segment terminator's rules, and envelope values.

use serde_json::{Map, Value};

use super::structure::{Block, ChildKind, Structure};
use crate::error::TreePath;
use crate::{EncodeError, Format};

/// A writer of one EDI format, walking a document tree with the path it is at.
pub(crate) trait InterchangeWriter {
    /// The format written, named in errors.
    const FORMAT: Format;

    /// Where in the document the writer is.
    fn path(&self) -> &TreePath;

    /// Where in the document the writer is, to move it.
    fn path_mut(&mut self) -> &mut TreePath;

    /// Writes one interchange (the path already points at it).
    fn write_interchange(&mut self, ic: &Value) -> Result<(), EncodeError>;

    /// Writes segment `tag` from `value`, one entry of a flat `segments` list.
    fn write_segment_entry(&mut self, tag: &str, value: &Value) -> Result<(), EncodeError>;

    /// An error about the value at the current path.
    fn fail(&self, message: impl Into<String>) -> EncodeError {
        EncodeError::new(Self::FORMAT, message, Some(self.path().render()))
    }

    /// An error about `key` of the object at the current path.
    fn fail_at(&self, key: &str, message: impl Into<String>) -> EncodeError {
        EncodeError::new(Self::FORMAT, message, Some(self.path().render_with_key(key)))
    }

    /// The string (or number) under `key` of an envelope object, which must be there.
    fn required(&self, map: &Map<String, Value>, key: &str) -> Result<String, EncodeError> {
        match map.get(key) {
            Some(v) => text_of(v).ok_or_else(|| self.fail_at(key, "must be a string")),
            None => Err(self.fail_at(key, "missing")),
        }
    }

    /// The array under `key` of `map`, empty when there is none.
    fn list<'v>(&self, map: &'v Map<String, Value>, key: &str) -> Result<&'v [Value], EncodeError> {
        match map.get(key) {
            Some(Value::Array(list)) => Ok(list.as_slice()),
            None => Ok(&[]),
            Some(_) => Err(self.fail_at(key, format!("`{key}` must be an array"))),
        }
    }

    /// Writes each item of `list`, the array under `key`, with the path pointing at it.
    fn each(
        &mut self,
        key: &str,
        list: &[Value],
        mut write: impl FnMut(&mut Self, &Value) -> Result<(), EncodeError>,
    ) -> Result<(), EncodeError> {
        self.path_mut().push_key(key);
        for (i, item) in list.iter().enumerate() {
            self.path_mut().push_index(i);
            write(self, item)?;
            self.path_mut().pop();
        }
        self.path_mut().pop();
        Ok(())
    }

    /// Writes the `segments` of a transaction set or message without a structure definition:
    /// objects of one key, the segment tag, in order.
    fn flat_segments(&mut self, list: &[Value]) -> Result<(), EncodeError> {
        self.each("segments", list, |w, entry| {
            match entry.as_object().filter(|m| m.len() == 1).and_then(|m| m.iter().next()) {
                Some((tag, segment)) => w.write_segment_entry(tag, segment),
                None => Err(w.fail("each entry must be an object with one key, the segment tag")),
            }
        })
    }
}

/// Blocks nested deeper than this are refused, so writing cannot exhaust a worker's stack.
const MAX_NESTING: usize = 256;

/// A writer of transaction sets or messages whose segments are filed by a [`Structure`].
///
/// Segments are written in the order the structure lists them (the tree's objects do not keep
/// document order); a segment the structure does not know is written right after the first
/// segment of the block occurrence holding it, which is where the reader files it again.
pub(crate) trait StructureWriter: InterchangeWriter {
    /// Whether the key of a transaction set or message object belongs to its header (ST, UNH)
    /// rather than to the body.
    fn is_header_key(key: &str) -> bool;

    /// Whether `key` may be written as a segment the structure does not list.
    fn is_free_tag(key: &str) -> bool;

    /// Whether an occurrence may hold its own block's key (X12: HL loops hold their children).
    const OWN_KEY: bool;

    /// Whether the occurrences of `block` nested in one occurrence follow it (X12's HL loop).
    fn nests_in_itself(block: &Block) -> bool;

    /// Writes segment `tag`, stored as one object or as an array of them.
    fn segments(&mut self, tag: &str, value: &Value) -> Result<(), EncodeError>;

    /// Writes one occurrence of block `bi` (or the body, block 0) in definition order.
    fn write_block(
        &mut self,
        set: &Structure,
        bi: usize,
        map: &Map<String, Value>,
        depth: usize,
    ) -> Result<(), EncodeError> {
        let words = set.dialect;
        if depth > MAX_NESTING {
            return Err(self.fail(format!("{} nest deeper than {MAX_NESTING} levels", words.blocks_name)));
        }
        let def = set.get(bi);
        if !def.trigger.is_empty() {
            let Some(first) = map.get(def.trigger) else {
                return Err(self.fail(format!(
                    "this `{}` has no `{}` segment, which starts it",
                    def.key, def.trigger
                )));
            };
            self.segments(def.trigger, first)?;
        }
        for (key, value) in map {
            if key == def.trigger || (bi == 0 && Self::is_header_key(key)) {
                continue;
            }
            if key.ends_with(words.key_suffix) {
                let known = (Self::OWN_KEY && key == &def.key)
                    || def
                        .children
                        .iter()
                        .any(|c| matches!(c.kind, ChildKind::Block(i) if set.get(i).key == *key));
                if !known {
                    return Err(self.fail_at(
                        key,
                        format!("{} {} has no such {} here", words.unit_name, set.id, words.block_name),
                    ));
                }
                continue;
            }
            match def.find(key) {
                Some(child) if matches!(child.kind, ChildKind::Block(_)) => {
                    return Err(self.fail_at(
                        key,
                        format!(
                            "`{key}` starts a {} here; put it in `{key}{}`",
                            words.block_name, words.key_suffix
                        ),
                    ));
                }
                Some(_) => {}
                None if Self::is_free_tag(key) => self.segments(key, value)?,
                None => {
                    return Err(self.fail_at(key, format!("not a segment tag or {} name", words.block_name)));
                }
            }
        }
        for child in &def.children {
            match child.kind {
                ChildKind::Segment { required, .. } => match map.get(child.tag) {
                    Some(value) => self.segments(child.tag, value)?,
                    None if required => {
                        return Err(self.fail_at(
                            child.tag,
                            format!("missing; {} {} requires it", words.unit_name, set.id),
                        ));
                    }
                    None => {}
                },
                ChildKind::Block(ci) => self.write_occurrences(set, ci, map, depth)?,
            }
        }
        if Self::nests_in_itself(def) {
            // Nested occurrences sit inside their parent's occurrence and follow it.
            self.write_occurrences(set, bi, map, depth)?;
        }
        Ok(())
    }

    /// Writes the occurrences of block `bi` that `map` holds under the block's key.
    fn write_occurrences(
        &mut self,
        set: &Structure,
        bi: usize,
        map: &Map<String, Value>,
        depth: usize,
    ) -> Result<(), EncodeError> {
        let key = &set.get(bi).key;
        let Some(value) = map.get(key.as_str()) else {
            return Ok(());
        };
        let Some(list) = value.as_array() else {
            return Err(self.fail_at(key, set.dialect.not_an_array));
        };
        self.each(key, list, |w, item| {
            let Some(item) = item.as_object() else {
                return Err(w.fail(set.dialect.not_an_occurrence));
            };
            w.write_block(set, bi, item, depth + 1)
        })
    }
}

/// Writes each interchange of `{"interchanges": [...]}`, refusing any other shape.
pub(crate) fn write_document<W: InterchangeWriter>(w: &mut W, doc: &Value) -> Result<(), EncodeError> {
    let Some(root) = doc.as_object() else {
        return Err(w.fail("the document must be an object with an `interchanges` array"));
    };
    if let Some(key) = root.keys().find(|k| *k != "interchanges") {
        return Err(w.fail_at(key, "unexpected key; the document holds only `interchanges`"));
    }
    let Some(Value::Array(interchanges)) = root.get("interchanges") else {
        return Err(w.fail("the document must be an object with an `interchanges` array"));
    };
    w.each("interchanges", interchanges, W::write_interchange)
}

/// The terminator character of `segment` (its first; the rest may only be line breaks), or the
/// message refusing it. `format` names the format in the message (`x12`).
pub(crate) fn terminator(segment: &str, format: &str) -> Result<char, String> {
    let mut chars = segment.chars();
    let Some(terminator) = chars.next() else {
        return Err(format!("the {format} segment terminator is empty"));
    };
    if !chars.all(|c| matches!(c, '\r' | '\n')) {
        return Err(format!(
            "the {format} segment terminator `{}` may only be followed by CR and LF",
            segment.escape_debug()
        ));
    }
    Ok(terminator)
}

/// A string or number value; numbers are accepted for convenience.
pub(crate) fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
