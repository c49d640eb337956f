//! XML on both sides: a source decodes with `decode.xml_repeated` hints (one line and many have
//! the same shape), and a sink encodes with the namespaces of its `encode:` block and the element
//! order of the `.xml-order` file beside its mapping (schemas such as UBL fix the order; tree
//! objects do not keep it).

use crate::partner::FakePartner;
use crate::support::{DEADLINE, ERP_TOKEN, Hub, HubSpec, RouteSpec, SOURCE, SinkSpec, Store, eventually};

const IN_MAPPING: &str = r#"
o = object!(.Order)
. = {
    "order_number": string!(o.@no),
    "order_date": "2026-11-26",
    "currency": "CNY",
    "buyer": {"id": "KH-0318", "name": "成都锦程贸易有限公司"},
    "seller": {"id": "0302", "name": "西南销售部"},
    "ship_to": {"name": "李娜", "street": ["天府大道北段 1700 号"], "city": "成都", "country": "CN"},
    "lines": map_values(array!(o.Line)) -> |l| {
        {"line_number": to_int!(l.@n), "sku": string!(l.Sku), "quantity": to_int!(l.Qty), "uom": "EA",
         "unit_price": string!(l.Price), "amount": decimal_mul!(l.Price, l.Qty)}
    },
    "total_amount": decimal_sum!(map_values(array!(o.Line)) -> |l| { decimal_mul!(l.Price, l.Qty) })
}
"#;

const OUT_MAPPING: &str = r##"
. = {"Order": {
    "cbc:UBLVersionID": "2.1",
    "cbc:ID": .order_number,
    "cbc:IssueDate": .order_date,
    "cac:BuyerCustomerParty": {"cac:Party": {"cac:PartyName": {"cbc:Name": .buyer.name}}},
    "cac:OrderLine": map_values(array!(.lines)) -> |l| {
        {"cac:LineItem": {"cbc:ID": to_string!(l.line_number), "cbc:Quantity": {"@unitCode": l.uom, "#text": to_string!(l.quantity)},
                          "cac:Item": {"cbc:Name": l.sku}}}
    }
}}
"##;

const ORDER_RULES: &str = "# UBL 2.1 Order (part)\n\
    Order: UBLVersionID ID IssueDate BuyerCustomerParty OrderLine\n\
    LineItem: ID Quantity Item\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xml_in_with_hints_and_xml_out_in_schema_order() {
    let partner = FakePartner::start().await;
    let spec = HubSpec::default()
        .mapping(IN_MAPPING)
        .source("xml", &["decode: {xml_repeated: [Line]}"])
        .file("order-ubl.out.vrl", OUT_MAPPING)
        .file("order-ubl.out.xml-order", ORDER_RULES)
        .sink(
            SinkSpec::new("ubl", partner.url("/ubl"))
                .with("format", "xml")
                .with("mapping", "order-ubl.out.vrl")
                .with(
                    "encode",
                    "{xml_namespaces: {'': 'urn:oasis:names:specification:ubl:schema:xsd:Order-2', \
                     cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2', \
                     cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2'}}",
                ),
        )
        .route(RouteSpec::new("all", &["ubl"]));
    let hub = Hub::start(&spec, &Store::Sqlite).await;

    // One line only: without the hint `Line` would be an object and `array!` would abort.
    let body = "<?xml version=\"1.0\"?><Order no=\"XML-1\"><Line n=\"1\"><Sku>SKU-1</Sku><Qty>3</Qty>\
                <Price>0.10</Price></Line></Order>";
    let reply = hub
        .post_raw(
            &format!("/in/{SOURCE}"),
            body.as_bytes().to_vec(),
            &[("authorization", format!("Bearer {ERP_TOKEN}"))],
        )
        .await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let detail = hub.wait_deliveries(&reply.message_id(), "delivered").await;
    assert_eq!(detail["document"]["total_amount"], "0.30", "{detail}");

    let got = eventually(DEADLINE, || async { partner.requests("/ubl").into_iter().next() })
        .await
        .expect("the UBL sink receives the order");
    assert_eq!(got.header("content-type"), Some("application/xml"));
    let xml = String::from_utf8_lossy(&got.body).into_owned();
    assert!(
        xml.starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\""
        ),
        "{xml}"
    );
    let at = |s: &str| xml.find(s).unwrap_or_else(|| panic!("{s} missing in {xml}"));
    // Schema order, not the tree's alphabetical order (which would put cac: before cbc:).
    assert!(at("<cbc:UBLVersionID>") < at("<cbc:ID>XML-1"), "{xml}");
    assert!(at("<cbc:ID>XML-1") < at("<cbc:IssueDate>"), "{xml}");
    assert!(at("<cbc:IssueDate>") < at("<cac:BuyerCustomerParty>"), "{xml}");
    assert!(at("<cac:BuyerCustomerParty>") < at("<cac:OrderLine>"), "{xml}");
    assert!(
        xml.contains("<cac:LineItem><cbc:ID>1</cbc:ID><cbc:Quantity unitCode=\"EA\">3</cbc:Quantity><cac:Item>"),
        "{xml}"
    );
}
