//! One input, several documents: a mapping that returns an array makes one message per element,
//! all committed with the input in one transaction, the raw input kept once and linked from each.

use serde_json::{Value, json};

use crate::http_in::one_sink;
use crate::partner::FakePartner;
use crate::support::{ERP_TOKEN, Hub, SOURCE, Store};

/// A batch export: `{"batch": "...", "orders": [{"no", "total"}, ...]}` -> one order each.
const BATCH_MAPPING: &str = r#"
orders = array!(.orders)
. = map_values(orders) -> |o| {
    {
        "order_number": string!(o.no),
        "order_date": "2026-11-26",
        "currency": "CNY",
        "buyer": {"id": "KH-0318", "name": "成都锦程贸易有限公司"},
        "seller": {"id": "0302", "name": "西南销售部"},
        "ship_to": {"name": "李娜", "street": ["武侯区天府大道北段 1700 号"], "city": "成都", "country": "CN"},
        "lines": [{"line_number": 1, "sku": "SKU-1", "quantity": 2, "uom": "EA", "unit_price": "10.05", "amount": "20.10"}],
        "total_amount": o.total
    }
}
"#;

fn batch(numbers: &[(&str, &str)]) -> Vec<u8> {
    let orders: Vec<_> = numbers
        .iter()
        .map(|(no, total)| json!({"no": no, "total": total}))
        .collect();
    serde_json::to_vec(&json!({"batch": "PL-7", "orders": orders})).unwrap()
}

pub async fn split_input(store: &Store) {
    let partner = FakePartner::start().await;
    let spec = one_sink(&partner).mapping(BATCH_MAPPING);
    let hub = Hub::start(&spec, store).await;
    let path = format!("/in/{SOURCE}");
    let post = |body: Vec<u8>, key: &'static str| {
        let headers = [
            ("authorization", format!("Bearer {ERP_TOKEN}")),
            ("idempotency-key", key.to_owned()),
        ];
        let (hub, path) = (&hub, &path);
        async move { hub.post_raw(path, body, &headers).await }
    };

    let body = batch(&[("SPLIT-1", "20.10"), ("SPLIT-2", "20.10"), ("SPLIT-3", "20.10")]);
    let reply = post(body.clone(), "batch-1").await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let ids: Vec<String> = reply.json["message_ids"]
        .as_array()
        .expect("message_ids")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids.len(), 3, "{}", reply.text);
    assert_eq!(reply.message_id(), ids[0]);

    // Each is its own message with its own key, deliveries and history; all share the input.
    for (i, id) in ids.iter().enumerate() {
        let number = format!("SPLIT-{}", i + 1);
        let detail = hub.wait_deliveries(id, "delivered").await;
        assert_eq!(detail["message"]["business_key"], json!(number), "{detail}");
        assert_eq!(detail["document"]["order_number"], json!(number));
        assert_eq!(detail["input_id"], json!(ids[0]), "{detail}");
        assert_eq!(detail["input_messages"], json!(ids), "{detail}");
        assert!(detail["raw"].as_str().unwrap_or_default().contains("PL-7"), "{detail}");
        let found = hub.admin_get(&format!("/api/v1/messages?key={number}")).await;
        assert_eq!(
            found.json["messages"].as_array().map(Vec::len),
            Some(1),
            "{}",
            found.text
        );
        assert_eq!(partner.requests_for("/wms", &number).len(), 1);
    }

    // The same input again is one duplicate, naming the first message; nothing new is stored.
    let again = post(body, "batch-1").await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json["duplicate"], json!(true));
    assert_eq!(again.message_id(), ids[0]);
    let found = hub.admin_get("/api/v1/messages?key=SPLIT-2").await;
    assert_eq!(
        found.json["messages"].as_array().map(Vec::len),
        Some(1),
        "{}",
        found.text
    );

    // One bad document refuses the whole input, naming which one and where; none is stored
    // as accepted.
    let bad = batch(&[("SPLIT-4", "20.10"), ("SPLIT-5", "20,10")]);
    let refused = post(bad, "batch-2").await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(
        refused.json["error"]["path"],
        json!("/1/total_amount"),
        "{}",
        refused.text
    );
    let found = hub.admin_get("/api/v1/messages?key=SPLIT-4").await;
    assert_eq!(found.json["messages"], json!([]), "SPLIT-4: {}", found.text);
    // The refusal is found under the number of the document that caused it.
    let found = hub.admin_get("/api/v1/messages?key=SPLIT-5").await;
    let statuses: Vec<&Value> = found.json["messages"]
        .as_array()
        .map(|m| m.iter().map(|m| &m["status"]).collect())
        .unwrap_or_default();
    assert_eq!(statuses, [&json!("rejected")], "SPLIT-5: {}", found.text);
    // An empty batch is refused too: an input that yields no document is a mapping error.
    let empty = post(batch(&[]), "batch-3").await;
    assert_eq!(empty.status, 422, "{}", empty.text);
    assert!(empty.text.contains("empty array"), "{}", empty.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn split_input_sqlite() {
    split_input(&Store::Sqlite).await;
}
