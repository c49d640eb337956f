//! The canonical `credit_profile`: what a financing bank sees of one dealer — credit line,
//! exposure and the dealer's order, invoice and payment history in aggregate.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{KeyPart, KindSpec, Money, Party};

/// Registry entry for `credit_profile`; business key: `dealer.id`, then `|as_of` when the
/// profile carries `as_of` (composite).
pub const SPEC: KindSpec = KindSpec {
    name: "credit_profile",
    schema_version: 1,
    schema: || schemars::schema_for!(CreditProfile),
    business_key: &[KeyPart::Field("/dealer/id"), KeyPart::Optional("/as_of")],
    example,
};

/// A canonical credit profile of one dealer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditProfile {
    /// The dealer; its `id` is the first part of the business key.
    pub dealer: Party,
    /// When the figures were taken (RFC 3339 instant with offset, or ISO 8601 date); business key part 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("type" = "string", "anyOf" = [{"format": "date-time"}, {"format": "date"}]))]
    pub as_of: Option<String>,
    /// ISO 4217 currency of every amount.
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: String,
    /// Credit line granted to the dealer.
    pub credit_limit: Money,
    /// What the dealer owes or has committed now: open orders plus unpaid invoices.
    pub current_exposure: Money,
    /// Credit still available (`credit_limit` less `current_exposure`, or as the ERP computes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_credit: Option<Money>,
    /// Value of orders accepted but not yet invoiced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_order_amount: Option<Money>,
    /// Invoiced and not yet paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outstanding_amount: Option<Money>,
    /// Of `outstanding_amount`, past its due date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue_amount: Option<Money>,
    /// The brand owner's own risk class for the dealer (e.g. `A`, `B+`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<String>,
    /// The period `orders`, `invoices` and `payments` cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// Orders placed in the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orders: Option<Aggregate>,
    /// Invoices issued in the period (credit notes deducted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoices: Option<Aggregate>,
    /// Payments received in the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<Aggregate>,
    /// Average days from invoice to payment over the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub average_days_to_pay: Option<f64>,
    /// Date of the dealer's last payment (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub last_payment_date: Option<String>,
}

/// A date range, both ends included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day (ISO 8601 date).
    #[schemars(extend("format" = "date"))]
    pub start: String,
    /// Last day (ISO 8601 date).
    #[schemars(extend("format" = "date"))]
    pub end: String,
}

/// How many documents and how much money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Aggregate {
    /// Number of documents.
    pub count: u32,
    /// Their total amount.
    pub amount: Money,
}

/// A realistic profile of the Chengdu dealer for its financing bank.
fn example() -> Value {
    json!({
        "dealer": {"id": "KH-0101", "name": "成都锦程贸易有限公司", "tax_id": "91510100MA6C1234XY"},
        "as_of": "2026-12-31",
        "currency": "CNY",
        "credit_limit": "500000.00",
        "current_exposure": "186420.50",
        "available_credit": "313579.50",
        "open_order_amount": "42000.00",
        "outstanding_amount": "144420.50",
        "overdue_amount": "0.00",
        "rating": "A",
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "orders": {"count": 86, "amount": "1623400.00"},
        "invoices": {"count": 81, "amount": "1581250.80"},
        "payments": {"count": 64, "amount": "1436830.30"},
        "average_days_to_pay": 27.5,
        "last_payment_date": "2026-12-18"
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::tests::{assert_example_round_trips, error_path, kind, without};

    #[test]
    fn the_example_round_trips_and_is_keyed_by_dealer_and_as_of() {
        assert_example_round_trips::<CreditProfile>("credit_profile");
        let credit = kind("credit_profile");
        assert_eq!(credit.business_key(&example()).as_deref(), Some("KH-0101|2026-12-31"));
        assert_eq!(
            credit.business_key(&without(&example(), "/as_of")).as_deref(),
            Some("KH-0101")
        );
    }

    #[test]
    fn a_bad_dealer_gln_is_refused_at_its_pointer() {
        let mut doc = example();
        doc["dealer"]["gln"] = json!("697000000101");
        assert_eq!(error_path("credit_profile", &doc), "/dealer/gln");
    }

    #[test]
    fn as_of_is_an_instant_with_offset_or_a_date() {
        let mut doc = example();
        doc["as_of"] = json!("2026年12月31日");
        assert_eq!(error_path("credit_profile", &doc), "/as_of");
    }
}
