//! Types shared by several canonical kinds: money, parties, addresses.

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

/// A party to a document: dealer, brand owner, warehouse, carrier, bank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// The hub's partner-side id, e.g. the dealer code in the ERP.
    pub id: String,
    /// Legal or trading name (Unicode; Chinese names are the norm).
    pub name: String,
    /// GS1 Global Location Number (13 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{13}$"))]
    pub gln: Option<String>,
    /// Tax registration id (e.g. the unified social credit code in China, a VAT number in the EU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    /// Who to talk to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Registered or postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// A contact person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Person's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Phone number as written by the partner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Addressee (person or site name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Street lines, first to last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub street: Vec<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Province, state or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code (`CN`, `HK`, `DE`).
    #[schemars(regex(pattern = r"^[A-Z]{2}$"))]
    pub country: String,
}
