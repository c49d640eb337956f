//! Pieces shared by dispatch orders, ship notices and tracking events: carriers, packages with
//! their SSCC hierarchy, shipment lines, time windows.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The carrier that moves the goods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Carrier {
    /// The hub's code for the carrier (e.g. `SF` for 顺丰速运, or the SCAC).
    #[schemars(length(min = 1))]
    pub id: String,
    /// Standard Carrier Alpha Code (2 to 4 letters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Z]{2,4}$"))]
    pub scac: Option<String>,
    /// The carrier's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// How goods travel: `road` (truckload, LTL), `rail`, `sea`, `air`, `courier` (parcel and express
/// networks), `post`, `multimodal`, `pickup` (the receiver collects).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransportMode {
    Road,
    Rail,
    Sea,
    Air,
    Courier,
    Post,
    Multimodal,
    Pickup,
}

/// A time window; at least one end is given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["earliest"]}, {"required": ["latest"]}]))]
pub struct TimeWindow {
    /// Not before (RFC 3339 instant with offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub earliest: Option<String>,
    /// Not after (RFC 3339 instant with offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub latest: Option<String>,
}

/// A handling unit (pallet, carton, parcel) with what it holds: lines and nested units, so the
/// X12 856 / DESADV hierarchy pallet -> carton -> item survives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("dependentRequired" = {"weight": ["weight_uom"]}))]
pub struct Package {
    /// GS1 Serial Shipping Container Code on the label (18 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{18}$"))]
    pub sscc: Option<String>,
    /// Package type: UN/ECE rec. 21 code (`PX` pallet, `CT` carton, `PK` package) or the partner's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_type: Option<String>,
    /// The carrier's tracking number of this parcel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    /// Gross weight in `weight_uom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub weight: Option<f64>,
    /// Unit of `weight` (UN/ECE rec. 20: `KGM`, `GRM`, `LBR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_uom: Option<String>,
    /// Lines packed directly in this unit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<ShipmentLine>,
    /// Units nested in this one (cartons on a pallet).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<Package>,
}

/// One item line of a dispatch order (what to ship) or a ship notice (what was shipped). The item
/// is identified by at least one of `sku`, `gtin` and `buyer_sku` (X12 856 LIN, 940 W01, EDIFACT
/// DESADV LIN/PIA and UBL `Item` carry each identifier as optional; a ship notice labelled with
/// GTINs alone is common).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["sku"]}, {"required": ["gtin"]}, {"required": ["buyer_sku"]}]))]
pub struct ShipmentLine {
    /// Line number within the document.
    #[schemars(range(min = 1))]
    pub line_number: u32,
    /// The order this line fulfils, when the document covers several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    /// The line number in that order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub order_line_number: Option<u32>,
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
    /// Quantity in `uom`: to ship on a dispatch order, shipped on a ship notice.
    #[schemars(range(min = 0))]
    pub quantity: f64,
    /// Unit of measure (UN/ECE rec. 20 or the partner's code, e.g. `EA`, `CS`).
    #[schemars(length(min = 1))]
    pub uom: String,
    /// Quantity originally ordered, in `uom`, when the partner reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub ordered_quantity: Option<f64>,
    /// Lot or batch number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<String>,
    /// Best-before date (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub best_before: Option<String>,
    /// Expiry (use-by) date (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub expiry_date: Option<String>,
    /// Serial numbers of the units on this line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serial_numbers: Vec<String>,
}
