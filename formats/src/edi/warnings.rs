//! The warnings an EDI interchange collects while it is read, listed under its `"warnings"`.

use serde_json::{Map, Value};

use crate::DecodeError;

/// At most this many warnings are listed per interchange, so a file of a million unknown
/// segments cannot make the tree (or the time spent on line numbers) grow without bound.
const MAX_WARNINGS: usize = 100;

/// The current interchange's warnings.
#[derive(Debug, Default)]
pub(crate) struct Warnings {
    list: Vec<Value>,
    /// How many were past the limit, and only counted.
    left_out: usize,
}

impl Warnings {
    /// Whether the list is full, so that another warning is only counted (and need not be
    /// positioned first).
    pub(crate) fn is_full(&self) -> bool {
        self.list.len() >= MAX_WARNINGS
    }

    /// Counts a warning that is not listed.
    pub(crate) fn leave_out(&mut self) {
        self.left_out += 1;
    }

    /// Lists `e` (message and position), or counts it once the list is full.
    pub(crate) fn push(&mut self, e: DecodeError) {
        if self.is_full() {
            self.leave_out();
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
        self.list.push(Value::Object(w));
    }

    /// Puts the warnings, and a note of how many were left out, under `"warnings"` in the
    /// interchange `ic` (when there are any), and starts afresh for the next interchange.
    pub(crate) fn take_into(&mut self, ic: &mut Map<String, Value>) {
        if self.left_out > 0 {
            let note = format!("{} more warnings were left out", self.left_out);
            let mut w = Map::new();
            w.insert("message".to_owned(), Value::String(note));
            self.list.push(Value::Object(w));
            self.left_out = 0;
        }
        if !self.list.is_empty() {
            ic.insert("warnings".to_owned(), Value::Array(std::mem::take(&mut self.list)));
        }
    }
}
