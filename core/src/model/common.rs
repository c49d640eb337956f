//! Types shared by every kind that are neither parties nor trade terms: money and identifiers.

use std::borrow::Cow;

use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// An exact decimal amount, carried as a string (`"125.50"`) so that no float ever touches money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(#[serde(with = "rust_decimal::serde::str")] pub Decimal);

/// The pattern every money string must match: optional minus, digits, optional fraction.
pub const MONEY_PATTERN: &str = r"^-?[0-9]+(\.[0-9]+)?$";

impl JsonSchema for Money {
    fn schema_name() -> Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": MONEY_PATTERN,
            "description": "Exact decimal amount as a string, e.g. \"125.50\"; never a JSON number",
        })
    }
}

/// An identifier in a named scheme, for a party or an item.
///
/// Party schemes: `gln`, `duns`, `san`, `buyer_assigned`, `seller_assigned`, `vat`, `uscc` (the
/// Chinese unified social credit code) or an ISO 6523 ICD code such as `0088` (GLN) or `9930`,
/// as Peppol uses them. Item schemes: `gtin`, `upc`, `ean`, `isbn`, `buyer_assigned`,
/// `seller_assigned`, `manufacturer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Identifier {
    /// The scheme: a lowercase snake_case name or a four-digit ISO 6523 ICD code.
    #[schemars(regex(pattern = r"^([a-z][a-z0-9_]*|[0-9]{4})$"))]
    pub scheme: String,
    /// The identifier as written by whoever assigned it.
    #[schemars(length(min = 1))]
    pub value: String,
}
