//! The canonical `payment`: one payment or remittance, as instructed (ISO 20022 pain.001),
//! reported on (pain.002) or booked (camt.053 statement entry, camt.054 notification).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{BankAccount, ExchangeRate, KeyPart, KindSpec, Money, Party, Reference};

/// Registry entry for `payment`; business key: `payment_id`, the id the payment keeps through
/// its life, so the instruction, its status reports and the booking share one key.
pub const SPEC: KindSpec = KindSpec {
    name: "payment",
    schema_version: 1,
    schema: || schemars::schema_for!(Payment),
    business_key: &[KeyPart::Field("/payment_id")],
    example,
};

/// A canonical payment. `amount` (with its `currency`) is required, except in a bank's status
/// report (`pending`, `accepted`, `rejected`: pain.002), which may answer for a payment by its
/// ids alone without repeating the amount (`OrgnlTxRef/Amt` is optional there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "dependentRequired" = {"amount": ["currency"], "instructed_amount": ["instructed_currency"]},
    "if" = {"properties": {"status": {"enum": ["instructed", "booked"]}}},
    "then" = {"required": ["amount"]},
))]
pub struct Payment {
    /// The payment's id, the business key: the end-to-end id when the payer set one, else the bank's reference.
    // The end-to-end id travels from pain.001 through pain.002 to camt.054, so all of a payment's
    // documents share the key; a mapping must choose the same way for every document of a source.
    #[schemars(length(min = 1))]
    pub payment_id: String,
    /// Where the payment stands.
    pub status: PaymentStatus,
    /// Status reason code (ISO 20022 `ExternalStatusReason1Code`, e.g. `AC04` closed account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason_code: Option<String>,
    /// Status reason in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Credit or debit, seen from the reporting account (statements and notifications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Whether this entry reverses an earlier one (camt reversal indicator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversal: Option<bool>,
    /// The amount moved, in `currency`; may be absent only from a status report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// ISO 4217 currency of `amount`; required with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: Option<String>,
    /// The amount the payer instructed, when it was in another currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructed_amount: Option<Money>,
    /// ISO 4217 currency of `instructed_amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub instructed_currency: Option<String>,
    /// The conversion applied between the two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_rate: Option<ExchangeRate>,
    /// Who bears the bank charges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_bearer: Option<ChargeBearer>,
    /// Date the payer asked the bank to execute (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub requested_execution_date: Option<String>,
    /// Date the money was booked on the account (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub booking_date: Option<String>,
    /// Date the money is available / interest starts (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub value_date: Option<String>,
    /// Who pays (the debtor; for a dealer paying the brand, the dealer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<Party>,
    /// The payer's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_account: Option<BankAccount>,
    /// Who is paid (the creditor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee: Option<Party>,
    /// The payee's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee_account: Option<BankAccount>,
    /// Bank transaction code (ISO 20022 domain/family/sub-family or the bank's proprietary code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_transaction_code: Option<String>,
    /// Invoices paid (with the amount per invoice), creditor references, end-to-end id, UETR, batch ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// Unstructured remittance information (附言 / 用途) as the payer wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remittance_text: Option<String>,
}

/// Where a payment stands: `instructed` (the payer asked its bank to pay), `pending`, `accepted`
/// and `rejected` (the bank's status report), `booked` (on the account: a statement entry or
/// notification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Instructed,
    Pending,
    Accepted,
    Rejected,
    Booked,
}

/// `credit` (money in) or `debit` (money out), seen from the reporting account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Credit,
    Debit,
}

/// Who bears bank charges (ISO 20022 `ChargeBearerType1Code`): `debtor` (DEBT), `creditor`
/// (CRED), `shared` (SHAR), `service_level` (SLEV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChargeBearer {
    Debtor,
    Creditor,
    Shared,
    ServiceLevel,
}

/// A realistic booked credit: the dealer pays the November invoice, as the brand's bank notifies it (camt.054).
fn example() -> Value {
    json!({
        "payment_id": "E2E-KH0101-20261218-01",
        "status": "booked",
        "direction": "credit",
        "amount": "5183.99",
        "currency": "CNY",
        "booking_date": "2026-12-18",
        "value_date": "2026-12-18",
        "payer": {"id": "KH-0101", "name": "成都锦程贸易有限公司"},
        "payer_account": {"number": "6214 8302 8800 0101", "name": "成都锦程贸易有限公司", "bank_name": "中国工商银行成都武侯支行"},
        "payee": {"id": "SX-HQ", "name": "蜀香食品股份有限公司"},
        "payee_account": {"number": "6225 8802 0101 3388", "bic": "CMBCCNBS", "bank_name": "招商银行成都分行"},
        "bank_transaction_code": "PMNT/RCDT/DMCT",
        "references": [
            {"kind": "invoice", "value": "INV-2026-0045872", "amount": "5183.99", "date": "2026-11-22"},
            {"kind": "end_to_end", "value": "E2E-KH0101-20261218-01"},
            {"kind": "bank_reference", "value": "CMB2026121800418862"}
        ],
        "remittance_text": "货款 INV-2026-0045872"
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::tests::{assert_example_round_trips, error_path, kind, without};

    #[test]
    fn the_example_round_trips_and_is_keyed_by_payment_id() {
        assert_example_round_trips::<Payment>("payment");
        assert_eq!(
            kind("payment").business_key(&example()).as_deref(),
            Some("E2E-KH0101-20261218-01")
        );
    }

    #[test]
    fn a_lowercase_currency_is_refused_at_its_pointer() {
        let mut doc = example();
        doc["currency"] = json!("rmb");
        assert_eq!(error_path("payment", &doc), "/currency");
    }

    #[test]
    fn only_a_status_report_may_leave_the_amount_out() {
        let doc = without(&without(&example(), "/amount"), "/currency");
        assert_eq!(error_path("payment", &doc), "");
        for status in ["pending", "accepted", "rejected"] {
            let mut report = doc.clone();
            report["status"] = json!(status);
            crate::model::tests::assert_valid("payment", &report);
        }
        let mut instructed = doc.clone();
        instructed["status"] = json!("instructed");
        assert_eq!(error_path("payment", &instructed), "");
        let mut no_currency = without(&example(), "/currency");
        no_currency["status"] = json!("rejected");
        assert_eq!(error_path("payment", &no_currency), "");
    }

    #[test]
    fn an_account_needs_an_iban_or_a_number() {
        let mut doc = example();
        doc["payee_account"] = json!({"bic": "CMBCCNBS", "bank_name": "招商银行成都分行"});
        assert_eq!(error_path("payment", &doc), "/payee_account");
    }
}
