//! The registry of canonical document kinds: name, schema, business key.

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
    /// JSON pointer of the business key inside a document of this kind.
    pub business_key: &'static str,
}

/// Every kind the hub knows, in the order they are documented.
pub static KINDS: &[KindSpec] = &[super::order::SPEC];

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

    /// The business key of `doc`, when present as a string or number.
    #[must_use]
    pub fn business_key(self, doc: &Value) -> Option<String> {
        match doc.pointer(self.0.business_key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}
