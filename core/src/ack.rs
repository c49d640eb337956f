//! Functional acknowledgements: the X12 997 an X12 source answers every functional group with,
//! and the EDIFACT CONTRL an EDIFACT source answers every interchange with. Built from the
//! decoded interchange (the tree `formats` produces), addressed back to the sender (sender and
//! receiver swapped), and committed as ordinary outbound messages to the source's `ack.sink`; the
//! hub numbers their interchanges at delivery like any other.

use serde_json::{Map, Value, json};

/// The 997 acknowledging every functional group of every interchange in `decoded`, as one
/// interchange tree for the X12 writer (control numbers left out), or `None` when the input
/// holds no functional group. `now` is `(YYMMDD, YYYYMMDD, HHMM)`.
///
/// A transaction set is accepted (`A`) when decoding raised no warning about it, accepted with
/// errors (`E`) when it did (e.g. an SE01 count that disagrees: AK3/AK4 then name the segment
/// and element); a group is `A`, `E` or `P` (partially accepted) accordingly.
#[must_use]
pub fn x12_997(decoded: &Value, now: (&str, &str, &str)) -> Option<Value> {
    let interchanges = decoded.get("interchanges")?.as_array()?;
    let first = interchanges.first()?;
    let mut groups = Vec::new();
    for interchange in interchanges {
        let warnings: Vec<&Value> = interchange
            .get("warnings")
            .and_then(Value::as_array)
            .map(|w| w.iter().collect())
            .unwrap_or_default();
        for group in interchange
            .get("groups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            groups.push(acknowledge_group(group, &warnings));
        }
    }
    if groups.is_empty() {
        return None;
    }
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let version = first
        .get("groups")
        .and_then(|g| g.get(0))
        .map(|g| text(g, "version"))
        .unwrap_or_else(|| "004010".into());
    let (yymmdd, ccyymmdd, hhmm) = now;
    let ack_groups = vec![json!({
        "functional_id": "FA",
        "sender_id": first.get("groups").and_then(|g| g.get(0)).map(|g| text(g, "receiver_id")).unwrap_or_default(),
        "receiver_id": first.get("groups").and_then(|g| g.get(0)).map(|g| text(g, "sender_id")).unwrap_or_default(),
        "date": ccyymmdd,
        "time": hhmm,
        "agency": "X",
        "version": version,
        "transactions": groups,
    })];
    Some(json!({"interchanges": [{
        "authorization_qualifier": "00",
        "security_qualifier": "00",
        "sender_qualifier": text(first, "receiver_qualifier"),
        "sender_id": text(first, "receiver_id"),
        "receiver_qualifier": text(first, "sender_qualifier"),
        "receiver_id": text(first, "sender_id"),
        "date": yymmdd,
        "time": hhmm,
        "version": text(first, "version"),
        "ack_requested": "0",
        "usage_indicator": first.get("usage_indicator").and_then(Value::as_str).unwrap_or("P"),
        "groups": ack_groups,
    }]}))
}

/// One 997 transaction set for one received functional group.
fn acknowledge_group(group: &Value, warnings: &[&Value]) -> Value {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let sets: Vec<&Value> = group
        .get("transactions")
        .and_then(Value::as_array)
        .map(|t| t.iter().collect())
        .unwrap_or_default();
    let mut ak2_loops = Vec::new();
    for set in &sets {
        let control = text(set, "control_number");
        let mut ak2 = Map::new();
        ak2.insert("AK2".into(), json!({"AK201": text(set, "set_id"), "AK202": control}));
        let (ak3, ak5) = set_errors(&control, warnings);
        if !ak3.is_empty() {
            ak2.insert("AK3_loop".into(), Value::Array(ak3));
        }
        ak2.insert("AK5".into(), ak5);
        ak2_loops.push(Value::Object(ak2));
    }
    let received = sets.len().to_string();
    let clean = ak2_loops.iter().all(|l| l["AK5"]["AK501"] == "A");
    json!({
        "set_id": "997",
        "AK1": {"AK101": text(group, "functional_id"), "AK102": text(group, "control_number")},
        "AK2_loop": ak2_loops,
        // Every set was accepted (the hub took the input); with errors noted where decoding warned.
        "AK9": {"AK901": if clean { "A" } else { "E" }, "AK902": received, "AK903": received, "AK904": received},
    })
}

/// AK3 loops and the AK5 for the set with control number `control`, from the decoder's warnings
/// that name it: trailer disagreements become AK5 codes (4: segment count, 3: control numbers),
/// segment-level warnings AK3 (code 2, unexpected segment) with an AK4 naming the element.
fn set_errors(control: &str, warnings: &[&Value]) -> (Vec<Value>, Value) {
    let mut ak3 = Vec::new();
    let mut codes: Vec<&str> = Vec::new();
    let about = format!("transaction set {control}");
    for w in warnings {
        let message = w.get("message").and_then(Value::as_str).unwrap_or_default();
        if control.is_empty() || !message.contains(&about) {
            continue;
        }
        if message.contains(" says ") {
            codes.push("4");
        } else if message.contains("does not match") {
            codes.push("3");
        } else {
            let tag = w.get("tag").and_then(Value::as_str).unwrap_or_default().to_uppercase();
            let position = w.get("segment").and_then(Value::as_u64).unwrap_or(0).to_string();
            let mut loop_ = Map::new();
            loop_.insert("AK3".into(), json!({"AK301": tag, "AK302": position, "AK304": "2"}));
            if let Some(element) = w.get("element").and_then(Value::as_u64) {
                loop_.insert("AK4".into(), json!([{"AK401": element.to_string(), "AK403": "3"}]));
            }
            ak3.push(Value::Object(loop_));
        }
    }
    let ak5 = match (codes.first(), ak3.is_empty()) {
        (None, true) => json!({"AK501": "A"}),
        (Some(code), _) => json!({"AK501": "E", "AK502": code}),
        (None, false) => json!({"AK501": "E", "AK502": "5"}),
    };
    (ak3, ak5)
}

/// One CONTRL per interchange in `decoded`, each as an interchange tree for the EDIFACT writer
/// (references left out): UCI acknowledging the interchange and a UCM per message (action 7,
/// acknowledged). `now` is `(YYMMDD, HHMM)`.
#[must_use]
pub fn edifact_contrl(decoded: &Value, now: (&str, &str)) -> Vec<Value> {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let party = |id: String, qualifier: String| {
        if qualifier.is_empty() {
            json!(id)
        } else {
            json!({"1": id, "2": qualifier})
        }
    };
    let mut out = Vec::new();
    for interchange in decoded
        .get("interchanges")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let messages: Vec<&Value> = match interchange.get("groups").and_then(Value::as_array) {
            Some(groups) => groups
                .iter()
                .flat_map(|g| g.get("messages").and_then(Value::as_array).into_iter().flatten())
                .collect(),
            None => interchange
                .get("messages")
                .and_then(Value::as_array)
                .map(|m| m.iter().collect())
                .unwrap_or_default(),
        };
        let ucm: Vec<Value> = messages
            .iter()
            .map(|m| {
                json!({"UCM": {
                    "UCM01": text(m, "message_reference"),
                    "UCM02": {"UCM02-1": text(m, "message_type"), "UCM02-2": text(m, "version"),
                              "UCM02-3": text(m, "release"), "UCM02-4": text(m, "agency")},
                    "UCM03": "7",
                }})
            })
            .collect();
        let composite = |prefix: &str, v: Value| match v {
            Value::Object(parts) => {
                Value::Object(parts.into_iter().map(|(k, v)| (format!("{prefix}-{k}"), v)).collect())
            }
            other => other,
        };
        let sender = party(text(interchange, "sender_id"), text(interchange, "sender_qualifier"));
        let recipient = party(
            text(interchange, "recipient_id"),
            text(interchange, "recipient_qualifier"),
        );
        let mut contrl = Map::new();
        contrl.insert("message_type".into(), json!("CONTRL"));
        contrl.insert("version".into(), json!("D"));
        contrl.insert("release".into(), json!("3"));
        contrl.insert("agency".into(), json!("UN"));
        contrl.insert(
            "UCI".into(),
            json!({
                "UCI01": text(interchange, "control_reference"),
                "UCI02": composite("UCI02", sender),
                "UCI03": composite("UCI03", recipient),
                "UCI04": "7",
            }),
        );
        if !ucm.is_empty() {
            contrl.insert("UCM_group".into(), Value::Array(ucm));
        }
        let (yymmdd, hhmm) = now;
        let mut reply = Map::new();
        for key in ["syntax_identifier", "syntax_version"] {
            reply.insert(key.into(), json!(text(interchange, key)));
        }
        for (to, from) in [
            ("sender_id", "recipient_id"),
            ("sender_qualifier", "recipient_qualifier"),
            ("recipient_id", "sender_id"),
            ("recipient_qualifier", "sender_qualifier"),
        ] {
            if let Some(v) = interchange.get(from) {
                reply.insert(to.into(), v.clone());
            }
        }
        reply.insert("date".into(), json!(yymmdd));
        reply.insert("time".into(), json!(hhmm));
        reply.insert("messages".into(), json!([Value::Object(contrl)]));
        out.push(json!({"interchanges": [Value::Object(reply)]}));
    }
    out
}

#[cfg(test)]
mod tests {
    use channelhub_formats::{DecodeOptions, EncodeOptions, Format, decode, encode};
    use serde_json::json;

    use super::*;

    const PO: &str = "ISA*00*          *00*          *ZZ*DEALER01       *ZZ*BRANDOWNER     *261126*1200*U*00401*000000101*0*P*>~\
GS*PO*DEALER01*BRANDOWNER*20261126*1200*101*X*004010~\
ST*850*0001~BEG*00*SA*PO-1**20261126~PO1*1*2*EA*10**VP*SKU-1~CTT*1~SE*5*0001~\
ST*850*0002~BEG*00*SA*PO-2**20261126~PO1*1*2*EA*10**VP*SKU-1~CTT*1~SE*9*0002~\
GE*2*101~IEA*1*000000101~";

    #[test]
    fn a_997_answers_each_group_and_set_addressed_back() {
        let decoded = decode(Format::X12, PO.as_bytes(), &DecodeOptions::default()).unwrap();
        let ack = x12_997(&decoded, ("261126", "20261126", "1305")).unwrap();
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

        // It is valid X12 once numbered: the writer takes it and the strict reader reads it back.
        let mut numbered = ack.clone();
        numbered["interchanges"][0]["control_number"] = json!("000000001");
        numbered["interchanges"][0]["groups"][0]["control_number"] = json!("1");
        numbered["interchanges"][0]["groups"][0]["transactions"][0]["control_number"] = json!("0001");
        let bytes = encode(Format::X12, &numbered, &EncodeOptions::default()).unwrap();
        let strict = DecodeOptions {
            strict: true,
            ..DecodeOptions::default()
        };
        let back = decode(Format::X12, &bytes, &strict).unwrap();
        assert_eq!(
            back["interchanges"][0]["groups"][0]["transactions"][0]["AK9"]["AK901"],
            "E"
        );
    }

    #[test]
    fn no_group_no_ack() {
        assert!(x12_997(&json!({"interchanges": [{"groups": []}]}), ("", "", "")).is_none());
        assert!(x12_997(&json!({"a": 1}), ("", "", "")).is_none());
    }

    #[test]
    fn a_contrl_answers_each_interchange_and_message() {
        let orders = "UNB+UNOC:3+DEALER:14+BRAND:14+261126:1200+77'UNH+1+ORDERS:D:96A:UN'BGM+220+PO-1+9'UNT+3+1'\
                      UNH+2+ORDERS:D:96A:UN'BGM+220+PO-2+9'UNT+3+2'UNZ+2+77'";
        let decoded = decode(Format::Edifact, orders.as_bytes(), &DecodeOptions::default()).unwrap();
        let replies = edifact_contrl(&decoded, ("261126", "1305"));
        assert_eq!(replies.len(), 1);
        let i = &replies[0]["interchanges"][0];
        assert_eq!(
            (i["sender_id"].as_str(), i["recipient_id"].as_str()),
            (Some("BRAND"), Some("DEALER"))
        );
        let c = &i["messages"][0];
        assert_eq!(c["UCI"]["UCI01"], "77");
        assert_eq!(c["UCI"]["UCI02"], json!({"UCI02-1": "DEALER", "UCI02-2": "14"}));
        assert_eq!(c["UCM_group"][1]["UCM"]["UCM01"], "2");
        assert_eq!(c["UCM_group"][1]["UCM"]["UCM02"]["UCM02-1"], "ORDERS");

        // Valid EDIFACT once referenced: written, and read back strictly.
        let mut numbered = replies[0].clone();
        numbered["interchanges"][0]["control_reference"] = json!("1");
        numbered["interchanges"][0]["messages"][0]["message_reference"] = json!("1");
        let bytes = encode(Format::Edifact, &numbered, &EncodeOptions::default()).unwrap();
        let strict = DecodeOptions {
            strict: true,
            ..DecodeOptions::default()
        };
        let back = decode(Format::Edifact, &bytes, &strict).unwrap();
        assert_eq!(back["interchanges"][0]["messages"][0]["UCI"]["UCI04"], "7");
    }
}
