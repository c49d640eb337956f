//! Acknowledgements both ways: an interchange with one bad transaction set is accepted except
//! for that set, and the partner hears so in a 997 and an 824; an interchange the strict reader
//! refuses still gets a 997 naming the fault; a 997 from the partner marks the interchanges it
//! acknowledges, and one that never comes is flagged overdue.

use std::time::Duration;

use channelhub_formats::{DecodeOptions, Format};
use serde_json::Value;

use crate::partner::FakePartner;
use crate::support::{ERP_TOKEN, Hub, HubSpec, RouteSpec, SOURCE, SinkSpec, Store, eventually};
use crate::x12_out::IN_850;

fn strict() -> DecodeOptions {
    DecodeOptions {
        strict: true,
        ..DecodeOptions::default()
    }
}

async fn post(hub: &Hub, body: &str) -> crate::support::Reply {
    hub.post_raw(
        &format!("/in/{SOURCE}"),
        body.as_bytes().to_vec(),
        &[("authorization", format!("Bearer {ERP_TOKEN}"))],
    )
    .await
}

/// The first transaction set of every X12 interchange received on `path`, read strictly.
fn sets_received(partner: &FakePartner, path: &str) -> Vec<Value> {
    partner
        .requests(path)
        .iter()
        .map(|r| {
            let tree = channelhub_formats::decode(Format::X12, &r.body, &strict())
                .unwrap_or_else(|e| panic!("the hub sent invalid X12: {e}\n{}", String::from_utf8_lossy(&r.body)));
            tree["interchanges"][0]["groups"][0]["transactions"][0].clone()
        })
        .collect()
}

const ENVELOPE: &str = "ISA*00*          *00*          *ZZ*DEALER01       *ZZ*BRANDOWNER     *261126*1200*U*00401*000000301*0*P*>~\n\
GS*PO*DEALER01*BRANDOWNER*20261126*1200*301*X*004010~\n";

/// Set 0002 has no purchase order number (BEG03): the mapping refuses it.
const ONE_BAD_SET: &str = "ST*850*0001~\nBEG*00*SA*ACK-PO-1**20261126~\nPO1*1*2*EA*10**VP*SKU-1~\nCTT*1~\nSE*5*0001~\n\
ST*850*0002~\nBEG*00*SA***20261126~\nPO1*1*3*EA*4**VP*SKU-2~\nCTT*1~\nSE*5*0002~\n\
GE*2*301~\nIEA*1*000000301~\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_set_is_refused_the_others_accepted_and_the_partner_told() {
    let partner = FakePartner::start().await;
    let spec = HubSpec::default()
        .mapping(IN_850)
        .source("x12", &["ack: {sink: dealer-edi, advice: true}"])
        .sink(SinkSpec::new("wms", partner.url("/wms")))
        .sink(SinkSpec::new("dealer-edi", partner.url("/edi")).with("format", "x12"))
        .route(RouteSpec::new("orders", &["wms"]));
    let hub = Hub::start(&spec, &Store::Sqlite).await;

    let reply = post(&hub, &format!("{ENVELOPE}{ONE_BAD_SET}")).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let rejected = reply.json["rejected"].as_array().cloned().unwrap_or_default();
    assert_eq!(rejected.len(), 1, "{}", reply.text);
    assert_eq!(
        (rejected[0]["set"].as_str(), rejected[0]["group"].as_str()),
        (Some("0002"), Some("301"))
    );
    assert_eq!(rejected[0]["code"], "mapping_failed");
    let ids = reply.json["message_ids"].as_array().cloned().unwrap_or_default();
    assert_eq!(ids.len(), 3, "the order, the 997 and the 824: {}", reply.text);
    for id in &ids {
        hub.wait_deliveries(id.as_str().unwrap_or_default(), "delivered").await;
    }
    let orders: Vec<String> = partner
        .requests("/wms")
        .iter()
        .filter_map(|r| r.order_number())
        .collect();
    assert_eq!(orders, ["ACK-PO-1"]);

    let answers = sets_received(&partner, "/edi");
    let fa = answers.iter().find(|s| s["set_id"] == "997").expect("a 997");
    assert_eq!(fa["AK1"]["AK102"], "301");
    assert_eq!(fa["AK2_loop"][0]["AK5"]["AK501"], "A");
    assert_eq!(fa["AK2_loop"][1]["AK2"]["AK202"], "0002");
    assert_eq!(fa["AK2_loop"][1]["AK5"]["AK501"], "R");
    assert_eq!(fa["AK9"]["AK901"], "P");
    let advice = answers.iter().find(|s| s["set_id"] == "824").expect("an 824");
    let oti = &advice["OTI_loop"][0];
    assert_eq!(
        (oti["OTI"]["OTI01"].as_str(), oti["OTI"]["OTI03"].as_str()),
        (Some("TR"), Some("0002"))
    );
    // The reason names the mapping by file name only: nothing of the hub's machine.
    let reason = oti["TED_loop"][0]["TED"]["TED02"].as_str().unwrap_or_default();
    assert!(reason.starts_with("mapping order-in.vrl failed"), "{reason}");

    // The refused set has its own history, linked to the input.
    let detail = hub.message(ids[0].as_str().unwrap_or_default()).await;
    let mut statuses = Vec::new();
    for m in detail["input_messages"].as_array().cloned().unwrap_or_default() {
        let d = hub.message(m.as_str().unwrap_or_default()).await;
        statuses.push(format!(
            "{}:{}",
            d["message"]["kind"].as_str().unwrap_or_default(),
            d["message"]["status"].as_str().unwrap_or_default()
        ));
    }
    statuses.sort();
    assert_eq!(
        statuses,
        [
            "order:accepted",
            "order:rejected",
            "x12_824:accepted",
            "x12_997:accepted"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interchange_the_reader_refuses_still_gets_a_997_naming_the_fault() {
    let partner = FakePartner::start().await;
    let spec = HubSpec::default()
        .mapping(IN_850)
        .source("x12", &["ack: {sink: dealer-edi}", "decode: {strict: true}"])
        .sink(SinkSpec::new("wms", partner.url("/wms")))
        .sink(SinkSpec::new("dealer-edi", partner.url("/edi")).with("format", "x12"))
        .route(RouteSpec::new("orders", &["wms"]));
    let hub = Hub::start(&spec, &Store::Sqlite).await;
    // Set 0002's SE says 9 segments; it has 5.
    let body = format!(
        "{ENVELOPE}{}",
        ONE_BAD_SET
            .replace("BEG*00*SA***", "BEG*00*SA*ACK-PO-2**")
            .replace("SE*5*0002", "SE*9*0002")
    );
    let reply = post(&hub, &body).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    let answers = eventually(crate::support::DEADLINE, || async {
        let got = sets_received(&partner, "/edi");
        (!got.is_empty()).then_some(got)
    })
    .await
    .expect("a 997 for the refused interchange");
    let fa = &answers[0];
    assert_eq!(fa["AK9"]["AK901"], "R");
    assert_eq!(fa["AK9"]["AK904"], "0");
    assert_eq!(fa["AK2_loop"].as_array().map(Vec::len), Some(1));
    assert_eq!(fa["AK2_loop"][0]["AK2"]["AK202"], "0002");
    assert_eq!(fa["AK2_loop"][0]["AK5"]["AK502"], "4", "segment count");
    assert!(partner.requests("/wms").is_empty());
}

/// The outbound 850 with neither control numbers nor envelope ids: the hub fills both.
const OUT_850_UNADDRESSED: &str = r#"
. = {"interchanges": [{
    "authorization_qualifier": "00", "security_qualifier": "00",
    "version": "00401", "ack_requested": "1", "usage_indicator": "T",
    "groups": [{"functional_id": "PO", "agency": "X", "version": "004010",
                "transactions": [{"set_id": "850",
                    "BEG": {"BEG01": "00", "BEG02": "SA", "BEG03": .order_number, "BEG05": "20261126"},
                    "CTT_loop": [{"CTT": {"CTT01": "0"}}]}]}]
}]}
"#;

fn partner_997(group: &str, verdict: &str) -> String {
    format!(
        "ISA*00*          *00*          *ZZ*DEALER01       *ZZ*BRANDOWNER     *261126*1300*U*00401*000000901*0*P*>~\
         GS*FA*DEALER01*BRANDOWNER*20261126*1300*901*X*004010~ST*997*0001~AK1*PO*{group}~\
         AK2*850*0001~AK5*{verdict}{}~AK9*{verdict}*1*1*{}~SE*6*0001~GE*1*901~IEA*1*000000901~",
        if verdict == "R" { "*5" } else { "" },
        if verdict == "R" { 0 } else { 1 }
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partners_997_marks_what_it_acknowledges_sqlite() {
    partners_997_marks_what_it_acknowledges(&Store::Sqlite).await;
}

/// A 997 from the partner marks the interchange it acknowledges; one never acknowledged is
/// flagged after the partner's window; a late rejection still lands.
pub async fn partners_997_marks_what_it_acknowledges(store: &Store) {
    let partner = FakePartner::start().await;
    let spec = HubSpec::default()
        .mapping(IN_850)
        .file("850-out.vrl", OUT_850_UNADDRESSED)
        .partner(&["interchange: {id: DEALER01, our_id: BRANDOWNER, ack_window: 2s}"])
        .source("x12", &[])
        .sink(
            SinkSpec::new("dealer-850", partner.url("/850"))
                .with("format", "x12")
                .with("mapping", "850-out.vrl")
                .with("partner", crate::support::PARTNER),
        )
        .route(RouteSpec::new("orders", &["dealer-850"]));
    let hub = Hub::start(&spec, store).await;
    let body = format!(
        "{ENVELOPE}{}",
        ONE_BAD_SET.replace("BEG*00*SA***", "BEG*00*SA*ACK-PO-2**")
    );
    let reply = post(&hub, &body).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let ids: Vec<String> = reply.json["message_ids"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids.len(), 2, "{}", reply.text);
    for id in &ids {
        hub.wait_deliveries(id, "delivered").await;
    }
    // Addressed from the partner's interchange ids, numbered from its counter.
    let mut by_order = std::collections::HashMap::new();
    for r in partner.requests("/850") {
        let tree = channelhub_formats::decode(Format::X12, &r.body, &strict()).expect("valid X12");
        let i = &tree["interchanges"][0];
        assert_eq!(
            (
                i["sender_id"].as_str(),
                i["receiver_id"].as_str(),
                i["receiver_qualifier"].as_str()
            ),
            (Some("BRANDOWNER"), Some("DEALER01"), Some("ZZ"))
        );
        assert_eq!(i["groups"][0]["receiver_id"], "DEALER01");
        let order = i["groups"][0]["transactions"][0]["BEG"]["BEG03"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        by_order.insert(
            order,
            i["groups"][0]["control_number"].as_str().unwrap_or_default().to_owned(),
        );
    }
    let delivery_of = |detail: &Value| detail["deliveries"][0].clone();
    let first = hub.message(&ids[0]).await;
    assert_eq!(delivery_of(&first)["ack_status"], "awaited", "{first}");

    // The partner acknowledges ACK-PO-1's interchange.
    let reply = post(&hub, &partner_997(&by_order["ACK-PO-1"], "A")).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let ack_id = reply.json["message_id"].as_str().unwrap_or_default().to_owned();
    let detail = hub.message(&ids[0]).await;
    let d = delivery_of(&detail);
    assert_eq!(d["ack_status"], "acknowledged", "{detail}");
    assert_eq!(d["ack_message_id"], Value::from(ack_id.clone()));
    let ack = hub.message(&ack_id).await;
    assert_eq!(ack["message"]["kind"], "x12_997");
    assert_eq!(ack["acknowledges"][0]["id"], d["id"]);

    // ACK-PO-2's interchange is never acknowledged: flagged after the 2 s window.
    let overdue = eventually(Duration::from_secs(15), || async {
        let r = hub.admin_get("/api/v1/deliveries?ack=overdue").await;
        let list = r.json["deliveries"].as_array().cloned().unwrap_or_default();
        (!list.is_empty()).then_some(list)
    })
    .await
    .expect("the unacknowledged interchange is flagged");
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["message_id"], Value::from(ids[1].clone()));
    // "Which orders did the dealer never acknowledge?" is one search.
    let found = hub.admin_get("/api/v1/messages?ack=overdue").await;
    assert_eq!(found.json["messages"][0]["business_key"], "ACK-PO-2", "{}", found.text);
    assert_eq!(found.json["messages"].as_array().map(Vec::len), Some(1));

    // A late rejection still lands, with the partner's reason.
    let reply = post(&hub, &partner_997(&by_order["ACK-PO-2"], "R")).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let d = delivery_of(&hub.message(&ids[1]).await);
    assert_eq!(d["ack_status"], "rejected");
    assert!(
        d["ack_detail"]
            .as_str()
            .is_some_and(|t| t.contains("set 0001 (850): R (5 one or more segments in error)")),
        "{d}"
    );
}
