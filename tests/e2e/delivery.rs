//! Outbound delivery: retries with backoff on retryable answers, `Retry-After`, timeouts,
//! dead-lettering of permanent refusals and replay, and per-key order on an ordered sink.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::join_all;
use serde_json::{Value, json};

use crate::partner::{Behavior, FakePartner, Received};
use crate::support::{DEADLINE, Hub, HubSpec, ORDER_NO, RouteSpec, SinkSpec, Store, eventually, order, order_version};

fn attempts(detail: &Value, sink: &str) -> Vec<Value> {
    detail["deliveries"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["sink"] == sink))
        .and_then(|d| d["attempts"].as_array())
        .cloned()
        .unwrap_or_default()
}

fn field(values: &[Value], name: &str) -> Vec<Value> {
    values.iter().map(|v| v[name].clone()).collect()
}

fn statuses(requests: &[Received]) -> Vec<u16> {
    requests.iter().map(|r| r.status).collect()
}

/// A sink answering 503 twice then 200 gets three requests with one Idempotency-Key, spaced by
/// the backoff, and the message detail lists the three attempts.
pub async fn retry_then_delivered(store: &Store) {
    let partner = FakePartner::start().await;
    partner.behave("/crm", Behavior::FailTimes { status: 503, times: 2 });
    let spec = HubSpec::default()
        .sink(SinkSpec::new("crm", partner.url("/crm")).max_attempts(6))
        .route(RouteSpec::new("all-orders", &["crm"]));
    let hub = Hub::start(&spec, store).await;

    let reply = hub.post_order(&order(), None).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let detail = hub.wait_deliveries(&reply.message_id(), "delivered").await;

    let tries = partner.requests("/crm");
    assert_eq!(statuses(&tries), [503, 503, 200], "three attempts");
    let key = tries[0].idempotency_key();
    assert!(!key.is_empty(), "Idempotency-Key on the first attempt");
    assert!(
        tries.iter().all(|r| r.idempotency_key() == key),
        "the same Idempotency-Key on every retry"
    );
    assert_eq!(tries[0].json(), tries[2].json(), "the same body on every retry");
    // The backoff may be jittered anywhere up to its ceiling, so only the ceiling is a promise:
    // no retry waits much beyond max_backoff (1 s).
    for pair in tries.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap < Duration::from_secs(3),
            "retried only after {gap:?} with max_backoff 1s"
        );
    }

    let delivery = &detail["deliveries"][0];
    assert_eq!(delivery["attempt_count"], 3, "{delivery:#}");
    let list = attempts(&detail, "crm");
    assert_eq!(field(&list, "attempt"), [json!(1), json!(2), json!(3)], "{delivery:#}");
    assert_eq!(
        field(&list, "outcome"),
        [json!("retry"), json!("retry"), json!("delivered")],
        "{delivery:#}"
    );
    assert_eq!(
        field(&list, "status_code"),
        [json!(503), json!(503), json!(200)],
        "{delivery:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_then_delivered_sqlite() {
    retry_then_delivered(&Store::Sqlite).await;
}

/// A sink answering 400 is not retried: the delivery is dead after one attempt, listed among the
/// dead ones, and a replay once the receiver is fixed delivers it with the same Idempotency-Key.
/// The other sink of the same message is not held up.
pub async fn dead_then_replay(store: &Store) {
    let partner = FakePartner::start().await;
    partner.behave("/finance", Behavior::RejectUntilAccepted { status: 400 });
    let spec = HubSpec::default()
        .sink(SinkSpec::new("wms", partner.url("/wms")))
        .sink(SinkSpec::new("finance", partner.url("/finance")).max_attempts(3))
        .route(RouteSpec::new("all-orders", &["wms", "finance"]));
    let hub = Hub::start(&spec, store).await;

    let reply = hub.post_order(&order(), None).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let id = reply.message_id();

    let dead = eventually(DEADLINE, || async {
        let r = hub.admin_get("/api/v1/deliveries?status=dead&sink=finance").await;
        r.json["deliveries"]
            .as_array()
            .and_then(|ds| ds.iter().find(|d| d["message_id"] == id.as_str()).cloned())
    })
    .await
    .expect("the finance delivery is listed as dead");
    assert_eq!(dead["sink"], "finance");
    assert_eq!(dead["status"], "dead");
    assert_eq!(dead["attempt_count"], 1, "a 400 is not retried: {dead}");
    assert_eq!(dead["business_key"], ORDER_NO);
    assert!(dead["last_error"].as_str().is_some_and(|e| !e.is_empty()), "{dead}");
    let first = partner.requests("/finance");
    assert_eq!(statuses(&first), [400], "one request, no retries");

    let other = hub.admin_get("/api/v1/deliveries?status=dead&sink=wms").await;
    assert_eq!(other.json["deliveries"], json!([]), "sink filter: {}", other.text);
    let detail = hub.message(&id).await;
    let list = attempts(&detail, "finance");
    assert_eq!(field(&list, "outcome"), [json!("dead")], "{detail:#}");
    assert_eq!(field(&list, "status_code"), [json!(400)], "{detail:#}");

    partner.accept("/finance");
    let delivery_id = dead["id"].as_str().expect("delivery id").to_owned();
    let replay = hub
        .admin_post(&format!("/api/v1/deliveries/{delivery_id}/replay"))
        .await;
    assert_eq!(replay.status, 202, "{}", replay.text);
    // Both deliveries of the message end delivered: the dead one did not hold up wms.
    let detail = hub.wait_deliveries(&id, "delivered").await;
    assert_eq!(partner.requests_for("/wms", ORDER_NO).len(), 1);
    let sent = partner.requests("/finance");
    assert_eq!(statuses(&sent), [400, 200], "replayed once");
    assert_eq!(
        sent[1].idempotency_key(),
        sent[0].idempotency_key(),
        "a replay is the same delivery, so it keeps its Idempotency-Key"
    );
    let list = attempts(&detail, "finance");
    assert_eq!(field(&list, "outcome").last(), Some(&json!("delivered")), "{detail:#}");
    let still_dead = hub.admin_get("/api/v1/deliveries?status=dead").await;
    assert_eq!(still_dead.json["deliveries"], json!([]), "{}", still_dead.text);

    let unknown = hub
        .admin_post(&format!("/api/v1/deliveries/{}/replay", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(unknown.status, 404, "replay of an unknown delivery: {}", unknown.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_then_replay_sqlite() {
    dead_then_replay(&Store::Sqlite).await;
}

/// Retries are bounded: a sink that always answers 503 gets `max_attempts` requests and the
/// delivery ends dead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_stop_at_max_attempts() {
    let partner = FakePartner::start().await;
    partner.behave(
        "/down",
        Behavior::FailTimes {
            status: 503,
            times: u32::MAX,
        },
    );
    let spec = HubSpec::default()
        .sink(SinkSpec::new("down", partner.url("/down")).max_attempts(3))
        .route(RouteSpec::new("all-orders", &["down"]));
    let hub = Hub::start(&spec, &Store::Sqlite).await;
    let reply = hub.post_order(&order(), None).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let detail = hub.wait_deliveries(&reply.message_id(), "dead").await;
    assert_eq!(statuses(&partner.requests("/down")), [503, 503, 503]);
    let list = attempts(&detail, "down");
    assert_eq!(
        field(&list, "outcome"),
        [json!("retry"), json!("retry"), json!("dead")],
        "{detail:#}"
    );
}

/// `429` with `Retry-After: 1` delays the retry by about a second, not by the 100 ms backoff.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured() {
    let partner = FakePartner::start().await;
    partner.behave("/limit", Behavior::RateLimitOnce { retry_after_secs: 1 });
    let spec = HubSpec::default()
        .sink(SinkSpec::new("limit", partner.url("/limit")))
        .route(RouteSpec::new("all-orders", &["limit"]));
    let hub = Hub::start(&spec, &Store::Sqlite).await;
    let reply = hub.post_order(&order(), None).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let detail = hub.wait_deliveries(&reply.message_id(), "delivered").await;
    let tries = partner.requests("/limit");
    assert_eq!(statuses(&tries), [429, 200]);
    let gap = tries[1].at - tries[0].at;
    assert!(
        gap >= Duration::from_millis(900),
        "retried {gap:?} after a 429 with Retry-After: 1"
    );
    assert_eq!(tries[0].idempotency_key(), tries[1].idempotency_key());
    let list = attempts(&detail, "limit");
    assert_eq!(field(&list, "status_code"), [json!(429), json!(200)], "{detail:#}");
}

/// A receiver that does not answer within the sink's timeout is given up on and retried; the
/// hub does not wait for the stalled request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_receiver_times_out_and_is_retried() {
    let partner = FakePartner::start().await;
    partner.behave(
        "/slow",
        Behavior::StallTimes {
            times: 1,
            stall: Duration::from_secs(8),
        },
    );
    let spec = HubSpec::default()
        .sink(SinkSpec::new("slow", partner.url("/slow")).timeout("1s"))
        .route(RouteSpec::new("all-orders", &["slow"]));
    let hub = Hub::start(&spec, &Store::Sqlite).await;
    let reply = hub.post_order(&order(), None).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let detail = hub.wait_deliveries(&reply.message_id(), "delivered").await;
    let tries = partner.requests("/slow");
    assert_eq!(tries.len(), 2, "one stalled attempt, one delivered");
    let gap = tries[1].at - tries[0].at;
    assert!(
        gap >= Duration::from_millis(900) && gap < Duration::from_secs(6),
        "retry {gap:?} after a stall with a 1 s timeout"
    );
    let list = attempts(&detail, "slow");
    assert_eq!(
        field(&list, "outcome"),
        [json!("retry"), json!("delivered")],
        "{detail:#}"
    );
    assert!(
        list[0]["error"].as_str().is_some_and(|e| !e.is_empty()),
        "the timeout is recorded: {detail:#}"
    );
}

const KEYS: usize = 6;
const VERSIONS: usize = 8;

/// Six order numbers, eight versions each, posted concurrently (each key's versions one after the
/// other): an `ordered` sink receives every key's versions in the order they were accepted. When
/// the sink fails first attempts (`behavior`), a later version is not sent before the earlier one
/// is delivered.
pub async fn ordering(store: &Store, behavior: Behavior) {
    let partner = FakePartner::start().await;
    partner.behave("/wms", behavior);
    let spec = HubSpec::default()
        .sink(SinkSpec::new("wms", partner.url("/wms")).ordered().max_attempts(10))
        .route(RouteSpec::new("all-orders", &["wms"]));
    let hub = Hub::start(&spec, store).await;

    join_all((0..KEYS).map(|k| {
        let hub = &hub;
        async move {
            for v in 1..=VERSIONS {
                let doc = order_version(&format!("ORD-SEQ-{k}"), &format!("{v}.00"));
                let reply = hub.post_order(&doc, None).await;
                assert_eq!(reply.status, 202, "ORD-SEQ-{k} v{v}: {}", reply.text);
            }
        }
    }))
    .await;

    let by_key = || {
        let mut all: BTreeMap<String, Vec<(String, u16)>> = BTreeMap::new();
        for r in partner.requests("/wms") {
            let doc = r.json();
            if let (Some(n), Some(t)) = (doc["order_number"].as_str(), doc["total_amount"].as_str()) {
                all.entry(n.to_owned()).or_default().push((t.to_owned(), r.status));
            }
        }
        all
    };
    let delivered = |all: &BTreeMap<String, Vec<(String, u16)>>| {
        all.values()
            .map(|v| v.iter().filter(|(_, s)| *s == 200).count())
            .sum::<usize>()
    };
    eventually(Duration::from_secs(40), || async {
        (delivered(&by_key()) >= KEYS * VERSIONS).then_some(())
    })
    .await;
    let all = by_key();
    assert_eq!(delivered(&all), KEYS * VERSIONS, "every version delivered: {all:?}");
    let expected: Vec<String> = (1..=VERSIONS).map(|v| format!("{v}.00")).collect();
    for (key, seen) in &all {
        let ok: Vec<String> = seen.iter().filter(|(_, s)| *s == 200).map(|(t, _)| t.clone()).collect();
        assert_eq!(ok, expected, "{key}: versions delivered out of order");
        let sent: Vec<&String> = seen.iter().map(|(t, _)| t).collect();
        assert!(
            sent.windows(2).all(|w| w[0] <= w[1]),
            "{key}: a later version was sent before an earlier one was delivered: {seen:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_sqlite() {
    ordering(&Store::Sqlite, Behavior::Ok).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_holds_across_retries() {
    ordering(&Store::Sqlite, Behavior::FailTimes { status: 503, times: 1 }).await;
}
