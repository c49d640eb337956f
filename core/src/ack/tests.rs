//! Acknowledgements built, written by the real writers, read back by the strict readers, and
//! read as receipts.

use std::collections::HashMap;

use channelhub_formats::{DecodeOptions, EncodeOptions, Format, decode, encode};
use serde_json::{Value, json};

use super::*;

const PO: &str = "ISA*00*          *00*          *ZZ*DEALER01       *ZZ*BRANDOWNER     *261126*1200*U*00401*000000101*0*P*>~\
GS*PO*DEALER01*BRANDOWNER*20261126*1200*101*X*004010~\
ST*850*0001~BEG*00*SA*PO-1**20261126~PO1*1*2*EA*10**VP*SKU-1~CTT*1~SE*5*0001~\
ST*850*0002~BEG*00*SA*PO-2**20261126~PO1*1*2*EA*10**VP*SKU-1~CTT*1~SE*9*0002~\
GE*2*101~IEA*1*000000101~";

const NOW: (&str, &str, &str) = ("261126", "20261126", "1305");

fn strict() -> DecodeOptions {
    DecodeOptions {
        strict: true,
        ..DecodeOptions::default()
    }
}

/// Numbers an unnumbered X12 answer, writes it and reads it back strictly.
fn x12_round_trip(tree: &Value, n: &str) -> Value {
    let mut numbered = tree.clone();
    numbered["interchanges"][0]["control_number"] = json!(format!("{n:0>9}"));
    numbered["interchanges"][0]["groups"][0]["control_number"] = json!(n);
    for (i, t) in numbered["interchanges"][0]["groups"][0]["transactions"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        t["control_number"] = json!(format!("{:04}", i + 1));
    }
    let bytes = encode(Format::X12, &numbered, &EncodeOptions::default()).unwrap();
    decode(Format::X12, &bytes, &strict()).unwrap()
}

fn at(set: usize) -> SetAt {
    SetAt {
        interchange: 0,
        group: Some(0),
        set,
    }
}

#[test]
fn a_997_answers_each_group_and_set_addressed_back() {
    let decoded = decode(Format::X12, PO.as_bytes(), &DecodeOptions::default()).unwrap();
    let ack = functional_ack(&decoded, &HashMap::new(), false, NOW).unwrap();
    let i = &ack["interchanges"][0];
    assert_eq!(
        (i["sender_id"].as_str(), i["receiver_id"].as_str()),
        (Some("BRANDOWNER"), Some("DEALER01"))
    );
    let g = &i["groups"][0];
    assert_eq!(
        (g["functional_id"].as_str(), g["sender_id"].as_str()),
        (Some("FA"), Some("BRANDOWNER"))
    );
    let fa = &g["transactions"][0];
    assert_eq!(fa["AK1"], json!({"AK101": "PO", "AK102": "101"}));
    assert_eq!(fa["AK2_loop"][0]["AK5"], json!({"AK501": "A"}));
    // The second set's SE01 says 9 segments, it has 5: accepted with error code 4.
    assert_eq!(fa["AK2_loop"][1]["AK2"], json!({"AK201": "850", "AK202": "0002"}));
    assert_eq!(fa["AK2_loop"][1]["AK5"], json!({"AK501": "E", "AK502": "4"}));
    assert_eq!(
        fa["AK9"],
        json!({"AK901": "E", "AK902": "2", "AK903": "2", "AK904": "2"})
    );
    let back = x12_round_trip(&ack, "1");
    assert_eq!(
        back["interchanges"][0]["groups"][0]["transactions"][0]["AK9"]["AK901"],
        "E"
    );
}

#[test]
fn a_refused_set_is_rejected_and_the_group_partially_accepted() {
    let decoded = decode(Format::X12, PO.as_bytes(), &DecodeOptions::default()).unwrap();
    let refusals = HashMap::from([(at(0), Refusal::content("`/order_number` is required".into(), true))]);
    let ack = functional_ack(&decoded, &refusals, false, NOW).unwrap();
    let fa = &ack["interchanges"][0]["groups"][0]["transactions"][0];
    assert_eq!(fa["AK2_loop"][0]["AK5"], json!({"AK501": "R", "AK502": "5"}));
    assert_eq!(fa["AK2_loop"][1]["AK5"]["AK501"], "E");
    assert_eq!(
        fa["AK9"],
        json!({"AK901": "P", "AK902": "2", "AK903": "2", "AK904": "1"})
    );
    // Both refused: the group is rejected.
    let refusals = HashMap::from([
        (at(0), Refusal::content("a".into(), false)),
        (at(1), Refusal::content("b".into(), false)),
    ]);
    let ack = functional_ack(&decoded, &refusals, false, NOW).unwrap();
    assert_eq!(
        ack["interchanges"][0]["groups"][0]["transactions"][0]["AK9"]["AK901"],
        "R"
    );

    // The 824 names the refused set and says why, and is valid X12.
    let refusals = HashMap::from([(
        at(1),
        Refusal::content(
            "schema: `/lines/0/quantity` must be a number* at /lines/0/quantity".into(),
            false,
        ),
    )]);
    let advice = application_advice(&decoded, &refusals, NOW).unwrap();
    assert_eq!(advice["interchanges"][0]["groups"][0]["functional_id"], "AG");
    let back = x12_round_trip(&advice, "7");
    let set = &back["interchanges"][0]["groups"][0]["transactions"][0];
    assert_eq!(set["set_id"], "824");
    let oti = &set["OTI_loop"][0];
    assert_eq!(
        (
            &oti["OTI"]["OTI01"],
            &oti["OTI"]["OTI03"],
            &oti["OTI"]["OTI08"],
            &oti["OTI"]["OTI10"]
        ),
        (&json!("TR"), &json!("0002"), &json!("101"), &json!("850"))
    );
    let text: String = oti["TED_loop"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["TED"]["TED02"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("lines/0/quantity"), "{text}");
    assert_eq!(oti["TED_loop"][0]["TED"]["TED01"], "848");
    assert!(application_advice(&decoded, &HashMap::new(), NOW).is_none());
}

#[test]
fn an_unreadable_set_is_rejected_naming_its_segment() {
    // Set 0002's SE says 9 segments: strict decoding refuses the interchange.
    let error = decode(Format::X12, PO.as_bytes(), &strict()).unwrap_err();
    let (tree, located) = envelope(Format::X12, PO.as_bytes(), &error).unwrap();
    let (set, refusal) = located.unwrap();
    assert_eq!(set, at(1));
    assert_eq!(refusal.fault, Fault::SegmentCount);
    let ack = functional_ack(&tree, &HashMap::from([(set, refusal)]), true, NOW).unwrap();
    let fa = &ack["interchanges"][0]["groups"][0]["transactions"][0];
    // Only the faulty set is listed; nothing of the group was accepted.
    assert_eq!(fa["AK2_loop"].as_array().unwrap().len(), 1);
    assert_eq!(fa["AK2_loop"][0]["AK2"]["AK202"], "0002");
    assert_eq!(fa["AK2_loop"][0]["AK5"], json!({"AK501": "R", "AK502": "4"}));
    assert_eq!(fa["AK9"]["AK901"], "R");
    assert_eq!(fa["AK9"]["AK904"], "0");

    // A segment the reader cannot take: AK3 names it and its place in the set.
    let bad = PO.replace(
        "PO1*1*2*EA*10**VP*SKU-1~CTT*1~SE*9*0002",
        "PO1*1*2*EA*10**VP*SKU-1~C T*1~SE*5*0002",
    );
    let error = decode(Format::X12, bad.as_bytes(), &strict()).unwrap_err();
    let (tree, located) = envelope(Format::X12, bad.as_bytes(), &error).unwrap();
    let (set, refusal) = located.unwrap();
    assert_eq!(set, at(1), "{error}");
    let Fault::Segment { position, .. } = &refusal.fault else {
        panic!("{refusal:?}")
    };
    assert_eq!(*position, 4, "{error}");
    let ack = functional_ack(&tree, &HashMap::from([(set, refusal)]), true, NOW).unwrap();
    let ak3 = &ack["interchanges"][0]["groups"][0]["transactions"][0]["AK2_loop"][0]["AK3_loop"][0]["AK3"];
    assert_eq!(ak3["AK302"], "4");
    x12_round_trip(&ack, "2");

    // Not X12 at all: nothing to answer.
    let error = decode(Format::X12, b"hello", &strict()).unwrap_err();
    assert!(envelope(Format::X12, b"hello", &error).is_none());
}

#[test]
fn no_group_no_ack() {
    assert!(functional_ack(&json!({"interchanges": [{"groups": []}]}), &HashMap::new(), false, NOW).is_none());
    assert!(functional_ack(&json!({"a": 1}), &HashMap::new(), false, NOW).is_none());
}

const ORDERS: &str = "UNB+UNOC:3+DEALER:14+BRAND:14+261126:1200+77'UNH+1+ORDERS:D:96A:UN'BGM+220+PO-1+9'UNT+3+1'\
                      UNH+2+ORDERS:D:96A:UN'BGM+220+PO-2+9'UNT+3+2'UNZ+2+77'";

fn edifact_round_trip(tree: &Value) -> Value {
    let mut numbered = tree.clone();
    numbered["interchanges"][0]["control_reference"] = json!("1");
    for (i, m) in numbered["interchanges"][0]["messages"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        m["message_reference"] = json!((i + 1).to_string());
    }
    let bytes = encode(Format::Edifact, &numbered, &EncodeOptions::default()).unwrap();
    decode(Format::Edifact, &bytes, &strict()).unwrap()
}

#[test]
fn a_contrl_answers_each_interchange_and_message() {
    let decoded = decode(Format::Edifact, ORDERS.as_bytes(), &DecodeOptions::default()).unwrap();
    let replies = contrl(&decoded, &HashMap::new(), false, ("261126", "1305"));
    assert_eq!(replies.len(), 1);
    let i = &replies[0]["interchanges"][0];
    assert_eq!(
        (i["sender_id"].as_str(), i["recipient_id"].as_str()),
        (Some("BRAND"), Some("DEALER"))
    );
    let c = &i["messages"][0];
    assert_eq!(c["UCI"]["UCI01"], "77");
    assert_eq!(c["UCI"]["UCI02"], json!({"UCI02-1": "DEALER", "UCI02-2": "14"}));
    assert_eq!(c["UCI"]["UCI04"], "7");
    assert_eq!(c["UCM_group"][1]["UCM"]["UCM01"], "2");
    assert_eq!(c["UCM_group"][1]["UCM"]["UCM02"]["UCM02-1"], "ORDERS");
    let back = edifact_round_trip(&replies[0]);
    assert_eq!(back["interchanges"][0]["messages"][0]["UCI"]["UCI04"], "7");

    // One message refused: UCM action 4, the interchange still acknowledged.
    let second = SetAt {
        interchange: 0,
        group: None,
        set: 1,
    };
    let refusals = HashMap::from([(second, Refusal::content("`/order_date` is required".into(), true))]);
    let replies = contrl(&decoded, &refusals, false, ("261126", "1305"));
    let c = &replies[0]["interchanges"][0]["messages"][0];
    assert_eq!(c["UCI"]["UCI04"], "7");
    assert_eq!(c["UCM_group"][1]["UCM"]["UCM03"], "4");
    assert_eq!(c["UCM_group"][1]["UCM"]["UCM04"], "18");
    edifact_round_trip(&replies[0]);

    // The APERAK says which message and why, and is valid EDIFACT.
    let advices = aperak(&decoded, &refusals, ("261126", "1305"));
    let back = edifact_round_trip(&advices[0]);
    let a = &back["interchanges"][0]["messages"][0];
    assert_eq!(a["message_type"], "APERAK");
    assert_eq!(
        a["RFF_group"][0]["RFF"]["RFF01"],
        json!({"RFF01-1": "ACW", "RFF01-2": "2"})
    );
    assert_eq!(a["ERC_group"][0]["ERC"]["ERC01"], "13");
    // One component of text: read back as a plain string.
    assert!(a["ERC_group"][0]["FTX"]["FTX04"].to_string().contains("order_date"));
}

#[test]
fn an_unreadable_edifact_message_is_rejected() {
    let bad = ORDERS.replace("UNT+3+2'", "UNT+7+2'");
    let error = decode(Format::Edifact, bad.as_bytes(), &strict()).unwrap_err();
    let (tree, located) = envelope(Format::Edifact, bad.as_bytes(), &error).unwrap();
    let (set, refusal) = located.unwrap();
    assert_eq!(set.set, 1);
    assert_eq!(refusal.fault, Fault::SegmentCount);
    let replies = contrl(&tree, &HashMap::from([(set, refusal)]), true, ("261126", "1305"));
    let c = &replies[0]["interchanges"][0]["messages"][0];
    assert_eq!(c["UCI"]["UCI04"], "4");
    assert_eq!(c["UCM_group"].as_array().unwrap().len(), 1);
    assert_eq!(c["UCM_group"][0]["UCM"]["UCM04"], "29");
}

#[test]
fn receipts_read_what_the_partner_acknowledged() {
    // A 997 like the hub's own, as the partner would send it for our interchange 101.
    let decoded = decode(Format::X12, PO.as_bytes(), &DecodeOptions::default()).unwrap();
    let refusals = HashMap::from([(at(1), Refusal::syntax("bad", "PO1", 3, Some(2)))]);
    let back = x12_round_trip(&functional_ack(&decoded, &refusals, false, NOW).unwrap(), "5");
    let got = receipts(Format::X12, &back);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].control_number, 101);
    assert_eq!(got[0].status, "partially_accepted");
    assert!(
        got[0]
            .detail
            .contains("set 0002 (850): R (5 one or more segments in error)"),
        "{}",
        got[0].detail
    );
    assert!(
        got[0].detail.contains("segment PO1 at 3 (code 8), element 2 (code 7)"),
        "{}",
        got[0].detail
    );
    let clean = x12_round_trip(&functional_ack(&decoded, &HashMap::new(), false, NOW).unwrap(), "6");
    assert_eq!(receipts(Format::X12, &clean)[0].status, "acknowledged_with_errors");

    // A CONTRL rejecting one message of interchange 77.
    let decoded = decode(Format::Edifact, ORDERS.as_bytes(), &DecodeOptions::default()).unwrap();
    let second = SetAt {
        interchange: 0,
        group: None,
        set: 1,
    };
    let refusals = HashMap::from([(second, Refusal::syntax("x", "BGM", 2, Some(2)))]);
    let back = edifact_round_trip(&contrl(&decoded, &refusals, false, ("261126", "1305"))[0]);
    let got = receipts(Format::Edifact, &back);
    assert_eq!(got[0].control_number, 77);
    assert_eq!(got[0].status, "partially_accepted");
    assert!(
        got[0]
            .detail
            .contains("message 2 (ORDERS) rejected, error code 12; segment 2"),
        "{}",
        got[0].detail
    );
    // A 999 says the same with IK3/IK4/IK5.
    let nine = "ISA*00*          *00*          *ZZ*DEALER01       *ZZ*BRANDOWNER     *261126*1300*^*00501*000000902*0*P*>~\
GS*FA*DEALER01*BRANDOWNER*20261126*1300*902*X*005010X231A1~ST*999*0001*005010X231A1~AK1*PO*42*005010X222A1~\
AK2*850*0003~IK3*N1*7**8~IK4*4*67*7*ZZ9~IK5*R*5~AK9*R*1*1*0~SE*8*0001~GE*1*902~IEA*1*000000902~";
    let tree = decode(Format::X12, nine.as_bytes(), &strict()).unwrap();
    let got = receipts(Format::X12, &tree);
    assert_eq!((got[0].control_number, got[0].status), (42, "rejected"));
    assert!(
        got[0].detail.contains(
            "set 0003 (850): R (5 one or more segments in error); segment N1 at 7 (code 8), element 4 (code 7)"
        ),
        "{}",
        got[0].detail
    );

    // Ordinary documents hold no receipts.
    assert!(receipts(Format::X12, &decoded).is_empty());
}

#[test]
fn interchanges_split_into_one_tree_per_set() {
    let mut decoded = decode(Format::X12, PO.as_bytes(), &DecodeOptions::default()).unwrap();
    // A received 997 group beside the orders is not a document to map.
    let fa = json!({"functional_id": "FA", "control_number": "9", "transactions": [{"set_id": "997"}]});
    decoded["interchanges"][0]["groups"].as_array_mut().unwrap().push(fa);
    let sets = split_sets(Format::X12, &decoded);
    assert_eq!(sets.len(), 2);
    let (where_, one) = &sets[1];
    assert_eq!(*where_, at(1));
    let i = &one["interchanges"][0];
    assert_eq!(i["sender_id"], "DEALER01");
    assert_eq!(i["groups"].as_array().unwrap().len(), 1);
    assert_eq!(i["groups"][0]["control_number"], "101");
    let t = i["groups"][0]["transactions"].as_array().unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["control_number"], "0002");
    assert_eq!(set_reference(&decoded, at(1)).as_deref(), Some("0002"));

    let decoded = decode(Format::Edifact, ORDERS.as_bytes(), &DecodeOptions::default()).unwrap();
    let sets = split_sets(Format::Edifact, &decoded);
    assert_eq!(sets.len(), 2);
    assert_eq!(sets[1].1["interchanges"][0]["messages"][0]["BGM"]["BGM02"], "PO-2");
    assert_eq!(sets[1].1["interchanges"][0]["control_reference"], "77");
    assert!(split_sets(Format::Json, &json!({"interchanges": []})).is_empty());
}

#[test]
fn x12_text_keeps_only_what_an_element_can_carry() {
    assert_eq!(x12_text("a*b~c>d^e:f", 60), "a b c d e f");
    assert_eq!(x12_text("中文 ok", 60), "ok");
    assert_eq!(x12_text(&"x".repeat(100), 60).len(), 60);
}
