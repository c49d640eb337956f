//! Tests across every kind — examples validate and survive a round trip, key parts are really
//! required, money is never a JSON number — and the helpers the per-kind tests share.

use std::sync::LazyLock;

use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

use super::{KINDS, KeyPart, Kind, Schemas};

static SCHEMAS: LazyLock<Schemas> = LazyLock::new(Schemas::compile);

/// The kind called `name`.
pub(super) fn kind(name: &str) -> Kind {
    Kind::by_name(name).unwrap_or_else(|| panic!("no kind `{name}`"))
}

/// The registered example of `name`.
pub(super) fn example(name: &str) -> Value {
    (kind(name).spec().example)()
}

/// Asserts that `doc` is a valid `name` document.
pub(super) fn assert_valid(name: &str, doc: &Value) {
    if let Err(e) = SCHEMAS.validate(kind(name), doc) {
        panic!("{e}; all violations: {:#?}", e.violations);
    }
}

/// The JSON pointer of the first violation of `doc`, which must be invalid.
pub(super) fn error_path(name: &str, doc: &Value) -> String {
    match SCHEMAS.validate(kind(name), doc) {
        Ok(()) => panic!("a `{name}` document that should be refused was accepted: {doc:#}"),
        Err(e) => e.path().to_string(),
    }
}

/// Asserts that the example of `name` validates and that the Rust type `T` reads and writes it
/// unchanged, so the types and the schema agree.
pub(super) fn assert_example_round_trips<T: DeserializeOwned + Serialize>(name: &str) {
    let doc = example(name);
    assert_valid(name, &doc);
    let typed: T = serde_json::from_value(doc.clone()).unwrap_or_else(|e| panic!("{name} example: {e}"));
    assert_eq!(
        serde_json::to_value(&typed).unwrap(),
        doc,
        "{name} example changed in a round trip"
    );
}

/// `doc` without the member at `pointer`.
pub(super) fn without(doc: &Value, pointer: &str) -> Value {
    let mut doc = doc.clone();
    let (parent, last) = pointer.rsplit_once('/').expect("a pointer with a member");
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|o| o.remove(last))
        .unwrap_or_else(|| panic!("nothing at {pointer}"));
    doc
}

#[test]
fn every_documented_kind_is_registered() {
    let names: Vec<_> = KINDS.iter().map(|k| k.name).collect();
    assert_eq!(
        names,
        [
            "order",
            "order_ack",
            "inventory",
            "dispatch",
            "shipment",
            "tracking",
            "invoice",
            "payment",
            "credit_profile"
        ]
    );
}

#[test]
fn every_example_is_valid_and_has_a_business_key() {
    for spec in KINDS {
        let doc = (spec.example)();
        assert_valid(spec.name, &doc);
        assert!(
            kind(spec.name).business_key(&doc).is_some(),
            "{}: no business key",
            spec.name
        );
    }
}

/// A key part the schema did not require could leave a valid document without a key, which
/// would take it out of search and out of ordered delivery.
#[test]
fn key_parts_are_required_by_the_schema_or_optional_by_design() {
    for spec in KINDS {
        let kind = kind(spec.name);
        let doc = (spec.example)();
        for part in spec.business_key {
            match part {
                KeyPart::Field(pointer) => {
                    let stripped = without(&doc, pointer);
                    assert!(
                        SCHEMAS.validate(kind, &stripped).is_err(),
                        "{}: {pointer} is a key part but the schema allows it to be absent",
                        spec.name
                    );
                }
                KeyPart::Optional(pointer) => {
                    let stripped = without(&doc, pointer);
                    assert_valid(spec.name, &stripped);
                    let (full, short) = (kind.business_key(&doc).unwrap(), kind.business_key(&stripped).unwrap());
                    assert!(
                        full.starts_with(&short) && full.len() > short.len(),
                        "{}: {full} / {short}",
                        spec.name
                    );
                }
                KeyPart::FirstOf(pointers) => {
                    let mut stripped = doc.clone();
                    for pointer in *pointers {
                        let alone = without(&doc, pointer);
                        assert_valid(spec.name, &alone);
                        stripped = without(&stripped, pointer);
                    }
                    assert!(
                        SCHEMAS.validate(kind, &stripped).is_err(),
                        "{}: the schema allows none of {pointers:?}",
                        spec.name
                    );
                }
            }
        }
    }
}

#[test]
fn composite_keys_join_their_parts_and_leave_absent_optional_parts_out() {
    let inventory = kind("inventory");
    let doc = json!({"warehouse_id": "WH-CD01", "as_of": "2026-11-25"});
    assert_eq!(inventory.business_key(&doc).as_deref(), Some("WH-CD01|2026-11-25"));
    assert_eq!(inventory.business_key(&json!({"warehouse_id": "WH-CD01"})), None);
    let credit = kind("credit_profile");
    assert_eq!(
        credit.business_key(&json!({"dealer": {"id": "KH-1"}})).as_deref(),
        Some("KH-1")
    );
    let doc = json!({"dealer": {"id": "KH-1"}, "as_of": "2026-12-31"});
    assert_eq!(credit.business_key(&doc).as_deref(), Some("KH-1|2026-12-31"));
    let tracking = kind("tracking");
    assert_eq!(
        tracking.business_key(&json!({"tracking_number": "SF1"})).as_deref(),
        Some("SF1")
    );
    assert_eq!(
        tracking
            .business_key(&json!({"shipment_number": "FH-1", "tracking_number": "SF1"}))
            .as_deref(),
        Some("FH-1")
    );
    assert_eq!(tracking.business_key(&json!({"shipment_number": {"x": 1}})), None);
}

/// The pointers, within `doc`, of every value the schema types as `Money`.
fn money_pointers(root: &Value, schema: &Value, doc: &Value, at: &str, found: &mut Vec<String>) {
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        if target == "#/$defs/Money" {
            found.push(at.to_string());
            return;
        }
        let resolved = root.pointer(target.trim_start_matches('#')).expect("refs resolve");
        money_pointers(root, resolved, doc, at, found);
    }
    for combinator in ["allOf", "anyOf", "oneOf"] {
        for sub in schema.get(combinator).and_then(Value::as_array).into_iter().flatten() {
            money_pointers(root, sub, doc, at, found);
        }
    }
    match doc {
        Value::Object(members) => {
            for (name, value) in members {
                if let Some(sub) = schema.get("properties").and_then(|p| p.get(name)) {
                    money_pointers(root, sub, value, &format!("{at}/{name}"), found);
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = schema.get("items") {
                for (i, value) in items.iter().enumerate() {
                    money_pointers(root, sub, value, &format!("{at}/{i}"), found);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn money_as_a_json_number_is_refused_in_every_kind_that_carries_money() {
    let mut kinds_with_money = Vec::new();
    for spec in KINDS {
        let schema = Value::from((spec.schema)());
        if schema.pointer("/$defs/Money").is_none() {
            continue;
        }
        kinds_with_money.push(spec.name);
        let doc = (spec.example)();
        let mut pointers = Vec::new();
        money_pointers(&schema, &schema, &doc, "", &mut pointers);
        pointers.sort();
        pointers.dedup();
        assert!(
            !pointers.is_empty(),
            "{}: the example carries no money to test",
            spec.name
        );
        for pointer in pointers {
            let mut bad = doc.clone();
            let slot = bad.pointer_mut(&pointer).unwrap();
            let amount: f64 = slot
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("money is a decimal string");
            *slot = json!(amount);
            assert_eq!(error_path(spec.name, &bad), pointer, "{}", spec.name);
        }
    }
    assert_eq!(
        kinds_with_money,
        ["order", "order_ack", "dispatch", "invoice", "payment", "credit_profile"]
    );
}
