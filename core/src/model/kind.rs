//! The registry of canonical document kinds: name, schema, business key, example.

use schemars::Schema;
use serde_json::Value;

/// What the hub needs to know about one canonical kind.
pub struct KindSpec {
    /// The kind's name in config (`kind: order`) and in the envelope.
    pub name: &'static str,
    /// Version of the schema; bumped on incompatible change.
    pub schema_version: u32,
    /// JSON Schema generated from the Rust types.
    pub schema: fn() -> Schema,
    /// The parts of the business key, in order; see [`Kind::business_key`].
    pub business_key: &'static [KeyPart],
    /// A realistic document of this kind; the tests check that it validates, survives a round
    /// trip through the Rust types and yields a business key.
    pub example: fn() -> Value,
}

/// One part of a business key: where in the document its value is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPart {
    /// The value at this JSON pointer; the kind's schema requires it.
    Field(&'static str),
    /// The value at this JSON pointer when present; when absent, the part and its separator
    /// are left out.
    Optional(&'static str),
    /// The value at the first of these JSON pointers that is present; the schema requires at
    /// least one.
    FirstOf(&'static [&'static str]),
}

/// Joins the parts of a composite business key: `WH-CD01|2026-11-25T08:00:00+08:00`.
///
/// Parts are taken as written, without escaping, so a single-part key is exactly the field's
/// value. A `|` inside a part could make two different documents share a key; that would only
/// put them in one ordering lane and one search result, never lose either.
pub const KEY_SEPARATOR: &str = "|";

/// Every kind the hub knows, in the order they are documented.
pub static KINDS: &[KindSpec] = &[
    super::order::SPEC,
    super::order_ack::SPEC,
    super::inventory::SPEC,
    super::dispatch::SPEC,
    super::shipment::SPEC,
    super::tracking::SPEC,
    super::invoice::SPEC,
    super::payment::SPEC,
    super::credit_profile::SPEC,
];

/// A checked reference to a known kind.
#[derive(Clone, Copy)]
pub struct Kind(&'static KindSpec);

impl Kind {
    /// Looks a kind up by name.
    #[must_use]
    pub fn by_name(name: &str) -> Option<Self> {
        KINDS.iter().find(|k| k.name == name).map(Kind)
    }

    /// The names of all kinds, for error messages.
    #[must_use]
    pub fn names() -> Vec<&'static str> {
        KINDS.iter().map(|k| k.name).collect()
    }

    #[must_use]
    pub fn spec(self) -> &'static KindSpec {
        self.0
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// The business key of `doc`: the values of the kind's key parts (strings or numbers),
    /// joined with [`KEY_SEPARATOR`]. `None` when a required part is missing or not a scalar.
    #[must_use]
    pub fn business_key(self, doc: &Value) -> Option<String> {
        let mut parts = Vec::with_capacity(self.0.business_key.len());
        for part in self.0.business_key {
            match part {
                KeyPart::Field(pointer) => parts.push(scalar(doc, pointer)?),
                KeyPart::Optional(pointer) => parts.extend(scalar(doc, pointer)),
                KeyPart::FirstOf(pointers) => parts.push(pointers.iter().find_map(|p| scalar(doc, p))?),
            }
        }
        if parts.is_empty() {
            return None;
        }
        Some(parts.join(KEY_SEPARATOR))
    }
}

/// The string or number at `pointer`, as text.
fn scalar(doc: &Value, pointer: &str) -> Option<String> {
    match doc.pointer(pointer)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}
