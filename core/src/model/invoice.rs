//! The canonical `invoice`: an invoice, credit note or debit note (X12 810, EDIFACT INVOIC, UBL
//! Invoice and CreditNote / Peppol BIS 3, cXML InvoiceDetailRequest, a Chinese VAT invoice).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    Address, AllowanceCharge, ExchangeRate, Identifier, KeyPart, KindSpec, Money, Party, PaymentMeans, PaymentTerms,
    Reference, TaxLine, party::parties_with_roles,
};

/// Registry entry for `invoice`; business key: `invoice_number`.
pub const SPEC: KindSpec = KindSpec {
    name: "invoice",
    schema_version: 1,
    schema: || schemars::schema_for!(Invoice),
    business_key: &[KeyPart::Field("/invoice_number")],
    example,
};

/// A canonical invoice. Amounts are positive on credit notes too; `invoice_type` gives the sign
/// of the document. A line may still be negative (a negative quantity, and with it a negative
/// amount): a return or correction inside an invoice, or the reversal of a credited line inside
/// a credit note, as EN 16931 (BT-129) and the UBL, EDIFACT and X12 invoices allow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    /// The seller's invoice number; the business key.
    #[schemars(length(min = 1))]
    pub invoice_number: String,
    /// Invoice, credit note or debit note.
    pub invoice_type: InvoiceType,
    /// Date of issue (ISO 8601 date).
    #[schemars(extend("format" = "date"))]
    pub issue_date: String,
    /// Date payment is due (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub due_date: Option<String>,
    /// Date the goods were delivered (ISO 8601 date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date"))]
    pub delivery_date: Option<String>,
    /// ISO 4217 currency of every amount in the invoice.
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: String,
    /// Conversion to the currency tax is accounted in, when it differs from `currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_rate: Option<ExchangeRate>,
    /// The orders invoiced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order_numbers: Vec<String>,
    /// The buyer's reference for routing the invoice (Peppol buyer reference, cost centre).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_reference: Option<String>,
    /// Other documents this invoice refers to: ship notices, contracts, and for a credit note the invoice it corrects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// Who is invoiced (the dealer).
    pub buyer: Party,
    /// Who invoices (the brand owner or one of its sales units).
    pub seller: Party,
    /// Further parties by role (`remit_to`, `payee`, `bill_to`, `tax_representative`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "parties_with_roles")]
    pub parties: Vec<Party>,
    /// Where the goods went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_to: Option<Address>,
    /// The invoice lines, at least one.
    #[schemars(length(min = 1))]
    pub lines: Vec<InvoiceLine>,
    /// Allowances and charges on the whole invoice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowance_charges: Vec<AllowanceCharge>,
    /// Tax subtotals, one per category and rate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<TaxLine>,
    /// Sum of the line amounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_line_amount: Option<Money>,
    /// Sum of header allowances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_allowance_amount: Option<Money>,
    /// Sum of header charges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_charge_amount: Option<Money>,
    /// Sum of the tax amounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_tax_amount: Option<Money>,
    /// Invoice total including tax.
    pub total_amount: Money,
    /// Amount already paid (deposits, prepayments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepaid_amount: Option<Money>,
    /// Amount still to pay; `total_amount` less `prepaid_amount` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payable_amount: Option<Money>,
    /// Payment terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_terms: Option<PaymentTerms>,
    /// How and where to pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_means: Option<PaymentMeans>,
    /// Free text for the buyer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The type of an invoice document: `invoice`, `credit_note` (reduces what the buyer owes), `debit_note` (adds to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceType {
    Invoice,
    CreditNote,
    DebitNote,
}

/// One line of an invoice. The item is identified by at least one of `sku`, `gtin` and
/// `buyer_sku`: an invoice may name the item by the buyer's number or the GTIN alone (EN 16931
/// BT-155/156/157 are each optional; EDIFACT LIN/PIA and X12 IT1 carry whichever the parties use).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["sku"]}, {"required": ["gtin"]}, {"required": ["buyer_sku"]}]))]
pub struct InvoiceLine {
    /// Line number within the invoice.
    #[schemars(range(min = 1))]
    pub line_number: u32,
    /// The order this line invoices, when the invoice covers several.
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
    /// Further item identifiers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// Item description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Invoiced quantity in `uom` (a JSON number); negative for goods returned or a correction.
    pub quantity: f64,
    /// Unit of measure (UN/ECE rec. 20 or the partner's code, e.g. `EA`, `CS`).
    #[schemars(length(min = 1))]
    pub uom: String,
    /// Price per unit, before tax.
    pub unit_price: Money,
    /// Line amount before tax, after line allowances and charges; negative with a negative quantity.
    pub amount: Money,
    /// Tax category of the line (as in `taxes[].category`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_category: Option<String>,
    /// Tax rate of the line in percent (`13` means 13 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub tax_rate: Option<f64>,
    /// Tax on the line, where the invoice states it per line (Chinese VAT invoices do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    /// Allowances and charges on this line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowance_charges: Vec<AllowanceCharge>,
}

/// A realistic VAT invoice for the 12 cartons shipped against `PO-2026-1001`, at 13 % VAT.
fn example() -> Value {
    json!({
        "invoice_number": "INV-2026-0045872",
        "invoice_type": "invoice",
        "issue_date": "2026-11-22",
        "due_date": "2026-12-22",
        "currency": "CNY",
        "order_numbers": ["PO-2026-1001"],
        "references": [{"kind": "shipment", "value": "FH-2026-000381", "date": "2026-11-22"}],
        "buyer": {"id": "KH-0101", "name": "成都锦程贸易有限公司", "tax_id": "91510100MA6C1234XY",
                  "address": {"street": ["武侯区人民南路四段 12 号"], "city": "成都", "region": "四川省", "country": "CN"}},
        "seller": {"id": "XN-01", "name": "蜀香食品股份有限公司西南销售部", "tax_id": "91510000MA62ABCD1E"},
        "parties": [{"id": "SX-HQ", "name": "蜀香食品股份有限公司", "role": "remit_to"}],
        "lines": [
            {"line_number": 1, "order_number": "PO-2026-1001", "order_line_number": 1, "sku": "HG-500",
             "description": "牛油火锅底料 500g", "quantity": 12.0, "uom": "CS", "unit_price": "382.30",
             "amount": "4587.60", "tax_category": "S", "tax_rate": 13.0, "tax_amount": "596.39"}
        ],
        "taxes": [{"category": "S", "rate": 13.0, "taxable_amount": "4587.60", "tax_amount": "596.39", "scheme": "VAT"}],
        "total_line_amount": "4587.60",
        "total_tax_amount": "596.39",
        "total_amount": "5183.99",
        "payable_amount": "5183.99",
        "payment_terms": {"description": "月结30天", "net_days": 30, "due_date": "2026-12-22"},
        "payment_means": {"code": "30", "account": {"number": "6225 8802 0101 3388", "name": "蜀香食品股份有限公司",
                          "bank_name": "招商银行成都分行"}, "payment_reference": "INV-2026-0045872"}
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::tests::{assert_example_round_trips, error_path, kind};

    #[test]
    fn the_example_round_trips_and_is_keyed_by_invoice_number() {
        assert_example_round_trips::<Invoice>("invoice");
        assert_eq!(
            kind("invoice").business_key(&example()).as_deref(),
            Some("INV-2026-0045872")
        );
    }

    #[test]
    fn a_tax_line_without_its_tax_amount_is_refused_at_its_pointer() {
        let mut doc = example();
        doc["taxes"][0].as_object_mut().unwrap().remove("tax_amount");
        assert_eq!(error_path("invoice", &doc), "/taxes/0");
    }

    #[test]
    fn an_unknown_invoice_type_is_refused_at_its_pointer() {
        let mut doc = example();
        doc["invoice_type"] = json!("proforma");
        assert_eq!(error_path("invoice", &doc), "/invoice_type");
    }
}
