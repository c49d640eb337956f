//! The canonical `dispatch`: an instruction to a warehouse or carrier to ship goods (X12 940
//! warehouse shipping order, X12 204 load tender, a 3PL's JSON order).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    Address, AllowanceCharge, Carrier, KeyPart, KindSpec, Money, Package, Party, Purpose, ShipmentLine, TimeWindow,
    TransportMode, party::parties_with_roles,
};

/// Registry entry for `dispatch`; business key: `shipment_number`, the number the ship notice
/// and tracking events for this shipment carry too, so one search finds all three.
pub const SPEC: KindSpec = KindSpec {
    name: "dispatch",
    schema_version: 1,
    schema: || schemars::schema_for!(Dispatch),
    business_key: &[KeyPart::Field("/shipment_number")],
    example,
};

/// A canonical dispatch order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("dependentRequired" = {
    "declared_value": ["currency"],
    "cod_amount": ["currency"],
    "allowance_charges": ["currency"],
}))]
pub struct Dispatch {
    /// The shipper's number for the shipment to make; the business key.
    #[schemars(length(min = 1))]
    pub shipment_number: String,
    /// What this dispatch order does to an earlier one with the same number; `new` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    /// Date the dispatch order was issued (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub dispatch_date: Option<String>,
    /// The orders this shipment fulfils.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order_numbers: Vec<String>,
    /// The hub's code for the warehouse to ship from (as in `inventory.warehouse_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse_id: Option<String>,
    /// Where the goods are picked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_from: Option<Address>,
    /// Where the goods go, with the consignee's contact.
    pub ship_to: Address,
    /// Further parties by role (`buyer`, `end_customer`, `bill_to`, `warehouse`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "parties_with_roles")]
    pub parties: Vec<Party>,
    /// The carrier asked to move the goods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<Carrier>,
    /// Service level as the carrier names it (e.g. `标快`, `next_day`, a carrier service code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_level: Option<String>,
    /// How the goods travel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport_mode: Option<TransportMode>,
    /// Date the goods should leave (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub requested_ship_date: Option<String>,
    /// Date the goods should arrive (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub requested_delivery_date: Option<String>,
    /// When the carrier may pick up (load tenders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_window: Option<TimeWindow>,
    /// When the goods may be delivered (load tenders, delivery appointments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_window: Option<TimeWindow>,
    /// ISO 4217 currency of every amount; required when any amount is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: Option<String>,
    /// Value declared for insurance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_value: Option<Money>,
    /// Cash on delivery to collect from the consignee (代收货款).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cod_amount: Option<Money>,
    /// Freight and service charges agreed for the shipment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowance_charges: Vec<AllowanceCharge>,
    /// Tracking numbers already assigned (pre-printed labels).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracking_numbers: Vec<String>,
    /// Pre-packed handling units, when the shipper packed already.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<Package>,
    /// What to ship, at least one line.
    #[schemars(length(min = 1))]
    pub lines: Vec<ShipmentLine>,
    /// Free text for the warehouse or carrier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A realistic dispatch order: ship line 1 of `PO-2026-1001` from the Chengdu warehouse by SF.
fn example() -> Value {
    json!({
        "shipment_number": "FH-2026-000381",
        "purpose": "new",
        "dispatch_date": "2026-11-21",
        "order_numbers": ["PO-2026-1001"],
        "warehouse_id": "WH-CD01",
        "ship_from": {"name": "蜀香食品成都仓", "street": ["新津区物流大道 9 号"], "city": "成都", "region": "四川省", "country": "CN"},
        "ship_to": {
            "name": "锦程贸易双流仓库",
            "street": ["双流区西航港大道二段 88 号"],
            "city": "成都",
            "region": "四川省",
            "postal_code": "610200",
            "country": "CN",
            "contact": {"name": "李强", "phone": "138 0000 0101"}
        },
        "parties": [{"id": "KH-0101", "name": "成都锦程贸易有限公司", "role": "buyer"}],
        "carrier": {"id": "SF", "name": "顺丰速运"},
        "service_level": "标快",
        "transport_mode": "courier",
        "requested_ship_date": "2026-11-22",
        "requested_delivery_date": "2026-11-24",
        "currency": "CNY",
        "declared_value": "5184.00",
        "lines": [
            {"line_number": 1, "order_number": "PO-2026-1001", "order_line_number": 1, "sku": "HG-500",
             "gtin": "6970000010014", "description": "牛油火锅底料 500g", "quantity": 12.0, "uom": "CS"}
        ],
        "notes": "易碎，轻拿轻放"
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::tests::{assert_example_round_trips, error_path, kind, without};

    #[test]
    fn the_example_round_trips_and_is_keyed_by_shipment_number() {
        assert_example_round_trips::<Dispatch>("dispatch");
        assert_eq!(
            kind("dispatch").business_key(&example()).as_deref(),
            Some("FH-2026-000381")
        );
    }

    #[test]
    fn a_negative_quantity_is_refused_at_its_pointer() {
        let mut doc = example();
        doc["lines"][0]["quantity"] = json!(-1.0);
        assert_eq!(error_path("dispatch", &doc), "/lines/0/quantity");
    }

    #[test]
    fn amounts_need_a_currency() {
        let mut doc = without(&example(), "/currency");
        assert_eq!(error_path("dispatch", &doc), "");
        doc.as_object_mut().unwrap().remove("declared_value");
        crate::model::tests::assert_valid("dispatch", &doc);
        doc["cod_amount"] = json!("5184.00");
        assert_eq!(error_path("dispatch", &doc), "");
    }
}
