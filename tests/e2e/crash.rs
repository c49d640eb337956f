//! Crash safety: orders posted under load while the hub is killed with SIGKILL. Every order that
//! was answered 202 is delivered after the restart (at least once), and where one was delivered
//! twice both requests carry the same Idempotency-Key so the receiver can drop the repeat.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinSet;

use crate::partner::FakePartner;
use crate::support::{ERP_TOKEN, Hub, SOURCE, Store, client, eventually, order_numbered};

/// Orders answered 202, shared by the load tasks.
pub type Accepted = Arc<Mutex<Vec<String>>>;

/// Starts `tasks` posting loops per inbound URL, each posting up to `per_task` distinct orders
/// numbered `{prefix}-{url index}-{task}-{i}` one after the other. A loop stops at the first
/// connection error (its hub was killed); an order is recorded only when answered 202.
pub fn load(urls: &[String], tasks: usize, per_task: usize, prefix: &str) -> (JoinSet<()>, Accepted) {
    let accepted: Accepted = Arc::default();
    let mut set = JoinSet::new();
    for (u, url) in urls.iter().enumerate() {
        for t in 0..tasks {
            let (url, accepted, http) = (url.clone(), accepted.clone(), client());
            let prefix = prefix.to_owned();
            set.spawn(async move {
                for i in 0..per_task {
                    let number = format!("{prefix}-{u}-{t}-{i}");
                    let body = serde_json::to_vec(&order_numbered(&number)).expect("order");
                    let sent = http
                        .post(&url)
                        .bearer_auth(ERP_TOKEN)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status() == 202 => {
                            accepted.lock().expect("accepted list").push(number);
                        }
                        Ok(r) => panic!("{number} answered {}", r.status()),
                        Err(_) => return,
                    }
                }
            });
        }
    }
    (set, accepted)
}

/// The inbound URL of a hub.
pub fn inbound(hub: &Hub) -> String {
    hub.url(&format!("/in/{SOURCE}"))
}

/// Waits until `n` orders have been accepted.
pub async fn wait_accepted(accepted: &Accepted, n: usize) {
    let reached = eventually(Duration::from_secs(60), || async {
        (accepted.lock().expect("accepted list").len() >= n).then_some(())
    })
    .await;
    assert!(reached.is_some(), "fewer than {n} orders accepted under load");
}

/// Waits until every accepted order reached `path` with a 200, then checks that repeats of one
/// order carry one Idempotency-Key. Returns how often each order was delivered.
pub async fn assert_all_delivered(
    partner: &FakePartner,
    path: &str,
    accepted: &Accepted,
    deadline: Duration,
) -> BTreeMap<String, usize> {
    let accepted: BTreeSet<String> = accepted.lock().expect("accepted list").iter().cloned().collect();
    assert!(!accepted.is_empty(), "no order was accepted");
    let missing = || {
        let got: BTreeSet<String> = partner
            .requests(path)
            .iter()
            .filter(|r| r.status == 200)
            .filter_map(crate::partner::Received::order_number)
            .collect();
        accepted.difference(&got).cloned().collect::<Vec<_>>()
    };
    eventually(deadline, || async { missing().is_empty().then_some(()) }).await;
    let lost = missing();
    assert!(
        lost.is_empty(),
        "{} of {} accepted orders never delivered, e.g. {:?}",
        lost.len(),
        accepted.len(),
        &lost[..lost.len().min(5)]
    );

    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut times: BTreeMap<String, usize> = BTreeMap::new();
    for r in partner.requests(path).iter().filter(|r| r.status == 200) {
        if let Some(n) = r.order_number() {
            keys.entry(n.clone())
                .or_default()
                .insert(r.idempotency_key().to_owned());
            *times.entry(n).or_default() += 1;
        }
    }
    for (number, set) in &keys {
        assert!(!set.contains(""), "{number} delivered without an Idempotency-Key");
        assert_eq!(set.len(), 1, "{number} delivered twice with different keys: {set:?}");
    }
    times
}

/// Kill -9 in the middle of concurrent posting; restart on the same config; nothing accepted is
/// lost and repeats are recognisable.
pub async fn kill9_under_load(store: &Store) {
    let partner = FakePartner::start().await;
    let mut hub = Hub::start(&crate::http_in::one_sink(&partner), store).await;

    let (mut tasks, accepted) = load(&[inbound(&hub)], 8, 400, "CRASH");
    wait_accepted(&accepted, 150).await;
    hub.kill9();
    while let Some(done) = tasks.join_next().await {
        done.expect("load task");
    }
    let before = accepted.lock().expect("accepted list").len();
    hub.launch().await;

    // With PostgreSQL a restarted instance cannot tell its old leases from another live
    // instance's, so what the killed process had claimed waits for its lease (about a minute
    // by default) to expire; the deadline allows for that.
    let times = assert_all_delivered(&partner, "/wms", &accepted, Duration::from_secs(100)).await;
    let repeats = times.values().filter(|n| **n > 1).count();
    eprintln!("kill -9: {before} accepted before the crash, all delivered, {repeats} delivered twice");

    // The restarted hub still knows the orders it accepted before the crash.
    let first = accepted.lock().expect("accepted list")[0].clone();
    let found = hub.admin_get(&format!("/api/v1/messages?key={first}")).await;
    assert_eq!(
        found.json["messages"].as_array().map(Vec::len),
        Some(1),
        "{}",
        found.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill9_under_load_sqlite() {
    kill9_under_load(&Store::Sqlite).await;
}
