//! End-to-end benchmark of the real hub: distinct ERP orders in over HTTP, through the Yonyou
//! mapping, the durable SQLite store and the dispatcher, out to a fast in-process sink.
//!
//! Run with `cargo bench --bench e2e`. It prints one table:
//! - the loopback limit: the same load generator against a trivial HTTP server in this process,
//!   so the hub's figures can be read as a share of what this machine's loopback allows;
//! - the forward-only ceiling: a trivial forwarder (axum in, 202, reqwest out to a counting
//!   sink, one request per order; no decoding, mapping, validation or store), measured end to
//!   end like the hub: the most any store-and-forward hub on this HTTP stack could do here;
//! - phase 1 (closed loop, `BENCH_CONC` connections for `BENCH_SECS`): accepted/s, delivered/s end
//!   to end, p50/p99 accept latency, p50/p99 accept-to-delivered latency (sink receive time
//!   minus the time the 202 came back, matched by order number), the hub's peak RSS (VmHWM);
//! - phase 2 (open loop at `BENCH_RATE` orders/s for `BENCH_SECS`): p99 accept latency measured
//!   from each request's scheduled start, so a stalled hub cannot hide behind a slow sender.
//!
//! Environment (all optional):
//! - `BENCH_SECS` — seconds of load per phase (default 10)
//! - `BENCH_CONC` — concurrent connections in phase 1 and the loopback run (default 32)
//! - `BENCH_RATE` — orders per second in phase 2 (default 2000)

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const HUB_BIN: &str = env!("CARGO_BIN_EXE_channelhub");
const ORDER_JSON: &str = include_str!("../tests/fixtures/order-1.json");
const ORDER_MAPPING: &str = include_str!("../tests/fixtures/order-in.vrl");
const ERP_TOKEN: &str = "erp-token-1";
/// Stands in for the order number in the body template; replaced per request.
const PLACEHOLDER: &str = "@ORDER_NO@";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The fixture order grown to about 1.5 KB (five lines and a memo, as real orders carry), with
/// [`PLACEHOLDER`] where the order number goes.
fn body_template() -> String {
    let mut doc: Value = serde_json::from_str(ORDER_JSON).expect("fixture order is JSON");
    doc["cSOCode"] = json!(PLACEHOLDER);
    let body = doc["body"].as_array_mut().expect("order lines");
    for n in 4..=5 {
        let mut line = body[0].clone();
        line["irowno"] = json!(n);
        line["cInvCode"] = json!(format!("SKU-88{n:02}"));
        body.push(line);
    }
    doc["cMemo"] = json!("请于工作日送货，到货前一小时电话联系收货人；托盘不回收。".repeat(5));
    serde_json::to_string(&doc).expect("serialize order")
}

// ---------------------------------------------------------------------------------------------
// In-process receivers

/// What the counting sink saw: how many requests, and when each order number arrived.
#[derive(Default)]
struct SinkLog {
    count: AtomicU64,
    arrivals: Mutex<Vec<(String, Instant)>>,
}

async fn sink(State(log): State<Arc<SinkLog>>, body: Bytes) -> &'static str {
    let at = Instant::now();
    let number = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["order_number"].as_str().map(str::to_owned))
        .unwrap_or_default();
    log.arrivals.lock().expect("sink log").push((number, at));
    log.count.fetch_add(1, Ordering::Relaxed);
    r#"{"ok":true}"#
}

/// The trivial server for the loopback limit: reads the body and answers 202, nothing else.
async fn trivial(_body: Bytes) -> (axum::http::StatusCode, &'static str) {
    (axum::http::StatusCode::ACCEPTED, r#"{"ok":true}"#)
}

/// The forward-only ceiling: what any store-and-forward hub built on the same HTTP stack
/// (axum in, reqwest out, one request per order) could at most do here, with no decoding,
/// mapping, validation or store. Accepts (202) and forwards each body in the background.
#[derive(Clone)]
struct Forwarder {
    http: reqwest::Client,
    to: Arc<str>,
}

async fn forward(State(f): State<Forwarder>, body: Bytes) -> (axum::http::StatusCode, &'static str) {
    tokio::spawn(async move {
        let _ = f.http.post(&*f.to).body(body).send().await;
    });
    (axum::http::StatusCode::ACCEPTED, r#"{"ok":true}"#)
}

async fn count(State(n): State<Arc<AtomicU64>>, _body: Bytes) -> &'static str {
    n.fetch_add(1, Ordering::Relaxed);
    r#"{"ok":true}"#
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}")
}

// ---------------------------------------------------------------------------------------------
// The hub

struct HubProcess {
    child: Child,
    port: u16,
}

impl HubProcess {
    async fn start(dir: &Path, sink_url: &str) -> Self {
        fs::create_dir_all(dir.join("data")).expect("data folder");
        let mapping = dir.join("order-in.vrl");
        fs::write(&mapping, ORDER_MAPPING).expect("write mapping");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let config = format!(
            "listen: 127.0.0.1:{port}\n\
             store: sqlite://{}/data/hub.db\n\
             admin_tokens: [\"admin-secret-1\"]\n\
             partners:\n  yonyou-erp:\n    auth:\n      bearer: [\"{ERP_TOKEN}\"]\n\
             sources:\n  erp-orders:\n    type: http\n    partner: yonyou-erp\n    format: json\n    \
             mapping: {}\n    kind: order\n\
             sinks:\n  wms:\n    type: http\n    url: {sink_url}/wms\n    format: json\n    \
             timeout: 5s\n    ordered: false\n    \
             retry: {{max_attempts: 5, initial_backoff: 100ms, max_backoff: 1s}}\n\
             routes:\n  - name: all-orders\n    from: [erp-orders]\n    to: [wms]\n",
            dir.display(),
            mapping.display()
        );
        let config_path = dir.join("hub.yaml");
        fs::write(&config_path, config).expect("write config");
        let log = fs::File::create(dir.join("hub.log")).expect("hub log");
        let child = Command::new(HUB_BIN)
            .args(["run", "--config"])
            .arg(&config_path)
            .current_dir(dir)
            .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("spawn channelhub run");
        let mut hub = Self { child, port };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = http.get(hub.url("/healthz")).send().await
                && r.status() == 200
            {
                return hub;
            }
            if let Ok(Some(status)) = hub.child.try_wait() {
                let log = fs::read_to_string(dir.join("hub.log")).unwrap_or_default();
                panic!("hub exited with {status} before /healthz answered\n{log}");
            }
            assert!(Instant::now() < deadline, "hub did not answer /healthz within 60 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Peak resident set size in MiB, from VmHWM in /proc/PID/status.
    fn peak_rss_mib(&self) -> Option<f64> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    }

    /// SIGTERM, then SIGKILL if it has not exited after 15 s.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Load generation

/// One accepted request: its order number, the latency of the accept, and when the answer came.
struct Accepted {
    number: String,
    latency: Duration,
    at: Instant,
}

#[derive(Default)]
struct LoadResult {
    accepted: Vec<Accepted>,
    refused: usize,
    errors: usize,
    elapsed: Duration,
}

impl LoadResult {
    fn merge(&mut self, other: LoadResult) {
        self.accepted.extend(other.accepted);
        self.refused += other.refused;
        self.errors += other.errors;
    }

    fn per_sec(&self) -> f64 {
        self.accepted.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn latencies(&self) -> Vec<Duration> {
        let mut v: Vec<Duration> = self.accepted.iter().map(|a| a.latency).collect();
        v.sort_unstable();
        v
    }
}

/// Posts one order; `Some(true)` when accepted (2xx), `Some(false)` when refused, `None` on a
/// transport error.
async fn post_order(http: &reqwest::Client, url: &str, template: &str, number: &str) -> Option<bool> {
    let body = template.replace(PLACEHOLDER, number);
    let response = http
        .post(url)
        .bearer_auth(ERP_TOKEN)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .ok()?;
    let ok = response.status().is_success();
    response.bytes().await.ok()?;
    Some(ok)
}

fn client(connections: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("reqwest client")
}

/// Closed loop: `conc` tasks each post orders back to back for `secs`.
async fn closed_loop(url: &str, template: &Arc<String>, conc: usize, secs: u64, tag: &str) -> LoadResult {
    let http = client(conc);
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);
    let mut set = JoinSet::new();
    for task in 0..conc {
        let (http, url, template, tag) = (http.clone(), url.to_owned(), template.clone(), tag.to_owned());
        set.spawn(async move {
            let mut out = LoadResult::default();
            let mut i = 0u64;
            while Instant::now() < end {
                let number = format!("{tag}-{task}-{i}");
                i += 1;
                let sent = Instant::now();
                match post_order(&http, &url, &template, &number).await {
                    Some(true) => {
                        let at = Instant::now();
                        out.accepted.push(Accepted {
                            number,
                            latency: at - sent,
                            at,
                        });
                    }
                    Some(false) => out.refused += 1,
                    None => out.errors += 1,
                }
            }
            out
        });
    }
    let mut total = LoadResult::default();
    while let Some(part) = set.join_next().await {
        total.merge(part.expect("load task"));
    }
    total.elapsed = start.elapsed();
    total
}

/// Open loop: one order every `1/rate` s for `secs`, each on its own task; latency counts from
/// the scheduled start. At most 4096 requests are in flight; beyond that the sender waits,
/// which shows up as latency.
async fn open_loop(url: &str, template: &Arc<String>, rate: u64, secs: u64, tag: &str) -> LoadResult {
    let http = client(256);
    let permits = Arc::new(Semaphore::new(4096));
    let results = Arc::new(Mutex::new(LoadResult::default()));
    let start = Instant::now();
    let total = rate * secs;
    let mut set = JoinSet::new();
    for i in 0..total {
        let scheduled = start + Duration::from_secs_f64(i as f64 / rate as f64);
        tokio::time::sleep_until(scheduled.into()).await;
        let permit = permits.clone().acquire_owned().await.expect("semaphore");
        let (http, url, template, results) = (http.clone(), url.to_owned(), template.clone(), results.clone());
        let number = format!("{tag}-{i}");
        set.spawn(async move {
            let outcome = post_order(&http, &url, &template, &number).await;
            let at = Instant::now();
            let mut r = results.lock().expect("results");
            match outcome {
                Some(true) => r.accepted.push(Accepted {
                    number,
                    latency: at - scheduled,
                    at,
                }),
                Some(false) => r.refused += 1,
                None => r.errors += 1,
            }
            drop(permit);
        });
    }
    while set.join_next().await.is_some() {}
    let mut out = std::mem::take(&mut *results.lock().expect("results"));
    out.elapsed = start.elapsed();
    out
}

/// Waits until the sink has seen `expected` more requests than `base`; returns the instant of
/// the last arrival, or `None` when they did not all come within two minutes.
async fn wait_delivered(log: &SinkLog, base: u64, expected: u64) -> Option<Instant> {
    let deadline = Instant::now() + Duration::from_secs(120);
    while log.count.load(Ordering::Relaxed) < base + expected {
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    log.arrivals.lock().expect("sink log").last().map(|(_, at)| *at)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let secs: u64 = env_or("BENCH_SECS", 10);
    let conc: usize = env_or("BENCH_CONC", 32);
    let rate: u64 = env_or("BENCH_RATE", 2000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run(secs, conc, rate));
}

async fn run(secs: u64, conc: usize, rate: u64) {
    let template = Arc::new(body_template());
    eprintln!(
        "channelhub e2e bench: {secs} s per phase, {conc} connections, {rate}/s fixed rate, \
         {} B orders",
        template.replace(PLACEHOLDER, "BENCH-0-0").len()
    );

    let trivial_url = serve(Router::new().route("/in", post(trivial))).await;
    let limit = closed_loop(&format!("{trivial_url}/in"), &template, conc, secs, "LIMIT").await;

    // The forward-only ceiling, measured end to end like the hub: accepted, then all delivered.
    let forwarded = Arc::new(AtomicU64::new(0));
    let fwd_sink = serve(Router::new().route("/sink", post(count)).with_state(forwarded.clone())).await;
    let forwarder = Forwarder {
        http: client(conc),
        to: format!("{fwd_sink}/sink").into(),
    };
    let fwd_url = serve(Router::new().route("/in", post(forward)).with_state(forwarder)).await;
    let fwd_start = Instant::now();
    let fwd = closed_loop(&format!("{fwd_url}/in"), &template, conc, secs, "FWD").await;
    let fwd_total = fwd.accepted.len() as u64;
    let fwd_deadline = Instant::now() + Duration::from_secs(60);
    while forwarded.load(Ordering::Relaxed) < fwd_total && Instant::now() < fwd_deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let fwd_per_s = forwarded.load(Ordering::Relaxed) as f64 / fwd_start.elapsed().as_secs_f64();

    let log = Arc::new(SinkLog::default());
    let sink_url = serve(Router::new().route("/wms", post(sink)).with_state(log.clone())).await;
    let dir = tempfile::Builder::new()
        .prefix("channelhub-bench-")
        .tempdir()
        .expect("temporary folder");
    let hub = HubProcess::start(dir.path(), &sink_url).await;
    let inbound = hub.url("/in/erp-orders");

    // Phase 1: closed loop.
    let start = Instant::now();
    let phase1 = closed_loop(&inbound, &template, conc, secs, "BENCH").await;
    let last = wait_delivered(&log, 0, phase1.accepted.len() as u64).await;
    let delivered = log.count.load(Ordering::Relaxed);
    let e2e_secs = last.map_or(f64::NAN, |l| (l - start).as_secs_f64());
    let arrivals: HashMap<String, Instant> = log
        .arrivals
        .lock()
        .expect("sink log")
        .iter()
        .map(|(n, at)| (n.clone(), *at))
        .collect();
    let mut to_delivery: Vec<Duration> = phase1
        .accepted
        .iter()
        .filter_map(|a| arrivals.get(&a.number).map(|at| at.saturating_duration_since(a.at)))
        .collect();
    to_delivery.sort_unstable();
    let accept = phase1.latencies();
    let rss_after_phase1 = hub.peak_rss_mib();

    // Phase 2: fixed rate.
    let base = log.count.load(Ordering::Relaxed);
    let phase2 = open_loop(&inbound, &template, rate, secs, "RATE").await;
    let phase2_done = wait_delivered(&log, base, phase2.accepted.len() as u64).await;
    let accept2 = phase2.latencies();
    let rss = hub.peak_rss_mib();
    hub.stop();

    let delivered_per_s = phase1.accepted.len() as f64 / e2e_secs;
    let row = |name: &str, value: String| println!("| {name:<44} | {value:>16} |");
    println!();
    println!(
        "| {:<44} | {:>16} |",
        "channelhub end to end (SQLite, 1 HTTP sink)", "value"
    );
    println!("|{}|{}|", "-".repeat(46), "-".repeat(18));
    row(
        "loopback limit (trivial server), req/s",
        format!("{:.0}", limit.per_sec()),
    );
    row(
        "forward-only ceiling (axum in, reqwest out)/s",
        format!("{fwd_per_s:.0}"),
    );
    row("phase 1: accepted/s", format!("{:.0}", phase1.per_sec()));
    row("phase 1: delivered/s end to end", format!("{delivered_per_s:.0}"));
    row(
        "delivered/s as share of loopback limit",
        format!("{:.3}", delivered_per_s / limit.per_sec()),
    );
    row(
        "delivered/s as share of forward-only ceiling",
        format!("{:.3}", delivered_per_s / fwd_per_s),
    );
    row(
        "accepted/s as share of loopback limit",
        format!("{:.3}", phase1.per_sec() / limit.per_sec()),
    );
    row("phase 1: accept latency p50", ms(percentile(&accept, 50.0)));
    row("phase 1: accept latency p99", ms(percentile(&accept, 99.0)));
    row("phase 1: accept-to-delivered p50", ms(percentile(&to_delivery, 50.0)));
    row("phase 1: accept-to-delivered p99", ms(percentile(&to_delivery, 99.0)));
    row(
        "phase 1: accepted/delivered/refused/errors",
        format!(
            "{}/{}/{}/{}",
            phase1.accepted.len(),
            delivered,
            phase1.refused,
            phase1.errors
        ),
    );
    row(
        &format!("phase 2: {rate}/s offered, accepted/s"),
        format!("{:.0}", phase2.per_sec()),
    );
    row("phase 2: accept latency p50", ms(percentile(&accept2, 50.0)));
    row("phase 2: accept latency p99", ms(percentile(&accept2, 99.0)));
    row("phase 2: all accepted delivered", format!("{}", phase2_done.is_some()));
    row(
        "hub peak RSS (VmHWM) after phase 1 / 2",
        format!(
            "{:.0} / {:.0} MiB",
            rss_after_phase1.unwrap_or(f64::NAN),
            rss.unwrap_or(f64::NAN)
        ),
    );
    if last.is_none() {
        eprintln!(
            "warning: only {delivered} of {} accepted orders were delivered within 2 minutes",
            phase1.accepted.len()
        );
    }
}
