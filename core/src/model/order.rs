//! The canonical `order`: a purchase or sales order between a buyer (dealer) and a seller.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    Address, AllowanceCharge, DeliveryTerms, ExchangeRate, Identifier, KeyPart, KindSpec, Money, Party, PaymentTerms,
    Purpose, Reference, TaxLine, party::parties_with_roles,
};

/// Registry entry for `order`; business key: `order_number`.
pub const SPEC: KindSpec = KindSpec {
    name: "order",
    schema_version: 1,
    schema: || schemars::schema_for!(Order),
    business_key: &[KeyPart::Field("/order_number")],
    example,
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
    /// What this order does to an earlier one with the same number; `new` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    /// The kind of order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_type: Option<OrderType>,
    /// Further parties by role (`ship_to` location with its ids, `end_customer`, `bill_to`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "parties_with_roles")]
    pub parties: Vec<Party>,
    /// Do not ship before this date (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub ship_not_before: Option<String>,
    /// Cancel what is not shipped by this date (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub cancel_after: Option<String>,
    /// Payment terms agreed for this order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_terms: Option<PaymentTerms>,
    /// Delivery terms (Incoterms, FOB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_terms: Option<DeliveryTerms>,
    /// Conversion from `currency` to another currency the buyer quoted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_rate: Option<ExchangeRate>,
    /// Allowances and charges on the whole order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowance_charges: Vec<AllowanceCharge>,
    /// Tax breakdown, when the buyer states it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<TaxLine>,
    /// Other documents this order refers to (contract, quote).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
}

/// The kind of order: `standard`, `blanket` (a frame agreement released later), `release`
/// (a call-off against a blanket order), `drop_ship` (shipped straight to the buyer's customer),
/// `consignment`, `rush`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    Standard,
    Blanket,
    Release,
    DropShip,
    Consignment,
    Rush,
}

/// One line of an order. The item is identified by at least one of `sku`, `gtin` and
/// `buyer_sku`: buyers often order by their own number or the GTIN alone (X12 PO1, EDIFACT LIN/PIA
/// and UBL `Item` carry each identifier as optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["sku"]}, {"required": ["gtin"]}, {"required": ["buyer_sku"]}]))]
pub struct OrderLine {
    /// Line number as the buyer numbered it.
    #[schemars(range(min = 1))]
    pub line_number: u32,
    /// The seller's item code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub sku: Option<String>,
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
    /// Further item identifiers (UPC, ISBN, manufacturer's part number).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// Number of units `unit_price` is for (price basis), when not one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub price_base_quantity: Option<f64>,
    /// Units of `uom` per pack (X12 PO4 pack, UBL pack quantity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub pack_size: Option<f64>,
    /// Date the buyer wants this line, when it differs from the order's (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub requested_delivery_date: Option<String>,
    /// Allowances and charges on this line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowance_charges: Vec<AllowanceCharge>,
}

/// A realistic order: a Chengdu dealer orders hotpot base from the brand's south-west sales unit.
fn example() -> Value {
    json!({
        "order_number": "PO-2026-1001",
        "order_date": "2026-11-20",
        "currency": "CNY",
        "purpose": "new",
        "order_type": "standard",
        "buyer": {
            "id": "KH-0101",
            "name": "成都锦程贸易有限公司",
            "gln": "6970000001012",
            "tax_id": "91510100MA6C1234XY",
            "contact": {"name": "王丽", "phone": "028-8555 0101"},
            "identifiers": [{"scheme": "seller_assigned", "value": "KH-0101"}]
        },
        "seller": {"id": "XN-01", "name": "蜀香食品股份有限公司西南销售部", "gln": "6970000000015"},
        "ship_to": {
            "name": "锦程贸易双流仓库",
            "street": ["双流区西航港大道二段 88 号"],
            "city": "成都",
            "region": "四川省",
            "postal_code": "610200",
            "country": "CN",
            "contact": {"name": "李强", "phone": "138 0000 0101"}
        },
        "parties": [
            {"id": "KH-0101-03", "name": "锦程贸易双流仓库", "gln": "6970000001036", "role": "ship_to"}
        ],
        "requested_delivery_date": "2026-11-27",
        "payment_terms": {"description": "月结30天", "net_days": 30},
        "delivery_terms": {"incoterms": "DAP", "location": "成都"},
        "lines": [
            {
                "line_number": 1, "sku": "HG-500", "gtin": "6970000010014",
                "description": "牛油火锅底料 500g", "quantity": 20.0, "uom": "CS", "pack_size": 24.0,
                "unit_price": "432.00", "amount": "8640.00"
            },
            {
                "line_number": 2, "sku": "HG-QY-400", "buyer_sku": "JC-0402",
                "description": "清油火锅底料 400g", "quantity": 10.0, "uom": "CS",
                "unit_price": "360.00", "amount": "3600.00",
                "allowance_charges": [{"kind": "allowance", "reason": "新品推广折扣", "amount": "180.00",
                    "base_amount": "3600.00", "percent": 5.0}]
            }
        ],
        "allowance_charges": [{"kind": "charge", "reason_code": "FC", "reason": "运费", "amount": "120.00"}],
        "total_amount": "12180.00",
        "notes": "请提前一天电话预约送货"
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::tests::{assert_example_round_trips, error_path, kind};

    #[test]
    fn the_example_round_trips_and_is_keyed_by_order_number() {
        assert_example_round_trips::<Order>("order");
        assert_eq!(kind("order").business_key(&example()).as_deref(), Some("PO-2026-1001"));
    }

    #[test]
    fn a_party_in_parties_must_say_its_role() {
        let mut doc = example();
        doc["parties"][0].as_object_mut().unwrap().remove("role");
        assert_eq!(error_path("order", &doc), "/parties/0");
    }

    #[test]
    fn identifier_schemes_are_snake_case_or_icd_codes() {
        let mut doc = example();
        doc["buyer"]["identifiers"] = json!([{"scheme": "0088", "value": "6970000001012"}]);
        crate::model::tests::assert_valid("order", &doc);
        doc["buyer"]["identifiers"][0]["scheme"] = json!("GLN");
        assert_eq!(error_path("order", &doc), "/buyer/identifiers/0/scheme");
    }
}
