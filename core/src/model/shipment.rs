//! The canonical `shipment`: a ship notice / advance ship notice (X12 856 and 945, EDIFACT
//! DESADV, UBL DespatchAdvice, cXML ShipNoticeRequest), with its package hierarchy.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    Address, Carrier, KeyPart, KindSpec, Package, Party, Purpose, ShipmentLine, TransportMode,
    party::parties_with_roles,
};

/// Registry entry for `shipment`; business key: `shipment_number` (shared with the dispatch
/// order and the tracking events of the same shipment).
pub const SPEC: KindSpec = KindSpec {
    name: "shipment",
    schema_version: 1,
    schema: || schemars::schema_for!(Shipment),
    business_key: &[KeyPart::Field("/shipment_number")],
    example,
};

/// A canonical ship notice. Items are listed in `lines`, inside `packages`, or both (loose
/// items beside packed ones); at least one of the two is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "anyOf" = [{"required": ["lines"]}, {"required": ["packages"]}],
    "dependentRequired" = {"total_weight": ["weight_uom"], "total_volume": ["volume_uom"]},
))]
pub struct Shipment {
    /// The shipper's shipment number (BSN02, DESADV BGM); the business key.
    #[schemars(length(min = 1))]
    pub shipment_number: String,
    /// What this notice does to an earlier one with the same number; `new` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    /// Date the goods left (ISO 8601 date).
    #[schemars(extend("format" = "date"))]
    pub ship_date: String,
    /// Date the goods are expected to arrive (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub estimated_delivery_date: Option<String>,
    /// The orders shipped (a line's `order_number` says which line belongs to which).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order_numbers: Vec<String>,
    /// The hub's code for the warehouse shipped from (as in `inventory.warehouse_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse_id: Option<String>,
    /// Where the goods left from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_from: Option<Address>,
    /// Where the goods go. A ship notice may leave it out when it follows from the order it
    /// answers: the ship-to party is optional in X12 856 (N1 ST), EDIFACT DESADV (NAD DP) and
    /// cXML ShipNoticeRequest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_to: Option<Address>,
    /// Further parties by role (`buyer`, `seller`, `ship_from` with its ids, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "parties_with_roles")]
    pub parties: Vec<Party>,
    /// The carrier moving the goods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<Carrier>,
    /// Service level as the carrier names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_level: Option<String>,
    /// How the goods travel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport_mode: Option<TransportMode>,
    /// Trailer, container or vehicle number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equipment_number: Option<String>,
    /// The carrier's tracking numbers (waybills) for the shipment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracking_numbers: Vec<String>,
    /// Bill of lading number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_of_lading_number: Option<String>,
    /// The carrier's PRO (progressive) number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pro_number: Option<String>,
    /// Number of outermost handling units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_count: Option<u32>,
    /// Gross weight of the shipment in `weight_uom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub total_weight: Option<f64>,
    /// Unit of `total_weight` (UN/ECE rec. 20: `KGM`, `LBR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_uom: Option<String>,
    /// Volume of the shipment in `volume_uom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub total_volume: Option<f64>,
    /// Unit of `total_volume` (UN/ECE rec. 20: `MTQ`, `FTQ`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_uom: Option<String>,
    /// Handling units (pallets, cartons) with their contents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(min = 1))]
    pub packages: Vec<Package>,
    /// Items not inside a listed package (or every item, when packages are not reported).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(min = 1))]
    pub lines: Vec<ShipmentLine>,
    /// Free text for the receiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A realistic ship notice: one pallet with two labelled cartons of hotpot base, lot-tracked.
fn example() -> Value {
    json!({
        "shipment_number": "FH-2026-000381",
        "ship_date": "2026-11-22",
        "estimated_delivery_date": "2026-11-24",
        "order_numbers": ["PO-2026-1001"],
        "warehouse_id": "WH-CD01",
        "ship_to": {"name": "锦程贸易双流仓库", "street": ["双流区西航港大道二段 88 号"], "city": "成都", "region": "四川省", "country": "CN"},
        "parties": [{"id": "XN-01", "name": "蜀香食品股份有限公司西南销售部", "role": "seller"}],
        "carrier": {"id": "SF", "name": "顺丰速运"},
        "service_level": "标快",
        "transport_mode": "courier",
        "tracking_numbers": ["SF1420098765432"],
        "package_count": 1,
        "total_weight": 186.5,
        "weight_uom": "KGM",
        "packages": [{
            "sscc": "369700000000003817",
            "package_type": "PX",
            "weight": 186.5,
            "weight_uom": "KGM",
            "packages": [
                {"sscc": "369700000000003824", "package_type": "CT", "contents": [
                    {"line_number": 1, "order_number": "PO-2026-1001", "order_line_number": 1, "sku": "HG-500",
                     "gtin": "6970000010014", "quantity": 6.0, "uom": "CS", "ordered_quantity": 20.0,
                     "lot": "L20261105A", "best_before": "2027-11-04"}
                ]},
                {"sscc": "369700000000003831", "package_type": "CT", "contents": [
                    {"line_number": 2, "order_number": "PO-2026-1001", "order_line_number": 1, "sku": "HG-500",
                     "gtin": "6970000010014", "quantity": 6.0, "uom": "CS", "ordered_quantity": 20.0,
                     "lot": "L20261112B", "best_before": "2027-11-11"}
                ]}
            ]
        }]
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::tests::{assert_example_round_trips, error_path, kind, without};

    #[test]
    fn the_example_round_trips_and_is_keyed_by_shipment_number() {
        assert_example_round_trips::<Shipment>("shipment");
        assert_eq!(
            kind("shipment").business_key(&example()).as_deref(),
            Some("FH-2026-000381")
        );
    }

    #[test]
    fn a_bad_sscc_deep_in_the_hierarchy_is_refused_at_its_pointer() {
        let mut doc = example();
        doc["packages"][0]["packages"][1]["sscc"] = json!("36970000000000383");
        assert_eq!(error_path("shipment", &doc), "/packages/0/packages/1/sscc");
    }

    #[test]
    fn a_bad_best_before_date_is_refused_at_its_pointer() {
        let mut doc = example();
        doc["packages"][0]["packages"][0]["contents"][0]["best_before"] = json!("2027-13-01");
        assert_eq!(
            error_path("shipment", &doc),
            "/packages/0/packages/0/contents/0/best_before"
        );
    }

    #[test]
    fn a_notice_without_lines_or_packages_is_refused() {
        let doc = without(&example(), "/packages");
        assert_eq!(error_path("shipment", &doc), "");
        let mut doc = doc;
        doc["lines"] = json!([]);
        assert_eq!(error_path("shipment", &doc), "/lines");
    }
}
