//! JSON Schema (2020-12) for every kind: generated from the Rust types, compiled once, and used
//! to validate what mappings produce. Violations carry the JSON pointer of the offending field.

use std::collections::HashMap;

use serde_json::Value;

use super::{KINDS, Kind};

/// One schema violation: where and what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchemaViolation {
    /// JSON pointer into the document (`/lines/0/unit_price`); empty for the root.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

/// A document that does not match its kind's schema.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} does not match the `{kind}` schema: {}", if .violations[0].path.is_empty() { "document".to_string() } else { format!("`{}`", .violations[0].path) }, .violations[0].message)]
pub struct SchemaError {
    /// The kind validated against.
    pub kind: &'static str,
    /// Every violation found, first the most specific.
    pub violations: Vec<SchemaViolation>,
}

impl SchemaError {
    /// The pointer of the first violation.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.violations[0].path
    }
}

/// Compiled validators for every kind.
pub struct Schemas {
    validators: HashMap<&'static str, jsonschema::Validator>,
}

impl Schemas {
    /// Generates and compiles every kind's schema.
    ///
    /// # Panics
    /// Only if a generated schema does not compile, which the unit tests rule out.
    #[must_use]
    pub fn compile() -> Self {
        let validators = KINDS
            .iter()
            .map(|spec| {
                let schema = Value::from((spec.schema)());
                let validator = jsonschema::draft202012::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .expect("generated schemas compile");
                (spec.name, validator)
            })
            .collect();
        Self { validators }
    }

    /// The generated schema of `kind`, pretty-printed as checked into `schemas/`.
    #[must_use]
    pub fn render(kind: Kind) -> String {
        let schema = Value::from((kind.spec().schema)());
        let mut text = serde_json::to_string_pretty(&schema).expect("a JSON value renders");
        text.push('\n');
        text
    }

    /// Validates `doc` as a `kind` document.
    ///
    /// # Errors
    /// Every violation, with its JSON pointer.
    pub fn validate(&self, kind: Kind, doc: &Value) -> Result<(), SchemaError> {
        let validator = &self.validators[kind.name()];
        if validator.is_valid(doc) {
            return Ok(());
        }
        let mut violations: Vec<SchemaViolation> = validator
            .iter_errors(doc)
            .map(|e| SchemaViolation {
                path: e.instance_path().as_str().to_string(),
                message: e.to_string(),
            })
            .collect();
        // The deepest pointer names the field most precisely ("/lines/0/unit_price" rather
        // than "/lines"); keep the order stable otherwise.
        violations.sort_by_key(|v| std::cmp::Reverse(v.path.matches('/').count()));
        Err(SchemaError {
            kind: kind.name(),
            violations,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn order() -> Value {
        json!({
            "order_number": "SO-1", "order_date": "2026-11-25", "currency": "CNY",
            "buyer": {"id": "KH-1", "name": "成都锦程贸易有限公司"},
            "seller": {"id": "S", "name": "西南销售部"},
            "ship_to": {"street": ["天府大道"], "city": "成都", "country": "CN"},
            "lines": [{"line_number": 1, "sku": "A", "quantity": 2.0, "uom": "EA", "unit_price": "36.50", "amount": "73.00"}],
            "total_amount": "73.00"
        })
    }

    /// The checked-in schemas are what the types generate; run with UPDATE_SCHEMAS=1 to rewrite.
    #[test]
    fn checked_in_schemas_are_current() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
        for spec in KINDS {
            let kind = Kind::by_name(spec.name).unwrap();
            let path = dir.join(format!("{}.schema.json", spec.name));
            let fresh = Schemas::render(kind);
            if std::env::var_os("UPDATE_SCHEMAS").is_some() {
                std::fs::write(&path, &fresh).unwrap();
            }
            let stored = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                stored == fresh,
                "{} is stale: run `UPDATE_SCHEMAS=1 cargo test -p channelhub-core checked_in_schemas_are_current`",
                path.display()
            );
        }
    }

    #[test]
    fn a_valid_order_passes() {
        let schemas = Schemas::compile();
        schemas.validate(Kind::by_name("order").unwrap(), &order()).unwrap();
    }

    #[test]
    fn a_float_price_is_refused_at_its_pointer() {
        let schemas = Schemas::compile();
        let mut doc = order();
        doc["lines"][0]["unit_price"] = json!(36.5);
        let err = schemas.validate(Kind::by_name("order").unwrap(), &doc).unwrap_err();
        assert_eq!(err.path(), "/lines/0/unit_price");
    }

    #[test]
    fn unknown_fields_and_bad_dates_are_refused() {
        let schemas = Schemas::compile();
        let order_kind = Kind::by_name("order").unwrap();
        let mut doc = order();
        doc["colour"] = json!("red");
        assert!(schemas.validate(order_kind, &doc).is_err());
        let mut doc = order();
        doc["order_date"] = json!("25/11/2026");
        assert_eq!(schemas.validate(order_kind, &doc).unwrap_err().path(), "/order_date");
    }
}
