//! JSON Schema (2020-12) for every kind: generated from the Rust types, compiled once, and used
//! to validate what mappings produce. Violations carry the JSON pointer of the offending field.

use std::collections::HashMap;

use jsonschema::error::ValidationErrorKind;
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
        let mut violations: Vec<SchemaViolation> = validator.iter_errors(doc).flat_map(|e| violations_of(&e)).collect();
        // The deepest pointer names the field most precisely ("/lines/0/unit_price" rather
        // than "/lines"); keep the order stable otherwise.
        violations.sort_by_key(|v| std::cmp::Reverse(depth(&v.path)));
        Err(SchemaError {
            kind: kind.name(),
            violations,
        })
    }
}

/// The violations one error stands for. An optional struct is `anyOf: [{$ref}, {type: null}]`,
/// and a bad field inside it fails the whole `anyOf` at the struct's pointer; when exactly one
/// branch got deeper than that, the document was meant for that branch, and its errors name the
/// field (`/invoices/amount` rather than `/invoices`).
fn violations_of(error: &jsonschema::ValidationError<'_>) -> Vec<SchemaViolation> {
    let path = error.instance_path().as_str();
    if let ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } = error.kind() {
        let level = depth(path);
        let mut deeper = context
            .iter()
            .map(|branch| branch.iter().flat_map(|e| violations_of(e)).collect::<Vec<_>>())
            .filter(|branch| branch.iter().any(|v| depth(&v.path) > level));
        if let (Some(branch), None) = (deeper.next(), deeper.next()) {
            return branch;
        }
    }
    vec![SchemaViolation {
        path: path.to_string(),
        message: error.to_string(),
    }]
}

/// How many levels down a JSON pointer reaches.
fn depth(pointer: &str) -> usize {
    pointer.matches('/').count()
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
        // A schema left behind by a renamed or removed kind would still look like a contract.
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let kind = name.strip_suffix(".schema.json");
            assert!(
                kind.is_some_and(|k| Kind::by_name(k).is_some()),
                "schemas/{name} belongs to no kind: remove it"
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
    fn a_bad_field_in_an_optional_struct_is_refused_at_the_field() {
        let schemas = Schemas::compile();
        let mut doc = order();
        doc["bill_to"] = json!({"city": "成都", "country": "China"});
        let err = schemas.validate(Kind::by_name("order").unwrap(), &doc).unwrap_err();
        assert_eq!(err.path(), "/bill_to/country");
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
