//! The documents the benchmarks decode, generated here so the benchmark needs no files: each is
//! shaped like what a partner really sends (envelopes, parties, lines with several segments or
//! elements each), at a fixed size.

use std::fmt::Write as _;

/// Purchase order lines in the X12 850 and the EDIFACT ORDERS.
pub const ORDER_LINES: usize = 50;

/// Invoice lines in the UBL invoice.
pub const INVOICE_LINES: usize = 20;

/// Rows in the CSV export.
pub const CSV_ROWS: usize = 10_000;

/// An X12 004010 850 purchase order as a retailer sends it: ISA/GS/ST envelope, BEG, REF, PER,
/// FOB, ITD, DTM and TD5 headers, ship-to, bill-to and vendor N1 loops, then `ORDER_LINES`
/// PO1 lines with their PID description and PO4 pack, CTT and AMT.
pub fn x12_850() -> String {
    let mut body = String::from(
        "BEG*00*SA*4500012345**20260105*610385385~\n\
         CUR*BY*USD~\n\
         REF*DP*038~\n\
         REF*IA*V-77120~\n\
         REF*PS*R~\n\
         PER*BD*JANE BUYER*TE*5135550100*EM*JANE.BUYER@EXAMPLE.COM~\n\
         FOB*PP*OR*SHANGHAI~\n\
         ITD*14*3*2**45**46~\n\
         DTM*002*20260120~\n\
         DTM*010*20260112~\n\
         TD5*A*92*P3**SEE ROUTING GUIDE~\n\
         N1*ST*XYZ RETAIL DC 38*92*0003947268292~\n\
         N3*31875 SOLON RD*DOCK 4~\n\
         N4*SOLON*OH*44139*US~\n\
         N1*BT*XYZ RETAIL ACCOUNTS PAYABLE*92*0003947260001~\n\
         N3*PO BOX 12001~\n\
         N4*CINCINNATI*OH*45201*US~\n\
         N1*VN*SHANGHAI WIDGET CO LTD*92*V77120~\n",
    );
    let mut total_qty = 0;
    let mut total_cents = 0;
    for i in 1..=ORDER_LINES {
        let qty = 12 * (i % 9 + 1);
        let cents = 925 + 37 * i;
        total_qty += qty;
        total_cents += qty * cents;
        let _ = write!(
            body,
            "PO1*{i}*{qty}*EA*{}.{:02}*TE*UP*0{:011}*VN*AB{:04}*IN*{:09}~\n\
             PID*F****STAINLESS WIDGET SIZE {} BLUE~\n\
             PO4*6*1*EA*PLT94**3*LR*15*CT~\n",
            cents / 100,
            cents % 100,
            65_322_117_000 + i,
            3542 + i,
            300_000_000 + i,
            i % 7 + 1,
        );
    }
    let _ = write!(
        body,
        "CTT*{ORDER_LINES}*{total_qty}~\nAMT*1*{}.{:02}~\n",
        total_cents / 100,
        total_cents % 100
    );
    // ST and SE count too.
    let segments = body.lines().count() + 2;
    format!(
        "ISA*00*          *00*          *ZZ*XYZRETAIL      *ZZ*SHWIDGET       *260105*1719*U*00401*000003438*0*P*>~\n\
         GS*PO*XYZRETAIL*SHWIDGET*20260105*1719*1421*X*004010~\n\
         ST*850*0001~\n\
         {body}\
         SE*{segments}*0001~\n\
         GE*1*1421~\n\
         IEA*1*000003438~\n"
    )
}

/// An EDIFACT D.96A ORDERS (EANCOM style): UNA/UNB/UNH, BGM, DTM, RFF, four NAD groups with a
/// contact, CUX, then `ORDER_LINES` LIN groups of PIA, IMD, QTY, DTM, MOA and PRI; UNS and CNT.
pub fn edifact_orders() -> String {
    let mut body = String::from(
        "BGM+220+PO2738662+9'\n\
         DTM+137:20260105:102'\n\
         DTM+2:20260112:102'\n\
         FTX+DEL+++Deliver to dock 4 between 08?:00 and 16?:00'\n\
         RFF+ON:2738662'\n\
         NAD+BY+8716106198368::9++Kramp Groep BV+Zone Republique III+Poitiers++86000+FR'\n\
         CTA+OC+:Purchasing desk'\n\
         COM+purchasing@example.com:EM'\n\
         NAD+SU+8712199999999::9++Shanghai Widget Co Ltd+88 Pudong Ave+Shanghai++200120+CN'\n\
         NAD+IV+8716106198405::9++Kramp Groep BV+PO box 248+Leek++9350 AE+NL'\n\
         NAD+DP+8716106053926::9++Kramp Groep BV+Rue de Galilee 1+Poitiers++86011+FR'\n\
         CUX+2:EUR:9'\n",
    );
    for i in 1..=ORDER_LINES {
        let qty = i % 9 + 1;
        let cents = 1784 + 113 * i;
        let _ = write!(
            body,
            "LIN+{}++{:013}:EN'\n\
             PIA+5+ABC{i:04}:SA'\n\
             PIA+5+DEF{i:04}:IN'\n\
             IMD+F++:::Stainless widget size {} blue'\n\
             QTY+21:{qty}:EA'\n\
             DTM+2:20260112:102'\n\
             MOA+203:{}.{:02}'\n\
             PRI+AAA:{}.{:02}'\n",
            i * 5,
            8_712_100_000_003 + 7 * i,
            i % 7 + 1,
            qty * cents / 100,
            qty * cents % 100,
            cents / 100,
            cents % 100,
        );
    }
    let _ = write!(body, "UNS+S'\nCNT+2:{ORDER_LINES}'\n");
    // UNH and UNT count too.
    let segments = body.lines().count() + 2;
    format!(
        "UNA:+.? '\n\
         UNB+UNOC:3+8716106053841:14+8712199999999:14+260105:1645+3++++0++0'\n\
         UNH+1+ORDERS:D:96A:UN:EAN008'\n\
         {body}\
         UNT+{segments}+1'\n\
         UNZ+1+3'\n"
    )
}

/// The element names a user lists in `xml_repeated` for Peppol BIS Billing 3.0 invoices.
pub const UBL_REPEATED: &[&str] = &[
    "InvoiceLine",
    "TaxSubtotal",
    "AllowanceCharge",
    "TaxTotal",
    "Note",
    "PaymentMeans",
    "AdditionalDocumentReference",
    "PartyIdentification",
    "AdditionalItemProperty",
    "CommodityClassification",
];

/// A UBL 2.1 invoice shaped by Peppol BIS Billing 3.0: `cbc`/`cac` namespaces, supplier and
/// customer parties, delivery, payment means and terms, a document-level allowance, a tax
/// total with two subtotals, the monetary total and `INVOICE_LINES` invoice lines, indented as
/// exporting systems write it.
pub fn ubl_invoice() -> String {
    let mut lines = String::new();
    let mut net_cents = 0;
    for i in 1..=INVOICE_LINES {
        let qty = i % 6 + 1;
        let cents = 1250 + 75 * i;
        let amount = qty * cents;
        net_cents += amount;
        let (category, percent) = if i % 4 == 0 { ("AA", 9) } else { ("S", 13) };
        let _ = write!(
            lines,
            r#"    <cac:InvoiceLine>
        <cbc:ID>{i}</cbc:ID>
        <cbc:InvoicedQuantity unitCode="C62">{qty}</cbc:InvoicedQuantity>
        <cbc:LineExtensionAmount currencyID="EUR">{}.{:02}</cbc:LineExtensionAmount>
        <cbc:AccountingCost>4025:123:{i:04}</cbc:AccountingCost>
        <cac:OrderLineReference>
            <cbc:LineID>{i}</cbc:LineID>
        </cac:OrderLineReference>
        <cac:Item>
            <cbc:Description>Stainless steel widget, size {}, blue; 不锈钢零件</cbc:Description>
            <cbc:Name>Widget {i}</cbc:Name>
            <cac:SellersItemIdentification>
                <cbc:ID>SKU-{i:05}</cbc:ID>
            </cac:SellersItemIdentification>
            <cac:StandardItemIdentification>
                <cbc:ID schemeID="0160">{:013}</cbc:ID>
            </cac:StandardItemIdentification>
            <cac:CommodityClassification>
                <cbc:ItemClassificationCode listID="STI">31161500</cbc:ItemClassificationCode>
            </cac:CommodityClassification>
            <cac:ClassifiedTaxCategory>
                <cbc:ID>{category}</cbc:ID>
                <cbc:Percent>{percent}</cbc:Percent>
                <cac:TaxScheme>
                    <cbc:ID>VAT</cbc:ID>
                </cac:TaxScheme>
            </cac:ClassifiedTaxCategory>
        </cac:Item>
        <cac:Price>
            <cbc:PriceAmount currencyID="EUR">{}.{:02}</cbc:PriceAmount>
            <cbc:BaseQuantity unitCode="C62">1</cbc:BaseQuantity>
        </cac:Price>
    </cac:InvoiceLine>
"#,
            amount / 100,
            amount % 100,
            i % 7 + 1,
            7_300_010_000_000_u64 + i as u64,
            cents / 100,
            cents % 100,
        );
    }
    let money = |cents: usize| format!("{}.{:02}", cents / 100, cents % 100);
    let allowance = 1000;
    let net = money(net_cents);
    let taxable = money(net_cents - allowance);
    let tax = money((net_cents - allowance) * 13 / 100);
    let payable = money((net_cents - allowance) * 113 / 100);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
    <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
    <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
    <cbc:ID>INV-2026-000123</cbc:ID>
    <cbc:IssueDate>2026-01-05</cbc:IssueDate>
    <cbc:DueDate>2026-02-04</cbc:DueDate>
    <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
    <cbc:Note>Please pay within 30 days &amp; quote the invoice number</cbc:Note>
    <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
    <cbc:BuyerReference>0150abc</cbc:BuyerReference>
    <cac:OrderReference>
        <cbc:ID>PO-4500012345</cbc:ID>
    </cac:OrderReference>
    <cac:AdditionalDocumentReference>
        <cbc:ID>DN-77120</cbc:ID>
        <cbc:DocumentDescription>Delivery note</cbc:DocumentDescription>
    </cac:AdditionalDocumentReference>
    <cac:AccountingSupplierParty>
        <cac:Party>
            <cbc:EndpointID schemeID="0088">9482348239847</cbc:EndpointID>
            <cac:PartyIdentification>
                <cbc:ID>99887766</cbc:ID>
            </cac:PartyIdentification>
            <cac:PartyName>
                <cbc:Name>Shanghai Widget Co Ltd</cbc:Name>
            </cac:PartyName>
            <cac:PostalAddress>
                <cbc:StreetName>88 Pudong Ave</cbc:StreetName>
                <cbc:AdditionalStreetName>Building 3</cbc:AdditionalStreetName>
                <cbc:CityName>Shanghai</cbc:CityName>
                <cbc:PostalZone>200120</cbc:PostalZone>
                <cac:Country>
                    <cbc:IdentificationCode>CN</cbc:IdentificationCode>
                </cac:Country>
            </cac:PostalAddress>
            <cac:PartyTaxScheme>
                <cbc:CompanyID>CN91310000MA1K4</cbc:CompanyID>
                <cac:TaxScheme>
                    <cbc:ID>VAT</cbc:ID>
                </cac:TaxScheme>
            </cac:PartyTaxScheme>
            <cac:PartyLegalEntity>
                <cbc:RegistrationName>上海零件有限公司</cbc:RegistrationName>
                <cbc:CompanyID>91310000MA1K4</cbc:CompanyID>
            </cac:PartyLegalEntity>
            <cac:Contact>
                <cbc:Name>Li Wei</cbc:Name>
                <cbc:Telephone>+86 21 5555 0100</cbc:Telephone>
                <cbc:ElectronicMail>billing@example.cn</cbc:ElectronicMail>
            </cac:Contact>
        </cac:Party>
    </cac:AccountingSupplierParty>
    <cac:AccountingCustomerParty>
        <cac:Party>
            <cbc:EndpointID schemeID="0002">FR23342</cbc:EndpointID>
            <cac:PartyIdentification>
                <cbc:ID schemeID="0002">FR23342</cbc:ID>
            </cac:PartyIdentification>
            <cac:PartyName>
                <cbc:Name>Kramp Groep BV</cbc:Name>
            </cac:PartyName>
            <cac:PostalAddress>
                <cbc:StreetName>Zone Republique III</cbc:StreetName>
                <cbc:CityName>Poitiers</cbc:CityName>
                <cbc:PostalZone>86000</cbc:PostalZone>
                <cac:Country>
                    <cbc:IdentificationCode>FR</cbc:IdentificationCode>
                </cac:Country>
            </cac:PostalAddress>
            <cac:PartyTaxScheme>
                <cbc:CompanyID>FR932874294</cbc:CompanyID>
                <cac:TaxScheme>
                    <cbc:ID>VAT</cbc:ID>
                </cac:TaxScheme>
            </cac:PartyTaxScheme>
            <cac:PartyLegalEntity>
                <cbc:RegistrationName>Kramp Groep BV</cbc:RegistrationName>
            </cac:PartyLegalEntity>
        </cac:Party>
    </cac:AccountingCustomerParty>
    <cac:Delivery>
        <cbc:ActualDeliveryDate>2026-01-03</cbc:ActualDeliveryDate>
        <cac:DeliveryLocation>
            <cbc:ID schemeID="0088">8716106053926</cbc:ID>
            <cac:Address>
                <cbc:StreetName>Rue de Galilee 1</cbc:StreetName>
                <cbc:CityName>Poitiers</cbc:CityName>
                <cbc:PostalZone>86011</cbc:PostalZone>
                <cac:Country>
                    <cbc:IdentificationCode>FR</cbc:IdentificationCode>
                </cac:Country>
            </cac:Address>
        </cac:DeliveryLocation>
    </cac:Delivery>
    <cac:PaymentMeans>
        <cbc:PaymentMeansCode name="Credit transfer">30</cbc:PaymentMeansCode>
        <cbc:PaymentID>INV-2026-000123</cbc:PaymentID>
        <cac:PayeeFinancialAccount>
            <cbc:ID>FR7630006000011234567890189</cbc:ID>
            <cbc:Name>Shanghai Widget Co Ltd</cbc:Name>
        </cac:PayeeFinancialAccount>
    </cac:PaymentMeans>
    <cac:PaymentTerms>
        <cbc:Note>30 days net</cbc:Note>
    </cac:PaymentTerms>
    <cac:AllowanceCharge>
        <cbc:ChargeIndicator>false</cbc:ChargeIndicator>
        <cbc:AllowanceChargeReasonCode>95</cbc:AllowanceChargeReasonCode>
        <cbc:AllowanceChargeReason>Discount</cbc:AllowanceChargeReason>
        <cbc:Amount currencyID="EUR">10.00</cbc:Amount>
        <cac:TaxCategory>
            <cbc:ID>S</cbc:ID>
            <cbc:Percent>13</cbc:Percent>
            <cac:TaxScheme>
                <cbc:ID>VAT</cbc:ID>
            </cac:TaxScheme>
        </cac:TaxCategory>
    </cac:AllowanceCharge>
    <cac:TaxTotal>
        <cbc:TaxAmount currencyID="EUR">{tax}</cbc:TaxAmount>
        <cac:TaxSubtotal>
            <cbc:TaxableAmount currencyID="EUR">{taxable}</cbc:TaxableAmount>
            <cbc:TaxAmount currencyID="EUR">{tax}</cbc:TaxAmount>
            <cac:TaxCategory>
                <cbc:ID>S</cbc:ID>
                <cbc:Percent>13</cbc:Percent>
                <cac:TaxScheme>
                    <cbc:ID>VAT</cbc:ID>
                </cac:TaxScheme>
            </cac:TaxCategory>
        </cac:TaxSubtotal>
        <cac:TaxSubtotal>
            <cbc:TaxableAmount currencyID="EUR">0.00</cbc:TaxableAmount>
            <cbc:TaxAmount currencyID="EUR">0.00</cbc:TaxAmount>
            <cac:TaxCategory>
                <cbc:ID>AA</cbc:ID>
                <cbc:Percent>9</cbc:Percent>
                <cac:TaxScheme>
                    <cbc:ID>VAT</cbc:ID>
                </cac:TaxScheme>
            </cac:TaxCategory>
        </cac:TaxSubtotal>
    </cac:TaxTotal>
    <cac:LegalMonetaryTotal>
        <cbc:LineExtensionAmount currencyID="EUR">{net}</cbc:LineExtensionAmount>
        <cbc:TaxExclusiveAmount currencyID="EUR">{taxable}</cbc:TaxExclusiveAmount>
        <cbc:TaxInclusiveAmount currencyID="EUR">{payable}</cbc:TaxInclusiveAmount>
        <cbc:AllowanceTotalAmount currencyID="EUR">10.00</cbc:AllowanceTotalAmount>
        <cbc:PayableAmount currencyID="EUR">{payable}</cbc:PayableAmount>
    </cac:LegalMonetaryTotal>
{lines}</Invoice>
"#
    )
}

/// A WMS order-line export: `CSV_ROWS` rows of 10 columns with a Chinese header and Chinese
/// text, one quoted field holding a comma per row, CRLF line ends.
pub fn wms_export() -> String {
    let mut text = String::from("订单号,行号,SKU,品名,数量,单价,金额,仓库,库位,备注\r\n");
    for i in 0..CSV_ROWS {
        let _ = write!(
            text,
            "SO2026{:06},{},SKU-{:05},\"不锈钢螺丝钉, M{}\",{},12.50,{}.00,上海一号仓,A-{:02}-{:03},{}\r\n",
            i / 5,
            i % 5 + 1,
            i % 977,
            i % 12 + 3,
            i % 40 + 1,
            (i % 40 + 1) * 25 / 2,
            i % 30,
            i % 500,
            if i % 3 == 0 { "加急" } else { "" },
        );
    }
    text
}
