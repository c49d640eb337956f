//! Parties, their roles, contacts, addresses and bank accounts.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use super::Identifier;

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
    /// Further identifiers in named schemes (DUNS, buyer- or seller-assigned codes, Peppol ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// The party's role; required in a document's `parties[]`, redundant in named slots such as `buyer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<PartyRole>,
}

/// The role a party plays in a document: `buyer`, `seller`, `ship_to`, `ship_from`, `bill_to`
/// (invoicee), `remit_to`, `supplier`, `manufacturer`, `carrier`, `freight_forwarder`, `warehouse`,
/// `payer`, `payee`, `end_customer` (the dealer's customer or end user), `tax_representative`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    Buyer,
    Seller,
    ShipTo,
    ShipFrom,
    BillTo,
    RemitTo,
    Supplier,
    Manufacturer,
    Carrier,
    FreightForwarder,
    Warehouse,
    Payer,
    Payee,
    EndCustomer,
    TaxRepresentative,
}

/// Schema of a `parties[]` field: parties that must each say their role.
pub(crate) fn parties_with_roles(generator: &mut SchemaGenerator) -> Schema {
    let party = generator.subschema_for::<Party>();
    json_schema!({
        "type": "array",
        "items": {"allOf": [party, {"required": ["role"]}]},
    })
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
    /// Who receives goods here (a ship-to's consignee); a party's own contact goes in its `contact`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// A bank account: an IBAN or another account number, at least one of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["iban"]}, {"required": ["number"]}]))]
pub struct BankAccount {
    /// International Bank Account Number, without spaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"))]
    pub iban: Option<String>,
    /// Account number in another scheme (e.g. a Chinese bank account number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Account holder's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The bank's BIC (8 or 11 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$"))]
    pub bic: Option<String>,
    /// The bank's or branch's name (开户行).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
}
