//! One decoded interchange tree cut into one tree per transaction set (X12) or message
//! (EDIFACT), so each is mapped, accepted or refused on its own.

use channelhub_formats::Format;
use serde_json::{Map, Value};

/// Where one transaction set or message is in the decoded tree: `interchanges[interchange]`,
/// then `groups[group]` (X12 always; EDIFACT when the interchange has UNG groups), then
/// `transactions[set]` or `messages[set]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SetAt {
    pub interchange: usize,
    pub group: Option<usize>,
    pub set: usize,
}

/// Functional acknowledgements received are read as receipts, not mapped.
pub(super) fn is_ack_group(group: &Value) -> bool {
    group.get("functional_id").and_then(Value::as_str) == Some("FA")
}

/// A received CONTRL, read as a receipt rather than mapped.
pub(super) fn is_ack_message(message: &Value) -> bool {
    message.get("message_type").and_then(Value::as_str) == Some("CONTRL")
}

/// Every transaction set (X12) or message (EDIFACT) of `tree`, each as a tree of its own: its
/// interchange's envelope and warnings, its group's header, and itself only — the shape a
/// mapping of the whole interchange sees, holding one document. Functional acknowledgements
/// received (X12 `FA` groups, CONTRL messages) are left out. Other formats have no sets: empty.
#[must_use]
pub fn split_sets(format: Format, tree: &Value) -> Vec<(SetAt, Value)> {
    type Skip = fn(&Value) -> bool;
    let (items_key, skip_group, skip_item): (&str, Skip, Skip) = match format {
        Format::X12 => ("transactions", is_ack_group, |_| false),
        Format::Edifact => ("messages", |_| false, is_ack_message),
        _ => return Vec::new(),
    };
    let Some(interchanges) = tree.get("interchanges").and_then(Value::as_array) else {
        return Vec::new();
    };
    let top: Map<String, Value> = tree
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| *k != "interchanges")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let without = |v: &Value, key: &str| -> Map<String, Value> {
        v.as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, _)| *k != key)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let wrap = |mut interchange: Map<String, Value>, key: &str, inner: Value| {
        interchange.insert(key.to_owned(), Value::Array(vec![inner]));
        let mut tree = top.clone();
        tree.insert("interchanges".into(), Value::Array(vec![Value::Object(interchange)]));
        Value::Object(tree)
    };
    let mut out = Vec::new();
    for (i, interchange) in interchanges.iter().enumerate() {
        let envelope = without(
            interchange,
            if interchange.get("groups").is_some() {
                "groups"
            } else {
                items_key
            },
        );
        if let Some(groups) = interchange.get("groups").and_then(Value::as_array) {
            for (g, group) in groups.iter().enumerate().filter(|(_, g)| !skip_group(g)) {
                let header = without(group, items_key);
                for (t, item) in items(group, items_key).filter(|(_, t)| !skip_item(t)) {
                    let mut group = header.clone();
                    group.insert(items_key.to_owned(), Value::Array(vec![item.clone()]));
                    let at = SetAt {
                        interchange: i,
                        group: Some(g),
                        set: t,
                    };
                    out.push((at, wrap(envelope.clone(), "groups", Value::Object(group))));
                }
            }
        } else {
            for (t, item) in items(interchange, items_key).filter(|(_, t)| !skip_item(t)) {
                let at = SetAt {
                    interchange: i,
                    group: None,
                    set: t,
                };
                out.push((at, wrap(envelope.clone(), items_key, item.clone())));
            }
        }
    }
    out
}

fn items<'a>(parent: &'a Value, key: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    parent
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
}

/// The set at `at` in `tree`.
pub(super) fn set_of(tree: &Value, at: SetAt) -> Option<&Value> {
    let interchange = tree.get("interchanges")?.get(at.interchange)?;
    let parent = match at.group {
        Some(g) => interchange.get("groups")?.get(g)?,
        None => interchange,
    };
    parent
        .get("transactions")
        .or_else(|| parent.get("messages"))?
        .get(at.set)
}

/// The control number (X12 ST02) or message reference (EDIFACT UNH01) of the set at `at`.
#[must_use]
pub fn set_reference(tree: &Value, at: SetAt) -> Option<String> {
    let set = set_of(tree, at)?;
    set.get("control_number")
        .or_else(|| set.get("message_reference"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The control number of the functional group (X12 GS06, EDIFACT UNG05) holding the set at `at`.
#[must_use]
pub fn group_reference(tree: &Value, at: SetAt) -> Option<String> {
    let group = tree
        .get("interchanges")?
        .get(at.interchange)?
        .get("groups")?
        .get(at.group?)?;
    group
        .get("control_number")
        .or_else(|| group.get("control_reference"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}
