//! The canonical `inventory`: stock levels reported by one warehouse at one moment (X12 846, UBL
//! InventoryReport, a WMS stock export).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{KeyPart, KindSpec};

/// Registry entry for `inventory`; business key: `warehouse_id|as_of` (composite), one key per
/// report. `as_of` is taken as written, so one moment written with two offsets gives two keys.
pub const SPEC: KindSpec = KindSpec {
    name: "inventory",
    schema_version: 1,
    schema: || schemars::schema_for!(Inventory),
    business_key: &[KeyPart::Field("/warehouse_id"), KeyPart::Field("/as_of")],
    example,
};

/// A canonical inventory report for one warehouse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// The hub's code for the warehouse; the first part of the business key.
    #[schemars(length(min = 1))]
    pub warehouse_id: String,
    /// When the levels were taken (RFC 3339 instant with offset, or ISO 8601 date); business key part 2.
    #[schemars(extend("anyOf" = [{"format": "date-time"}, {"format": "date"}]))]
    pub as_of: String,
    /// One level per item, at least one.
    #[schemars(length(min = 1))]
    pub items: Vec<InventoryItem>,
}

/// The stock of one item in the warehouse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InventoryItem {
    /// The seller's item code.
    #[schemars(length(min = 1))]
    pub sku: String,
    /// GS1 GTIN (8, 12, 13 or 14 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]{8}|[0-9]{12,14})$"))]
    pub gtin: Option<String>,
    /// Physically in the warehouse, in `uom` (may be negative where the WMS allows it).
    pub on_hand: f64,
    /// Free to promise, in `uom`.
    pub available: f64,
    /// Held for orders or quality, in `uom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub reserved: Option<f64>,
    /// Unit of measure (UN/ECE rec. 20 or the partner's code, e.g. `EA`, `CS`).
    #[schemars(length(min = 1))]
    pub uom: String,
}

/// A realistic end-of-shift report from the Chengdu warehouse.
fn example() -> Value {
    json!({
        "warehouse_id": "WH-CD01",
        "as_of": "2026-11-25T18:00:00+08:00",
        "items": [
            {"sku": "HG-500", "gtin": "6970000010014", "on_hand": 340.0, "available": 296.0, "reserved": 44.0, "uom": "CS"},
            {"sku": "HG-QY-400", "on_hand": 120.0, "available": 120.0, "uom": "CS"}
        ]
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::tests::{assert_example_round_trips, assert_valid, error_path, kind};

    #[test]
    fn the_example_round_trips_and_is_keyed_by_warehouse_and_time() {
        assert_example_round_trips::<Inventory>("inventory");
        assert_eq!(
            kind("inventory").business_key(&example()).as_deref(),
            Some("WH-CD01|2026-11-25T18:00:00+08:00")
        );
    }

    #[test]
    fn as_of_is_an_instant_with_offset_or_a_date() {
        let mut doc = example();
        doc["as_of"] = json!("2026-11-25");
        assert_valid("inventory", &doc);
        doc["as_of"] = json!("2026-11-25 18:00");
        assert_eq!(error_path("inventory", &doc), "/as_of");
    }

    #[test]
    fn a_quantity_as_a_string_is_refused_at_its_pointer() {
        let mut doc = example();
        doc["items"][1]["available"] = json!("120");
        assert_eq!(error_path("inventory", &doc), "/items/1/available");
    }
}
