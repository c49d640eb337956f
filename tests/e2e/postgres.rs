//! The core suite on PostgreSQL (a fresh database per test on the server of `TEST_DATABASE_URL`),
//! and what only PostgreSQL offers: several hub processes sharing one database. Without
//! `TEST_DATABASE_URL` every test here says so on stderr and passes.

use std::time::Duration;

use crate::crash::{assert_all_delivered, inbound, load, wait_accepted};
use crate::partner::{Behavior, FakePartner};
use serde_json::json;

use crate::support::{Hub, TestDatabase, eventually};
use crate::{acks, crash, delivery, http_in, split, x12_out};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    http_in::happy_path(&db.store()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x12_control_numbers_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    x12_out::x12_control_numbers(&db.store()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partners_997_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    acks::partners_997_marks_what_it_acknowledges(&db.store()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn split_input_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    split::split_input(&db.store()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    http_in::idempotency(&db.store()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_then_delivered_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    delivery::retry_then_delivered(&db.store()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_then_replay_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    delivery::dead_then_replay(&db.store()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    delivery::ordering(&db.store(), Behavior::Ok).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill9_under_load_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    crash::kill9_under_load(&db.store()).await;
}

/// Two hubs on one database, orders posted to both: each order reaches the sink exactly once,
/// because a delivery is claimed by one instance at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_deliver_each_order_once() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store();
    let partner = FakePartner::start().await;
    let spec = http_in::one_sink(&partner);
    let a = Hub::start(&spec, &store).await;
    let b = a.start_sibling("hub-b", &spec, &store).await;

    let (mut tasks, accepted) = load(&[inbound(&a), inbound(&b)], 4, 50, "PAIR");
    while let Some(done) = tasks.join_next().await {
        done.expect("load task");
    }
    assert_eq!(
        accepted.lock().expect("accepted list").len(),
        400,
        "every order accepted"
    );
    let times = assert_all_delivered(&partner, "/wms", &accepted, Duration::from_secs(60)).await;
    // Once nothing is pending any more, a late second claim would have been sent already.
    let settled = eventually(Duration::from_secs(30), || async {
        let r = a.admin_get("/api/v1/deliveries?status=pending").await;
        (r.json["deliveries"] == json!([])).then_some(())
    })
    .await;
    assert!(settled.is_some(), "deliveries still pending after all orders arrived");
    let twice: Vec<_> = times.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once while both lived: {twice:?}");
    assert_eq!(partner.requests("/wms").len(), 400, "no request beyond one per order");
}

/// Two hubs on one database, one killed with SIGKILL mid-load and not restarted: the survivor
/// delivers everything either accepted, including what the dead one had claimed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_killed_mid_load_loses_nothing() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store();
    let partner = FakePartner::start().await;
    let spec = http_in::one_sink(&partner);
    let mut a = Hub::start(&spec, &store).await;
    let b = a.start_sibling("hub-b", &spec, &store).await;

    let (mut tasks, accepted) = load(&[inbound(&a), inbound(&b)], 4, 100, "SURVIVE");
    wait_accepted(&accepted, 150).await;
    a.kill9();
    while let Some(done) = tasks.join_next().await {
        done.expect("load task");
    }
    let times = assert_all_delivered(&partner, "/wms", &accepted, Duration::from_secs(120)).await;
    let repeats = times.values().filter(|n| **n > 1).count();
    eprintln!(
        "kill -9 of one of two instances: {} accepted, all delivered by the survivor, {repeats} twice",
        accepted.lock().expect("accepted list").len()
    );
    let health = crate::support::client().get(b.url("/healthz")).send().await;
    assert!(health.is_ok_and(|r| r.status() == 200), "the survivor is healthy");
}
