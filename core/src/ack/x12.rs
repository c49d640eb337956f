//! The X12 answers: the 997 functional acknowledgement (AK1/AK2/AK3/AK4/AK5/AK9) and the 824
//! application advice (BGN, OTI per refused transaction set, TED per reason), as interchange
//! trees for the X12 writer, addressed back to the sender and left unnumbered (the hub numbers
//! them at delivery like any other interchange).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::sets::is_ack_group;
use super::{Fault, Refusal, SetAt, x12_text};

/// `(YYMMDD, CCYYMMDD, HHMM)`.
pub type X12Now<'a> = (&'a str, &'a str, &'a str);

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().trim().to_owned()
}

/// The 997 acknowledging every functional group of `tree` (received 997s excepted), or `None`
/// when there is none. Each transaction set is accepted (`A`), accepted with errors (`E`, when
/// decoding warned about it: AK3/AK4 name the segment and element), or rejected (`R`) when
/// `refusals` holds it, with the AK5 code of its fault and, for a faulty segment, AK3/AK4.
/// With `input_refused` (the interchange could not be read as a whole), sets not in `refusals`
/// were not processed: they are not listed, and each group is rejected.
#[must_use]
pub fn functional_ack(
    tree: &Value,
    refusals: &HashMap<SetAt, Refusal>,
    input_refused: bool,
    now: X12Now<'_>,
) -> Option<Value> {
    let interchanges = tree.get("interchanges")?.as_array()?;
    let first = interchanges.first()?;
    let mut sets = Vec::new();
    let mut first_group = None;
    for (i, interchange) in interchanges.iter().enumerate() {
        let warnings: Vec<&Value> = interchange
            .get("warnings")
            .and_then(Value::as_array)
            .map(|w| w.iter().collect())
            .unwrap_or_default();
        for (g, group) in interchange
            .get("groups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .filter(|(_, g)| !is_ack_group(g))
        {
            first_group.get_or_insert(group);
            let at = |t| SetAt {
                interchange: i,
                group: Some(g),
                set: t,
            };
            sets.push(acknowledge_group(
                group,
                &warnings,
                &|t| refusals.get(&at(t)),
                input_refused,
            ));
        }
    }
    let group = first_group?;
    let (yymmdd, ccyymmdd, hhmm) = now;
    let version = Some(text(group, "version"))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "004010".into());
    Some(reply(first, group, "FA", &version, sets, (yymmdd, ccyymmdd, hhmm)))
}

/// The interchange carrying `transactions` back to the sender of `interchange` and `group`.
fn reply(
    interchange: &Value,
    group: &Value,
    functional_id: &str,
    version: &str,
    transactions: Vec<Value>,
    now: X12Now<'_>,
) -> Value {
    let (yymmdd, ccyymmdd, hhmm) = now;
    json!({"interchanges": [{
        "authorization_qualifier": "00",
        "security_qualifier": "00",
        "sender_qualifier": text(interchange, "receiver_qualifier"),
        "sender_id": text(interchange, "receiver_id"),
        "receiver_qualifier": text(interchange, "sender_qualifier"),
        "receiver_id": text(interchange, "sender_id"),
        "date": yymmdd,
        "time": hhmm,
        "version": text(interchange, "version"),
        "ack_requested": "0",
        "usage_indicator": Some(text(interchange, "usage_indicator")).filter(|u| !u.is_empty()).unwrap_or_else(|| "P".into()),
        "groups": [{
            "functional_id": functional_id,
            "sender_id": text(group, "receiver_id"),
            "receiver_id": text(group, "sender_id"),
            "date": ccyymmdd,
            "time": hhmm,
            "agency": "X",
            "version": version,
            "transactions": transactions,
        }],
    }]})
}

/// One 997 transaction set for one received functional group.
fn acknowledge_group<'r>(
    group: &Value,
    warnings: &[&Value],
    refusal: &dyn Fn(usize) -> Option<&'r Refusal>,
    input_refused: bool,
) -> Value {
    let sets: Vec<&Value> = group
        .get("transactions")
        .and_then(Value::as_array)
        .map(|t| t.iter().collect())
        .unwrap_or_default();
    let mut ak2_loops = Vec::new();
    let mut accepted = 0;
    let mut with_errors = false;
    for (t, set) in sets.iter().enumerate() {
        let control = text(set, "control_number");
        let mut ak2 = Map::new();
        ak2.insert("AK2".into(), json!({"AK201": text(set, "set_id"), "AK202": control}));
        let (ak3, ak5) = match refusal(t) {
            Some(r) => rejection(r),
            None if input_refused => continue,
            None => {
                let (ak3, ak5) = warned(&control, warnings);
                accepted += 1;
                with_errors |= ak5["AK501"] == "E";
                (ak3, ak5)
            }
        };
        if !ak3.is_empty() {
            ak2.insert("AK3_loop".into(), Value::Array(ak3));
        }
        ak2.insert("AK5".into(), ak5);
        ak2_loops.push(Value::Object(ak2));
    }
    let received = sets.len();
    let status = match (input_refused, accepted) {
        (true, _) | (false, 0) if received > 0 => "R",
        _ if accepted == received && with_errors => "E",
        _ if accepted == received => "A",
        _ => "P",
    };
    let mut fa = json!({
        "set_id": "997",
        "AK1": {"AK101": text(group, "functional_id"), "AK102": text(group, "control_number")},
        "AK9": {"AK901": status, "AK902": received.to_string(), "AK903": received.to_string(), "AK904": accepted.to_string()},
    });
    if !ak2_loops.is_empty() {
        fa["AK2_loop"] = Value::Array(ak2_loops);
    }
    fa
}

/// AK3 loops and the AK5 of a refused set.
fn rejection(r: &Refusal) -> (Vec<Value>, Value) {
    let code = match &r.fault {
        Fault::SegmentCount => "4",
        Fault::ControlNumber => "3",
        Fault::TrailerMissing => "2",
        Fault::Segment { .. } | Fault::Content { .. } => "5",
    };
    let mut ak3 = Vec::new();
    if let Fault::Segment {
        tag,
        position,
        element,
        missing,
    } = &r.fault
    {
        let mut loop_ = Map::new();
        // AK304: 8 = segment has data element errors; 1 = unrecognized segment id; 2 = unexpected.
        let segment_code = match (element, tag.is_empty()) {
            (Some(_), _) => "8",
            (None, true) => "1",
            (None, false) => "2",
        };
        let mut segment = json!({"AK302": position.to_string(), "AK304": segment_code});
        if !tag.is_empty() {
            segment["AK301"] = json!(tag.to_uppercase());
        }
        loop_.insert("AK3".into(), segment);
        if let Some(element) = element {
            // AK403: 1 = mandatory data element missing; 7 = invalid code value.
            let element_code = if *missing { "1" } else { "7" };
            loop_.insert(
                "AK4".into(),
                json!([{"AK401": element.to_string(), "AK403": element_code}]),
            );
        }
        ak3.push(Value::Object(loop_));
    }
    (ak3, json!({"AK501": "R", "AK502": code}))
}

/// AK3 loops and the AK5 for the accepted set with control number `control`, from the
/// decoder's warnings that name it: trailer disagreements become AK5 codes (4: segment count,
/// 3: control numbers), segment-level warnings AK3 (code 2, unexpected segment) with an AK4
/// naming the element.
fn warned(control: &str, warnings: &[&Value]) -> (Vec<Value>, Value) {
    let mut ak3 = Vec::new();
    let mut codes: Vec<&str> = Vec::new();
    let about = format!("transaction set {control}");
    for w in warnings {
        let message = w.get("message").and_then(Value::as_str).unwrap_or_default();
        if control.is_empty() || !message.contains(&about) {
            continue;
        }
        // The same reading of the decoder's words as for a refusal, with the codes of an accepted set.
        match Refusal::syntax(message, "", 0, None).fault {
            Fault::SegmentCount => codes.push("4"),
            Fault::ControlNumber => codes.push("3"),
            _ => {
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
    }
    let ak5 = match (codes.first(), ak3.is_empty()) {
        (None, true) => json!({"AK501": "A"}),
        (Some(code), _) => json!({"AK501": "E", "AK502": code}),
        (None, false) => json!({"AK501": "E", "AK502": "5"}),
    };
    (ak3, ak5)
}

/// The 824 application advice for the refused sets of `tree`, or `None` when nothing was
/// refused: one OTI loop per set (OTI01 `TR` rejected, the set's control number, group and set
/// id), with its reason in TED segments (TED01 `007` missing data, `848` incorrect data, `024`
/// other), 60 characters each.
#[must_use]
pub fn application_advice(tree: &Value, refusals: &HashMap<SetAt, Refusal>, now: X12Now<'_>) -> Option<Value> {
    if refusals.is_empty() {
        return None;
    }
    let interchanges = tree.get("interchanges")?.as_array()?;
    let mut refused: Vec<(&SetAt, &Refusal)> = refusals.iter().collect();
    refused.sort_by_key(|(at, _)| **at);
    let mut oti_loops = Vec::new();
    let mut first = None;
    for (at, refusal) in refused {
        let interchange = interchanges.get(at.interchange)?;
        let group = interchange.get("groups")?.get(at.group?)?;
        let set = group.get("transactions")?.get(at.set)?;
        first.get_or_insert((interchange, group));
        let code = match refusal.fault {
            Fault::Content { missing: true } | Fault::Segment { missing: true, .. } => "007",
            Fault::Content { missing: false } | Fault::Segment { missing: false, .. } => "848",
            _ => "024",
        };
        let reason = x12_text(&refusal.reason, 240);
        let mut teds: Vec<Value> = reason
            .chars()
            .collect::<Vec<_>>()
            .chunks(60)
            .map(|chunk| json!({"TED": {"TED01": code, "TED02": chunk.iter().collect::<String>().trim()}}))
            .collect();
        if teds.is_empty() {
            teds.push(json!({"TED": {"TED01": code}}));
        }
        oti_loops.push(json!({
            "OTI": {
                "OTI01": "TR",
                "OTI02": "TN",
                "OTI03": text(set, "control_number"),
                "OTI08": text(group, "control_number"),
                "OTI09": text(set, "control_number"),
                "OTI10": text(set, "set_id"),
            },
            "TED_loop": teds,
        }));
    }
    let (interchange, group) = first?;
    let (_, ccyymmdd, hhmm) = now;
    let advice = json!({
        "set_id": "824",
        "BGN": {"BGN01": "00", "BGN02": format!("AG{}", text(interchange, "control_number")), "BGN03": ccyymmdd, "BGN04": hhmm},
        "OTI_loop": oti_loops,
    });
    let version = Some(text(group, "version"))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "004010".into());
    Some(reply(interchange, group, "AG", &version, vec![advice], now))
}
