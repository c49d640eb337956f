//! The canonical `tracking`: one status event of a shipment from a carrier (X12 214, UBL
//! TransportationStatus, a courier's push API).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Address, Carrier, KeyPart, KindSpec};

/// Registry entry for `tracking`; business key: `shipment_number` when present, else
/// `tracking_number`, so events join the shipment's search key and ordering lane whenever the
/// carrier echoes the shipper's number.
pub const SPEC: KindSpec = KindSpec {
    name: "tracking",
    schema_version: 1,
    schema: || schemars::schema_for!(Tracking),
    business_key: &[KeyPart::FirstOf(&["/shipment_number", "/tracking_number"])],
    example,
};

/// A canonical tracking event; it names the shipment, the parcel, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["shipment_number"]}, {"required": ["tracking_number"]}]))]
pub struct Tracking {
    /// The shipper's shipment number (as in `shipment.shipment_number`); the business key when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("type" = "string"), length(min = 1))]
    pub shipment_number: Option<String>,
    /// The carrier's tracking number (waybill, PRO); the business key without `shipment_number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("type" = "string"), length(min = 1))]
    pub tracking_number: Option<String>,
    /// What happened.
    pub status: TrackingStatus,
    /// The carrier's own status code (X12 AT7, a courier's code), kept for reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<String>,
    /// When it happened (RFC 3339 instant with offset).
    #[schemars(extend("format" = "date-time"))]
    pub occurred_at: String,
    /// Where it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Address>,
    /// Reason code for an exception or delay, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Reason in words (e.g. `收件人电话无人接听`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The carrier reporting the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<Carrier>,
    /// The orders in the shipment, when the carrier echoes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order_numbers: Vec<String>,
    /// The carrier's current estimate of delivery (RFC 3339 instant with offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub estimated_delivery_at: Option<String>,
    /// Who signed for the goods (`delivered` events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
}

/// What happened to a shipment: `picked_up`, `in_transit`, `out_for_delivery`, `delivered`,
/// `exception` (delay, damage, refused, failed attempt: see `reason`), `appointment` (a delivery
/// appointment was made), `arrived` and `departed` (at a facility or stop), `other` (see
/// `status_code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    PickedUp,
    InTransit,
    OutForDelivery,
    Delivered,
    Exception,
    Appointment,
    Arrived,
    Departed,
    Other,
}

/// A realistic event: the SF parcel arrived at the Chengdu hub.
fn example() -> Value {
    json!({
        "shipment_number": "FH-2026-000381",
        "tracking_number": "SF1420098765432",
        "status": "arrived",
        "status_code": "30",
        "occurred_at": "2026-11-23T06:42:00+08:00",
        "location": {"name": "成都双流集散中心", "city": "成都", "region": "四川省", "country": "CN"},
        "carrier": {"id": "SF", "name": "顺丰速运"},
        "estimated_delivery_at": "2026-11-23T18:00:00+08:00"
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::tests::{assert_example_round_trips, error_path, kind, without};

    #[test]
    fn the_example_round_trips_and_is_keyed_by_shipment_then_tracking_number() {
        assert_example_round_trips::<Tracking>("tracking");
        let tracking = kind("tracking");
        assert_eq!(tracking.business_key(&example()).as_deref(), Some("FH-2026-000381"));
        let doc = without(&example(), "/shipment_number");
        assert_eq!(tracking.business_key(&doc).as_deref(), Some("SF1420098765432"));
    }

    #[test]
    fn an_unknown_status_is_refused_at_its_pointer() {
        let mut doc = example();
        doc["status"] = json!("lost");
        assert_eq!(error_path("tracking", &doc), "/status");
    }

    #[test]
    fn a_null_number_does_not_stand_in_for_a_missing_one() {
        let mut doc = without(&example(), "/tracking_number");
        doc["shipment_number"] = json!(null);
        assert_eq!(error_path("tracking", &doc), "/shipment_number");
    }

    #[test]
    fn occurred_at_needs_an_offset() {
        let mut doc = example();
        doc["occurred_at"] = json!("2026-11-23T06:42:00");
        assert_eq!(error_path("tracking", &doc), "/occurred_at");
    }
}
