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
