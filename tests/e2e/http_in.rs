//! Inbound HTTP: an ERP posts orders to `POST /in/{source}`; the hub maps, validates, routes,
//! commits and answers — or refuses bad input with a clear error — and the management API shows
//! what happened.

use std::time::Duration;

use futures::future::join_all;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::partner::FakePartner;
use crate::support::{
    DEADLINE, ERP_TOKEN, HubSpec, ORDER_NO, PARTNER, RouteSpec, SOURCE, SinkSpec, Store, eventually, order,
    order_numbered,
};
use crate::support::{Hub, Reply};

/// One sink `wms` on `/wms` of `partner`, every order routed to it.
pub fn one_sink(partner: &FakePartner) -> HubSpec {
    HubSpec::default()
        .sink(SinkSpec::new("wms", partner.url("/wms")))
        .route(RouteSpec::new("all-orders", &["wms"]))
}

/// The sink receives the canonical order: exact decimal strings, Chinese text intact, the
/// delivery headers present, and the inbound correlation id carried through.
pub async fn happy_path(store: &Store) {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), store).await;

    let reply = hub
        .post_raw(
            &format!("/in/{SOURCE}"),
            serde_json::to_vec(&order()).unwrap(),
            &[
                ("authorization", format!("Bearer {ERP_TOKEN}")),
                ("idempotency-key", "happy-1".to_owned()),
                ("x-correlation-id", "corr-happy-1".to_owned()),
            ],
        )
        .await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    assert_eq!(reply.json["duplicate"], json!(false), "{}", reply.text);
    let id = reply.message_id();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "message_id {id} is not a UUID");

    let got = eventually(DEADLINE, || async {
        partner.requests_for("/wms", ORDER_NO).into_iter().next()
    })
    .await
    .expect("the sink receives the order");
    let doc = got.json();
    assert_eq!(doc["order_number"], ORDER_NO);
    assert_eq!(doc["order_date"], "2026-11-25");
    assert_eq!(doc["currency"], "CNY");
    assert_eq!(doc["buyer"], json!({"id": "KH-0318", "name": "成都锦程贸易有限公司"}));
    assert_eq!(doc["seller"], json!({"id": "0302", "name": "西南销售部"}));
    assert_eq!(doc["ship_to"]["name"], "李娜");
    assert_eq!(
        doc["ship_to"]["street"],
        json!(["四川省成都市武侯区天府大道北段1700号 B座"])
    );
    assert_eq!(doc["ship_to"]["city"], "成都");
    assert_eq!(doc["ship_to"]["country"], "CN");
    assert_eq!(doc["total_amount"], "5125.00", "money stays a decimal string");
    let lines = doc["lines"].as_array().expect("lines array");
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["line_number"], 1);
    assert_eq!(lines[0]["sku"], "SKU-8801");
    assert_eq!(lines[0]["description"], "矿泉水 550ml×24");
    assert_eq!(lines[0]["quantity"].as_f64(), Some(100.0), "quantity is a number");
    assert_eq!(lines[0]["uom"], "CS");
    assert_eq!(
        lines[0]["unit_price"], "36.50",
        "unit_price keeps its exact decimal string"
    );
    assert_eq!(lines[0]["amount"], "3650.00");
    assert_eq!(lines[2]["uom"], "EA");
    assert_eq!(lines[2]["unit_price"], "5.00");

    assert!(!got.idempotency_key().is_empty(), "outbound Idempotency-Key missing");
    assert_eq!(got.header("x-correlation-id"), Some("corr-happy-1"));
    assert!(
        got.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "content-type: {:?}",
        got.header("content-type")
    );

    let detail = hub.wait_deliveries(&id, "delivered").await;
    let message = &detail["message"];
    assert_eq!(message["id"], id.as_str());
    assert_eq!(message["kind"], "order");
    assert_eq!(message["business_key"], ORDER_NO);
    assert_eq!(message["source"], SOURCE);
    assert_eq!(message["partner"], PARTNER);
    assert_eq!(message["correlation_id"], "corr-happy-1");
    assert_eq!(message["idempotency_key"], "happy-1");
    assert_eq!(detail["document"], doc, "stored document = delivered body");
    assert!(
        detail["raw"]
            .as_str()
            .is_some_and(|r| r.contains("成都锦程贸易有限公司")),
        "raw input kept as text: {}",
        detail["raw"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_sqlite() {
    happy_path(&Store::Sqlite).await;
}

/// A repeated Idempotency-Key is answered as a duplicate of the first message and delivered once.
pub async fn idempotency(store: &Store) {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), store).await;

    let first = hub.post_order(&order(), Some("dup-key-1")).await;
    assert_eq!(first.status, 202, "{}", first.text);
    let id = first.message_id();
    hub.wait_deliveries(&id, "delivered").await;

    let again = hub.post_order(&order(), Some("dup-key-1")).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json["duplicate"], json!(true), "{}", again.text);
    assert_eq!(again.message_id(), id, "duplicate answers the first message_id");

    // A later order on the same route is delivered after anything the duplicate could have
    // caused, so once it has arrived the count of the first order is final.
    let marker = hub.post_order(&order_numbered("MARKER-1"), None).await;
    assert_eq!(marker.status, 202, "{}", marker.text);
    hub.wait_deliveries(&marker.message_id(), "delivered").await;
    assert_eq!(partner.requests_for("/wms", ORDER_NO).len(), 1, "delivered once");

    let found = hub.admin_get(&format!("/api/v1/messages?key={ORDER_NO}")).await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(
        found.json["messages"].as_array().map(Vec::len),
        Some(1),
        "one message for the key: {}",
        found.text
    );
    let detail = hub.message(&id).await;
    assert_eq!(detail["deliveries"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_sqlite() {
    idempotency(&Store::Sqlite).await;
}

/// A partner that resends while its first request is still in flight gets one acceptance and
/// duplicates pointing at it, never two messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_same_key_accepted_once() {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), &Store::Sqlite).await;
    // Several rounds, each with its own key and order number, make the race likely to show.
    for round in 0..5 {
        let number = format!("RACE-{round}");
        let key = format!("race-key-{round}");
        let doc = order_numbered(&number);
        let replies: Vec<Reply> = join_all((0..8).map(|_| hub.post_order(&doc, Some(&key)))).await;
        let accepted: Vec<&Reply> = replies.iter().filter(|r| r.status == 202).collect();
        assert_eq!(accepted.len(), 1, "{key}: exactly one 202: {replies:?}");
        let id = accepted[0].message_id();
        for r in &replies {
            assert!(r.status == 202 || r.status == 200, "{key}: {r:?}");
            let answered = r.message_id();
            let exists = hub.admin_get(&format!("/api/v1/messages/{answered}")).await.status;
            assert_eq!(
                answered, id,
                "{key}: a duplicate names another message than the accepted one \
                 (GET of the named message answers {exists}): {r:?}"
            );
        }
        hub.wait_deliveries(&id, "delivered").await;
        assert_eq!(partner.requests_for("/wms", &number).len(), 1, "{key}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_out_to_two_sinks() {
    let partner = FakePartner::start().await;
    let spec = HubSpec::default()
        .sink(SinkSpec::new("wms", partner.url("/wms")))
        .sink(SinkSpec::new("crm", partner.url("/crm")))
        .route(RouteSpec::new("all-orders", &["wms", "crm"]));
    let hub = Hub::start(&spec, &Store::Sqlite).await;

    let reply = hub.post_order(&order(), None).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let detail = hub.wait_deliveries(&reply.message_id(), "delivered").await;
    let mut sinks: Vec<&str> = detail["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["sink"].as_str())
        .collect();
    sinks.sort_unstable();
    assert_eq!(sinks, ["crm", "wms"]);
    for path in ["/wms", "/crm"] {
        let got = partner.requests_for(path, ORDER_NO);
        assert_eq!(got.len(), 1, "{path} receives the order once");
        assert_eq!(got[0].json()["lines"][0]["unit_price"], "36.50");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_condition_selects_sink() {
    let partner = FakePartner::start().await;
    let spec = HubSpec::default()
        .sink(SinkSpec::new("wms-east", partner.url("/wms-east")))
        .sink(SinkSpec::new("wms-hk", partner.url("/wms-hk")))
        .route(RouteSpec::new("cn-orders", &["wms-east"]).when(r#".ship_to.country == "CN""#))
        .route(RouteSpec::new("hk-orders", &["wms-hk"]).when(r#".ship_to.country == "HK""#));
    let hub = Hub::start(&spec, &Store::Sqlite).await;

    let mut hk = order_numbered("XSDD-2026-HK0001");
    hk["cCountry"] = json!("HK");
    let hk_reply = hub.post_order(&hk, None).await;
    assert_eq!(hk_reply.status, 202, "{}", hk_reply.text);
    let cn_reply = hub.post_order(&order(), None).await;
    assert_eq!(cn_reply.status, 202, "{}", cn_reply.text);

    let hk_detail = hub.wait_deliveries(&hk_reply.message_id(), "delivered").await;
    hub.wait_deliveries(&cn_reply.message_id(), "delivered").await;
    assert_eq!(partner.requests_for("/wms-hk", "XSDD-2026-HK0001").len(), 1);
    assert!(
        partner.requests_for("/wms-east", "XSDD-2026-HK0001").is_empty(),
        "HK order not to east"
    );
    assert_eq!(partner.requests_for("/wms-east", ORDER_NO).len(), 1);
    assert!(
        partner.requests_for("/wms-hk", ORDER_NO).is_empty(),
        "CN order not to HK"
    );

    let deliveries = hk_detail["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "{hk_detail:#}");
    assert_eq!(deliveries[0]["sink"], "wms-hk");
    let decisions = hk_detail["routes"].as_array().expect("route decisions");
    let matched = |name: &str| {
        decisions
            .iter()
            .find(|r| r["route"] == name)
            .map(|r| r["matched"].clone())
    };
    assert_eq!(matched("hk-orders"), Some(json!(true)), "{decisions:?}");
    assert_eq!(matched("cn-orders"), Some(json!(false)), "{decisions:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_400() {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), &Store::Sqlite).await;
    let reply = hub
        .post_raw(
            &format!("/in/{SOURCE}"),
            br#"{"order": "X", "#.to_vec(),
            &[("authorization", format!("Bearer {ERP_TOKEN}"))],
        )
        .await;
    reply.expect_error(400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_violation_is_422_with_path() {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), &Store::Sqlite).await;
    let mut doc = order_numbered("XSDD-BAD-PRICE");
    doc["body"][0]["iTaxUnitPrice"] = json!(36.5);
    let reply = hub.post_order(&doc, None).await;
    let error = reply.expect_error(422);
    assert_eq!(error["path"], "/lines/0/unit_price", "{}", reply.text);
    assert_refused_not_delivered(&hub, &partner, "XSDD-BAD-PRICE").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mapping_abort_is_422() {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), &Store::Sqlite).await;
    let mut doc = order_numbered("XSDD-BAD-QTY");
    doc["body"][1]["iQuantity"] = json!("many");
    let reply = hub.post_order(&doc, None).await;
    reply.expect_error(422);
    assert_refused_not_delivered(&hub, &partner, "XSDD-BAD-QTY").await;
}

/// A refused order gets no delivery: a good order posted after it arrives, the refused one not.
async fn assert_refused_not_delivered(hub: &Hub, partner: &FakePartner, order_number: &str) {
    let good = hub.post_order(&order(), None).await;
    assert_eq!(good.status, 202, "{}", good.text);
    hub.wait_deliveries(&good.message_id(), "delivered").await;
    assert!(partner.requests_for("/wms", order_number).is_empty());
    // The refusal may be recorded, but never with a delivery.
    let found = hub.admin_get(&format!("/api/v1/messages?key={order_number}")).await;
    assert_eq!(found.status, 200, "{}", found.text);
    for m in found.json["messages"].as_array().expect("messages array") {
        let detail = hub.message(m["id"].as_str().expect("message id")).await;
        assert_eq!(
            detail["deliveries"],
            json!([]),
            "refused order has deliveries: {detail:#}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_or_missing_token_is_401() {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), &Store::Sqlite).await;
    let body = serde_json::to_vec(&order()).unwrap();
    let path = format!("/in/{SOURCE}");
    let wrong = hub
        .post_raw(&path, body.clone(), &[("authorization", "Bearer wrong".to_owned())])
        .await;
    wrong.expect_error(401);
    let missing = hub.post_raw(&path, body.clone(), &[]).await;
    missing.expect_error(401);
    let admin = hub
        .post_raw(
            &path,
            body,
            &[("authorization", format!("Bearer {}", crate::support::ADMIN_TOKEN))],
        )
        .await;
    assert!(
        admin.status == 401 || admin.status == 403,
        "the admin token is not a partner credential: {} {}",
        admin.status,
        admin.text
    );
    assert!(partner.requests("/wms").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_source_is_404() {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), &Store::Sqlite).await;
    let reply = hub
        .post_raw(
            "/in/no-such-source",
            b"{}".to_vec(),
            &[("authorization", format!("Bearer {ERP_TOKEN}"))],
        )
        .await;
    reply.expect_error(404);
}

/// Sends a body of `size` bytes over a raw socket while reading, so an early answer (the hub
/// refusing before the body is complete) is seen instead of a broken pipe. Returns the status.
async fn post_big(port: u16, size: usize, chunked: bool) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {size}")
    };
    let head = format!(
        "POST /in/{SOURCE} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {ERP_TOKEN}\r\n\
         Content-Type: application/json\r\n{framing}\r\nConnection: close\r\n\r\n"
    );
    let (mut rd, mut wr) = stream.split();
    let writer = async {
        wr.write_all(head.as_bytes()).await?;
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < size {
            let n = chunk.len().min(size - sent);
            if chunked {
                wr.write_all(format!("{n:x}\r\n").as_bytes()).await?;
                wr.write_all(&chunk[..n]).await?;
                wr.write_all(b"\r\n").await?;
            } else {
                wr.write_all(&chunk[..n]).await?;
            }
            sent += n;
        }
        if chunked {
            wr.write_all(b"0\r\n\r\n").await?;
        }
        Ok::<(), std::io::Error>(())
    };
    // A write error means the hub stopped reading; its answer is still to be read, so the
    // writer never finishes the race below and only the reader decides it.
    let writer = async {
        let _ = writer.await;
        std::future::pending::<()>().await;
    };
    let reader = async {
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        while !answer.windows(2).any(|w| w == b"\r\n") {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
        answer
    };
    let answer = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::select! {
            answer = reader => answer,
            () = writer => Vec::new(),
        }
    })
    .await
    .unwrap_or_default();
    let line = String::from_utf8_lossy(&answer);
    line.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_over_10_mib_is_413() {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), &Store::Sqlite).await;
    let size = 11 * 1024 * 1024;
    assert_eq!(post_big(hub.port, size, false).await, 413, "declared length");
    assert_eq!(post_big(hub.port, size, true).await, 413, "chunked body");
    let ok = hub.post_order(&order(), None).await;
    assert_eq!(ok.status, 202, "the hub still accepts orders: {}", ok.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_nesting_is_refused_and_hub_lives() {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), &Store::Sqlite).await;
    let depth = 100_000;
    let arrays = [vec![b'['; depth], vec![b']'; depth]].concat();
    let objects = ["{\"a\":".repeat(depth), "1".to_owned(), "}".repeat(depth)]
        .concat()
        .into_bytes();
    for body in [arrays, objects] {
        let reply = hub
            .post_raw(
                &format!("/in/{SOURCE}"),
                body,
                &[("authorization", format!("Bearer {ERP_TOKEN}"))],
            )
            .await;
        reply.expect_error(400);
        let health = crate::support::client()
            .get(hub.url("/healthz"))
            .send()
            .await
            .expect("hub still answers after deep nesting");
        assert_eq!(health.status(), 200);
    }
}

/// Search by business key finds the message; its detail has the delivery with its attempts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_by_business_key() {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), &Store::Sqlite).await;
    let reply = hub.post_order(&order(), None).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let id = reply.message_id();
    let other = hub.post_order(&order_numbered("SO-OTHER-1"), None).await;
    assert_eq!(other.status, 202, "{}", other.text);
    hub.wait_deliveries(&id, "delivered").await;

    let found = hub.admin_get(&format!("/api/v1/messages?key={ORDER_NO}")).await;
    assert_eq!(found.status, 200, "{}", found.text);
    let messages = found.json["messages"].as_array().expect("messages array");
    assert_eq!(messages.len(), 1, "only the searched key: {}", found.text);
    let m = &messages[0];
    assert_eq!(m["id"], id.as_str());
    assert_eq!(m["kind"], "order");
    assert_eq!(m["business_key"], ORDER_NO);
    assert_eq!(m["source"], SOURCE);
    assert_eq!(m["partner"], PARTNER);
    assert!(m["received_at"].as_str().is_some_and(|t| !t.is_empty()), "{m}");
    assert!(m["status"].as_str().is_some_and(|s| !s.is_empty()), "{m}");

    for query in [
        format!("kind=order&source={SOURCE}&key={ORDER_NO}"),
        format!("key={ORDER_NO}&limit=1"),
    ] {
        let r = hub.admin_get(&format!("/api/v1/messages?{query}")).await;
        let ids: Vec<&Value> = r.json["messages"]
            .as_array()
            .map(|a| a.iter().map(|m| &m["id"]).collect())
            .unwrap_or_default();
        assert_eq!(ids, [&json!(id)], "{query}: {}", r.text);
    }
    let none = hub.admin_get("/api/v1/messages?key=NO-SUCH-ORDER").await;
    assert_eq!(none.json["messages"], json!([]), "{}", none.text);

    let detail = hub.message(&id).await;
    let delivery = &detail["deliveries"][0];
    assert_eq!(delivery["sink"], "wms");
    assert_eq!(delivery["status"], "delivered");
    assert_eq!(delivery["attempt_count"], 1);
    let attempt = &delivery["attempts"][0];
    assert_eq!(attempt["attempt"], 1, "{delivery}");
    assert_eq!(attempt["outcome"], "delivered", "{delivery}");
    assert_eq!(attempt["status_code"], 200, "{delivery}");
    assert!(attempt["at"].as_str().is_some(), "{delivery}");
    assert!(attempt["duration_ms"].is_number(), "{delivery}");

    let unknown = hub
        .admin_get(&format!("/api/v1/messages/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_api_requires_token() {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), &Store::Sqlite).await;
    let reply = hub.post_order(&order(), None).await;
    let id = reply.message_id();
    let http = crate::support::client();
    for path in [
        format!("/api/v1/messages?key={ORDER_NO}"),
        format!("/api/v1/messages/{id}"),
        "/api/v1/deliveries?status=dead".to_owned(),
    ] {
        let none = http.get(hub.url(&path)).send().await.unwrap();
        assert_eq!(none.status(), 401, "GET {path} without a token");
        let wrong = http.get(hub.url(&path)).bearer_auth("nope").send().await.unwrap();
        assert_eq!(wrong.status(), 401, "GET {path} with a wrong token");
        let partner_token = http.get(hub.url(&path)).bearer_auth(ERP_TOKEN).send().await.unwrap();
        assert!(
            matches!(partner_token.status().as_u16(), 401 | 403),
            "GET {path} with a partner token answered {}",
            partner_token.status()
        );
    }
    let replay = http
        .post(hub.url(&format!("/api/v1/deliveries/{}/replay", uuid::Uuid::new_v4())))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401, "replay without a token");
}

/// `/metrics` serves Prometheus text once the hub has done some work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_prometheus_text() {
    let partner = FakePartner::start().await;
    let hub = Hub::start(&one_sink(&partner), &Store::Sqlite).await;
    let reply = hub.post_order(&order(), None).await;
    hub.wait_deliveries(&reply.message_id(), "delivered").await;
    let http = crate::support::client();
    let mut response = http.get(hub.url("/metrics")).send().await.unwrap();
    if response.status() == 401 {
        response = http
            .get(hub.url("/metrics"))
            .bearer_auth(crate::support::ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
    }
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let samples = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .count();
    assert!(samples > 0, "no samples in /metrics:\n{text}");
    assert!(
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .all(|l| {
                l.rsplit_once(' ')
                    .is_some_and(|(_, v)| v.parse::<f64>().is_ok() || v == "+Inf" || v == "NaN")
            }),
        "not Prometheus text:\n{text}"
    );
}
