//! Reading the partner's functional acknowledgements (X12 997 and 999 in `FA` groups, EDIFACT
//! CONTRL) into receipts: which interchange of ours they answer and what they say of it.

use channelhub_formats::Format;
use serde_json::Value;

use super::sets::{is_ack_group, is_ack_message};

/// What a partner's acknowledgement says about one interchange the hub sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The control number acknowledged: X12 AK102 (the group's, which the hub gives the same
    /// number as its interchange), EDIFACT UCI01 (the interchange's).
    pub control_number: i64,
    /// `acknowledged`, `acknowledged_with_errors`, `partially_accepted` or `rejected`.
    pub status: &'static str,
    /// The partner's codes in words: the sets or messages it rejected, the segments and
    /// elements it named. Empty for a clean acknowledgement.
    pub detail: String,
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.trim().to_owned(),
        // A composite: its first component.
        Some(Value::Object(o)) => o
            .values()
            .next()
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_owned(),
        _ => String::new(),
    }
}

fn each<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    match v.get(key) {
        Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(one) => vec![one],
        None => Vec::new(),
    }
    .into_iter()
}

/// The receipts in `tree`: one per 997/999 transaction set, one per CONTRL. An acknowledgement
/// whose control number is not a number is skipped (it cannot name an interchange of ours).
#[must_use]
pub fn receipts(format: Format, tree: &Value) -> Vec<Receipt> {
    let interchanges = tree.get("interchanges").and_then(Value::as_array).into_iter().flatten();
    match format {
        Format::X12 => interchanges
            .flat_map(|i| each(i, "groups").filter(|g| is_ack_group(g)))
            .flat_map(|g| each(g, "transactions"))
            .filter_map(x12_receipt)
            .collect(),
        Format::Edifact => interchanges
            .flat_map(|i| {
                each(i, "messages")
                    .chain(each(i, "groups").flat_map(|g| each(g, "messages")))
                    .collect::<Vec<_>>()
            })
            .filter(|m| is_ack_message(m))
            .filter_map(contrl_receipt)
            .collect(),
        _ => Vec::new(),
    }
}

/// A 997 or a 999 implementation acknowledgment.
fn x12_receipt(set: &Value) -> Option<Receipt> {
    let segment = |tag: &str| set.get(tag);
    let ak1 = segment("AK1")?;
    let control_number = text(ak1, "AK102").parse().ok()?;
    let ak9 = segment("AK9");
    let status = match ak9.map(|s| text(s, "AK901")).as_deref() {
        Some("A") => "acknowledged",
        Some("E") => "acknowledged_with_errors",
        Some("P") => "partially_accepted",
        _ => "rejected",
    };
    let mut detail = Vec::new();
    for ak2 in each(set, "AK2_loop") {
        // A 997 says AK5/AK3/AK4, a 999 IK5/IK3/IK4 (the element errors in a loop of their own).
        let p = if ak2.get("IK5").is_some() || ak2.get("IK3_loop").is_some() {
            "IK"
        } else {
            "AK"
        };
        let ak5 = ak2.get(format!("{p}5"));
        let verdict = ak5.map(|s| text(s, &format!("{p}501"))).unwrap_or_default();
        if verdict == "A" {
            continue;
        }
        let head = ak2
            .get("AK2")
            .map(|s| format!("set {} ({})", text(s, "AK202"), text(s, "AK201")));
        let codes: Vec<String> = (2..=6)
            .filter_map(|n| ak5.map(|s| text(s, &format!("{p}50{n}"))).filter(|c| !c.is_empty()))
            .map(|c| format!("{c} {}", ak5_meaning(&c)))
            .collect();
        let mut line = format!("{}: {verdict}", head.unwrap_or_else(|| "a set".into()));
        if !codes.is_empty() {
            line.push_str(&format!(" ({})", codes.join(", ")));
        }
        for ak3 in each(ak2, &format!("{p}3_loop")) {
            let Some(s) = ak3.get(format!("{p}3")) else { continue };
            line.push_str(&format!(
                "; segment {} at {} (code {})",
                text(s, &format!("{p}301")),
                text(s, &format!("{p}302")),
                text(s, &format!("{p}304"))
            ));
            let elements = each(ak3, "AK4").chain(each(ak3, "IK4_loop").filter_map(|l| l.get("IK4")));
            for ak4 in elements {
                line.push_str(&format!(
                    ", element {} (code {})",
                    text(ak4, &format!("{p}401")),
                    text(ak4, &format!("{p}403"))
                ));
            }
        }
        detail.push(line);
    }
    if let Some(ak9) = ak9 {
        let codes: Vec<String> = (5..=9)
            .map(|n| text(ak9, &format!("AK90{n}")))
            .filter(|c| !c.is_empty())
            .collect();
        if !codes.is_empty() {
            detail.push(format!("group error codes {}", codes.join(", ")));
        }
        if status != "acknowledged" {
            detail.push(format!(
                "{} of {} sets accepted",
                text(ak9, "AK904"),
                text(ak9, "AK903")
            ));
        }
    }
    Some(Receipt {
        control_number,
        status,
        detail: detail.join("; "),
    })
}

/// The meaning of an AK5 transaction set syntax error code.
fn ak5_meaning(code: &str) -> &'static str {
    match code {
        "1" => "transaction set not supported",
        "2" => "trailer missing",
        "3" => "control number in header and trailer do not match",
        "4" => "number of included segments does not match actual count",
        "5" => "one or more segments in error",
        "6" => "missing or invalid transaction set identifier",
        "7" => "missing or invalid transaction set control number",
        "23" => "control number not unique within the functional group",
        _ => "see the X12 code list",
    }
}

fn contrl_receipt(message: &Value) -> Option<Receipt> {
    let uci = message.get("UCI")?;
    let control_number = text(uci, "UCI01").parse().ok()?;
    let action = text(uci, "UCI04");
    let mut detail = Vec::new();
    let code = text(uci, "UCI05");
    if !code.is_empty() {
        detail.push(format!("interchange error code {code}"));
    }
    let mut rejected_messages = 0;
    let ucm_groups = each(message, "UCM_group").chain(each(message, "UCF_group").flat_map(|f| each(f, "UCM_group")));
    for group in ucm_groups {
        let Some(ucm) = group.get("UCM") else { continue };
        if text(ucm, "UCM03") != "4" {
            continue;
        }
        rejected_messages += 1;
        let mut line = format!("message {} ({}) rejected", text(ucm, "UCM01"), text(ucm, "UCM02"));
        let code = text(ucm, "UCM04");
        if !code.is_empty() {
            line.push_str(&format!(", error code {code}"));
        }
        for ucs_group in each(group, "UCS_group") {
            let Some(ucs) = ucs_group.get("UCS") else { continue };
            line.push_str(&format!("; segment {}", text(ucs, "UCS01")));
            let code = text(ucs, "UCS02");
            if !code.is_empty() {
                line.push_str(&format!(" (code {code})"));
            }
            for ucd in each(ucs_group, "UCD") {
                line.push_str(&format!(
                    ", element {} (code {})",
                    text(ucd, "UCD02"),
                    text(ucd, "UCD01")
                ));
            }
        }
        detail.push(line);
    }
    let status = match (action.as_str(), rejected_messages) {
        ("4", _) => "rejected",
        (_, 0) => "acknowledged",
        _ => "partially_accepted",
    };
    Some(Receipt {
        control_number,
        status,
        detail: detail.join("; "),
    })
}
