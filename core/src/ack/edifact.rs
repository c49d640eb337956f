//! The EDIFACT answers: the CONTRL syntax and service report (UCI per interchange, UCM per
//! message, UCS/UCD naming a faulty segment and element) and the APERAK application error
//! message (per refused message: BGM, RFF to the message, ERC and FTX with the reason), as
//! interchange trees for the EDIFACT writer, addressed back to the sender and left
//! unreferenced (the hub numbers them at delivery).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::sets::is_ack_message;
use super::{Fault, Refusal, SetAt};

/// `(YYMMDD, HHMM)`; APERAK also dates itself `CCYYMMDDHHMM` from it.
pub type EdifactNow<'a> = (&'a str, &'a str);

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// The interchanges of `tree`, each with its messages and where they are.
fn interchanges(tree: &Value) -> impl Iterator<Item = (&Value, Vec<(SetAt, &Value)>)> {
    tree.get("interchanges")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, interchange)| (interchange, messages(i, interchange)))
}

/// The messages of interchange `i`, in its UNG groups or directly in it.
fn messages(i: usize, interchange: &Value) -> Vec<(SetAt, &Value)> {
    match interchange.get("groups").and_then(Value::as_array) {
        Some(groups) => groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| listed(i, Some(g), group))
            .collect(),
        None => listed(i, None, interchange),
    }
}

/// The `messages` of `parent` (an interchange, or group `group` of interchange `i`).
fn listed(i: usize, group: Option<usize>, parent: &Value) -> Vec<(SetAt, &Value)> {
    parent
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(set, msg)| {
            let at = SetAt {
                interchange: i,
                group,
                set,
            };
            (at, msg)
        })
        .collect()
}

/// An interchange addressed back to the sender of `interchange`, carrying `messages`.
fn reply(interchange: &Value, messages: Vec<Value>, now: EdifactNow<'_>) -> Value {
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
        if let Some(v) = interchange
            .get(from)
            .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        {
            reply.insert(to.into(), v.clone());
        }
    }
    let (yymmdd, hhmm) = now;
    reply.insert("date".into(), json!(yymmdd));
    reply.insert("time".into(), json!(hhmm));
    reply.insert("messages".into(), Value::Array(messages));
    json!({"interchanges": [Value::Object(reply)]})
}

/// One CONTRL per interchange of `tree` (received CONTRLs excepted): UCI acknowledging the
/// interchange (action 7) or rejecting it (4: every message refused, or `input_refused`), and a
/// UCM per message, acknowledged (7) or rejected (4) with the error code of its fault and, for
/// a faulty segment, UCS/UCD. With `input_refused`, messages not in `refusals` were not
/// processed and are not listed.
#[must_use]
pub fn contrl(
    tree: &Value,
    refusals: &HashMap<SetAt, Refusal>,
    input_refused: bool,
    now: EdifactNow<'_>,
) -> Vec<Value> {
    let party = |id: String, qualifier: String, prefix: &str| {
        if qualifier.is_empty() {
            json!(id)
        } else {
            json!({format!("{prefix}-1"): id, format!("{prefix}-2"): qualifier})
        }
    };
    let mut out = Vec::new();
    for (interchange, messages) in interchanges(tree) {
        let mut ucm = Vec::new();
        let (mut received, mut accepted) = (0, 0);
        for (at, message) in messages {
            if is_ack_message(message) {
                continue;
            }
            received += 1;
            let refusal = refusals.get(&at);
            if refusal.is_none() && input_refused {
                continue;
            }
            let mut head = json!({
                "UCM01": text(message, "message_reference"),
                "UCM02": {"UCM02-1": text(message, "message_type"), "UCM02-2": text(message, "version"),
                          "UCM02-3": text(message, "release"), "UCM02-4": text(message, "agency")},
                "UCM03": "7",
            });
            let mut occurrence = Map::new();
            match refusal {
                None => accepted += 1,
                Some(r) => {
                    head["UCM03"] = json!("4");
                    let (code, segment) = codes(&r.fault);
                    head["UCM04"] = json!(code);
                    if let Some(segment) = segment {
                        occurrence.insert("UCS_group".into(), json!([segment]));
                    }
                }
            }
            occurrence.insert("UCM".into(), head);
            ucm.push(Value::Object(occurrence));
        }
        if received == 0 {
            continue;
        }
        let action = if input_refused || accepted == 0 { "4" } else { "7" };
        let mut message = Map::new();
        message.insert("message_type".into(), json!("CONTRL"));
        message.insert("version".into(), json!("D"));
        message.insert("release".into(), json!("3"));
        message.insert("agency".into(), json!("UN"));
        message.insert(
            "UCI".into(),
            json!({
                "UCI01": text(interchange, "control_reference"),
                "UCI02": party(text(interchange, "sender_id"), text(interchange, "sender_qualifier"), "UCI02"),
                "UCI03": party(text(interchange, "recipient_id"), text(interchange, "recipient_qualifier"), "UCI03"),
                "UCI04": action,
            }),
        );
        if !ucm.is_empty() {
            message.insert("UCM_group".into(), Value::Array(ucm));
        }
        out.push(reply(interchange, vec![Value::Object(message)], now));
    }
    out
}

/// The syntax error code (0085) of a fault, and the UCS group naming its segment.
fn codes(fault: &Fault) -> (&'static str, Option<Value>) {
    match fault {
        // 29: control count does not match; 28: references do not match; 13: missing.
        Fault::SegmentCount => ("29", None),
        Fault::ControlNumber => ("28", None),
        Fault::TrailerMissing => ("13", None),
        Fault::Segment {
            position,
            element,
            missing,
            ..
        } => {
            // 13: missing; 12: invalid value; 15: not supported in this position.
            let code = if *missing { "13" } else { "12" };
            let mut group = json!({"UCS": {"UCS01": position.to_string()}});
            match element {
                Some(e) => group["UCD"] = json!([{"UCD01": code, "UCD02": {"UCD02-1": e.to_string()}}]),
                None => group["UCS"]["UCS02"] = json!("15"),
            }
            (code, Some(group))
        }
        // 18: unspecified error (the content; the APERAK says what).
        Fault::Content { .. } => ("18", None),
    }
}

/// The APERAK messages for the refused messages of `tree`, one interchange per interchange that
/// had refusals: BGM 305 (application error report) with function 27 (not accepted), RFF ACW
/// naming the refused message's reference, ERC with the error (13 missing, 12 invalid) and FTX
/// AAO with the reason in up to five 70-character parts.
#[must_use]
pub fn aperak(tree: &Value, refusals: &HashMap<SetAt, Refusal>, now: EdifactNow<'_>) -> Vec<Value> {
    let (yymmdd, hhmm) = now;
    let stamp = format!("20{yymmdd}{hhmm}");
    let mut out = Vec::new();
    for (interchange, messages) in interchanges(tree) {
        let mut advices = Vec::new();
        for (at, message) in messages {
            let Some(refusal) = refusals.get(&at) else {
                continue;
            };
            let reference = text(message, "message_reference");
            let code = match refusal.fault {
                Fault::Content { missing: true } | Fault::Segment { missing: true, .. } => "13",
                _ => "12",
            };
            let chars: Vec<char> = refusal.reason.chars().collect();
            let mut literal = Map::new();
            for (n, part) in chars.chunks(70).take(5).enumerate() {
                literal.insert(format!("FTX04-{}", n + 1), json!(part.iter().collect::<String>()));
            }
            let mut erc = json!({"ERC": {"ERC01": code}});
            if !literal.is_empty() {
                erc["FTX"] = json!({"FTX01": "AAO", "FTX04": Value::Object(literal)});
            }
            advices.push(json!({
                "message_type": "APERAK",
                "version": "D",
                "release": "96A",
                "agency": "UN",
                "BGM": {"BGM01": "305", "BGM02": format!("{}-{reference}", text(interchange, "control_reference")), "BGM03": "27"},
                "DTM": [{"DTM01": {"DTM01-1": "137", "DTM01-2": stamp, "DTM01-3": "203"}}],
                "RFF_group": [{"RFF": {"RFF01": {"RFF01-1": "ACW", "RFF01-2": reference}}}],
                "ERC_group": [erc],
            }));
        }
        if !advices.is_empty() {
            out.push(reply(interchange, advices, now));
        }
    }
    out
}
