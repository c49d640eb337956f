//! The command line: `channelhub check` finds every config problem before go-live, and
//! `channelhub run` stops gracefully on SIGTERM without losing what it accepted.

use crate::http_in::one_sink;
use crate::partner::FakePartner;
use crate::support::{Hub, ORDER_NO, RouteSpec, Store, Workdir, check, order};

fn sqlite_url(dir: &Workdir) -> String {
    format!("sqlite://{}/data/hub.db", dir.path().display())
}

#[tokio::test]
async fn check_accepts_a_valid_config() {
    let partner = FakePartner::start().await;
    let dir = Workdir::new();
    let config = dir.write(
        "hub.yaml",
        &one_sink(&partner).render(8080, &sqlite_url(&dir), dir.path()),
    );
    let out = check(&config);
    assert_eq!(out.code, Some(0), "{}", out.output);
}

#[tokio::test]
async fn check_refuses_route_to_unknown_sink() {
    let partner = FakePartner::start().await;
    let dir = Workdir::new();
    let bad = one_sink(&partner).route(RouteSpec::new("typo", &["wsm"]));
    let config = dir.write("hub.yaml", &bad.render(8080, &sqlite_url(&dir), dir.path()));
    let out = check(&config);
    assert_eq!(out.code, Some(1), "{}", out.output);
    assert!(out.output.contains("wsm"), "the unknown sink is named: {}", out.output);
}

/// Every problem is reported in one run, not just the first: an unknown sink and a mapping that
/// does not compile, each named.
#[tokio::test]
async fn check_reports_every_problem() {
    let partner = FakePartner::start().await;
    let dir = Workdir::new();
    dir.write("broken.vrl", ". = {\"order_number\": .cSOCode\n");
    let text = one_sink(&partner)
        .route(RouteSpec::new("typo", &["wsm"]))
        .render(8080, &sqlite_url(&dir), dir.path())
        .replace("order-in.vrl", "broken.vrl");
    let config = dir.write("hub.yaml", &text);
    let out = check(&config);
    assert_eq!(out.code, Some(1), "{}", out.output);
    for needle in ["wsm", "broken.vrl"] {
        assert!(out.output.contains(needle), "`{needle}` not named: {}", out.output);
    }
}

/// A misspelt key is refused and named rather than silently ignored.
#[tokio::test]
async fn check_refuses_unknown_key() {
    let partner = FakePartner::start().await;
    let dir = Workdir::new();
    let text = one_sink(&partner)
        .render(8080, &sqlite_url(&dir), dir.path())
        .replace("    ordered: false\n", "    orderd: false\n");
    let config = dir.write("hub.yaml", &text);
    let out = check(&config);
    assert_eq!(out.code, Some(1), "{}", out.output);
    assert!(
        out.output.contains("orderd"),
        "the unknown key is named: {}",
        out.output
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_exits_0_and_keeps_messages() {
    let partner = FakePartner::start().await;
    let mut hub = Hub::start(&one_sink(&partner), &Store::Sqlite).await;
    let reply = hub.post_order(&order(), None).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let id = reply.message_id();
    hub.wait_deliveries(&id, "delivered").await;

    let status = hub.terminate().await.expect("the hub exits within 15 s of SIGTERM");
    assert_eq!(status.code(), Some(0), "exit status after SIGTERM");

    hub.launch().await;
    let found = hub.admin_get(&format!("/api/v1/messages?key={ORDER_NO}")).await;
    assert_eq!(found.json["messages"][0]["id"], id.as_str(), "{}", found.text);
    let status = hub.terminate().await.expect("the hub exits again");
    assert_eq!(status.code(), Some(0));
    assert_eq!(
        partner.requests_for("/wms", ORDER_NO).len(),
        1,
        "not resent after restart"
    );
}

/// `channelhub map MAPPING INPUT | head -1`: the reader closes the pipe early, and the command
/// ends quietly with success instead of panicking on the failed write.
#[test]
fn map_into_a_closed_pipe_exits_quietly() {
    let dir = Workdir::new();
    let mapping = dir.write("same.vrl", ". = .\n");
    // Far more than a pipe buffer holds, so the write fails however the two processes interleave.
    let items: Vec<serde_json::Value> = (0..20_000).map(|i| serde_json::json!({"line": i})).collect();
    let input = dir.write("big.json", &serde_json::Value::Array(items).to_string());
    let mut child = std::process::Command::new(crate::support::HUB_BIN)
        .arg("map")
        .arg(&mapping)
        .arg(&input)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run channelhub map");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("channelhub map ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "nothing to report on a closed pipe: {stderr}");
}
