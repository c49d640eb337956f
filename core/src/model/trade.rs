//! Commercial terms shared by orders, acknowledgements, invoices and payments: allowances and
//! charges, tax lines, payment and delivery terms, payment means, references, exchange rates.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BankAccount, Money};

/// What a document does to an earlier one with the same business key: `new` (the original),
/// `change` (amends fields), `replace` (supersedes it as a whole), `cancel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    New,
    Change,
    Replace,
    Cancel,
}

/// An allowance (reduces the amount due: discount, rebate) or a charge (adds to it: freight,
/// packing, insurance), on a document header or on one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllowanceCharge {
    /// `allowance` or `charge`.
    pub kind: AllowanceChargeKind,
    /// Reason code as sent (UNCL 5189 for allowances, UNCL 7161 for charges, X12 SAC02).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Reason in words (e.g. `年度返利`, `运费`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The allowance or charge amount, positive in either case.
    pub amount: Money,
    /// The amount `percent` was applied to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_amount: Option<Money>,
    /// Percentage of `base_amount` (`5` means 5 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub percent: Option<f64>,
    /// Tax category the amount falls under (as in `taxes[].category`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_category: Option<String>,
}

/// Whether an [`AllowanceCharge`] lowers (`allowance`) or raises (`charge`) the amount due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AllowanceChargeKind {
    Allowance,
    Charge,
}

/// Tax for one category and rate: a VAT breakdown line (UBL `TaxSubtotal`, X12 TXI).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaxLine {
    /// Tax category: UNCL 5305 (`S` standard, `Z` zero, `E` exempt, `AE` reverse charge, ...) or the partner's.
    #[schemars(length(min = 1))]
    pub category: String,
    /// Rate in percent (`13` means 13 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub rate: Option<f64>,
    /// The amount the tax is computed on.
    pub taxable_amount: Money,
    /// The tax.
    pub tax_amount: Money,
    /// Tax scheme (`VAT`, `GST`, ...); VAT when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Why the amount is exempt (text or a VATEX code), for exempt and zero categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption_reason: Option<String>,
}

/// When and how an amount is to be paid (X12 ITD, EDIFACT PAT, UBL `PaymentTerms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentTerms {
    /// The terms in words (e.g. `月结30天`, `2/10 net 30`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Days after the invoice date by which the net amount is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_days: Option<u32>,
    /// Date by which the net amount is due (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub due_date: Option<String>,
    /// Early-payment discount in percent (`2` means 2 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub discount_percent: Option<f64>,
    /// Days after the invoice date within which the discount applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_days: Option<u32>,
}

/// Delivery terms: who pays freight and where risk passes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryTerms {
    /// Incoterms 2020 code (`EXW`, `FCA`, `DAP`, `DDP`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub incoterms: Option<String>,
    /// The named place the code refers to (e.g. `成都`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The terms in words, or a code outside Incoterms (X12 FOB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// How the payer is to pay, and into which account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentMeans {
    /// UNCL 4461 code (`30` credit transfer, `58` SEPA credit transfer, `49` direct debit, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The account to pay into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<BankAccount>,
    /// The reference the payer should quote (creditor reference or invoice number); see `payment.references`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_reference: Option<String>,
}

/// A reference to another document or transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// What the value identifies.
    pub kind: ReferenceKind,
    /// The referenced number or id.
    #[schemars(length(min = 1))]
    pub value: String,
    /// Amount settled for or attributed to the referenced document (remittance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// Date of the referenced document (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub date: Option<String>,
}

/// What a [`Reference`] points at: a document (`order`, `invoice`, `credit_note`, `shipment`,
/// `contract`, `quote`), a payment id (`end_to_end`, `instruction`, `uetr`, `batch`,
/// `bank_reference`: the account servicer's reference), a structured `creditor_reference`
/// (ISO 11649 RF or national), or `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    Order,
    Invoice,
    CreditNote,
    Shipment,
    Contract,
    Quote,
    EndToEnd,
    Instruction,
    Uetr,
    Batch,
    BankReference,
    CreditorReference,
    Other,
}

/// A currency conversion: one unit of `source_currency` is `rate` units of `target_currency`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRate {
    /// ISO 4217 currency converted from.
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub source_currency: String,
    /// ISO 4217 currency converted to.
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub target_currency: String,
    /// Units of `target_currency` per unit of `source_currency`.
    #[schemars(range(min = 0))]
    pub rate: f64,
    /// Date the rate was fixed (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub date: Option<String>,
}
