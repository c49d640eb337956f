//! Outbound X12: the sink's mapping builds the interchange without control numbers, and the hub
//! numbers it from a per-sink counter in the store — never the same number twice, across
//! restarts, and the same number again when a delivery is retried.

use std::collections::BTreeSet;

use channelhub_formats::{DecodeOptions, Format};
use serde_json::Value;

use crate::partner::{Behavior, FakePartner};
use crate::support::{DEADLINE, Hub, HubSpec, RouteSpec, SinkSpec, Store, eventually, order_numbered};

const OUT_850: &str = r#"
lines = []
for_each(array!(.lines)) -> |_i, l| {
    lines = push(lines, {"PO1": {"PO101": to_string!(l.line_number), "PO102": to_string!(l.quantity), "PO103": l.uom,
                                 "PO104": l.unit_price, "PO106": "VP", "PO107": l.sku}})
}
. = {"interchanges": [{
    "authorization_qualifier": "00", "security_qualifier": "00",
    "sender_qualifier": "ZZ", "sender_id": "BRANDOWNER", "receiver_qualifier": "ZZ", "receiver_id": "DEALER01",
    "date": "261126", "time": "1200", "version": "00401", "ack_requested": "0", "usage_indicator": "T",
    "groups": [{"functional_id": "PO", "sender_id": "BRANDOWNER", "receiver_id": "DEALER01",
                "date": "20261126", "time": "1200", "agency": "X", "version": "004010",
                "transactions": [{"set_id": "850",
                    "BEG": {"BEG01": "00", "BEG02": "SA", "BEG03": .order_number, "BEG05": "20261126"},
                    "PO1_loop": lines,
                    "CTT_loop": [{"CTT": {"CTT01": to_string(length(lines))}}]}]}]
}]}
"#;

/// The ISA13 of every interchange received on `path`, decoded strictly (counts and control
/// numbers must agree, or decoding fails).
fn isa13s(partner: &FakePartner, path: &str) -> Vec<String> {
    let strict = DecodeOptions {
        strict: true,
        ..DecodeOptions::default()
    };
    partner
        .requests(path)
        .iter()
        .map(|r| {
            let tree = channelhub_formats::decode(Format::X12, &r.body, &strict)
                .unwrap_or_else(|e| panic!("the hub sent invalid X12: {e}\n{}", String::from_utf8_lossy(&r.body)));
            let i = &tree["interchanges"][0];
            assert_eq!(
                i["groups"][0]["control_number"].as_str().map(|g| format!("{:0>9}", g)),
                i["control_number"].as_str().map(str::to_owned)
            );
            assert_eq!(i["groups"][0]["transactions"][0]["control_number"], Value::from("0001"));
            i["control_number"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x12_control_numbers_sqlite() {
    x12_control_numbers(&Store::Sqlite).await;
}

/// Unique, kept across restarts, repeated on retry.
pub async fn x12_control_numbers(store: &Store) {
    let partner = FakePartner::start().await;
    partner.behave("/edi", Behavior::FailTimes { status: 503, times: 1 });
    let spec = HubSpec::default()
        .file("850.out.vrl", OUT_850)
        .sink(
            SinkSpec::new("dealer-edi", partner.url("/edi"))
                .with("format", "x12")
                .with("mapping", "850.out.vrl"),
        )
        .route(RouteSpec::new("all", &["dealer-edi"]));
    let mut hub = Hub::start(&spec, store).await;

    for n in 1..=3 {
        let reply = hub.post_order(&order_numbered(&format!("X12-{n}")), None).await;
        assert_eq!(reply.status, 202, "{}", reply.text);
        hub.wait_deliveries(&reply.message_id(), "delivered").await;
    }
    // Each delivery failed once (503) and was resent with the same interchange number.
    let sent = isa13s(&partner, "/edi");
    assert_eq!(sent.len(), 6, "{sent:?}");
    let unique: BTreeSet<&String> = sent.iter().collect();
    assert_eq!(
        unique.into_iter().cloned().collect::<Vec<_>>(),
        ["000000001", "000000002", "000000003"],
        "{sent:?}"
    );
    for pair in sent.chunks(2) {
        assert_eq!(pair[0], pair[1], "a retry resends the same interchange: {sent:?}");
    }

    // The counter is in the store: after a restart numbering goes on.
    hub.terminate().await;
    hub.launch().await;
    let reply = hub.post_order(&order_numbered("X12-4"), None).await;
    hub.wait_deliveries(&reply.message_id(), "delivered").await;
    let last = eventually(DEADLINE, || async { isa13s(&partner, "/edi").last().cloned() }).await;
    assert_eq!(last.as_deref(), Some("000000004"));
}

/// A small 850 -> order mapping, one order per transaction set.
pub(crate) const IN_850: &str = r#"
orders = []
for_each(array!(.interchanges)) -> |_i, ic| {
    for_each(array!(ic.groups)) -> |_g, group| {
        for_each(array!(group.transactions)) -> |_t, po| {
            lines = []
            for_each(array!(po.PO1_loop)) -> |_l, l| {
                lines = push(lines, {"line_number": to_int!(l.PO1.PO101), "sku": string!(l.PO1.PO107),
                    "quantity": to_int!(l.PO1.PO102), "uom": string!(l.PO1.PO103),
                    "unit_price": to_decimal!(l.PO1.PO104), "amount": decimal_mul!(to_decimal!(l.PO1.PO104), l.PO1.PO102)})
            }
            orders = push(orders, {"order_number": string!(po.BEG.BEG03), "order_date": "2026-11-26", "currency": "USD",
                "buyer": {"id": string!(ic.sender_id), "name": string!(ic.sender_id)},
                "seller": {"id": string!(ic.receiver_id), "name": string!(ic.receiver_id)},
                "ship_to": {"name": "DC", "street": ["1 Main St"], "city": "Reno", "country": "US"},
                "lines": lines, "total_amount": decimal_sum!(map_values(lines) -> |l| { l.amount })})
        }
    }
}
. = orders
"#;

const PO_TWO_SETS: &str = "ISA*00*          *00*          *ZZ*DEALER01       *ZZ*BRANDOWNER     *261126*1200*U*00401*000000101*0*P*>~\n\
GS*PO*DEALER01*BRANDOWNER*20261126*1200*101*X*004010~\n\
ST*850*0001~\nBEG*00*SA*EDI-PO-1**20261126~\nPO1*1*2*EA*10.25**VP*SKU-1~\nCTT*1~\nSE*5*0001~\n\
ST*850*0002~\nBEG*00*SA*EDI-PO-2**20261126~\nPO1*1*3*EA*0.1**VP*SKU-2~\nCTT*1~\nSE*5*0002~\n\
GE*2*101~\nIEA*1*000000101~\n";

/// An X12 850 interchange with two purchase orders becomes two orders delivered to a JSON sink,
/// and the partner gets a 997 acknowledging both, visible in the input's history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x12_850_in_becomes_orders_and_a_997_goes_back() {
    let partner = FakePartner::start().await;
    let spec = HubSpec::default()
        .mapping(IN_850)
        .source("x12", &["ack: {sink: dealer-edi}"])
        .sink(SinkSpec::new("wms", partner.url("/wms")))
        .sink(SinkSpec::new("dealer-edi", partner.url("/edi")).with("format", "x12"))
        .route(RouteSpec::new("orders", &["wms"]));
    let hub = Hub::start(&spec, &Store::Sqlite).await;

    let reply = hub
        .post_raw(
            &format!("/in/{}", crate::support::SOURCE),
            PO_TWO_SETS.as_bytes().to_vec(),
            &[("authorization", format!("Bearer {}", crate::support::ERP_TOKEN))],
        )
        .await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let ids = reply.json["message_ids"].as_array().cloned().unwrap_or_default();
    assert_eq!(ids.len(), 3, "two orders and the 997: {}", reply.text);
    for id in &ids {
        hub.wait_deliveries(id.as_str().unwrap_or_default(), "delivered").await;
    }
    let orders = partner.requests("/wms");
    let mut numbers: Vec<String> = orders.iter().filter_map(|r| r.order_number()).collect();
    numbers.sort();
    assert_eq!(numbers, ["EDI-PO-1", "EDI-PO-2"]);
    let second = orders
        .iter()
        .find(|r| r.order_number().as_deref() == Some("EDI-PO-2"))
        .map(|r| r.json());
    assert_eq!(second.map(|d| d["total_amount"].clone()), Some(Value::from("0.3")));

    let acks = partner.requests("/edi");
    assert_eq!(acks.len(), 1);
    let strict = DecodeOptions {
        strict: true,
        ..DecodeOptions::default()
    };
    let tree = channelhub_formats::decode(Format::X12, &acks[0].body, &strict).expect("a valid 997");
    let i = &tree["interchanges"][0];
    assert_eq!(
        (i["sender_id"].as_str(), i["receiver_id"].as_str()),
        (Some("BRANDOWNER"), Some("DEALER01"))
    );
    let fa = &i["groups"][0]["transactions"][0];
    assert_eq!(fa["set_id"], "997");
    assert_eq!(fa["AK1"]["AK102"], "101");
    assert_eq!(fa["AK9"]["AK901"], "A");
    assert_eq!(fa["AK2_loop"].as_array().map(Vec::len), Some(2));

    // "What happened to EDI-PO-1?": its history names the 997 sent for its input.
    let found = hub.admin_get("/api/v1/messages?key=EDI-PO-1").await;
    let id = found.json["messages"][0]["id"].as_str().unwrap_or_default().to_owned();
    let detail = hub.message(&id).await;
    let kinds: Vec<String> = {
        let mut k = Vec::new();
        for m in detail["input_messages"].as_array().cloned().unwrap_or_default() {
            let d = hub.message(m.as_str().unwrap_or_default()).await;
            k.push(d["message"]["kind"].as_str().unwrap_or_default().to_owned());
        }
        k
    };
    assert_eq!(kinds, ["order", "order", "x12_997"], "{detail}");
}

const IN_ORDERS: &str = r#"
. = map_values(array!(.interchanges[0].messages)) -> |m| {
    {"order_number": string!(m.BGM.BGM02), "order_date": "2026-11-26", "currency": "EUR",
     "buyer": {"id": "DEALER", "name": "Händler GmbH"}, "seller": {"id": "BRAND", "name": "品牌方"},
     "ship_to": {"name": "Lager", "street": ["Hafenstraße 1"], "city": "Hamburg", "country": "DE"},
     "lines": [{"line_number": 1, "sku": "SKU-1", "quantity": 1, "uom": "EA", "unit_price": "1.00", "amount": "1.00"}],
     "total_amount": "1.00"}
}
"#;

/// An EDIFACT source answers each interchange with a CONTRL (UCI + a UCM per message).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edifact_orders_in_and_a_contrl_goes_back() {
    let partner = FakePartner::start().await;
    let spec = HubSpec::default()
        .mapping(IN_ORDERS)
        .source("edifact", &["ack: {sink: dealer-edifact}"])
        .sink(SinkSpec::new("wms", partner.url("/wms")))
        .sink(SinkSpec::new("dealer-edifact", partner.url("/contrl")).with("format", "edifact"))
        .route(RouteSpec::new("orders", &["wms"]));
    let hub = Hub::start(&spec, &Store::Sqlite).await;
    let body = "UNB+UNOC:3+DEALER:14+BRAND:14+261126:1200+77'UNH+1+ORDERS:D:96A:UN'BGM+220+EDI-ORD-1+9'UNT+3+1'\
                UNH+2+ORDERS:D:96A:UN'BGM+220+EDI-ORD-2+9'UNT+3+2'UNZ+2+77'";
    let reply = hub
        .post_raw(
            &format!("/in/{}", crate::support::SOURCE),
            body.as_bytes().to_vec(),
            &[("authorization", format!("Bearer {}", crate::support::ERP_TOKEN))],
        )
        .await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let ids = reply.json["message_ids"].as_array().cloned().unwrap_or_default();
    assert_eq!(ids.len(), 3, "two orders and the CONTRL: {}", reply.text);
    for id in &ids {
        hub.wait_deliveries(id.as_str().unwrap_or_default(), "delivered").await;
    }
    assert_eq!(partner.requests("/wms").len(), 2);
    let contrl = partner.requests("/contrl");
    assert_eq!(contrl.len(), 1);
    let strict = DecodeOptions {
        strict: true,
        ..DecodeOptions::default()
    };
    let tree = channelhub_formats::decode(Format::Edifact, &contrl[0].body, &strict).expect("a valid CONTRL");
    let i = &tree["interchanges"][0];
    assert_eq!(
        (i["sender_id"].as_str(), i["recipient_id"].as_str()),
        (Some("BRAND"), Some("DEALER"))
    );
    assert_eq!(i["control_reference"], "1", "numbered from the sink's counter");
    let m = &i["messages"][0];
    assert_eq!(m["message_type"], "CONTRL");
    assert_eq!(m["UCI"]["UCI01"], "77");
    assert_eq!(m["UCM_group"].as_array().map(Vec::len), Some(2));
}
