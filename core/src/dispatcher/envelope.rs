//! Control numbers for outbound X12 and EDIFACT interchanges. Outbound mappings leave them out;
//! at delivery the interchange gets the number the store assigned to the delivery (one counter
//! per sink, never reused, kept across retries), its group the same number, and its transaction
//! sets or messages are numbered 1, 2, ... inside it; missing envelope dates and times are the
//! preparation time. Numbers and dates a mapping did set are kept.

use channelhub_formats::Format;
use serde_json::{Value, json};

use crate::config::InterchangeConfig;

/// The largest X12 interchange control number (ISA13 has nine digits).
const X12_MAX: i64 = 999_999_999;

/// Whether deliveries in `format` need a control number.
pub(super) fn numbered(format: Format) -> bool {
    matches!(format, Format::X12 | Format::Edifact)
}

/// Prepares an outbound X12 or EDIFACT interchange the way the hub does at delivery: addressed
/// with the partner's `interchange` ids when it has them ([`address`]), then numbered with
/// control number `n` and dated `now` where the mapping left numbers and dates out
/// ([`fill_at`]). Other formats are left alone.
///
/// # Errors
/// The interchange cannot be numbered (see [`fill_at`]).
pub fn prepare_interchange(
    format: Format,
    doc: &mut Value,
    n: i64,
    partner: Option<&InterchangeConfig>,
    now: &chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    if let Some(ids) = partner {
        address(format, doc, ids);
    }
    fill_at(format, doc, n, now)
}

/// Addresses an interchange to the partner as its `interchange` config says: sender and
/// receiver ids and qualifiers of the interchange and its X12 groups are the hub's and the
/// partner's. The config is what was agreed with the partner, so it wins over ids a mapping
/// took from the document; a qualifier the config leaves out is kept from the mapping (X12:
/// `ZZ` when neither gives one).
fn address(format: Format, doc: &mut Value, ids: &InterchangeConfig) {
    let (to_id, to_qualifier) = match format {
        Format::X12 => ("receiver_id", "receiver_qualifier"),
        Format::Edifact => ("recipient_id", "recipient_qualifier"),
        _ => return,
    };
    let Some(interchanges) = doc.get_mut("interchanges").and_then(Value::as_array_mut) else {
        return;
    };
    for interchange in interchanges.iter_mut().filter_map(Value::as_object_mut) {
        interchange.insert("sender_id".into(), json!(ids.our_id));
        interchange.insert(to_id.into(), json!(ids.id));
        for (key, configured) in [("sender_qualifier", &ids.our_qualifier), (to_qualifier, &ids.qualifier)] {
            match configured {
                Some(q) => {
                    interchange.insert(key.into(), json!(q));
                }
                // X12 qualifiers are mandatory (ZZ: mutually defined); EDIFACT ones optional.
                None if format == Format::X12 => {
                    interchange.entry(key).or_insert_with(|| json!("ZZ"));
                }
                None => {}
            }
        }
        if format == Format::X12 {
            for group in interchange
                .get_mut("groups")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object_mut)
            {
                let ours = ids.our_application_id.as_ref().unwrap_or(&ids.our_id);
                let theirs = ids.application_id.as_ref().unwrap_or(&ids.id);
                group.insert("sender_id".into(), json!(ours));
                group.insert("receiver_id".into(), json!(theirs));
            }
        }
    }
}

/// Fills the missing control numbers of the interchange tree `doc` with `n`, and its missing
/// interchange and group dates and times with `now`, the preparation time (X12 ISA09/ISA10
/// `YYMMDD`/`HHMM`, GS04/GS05 `CCYYMMDD`/`HHMM`; EDIFACT UNB04 `YYMMDD:HHMM`).
///
/// # Errors
/// A tree that is not one interchange (numbers are given per delivery), more than one
/// functional group without numbers, or `n` beyond what the standard's field can hold.
fn fill_at(format: Format, doc: &mut Value, n: i64, now: &chrono::DateTime<chrono::Utc>) -> Result<(), String> {
    let (group_key, number_key, items_key, item_number) = match format {
        Format::X12 => ("groups", "control_number", "transactions", "control_number"),
        Format::Edifact => ("groups", "control_reference", "messages", "message_reference"),
        _ => return Ok(()),
    };
    let Some(interchanges) = doc.get_mut("interchanges").and_then(Value::as_array_mut) else {
        return Err("the outbound tree has no `interchanges` array".into());
    };
    let [interchange] = interchanges.as_mut_slice() else {
        return Err(format!(
            "an outbound delivery carries one interchange, the mapping produced {}",
            interchanges.len()
        ));
    };
    let Some(interchange) = interchange.as_object_mut() else {
        return Err("`interchanges[0]` is not an object".into());
    };
    let isa = match format {
        Format::X12 if n > X12_MAX => return Err(format!("control number {n} exceeds ISA13's nine digits")),
        Format::X12 => json!(format!("{n:09}")),
        _ => json!(n.to_string()),
    };
    interchange.entry(number_key).or_insert(isa);
    interchange
        .entry("date")
        .or_insert_with(|| json!(now.format("%y%m%d").to_string()));
    interchange
        .entry("time")
        .or_insert_with(|| json!(now.format("%H%M").to_string()));
    let mut next = 1;
    let mut number_items = |items: Option<&mut Value>| {
        for item in items.and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(item) = item.as_object_mut() {
                let value = match format {
                    Format::X12 => json!(format!("{next:04}")),
                    _ => json!(next.to_string()),
                };
                item.entry(item_number).or_insert(value);
                next += 1;
            }
        }
    };
    match interchange.get_mut(group_key).and_then(Value::as_array_mut) {
        Some(groups) => {
            let unnumbered = groups.iter().filter(|g| g.get(number_key).is_none()).count();
            if unnumbered > 1 {
                return Err(format!(
                    "{unnumbered} functional groups without control numbers: give them in the mapping"
                ));
            }
            for group in groups.iter_mut().filter_map(Value::as_object_mut) {
                group.entry(number_key).or_insert(json!(n.to_string()));
                let date = if format == Format::X12 { "%Y%m%d" } else { "%y%m%d" };
                group
                    .entry("date")
                    .or_insert_with(|| json!(now.format(date).to_string()));
                group
                    .entry("time")
                    .or_insert_with(|| json!(now.format("%H%M").to_string()));
                number_items(group.get_mut(items_key));
            }
        }
        None => number_items(interchange.get_mut(items_key)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// [`fill_at`] now.
    fn fill(format: Format, doc: &mut Value, n: i64) -> Result<(), String> {
        fill_at(format, doc, n, &chrono::Utc::now())
    }

    #[test]
    fn x12_interchange_group_and_sets_are_numbered() {
        let mut doc = json!({"interchanges": [{"sender_id": "A", "groups": [{"functional_id": "PO",
            "transactions": [{"set_id": "850"}, {"set_id": "850", "control_number": "0777"}, {"set_id": "850"}]}]}]});
        fill(Format::X12, &mut doc, 42).unwrap();
        let i = &doc["interchanges"][0];
        assert_eq!(i["control_number"], "000000042");
        assert_eq!(i["groups"][0]["control_number"], "42");
        let sets: Vec<&Value> = i["groups"][0]["transactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| &t["control_number"])
            .collect();
        assert_eq!(sets, [&json!("0001"), &json!("0777"), &json!("0003")]);
        assert!(fill(Format::X12, &mut json!({"interchanges": [{}]}), 1_000_000_000).is_err());
        // Dates and times the mapping left out are the preparation time; given ones are kept.
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-26T08:05:00Z")
            .unwrap()
            .to_utc();
        let mut doc = json!({"interchanges": [{"date": "991231", "groups": [{"transactions": []}]}]});
        fill_at(Format::X12, &mut doc, 1, &at).unwrap();
        assert_eq!(doc["interchanges"][0]["date"], "991231");
        assert_eq!(doc["interchanges"][0]["time"], "0805");
        assert_eq!(doc["interchanges"][0]["groups"][0]["date"], "20261126");
    }

    #[test]
    fn envelopes_are_addressed_with_the_partners_ids() {
        let ids = InterchangeConfig {
            id: "DEALER01".into(),
            qualifier: Some("01".into()),
            our_id: "BRAND".into(),
            our_qualifier: None,
            application_id: None,
            our_application_id: Some("BRAND-APP".into()),
            ack_window: None,
        };
        // The mapping's ids (taken from the document) give way to the agreed ones; a qualifier
        // the config leaves out is kept.
        let mut doc = json!({"interchanges": [{"receiver_id": "SELLER-GLN-TOO-LONG", "sender_qualifier": "14",
            "groups": [{"functional_id": "IB", "receiver_id": "X"}]}]});
        address(Format::X12, &mut doc, &ids);
        let i = &doc["interchanges"][0];
        let got = (
            &i["sender_id"],
            &i["sender_qualifier"],
            &i["receiver_id"],
            &i["receiver_qualifier"],
        );
        assert_eq!(got, (&json!("BRAND"), &json!("14"), &json!("DEALER01"), &json!("01")));
        assert_eq!(i["groups"][0]["sender_id"], "BRAND-APP");
        assert_eq!(i["groups"][0]["receiver_id"], "DEALER01");
        let mut doc = json!({"interchanges": [{"messages": []}]});
        address(Format::Edifact, &mut doc, &ids);
        let i = &doc["interchanges"][0];
        assert_eq!(
            (&i["recipient_id"], &i["recipient_qualifier"]),
            (&json!("DEALER01"), &json!("01"))
        );
        assert!(i.get("sender_qualifier").is_none());
    }

    #[test]
    fn edifact_messages_are_numbered_without_groups() {
        let mut doc = json!({"interchanges": [{"messages": [{"message_type": "ORDERS"}, {"message_type": "ORDERS"}]}]});
        fill(Format::Edifact, &mut doc, 7).unwrap();
        assert_eq!(doc["interchanges"][0]["control_reference"], "7");
        assert_eq!(doc["interchanges"][0]["messages"][1]["message_reference"], "2");
    }

    #[test]
    fn trees_that_cannot_be_numbered_say_why() {
        let two = json!({"interchanges": [{}, {}]});
        assert!(
            fill(Format::X12, &mut two.clone(), 1)
                .unwrap_err()
                .contains("one interchange")
        );
        let groups = json!({"interchanges": [{"groups": [{}, {}]}]});
        assert!(
            fill(Format::X12, &mut groups.clone(), 1)
                .unwrap_err()
                .contains("2 functional groups")
        );
        assert!(
            fill(Format::Edifact, &mut json!({"x": 1}), 1)
                .unwrap_err()
                .contains("interchanges")
        );
        // JSON and XML trees are left alone.
        let mut doc = json!({"a": 1});
        fill(Format::Json, &mut doc, 1).unwrap();
        assert_eq!(doc, json!({"a": 1}));
    }
}
