//! The canonical `order_ack`: the seller's answer to an order (X12 855, EDIFACT ORDRSP, UBL
//! OrderResponse), for the whole order and per line.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{KeyPart, KindSpec, Money, Party, party::parties_with_roles};

/// Registry entry for `order_ack`; business key: `order_number`, the acknowledged order's number,
/// so that an order and its acknowledgements share one search key and one ordering lane.
pub const SPEC: KindSpec = KindSpec {
    name: "order_ack",
    schema_version: 1,
    schema: || schemars::schema_for!(OrderAck),
    business_key: &[KeyPart::Field("/order_number")],
    example,
};

/// A canonical order acknowledgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderAck {
    /// The acknowledged order's number (the order's `order_number`); the business key.
    #[schemars(length(min = 1))]
    pub order_number: String,
    /// The acknowledged order's date (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub order_date: Option<String>,
    /// The seller's own number for this acknowledgement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_number: Option<String>,
    /// Date the acknowledgement was issued (ISO 8601 date).
    #[schemars(extend("format" = "date"))]
    pub ack_date: String,
    /// The answer for the order as a whole.
    pub status: AckStatus,
    /// Reason code for a rejection or change, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Reason in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// ISO 4217 currency of every amount; required when any price or amount is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: Option<String>,
    /// Who ordered (the dealer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Party>,
    /// Who acknowledges (the brand owner or one of its sales units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller: Option<Party>,
    /// Further parties by role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "parties_with_roles")]
    pub parties: Vec<Party>,
    /// Per-line answers; may be left out when the whole order is accepted or rejected as sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<AckLine>,
    /// Order total after the seller's changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
    /// Free text for the buyer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The answer for a whole order: `accepted` as sent, `rejected`, `changed` (accepted with
/// changes, which the lines detail), or `received` (receipt acknowledged, not yet decided: Peppol
/// and UBL `OrderResponseCode` AB, EDIFACT ORDRSP BGM 4343 AB, X12 855 BAK02 AK or AH; an
/// acknowledgement with the decision may follow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    Accepted,
    Rejected,
    Changed,
    Received,
}

/// The answer for one order line: `accepted` as ordered, `rejected`, `changed` (quantity, date,
/// price or item differ from the order: see the line's fields), `backordered` (will ship later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    Accepted,
    Rejected,
    Changed,
    Backordered,
}

/// The answer for one order line, with what the seller confirms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AckLine {
    /// The order's line number this answers.
    #[schemars(range(min = 1))]
    pub line_number: u32,
    /// The answer for this line.
    pub status: LineStatus,
    /// The seller's item code (the substitute, when the item was changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    /// Quantity as ordered, in `uom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub ordered_quantity: Option<f64>,
    /// Quantity the seller confirms, in `uom` (the changed quantity on a `changed` line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub quantity: Option<f64>,
    /// Quantity that will ship later, in `uom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub backordered_quantity: Option<f64>,
    /// Unit of measure of the quantities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub uom: Option<String>,
    /// Confirmed price per unit (the changed price on a `changed` line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Money>,
    /// Confirmed delivery date (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub delivery_date: Option<String>,
    /// Reason code for the status, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Reason in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A realistic acknowledgement of `PO-2026-1001`: line 1 short-shipped with the rest backordered, line 2 accepted.
fn example() -> Value {
    json!({
        "order_number": "PO-2026-1001",
        "order_date": "2026-11-20",
        "ack_number": "DDQR-20261121-007",
        "ack_date": "2026-11-21",
        "status": "changed",
        "currency": "CNY",
        "seller": {"id": "XN-01", "name": "蜀香食品股份有限公司西南销售部"},
        "lines": [
            {
                "line_number": 1, "status": "backordered", "sku": "HG-500",
                "ordered_quantity": 20.0, "quantity": 12.0, "backordered_quantity": 8.0, "uom": "CS",
                "unit_price": "432.00", "delivery_date": "2026-12-04", "reason": "库存不足，余量12月4日发出"
            },
            {"line_number": 2, "status": "accepted", "sku": "HG-QY-400", "quantity": 10.0, "uom": "CS"}
        ],
        "notes": "第1行分批发货"
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::tests::{assert_example_round_trips, error_path, kind};

    #[test]
    fn the_example_round_trips_and_is_keyed_by_the_acknowledged_order() {
        assert_example_round_trips::<OrderAck>("order_ack");
        assert_eq!(
            kind("order_ack").business_key(&example()).as_deref(),
            Some("PO-2026-1001")
        );
    }

    #[test]
    fn an_unknown_line_status_is_refused_at_its_pointer() {
        let mut doc = example();
        doc["lines"][1]["status"] = json!("partial");
        assert_eq!(error_path("order_ack", &doc), "/lines/1/status");
    }
}
