//! The canonical `order`: a purchase or sales order between a buyer (dealer) and a seller.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Address, KindSpec, Money, Party};

/// Registry entry for `order`.
pub const SPEC: KindSpec = KindSpec {
    name: "order",
    schema_version: 1,
    schema: || schemars::schema_for!(Order),
    business_key: "/order_number",
};

/// A canonical order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// The buyer's order number; the business key.
    #[schemars(length(min = 1))]
    pub order_number: String,
    /// Date the order was placed (ISO 8601 date).
    #[schemars(extend("format" = "date"))]
    pub order_date: String,
    /// ISO 4217 currency of every amount in the order.
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: String,
    /// Who orders (the dealer).
    pub buyer: Party,
    /// Who sells (the brand owner or one of its sales units).
    pub seller: Party,
    /// Where the goods go.
    pub ship_to: Address,
    /// Where the invoice goes, when not the buyer's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_to: Option<Address>,
    /// Date the buyer wants the goods (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub requested_delivery_date: Option<String>,
    /// The order lines, at least one.
    #[schemars(length(min = 1))]
    pub lines: Vec<OrderLine>,
    /// Sum payable for the order.
    pub total_amount: Money,
    /// Free text for the receiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    /// Line number as the buyer numbered it.
    #[schemars(range(min = 1))]
    pub line_number: u32,
    /// The seller's item code.
    #[schemars(length(min = 1))]
    pub sku: String,
    /// GS1 GTIN (8, 12, 13 or 14 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]{8}|[0-9]{12,14})$"))]
    pub gtin: Option<String>,
    /// The buyer's own item code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_sku: Option<String>,
    /// Item description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Ordered quantity in `uom` (a JSON number).
    #[schemars(range(min = 0))]
    pub quantity: f64,
    /// Unit of measure (UN/ECE rec. 20 or the partner's code, e.g. `EA`, `CS`).
    #[schemars(length(min = 1))]
    pub uom: String,
    /// Price per unit.
    pub unit_price: Money,
    /// Line amount.
    pub amount: Money,
}
